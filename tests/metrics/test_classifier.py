"""The classifier architecture and the published classifiers in registry/."""

import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.testing import ConformanceSuite


class TestClassifierConformance(ConformanceSuite):
    architectures = ("classifier",)


def test_classifier_is_an_evaluation_model_without_generative_capabilities():
    model = genzoo.create("classifier", channels=(2, 4), hidden=8)
    x = torch.rand(5, 1, 28, 28)
    assert model.spec.family == "evaluation" and model.capabilities == frozenset()
    assert model.features(x).shape == (5, 8) and model.classify(x).shape == (5, 10)


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
def test_published_classifiers_are_pinned_and_listed(dataset):
    name = f"classifier-{dataset}"
    spec = genzoo.get_registry().model(name)
    assert set(spec.files) == {"README.md", "SHA256SUMS", "config.json", "model.safetensors"}
    assert spec.dataset == dataset and spec.metrics["accuracy"] >= 0.97
    model = genzoo.load(name)
    assert model.data_spec.num_classes == 10
    listing = CliRunner().invoke(cli, ["list", "--family", "evaluation"])
    assert listing.exit_code == 0 and name in listing.output
