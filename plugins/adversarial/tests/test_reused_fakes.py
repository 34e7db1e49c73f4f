"""step.fakes=reuse: the discriminator update takes the previous generator update's fakes (PyTorch-GAN's order).

Counted by the generator's forward calls and checked against hand-computed losses; the kept fakes go
through a checkpoint and a resumed run ends bit for bit where an uninterrupted one does.
"""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

import genzoo
from genzoo.plugin import Batch, ConfigError
from genzoo.training import train

from genzoo_adversarial.acgan import ACGANStep, acgan_discriminator_loss
from genzoo_adversarial.anogan import NormalClassesStep
from genzoo_adversarial.base import KEPT_FAKES
from genzoo_adversarial.gan import GANStep
from genzoo_adversarial.gmmn import MMDStep
from genzoo_adversarial.infogan import InfoGANStep
from genzoo_adversarial.losses import discriminator_loss
from genzoo_adversarial.unrolled import UnrolledGANStep
from genzoo_adversarial.wgan import ClippedWGANStep, GradientPenaltyStep

MLP = {"latent_dim": 2, "generator_hidden": (8,), "discriminator_hidden": (8,)}
LABELLED = MLP | {"data": {"shape": (2,), "value_range": None, "num_classes": 3}}
INFOGAN = MLP | {"network": "mlp", "latent_dim": 6, "categories": 3, "continuous": 1,
                 "data": {"shape": (2,), "value_range": None}}
ANOGAN = {"latent_dim": 4, "channels": (4, 8), "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0),
                                                        "num_classes": 2}}
# (architecture, model config, step, a batch of 16)
EVERY_STEP = [
    ("gan", MLP, GANStep, lambda: Batch(torch.randn(16, 2))),
    ("dcgan", {"latent_dim": 4, "channels": (4, 8), "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0)}},
     GANStep, lambda: Batch(torch.rand(16, 1, 8, 8))),
    ("pacgan", MLP, GANStep, lambda: Batch(torch.randn(16, 2))),
    ("cgan", LABELLED, GANStep, lambda: Batch(torch.randn(16, 2), torch.randint(0, 3, (16,)))),
    ("acgan", LABELLED, ACGANStep, lambda: Batch(torch.randn(16, 2), torch.randint(0, 3, (16,)))),
    ("infogan", INFOGAN, InfoGANStep, lambda: Batch(torch.randn(16, 2))),
    ("wgan", MLP, ClippedWGANStep, lambda: Batch(torch.randn(16, 2))),
    ("wgan-gp", MLP | {"discriminator_batch_norm": False}, GradientPenaltyStep, lambda: Batch(torch.randn(16, 2))),
    ("unrolled-gan", MLP, UnrolledGANStep, lambda: Batch(torch.randn(16, 2))),
    ("anogan", ANOGAN, NormalClassesStep, lambda: Batch(torch.rand(16, 1, 8, 8), torch.zeros(16, dtype=torch.long))),
]


class GeneratorCalls:
    """Counts the generator's forward passes."""

    def __init__(self, model):
        self.count = 0
        model.generator.register_forward_hook(lambda *_: setattr(self, "count", self.count + 1))


def _model(name, config):
    torch.manual_seed(0)
    return genzoo.create(name, **config)


@pytest.mark.parametrize("name, config, step_class, batch", EVERY_STEP, ids=[case[0] for case in EVERY_STEP])
def test_every_adversarial_step_trains_its_discriminator_on_the_kept_fakes(name, config, step_class, batch):
    model, state = _model(name, config), {}
    calls, step = GeneratorCalls(model), step_class(fakes="reuse", n_critic=1)
    step.loss(model, batch(), "generator", state)
    kept = state[KEPT_FAKES[0]]
    assert calls.count == 1 and not kept.requires_grad and len(kept) == 16
    step.loss(model, batch(), "discriminator", state)
    assert calls.count == 1  # no generator forward: the kept fakes were used
    assert not any(key in state for key in KEPT_FAKES)  # and taken out of the state


@pytest.mark.parametrize("name, config, step_class, batch", EVERY_STEP, ids=[case[0] for case in EVERY_STEP])
def test_fresh_fakes_are_the_default_and_keep_nothing(name, config, step_class, batch):
    model, state = _model(name, config), {}
    calls, step = GeneratorCalls(model), step_class()
    assert step.fakes == "fresh"
    step.loss(model, batch(), "generator", state)
    assert state == {}
    step.loss(model, batch(), "discriminator", state)
    assert calls.count == 2


def test_the_discriminator_loss_scores_the_real_batch_against_the_kept_fakes_by_hand():
    model, state, step = _model("gan", MLP), {}, GANStep(fakes="reuse")
    step.loss(model, Batch(torch.randn(16, 2)), "generator", state)
    fake = state[KEPT_FAKES[0]]
    real = Batch(torch.randn(16, 2))
    losses = step.loss(model, real, "discriminator", state)
    with torch.no_grad():
        expected = discriminator_loss(model.discriminate(real.x), model.discriminate(fake))
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-6)


def test_only_the_first_of_n_critic_updates_reuses_and_the_first_step_draws_fresh():
    model, state = _model("wgan", MLP), {}
    calls, step = GeneratorCalls(model), ClippedWGANStep(fakes="reuse", n_critic=3)
    assert step.updates(0) == ("discriminator",) * 3 + ("generator",)
    counts = []
    for _ in range(2):  # two training steps
        for group in step.updates(0):
            step.loss(model, Batch(torch.randn(8, 2)), group, state)
            counts.append(calls.count)
    # Step 0: nothing kept, three fresh critic draws, then G. Step 1: the first critic update reuses.
    assert counts == [1, 2, 3, 4, 4, 5, 6, 7]


def test_a_batch_of_another_size_draws_fresh_fakes_and_drops_the_kept_ones():
    model, state = _model("gan", MLP), {}
    calls, step = GeneratorCalls(model), GANStep(fakes="reuse")
    step.loss(model, Batch(torch.randn(16, 2)), "generator", state)
    step.loss(model, Batch(torch.randn(10, 2)), "discriminator", state)  # an epoch's last, short batch
    assert calls.count == 2 and state == {}


def test_conditional_fakes_keep_the_labels_they_were_drawn_for():
    model, state, step = _model("acgan", LABELLED), {}, ACGANStep(fakes="reuse")
    generator_labels, real_labels = torch.tensor([0, 1, 2, 0]), torch.tensor([2, 2, 1, 1])
    step.loss(model, Batch(torch.randn(4, 2), generator_labels), "generator", state)
    assert torch.equal(state[KEPT_FAKES[2]], generator_labels)
    fake = state[KEPT_FAKES[0]]
    real = Batch(torch.randn(4, 2), real_labels)
    losses = step.loss(model, real, "discriminator", state)
    with torch.no_grad():
        expected = acgan_discriminator_loss(model.discriminator_logits(real.x), model.discriminator_logits(fake),
                                            real_labels, generator_labels, 1.0)
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-6)


def test_infogan_reads_the_codes_of_the_kept_fakes():
    model, state, step = _model("infogan", INFOGAN), {}, InfoGANStep(fakes="reuse")
    step.loss(model, Batch(torch.randn(8, 2)), "generator", state)
    fake, latent = state[KEPT_FAKES[0]], state[KEPT_FAKES[1]]
    losses = step.loss(model, Batch(torch.randn(8, 2)), "discriminator", state)
    with torch.no_grad():
        expected = step.information_loss(model, model.discriminator_logits(fake), latent)
    assert losses["mi_bound_categorical"].item() == pytest.approx(expected["mi_bound_categorical"].item(), rel=1e-6)


def test_the_gradient_penalty_refuses_reused_fakes_of_a_conditional_model():
    model = _model("cgan", LABELLED | {"discriminator_batch_norm": False})
    with pytest.raises(ConfigError, match="step.fakes=fresh"):
        GradientPenaltyStep(fakes="reuse").loss(model, Batch(torch.randn(4, 2), torch.tensor([0, 1, 2, 0])),
                                                "discriminator", {})


def test_the_moment_matching_network_has_no_discriminator_fakes_to_reuse():
    with pytest.raises(ValueError, match="fakes"):
        MMDStep(fakes="reuse")


def test_a_resumed_run_with_reused_fakes_ends_bit_for_bit_where_a_straight_one_does(tmp_path):
    """cGAN on digits (1,437 examples): batches of 100 cross an epoch's short last batch at step 7; split at step 4."""
    settings = {"batch_size": 100, "log_every": 2, "sample_every": None, "device": "cpu"}
    run = {"model": {"latent_dim": 4, "generator_hidden": (16,), "discriminator_hidden": (16,)},
           "step": {"fakes": "reuse"}, "progress": False}
    straight = train("cgan", data="digits", out=tmp_path / "straight", train=settings | {"steps": 10}, **run)
    train("cgan", data="digits", out=tmp_path / "split", train=settings | {"steps": 4}, **run)
    kept = load_file(tmp_path / "split" / "train" / "state" / "step_state.safetensors")
    assert kept[KEPT_FAKES[0]].shape == (100, 1, 8, 8) and kept[KEPT_FAKES[2]].dtype == torch.int64
    resumed = train("cgan", data="digits", out=tmp_path / "split", train=settings | {"steps": 10}, resume=True, **run)
    assert resumed.metrics == straight.metrics
    for name in ("model.safetensors", "optimizer.safetensors", "step_state.safetensors", "rng.safetensors"):
        expected, actual = (load_file(tmp_path / folder / "train" / "state" / name) for folder in ("straight", "split"))
        assert expected.keys() == actual.keys() and all(torch.equal(expected[k], actual[k]) for k in expected), name
