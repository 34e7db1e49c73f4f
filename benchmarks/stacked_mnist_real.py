"""The stacked-modes protocol on real stacked MNIST of either split, at any size: the reference a GAN is read against.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/stacked_mnist_real.py                 # test, n=26,000
    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/stacked_mnist_real.py --split train

`genzoo eval --real stacked-mnist --metric stacked-modes` measures n examples of the 60,000 train
stacks; the 10,000 test stacks are fewer than the protocol's 26,000, so this script builds a split
of exactly n stacks (`size=n`; the test split draws its triples from the 10,000 MNIST test images,
which classifier-mnist never saw in training) and prints, as the metric does, the modes and
KL(q || uniform) of what classifier-mnist reads and of the true labels, and how often it reads
each channel (R, G, B) and all three right.
"""

from __future__ import annotations

import click
import torch

import genzoo
from genzoo.plugin import load_dataset
from genzoo_adversarial.stacked_mnist import stacked_labels
from genzoo_adversarial.stacked_modes import CLASSIFIER, label_digits, mode_statistics, read_real


@click.command()
@click.option("--split", type=click.Choice(["train", "test"]), default="test", show_default=True)
@click.option("--n", type=click.IntRange(1, 1_000_000), default=26_000, show_default=True)
@click.option("--triples-seed", type=click.IntRange(0, 2**31), default=0, show_default=True)
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
def main(split: str, n: int, triples_seed: int, batch_size: int) -> None:
    dataset = load_dataset("stacked-mnist", split, size=n, triples_seed=triples_seed)
    classifier = genzoo.load(CLASSIFIER)
    read, truth = read_real(classifier, dataset, torch.arange(n), batch_size)
    modes, kl = mode_statistics(stacked_labels(read))
    true_modes, true_kl = mode_statistics(truth)
    right = (read == label_digits(truth)).double()
    print(f"stacked-mnist {split}, n={n} stacks (triples_seed={triples_seed}), channels read by {CLASSIFIER}")
    print(f"  modes {modes}, KL(q || uniform) {kl:.4f} nats")
    print(f"  true labels: modes {true_modes}, KL(q || uniform) {true_kl:.4f} nats")
    print("  channel accuracy " + ", ".join(f"{c} {float(a):.4f}" for c, a in zip("RGB", right.mean(0)))
          + f"; all channels {float(right.mean()):.4f}; all three right {float(right.prod(1).mean()):.4f}")


if __name__ == "__main__":
    main()
