"""DCGAN (Radford et al. 2016): the GAN game with all-convolutional networks.

Transposed convolutions with batch norm and ReLU in the generator, strided convolutions with batch
norm (not on the input stage) and LeakyReLU(0.2) in the discriminator, N(0, 0.02) weights, Adam
2e-4 with beta1 = 0.5 (the step's group defaults), z of 100 dimensions. Trained by the GAN's
non-saturating step; `pack=2` gives PacDCGAN2 (Lin et al. 2018) for stacked MNIST.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from genzoo import DataSpec

from genzoo_adversarial.base import AdversarialConfig, AdversarialModel

MNIST_IMAGES = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256)


class DCGANConfig(AdversarialConfig):
    data: DataSpec = MNIST_IMAGES
    network: Literal["conv"] = Field("conv", description="DCGAN is convolutional (use `gan` for MLPs).")
    latent_dim: int = Field(100, ge=1)
    channels: tuple[int, ...] = Field((64, 128), description="Discriminator widths per stride-2 stage; the "
                                                             "generator mirrors them (128 -> 64 -> image).")
    discriminator_batch_norm: bool = True


class DCGAN(AdversarialModel):
    """Radford et al.'s convolutional GAN (see the module docstring)."""

    config_class = DCGANConfig
