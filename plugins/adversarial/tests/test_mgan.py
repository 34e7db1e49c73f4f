"""MGAN: every loss term by hand, per-generator first layers, seeded per-sample generator choice, the step's terms."""

import math

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, ConfigError
from genzoo_adversarial.base import AdversarialModel
from genzoo_adversarial.mgan import (MGANStep, generator_classification_loss, mgan_discriminator_loss,
                                     mgan_generator_loss)

TINY = {"latent_dim": 2, "generators": 3, "generator_hidden": (8, 8), "discriminator_hidden": (8,)}


def test_classifier_cross_entropy_by_hand():
    """Logits (0, ln 3) for generator 1: C_1 = 3/4, CE = ln(4/3); logits (ln 3, 0, 0) for generator 0: C_0 = 3/5."""
    logits = torch.tensor([[0.0, math.log(3), -1e9], [math.log(3), 0.0, 0.0]])
    assert generator_classification_loss(logits[:1, :2], torch.tensor([1])).item() == pytest.approx(math.log(4 / 3))
    both = generator_classification_loss(logits, torch.tensor([1, 0])).item()
    assert both == pytest.approx((math.log(4 / 3) + math.log(5 / 3)) / 2)


def test_discriminator_and_generator_losses_by_hand():
    """Real logit 0, fake logit ln 3, classifier logits (0, ln 3) for generator 1 (CE = ln(4/3)).
    J_D = softplus(0) + softplus(ln 3) + w CE = ln 2 + ln 4 + w ln(4/3);
    J_G = softplus(-ln 3) + beta CE = ln(4/3) + beta ln(4/3): the diversity term is ADDED (generators help C)."""
    real, fake = torch.tensor([0.0]), torch.tensor([math.log(3)])
    classifier, index = torch.tensor([[0.0, math.log(3)]]), torch.tensor([1])
    d = mgan_discriminator_loss(real, fake, classifier, index, classifier_weight=0.5)
    assert d.item() == pytest.approx(math.log(2) + math.log(4) + 0.5 * math.log(4 / 3))
    g = mgan_generator_loss(fake, classifier, index, beta=2.0)
    assert g.item() == pytest.approx(3 * math.log(4 / 3))


def test_each_row_goes_through_its_own_generators_first_layer_and_the_shared_body():
    model = genzoo.create("mgan", **TINY).eval()
    net = model.generator
    noise = torch.randn(4, 2)
    index = torch.tensor([0, 2, 1, 2])
    out = net(model.latent_from_index(index, noise))
    for row, k in enumerate(index.tolist()):
        hidden = noise[row] @ net.first_weight[k] + net.first_bias[k]
        assert torch.allclose(out[row], net.body(hidden[None])[0], atol=1e-6)
    with torch.no_grad():
        net.first_weight[1].add_(1.0)  # generator 1's own layer: rows of generators 0 and 2 do not move
    moved = net(model.latent_from_index(index, noise))
    assert torch.equal(moved[[0, 1, 3]], out[[0, 1, 3]]) and not torch.equal(moved[2], out[2])
    first_layers = sum(p.numel() for p in (net.first_weight, net.first_bias))
    assert first_layers == 3 * (2 * 8 + 8)  # K first layers; the body is built once


def test_generator_choice_is_uniform_per_sample_and_seeded():
    model = genzoo.create("mgan", **TINY).eval()
    z = model.sample_latent(3000, torch.Generator().manual_seed(0))
    assert z.shape == (3000, 5) and torch.equal(z[:, :3].sum(1), torch.ones(3000))
    counts = torch.bincount(model.generator_index(z), minlength=3)
    assert counts.min() > 900 and counts.max() < 1100
    again = model.sample_latent(3000, torch.Generator().manual_seed(0))
    other = model.sample_latent(3000, torch.Generator().manual_seed(1))
    assert torch.equal(z, again) and not torch.equal(model.generator_index(z), model.generator_index(other))
    first = model.sample(16, generator=torch.Generator().manual_seed(3))
    assert torch.equal(first, model.sample(16, generator=torch.Generator().manual_seed(3)))


def test_blended_index_slots_are_snapped_to_one_generator():
    model = genzoo.create("mgan", **TINY).eval()
    valid = model.sample_latent(4, torch.Generator().manual_seed(0))
    blended = valid.clone()
    blended[:, :3] = torch.tensor([0.2, -0.3, 1.5])  # a truncated-normal draw: generator 2
    snapped = model.latent_from_index(torch.full((4,), 2), valid[:, 3:])
    assert torch.equal(model.generate_from_latent(blended), AdversarialModel.generate_from_latent(model, snapped))


def test_discriminator_carries_the_classifier_head():
    model = genzoo.create("mgan", **TINY)
    x = torch.randn(5, 2)
    logits = model.discriminator_logits(x)
    assert logits.shape == (5, 1 + 3)
    assert torch.equal(model.discriminate(x), logits[:, 0]) and torch.equal(model.classify_generator(x), logits[:, 1:])


@pytest.mark.parametrize("group", ["discriminator", "generator"])
def test_step_assembles_the_hand_checked_losses_from_the_models_outputs(group):
    model = genzoo.create("mgan", **TINY).eval()
    batch, step = Batch(torch.randn(6, 2)), MGANStep(beta=0.5, classifier_weight=2.0)
    torch.manual_seed(0)
    losses = step.loss(model, batch, group, {})
    torch.manual_seed(0)
    z = model.sample_latent(6)
    outputs = model.discriminator_logits(model.fake(z))
    index = model.generator_index(z)
    if group == "discriminator":
        expected = mgan_discriminator_loss(model.discriminate(batch.x), outputs[:, 0], outputs[:, 1:], index, 2.0)
        assert set(losses) == {"loss", "classifier_ce", "classifier_acc"}
    else:
        expected = mgan_generator_loss(outputs[:, 0], outputs[:, 1:], index, 0.5)
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-6)


def test_discriminator_update_trains_the_classifier_on_detached_fakes():
    model = genzoo.create("mgan", **TINY)
    step = MGANStep(classifier_weight=1.0)
    step.loss(model, Batch(torch.randn(6, 2)), "discriminator", {})["loss"].backward()
    assert all(p.grad is None for p in model.generator.parameters())
    assert model.discriminator.net[-1].weight.grad[1:].abs().sum() > 0  # the classifier rows learn


def test_diversity_term_reaches_every_generators_first_layer():
    """The generators' update moves each generator's own first layer (every one drew samples in the batch)."""
    model = genzoo.create("mgan", **TINY)
    torch.manual_seed(0)
    MGANStep(beta=1.0).loss(model, Batch(torch.randn(30, 2)), "generator", {})["loss"].backward()
    assert (model.generator.first_weight.grad.flatten(1).abs().sum(1) > 0).all()


IMAGES = {"shape": (1, 8, 8), "value_range": (0.0, 1.0)}


@pytest.mark.parametrize(("config", "message"), [({"network": "conv", "data": IMAGES}, "network=mlp"),
                                                 ({"pack": 2}, "set pack=1"),
                                                 ({"generator_hidden": ()}, "at least one generator hidden"),
                                                 ({"generators": 1}, "generators")])
def test_bad_configs_are_refused(config, message):
    with pytest.raises(ConfigError, match=message):
        genzoo.create("mgan", **(TINY | config))
