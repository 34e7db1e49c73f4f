"""Write samples where people can look at them: PNG grids for images, scatter plots for 2D data, voxel renders
for one-channel volumes (volume_pictures.py).

The format follows the file suffix: .png (a picture chosen by the DataSpec), .npy (NumPy array)
or .pt (a tensor via torch.save; data, not weights). Writes are atomic.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import torch

from genzoo.atomic import write_bytes
from genzoo.dataspec import DataSpec
from genzoo.distributions import to_levels
from genzoo.errors import GenzooError
from genzoo.volume_pictures import is_volume, volume_png

SUFFIXES = (".png", ".npy", ".pt")


def image_grid(images: torch.Tensor, spec: DataSpec, nrow: int | None = None, pad: int = 2) -> np.ndarray:
    """Tile (n, c, h, w) images into one uint8 array (H, W) or (H, W, 3), scaled by value_range."""
    low, high = spec.value_range or (float(images.min()), float(images.max()))
    x = ((images.detach().float().cpu() - low) / max(high - low, 1e-12)).clamp(0, 1)
    n, channels, height, width = x.shape
    nrow = nrow or math.ceil(math.sqrt(n))
    rows = math.ceil(n / nrow)
    grid = torch.ones(channels, rows * (height + pad) + pad, nrow * (width + pad) + pad)
    for index in range(n):
        r, c = divmod(index, nrow)
        top, left = pad + r * (height + pad), pad + c * (width + pad)
        grid[:, top : top + height, left : left + width] = x[index]
    array = to_levels(grid, 256).to(torch.uint8).numpy()
    return array[0] if channels == 1 else array.transpose(1, 2, 0)


def _png_bytes(samples: torch.Tensor, spec: DataSpec, nrow: int | None) -> bytes:
    buffer = io.BytesIO()
    if spec.is_image:
        from PIL import Image

        array = image_grid(samples, spec, nrow)
        scale = max(1, 256 // max(spec.shape[1:]))  # small digits are unreadable at 1:1
        image = Image.fromarray(array)
        image.resize((image.width * scale, image.height * scale), Image.NEAREST).save(buffer, format="PNG")
    elif spec.is_points_2d:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        points = samples.detach().float().cpu().numpy()
        figure, axis = plt.subplots(figsize=(5, 5), dpi=100)
        axis.scatter(points[:, 0], points[:, 1], s=4, alpha=0.6)
        axis.set_aspect("equal")
        axis.set_title(f"{len(points)} samples")
        figure.savefig(buffer, format="png", bbox_inches="tight")
        plt.close(figure)
    elif is_volume(spec):
        return volume_png(samples, spec, nrow)
    else:
        raise GenzooError(f"cannot draw data of shape {spec.shape} as PNG; write .npy or .pt instead")
    return buffer.getvalue()


def save_samples(samples: torch.Tensor, spec: DataSpec, path: str | Path, *, nrow: int | None = None) -> Path:
    """Write samples to `path` in the format its suffix names; PNG image grids have `nrow` per row (default: square)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".png":
        data = _png_bytes(samples, spec, nrow)
    elif suffix == ".npy":
        buffer = io.BytesIO()
        np.save(buffer, samples.detach().cpu().numpy())
        data = buffer.getvalue()
    elif suffix == ".pt":
        buffer = io.BytesIO()
        torch.save(samples.detach().cpu(), buffer)
        data = buffer.getvalue()
    else:
        raise GenzooError(f"{path}: unsupported output format {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    write_bytes(path, data)
    return path
