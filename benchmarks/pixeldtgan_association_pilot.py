"""Does PixelDTGAN's domain discriminator learn which digit belongs to which scene? Two joint heads, 400 updates.

D_A reads a 40x40 mnist-scenes scene and a 28x28 digit with two DCGAN discriminator bodies
(pixeldtgan_networks.conv_reader, the model's default widths, 64-d features f(s), g(y)) and an MLP
head. This pilot trains D_A alone on associated pairs (s, y) against unassociated ones (s, the next
digit in the batch), the part of its game that carries the source's content to the converter, with
the model's default Adam (2e-4 / 3, betas (0.5, 0.999)), batch 32, on the first 6,000 train pairs:

- concat: the head reads [f(s), g(y)] (the first design);
- product: the head reads [f(s), g(y), f(s) * g(y)] (what pixeldtgan_networks.DomainDiscriminator uses).

    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/pixeldtgan_association_pilot.py concat product

It prints, every 100 updates, the pair loss (2 ln 2 = 1.386 at chance) and the mean D_A(s, y) for
associated and unassociated pairs. Measured 2026-12-01: concat 1.386 / 0.500 / 0.500 at update 400
(nothing learnt), product 1.216 / 0.553 / 0.438.
"""

from __future__ import annotations

import click
import torch
from torch import nn
from torch.nn import functional as F

from genzoo.plugin import load_dataset
from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.cluttered_scenes import MNIST_SCENE, scene_spec, scenes_of
from genzoo_adversarial.networks import LEAKY_SLOPE
from genzoo_adversarial.pixeldtgan_networks import conv_reader

PAIRS, BATCH, UPDATES, HIDDEN = 6_000, 32, 400, 64


class PairJudge(nn.Module):
    def __init__(self, head: str):
        super().__init__()
        self.head = head
        self.source_features = conv_reader(scene_spec(MNIST_SCENE), (32, 64, 128), HIDDEN)
        self.target_features = conv_reader(MNIST, (32, 64), HIDDEN)
        width = (3 if head == "product" else 2) * HIDDEN
        self.joint = nn.Sequential(nn.LeakyReLU(LEAKY_SLOPE), nn.Linear(width, HIDDEN), nn.LeakyReLU(LEAKY_SLOPE),
                                   nn.Linear(HIDDEN, 1))

    def forward(self, source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        read, drawn = self.source_features(source), self.target_features(target)
        parts = [read, drawn] + ([read * drawn] if self.head == "product" else [])
        return self.joint(torch.cat(parts, dim=1))[:, 0]


@click.command()
@click.argument("heads", nargs=-1, type=click.Choice(["concat", "product"]))
def main(heads: tuple[str, ...]) -> None:
    torch.manual_seed(0)
    digits, _ = load_dataset("mnist", "train", view="continuous").tensors()
    digits = digits[:PAIRS]
    scenes = scenes_of(digits, "train", MNIST_SCENE, 0)
    for head in heads:
        torch.manual_seed(0)
        judge = PairJudge(head)
        optimizer = torch.optim.Adam(judge.parameters(), 2e-4 / 3, betas=(0.5, 0.999))
        for update in range(UPDATES + 1):
            index = torch.randint(0, PAIRS, (BATCH,))
            source, target = scenes[index], digits[index]
            associated, unassociated = judge(source, target), judge(source, target.roll(1, 0))
            loss = F.softplus(-associated).mean() + F.softplus(unassociated).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if update % 100 == 0:
                print(f"{head} update {update}: loss {loss.item():.3f}, D_A associated "
                      f"{torch.sigmoid(associated).mean().item():.3f}, unassociated "
                      f"{torch.sigmoid(unassociated).mean().item():.3f}", flush=True)


if __name__ == "__main__":
    main()
