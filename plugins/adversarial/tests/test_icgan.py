"""IcGAN: the encoder losses by hand, the generator copy and freeze, Age-cGAN refinement, editing, translate,
the class-swap and reconstruction metrics and `genzoo icgan-edit`, on tiny 8x8-digit models (no MNIST)."""

import math

import pytest
import torch
from click.testing import CliRunner
from torch import nn

import genzoo
from genzoo.cli.main import cli
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.plugin import Batch, CapabilityError, ConfigError, GenzooError
from genzoo.training import train
from genzoo_adversarial.icgan import refine_latent, squared_errors
from genzoo_adversarial.icgan_command import edit_grid, expand_inputs
from genzoo_adversarial.icgan_metrics import swap_success
from genzoo_adversarial.icgan_training import EncoderStep, latent_regression_loss

DIGITS = {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10}
NETWORKS = {"network": "conv", "latent_dim": 4, "channels": (4, 8), "data": DIGITS}
TINY = NETWORKS | {"source": DIGITS, "cgan": None, "refine_steps": 2}


class FixedOutput(nn.Module):
    """A stand-in network that ignores its input and returns the same rows for every example."""

    def __init__(self, row: torch.Tensor):
        super().__init__()
        self.row = row

    def forward(self, x, label=None):
        return self.row.expand(len(x), -1)


@pytest.fixture(scope="module")
def tiny_cgan(tmp_path_factory):
    """A cGAN on digits after a few steps, saved as a checkpoint folder (what model.cgan names)."""
    out = tmp_path_factory.mktemp("cgan")
    train("cgan", data="digits", out=out, model={k: v for k, v in NETWORKS.items() if k != "data"}, progress=False,
          train={"steps": 3, "batch_size": 16, "sample_every": None})
    return out


def test_latent_regression_loss_by_hand():
    predicted, z = torch.tensor([[1.0, 2.0], [0.0, 0.0]]), torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    assert latent_regression_loss(predicted, z).item() == pytest.approx((5 + 25) / 2)


def test_latent_encoder_update_regresses_the_generated_codes():
    model = genzoo.create("icgan", **TINY)
    model.latent_encoder = FixedOutput(torch.zeros(4))  # predicts z = 0: the loss is the mean of ||z||^2
    batch = Batch(torch.rand(3, 1, 8, 8), torch.tensor([0, 1, 2]))  # its images are not used: z comes from N(0, I)
    torch.manual_seed(0)
    loss = EncoderStep().loss(model, batch, "latent_encoder", {})
    torch.manual_seed(0)
    z = torch.randn(3, 4)
    assert loss["loss"].item() == pytest.approx(z.square().sum(1).mean().item())


def test_label_encoder_update_is_cross_entropy_on_real_labels():
    model = genzoo.create("icgan", **TINY)
    row = torch.zeros(10)
    row[0] = math.log(9)  # p(0) = 9 / 18, p(1) = 1 / 18
    model.label_encoder = FixedOutput(row)
    losses = EncoderStep().loss(model, Batch(torch.rand(2, 1, 8, 8), torch.tensor([0, 1])), "label_encoder", {})
    assert losses["loss"].item() == pytest.approx((math.log(2) + math.log(18)) / 2)
    assert losses["accuracy"].item() == 0.5
    with pytest.raises(ConfigError, match="labelled data"):
        EncoderStep().loss(model, Batch(torch.rand(2, 1, 8, 8)), "label_encoder", {})


def test_the_generator_is_frozen_in_eval_mode():
    model = genzoo.create("icgan", **TINY).train()
    assert not model.generator.training and model.latent_encoder.training
    assert not any(p.requires_grad for p in model.generator.parameters())
    assert not hasattr(model, "discriminator")
    step = EncoderStep()
    encoders = {name for group in step.groups for name, _ in getattr(model, group).named_parameters()}
    assert encoders and not any(name.startswith("generator") for name in encoders)


@pytest.mark.parametrize("ema_decay", [None, 0.99])
def test_training_copies_the_cgan_generator_and_keeps_it(tiny_cgan, tmp_path, ema_decay):
    """With weight averaging too: the trainer starts the average after the step copied the generator in."""
    options = {k: v for k, v in TINY.items() if k != "data"} | {"cgan": str(tiny_cgan)}
    train("icgan", data="digits", out=tmp_path / "icgan", model=options, progress=False,
          train={"steps": 3, "batch_size": 16, "sample_every": None, "ema_decay": ema_decay})
    cgan, icgan = genzoo.load(tiny_cgan), genzoo.load(tmp_path / "icgan")
    ours = icgan.generator.state_dict()
    assert all(torch.equal(ours[k], v) for k, v in cgan.generator.state_dict().items())  # batch-norm statistics too
    labels, seed = torch.arange(10), torch.Generator().manual_seed(3)
    assert torch.equal(icgan.sample(10, condition=labels, generator=seed),
                       cgan.sample(10, condition=labels, generator=torch.Generator().manual_seed(3)))


def test_a_cgan_of_another_shape_is_refused(tiny_cgan):
    model = genzoo.create("icgan", **TINY | {"latent_dim": 5, "cgan": str(tiny_cgan)})
    with pytest.raises(ConfigError, match="does not fit"):
        EncoderStep().init_state(model)


def test_refinement_lowers_the_reconstruction_error():
    torch.manual_seed(0)
    model = genzoo.create("icgan", **TINY).eval()
    x = torch.rand(4, 1, 8, 8)
    y = model.label_logits(x).argmax(1)
    start = model.encode_latent(x).detach()

    def error_after(steps):
        z = refine_latent(x, start, lambda latent: model.fake(latent, y), steps=steps, lr=0.05)
        return squared_errors(x, model.fake(z, y))

    errors = [error_after(k) for k in (0, 10, 40)]
    assert (errors[1] < errors[0]).all() and (errors[2] < errors[1]).all()
    assert all(p.grad is None for p in model.parameters())  # only z was differentiated


def test_edits_and_translate_use_the_refined_code():
    model = genzoo.create("icgan", **TINY | {"translate_to": 7}).eval()
    x = torch.rand(3, 1, 8, 8)
    z, y = model.invert(x, steps=2)
    assert torch.equal(model.translate_inputs(x), model.generate_from_latent(z, torch.full((3,), 7)))
    assert torch.equal(model.reconstruct(x, steps=2), model.generate_from_latent(z, y))
    torch.manual_seed(0)
    model = genzoo.create("icgan", **TINY).eval()  # translate_to None: the class after E_y's
    z, y = model.invert(x, steps=2)
    assert torch.equal(model.translate_inputs(x), model.generate_from_latent(z, (y + 1) % 10))


def test_bad_configs_are_one_line_errors():
    with pytest.raises(ConfigError, match="translate_to 10 is not a class"):
        genzoo.create("icgan", **TINY | {"translate_to": 10})
    with pytest.raises(ConfigError, match="no discriminator|discriminator settings"):
        genzoo.create("icgan", **TINY | {"pack": 2})


def test_swap_success_by_hand():
    model = genzoo.create("icgan", **TINY).eval()

    class SaysZero:
        def classify(self, x):
            return torch.eye(10)[torch.zeros(len(x), dtype=torch.long)]

    # Images of classes 1 and 2 are each edited into the 9 other classes; class 0 is one of them for both.
    success = swap_success(model, SaysZero(), torch.zeros(2, 4), torch.tensor([1, 2]), batch_size=5)
    assert success == pytest.approx(2 / 18)


def test_metrics_on_digits_with_and_without_refinement():
    model = genzoo.create("icgan", **TINY)
    request = EvalRequest(data="digits", n=12)
    swap = {r.name: r for r in evaluate(model, "class-swap", request)}
    assert set(swap) == {"class-swap", "class-swap-refined"}
    assert all(0 <= r.value <= 1 for r in swap.values())
    assert "12 test images x 9 other classes" in swap["class-swap"].notes
    recon = {r.name: r.value for r in evaluate(model, "icgan-reconstruction", request)}
    assert set(recon) == {"icgan-reconstruction", "icgan-reconstruction-refined", "label-encoder-accuracy"}
    assert recon["icgan-reconstruction-refined"] < recon["icgan-reconstruction"]
    plain = genzoo.create("icgan", **TINY | {"refine_steps": 0})
    assert [r.name for r in evaluate(plain, "class-swap", request)] == ["class-swap"]
    with pytest.raises(CapabilityError, match="not an IcGAN"):
        evaluate(genzoo.create("cgan", **NETWORKS), "class-swap", request)


def test_expand_inputs():
    assert expand_inputs(("digits:2-4", "digits:9")) == ["digits:2", "digits:3", "digits:4", "digits:9"]
    with pytest.raises(GenzooError, match="ends before it starts"):
        expand_inputs(("digits:4-2",))


def test_edit_grid_rows():
    model = genzoo.create("icgan", **TINY)
    x = torch.rand(2, 1, 8, 8)
    images, columns = edit_grid(model, x, steps=0)
    assert columns == 12 and images.shape == (24, 1, 8, 8)
    assert torch.equal(images[12], x[1]) and torch.equal(images[13], model.reconstruct(x, steps=0)[1])
    z, _ = model.invert(x)
    assert torch.equal(images[14 + 5], model.generate_from_latent(z, torch.full((2,), 5))[1])


def test_icgan_edit_command(tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("icgan", **TINY), tmp_path / "model")
    result = CliRunner().invoke(cli, ["icgan-edit", str(folder), "--input", "digits:0-2", "--refine-steps", "1",
                                      "-o", str(tmp_path / "grid.png")])
    assert result.exit_code == 0, result.output
    assert "3 rows" in result.output and (tmp_path / "grid.png").stat().st_size > 0
    result = CliRunner().invoke(cli, ["icgan-edit", "classifier-digits", "--input", "digits:0",
                                      "-o", str(tmp_path / "no.png")])
    assert result.exit_code == 2 and "not an IcGAN" in result.output  # a CapabilityError


def test_both_metrics_invert_the_images_once(monkeypatch):
    from genzoo_adversarial import icgan_metrics

    calls = []
    invert_all = icgan_metrics._invert_all
    monkeypatch.setattr(icgan_metrics, "_invert_all", lambda *args: calls.append(args[2]) or invert_all(*args))
    model = genzoo.create("icgan", **TINY)
    for metric in ("class-swap", "icgan-reconstruction"):
        evaluate(model, metric, EvalRequest(data="digits", n=6))
    assert calls == [0, 2]  # E_z alone and refined, once each
    evaluate(model, "class-swap", EvalRequest(data="digits", n=6, seed=1))  # other images: inverted again
    assert calls == [0, 2, 0, 2]
