"""The family's metrics and the nll metric's likelihood options, through `genzoo eval`."""

import json

import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest


def test_reconstruction_error_matches_a_direct_computation(vae_digits):
    model = genzoo.load(vae_digits)
    [result] = evaluate(model, "recon-mse", EvalRequest(data="digits", n=50))
    from genzoo.data import load_dataset

    x, _ = load_dataset("digits", "test", view="binarized").tensors()
    with torch.no_grad():
        expected = (model.decode(model.encode(x[:50])) - x[:50]).pow(2).mean()
    assert abs(result.value - float(expected)) < 1e-6


def test_eval_passes_importance_samples_to_log_prob(vae_digits, tmp_path):
    args = ["eval", str(vae_digits), "--metric", "nll", "--n", "40"]
    nll = {}
    for name, extra in (("elbo", []), ("iwae", ["--likelihood", "k=200"])):
        result = CliRunner().invoke(cli, [*args, *extra, "-o", str(tmp_path / f"{name}.json")])
        assert result.exit_code == 0, result.output
        nll[name] = json.loads((tmp_path / f"{name}.json").read_text())["results"][0]
    assert nll["iwae"]["value"] < nll["elbo"]["value"]  # the tighter bound gives a lower NLL
    assert "k=200" in nll["iwae"]["notes"] and "--likelihood k=200" in nll["iwae"]["command"]


def test_eval_names_the_options_log_prob_accepts(vae_digits):
    result = CliRunner().invoke(cli, ["eval", str(vae_digits), "--metric", "nll", "--likelihood", "steps=3"])
    assert result.exit_code != 0 and "accepts: k, chunk, generator" in result.output


def test_elbo_terms_add_up_to_the_elbo(vae_digits):
    model = genzoo.load(vae_digits)
    results = {r.name: r.value for r in evaluate(model, "elbo-terms", EvalRequest(data="digits", n=60, seed=4))}
    from genzoo.data import load_dataset

    x, _ = load_dataset("digits", "test", view="binarized", seed=4).tensors()  # the request's seed draws the binarization
    with torch.no_grad():
        reconstruction, kl = model.elbo(x[:60], generator=torch.Generator().manual_seed(4))
    assert abs(results["kl"] - float(kl.mean())) < 1e-4
    assert abs(results["reconstruction-nll"] + float(reconstruction.mean())) < 1e-4


def test_fid_of_a_conditional_model_draws_every_class(cvae_digits):
    results = {r.name: r.value for r in evaluate(genzoo.load(cvae_digits), "fid", EvalRequest(data="digits", n=50))}
    assert results["fid"] > 0 and results["fid-floor"] > 0
