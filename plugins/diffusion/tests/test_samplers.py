"""The samplers, checked against a denoiser that is exact for Gaussian data."""

import math

import genzoo
import pytest
import torch
from genzoo.errors import ConfigError
from torch.distributions import Normal
from genzoo_diffusion import samplers
from genzoo_diffusion.samplers import DDIMSampler, DPMSolverSampler, sampling_timesteps
from genzoo_diffusion.unipc import corrector_weights


def draw(model, sampler, n=4096, seed=0, **options):
    return model.sample(n, sampler=sampler, generator=torch.Generator().manual_seed(seed), progress=False, **options)


def test_ddim_with_eta_one_on_every_step_is_ancestral_sampling(gaussian_ddpm):
    model = gaussian_ddpm(0.7, timesteps=50)
    ancestral = draw(model, "ddpm", n=64, variance="small")
    ddim = draw(model, "ddim", n=64, steps=50, eta=1.0)
    assert torch.allclose(ancestral, ddim, atol=1e-4)


@pytest.mark.parametrize(("sampler", "options"), [("ddpm", {}), ("ddim", {"steps": 200}), ("dpm-solver", {"steps": 20}),
                                                   ("unipc", {"steps": 20})])
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


def test_predict_clips_x0_to_the_data_range_only_when_asked():
    model = genzoo.create("ddpm", **genzoo.get_registry().architecture("ddpm").tiny_config).eval()
    model.network = lambda x, t, labels: torch.full_like(x, -3.0)  # eps_hat = -3 everywhere
    x, t = torch.zeros(1, 1, 8, 8), 10
    a, s = model.schedule.sqrt_alphas_cumprod[t], model.schedule.sqrt_one_minus_alphas_cumprod[t]
    assert 3 * s / a > 1  # the raw x_0 = (0 - s (-3)) / a lies above the range
    eps, x0 = model.predict(x, t, clip=False)
    assert torch.allclose(x0, torch.full_like(x, float(3 * s / a))) and torch.allclose(eps, torch.full_like(x, -3.0))
    eps, x0 = model.predict(x, t)  # the bound's default: clipped, eps recomputed from the clipped x_0
    assert torch.allclose(x0, torch.ones_like(x)) and torch.allclose(eps, torch.full_like(x, float(-a / s)))


def test_unclipped_ancestral_sampling_keeps_the_mass_at_the_range_end(gaussian_pixel_ddpm):
    """With the exact denoiser for N(0, 1) pixels, the samples' share at level 0 is Phi(-1 + 1/255) (x_0 below the
    level's upper edge, clamped there). Clipping every step's x_0 at -1 keeps only its upward errors, and the
    chain's noise then spreads that mass over the next grey levels: the faint background of clipped samplers."""
    model = gaussian_pixel_ddpm
    level_zero = float(Normal(0.0, 1.0).cdf(torch.tensor(-1 + 1 / 255)))  # 0.1596
    levels_1_to_12 = float(Normal(0.0, 1.0).cdf(torch.tensor(-1 + 25 / 255))) - level_zero  # 0.0239
    unclipped = draw(model, "ddpm", n=2048, clip_x0=False)
    assert (unclipped == 0).float().mean().item() == pytest.approx(level_zero, abs=0.01)
    faint = ((unclipped > 0) & (unclipped < 12.5 / 255)).float().mean().item()
    assert faint == pytest.approx(levels_1_to_12, abs=0.005)
    clipped = draw(model, "ddpm", n=2048)  # the default, as Ho et al.
    assert (clipped == 0).float().mean().item() < level_zero - 0.05
    assert ((clipped > 0) & (clipped < 12.5 / 255)).float().mean().item() > 2 * levels_1_to_12


def test_clip_x0_above_clips_only_the_noisy_timesteps():
    """T = 2 linear betas (scaled by 1000 / T, capped): beta = 0.05, 0.999, so abar = 0.95, 0.00095 and
    sigma / alpha = sqrt(0.05 / 0.95) = 0.22942 at t = 0 and sqrt(0.99905 / 0.00095) = 32.4289 at t = 1."""
    model = genzoo.create("ddpm", **{**genzoo.get_registry().architecture("ddpm").tiny_config, "timesteps": 2})
    ratio = model.schedule.sqrt_one_minus_alphas_cumprod / model.schedule.sqrt_alphas_cumprod
    assert ratio.tolist() == pytest.approx([0.22942, 32.4289], rel=1e-4)
    assert [DDIMSampler.Options().clipped_steps(model)[t] for t in (0, 1)] == [True, True]  # every step, as Ho et al.
    assert [DDIMSampler.Options(clip_x0_above=1.0).clipped_steps(model)[t] for t in (0, 1)] == [False, True]
    assert [DDIMSampler.Options(clip_x0_above=40.0).clipped_steps(model)[t] for t in (0, 1)] == [False, False]
    assert [DDIMSampler.Options(clip_x0=False).clipped_steps(model)[t] for t in (0, 1)] == [False, False]


def test_clip_x0_above_sets_where_the_samplers_clip(gaussian_pixel_ddpm):
    every_step = draw(gaussian_pixel_ddpm, "ddpm", n=64)
    assert torch.equal(draw(gaussian_pixel_ddpm, "ddpm", n=64, clip_x0_above=0.0), every_step)
    never = draw(gaussian_pixel_ddpm, "ddpm", n=64, clip_x0=False)
    assert torch.equal(draw(gaussian_pixel_ddpm, "ddpm", n=64, clip_x0_above=1e9), never)
    assert not torch.equal(never, every_step)


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
    exact = model.sample(8, sampler="ddim", steps=5, precision="float32", generator=torch.Generator().manual_seed(0),
                         progress=False)
    fast = model.sample(8, sampler="ddim", steps=5, precision="bfloat16", generator=torch.Generator().manual_seed(0),
                        progress=False)
    assert fast.dtype == torch.float32
    assert (fast - exact).abs().mean() < 0.02  # a few grey levels at most, on average


@pytest.mark.parametrize("native", [True, False])
def test_auto_precision_is_bfloat16_only_for_unets_on_native_bfloat16_devices(monkeypatch, native):
    monkeypatch.setattr(samplers, "native_bfloat16", lambda device: native)
    options = DDIMSampler.Options(precision="auto")
    unet = genzoo.create("ddpm", **genzoo.get_registry().architecture("ddpm").tiny_config)
    mlp = genzoo.create("ddpm-mlp", timesteps=50, hidden=16, layers=1)
    assert DDIMSampler.Options().precision == "auto"  # the default: fastest on the device in use
    assert options.resolved_precision(unet, torch.device("cpu")) == ("bfloat16" if native else "float32")
    assert options.resolved_precision(mlp, torch.device("cpu")) == "float32"
    assert DDIMSampler.Options(precision="float32").resolved_precision(unet, torch.device("cpu")) == "float32"
    assert DDIMSampler.Options(precision="bfloat16").resolved_precision(mlp, torch.device("cpu")) == "bfloat16"
    # a model loaded in float16 keeps its own autocast: auto adds none on top of it
    assert options.resolved_precision(unet.to(torch.float16), torch.device("cpu")) == "float32"


def test_native_bfloat16_says_no_for_devices_without_it():
    assert not samplers.native_bfloat16(torch.device("meta"))
    assert isinstance(samplers.native_bfloat16(torch.device("cpu")), bool)


def test_unipc_corrector_weights_tend_to_adams_moulton():
    """At equal steps (rk = -1) and h -> 0, b = (1/2, 1/3), so rho_prev = (1/2 - 1/3) / 2 = 1/12 and rho_t = 5/12:
    m_s + rho_prev (m_prev - m_s) / rk + rho_t (m_t - m_s) = 5/12 m_t + 8/12 m_s - 1/12 m_prev."""
    rho_prev, rho_t = corrector_weights(1e-4, -1.0)
    assert rho_prev == pytest.approx(1 / 12, abs=1e-4) and rho_t == pytest.approx(5 / 12, abs=1e-4)


def test_unipc_corrector_weights_at_a_finite_step():
    """h = 1, rk = -0.5, written out: B = e^-1 - 1; phi = B / -1 - 1 = -e^-1; b1 = phi / B; phi' = phi / -1 - 1/2;
    b2 = 2 phi' / B; rho_prev = (b1 - b2) / 1.5, rho_t = b1 - rho_prev."""
    b = math.exp(-1) - 1
    b1, b2 = -math.exp(-1) / b, 2 * (math.exp(-1) - 0.5) / b
    rho_prev, rho_t = corrector_weights(1.0, -0.5)
    assert rho_prev == pytest.approx((b1 - b2) / 1.5, rel=1e-12) and rho_t == pytest.approx(b1 - (b1 - b2) / 1.5, rel=1e-12)


def test_unipc_converges_at_third_order_where_dpm_solver_converges_at_second(gaussian_ddpm):
    """For N(0, std^2) data the probability-flow ODE is linear: x_t = x_T sqrt(v_t / v_T), v_t = a_t^2 std^2 + s_t^2,
    and the sample is the final x_0 prediction a_0 std^2 x_0 / v_0. Doubling the steps from 20 to 40 divides
    DPM-Solver++(2M)'s error by ~2^2 and UniPC's by ~2^3 (measured 3.9 and 7.7); the corrector costs no call."""
    std = 1.5
    model = gaussian_ddpm(std, timesteps=1000)
    a, s = model.schedule.sqrt_alphas_cumprod.double(), model.schedule.sqrt_one_minus_alphas_cumprod.double()
    v = a**2 * std**2 + s**2
    x_end = model.initial_noise(512, torch.Generator().manual_seed(0)).double() * torch.sqrt(v[0] / v[-1])
    exact = a[0] * std**2 * x_end / v[0]
    errors = {name: [(draw(model, name, n=512, steps=steps) - exact).abs().mean().item() for steps in (20, 40)]
              for name in ("dpm-solver", "unipc")}
    assert 3.0 < errors["dpm-solver"][0] / errors["dpm-solver"][1] < 5.5
    assert errors["unipc"][0] / errors["unipc"][1] > 6.5
    assert errors["unipc"][1] < 0.5 * errors["dpm-solver"][1]


def test_compiled_sampling_matches_the_eager_path(gaussian_ddpm):
    """`--set compile=true` runs torch.compile's denoiser: the same samples within float tolerance, and the model's
    own modules, state_dict and eager path untouched afterwards."""
    torch.manual_seed(0)  # random weights that keep the untrained chain's samples of order 1
    model = genzoo.create("ddpm-mlp", timesteps=50, hidden=16, layers=1).eval()
    keys = list(model.state_dict())
    eager = draw(model, "ddim", n=64, steps=5)
    compiled = draw(model, "ddim", n=64, steps=5, compile=True)
    assert torch.allclose(compiled, eager, atol=1e-5)
    assert list(model.state_dict()) == keys and model.__dict__["_use_compiled"] is None
    model.denoiser = gaussian_ddpm(0.7, timesteps=50).denoiser  # a replaced denoiser is compiled anew, not mixed up
    assert torch.allclose(draw(model, "ddim", n=64, steps=5, compile=True), draw(model, "ddim", n=64, steps=5),
                          atol=1e-5)


def test_frozen_compilation_follows_weight_changes():
    """Under bfloat16 the compiled denoiser is frozen (its weights are graph constants): it matches eager bfloat16
    sampling, and a change of weights (an optimizer step, load_state_dict) compiles it anew instead of sampling
    with the old weights."""
    torch.manual_seed(0)
    model = genzoo.create("ddpm-mlp", timesteps=50, hidden=16, layers=1).eval()
    torch.nn.init.normal_(model.denoiser.output[-1].weight, std=0.1)

    def close(a, b):  # bfloat16 rounding, amplified by an untrained chain whose samples reach the hundreds
        return (a - b).abs().max() / b.abs().max() < 0.02

    def both():
        return [draw(model, "ddim", n=64, steps=5, precision="bfloat16", compile=compiled)
                for compiled in (False, True)]

    before = {name: value.clone() for name, value in model.state_dict().items()}
    eager, frozen = both()
    assert close(frozen, eager)
    with torch.no_grad():
        model.denoiser.output[-1].weight.add_(0.2)  # what an optimizer step does
    moved_eager, moved_frozen = both()
    assert not close(moved_eager, eager)
    assert close(moved_frozen, moved_eager)
    model.load_state_dict(before)
    assert close(draw(model, "ddim", n=64, steps=5, precision="bfloat16", compile=True), eager)


def test_an_unfrozen_compiled_call_after_a_weight_change_does_not_reuse_a_frozen_graph():
    """A model held in bfloat16 autocasts whatever the precision option says, so Dynamo would hand a float32-option
    compiled call the frozen graph of an earlier bfloat16 one: after a weight change it must be dropped."""
    torch.manual_seed(0)
    model = genzoo.create("ddpm-mlp", timesteps=50, hidden=16, layers=1).eval().to(torch.bfloat16)
    draw(model, "ddim", n=64, steps=5, precision="bfloat16", compile=True)
    with torch.no_grad():
        model.denoiser.output[-1].weight.add_(0.2)
    eager = draw(model, "ddim", n=64, steps=5)
    compiled = draw(model, "ddim", n=64, steps=5, compile=True)
    assert (compiled - eager).abs().max() / eager.abs().max() < 0.02


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA graphs need a CUDA device")
@pytest.mark.parametrize("sampler", ["ddim", "dpm-solver", "unipc"])
def test_compiled_sampling_on_cuda_replays_graphs_with_the_eager_results(sampler):
    """On CUDA compile=true replays each denoiser call as a CUDA graph, whose outputs the next replay overwrites:
    the multistep solvers, which keep earlier predictions, must still match eager sampling."""
    torch.manual_seed(0)
    model = genzoo.create("ddpm", **genzoo.get_registry().architecture("ddpm").tiny_config).eval().to("cuda")
    torch.nn.init.normal_(model.denoiser.head[-1].weight, std=0.05)

    def sample(**options):
        return model.sample(32, sampler=sampler, steps=6, generator=torch.Generator("cuda").manual_seed(0),
                            progress=False, precision="float32", **options)

    eager = sample()
    assert torch.allclose(sample(compile=True), eager, atol=1e-3)
    assert torch.allclose(sample(compile=True), eager, atol=1e-3)  # replayed, not recorded
