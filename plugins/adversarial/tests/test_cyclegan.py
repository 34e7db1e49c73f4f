"""CycleGAN and DiscoGAN: config checks, directions, the generator loss composed by hand, the discriminator's
pool, training through genzoo's loop (with resume) and the cycle-error metric."""

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, CapabilityError, ConfigError, EvalRequest, GenzooError
from genzoo.training import train

from genzoo_adversarial.cycle_error import cycle_error_metric
from genzoo_adversarial.cycle_losses import absolute_error, least_squares_generator_loss
from genzoo_adversarial.cyclegan_training import CycleGANStep, DiscoGANStep

TINY = {"width": 4, "blocks": 1, "downsamplings": 1, "discriminator_channels": (4, 8),
        "data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17}}
SHORT = {"steps": 4, "batch_size": 8, "log_every": 2, "sample_every": None, "checkpoint_every": 2}


def _model(**changes):
    torch.manual_seed(0)
    return genzoo.create("cyclegan", **(TINY | changes))


def _images(n: int, seed: int) -> torch.Tensor:
    return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed))


def test_source_defaults_to_data_and_shapes_must_agree():
    model = _model()
    assert model.source_spec == model.data_spec
    with pytest.raises(ConfigError, match="one shape"):
        genzoo.create("cyclegan", **(TINY | {"source": {"shape": (1, 16, 16)}}))
    with pytest.raises(ConfigError, match="divide by 2 \\*\\* downsamplings"):
        genzoo.create("cyclegan", **(TINY | {"downsamplings": 4}))
    with pytest.raises(ConfigError, match="float images"):
        genzoo.create("cyclegan", **(TINY | {"data": {"shape": (2,), "value_range": None}}))


def test_direction_picks_the_generator_and_the_streams():
    x = _images(3, 1)
    forward, backward = _model(), _model(direction="b_to_a")
    assert (forward.source_stream, forward.target_stream) == ("a", "b")
    assert (backward.source_stream, backward.target_stream) == ("b", "a")
    with torch.no_grad():
        expected_ab = torch.sigmoid(forward.generator_ab(x))  # value range (0, 1)
        expected_ba = torch.sigmoid(backward.generator_ba(x))
        assert torch.allclose(forward.map(x, "a_to_b"), expected_ab)
        assert torch.allclose(backward.map(x, "b_to_a"), expected_ba)
        assert torch.equal(forward.translate(x, direction="b_to_a"), forward.map(x, "b_to_a"))
        assert torch.equal(forward.cycle(x), forward.map(forward.map(x, "a_to_b"), "b_to_a"))
    assert torch.equal(forward.translate_inputs(x), forward.map(x, "a_to_b").detach())


def test_discrete_targets_are_snapped_to_their_levels():
    model = _model(data={"shape": (1, 8, 8), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 5})
    out = model.translate_inputs(_images(2, 2))
    assert set((out * 4).round(decimals=4).unique().tolist()) <= {0.0, 1.0, 2.0, 3.0, 4.0}


def test_generator_loss_is_adversarial_plus_weighted_cycle_and_identity():
    model, step = _model(), CycleGANStep(cycle_weight=3.0, identity_weight=0.5)
    a, b = _images(4, 3), _images(4, 4)
    state = step.init_state(model)
    losses = step.loss(model, Batch({"a": a, "b": b}), "generator", state)
    with torch.no_grad():
        fake_b, fake_a = model.map(a, "a_to_b"), model.map(b, "b_to_a")
        adversarial = (least_squares_generator_loss(model.discriminator_b(fake_b))
                       + least_squares_generator_loss(model.discriminator_a(fake_a)))
        cycle = absolute_error(model.map(fake_b, "b_to_a"), a) + absolute_error(model.map(fake_a, "a_to_b"), b)
        identity = absolute_error(model.map(b, "a_to_b"), b) + absolute_error(model.map(a, "b_to_a"), a)
    assert losses["adversarial"].item() == pytest.approx(adversarial.item(), rel=1e-5)
    assert losses["cycle"].item() == pytest.approx(cycle.item(), rel=1e-5)
    assert losses["identity"].item() == pytest.approx(identity.item(), rel=1e-5)
    assert losses["loss"].item() == pytest.approx((adversarial + 3.0 * (cycle + 0.5 * identity)).item(), rel=1e-5)
    assert torch.equal(state["fake_b"], fake_b) and torch.equal(state["fake_a"], fake_a)
    losses["loss"].backward()
    assert all(p.grad is None for p in model.discriminator_a.parameters())  # D's weights are not differentiated
    assert all(p.grad is not None for p in model.generator_ab.parameters())


def test_discriminator_update_takes_the_kept_fakes_through_the_pool():
    model, step = _model(), CycleGANStep(pool_size=6)
    state = step.init_state(model)
    a, b = _images(4, 5), _images(4, 6)
    step.loss(model, Batch({"a": a, "b": b}), "generator", state)
    kept_b = state["fake_b"].clone()
    losses = step.loss(model, Batch({"a": _images(4, 7), "b": _images(4, 8)}), "discriminator", state)
    assert "fake_a" not in state and "fake_b" not in state  # taken out: used once
    assert int(state["pool_b_count"]) == 4 and torch.equal(state["pool_b"][:4], kept_b)
    assert losses["loss"].item() == pytest.approx((losses["d_a"] + losses["d_b"]).item())
    losses["loss"].backward()
    assert all(p.grad is None for p in model.generator_ab.parameters())  # fakes are detached


def test_discogan_is_the_log_loss_squared_error_variant():
    step = DiscoGANStep()
    assert (step.adversarial, step.reconstruction, step.cycle_weight, step.identity_weight, step.pool_size) == (
        "log-loss", "squared", 1.0, 0.0, 0)
    model = _model()
    losses = step.loss(model, Batch({"a": _images(2, 9), "b": _images(2, 10)}), "generator", step.init_state(model))
    assert "identity" not in losses
    assert losses["loss"].item() == pytest.approx((losses["adversarial"] + losses["cycle"]).item(), rel=1e-6)


def test_a_batch_without_streams_is_a_clear_error():
    model, step = _model(), CycleGANStep()
    with pytest.raises(GenzooError, match="streams 'a' and 'b'"):
        step.loss(model, Batch(_images(2, 0)), "generator", step.init_state(model))


@pytest.mark.parametrize("trainer", ["cyclegan", "discogan"])
def test_both_trainers_run_through_genzoo_and_translate_after_loading(tmp_path, trainer):
    result = train("cyclegan", data="digits-thin-thick", trainer=trainer, model={k: v for k, v in TINY.items()
                                                                                 if k != "data"},
                   train=SHORT, out=tmp_path / trainer, progress=False)
    model = genzoo.load(result.path if hasattr(result, "path") else tmp_path / trainer)
    out = model.translate_inputs(_images(3, 11))
    assert out.shape == (3, 1, 8, 8) and ((0 <= out) & (out <= 1)).all()


def test_resume_continues_exactly(tmp_path):
    options = {k: v for k, v in TINY.items() if k != "data"}
    train("cyclegan", data="digits-thin-thick", model=options, train=SHORT, out=tmp_path / "whole", progress=False)
    train("cyclegan", data="digits-thin-thick", model=options, train=SHORT | {"steps": 2}, out=tmp_path / "part",
          progress=False)
    train("cyclegan", data="digits-thin-thick", model=options, train=SHORT, out=tmp_path / "part", resume=True,
          progress=False)
    whole, part = genzoo.load(tmp_path / "whole"), genzoo.load(tmp_path / "part")
    for (name, left), right in zip(whole.state_dict().items(), part.state_dict().values()):
        assert torch.equal(left, right), name


def test_cycle_error_metric_by_hand():
    model = _model()
    request = EvalRequest(data="digits-thin-thick", n=5, seed=1)
    results = {r.name: r.value for r in cycle_error_metric(model, request)}
    test = request.dataset("test", "continuous")
    for domain, direction in (("a", "a_to_b"), ("b", "b_to_a")):
        x = test.streams[domain].tensors()[0]
        chosen = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))[:5]
        with torch.no_grad():
            expected = (model.cycle(x[chosen], direction) - x[chosen]).abs().mean().item()
        assert results[f"cycle-l1-{domain}"] == pytest.approx(expected, rel=1e-5)


def test_cycle_error_refuses_paired_data_and_one_way_models():
    with pytest.raises(GenzooError, match="streams 'a' and 'b'"):
        cycle_error_metric(_model(), EvalRequest(data="digits"))
    gan = genzoo.create("dcgan", latent_dim=4, channels=(4, 8), data={"shape": (1, 8, 8), "value_range": (0.0, 1.0)})
    with pytest.raises(CapabilityError, match="two-way"):
        cycle_error_metric(gan, EvalRequest(data="digits-thin-thick"))


def test_direction_command_saves_the_same_weights_turned_around(tmp_path):
    from click.testing import CliRunner

    from genzoo.cli.main import cli as main

    model = _model()
    genzoo.save_pretrained(model, tmp_path / "ab")
    result = CliRunner().invoke(main, ["cyclegan-direction", str(tmp_path / "ab"), "b_to_a", "--out",
                                       str(tmp_path / "ba")])
    assert result.exit_code == 0, result.output
    turned = genzoo.load(tmp_path / "ba")
    assert turned.config.direction == "b_to_a"
    x = _images(2, 12)
    assert torch.equal(turned.translate_inputs(x), model.translate(x, direction="b_to_a"))
    refused = CliRunner().invoke(main, ["cyclegan-direction", str(tmp_path / "nowhere"), "b_to_a", "--out",
                                        str(tmp_path / "x")])
    assert refused.exit_code == 1 and "Traceback" not in refused.output


@pytest.mark.parametrize("direction, source, target", [("a_to_b", "a", "b"), ("b_to_a", "b", "a")])
def test_translation_metrics_read_the_streams_of_the_direction(direction, source, target):
    from genzoo.metrics.translation import class_kept_metric, translation_data, translation_fid_metric

    model = _model(direction=direction)
    request = EvalRequest(data="digits-thin-thick", n=20, seed=0)
    data = translation_data(model, request, "class-kept")
    streams = request.dataset("test", "continuous").streams
    inputs, labels = streams[source].tensors()
    assert f"stream {source}, targets: {target}" in data.notes and "classifier-digits" in data.notes
    assert all(any(torch.equal(x, row) for row in inputs) for x in data.inputs)
    assert all(any(torch.equal(x, row) for row in streams[target].tensors()[0]) for x in data.real)
    names = [r.name for r in translation_fid_metric(model, request) + class_kept_metric(model, request)]
    assert names == ["translation-fid", "translation-fid-floor", "class-kept"]
