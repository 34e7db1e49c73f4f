"""The dataset shape every genzoo dataset has, so trainers and metrics need no per-dataset code.

A dataset is a torch Dataset of `(x, label)` pairs (label None when unlabelled) that also carries
its `data_spec` (what one x looks like), its `fields` (a DataSpec per named part of an example, so
a trainer knows what a batch holds without building one) and hands out everything at once with
`tensors()` (small data sets fit in memory, and metrics want whole tensors). Datasets whose
examples have other parts (a target image, a sequence) return dicts instead: see
genzoo.data.fields. Image datasets keep the raw integer levels and turn them into one of several
*views* (continuous, discrete, dequantized, binarized, levels), because a flow, a Bernoulli VAE
and a PixelCNN each need the same images in a different form.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch.utils.data import Dataset

from genzoo.dataspec import DataSpec
from genzoo.distributions import dequantize, from_levels

Split = Literal["train", "test"]
View = Literal["continuous", "discrete", "dequantized", "binarized", "levels"]


class GenzooDataset(Dataset):
    """Base class: `(x, label)` pairs with a DataSpec, a name and a split."""

    data_spec: DataSpec

    def __init__(self, *, name: str, split: Split):
        self.name, self.split = name, split

    @property
    def fields(self) -> dict[str, DataSpec]:
        """What one example holds: `x`, plus an int64 `label` when the data have two or more classes
        (a single class is nothing to condition on)."""
        fields = {"x": self.data_spec}
        if (self.data_spec.num_classes or 0) >= 2:
            fields["label"] = DataSpec.for_labels(self.data_spec.num_classes, self.data_spec.class_names)
        return fields

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """All examples (n, *shape) and integer labels (n,) at once; labels None when there are none."""
        raise NotImplementedError

    def field_tensors(self) -> dict[str, torch.Tensor]:
        """Every field of every example at once, keyed like `fields`."""
        x, label = self.tensors()
        return {"x": x} if label is None or "label" not in self.fields else {"x": x, "label": label}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, split={self.split!r}, n={len(self)}, shape={self.data_spec.shape})"


class TensorDataset(GenzooDataset):
    """Fixed tensors `x` (n, *shape) and integer labels `y` (n,), or no labels (`y` None)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None, data_spec: DataSpec, *, name: str, split: Split):
        super().__init__(name=name, split=split)
        if y is not None and len(x) != len(y):
            raise ValueError(f"{len(x)} examples but {len(y)} labels")
        self.x, self.y, self.data_spec = x, y, data_spec

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.x[index], None if self.y is None else self.y[index]

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.x, self.y


class ImageDataset(GenzooDataset):
    """Integer-level images (n, c, h, w) shown through a view, with labels `y` (n,) or none (`y` None).

    Random views (dequantized, binarized) draw fresh noise on every `__getitem__` from torch's global
    RNG (dynamic binarization and dequantization while training), while `tensors()` draws once from
    `seed`, so that evaluation on the same split and seed sees the same numbers every time.
    """

    def __init__(self, levels: torch.Tensor, y: torch.Tensor | None, *, num_levels: int, num_classes: int | None,
                 view: View, seed: int, name: str, split: Split, class_names: tuple[str, ...] | None = None):
        super().__init__(name=name, split=split)
        self.levels, self.y, self.num_levels, self.view, self.seed = levels, y, num_levels, view, seed
        self.data_spec = view_spec(tuple(levels.shape[1:]), num_levels, view, num_classes, class_names)

    def __len__(self) -> int:
        return len(self.levels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        x = apply_view(self.levels[index : index + 1], self.num_levels, self.view)[0]
        return x, None if self.y is None else self.y[index]

    def __getitems__(self, indices: list[int]) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
        """A whole batch through the view in one vectorised call (DataLoader uses this when it exists)."""
        x = apply_view(self.levels[indices], self.num_levels, self.view)
        labels = [None] * len(indices) if self.y is None else self.y[indices].unbind(0)
        return list(zip(x.unbind(0), labels))

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        generator = torch.Generator().manual_seed(self.seed)
        return apply_view(self.levels, self.num_levels, self.view, generator), self.y


def view_spec(shape: tuple[int, ...], levels: int, view: View, num_classes: int | None,
              class_names: tuple[str, ...] | None = None) -> DataSpec:
    """The DataSpec of integer-level images seen through `view`."""
    if view == "levels":
        return DataSpec(shape=shape, kind="discrete", dtype="int64", value_range=(0, levels - 1), levels=levels,
                        num_classes=num_classes, class_names=class_names)
    kind = {"continuous": "continuous", "discrete": "discrete", "dequantized": "continuous", "binarized": "binary"}[view]
    return DataSpec(shape=shape, kind=kind, value_range=(0.0, 1.0), levels=2 if view == "binarized" else levels,
                    num_classes=num_classes, class_names=class_names)


def apply_view(levels: torch.Tensor, num_levels: int, view: View, generator: torch.Generator | None = None) -> torch.Tensor:
    """Map integer levels 0..L-1 to what `view` shows.

    levels: the int64 indices themselves (for PixelCNN-style categorical models); continuous/discrete:
    floats k / (L-1); dequantized: (k + u) / L with u ~ U[0, 1), the convention under which
    bits/dim = (NLL / D + ln L) / ln 2; binarized: Bernoulli(k / (L-1)), i.e. dynamic binarization.
    """
    if view == "levels":
        return levels.long()
    if view in ("continuous", "discrete"):
        return from_levels(levels, num_levels)
    if view == "dequantized":
        return dequantize(levels, num_levels, generator=generator)
    if view == "binarized":
        return torch.bernoulli(from_levels(levels, num_levels), generator=generator)
    raise ValueError(f"unknown view {view!r}")


def view_for(spec: DataSpec, purpose: Literal["likelihood", "samples"]) -> View:
    """The view whose data a model with DataSpec `spec` was trained on and is scored against.

    Likelihoods of continuous models are measured on dequantized data (a density on discrete values
    is unbounded); sample quality compares with the plain images. Integer models see level indices.
    """
    if spec.dtype == "int64":
        return "levels"
    if spec.kind == "binary":
        return "binarized"
    if spec.kind == "discrete":
        return "discrete"
    return "dequantized" if purpose == "likelihood" and spec.levels else "continuous"
