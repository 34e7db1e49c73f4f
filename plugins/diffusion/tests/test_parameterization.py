"""epsilon-, x0- and v-prediction describe the same denoiser."""

import pytest
import torch
from genzoo_diffusion.parameterization import X0_DIRECTION, split_prediction, training_target


@pytest.mark.parametrize("prediction", ["epsilon", "x0", "v"])
def test_perfect_prediction_recovers_noise_and_data(prediction):
    torch.manual_seed(0)
    x0, noise = torch.randn(8, 3), torch.randn(8, 3)
    abar = torch.rand(8, 1) * 0.98 + 0.01
    a, s = abar.sqrt(), (1 - abar).sqrt()
    xt = a * x0 + s * noise
    eps, x0_hat = split_prediction(prediction, training_target(prediction, x0, noise, a, s), xt, a, s)
    assert torch.allclose(eps, noise, atol=1e-4) and torch.allclose(x0_hat, x0, atol=1e-4)


@pytest.mark.parametrize("prediction", ["epsilon", "x0", "v"])
def test_each_x0_direction_is_the_sign_with_which_its_target_moves_x0(prediction):
    x0, noise, output = torch.rand(3, 64) * 2 - 1
    a, s = torch.tensor(0.6), torch.tensor(0.8)
    xt = a * x0 + s * noise
    _, x0_hat = split_prediction(prediction, output, xt, a, s)
    error = output - training_target(prediction, x0, noise, a, s)
    assert torch.equal(torch.sign(x0_hat - x0), torch.sign(X0_DIRECTION[prediction] * error))
