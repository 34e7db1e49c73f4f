"""Views and the dataset base classes."""

import pytest
import torch

from genzoo.data.base import TensorDataset, apply_view, view_for, view_spec
from genzoo.dataspec import DataSpec


@pytest.mark.parametrize(
    ("spec", "purpose", "view"),
    [
        (DataSpec(shape=(1, 8, 8), kind="binary", levels=2), "likelihood", "binarized"),
        (DataSpec(shape=(1, 8, 8), kind="discrete", levels=17), "samples", "discrete"),
        (DataSpec(shape=(1, 8, 8), levels=17), "likelihood", "dequantized"),
        (DataSpec(shape=(1, 8, 8), levels=17), "samples", "continuous"),
        (DataSpec(shape=(1, 8, 8)), "likelihood", "continuous"),
    ],
)
def test_view_for_picks_the_data_a_model_is_scored_on(spec, purpose, view):
    assert view_for(spec, purpose) == view


def test_dequantized_top_level_stays_below_one():
    x = apply_view(torch.full((10_000,), 255, dtype=torch.uint8), 256, "dequantized", torch.Generator().manual_seed(0))
    assert x.max() < 1 and x.min() >= 255 / 256


def test_view_spec_and_tensor_dataset():
    assert view_spec((1, 2, 2), 17, "binarized", 10).kind == "binary"
    with pytest.raises(ValueError, match="3 examples but 2 labels"):
        TensorDataset(torch.zeros(3, 2), torch.zeros(2), DataSpec(shape=(2,), value_range=None), name="t", split="train")


def test_batched_fetch_matches_items_for_deterministic_views():
    import torch

    from genzoo.data.base import ImageDataset

    levels = torch.randint(0, 17, (10, 1, 4, 4))
    dataset = ImageDataset(levels, torch.arange(10), num_levels=17, num_classes=10, view="continuous", seed=0,
                           name="t", split="train")
    batch = dataset.__getitems__([3, 1, 7])
    for (x, y), index in zip(batch, [3, 1, 7]):
        assert torch.equal(x, dataset[index][0]) and int(y) == index
    binary = ImageDataset(levels, torch.arange(10), num_levels=17, num_classes=10, view="binarized", seed=0,
                          name="t", split="train")
    assert all(set(x.unique().tolist()) <= {0.0, 1.0} for x, _ in binary.__getitems__([0, 1, 2]))


def _images(view="continuous", labels=True, num_classes=3):
    from genzoo.data.base import ImageDataset

    levels = torch.arange(6 * 4, dtype=torch.uint8).reshape(6, 1, 2, 2) % 17
    y = torch.tensor([0, 1, 2, 0, 1, 2]) if labels else None
    return ImageDataset(levels, y, num_levels=17, num_classes=num_classes if labels else None, view=view, seed=0,
                        name="t", split="train")


def test_levels_view_gives_int64_indices_with_a_matching_spec():
    dataset = _images("levels")
    x, _ = dataset[5]
    assert x.dtype == torch.int64 and x.flatten().tolist() == [3, 4, 5, 6]  # 20..23 mod 17
    assert dataset.tensors()[0].dtype == torch.int64
    assert all(item[0].dtype == torch.int64 for item in dataset.__getitems__([0, 1]))
    spec = dataset.data_spec
    assert (spec.kind, spec.dtype, spec.value_range, spec.levels) == ("discrete", "int64", (0, 16), 17)
    assert view_for(spec, "likelihood") == view_for(spec, "samples") == "levels"
    assert view_spec((1, 2, 2), 17, "levels", None) == spec.model_copy(update={"num_classes": None})


def test_fields_name_x_and_a_label_when_there_are_classes():
    labelled = _images()
    assert labelled.fields == {"x": labelled.data_spec, "label": DataSpec.for_labels(3)}
    assert set(labelled.field_tensors()) == {"x", "label"}
    unlabelled = _images(labels=False)
    assert unlabelled.fields == {"x": unlabelled.data_spec} and unlabelled[0][1] is None
    assert unlabelled.tensors()[1] is None and set(unlabelled.field_tensors()) == {"x"}
    assert [label for _, label in unlabelled.__getitems__([0, 1])] == [None, None]
    assert "label" not in _images(num_classes=1).fields  # one class is nothing to condition on


def test_tensor_dataset_without_labels():
    dataset = TensorDataset(torch.zeros(3, 2), None, DataSpec(shape=(2,), value_range=None), name="t", split="test")
    assert dataset[1][1] is None and dataset.fields == {"x": dataset.data_spec}
