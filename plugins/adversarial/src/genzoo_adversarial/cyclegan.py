"""CycleGAN (Zhu et al. 2017): two translators between unpaired domains A and B, each checked by the other.

G_ab: A -> B and G_ba: B -> A are ResNet-block generators (resnet_generator.py); D_a and D_b are
PatchGANs (translation_networks.py, instance norm) judging whether a patch looks like domain A or
B. Neither domain's images are paired with the other's: what ties a translation to its input is
the cycle, G_ba(G_ab(a)) ~ a and G_ab(G_ba(b)) ~ b (cyclegan_training.py has the losses; DiscoGAN
is the same model trained with the `discogan` trainer).

The model translates one way at a time: `direction` "a_to_b" (the default) runs G_ab, "b_to_a"
runs G_ba; `translate(x, direction=...)` overrides it per call from Python, and `genzoo translate`
follows the config (train with `--set model.direction=b_to_a`; both generators train either way). `source` is the input domain's DataSpec and
`data` the output's; CycleGAN's identity loss feeds each generator images of its own output domain,
so both must have the same shape (they default to the same spec).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import torch
from pydantic import Field, model_validator

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import ConfigError

from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range
from genzoo_adversarial.resnet_generator import ResNetGenerator
from genzoo_adversarial.translation_networks import PatchGAN

Direction = Literal["a_to_b", "b_to_a"]
# Which generator maps which way, and which discriminator judges each domain.
GENERATORS: dict[str, str] = {"a_to_b": "generator_ab", "b_to_a": "generator_ba"}


class CycleGANConfig(ModelConfig):
    data: DataSpec = MNIST
    source: DataSpec | None = Field(None, description="The input domain's DataSpec; None: the same as `data`.")
    direction: Direction = Field("a_to_b", description="What translate does: a_to_b runs G_ab, b_to_a runs G_ba.")
    width: int = Field(32, ge=1, description="Generator width after its first 7x7 convolution (the paper: 64).")
    blocks: int = Field(6, ge=0, description="Residual blocks at the generator's bottleneck (the paper: 6 or 9).")
    downsamplings: int = Field(2, ge=0, description="Stride-2 stages of the generator (each side must divide by "
                                                    "2 ** downsamplings).")
    discriminator_channels: tuple[int, ...] = Field(
        (32, 64, 128), description="PatchGAN widths (the paper's 70x70 PatchGAN: (64, 128, 256, 512)).")

    @model_validator(mode="before")
    @classmethod
    def _source_defaults_to_data(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("source") is None:
            values = {**values, "source": values.get("data", MNIST)}
        return values

    @model_validator(mode="after")
    def _domains_fit(self):
        for name, spec in (("data", self.data), ("source", self.source)):
            if not spec.is_image or spec.dtype != "float32":
                raise ValueError(f"CycleGAN translates float images (channels, height, width); {name} is "
                                 f"{spec.shape} {spec.dtype}")
        if self.source.shape != self.data.shape:
            raise ValueError(f"source {self.source.shape} and data {self.data.shape} must have one shape "
                             f"(the identity loss feeds each generator its own output domain)")
        factor = 2**self.downsamplings
        if any(side % factor for side in self.data.shape[1:]):
            raise ValueError(f"image sides {self.data.shape[1:]} must divide by 2 ** downsamplings = {factor}")
        if not self.discriminator_channels or min(self.discriminator_channels) < 1:
            raise ValueError("discriminator_channels needs one or more positive widths")
        return self


class CycleGAN(GenerativeModel):
    """G_ab, G_ba (ResNet generators) and D_a, D_b (PatchGANs); translate runs the configured direction."""

    config_class = CycleGANConfig
    capabilities = frozenset({Capability.TRANSLATE})
    default_sampler: ClassVar[str | None] = None

    def __init__(self, config: CycleGANConfig):
        super().__init__(config)
        channels = config.data.shape[0]

        def generator() -> ResNetGenerator:
            return ResNetGenerator(channels, channels, config.width, config.blocks, config.downsamplings)

        def discriminator() -> PatchGAN:
            return PatchGAN(channels, config.discriminator_channels, norm="instance")

        self.generator_ab, self.generator_ba = generator(), generator()
        self.discriminator_a, self.discriminator_b = discriminator(), discriminator()

    # -- domains -------------------------------------------------------------------------------
    def domain_spec(self, domain: Literal["a", "b"]) -> DataSpec:
        """The DataSpec of domain a or b (source and data, in the order the direction gives)."""
        first, second = (self.config.source, self.config.data)
        if self.config.direction == "b_to_a":
            first, second = second, first
        return first if domain == "a" else second

    @property
    def source_stream(self) -> str:
        """The stream of an unpaired dataset ("a" or "b") that `translate` takes inputs from."""
        return self.config.direction[0]

    @property
    def target_stream(self) -> str:
        """The stream whose images `translate` should look like."""
        return self.config.direction[-1]

    # -- translation ---------------------------------------------------------------------------
    def map(self, x: torch.Tensor, direction: Direction) -> torch.Tensor:
        """G_ab(x) or G_ba(x) in the target domain's value range, differentiable (what training uses): a
        sigmoid onto [low, high] (the paper's tanh output, rescaled)."""
        return squash_to_range(getattr(self, GENERATORS[direction])(x), self.domain_spec(direction[-1]))

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None,
                  direction: Direction | None = None) -> torch.Tensor:
        """Inputs of the source domain as images of the target domain (deterministic: `generator` is unused),
        snapped to the target's levels when its data are discrete."""
        direction = direction or self.config.direction
        if direction not in GENERATORS:
            raise ConfigError(f"direction must be one of {', '.join(GENERATORS)}, got {direction!r}")
        return as_valid_sample(self.map(x, direction), self.domain_spec(direction[-1]))

    def cycle(self, x: torch.Tensor, direction: Direction | None = None) -> torch.Tensor:
        """x translated and translated back: G_ba(G_ab(x)) for a_to_b, G_ab(G_ba(x)) for b_to_a."""
        direction = direction or self.config.direction
        back: Direction = "b_to_a" if direction == "a_to_b" else "a_to_b"
        return self.map(self.map(x, direction), back)
