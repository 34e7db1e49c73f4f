"""Turning what a user points at into model inputs shaped by a DataSpec.

Commands that feed a model examples (`genzoo translate`, a family's `encode`) take image files,
DATASET:INDEX (an example of that dataset's test split, e.g. mnist:7) or .npy arrays. Images are
converted to the spec's channels and size and scaled to its value range; for binarized data the
grey levels are kept as probabilities (encoders trained on binary pixels take them well, and
thresholding would throw information away).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from genzoo.dataspec import DataSpec
from genzoo.distributions import from_levels
from genzoo.errors import GenzooError

# The index is the last ":"-separated part, so folder:PATH:3 and npz:FILE:3 name examples too.
DATASET_EXAMPLE = re.compile(r"^(?P<data>.+):(?P<index>\d+)$")


def read_inputs(spec: DataSpec, sources: list[str] | tuple[str, ...], *, data_dir: str | None = None,
                name: str = "the model") -> tuple[torch.Tensor, list[int | None]]:
    """A float batch `(n, *spec.shape)` from image files, DATASET:INDEX and .npy files, with each
    example's label (None unless it came from a labelled dataset). A .npy file may hold one example
    or a batch."""
    examples: list[torch.Tensor] = []
    labels: list[int | None] = []
    for source in sources:
        if source.lower().endswith(".npy"):
            batch = _array_file(spec, Path(source), name)
            examples += list(batch)
            labels += [None] * len(batch)
        else:
            x, y = read_example(spec, source, data_dir=data_dir, name=name)
            examples.append(x)
            labels.append(y)
    if not examples:
        raise GenzooError("no inputs given")
    return torch.stack(examples), labels


def read_example(spec: DataSpec, source: str, *, data_dir: str | None = None,
                 name: str = "the model") -> tuple[torch.Tensor, int | None]:
    """One example shaped `spec.shape` from an image file or DATASET:INDEX, and its label when it has one."""
    match = DATASET_EXAMPLE.match(source)
    if match and not Path(source).exists():
        return _dataset_example(spec, match["data"], int(match["index"]), data_dir, name)
    return _image_file(spec, Path(source), name), None


def dataset_tensors(spec: DataSpec, data: str, split: str, data_dir: str | None = None,
                    name: str = "the model") -> tuple[torch.Tensor, torch.Tensor]:
    """All examples and labels of a dataset split, in the view a model of `spec` is trained on (random
    views drawn with the dataset's fixed seed), after checking they have the spec's shape."""
    from genzoo.data import load_dataset
    from genzoo.data.base import view_for

    optional = {"view": view_for(spec, "samples"), "data_dir": data_dir}
    dataset = load_dataset(data, split, optional={k: v for k, v in optional.items() if v is not None})
    if tuple(dataset.data_spec.shape) != tuple(spec.shape):
        raise GenzooError(f"{data} examples have shape {dataset.data_spec.shape}; {name} takes {spec.shape}")
    return dataset.tensors()


def _dataset_example(spec: DataSpec, data: str, index: int, data_dir: str | None, name: str):
    x, y = dataset_tensors(spec, data, "test", data_dir, name)
    if index >= len(x):
        raise GenzooError(f"{data}:{index}: the {data} test split has {len(x)} examples")
    return x[index], None if y is None else int(y[index])


def _array_file(spec: DataSpec, path: Path, name: str) -> torch.Tensor:
    if not path.is_file():
        raise GenzooError(f"{path}: no such file")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise GenzooError(f"{path}: not a readable .npy array ({error.__class__.__name__})") from None
    if array.dtype.kind not in "fiub":
        raise GenzooError(f"{path}: holds {array.dtype} values, not numbers")
    x = torch.from_numpy(np.ascontiguousarray(array))
    x = x.long() if spec.dtype == "int64" and array.dtype.kind in "iub" else x.float()
    if tuple(x.shape) == tuple(spec.shape):
        x = x.unsqueeze(0)
    if tuple(x.shape[1:]) != tuple(spec.shape):
        raise GenzooError(f"{path}: holds an array of shape {tuple(array.shape)}; {name} takes {tuple(spec.shape)} "
                          f"or a batch (n, {', '.join(map(str, spec.shape))})")
    return x


def _image_file(spec: DataSpec, path: Path, name: str) -> torch.Tensor:
    from PIL import Image, UnidentifiedImageError

    if not spec.is_image:
        raise GenzooError(f"{path}: {name} takes data of shape {spec.shape}, not images; give a .npy file")
    if not path.is_file():
        raise GenzooError(f"{path}: no such file (give an image file or DATASET:INDEX, e.g. mnist:0)")
    try:
        with Image.open(path) as image:
            channels, height, width = spec.shape
            image = image.convert("L" if channels == 1 else "RGB").resize((width, height), Image.BILINEAR)
            array = np.array(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as error:
        raise GenzooError(f"{path}: not a readable image ({error.__class__.__name__})") from None
    levels = torch.from_numpy(array).reshape(height, width, channels).permute(2, 0, 1)
    values = from_levels(levels, 256, spec.value_range or (0.0, 1.0))
    return values.round().long() if spec.dtype == "int64" else values  # int64 specs: the nearest of their levels
