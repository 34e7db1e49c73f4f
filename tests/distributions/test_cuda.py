"""On a GPU, with a seeded CPU generator, the same draws and (up to rounding) the same numbers as on the CPU."""

import pytest
import torch

from genzoo.distributions import (
    GaussianMixture,
    dequantize,
    discretized_gaussian_log_prob,
    discretized_logistic_log_prob,
    sample_bernoulli,
    sample_categorical,
    sample_discretized_logistic,
)

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
CUDA = torch.device("cuda")


def _seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_draws_from_a_cpu_generator_do_not_depend_on_the_device():
    probs, logits = torch.rand(500, generator=_seeded(1)), torch.randn(500, 4, generator=_seeded(2))
    assert torch.equal(sample_bernoulli(probs.to(CUDA), _seeded()).cpu(), sample_bernoulli(probs, _seeded()))
    assert torch.equal(sample_categorical(logits.to(CUDA), _seeded()).cpu(), sample_categorical(logits, _seeded()))
    index = torch.arange(17).repeat(10)
    assert torch.allclose(dequantize(index.to(CUDA), 17, generator=_seeded()).cpu(), dequantize(index, 17, generator=_seeded()))
    mean, log_scale = torch.rand(500, generator=_seeded(3)), torch.full((500,), -3.0)
    on_gpu = sample_discretized_logistic(mean.to(CUDA), log_scale.to(CUDA), 17, generator=_seeded()).cpu()
    assert (on_gpu != sample_discretized_logistic(mean, log_scale, 17, generator=_seeded())).float().mean() < 0.01


def test_log_probs_agree_with_the_cpu():
    x = torch.randint(0, 256, (1000,)) / 255
    mean, log_scale = torch.rand(1000, generator=_seeded(4)), torch.randn(1000, generator=_seeded(5)) - 3
    for log_prob in (discretized_logistic_log_prob, discretized_gaussian_log_prob):
        on_gpu = log_prob(x.to(CUDA), mean.to(CUDA), log_scale.to(CUDA), 256).cpu()
        assert torch.allclose(on_gpu, log_prob(x, mean, log_scale, 256), atol=1e-4)


def test_mixture_fits_and_samples_on_the_gpu_with_a_cpu_generator():
    x = torch.cat([torch.randn(300, 2, generator=_seeded(6)) + 4, torch.randn(300, 2, generator=_seeded(7)) - 4])
    cpu, gpu = GaussianMixture(2, 2), GaussianMixture(2, 2).to(CUDA)
    cpu.fit(x, generator=_seeded(8))
    gpu.fit(x.to(CUDA), generator=_seeded(8))
    assert torch.allclose(gpu.means.cpu(), cpu.means, atol=1e-4)
    draws = gpu.sample(10, _seeded(9))
    assert draws.device.type == "cuda" and torch.allclose(draws.cpu(), cpu.sample(10, _seeded(9)), atol=1e-4)
