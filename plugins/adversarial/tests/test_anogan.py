"""AnoGAN: the class left out of training, the discriminator features, the anomaly-auroc metric and the command."""

import json

import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.plugin import Batch, Capability, CapabilityError, ConfigError, GenerativeModel, ModelConfig
from genzoo.training import train
from genzoo_adversarial.anogan import NormalClassesStep
from genzoo_adversarial.anomaly_metric import anomaly_auroc_metric
from genzoo_adversarial.anomaly_score import latent_search_scores
from genzoo_adversarial.gan import GANStep

DIGITS = {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10}
TINY = {"latent_dim": 4, "channels": (4, 8), "search_steps": 3, "anomaly_class": 3, "data": DIGITS}


@pytest.fixture(scope="module")
def anogan_digits(tmp_path_factory):
    """A few steps of AnoGAN on digits without class 3 (its weights matter less than its plumbing here)."""
    out = tmp_path_factory.mktemp("anogan")
    train("anogan", data="digits", out=out, model={k: v for k, v in TINY.items() if k != "data"}, progress=False,
          train={"steps": 4, "batch_size": 32, "log_every": 2, "sample_every": None})
    return out


def test_discriminator_features_feed_its_output_layer():
    model = genzoo.create("anogan", **TINY).eval()
    x = torch.rand(5, 1, 8, 8)
    features = model.discriminator_features(x)
    assert features.shape == (5, 8, 2, 2)  # the last stage's maps
    assert torch.allclose(model.discriminator.net[-2:](features), model.discriminator(x))


def test_anomaly_scores_are_the_latent_search_in_eval_mode():
    model = genzoo.create("anogan", **TINY)
    model.train()
    x = torch.rand(3, 1, 8, 8)
    scores = model.anomaly_scores(x, generator=torch.Generator().manual_seed(0))
    assert model.training  # restored
    model.eval()
    expected = latent_search_scores(x, model.fake, model.discriminator_features, 4, steps=3, lr=0.01, weight=0.1,
                                    generator=torch.Generator().manual_seed(0))
    assert torch.allclose(scores, expected)
    assert scores.shape == (3,) and (scores > 0).all()


def test_the_step_drops_the_anomaly_class_from_each_batch():
    model = genzoo.create("anogan", **TINY).eval()
    x, labels = torch.rand(6, 1, 8, 8), torch.tensor([3, 0, 3, 1, 2, 3])
    torch.manual_seed(0)
    value = NormalClassesStep().loss(model, Batch(x, labels), "discriminator", {})["loss"]
    torch.manual_seed(0)
    kept = labels != 3
    expected = GANStep().loss(model, Batch(x[kept], labels[kept]), "discriminator", {})["loss"]
    assert value.item() == pytest.approx(expected.item())


@pytest.mark.parametrize(("batch", "message"), [(Batch(torch.rand(2, 1, 8, 8), torch.tensor([3, 3])), "only class 3"),
                                                (Batch(torch.rand(2, 1, 8, 8)), "needs labelled data")])
def test_batches_the_step_cannot_use_are_clear_errors(batch, message):
    with pytest.raises(ConfigError, match=message):
        NormalClassesStep().loss(genzoo.create("anogan", **TINY), batch, "generator", {})


@pytest.mark.parametrize(("config", "message"), [({"anomaly_class": 10}, "not a class of the data"),
                                                 ({"pack": 2}, "set pack=1")])
def test_bad_configs_are_refused(config, message):
    with pytest.raises(ConfigError, match=message):
        genzoo.create("anogan", **(TINY | config))


def test_metric_scores_the_left_out_class(anogan_digits):
    [result] = evaluate(genzoo.load(anogan_digits), "anomaly-auroc", EvalRequest(data="digits", n=120))
    assert result.name == "anomaly-auroc" and 0 <= result.value <= 1
    assert "class 3 as the anomaly, left out of training" in result.notes and "n=120" in result.notes


class _ScoredConfig(ModelConfig):
    data: genzoo.DataSpec = genzoo.DataSpec(**DIGITS)
    search_steps: int = 1  # what the metric's notes quote of an AnoGAN's search
    search_lr: float = 0.01
    discrimination_weight: float = 0.1


class _ClassScorer(GenerativeModel):
    """Scores an image by how much ink it has: an anomaly score whose AUROC we can predict."""

    config_class = _ScoredConfig

    def anomaly_scores(self, x, *, generator=None):
        return x.flatten(1).sum(1)


class _MeanAutoencoder(GenerativeModel):
    """Reconstructs every image as the same grey image: the reconstruction error is the distance to it."""

    config_class = _ScoredConfig
    capabilities = frozenset({Capability.ENCODE, Capability.DECODE})

    def encode(self, x, *, condition=None):
        return x.flatten(1)[:, :1]

    def decode(self, z, *, condition=None):
        return torch.full((len(z), 1, 8, 8), 0.3)


def test_metric_equals_auroc_of_the_scores_with_every_class_in_turn():
    from genzoo_adversarial.auroc import auroc

    request = EvalRequest(data="digits")
    x, y = genzoo.plugin.load_dataset("digits", "test").tensors()
    results = {r.name: r for r in anomaly_auroc_metric(_ClassScorer(_ScoredConfig()), request)}
    assert len(results) == 11 and "saw every class" in results["anomaly-auroc"].notes
    ink = x.flatten(1).sum(1)
    assert results["anomaly-auroc-class-1"].value == pytest.approx(auroc(ink, y == 1))
    mean = sum(auroc(ink, y == k) for k in range(10)) / 10
    assert results["anomaly-auroc"].value == pytest.approx(mean)
    baseline = {r.name: r.value for r in anomaly_auroc_metric(_MeanAutoencoder(_ScoredConfig()), request)}
    assert baseline["anomaly-auroc-class-0"] == pytest.approx(auroc((x - 0.3).square().flatten(1).sum(1), y == 0))


def test_models_without_a_score_are_refused():
    with pytest.raises(CapabilityError, match="has no anomaly score"):
        evaluate(genzoo.create("gan", data=DIGITS, network="conv", channels=(4,)), "anomaly-auroc",
                 EvalRequest(data="digits"))


def test_command_prints_and_writes_the_scores(anogan_digits, tmp_path):
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(cli, ["anogan-score", str(anogan_digits), "--input", "digits:0", "--input", "digits:5",
                                      "--steps", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[1] for line in lines] == ["digits:0", "digits:5"]
    report = json.loads(out.read_text())
    assert report["steps"] == 2 and [s["input"] for s in report["scores"]] == ["digits:0", "digits:5"]
    model = genzoo.load(anogan_digits)
    x = torch.stack([genzoo.plugin.read_example(model.data_spec, s)[0] for s in ("digits:0", "digits:5")])
    expected = model.anomaly_scores(x, generator=torch.Generator().manual_seed(0), steps=2)
    assert [s["score"] for s in report["scores"]] == pytest.approx(expected.tolist(), rel=1e-5)


def test_command_refuses_a_model_that_is_not_an_anogan(tmp_path):
    folder = tmp_path / "gan"
    genzoo.save_pretrained(genzoo.create("gan"), folder)
    result = CliRunner().invoke(cli, ["anogan-score", str(folder), "--input", "digits:0"])
    assert result.exit_code in (1, 2) and "not an AnoGAN" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
