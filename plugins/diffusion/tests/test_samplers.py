"""The samplers, checked against a denoiser that is exact for Gaussian data."""

import genzoo
import pytest
import torch
from genzoo.errors import ConfigError
from genzoo_diffusion.samplers import DPMSolverSampler, sampling_timesteps


def draw(model, sampler, n=4096, seed=0, **options):
    return model.sample(n, sampler=sampler, generator=torch.Generator().manual_seed(seed), progress=False, **options)


def test_ddim_with_eta_one_on_every_step_is_ancestral_sampling(gaussian_ddpm):
    model = gaussian_ddpm(0.7, timesteps=50)
    ancestral = draw(model, "ddpm", n=64, variance="small")
    ddim = draw(model, "ddim", n=64, steps=50, eta=1.0)
    assert torch.allclose(ancestral, ddim, atol=1e-4)


@pytest.mark.parametrize(("sampler", "options"), [("ddpm", {}), ("ddim", {"steps": 200}), ("dpm-solver", {"steps": 20})])
def test_samples_have_the_data_distribution(gaussian_ddpm, sampler, options):
    samples = draw(gaussian_ddpm(0.7, timesteps=200), sampler, n=20_000, **options)
    assert samples.mean().item() == pytest.approx(0.0, abs=0.02)
    assert samples.std().item() == pytest.approx(0.7, abs=0.02)


def test_dpm_solver_tracks_the_ode_closer_than_ddim_at_equal_steps(gaussian_ddpm):
    """Both solve the probability-flow ODE from the same noise; the second-order solver has the smaller error."""
    model = gaussian_ddpm(1.5, timesteps=1000)
    reference = draw(model, "ddim", n=512, steps=1000)
    ddim_error = (draw(model, "ddim", n=512, steps=8) - reference).abs().mean()
    solver_error = (draw(model, "dpm-solver", n=512, steps=8) - reference).abs().mean()
    assert solver_error < 0.5 * ddim_error


def test_sampling_timesteps_span_the_chain():
    assert sampling_timesteps(1000, 5) == [999, 749, 500, 250, 0]
    log_snr = torch.linspace(-5, 5, 100).flip(0)
    assert DPMSolverSampler.Options(steps=3).log_snr_chain(log_snr) == [99, 49, 0]  # lambda = 5, ~0, -5
    assert len(set(DPMSolverSampler.Options(steps=100).log_snr_chain(log_snr))) == 100
    assert sampling_timesteps(10, 1) == [9]
    with pytest.raises(ConfigError, match="at most the model's 10 timesteps"):
        sampling_timesteps(10, 11)


def test_sampler_options_are_validated(gaussian_ddpm):
    model = gaussian_ddpm(0.7, timesteps=20)
    with pytest.raises(ConfigError, match="steps"):
        draw(model, "ddpm", n=2, steps=10)  # ancestral sampling always runs all T steps
    with pytest.raises(ConfigError, match="eta"):
        draw(model, "ddim", n=2, eta=-1)


def test_progress_bar_names_the_sampler(gaussian_ddpm, capsys):
    gaussian_ddpm(0.7, timesteps=20).sample(2, sampler="ddim", steps=5)
    assert "ddim" in capsys.readouterr().err


@pytest.fixture
def conditional():
    spec = genzoo.get_registry().architecture("ddpm-cond")
    torch.manual_seed(0)
    model = genzoo.create("ddpm-cond", **spec.tiny_config).eval()
    torch.nn.init.normal_(model.denoiser.class_embedding.weight)  # distinct classes, even untrained
    torch.nn.init.normal_(model.denoiser.head[-1].weight, std=0.1)
    return model


def test_guidance_mixes_conditional_and_unconditional_predictions(conditional):
    conditional.clip_range = None  # clipping x_0 would bend the linear mix; check the mix itself
    x, t, labels = torch.randn(4, 1, 8, 8), torch.full((4,), 10), torch.tensor([0, 3, 5, 9])
    with torch.no_grad():
        eps_c, _ = conditional.predict(x, t, labels, guidance_scale=1.0)
        eps_u, _ = conditional.predict(x, t, labels, guidance_scale=0.0)
        eps_w, _ = conditional.predict(x, t, labels, guidance_scale=3.0)
        unlabelled, _ = conditional.predict(x, t, None)
    assert not torch.allclose(eps_c, eps_u)
    assert torch.allclose(eps_u, unlabelled)
    assert torch.allclose(eps_w, eps_u + 3.0 * (eps_c - eps_u), atol=1e-5)


def test_guided_samples_are_reproducible(conditional):
    first = conditional.sample(4, condition=[1, 2, 3, 4], sampler="ddim", steps=4, guidance_scale=2.0,
                               generator=torch.Generator().manual_seed(3), progress=False)
    second = conditional.sample(4, condition=[1, 2, 3, 4], sampler="ddim", steps=4, guidance_scale=2.0,
                                generator=torch.Generator().manual_seed(3), progress=False)
    assert torch.equal(first, second)


def test_bfloat16_sampling_stays_close_to_float32():
    spec = genzoo.get_registry().architecture("ddpm")
    torch.manual_seed(0)
    model = genzoo.create("ddpm", **spec.tiny_config).eval()
    torch.nn.init.normal_(model.denoiser.head[-1].weight, std=0.05)
    exact = model.sample(8, sampler="ddim", steps=5, generator=torch.Generator().manual_seed(0), progress=False)
    fast = model.sample(8, sampler="ddim", steps=5, precision="bfloat16", generator=torch.Generator().manual_seed(0),
                        progress=False)
    assert fast.dtype == torch.float32
    assert (fast - exact).abs().mean() < 0.02  # a few grey levels at most, on average
