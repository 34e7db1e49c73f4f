"""Mixtures of per-pixel categoricals (`catmix`) and of per-pixel Bernoullis (`bernoulli-mixture`), fitted by EM.

p(x) = sum_k pi_k prod_d theta_k,d[x_d]: given the component, every pixel is an independent
categorical over its levels. It is the strong discrete baseline for digits (17 grey levels, the int64
`levels` view) and, with two levels, the classic Bernoulli mixture for binarized MNIST (the
`binarized` view, dynamic binarization; a sibling architecture with the same code and a binary
DataSpec). K = 1 is the independent-pixel model.

The M-step is maximum a posteriori under symmetric Dirichlet(1 + pseudo_count) priors on every theta_k,d
and on pi: pseudo_count is added to every expected count, so a level never seen in training keeps a
positive probability and held-out data never scores -inf. EM then never decreases the log posterior,
which the fit logs (`log_posterior`, per example) beside the plain log-likelihood.
"""

from __future__ import annotations

import torch
from pydantic import Field, field_validator
from torch.nn import functional as F

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import CapabilityError, from_levels, sample_categorical
from genzoo_explicit_likelihood.mixture_fitting import Log, hard_start

DIGITS_LEVELS = DataSpec(shape=(1, 8, 8), kind="discrete", dtype="int64", value_range=(0, 16), levels=17)
BINARIZED_MNIST = DataSpec(shape=(1, 28, 28), kind="binary", value_range=(0.0, 1.0), levels=2)
LEVEL_TOLERANCE = 1e-3  # of a level spacing: float32 levels k / 255 sit ~1e-5 spacings off k


class CategoricalMixtureConfig(ModelConfig):
    data: DataSpec = DIGITS_LEVELS
    components: int = Field(10, ge=1, description="Number of components K (1: independent pixels).")
    pseudo_count: float = Field(0.1, gt=0, description="Dirichlet pseudo-count added to every level's and every "
                                                      "component's expected count in the M-step (MAP EM).")

    @field_validator("data")
    @classmethod
    def _discrete(cls, data: DataSpec) -> DataSpec:
        if data.kind == "continuous":
            raise ValueError("a categorical mixture models discrete data: use the levels view "
                             "(--set data.view=levels) or binarized data")
        return data


class BernoulliMixtureConfig(CategoricalMixtureConfig):
    data: DataSpec = BINARIZED_MNIST


class CategoricalMixture(GenerativeModel):
    """Buffers `log_weights` (K,) and `log_probs` (K, D, levels); unfitted, the uniform distribution."""

    config_class = CategoricalMixtureConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})
    default_sampler = "ancestral"

    def __init__(self, config: CategoricalMixtureConfig):
        super().__init__(config)
        k, levels = config.components, self.levels
        self.register_buffer("log_weights", torch.full((k,), -torch.log(torch.tensor(float(k))).item()))
        self.register_buffer("log_probs", torch.full((k, config.data.dim, levels),
                                                     -torch.log(torch.tensor(float(levels))).item()))

    @property
    def levels(self) -> int:
        return 2 if self.data_spec.kind == "binary" else self.data_spec.levels

    # -- data <-> level indices -----------------------------------------------------------
    def indices(self, x: torch.Tensor) -> torch.Tensor:
        """Level indices 0..levels-1 (n, D) of data in the DataSpec's form, or a CapabilityError for values
        that are not among its levels (this model has no mass anywhere else). Float levels such as k / 255
        are not exact in binary, so a value counts as level k within LEVEL_TOLERANCE of a level spacing."""
        low, high = self.data_spec.value_range
        x = x.reshape(len(x), -1)
        position = (x.double() - low) / (high - low) * (self.levels - 1)
        index = position.round()
        off_level = ((position - index).abs() > LEVEL_TOLERANCE).any()
        if off_level or index.min() < 0 or index.max() > self.levels - 1:
            raise CapabilityError(f"{self.name!r} models {self.levels} levels in [{low:g}, {high:g}] and has no "
                                  "probability for other values; give it the view it was trained on")
        return index.long()

    def _values(self, index: torch.Tensor) -> torch.Tensor:
        if self.data_spec.dtype == "int64":
            return index + int(self.data_spec.value_range[0])
        return from_levels(index, self.levels, self.data_spec.value_range)

    # -- density and sampling -------------------------------------------------------------
    def _component_log_probs(self, one_hot: torch.Tensor) -> torch.Tensor:
        """log pi_k + log p(x | k) for one-hot data (n, D * levels): shape (n, K)."""
        return self.log_weights + one_hot @ self.log_probs.flatten(1).T

    def _one_hot(self, x: torch.Tensor) -> torch.Tensor:
        return F.one_hot(self.indices(x), self.levels).flatten(1).to(self.log_probs.dtype)

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Exact log-probability (mass) in nats per example."""
        return torch.logsumexp(self._component_log_probs(self._one_hot(x)), dim=1)

    def mixture_weights(self) -> torch.Tensor:
        return self.log_weights.exp()

    def generate(self, n: int, *, condition=None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Ancestral draws: a component by weight, then every pixel from its categorical."""
        component = sample_categorical(self.log_weights.float().expand(n, -1), generator)
        index = sample_categorical(self.log_probs.float()[component], generator)  # (n, D)
        return self._values(index).reshape(n, *self.data_spec.shape)

    # -- fitting --------------------------------------------------------------------------
    @torch.no_grad()
    def fit_mixture(self, x: torch.Tensor, *, iterations: int, tolerance: float, log: Log,
                    generator: torch.Generator | None = None) -> list[float]:
        """MAP EM from k-means++ seeds on the level indices; logs the log posterior and log-likelihood per
        example after each iteration and returns the log posteriors."""
        index = self.indices(x).to(self.log_probs.device)
        one_hot = F.one_hot(index, self.levels).flatten(1).double()
        responsibilities = hard_start(index.double(), self.config.components, generator)
        history: list[float] = []
        for iteration in range(iterations):
            log_weights, log_probs = self._maximisation(one_hot, responsibilities)
            joint = log_weights + one_hot @ log_probs.flatten(1).T
            log_likelihood = float(torch.logsumexp(joint, dim=1).mean())
            log_prior = self.config.pseudo_count * (log_weights.sum() + log_probs.sum())
            history.append(log_likelihood + float(log_prior) / len(one_hot))
            log(iteration, {"log_posterior": history[-1], "log_likelihood": log_likelihood})
            responsibilities = torch.softmax(joint, dim=1)
            if len(history) > 1 and history[-1] - history[-2] < tolerance:
                break
        self.log_weights.copy_(log_weights)
        self.log_probs.copy_(log_probs)
        return history

    def _maximisation(self, one_hot: torch.Tensor, responsibilities: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """MAP weights and level probabilities: expected counts plus pseudo_count, normalised (logs)."""
        a = self.config.pseudo_count
        counts = responsibilities.sum(0) + a
        level_counts = (responsibilities.T @ one_hot).reshape(len(counts), -1, self.levels) + a
        return (counts / counts.sum()).log(), (level_counts / level_counts.sum(-1, keepdim=True)).log()


class BernoulliMixture(CategoricalMixture):
    """The same mixture on binary data (two levels), registered with a binarized-MNIST default."""

    config_class = BernoulliMixtureConfig
