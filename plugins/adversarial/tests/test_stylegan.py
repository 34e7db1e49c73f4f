"""The style-based generator: modulation by hand, w-space truncation, style mixing, R1, and a training step."""

from __future__ import annotations

import math

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, ConfigError
from genzoo.training import train

from genzoo_adversarial.losses import r1_penalty
from genzoo_adversarial.stylegan import StyleGANStep
from genzoo_adversarial.stylegan_layers import EqualLinear, modulated_conv2d

TINY = {"latent_dim": 4, "w_dim": 4, "mapping_layers": 1, "synthesis_channels": (4, 4, 4), "channels": (4, 8),
        "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0)}}


@pytest.fixture
def model():
    torch.manual_seed(0)
    model = genzoo.create("stylegan", **TINY)
    with torch.no_grad():  # a mean w away from 0 and visible noise, so the checks below are not trivially met
        model.w_avg.copy_(torch.tensor([0.5, -1.0, 2.0, 0.25]))
        for conv in model.synthesis.convs:
            conv.noise_strength.fill_(0.3)
    return model.eval()


def test_modulation_and_demodulation_by_hand():
    """One output channel, weight (1, 2) 1x1, style (3, 0.5): modulated weight (3, 1), demodulated by
    1 / sqrt(3^2 + 1^2); on an input pixel (1, 2) that gives (3 + 2) / sqrt(10)."""
    weight = torch.tensor([1.0, 2.0]).reshape(1, 2, 1, 1)
    style = torch.tensor([[3.0, 0.5]])
    x = torch.tensor([1.0, 2.0]).reshape(1, 2, 1, 1)
    assert modulated_conv2d(x, weight, style).item() == pytest.approx(5 / math.sqrt(10), rel=1e-6)
    assert modulated_conv2d(x, weight, style, demodulate=False).item() == pytest.approx(5.0)


def test_demodulation_matches_a_per_example_weight():
    """The non-fused form equals convolving each example with its own modulated, demodulated 3x3 weight."""
    generator = torch.Generator().manual_seed(0)
    x, weight = torch.randn(2, 3, 5, 5, generator=generator), torch.randn(4, 3, 3, 3, generator=generator)
    style = torch.rand(2, 3, generator=generator) + 0.5
    for i in range(2):
        modulated = weight * style[i][None, :, None, None]
        modulated = modulated / modulated.square().sum(dim=(1, 2, 3), keepdim=True).add(1e-8).sqrt()
        expected = torch.nn.functional.conv2d(x[i:i + 1], modulated, padding=1)
        assert torch.allclose(modulated_conv2d(x, weight, style, padding=1)[i:i + 1], expected, atol=1e-5)


@pytest.mark.parametrize("multiplier", [0.01, 1.0])
def test_the_lr_multiplier_scales_an_adam_step_of_the_used_weight(multiplier):
    """Adam's first step moves every stored weight by lr (times the gradient's sign); the layer uses the stored weight
    times multiplier / sqrt(fan_in), so with fan_in 4 and lr 1e-3 the used weight moves by 1e-3 * multiplier / 2."""
    torch.manual_seed(0)
    layer = EqualLinear(4, 1, lr_multiplier=multiplier).double()  # float32 would round a 5e-6 step on a 0.5 weight
    used = layer.weight.detach() * layer.weight_gain
    optimizer = torch.optim.Adam(layer.parameters(), lr=1e-3)
    layer(torch.ones(1, 4, dtype=torch.float64)).sum().backward()  # d/d(stored weight) = gain > 0 for every weight
    optimizer.step()
    step = layer.weight.detach() * layer.weight_gain - used
    assert torch.allclose(step, torch.full_like(step, -1e-3 * multiplier / 2), rtol=1e-6)


def test_the_trainer_defaults_to_stylegan2s_adam_for_both_players():
    """lr 2e-3, betas (0, 0.99) (what the mapping network's 0.01 multiplier assumes); the discriminator is not averaged."""
    sg2 = {"lr": 2e-3, "betas": (0.0, 0.99)}
    assert StyleGANStep.group_defaults == {"discriminator": {**sg2, "ema": False}, "generator": sg2}


def test_the_mapping_network_takes_the_configured_lr_multiplier():
    model = genzoo.create("stylegan", **{**TINY, "mapping_lr_multiplier": 0.1})
    assert {layer.lr_multiplier for layer in model.mapping.layers} == {0.1}
    with pytest.raises(ConfigError, match="mapping_lr_multiplier"):
        genzoo.create("stylegan", **{**TINY, "mapping_lr_multiplier": 0})


def test_truncation_at_zero_gives_the_mean_w_image_for_any_latent(model):
    images = model.sample(3, sampler="style-truncation", truncation=0.0, generator=torch.Generator().manual_seed(1))
    generator = torch.Generator().manual_seed(1)
    model.sample_latent(3, generator)  # the sampler's latents, drawn before its noise
    assert torch.equal(images, model.render_sample(model.w_avg.expand(3, model.num_layers, -1), generator))
    # the same noise (shared across examples) with different latents: identical images
    z = model.sample_latent(3, torch.Generator().manual_seed(5))
    shared = model.render_sample(model.styles(z, truncation=0.0), torch.Generator().manual_seed(2), shared_noise=True)
    assert torch.equal(shared[0], shared[1]) and torch.equal(shared[1], shared[2])
    untruncated = model.render_sample(model.styles(z), torch.Generator().manual_seed(2), shared_noise=True)
    assert not torch.equal(untruncated[0], untruncated[1])


def test_truncation_pulls_w_linearly_toward_the_mean(model):
    z = model.sample_latent(2, torch.Generator().manual_seed(3))
    w, half = model.styles(z)[:, 0], model.styles(z, truncation=0.5)[:, 0]
    assert torch.allclose(half, model.w_avg + 0.5 * (w - model.w_avg))


def test_mixing_at_crossover_zero_and_all_layers_gives_the_pure_sources(model):
    z = model.sample_latent(4, torch.Generator().manual_seed(4))
    a, b = model.styles(z[:2]), model.styles(z[2:])
    assert torch.equal(model.mix(a, b, 0), a) and torch.equal(model.mix(a, b, model.num_layers), b)
    assert torch.equal(model.mix(a, b, 0, source_b="fine"), b)
    assert torch.equal(model.mix(a, b, model.num_layers, source_b="fine"), a)
    mixed = model.mix(a, b, 2)
    assert torch.equal(mixed[:, :2], b[:, :2]) and torch.equal(mixed[:, 2:], a[:, 2:])
    noise = model.draw_noise(2, torch.Generator().manual_seed(0))
    assert torch.equal(model.render(model.mix(a, b, 0), noise), model.render(a, noise))
    assert torch.equal(model.render(model.mix(a, b, model.num_layers), noise), model.render(b, noise))


def test_the_mixing_grid_has_sources_in_its_header_row_and_column(model):
    grid = model.sample(9, sampler="style-mixing", crossover=model.num_layers,
                        generator=torch.Generator().manual_seed(6))
    # crossover = every layer: each cell is its column's source B image (one shared noise draw)
    assert torch.equal(grid[4], grid[1]) and torch.equal(grid[8], grid[2]) and torch.equal(grid[7], grid[1])
    grid = model.sample(9, sampler="style-mixing", crossover=0, generator=torch.Generator().manual_seed(6))
    assert torch.equal(grid[4], grid[3]) and torch.equal(grid[5], grid[3]) and torch.equal(grid[8], grid[6])
    first = model.sample(6, sampler="style-mixing", crossover=0, generator=torch.Generator().manual_seed(6))
    assert torch.equal(first, grid[:6])  # the first cells of the same 3x3 grid
    with pytest.raises(ConfigError, match="past"):
        model.sample(9, sampler="style-mixing", crossover=model.num_layers + 1)


def test_r1_penalty_by_hand():
    """D(x) = a . x has gradient a at every x: the penalty is ||a||^2 = 1 + 4 + 4 = 9."""
    a = torch.tensor([1.0, -2.0, 2.0], requires_grad=True)
    penalty = r1_penalty(lambda x: x.reshape(len(x), -1) @ a, torch.randn(5, 1, 1, 3))
    assert penalty.item() == pytest.approx(9.0)
    (grad,) = torch.autograd.grad(penalty, a)
    assert torch.allclose(grad, 2 * a.detach())


def test_training_fakes_track_the_running_mean_of_w(model):
    model.train()
    model.w_avg.zero_()
    z = model.sample_latent(16)
    model.fake(z)
    expected = (1 - model.config.w_avg_decay) * model.mapping(z).mean(dim=0)
    assert torch.allclose(model.w_avg, expected, atol=1e-6)


@pytest.mark.parametrize("step, applied", [(0, True), (1, False), (4, True)])
def test_r1_is_added_lazily_to_the_discriminator_loss(model, step, applied):
    model.train()
    with torch.no_grad():  # DCGAN's N(0, 0.02) weights give a penalty too small to compare
        for parameter in model.discriminator.parameters():
            parameter.mul_(30)
    batch = Batch(torch.rand(8, 1, 8, 8), step=step)
    losses = {}
    for gamma in (0.0, 2.0):
        torch.manual_seed(3)
        losses[gamma] = StyleGANStep(r1_gamma=gamma, r1_every=4).loss(model, batch, "discriminator", {})
    added = losses[2.0]["loss"] - losses[0.0]["loss"]
    if applied:
        penalty = r1_penalty(model.discriminate, batch.x)
        assert added.item() == pytest.approx(0.5 * 2.0 * 4 * penalty.item(), rel=1e-4)
        assert losses[2.0]["r1"].item() == pytest.approx(penalty.item(), rel=1e-5)
    else:
        assert added.item() == 0 and "r1" not in losses[2.0]


def test_a_short_run_on_digits_samples_and_mixes(tmp_path):
    result = train("stylegan", data="digits", out=tmp_path, model=TINY,
                   train={"steps": 6, "batch_size": 16, "log_every": 3, "sample_every": None},
                   step={"r1_gamma": 1.0, "r1_every": 2}, progress=False)
    assert {"discriminator/loss", "generator/loss", "discriminator/r1"} <= set(result.metrics)
    loaded = genzoo.load(result.path)
    assert loaded.w_avg.abs().sum() > 0
    samples = loaded.sample(4, truncation=0.7, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (4, 1, 8, 8) and torch.isfinite(samples).all()
    assert loaded.sample(16, sampler="style-mixing", generator=torch.Generator().manual_seed(0)).shape[0] == 16
