"""PSNR and SSIM: hand-computed values on tiny images, and the metrics' pairing of outputs with their own targets."""

import math

import pytest
import torch

import genzoo
from genzoo.data.fields import FieldsDataset
from genzoo.dataspec import DataSpec
from genzoo.errors import CapabilityError, GenzooError
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.fidelity import gaussian_window, psnr, ssim

C1, C2 = 0.01**2, 0.03**2  # Wang et al.'s constants for a data range of 1


def test_psnr_of_a_uniform_error_by_hand():
    """MSE 0.01 in [0, 1] -> 10 log10(1 / 0.01) = 20 dB; MSE 0.25 in [-1, 1] (range 2) -> 10 log10(4 / 0.25)."""
    zeros = torch.zeros(2, 1, 3, 3)
    values = psnr(zeros, torch.stack([torch.full((1, 3, 3), 0.1), torch.full((1, 3, 3), 0.2)]), 1.0)
    assert values.tolist() == pytest.approx([20.0, 10 * math.log10(1 / 0.04)])
    assert psnr(zeros[:1], torch.full((1, 1, 3, 3), 0.5), 2.0).item() == pytest.approx(10 * math.log10(16))


def test_psnr_of_an_exact_copy_is_infinite():
    x = torch.rand(1, 1, 4, 4)
    assert psnr(x, x, 1.0).item() == math.inf


def test_the_gaussian_window_is_normalised_with_sigma_1_5():
    window = gaussian_window()
    assert window.shape == (11, 11) and window.sum().item() == pytest.approx(1.0)
    assert window[5, 6] / window[5, 5] == pytest.approx(math.exp(-1 / (2 * 1.5**2)))
    assert window[0, 0] / window[5, 5] == pytest.approx(math.exp(-50 / (2 * 1.5**2)))
    assert torch.equal(window, window.T)


def test_ssim_of_two_constant_images_by_hand():
    """No variance: SSIM = (2ab + C1) / (a^2 + b^2 + C1) * (0 + C2) / (0 + C2)."""
    a, b = 0.2, 0.6
    value = ssim(torch.full((1, 1, 11, 11), a), torch.full((1, 1, 11, 11), b), 1.0).item()
    assert value == pytest.approx((2 * a * b + C1) / (a * a + b * b + C1))


def test_ssim_of_one_window_matches_weighted_sums_written_out():
    """An 11x11 image has exactly one valid window: the local statistics are plain weighted sums."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(2, 1, 1, 11, 11, generator=g, dtype=torch.float64)
    w = gaussian_window()
    mx, my = (w * x[0, 0]).sum(), (w * y[0, 0]).sum()
    vx, vy = (w * x[0, 0] ** 2).sum() - mx**2, (w * y[0, 0] ** 2).sum() - my**2
    cxy = (w * x[0, 0] * y[0, 0]).sum() - mx * my
    expected = (2 * mx * my + C1) * (2 * cxy + C2) / ((mx**2 + my**2 + C1) * (vx + vy + C2))
    assert ssim(x, y, 1.0).item() == pytest.approx(expected.item(), rel=1e-12)


def test_ssim_averages_the_valid_windows_only():
    """A 12x11 image has two valid window positions (rows 0-10 and 1-11), no padded ones."""
    g = torch.Generator().manual_seed(1)
    x, y = torch.rand(2, 1, 1, 12, 11, generator=g, dtype=torch.float64)
    top = ssim(x[..., :11, :], y[..., :11, :], 1.0)
    bottom = ssim(x[..., 1:, :], y[..., 1:, :], 1.0)
    assert ssim(x, y, 1.0).item() == pytest.approx(((top + bottom) / 2).item(), rel=1e-12)


def test_ssim_is_one_for_a_copy_and_invariant_to_the_data_range():
    g = torch.Generator().manual_seed(2)
    x, y = torch.rand(2, 3, 2, 14, 14, generator=g)
    assert ssim(x, x, 1.0) == pytest.approx(torch.ones(3, dtype=torch.float64))
    assert ssim(2 * x, 2 * y, 2.0) == pytest.approx(ssim(x, y, 1.0))
    assert (ssim(x, y, 1.0) < 0.5).all()  # independent noise is structurally unlike


def test_ssim_of_images_smaller_than_the_window_uses_a_cut_window():
    """8x8 images: the window is the central 8x8 of a sigma-1.5 Gaussian's grid, renormalised; one position."""
    g = torch.Generator().manual_seed(3)
    x, y = torch.rand(2, 1, 1, 8, 8, generator=g, dtype=torch.float64)
    w = gaussian_window(8)
    assert w.sum().item() == pytest.approx(1.0)
    mx, my = (w * x[0, 0]).sum(), (w * y[0, 0]).sum()
    vx, vy = (w * x[0, 0] ** 2).sum() - mx**2, (w * y[0, 0] ** 2).sum() - my**2
    cxy = (w * x[0, 0] * y[0, 0]).sum() - mx * my
    expected = (2 * mx * my + C1) * (2 * cxy + C2) / ((mx**2 + my**2 + C1) * (vx + vy + C2))
    assert ssim(x, y, 1.0).item() == pytest.approx(expected.item(), rel=1e-12)


# -- the metrics, on toy-invert (x -> 1 - x upsampled to 16x16, no noise) and hand-made pairs -------------------

SOURCE = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0))
TARGET = DataSpec(shape=(1, 16, 16), value_range=(0.0, 1.0))
SHIFTS = torch.tensor([0.1, 0.2, 0.3, 0.4])  # target i = (1 - 0) - shift i: PSNR i = 20 log10(1 / shift i)


class PairedRequest(EvalRequest):
    """A request whose test split is four pairs made here: black sources, targets 1 - shift."""

    def dataset(self, split, view=None):
        targets = (1 - SHIFTS).reshape(4, 1, 1, 1).expand(4, 1, 16, 16).contiguous()
        return FieldsDataset({"x": targets, "source": torch.zeros(4, 1, 8, 8)}, {"x": TARGET, "source": SOURCE},
                             name="pairs", split=split)


@pytest.fixture
def invert(plugin_env):
    plugin_env("toy_family", "toy_translation")
    return genzoo.create("toy-invert", noise=0.0)


def test_psnr_metric_compares_each_output_with_its_own_target(invert):
    (result,) = evaluate(invert, "psnr", PairedRequest(data="pairs"))
    assert result.name == "psnr" and "all 4 test pairs" in result.notes
    assert result.value == pytest.approx(float((20 * torch.log10(1 / SHIFTS.double())).mean()))


def test_psnr_metric_with_n_measures_the_seeded_subset(invert):
    picked = torch.randperm(4, generator=torch.Generator().manual_seed(5))[:2]
    (result,) = evaluate(invert, "psnr", PairedRequest(data="pairs", n=2, seed=5))
    assert result.value == pytest.approx(float((20 * torch.log10(1 / SHIFTS[picked].double())).mean()))


def test_ssim_metric_by_hand_on_constant_images(invert):
    (result,) = evaluate(invert, "ssim", PairedRequest(data="pairs"))
    b = 1 - SHIFTS.double()
    assert result.value == pytest.approx(float(((2 * b + C1) / (1 + b * b + C1)).mean()))


def test_the_metrics_refuse_unpaired_data_and_non_translators(invert, plugin_env):
    with pytest.raises(GenzooError, match="digits has no 'source' field"):
        evaluate(invert, "psnr", EvalRequest(data="digits"))
    with pytest.raises(CapabilityError, match="cannot translate: ssim measures translators"):
        evaluate(genzoo.create("class-gaussian"), "ssim", PairedRequest(data="pairs"))
