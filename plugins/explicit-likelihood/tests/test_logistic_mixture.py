"""PixelCNN++'s discretized logistic mixture head: masses by hand (edge bins included), normalisation over the K
levels, stability for narrow and far-off logistics, and the chosen-value path against the all-levels one."""

import math

import pytest
import torch

from genzoo_explicit_likelihood.autoregressive.logistic_mixture import (MixtureParameters, chosen_log_probs,
                                                                        level_log_probs)


def sigmoid(v):
    return 1 / (1 + math.exp(-v))


# Two components on K = 4 levels at -1, -1/3, 1/3, 1 (bins +- 1/3): weights softmax(0, ln 3) = (1/4, 3/4),
# means (0, 0.5), scales (1, 0.5).
TWO = MixtureParameters(torch.tensor([0.0, math.log(3)]), torch.tensor([0.0, 0.5]),
                        torch.tensor([0.0, math.log(0.5)]))


def by_hand(k: int) -> float:
    """sum_m w_m (sigma((c_k + 1/3 - mu_m) / s_m) - sigma((c_k - 1/3 - mu_m) / s_m)), with the edge bins open:
    sigma(-inf) = 0 below level 0, sigma(inf) = 1 above level 3."""
    center = -1 + 2 * k / 3
    total = 0.0
    for weight, mean, scale in [(0.25, 0.0, 1.0), (0.75, 0.5, 0.5)]:
        upper = 1.0 if k == 3 else sigmoid((center + 1 / 3 - mean) / scale)
        lower = 0.0 if k == 0 else sigmoid((center - 1 / 3 - mean) / scale)
        total += weight * (upper - lower)
    return total


def test_two_components_on_four_levels_by_hand():
    """p(0) = 1/4 sigma(-2/3) + 3/4 sigma(-7/3) = 0.15111 (the open bin below), p(3) = 1/4 (1 - sigma(2/3)) +
    3/4 (1 - sigma(1/3)) = 0.39788 (the open bin above), and the two middle bins."""
    assert by_hand(0) == pytest.approx(0.25 * sigmoid(-2 / 3) + 0.75 * sigmoid(-7 / 3))
    assert by_hand(0) == pytest.approx(0.15111, abs=1e-5)
    assert by_hand(3) == pytest.approx(0.25 * (1 - sigmoid(2 / 3)) + 0.75 * (1 - sigmoid(1 / 3)))
    assert by_hand(3) == pytest.approx(0.39788, abs=1e-5)
    expected = [math.log(by_hand(k)) for k in range(4)]
    assert level_log_probs(TWO, 4).tolist() == pytest.approx(expected, abs=1e-6)
    chosen = chosen_log_probs(torch.tensor([0, 3, 1, 2]), MixtureParameters(*(t.expand(4, 2) for t in TWO)), 4)
    assert chosen.tolist() == pytest.approx([expected[0], expected[3], expected[1], expected[2]], abs=1e-6)


@pytest.mark.parametrize("levels", [2, 17, 256])
def test_the_levels_sum_to_one_for_any_parameters(levels):
    """Wide, narrow (the clamp at -7), centred, off-grid and far-outside logistics: exp-sum over K is 1 to 1e-5."""
    generator = torch.Generator().manual_seed(0)
    raw = torch.randn(500, 15, generator=generator) * torch.tensor([3.0] * 5 + [2.0] * 5 + [4.0] * 5)
    parameters = MixtureParameters.split(raw, 5)
    log_probs = level_log_probs(parameters, levels)
    assert log_probs.shape == (500, levels) and torch.isfinite(log_probs).all()
    assert (log_probs.exp().sum(-1) - 1).abs().max() < 1e-5


def test_a_narrow_logistic_far_from_a_level_gives_a_finite_log_mass():
    """Scale e^-7 centred on level 200 of 256: its own bin (+- 1/255) holds 2 sigma(e^7 / 255) - 1 = 0.973; level 10
    is 190 levels (~1,600 scales) away, where the naive sigma difference is 0 in float32; the stable difference
    still gives a finite, very negative log mass."""
    mean = torch.tensor([-1 + 2 * 200 / 255])
    parameters = MixtureParameters(torch.zeros(1), mean, torch.tensor([-7.0]))
    log_probs = level_log_probs(parameters, 256)
    assert torch.isfinite(log_probs).all()
    assert log_probs[200].item() == pytest.approx(math.log(2 * sigmoid(math.exp(7) / 255) - 1), abs=1e-5)
    assert log_probs[10] < -1000


def test_log_scales_are_clamped_at_minus_seven():
    parameters = MixtureParameters.split(torch.tensor([[0.0, 0.0, 0.1, 0.2, -9.0, 1.0]]), 2)
    assert parameters.log_scale.tolist() == [[-7.0, 1.0]] and parameters.mean[0].tolist() == pytest.approx([0.1, 0.2])


@pytest.mark.parametrize("levels", [2, 17, 256])
def test_the_all_levels_view_agrees_with_genzoos_function_on_every_level(levels):
    """The shared-edge arrangement against the shared function evaluated at every level, in float64 (where both
    are exact to ~1e-13) and in float32 (round-off of either: ~1e-5 on a probability near 1 at 256 levels), for
    wide, narrow and far-off logistics."""
    spread = torch.tensor([3.0] * 5 + [2.0] * 5 + [4.0] * 5)
    raw = torch.randn(300, 15, generator=torch.Generator().manual_seed(1)) * spread
    every_level = torch.arange(levels)
    for dtype, log_tolerance, tolerance in [(torch.float64, 1e-12, 1e-12), (torch.float32, 1e-4, 5e-5)]:
        parameters = MixtureParameters.split(raw.to(dtype), 5)
        fast = level_log_probs(parameters, levels)
        reference = chosen_log_probs(every_level, parameters.unsqueeze(-2), levels)
        assert ((fast - reference).abs() / reference.abs().clamp(min=1)).max() < log_tolerance
        assert (fast.exp() - reference.exp()).abs().max() < tolerance


def test_the_chosen_values_are_the_all_levels_view_gathered():
    generator = torch.Generator().manual_seed(1)
    parameters = MixtureParameters.split(torch.randn(3, 10, 9, generator=generator), 3)
    index = torch.randint(17, (3, 10), generator=generator)
    every = level_log_probs(parameters, 17)
    assert torch.allclose(chosen_log_probs(index, parameters, 17), every.gather(-1, index.unsqueeze(-1)).squeeze(-1),
                          atol=1e-6)
