"""DenoisingStep: the simple loss, label dropout, and the fitted variances after the last step."""

import json

import genzoo
import torch
from genzoo.training import Batch, train
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
