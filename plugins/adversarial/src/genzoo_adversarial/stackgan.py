"""StackGAN (Zhang et al. 2017): a class-conditional GAN in two stages, a low-resolution sketch and its refinement.

The paper draws 64x64 bird and flower images from a text embedding (stage I) and refines them to 256x256
(stage II, conditioned on the text again). The analogue here: MNIST with the class label in place of the text.
Stage I draws a 14x14 digit (`stage_one_factor`=2: 28 / 2) from z and a conditioning-augmented code c of the label;
stage II reads that image and a second code of the same label and draws the 28x28 digit. 14x14, not 7x7: the
paper's stage I already gets a legible rough shape and colours, which at 7x7 many digits lack (see the SRGAN
section of the README), so stage II's job is the same as in the paper: refine a sketch rather than invent the digit.

Each stage has its own conditioning augmentation, generator and matching-aware discriminator (`Stage`). Training is
two runs (stackgan_training.py): `--trainer stage-one` on the data average-pooled to the stage-I size, then
`--trainer stage-two --init STAGE_ONE_RUN`, which trains stage II on stage I's frozen output. Sampling runs both
stages; `generate_stages` also returns the stage-I images (the `stackgan-stage-one` and `stackgan-stage-pairs`
samplers). Every random number of a sample (z, the two codes' eps) comes from the caller's generator, in that order.
"""

from __future__ import annotations

import torch
from pydantic import Field, model_validator
from torch import nn
from torch.nn import functional as F

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import CapabilityError

from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range
from genzoo_adversarial.noise import normal
from genzoo_adversarial.stackgan_networks import (ConditioningAugmentation, LabelledDiscriminator, StageOneGenerator,
                                                  StageTwoGenerator)

UPSAMPLING_MODES = ("nearest", "bilinear")


class StackGANConfig(ModelConfig):
    data: DataSpec = Field(MNIST, description="The full-resolution labelled images (stage II's output).")
    stage_one_factor: int = Field(2, ge=2, description="Stage I draws the data shrunk by this power of two "
                                                       "(2: 14x14 for MNIST).")
    latent_dim: int = Field(100, ge=1, description="Dimension of stage I's N(0, I) input z.")
    code_dim: int = Field(16, ge=1, description="Dimension of each stage's conditioning-augmentation code c.")
    stage_one_channels: tuple[int, ...] = Field((128, 64), description="Stage-I generator widths: the first at the "
                                                                       "smallest map, one upsampling stage per next.")
    stage_one_discriminator: tuple[int, ...] = Field((64, 128), description="Stage-I discriminator widths, one "
                                                                            "stride-2 conv each.")
    stage_two_width: int = Field(64, ge=1, description="Stage-II generator width at its residual blocks.")
    residual_blocks: int = Field(2, ge=0, description="Stage-II residual blocks (the paper's code has 4).")
    stage_two_discriminator: tuple[int, ...] = Field((32, 64, 128), description="Stage-II discriminator widths, one "
                                                                                "stride-2 conv each.")

    @model_validator(mode="after")
    def _shapes_fit(self):
        spec = self.data
        if not spec.is_image or spec.shape[1] != spec.shape[2]:
            raise ValueError(f"StackGAN needs square images (channels, side, side), got shape {spec.shape}")
        if (spec.num_classes or 0) < 2:
            raise ValueError("StackGAN is class-conditional: it needs data with num_classes >= 2 (labelled data)")
        if spec.value_range is None or spec.dtype != "float32":
            raise ValueError("StackGAN generates float images in a bounded value_range")
        factor, side = self.stage_one_factor, spec.shape[1]
        if factor & (factor - 1) or side % factor:
            raise ValueError(f"stage_one_factor {factor} must be a power of two dividing the image side {side}")
        low = side // factor
        widths = self.stage_one_channels
        if not widths or min(widths) < 1 or low % 2 ** (len(widths) - 1) or low % 2:
            raise ValueError(f"stage_one_channels {widths}: need positive widths and an even stage-I side ({low}) "
                             f"that divides by 2 ** (len(stage_one_channels) - 1) (one upsampling per width after "
                             f"the first; stage II halves it once)")
        for name, widths, size in (("stage_one_discriminator", self.stage_one_discriminator, low),
                                   ("stage_two_discriminator", self.stage_two_discriminator, side)):
            if not widths or min(widths) < 1 or size < 2 ** len(widths):
                raise ValueError(f"{name} {widths}: need one or more positive widths, at most log2({size}) of them")
        return self

    @property
    def stage_one_shape(self) -> tuple[int, int, int]:
        channels, height, width = self.data.shape
        return channels, height // self.stage_one_factor, width // self.stage_one_factor


class Stage(nn.Module):
    """One stage's conditioning augmentation, generator and discriminator (what its trainer updates)."""

    def __init__(self, conditioning: nn.Module, generator: nn.Module, discriminator: nn.Module):
        super().__init__()
        self.conditioning, self.generator, self.discriminator = conditioning, generator, discriminator


class StackGAN(GenerativeModel):
    """`stage_one` and `stage_two` (see the module docstring); samples are stage II's full-resolution images."""

    config_class = StackGANConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.CONDITIONAL})
    default_sampler = "ancestral"

    def __init__(self, config: StackGANConfig):
        super().__init__(config)
        channels, side, _ = config.data.shape
        classes, code, low = config.data.num_classes, config.code_dim, config.stage_one_shape[1]
        self.stage_one = Stage(
            ConditioningAugmentation(classes, code),
            StageOneGenerator(config.latent_dim, code, config.stage_one_channels, channels, low),
            LabelledDiscriminator(channels, low, config.stage_one_discriminator, classes))
        self.stage_two = Stage(
            ConditioningAugmentation(classes, code),
            StageTwoGenerator(channels, code, config.stage_two_width, config.residual_blocks, config.stage_one_factor),
            LabelledDiscriminator(channels, side, config.stage_two_discriminator, classes))

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def label(self, condition: torch.Tensor | None) -> torch.Tensor:
        """The one-hot label both stages' conditioning and discriminators read."""
        if condition is None:
            raise CapabilityError(f"{self.name!r} is conditional: pass condition=labels")
        return F.one_hot(condition.long(), self.data_spec.num_classes).to(self.device).float()

    def low_resolution(self, x: torch.Tensor) -> torch.Tensor:
        """Full-resolution images average-pooled to the stage-I size: stage I's real data."""
        return F.avg_pool2d(x, self.config.stage_one_factor)

    # -- the two stages, differentiable (what training calls) ----------------------------------------
    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return normal((n, self.latent_dim), generator, self.device)

    def stage_one_fake(self, z: torch.Tensor, label: torch.Tensor, generator: torch.Generator | None = None):
        """(stage-I image in the value range, mu, log_sigma) for latents z and one-hot labels."""
        code, mu, log_sigma = self.stage_one.conditioning(label, generator)
        return squash_to_range(self.stage_one.generator(z, code), self.data_spec), mu, log_sigma

    def stage_two_fake(self, low: torch.Tensor, label: torch.Tensor, generator: torch.Generator | None = None):
        """(full-resolution image refined from the stage-I images `low`, mu, log_sigma)."""
        code, mu, log_sigma = self.stage_two.conditioning(label, generator)
        return squash_to_range(self.stage_two.generator(low, code), self.data_spec), mu, log_sigma

    # -- sampling ----------------------------------------------------------------------------------
    def as_sample(self, x: torch.Tensor) -> torch.Tensor:
        """Images in the value range made valid samples: snapped to the nearest level for discrete data."""
        return as_valid_sample(x, self.data_spec)

    def generate_stage_one(self, n: int, *, condition: torch.Tensor | None = None,
                           generator: torch.Generator | None = None) -> torch.Tensor:
        """Stage I's low-resolution images (continuous, in the value range), the same as generate_stages' first."""
        label = self.label(condition)
        return self.stage_one_fake(self.sample_latent(n, generator), label, generator)[0]

    def generate_stages(self, n: int, *, condition: torch.Tensor | None = None,
                        generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(stage-I images, the stage-II samples refined from them) for the same latents and labels."""
        low = self.generate_stage_one(n, condition=condition, generator=generator)
        high = self.stage_two_fake(low, self.label(condition), generator)[0]
        return low, self.as_sample(high)

    def generate(self, n: int, *, condition: torch.Tensor | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        return self.generate_stages(n, condition=condition, generator=generator)[1]

    def upsample_stage_one(self, low: torch.Tensor, mode: str = "bilinear") -> torch.Tensor:
        """Stage-I images brought to the data's size (nearest: its pixels as blocks; bilinear) as valid samples."""
        options = {"align_corners": False} if mode == "bilinear" else {}
        return self.as_sample(F.interpolate(low, size=self.data_spec.shape[1:], mode=mode, **options))
