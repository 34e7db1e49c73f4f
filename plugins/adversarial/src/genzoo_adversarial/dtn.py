"""DTN, the Domain Transfer Network (Taigman et al. 2017): G = g o f with a fixed feature extractor f.

f is a frozen, pretrained project classifier (its penultimate features, the 128-d layer), trained
with labels on one of the two domains, as the paper's f is on SVHN; `encoder_weights` names it
and `encoder_domain` says which domain it reads. g is a deconvolution decoder (the family's DCGAN
generator, networks.ConvGenerator) from those features to target-domain images. f sees both
domains: an image of the other domain is brought into f's frame first by `encoder_view` (its
digit box, the image less its `*_margin`, resized to the digit box of f's domain, area averaging
down and bilinear up, then padded with f's margin: MNIST centres its digits in a 20x20 box of
28x28, the 8x8 digits fill their frame). The discriminator is a DCGAN one with three outputs
(dtn_losses.py). translate(x) = g(f(x)) for source images x.

f's weights are copied from the named pretrained classifier when the model is built and saved with
it (translate needs them); they never train (`requires_grad` off; the classifier's only dropout
sits in its head, which f does not use, so f is the same function in train and eval mode).
"""

from __future__ import annotations

from typing import ClassVar, Literal

import torch
from pydantic import Field, model_validator
from torch.nn import functional as F

import genzoo
from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import ConfigError

from genzoo_adversarial.domain_transfer_data import INPUT, TARGET
from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range
from genzoo_adversarial.networks import NetworkConfig, build_discriminator, build_generator

MNIST_IMAGE = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10)
DIGITS_8X8 = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0), levels=17, num_classes=10)
Domain = Literal["source", "target"]
DISCRIMINATOR_OUTPUTS = 3  # fake from source, fake from target, real target


class DTNConfig(ModelConfig):
    data: DataSpec = MNIST_IMAGE
    source: DataSpec = Field(DIGITS_8X8, description="What translate takes (the source domain).")
    encoder_domain: Domain = Field("source", description="The domain f was trained on: its images reach f as they "
                                                         "are, the other domain's through encoder_view.")
    encoder_weights: str | None = Field(
        "classifier-digits", description="Pretrained genzoo classifier copied into f when the model is built "
                                         "(None: a random f, for tests).")
    encoder_channels: tuple[int, int] = Field((32, 64), description="f's two conv widths (the classifier's).")
    encoder_hidden: int = Field(128, ge=1, description="f's feature dimension (the classifier's penultimate layer).")
    source_margin: int = Field(0, ge=0, description="Empty border around the digit box of source images (digits: 0).")
    target_margin: int = Field(4, ge=0, description="Empty border around the digit box of target images (MNIST: 4).")
    channels: tuple[int, ...] = Field((32, 64), description="Discriminator widths, one stride-2 stage each; "
                                                            "g mirrors them.")

    @model_validator(mode="after")
    def _domains_fit(self):
        for name, spec in (("data", self.data), ("source", self.source)):
            if not spec.is_image or spec.dtype != "float32" or spec.value_range is None:
                raise ValueError(f"DTN translates float images in a bounded value_range; {name} is {spec.shape} "
                                 f"{spec.dtype}")
        if self.source.shape[0] != self.data.shape[0]:
            raise ValueError(f"source {self.source.shape} and data {self.data.shape} need the same channels")
        for name, spec, margin in (("source", self.source, self.source_margin),
                                   ("target", self.data, self.target_margin)):
            if 2 * margin >= min(spec.shape[1:]):
                raise ValueError(f"{name}_margin {margin} leaves no digit box in {spec.shape}")
        encoder = self.encoder_spec
        if not encoder.num_classes or any(side % 4 for side in encoder.shape[1:]):
            raise ValueError(f"f is a classifier of the {self.encoder_domain} domain: it needs num_classes and "
                             f"sides that divide by 4, got {encoder.shape}")
        return self

    @property
    def encoder_spec(self) -> DataSpec:
        return self.source if self.encoder_domain == "source" else self.data

    def margin(self, domain: Domain) -> int:
        return self.source_margin if domain == "source" else self.target_margin


class DTN(GenerativeModel):
    """f (`encoder`, frozen), g (`generator`) and a three-way `discriminator`; translate is g(f(x))."""

    config_class = DTNConfig
    capabilities = frozenset({Capability.TRANSLATE})
    default_sampler: ClassVar[str | None] = None
    source_stream, target_stream = INPUT, TARGET  # the streams of digits2mnist that translate reads and writes

    def __init__(self, config: DTNConfig):
        super().__init__(config)
        spec = config.encoder_spec
        self.encoder = genzoo.create("classifier", data=spec, channels=config.encoder_channels,
                                     hidden=config.encoder_hidden, dropout=0.0)
        # genzoo.load first sizes a checkpoint's model on the meta device: nothing to copy into (the checkpoint
        # brings f's weights anyway)
        if config.encoder_weights and not next(self.encoder.parameters()).is_meta:
            _copy_classifier(self.encoder, config.encoder_weights)
        self.encoder.requires_grad_(False)
        networks = NetworkConfig(data=config.data, network="conv", latent_dim=config.encoder_hidden,
                                 channels=config.channels)
        self.generator = build_generator(networks)
        self.discriminator = build_discriminator(networks, DISCRIMINATOR_OUTPUTS)

    # -- f -------------------------------------------------------------------------------------
    def encoder_view(self, x: torch.Tensor, domain: Domain) -> torch.Tensor:
        """Images of `domain` in f's frame: unchanged for f's own domain, else their digit box resized to
        the digit box of f's domain and padded with its margin (differentiable)."""
        config = self.config
        if domain == config.encoder_domain:
            return x
        own, margin = config.margin(domain), config.margin(config.encoder_domain)
        box = x[..., own:x.shape[-2] - own, own:x.shape[-1] - own]
        size = tuple(side - 2 * margin for side in config.encoder_spec.shape[1:])
        if box.shape[-1] >= size[-1]:
            resized = F.interpolate(box, size=size, mode="area")
        else:
            resized = F.interpolate(box, size=size, mode="bilinear", align_corners=False)
        return F.pad(resized, (margin,) * 4)

    def features(self, x: torch.Tensor, domain: Domain) -> torch.Tensor:
        """f(x): the frozen classifier's penultimate features (n, encoder_hidden) of images of `domain`."""
        return self.encoder.features(self.encoder_view(x, domain))

    # -- g -------------------------------------------------------------------------------------
    def render(self, features: torch.Tensor) -> torch.Tensor:
        """g(features): target-domain images in the data's value range (a sigmoid), differentiable."""
        return squash_to_range(self.generator(features), self.data_spec)

    def transfer(self, x: torch.Tensor, domain: Domain = "source") -> torch.Tensor:
        """G(x) = g(f(x)) for images of either domain (training renders target images too: L_TID)."""
        return self.render(self.features(x, domain))

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Source images as target-domain images (deterministic: `generator` is unused), snapped to the target's
        levels when its data are discrete."""
        return as_valid_sample(self.transfer(x, "source"), self.data_spec)

    # -- D -------------------------------------------------------------------------------------
    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """Three logits per target-domain image: from source, from target, real."""
        return self.discriminator(x)


def _copy_classifier(encoder: GenerativeModel, name: str) -> None:
    """The weights of the pretrained classifier `name` copied into `encoder`, or a one-line error when its
    shapes or value range differ."""
    pretrained = genzoo.load(name, device="cpu")
    ours, theirs = encoder.state_dict(), pretrained.state_dict()
    fits = set(ours) == set(theirs) and all(ours[k].shape == theirs[k].shape for k in ours)
    if not fits or pretrained.data_spec.shape != encoder.data_spec.shape \
            or pretrained.data_spec.value_range != encoder.data_spec.value_range:
        raise ConfigError(f"encoder_weights {name!r} ({pretrained.data_spec.shape}, range "
                          f"{pretrained.data_spec.value_range}) does not fit f ({encoder.data_spec.shape}, range "
                          f"{encoder.data_spec.value_range}, channels and hidden as configured): pick the classifier "
                          f"of the encoder_domain's data")
    encoder.load_state_dict(theirs)
