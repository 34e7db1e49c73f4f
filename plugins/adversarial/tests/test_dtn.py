"""DTN: config checks, f's frame (encoder_view) by hand, f frozen and copied from its classifier, the generator
loss recomposed from its terms, training through genzoo's loop on digits2framed, the f-constancy metric and the
unpaired datasets."""

import os

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, CapabilityError, ConfigError, EvalRequest, GenzooError, load_dataset
from genzoo.training import train

from genzoo_adversarial.domain_transfer_data import framed
from genzoo_adversarial.dtn_losses import (f_constancy_loss, target_identity_loss, three_way_discriminator_loss,
                                           three_way_generator_loss, total_variation)
from genzoo_adversarial.dtn_training import DTNStep
from genzoo_adversarial.f_constancy import f_constancy_metric

needs_mnist = pytest.mark.skipif(not os.environ.get("GENZOO_DATA"), reason="MNIST needs GENZOO_DATA")
SOURCE = {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10}
FRAMED = {"shape": (1, 24, 24), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10}
TINY = {"data": FRAMED, "source": SOURCE, "encoder_weights": None, "encoder_channels": (4, 8), "encoder_hidden": 8,
        "channels": (4, 8)}
SHORT = {"steps": 4, "batch_size": 8, "log_every": 2, "sample_every": None, "checkpoint_every": 2}


def _model(**changes):
    torch.manual_seed(0)
    return genzoo.create("dtn", **(TINY | changes))


def _images(n: int, side: int, seed: int) -> torch.Tensor:
    return torch.rand(n, 1, side, side, generator=torch.Generator().manual_seed(seed))


def test_bad_configs_are_one_line_errors():
    with pytest.raises(ConfigError, match="no digit box"):
        _model(target_margin=12)
    with pytest.raises(ConfigError, match="same channels"):
        _model(source=SOURCE | {"shape": (3, 8, 8)})
    with pytest.raises(ConfigError, match="divide by 4"):
        _model(source=SOURCE | {"shape": (1, 6, 6)})
    with pytest.raises(ConfigError, match="does not fit f"):
        _model(encoder_weights="classifier-mnist", encoder_channels=(32, 64), encoder_hidden=128)


def test_encoder_view_brings_the_other_domain_into_fs_frame():
    model = _model()  # f reads 8x8 source images; targets are 24x24 with a 4-pixel margin
    target = torch.zeros(1, 1, 24, 24)
    target[..., 4:6, 4:6] = 1.0  # the top-left 2x2 block of the 16x16 digit box
    target[..., 0, 0] = 1.0  # in the margin: cut away
    view = model.encoder_view(target, "target")
    expected = torch.zeros(1, 1, 8, 8)
    expected[..., 0, 0] = 1.0  # area averaging 16 -> 8: the mean of each 2x2 block
    assert torch.allclose(view, expected)
    source = torch.full((1, 1, 8, 8), 0.5)
    assert torch.equal(model.encoder_view(source, "source"), source)  # f's own domain passes as it is

    turned = _model(encoder_domain="target")  # f reads 24x24 frames: source digits grow into the 16x16 box
    grown = turned.encoder_view(source, "source")
    assert grown.shape == (1, 1, 24, 24)
    assert torch.allclose(grown[..., 4:20, 4:20], torch.full((16, 16), 0.5))  # bilinear keeps a constant
    assert grown[..., :4, :].abs().sum() == 0 and grown[..., :, 20:].abs().sum() == 0


def test_translate_is_g_of_f_in_range():
    model, x = _model(), _images(3, 8, 1)
    with torch.no_grad():
        expected = torch.sigmoid(model.generator(model.encoder.features(x)))
        assert torch.allclose(model.transfer(x), expected)
    out = model.translate_inputs(x)
    assert out.shape == (3, 1, 24, 24) and ((0 <= out) & (out <= 1)).all()
    assert model.discriminate(out).shape == (3, 3)
    assert (model.source_stream, model.target_stream) == ("input", "target")


def test_f_is_copied_from_its_classifier_and_frozen(tmp_path, recwarn):
    model = genzoo.create("dtn")  # the default: f = classifier-digits on the 8x8 source
    classifier = genzoo.load("classifier-digits")
    for name, tensor in classifier.state_dict().items():
        assert torch.equal(model.encoder.state_dict()[name], tensor), name
    assert not any(p.requires_grad for p in model.encoder.parameters())
    step = DTNStep()
    trained = {id(p) for group in step.groups for p in step.parameters(model, group)}
    assert not trained & {id(p) for p in model.encoder.parameters()}
    genzoo.save_pretrained(model, tmp_path / "dtn")
    loaded = genzoo.load(tmp_path / "dtn")  # sized on the meta device first: no copy into meta tensors there
    assert not [w for w in recwarn if "meta" in str(w.message)]
    x = _images(2, 8, 7)
    assert torch.equal(loaded.translate_inputs(x), model.translate_inputs(x))


def test_generator_loss_is_the_papers_weighted_sum():
    model, step = _model(), DTNStep(constancy_weight=3.0, identity_weight=2.0, tv_weight=0.5)
    source, target = _images(4, 8, 2), _images(4, 24, 3)
    losses = step.loss(model, Batch({"input": source, "target": target}), "generator", {})
    with torch.no_grad():
        from_source, from_target = model.transfer(source, "source"), model.transfer(target, "target")
        adversarial = three_way_generator_loss(model.discriminate(from_source), model.discriminate(from_target))
        constancy = f_constancy_loss(model.features(source, "source"), model.features(from_source, "target"))
        identity = target_identity_loss(from_target, target)
        smoothness = total_variation(from_source)
    for name, value in (("adversarial", adversarial), ("constancy", constancy), ("identity", identity),
                        ("tv", smoothness)):
        assert losses[name].item() == pytest.approx(value.item(), rel=1e-5), name
    total = adversarial + 3.0 * constancy + 2.0 * identity + 0.5 * smoothness
    assert losses["loss"].item() == pytest.approx(total.item(), rel=1e-5)
    losses["loss"].backward()
    assert all(p.grad is None for p in model.discriminator.parameters())  # D's weights are not differentiated
    assert all(p.grad is None for p in model.encoder.parameters())
    assert all(p.grad is not None for p in model.generator.parameters())


def test_discriminator_loss_judges_three_kinds_on_detached_fakes():
    model, step = _model(), DTNStep()
    source, target = _images(4, 8, 4), _images(4, 24, 5)
    losses = step.loss(model, Batch({"input": source, "target": target}), "discriminator", {})
    with torch.no_grad():
        expected = three_way_discriminator_loss(model.discriminate(model.transfer(source, "source")),
                                                model.discriminate(model.transfer(target, "target")),
                                                model.discriminate(target))
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-5)
    losses["loss"].backward()
    assert all(p.grad is None for p in model.generator.parameters())


def test_a_batch_without_streams_is_a_clear_error():
    model, step = _model(), DTNStep()
    with pytest.raises(GenzooError, match="streams 'input' and 'target'"):
        step.loss(model, Batch(_images(2, 24, 0)), "generator", {})


def test_trains_through_genzoo_and_translates_after_loading(tmp_path):
    options = {k: v for k, v in TINY.items() if k != "data"} | {"target_margin": 4}
    train("dtn", data="digits2framed", model=options, train=SHORT, out=tmp_path / "run", progress=False)
    model = genzoo.load(tmp_path / "run")
    out = model.translate_inputs(_images(3, 8, 6))
    assert out.shape == (3, 1, 24, 24)
    assert torch.equal(model.encoder.state_dict()["body.0.weight"], _model().encoder.state_dict()["body.0.weight"])


def test_f_constancy_metric_by_hand():
    model = _model()
    request = EvalRequest(data="digits2framed", n=5, seed=1)
    results = {r.name: r.value for r in f_constancy_metric(model, request)}
    x = request.dataset("test", "continuous").streams["input"].tensors()[0]
    x = x[torch.randperm(len(x), generator=torch.Generator().manual_seed(1))[:5]]
    with torch.no_grad():
        original = model.features(x, "source").double()
        kept = model.features(model.translate_inputs(x), "target").double()
    error = (kept - original).square().mean().item()
    assert results["f-constancy"] == pytest.approx(error, rel=1e-5)
    spread = (original - original.mean(0)).square().mean().item()
    assert results["f-constancy-relative"] == pytest.approx(error / spread, rel=1e-5)


def test_f_constancy_refuses_other_models_and_data():
    with pytest.raises(GenzooError, match="stream 'input'"):
        f_constancy_metric(_model(), EvalRequest(data="digits-thin-thick"))
    cyclegan = genzoo.create("cyclegan", width=4, blocks=1, downsamplings=1, discriminator_channels=(4, 8),
                             data={"shape": (1, 8, 8), "value_range": (0.0, 1.0)})
    with pytest.raises(CapabilityError, match="fixed feature extractor"):
        f_constancy_metric(cyclegan, EvalRequest(data="digits2framed"))


def test_digits2framed_streams_are_disjoint_halves_and_the_target_is_framed():
    data = load_dataset("digits2framed", "train", view="levels")
    digits = load_dataset("digits", "train", view="levels")
    assert list(data.streams) == ["target", "input"] and data.data_spec.shape == (1, 24, 24)
    assert torch.equal(data.streams["input"].levels, digits.levels[0::2])
    assert torch.equal(data.streams["target"].levels, framed(digits.levels[1::2]))
    one = torch.tensor([[[[1, 2], [3, 4]]]])
    grown = framed(one, scale=2, margin=1)
    assert grown.shape == (1, 1, 6, 6) and grown[0, 0, 1:3, 1:3].tolist() == [[1, 1], [1, 1]]
    assert grown[0, 0, 4, 4].item() == 4 and grown[0, 0, 0].abs().sum() == 0


@needs_mnist
def test_digits2mnist_streams():
    data = load_dataset("digits2mnist", "test")
    assert {name: len(s) for name, s in data.streams.items()} == {"target": 10_000, "input": 360}
    assert data.feature_dataset == "mnist" and data.data_spec.shape == (1, 28, 28)
    assert len(load_dataset("digits-all2mnist", "test").streams["input"]) == 1_797
