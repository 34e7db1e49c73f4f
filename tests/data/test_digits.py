"""scikit-learn's digits: 17 levels, a fixed split, and the views."""

import pytest
import torch

from genzoo.data import load_dataset

pytest.importorskip("sklearn")


def test_fixed_split_is_disjoint_and_complete():
    train, test = load_dataset("digits", "train"), load_dataset("digits", "test")
    assert (len(train), len(test)) == (1437, 360)
    rows = {tuple(x.flatten().tolist()) for x in torch.cat([train.levels, test.levels])}
    assert len(rows) > 1700  # 1,797 images, a handful of exact duplicates in the original data
    assert torch.equal(test.levels, load_dataset("digits", "test", seed=5).levels)  # seed never moves the split


@pytest.mark.parametrize(
    ("view", "kind", "levels"),
    [("continuous", "continuous", 17), ("discrete", "discrete", 17), ("dequantized", "continuous", 17), ("binarized", "binary", 2)],
)
def test_views_match_their_dataspec(view, kind, levels):
    data = load_dataset("digits", "test", view=view)
    x, y = data.tensors()
    spec = data.data_spec
    assert (spec.shape, spec.kind, spec.levels, spec.num_classes) == ((1, 8, 8), kind, levels, 10)
    assert x.shape == (360, 1, 8, 8) and x.min() >= 0 and x.max() <= 1 and set(y.tolist()) == set(range(10))
    if view == "dequantized":
        offset = x * 17 - data.levels.float()
        assert x.max() < 1 and offset.min() > -1e-5 and offset.max() < 1 + 1e-5
    elif view == "binarized":
        assert set(x.unique().tolist()) <= {0.0, 1.0}
    else:
        assert torch.allclose(x * 16, data.levels.float())


def test_random_views_are_fixed_by_seed_in_tensors_and_fresh_per_item():
    data = load_dataset("digits", "test", view="binarized", seed=1)
    assert torch.equal(data.tensors()[0], data.tensors()[0])
    assert not torch.equal(data.tensors()[0], load_dataset("digits", "test", view="binarized", seed=2).tensors()[0])
    torch.manual_seed(0)
    draws = torch.stack([data[7][0] for _ in range(20)])
    assert not torch.equal(draws.min(0).values, draws.max(0).values)
