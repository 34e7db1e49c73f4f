"""A Gaussian mixture fitted by EM: latent-code samplers, the GMM density model, any clustering need.

The mixture lives in buffers (`log_weights`, `means`, and `scale_tril` for full covariances or
`stds` for diagonal and spherical ones), so as a submodule it is saved in the owner's checkpoint.
Until it is fitted every component is N(0, I), so an unfitted mixture is the standard normal.

`fit` runs EM (Dempster et al. 1977) from k-means++ seeds (Arthur & Vassilvitskii 2007), with the
small `jitter` added to every variance so that no component collapses onto one point. Each EM
iteration cannot lower the data's log-likelihood (up to that jitter), and `fit` reports the
log-likelihood after every iteration, so this is checkable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict
from torch import nn

from genzoo.distributions.draws import standard_normal
from genzoo.distributions.normal import LOG_2PI
from genzoo.errors import ConfigError

Covariance = Literal["full", "diagonal", "spherical"]


class EMFit(BaseModel):
    """How an EM fit went: the mean log-likelihood per example after each iteration, and the last one."""

    model_config = ConfigDict(frozen=True)

    log_likelihood: float
    iterations: int
    converged: bool
    history: tuple[float, ...]


class GaussianMixture(nn.Module):
    """K Gaussians in `dim` dimensions with mixing weights; see the module docstring."""

    def __init__(self, components: int, dim: int, covariance: Covariance = "full", jitter: float = 1e-4):
        super().__init__()
        if covariance not in ("full", "diagonal", "spherical"):
            raise ConfigError(f"unknown covariance {covariance!r}; use full, diagonal or spherical")
        if components < 1 or dim < 1:
            raise ConfigError(f"a mixture needs at least one component and one dimension, got {components} and {dim}")
        self.covariance, self.jitter = covariance, jitter
        self.register_buffer("log_weights", torch.full((components,), -math.log(components)))
        self.register_buffer("means", torch.zeros(components, dim))
        if covariance == "full":
            self.register_buffer("scale_tril", torch.eye(dim).repeat(components, 1, 1))
        else:
            self.register_buffer("stds", torch.ones(components, dim if covariance == "diagonal" else 1))

    @property
    def components(self) -> int:
        return len(self.log_weights)

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    @property
    def weights(self) -> torch.Tensor:
        return self.log_weights.exp()

    @property
    def covariances(self) -> torch.Tensor:
        """(components, dim, dim) covariance matrices, whatever the parameterisation."""
        if self.covariance == "full":
            return self.scale_tril @ self.scale_tril.transpose(1, 2)
        return torch.diag_embed(self.stds.expand(-1, self.dim) ** 2)

    # -- density -----------------------------------------------------------------------------
    def component_log_probs(self, x: torch.Tensor) -> torch.Tensor:
        """log w_k + log N(x | mu_k, Sigma_k) for each row of x (n, dim): shape (n, components).

        The squared distances are matrix products (x^2 @ 1/var - 2 x @ mu/var + mu^2/var for diagonal
        covariances, `squared_mahalanobis` for full ones), several times faster than broadcasting x - mu
        to an (n, components, dim) tensor. The diagonal expansion subtracts terms of size (x / std)^2,
        which in float32 cancel catastrophically for data far from the origin next to the stds (clusters
        at 300 with std 0.05), so it runs in float64: O(n K d) work, exact to float32 precision for
        (x / std)^2 up to ~1e9.
        """
        x = x.to(self.means.dtype)
        if self.covariance == "full":
            mahalanobis = squared_mahalanobis(x, self.means, self.scale_tril)
            log_det = self.scale_tril.diagonal(dim1=1, dim2=2).log().sum(1)
        else:
            variances = self.stds.expand(-1, self.dim) ** 2
            x64, means, precisions = x.double(), self.means.double(), 1 / variances.double()  # (K, d)
            mahalanobis = (x64.pow(2) @ precisions.T - 2 * x64 @ (means * precisions).T
                           + (means.pow(2) * precisions).sum(1)).clamp_min(0).to(x.dtype)
            log_det = 0.5 * variances.log().sum(1)
        return self.log_weights - 0.5 * mahalanobis - log_det - 0.5 * self.dim * LOG_2PI

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log of the mixture density at each row of x: shape (n,)."""
        return torch.logsumexp(self.component_log_probs(x), dim=1)

    def responsibilities(self, x: torch.Tensor) -> torch.Tensor:
        """p(component k | x_n): shape (n, components), rows sum to one."""
        return torch.softmax(self.component_log_probs(x), dim=1)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n draws (n, dim): a component by weight, then a point from it."""
        device = self.means.device
        source = generator.device if generator is not None else device
        component = torch.multinomial(self.weights.to(source), n, replacement=True, generator=generator).to(device)
        noise = standard_normal((n, self.dim, 1), generator, device=device, dtype=self.means.dtype)
        if self.covariance == "full":
            return self.means[component] + (self.scale_tril[component] @ noise).squeeze(-1)
        return self.means[component] + self.stds[component] * noise.squeeze(-1)

    # -- fitting ------------------------------------------------------------------------------
    @torch.no_grad()
    def fit(self, x: torch.Tensor, *, generator: torch.Generator | None = None, iterations: int = 100,
            tolerance: float = 1e-5, on_iteration: Callable[[int, float], None] | None = None,
            initial_means: torch.Tensor | None = None) -> EMFit:
        """EM from a k-means++ start until the mean log-likelihood gains less than `tolerance` per iteration.

        `initial_means` (components, dim) replaces the k-means++ seeds (a warm start, or another
        library's seeds when comparing implementations); the first M-step starts from every point
        assigned to its nearest seed.

        The fit runs on a fresh copy (in this mixture's dtype for full covariances, in float64 for diagonal and
        spherical ones), so a failed fit (a singular covariance) leaves the mixture as it was. `on_iteration(i, log_likelihood)` is
        called after each iteration, for progress logs.
        """
        if len(x) < self.components:
            raise ConfigError(f"cannot fit {self.components} mixture components to {len(x)} points; "
                              f"use at most {len(x)} components")
        # Diagonal and spherical E- and M-steps compute in float64 anyway (see component_log_probs): the whole
        # fit runs there, so the data are converted once, not twice per iteration; the result is cast back.
        dtype = self.means.dtype if self.covariance == "full" else torch.float64
        work = GaussianMixture(self.components, self.dim, self.covariance, self.jitter).to(self.means.device, dtype)
        x = x.to(self.means.device, dtype)
        offset = x.mean(0)  # EM is translation-equivariant; centred data keeps float32 sums of squares exact
        x = x - offset
        if initial_means is None:
            seeds = kmeans_plus_plus(x, self.components, generator)
        else:
            seeds = initial_means.to(x) - offset
        responsibilities = _one_hot_nearest(x, seeds)
        history: list[float] = []
        for iteration in range(iterations):
            work._maximisation(x, responsibilities)
            log_norm, responsibilities = _normalise(work.component_log_probs(x))
            history.append(float(log_norm.mean()))
            if on_iteration is not None:
                on_iteration(iteration, history[-1])
            if len(history) > 1 and history[-1] - history[-2] < tolerance:
                break
        work.means += offset
        for name, buffer in work.named_buffers():
            getattr(self, name).copy_(buffer)
        converged = len(history) > 1 and history[-1] - history[-2] < tolerance
        return EMFit(log_likelihood=history[-1], iterations=len(history), converged=converged, history=tuple(history))

    def _maximisation(self, x: torch.Tensor, responsibilities: torch.Tensor) -> None:
        """The weights, means and covariances that maximise the expected log-likelihood, plus jitter."""
        mass = responsibilities.sum(0)
        counts = mass + 1e-10
        self.log_weights.copy_((counts / counts.sum()).log())
        sums = responsibilities.T @ x
        self.means.copy_(sums / counts[:, None])
        if self.covariance == "full":
            # sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T from centred differences, one (d, n) x (n, d) product per
            # component: the same work as expanding it into second moments minus N_k mu mu^T, without the
            # float32 cancellation of that expansion when a component lies far off the global mean
            covariance = torch.stack([(responsibilities[:, k, None] * centred).T @ centred
                                      for k, centred in enumerate(x.unsqueeze(0) - self.means.unsqueeze(1))])
            covariance /= counts[:, None, None]
            covariance += self.jitter * torch.eye(self.dim, device=x.device, dtype=x.dtype)
            factor, info = torch.linalg.cholesky_ex(covariance)
            if info.any():
                singular = int(info.nonzero()[0, 0])
                raise ConfigError(f"the covariance of mixture component {singular} is singular (its points span "
                                  f"fewer than {self.dim} dimensions); raise jitter above {self.jitter:g}")
            self.scale_tril.copy_(factor)
            return
        # sum_n r_nk (x_n - mu_k)^2 = sum r x^2 - 2 mu sum r x + mu^2 sum r: matrix products, no (n, K, d)
        # tensor, in float64 since the terms cancel (see component_log_probs); exact for any mu
        r64, x64, means = responsibilities.double(), x.double(), self.means.double()
        squares = r64.T @ x64.pow(2) - 2 * means * (r64.T @ x64) + means.pow(2) * r64.sum(0)[:, None]
        variance = squares.clamp_min(0).to(x.dtype) / counts[:, None]
        if self.covariance == "spherical":
            variance = variance.mean(1, keepdim=True)
        self.stds.copy_((variance + self.jitter).sqrt())


def squared_mahalanobis(x: torch.Tensor, means: torch.Tensor, scale_tril: torch.Tensor) -> torch.Tensor:
    """||L_k^-1 (x_n - mu_k)||^2 for rows x (n, d), means (K, d) and lower factors L (K, d, d): shape (n, K).

    Whitens x for all components in one (n, d) x (d, K d) product with the stacked L_k^-T, then
    subtracts each whitened mean: several times faster than a triangular solve per component. The
    difference is taken after whitening, so float32 loses only |x| / std relative precision in it, not
    the square of that as an expanded quadratic form would.
    """
    d = x.shape[1]
    eye = torch.eye(d, dtype=x.dtype, device=x.device).expand_as(scale_tril)
    whitening = torch.linalg.solve_triangular(scale_tril, eye, upper=False).transpose(1, 2)  # L^-T
    stacked = whitening.transpose(0, 1).reshape(d, -1)
    whitened_means = (means.unsqueeze(1) @ whitening).squeeze(1)  # (K, d)
    return ((x @ stacked).view(len(x), len(means), d) - whitened_means).pow(2).sum(2)


def kmeans_plus_plus(x: torch.Tensor, k: int, generator: torch.Generator | None = None,
                     trials: int | None = None) -> torch.Tensor:
    """k seeds (k, dim) spread over the rows of x by greedy k-means++.

    The first seed is a uniform pick; each next one is the best of `trials` candidates drawn with
    probability ~ squared distance to the nearest seed so far: the one that leaves the smallest total
    squared distance (Arthur & Vassilvitskii 2007, section 6). `trials` defaults to 2 + floor(ln k),
    scikit-learn's choice, whose seeds start EM in markedly better optima than single draws do;
    trials=1 is plain k-means++.
    """
    trials = trials or 2 + int(math.log(k))
    source = generator.device if generator is not None else x.device
    first = int(torch.randint(len(x), (1,), generator=generator, device=source)[0])
    centers = [x[first]]
    distance = (x - centers[0]).pow(2).sum(1)
    for _ in range(k - 1):
        weights = distance.to(source) + 1e-12  # all-equal points still give a valid distribution
        candidates = torch.multinomial(weights / weights.sum(), trials, replacement=True, generator=generator)
        candidates = candidates.to(x.device)
        remaining = torch.minimum(distance, torch.cdist(x[candidates], x).pow(2))  # (trials, n)
        best = int(remaining.sum(1).argmin())
        centers.append(x[candidates[best]])
        distance = remaining[best]
    return torch.stack(centers)


def _normalise(log_joint: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """log sum_k exp(log_joint) per row and the responsibilities (the softmax), from one exp.

    Terms more than 80 nats below a row's largest are raised to e^-80 first: they change neither
    result (e^-80 is far below float64's resolution), and exp of very negative numbers, which EM meets
    constantly in 64 dimensions, takes the math library's slow path (4x the time of the whole E-step).
    """
    peak = log_joint.amax(1, keepdim=True)
    weights = (log_joint - peak).clamp_min(-80).exp()
    total = weights.sum(1, keepdim=True)
    return (peak + total.log()).squeeze(1), weights / total


def _one_hot_nearest(x: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
    nearest = torch.cdist(x, centers).argmin(1)
    return nn.functional.one_hot(nearest, len(centers)).to(x.dtype)
