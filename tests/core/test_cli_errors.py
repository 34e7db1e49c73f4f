"""Issue 12's list of CLI mistakes: each is one `error:` line (or click's usage error) with exit 1 or 2.

Items tested elsewhere: push errors in tests/hub_client/test_push_pull.py, `hub serve`/`hub login` in
tests/hub_server/test_cli.py, `train --device cuda:99` in tests/training/test_cli.py, plugins that call
sys.exit in tests/core/test_plugins.py, a hub dying mid-download in tests/hub_client/test_pull_noise.py.
"""

from __future__ import annotations

import types

import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.cli.options import MAX_SAMPLES
from genzoo.errors import GenzooError


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def error_lines(result) -> list[str]:
    """The non-blank stderr lines, without click's 'Usage:' and 'Try ... --help' preamble."""
    return [line for line in result.stderr.splitlines()
            if line.strip() and not line.startswith(("Usage:", "Try '"))]


@pytest.fixture
def checkpoint(toy_registry, tmp_path):
    torch.manual_seed(0)
    return str(genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt"))


@pytest.mark.parametrize(("args", "message"), [
    (["-n", "1000000000"], f"1000000000 is not in the range 1<=x<={MAX_SAMPLES}"),
    (["-n", "1e30"], "'1e30' is not a valid integer range"),
    (["--seed", str(2**64)], f"{2**64} is not in the range 0<=x<={2**64 - 1}"),
    (["--seed", "-1"], "-1 is not in the range 0<="),
    (["--condition", "1e30"], "expected comma-separated class labels, got '1e30'"),
    (["--device", "cuda"], "device 'cuda' is not available: this machine has 0 CUDA GPU(s); use cpu"),
    (["--device", "cuda:7"], "device 'cuda:7' is not available: this machine has 0 CUDA GPU(s)"),
    (["--device", "meta"], "device 'meta': models run on cpu, cuda, cuda:N or mps"),
    (["--device", "mps"], "device 'mps' is not available on this machine; use cpu"),
])
def test_sample_usage_mistakes_exit_2_in_one_line(checkpoint, tmp_path, args, message):
    if "cuda" in args[-1] and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run("sample", checkpoint, *args, "-o", str(tmp_path / "s.npy"))
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "s.npy").exists()


def test_eval_and_translate_refuse_the_same_seeds_and_devices(checkpoint):
    for command in (["eval", checkpoint, "--metric", "nll"], ["translate", checkpoint, "-i", "x.png"]):
        for args in (["--seed", str(2**64)], ["--device", "meta"]):
            result = run(*command, *args)
            assert result.exit_code == 2 and len(error_lines(result)) == 1, result.stderr


def test_load_refuses_an_unusable_device_before_loading(tmp_path):
    from genzoo.errors import ConfigError

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ConfigError, match="^device 'cuda:7' is not available"):
        genzoo.load(tmp_path / "not-even-a-folder", device="cuda:7")


def test_plugin_commands_get_the_same_device_error(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    folder = str(genzoo.save_pretrained(genzoo.create("gaussian"), tmp_path / "g"))
    result = run("interpolate", folder, "--from", "moons:0", "--to", "moons:1", "--device", "cuda")
    assert result.exit_code == 2 and error_lines(result) == [
        "error: device 'cuda' is not available: this machine has 0 CUDA GPU(s); use cpu"]


def test_samples_bigger_than_memory_are_refused_before_sampling():
    from genzoo.cli.sample import require_memory

    require_memory(MAX_SAMPLES, types.SimpleNamespace(dim=2))  # a million 2D points: 8 MB
    with pytest.raises(GenzooError, match=r"^-n 1000000: the samples alone need 11444\.1 GiB, more than this machine"):
        require_memory(MAX_SAMPLES, types.SimpleNamespace(dim=3 * 1024 * 1000))


def test_a_refused_hub_url_is_one_line(checkpoint, tmp_path):
    result = run("sample", "class-gaussian-test", "-o", str(tmp_path / "s.npy"),
                 env={"GENZOO_HUB": "ftp://example.org"})
    assert result.exit_code == 1
    assert error_lines(result) == ["error: hub 'ftp://example.org': expected an http(s)://host[:port] URL or a folder"]


def test_output_into_a_missing_folder_is_one_line(checkpoint, tmp_path):
    for command in (["sample", checkpoint, "-o"], ["eval", checkpoint, "--metric", "nll", "-o"]):
        result = run(*command, str(tmp_path / "missing" / "out.npy"))
        assert result.exit_code == 1 and len(error_lines(result)) == 1
        assert "does not exist; create it first" in result.stderr


def test_a_likelihood_option_of_the_wrong_type_is_one_line():
    result = run("eval", "vae-moons", "--metric", "nll", "--likelihood", "k=abc", "--n", "5")
    assert result.exit_code == 2
    assert error_lines(result)[-1] == ("error: --likelihood k='abc': Input should be a valid integer, "
                                       "unable to parse string as an integer")


def test_a_huge_batch_size_is_refused_up_front():
    result = run("eval", "vae-moons", "--metric", "nll", "--n", "5", "--batch-size", str(10**29))
    assert result.exit_code == 2 and f"{10**29} is not in the range 1<=x<={MAX_SAMPLES}" in result.stderr


def test_a_likelihood_option_is_converted_to_its_annotated_type():
    from genzoo.metrics.nll import _check_options

    class Model:
        def log_prob(self, x, *, condition=None, k: int = 1):
            raise AssertionError("not called")

    assert _check_options(Model(), {"k": "5"}) == {"k": 5}


def test_eval_of_unknown_real_data_exits_2():
    result = run("eval", "--metric", "fid", "--real", "nope")
    assert result.exit_code == 2
    assert error_lines(result) == ["error: unknown dataset 'nope' (or your own data: folder:PATH, npz:FILE)"]


@pytest.mark.parametrize("args", [["--real", ""], ["", "--real", ""], [""], []])
def test_eval_needs_exactly_one_of_name_and_real(args):
    result = run("eval", "--metric", "nll", *args)
    assert result.exit_code == 2 and "give a model NAME or --real DATASET (not both)" in result.stderr


@pytest.mark.parametrize("front_matter", ["foo: [unclosed", "- a list\n- not a mapping", "model-index: 5",
                                          "x: !!python/object:os.system"])
def test_eval_of_a_folder_with_a_malformed_card_is_one_line(checkpoint, front_matter):
    from pathlib import Path

    folder = Path(checkpoint)
    (folder / "README.md").write_text(f"---\n{front_matter}\n---\ncard\n", encoding="utf-8")
    result = run("eval", checkpoint, "--metric", "nll", "--no-verify")
    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert line.startswith(f"error: {folder / 'README.md'}: malformed model card front matter (")
    assert line.endswith("); pass --data NAME or fix the YAML between the --- lines")


def test_train_with_an_unavailable_device_setting_is_one_line(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run("train", "gaussian", "--data", "moons", "--set", "train.device=cuda", "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert error_lines(result) == ["error: device 'cuda' is not available: this torch build sees no CUDA GPU; "
                                   "use --device cpu"]
    assert not (tmp_path / "r").exists()


def test_new_plugin_with_a_bad_name_exits_2(tmp_path):
    result = run("new-plugin", "BAD_NAME", "--directory", str(tmp_path))
    assert result.exit_code == 2 and error_lines(result)[0].startswith("error: invalid plugin name 'BAD_NAME'")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args", [["--min-upload-rate", "nan"], ["--header-timeout", "inf"], ["--idle-timeout", "nan"]])
def test_hub_serve_refuses_limits_that_are_not_finite(tmp_path, args):
    pytest.importorskip("genzoo_hub")
    result = run("hub", "serve", "--root", str(tmp_path / "root"), *args)
    assert result.exit_code == 2 and "is not a finite number" in result.stderr
    assert not (tmp_path / "root").exists()


def test_train_with_a_binary_config_file_is_one_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(b"\x93NUMPY\xff\xfe")
    result = run("train", "gaussian", "--data", "moons", "--config", str(config), "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {config}: not a TOML file (not UTF-8 text)"]


def test_info_on_a_checkpoint_path_is_not_called_a_missing_plugin(tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("gaussian"), tmp_path / "ckpt")
    result = run("info", str(folder))
    assert result.exit_code == 2 and error_lines(result) == [f"error: unknown model '{folder}'"]


def test_huggingface_hub_is_quiet_inside_a_command_and_restored_after(monkeypatch):
    import logging
    import os

    from huggingface_hub.utils import are_progress_bars_disabled

    from genzoo.cli.quiet import quiet_huggingface_hub

    monkeypatch.delenv("HF_HUB_VERBOSITY", raising=False)
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    logger = logging.getLogger("huggingface_hub")
    level = logger.level
    with quiet_huggingface_hub():
        assert logger.level == logging.ERROR and os.environ["HF_HUB_VERBOSITY"] == "error"
        assert are_progress_bars_disabled()
    assert logger.level == level and "HF_HUB_VERBOSITY" not in os.environ
    monkeypatch.setenv("HF_HUB_VERBOSITY", "info")  # a user's own choice wins
    with quiet_huggingface_hub():
        assert logger.level == level and os.environ["HF_HUB_VERBOSITY"] == "info"
