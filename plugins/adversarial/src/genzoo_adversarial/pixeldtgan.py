"""PixelDTGAN (Yoo et al. 2016): pixel-level domain transfer by a converter against two discriminators.

The paper's task: from a photo of a dressed person, draw the worn garment as a product photo (its
LookBook pairs, 64x64). The converter C is an encoder-decoder; a real/fake discriminator D_R pushes
C(s) to look like a real product photo, and a domain discriminator D_A, which sees the source with
a target, pushes C(s) to be *the* product of that source: it learns to accept associated pairs and
reject both converted pairs and real but unassociated ones (domain_transfer_losses.py). The paper
drops a pixel-wise loss because many sources (poses, crops) map to one target, where a mean is a blur.

Our analogue (cluttered_scenes.py): the source is a 40x40 scene with one MNIST digit at a random
position, scale and contrast among distractor strokes and noise, the target the same digit clean and
centred at 28x28 (`mnist-scenes`). `translate` runs the converter in eval mode (batch norm on its
running statistics): a translation is a function of the scene, and `generator` is accepted but unused
(the paper's converter has no noise input either).

`genzoo train pixeldtgan --data mnist-scenes --out RUN`, then `genzoo translate RUN --input
mnist-cluttered:3`; `--set step.l1_weight=1 --set step.adversarial_weight=0` trains the pixel-loss baseline.
"""

from __future__ import annotations

import torch
from pydantic import Field, model_validator

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig

from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.cluttered_scenes import MNIST_SCENE, scene_spec
from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range
from genzoo_adversarial.pixeldtgan_networks import Converter, DomainDiscriminator, conv_reader

Widths = tuple[int, ...]


class PixelDTGANConfig(ModelConfig):
    """Target images (`data`, the training data's "x"), source images, and the widths of the three networks."""

    data: DataSpec = MNIST
    source: DataSpec = Field(scene_spec(MNIST_SCENE), description="What translate takes (mnist-scenes' 40x40 scenes "
                                                                  "by default; set model.source for other data).")
    source_channels: Widths = Field((32, 64, 128), description="Widths of the networks that read sources (the "
                                                                "converter's encoder, D_A's source branch), one "
                                                                "stride-2 stage each.")
    target_channels: Widths = Field((32, 64), description="Widths of the networks that read or draw targets (D_R, "
                                                          "D_A's target branch; the decoder mirrors them).")
    code_dim: int = Field(64, ge=1, description="The converter's bottleneck (the paper's 64).")
    domain_hidden: int = Field(64, ge=1, description="Width of each D_A branch's vector and of its joint layer.")

    @model_validator(mode="after")
    def _images_that_fit_the_networks(self):
        for name, spec, widths in (("data", self.data, self.target_channels),
                                   ("source", self.source, self.source_channels)):
            if not spec.is_image or spec.value_range is None or spec.dtype == "int64":
                raise ValueError(f"pixeldtgan's {name} must be float images with a value_range, not shape "
                                 f"{spec.shape} ({spec.dtype}, range {spec.value_range})")
            if not widths or min(widths) < 1:
                raise ValueError(f"the {name} networks need one or more positive widths, got {widths}")
            factor = 2 ** len(widths)
            if any(side % factor for side in spec.shape[1:]):
                raise ValueError(f"{name} images {spec.shape} need sides that divide by {factor}, one halving per "
                                 f"width in {'target' if name == 'data' else 'source'}_channels {widths}")
        return self


class PixelDTGAN(GenerativeModel):
    """`converter`, `discriminator` (D_R, real/fake) and `domain_discriminator` (D_A); see the module docstring."""

    config_class = PixelDTGANConfig
    capabilities = frozenset({Capability.TRANSLATE})
    default_sampler = None

    def __init__(self, config: PixelDTGANConfig):
        super().__init__(config)
        source, target = config.source, config.data
        self.converter = Converter(source, target, config.source_channels, config.target_channels, config.code_dim)
        self.discriminator = conv_reader(target, config.target_channels, 1)
        self.domain_discriminator = DomainDiscriminator(source, target, config.source_channels, config.target_channels,
                                                        config.domain_hidden)

    def convert(self, source: torch.Tensor) -> torch.Tensor:
        """C(s) in the data's value range, differentiable: a sigmoid onto [low, high] (the paper's tanh, rescaled)."""
        return squash_to_range(self.converter(source), self.data_spec)

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """C(x), snapped to the data's levels when they are discrete or binary (`generator` is unused: see above)."""
        return as_valid_sample(self.convert(x.to(self.dtype)), self.data_spec)

    def judge_real(self, image: torch.Tensor) -> torch.Tensor:
        """D_R's realness logit per target-domain image, (n,)."""
        return self.discriminator(image)[:, 0]

    def judge_pairs(self, source: torch.Tensor, *images: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """D_A's logits that each of `images` is the target associated with `source`, one (n,) tensor per image set."""
        return self.domain_discriminator(source, *images)
