"""The 2D toys: registered, seeded, split, and with the true density where it is known."""

import math

import pytest
import torch

from genzoo.data import load_dataset
from genzoo.errors import ConfigError, GenzooError, UnknownNameError

TOYS = ["8gaussians", "25gaussians", "moons", "swissroll", "checkerboard", "2spirals", "rings"]


@pytest.mark.parametrize("name", TOYS)
def test_toy_is_registered_seeded_and_split(name):
    train = load_dataset(name, "train", n=500, seed=3)
    x, y = train.tensors()
    assert x.shape == (500, 2) and y.shape == (500,) and y.dtype == torch.long
    assert train.data_spec.shape == (2,) and train.data_spec.value_range is None
    assert torch.isfinite(x).all()
    assert torch.equal(x, load_dataset(name, "train", n=500, seed=3).tensors()[0])
    assert not torch.equal(x, load_dataset(name, "train", n=500, seed=4).tensors()[0])
    assert not torch.equal(x, load_dataset(name, "test", n=500, seed=3).tensors()[0])
    point, label = train[0]
    assert torch.equal(point, x[0]) and label == y[0]


def test_default_split_sizes():
    assert len(load_dataset("moons")) == 50_000 and len(load_dataset("moons", "test")) == 10_000


def test_ideal_log_likelihood_of_the_eight_gaussians():
    """-(entropy) of the ring: log(1/8) + the 2D Gaussian log-density's mean, as the modes barely overlap."""
    test = load_dataset("8gaussians", "test")
    std = 0.5 / 1.414
    closed_form = -math.log(8) - 1 - math.log(2 * math.pi * std**2)
    assert test.log_prob(test.tensors()[0]).mean().item() == pytest.approx(closed_form, abs=0.03)
    assert closed_form == pytest.approx(-2.84, abs=0.01)


def test_checkerboard_density_is_uniform_on_its_support():
    test = load_dataset("checkerboard", "test")
    assert torch.allclose(test.log_prob(test.tensors()[0]), torch.tensor(-math.log(32.0)))
    outside = torch.tensor([[1.0, -1.0], [-3.0, 3.0], [5.0, 0.0]])  # light squares and off the board
    assert torch.isinf(test.log_prob(outside)).all()


def test_mixture_density_integrates_to_one():
    data = load_dataset("25gaussians", n=10)
    grid = torch.linspace(-2, 2, 801)
    points = torch.cartesian_prod(grid, grid)
    cell = (grid[1] - grid[0]) ** 2
    assert (data.log_prob(points).exp().sum() * cell).item() == pytest.approx(1.0, abs=1e-3)


def test_mixtures_carry_their_modes():
    assert load_dataset("8gaussians", n=1).modes.shape == (8, 2)
    assert load_dataset("25gaussians", n=1).modes.shape == (25, 2)
    assert load_dataset("moons", n=1).modes is None


def test_unknown_density_unknown_name_and_bad_options_are_user_errors():
    with pytest.raises(GenzooError, match="no closed-form density"):
        load_dataset("moons", n=4).log_prob(torch.zeros(1, 2))
    with pytest.raises(UnknownNameError, match="did you mean '8gaussians'"):
        load_dataset("8gausians")
    with pytest.raises(ConfigError, match="n"):
        load_dataset("moons", n=0)
    with pytest.raises(ConfigError, match="split"):
        load_dataset("moons", "valid")


def test_unknown_dataset_option_is_a_config_error():
    with pytest.raises(ConfigError, match=r"dataset 'moons': bad options \['colour'\] .*its options: n, seed"):
        load_dataset("moons", colour="red")
