"""Training: Ho et al.'s Algorithm 1 (the "simple" loss) with label dropout for classifier-free guidance.

Each step draws t uniformly, noises x_0 to x_t in closed form and regresses the parameterization's
target (eps, x_0 or v) with mean squared error. Conditional models see the "no label" class with
probability `class_dropout`, which is what lets one network give both terms of guidance.
`offset_std` adds a smooth random offset to x_0 before noising but keeps the clean x_0 as what the
target leads back to, so the denoiser learns to remove low-frequency errors at small t (see `smooth_offset`);
`offset_tile_std` adds a period-2 pattern the same way (see `tiled_offset`), and `offset_halo_std` a faint
ring around the strokes (see `halo_offset`). `censored_ends` stops charging x_0 predictions that lie past the
data range's end on pixels that sit there (see `censored`; the sign per target is `parameterization.X0_DIRECTION`).
With it the logged loss includes the offsets' share of the target (large at small t, where a/s is ~100), so
it is not comparable with a run without them.
After the last step, models with a likelihood bound measure their x_0 error per timestep on
training examples, which fits the reverse variances the bound uses (`DiffusionModel.reverse_log_variance`).
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from genzoo import Capability
from genzoo.plugin import Batch, ConfigError, FitData, TrainingStep
from pydantic import Field

from genzoo_diffusion.parameterization import X0_DIRECTION, training_target


class DenoisingStep(TrainingStep):
    class_dropout: float = Field(0.1, ge=0, le=1, description="Probability of training a conditional model "
                                                               "without its label (classifier-free guidance).")
    mixed_precision: bool = Field(False, description="Run the denoiser under bfloat16 autocast (about 1.7x faster "
                                                     "on CPUs with AVX-512 BF16); the loss stays float32.")
    offset_std: float = Field(0.0, ge=0, description="Std of each part (a constant and a smooth field) of a random "
                                                     "offset added to each training image before noising, while the "
                                                     "target still leads back to the clean image (0 = off). In "
                                                     "diffusion space [-1, 1], where 8-bit data has a grey level "
                                                     "every 2/255.")
    offset_tile_std: float = Field(0.0, ge=0, description="Std of a random 2x2 tile repeated over each training "
                                                          "image, added with the offset (0 = off): a period-2 "
                                                          "pattern, which the smooth offset cannot make.")
    offset_halo_std: float = Field(0.0, ge=0, description="Std of a random faint ring on the background pixels "
                                                          "within 2 pixels of a stroke, added with the offset "
                                                          "(0 = off). Tried against the background veil: the "
                                                          "denoiser learnt to remove such rings, the veil stayed.")
    small_t_share: float = Field(0.0, ge=0, le=1, description="Share of each batch whose timesteps are drawn from "
                                                              "the first `small_t_span` only (0 = all uniform); "
                                                              "for fine-tuning the last denoising steps.")
    small_t_span: int = Field(60, ge=1, description="The timesteps that `small_t_share` draws from: 0 to this - 1.")
    small_t_l1: bool = Field(False, description="Regress the `small_t_share` part of the batch with the absolute "
                                                "error instead of the squared one, so the last denoising steps "
                                                "predict the median x_0 rather than the mean (see `loss`).")
    censored_ends: Literal["none", "low", "both"] = Field(
        "none", description="Treat pixels at the data range's low end (MNIST's black background), or at both ends "
                            "(its white stroke cores too), as censored: an x_0 prediction past the end costs "
                            "nothing there, one inside the range the usual error (see `censored`). Pixel models "
                            "only.")
    variance_examples: int = Field(256, ge=0, description="Training examples whose x_0 error at every timestep fits "
                                                         "the bound's reverse variances at the end (0 = skip).")

    def autocast(self, device: torch.device):
        return torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.mixed_precision)

    def init_state(self, model) -> dict:
        if self.small_t_l1 and not self.small_t_share:
            raise ConfigError("step.small_t_l1 applies to the small-t share of the batch: set step.small_t_share > 0")
        if (self.offset_std or self.offset_tile_std or self.offset_halo_std) and len(model.data_spec.shape) != 3:
            raise ConfigError(f"step.offset_std, offset_tile_std and offset_halo_std need images shaped (C, H, W); "
                              f"this model's examples are shaped {tuple(model.data_spec.shape)}")
        if self.censored_ends != "none" and model.clip_range is None:
            raise ConfigError("step.censored_ends needs a model whose x_0 has a data range to clip to (the pixel "
                              "models); this one's has none")
        return {}

    def offset(self, x0: torch.Tensor) -> torch.Tensor | float:
        """The random offset added to x_0 before noising: smooth, tiled and halo parts, each when its std is set."""
        offset = 0.0
        if self.offset_std:
            offset = offset + smooth_offset(x0, self.offset_std)
        if self.offset_tile_std:
            offset = offset + tiled_offset(x0, self.offset_tile_std)
        if self.offset_halo_std:
            offset = offset + halo_offset(x0, self.offset_halo_std)
        return offset

    def focused_rows(self, n: int) -> int:
        """How many of a batch of n, its first rows, train on the small timesteps (`timesteps`, `small_t_l1`)."""
        return round(n * self.small_t_share)

    def timesteps(self, n: int, total: int, device: torch.device) -> torch.Tensor:
        """Uniform timesteps, except that the first `small_t_share` of the batch come from [0, small_t_span)."""
        t = torch.randint(0, total, (n,), device=device)
        focused = self.focused_rows(n)
        if focused:
            t[:focused] = torch.randint(0, min(self.small_t_span, total), (focused,), device=device)
        return t

    def loss(self, model, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            x0 = model.to_diffusion_space(batch.x)
        n, schedule = len(x0), model.schedule
        t = self.timesteps(n, model.timesteps, x0.device)
        eps = torch.randn_like(x0)
        a, s = schedule.scales(t, x0)
        # x_t = a (x_0 + offset) + s eps = a x_0 + s (eps + a offset / s): the offset joins the noise
        eps = eps + a * self.offset(x0) / s
        xt = schedule.q_sample(x0, t, eps)
        labels = None
        if model.conditional:
            dropped = torch.rand(n, device=x0.device) < self.class_dropout
            labels = torch.where(dropped, model.null_labels(batch.label), batch.label)
        with self.autocast(x0.device):
            output = model.network(xt, t, labels)
        prediction = model.config.prediction
        error = output.float() - training_target(prediction, x0, eps, a, s)
        if self.censored_ends != "none":
            error = censored(error, x0, model.clip_range, X0_DIRECTION[prediction], self.censored_ends == "both")
        if not self.small_t_l1:
            return {"loss": error.pow(2).mean()}
        # Why L1 at small t: given x_t, x_0 is an affine function of each target (eps, x_0 or v), so the target's
        # conditional median gives x_0's. Real backgrounds sit at the data's minimum; any doubt about a pixel then
        # lifts its mean above black, by a fraction of a grey level that rounding turns into level 1 (most of
        # ddpm-mnist-cond's remaining veil), while its median stays black.
        focused = self.focused_rows(n)
        return {"loss": (error[:focused].abs().sum() + error[focused:].pow(2).sum()) / error.numel()}

    @torch.no_grad()
    def finish(self, model, data: FitData) -> dict[str, float]:
        if not self.variance_examples or Capability.LOG_PROB_BOUND not in model.capabilities:
            return {}
        everything = data.all()
        rows = torch.randperm(len(everything.x), generator=torch.Generator().manual_seed(0))[: self.variance_examples]
        rows = rows.to(everything.x.device)
        x0 = model.to_diffusion_space(everything.x[rows])
        labels = everything.label[rows] if model.conditional else None
        generator = torch.Generator(device=x0.device).manual_seed(0)
        was_training = model.training
        model.eval()
        for t in range(model.timesteps):
            noise = torch.randn(x0.shape, generator=generator, device=x0.device)
            xt = model.schedule.q_sample(x0, torch.full((len(x0),), t, device=x0.device), noise)
            with self.autocast(x0.device):
                _, x0_hat = model.predict(xt, t, labels, guidance_scale=1.0)
            model.x0_mse[t] = (x0_hat.float() - x0).pow(2).mean()
        model.train(was_training)
        return {"x0_mse_t1": float(model.x0_mse[0]), "x0_mse_mean": float(model.x0_mse.mean())}


def censored(error: torch.Tensor, x0: torch.Tensor, data_range: tuple[float, float], direction: float,
             both_ends: bool) -> torch.Tensor:
    """The regression error with 0 wherever x_0 sits at the data range's low end (or either end, with `both_ends`)
    and the prediction implies an x_0 past that end.

    Why: MNIST's pixels are censored at black (ink below 0 is recorded as 0), and every sampler clips x_0 to the
    range, so an x_0 prediction below black ends as exact black. The squared error instead pulls the prediction
    for a sure-black pixel to black from both sides; the network's error then straddles black, clipping keeps its
    upward half, and rounding turns that into ddpm-mnist-cond's veil at grey level 1. The censored (Tobit-style)
    loss leaves the optimum where the posterior mean is inside the range (there it is the squared error's), and
    lets a sure-black pixel's prediction go below black for free, so the network's error need not reach above it.
    Measured on ddpm-mnist-cond, 2,500 fine-tune steps with `low` (published since): sample pixels at 1-12/255 went
    from 14.2% to 2.3% (real MNIST 0.9%); at its card's guidance 1.3, n=10,000: FID 4.66, cond-acc 0.987 (the
    diffusion plugin's README).
    """
    low, high = data_range
    x0_error = direction * error
    past_an_end = (x0 <= low) & (x0_error < 0)
    if both_ends:
        past_an_end |= (x0 >= high) & (x0_error > 0)
    return error.masked_fill(past_an_end, 0.0)


OFFSET_GRID = 4


def smooth_offset(x0: torch.Tensor, std: float) -> torch.Tensor:
    """A random offset per image and channel: a constant plus a 4x4 grid bilinearly interpolated, all N(0, std^2).

    Why: a denoiser trained only on x_t = a x_0 + s eps removes what looks like white noise and keeps
    anything smooth as signal. At small t it therefore keeps a smooth error that the sampler's chain has
    committed earlier: the 23,000-step `ddpm-mnist-cond` (git 03fdeb1) kept 89% of a constant offset at
    t = 0 (`benchmarks/diffusion_offset_response.py`), and the chain's background offset is MNIST's grey
    veil. Offsets with a clean target teach it to remove them. A UNet learns the constant part far better
    with its `mean_path` (GroupNorm hides constants from it otherwise): fine-tuned so, that checkpoint kept
    28% of a constant offset at t = 0 without the mean head after 4,000 steps, and none with it after 5,000.
    """
    grid = torch.randn(*x0.shape[:2], OFFSET_GRID, OFFSET_GRID, device=x0.device, dtype=x0.dtype) * std
    constant = torch.randn(*x0.shape[:2], 1, 1, device=x0.device, dtype=x0.dtype) * std
    return constant + F.interpolate(grid, size=x0.shape[2:], mode="bilinear", align_corners=True)


OFFSET_TILE = 2


def tiled_offset(x0: torch.Tensor, std: float) -> torch.Tensor:
    """A random 2x2 tile per image and channel, N(0, std^2), repeated over the image: a period-2 pattern.

    Why: after fine-tuning with `smooth_offset` alone, `ddpm-mnist-cond` (git 107e5fc) removed constant and
    smooth offsets at t = 0 but still kept 72% of a period-2 cosine (`benchmarks/diffusion_offset_response.py`),
    and its samples' background veil was denser on odd columns: the UNet works on 2x2 patches, so an error
    the same at every patch position shows as this pattern. Its mean head gives one constant per patch
    position, which is what removing such a tile takes. Measured: 2,500 steps with it took the period-2
    pattern kept at t = 0 from 0.72 to 0.15, but not the veil (12.3% of pixels against 12.8%), which comes
    with the strokes (the diffusion plugin's README; the experiment's recipe uses this option).
    """
    height, width = x0.shape[-2:]
    tile = torch.randn(*x0.shape[:2], OFFSET_TILE, OFFSET_TILE, device=x0.device, dtype=x0.dtype) * std
    repeats = (-(-height // OFFSET_TILE), -(-width // OFFSET_TILE))
    return tile.repeat(1, 1, *repeats)[..., :height, :width]


def halo_offset(x0: torch.Tensor, std: float) -> torch.Tensor:
    """`halo_ring` per image and channel, times a random amplitude N(0, std^2).

    Why: after `smooth_offset` and `tiled_offset` were learnt, over half of `ddpm-mnist-cond`'s background
    veil lay within 2 pixels of a stroke (`benchmarks/diffusion_veil_location.py`), where real MNIST has
    almost none; training never shows the denoiser a faint ring there. Measured: 2,500 steps with it took
    the share of a one-level ring kept at t = 0 from 0.21 to -0.04, but not the veil (14.8% of pixels against
    14.3%), and it rounded more real background pixels up at t = 0 (18% against 6%): the veil is not a ring
    the denoiser keeps (the diffusion plugin's README; the experiment's recipe uses this option).
    """
    return torch.randn(*x0.shape[:2], 1, 1, device=x0.device, dtype=x0.dtype) * std * halo_ring(x0)


def halo_ring(x0: torch.Tensor) -> torch.Tensor:
    """1 on background pixels 1 pixel from a stroke, 0.5 at 2 pixels, else 0 (chessboard distance).

    Strokes are the pixels above mid-grey (x_0 > 0), background the pixels at the data's minimum (x_0 = -1).
    """
    strokes = (x0 > 0).to(x0.dtype)
    near = F.max_pool2d(strokes, 3, stride=1, padding=1)
    nearish = F.max_pool2d(strokes, 5, stride=1, padding=2)
    return (near + nearish) / 2 * (x0 <= -1).to(x0.dtype)
