"""The genzoo CLI: tables, JSON, sampling outputs and one-line errors with the right exit codes."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and genzoo.__version__ in result.output


def test_list_table_and_json(toy_registry):
    table = run("list")
    assert table.exit_code == 0
    header, rule, *rows = table.output.splitlines()
    assert header.split()[:3] == ["NAME", "KIND", "FAMILY"] and set(rule) <= {"-", " "}
    assert any(row.startswith("class-gaussian ") for row in rows)
    rows = json.loads(run("list", "--json", "--family", "toy", "--pretrained").output)
    assert [r["name"] for r in rows] == ["class-gaussian-test"]
    assert "class-gaussian" in [r["name"] for r in json.loads(run("list", "--json", "--capability", "encode").output)]


def test_info_text_and_json(toy_registry):
    text = run("info", "class-gaussian")
    assert text.exit_code == 0 and "capabilities     sample, conditional, encode, decode, log_prob" in text.output
    assert json.loads(run("info", "class-gaussian-test", "--json").output)["pretrained"]["repo_id"] == (
        "genzoo/class-gaussian-test"
    )


def test_unknown_name_exits_2_with_suggestions(toy_registry):
    result = run("info", "clas-gaussian")
    assert result.exit_code == 2
    assert result.output.strip() == "error: unknown model 'clas-gaussian'; did you mean 'class-gaussian', 'bayes-gaussian', 'class-gaussian-test'?"


@pytest.fixture
def checkpoint(toy_registry, tmp_path):
    torch.manual_seed(0)
    return genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt")


@pytest.mark.parametrize("suffix", [".png", ".npy", ".pt"])
def test_sample_writes_each_format(checkpoint, tmp_path, suffix):
    out = tmp_path / f"x{suffix}"
    result = run("sample", str(checkpoint), "-n", "9", "--condition", "0,1,2", "--device", "cpu", "-o", str(out))
    assert result.exit_code == 0, result.output
    if suffix == ".png":
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    elif suffix == ".npy":
        assert np.load(out).shape == (9, 1, 4, 4)
    else:
        assert torch.load(out).shape == (9, 1, 4, 4)


def test_sample_2d_scatter_plot(toy_registry, tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("gaussian"), tmp_path / "g")
    result = run("sample", str(folder), "-n", "50", "-o", str(tmp_path / "s.png"))
    assert result.exit_code == 0 and (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--condition", "7"], 2, "error: condition labels must be in [0, 2]"),
        (["--condition", "a,b"], 2, "expected comma-separated class labels"),
        (["--sampler", "no-such-sampler"], 2, "error: unknown sampler 'no-such-sampler'"),
        (["--set", "steps=3"], 2, "error: invalid options for sampler 'ancestral':"),
        (["--set", "novalue"], 2, "expected key=value"),
        (["-o", "out.gif"], 2, "unsupported format"),
        (["--device", "toaster"], 2, "not a torch device"),
    ],
)
def test_sample_bad_input_is_one_clear_error(checkpoint, args, code, message):
    result = run("sample", str(checkpoint), "-n", "2", *args)
    assert result.exit_code == code
    assert message in result.output and "Traceback" not in result.output


def test_sample_damaged_checkpoint_is_a_clear_error(checkpoint):
    (checkpoint / "config.json").write_text("[]")
    result = run("sample", str(checkpoint))
    assert result.exit_code == 1 and "config.json" in result.output and "Traceback" not in result.output


def test_sample_from_missing_folder(toy_registry, tmp_path):
    result = run("sample", str(tmp_path / "nope"))
    assert result.exit_code == 1 and "not a folder" in result.output


def test_plugins_lists_states_and_missing_families(plugin_env):
    with pytest.warns(UserWarning):
        plugin_env("toy_family", "broken_import")
    result = run("plugins")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:] if line and not line.startswith("not")}
    assert "loaded" in lines["toy-family"] and "failed" in lines["broken-import"]


def test_doctor_names_the_broken_plugin_and_fails(plugin_env):
    with pytest.warns(UserWarning):
        plugin_env("broken_import")
    result = run("doctor")
    assert result.exit_code == 1
    assert "plugin broken-import" in result.output and "RuntimeError: this plugin is broken on purpose" in result.output


def test_doctor_passes_on_a_healthy_install(plugin_env):
    plugin_env()
    result = run("doctor")
    assert result.exit_code == 0, result.output


def test_info_and_list_offer_only_the_samplers_that_can_run():
    text = run("info", "vae-mnist").output
    offered = next(line for line in text.splitlines() if line.startswith("samplers")).split(None, 1)[1].split(", ")
    assert {"prior", "latent-gmm", "reconstruction", "interpolation"} <= set(offered)
    assert not {"ddpm", "ddim", "dpm-solver", "unipc", "gibbs"} & set(offered)
    rows = {row["name"]: row for row in json.loads(run("list", "--json").output)}
    assert rows["vae-mnist"]["samplers"] == offered
    assert rows["ddpm-mnist"]["samplers"] == ["ddim", "ddpm", "dpm-solver", "unipc"]
    assert rows["classifier"]["samplers"] == []
