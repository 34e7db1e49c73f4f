"""IcGAN (Perarnau et al. 2016): encoders that invert a conditional GAN, so a real image is re-rendered with an
edited condition, and Age-cGAN's (Antipov et al. 2017) latent refinement before the edit.

The paper's task: faces (CelebA) re-rendered with changed attributes (hair colour, glasses, gender).
Our analogue: MNIST digits re-rendered as another class, on the published `cgan-mnist` generator.

The model is a frozen copy of a cGAN's generator G(z, y) (the trainer copies it from `model.cgan`, so the
IcGAN checkpoint holds it and loads on its own) and two encoders, each built like the DCGAN discriminator
(strided convs, then one conv over the whole map):
- E_z(x) -> z, trained by L2 on generated pairs: z ~ N(0, I), y uniform, x' = G(z, y), ||E_z(x') - z||^2;
- E_y(x) -> class logits, trained by cross-entropy on real labelled images.
Editing: z = E_z(x), y = argmax E_y(x), then G(z, y') for the chosen class y'. Age-cGAN's refinement first
runs `steps` Adam steps on z minimising the pixel-wise squared error |G(z, y) - x|^2 (the paper's
"pixelwise" variant, not its identity-preserving one: that matches features of a face recogniser, and
the analogue here, the project classifier's features, would preserve the very class the edit changes).

The cGAN's discriminator is not kept: IcGAN's encoders never need it. The generator stays in eval mode
whatever mode the model is put in, so its batch-norm statistics remain the cGAN's.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, model_validator
from torch import nn

from genzoo import Capability, DataSpec
from genzoo.plugin import ConfigError

from genzoo_adversarial.cgan import MNIST, ClassConditionalConfig, ConditionalGAN
from genzoo_adversarial.networks import build_discriminator

MAX_REFINE_STEPS = 10_000  # each step is a generator forward and backward per input


class ICGANConfig(ClassConditionalConfig):
    """The cGAN's generator settings (defaults: cgan-mnist's), the encoders and how editing runs."""

    network: Literal["mlp", "conv"] = Field("conv", description="mlp or conv, as the cGAN's (the encoders are "
                                                                "the same kind).")
    latent_dim: int = Field(100, ge=1, description="The cGAN's z dimension (E_z's output).")
    channels: tuple[int, ...] = Field((64, 128), description="The cGAN's conv widths; the generator mirrors them and "
                                                             "each encoder uses them as its strided stages.")
    discriminator_batch_norm: bool = Field(True, description="Batch norm in the encoders' conv stages (not the "
                                                             "first), as in the discriminator they are built like.")
    source: DataSpec = Field(MNIST, description="What translate takes: images like the data.")
    cgan: str | None = Field("cgan-mnist", description="The cGAN (pretrained name or checkpoint folder) whose "
                                                       "generator the trainer copies in and freezes; None keeps "
                                                       "the random generator (tests).")
    translate_to: int | None = Field(None, ge=0, description="translate's target class; None: the class after "
                                                             "E_y's label, (y + 1) mod classes.")
    refine_steps: int = Field(100, ge=0, le=MAX_REFINE_STEPS, description="Age-cGAN refinement steps on z before "
                                                                        "translate's edit (0: E_z alone).")
    refine_lr: float = Field(0.05, gt=0, le=10, description="Adam's learning rate on z during refinement.")

    @model_validator(mode="after")
    def _editable(self):
        classes = self.data.num_classes or 0
        if self.translate_to is not None and self.translate_to >= classes:
            raise ValueError(f"translate_to {self.translate_to} is not a class of the data ({classes} classes)")
        if self.pack != 1 or self.spectral_norm:
            raise ValueError("pack and spectral_norm are discriminator settings; an IcGAN has none: leave them off")
        if tuple(self.source.shape) != tuple(self.data.shape):
            raise ValueError(f"source shape {self.source.shape} must be the data's {self.data.shape}: IcGAN edits "
                             "images of the kind it generates")
        return self


class ICGAN(ConditionalGAN):
    """A frozen cGAN generator with a latent encoder E_z and a label encoder E_y (see the module docstring)."""

    config_class = ICGANConfig
    capabilities = ConditionalGAN.capabilities | {Capability.TRANSLATE}

    def __init__(self, config: ICGANConfig):
        super().__init__(config)
        del self.discriminator  # IcGAN's encoders are trained without one
        self.generator.requires_grad_(False).eval()  # frozen, batch-norm statistics included (see train)
        self.latent_encoder = build_discriminator(config, config.latent_dim)
        self.label_encoder = build_discriminator(config, self.num_label_classes)

    def train(self, mode: bool = True) -> ICGAN:
        super().train(mode)
        self.generator.eval()  # frozen: keeps the cGAN's batch-norm statistics
        return self

    def load_generator(self, cgan: nn.Module) -> None:
        """Copy the generator of the cGAN model `cgan`; a one-line error when its shapes differ from this config's."""
        ours, theirs = self.generator.state_dict(), cgan.generator.state_dict()
        differing = sorted(set(ours) ^ set(theirs)) + sorted(k for k in set(ours) & set(theirs)
                                                             if ours[k].shape != theirs[k].shape)
        if differing or cgan.data_spec.num_classes != self.data_spec.num_classes:
            raise ConfigError(f"model.cgan {self.config.cgan!r}: its generator does not fit this IcGAN (first "
                              f"difference {differing[0] if differing else 'num_classes'!r}); set model.network, "
                              "model.latent_dim, model.channels and the data to the cGAN's")
        self.generator.load_state_dict(theirs)

    # -- the encoders --------------------------------------------------------------------------
    def encode_latent(self, x: torch.Tensor) -> torch.Tensor:
        """E_z(x): (n, latent_dim)."""
        return self.latent_encoder(x)

    def label_logits(self, x: torch.Tensor) -> torch.Tensor:
        """E_y(x): (n, classes) logits."""
        return self.label_encoder(x)

    def invert(self, x: torch.Tensor, *, steps: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        """(z, y) with G(z, y) close to x: z = E_z(x), y = argmax E_y(x), then `steps` refinement steps on z."""
        with torch.no_grad():
            z, y = self.encode_latent(x), self.label_logits(x).argmax(1)
        return refine_latent(x, z, lambda latent: self.fake(latent, y), steps=steps, lr=self.config.refine_lr), y

    def edit(self, x: torch.Tensor, target: torch.Tensor, *, steps: int = 0) -> torch.Tensor:
        """x re-rendered as class `target` (one label per input): G(z, target) with z from `invert`."""
        z, _ = self.invert(x, steps=steps)
        with torch.no_grad():
            return self.generate_from_latent(z, target)

    def reconstruct(self, x: torch.Tensor, *, steps: int = 0) -> torch.Tensor:
        """G(z, y) with (z, y) from `invert`: what the edit starts from."""
        z, y = self.invert(x, steps=steps)
        with torch.no_grad():
            return self.generate_from_latent(z, y)

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """The edit to `translate_to` (None: to E_y's class + 1), after `refine_steps` steps; deterministic."""
        classes = self.num_label_classes
        if self.config.translate_to is None:
            with torch.no_grad():
                target = (self.label_logits(x).argmax(1) + 1) % classes
        else:
            target = torch.full((len(x),), self.config.translate_to, device=x.device)
        return self.edit(x, target, steps=self.config.refine_steps)


def squared_errors(x: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """|x - reconstruction|^2 summed over each example's values: (n,)."""
    return (x - reconstruction).square().flatten(1).sum(1)


def refine_latent(x: torch.Tensor, z: torch.Tensor, render, *, steps: int, lr: float) -> torch.Tensor:
    """Age-cGAN's latent optimisation: `steps` Adam steps on z from the given start, minimising
    |x - render(z)|^2 per example; returns the final z (detached).

    The batch is optimised at once: the summed loss gives each code only its own gradient and Adam
    scales each coordinate on its own, so this equals one optimisation per example. Only z is
    differentiated: the networks' weights and their .grad are untouched.
    """
    z = z.detach().clone()
    if steps == 0:
        return z
    z.requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr)
    with torch.enable_grad():
        for _ in range(steps):
            (z.grad,) = torch.autograd.grad(squared_errors(x, render(z)).sum(), z)
            optimizer.step()
    return z.detach()
