"""Paired super-resolution data made from digit images by a fixed downsampling operator.

SRGAN learns to undo a known degradation: each high-resolution image x (the `x` field, what the
model generates) is paired with `source`, the same image shrunk by `factor` in each direction with
a box filter (the mean of each factor x factor block, i.e. area averaging). The operator is exact
and deterministic, so no file is written and example i is the same on every run; the paper
shrank photos 4x with a bicubic kernel, area averaging is the same idea without a kernel
convention to get wrong. `mnist-sr` uses factor 4 (7x7 -> 28x28, the paper's 4x: at 14x14 most
digits are still legible and a bicubic upsampling is already close, so there is little for an
adversarial loss to add); `digits-sr` uses factor 2 (4x4 -> 8x8) so tests run without MNIST.

The `*-lowres` datasets hold only the shrunk images as `x`, with their labels, so that
`genzoo translate RUN --input mnist-lowres:3` feeds a model the same inputs as the paired test split.
"""

from __future__ import annotations

from pydantic import PositiveInt, validate_call

from genzoo.plugin import ConfigError, DataSpec, FieldsDataset, load_dataset

MNIST_FACTOR, DIGITS_FACTOR = 4, 2


def downsample(x, factor: int):
    """Each factor x factor block of the images (n, c, h, w) replaced by its mean; h and w must divide by factor."""
    from torch.nn import functional as F

    height, width = x.shape[-2:]
    if height % factor or width % factor:
        raise ConfigError(f"images of {height}x{width} cannot be shrunk by factor {factor}: "
                          "the sizes must divide by it")
    return F.avg_pool2d(x, factor)


def source_spec(high: DataSpec, factor: int) -> DataSpec:
    """The DataSpec of `high` images shrunk by `factor`: continuous values in the same range (block means
    of quantised pixels are not on the original levels), no classes."""
    channels, height, width = high.shape
    return DataSpec(shape=(channels, height // factor, width // factor), value_range=high.value_range)


def _pairs(base: str, split: str, factor: int, data_dir: str | None) -> FieldsDataset:
    high = load_dataset(base, split, view="continuous", **({"data_dir": data_dir} if data_dir else {}))
    x, label = high.tensors()
    pairs = FieldsDataset({"x": x, "source": downsample(x, factor), "label": label},
                          {"x": high.data_spec, "source": source_spec(high.data_spec, factor),
                           "label": DataSpec.for_labels(high.data_spec.num_classes)},
                          name=f"{base}-sr", split=high.split)
    pairs.feature_dataset = base  # translation-fid and class-kept read the outputs with this dataset's classifier
    return pairs


def _lowres(base: str, split: str, factor: int, data_dir: str | None) -> FieldsDataset:
    pairs = _pairs(base, split, factor, data_dir)
    tensors, fields = pairs.field_tensors(), pairs.fields
    spec = fields["source"].model_copy(update={"num_classes": fields["label"].num_classes})
    return FieldsDataset({"x": tensors["source"], "label": tensors["label"]}, {"x": spec, "label": fields["label"]},
                         name=f"{base}-lowres", split=pairs.split)


@validate_call
def mnist_sr(split: str = "train", *, factor: PositiveInt = MNIST_FACTOR, data_dir: str | None = None) -> FieldsDataset:
    """MNIST `split` pairs: x 28x28 (continuous view), source x shrunk by `factor` (7x7 by default), label."""
    return _pairs("mnist", split, factor, data_dir)


@validate_call
def mnist_lowres(split: str = "train", *, factor: PositiveInt = MNIST_FACTOR,
                 data_dir: str | None = None) -> FieldsDataset:
    """mnist-sr's `source` images alone as x (7x7 by default), with labels: the inputs of `genzoo translate`."""
    return _lowres("mnist", split, factor, data_dir)


@validate_call
def digits_sr(split: str = "train", *, factor: PositiveInt = DIGITS_FACTOR) -> FieldsDataset:
    """The 8x8 digits as pairs: x 8x8, source shrunk by `factor` (4x4 by default), label."""
    return _pairs("digits", split, factor, None)


@validate_call
def digits_lowres(split: str = "train", *, factor: PositiveInt = DIGITS_FACTOR) -> FieldsDataset:
    """digits-sr's `source` images alone as x (4x4 by default), with labels."""
    return _lowres("digits", split, factor, None)
