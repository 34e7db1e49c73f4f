"""PyTorch-GAN's DCGAN networks as a genzoo architecture, so that genzoo's trainer can run them too.

dcgan_throughput.py's genzoo worker registers this module as a plugin (an entry point in a scratch
dist-info on sys.path: the same mechanism as an installed family, nothing private) to time
`genzoo.training.train` on PyTorch-GAN's own architecture (32x32 images, batch 64) beside PyTorch-GAN's
loop on it.

`bench-pytorch-gan-dcgan` is an adversarial-family GAN (`AdversarialModel`, trained by the family's
`GANStep`: DCGAN's Adam 2e-4 / 0.5 and the non-saturating loss) whose generator and discriminator are
PyTorch-GAN's `Generator` and `Discriminator` classes, imported unchanged from pytorch_gan_dcgan_worker.py
with their `weights_init_normal`. Two edits keep the maths and change where a squash happens:
- the discriminator's final Sigmoid becomes an Identity: GANStep scores logits with softplus, which is
  PyTorch-GAN's BCELoss of their sigmoid written stably;
- `fake` returns the generator's Tanh output as it is, since the data lie in [-1, 1] (genzoo's own GANs
  squash an unbounded output by a sigmoid onto the data's range instead).
`bench-mnist32` is MNIST's training split through the same resize and normalisation as the peer's worker.
"""

from __future__ import annotations

import torch
from torch import nn

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec, GenerativeModel, hookimpl
from genzoo.plugin import TensorDataset, load_dataset
from genzoo_adversarial.base import AdversarialConfig, AdversarialModel
from pytorch_gan_dcgan_worker import Discriminator, Generator, normalised, weights_init_normal

genzoo_hook_api = 2
ARCHITECTURE, DATASET = "bench-pytorch-gan-dcgan", "bench-mnist32"
MNIST32 = DataSpec(shape=(1, 32, 32), value_range=(-1.0, 1.0))


class PyTorchGANConfig(AdversarialConfig):
    data: DataSpec = MNIST32
    latent_dim: int = 100


class PyTorchGANDCGAN(AdversarialModel):
    """PyTorch-GAN's DCGAN networks behind the adversarial family's model contract (see the module docstring)."""

    config_class = PyTorchGANConfig

    def __init__(self, config: PyTorchGANConfig):
        GenerativeModel.__init__(self, config)  # not AdversarialModel.__init__, which builds genzoo's networks
        channels, side = config.data.shape[0], config.data.shape[-1]
        self.generator = Generator(side, config.latent_dim, channels)
        self.discriminator = Discriminator(side, channels)
        self.discriminator.adv_layer[1] = nn.Identity()
        self.generator.apply(weights_init_normal)
        self.discriminator.apply(weights_init_normal)

    def fake(self, z: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        return self.generator(z)

    def discriminator_logits(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        return self.discriminator(x)


def mnist32(split: str = "train") -> TensorDataset:
    """MNIST resized to 32x32 and normalised to [-1, 1], as PyTorch-GAN's loader gives it."""
    x, _ = load_dataset("mnist", split).tensors()
    return TensorDataset(normalised(x, MNIST32.shape[-1]), None, MNIST32, name=DATASET, split=split)


@hookimpl
def genzoo_architectures():
    return [ArchitectureSpec(name=ARCHITECTURE, family="benchmark", model="pytorch_gan_dcgan_plugin:PyTorchGANDCGAN",
                             capabilities=(Capability.SAMPLE,), methods=("generate", "generate_from_latent"),
                             trainers={"gan": "genzoo_adversarial.gan:GANStep"},
                             description="PyTorch-GAN's DCGAN networks (32x32) for dcgan_throughput.py")]


@hookimpl
def genzoo_datasets():
    return [DatasetSpec(name=DATASET, target="pytorch_gan_dcgan_plugin:mnist32")]
