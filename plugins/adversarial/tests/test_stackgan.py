"""StackGAN: its two loss terms by hand, the stage shapes, both trainers (stage II with stage I frozen, started from
the stage-I run by `genzoo train --init`) and the two samplers, on the 8x8 digits."""

from __future__ import annotations

import math

import pytest
import torch
from click.testing import CliRunner
from pydantic import ValidationError

import genzoo
from genzoo.cli.main import cli
from genzoo.plugin import Batch, ConfigError

from genzoo_adversarial.specs.stackgan import TINY_STACKGAN
from genzoo_adversarial.stackgan import StackGANConfig
from genzoo_adversarial.stackgan_losses import conditioning_kl, matching_aware_discriminator_loss, mismatched_labels
from genzoo_adversarial.stackgan_samplers import pair_sources
from genzoo_adversarial.stackgan_training import StageOneStep, StageTwoStep

TINY_SETTINGS = ["model.latent_dim=4", "model.code_dim=2", "model.stage_one_channels=[4,4]",
                 "model.stage_one_discriminator=[4]", "model.stage_two_width=4", "model.residual_blocks=1",
                 "model.stage_two_discriminator=[4,4]", "train.steps=3", "train.batch_size=8", "train.log_every=1",
                 "train.sample_every=null"]


def _tiny():
    torch.manual_seed(0)
    return genzoo.create("stackgan", **TINY_STACKGAN)


def _batch(n=6):
    g = torch.Generator().manual_seed(0)
    return Batch(torch.rand(n, 1, 8, 8, generator=g), torch.arange(n) % 10)


# -- the loss terms, by hand ------------------------------------------------------------------------
def test_conditioning_kl_sums_the_code_dimensions_and_averages_the_batch():
    # Example 1: mu (1, 0), sigma (1, 2): 0.5 (1 + 1 - 1 - 0) + 0.5 (0 + 4 - 1 - 2 ln 2) = 0.5 + 1.5 - ln 2.
    # Example 2: mu 0, sigma 1: 0.
    mu = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    log_sigma = torch.tensor([[0.0, math.log(2)], [0.0, 0.0]])
    assert conditioning_kl(mu, log_sigma).item() == pytest.approx((2.0 - math.log(2)) / 2)


def test_the_matching_aware_loss_counts_a_real_image_with_a_wrong_label_as_half_the_fake_term():
    # D(x, y) = 1/2, D(x, y') = 3/4 (logit ln 3), D(G(z), y) = 1/4 (logit -ln 3):
    # -log 1/2 + 1/2 (-log(1 - 1/4) - log(1 - 3/4)) = ln 2 + 1/2 (ln 4/3 + ln 4).
    real, wrong, fake = torch.tensor([0.0]), torch.tensor([math.log(3)]), torch.tensor([-math.log(3)])
    expected = math.log(2) + 0.5 * (math.log(4 / 3) + math.log(4))
    assert matching_aware_discriminator_loss(real, wrong, fake).item() == pytest.approx(expected)
    # Swapping the two fake roles changes nothing; a mismatched pair judged real costs more than one judged fake.
    assert matching_aware_discriminator_loss(real, fake, wrong).item() == pytest.approx(expected)
    assert (matching_aware_discriminator_loss(real, torch.tensor([5.0]), fake)
            > matching_aware_discriminator_loss(real, torch.tensor([-5.0]), fake))


def test_mismatched_labels_never_match_and_cover_every_other_class_evenly():
    labels = torch.arange(3).repeat(3000)
    wrong = mismatched_labels(labels, 3, torch.Generator().manual_seed(0))
    assert not (wrong == labels).any() and wrong.min() >= 0 and wrong.max() <= 2
    for label in range(3):
        counts = torch.bincount(wrong[labels == label], minlength=3).float() / 3000
        others = [c for c in range(3) if c != label]
        assert counts[label] == 0 and counts[others].sub(0.5).abs().max() < 0.03


# -- the model ------------------------------------------------------------------------------------
def test_defaults_draw_14x14_then_28x28_for_mnist():
    torch.manual_seed(0)
    model = genzoo.create("stackgan")
    low, high = model.generate_stages(3, condition=torch.arange(3), generator=torch.Generator().manual_seed(0))
    assert low.shape == (3, 1, 14, 14) and high.shape == (3, 1, 28, 28)
    assert model.stage_one.discriminator(low, model.label(torch.arange(3))).shape == (3,)
    assert model.stage_two.discriminator(high, model.label(torch.arange(3))).shape == (3,)


def test_stage_one_data_is_the_image_average_pooled():
    model = _tiny()
    x = torch.zeros(1, 1, 8, 8)
    x[0, 0, 0, :2] = torch.tensor([1.0, 0.5])  # the top-left 2x2 block: 1, 0.5, 0, 0 -> 0.375
    low = model.low_resolution(x)
    assert low.shape == (1, 1, 4, 4) and low[0, 0, 0, 0].item() == pytest.approx(0.375) and low.sum() == 0.375


@pytest.mark.parametrize("settings, message", [
    ({"stage_one_factor": 3}, "power of two dividing the image side 28"),
    ({"stage_one_factor": 8}, "power of two dividing the image side 28"),
    ({"stage_one_channels": (8, 8, 8)}, "divides by 2 \\*\\* \\(len\\(stage_one_channels\\) - 1\\)"),
    ({"stage_two_discriminator": (4, 4, 4, 4, 4, 4)}, "at most log2\\(28\\)"),
    ({"data": {"shape": (1, 28, 28), "value_range": (0.0, 1.0)}}, "num_classes >= 2"),
    ({"data": {"shape": (1, 28, 14), "value_range": (0.0, 1.0), "num_classes": 10}}, "square images"),
])
def test_bad_shapes_are_refused_in_one_line(settings, message):
    with pytest.raises(ValidationError, match=message):
        StackGANConfig(**settings)


def test_sampling_needs_labels():
    with pytest.raises(genzoo.GenzooError, match="pass condition=labels"):
        _tiny().generate(2)


# -- the trainers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("step, stage, other", [(StageOneStep(), "stage_one", "stage_two"),
                                                (StageTwoStep(kl_weight=2.0), "stage_two", "stage_one")])
def test_each_trainer_updates_only_its_own_stage(step, stage, other):
    model = _tiny()
    own, frozen = getattr(model, stage), getattr(model, other)
    assert set(step.parameters(model, "discriminator")) == set(own.discriminator.parameters())
    assert set(step.parameters(model, "generator")) == {*own.generator.parameters(), *own.conditioning.parameters()}
    losses = step.loss(model, _batch(), "generator", {})
    assert losses["loss"].item() == pytest.approx((losses["adversarial"] + step.kl_weight * losses["kl"]).item())
    losses["loss"].backward()
    assert all(p.grad is None for p in own.discriminator.parameters())  # G's update reaches D's input only
    assert all(p.grad is None for p in frozen.parameters())
    assert all(p.grad is not None for p in own.generator.parameters())


@pytest.mark.parametrize("step", [StageOneStep(), StageTwoStep()])
def test_the_discriminator_step_is_the_matching_aware_loss_of_its_stage(step):
    model = _tiny().eval()  # eval: batch norm gives the same outputs on every call
    batch = _batch()
    torch.manual_seed(1)
    losses = step.loss(model, batch, "discriminator", {})
    torch.manual_seed(1)  # the step's draws, in its order: z, the code's eps (both stages for stage II), wrong labels
    label = model.label(batch.label)
    fake = step.fake(model, label)[0]
    wrong = model.label(mismatched_labels(batch.label, 10))
    stage = step.stage(model)
    real = step.real(model, batch.x)
    real_logits, wrong_logits = stage.discriminator(real, label), stage.discriminator(real, wrong)
    expected = matching_aware_discriminator_loss(real_logits, wrong_logits, stage.discriminator(fake, label))
    assert losses["loss"].item() == pytest.approx(expected.item())
    assert losses["d_wrong"].item() == pytest.approx(torch.sigmoid(wrong_logits).mean().item())
    losses["loss"].backward()
    assert all(p.grad is None for p in model.parameters() if p not in set(stage.discriminator.parameters()))


def test_the_trainers_refuse_unlabelled_batches():
    with pytest.raises(ConfigError, match="labelled images"):
        StageOneStep().loss(_tiny(), Batch(torch.rand(2, 1, 8, 8)), "generator", {})


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Stage I, then stage II started from it with `genzoo train --init`, 3 steps each on the 8x8 digits."""
    out = tmp_path_factory.mktemp("stackgan")
    runner = CliRunner()
    settings = [arg for s in TINY_SETTINGS for arg in ("--set", s)]
    data = ["--data", "digits", "--no-progress"]
    for trainer, extra in (("stage-one", []), ("stage-two", ["--init", str(out / "one")])):
        folder = out / ("one" if trainer == "stage-one" else "two")
        result = runner.invoke(cli, ["train", "stackgan", "--trainer", trainer, *data, *settings, *extra,
                                     "--out", str(folder)])
        assert result.exit_code == 0, result.output
    return genzoo.load(out / "one"), genzoo.load(out / "two")


def test_stage_two_training_leaves_stage_one_exactly_as_the_stage_one_run_ended(runs):
    one, two = runs
    for name, tensor in one.stage_one.state_dict().items():  # weights and batch-norm statistics
        assert torch.equal(tensor, two.stage_one.state_dict()[name]), name
    changed = [not torch.equal(t, two.stage_two.state_dict()[k]) for k, t in one.stage_two.state_dict().items()]
    assert any(changed)


def test_the_stage_one_sampler_gives_generate_stages_first_output_upsampled(runs):
    model = runs[1]
    labels = torch.arange(4)
    low, high = model.generate_stages(4, condition=labels, generator=torch.Generator().manual_seed(3))
    for mode in ("nearest", "bilinear"):
        sampled = model.sample(4, condition=labels, generator=torch.Generator().manual_seed(3),
                               sampler="stackgan-stage-one", upsample=mode)
        assert torch.equal(sampled, model.upsample_stage_one(low, mode))
    nearest = model.upsample_stage_one(low, "nearest")
    assert torch.equal(nearest[:, :, ::2, ::2], model.as_sample(low))  # each stage-I pixel becomes a 2x2 block
    assert torch.equal(model.sample(4, condition=labels, generator=torch.Generator().manual_seed(3)), high)


def test_pair_sources_put_each_stage_one_row_above_its_stage_two_row():
    stage_one, source = pair_sources(10)  # 4 columns: rows 0-3 (stage I of 4-7), 4-7, then 8-9 alone
    assert stage_one.tolist() == [True] * 4 + [False] * 4 + [True] * 2
    assert source.tolist() == [4, 5, 6, 7, 4, 5, 6, 7, 8, 9]


def test_the_pairs_sampler_shows_stage_one_above_stage_two_of_the_same_sample(runs):
    model = runs[1]
    labels = torch.arange(6)
    low, high = model.generate_stages(6, condition=labels, generator=torch.Generator().manual_seed(4))
    grid = model.sample(6, condition=labels, generator=torch.Generator().manual_seed(4),
                        sampler="stackgan-stage-pairs")
    upsampled = model.upsample_stage_one(low, "nearest")
    assert torch.equal(grid[:3], upsampled[3:]) and torch.equal(grid[3:], high[3:])


def test_genzoo_sample_writes_the_pairs_picture(runs, tmp_path):
    one_dir = tmp_path / "m"
    genzoo.save_pretrained(runs[1], one_dir)
    result = CliRunner().invoke(cli, ["sample", str(one_dir), "-n", "20", "--sampler", "stackgan-stage-pairs",
                                      "--condition", "0,1,2,3,4", "-o", str(tmp_path / "pairs.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pairs.png").stat().st_size > 0
