"""Checks for anyone writing a FlowLayer: the log-det a layer reports against a brute-force one.

A wrong log-det does not show in samples, and a flow trained with it still "works" while its
likelihoods are wrong; comparing with log|det J| of the full Jacobian on a tiny input catches it.
"""

from __future__ import annotations

import copy

import torch
from torch.autograd.functional import jacobian

from genzoo_explicit_likelihood.flows.layer import FlowLayer


def perturbed(module: torch.nn.Module, seed: int = 0, scale: float = 0.3) -> torch.nn.Module:
    """`module` in eval mode with every parameter moved off its initial value by scale * N(0, 1) noise drawn
    from `seed`: zero-initialised nets and identity inits would otherwise hide a wrong log-det or inverse."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.add_(scale * torch.randn(parameter.shape, generator=generator).to(parameter))
    return module.eval()


def brute_force_log_det(layer: FlowLayer, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
    """log|det dz/dx| per example from the full Jacobian, computed in float64 on a copy of `layer`.

    Each example goes through the layer on its own, so keep x tiny (a few examples of <= ~100 values). The
    copy runs in eval mode: in training mode ActNorm would initialise on one example and dropout would draw
    a new mask per example, a different function from the one whose log-det is being checked.
    """
    double = copy.deepcopy(layer).double().eval()
    values = []
    for i in range(len(x)):
        example = x[i:i + 1].double()
        given = None if context is None else context[i:i + 1].double()
        matrix = jacobian(lambda e, given=given: double(e, given)[0], example).reshape(example.numel(), -1)
        values.append(torch.linalg.slogdet(matrix).logabsdet)
    return torch.stack(values).to(x.dtype)


def assert_change_of_variables(model, x: torch.Tensor, *, atol: float = 1e-3) -> None:
    """Check a flow model (a `flow` FlowLayer, a `base` with `log_prob`, and `log_prob(x)`) end to end:
    log_prob(x) = log base(f(x)) + brute-force log|det df/dx|, and f inverts back to x."""
    z, _ = model.flow(x)
    expected = model.base.log_prob(z) + brute_force_log_det(model.flow, x)
    torch.testing.assert_close(model.log_prob(x), expected, atol=atol, rtol=1e-4)
    torch.testing.assert_close(model.flow.inverse(z), x, atol=1e-4, rtol=1e-4)
