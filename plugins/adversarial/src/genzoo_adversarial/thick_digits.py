"""Unpaired thin <-> thick digits: CycleGAN's task (horses <-> zebras) made from MNIST by a fixed operator.

Domain B is domain A's kind of image with every stroke thickened by a grey-level morphological
dilation: each pixel takes the maximum of its (2r+1) x (2r+1) neighbourhood (`radius` r, default
1). The operator is deterministic, so no file is written and example i is the same on every run.
Thickening changes the stroke width (a global style) and keeps the digit's identity, which is
what an unpaired translator must learn from the two collections alone; colour inversion would be
a per-pixel lookup.

`mnist-thin-thick` pairs nothing: stream "a" holds the even-indexed digits of a split as they are,
stream "b" the odd-indexed ones dilated, so no digit appears in both domains (a translator cannot
memorise pairs, and a translation-FID against stream b never compares an image with its own
dilation). `mnist-thick` is the dilated split alone (for `genzoo translate --input mnist-thick:3`, B
to A), and `digits-thin-thick` is the 8x8 bundled-digits version the tests train on. Each names the
dataset whose project classifier reads its images (`feature_dataset`: "mnist" or "digits"), which the
translation metrics (translation-fid, class-kept) use: thick digits are still digits.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, validate_call

from genzoo.plugin import ImageDataset, UnpairedDataset, load_dataset

Split = Literal["train", "test"]
View = Literal["continuous", "discrete", "dequantized", "binarized", "levels"]
# The dilation radius r: each pixel becomes the maximum of its (2r+1) x (2r+1) window.
Radius = Annotated[int, Field(ge=1, le=3)]


def dilate(levels, radius: int = 1):
    """Grey-level dilation of integer images (n, c, h, w): the maximum over each (2r+1)^2 window, image
    borders padded with 0 (the background), so sizes and levels are unchanged."""
    from torch.nn import functional as F

    size = 2 * radius + 1
    return F.max_pool2d(levels.float(), size, stride=1, padding=radius).to(levels.dtype)


def _thickened(source: ImageDataset, radius: int, name: str, *, view: str, seed: int,
               index=slice(None)) -> ImageDataset:
    labels = None if source.y is None else source.y[index]
    thick = ImageDataset(dilate(source.levels[index], radius), labels, num_levels=source.num_levels,
                         num_classes=source.data_spec.num_classes, view=view, seed=seed, name=name, split=source.split)
    thick.feature_dataset = source.name
    return thick


def _unpaired(source: ImageDataset, radius: int, name: str, *, view: str, seed: int) -> UnpairedDataset:
    thin = ImageDataset(source.levels[0::2], None if source.y is None else source.y[0::2],
                        num_levels=source.num_levels, num_classes=source.data_spec.num_classes, view=view, seed=seed,
                        name=f"{name} a", split=source.split)
    thick = _thickened(source, radius, f"{name} b", view=view, seed=seed, index=slice(1, None, 2))
    pair = UnpairedDataset({"a": thin, "b": thick}, name=name, split=source.split)
    pair.feature_dataset = source.name  # the classifier of the digits both streams are made of
    return pair


@validate_call
def mnist_thick(split: Split = "train", *, view: View = "continuous", seed: int = 0, data_dir: str | None = None,
                radius: Radius = 1) -> ImageDataset:
    """Every MNIST `split` digit dilated (60,000 / 10,000, labelled), seen through `view`."""
    return _thickened(_levels("mnist", split, data_dir), radius, "mnist-thick", view=view, seed=seed)


@validate_call
def mnist_thin_thick(split: Split = "train", *, view: View = "continuous", seed: int = 0, data_dir: str | None = None,
                     radius: Radius = 1) -> UnpairedDataset:
    """Streams a (even-indexed MNIST digits, as they are) and b (odd-indexed ones, dilated): 30,000 / 5,000 each."""
    return _unpaired(_levels("mnist", split, data_dir), radius, "mnist-thin-thick", view=view, seed=seed)


@validate_call
def digits_thin_thick(split: Split = "train", *, view: View = "continuous", seed: int = 0,
                      radius: Radius = 1) -> UnpairedDataset:
    """The bundled 8x8 digits split the same way (719 + 718 train, 180 + 180 test): for tests."""
    return _unpaired(_levels("digits", split, None), radius, "digits-thin-thick", view=view, seed=seed)


def _levels(name: str, split: str, data_dir: str | None) -> ImageDataset:
    options = {"view": "levels"} | ({"data_dir": data_dir} if data_dir else {})
    return load_dataset(name, split, **options)
