"""On a GPU, a seeded CPU generator gives the same samples as on the CPU (draws on the generator's device,
then moved), for the closed-form and variational models; skipped without CUDA."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo_explicit_likelihood.vbgmm import Prior

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
CUDA = torch.device("cuda")
DATA = {"shape": (2,), "value_range": None}
CONFIGS = {"bayes-gaussian": {}, "ppca": {"data": DATA, "latent_dim": 1}, "fa": {"data": DATA, "latent_dim": 1},
           "vbgmm": {"data": DATA}}


def _seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("architecture", sorted(CONFIGS))
def test_a_cpu_generator_gives_the_same_samples_on_a_gpu(architecture):
    model = genzoo.create(architecture, **CONFIGS[architecture])
    on_cpu = model.sample(64, generator=_seeded())
    on_gpu = model.to(CUDA).sample(64, generator=_seeded())
    assert on_gpu.device.type == "cuda"
    torch.testing.assert_close(on_gpu.cpu(), on_cpu, rtol=1e-4, atol=1e-4)


def test_the_vbgmm_prior_of_one_point_stays_on_its_device():
    model = genzoo.create("vbgmm", data=DATA)
    prior = Prior.from_data(torch.ones(1, 2, dtype=torch.float64, device=CUDA), model.config)
    assert prior.scale_tril.device.type == "cuda"
