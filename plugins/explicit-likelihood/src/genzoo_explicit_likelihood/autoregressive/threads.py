"""The exact paths of the convolutional AR models run on one intra-op thread.

With several threads a GEMM's rows are split between them, and a thread's share of too few rows takes
MKL's other path (see `attention.MIN_ROWS`): the cached step's log-probabilities then differ from the full
forward's in the last bit (measured with 2 threads on a 2-core CPU), and naive and cached samples could
differ. So the computations whose bits matter (log-probabilities and cached steps outside training) run
with `torch.set_num_threads(1)`, restored afterwards; fitting (training mode with gradients) keeps every
thread, since its bits do not matter.
"""

from __future__ import annotations

import functools

import torch

from genzoo_explicit_likelihood.autoregressive.masked_conv import fitting


def single_threaded(method):
    """Decorate a model method: run it on one thread unless the model is fitting (see the module docstring)."""

    @functools.wraps(method)
    def wrapper(model, *args, **kwargs):
        threads = torch.get_num_threads()
        if threads == 1 or fitting(model):
            return method(model, *args, **kwargs)
        torch.set_num_threads(1)
        try:
            return method(model, *args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    return wrapper
