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
