"""Datasets whose examples are more than `(x, label)`: named fields, and unpaired collections.

Pix2Pix learns from an image and its paired target, an autoregressive model from token sequences,
CycleGAN from two collections that share no pairing. A `FieldsDataset` holds any named tensors
with a DataSpec each and returns one dict per example; an `UnpairedDataset` holds several
datasets ("streams") that the trainer shuffles independently, so no pairing is ever implied.
"""

from __future__ import annotations

import torch

from genzoo.data.base import GenzooDataset, Split
from genzoo.dataspec import DataSpec
from genzoo.errors import GenzooError

TORCH_DTYPES = {"float32": torch.float32, "int64": torch.int64}


class FieldsDataset(GenzooDataset):
    """Examples made of named tensors, e.g. {"x": photo, "target": segmentation} or {"x": tokens}.

    Every tensor has one row per example, the shape of its field's DataSpec and its dtype (int64
    fields stay integer). `x` is required: it is what the model generates, and its spec is `data_spec`.
    """

    def __init__(self, tensors: dict[str, torch.Tensor], fields: dict[str, DataSpec], *, name: str, split: Split):
        super().__init__(name=name, split=split)
        if set(tensors) != set(fields):
            raise ValueError(f"tensors {sorted(tensors)} and fields {sorted(fields)} must name the same fields")
        if "x" not in fields:
            raise ValueError(f"a dataset needs an 'x' field, got {sorted(fields)}")
        sizes = {name: len(tensor) for name, tensor in tensors.items()}
        if len(set(sizes.values())) > 1:
            raise ValueError(f"fields have different numbers of examples: {sizes}")
        for field, spec in fields.items():
            _check_tensor(field, tensors[field], spec)
        self._tensors = {field: tensors[field].to(TORCH_DTYPES[spec.dtype]) for field, spec in fields.items()}
        self._fields = dict(fields)
        self.data_spec = fields["x"]

    @property
    def fields(self) -> dict[str, DataSpec]:
        return dict(self._fields)

    def __len__(self) -> int:
        return len(self._tensors["x"])

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {field: tensor[index] for field, tensor in self._tensors.items()}

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self._tensors["x"], self._tensors.get("label")

    def field_tensors(self) -> dict[str, torch.Tensor]:
        return dict(self._tensors)


def _check_tensor(field: str, tensor: torch.Tensor, spec: DataSpec) -> None:
    if tuple(tensor.shape[1:]) != spec.shape:
        raise ValueError(f"field {field!r}: examples have shape {tuple(tensor.shape[1:])}, its DataSpec says {spec.shape}")
    integer = not (tensor.is_floating_point() or tensor.is_complex())
    if spec.dtype == "int64" and not integer:
        raise ValueError(f"field {field!r} is int64 in its DataSpec but holds {tensor.dtype} values")


class UnpairedDataset(GenzooDataset):
    """Several datasets with no pairing between them (CycleGAN's domains), batched as independent streams.

    A trainer shuffles each stream with its own order; a batch holds one field per stream name
    (that stream's x) plus `<stream>_label` where that stream has classes. `data_spec` is the
    first stream's, the domain a model generates from noise or translates into by default.
    """

    def __init__(self, streams: dict[str, GenzooDataset], *, name: str, split: Split):
        super().__init__(name=name, split=split)
        if len(streams) < 2:
            raise ValueError(f"an unpaired dataset needs two or more streams, got {sorted(streams)}")
        for stream, dataset in streams.items():
            if not stream.isidentifier() or any(stream == f"{other}_label" for other in streams):
                raise ValueError(f"stream names must be identifiers that do not end in another's _label, got {stream!r}")
            if len(dataset) == 0:
                raise GenzooError(f"stream {stream!r} of {name} ({split}) has no examples")
        self.streams = dict(streams)
        self.data_spec = next(iter(streams.values())).data_spec

    @property
    def fields(self) -> dict[str, DataSpec]:
        fields = {}
        for stream, dataset in self.streams.items():
            own = dataset.fields
            fields[stream] = own["x"]
            if "label" in own:
                fields[f"{stream}_label"] = own["label"]
        return fields

    def __len__(self) -> int:
        """The largest stream's size: a pass over it sees every example of every stream at least once."""
        return max(len(dataset) for dataset in self.streams.values())

    def __getitem__(self, index: int):
        raise TypeError(f"{self.name} is unpaired: index its streams ({', '.join(self.streams)}), not the dataset")

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The first stream's examples (the domain of `data_spec`), e.g. the real images FID compares with."""
        return next(iter(self.streams.values())).tensors()

    def field_tensors(self) -> dict[str, torch.Tensor]:
        """Every stream's examples (streams differ in length: these are not rows of one table)."""
        tensors = {}
        for stream, dataset in self.streams.items():
            for field, tensor in dataset.field_tensors().items():
                tensors[stream if field == "x" else f"{stream}_{field}"] = tensor
        return tensors
