"""DenoisingStep: the simple loss, label dropout, and the fitted variances after the last step."""

import json

import genzoo
import pytest
import torch
from genzoo.plugin import ConfigError
from genzoo.training import Batch, train
from genzoo_diffusion import training
from genzoo_diffusion.training import DenoisingStep


def tiny(architecture):
    return genzoo.create(architecture, **genzoo.get_registry().architecture(architecture).tiny_config)


def test_label_dropout_feeds_the_no_label_class(monkeypatch):
    model = tiny("ddpm-cond")
    seen = []
    original = model.network
    monkeypatch.setattr(model, "network", lambda x, t, labels: seen.append(labels) or original(x, t, labels))
    x, labels = torch.rand(64, 1, 8, 8), torch.randint(0, 10, (64,))
    DenoisingStep(class_dropout=1.0).loss(model, Batch(x, labels), "model", {})
    DenoisingStep(class_dropout=0.0).loss(model, Batch(x, labels), "model", {})
    assert torch.equal(seen[0], torch.full((64,), 10)) and torch.equal(seen[1], labels)


def test_unconditional_models_ignore_labels(monkeypatch):
    model = tiny("ddpm")
    seen = []
    original = model.network
    monkeypatch.setattr(model, "network", lambda x, t, labels: seen.append(labels) or original(x, t, labels))
    DenoisingStep().loss(model, Batch(torch.rand(8, 1, 8, 8), torch.zeros(8, dtype=torch.long)), "model", {})
    assert seen == [None]


def test_training_lowers_the_loss_and_fits_the_variances(tmp_path):
    folder = train("ddpm-mlp", data="8gaussians", out=tmp_path / "run", model={"timesteps": 50, "hidden": 64},
                   train={"steps": 300, "batch_size": 256, "lr": 3e-3, "log_every": 50, "sample_every": None},
                   step={"variance_examples": 512}, progress=False).path
    records = [json.loads(line) for line in (folder / "train" / "metrics.jsonl").read_text().splitlines()]
    losses = [record["loss"] for record in records if "loss" in record]
    assert losses[-1] < losses[0]
    model = genzoo.load(folder)
    error = model.x0_mse
    assert (error > 0).all() and error[-1] > 10 * error[0]  # x_0 is easy to guess at t = 1, hard at t = T
    assert model.log_prob(torch.zeros(4, 2)).shape == (4,)


def offset_loss(monkeypatch, prediction):
    """The loss and the network's input with a constant offset c, and the same draws made by hand."""
    model = genzoo.create("ddpm", **{**genzoo.get_registry().architecture("ddpm").tiny_config,
                                     "prediction": prediction})
    seen = []
    monkeypatch.setattr(model, "network", lambda x, t, labels: seen.append(x) or torch.zeros_like(x))
    monkeypatch.setattr(training, "smooth_offset", lambda x0, std: torch.full_like(x0, 0.25))
    x = torch.rand(16, 1, 8, 8)
    torch.manual_seed(0)
    loss = DenoisingStep(offset_std=0.1).loss(model, Batch(x, torch.zeros(16, dtype=torch.long)), "model", {})["loss"]
    torch.manual_seed(0)
    t = torch.randint(0, model.timesteps, (16,))
    eps = torch.randn(16, 1, 8, 8)
    abar = model.schedule.alphas_cumprod[t].view(16, 1, 1, 1)
    x0 = 2 * x - 1
    return loss, seen[0], x0, eps, abar.sqrt(), (1 - abar).sqrt()


def test_an_offset_is_in_the_input_but_the_epsilon_target_leads_back_to_the_clean_image(monkeypatch):
    loss, xt, x0, eps, a, s = offset_loss(monkeypatch, "epsilon")
    torch.testing.assert_close(xt, a * (x0 + 0.25) + s * eps)
    # x_0 = (x_t - s target) / a must give the clean image, so the target is eps + a c / s; the output is 0.
    torch.testing.assert_close(loss, (eps + a * 0.25 / s).pow(2).mean())


def test_small_t_l1_takes_the_absolute_error_on_the_small_t_share_and_the_squared_error_on_the_rest(monkeypatch):
    model = genzoo.create("ddpm", **genzoo.get_registry().architecture("ddpm").tiny_config)
    monkeypatch.setattr(model, "network", lambda x, t, labels: torch.zeros_like(x))
    x = torch.rand(8, 1, 8, 8)
    step = DenoisingStep(small_t_share=0.25, small_t_span=3, small_t_l1=True)
    torch.manual_seed(0)
    loss = step.loss(model, Batch(x, torch.zeros(8, dtype=torch.long)), "model", {})["loss"]
    torch.manual_seed(0)
    step.timesteps(8, model.timesteps, torch.device("cpu"))
    eps = torch.randn(8, 1, 8, 8)  # the epsilon target; the network outputs 0
    torch.testing.assert_close(loss, (eps[:2].abs().sum() + eps[2:].pow(2).sum()) / eps.numel())


def test_small_t_l1_without_a_small_t_share_is_a_config_error():
    with pytest.raises(ConfigError, match="step.small_t_l1 applies to the small-t share"):
        DenoisingStep(small_t_l1=True).init_state(tiny("ddpm"))


def test_censored_drops_only_an_error_past_the_end_where_x0_sits():
    x0 = torch.tensor([-1.0, -1.0, 0.0, 1.0, 1.0])
    error = torch.tensor([-0.5, 0.5, -0.5, 0.5, -0.5])
    # an x_0 target (direction +1): x_0 below black on a black pixel costs nothing, and with both ends above
    # white on a white one
    torch.testing.assert_close(training.censored(error, x0, (-1.0, 1.0), 1.0, both_ends=False),
                               torch.tensor([0.0, 0.5, -0.5, 0.5, -0.5]))
    torch.testing.assert_close(training.censored(error, x0, (-1.0, 1.0), 1.0, both_ends=True),
                               torch.tensor([0.0, 0.5, -0.5, 0.0, -0.5]))
    # an eps or v target (direction -1): a larger eps means a smaller x_0, so the other signs go
    torch.testing.assert_close(training.censored(error, x0, (-1.0, 1.0), -1.0, both_ends=True),
                               torch.tensor([-0.5, 0.0, -0.5, 0.5, 0.0]))


@pytest.mark.parametrize("ends", ["low", "both"])
def test_a_censored_loss_leaves_out_black_pixels_predicted_below_black_and_white_above_white(monkeypatch, ends):
    model = genzoo.create("ddpm", **genzoo.get_registry().architecture("ddpm").tiny_config)
    monkeypatch.setattr(model, "network", lambda x, t, labels: torch.zeros_like(x))
    x = torch.randint(0, 3, (8, 1, 8, 8)).float() / 2  # black, mid-grey and white pixels
    torch.manual_seed(0)
    loss = DenoisingStep(censored_ends=ends).loss(model, Batch(x, torch.zeros(8, dtype=torch.long)), "model", {})
    torch.manual_seed(0)
    torch.randint(0, model.timesteps, (8,))
    eps = torch.randn(8, 1, 8, 8)
    # the network outputs eps = 0, so x_0 = x_t / a = x_0 + (s / a) eps: below black where eps < 0
    past = (x == 0) & (eps < 0)
    if ends == "both":
        past |= (x == 1) & (eps > 0)
    torch.testing.assert_close(loss["loss"], (eps.pow(2) * ~past).mean())


def test_censored_ends_without_a_data_range_is_a_config_error():
    with pytest.raises(ConfigError, match="step.censored_ends needs a model whose x_0 has a data range"):
        DenoisingStep(censored_ends="low").init_state(tiny("ddpm-mlp"))


def test_an_offset_leaves_the_x0_target_clean(monkeypatch):
    loss, xt, x0, eps, a, s = offset_loss(monkeypatch, "x0")
    torch.testing.assert_close(xt, a * (x0 + 0.25) + s * eps)
    torch.testing.assert_close(loss, x0.pow(2).mean())


def test_an_offset_in_the_v_target_is_part_of_the_noise(monkeypatch):
    loss, xt, x0, eps, a, s = offset_loss(monkeypatch, "v")
    torch.testing.assert_close(loss, (a * (eps + a * 0.25 / s) - s * x0).pow(2).mean())


def test_smooth_offset_is_a_constant_plus_an_interpolated_four_by_four_grid():
    torch.manual_seed(0)
    offset = training.smooth_offset(torch.zeros(3, 2, 28, 28), 0.5)
    torch.manual_seed(0)
    grid = torch.randn(3, 2, 4, 4) * 0.5
    field = offset - torch.randn(3, 2, 1, 1) * 0.5
    assert offset.shape == (3, 2, 28, 28)
    # align_corners puts grid point k on pixel 9k (27 / 3); pixel 3 of a grid row is a third of the way on.
    torch.testing.assert_close(field[:, :, ::9, ::9], grid)
    torch.testing.assert_close(field[:, :, 9, 3], grid[:, :, 1, 0] + (grid[:, :, 1, 1] - grid[:, :, 1, 0]) / 3)


def test_tiled_offset_repeats_a_two_by_two_tile_over_the_image():
    torch.manual_seed(0)
    offset = training.tiled_offset(torch.zeros(3, 2, 5, 6), 0.5)
    torch.manual_seed(0)
    tile = torch.randn(3, 2, 2, 2) * 0.5
    assert offset.shape == (3, 2, 5, 6)
    for row, column in ((0, 0), (1, 0), (0, 1), (4, 5), (3, 2)):
        torch.testing.assert_close(offset[:, :, row, column], tile[:, :, row % 2, column % 2])


def test_halo_offset_is_a_ring_on_the_background_next_to_the_strokes_times_a_random_amplitude():
    # One stroke pixel at (3, 3), one faint pixel (x_0 = -0.5, neither stroke nor background) at (3, 4).
    x0 = torch.full((2, 1, 8, 8), -1.0)
    x0[:, :, 3, 3] = 1.0
    x0[:, :, 3, 4] = -0.5
    torch.manual_seed(0)
    offset = training.halo_offset(x0, 0.5)
    torch.manual_seed(0)
    amplitude = torch.randn(2, 1, 1, 1) * 0.5
    ring = torch.zeros(8, 8)
    ring[1:6, 1:6] = 0.5  # 2 pixels away
    ring[2:5, 2:5] = 1.0  # 1 pixel away
    ring[3, 3] = ring[3, 4] = 0.0  # the stroke and the faint pixel are not background
    torch.testing.assert_close(offset, amplitude * ring)


def test_the_smooth_tiled_and_halo_offsets_add_up(monkeypatch):
    monkeypatch.setattr(training, "smooth_offset", lambda x0, std: torch.full_like(x0, std))
    monkeypatch.setattr(training, "tiled_offset", lambda x0, std: torch.full_like(x0, 10 * std))
    monkeypatch.setattr(training, "halo_offset", lambda x0, std: torch.full_like(x0, 100 * std))
    x0 = torch.zeros(1, 1, 4, 4)
    assert DenoisingStep().offset(x0) == 0.0
    torch.testing.assert_close(DenoisingStep(offset_std=0.5).offset(x0), torch.full_like(x0, 0.5))
    torch.testing.assert_close(DenoisingStep(offset_tile_std=0.5).offset(x0), torch.full_like(x0, 5.0))
    torch.testing.assert_close(DenoisingStep(offset_halo_std=0.5).offset(x0), torch.full_like(x0, 50.0))
    torch.testing.assert_close(DenoisingStep(offset_std=0.5, offset_tile_std=0.5, offset_halo_std=0.5).offset(x0),
                               torch.full_like(x0, 55.5))


def test_an_offset_needs_images_and_says_so_before_training():
    for step in (DenoisingStep(offset_std=0.01), DenoisingStep(offset_tile_std=0.01),
                 DenoisingStep(offset_halo_std=0.01)):
        with pytest.raises(ConfigError, match=r"offset_halo_std need images shaped \(C, H, W\); .* \(2,\)"):
            step.init_state(tiny("ddpm-mlp"))
    assert DenoisingStep().init_state(tiny("ddpm-mlp")) == {}


def test_small_t_share_draws_that_share_of_the_batch_from_the_first_timesteps():
    step = DenoisingStep(small_t_share=0.25, small_t_span=3)
    torch.manual_seed(0)
    t = step.timesteps(400, 1000, torch.device("cpu"))
    torch.manual_seed(0)
    uniform = torch.randint(0, 1000, (400,))
    assert set(t[:100].tolist()) == {0, 1, 2}
    assert torch.equal(t[100:], uniform[100:])


def test_without_a_small_t_share_timesteps_are_uniform_draws():
    torch.manual_seed(0)
    t = DenoisingStep().timesteps(64, 50, torch.device("cpu"))
    torch.manual_seed(0)
    assert torch.equal(t, torch.randint(0, 50, (64,)))
