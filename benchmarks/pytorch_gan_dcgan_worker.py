"""PyTorch-GAN's DCGAN training loop, timed, for benchmarks/dcgan_throughput.py (runs without genzoo).

Transcribed from eriklindernoren/PyTorch-GAN, implementations/dcgan/dcgan.py at commit
36d3c77e5ff20ebe0aeefd322326a134a279b93e (the repository's head; the file last changed in c5d6be1):
https://github.com/eriklindernoren/PyTorch-GAN/blob/36d3c77e5ff20ebe0aeefd322326a134a279b93e/implementations/dcgan/dcgan.py

    MIT License, Copyright (c) 2018 Erik Linder-Norén. Permission is hereby granted, free of charge, to
    any person obtaining a copy of this software and associated documentation files (the "Software"), to
    deal in the Software without restriction, including without limitation the rights to use, copy,
    modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
    persons to whom the Software is furnished to do so, subject to the following conditions: The above
    copyright notice and this permission notice shall be included in all copies or substantial portions
    of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
    INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
    NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR
    OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
    CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

`weights_init_normal`, `Generator`, `Discriminator` and the body of the training loop are the original's,
line for line. Deviations, all of them:
1. `opt.*` globals became arguments (`img_size`, `latent_dim`, `channels`; `--batch-size`, lr 2e-4 and
   betas (0.5, 0.999) are the original's defaults); `print(opt)` and `os.makedirs("images")` dropped.
2. Data: torchvision's `datasets.MNIST` with `Resize(img_size)`, `ToTensor()`, `Normalize([0.5], [0.5])`
   (no torchvision here) became in-memory tensors read from the IDX files, scaled to [0, 1], resized by
   bilinear interpolation (only when img_size is not 28; PIL's bilinear resize works on bytes) and
   normalised to [-1, 1] once before the loop. The `DataLoader(..., batch_size=64, shuffle=True)` over
   them is the original's, so collation per batch is still paid; PIL decoding per image is not, which
   can only make this side faster.
3. CPU only: the `cuda` branches are gone and `Tensor` is `torch.FloatTensor`.
4. `save_image` every 400 batches dropped (torchvision; genzoo's side writes no sample grids either).
   The per-batch `print` of both losses is kept (its `.item()` calls are part of the loop's cost).
5. The loop stops after `--steps` batches and reads the wall clock and its CPU time after each; numpy and
   torch are seeded.
6. `--arch radford` runs the same loop on `RadfordGenerator` / `RadfordDiscriminator`: genzoo's `dcgan`
   networks (Radford et al.'s all-conv DCGAN at 28x28) transcribed as plain layer lists, with PyTorch-GAN's
   output conventions (a final Tanh on the generator for [-1, 1] data, a final Sigmoid on the discriminator
   for its BCELoss). dcgan_throughput.py checks the layers against genzoo's, layer by layer.

Prints one JSON line last: wall-clock and CPU seconds per step of each timed window, parameter counts, the layer table,
peak RSS and versions.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable

COMMIT = "36d3c77e5ff20ebe0aeefd322326a134a279b93e"
ARCHITECTURES = {"pytorch-gan": 32, "radford": 28}  # architecture -> image side it trains at


# ---- PyTorch-GAN's model code (deviation 1: opt.* as arguments) ----------------------------------------
def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm2d") != -1:
        torch.nn.init.normal_(m.weight.data, 1.0, 0.02)
        torch.nn.init.constant_(m.bias.data, 0.0)


class Generator(nn.Module):
    def __init__(self, img_size=32, latent_dim=100, channels=1):
        super(Generator, self).__init__()

        self.init_size = img_size // 4
        self.l1 = nn.Sequential(nn.Linear(latent_dim, 128 * self.init_size ** 2))

        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(128),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 128, 3, stride=1, padding=1),
            nn.BatchNorm2d(128, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 64, 3, stride=1, padding=1),
            nn.BatchNorm2d(64, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(64, channels, 3, stride=1, padding=1),
            nn.Tanh(),
        )

    def forward(self, z):
        out = self.l1(z)
        out = out.view(out.shape[0], 128, self.init_size, self.init_size)
        img = self.conv_blocks(out)
        return img


class Discriminator(nn.Module):
    def __init__(self, img_size=32, channels=1):
        super(Discriminator, self).__init__()

        def discriminator_block(in_filters, out_filters, bn=True):
            block = [nn.Conv2d(in_filters, out_filters, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
            if bn:
                block.append(nn.BatchNorm2d(out_filters, 0.8))
            return block

        self.model = nn.Sequential(
            *discriminator_block(channels, 16, bn=False),
            *discriminator_block(16, 32),
            *discriminator_block(32, 64),
            *discriminator_block(64, 128),
        )

        # The height and width of downsampled image
        ds_size = img_size // 2 ** 4
        self.adv_layer = nn.Sequential(nn.Linear(128 * ds_size ** 2, 1), nn.Sigmoid())

    def forward(self, img):
        out = self.model(img)
        out = out.view(out.shape[0], -1)
        validity = self.adv_layer(out)

        return validity


# ---- genzoo's dcgan networks as plain layer lists (deviation 6) ------------------------------------------
class RadfordGenerator(nn.Module):
    """z -> ConvT 7x7 to 128x7x7 -> BN, ReLU, ConvT 4/2 to 64x14x14 -> BN, ReLU, ConvT 4/2 to 1x28x28 -> Tanh."""

    def __init__(self, latent_dim=100, channels=1):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 128, 7),
            nn.BatchNorm2d(128), nn.ReLU(), nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1),
            nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, channels, 4, stride=2, padding=1),
        )
        self.out = nn.Tanh()

    def forward(self, z):
        return self.out(self.net(z[:, :, None, None]))


class RadfordDiscriminator(nn.Module):
    """x -> Conv 4/2 to 64x14x14, LeakyReLU -> Conv 4/2 to 128x7x7, BN, LeakyReLU -> Conv 7x7 to 1 -> Sigmoid."""

    def __init__(self, channels=1):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 1, 7), nn.Flatten(),
        )
        self.out = nn.Sigmoid()

    def forward(self, img):
        return self.out(self.net(img))


def networks(arch: str, latent_dim: int = 100, channels: int = 1) -> tuple[nn.Module, nn.Module]:
    if arch == "radford":
        return RadfordGenerator(latent_dim, channels), RadfordDiscriminator(channels)
    img_size = ARCHITECTURES[arch]
    return Generator(img_size, latent_dim, channels), Discriminator(img_size, channels)


# ---- shared with dcgan_throughput.py (which imports this module on genzoo's side) --------------------------
def layer_table(module: nn.Module, example: torch.Tensor) -> list[list]:
    """[layer repr, parameter count, output shape] of every leaf layer, in call order, for one eval-mode
    forward of `example`: the evidence that two networks are the same."""
    rows: list[list] = []
    hooks = [layer.register_forward_hook(lambda layer, _, out: rows.append(
        [repr(layer), sum(p.numel() for p in layer.parameters()), list(out.shape)]))
        for layer in module.modules() if not list(layer.children())]
    was_training = module.training
    module.eval()
    with torch.no_grad():
        module(example)
    module.train(was_training)
    for hook in hooks:
        hook.remove()
    return rows


def compared_layers(arch: str, generator: nn.Module,
                    discriminator: nn.Module) -> dict[str, tuple[nn.Module, torch.Tensor]]:
    """The layers to set beside genzoo's, with an example input each: for `radford` the layer lists without
    the output squash (genzoo maps the generator's output by a sigmoid and scores logits), else the whole
    networks."""
    side = ARCHITECTURES[arch]
    if arch == "radford":
        return {"generator": (generator.net, torch.zeros(2, 100, 1, 1)),
                "discriminator": (discriminator.net, torch.zeros(2, 1, side, side))}
    return {"generator": (generator, torch.zeros(2, 100)),
            "discriminator": (discriminator, torch.zeros(2, 1, side, side))}


def mnist_images(path: Path, img_size: int) -> torch.Tensor:
    """The MNIST images of one IDX file (gzip or raw), (n, 1, img_size, img_size) in [-1, 1] (deviation 2)."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    count, rows, cols = (int.from_bytes(raw[4 * k : 4 * k + 4], "big") for k in (1, 2, 3))
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
    return normalised(torch.from_numpy(pixels.astype(np.float32) / 255.0), img_size)


def normalised(x: torch.Tensor, img_size: int) -> torch.Tensor:
    """Images in [0, 1] resized to img_size (bilinear) and normalised to [-1, 1]: Resize, ToTensor and
    Normalize([0.5], [0.5]) of the original loader, on tensors."""
    if img_size != x.shape[-1]:
        x = nn.functional.interpolate(x, size=(img_size, img_size), mode="bilinear", align_corners=False)
    return (x - 0.5) / 0.5


def window_seconds(stamps: dict[int, float], warmup: int, window: int) -> list[float]:
    """Seconds per step of each window of `window` steps after the first `warmup`, from the clock's reading
    `stamps[k]` at the end of step k."""
    last = max(stamps)
    return [(stamps[end] - stamps[end - window]) / window for end in range(warmup + window, last + 1, window)]


def clocks() -> tuple[float, float]:
    """(wall clock, this process's CPU time): the CPU time of a one-thread run hardly moves with the machine's load."""
    return time.perf_counter(), time.process_time()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the original training loop (deviations 3-5) ---------------------------------------------------------
def train(arch: str, imgs_all: torch.Tensor, batch_size: int, steps: int,
          latent_dim: int = 100) -> tuple[list, nn.Module, nn.Module]:
    # Loss function
    adversarial_loss = torch.nn.BCELoss()

    # Initialize generator and discriminator
    generator, discriminator = networks(arch, latent_dim)

    # Initialize weights
    generator.apply(weights_init_normal)
    discriminator.apply(weights_init_normal)

    dataloader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(imgs_all, torch.zeros(len(imgs_all), dtype=torch.long)),
        batch_size=batch_size,
        shuffle=True,
    )

    # Optimizers
    optimizer_G = torch.optim.Adam(generator.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=0.0002, betas=(0.5, 0.999))

    Tensor = torch.FloatTensor

    stamps = [clocks()]
    n_epochs = -(-steps // len(dataloader))
    for epoch in range(n_epochs):
        for i, (imgs, _) in enumerate(dataloader):

            # Adversarial ground truths
            valid = Variable(Tensor(imgs.shape[0], 1).fill_(1.0), requires_grad=False)
            fake = Variable(Tensor(imgs.shape[0], 1).fill_(0.0), requires_grad=False)

            # Configure input
            real_imgs = Variable(imgs.type(Tensor))

            # -----------------
            #  Train Generator
            # -----------------

            optimizer_G.zero_grad()

            # Sample noise as generator input
            z = Variable(Tensor(np.random.normal(0, 1, (imgs.shape[0], latent_dim))))

            # Generate a batch of images
            gen_imgs = generator(z)

            # Loss measures generator's ability to fool the discriminator
            g_loss = adversarial_loss(discriminator(gen_imgs), valid)

            g_loss.backward()
            optimizer_G.step()

            # ---------------------
            #  Train Discriminator
            # ---------------------

            optimizer_D.zero_grad()

            # Measure discriminator's ability to classify real from generated samples
            real_loss = adversarial_loss(discriminator(real_imgs), valid)
            fake_loss = adversarial_loss(discriminator(gen_imgs.detach()), fake)
            d_loss = (real_loss + fake_loss) / 2

            d_loss.backward()
            optimizer_D.step()

            print(
                "[Epoch %d/%d] [Batch %d/%d] [D loss: %f] [G loss: %f]"
                % (epoch, n_epochs, i, len(dataloader), d_loss.item(), g_loss.item())
            )

            stamps.append(clocks())
            if len(stamps) > steps:
                return stamps, generator, discriminator
    return stamps, generator, discriminator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), required=True)
    parser.add_argument("--mnist", type=Path, required=True, help="MNIST's train-images-idx3-ubyte[.gz].")
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--warmup-steps", type=int, required=True)
    parser.add_argument("--window", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    side = ARCHITECTURES[args.arch]
    images = mnist_images(args.mnist, side)
    stamps, generator, discriminator = train(args.arch, images, args.batch_size, args.steps)
    print(json.dumps({
        **{key: window_seconds(dict(enumerate(clock)), args.warmup_steps, args.window)
           for key, clock in zip(("seconds_per_step", "cpu_seconds_per_step"), zip(*stamps))},
        "parameters": {"generator": sum(p.numel() for p in generator.parameters()),
                       "discriminator": sum(p.numel() for p in discriminator.parameters())},
        "layers": {name: layer_table(module, example)
                   for name, (module, example) in compared_layers(args.arch, generator, discriminator).items()},
        "peak_rss_mb": peak_rss_mb(), "torch": torch.__version__, "threads": torch.get_num_threads(),
        "version": f"PyTorch-GAN@{COMMIT[:7]}",
    }))


if __name__ == "__main__":
    main()
