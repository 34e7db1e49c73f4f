"""Shared probability math for every family: write it once here, test it once, import it everywhere.

- levels: values <-> level indices of quantised data (`to_levels`, `from_levels`, `snap_to_levels`,
  `dequantize`), the conventions behind bits/dim.
- heads: `bernoulli_log_prob` / `sample_bernoulli`, `categorical_log_prob` / `sample_categorical`,
  `discretized_logistic_log_prob` and its mixture (PixelCNN++) with samplers,
  `discretized_gaussian_log_prob` (diffusion decoders), `normal_log_prob`, `normal_kl`.
- `GaussianMixture`: full, diagonal or spherical covariances fitted by EM from k-means++ seeds;
  `squared_mahalanobis` for any Gaussian mixture with Cholesky factors.
- `standard_normal`: N(0, 1) draws from a caller's generator on its own device, then moved.
- importance sampling: `log_mean_exp`, `importance_sampled_log_prob` (IWAE-style estimates).

Every function works elementwise on tensors of any device and floating dtype (float64 included), and
every random one takes `generator=` (None means torch's default generator) and draws on the
generator's device, so seeded results do not depend on where the model runs.

Importing this package is cheap (each name loads from its submodule on first use, PEP 562), so
`genzoo.plugin` can list these names without importing torch.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> the submodule that defines it
_HOMES = {
    "bernoulli_log_prob": "bernoulli",
    "sample_bernoulli": "bernoulli",
    "categorical_log_prob": "categorical",
    "sample_categorical": "categorical",
    "importance_sampled_log_prob": "importance",
    "log_mean_exp": "importance",
    "dequantize": "levels",
    "from_levels": "levels",
    "snap_to_levels": "levels",
    "to_levels": "levels",
    "discretized_logistic_log_prob": "logistic",
    "discretized_logistic_mixture_log_prob": "logistic",
    "log_sigmoid_difference": "logistic",
    "sample_discretized_logistic": "logistic",
    "sample_discretized_logistic_mixture": "logistic",
    "Covariance": "mixture",
    "EMFit": "mixture",
    "GaussianMixture": "mixture",
    "kmeans_plus_plus": "mixture",
    "squared_mahalanobis": "mixture",
    "standard_normal": "draws",
    "LOG_2PI": "normal",
    "discretized_gaussian_log_prob": "normal",
    "normal_kl": "normal",
    "normal_log_prob": "normal",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'genzoo.distributions' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"genzoo.distributions.{home}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__
