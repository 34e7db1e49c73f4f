"""A small CNN classifier whose penultimate features stand in for Inception in FID and KID.

Inception weights cannot be downloaded here, and its features say little about 8x8 digits anyway,
so the project trains one of these per image dataset and publishes it (`classifier-mnist`,
`classifier-digits`). It is a GenerativeModel with no generative capability only so that it is
saved, pinned, listed and loaded exactly like every other checkpoint.
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from genzoo.capabilities import Capability
from genzoo.config import ModelConfig
from genzoo.dataspec import DataSpec
from genzoo.model import GenerativeModel

MNIST_SPEC = DataSpec(shape=(1, 28, 28), kind="continuous", value_range=(0.0, 1.0), levels=256, num_classes=10)


class ClassifierConfig(ModelConfig):
    data: DataSpec = MNIST_SPEC
    channels: tuple[int, int] = Field((32, 64), description="Channels of the two 3x3 conv layers (each then 2x2 pooling).")
    hidden: int = Field(128, ge=2, description="Width of the penultimate layer: the feature dimension of FID/KID.")
    dropout: float = Field(0.25, ge=0.0, lt=1.0)


class Classifier(GenerativeModel):
    """conv-relu-pool x2, then an MLP; inputs are in the DataSpec's value range."""

    config_class = ClassifierConfig
    capabilities: frozenset[Capability] = frozenset()  # evaluation only: it neither samples nor scores data
    default_sampler = None

    def __init__(self, config: ClassifierConfig):
        super().__init__(config)
        if not config.data.is_image or not config.data.num_classes:
            raise ValueError("the classifier needs image data with num_classes")
        channels, height, width = config.data.shape
        c1, c2 = config.channels
        self.body = nn.Sequential(
            nn.Conv2d(channels, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(c2 * (height // 4) * (width // 4), config.hidden), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(config.hidden, config.data.num_classes))

    def _normalise(self, x: torch.Tensor) -> torch.Tensor:
        low, high = self.data_spec.value_range or (0.0, 1.0)
        x = x.to(self.head[1].weight.dtype).reshape(len(x), *self.data_spec.shape)
        return (x - low) / (high - low) * 2 - 1

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (n, hidden): the embedding that FID and KID compare."""
        return self.body(self._normalise(x))

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (n, num_classes)."""
        return self.head(self.features(x))

    forward = classify
