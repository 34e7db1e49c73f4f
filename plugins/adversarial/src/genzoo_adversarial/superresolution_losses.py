"""SRGAN's content losses, as small pure functions (each checked by hand in tests/test_superresolution_losses.py).

The adversarial terms are the family's own (`losses.discriminator_loss`,
`losses.non_saturating_generator_loss`). The content loss is a pixel loss plus a perceptual loss:
Ledig et al. compare VGG19 feature maps of the output and the target instead of pixels alone,
because the pixel-wise optimum of an ill-posed upsampling is the blurry mean of the plausible
images. Here the feature maps are the project classifier's (no VGG weights can be downloaded, and
VGG knows nothing of digits): see `ClassifierFeatureMaps`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from genzoo.plugin import ConfigError

from genzoo_adversarial.losses import absolute_error as pixel_loss  # noqa: F401  (L1 over every pixel)



def perceptual_loss(features: Callable[[torch.Tensor], torch.Tensor], fake: torch.Tensor,
                    real: torch.Tensor) -> torch.Tensor:
    """Ledig et al.'s VGG loss with another feature map: mean squared difference of features(fake) and
    features(real) over every feature of the batch; the target's features carry no gradient."""
    with torch.no_grad():
        target = features(real)
    return (features(fake) - target).square().mean()


class ClassifierFeatureMaps(nn.Module):
    """The convolutional feature maps of a genzoo classifier: its `body` up to (not including) its last
    max-pooling, frozen and in eval mode.

    The analogue of the paper's phi_5,4 (VGG19's last convolution's activations before its last
    pooling). For classifier-mnist these are 64 maps of 14x14 after the second conv's ReLU, not the
    128-d penultimate layer that FID compares, so the loss does not optimise the FID features
    themselves. Inputs are scaled to [-1, 1] from the classifier's value range, as its own forward does.
    """

    def __init__(self, classifier: nn.Module):
        super().__init__()
        body = getattr(classifier, "body", None)
        layers = list(body) if isinstance(body, nn.Sequential) else []
        pools = [i for i, layer in enumerate(layers) if isinstance(layer, nn.MaxPool2d)]
        if not pools:
            raise ConfigError(f"{classifier.name!r} has no convolutional body with max-pooling; "
                              "the perceptual loss needs a genzoo classifier")
        self.layers = nn.Sequential(*layers[: pools[-1]])
        self.value_range = classifier.data_spec.value_range or (0.0, 1.0)
        self.image_shape = tuple(classifier.data_spec.shape)
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> ClassifierFeatureMaps:
        return super().train(False)  # dropout-free and frozen: it never trains

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        low, high = self.value_range
        return self.layers((x - low) / (high - low) * 2 - 1)
