"""FID and KID: the distances themselves, and the protocol on digits with the published classifier."""

import pytest
import torch

import genzoo
from genzoo.errors import GenzooError
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.fid import frechet_distance
from genzoo.metrics.kid import kernel_inception_distance

pytest.importorskip("sklearn")


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    """For N(m1, a^2 I) and N(m2, b^2 I) in d dims: |m1 - m2|^2 + d (a - b)^2."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200_000, 3, generator=g, dtype=torch.float64)
    y = 2 + 3 * torch.randn(200_000, 3, generator=g, dtype=torch.float64)
    assert frechet_distance(x, y) == pytest.approx(3 * 4 + 3 * 4, rel=0.02)
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)


def test_kid_is_unbiased_near_zero_for_one_distribution_and_positive_for_two():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(2, 600, 8, generator=g, dtype=torch.float64)
    same = kernel_inception_distance(x, y, torch.Generator().manual_seed(1))
    shifted = kernel_inception_distance(x, y + 0.5, torch.Generator().manual_seed(1))
    assert abs(same) < 0.01 and shifted > 10 * abs(same) and shifted > 0.05


@pytest.mark.parametrize("metric", ["fid", "kid"])
def test_real_floor_is_below_a_replay_model_and_far_below_noise(truth_registry, metric):
    floor = evaluate(None, metric, EvalRequest(data="digits"))
    assert [r.name for r in floor] == [f"{metric}-floor"] and floor[0].split == "test-vs-train"
    assert "n=360" in floor[0].notes and "classifier-digits" in floor[0].notes
    replay = {r.name: r.value for r in evaluate(genzoo.create("digits-replay"), metric, EvalRequest(data="digits"))}
    assert replay[f"{metric}-floor"] == pytest.approx(floor[0].value)
    assert replay[metric] < 3 * floor[0].value + 0.01  # train images vs (other) train images
    noise = genzoo.create("digits-replay")
    noise.generate = lambda n, *, condition=None, generator=None: torch.rand(n, 1, 8, 8, generator=generator)
    noisy = {r.name: r.value for r in evaluate(noise, metric, EvalRequest(data="digits", n=200))}
    assert noisy[metric] > 10 * noisy[f"{metric}-floor"]


def test_no_classifier_for_toys(truth_registry):
    with pytest.raises(GenzooError, match="no feature classifier for dataset 'moons'"):
        evaluate(None, "fid", EvalRequest(data="moons"))


def test_kid_on_random_subsets_agrees_with_the_whole_set(monkeypatch):
    from genzoo.metrics import kid

    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(2, 400, 4, generator=g, dtype=torch.float64)
    whole = kernel_inception_distance(x, y + 0.3)
    monkeypatch.setattr(kid, "SUBSET_SIZE", 200)
    assert kernel_inception_distance(x, y + 0.3, torch.Generator().manual_seed(0)) == pytest.approx(whole, rel=0.2)


def test_fid_and_kid_of_one_eval_share_one_set_of_samples(truth_registry, monkeypatch):
    """Sampling is the expensive part (a 1000-step diffusion chain): one draw serves both metrics."""
    model = genzoo.create("digits-replay")
    calls = []
    original = type(model).sample
    monkeypatch.setattr(type(model), "sample", lambda self, *a, **k: calls.append(a) or original(self, *a, **k))
    request = EvalRequest(data="digits", n=100)
    fid = {r.name: r.value for r in evaluate(model, "fid", request)}
    evaluate(model, "kid", request)
    assert len(calls) == 1
    evaluate(model, "fid", EvalRequest(data="digits", n=100, seed=1))  # another seed draws again
    assert len(calls) == 2
    assert {r.name: r.value for r in evaluate(model, "fid", request)}["fid"] == pytest.approx(fid["fid"])


def test_level_indices_reach_the_classifier_as_the_continuous_view_it_was_trained_on():
    """An int64 model's samples (and the real data in its `levels` view) are level indices k; the
    classifier sees k / (L - 1), so FID of a categorical model is comparable with every other model's."""
    from genzoo.data import load_dataset
    from genzoo.metrics.features import classifier_features, load_feature_classifier

    classifier = load_feature_classifier("digits")
    levels = load_dataset("digits", "test", optional={"view": "levels"}).tensors()[0][:50]
    continuous = load_dataset("digits", "test", optional={"view": "continuous"}).tensors()[0][:50]
    assert levels.dtype == torch.int64
    assert torch.equal(classifier_features(classifier, levels, 25), classifier_features(classifier, continuous, 25))
