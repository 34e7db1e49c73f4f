"""Paired edges -> digits: pix2pix's edges2shoes task made from MNIST by a fixed operator.

The edge map of a digit is the outline just outside its strokes: binarize the image at half its
top level (a pixel is ink when its value is >= 0.5), dilate the ink by a 3x3 square (a pixel is
reached when any of its 8 neighbours or itself is ink) and keep what the dilation added. So the
outline is one pixel wide, it encloses the strokes without touching them, and it is a binary image:
the translator has to fill the strokes in and invent their grey-level profile (MNIST's
anti-aliasing), as pix2pix fills a shoe's outline with leather. The operator is deterministic, so
no file is written and example i is the same on every run; the edge map of MNIST test image i is
`mnist-edges:i`.

Datasets (fields):
- `edges2mnist`: paired, {"x": the digit (continuous view, 256 levels), "source": its edge map
  (binary), "label": its class}; 60,000 / 10,000. What `genzoo train pix2pix` learns from and
  the translation metrics read (inputs from "source", real targets from "x").
- `mnist-edges`: the edge maps alone, labelled, for `genzoo translate RUN --input mnist-edges:3`.
- `edges2digits` / `digits-edges`: the same from the bundled 8x8 digits (always available; tests).
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import validate_call
from torch.nn import functional as F

from genzoo.plugin import DataSpec, FieldsDataset, ImageDataset, load_dataset

Split = Literal["train", "test"]
View = Literal["continuous", "discrete", "dequantized", "binarized", "levels"]
EDGE_LEVELS = 2  # an edge map is binary: 0 background, 1 outline


def outer_edges(levels: torch.Tensor, num_levels: int) -> torch.Tensor:
    """The one-pixel outline around the ink of integer images (n, c, h, w) with `num_levels` levels, as 0/1 int64.

    Ink is level >= (num_levels - 1) / 2 (value >= 0.5); the outline is dilate3x3(ink) minus ink, with the
    image border padded by background (an outline is cut off where the ink touches the border).
    """
    ink = (2 * levels.long() >= num_levels - 1).float()  # long first: 2 * a uint8 level would wrap around
    grown = F.max_pool2d(ink, 3, stride=1, padding=1)
    return (grown - ink).long()


def _levels(name: str, split: str, data_dir: str | None) -> ImageDataset:
    options = {"view": "levels"} | ({"data_dir": data_dir} if data_dir else {})
    return load_dataset(name, split, **options)


def _paired(digits: ImageDataset, name: str, digits_name: str) -> FieldsDataset:
    spec = digits.data_spec
    target = DataSpec(shape=spec.shape, value_range=(0.0, 1.0), levels=digits.num_levels, num_classes=spec.num_classes)
    source = DataSpec(shape=spec.shape, kind="binary", value_range=(0.0, 1.0), levels=EDGE_LEVELS)
    tensors = {"x": digits.levels.float() / (digits.num_levels - 1),
               "source": outer_edges(digits.levels, digits.num_levels).float(), "label": digits.y}
    fields = {"x": target, "source": source, "label": DataSpec.for_labels(spec.num_classes)}
    paired = FieldsDataset(tensors, fields, name=name, split=digits.split)
    paired.feature_dataset = digits_name  # the translation metrics read the outputs with this dataset's classifier
    return paired


def _edge_maps(digits: ImageDataset, name: str, view: str, seed: int) -> ImageDataset:
    return ImageDataset(outer_edges(digits.levels, digits.num_levels), digits.y, num_levels=EDGE_LEVELS,
                        num_classes=digits.data_spec.num_classes, view=view, seed=seed, name=name, split=digits.split)


@validate_call
def edges2mnist(split: Split = "train", *, data_dir: str | None = None) -> FieldsDataset:
    """MNIST `split` digits ("x") with their edge maps ("source") and classes ("label")."""
    return _paired(_levels("mnist", split, data_dir), "edges2mnist", "mnist")


@validate_call
def mnist_edges(split: Split = "train", *, view: View = "continuous", seed: int = 0,
                data_dir: str | None = None) -> ImageDataset:
    """The edge maps of MNIST `split`, labelled with their digits' classes."""
    return _edge_maps(_levels("mnist", split, data_dir), "mnist-edges", view, seed)


@validate_call
def edges2digits(split: Split = "train") -> FieldsDataset:
    """The bundled 8x8 digits with their edge maps (1,437 train / 360 test)."""
    return _paired(_levels("digits", split, None), "edges2digits", "digits")


@validate_call
def digits_edges(split: Split = "train", *, view: View = "continuous", seed: int = 0) -> ImageDataset:
    """The edge maps of the bundled 8x8 digits, labelled."""
    return _edge_maps(_levels("digits", split, None), "digits-edges", view, seed)
