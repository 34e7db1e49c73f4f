"""The RBF-mixture kernel and the unbiased MMD^2 estimator against hand computations."""

import math

import pytest
import torch

from genzoo_adversarial.mmd import rbf_mixture_kernel, unbiased_mmd2

X = torch.tensor([[0.0], [1.0]])
Y = torch.tensor([[0.0], [2.0]])


def test_kernel_sums_one_gaussian_per_bandwidth():
    # |0 - 2|^2 = 4: exp(-4 / 2) for s=1 plus exp(-4 / 8) for s=2.
    assert rbf_mixture_kernel(X, Y, [1.0, 2.0])[0, 1].item() == pytest.approx(math.exp(-2) + math.exp(-0.5))
    assert rbf_mixture_kernel(X, X, [1.0, 2.0]).diagonal().tolist() == [2.0, 2.0]


def test_unbiased_mmd2_by_hand():
    """s=1: k(0,1) = e^-1/2, k(0,2) = e^-2, k(1,2) = e^-1/2, k(a,a) = 1.
    Within x: the off-diagonal pair twice over 2*1 -> e^-1/2; within y -> e^-2;
    cross: (k(0,0) + k(0,2) + k(1,0) + k(1,2)) / 4 = (1 + e^-2 + 2 e^-1/2) / 4."""
    e_half, e_two = math.exp(-0.5), math.exp(-2)
    expected = e_half + e_two - 2 * (1 + e_two + 2 * e_half) / 4
    assert unbiased_mmd2(X, Y, [1.0]).item() == pytest.approx(expected)
    # With two bandwidths the estimate is the sum of the two single-bandwidth estimates (linear in k).
    both = unbiased_mmd2(X, Y, [1.0, 3.0]).item()
    assert both == pytest.approx(unbiased_mmd2(X, Y, [1.0]).item() + unbiased_mmd2(X, Y, [3.0]).item())


def test_unequal_set_sizes_use_their_own_normalisers():
    x, y = torch.tensor([[0.0], [1.0], [3.0]]), torch.tensor([[0.5], [2.0]])
    k = lambda a, b: math.exp(-((a - b) ** 2) / 2)  # noqa: E731
    within_x = 2 * (k(0, 1) + k(0, 3) + k(1, 3)) / (3 * 2)
    within_y = 2 * k(0.5, 2) / (2 * 1)
    cross = sum(k(a, b) for a in (0, 1, 3) for b in (0.5, 2)) / 6
    assert unbiased_mmd2(x, y, [1.0]).item() == pytest.approx(within_x + within_y - 2 * cross)


def test_estimate_is_near_zero_for_one_distribution_and_grows_with_a_shift():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(2, 400, 2, generator=g)
    same = unbiased_mmd2(x, y, [0.5, 1.0, 2.0]).item()
    shifted = unbiased_mmd2(x, y + 1.0, [0.5, 1.0, 2.0]).item()
    assert abs(same) < 0.03 and shifted > 0.3 and shifted > 20 * abs(same)


def test_gradients_are_finite_even_for_identical_points():
    x = torch.zeros(4, 3, requires_grad=True)  # every pairwise distance is zero
    unbiased_mmd2(x, torch.randn(5, 3), [1.0]).backward()
    assert torch.isfinite(x.grad).all()


def test_a_single_example_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 2 examples"):
        unbiased_mmd2(X[:1], Y, [1.0])
