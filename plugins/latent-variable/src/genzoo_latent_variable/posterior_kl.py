"""KL(N(mean, exp(log_var)) || N(0, 1)) per element, in closed form: the regulariser of the VAE and the KL
autoencoder, written once."""

import torch


def standard_normal_kl(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """0.5 (mean^2 + var - 1 - log var), elementwise (callers sum or average over what they need)."""
    return 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var)
