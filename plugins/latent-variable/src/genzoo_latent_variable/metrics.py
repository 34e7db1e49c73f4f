"""The family's metrics: reconstruction error, the ELBO's two terms, and VQ codebook usage.

Both run on the test split in the view the model was trained on, in batches, and say in their
notes what exactly was measured, so model cards can quote them.
"""

from __future__ import annotations

import torch

from genzoo.plugin import CapabilityError, EvalRequest, require_model

from genzoo_latent_variable.vqvae import perplexity


def _test_split(model, request: EvalRequest) -> tuple[torch.Tensor, torch.Tensor]:
    from genzoo.plugin import view_for

    x, y = request.dataset("test", view_for(model.data_spec, "samples")).tensors()
    if request.n is not None:
        x, y = x[: request.n], y[: request.n]
    return x, y


def _batches(model, request: EvalRequest):
    """(x, condition) batches of the test split on the model's device."""
    x, y = _test_split(model, request)
    conditional = model.conditional
    for xb, yb in zip(x.split(request.batch_size), y.split(request.batch_size)):
        yield xb.to(model.device), (yb.to(model.device) if conditional else None)


@torch.no_grad()
def reconstruction_metric(model, request: EvalRequest):
    """Mean squared error per value between test examples and decode(encode(x)) (the decoder mean)."""
    model = require_model(model, "recon-mse")
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "decode", None))):
        raise CapabilityError(f"{model.name!r} has no encoder and decoder")
    total, count = 0.0, 0
    for x, condition in _batches(model, request):
        reconstruction = model.decode(model.encode(x, condition=condition), condition=condition)
        total += float((reconstruction - x).pow(2).sum())
        count += x.numel()
    return [request.result("recon-mse", total / count, notes=f"per value, decoder mean, n={count // model.data_spec.dim}")]


@torch.no_grad()
def elbo_terms_metric(model, request: EvalRequest):
    """The ELBO split into its reconstruction term -E_q log p(x|z) and KL(q(z|x) || p(z)), nats per test example.

    The KL is what a beta-VAE trades against reconstruction: it bounds the information the code carries.
    """
    model = require_model(model, "elbo-terms")
    if not callable(getattr(model, "elbo", None)):
        raise CapabilityError(f"{model.name!r} has no ELBO (it is not a VAE)")
    generator = torch.Generator(device=model.device).manual_seed(request.seed)
    reconstruction, kl, count = 0.0, 0.0, 0
    for x, condition in _batches(model, request):
        log_likelihood, divergence = model.elbo(x, condition, generator)
        reconstruction -= float(log_likelihood.sum())
        kl += float(divergence.sum())
        count += len(x)
    notes = f"nats per example, one posterior draw each, n={count}"
    return [request.result("reconstruction-nll", reconstruction / count, notes=notes),
            request.result("kl", kl / count, notes=notes)]


@torch.no_grad()
def codebook_metric(model, request: EvalRequest):
    """Perplexity exp(H) of the code histogram over all test positions, and the share of codes used."""
    model = require_model(model, "codebook")
    size = getattr(model.config, "codebook_size", None)
    if size is None:
        raise CapabilityError(f"{model.name!r} has no codebook")
    codes = torch.cat([model.encode(x, condition=condition).flatten().cpu() for x, condition in _batches(model, request)])
    notes = f"codebook of {size}, {len(codes)} test positions"
    return [request.result("codebook-perplexity", float(perplexity(codes, size)), notes=notes),
            request.result("codes-used", torch.unique(codes).numel() / size, notes=notes)]
