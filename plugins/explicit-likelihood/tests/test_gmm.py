"""The gmm architecture: EM's log-likelihood never decreases, the density is core's mixture on flattened data,
training through `genzoo train` logs every iteration, and bad inputs fail cleanly with nothing saved."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import genzoo
from genzoo.data import load_dataset
from genzoo.errors import ConfigError
from genzoo.training import train

COVARIANCES = ["full", "diagonal", "spherical"]


def digits_centres() -> torch.Tensor:
    """The central 4x4 pixels of the dequantized digits: 16-d data on which EM keeps moving for many
    iterations with every covariance type (on all 64 pixels full covariances settle in two or three)."""
    x = load_dataset("digits", "train", optional={"view": "dequantized"}).tensors()[0]
    return x[:, :, 2:6, 2:6].reshape(len(x), 16)


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_em_log_likelihood_never_decreases_on_digits(covariance, monotone_fit):
    x = digits_centres()
    model = genzoo.create("gmm", data={"shape": (16,), "value_range": None}, components=6,
                         covariance=covariance).double()  # float64: no round-off to excuse
    history = monotone_fit(model, x, "log_likelihood", iterations=30, moving=5)
    assert float(model.log_prob(x).mean()) == pytest.approx(history[-1], rel=1e-9)


def test_log_prob_is_core_mixture_density_on_flattened_images():
    model = genzoo.create("gmm", data={"shape": (1, 2, 2), "value_range": None}, components=2, covariance="diagonal")
    model.mixture.means.copy_(torch.tensor([[0.0, 1.0, 2.0, 3.0], [-1.0, 0.0, 0.0, 1.0]]))
    model.mixture.stds.copy_(torch.tensor([[1.0, 0.5, 2.0, 1.0], [0.3, 1.0, 1.0, 1.0]]))
    model.mixture.log_weights.copy_(torch.tensor([0.25, 0.75]).log())
    x = torch.randn(5, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    components = torch.distributions.Independent(torch.distributions.Normal(model.mixture.means, model.mixture.stds), 1)
    expected = torch.logsumexp(components.log_prob(x.reshape(5, 1, 4)) + torch.tensor([0.25, 0.75]).log(), dim=1)
    assert torch.allclose(model.log_prob(x), expected, atol=1e-5)


def test_genzoo_train_fits_by_em_and_logs_each_iteration(tmp_path):
    result = train("gmm", data="8gaussians", out=tmp_path / "run", model={"components": 8}, data_options={"n": 2000},
                   step={"max_iterations": 15}, train={"sample_every": None}, progress=False)
    assert result.summary.startswith("fitted by EM in ")
    records = [json.loads(line) for line in (tmp_path / "run" / "train" / "metrics.jsonl").read_text().splitlines()]
    values = [r["log_likelihood"] for r in records]
    assert len(values) > 2 and min(np.diff(values)) > -1e-5
    model = genzoo.load(tmp_path / "run")
    x = load_dataset("8gaussians", "test").tensors()[0]
    assert float(model.log_prob(x).mean()) > -3.0  # the ideal on the 8-gaussian ring is about -2.84


def test_more_components_than_examples_is_a_clear_error_and_saves_nothing(tmp_path):
    data = tmp_path / "few.npz"
    np.savez(data, x=np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32))  # 4 train, 1 test
    with pytest.raises(ConfigError, match="cannot fit 10 mixture components to 4 points"):
        train("gmm", data=f"npz:{data}", out=tmp_path / "run", model={"components": 10}, progress=False)
    assert not (tmp_path / "run" / "model.safetensors").exists()


def test_a_singular_covariance_is_a_clear_error_and_saves_nothing(tmp_path):
    """Points on a line: with a negligible jitter the covariance has no inverse in float32."""
    t = np.linspace(-1, 1, 50, dtype=np.float32)
    np.savez(tmp_path / "line.npz", x=np.stack([t, 2 * t], axis=1))
    with pytest.raises(ConfigError, match="covariance of mixture component 0 is singular.*raise jitter"):
        train("gmm", data=f"npz:{tmp_path / 'line.npz'}", out=tmp_path / "run",
              model={"components": 1, "jitter": 1e-12}, progress=False)
    assert not (tmp_path / "run" / "model.safetensors").exists()
