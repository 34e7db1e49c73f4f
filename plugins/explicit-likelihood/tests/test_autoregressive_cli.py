"""`genzoo sample` on autoregressive checkpoints: completions of a dataset example, both samplers, and the
one-line errors of bad prefixes and temperatures."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.plugin import load_dataset

DIGITS = {"shape": (1, 8, 8), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    return genzoo.save_pretrained(genzoo.create("nade", data=DIGITS, hidden=8),
                                  tmp_path_factory.mktemp("nade") / "nade")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("sampler", ["naive", "cached"])
def test_the_top_rows_of_a_test_digit_are_kept_and_the_rest_sampled(checkpoint, tmp_path, sampler):
    out = tmp_path / f"{sampler}.npy"
    result = run("sample", checkpoint, "-n", "4", "--prefix", "digits:3", "--prefix-length", "32",
                 "--sampler", sampler, "--device", "cpu", "-o", out)
    assert result.exit_code == 0, result.output
    samples = torch.from_numpy(np.load(out))
    digit = load_dataset("digits", "test", view="binarized").tensors()[0][3]
    assert torch.equal(samples[:, :, :4], digit[:, :4].expand(4, 1, 4, 8))
    expected = genzoo.load(checkpoint).sample(4, prefix=digit, prefix_length=32, sampler=sampler,
                                              generator=torch.Generator().manual_seed(0))
    assert torch.equal(samples, expected)


def test_naive_and_cached_give_the_same_completions_from_the_cli(checkpoint, tmp_path):
    outputs = []
    for sampler in ("naive", "cached"):
        outputs.append(tmp_path / f"{sampler}.npy")
        args = ("sample", checkpoint, "-n", "8", "--seed", "4", "--prefix", "digits:0", "--sampler", sampler,
                "--set", "temperature=0.8", "--device", "cpu", "-o", outputs[-1])
        assert run(*args).exit_code == 0
    assert np.array_equal(np.load(outputs[0]), np.load(outputs[1]))


def test_bad_prefix_and_temperature_are_one_line_errors(checkpoint, tmp_path):
    np.save(tmp_path / "mnist-sized.npy", np.zeros((1, 28, 28), dtype=np.float32))
    cases = [
        (["--prefix", tmp_path / "mnist-sized.npy"], "holds an array of shape (1, 28, 28); nade takes (1, 8, 8)"),
        (["--prefix", "digits:0", "--prefix-length", "65"], "prefix_length=65 is outside 0..64"),
        (["--set", "temperature=0"], "temperature must be > 0, got 0"),
        (["--set", "temperature=-2", "--sampler", "naive"], "temperature must be > 0, got -2"),
    ]
    for args, message in cases:
        result = run("sample", checkpoint, "-n", "2", "--device", "cpu", "-o", tmp_path / "x.npy", *args)
        lines = result.output.strip().splitlines()
        assert result.exit_code != 0 and len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert message in lines[0]
