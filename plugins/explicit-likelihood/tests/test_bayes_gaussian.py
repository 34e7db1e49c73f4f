"""bayes-gaussian: densities, Bayes' rule, both ways of sampling, the closed-form fit and its errors,
each checked against a hand computation on tiny inputs."""

import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo import DataSpec
from genzoo.cli.main import cli
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.plugin import ConfigError, GenzooError
from genzoo_explicit_likelihood.bayes_gaussian import BayesGaussian, BayesGaussianConfig, BayesGaussianFit

SPEC_1D = DataSpec(shape=(1,), value_range=None, num_classes=2)


def fitted_1d(**config) -> BayesGaussian:
    """Class 0: {0, 2} (mean 1, variance 2), class 1: {4, 5, 6, 9} (mean 6, variance 14/3); prior 1/3, 2/3."""
    model = BayesGaussian(BayesGaussianConfig(data=SPEC_1D, **{"shrinkage": 0.0, "ridge": 0.0, **config}))
    model.fit_closed_form(torch.tensor([[0.0], [2.0], [4.0], [5.0], [6.0], [9.0]]), torch.tensor([0, 0, 1, 1, 1, 1]))
    return model


def normal_log_pdf(x: float, mean: float, variance: float) -> float:
    return -0.5 * (x - mean) ** 2 / variance - 0.5 * math.log(2 * math.pi * variance)


def test_closed_form_fit_matches_the_hand_computation():
    model = fitted_1d()
    assert model.log_prior.exp().tolist() == pytest.approx([1 / 3, 2 / 3])
    assert model.means.flatten().tolist() == pytest.approx([1.0, 6.0])
    assert (model.scale_trils.flatten() ** 2).tolist() == pytest.approx([2.0, 14 / 3])


def test_shrinkage_and_ridge_regularise_as_documented():
    """pooled = (2 + 14) / (6 - 2) = 4 (scatter 2 and 14 over n - C); Sigma_k = 0.75 S_k + 0.25 * 4 + 0.5."""
    model = fitted_1d(shrinkage=0.25, ridge=0.5)
    assert (model.scale_trils.flatten() ** 2).tolist() == pytest.approx([0.75 * 2 + 1 + 0.5, 0.75 * 14 / 3 + 1 + 0.5])


def test_conditional_marginal_and_posterior_by_hand():
    model = fitted_1d()
    x = torch.tensor([[1.5], [7.0]])
    given = [[normal_log_pdf(v, 1, 2), normal_log_pdf(v, 6, 14 / 3)] for v in (1.5, 7.0)]
    assert model.log_prob(x, condition=torch.tensor([0, 1])).tolist() == pytest.approx([given[0][0], given[1][1]])
    marginal = [math.log(math.exp(a) / 3 + 2 * math.exp(b) / 3) for a, b in given]
    assert model.log_prob(x).tolist() == pytest.approx(marginal, abs=1e-5)
    posterior_0 = [math.exp(a) / 3 / math.exp(m) for (a, _), m in zip(given, marginal)]
    assert model.posterior(x)[:, 0].tolist() == pytest.approx(posterior_0, abs=1e-5)
    assert model.classify(x).argmax(1).tolist() == [0, 1]
    assert model.posterior(x).sum(1).tolist() == pytest.approx([1.0, 1.0])


def test_full_covariance_log_prob_matches_torch_multivariate_normal():
    torch.manual_seed(0)
    spec = DataSpec(shape=(3,), value_range=None, num_classes=3)
    x, labels = torch.randn(60, 3) @ torch.randn(3, 3), torch.arange(60) % 3
    model = BayesGaussian(BayesGaussianConfig(data=spec))
    model.fit_closed_form(x, labels)
    reference = torch.stack([
        torch.distributions.MultivariateNormal(model.means[k], scale_tril=model.scale_trils[k]).log_prob(x)
        for k in range(3)]).T
    assert torch.allclose(model.class_log_likelihoods(x), reference, atol=1e-4)


def test_unfitted_model_is_standard_normal_per_class_under_a_uniform_prior():
    model = BayesGaussian(BayesGaussianConfig())
    x = torch.tensor([[0.0, 0.0], [1.0, -2.0]])
    standard = torch.distributions.Normal(0.0, 1.0).log_prob(x).sum(1)
    assert torch.allclose(model.log_prob(x, condition=torch.tensor([1, 0])), standard)
    assert torch.allclose(model.log_prob(x), standard)
    assert model.posterior(x).tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_conditional_samples_follow_the_label_and_joint_samples_follow_the_prior():
    model = BayesGaussian(BayesGaussianConfig(data=SPEC_1D))
    model.means.copy_(torch.tensor([[-100.0], [100.0]]))
    model.log_prior.copy_(torch.tensor([0.2, 0.8]).log())
    given = model.sample(50, condition=1, generator=torch.Generator().manual_seed(0))
    assert (given > 90).all()
    joint = model.sample(4000, generator=torch.Generator().manual_seed(0))
    assert (joint > 0).double().mean().item() == pytest.approx(0.8, abs=0.03)


def test_joint_sampling_is_prior_labels_then_conditional_sampling_from_one_generator():
    model = fitted_1d()
    joint = model.sample(20, generator=torch.Generator().manual_seed(5))
    generator = torch.Generator().manual_seed(5)
    labels = model.prior_labels(20, generator=generator)
    assert torch.equal(joint, model.sample(20, condition=labels, generator=generator))


def test_cli_samples_the_joint_with_condition_prior(tmp_path):
    folder = genzoo.save_pretrained(fitted_1d(), tmp_path / "bayes")
    out = tmp_path / "x.npy"
    result = CliRunner().invoke(cli, ["sample", str(folder), "-n", "8", "--seed", "2", "--condition", "prior",
                                      "--device", "cpu", "-o", str(out)])
    assert result.exit_code == 0, result.output
    expected = genzoo.load(str(folder)).sample(8, generator=torch.Generator().manual_seed(2))
    assert np.array_equal(np.load(out), expected.numpy())


def test_samples_are_clamped_to_the_data_range():
    spec = DataSpec(shape=(1, 2, 2), value_range=(0.0, 1.0), num_classes=2)
    model = BayesGaussian(BayesGaussianConfig(data=spec))
    samples = model.sample(100, condition=0, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (100, 1, 2, 2) and samples.min() >= 0 and samples.max() <= 1


def test_fit_step_fits_and_logs_the_class_counts():
    from genzoo.plugin import Batch, FitData

    x, labels = torch.tensor([[0.0], [2.0], [4.0], [5.0], [6.0], [9.0]]), torch.tensor([0, 0, 1, 1, 1, 1])
    model = BayesGaussian(BayesGaussianConfig(data=SPEC_1D, shrinkage=0.0, ridge=0.0))
    logged = []
    BayesGaussianFit().fit(model, FitData(lambda epoch: iter([]), lambda: Batch(x, labels)),
                           lambda i, values: logged.append((i, values)))
    [(iteration, values)] = logged
    assert iteration == 0 and values["count_0"] == 2 and values["count_1"] == 4
    assert values["nll"] == pytest.approx(-model.log_prob(x, condition=labels).mean().item())
    assert model.means.flatten().tolist() == pytest.approx([1.0, 6.0])


@pytest.mark.parametrize(
    ("x", "labels", "config", "error", "message"),
    [
        ([[0.0], [1.0], [2.0]], [0, 0, 1], {}, GenzooError,
         r"class\(es\) 1 have fewer than 2 training examples; .* \(counts: \[2, 1\]\)"),
        ([[0.0], [1.0]], [0, 0], {}, GenzooError, r"class\(es\) 1 have fewer than 2"),
        ([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 2], {}, GenzooError, r"labels must lie in \[0, 1\], got \[0, 2\]"),
        ([[0.0], [1.0], [2.0], [2.0]], [0, 0, 1, 1], {"shrinkage": 0.0, "ridge": 0.0}, ConfigError,
         r"class 1: its covariance is singular even after regularisation \(ridge=0, shrinkage=0\); use a larger"),
    ],
)
def test_bad_training_data_is_one_clear_error_and_leaves_the_model_unchanged(x, labels, config, error, message):
    model = BayesGaussian(BayesGaussianConfig(data=SPEC_1D, **config))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(error, match=message):
        model.fit_closed_form(torch.tensor(x), torch.tensor(labels))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_unlabelled_data_and_too_few_classes_are_refused():
    from genzoo.plugin import Batch, CapabilityError, FitData

    model = BayesGaussian(BayesGaussianConfig(data=SPEC_1D))
    with pytest.raises(CapabilityError, match="needs labelled training data"):
        BayesGaussianFit().fit(model, FitData(lambda epoch: iter([]), lambda: Batch(torch.zeros(4, 1))), print)
    with pytest.raises(ConfigError, match="at least 2 classes"):
        BayesGaussian(BayesGaussianConfig(data=DataSpec(shape=(1,), value_range=None)))


def test_train_cli_fits_digits_the_nll_metric_scores_the_marginal_and_bad_data_is_refused(tmp_path):
    run = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "bayes-gaussian", "--data", "digits", "--set",
                                             "data.view=dequantized", "--out", str(run)])
    assert result.exit_code == 0, result.output
    model = genzoo.load(str(run))
    x, y = genzoo.plugin.load_dataset("digits", "test", optional={"view": "dequantized"}).tensors()
    assert (model.classify(x).argmax(1) == y).double().mean() > 0.9
    marginal = {r.name: r.value for r in evaluate(model, "nll", EvalRequest(data="digits", likelihood_options={
        "given_label": "false"}))}  # what `genzoo eval RUN --metric nll --likelihood given_label=false` asks
    assert marginal["nll"] == pytest.approx(-model.log_prob(x).double().mean().item(), rel=1e-5)
    refused = CliRunner().invoke(cli, ["train", "bayes-gaussian", "--data", "moons", "--out", str(tmp_path / "r")])
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert not (tmp_path / "r" / "model.safetensors").exists()
    singular = CliRunner().invoke(cli, ["train", "bayes-gaussian", "--data", "digits", "--set", "model.ridge=0",
                                        "--set", "model.shrinkage=0", "--out", str(tmp_path / "s")])  # blank pixels
    assert singular.exit_code == 2 and "class 0: its covariance is singular even after regularisation" in singular.output
    assert "Traceback" not in singular.output and not (tmp_path / "s" / "model.safetensors").exists()
