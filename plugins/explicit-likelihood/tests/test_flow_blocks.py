"""Flow building blocks: each is invertible and reports the log-det of its full Jacobian."""

from __future__ import annotations

import math

import pytest
import torch
from genzoo.plugin import CapabilityError
from genzoo_explicit_likelihood.flows.base import StandardNormal
from genzoo_explicit_likelihood.flows.coupling import (
    AffineCoupling,
    SplitAffineCoupling,
    alternating_mask,
    channel_mask,
    checkerboard_mask,
)
from genzoo_explicit_likelihood.flows.layer import FlowSequence
from genzoo_explicit_likelihood.flows.permutation import Permutation, RandomPermutation, ReversePermutation
from genzoo_explicit_likelihood.flows.preprocess import LogitTransform
from genzoo_explicit_likelihood.flows.testing import brute_force_log_det
from torch import nn


def _random_net(features_in: int, features_out: int, seed: int) -> nn.Module:
    """A net with non-zero output weights, so the coupling is far from the identity."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(features_in, 16), nn.Tanh(), nn.Linear(16, features_out))


class _ConvNet(nn.Module):
    def __init__(self, channels: int, context_features: int = 0):
        super().__init__()
        torch.manual_seed(1)
        self.conv = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        self.context = nn.Linear(context_features, 2 * channels) if context_features else None

    def forward(self, x, context=None):
        out = self.conv(x) * 3.0  # big raw scales, to exercise the bound
        return out if context is None else out + self.context(context)[:, :, None, None]


def _check(layer, x, context=None):
    z, log_det = layer(x, context)
    assert log_det.shape == (len(x),)
    torch.testing.assert_close(layer.inverse(z, context), x, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(log_det, brute_force_log_det(layer, x, context), atol=1e-4, rtol=1e-4)
    return z, log_det


@pytest.mark.parametrize("scale", ["tanh", "sigmoid"])
def test_vector_coupling_inverts_and_has_the_jacobian_log_det(scale):
    layer = AffineCoupling(alternating_mask(5, 1), _random_net(5, 10, 0), scale=scale, scale_bound=1.5)
    x = torch.randn(4, 5)
    z, _ = _check(layer, x)
    kept = alternating_mask(5, 1).bool()
    assert torch.equal(z[:, kept], x[:, kept])  # the masked half passes unchanged
    assert not torch.allclose(z[:, ~kept], x[:, ~kept])


@pytest.mark.parametrize("keep", ["first", "last"])
@pytest.mark.parametrize("scale", ["tanh", "sigmoid"])
def test_split_coupling_is_the_masked_coupling_with_a_net_of_the_kept_part(scale, keep):
    kept = torch.tensor([True, True, True, False, False]) if keep == "first" else torch.tensor([False] * 3 + [True] * 2)
    small = _random_net(int(kept.sum()), 2 * int((~kept).sum()), 6)
    layer = SplitAffineCoupling(3, small, keep=keep, scale=scale, scale_bound=1.5)
    x = torch.randn(4, 5)
    z, log_det = _check(layer, x)

    class Full(nn.Module):  # the same net written for AffineCoupling: reads x*mask, writes every feature
        def forward(self, masked):
            shift, raw = small(masked[:, kept]).chunk(2, dim=1)
            full_shift, full_raw = masked.new_zeros(len(masked), 5), masked.new_zeros(len(masked), 5)
            full_shift[:, ~kept], full_raw[:, ~kept] = shift, raw
            return torch.cat([full_shift, full_raw], dim=1)

    z_full, log_det_full = AffineCoupling(kept.float(), Full(), scale=scale, scale_bound=1.5)(x)
    torch.testing.assert_close(z, z_full)
    torch.testing.assert_close(log_det, log_det_full)


def test_split_coupling_refuses_a_split_that_leaves_nothing_to_change():
    with pytest.raises(ValueError, match="input has 3 features"):
        SplitAffineCoupling(3, nn.Identity())(torch.randn(2, 3))


def test_coupling_log_scale_matches_hand_computation():
    """One free feature, a net that outputs constants: z = x * exp(bound*tanh(raw/bound)) + t."""
    net = nn.Linear(2, 4)
    with torch.no_grad():
        net.weight.zero_()
        net.bias.copy_(torch.tensor([0.0, 0.5, 0.0, 10.0]))  # shift (0, 0.5), raw scale (0, 10)
    layer = AffineCoupling(torch.tensor([1.0, 0.0]), net, scale="tanh", scale_bound=2.0)
    z, log_det = layer(torch.tensor([[3.0, 1.0]]))
    s = 2.0 * math.tanh(10.0 / 2.0)
    torch.testing.assert_close(z, torch.tensor([[3.0, math.exp(s) + 0.5]]))
    torch.testing.assert_close(log_det, torch.tensor([s]))
    glow = AffineCoupling(torch.tensor([1.0, 0.0]), net, scale="sigmoid")
    torch.testing.assert_close(glow(torch.tensor([[3.0, 1.0]]))[1], torch.tensor([math.log(1 / (1 + math.exp(-12.0)))]))


def test_coupling_scales_stay_bounded_on_huge_raw_scales():
    net = _random_net(3, 6, 2)
    with torch.no_grad():
        net[2].weight.mul_(1e6)
    layer = AffineCoupling(alternating_mask(3, 0), net, scale="tanh", scale_bound=2.0)
    z, log_det = layer(torch.randn(64, 3) * 100)
    assert torch.isfinite(z).all() and torch.isfinite(log_det).all()
    assert log_det.abs().max() <= 2.0 * 2  # two free features, |log-scale| <= bound each


@pytest.mark.parametrize("mask", [checkerboard_mask((2, 4, 4), 0), checkerboard_mask((2, 4, 4), 1),
                                  channel_mask((2, 4, 4), 0), channel_mask((2, 4, 4), 1)])
def test_image_coupling_with_context_inverts_and_has_the_jacobian_log_det(mask):
    layer = AffineCoupling(mask, _ConvNet(2, context_features=3), scale="tanh", scale_bound=2.0)
    x, context = torch.randn(2, 2, 4, 4), torch.randn(2, 3)
    z, _ = _check(layer, x, context)
    assert torch.equal(z[:, mask.bool()], x[:, mask.bool()])


def test_masks():
    torch.testing.assert_close(alternating_mask(5, 0), torch.tensor([1.0, 0, 1, 0, 1]))
    board = checkerboard_mask((3, 2, 2), 0)
    assert board.shape == (3, 2, 2) and torch.equal(board[2], torch.tensor([[1.0, 0], [0, 1]]))
    assert torch.equal(checkerboard_mask((1, 2, 2), 1) + board[:1], torch.ones(1, 2, 2))
    channels = channel_mask((4, 2, 2), 0)
    assert channels[:2].eq(1).all() and channels[2:].eq(0).all()
    assert torch.equal(channel_mask((4, 2, 2), 1), 1 - channels)


def test_coupling_refuses_unknown_scale():
    with pytest.raises(ValueError, match="scale"):
        AffineCoupling(alternating_mask(2), nn.Identity(), scale="exp")


def test_standard_normal_log_prob_and_seeded_samples():
    base = StandardNormal()
    z = torch.randn(3, 2, 2, 2)
    expected = torch.distributions.Normal(0.0, 1.0).log_prob(z).flatten(1).sum(1)
    torch.testing.assert_close(base.log_prob(z), expected)
    one = base.sample(5, (2, 3), generator=torch.Generator().manual_seed(0))
    two = base.sample(5, (2, 3), generator=torch.Generator().manual_seed(0))
    assert one.shape == (5, 2, 3) and torch.equal(one, two)
    assert base.sample(2, (4,), dtype=torch.float64).dtype == torch.float64


@pytest.mark.parametrize("layer", [ReversePermutation(4), RandomPermutation(4, seed=3)])
def test_permutations_invert_with_zero_log_det(layer):
    x = torch.randn(3, 4, 2, 2)  # channels of an image; vectors take the same path
    _check(layer, x)
    z, _ = layer(torch.arange(4.0)[None])
    assert sorted(z[0].tolist()) == [0.0, 1.0, 2.0, 3.0]


def test_reverse_and_seeded_random_orders():
    assert torch.equal(ReversePermutation(3)(torch.tensor([[1.0, 2.0, 3.0]]))[0], torch.tensor([[3.0, 2.0, 1.0]]))
    assert torch.equal(RandomPermutation(8, seed=5).order, RandomPermutation(8, seed=5).order)
    with pytest.raises(ValueError, match="permutation"):
        Permutation(torch.tensor([0, 0, 1]))


def test_logit_transform_inverts_and_has_the_jacobian_log_det():
    layer = LogitTransform(alpha=0.05, value_range=(-1.0, 1.0))
    x = torch.tensor([[-1.0, 0.0, 1.0], [0.3, -0.99, 0.999]])  # both ends of the range included
    z, log_det = _check(layer, x)
    assert torch.isfinite(z).all() and torch.isfinite(log_det).all()


def test_logit_transform_log_det_matches_hand_computation():
    """x = 0.5 in [0, 1] with alpha 0.05: y = 0.5, dz/dx = 0.9 / (0.5 * 0.5) = 3.6."""
    _, log_det = LogitTransform(alpha=0.05)(torch.tensor([[0.5]]))
    torch.testing.assert_close(log_det, torch.tensor([math.log(3.6)]))


@pytest.mark.parametrize("bad", [1.5, -0.01, float("nan")])
def test_logit_transform_refuses_data_outside_its_support(bad):
    with pytest.raises(CapabilityError, match="outside the flow's support"):
        LogitTransform(value_range=(0.0, 1.0))(torch.tensor([[0.5, bad]]))


def test_a_sequence_sums_the_log_dets_of_its_blocks():
    flow = FlowSequence([LogitTransform(), AffineCoupling(alternating_mask(3), _random_net(3, 6, 4)),
                         ReversePermutation(3), AffineCoupling(alternating_mask(3, 1), _random_net(3, 6, 5))])
    _check(flow, torch.rand(3, 3))
