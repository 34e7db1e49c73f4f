"""Turning what a user points at (an image file, or DATASET:INDEX) into a model input.

Images are converted to the model's channels and size and scaled to its value range. For models
of binarized data the grey levels are kept as probabilities: encoders trained on binary pixels
take them well, and thresholding would throw information away.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from genzoo.errors import GenzooError

DATASET_EXAMPLE = re.compile(r"^(?P<data>[a-z0-9][a-z0-9._-]*):(?P<index>\d+)$")


def read_example(model, source: str, *, data_dir: str | None = None) -> tuple[torch.Tensor, int | None]:
    """One example shaped like the model's data, and its label when it comes from a dataset."""
    match = DATASET_EXAMPLE.match(source)
    if match and not Path(source).exists():
        return _dataset_example(model, match["data"], int(match["index"]), data_dir)
    return _image_file(model, Path(source)), None


def dataset_tensors(model, data: str, split: str, data_dir: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All examples and labels of a dataset split, in the view the model was trained on (random views
    drawn with the dataset's fixed seed), after checking they have the model's shape."""
    from genzoo.data import load_dataset
    from genzoo.data.base import view_for

    optional = {"view": view_for(model.data_spec, "samples"), "data_dir": data_dir}
    dataset = load_dataset(data, split, optional={k: v for k, v in optional.items() if v is not None})
    if tuple(dataset.data_spec.shape) != tuple(model.data_spec.shape):
        raise GenzooError(f"{data} examples have shape {dataset.data_spec.shape}; "
                          f"{model.spec.name!r} models {model.data_spec.shape}")
    return dataset.tensors()


def _dataset_example(model, data: str, index: int, data_dir: str | None):
    x, y = dataset_tensors(model, data, "test", data_dir)
    if index >= len(x):
        raise GenzooError(f"{data}:{index}: the {data} test split has {len(x)} examples")
    return x[index], int(y[index])


def _image_file(model, path: Path) -> torch.Tensor:
    from PIL import Image, UnidentifiedImageError

    spec = model.data_spec
    if not spec.is_image:
        raise GenzooError(f"{path}: {model.spec.name!r} models data of shape {spec.shape}, not images")
    if not path.is_file():
        raise GenzooError(f"{path}: no such file (give an image file or DATASET:INDEX, e.g. mnist:0)")
    try:
        with Image.open(path) as image:
            channels, height, width = spec.shape
            image = image.convert("L" if channels == 1 else "RGB").resize((width, height), Image.BILINEAR)
            array = np.asarray(image, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError) as error:
        raise GenzooError(f"{path}: not a readable image ({error.__class__.__name__})") from None
    x = torch.from_numpy(array).reshape(height, width, channels).permute(2, 0, 1)
    low, high = spec.value_range
    return low + (high - low) * x
