"""Samplers of the diffusion family, swappable on any checkpoint of it (like diffusers' schedulers).

- `ddpm`: ancestral sampling, Ho et al. Algorithm 2, over all T steps.
- `ddim`: Song et al. 2021 on an evenly spaced subset of `steps` timesteps; eta = 0 is deterministic,
  eta = 1 matches DDPM's variance on that subset.
- `dpm-solver`: DPM-Solver++(2M) of Lu et al. 2022, second-order multistep in log-SNR.
- `unipc` (unipc.py): UniPC of Zhao et al. 2023, the same predictor with a corrector that reuses each new
  evaluation, so it costs no extra network call.

All of them only call `model.predict(x_t, t, condition, guidance_scale)` for (eps, x_0), then
`model.from_diffusion_space` (pixels back to [0, 1], latents through the decoder).

x_0 clipping (`clip_x0`, `clip_x0_above`): benchmarks/diffusion_pixel_histogram.py shows clipping at every
step turning the network's small-t error on MNIST's black background into faint 1-12/255 noise (60% of
ddpm-mnist-cond's pixels at DDIM-50); without clipping the veil halves but faint smudges cost FID (21.6 ->
32.3 at n=1000). Clipping only the noisy first third of the chain (`clip_x0_above=10`, t >= 674 of 1000 on
the linear schedule) keeps the FID (22.0) with 37% of pixels at 1-12. Every-step clipping stays the default
so that published numbers hold.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Literal

import torch
from genzoo.plugin import ConfigError, Sampler
from pydantic import BaseModel, ConfigDict, Field
from tqdm.auto import tqdm

from genzoo_diffusion.diffusion import DiffusionModel


class DiffusionOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    guidance_scale: float | None = Field(None, ge=0, description="Classifier-free guidance scale (conditional "
                                                                 "models); default: the model's.")
    progress: bool = Field(True, description="Show a progress bar over the denoising steps.")
    clip_x0: bool = Field(True, description="Clip every step's x_0 prediction to the data range and recompute "
                                           "eps from it (Ho et al.'s sampler, diffusers' clip_sample). It biases "
                                           "pixels at the range's ends inward by about half the network's error "
                                           "there; the sample itself is always clamped to the range.")
    clip_x0_above: float = Field(0.0, ge=0, description="Clip x_0 only at timesteps whose noise-to-signal ratio "
                                                        "sigma_t / alpha_t exceeds this (0: at every step).")
    precision: Literal["float32", "bfloat16", "auto"] = Field(
        "auto", description="bfloat16 runs the denoiser under autocast (1.28-1.71x faster than float32 for the "
                            "published UNets on a CPU with AVX-512 BF16, benchmarks/diffusion_sampling_settings.py); "
                            "the sampler's own arithmetic stays float32. auto (the default): bfloat16 for UNet "
                            "denoisers on a device that computes bfloat16 natively, else float32; a model loaded in "
                            "bfloat16 or float16 keeps its own precision. Cards name the precision each number was "
                            "measured in.")
    compile: bool = Field(False, description="Run the denoiser through torch.compile: faster per step "
                                             "(benchmarks/ddim_throughput.py --compile), but a model's first call "
                                             "compiles for seconds to minutes, so it pays only on long runs.")

    def clipped_steps(self, model: DiffusionModel) -> list[bool]:
        """Per timestep t, whether x_0 is clipped there: early, noisy steps keep the chain inside the data range,
        while late ones would only bias pixels at the range's ends (ddpm-mnist-cond: see the module docstring).
        Computed once per sampling run, so the loop reads no device tensor per step."""
        schedule = model.schedule
        noise_to_signal = (schedule.sqrt_one_minus_alphas_cumprod / schedule.sqrt_alphas_cumprod).tolist()
        return [self.clip_x0 and ratio > self.clip_x0_above for ratio in noise_to_signal]

    @contextlib.contextmanager
    def denoising(self, model: DiffusionModel, device: torch.device) -> Iterator[None]:
        """How every sampler calls the denoiser: under bfloat16 autocast and through torch.compile when asked
        (frozen under bfloat16, where freezing pays: see DiffusionModel.compiled)."""
        bfloat16 = self.resolved_precision(model, device) == "bfloat16"
        with self.autocast(device, bfloat16), model.compiled(self.compile, freeze=bfloat16):
            yield

    def resolved_precision(self, model: DiffusionModel, device: torch.device) -> Literal["float32", "bfloat16"]:
        """The precision that `auto` stands for on this device, or the one asked for. For a model whose weights are
        not float32 (loaded with dtype=...), `auto` adds no autocast, so the model's own one (to its dtype) holds."""
        if self.precision != "auto":
            return self.precision
        native = model.bfloat16_pays and native_bfloat16(device) and model.dtype == torch.float32
        return "bfloat16" if native else "float32"

    @staticmethod
    def autocast(device: torch.device, bfloat16: bool):
        if not bfloat16:  # not autocast(enabled=False): that would switch off the autocast of a model loaded
            return contextlib.nullcontext()  # in bfloat16/float16 (GenerativeModel.precision)
        return torch.autocast(device.type, dtype=torch.bfloat16)


def native_bfloat16(device: torch.device) -> bool:
    """Whether `device` multiplies bfloat16 in hardware, so that autocast to it speeds convolutions up instead of
    emulating them: CUDA GPUs of compute capability 8 on (Ampere), x86 CPUs with AVX-512 BF16 or AMX (oneDNN's
    kernels; plain AVX-512 only emulates it). Other CPUs and devices get float32. torch has no public test for the
    CPU features; its private ones are read with a False fallback, as older releases lack some of them."""
    if device.type == "cuda":
        return torch.cuda.get_device_capability(device)[0] >= 8
    if device.type == "cpu" and torch.backends.mkldnn.is_available():
        return any(getattr(torch.cpu, probe, lambda: False)() for probe in ("_is_avx512_bf16_supported",
                                                                             "_is_amx_tile_supported"))
    return False


class StepsOptions(DiffusionOptions):
    steps: int | None = Field(None, ge=1, description="Network evaluations (timesteps of the chain); default 50, "
                                                       "or T when the model has fewer.")

    def chain(self, total: int, default: int = 50) -> list[int]:
        return sampling_timesteps(total, self.steps or min(default, total))

    def log_snr_chain(self, log_snr: torch.Tensor, default: int = 20) -> list[int]:
        """Timesteps whose half-log-SNR lambda_t is evenly spaced from t = T-1 to t = 0 (DPM-Solver's
        spacing for small images): uniform-in-t steps leave the last, fastest-changing stretch to one
        huge step, where a multistep extrapolation is unstable."""
        total = len(log_snr)
        steps = self.steps or min(default, total)
        sampling_timesteps(total, steps)  # validates steps
        targets = torch.linspace(float(log_snr[-1]), float(log_snr[0]), steps)
        # lambda falls as t grows; pick the nearest timestep to each target, keep them distinct
        nearest = (log_snr[None, :].cpu() - targets[:, None]).abs().argmin(dim=1).tolist()
        chain: list[int] = []
        for t in nearest:
            t = min(t, chain[-1] - 1) if chain else t
            chain.append(max(t, steps - len(chain) - 1))
        return chain


def sampling_timesteps(total: int, steps: int) -> list[int]:
    """`steps` timesteps from T-1 down to 0, evenly spaced (both ends included)."""
    if steps > total:
        raise ConfigError(f"steps must be at most the model's {total} timesteps, got {steps}")
    if steps == 1:
        return [total - 1]
    return torch.linspace(total - 1, 0, steps).round().long().tolist()


def denoising_loop(timesteps: list[int], progress: bool, name: str) -> Iterator[tuple[int, int | None]]:
    """(t, next t or None at the end) pairs under a progress bar."""
    pairs = list(zip(timesteps, [*timesteps[1:], None]))
    return iter(tqdm(pairs, desc=name, disable=not progress, leave=False, unit="step", mininterval=1))


class DDPMSampler(Sampler):
    """Ancestral sampling: x_{t-1} ~ N(mu(x_t, x_0_hat), sigma_t^2) for t = T..1 (Algorithm 2)."""

    class Options(DiffusionOptions):
        variance: Literal["small", "large"] = Field("large", description="sigma_t^2 = beta_t (large, as in the "
                                                                          "paper's CIFAR-10 runs) or beta~_t (small).")

    @torch.no_grad()
    def run(self, model: DiffusionModel, n, *, condition, generator, options):
        schedule = model.schedule
        log_vars = model.reverse_log_variance(options.variance)
        x = model.initial_noise(n, generator)
        clipped = options.clipped_steps(model)
        for t, _ in denoising_loop(list(range(model.timesteps - 1, -1, -1)), options.progress, "ddpm"):
            step = torch.full((n,), t, device=x.device, dtype=torch.long)
            with options.denoising(model, x.device):
                _, x0 = model.predict(x, step, condition, options.guidance_scale, clipped[t])
            mean, _ = schedule.posterior(x0, x, step)
            if t == 0:
                x = mean  # the decoder's mean: Algorithm 2 adds no noise at the last step
            else:
                noise = torch.randn(x.shape, generator=generator, device=x.device)
                x = mean + torch.exp(0.5 * log_vars[t]) * noise
        return model.from_diffusion_space(x)


class DDIMSampler(Sampler):
    """DDIM (Song et al. 2021): x_prev = sqrt(abar_prev) x_0 + sqrt(1 - abar_prev - sigma^2) eps + sigma z."""

    class Options(StepsOptions):
        eta: float = Field(0.0, ge=0, description="0 = deterministic DDIM, 1 = DDPM-like variance.")

    @torch.no_grad()
    def run(self, model: DiffusionModel, n, *, condition, generator, options):
        abar = model.schedule.alphas_cumprod
        x = model.initial_noise(n, generator)
        clipped = options.clipped_steps(model)
        for t, t_next in denoising_loop(options.chain(model.timesteps), options.progress, "ddim"):
            with options.denoising(model, x.device):
                eps, x0 = model.predict(x, t, condition, options.guidance_scale, clipped[t])
            if t_next is None:
                x = x0
                break
            a_t, a_next = abar[t], abar[t_next]
            sigma = options.eta * torch.sqrt((1 - a_next) / (1 - a_t) * (1 - a_t / a_next))
            x = a_next.sqrt() * x0 + torch.sqrt((1 - a_next - sigma**2).clamp(min=0)) * eps
            if options.eta > 0:
                x = x + sigma * torch.randn(x.shape, generator=generator, device=x.device)
        return model.from_diffusion_space(x)


class DPMSolverSampler(Sampler):
    """DPM-Solver++(2M), data-prediction form (Lu et al. 2022, Algorithm 2), first order at the ends.

    With alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t) and lambda_t = log(alpha_t / sigma_t):
    x_{i} = (sigma_i / sigma_{i-1}) x_{i-1} - alpha_i (e^{-h_i} - 1) D_i, where D_i extrapolates the
    last two x_0 predictions by the ratio of step sizes. The final evaluation's x_0 is the sample.
    """

    class Options(StepsOptions):
        steps: int | None = Field(None, ge=1, description="Network evaluations; default 20, or T when smaller.")

    @torch.no_grad()
    def run(self, model: DiffusionModel, n, *, condition, generator, options):
        alpha, sigma, lam = log_snr_scales(model)
        x = model.initial_noise(n, generator)
        previous_x0, previous_h = None, None
        clipped = options.clipped_steps(model)
        for t, t_next in denoising_loop(options.log_snr_chain(lam), options.progress, "dpm-solver++"):
            with options.denoising(model, x.device):
                _, x0 = model.predict(x, t, condition, options.guidance_scale, clipped[t])
            if t_next is None:
                x = x0
                break
            h = lam[t_next] - lam[t]
            x = multistep_update(x, x0, previous_x0, h, previous_h, alpha[t_next], sigma[t_next] / sigma[t])
            previous_x0, previous_h = x0, h
        return model.from_diffusion_space(x)


def log_snr_scales(model: DiffusionModel) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(alpha_t, sigma_t, lambda_t = log(alpha_t / sigma_t)) per timestep: what the log-SNR solvers step in."""
    alpha, sigma = model.schedule.sqrt_alphas_cumprod, model.schedule.sqrt_one_minus_alphas_cumprod
    return alpha, sigma, torch.log(alpha) - torch.log(sigma)


def multistep_update(x, x0, previous_x0, h, previous_h, alpha_next, sigma_ratio):
    """One DPM-Solver++(2M) step of log-SNR length h from x (whose x_0 prediction is x0) to the next timestep:
    (sigma_next / sigma) x - alpha_next (e^{-h} - 1) D, with D the last two x_0 predictions extrapolated by the
    ratio r = previous_h / h of step lengths (first order, D = x0, when there is no previous one)."""
    direction = x0
    if previous_x0 is not None:
        r = previous_h / h
        direction = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * previous_x0
    return sigma_ratio * x - alpha_next * torch.expm1(-h) * direction


