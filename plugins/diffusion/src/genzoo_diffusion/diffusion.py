"""The diffusion model base: forward process, denoiser calls, classifier-free guidance and the bound.

`DiffusionModel` is what every sampler of this family works with. Subclasses say what space the
diffusion runs in (pixels scaled to [-1, 1], 2D points, an autoencoder's latents) and which network
denoises; the samplers only call `predict(x_t, t)` for (eps, x_0) and `from_diffusion_space` at the end.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from itertools import pairwise
from typing import ClassVar, Literal

import torch
from genzoo import GenerativeModel, ModelConfig
from genzoo.plugin import Capability, GenzooError, normal_kl, normal_log_prob
from pydantic import Field
from torch import nn

from genzoo_diffusion.parameterization import Prediction, split_prediction
from genzoo_diffusion.schedules import Schedule, ScheduleName, make_betas

Variance = Literal["small", "large", "fitted"]


class DiffusionConfig(ModelConfig):
    """Hyperparameters of the diffusion process, shared by every denoiser."""

    timesteps: int = Field(1000, ge=2, description="T, the number of noising steps.")
    schedule: ScheduleName = Field("linear", description="linear (Ho et al.) or cosine (Nichol & Dhariwal) betas.")
    prediction: Prediction = Field("epsilon", description="What the denoiser predicts: epsilon, x0 or v.")
    guidance_scale: float = Field(1.0, ge=0, description="Default classifier-free guidance scale of conditional "
                                                         "models: 1 = plain conditional, 0 = unconditional.")


class DiffusionModel(GenerativeModel):
    """A denoiser plus the schedule of its forward process; see the module docstring."""

    config_class: ClassVar[type[ModelConfig]] = DiffusionConfig
    clip_range: ClassVar[tuple[float, float] | None] = None  # x_0 predictions are clipped to this (pixels)
    # Whether the denoiser samples faster under bfloat16 autocast on a device that computes bfloat16 natively:
    # true of the convolutional UNets (benchmarks/ddim_throughput.py), not of a tiny MLP on 2D points, whose
    # casts cost more than its matmuls save. The samplers' precision=auto reads it.
    bfloat16_pays: ClassVar[bool] = False

    def __init__(self, config: DiffusionConfig):
        super().__init__(config)
        self.schedule = Schedule(make_betas(config.schedule, config.timesteps))
        self.denoiser = self.build_denoiser()
        # E||x_0 - x_0_hat(x_t)||^2 / D per timestep on training data (DenoisingStep.finish); 0 = not fitted
        self.register_buffer("x0_mse", torch.zeros(config.timesteps))

    # -- what subclasses define --------------------------------------------------------------
    def build_denoiser(self) -> nn.Module:
        raise NotImplementedError

    @property
    def diffusion_shape(self) -> tuple[int, ...]:
        """Shape of one example in the space the diffusion runs in."""
        return tuple(self.data_spec.shape)

    def to_diffusion_space(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def from_diffusion_space(self, x0: torch.Tensor) -> torch.Tensor:
        return x0

    # -- shared machinery -----------------------------------------------------------------------
    def embedded_classes(self) -> int | None:
        """How many class labels the denoiser embeds: the data's classes for a conditional model, else None."""
        if not self.conditional:
            return None
        if not self.data_spec.num_classes:
            raise ValueError("a class-conditional diffusion model needs data.num_classes")
        return self.data_spec.num_classes

    @property
    def timesteps(self) -> int:
        return self.config.timesteps

    def network(self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        compiled = self.__dict__.get("_use_compiled")
        if compiled is None:
            return self.denoiser(x, t, labels)
        output = compiled(x, t, labels)
        # a CUDA graph's output lives in its memory pool, which the next replay overwrites; samplers keep
        # predictions across steps (DPM-Solver++, UniPC), so each one gets its own copy
        return output.clone() if output.is_cuda else output

    @contextlib.contextmanager
    def compiled(self, enabled: bool = True, freeze: bool = False) -> Iterator[None]:
        """Inside the block `network` runs torch.compile's version of the denoiser, compiled on first use and
        kept outside the module tree, so state_dict, .to() and the checkpoint are unchanged.

        On CUDA it compiles in "reduce-overhead" mode: every denoiser call replays a CUDA graph, so a step costs
        one launch instead of one per kernel (the issue's H200 measurement found sampling bound by launches, not
        arithmetic). The loop's few arithmetic kernels between calls stay eager.

        `freeze` compiles with Inductor's freezing: the weights become constants of the graph, so under bfloat16
        autocast their casts (and oneDNN's weight packing) happen once instead of at every call. A frozen graph
        holds a copy of the weights, so once one exists, any compiled call checks that no weight changed (a
        training step, load_state_dict, .to()) and recompiles if one did; a change through `.data` is not seen.
        """
        if not enabled:
            yield
            return
        denoiser, device, compiled, frozen_weights = self.__dict__.get("_compiled") or (None, None, None, None)
        if denoiser is not self.denoiser or device != self.device:  # a new denoiser or device: a new compilation
            denoiser, device, frozen_weights = self.denoiser, self.device, None
            compiled = torch.compile(denoiser, dynamic=False, mode="reduce-overhead" if device.type == "cuda" else None)
        if frozen_weights is not None or freeze:
            # checked on unfrozen calls too: under the same autocast state (a model held in bfloat16 autocasts
            # whatever the option says) Dynamo's guards let a later unfrozen call reuse a frozen graph
            weights = self._weights_version()
            if frozen_weights not in (None, weights):
                # Dynamo keeps compiled graphs per code object (UNet.forward), not per torch.compile wrapper, so
                # the stale ones must be dropped there; other models of this class recompile too, correctly
                torch._dynamo.eval_frame.remove_from_cache(denoiser)
                frozen_weights = None
            if freeze:
                frozen_weights = weights
        object.__setattr__(self, "_compiled", (denoiser, device, compiled, frozen_weights))
        previous = self.__dict__.get("_use_compiled")
        object.__setattr__(self, "_use_compiled", compiled)
        # Inductor reads the flag when it compiles, which is lazy (the first call, a new shape), so it is set
        # around the calls; torch.compile(options=...) does not reach freezing in torch 2.13
        frozen = torch._inductor.config.patch(freezing=True) if freeze else contextlib.nullcontext()
        try:
            with frozen:
                yield
        finally:
            object.__setattr__(self, "_use_compiled", previous)

    def _weights_version(self) -> tuple[tuple[int, int], ...]:
        """Changes whenever a denoiser weight does: each tensor's storage and in-place version counter."""
        return tuple((w.data_ptr(), w._version) for w in [*self.denoiser.parameters(), *self.denoiser.buffers()])

    def predict(self, x: torch.Tensor, t: torch.Tensor | int, condition: torch.Tensor | None = None,
                guidance_scale: float | None = None, clip: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """(eps, x_0) predicted at x_t; conditional models apply classifier-free guidance.

        Guidance mixes the conditional and unconditional ("no label") predictions as
        eps_u + w (eps_c - eps_u) (Ho & Salimans 2022, with w = 1 meaning no guidance), in one batch.
        With `clip`, pixel models clip x_0 to the data range and recompute eps from it, as Ho et al.'s
        sampler does. Samplers can turn it off (`clip_x0`): on data whose pixels sit at the range's end
        (MNIST's background is -1) clipping keeps only the upward half of every x_0 error, and the chain
        carries that bias into faint background noise.
        """
        t = torch.as_tensor(t, device=x.device).expand(len(x)) if not torch.is_tensor(t) or t.dim() == 0 else t
        scale = self.config.guidance_scale if guidance_scale is None else guidance_scale
        if self.conditional and condition is not None and scale != 1.0:
            if scale == 0.0:
                output = self.network(x, t, None).float()
            else:
                both = self.network(torch.cat([x, x]), torch.cat([t, t]),
                                    torch.cat([condition, self.null_labels(condition)])).float()
                conditional, unconditional = both.chunk(2)
                output = unconditional + scale * (conditional - unconditional)
        else:
            output = self.network(x, t, condition if self.conditional else None).float()  # float32 under autocast
        a, s = self.schedule.scales(t, x)
        eps, x0 = split_prediction(self.config.prediction, output, x, a, s)
        if clip and self.clip_range is not None:
            x0 = x0.clamp(*self.clip_range)
            eps = (x - a * x0) / s
        return eps, x0

    def null_labels(self, labels: torch.Tensor) -> torch.Tensor:
        """The "no label" class index that classifier-free guidance trains with."""
        return torch.full_like(labels, self.data_spec.num_classes)

    def initial_noise(self, n: int, generator: torch.Generator | None) -> torch.Tensor:
        return torch.randn((n, *self.diffusion_shape), generator=generator, device=self.device)

    # -- likelihood bound ------------------------------------------------------------------------
    def decoder_log_likelihood(self, x0: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
        """log p(x_0 | x_1) per dimension: a density here; image models override with a discretized mass."""
        return normal_log_prob(x0, mean, log_var)

    def reverse_log_variance(self, variance: Variance) -> torch.Tensor:
        """log sigma_t^2 of p(x_{t-1} | x_t) per timestep.

        `small` is beta~_t and `large` is beta_t (Ho et al.). `fitted` is the variance that minimises
        the bound for this model's mean, beta~_t + c_t^2 E||x_0 - x_0_hat||^2 / D with c_t the posterior
        mean's x_0 coefficient (the idea of Analytic-DPM, Bao et al. 2022, with the error measured
        directly): with fixed variances the bound stays loose even for a perfect denoiser, by about
        gamma / 2 nats per dimension at small t. Unfitted models (x0_mse = 0) get `small`.
        """
        schedule = self.schedule
        if variance == "small":
            return schedule.posterior_log_variance
        if variance == "large":
            return schedule.log_betas
        fitted = schedule.posterior_variance + schedule.posterior_mean_x0**2 * self.x0_mse
        fitted[0] = fitted[0] if fitted[0] > 0 else schedule.posterior_variance[1]
        return torch.log(fitted)

    @torch.no_grad()
    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None, timesteps: int | None = None,
                 variance: Variance = "fitted") -> torch.Tensor:
        """The variational lower bound on log p(x) in nats per example (Ho et al. eq. 5).

        L = L_T + sum_{t>1} KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)) - log p(x_0 | x_1); the last
        term is `decoder_log_likelihood` (a Gaussian density here, a discretized Gaussian on image levels).

        With `timesteps=None` every one of the T terms is computed (T network calls per batch).
        `timesteps=k` keeps L_T and the decoder term exact and estimates the sum of the KL terms
        without bias from k - 1 stratified random timesteps per example; use it for large test sets.
        `variance` is the reverse-process variance (see `reverse_log_variance`).
        """
        if Capability.LOG_PROB_BOUND not in self.capabilities:
            raise GenzooError(f"{self.name!r} has no likelihood bound")
        if timesteps is not None and not 1 <= timesteps <= self.timesteps:
            raise GenzooError(f"timesteps must be in [1, {self.timesteps}], got {timesteps}")
        x0 = self.to_diffusion_space(x)
        schedule, n = self.schedule, len(x0)
        dims = tuple(range(1, x0.dim()))
        log_vars = self.reverse_log_variance(variance)
        # L_T: KL(q(x_T | x_0) || N(0, I))
        last = torch.full((n,), self.timesteps - 1, device=x0.device, dtype=torch.long)
        a_last, s_last = schedule.scales(last, x0)
        log_var_t = torch.log(s_last**2).expand_as(x0)
        total = normal_kl(a_last * x0, log_var_t, torch.zeros_like(x0), torch.zeros_like(x0)).sum(dims)
        for t, weight in self._bound_timesteps(n, timesteps, x0.device):
            xt = schedule.q_sample(x0, t, torch.randn_like(x0))
            _, x0_hat = self.predict(xt, t, condition, guidance_scale=1.0)
            model_mean, _ = schedule.posterior(x0_hat, xt, t)
            model_log_var = Schedule.gather(log_vars, t, x0).expand_as(x0)
            if t[0] == 0:  # the decoder term -log p(x_0 | x_1)
                term = -self.decoder_log_likelihood(x0, model_mean, model_log_var)
            else:
                true_mean, true_log_var = schedule.posterior(x0, xt, t)
                term = normal_kl(true_mean, true_log_var.expand_as(x0), model_mean, model_log_var)
            total = total + weight * term.sum(dims)
        return -total

    def _bound_timesteps(self, n: int, timesteps: int | None, device: torch.device):
        """(t per example, weight) pairs whose weighted terms sum to the bound's t < T part.

        t = 0 (the decoder term) comes first, for the whole batch; later pairs never contain 0.
        """
        if timesteps is None:
            for index in range(self.timesteps):
                yield torch.full((n,), index, device=device, dtype=torch.long), 1.0
            return
        yield torch.zeros(n, device=device, dtype=torch.long), 1.0
        strata = timesteps - 1
        if not strata:
            return
        edges = torch.linspace(1, self.timesteps, strata + 1).round().long().tolist()
        for low, high in pairwise(edges):
            yield low + (torch.rand(n, device=device) * (high - low)).long(), float(high - low)
