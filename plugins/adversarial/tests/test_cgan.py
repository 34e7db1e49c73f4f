"""Conditional GAN and AC-GAN: who sees the label, AC-GAN's losses by hand, and short runs on labelled digits."""

import math

import pytest
import torch

import genzoo
from genzoo.training import train
from genzoo_adversarial.acgan import ACGANStep, acgan_discriminator_loss, acgan_generator_loss

LABELLED_2D = {"shape": (2,), "value_range": None, "num_classes": 3}
TINY = {"latent_dim": 2, "generator_hidden": (8,), "discriminator_hidden": (8,), "data": LABELLED_2D}
DIGITS_RUN = {"steps": 6, "batch_size": 16, "log_every": 3, "sample_every": None}
DIGITS_MLP = {"latent_dim": 4, "generator_hidden": (16,), "discriminator_hidden": (16,)}


def _softplus(v: float) -> float:
    return math.log1p(math.exp(v))


def _cross_entropy(logits: list[float], label: int) -> float:
    return math.log(sum(math.exp(v) for v in logits)) - logits[label]


def test_acgan_losses_by_hand():
    """One real and one fake example, 2 classes, weight 0.5.
    D: softplus(-2) [real judged real] + softplus(-1) [fake judged fake: softplus of its logit -1]
       + 0.5 (CE([0, 3], 1) + CE([1, 0], 0)).   G: softplus(1) [-log D(G(z)) for logit -1] + 0.5 CE([1, 0], 0)."""
    real, fake = torch.tensor([[2.0, 0.0, 3.0]]), torch.tensor([[-1.0, 1.0, 0.0]])
    real_labels, fake_labels = torch.tensor([1]), torch.tensor([0])
    d = _softplus(-2) + _softplus(-1) + 0.5 * (_cross_entropy([0, 3], 1) + _cross_entropy([1, 0], 0))
    g = _softplus(1) + 0.5 * _cross_entropy([1, 0], 0)
    assert acgan_discriminator_loss(real, fake, real_labels, fake_labels, 0.5).item() == pytest.approx(d)
    assert acgan_generator_loss(fake, fake_labels, 0.5).item() == pytest.approx(g)


def test_cgan_networks_see_the_label():
    model = genzoo.create("cgan", **TINY).eval()
    z, x = torch.randn(4, 2), torch.randn(4, 2)
    zeros, twos = torch.zeros(4, dtype=torch.long), torch.full((4,), 2)
    assert not torch.allclose(model.fake(z, zeros), model.fake(z, twos))
    assert not torch.allclose(model.discriminate(x, zeros), model.discriminate(x, twos))


def test_acgan_discriminator_classifies_without_seeing_the_label():
    model = genzoo.create("acgan", **TINY).eval()
    x = torch.randn(5, 2)
    assert model.discriminator_logits(x).shape == (5, 1 + 3)
    assert torch.equal(model.discriminate(x, torch.zeros(5, dtype=torch.long)), model.discriminate(x, torch.ones(5)))
    assert torch.equal(model.classify(x), model.discriminator_logits(x)[:, 1:])
    assert model.discriminator.net[0].in_features == 2  # the example only, no one-hot label


def test_acgan_step_matches_its_loss_functions():
    model = genzoo.create("acgan", **TINY).eval()
    x, labels = torch.randn(8, 2), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    batch = genzoo.plugin.Batch(x, labels)
    step = ACGANStep(class_weight=2.0)
    torch.manual_seed(0)
    value = step.loss(model, batch, "generator", {})["loss"]
    torch.manual_seed(0)
    fake = model.fake(model.sample_latent(8), labels)
    assert value.item() == pytest.approx(acgan_generator_loss(model.discriminator_logits(fake), labels, 2.0).item())


@pytest.mark.parametrize("config", [{"data": {"shape": (2,), "value_range": None}},
                                    {"data": {"shape": (2,), "value_range": None, "num_classes": 1}}])
def test_unlabelled_data_are_refused(config):
    with pytest.raises(genzoo.plugin.ConfigError, match="num_classes >= 2"):
        genzoo.create("cgan", **config)


def test_acgan_refuses_packing():
    with pytest.raises(genzoo.plugin.ConfigError, match="pack=1"):
        genzoo.create("acgan", **TINY, pack=2)


@pytest.mark.parametrize(("architecture", "logged"), [("cgan", "discriminator/d_real"),
                                                      ("acgan", "generator/class_acc_fake")])
def test_a_short_run_on_labelled_digits_samples_every_class(tmp_path, architecture, logged):
    result = train(architecture, data="digits", out=tmp_path, model=DIGITS_MLP, train=DIGITS_RUN, progress=False)
    assert {"discriminator/loss", "generator/loss", logged} <= set(result.metrics)
    model = genzoo.load(result.path)
    samples = model.sample(10, condition=torch.arange(10), generator=torch.Generator().manual_seed(0))
    assert samples.shape == (10, 1, 8, 8) and 0 <= samples.min() and samples.max() <= 1

