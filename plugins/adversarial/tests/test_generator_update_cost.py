"""The generator's update leaves the discriminator's weight gradients uncomputed (its optimizer would discard
them), without changing any gradient that is used; the unrolled GAN, which needs them, keeps them."""

from __future__ import annotations

import torch

import genzoo
from genzoo.plugin import Batch

from genzoo_adversarial.gan import GANStep
from genzoo_adversarial.unrolled import UnrolledGANStep

MLP = {"latent_dim": 2, "generator_hidden": (8,), "discriminator_hidden": (8,)}


class KeepingDiscriminatorGradients(GANStep):
    """The GAN step as it was: the generator update computes the discriminator's weight gradients too."""

    generator_update_needs_discriminator_weights = True


def _model():
    torch.manual_seed(0)
    return genzoo.create("gan", **MLP)


def _update(model, step, group, seed):
    model.zero_grad(set_to_none=True)
    torch.manual_seed(seed)
    step.loss(model, Batch(torch.randn(16, 2)), group, {})["loss"].backward()


def test_the_generator_update_computes_no_discriminator_weight_gradient_and_the_next_update_does():
    model = _model()
    _update(model, GANStep(), "generator", seed=1)
    assert all(p.grad is None for p in model.discriminator.parameters())
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.generator.parameters())
    _update(model, GANStep(), "discriminator", seed=2)
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.discriminator.parameters())


def test_the_generator_gradients_are_bit_for_bit_those_computed_with_the_discriminator_weights():
    grads = []
    for step in (GANStep(), KeepingDiscriminatorGradients()):
        model = _model()
        _update(model, step, "generator", seed=1)
        grads.append([p.grad for p in model.generator.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*grads, strict=True))


def test_the_unrolled_gan_keeps_the_discriminator_weights_in_its_generator_graph():
    torch.manual_seed(0)
    model = genzoo.create("unrolled-gan", **MLP)
    _update(model, UnrolledGANStep(unroll_steps=2), "generator", seed=1)
    assert all(p.grad is not None for p in model.discriminator.parameters())
