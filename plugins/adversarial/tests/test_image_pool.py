"""CycleGAN's image pool: filling, the 1/2 swap, bookkeeping and determinism."""

import pytest
import torch

from genzoo_adversarial.image_pool import empty_pool, query_pool


def _images(*values: float) -> torch.Tensor:
    return torch.tensor(values).reshape(-1, 1, 1, 1)


def test_a_size_zero_pool_passes_fakes_through():
    pool = empty_pool(0, (1, 1, 1), torch.device("cpu"))
    fakes = _images(1, 2)
    assert query_pool(pool, fakes) is fakes


def test_a_filling_pool_stores_and_returns_each_new_fake():
    pool = empty_pool(3, (1, 1, 1), torch.device("cpu"))
    assert query_pool(pool, _images(1, 2)).flatten().tolist() == [1, 2]
    assert int(pool["count"]) == 2
    assert pool["images"].flatten().tolist() == [1, 2, 0]


def test_a_full_pool_swaps_about_half_and_loses_nothing():
    pool = empty_pool(4, (1, 1, 1), torch.device("cpu"))
    query_pool(pool, _images(1, 2, 3, 4))
    generator = torch.Generator().manual_seed(0)
    swaps, total = 0, 0
    for start in range(10, 2010, 4):
        before = pool["images"].flatten().tolist()
        fakes = _images(*range(start, start + 4))
        out = query_pool(pool, fakes, generator).flatten().tolist()
        after = pool["images"].flatten().tolist()
        # every image is either handed out or kept: nothing is lost or duplicated
        assert sorted(out + after) == sorted(before + fakes.flatten().tolist())
        swaps += sum(given != new for given, new in zip(out, fakes.flatten().tolist()))
        total += 4
    assert int(pool["count"]) == 4
    assert swaps / total == pytest.approx(0.5, abs=0.04)  # 2,000 coin flips: sd 0.011


def test_the_same_seed_gives_the_same_history():
    outs = []
    for _ in range(2):
        pool = empty_pool(2, (1, 1, 1), torch.device("cpu"))
        generator = torch.Generator().manual_seed(3)
        outs.append([query_pool(pool, _images(k, k + 0.5), generator).flatten().tolist() for k in range(6)])
    assert outs[0] == outs[1]
