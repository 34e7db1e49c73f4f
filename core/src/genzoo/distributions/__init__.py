"""Shared probability math for every family: write it once here, test it once, import it everywhere.

- levels: values <-> level indices of quantised data (`to_levels`, `from_levels`, `snap_to_levels`,
  `dequantize`), the conventions behind bits/dim.
- heads: `bernoulli_log_prob` / `sample_bernoulli`, `categorical_log_prob` / `sample_categorical`,
  `discretized_logistic_log_prob` and its mixture (PixelCNN++) with samplers,
  `discretized_gaussian_log_prob` (diffusion decoders), `normal_log_prob`, `normal_kl`.
- `GaussianMixture`: full, diagonal or spherical covariances fitted by EM from k-means++ seeds.
- importance sampling: `log_mean_exp`, `importance_sampled_log_prob` (IWAE-style estimates).

Every function works elementwise on tensors of any device and floating dtype (float64 included), and
every random one takes `generator=` (None means torch's default generator) and draws on the
generator's device, so seeded results do not depend on where the model runs.
"""

from genzoo.distributions.bernoulli import bernoulli_log_prob, sample_bernoulli
from genzoo.distributions.categorical import categorical_log_prob, sample_categorical
from genzoo.distributions.importance import importance_sampled_log_prob, log_mean_exp
from genzoo.distributions.levels import dequantize, from_levels, snap_to_levels, to_levels
from genzoo.distributions.logistic import (
    discretized_logistic_log_prob,
    discretized_logistic_mixture_log_prob,
    log_sigmoid_difference,
    sample_discretized_logistic,
    sample_discretized_logistic_mixture,
)
from genzoo.distributions.mixture import Covariance, EMFit, GaussianMixture, kmeans_plus_plus
from genzoo.distributions.normal import LOG_2PI, discretized_gaussian_log_prob, normal_kl, normal_log_prob

__all__ = [
    "LOG_2PI",
    "Covariance",
    "EMFit",
    "GaussianMixture",
    "bernoulli_log_prob",
    "categorical_log_prob",
    "dequantize",
    "discretized_gaussian_log_prob",
    "discretized_logistic_log_prob",
    "discretized_logistic_mixture_log_prob",
    "from_levels",
    "importance_sampled_log_prob",
    "kmeans_plus_plus",
    "log_mean_exp",
    "log_sigmoid_difference",
    "normal_kl",
    "normal_log_prob",
    "sample_bernoulli",
    "sample_categorical",
    "sample_discretized_logistic",
    "sample_discretized_logistic_mixture",
    "snap_to_levels",
    "to_levels",
]
