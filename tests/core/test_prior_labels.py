"""`GenerativeModel.prior_labels` and `genzoo sample --condition prior` (labels from the model's class prior)."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.errors import CapabilityError


@pytest.fixture
def checkpoint(toy_registry, tmp_path):
    torch.manual_seed(0)
    return genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt")


def test_a_model_without_a_class_prior_refuses_by_default(toy_registry):
    with pytest.raises(CapabilityError, match="'class-gaussian' has no class prior; give --condition labels"):
        genzoo.create("class-gaussian").prior_labels(4)


def test_cli_condition_prior_without_a_prior_is_one_clear_error(checkpoint):
    result = CliRunner().invoke(cli, ["sample", str(checkpoint), "-n", "2", "--condition", "prior"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: 'class-gaussian' has no class prior; give --condition labels"


def test_cli_condition_prior_samples_the_labels_the_model_draws(checkpoint, tmp_path, monkeypatch):
    """The CLI draws the labels with the run's seeded generator, then samples p(x|y) with the same generator."""
    model = genzoo.load(str(checkpoint))
    drawn = []

    def prior_labels(self, n, generator=None):
        labels = torch.randint(3, (n,), generator=generator)
        drawn.append(labels)
        return labels

    monkeypatch.setattr(type(model), "prior_labels", prior_labels)
    out = tmp_path / "x.npy"
    result = CliRunner().invoke(cli, ["sample", str(checkpoint), "-n", "6", "--seed", "4", "--condition", "prior",
                                      "--device", "cpu", "-o", str(out)])
    assert result.exit_code == 0, result.output
    generator = torch.Generator().manual_seed(4)
    labels = torch.randint(3, (6,), generator=generator)
    assert torch.equal(drawn[0], labels)
    expected = model.sample(6, condition=labels, generator=generator)
    assert np.array_equal(np.load(out), expected.numpy())
