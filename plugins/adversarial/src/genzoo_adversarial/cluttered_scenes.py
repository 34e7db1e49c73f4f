"""Paired cluttered scene -> clean digit: PixelDTGAN's person -> garment task made from MNIST.

Pixel-level domain transfer (Yoo et al. 2016) turns a photo of a dressed person (the garment at some
place and size, among a face, arms, background) into the garment's catalogue photo (alone, centred,
clean). The analogue here: the source is a 40x40 scene holding one MNIST digit at a random position,
scale and contrast among distractor strokes, a grey background level and pixel noise; the target is
the same digit as MNIST has it, clean and centred at 28x28 (the "product photo"). Many scenes map to
one target, and the translator has to find the digit and redraw it, not copy pixels in place.

A scene is `compose_scenes(digits, draws, size)`: the digit is resampled (bilinear) into a box of
side 28 * scale at a random place inside the canvas and multiplied by its contrast; each stroke is a
line segment of random centre, angle, length and brightness whose ink falls off linearly to zero at
STROKE_HALF_WIDTH pixels from the segment; the ink of digit and strokes is combined by a maximum,
lifted onto the background level b (b + (1 - b) ink) and Gaussian noise of a random scale is added,
then clipped to [0, 1]. The draws of example i come from a generator seeded by (scene_seed, split,
i) alone, so example i is the same on every run and for every subset, and no file is written.

Datasets (fields):
- `mnist-scenes`: paired, {"x": the MNIST digit (continuous view, 256 levels), "source": its 40x40
  scene, "label": its class}; 60,000 / 10,000. What `genzoo train pixeldtgan` learns from and the
  translation metrics read (inputs from "source", real targets from "x", classifier-mnist).
- `mnist-cluttered`: the scenes alone, labelled: `genzoo translate RUN --input mnist-cluttered:3`.
- `digits-scenes` / `digits-cluttered`: the same from the bundled 8x8 digits in 12x12 scenes (always
  available; tests).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import torch
from pydantic import Field, validate_call
from torch.nn import functional as F

from genzoo.plugin import DataSpec, FieldsDataset, load_dataset

Split = Literal["train", "test"]
# torch's CPU generator keeps 32 bits of a seed: 14 for scene_seed, 1 for the split, 17 for the index (MNIST: 60,000).
INDEX_BITS = 17
SceneSeed = Annotated[int, Field(ge=0, lt=2**14)]
MNIST_SCENE, DIGITS_SCENE = 40, 12  # canvas sides: 40 = 8 * 5 (three stride-2 stages), 12 = 4 * 3
STROKES = 3  # distractor line segments per scene
STROKE_HALF_WIDTH = 1.0  # pixels from the segment at which a stroke's ink reaches 0
SCALE = (0.6, 1.1)  # the digit's box side, as a fraction of its own side (28 -> 17..31 pixels in a 40x40 scene)
CONTRAST = (0.6, 1.0)  # the digit's brightest ink
BACKGROUND = (0.0, 0.2)  # the grey level ink is lifted onto
NOISE = (0.0, 0.1)  # standard deviation of the per-pixel Gaussian noise
STROKE_LENGTH = (0.15, 0.4)  # as a fraction of the canvas side
STROKE_INK = (0.3, 0.8)
# One row of uniform draws per example, in this order; then size * size normal draws for the noise.
DRAWS = ("scale", "left", "top", "contrast", "background", "noise") + tuple(
    f"stroke{k}_{part}" for k in range(STROKES) for part in ("x", "y", "angle", "length", "ink"))
SPLIT_CODES = {"train": 0, "test": 1}


def example_seed(scene_seed: int, split: str, index: int) -> int:
    """The generator seed of example `index`: distinct for every (scene_seed, split, index), below 2**32."""
    if not 0 <= index < 2**INDEX_BITS:
        raise ValueError(f"scenes are numbered below {2**INDEX_BITS:,}, not {index}")
    return ((scene_seed * 2 + SPLIT_CODES[split]) << INDEX_BITS) + index


def scene_draws(scene_seed: int, split: str, count: int, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(uniforms (count, len(DRAWS)), standard normals (count, 1, size, size)), row i from example i's own generator."""
    uniforms, normals = torch.empty(count, len(DRAWS)), torch.empty(count, 1, size, size)
    generator = torch.Generator()
    for index in range(count):
        generator.manual_seed(example_seed(scene_seed, split, index))
        uniforms[index] = torch.rand(len(DRAWS), generator=generator)
        normals[index] = torch.randn(1, size, size, generator=generator)
    return uniforms, normals


def _between(u: torch.Tensor, bounds: tuple[float, float]) -> torch.Tensor:
    return bounds[0] + (bounds[1] - bounds[0]) * u


def place_digits(digits: torch.Tensor, scale: torch.Tensor, left: torch.Tensor, top: torch.Tensor,
                 size: int) -> torch.Tensor:
    """Digits (n, 1, d, d) resampled (bilinear, zero outside) into boxes of side d * scale whose top-left corners are
    at (left, top) pixels of a size x size canvas (pixel edges: the box covers [left, left + d * scale))."""
    side = digits.shape[-1]
    zoom = size / (side * scale)  # canvas units per digit unit, in [-1, 1] coordinates (align_corners=False)
    theta = torch.zeros(len(digits), 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = zoom
    theta[:, 0, 2] = (size - 2 * left) / (side * scale) - 1
    theta[:, 1, 2] = (size - 2 * top) / (side * scale) - 1
    grid = F.affine_grid(theta, [len(digits), 1, size, size], align_corners=False)
    return F.grid_sample(digits, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def draw_strokes(centres: torch.Tensor, angles: torch.Tensor, lengths: torch.Tensor, ink: torch.Tensor,
                 size: int) -> torch.Tensor:
    """Line segments (n, k) on a size x size canvas, (n, 1, size, size): pixel (r, c) has its centre at (c + 0.5,
    r + 0.5); a segment's ink falls linearly from `ink` on it to 0 at STROKE_HALF_WIDTH pixels away; overlaps take
    the maximum. `centres` (n, k, 2) are (x, y) in pixels, angles in radians, lengths in pixels."""
    coords = torch.arange(size, dtype=torch.float32) + 0.5
    y, x = torch.meshgrid(coords, coords, indexing="ij")  # (size, size)
    dx, dy = x - centres[..., 0, None, None], y - centres[..., 1, None, None]  # (n, k, size, size)
    ux, uy = torch.cos(angles)[..., None, None], torch.sin(angles)[..., None, None]
    along = (dx * ux + dy * uy).clamp(-lengths[..., None, None] / 2, lengths[..., None, None] / 2)
    distance = torch.hypot(dx - along * ux, dy - along * uy)
    strokes = ink[..., None, None] * (1 - distance / STROKE_HALF_WIDTH).clamp(min=0)
    return strokes.amax(dim=1, keepdim=True)


def compose_scenes(digits: torch.Tensor, uniforms: torch.Tensor, normals: torch.Tensor) -> torch.Tensor:
    """Scenes (n, 1, size, size) from digits (n, 1, d, d) in [0, 1] and `scene_draws`' draws (module docstring)."""
    size, side = normals.shape[-1], digits.shape[-1]
    u = dict(zip(DRAWS, uniforms.unbind(1), strict=True))
    scale = _between(u["scale"], SCALE)
    room = size - side * scale  # where the box can go and stay inside the canvas
    digit = place_digits(digits, scale, u["left"] * room, u["top"] * room, size)
    digit = digit * _between(u["contrast"], CONTRAST)[:, None, None, None]
    stroke = uniforms[:, len(DRAWS) - 5 * STROKES:].reshape(len(digits), STROKES, 5)
    lengths = _between(stroke[..., 3], STROKE_LENGTH) * size
    ink = _between(stroke[..., 4], STROKE_INK)
    strokes = draw_strokes(stroke[..., :2] * size, stroke[..., 2] * math.pi, lengths, ink, size)
    background = _between(u["background"], BACKGROUND)[:, None, None, None]
    lifted = background + (1 - background) * torch.maximum(digit, strokes)
    noisy = lifted + _between(u["noise"], NOISE)[:, None, None, None] * normals
    return noisy.clamp(0.0, 1.0)


def scenes_of(digits: torch.Tensor, split: str, size: int, scene_seed: int, chunk: int = 2_000) -> torch.Tensor:
    """The scenes of `split`'s digits (n, 1, d, d), example i from its own draws, composed `chunk` at a time."""
    uniforms, normals = scene_draws(scene_seed, split, len(digits), size)
    return torch.cat([compose_scenes(digits[i:i + chunk], uniforms[i:i + chunk], normals[i:i + chunk])
                      for i in range(0, len(digits), chunk)])


def scene_spec(size: int, num_classes: int | None = None) -> DataSpec:
    """A scene's DataSpec: continuous grey values in [0, 1] (resampling and noise leave the digit's levels)."""
    return DataSpec(shape=(1, size, size), value_range=(0.0, 1.0), num_classes=num_classes)


def _pairs(base: str, split: str, size: int, scene_seed: int, data_dir: str | None) -> FieldsDataset:
    digits = load_dataset(base, split, view="continuous", **({"data_dir": data_dir} if data_dir else {}))
    x, label = digits.tensors()
    spec = digits.data_spec
    pairs = FieldsDataset({"x": x, "source": scenes_of(x, digits.split, size, scene_seed), "label": label},
                          {"x": spec, "source": scene_spec(size), "label": DataSpec.for_labels(spec.num_classes)},
                          name=f"{base}-scenes", split=digits.split)
    pairs.feature_dataset = base  # translation-fid and class-kept read the outputs with this dataset's classifier
    return pairs


def _cluttered(base: str, split: str, size: int, scene_seed: int, data_dir: str | None) -> FieldsDataset:
    pairs = _pairs(base, split, size, scene_seed, data_dir)
    tensors, labels = pairs.field_tensors(), pairs.fields["label"]
    return FieldsDataset({"x": tensors["source"], "label": tensors["label"]},
                         {"x": scene_spec(size, labels.num_classes), "label": labels},
                         name=f"{base}-cluttered", split=pairs.split)


@validate_call
def mnist_scenes(split: Split = "train", *, scene_seed: SceneSeed = 0, data_dir: str | None = None) -> FieldsDataset:
    """MNIST `split` digits ("x") with their 40x40 cluttered scenes ("source") and classes ("label")."""
    return _pairs("mnist", split, MNIST_SCENE, scene_seed, data_dir)


@validate_call
def mnist_cluttered(split: Split = "train", *, scene_seed: SceneSeed = 0,
                    data_dir: str | None = None) -> FieldsDataset:
    """mnist-scenes' 40x40 scenes alone (x) with labels: the inputs of `genzoo translate`."""
    return _cluttered("mnist", split, MNIST_SCENE, scene_seed, data_dir)


@validate_call
def digits_scenes(split: Split = "train", *, scene_seed: SceneSeed = 0) -> FieldsDataset:
    """The bundled 8x8 digits in 12x12 scenes (1,437 train / 360 test): for tests."""
    return _pairs("digits", split, DIGITS_SCENE, scene_seed, None)


@validate_call
def digits_cluttered(split: Split = "train", *, scene_seed: SceneSeed = 0) -> FieldsDataset:
    """digits-scenes' 12x12 scenes alone (x) with labels."""
    return _cluttered("digits", split, DIGITS_SCENE, scene_seed, None)
