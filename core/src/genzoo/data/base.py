"""The dataset shape every genzoo dataset has, so trainers and metrics need no per-dataset code.

A dataset is a torch Dataset of `(x, label)` pairs that also carries its `data_spec` (what one
example looks like) and hands out everything at once with `tensors()` (small data sets fit in
memory, and metrics want whole tensors). Image datasets keep the raw integer levels and turn them
into one of several *views* (continuous, discrete, dequantized, binarized), because a flow, a
PixelCNN and a Bernoulli VAE each need the same images in a different form.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch.utils.data import Dataset

from genzoo.dataspec import DataSpec

Split = Literal["train", "test"]
View = Literal["continuous", "discrete", "dequantized", "binarized"]


class GenzooDataset(Dataset):
    """Base class: `(x, label)` pairs with a DataSpec, a name and a split."""

    data_spec: DataSpec

    def __init__(self, *, name: str, split: Split):
        self.name, self.split = name, split

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """All examples (n, *shape) and integer labels (n,) at once."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, split={self.split!r}, n={len(self)}, shape={self.data_spec.shape})"


class TensorDataset(GenzooDataset):
    """Fixed tensors `x` (n, *shape) and integer labels `y` (n,)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, data_spec: DataSpec, *, name: str, split: Split):
        super().__init__(name=name, split=split)
        if len(x) != len(y):
            raise ValueError(f"{len(x)} examples but {len(y)} labels")
        self.x, self.y, self.data_spec = x, y, data_spec

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.x[index], self.y[index]

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.x, self.y


class ImageDataset(GenzooDataset):
    """Integer-level images (n, c, h, w) shown through a view.

    Random views (dequantized, binarized) draw fresh noise on every `__getitem__` from torch's global
    RNG (dynamic binarization and dequantization while training), while `tensors()` draws once from
    `seed`, so that evaluation on the same split and seed sees the same numbers every time.
    """

    def __init__(self, levels: torch.Tensor, y: torch.Tensor, *, num_levels: int, num_classes: int, view: View,
                 seed: int, name: str, split: Split):
        super().__init__(name=name, split=split)
        self.levels, self.y, self.num_levels, self.view, self.seed = levels, y, num_levels, view, seed
        self.data_spec = view_spec(tuple(levels.shape[1:]), num_levels, view, num_classes)

    def __len__(self) -> int:
        return len(self.levels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return apply_view(self.levels[index : index + 1], self.num_levels, self.view)[0], self.y[index]

    def __getitems__(self, indices: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """A whole batch through the view in one vectorised call (DataLoader uses this when it exists)."""
        x = apply_view(self.levels[indices], self.num_levels, self.view)
        return list(zip(x.unbind(0), self.y[indices].unbind(0)))

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(self.seed)
        return apply_view(self.levels, self.num_levels, self.view, generator), self.y


def view_spec(shape: tuple[int, ...], levels: int, view: View, num_classes: int | None) -> DataSpec:
    """The DataSpec of integer-level images seen through `view`."""
    kind = {"continuous": "continuous", "discrete": "discrete", "dequantized": "continuous", "binarized": "binary"}[view]
    return DataSpec(shape=shape, kind=kind, value_range=(0.0, 1.0), levels=2 if view == "binarized" else levels,
                    num_classes=num_classes)


def apply_view(levels: torch.Tensor, num_levels: int, view: View, generator: torch.Generator | None = None) -> torch.Tensor:
    """Map integer levels 0..L-1 to floats in [0, 1].

    continuous/discrete: k / (L-1); dequantized: (k + u) / L with u ~ U[0, 1), the convention under
    which bits/dim = (NLL / D + ln L) / ln 2; binarized: Bernoulli(k / (L-1)), i.e. dynamic binarization.
    """
    x = levels.float()
    if view in ("continuous", "discrete"):
        return x / (num_levels - 1)
    if view == "dequantized":  # float32 rounds (L - 1 + u) / L up to 1.0 for u near 1: keep it below
        return ((x + torch.rand(x.shape, generator=generator)) / num_levels).clamp_max(1 - 2**-24)
    if view == "binarized":
        return torch.bernoulli(x / (num_levels - 1), generator=generator)
    raise ValueError(f"unknown view {view!r}")


def view_for(spec: DataSpec, purpose: Literal["likelihood", "samples"]) -> View:
    """The view whose data a model with DataSpec `spec` was trained on and is scored against.

    Likelihoods of continuous models are measured on dequantized data (a density on discrete values
    is unbounded); sample quality compares with the plain images.
    """
    if spec.kind == "binary":
        return "binarized"
    if spec.kind == "discrete":
        return "discrete"
    return "dequantized" if purpose == "likelihood" and spec.levels else "continuous"
