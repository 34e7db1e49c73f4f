"""InfoGAN: the information term by hand, the latent layout, the traversal grid and the code-agreement metric."""

import json
import math

import pytest
import torch

import genzoo
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.plugin import Batch, ConfigError
from genzoo.training import train
from genzoo_adversarial.code_agreement import best_matching_agreement
from genzoo_adversarial.gan import GANStep
from genzoo_adversarial.infogan import (InfoGANStep, categorical_code_nll, continuous_code_nll, information_bound)

TINY = {"network": "mlp", "latent_dim": 6, "categories": 3, "continuous": 2, "generator_hidden": (8,),
        "discriminator_hidden": (8,), "data": {"shape": (2,), "value_range": None}}
DIGITS = {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10}


def test_code_likelihoods_and_bounds_by_hand():
    """Logits (0, ln 3) for code 1: Q = 3/4, NLL = ln(4/3). Means (0.5, 0) for codes (1, -1): (0.25 + 1) / 2 + ln(2 pi)."""
    logits, category = torch.tensor([[0.0, math.log(3)]]), torch.tensor([1])
    means, values = torch.tensor([[0.5, 0.0]]), torch.tensor([[1.0, -1.0]])
    categorical, continuous = categorical_code_nll(logits, category), continuous_code_nll(means, values)
    assert categorical.item() == pytest.approx(math.log(4 / 3))
    assert continuous.item() == pytest.approx(0.625 + math.log(2 * math.pi))
    bound_c1, bound_c2 = information_bound(categorical, continuous, categories=2, continuous=2)
    assert bound_c1.item() == pytest.approx(math.log(2) - math.log(4 / 3))  # H(c1) = ln 2 for two categories
    assert bound_c2.item() == pytest.approx(2 * math.log(2) - 0.625 - math.log(2 * math.pi))  # H(U(-1, 1)) = ln 2


def test_latent_layout_round_trips_and_codes_follow_their_priors():
    model = genzoo.create("infogan", **TINY)
    category, continuous, noise = torch.tensor([2, 0]), torch.tensor([[0.5, -0.25], [0.0, 1.0]]), torch.randn(2, 1)
    z = model.latent_from_codes(category, continuous, noise)
    assert z.shape == (2, 6) and torch.equal(z[:, 5:], noise)
    got_category, got_continuous = model.codes_of_latent(z)
    assert torch.equal(got_category, category) and torch.equal(got_continuous, continuous)
    drawn = model.sample_latent(3000, torch.Generator().manual_seed(0))
    drawn_category, drawn_continuous = model.codes_of_latent(drawn)
    assert torch.equal(drawn[:, :3].sum(1), torch.ones(3000))  # a one-hot code
    assert torch.bincount(drawn_category, minlength=3).min() > 900
    assert -1 <= drawn_continuous.min() and drawn_continuous.max() <= 1 and abs(drawn_continuous.mean()) < 0.05


def test_discriminator_carries_the_q_head():
    model = genzoo.create("infogan", **TINY)
    x = torch.randn(4, 2)
    logits, means = model.code_predictions(x)
    assert model.discriminator_logits(x).shape == (4, 1 + 3 + 2) and logits.shape == (4, 3) and means.shape == (4, 2)
    assert torch.equal(model.infer_category(x), logits.argmax(1))
    realness, split_logits, split_means = model.split_outputs(model.discriminator_logits(x))
    assert torch.equal(realness, model.discriminate(x)) and torch.equal(split_logits, logits)
    assert torch.equal(split_means, means)


@pytest.mark.parametrize("group", ["discriminator", "generator"])
def test_step_adds_the_weighted_information_term_to_the_gan_loss(group):
    model = genzoo.create("infogan", **TINY).eval()
    batch, step = Batch(torch.randn(8, 2)), InfoGANStep(categorical_weight=0.5, continuous_weight=2.0)
    torch.manual_seed(0)
    losses = step.loss(model, batch, group, {})
    torch.manual_seed(0)
    plain = GANStep().loss(model, batch, group, {})["loss"]  # the same fakes: one sample_latent call each
    torch.manual_seed(0)
    z = model.sample_latent(8)
    logits = model.discriminator_logits(model.fake(z))
    category, continuous = model.codes_of_latent(z)
    information = 0.5 * categorical_code_nll(logits[:, 1:4], category) + 2.0 * continuous_code_nll(logits[:, 4:], continuous)
    assert losses["loss"].item() == pytest.approx(plain.item() + information.item(), rel=1e-5)
    assert set(losses) == {"loss", "mi_bound_categorical", "mi_bound_continuous"}


def test_information_term_trains_q_in_the_discriminator_update():
    model = genzoo.create("infogan", **TINY)
    step = InfoGANStep(categorical_weight=1.0, continuous_weight=0.0)
    step.loss(model, Batch(torch.randn(8, 2)), "discriminator", {})["loss"].backward()
    assert all(p.grad is None for p in model.generator.parameters())  # fakes are detached for the discriminator
    assert model.discriminator.net[-1].weight.grad[1:4].abs().sum() > 0  # Q's categorical rows learn


def test_traversal_grid_rows_are_categories_and_columns_sweep_one_code():
    model = genzoo.create("infogan", **TINY).eval()
    calls = []
    original = model.generate_from_latent
    model.generate_from_latent = lambda z, condition=None: calls.append(z) or original(z, condition)
    samples = model.sample(8, sampler="traversal", columns=4, code=1, span=1.5, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (8, 2)
    [z] = calls
    category, continuous = model.codes_of_latent(z)
    assert category.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert continuous[:, 1].tolist() == pytest.approx([-1.5, -0.5, 0.5, 1.5] * 2) and continuous[:, 0].eq(0).all()
    assert (z[:, 5:] == z[0, 5:]).all()  # one noise draw for the whole grid


def test_generated_latents_have_their_categorical_slots_snapped_to_one_hot():
    from genzoo_adversarial.base import AdversarialModel

    model = genzoo.create("infogan", **TINY).eval()
    valid = model.sample_latent(4, torch.Generator().manual_seed(0))
    assert torch.equal(model.generate_from_latent(valid), AdversarialModel.generate_from_latent(model, valid))
    blended = valid.clone()
    blended[:, :3] = torch.tensor([0.2, 1.5, -0.3])  # a truncated-normal draw: category 1
    snapped = valid.clone()
    snapped[:, :3] = torch.tensor([0.0, 1.0, 0.0])
    assert torch.equal(model.generate_from_latent(blended), AdversarialModel.generate_from_latent(model, snapped))


def test_traversal_refuses_a_code_the_model_lacks():
    model = genzoo.create("infogan", **TINY)
    with pytest.raises(ConfigError, match="2 continuous code"):
        model.sample(4, sampler="traversal", code=2)


@pytest.mark.parametrize(("config", "message"), [({"latent_dim": 5}, "must exceed categories"),
                                                 ({"pack": 2}, "set pack=1")])
def test_bad_configs_are_refused(config, message):
    with pytest.raises(ConfigError, match=message):
        genzoo.create("infogan", **(TINY | config))


def test_best_matching_agreement_by_hand():
    """Codes vs classes: code 0 holds classes (1, 1, 0), code 1 holds (0, 0), code 2 holds (2). Best matching
    0->1, 1->0, 2->2 gets 2 + 2 + 1 of 6 right."""
    codes, labels = torch.tensor([0, 0, 0, 1, 1, 2]), torch.tensor([1, 1, 0, 0, 0, 2])
    value, matching = best_matching_agreement(codes, labels, num_codes=3, num_classes=3)
    assert value == pytest.approx(5 / 6) and matching == {0: 1, 1: 0, 2: 2}
    # more codes than classes: an unmatched code counts as wrong
    value, matching = best_matching_agreement(torch.tensor([0, 1, 2]), torch.tensor([0, 0, 1]), 3, 2)
    assert value == pytest.approx(2 / 3) and len(matching) == 2


def test_code_agreement_metric_on_digits_names_the_matching():
    model = genzoo.create("infogan", **(TINY | {"latent_dim": 14, "categories": 10, "data": DIGITS}))
    x, y = genzoo.plugin.load_dataset("digits", "test").tensors()
    permutation = torch.tensor([3, 4, 5, 6, 7, 8, 9, 0, 1, 2])  # a Q that names each digit d by code perm[d]
    model.infer_category = lambda batch: permutation[y[torch.cdist(batch.flatten(1), x.flatten(1)).argmin(1)]]
    [result] = evaluate(model, "code-agreement", EvalRequest(data="digits"))
    assert result.value == 1.0 and "3->0" in result.notes and "n=360" in result.notes


@pytest.mark.parametrize(("data", "message"), [("digits", "shape"), ("8gaussians", "no labels")])
def test_code_agreement_refuses_data_of_another_shape_or_without_labels(data, message):
    with pytest.raises(genzoo.plugin.GenzooError, match=message):
        evaluate(genzoo.create("infogan", **TINY), "code-agreement", EvalRequest(data=data))


def test_code_agreement_needs_an_infogan():
    with pytest.raises(genzoo.plugin.CapabilityError, match="not an InfoGAN"):
        evaluate(genzoo.create("cgan", data=DIGITS), "code-agreement", EvalRequest(data="digits"))


def test_training_makes_the_categorical_code_readable(tmp_path):
    """On the ring, 200 steps take the categorical bound from chance (0 nats) to over a quarter of ln 3 = 1.10."""
    result = train("infogan", data="8gaussians", out=tmp_path, progress=False,
                   model=TINY | {"latent_dim": 5, "continuous": 1, "generator_hidden": (32,), "discriminator_hidden": (32,)},
                   train={"steps": 200, "batch_size": 64, "log_every": 50, "sample_every": None})
    records = [json.loads(line) for line in (tmp_path / "train" / "metrics.jsonl").read_text().splitlines()]
    bounds = [r["generator/mi_bound_categorical"] for r in records]
    assert len(bounds) == 4 and bounds[0] < 0.1 and bounds[-1] > 0.3, bounds
    assert "discriminator/mi_bound_continuous" in records[-1]
    grid = genzoo.load(result.path).sample(9, sampler="traversal", columns=3, generator=torch.Generator().manual_seed(0))
    assert grid.shape == (9, 2) and torch.isfinite(grid).all()
