"""Unpaired data for DTN (domain transfer): 8x8 digits in, MNIST-style digits out.

DTN's task in the paper (Taigman et al. 2017) is SVHN -> MNIST: house-number crops rendered as
handwritten digits, learned from two collections that pair nothing. The analogue here is the
bundled 8x8 digits (scikit-learn's, 17 grey levels, blocky and filling their frame) -> MNIST (28x28,
256 levels, the digit in a 20x20 box in the middle): a change of resolution, framing and stroke
style that keeps the digit. Each dataset has two streams: `target` first (the domain the model
writes, so its DataSpec is the dataset's) and `input` (the source domain). Both carry labels, which
training never reads: they are there for `class-kept`.

- `digits2mnist`: input = the digits split (1,437 train / 360 test), target = the MNIST split.
- `digits-all2mnist`: input = all 1,797 digits in either split (the 1,437 a model trained on
  included), target = the MNIST split: only so that `class-kept` and `translation-fid` can be
  read at n >= 1,000 inputs, which the 360 held-out digits cannot give.
- `digits2framed`: no MNIST needed (tests): input = the even-indexed digits of a split, target =
  the odd-indexed ones enlarged 2x (nearest) into a 24x24 frame with a 4-pixel margin, MNIST's
  framing in small, so nothing pairs them and the shape changes as it does for MNIST.

The MNIST ones name "mnist" as their `feature_dataset`, whose project classifier the translation
metrics read the translations with; no classifier reads 24x24 frames, so on `digits2framed` those
metrics say so (the `f-constancy` metric needs none).
"""

from __future__ import annotations

from typing import Literal

from pydantic import validate_call

from genzoo.plugin import ImageDataset, UnpairedDataset, load_dataset

Split = Literal["train", "test"]
View = Literal["continuous", "discrete", "dequantized", "binarized", "levels"]
TARGET, INPUT = "target", "input"  # stream names: translate reads `input`, writes what `target` holds
FRAMED_SCALE, FRAMED_MARGIN = 2, 4  # digits2framed: 8x8 -> 16x16, then a 4-pixel border -> 24x24


def framed(levels, scale: int = FRAMED_SCALE, margin: int = FRAMED_MARGIN):
    """Integer images (n, c, h, w) enlarged `scale` times by repeating pixels, then padded with `margin`
    background (0) pixels on every side: levels are unchanged."""
    from torch.nn import functional as F

    big = levels.repeat_interleave(scale, dim=-2).repeat_interleave(scale, dim=-1)
    return F.pad(big, (margin,) * 4)


@validate_call
def digits2mnist(split: Split = "train", *, view: View = "continuous", seed: int = 0,
                 data_dir: str | None = None) -> UnpairedDataset:
    """Streams target (the MNIST split) and input (the 8x8 digits split), unpaired."""
    digits = _levels("digits", split, None)
    return _unpaired(_levels("mnist", split, data_dir), digits, "digits2mnist", view=view, seed=seed,
                     feature_dataset="mnist")


@validate_call
def digits_all2mnist(split: Split = "test", *, view: View = "continuous", seed: int = 0,
                     data_dir: str | None = None) -> UnpairedDataset:
    """Streams target (the MNIST split) and input (all 1,797 digits, train and test, whichever the split)."""
    import torch

    train, test = _levels("digits", "train", None), _levels("digits", "test", None)
    every = ImageDataset(torch.cat([train.levels, test.levels]), torch.cat([train.y, test.y]),
                         num_levels=train.num_levels, num_classes=train.data_spec.num_classes, view="levels",
                         seed=seed, name="digits (train + test)", split=split)
    return _unpaired(_levels("mnist", split, data_dir), every, "digits-all2mnist", view=view, seed=seed,
                     feature_dataset="mnist")


@validate_call
def digits2framed(split: Split = "train", *, view: View = "continuous", seed: int = 0) -> UnpairedDataset:
    """Streams target (odd-indexed digits, enlarged 2x into a 24x24 frame) and input (even-indexed 8x8 digits)."""
    digits = _levels("digits", split, None)
    big = ImageDataset(framed(digits.levels[1::2]), digits.y[1::2], num_levels=digits.num_levels,
                       num_classes=digits.data_spec.num_classes, view="levels", seed=seed, name="digits framed",
                       split=split)
    small = ImageDataset(digits.levels[0::2], digits.y[0::2], num_levels=digits.num_levels,
                         num_classes=digits.data_spec.num_classes, view="levels", seed=seed, name="digits",
                         split=split)
    return _unpaired(big, small, "digits2framed", view=view, seed=seed, feature_dataset=None)


def _unpaired(target: ImageDataset, source: ImageDataset, name: str, *, view: str, seed: int,
              feature_dataset: str | None) -> UnpairedDataset:
    streams = {stream: ImageDataset(part.levels, part.y, num_levels=part.num_levels,
                                    num_classes=part.data_spec.num_classes, view=view, seed=seed,
                                    name=f"{name} {stream}", split=part.split)
               for stream, part in ((TARGET, target), (INPUT, source))}
    pair = UnpairedDataset(streams, name=name, split=target.split)
    if feature_dataset:
        pair.feature_dataset = feature_dataset  # the classifier that reads the target domain's images
    return pair


def _levels(name: str, split: str, data_dir: str | None) -> ImageDataset:
    options = {"view": "levels"} | ({"data_dir": data_dir} if data_dir else {})
    return load_dataset(name, split, **options)
