"""PPCA's fits: the closed form and one EM step against hand computations, EM's monotone log-likelihood
and its agreement with the closed form, and an end-to-end `train` on digits."""

from __future__ import annotations

import json
import math

import pytest
import torch

import genzoo
from genzoo.data import load_dataset
from genzoo.plugin import Batch, FitData
from genzoo.training import train
from genzoo_explicit_likelihood.low_rank_gaussian import LOG_2PI
from genzoo_explicit_likelihood.ppca import PPCAClosedForm, PPCAEM, ppca_em_step


def data_with_covariance(covariance: torch.Tensor, n: int = 200, seed: int = 0) -> torch.Tensor:
    """n points whose maximum-likelihood covariance is exactly `covariance` (whitened noise, then coloured)."""
    x = torch.randn(n, len(covariance), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    x = x - x.mean(0)
    whitened = torch.linalg.solve_triangular(torch.linalg.cholesky(x.T @ x / n), x.T, upper=False).T
    return whitened @ torch.linalg.cholesky(covariance).T + 3.0


def fit(step, model, x: torch.Tensor) -> list[float]:
    """Run a FitStep on x; returns the logged log-likelihoods."""
    batch = Batch(x)
    logged = []
    step.fit(model, FitData(lambda epoch: iter([batch]), lambda: batch), lambda i, values: logged.append(values))
    return [values["log_likelihood"] for values in logged]


def _ppca(dim: int, latent_dim: int):
    return genzoo.create("ppca", data={"shape": (dim,), "value_range": None}, latent_dim=latent_dim).double()


def test_closed_form_on_a_diagonal_covariance_by_hand():
    """S = diag(4, 1, 0.25), q = 1: s^2 = (1 + 0.25) / 2 = 0.625, W = (sqrt(4 - 0.625), 0, 0), and the
    log-likelihood -(3 log 2 pi + log(4 * 0.625^2) + 4/4 + 1/0.625 + 0.25/0.625) / 2."""
    x = data_with_covariance(torch.diag(torch.tensor([4.0, 1.0, 0.25], dtype=torch.float64)))
    model = _ppca(3, 1)
    (log_likelihood,) = fit(PPCAClosedForm(), model, x)
    torch.testing.assert_close(model.noise_variance, torch.full((3,), 0.625, dtype=torch.float64))
    torch.testing.assert_close(model.weight[:, 0], torch.tensor([math.sqrt(3.375), 0, 0], dtype=torch.float64))
    torch.testing.assert_close(model.mean, torch.full((3,), 3.0, dtype=torch.float64))
    assert log_likelihood == pytest.approx(-0.5 * (3 * LOG_2PI + math.log(4 * 0.625**2) + 3.0), abs=1e-9)


def test_one_em_step_by_hand():
    """S = [[2, .5], [.5, 1]], W = (1, 0), s^2 = 1: M = 2, S W = (2, .5), W^T S W = 2, so
    W' = (2, .5) / (1 + 2 / 2) = (1, .25) and s'^2 = (3 - (2 * 1 + .5 * .25) / 2) / 2 = 0.96875."""
    covariance = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=torch.float64)
    weight, noise = ppca_em_step(covariance, torch.tensor([[1.0], [0.0]], dtype=torch.float64),
                                 torch.ones(2, dtype=torch.float64), floor=0.0)
    torch.testing.assert_close(weight[:, 0], torch.tensor([1.0, 0.25], dtype=torch.float64))
    torch.testing.assert_close(noise, torch.full((2,), 0.96875, dtype=torch.float64))


def test_em_log_likelihood_never_decreases_on_digits():
    x, _ = load_dataset("digits", "train", optional={"view": "dequantized"}).tensors()
    model = genzoo.create("ppca", data={"shape": (1, 8, 8), "value_range": (0.0, 1.0)}, latent_dim=8)
    history = fit(PPCAEM(max_iterations=60, tolerance=0.0), model, x)
    assert len(history) == 60 and history[-1] > history[0] + 5
    steps = torch.tensor(history).diff()
    assert (steps >= -1e-9 * abs(history[-1])).all(), f"EM lowered the log-likelihood: {steps.min():.3g}"


def test_em_reaches_the_closed_form_optimum():
    """Five dimensions, two strong factors: both fits find the same log-likelihood and the same W W^T."""
    generator = torch.Generator().manual_seed(2)
    loadings = torch.randn(5, 2, generator=generator, dtype=torch.float64) * 2
    x = data_with_covariance(loadings @ loadings.T + torch.diag(torch.linspace(0.2, 0.6, 5, dtype=torch.float64)))
    exact, iterative = _ppca(5, 2), _ppca(5, 2)
    (closed_form,) = fit(PPCAClosedForm(), exact, x)
    history = fit(PPCAEM(max_iterations=3000, tolerance=1e-12, seed=1), iterative, x)
    assert history[-1] == pytest.approx(closed_form, abs=1e-7)
    torch.testing.assert_close(iterative.weight @ iterative.weight.T, exact.weight @ exact.weight.T, atol=1e-4, rtol=0)
    torch.testing.assert_close(iterative.noise_variance, exact.noise_variance, atol=1e-5, rtol=0)


def test_train_on_digits_writes_a_checkpoint_that_encodes(tmp_path):
    result = train("ppca", data="digits", out=tmp_path / "run", model={"latent_dim": 4},
                   data_options={"view": "dequantized"}, progress=False)
    assert result.summary == "fitted by closed form in 1 iteration"
    logged = [json.loads(line) for line in (tmp_path / "run" / "train" / "metrics.jsonl").read_text().splitlines()]
    model = genzoo.load(tmp_path / "run")
    x, _ = load_dataset("digits", "train", optional={"view": "dequantized"}).tensors()
    with torch.no_grad():
        assert float(model.log_prob(x).double().mean()) == pytest.approx(logged[0]["log_likelihood"], rel=1e-5)
        assert model.encode(x[:3]).shape == (3, 4)
