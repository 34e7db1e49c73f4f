"""Does config.json fit the weights? Answered before a single real byte is allocated.

A checkpoint's config.json decides how big the model is, and a hand-edited or hostile one
(`hidden: [20000, 20000]`, `latent_dim: 1e12`) would make the loader allocate gigabytes, or crash,
before the weights were ever looked at. So the model is first built on PyTorch's meta device
(shapes and dtypes, no storage) and every parameter and persistent buffer is compared with the
safetensors header, which is read without reading the tensors. Only a model that matches the file
(plus a bounded amount of tensors the file does not store, such as a diffusion schedule) is then
built for real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genzoo.errors import CheckpointError, GenzooError

# Tensors a model may compute at construction without storing them (noise schedules, lookup
# tables). Anything larger that the weights file does not account for is refused.
UNSTORED_TENSOR_LIMIT = 256 * 2**20


def read_header(path: Path) -> dict[str, tuple[tuple[int, ...], str]]:
    """{tensor name: (shape, dtype name)} from the safetensors header, reading no tensor data."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            slices = {name: handle.get_slice(name) for name in handle.keys()}
            return {name: (tuple(s.get_shape()), s.get_dtype()) for name, s in slices.items()}
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise CheckpointError(f"{path}: not a valid safetensors file ({' '.join(str(error).split())})") from None


def _sizing_mode():
    """A device context that puts every new tensor on meta except those made from Python data.

    `torch.tensor(1.0)` and friends hold values the constructor already has in memory, so they
    stay real: model code may compute a constant with them and call `.item()`, which meta
    tensors cannot do. Everything sized by the config (empty, zeros, rand, full, arange, ...) is meta.
    """
    import torch
    from torch.utils._device import DeviceContext

    from_data = {torch.tensor, torch.as_tensor, torch.asarray, torch.scalar_tensor}

    class SizingMode(DeviceContext):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if func in from_data:
                return func(*args, **(kwargs or {}))
            return super().__torch_function__(func, types, args, kwargs)

    return SizingMode("meta")


def build_on_meta(build, source: Path) -> Any:
    """Run `build()` with config-sized tensors on the meta device; an unbuildable config is a
    CheckpointError naming `source`."""
    try:
        with _sizing_mode():
            return build()
    except GenzooError:
        raise
    except (RuntimeError, ValueError, OverflowError, MemoryError, TypeError) as error:
        reason = " ".join(str(error).split())[:200]
        if "meta" in reason:  # the constructor read a tensor's values: a family bug, not the file's
            raise CheckpointError(
                f"{source}: the model cannot be sized on the meta device before allocation ({reason}); its "
                "constructor must not read values of tensors it creates (report it to the model's family)"
            ) from None
        raise CheckpointError(f"{source}: cannot build the model from this config ({reason})") from None


def check_fits(skeleton, header: dict[str, tuple[tuple[int, ...], str]], path: Path, *, config_path: Path) -> None:
    """Compare the meta model's state with the weights header: names, shapes, dtype kinds, then unstored size."""
    expected = skeleton.state_dict()
    missing = sorted(set(expected) - set(header))
    unexpected = sorted(set(header) - set(expected))
    if missing or unexpected:
        parts = [f"missing {', '.join(missing[:3])}" if missing else "",
                 f"unexpected {', '.join(unexpected[:3])}" if unexpected else ""]
        raise CheckpointError(f"{path}: weights do not fit the model ({'; '.join(p for p in parts if p)})")
    for name, (shape, dtype) in header.items():
        tensor = expected[name]
        if shape != tuple(tensor.shape):
            raise CheckpointError(f"{path}: tensor {name!r} has shape {shape}, the model needs {tuple(tensor.shape)}")
        needed = _safetensors_dtype(tensor.dtype)
        if dtype != needed and not (dtype in _FLOATING and needed in _FLOATING):
            raise CheckpointError(f"{path}: tensor {name!r} is {dtype}, the model needs {needed}")
    unstored = sum(b.numel() * b.element_size() for name, b in skeleton.named_buffers() if name not in expected)
    if unstored > UNSTORED_TENSOR_LIMIT:
        raise CheckpointError(
            f"{config_path}: the model would allocate {unstored / 2**20:,.0f} MiB of tensors that the weights do not "
            f"store (limit {UNSTORED_TENSOR_LIMIT // 2**20} MiB); the config is damaged or hostile"
        )


# Floating weights load into a model of another floating precision (a bfloat16 save into the float32
# model it builds), cast as load_state_dict does; any other difference (integers, booleans) is refused.
_FLOATING = frozenset({"F64", "F32", "F16", "BF16"})


def _safetensors_dtype(dtype) -> str:
    """The header's spelling of a torch dtype (safetensors writes e.g. F32, BF16, I64, BOOL)."""
    import torch

    names = {
        torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
        torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
        torch.bool: "BOOL",
    }
    return names.get(dtype, str(dtype))
