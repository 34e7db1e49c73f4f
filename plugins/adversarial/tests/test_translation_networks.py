"""The U-Net and the PatchGAN: shapes, padding, skip connections, receptive fields measured by gradients."""

from __future__ import annotations

import pytest
import torch

from genzoo_adversarial.translation_networks import PatchGAN, UNet, patch_receptive_field


@pytest.mark.parametrize(("side", "channels"), [(28, (4, 8, 16)), (28, (4, 8)), (8, (4, 8, 8)), (7, (4,))])
def test_unet_keeps_the_image_size_padding_sides_that_do_not_divide(side, channels):
    network = UNet(1, 3, channels)
    assert network(torch.randn(2, 1, side, side)).shape == (2, 3, side, side)


def test_unet_pads_28_to_32_for_three_levels_symmetrically():
    assert UNet(1, 1, (4, 8, 16)).padding(28, 28) == (2, 2, 2, 2)
    assert UNet(1, 1, (4, 8)).padding(28, 27) == (0, 1, 0, 0)


def test_unet_skip_connections_carry_the_input_past_a_dead_bottleneck():
    """With the innermost encoder stage zeroed the bottleneck carries nothing, yet the output still follows the
    input: only the skip connections can carry it."""
    torch.manual_seed(0)
    network = UNet(1, 1, (4, 8, 8), norm="none", dropout=0.0).eval()
    with torch.no_grad():
        for parameter in network.down[-1].parameters():
            parameter.zero_()
        a, b = torch.rand(1, 1, 8, 8), torch.rand(1, 1, 8, 8)
        assert not torch.allclose(network(a), network(b))


def test_unet_dropout_sits_on_the_decoder_stages_nearest_the_bottleneck():
    network = UNet(1, 1, (4, 8, 8, 8), dropout=0.5, dropout_stages=2)
    has_dropout = [any(isinstance(layer, torch.nn.Dropout) for layer in stage) for stage in network.up]
    assert has_dropout == [True, True, False, False]  # up[0] is the bottleneck's stage, up[-1] makes the image


def test_unet_widths_follow_the_reference_with_concatenated_skips():
    network = UNet(2, 3, (4, 8, 16), norm="none", dropout=0.0)
    convs = [stage[1] for stage in network.up]
    assert [(conv.in_channels, conv.out_channels) for conv in convs] == [(16, 8), (16, 4), (8, 3)]


@pytest.mark.parametrize(("channels", "expected"), [((64, 128, 256, 512), 70), ((64, 128, 256), 34), ((64, 128), 16),
                                                    ((64,), 7)])
def test_patch_receptive_field_matches_the_paper(channels, expected):
    assert patch_receptive_field(channels) == expected


@pytest.mark.parametrize("channels", [(2, 2, 2, 2), (2, 2)])
def test_one_patch_logit_sees_exactly_its_receptive_field(channels):
    """The gradient of one central logit with respect to the input is non-zero on a square of the stated side."""
    torch.manual_seed(0)
    network = PatchGAN(1, channels, norm="none").double()
    for layer in network.modules():  # positive weights: no cancellation hides a pixel the logit sees
        if isinstance(layer, torch.nn.Conv2d):
            torch.nn.init.uniform_(layer.weight, 0.1, 1.0)
    network.net = torch.nn.Sequential(*[layer for layer in network.net if not isinstance(layer, torch.nn.LeakyReLU)])
    x = torch.rand(1, 1, 96, 96, dtype=torch.double, requires_grad=True)
    logits = network(x)
    row, col = logits.shape[-2] // 2, logits.shape[-1] // 2
    (grad,) = torch.autograd.grad(logits[0, 0, row, col], x)
    rows, cols = grad[0, 0].abs().gt(0).nonzero(as_tuple=True)
    side = patch_receptive_field(channels)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (side, side)


def test_patchgan_gives_a_map_of_logits_and_instance_norm_has_no_parameters():
    network = PatchGAN(2, (4, 8, 16), norm="instance")
    assert network(torch.randn(3, 2, 28, 28)).shape == (3, 1, 5, 5)  # 28 -> 14 -> 7 -> 6 -> 5
    assert not any(isinstance(layer, torch.nn.BatchNorm2d) for layer in network.modules())
    assert sum(p.numel() for layer in network.modules() if isinstance(layer, torch.nn.InstanceNorm2d)
               for p in layer.parameters()) == 0


def test_widths_must_be_positive():
    with pytest.raises(ValueError, match="positive widths"):
        UNet(1, 1, ())
    with pytest.raises(ValueError, match="positive widths"):
        PatchGAN(1, (4, 0))
