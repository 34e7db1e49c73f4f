"""Class-conditional Gaussian ("Bayesian classifier sampling"): p(x, y) = p(y) N(x; mu_y, Sigma_y).

One full-covariance Gaussian per class plus the class prior, fitted in closed form. It is both a
generative model and a classifier: `generate` samples p(x | y=k) for given labels, or the joint
p(y) p(x | y) when no label is given (labels drawn from the fitted prior, see `prior_labels`);
`classify` applies Bayes' rule, log p(y | x) = log p(y) + log p(x | y) - log p(x).

With ~144 digits per class in 64 dimensions (or ~6,000 MNIST images in 784), the per-class sample
covariance is noisy or singular (constant border pixels), so each class covariance is regularised:

    Sigma_k = (1 - shrinkage) S_k + shrinkage S_pooled + ridge I

Shrinking toward the pooled within-class covariance (regularised discriminant analysis, Friedman
1989) borrows the shape shared by all classes instead of flattening it as shrinking toward a
multiple of I does; the ridge keeps directions that no class varies in (constant pixels) invertible.
The defaults are those that gave the best held-out log-likelihood on digits (dequantized) in a
cross-validation on the training split; they are config fields so other data can pick their own
(256-level MNIST wants a far smaller ridge, 1e-6: its dequantization noise, and so the variance of
its blank pixels, is 16^2 times smaller). The likelihood's best setting is not the classifier's: a
larger ridge tempers the overconfident p(x | y) of rarely used pixels and classifies better.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch
from pydantic import Field

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import CapabilityError, ConfigError, FitData, FitStep, GenzooError, standard_normal

LOG_TWO_PI = math.log(2 * math.pi)


class BayesGaussianConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None, num_classes=2)
    shrinkage: float = Field(0.2, ge=0.0, le=1.0, description="Weight of the pooled within-class covariance in "
                                                               "each class covariance (0: per-class only, 1: shared, LDA).")
    ridge: float = Field(1e-4, ge=0.0, description="Variance added to every dimension of every class covariance.")


class BayesGaussian(GenerativeModel):
    """Buffers: `log_prior` (C,), `means` (C, D), `scale_trils` (C, D, D) lower Cholesky factors.

    Unfitted it is a valid density: N(0, I) for every class under a uniform prior.
    """

    config_class = BayesGaussianConfig
    marginalises_labels = True  # log_prob(x) with no labels is the exact sum over the class prior
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB, Capability.CONDITIONAL})
    default_sampler = "ancestral"

    def __init__(self, config: BayesGaussianConfig):
        super().__init__(config)
        classes = config.data.num_classes
        if not classes or classes < 2:
            raise ConfigError("bayes-gaussian needs labelled data with at least 2 classes (data.num_classes)")
        dim = config.data.dim
        self.register_buffer("log_prior", torch.full((classes,), -math.log(classes)))
        self.register_buffer("means", torch.zeros(classes, dim))
        self.register_buffer("scale_trils", torch.eye(dim).expand(classes, dim, dim).clone())

    @property
    def num_classes(self) -> int:
        return len(self.log_prior)

    # -- densities -------------------------------------------------------------------------
    def class_log_likelihoods(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x | y=k) for every example and class, (n, C), by one triangular solve per class."""
        flat = x.reshape(len(x), -1).to(self.means.dtype)
        centred = (flat.unsqueeze(0) - self.means.unsqueeze(1)).transpose(1, 2)  # (C, D, n)
        whitened = torch.linalg.solve_triangular(self.scale_trils, centred, upper=False)
        half_log_det = self.scale_trils.diagonal(dim1=1, dim2=2).log().sum(1)  # (C,)
        dim = flat.shape[1]
        return (-0.5 * whitened.pow(2).sum(1) - half_log_det.unsqueeze(1) - 0.5 * dim * LOG_TWO_PI).T

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """log p(x | y) in nats per example when labels are given, else the marginal
        log p(x) = log sum_y p(y) p(x | y), which is also exact (the nll metric's `given_label=false`)."""
        per_class = self.class_log_likelihoods(x)
        if condition is None:
            return torch.logsumexp(per_class + self.log_prior, dim=1)
        labels = torch.as_tensor(condition, device=per_class.device).long().reshape(-1, 1)
        return per_class.gather(1, labels.expand(len(per_class), 1)).squeeze(1)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """log p(y | x), (n, C), by Bayes' rule; argmax is the Bayes classifier."""
        return torch.log_softmax(self.class_log_likelihoods(x) + self.log_prior, dim=1)

    def posterior(self, x: torch.Tensor) -> torch.Tensor:
        """p(y | x) as probabilities, (n, C); rows sum to one."""
        return self.classify(x).exp()

    # -- sampling --------------------------------------------------------------------------
    def prior_labels(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n labels drawn from the fitted class prior p(y) (what `genzoo sample --condition prior` uses)."""
        probabilities = self.log_prior.float().exp()
        source = generator.device if generator is not None else probabilities.device  # drawn there, then moved
        return torch.multinomial(probabilities.to(source), n, replacement=True,
                                 generator=generator).to(probabilities.device)

    def generate(self, n: int, *, condition: torch.Tensor | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Samples of p(x | y=condition), or of the joint p(y) p(x | y) when no condition is given
        (labels first, then noise, from the same generator)."""
        labels = self.prior_labels(n, generator) if condition is None else condition.long().to(self.means.device)
        noise = standard_normal((n, self.means.shape[1]), generator, device=self.means.device, dtype=self.means.dtype)
        x = torch.empty_like(noise)
        for k in labels.unique().tolist():  # one matmul per class, not a (n, D, D) gather of factors
            chosen = labels == k
            x[chosen] = self.means[k] + noise[chosen] @ self.scale_trils[k].T
        if self.data_spec.value_range is not None:  # a Gaussian has unbounded support; the data does not
            x = x.clamp(*self.data_spec.value_range)
        return x.reshape(n, *self.data_spec.shape)

    # -- fitting ---------------------------------------------------------------------------
    @torch.no_grad()
    def fit_closed_form(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Set the prior, means and regularised covariances from labelled data; returns per-class counts.

        Raises GenzooError for labels outside [0, C) or a class with fewer than 2 examples, and
        ConfigError for a class covariance that is singular even after regularisation.
        """
        flat = x.reshape(len(x), -1).to(device=self.means.device, dtype=torch.float64)
        labels = labels.to(self.means.device).long()
        counts = self._checked_counts(labels)
        means = torch.stack([flat[labels == k].mean(0) for k in range(self.num_classes)])
        centred = [flat[labels == k] - means[k] for k in range(self.num_classes)]
        scatters = torch.stack([c.T @ c for c in centred])
        covariances = scatters / (counts - 1).to(flat.dtype).reshape(-1, 1, 1)
        pooled = scatters.sum(0) / (len(flat) - self.num_classes)
        shrinkage = self.config.shrinkage
        regularised = (1 - shrinkage) * covariances + shrinkage * pooled
        regularised += self.config.ridge * torch.eye(flat.shape[1], dtype=flat.dtype, device=flat.device)
        trils, info = torch.linalg.cholesky_ex(regularised)
        if info.any():
            bad = int(torch.nonzero(info)[0])
            raise ConfigError(f"class {bad}: its covariance is singular even after regularisation "
                              f"(ridge={self.config.ridge:g}, shrinkage={shrinkage:g}); "
                              f"use a larger --set model.ridge=... or model.shrinkage=...")
        self.log_prior.copy_((counts.double() / counts.sum()).log())
        self.means.copy_(means)
        self.scale_trils.copy_(trils)
        return counts

    def _checked_counts(self, labels: torch.Tensor) -> torch.Tensor:
        if labels.numel() and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise GenzooError(f"labels must lie in [0, {self.num_classes - 1}], got "
                              f"[{int(labels.min())}, {int(labels.max())}]")
        counts = torch.bincount(labels, minlength=self.num_classes)
        few = [k for k, count in enumerate(counts.tolist()) if count < 2]
        if few:
            raise GenzooError(f"class(es) {', '.join(map(str, few))} have fewer than 2 training examples; "
                              f"a class covariance needs at least 2 (counts: {counts.tolist()})")
        return counts


class BayesGaussianFit(FitStep):
    """The closed-form fit on the whole training split; logs the per-class counts and the train NLL."""

    method: ClassVar[str] = "closed form"

    def fit(self, model: BayesGaussian, data: FitData, log) -> None:
        batch = data.all()
        if batch.label is None:
            raise CapabilityError(f"{model.name!r} needs labelled training data (the dataset gave no labels)")
        counts = model.fit_closed_form(batch.x, batch.label)
        nll = -model.log_prob(batch.x, condition=batch.label).mean().item()
        log(0, {"nll": nll, **{f"count_{k}": int(count) for k, count in enumerate(counts.tolist())}})
