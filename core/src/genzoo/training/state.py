"""The resumable training state, in safetensors and JSON (never pickle).

    train/state/model.safetensors      the live weights
    train/state/ema.safetensors        the EMA weights (when EMA is on)
    train/state/optimizer.safetensors  every tensor of every optimizer's state
    train/state/rng.safetensors        the global torch generator state of every process
    train/state/step_state.safetensors the step's shared tensors (`TrainingStep.init_state`), when any
    train/state/state.json             step, data position, elapsed time, optimizer hyperparameters

The folder is a symlink to a version folder written through `versioned_folder`, so a crash at any
instant of a save leaves the previous or the new state, whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as dump_tensors

from genzoo.atomic import versioned_folder, write_bytes, write_text
from genzoo.errors import CheckpointError

STATE_JSON = "state.json"


def _flatten_optimizer(name: str, optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor]) -> dict:
    """Move the optimizer's tensors into `tensors` (keys name/param/key); return the JSON rest."""
    saved = optimizer.state_dict()
    scalars: dict[str, dict[str, Any]] = {}
    for index, values in saved["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{name}/{index}/{key}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[key] = value
    return {"param_groups": saved["param_groups"], "scalars": scalars}


def _unflatten_optimizer(name: str, optimizer: torch.optim.Optimizer, saved: dict, tensors: dict) -> None:
    state: dict[int, dict[str, Any]] = {}
    for key, tensor in tensors.items():
        group, index, field = key.split("/", 2)
        if group == name:
            state.setdefault(int(index), {})[field] = tensor
    for index, values in saved["scalars"].items():
        state.setdefault(int(index), {}).update(values)
    # JSON turned tuples (Adam's betas) into lists; give each hyperparameter its live type back.
    groups = [
        {k: tuple(v) if isinstance(live.get(k), tuple) else v for k, v in group.items()}
        for group, live in zip(saved["param_groups"], optimizer.param_groups)
    ]
    optimizer.load_state_dict({"state": state, "param_groups": groups})


def save_state(folder: Path, *, model: torch.nn.Module, ema: dict[str, torch.Tensor] | None,
               optimizers: dict[str, torch.optim.Optimizer], rng: dict[str, torch.Tensor], info: dict[str, Any],
               step_state: dict[str, torch.Tensor] | None = None) -> None:
    """Write the whole resumable state to `folder`, replacing the previous one atomically."""
    if step_state:
        bad = sorted(k for k, v in step_state.items() if not isinstance(v, torch.Tensor))
        if bad:
            raise CheckpointError(f"the training step's state holds non-tensors under {bad}; keep only tensors in it")
    optimizer_tensors: dict[str, torch.Tensor] = {}
    optimizer_json = {name: _flatten_optimizer(name, opt, optimizer_tensors) for name, opt in optimizers.items()}
    weights = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    with versioned_folder(folder) as staging:
        write_bytes(staging / "model.safetensors", dump_tensors(weights))
        if ema is not None:
            write_bytes(staging / "ema.safetensors", dump_tensors({k: v.cpu() for k, v in ema.items()}))
        write_bytes(staging / "optimizer.safetensors", dump_tensors(optimizer_tensors))
        write_bytes(staging / "rng.safetensors", dump_tensors(rng))
        if step_state:
            write_bytes(staging / "step_state.safetensors",
                        dump_tensors({k: v.detach().cpu().contiguous() for k, v in step_state.items()}))
        write_text(staging / STATE_JSON, json.dumps({**info, "optimizers": optimizer_json}, indent=1) + "\n")


def _read(folder: Path, name: str) -> dict[str, torch.Tensor]:
    path = folder / name
    try:
        return load_tensors(path.read_bytes())
    except (OSError, ValueError, RuntimeError) as error:
        raise CheckpointError(f"{path}: cannot read training state ({' '.join(str(error).split())})") from None


def read_info(folder: Path) -> dict[str, Any]:
    path = folder / STATE_JSON
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"{path}: missing; there is no training state to resume") from None
    except (OSError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: unreadable ({error})") from None


def load_state(folder: Path, *, model: torch.nn.Module, ema, optimizers: dict[str, torch.optim.Optimizer]):
    """Restore weights, EMA and optimizers; return the info dict and the saved RNG states."""
    info = read_info(folder)
    model.load_state_dict(_read(folder, "model.safetensors"), strict=True)
    if ema is not None:
        if not (folder / "ema.safetensors").is_file():
            raise CheckpointError(f"{folder}: the run had no EMA; it cannot be resumed with ema_decay set")
        ema.load(_read(folder, "ema.safetensors"))
    tensors = _read(folder, "optimizer.safetensors")
    for name, optimizer in optimizers.items():
        _unflatten_optimizer(name, optimizer, info["optimizers"][name], tensors)
    return info, _read(folder, "rng.safetensors")


def read_step_state(folder: Path) -> dict[str, torch.Tensor]:
    """The step's saved shared tensors (on the CPU); empty when the run kept none."""
    if not (folder / "step_state.safetensors").is_file():
        return {}
    return _read(folder, "step_state.safetensors")
