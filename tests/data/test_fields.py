"""Named-field datasets (paired images, sequences) and unpaired streams."""

import pytest
import torch

from genzoo.data.base import ImageDataset, TensorDataset
from genzoo.data.fields import FieldsDataset, UnpairedDataset
from genzoo.dataspec import DataSpec
from genzoo.errors import GenzooError

IMAGE = DataSpec(shape=(1, 2, 2))
TOKENS = DataSpec(shape=(5,), kind="discrete", dtype="int64", value_range=(0, 9), levels=10)


def test_paired_fields_come_back_as_dicts_with_their_dtypes():
    x, target = torch.rand(4, 1, 2, 2), torch.rand(4, 1, 2, 2)
    dataset = FieldsDataset({"x": x, "target": target}, {"x": IMAGE, "target": IMAGE}, name="pairs", split="train")
    item = dataset[2]
    assert set(item) == {"x", "target"} and torch.equal(item["target"], target[2])
    assert dataset.data_spec == IMAGE and dataset.fields == {"x": IMAGE, "target": IMAGE} and len(dataset) == 4
    assert dataset.tensors()[1] is None and torch.equal(dataset.field_tensors()["x"], x)


def test_sequences_stay_integer():
    tokens = torch.randint(0, 10, (3, 5), dtype=torch.int32)
    labels = torch.tensor([0, 1, 1])
    dataset = FieldsDataset({"x": tokens, "label": labels}, {"x": TOKENS, "label": DataSpec.for_labels(2)},
                            name="seqs", split="test")
    assert dataset[0]["x"].dtype == torch.int64 and torch.equal(dataset[0]["x"], tokens[0].long())
    x, label = dataset.tensors()
    assert x.dtype == torch.int64 and torch.equal(label, labels)


@pytest.mark.parametrize(
    ("tensors", "fields", "message"),
    [
        ({"x": torch.rand(2, 1, 2, 2)}, {"x": IMAGE, "target": IMAGE}, "must name the same fields"),
        ({"target": torch.rand(2, 1, 2, 2)}, {"target": IMAGE}, "needs an 'x' field"),
        ({"x": torch.rand(2, 1, 2, 2), "target": torch.rand(3, 1, 2, 2)}, {"x": IMAGE, "target": IMAGE},
         "different numbers of examples"),
        ({"x": torch.rand(2, 4)}, {"x": IMAGE}, r"shape \(4,\), its DataSpec says \(1, 2, 2\)"),
        ({"x": torch.rand(2, 5)}, {"x": TOKENS}, "int64 in its DataSpec but holds torch.float32"),
    ],
)
def test_fields_must_agree_with_their_tensors(tensors, fields, message):
    with pytest.raises(ValueError, match=message):
        FieldsDataset(tensors, fields, name="bad", split="train")


def _domain(n, classes):
    levels = torch.randint(0, 256, (n, 1, 2, 2), dtype=torch.uint8)
    y = torch.arange(n) % classes if classes else None
    return ImageDataset(levels, y, num_levels=256, num_classes=classes, view="continuous", seed=0, name="d",
                        split="train")


def test_unpaired_streams_keep_their_own_sizes_and_fields():
    horses, zebras = _domain(5, None), _domain(3, 2)
    dataset = UnpairedDataset({"a": horses, "b": zebras}, name="h2z", split="train")
    assert dataset.streams == {"a": horses, "b": zebras} and dataset.data_spec == horses.data_spec
    assert dataset.fields == {"a": horses.data_spec, "b": zebras.data_spec, "b_label": DataSpec.for_labels(2)}
    assert len(dataset) == 5
    tensors = dataset.field_tensors()
    assert set(tensors) == {"a", "b", "b_label"} and len(tensors["a"]) == 5 and len(tensors["b"]) == 3
    assert torch.equal(dataset.tensors()[0], horses.tensors()[0])
    with pytest.raises(TypeError, match="unpaired: index its streams"):
        dataset[0]


def test_unpaired_streams_are_checked():
    one = _domain(2, None)
    with pytest.raises(ValueError, match="two or more streams"):
        UnpairedDataset({"a": one}, name="u", split="train")
    with pytest.raises(ValueError, match="'a_label'"):
        UnpairedDataset({"a": one, "a_label": one}, name="u", split="train")
    empty = TensorDataset(torch.zeros(0, 1, 2, 2), None, IMAGE, name="e", split="test")
    with pytest.raises(GenzooError, match="stream 'b' of u \\(test\\) has no examples"):
        UnpairedDataset({"a": one, "b": empty}, name="u", split="test")
