"""Stacked MNIST (Metz et al. 2017, Lin et al. 2018): three MNIST digits as the channels of one colour image.

Each example stacks three MNIST images of the same split as channels (R, G, B), so its class is the
three-digit number 100*d_R + 10*d_G + d_B and the data have 1,000 modes of equal mass: a GAN that
drops modes shows it as uncovered three-digit numbers (the `stacked-modes` metric). The triples are
drawn with replacement by a generator seeded with `triples_seed` (PacGAN and VEEGAN draw them from
MNIST train; the test split draws from MNIST test), all at once when the split is built, so example
i is the same on every run (and for every `size`: a larger split extends the same sequence, a test
checks it) and no file is written. `seed` is MNIST's own: the noise of the random
views (dequantized, binarized), kept apart so that an evaluation seed does not change the triples.
"""

from __future__ import annotations

from pydantic import PositiveInt, validate_call

from genzoo.plugin import ImageDataset, load_dataset

CHANNELS = 3
NUM_MODES = 10**CHANNELS
SIZES = {"train": 60_000, "test": 10_000}


def stacked_labels(digits):
    """100*d_R + 10*d_G + d_B from (n, 3) digits (channel 0 is R, the hundreds)."""
    return digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]


@validate_call
def stacked_mnist(split: str = "train", *, view: str = "continuous", seed: int = 0, data_dir: str | None = None,
                  size: PositiveInt | None = None, triples_seed: int = 0) -> ImageDataset:
    """`size` (default 60,000 train / 10,000 test) stacks of three MNIST `split` images, seen through `view`."""
    import torch

    mnist = load_dataset("mnist", split, view="levels", data_dir=data_dir)
    images, digits = mnist.levels, mnist.y
    count = size or SIZES[mnist.split]
    generator = torch.Generator().manual_seed(triples_seed)
    triples = torch.randint(len(images), (count, CHANNELS), generator=generator)
    levels = images[triples].squeeze(2)  # (count, 3, 1, 28, 28) -> (count, 3, 28, 28)
    return ImageDataset(levels, stacked_labels(digits[triples]), num_levels=mnist.num_levels, num_classes=NUM_MODES,
                        view=view, seed=seed, name="stacked-mnist", split=mnist.split)

