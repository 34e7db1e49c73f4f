"""A full-covariance Gaussian mixture over latent codes, fitted by EM after training.

Sampling an autoencoder's decoder from a mixture fitted on its training codes instead of the prior
("ex-post density estimation", Ghosh et al. 2020; pythae's GMM sampler) lands in the regions the
decoder was trained on, which gives much sharper samples for AEs and VAEs alike. The mixture lives
in buffers, so it is saved in the checkpoint with the networks. Until it is fitted, every component
is N(0, I), so an unfitted mixture samples exactly like the prior.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from genzoo.errors import GenzooError

JITTER = 1e-4  # added to covariances (in code units squared) so that no component collapses


class GaussianMixture(nn.Module):
    def __init__(self, components: int, dim: int):
        super().__init__()
        self.register_buffer("log_weights", torch.full((components,), -math.log(components)))
        self.register_buffer("means", torch.zeros(components, dim))
        self.register_buffer("scale_tril", torch.eye(dim).repeat(components, 1, 1))

    @property
    def components(self) -> int:
        return len(self.log_weights)

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """log of the mixture density at each row of z, shape (n,)."""
        return torch.logsumexp(self._component_log_probs(z), dim=1)

    def _component_log_probs(self, z: torch.Tensor) -> torch.Tensor:
        """log w_k + log N(z | mu_k, Sigma_k), shape (n, components)."""
        diff = z.unsqueeze(1) - self.means  # (n, K, d)
        solved = torch.linalg.solve_triangular(self.scale_tril, diff.transpose(0, 1).transpose(1, 2),
                                               upper=False)  # (K, d, n)
        mahalanobis = solved.pow(2).sum(1).T  # (n, K)
        log_det = self.scale_tril.diagonal(dim1=1, dim2=2).log().sum(1)
        dim = z.shape[1]
        return self.log_weights - 0.5 * mahalanobis - log_det - 0.5 * dim * math.log(2 * math.pi)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        device = self.means.device
        component = torch.multinomial(self.log_weights.exp(), n, replacement=True, generator=generator)
        noise = torch.randn(n, self.means.shape[1], 1, generator=generator, device=device, dtype=self.means.dtype)
        return self.means[component] + (self.scale_tril[component] @ noise).squeeze(-1)

    @torch.no_grad()
    def fit(self, codes: torch.Tensor, *, iterations: int = 100, seed: int = 0, tolerance: float = 1e-5) -> float:
        """EM from a k-means++ start; returns the mean log-likelihood of `codes` under the fit."""
        codes = codes.to(self.means.device, self.means.dtype)
        if len(codes) < self.components:
            raise GenzooError(f"cannot fit {self.components} mixture components to {len(codes)} codes")
        generator = torch.Generator(device="cpu").manual_seed(seed)
        self.means.copy_(_kmeans_plus_plus(codes, self.components, generator))
        responsibilities = _one_hot_nearest(codes, self.means)
        previous = -math.inf
        for _ in range(iterations):
            self._maximisation(codes, responsibilities)
            log_probs = self._component_log_probs(codes)
            mean_log_likelihood = float(torch.logsumexp(log_probs, dim=1).mean())
            responsibilities = torch.softmax(log_probs, dim=1)
            if mean_log_likelihood - previous < tolerance:
                break
            previous = mean_log_likelihood
        return mean_log_likelihood

    def _maximisation(self, codes: torch.Tensor, responsibilities: torch.Tensor) -> None:
        counts = responsibilities.sum(0) + 1e-10
        self.log_weights.copy_((counts / counts.sum()).log())
        self.means.copy_(responsibilities.T @ codes / counts[:, None])
        diff = codes.unsqueeze(1) - self.means  # (n, K, d)
        weighted = diff * responsibilities.unsqueeze(-1)
        covariance = torch.einsum("nkd,nke->kde", weighted, diff) / counts[:, None, None]
        covariance += JITTER * torch.eye(codes.shape[1], device=codes.device, dtype=codes.dtype)
        self.scale_tril.copy_(torch.linalg.cholesky(covariance))


def _kmeans_plus_plus(codes: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """k seeds spread over the data: each next one drawn with probability ~ squared distance."""
    first = torch.randint(len(codes), (1,), generator=generator)
    centers = [codes[first[0]]]
    distance = (codes - centers[0]).pow(2).sum(1)
    for _ in range(k - 1):
        weights = distance.cpu() + 1e-12  # all-equal codes still give a valid distribution
        index = torch.multinomial(weights / weights.sum(), 1, generator=generator)[0]
        centers.append(codes[index])
        distance = torch.minimum(distance, (codes - codes[index]).pow(2).sum(1))
    return torch.stack(centers)


def _one_hot_nearest(codes: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
    nearest = torch.cdist(codes, centers).argmin(1)
    return nn.functional.one_hot(nearest, len(centers)).to(codes.dtype)
