"""`genzoo eval`: table, JSON, -o, the --real floor, defaults from the card, and one-line errors."""

import json

import pytest
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.metrics import load_results

pytest.importorskip("sklearn")


def _run(*args):
    return CliRunner().invoke(cli, ["eval", *args])


def test_real_floor_table_and_json(tmp_path):
    result = _run("--real", "digits", "--metric", "fid", "--metric", "kid", "-o", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    header, rule, *rows = [line for line in result.stdout.splitlines() if line.strip()]
    assert header.split()[:3] == ["METRIC", "VALUE", "DATASET"] and set(rule) <= {"-", " "}
    assert [row.split()[0] for row in rows] == ["fid-floor", "kid-floor"]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["real"] == "digits" and [r["name"] for r in report["results"]] == ["fid-floor", "kid-floor"]
    assert report["results"][0]["command"] == "genzoo eval --real digits --metric fid --data digits --seed 0"
    rerun = _run("--real", "digits", "--metric", "fid", "--json")
    assert json.loads(rerun.stdout)["results"][0]["value"] == report["results"][0]["value"]
    card = genzoo.ModelCard(name="x", metrics=load_results(tmp_path / "r.json"))
    assert card.metrics[1].name == "kid-floor" and card.metrics[1].command.startswith("genzoo eval --real digits")


def test_checkpoint_folder_takes_its_dataset_from_the_card(truth_registry, tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("toy-truth"), tmp_path / "truth",
                                    card=genzoo.ModelCard(name="truth", datasets=["8gaussians"]))
    result = _run(str(folder), "--metric", "modes", "--metric", "nll", "--n", "1000", "--json")
    assert result.exit_code == 0, result.output
    values = {r["name"]: r for r in json.loads(result.stdout)["results"]}
    assert values["modes"]["value"] == 8 and values["modes"]["dataset"] == "8gaussians"
    assert values["nll"]["value"] == pytest.approx(values["nll-ideal"]["value"])
    assert values["nll"]["command"] == f"genzoo eval {folder} --metric nll --data 8gaussians --seed 0 --n 1000"


def test_pretrained_name_defaults_to_its_dataset():
    result = _run("classifier-digits", "--metric", "accuracy", "--json")
    assert result.exit_code == 0, result.output
    [accuracy, _binarized] = json.loads(result.stdout)["results"]
    assert accuracy["dataset"] == "digits" and accuracy["value"] >= 0.97
    assert accuracy["command"] == "genzoo eval classifier-digits --metric accuracy --data digits --seed 0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "fid"], "give a model NAME or --real DATASET"),
        (["--real", "digits", "--metric", "fidd"], "unknown metric 'fidd'; did you mean 'fid'"),
        (["--real", "digits", "--metric", "nll"], "metric 'nll' needs a model"),
        (["--real", "moons", "--metric", "kid"], "no feature classifier for dataset 'moons'"),
    ],
)
def test_user_errors_are_one_line(args, message):
    result = _run(*args)
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_folder_without_dataset_asks_for_data(truth_registry, tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("one-mode"), tmp_path / "m")
    result = _run(str(folder), "--metric", "modes")
    assert result.exit_code == 1 and "pass --data NAME" in result.output
    assert _run(str(folder), "--metric", "modes", "--data", "8gaussians").exit_code == 0


def test_sampler_options_reach_the_sampler(truth_registry, tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("one-mode"), tmp_path / "m")
    result = _run(str(folder), "--metric", "modes", "--data", "8gaussians", "--set", "steps=5")
    assert result.exit_code == 2 and "invalid options for sampler 'ancestral'" in result.output


def test_device_reaches_the_feature_classifier(monkeypatch):
    import genzoo.metrics.features as features

    devices = []
    load = features.load_feature_classifier
    monkeypatch.setattr(features, "load_feature_classifier",
                        lambda dataset, device=None: devices.append(device) or load(dataset, device))
    result = _run("--real", "digits", "--metric", "fid", "--n", "50", "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert devices == ["cpu"]
    assert next(features.load_feature_classifier("digits", "cpu").parameters()).device.type == "cpu"


def test_a_bad_device_is_a_usage_error():
    result = _run("--real", "digits", "--metric", "fid", "--device", "toaster")
    assert result.exit_code == 2 and "not a torch device: 'toaster'" in result.output


def test_a_metric_that_draws_no_samples_leaves_the_sampler_out_of_its_command(truth_registry, tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("toy-truth"), tmp_path / "truth",
                                    card=genzoo.ModelCard(name="truth", datasets=["8gaussians"]))
    result = _run(str(folder), "--metric", "modes", "--metric", "nll", "--n", "500", "--sampler", "ancestral", "--json")
    assert result.exit_code == 0, result.output
    commands = {r["name"]: r["command"] for r in json.loads(result.stdout)["results"]}
    assert commands["modes"].endswith("--n 500 --sampler ancestral")
    assert commands["nll"] == f"genzoo eval {folder} --metric nll --data 8gaussians --seed 0 --n 500"
    card = genzoo.ModelCard(name="truth", metrics=[genzoo.MetricResult(name="nll", value=1.0, dataset="8gaussians",
                                                                        command=commands["nll"])])
    assert card.metrics[0].key == "nll[n=500]"
    assert "note: nll draws no samples; --sampler and --set do not apply to it" in result.stderr


def test_a_metric_registered_as_drawing_no_samples_may_not_draw_them(truth_registry):
    from genzoo.metrics.base import EvalRequest, draw_samples

    request = EvalRequest(data="8gaussians", draws_samples=False, command="genzoo eval x --metric m")
    with pytest.raises(genzoo.GenzooError, match="registered with draws_samples=False"):
        draw_samples(genzoo.create("toy-truth"), request, 10)


def test_nll_on_data_of_another_shape_is_a_one_line_error(truth_registry, tmp_path):
    """Found by tests/core/test_cli_fuzz.py: a 2-D model scored on the 8x8 digits raised a ValueError."""
    folder = genzoo.save_pretrained(genzoo.create("toy-truth"), tmp_path / "truth")
    result = _run(str(folder), "--metric", "nll", "--data", "digits")
    assert result.exit_code == 1 and "models data of shape (2,); the digits test split holds (1, 8, 8)" in result.output
