"""Glow's building blocks: each inverts exactly and reports the log-det of its full Jacobian."""

import pytest
import torch
from genzoo.plugin import ConfigError, GenzooError
from genzoo_explicit_likelihood.flows.actnorm import ActNorm
from genzoo_explicit_likelihood.flows.invertible_conv import InvertibleConv1x1
from genzoo_explicit_likelihood.flows.layer import FlowSequence
from genzoo_explicit_likelihood.flows.multiscale import FactorOut, multi_scale
from genzoo_explicit_likelihood.flows.squeeze import Squeeze, Unsqueeze
from genzoo_explicit_likelihood.flows.testing import brute_force_log_det, perturbed


def _check(layer, x):
    z, log_det = layer(x)
    assert log_det.shape == (len(x),)
    torch.testing.assert_close(layer.inverse(z), x, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(log_det, brute_force_log_det(layer, x), atol=1e-4, rtol=1e-4)
    return z


def test_squeeze_moves_each_2x2_block_into_channels_with_zero_log_det():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    z = _check(Squeeze(), x)
    assert z.shape == (1, 4, 2, 2)
    # top-left 2x2 block of the image [0, 1, 4, 5] becomes the 4 channels of output pixel (0, 0)
    assert z[0, :, 0, 0].tolist() == [0.0, 1.0, 4.0, 5.0]
    torch.testing.assert_close(Unsqueeze()(z)[0], x)


def test_squeeze_refuses_odd_sizes_with_a_clear_error():
    with pytest.raises(ConfigError, match="even height and width"):
        Squeeze()(torch.zeros(1, 1, 3, 4))


def test_actnorm_initialises_from_the_first_training_batch_to_zero_mean_unit_variance():
    torch.manual_seed(0)
    layer = ActNorm(3)
    x = 5.0 + 2.0 * torch.randn(64, 3, 4, 4)
    z, _ = layer(x)
    assert bool(layer.initialized)
    torch.testing.assert_close(z.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(z.std(dim=(0, 2, 3), unbiased=False), torch.ones(3), atol=1e-4, rtol=0)
    before = layer.bias.detach().clone()
    layer(torch.randn(8, 3, 4, 4))  # a second batch must not re-initialise
    torch.testing.assert_close(layer.bias.detach(), before)


def test_actnorm_in_eval_mode_never_initialises_and_the_flag_is_saved():
    layer = ActNorm(2).eval()
    layer(torch.randn(4, 2) + 3)
    assert not bool(layer.initialized)
    assert "initialized" in layer.state_dict()


@pytest.mark.parametrize("shape", [(3, 4), (3, 2, 3, 2)])
def test_actnorm_inverts_with_exact_log_det_on_vectors_and_images(shape):
    torch.manual_seed(0)
    layer = ActNorm(shape[1])
    layer(torch.randn(16, *shape[1:]) * 3)
    _check(perturbed(layer), torch.randn(*shape))


def test_actnorm_refuses_to_initialise_on_fewer_than_two_examples():
    """One vector has std 0 per channel: log_scale would become -log(eps), about +13.8."""
    layer = ActNorm(3)
    for n in (0, 1):
        with pytest.raises(GenzooError, match="at least 2 examples"):
            layer(torch.randn(n, 3))
    assert not bool(layer.initialized)


@pytest.mark.parametrize("layer", [ActNorm(2).eval(), InvertibleConv1x1(2, lu=True), InvertibleConv1x1(2, lu=False)])
@pytest.mark.parametrize("shape", [(0, 2), (0, 2, 3, 3)])
def test_an_empty_batch_gives_an_empty_output_and_log_det(layer, shape):
    z, log_det = layer(torch.zeros(shape))
    assert z.shape == shape and log_det.shape == (0,)


def test_brute_force_log_det_checks_the_layer_in_eval_mode():
    """In training mode the copy of a fresh ActNorm would initialise on one example (std 0); the helper
    evaluates the eval-mode function instead, and leaves the layer itself untouched."""
    layer = ActNorm(3)
    with torch.no_grad():
        layer.log_scale.copy_(torch.tensor([0.2, -0.1, 0.4]))
    log_det = brute_force_log_det(layer, torch.randn(2, 3))
    torch.testing.assert_close(log_det, torch.full((2,), 0.5), atol=1e-6, rtol=0)
    assert layer.training and not bool(layer.initialized)


def test_actnorm_log_det_by_hand():
    layer = ActNorm(2).eval()
    with torch.no_grad():
        layer.log_scale.copy_(torch.tensor([0.5, -1.0]))
    _, log_det = layer(torch.zeros(1, 2, 3, 3))
    assert log_det.item() == pytest.approx(9 * (0.5 - 1.0))


@pytest.mark.parametrize("lu", [True, False])
@pytest.mark.parametrize("shape", [(3, 4), (3, 4, 2, 2)])
def test_invertible_conv_inverts_with_exact_log_det(lu, shape):
    torch.manual_seed(0)
    layer = perturbed(InvertibleConv1x1(shape[1], lu=lu))
    _check(layer, torch.randn(*shape))


def test_invertible_conv_starts_as_a_rotation_and_mixes_every_pixel_alike():
    torch.manual_seed(0)
    layer = InvertibleConv1x1(4)
    x = torch.randn(2, 4, 3, 3)
    z, log_det = layer(x)
    torch.testing.assert_close(log_det, torch.zeros(2), atol=1e-5, rtol=0)  # |det| of a rotation is 1
    weight = layer._weight_and_log_det()[0]
    torch.testing.assert_close(z[:, :, 1, 2], x[:, :, 1, 2] @ weight.T)


def test_factor_out_leaves_kept_channels_alone_and_reports_the_inner_log_det():
    torch.manual_seed(0)
    inner = perturbed(InvertibleConv1x1(2))
    layer = FactorOut(inner, keep=1)
    x = torch.randn(3, 3, 2, 2)
    z = _check(layer, x)
    torch.testing.assert_close(z[:, :1], x[:, :1])
    torch.testing.assert_close(layer(x)[1], inner(x[:, 1:])[1])


def test_factor_out_refuses_an_inner_flow_that_changes_shape():
    with pytest.raises(ConfigError, match="changed shape"):
        FactorOut(Squeeze(), keep=1)(torch.zeros(1, 2, 2, 2))


def test_multi_scale_chains_levels_into_one_shape_preserving_flow_with_exact_log_det():
    torch.manual_seed(0)
    flow = multi_scale(1, 2, lambda level, channels: [ActNorm(channels), InvertibleConv1x1(channels)])
    flow(torch.randn(32, 1, 4, 4))  # data-dependent init
    flow = perturbed(flow)
    assert isinstance(flow, FlowSequence)
    z = _check(flow, torch.randn(2, 1, 4, 4))
    assert z.shape == (2, 1, 4, 4)
