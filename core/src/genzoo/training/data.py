"""Training data: a registered dataset, cut into reproducible batches with a restorable position.

Each epoch's order comes from a DistributedSampler seeded with (seed, epoch), so it is the same
on every run and every process; the position in the run is just (epoch, batches consumed), so a
resumed run skips exactly the batches it already saw, without loading them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, DistributedSampler

from genzoo.errors import ConfigError, GenzooError
from genzoo.training.steps import Batch


def open_dataset(name: str, options: dict[str, Any], split: str = "train"):
    """Build a registered dataset (see genzoo.data.load_dataset) and check it can feed a model."""
    from genzoo.data import load_dataset

    dataset = load_dataset(name, split, **options)
    if not hasattr(dataset, "data_spec"):
        raise GenzooError(f"dataset {name!r} has no data_spec; it cannot feed a model")
    if len(dataset) == 0:
        raise GenzooError(f"dataset {name!r} split {split!r} is empty")
    return dataset


def collate(items: list[tuple[Any, Any]]) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Stack (x, label) items; labels are None when the dataset has none."""
    xs = torch.stack([torch.as_tensor(x) for x, _ in items])
    labels = [label for _, label in items]
    if any(label is None for label in labels):
        return xs, None
    return xs, torch.as_tensor(labels, dtype=torch.long)


class BatchStream:
    """Endless batches for one process, resumable from (epoch, batches consumed in that epoch)."""

    def __init__(self, dataset, *, batch_size: int, seed: int, rank: int = 0, world_size: int = 1,
                 num_workers: int = 0, device: torch.device = torch.device("cpu")):
        if batch_size % world_size:
            raise ConfigError(f"batch_size {batch_size} does not split evenly across {world_size} processes")
        self.dataset = dataset
        self.local_batch = batch_size // world_size
        self.sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
        self.num_workers = num_workers
        self.device = device
        self.epoch = 0
        self.position = 0  # batches of the current epoch already handed out

    def batches_per_epoch(self) -> int:
        return -(-len(self.sampler) // self.local_batch)

    def _epoch_batches(self, epoch: int, start: int) -> list[list[int]]:
        self.sampler.set_epoch(epoch)
        indices = list(self.sampler)
        batches = [indices[i : i + self.local_batch] for i in range(0, len(indices), self.local_batch)]
        return batches[start:]

    def _loader(self, epoch: int, batches: list[list[int]]) -> DataLoader:
        # A private generator: DataLoader otherwise draws its worker seed from the global RNG, which
        # would make the training noise depend on when loaders were created (and break exact resume).
        seeds = torch.Generator().manual_seed(self.sampler.seed * 1_000_003 + epoch)
        return DataLoader(self.dataset, batch_sampler=batches, collate_fn=collate, num_workers=self.num_workers,
                          pin_memory=self.device.type == "cuda", generator=seeds)

    def _to_device(self, x: torch.Tensor, label: torch.Tensor | None) -> Batch:
        x = x.to(self.device, non_blocking=True)
        return Batch(x if x.is_floating_point() else x.float(), None if label is None else label.to(self.device))

    def epoch_batches(self, epoch: int) -> Iterator[Batch]:
        """One full epoch, independent of the stream's position (for FitStep)."""
        for x, label in self._loader(epoch, self._epoch_batches(epoch, 0)):
            yield self._to_device(x, label)

    def __iter__(self) -> Iterator[Batch]:
        while True:
            for x, label in self._loader(self.epoch, self._epoch_batches(self.epoch, self.position)):
                self.position += 1
                yield self._to_device(x, label)
            self.epoch, self.position = self.epoch + 1, 0

    def everything(self) -> Batch:
        """The whole split: from the dataset's seeded `tensors()` when it has them, so random views
        draw nothing from the global RNG (a resumed run's noise stays exactly the same)."""
        if callable(getattr(self.dataset, "tensors", None)):
            x, label = self.dataset.tensors()
        else:
            x, label = collate([self.dataset[i] for i in range(len(self.dataset))])
        return self._to_device(x, label)

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def restore(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
