"""A Bernoulli-Bernoulli restricted Boltzmann machine, trained by CD-k or persistent CD.

The energy of visible v and hidden h (both 0/1) is E(v, h) = -v.b - h.c - v W h. Summing out h
gives the free energy F(v) = -v.b - sum_j softplus(c_j + (v W)_j), so p(v) = exp(-F(v)) / Z.
Everything the zoo asks of a model follows from three facts:

- sampling is block Gibbs, since p(h | v) and p(v | h) factorise into sigmoids;
- the gradient of the log-likelihood is a data term minus a model term, and the surrogate loss
  F(v_data) - F(v_model) (with v_model a fixed Gibbs sample) has exactly the CD gradient;
- log Z is intractable, so log p(v) needs an estimate: annealed importance sampling (see `ais`)
  stores it in the `log_partition` buffer at the end of training. Until then, models with at
  most `EXACT_UNITS` units in a layer use the exact value, by enumeration.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, field_validator
from torch import nn
from torch.nn import functional as F

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import Batch, FitData, GenzooError, TrainingStep, sample_bernoulli
from genzoo_latent_variable.ais import Schedule, ais_log_partition, exact_log_partition
from genzoo_latent_variable.gibbs import chains_from_noise

BINARIZED_MNIST = DataSpec(shape=(1, 28, 28), kind="binary", value_range=(0.0, 1.0), levels=2)
GENERATE_STEPS = 1000  # Gibbs sweeps for `generate`: chains from noise need hundreds to look like data
BASE_RATE_SMOOTHING = 0.05  # pseudo-count per pixel and value, keeping base-rate biases finite
EXACT_UNITS = 10  # with no stored log Z, log_prob enumerates 2^10 states (< 0.1 s at 784 visible) on each call
AIS_SEED = 0  # the AIS run at the end of training is seeded, so every process stores the same log Z


class RBMConfig(ModelConfig):
    """Binary 0/1 data only (binarized MNIST by default) and the size of the hidden layer."""

    data: DataSpec = BINARIZED_MNIST
    hidden: int = Field(500, ge=1, description="Number of binary hidden units.")
    persistent_chains: int = Field(
        100, ge=1, description="Fantasy particles of persistent CD; kept in the model so a resumed run is exact."
    )

    @field_validator("data")
    @classmethod
    def _binary(cls, data: DataSpec) -> DataSpec:
        if data.kind != "binary" or tuple(data.value_range or ()) != (0.0, 1.0):
            raise ValueError(
                f"an RBM models binary data with values 0 and 1, got kind={data.kind!r}, value_range={data.value_range}; "
                "binarize images with --set data.view=binarized"
            )
        return data


class RBM(GenerativeModel):
    """Parameters `weight` (visible x hidden), `visible_bias`, `hidden_bias`.

    Buffers: `log_partition` (log Z, valid while the boolean `log_partition_known` is set; not NaN
    until then, because training refuses checkpoints with non-finite tensors and NaN != NaN breaks
    bit-exact comparisons), `base_visible_bias` (the base-rate model AIS anneals from; zeros, i.e.
    uniform, until fitted on data) and `persistent_chains` (the PCD fantasy particles, random at first).
    """

    config_class = RBMConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB_ESTIMATE})
    default_sampler = "gibbs"

    def __init__(self, config: RBMConfig):
        super().__init__(config)
        visible = config.data.dim
        self.weight = nn.Parameter(0.01 * torch.randn(visible, config.hidden))  # Hinton's guide: N(0, 0.01^2)
        self.visible_bias = nn.Parameter(torch.zeros(visible))
        self.hidden_bias = nn.Parameter(torch.zeros(config.hidden))
        self.register_buffer("log_partition", torch.tensor(0.0))
        self.register_buffer("log_partition_known", torch.tensor(False))
        self.register_buffer("base_visible_bias", torch.zeros(visible))
        self.register_buffer("persistent_chains", torch.bernoulli(torch.full((config.persistent_chains, visible), 0.5)))

    # -- conditionals and energies ---------------------------------------------------------
    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) per example (v shaped (n, *shape) or (n, visible)): -log of the unnormalised p(v)."""
        v = self._flat(v)
        return -(v @ self.visible_bias) - F.softplus(self.hidden_bias + v @ self.weight).sum(-1)

    def hidden_probs(self, v: torch.Tensor) -> torch.Tensor:
        """p(h_j = 1 | v), shaped (n, hidden)."""
        return torch.sigmoid(self.hidden_bias + self._flat(v) @ self.weight)

    def visible_probs(self, h: torch.Tensor) -> torch.Tensor:
        """p(v_i = 1 | h), shaped (n, visible)."""
        return torch.sigmoid(self.visible_bias + h @ self.weight.T)

    def _flat(self, v: torch.Tensor) -> torch.Tensor:
        return v.reshape(len(v), -1).to(self.weight.dtype)

    # -- sampling --------------------------------------------------------------------------
    @torch.no_grad()
    def gibbs(self, v: torch.Tensor, steps: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Run `steps` block Gibbs sweeps (h ~ p(h | v), then v ~ p(v | h)) from visible states `v`.

        Returns the final visible *sample* (0/1, the shape of `v`); no gradient flows through it.
        """
        shape, v = v.shape, self._flat(v)
        for _ in range(steps):
            v = sample_bernoulli(self.visible_probs(sample_bernoulli(self.hidden_probs(v), generator)), generator)
        return v.reshape(shape)

    def generate(self, n: int, *, condition=None, generator: torch.Generator | None = None) -> torch.Tensor:
        """`GENERATE_STEPS` Gibbs sweeps from uniformly random visible states (the `gibbs` sampler's default)."""
        return chains_from_noise(self, n, GENERATE_STEPS, generator)

    # -- likelihood ------------------------------------------------------------------------
    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """log p(x) = -F(x) - log Z in nats per example; an estimate when log Z came from AIS."""
        return -self.free_energy(x) - self._log_z()

    def _log_z(self) -> torch.Tensor:
        if self.log_partition_known:
            return self.log_partition
        if min(self.weight.shape) <= EXACT_UNITS:
            return torch.tensor(exact_log_partition(self.weight, self.visible_bias, self.hidden_bias),
                                dtype=self.weight.dtype, device=self.weight.device)
        raise GenzooError(
            "this RBM's log partition function has not been estimated, so log p(x) is unknown: "
            "call model.estimate_log_partition() (annealed importance sampling) or train with step.ais_betas > 0"
        )

    @torch.no_grad()
    def fit_base_rate(self, x: torch.Tensor) -> None:
        """Set the base-rate visible biases AIS anneals from to the smoothed pixel means of data `x`.

        A base rate close to the data makes AIS far more accurate than a uniform start
        (Salakhutdinov & Murray 2008); the smoothing keeps pixels that are always 0 (or 1) finite.
        """
        means = self._flat(x).mean(0)
        probs = (means + BASE_RATE_SMOOTHING) / (1 + 2 * BASE_RATE_SMOOTHING)
        self.base_visible_bias.copy_(torch.logit(probs))

    @torch.no_grad()
    def estimate_log_partition(self, num_chains: int = 100, num_betas: int = 10000, *,
                               schedule: Schedule = "piecewise",
                               generator: torch.Generator | None = None) -> tuple[float, float]:
        """Estimate log Z by AIS from the base-rate model, store it for `log_prob`, return (log Z, stderr).

        Fit the base rate on training data first (`fit_base_rate`; training does both at its end).
        """
        log_z, stderr = ais_log_partition(self.weight, self.visible_bias, self.hidden_bias, self.base_visible_bias,
                                          num_chains=num_chains, num_betas=num_betas, schedule=schedule,
                                          generator=generator)
        self.log_partition.fill_(log_z)
        self.log_partition_known.fill_(True)
        return log_z, stderr


class ContrastiveDivergenceStep(TrainingStep):
    """CD-k (chains restart at the data) or persistent CD (Tieleman 2008: chains carry over).

    The loss is the surrogate F(v_data).mean() - F(v_model).mean() with v_model a Gibbs sample
    (no gradient through it), whose gradient is the CD estimate of -d log p / d theta; it is
    not a likelihood, so watch `recon` and the final AIS estimate instead. PCD's chains live in
    the model's `persistent_chains` buffer (their number is `model.persistent_chains`), so they are
    checkpointed and a resumed run continues them exactly.
    """

    method: Literal["cd", "pcd"] = "pcd"
    k: int = Field(1, ge=1, description="Gibbs sweeps per update.")
    ais_chains: int = Field(100, ge=1, description="AIS chains for log Z at the end of training.")
    ais_betas: int = Field(10000, ge=0, description="AIS annealing steps at the end of training; 0 skips AIS.")

    def loss(self, model: RBM, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        v_data = batch.x.flatten(1)
        with torch.no_grad():
            model.log_partition_known.fill_(False)  # the weights are about to change: a stored log Z goes stale
            start = model.persistent_chains if self.method == "pcd" else v_data
            v_model = model.gibbs(start, self.k)
            if self.method == "pcd":
                model.persistent_chains.copy_(v_model)
            recon = (model.visible_probs(sample_bernoulli(model.hidden_probs(v_data))) - v_data).pow(2).mean()
        loss = model.free_energy(v_data).mean() - model.free_energy(v_model).mean()
        return {"loss": loss, "recon": recon}

    def finish(self, model: RBM, data: FitData) -> dict[str, float]:
        """Fit the base rate on the training set, then estimate log Z by seeded AIS."""
        model.fit_base_rate(data.all().x)  # the seeded training set: the same base rate in every run
        if self.ais_betas == 0:
            return {}
        generator = torch.Generator(device=model.device).manual_seed(AIS_SEED)
        log_z, stderr = model.estimate_log_partition(self.ais_chains, self.ais_betas, generator=generator)
        return {"log_partition": log_z, "log_partition_stderr": stderr}
