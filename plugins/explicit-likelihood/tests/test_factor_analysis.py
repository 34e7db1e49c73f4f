"""Factor analysis: one EM step against a hand computation, a monotone log-likelihood with the noise floor
on digits' constant pixels, and a singular problem refused by `genzoo train` in one line, nothing saved."""

from __future__ import annotations

import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.data import load_dataset
from genzoo.plugin import Batch, FitData
from genzoo_explicit_likelihood.factor_analysis import FactorAnalysisEM, factor_analysis_em_step
from genzoo_explicit_likelihood.low_rank_gaussian import moments_log_likelihood, ppca_closed_form, sample_moments

FLOOR = 1e-4


def test_one_em_step_by_hand():
    """S = [[2, .5], [.5, 1]], W = (1, 0), Psi = (1, 1): M = 2, beta = (.5, 0), S beta^T = (1, .25),
    I - beta W + beta S beta^T = 1 - .5 + .5 = 1, so W' = (1, .25) and Psi' = (2 - 1, 1 - .25^2) = (1, .9375)."""
    covariance = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=torch.float64)
    weight, noise = factor_analysis_em_step(covariance, torch.tensor([[1.0], [0.0]], dtype=torch.float64),
                                            torch.ones(2, dtype=torch.float64), floor=0.0)
    torch.testing.assert_close(weight[:, 0], torch.tensor([1.0, 0.25], dtype=torch.float64))
    torch.testing.assert_close(noise, torch.tensor([1.0, 0.9375], dtype=torch.float64))


def test_em_never_decreases_and_floors_the_constant_pixels():
    """The continuous digits view has always-zero border pixels: their noise sits on the floor, the
    log-likelihood rises monotonically from PPCA's closed form, which FA therefore never does worse than."""
    x, _ = load_dataset("digits", "train").tensors()
    model = genzoo.create("fa", data={"shape": (1, 8, 8), "value_range": (0.0, 1.0)}, latent_dim=6,
                          min_noise_variance=FLOOR)
    batch = Batch(x)
    history = []
    FactorAnalysisEM(max_iterations=40, tolerance=0.0).fit(
        model, FitData(lambda epoch: iter([batch]), lambda: batch), lambda i, values: history.append(values["log_likelihood"]))
    steps = torch.tensor(history).diff()
    assert len(history) == 40 and (steps >= -1e-9 * abs(history[-1])).all(), f"EM lowered it: {steps.min():.3g}"
    _, covariance = sample_moments(x)
    start = moments_log_likelihood(covariance, *_ppca_start(covariance))
    assert history[-1] > start + 1
    constant = x.reshape(len(x), -1).std(0) == 0
    assert constant.sum() >= 3 and torch.all(model.noise_variance[constant] == FLOOR)
    assert torch.all(model.noise_variance >= FLOOR)


def _ppca_start(covariance: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    weight, noise = ppca_closed_form(covariance, 6, FLOOR)
    return weight, noise.expand(len(covariance))


def test_a_singular_problem_is_one_clear_error_and_nothing_is_saved(tmp_path):
    """Constant pixels with the floor turned off cannot be regularised: genzoo train says so in one line."""
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "fa", "--data", "digits", "--set", "model.latent_dim=4",
                                      "--set", "model.min_noise_variance=0", "--out", str(out), "--no-progress"])
    assert result.exit_code != 0
    error_lines = [line for line in result.output.splitlines() if "singular" in line]
    assert len(error_lines) == 1 and "set model.min_noise_variance above 0" in error_lines[0], result.output
    assert "Traceback" not in result.output
    assert not (out / "model.safetensors").exists() and not (out / "config.json").exists()
