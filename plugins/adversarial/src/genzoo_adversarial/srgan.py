"""SRGAN (Ledig et al. 2017): a residual generator that upsamples low-resolution images, and its discriminator.

The model translates: `translate(x)` maps images of `source` (7x7 for `mnist-sr`) to images of `data`
(28x28), so `genzoo translate RUN --input mnist-lowres:3` and the fidelity metrics (`psnr`, `ssim`)
run on it. It has two trainers (srgan_training.py): `srgan`, the paper's pixel + perceptual +
adversarial objective, and `pixel`, the same generator trained with L1 alone (the baseline the
paper calls SRResNet; its checkpoint keeps an untrained discriminator, so both share one class).
"""

from __future__ import annotations

import torch
from pydantic import Field, model_validator

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig

from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range
from genzoo_adversarial.srgan_networks import SRDiscriminator, SRResNet
from genzoo_adversarial.superresolution_data import MNIST_FACTOR, source_spec



class SRGANConfig(ModelConfig):
    data: DataSpec = MNIST
    source: DataSpec = Field(source_spec(MNIST, MNIST_FACTOR),
                             description="What translate takes: `data` shrunk by a power of two (mnist-sr's 7x7 "
                                         "by default; set model.source.shape for another factor).")
    channels: int = Field(32, ge=1, description="Generator width (the paper has 64; 32 keeps a CPU step cheap).")
    residual_blocks: int = Field(6, ge=0, description="Generator residual blocks (the paper has 16).")
    discriminator_channels: tuple[int, ...] = Field((16, 32, 64), description="Discriminator widths, one "
                                                                                 "stride-2 stage each.")
    discriminator_hidden: int = Field(256, ge=1, description="Width of the discriminator's dense hidden layer.")

    @model_validator(mode="after")
    def _source_fits_data(self):
        if not (self.data.is_image and self.source.is_image):
            raise ValueError(f"SRGAN needs image data and source, got shapes {self.data.shape} and {self.source.shape}")
        (c, h, w), (sc, sh, sw) = self.data.shape, self.source.shape
        scale = h // sh
        if sc != c or h != scale * sh or w != scale * sw or scale < 2 or scale & (scale - 1):
            raise ValueError(f"source {self.source.shape} must be data {self.data.shape} shrunk by a power of two "
                             f"(same channels, each side divided by 2, 4, 8, ...)")
        if self.data.value_range is None or self.data.dtype != "float32":
            raise ValueError("SRGAN generates float images in a bounded value_range")
        if not self.discriminator_channels or min(self.discriminator_channels) < 1:
            raise ValueError("discriminator_channels needs one or more positive widths")
        return self

    @property
    def scale(self) -> int:
        return self.data.shape[1] // self.source.shape[1]


class SRGAN(GenerativeModel):
    """`generator` (SRResNet) and `discriminator`; translate() is deterministic (it ignores `generator`)."""

    config_class = SRGANConfig
    capabilities = frozenset({Capability.TRANSLATE})
    default_sampler = None

    def __init__(self, config: SRGANConfig):
        super().__init__(config)
        channels, height, width = config.data.shape
        self.generator = SRResNet(channels, config.channels, config.residual_blocks, config.scale)
        self.discriminator = SRDiscriminator(channels, height, width, config.discriminator_channels,
                                             config.discriminator_hidden)

    def upsample(self, x: torch.Tensor) -> torch.Tensor:
        """The generator's output in the DataSpec's value range (a sigmoid), differentiable: what training calls."""
        return squash_to_range(self.generator(x), self.data_spec)

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        return as_valid_sample(self.upsample(x), self.data_spec)

    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """One realness logit per image."""
        return self.discriminator(x)
