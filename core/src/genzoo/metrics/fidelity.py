"""Fidelity of a translator's outputs to their paired targets: PSNR and SSIM (super-resolution's measures).

Both read the test split of a paired dataset (a "source" field beside "x", e.g. mnist-sr): the model
translates each "source" and its output is compared with that example's own "x", image by image,
and the per-image values are averaged (the convention of the super-resolution literature). By
default every test pair is measured; `--n N` measures a seeded subset, the same N inputs that
`translation-fid` draws with the same seed (one `randperm` of the inputs).

- `psnr`: 10 log10(R^2 / MSE) in dB, R the width of the DataSpec's value range (1 for [0, 1] images);
  an image reproduced exactly has infinite PSNR, and so has the mean then.
- `ssim`: Wang et al. 2004's structural similarity with their constants: an 11x11 Gaussian window of
  sigma 1.5, C1 = (0.01 R)^2, C2 = (0.03 R)^2, local statistics computed without padding (the
  "valid" positions, as in their reference code), the SSIM map averaged over positions and channels.
  Images smaller than 11 pixels (the 8x8 test digits) use a window cut to the image with the same sigma.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from genzoo.data.base import view_for
from genzoo.errors import GenzooError
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.translation import SOURCE_FIELD, require_translator, translate_all

WINDOW, SIGMA = 11, 1.5
K1, K2 = 0.01, 0.03


def psnr(outputs: torch.Tensor, targets: torch.Tensor, data_range: float) -> torch.Tensor:
    """Per-image PSNR in dB of (n, c, h, w) outputs against their targets, in float64."""
    mse = (outputs.double() - targets.double()).square().flatten(1).mean(1)
    return 10 * torch.log10(data_range**2 / mse)


def gaussian_window(size: int = WINDOW, sigma: float = SIGMA) -> torch.Tensor:
    """A (size, size) Gaussian kernel summing to 1, in float64."""
    offsets = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    line = torch.exp(-offsets.square() / (2 * sigma**2))
    line = line / line.sum()
    return line[:, None] * line[None, :]


def ssim(outputs: torch.Tensor, targets: torch.Tensor, data_range: float) -> torch.Tensor:
    """Per-image mean SSIM of (n, c, h, w) outputs against their targets, in float64 (see the module docstring)."""
    x, y = outputs.double(), targets.double()
    channels, height, width = x.shape[1:]
    window = gaussian_window(min(WINDOW, height, width))
    kernel = window.expand(channels, 1, *window.shape).contiguous()

    def local_mean(image: torch.Tensor) -> torch.Tensor:
        return F.conv2d(image, kernel, groups=channels)

    mu_x, mu_y = local_mean(x), local_mean(y)
    var_x = local_mean(x * x) - mu_x.square()
    var_y = local_mean(y * y) - mu_y.square()
    cov = local_mean(x * y) - mu_x * mu_y
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    luminance = (2 * mu_x * mu_y + c1) / (mu_x.square() + mu_y.square() + c1)
    similarity = luminance * (2 * cov + c2) / (var_x + var_y + c2)
    return similarity.flatten(1).mean(1)


def paired_outputs(model, request: EvalRequest, metric: str) -> tuple[torch.Tensor, torch.Tensor, str]:
    """The model's translations of the requested paired test inputs, their own targets, and a note."""
    model = require_translator(model, metric)
    if model.data_spec.value_range is None:
        raise GenzooError(f"{metric} needs outputs in a bounded value_range; {model.name!r} has none")
    dataset = request.dataset("test", view_for(model.data_spec, "samples"))
    if SOURCE_FIELD not in dataset.fields:
        raise GenzooError(f"{metric} compares each output with its own target: {request.data} has no "
                          f"'{SOURCE_FIELD}' field beside 'x' (give a paired dataset such as mnist-sr)")
    tensors = dataset.field_tensors()
    inputs, targets = tensors[SOURCE_FIELD], tensors["x"]
    if tuple(targets.shape[1:]) != tuple(model.data_spec.shape):
        raise GenzooError(f"{model.name!r} makes images of shape {model.data_spec.shape}, but the targets in "
                          f"{request.data} have shape {tuple(targets.shape[1:])}")
    if request.n is not None and request.n < len(inputs):
        picked = torch.randperm(len(inputs), generator=torch.Generator().manual_seed(request.seed))[: request.n]
        inputs, targets = inputs[picked], targets[picked]
        notes = f"n={len(inputs)} test pairs drawn with seed {request.seed}"
    else:
        notes = f"all {len(inputs)} test pairs"
    return translate_all(model, inputs, request), targets, f"{notes} of {request.data}, mean over images"


def _data_range(model) -> float:
    low, high = model.data_spec.value_range
    return high - low


def psnr_metric(model, request: EvalRequest):
    """Mean PSNR (dB) of the translations of paired test inputs against their targets."""
    outputs, targets, notes = paired_outputs(model, request, "psnr")
    value = psnr(outputs, targets, _data_range(model)).mean()
    return [request.result("psnr", value, notes=f"dB, {notes}")]


def ssim_metric(model, request: EvalRequest):
    """Mean SSIM of the translations of paired test inputs against their targets."""
    outputs, targets, notes = paired_outputs(model, request, "ssim")
    value = ssim(outputs, targets, _data_range(model)).mean()
    return [request.result("ssim", value, notes=f"{WINDOW}x{WINDOW} Gaussian window, sigma {SIGMA}, {notes}")]
