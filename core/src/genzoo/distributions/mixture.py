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
        """log w_k + log N(x | mu_k, Sigma_k) for each row of x (n, dim): shape (n, components)."""
        diff = x.unsqueeze(1) - self.means  # (n, K, d)
        if self.covariance == "full":
            solved = torch.linalg.solve_triangular(self.scale_tril, diff.transpose(0, 1).transpose(1, 2),
                                                   upper=False)  # (K, d, n)
            mahalanobis = solved.pow(2).sum(1).T  # (n, K)
            log_det = self.scale_tril.diagonal(dim1=1, dim2=2).log().sum(1)
        else:
            stds = self.stds.expand(-1, self.dim)
            mahalanobis = (diff / stds).pow(2).sum(2)
            log_det = stds.log().sum(1)
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
            tolerance: float = 1e-5) -> EMFit:
        """EM from a k-means++ start until the mean log-likelihood gains less than `tolerance` per iteration."""
        x = x.to(self.means.device, self.means.dtype)
        if len(x) < self.components:
            raise ConfigError(f"cannot fit {self.components} mixture components to {len(x)} points; "
                              f"use at most {len(x)} components")
        self.means.copy_(kmeans_plus_plus(x, self.components, generator))
        responsibilities = _one_hot_nearest(x, self.means)
        history: list[float] = []
        for _ in range(iterations):
            self._maximisation(x, responsibilities)
            log_probs = self.component_log_probs(x)
            history.append(float(torch.logsumexp(log_probs, dim=1).mean()))
            responsibilities = torch.softmax(log_probs, dim=1)
            if len(history) > 1 and history[-1] - history[-2] < tolerance:
                break
        converged = len(history) > 1 and history[-1] - history[-2] < tolerance
        return EMFit(log_likelihood=history[-1], iterations=len(history), converged=converged, history=tuple(history))

    def _maximisation(self, x: torch.Tensor, responsibilities: torch.Tensor) -> None:
        """The weights, means and covariances that maximise the expected log-likelihood, plus jitter."""
        counts = responsibilities.sum(0) + 1e-10
        self.log_weights.copy_((counts / counts.sum()).log())
        self.means.copy_(responsibilities.T @ x / counts[:, None])
        diff = x.unsqueeze(1) - self.means  # (n, K, d)
        weighted = diff * responsibilities.unsqueeze(-1)
        if self.covariance == "full":
            covariance = torch.einsum("nkd,nke->kde", weighted, diff) / counts[:, None, None]
            covariance += self.jitter * torch.eye(self.dim, device=x.device, dtype=x.dtype)
            self.scale_tril.copy_(torch.linalg.cholesky(covariance))
            return
        variance = (weighted * diff).sum(0) / counts[:, None]  # (K, d)
        if self.covariance == "spherical":
            variance = variance.mean(1, keepdim=True)
        self.stds.copy_((variance + self.jitter).sqrt())


def kmeans_plus_plus(x: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """k seeds (k, dim) spread over the rows of x: each next one drawn with probability ~ squared distance."""
    source = generator.device if generator is not None else x.device
    first = int(torch.randint(len(x), (1,), generator=generator, device=source)[0])
    centers = [x[first]]
    distance = (x - centers[0]).pow(2).sum(1)
    for _ in range(k - 1):
        weights = distance.to(source) + 1e-12  # all-equal points still give a valid distribution
        index = int(torch.multinomial(weights / weights.sum(), 1, generator=generator)[0])
        centers.append(x[index])
        distance = torch.minimum(distance, (x - x[index]).pow(2).sum(1))
    return torch.stack(centers)


def _one_hot_nearest(x: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
    nearest = torch.cdist(x, centers).argmin(1)
    return nn.functional.one_hot(nearest, len(centers)).to(x.dtype)
