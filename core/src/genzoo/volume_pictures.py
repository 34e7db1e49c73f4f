"""Draw one-channel volumes (n, 1, d, h, w), such as voxel occupancy grids, as a PNG: one 3-D voxel render per sample.

A voxel is drawn (filled) where its value is above the middle of the DataSpec's value range (of the
samples' own range when the spec has none), so binary occupancy shows as it is and a soft volume as its
thresholded solid. The renders are tiled `nrow` per row, each in a fixed isometric-ish view with the
grid's full extent on its axes (sizes are comparable between panels). matplotlib draws every face, so
a large grid of large volumes is slow: MAX_VOLUMES bounds the count.
"""

from __future__ import annotations

import io
import math

import torch

from genzoo.dataspec import DataSpec
from genzoo.errors import GenzooError

MAX_VOLUMES = 256
PANEL_INCHES = 1.6
FACE, EDGE = "#6fa8dc", "#1f3b57"


def is_volume(spec: DataSpec) -> bool:
    """Volumes this module draws: one channel over three spatial axes."""
    return len(spec.shape) == 4 and spec.shape[0] == 1


def occupied(volumes: torch.Tensor, spec: DataSpec) -> torch.Tensor:
    """(n, d, h, w) bool: values above the middle of the value range (or of the samples' own range)."""
    x = volumes.detach().float().cpu()
    low, high = spec.value_range or (float(x.min()), float(x.max()))
    return x[:, 0] > (low + high) / 2


def volume_png(volumes: torch.Tensor, spec: DataSpec, nrow: int | None = None) -> bytes:
    """PNG bytes of the volumes as voxel renders, `nrow` per row (default: square)."""
    n = len(volumes)
    if n > MAX_VOLUMES:
        raise GenzooError(f"{n} volumes are too many to render (at most {MAX_VOLUMES}); draw fewer or write .npy")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    filled = occupied(volumes, spec).numpy()
    nrow = nrow or math.ceil(math.sqrt(n))
    rows = math.ceil(n / nrow)
    figure = plt.figure(figsize=(nrow * PANEL_INCHES, rows * PANEL_INCHES), dpi=100)
    depth, height, width = spec.shape[1:]
    try:
        for index in range(n):
            axis = figure.add_subplot(rows, nrow, index + 1, projection="3d")
            axis.voxels(filled[index], facecolors=FACE, edgecolor=EDGE, linewidth=0.2)
            axis.set(xlim=(0, depth), ylim=(0, height), zlim=(0, width), xticks=[], yticks=[], zticks=[])
            axis.set_box_aspect((depth, height, width))  # a non-cubic grid keeps its proportions
            axis.view_init(elev=25, azim=-55)
        figure.subplots_adjust(left=0, right=1, bottom=0, top=1, wspace=0, hspace=0)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)  # also when drawing fails: pyplot keeps every open figure alive
    return buffer.getvalue()
