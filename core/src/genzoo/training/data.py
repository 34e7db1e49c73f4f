"""Training data: a registered dataset, cut into reproducible batches with a restorable position.

Each epoch's order comes from a DistributedSampler seeded with (seed, epoch), so it is the same
on every run and every process; the position in the run is just (epoch, batches consumed), so a
resumed run skips exactly the batches it already saw, without loading them.

A batch holds the dataset's named fields (`dataset.fields`: "x", "label", "target", ...). Fields
keep their dtype, except that integer values of a float32 field become floats (image levels read
as floats by a continuous model); int64 fields (token ids, level indices, labels) stay integer.
An unpaired dataset (one with `streams`, CycleGAN's two domains) is batched as independent
streams, each shuffled in its own order and resumed at its own position.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import torch
from torch.utils.data import DataLoader, DistributedSampler

from genzoo.dataspec import DataSpec
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


def collate(items: list[Any]) -> dict[str, torch.Tensor]:
    """Stack `(x, label)` items into {"x", "label"} (no "label" when any is None) and dict items
    field by field (a field that is None in any item is left out)."""
    if isinstance(items[0], Mapping):
        rows = [dict(item) for item in items]
    else:
        rows = [{"x": x, "label": label} for x, label in items]
    batch = {}
    for field in rows[0]:
        values = [row[field] for row in rows]
        if any(value is None for value in values):
            continue
        batch[field] = _stack(values)
    return batch


def _stack(values: list[Any]) -> torch.Tensor:
    """One tensor from a field's values: tensors are stacked, Python numbers (labels) converted at
    once, anything else (numpy arrays) converted one by one (per-item conversion is the slow path)."""
    if isinstance(values[0], torch.Tensor):
        return torch.stack(values)
    if isinstance(values[0], (bool, int, float)):
        return torch.as_tensor(values)
    return torch.stack([torch.as_tensor(value) for value in values])


def batch_on(device: torch.device, fields: dict[str, torch.Tensor], specs: dict[str, DataSpec], *,
             declared: bool) -> Batch:
    """Move a collated batch to `device`, keeping only the `declared` fields of `specs` (all fields
    when the dataset declares none); integer values of float32 fields become float."""
    moved = {}
    for name, tensor in fields.items():
        spec = specs.get(name)
        if declared and spec is None:
            continue
        tensor = tensor.to(device, non_blocking=True)
        if spec is not None and spec.dtype == "float32" and not tensor.is_floating_point():
            tensor = tensor.float()
        moved[name] = tensor
    return Batch(moved)


def field_specs(dataset) -> tuple[dict[str, DataSpec], bool]:
    """The dataset's `fields` and True, or for a plain torch dataset its `data_spec` as "x" and False."""
    fields = getattr(dataset, "fields", None)
    return (dict(fields), True) if fields is not None else ({"x": dataset.data_spec}, False)


def make_stream(dataset, *, batch_size: int, seed: int, rank: int = 0, world_size: int = 1, num_workers: int = 0,
                device: torch.device = torch.device("cpu")) -> BatchStream | UnpairedStream:
    """A BatchStream, or an UnpairedStream for a dataset with `streams`."""
    options = dict(batch_size=batch_size, rank=rank, world_size=world_size, num_workers=num_workers, device=device)
    if getattr(dataset, "streams", None):
        return UnpairedStream(dataset.streams, seed=seed, **options)
    return BatchStream(dataset, seed=seed, **options)


class BatchStream:
    """Endless batches for one process, resumable from (epoch, batches consumed in that epoch)."""

    def __init__(self, dataset, *, batch_size: int, seed: int, rank: int = 0, world_size: int = 1,
                 num_workers: int = 0, device: torch.device = torch.device("cpu")):
        if batch_size % world_size:
            raise ConfigError(f"batch_size {batch_size} does not split evenly across {world_size} processes")
        self.dataset = dataset
        self.specs, self.declared = field_specs(dataset)
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

    def epoch_batches(self, epoch: int) -> Iterator[Batch]:
        """One full epoch, independent of the stream's position (for FitStep)."""
        for fields in self._loader(epoch, self._epoch_batches(epoch, 0)):
            yield batch_on(self.device, fields, self.specs, declared=self.declared)

    def __iter__(self) -> Iterator[Batch]:
        while True:
            for fields in self._loader(self.epoch, self._epoch_batches(self.epoch, self.position)):
                self.position += 1
                yield batch_on(self.device, fields, self.specs, declared=self.declared)
            self.epoch, self.position = self.epoch + 1, 0

    def everything(self) -> Batch:
        """The whole split: from the dataset's seeded `field_tensors()` / `tensors()` when it has them,
        so random views draw nothing from the global RNG (a resumed run's noise stays exactly the same)."""
        if callable(getattr(self.dataset, "field_tensors", None)):
            fields = self.dataset.field_tensors()
        elif callable(getattr(self.dataset, "tensors", None)):
            x, label = self.dataset.tensors()
            fields = {"x": x} if label is None else {"x": x, "label": label}
        else:
            fields = collate([self.dataset[i] for i in range(len(self.dataset))])
        return batch_on(self.device, fields, self.specs, declared=self.declared)

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def restore(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])


class UnpairedStream:
    """One BatchStream per stream of an unpaired dataset, each with its own shuffling seed.

    A batch takes one batch of every stream: field `<stream>` is that stream's x and
    `<stream>_label` its labels (when it has them). Streams run through their epochs at their own
    pace (a small domain wraps around sooner); `epoch` is the first stream's.
    """

    SEED_STRIDE = 7_919  # stream k shuffles with seed + k * SEED_STRIDE: distinct, reproducible orders

    def __init__(self, streams: dict[str, Any], *, seed: int, **options: Any):
        self.streams = {name: BatchStream(dataset, seed=seed + k * self.SEED_STRIDE, **options)
                        for k, (name, dataset) in enumerate(streams.items())}

    @property
    def epoch(self) -> int:
        return next(iter(self.streams.values())).epoch

    @staticmethod
    def _join(parts: dict[str, Batch]) -> Batch:
        fields = {}
        for name, batch in parts.items():
            fields |= {name if field == "x" else f"{name}_{field}": tensor for field, tensor in batch.items()}
        return Batch(fields)

    def __iter__(self) -> Iterator[Batch]:
        iterators = {name: iter(stream) for name, stream in self.streams.items()}
        while True:
            yield self._join({name: next(iterator) for name, iterator in iterators.items()})

    def epoch_batches(self, epoch: int) -> Iterator[Batch]:
        """One epoch of every stream side by side, as long as the shortest stream's."""
        names = list(self.streams)
        for parts in zip(*(self.streams[name].epoch_batches(epoch) for name in names)):
            yield self._join(dict(zip(names, parts)))

    def everything(self) -> Batch:
        return self._join({name: stream.everything() for name, stream in self.streams.items()})

    def state(self) -> dict[str, dict[str, int]]:
        return {name: stream.state() for name, stream in self.streams.items()}

    def restore(self, state: dict[str, dict[str, int]]) -> None:
        if set(state) != set(self.streams):
            raise GenzooError(f"the saved data position has streams {sorted(state)}, the dataset {sorted(self.streams)}")
        for name, stream in self.streams.items():
            stream.restore(state[name])
