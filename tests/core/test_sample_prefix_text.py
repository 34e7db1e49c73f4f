"""`genzoo sample --prefix` (the `complete` capability) and text models' printed samples, on the toy
models of tests/fake_plugins/toy_sequence.py."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import genzoo
from genzoo.cli.main import cli
from genzoo.testing import ConformanceSuite


@pytest.fixture
def sequence_registry(plugin_env):
    return plugin_env("toy_family", "toy_sequence")


class TestToySequenceConformance(ConformanceSuite):
    architectures = ("toy-complete", "toy-text")

    @pytest.fixture(autouse=True)
    def _plugins(self, sequence_registry):
        return sequence_registry


@pytest.fixture
def complete(sequence_registry, tmp_path):
    return genzoo.save_pretrained(genzoo.create("toy-complete"), tmp_path / "complete")


@pytest.fixture
def text(sequence_registry, tmp_path):
    return genzoo.save_pretrained(genzoo.create("toy-text"), tmp_path / "text")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_npy_prefix_batch_is_repeated_row_by_row_and_its_first_elements_kept(complete, tmp_path):
    prefixes = np.stack([np.ones((1, 4, 4)), np.zeros((1, 4, 4))]).astype(np.float32)
    np.save(tmp_path / "p.npy", prefixes)
    out = tmp_path / "x.npy"
    result = run("sample", complete, "-n", "6", "--prefix", tmp_path / "p.npy", "--prefix-length", "8",
                 "--device", "cpu", "-o", out)
    assert result.exit_code == 0, result.output
    samples = np.load(out).reshape(6, 16)
    assert (samples[:3, :8] == 1).all() and (samples[3:, :8] == 0).all()
    expected = genzoo.load(complete).sample(6, generator=torch.Generator().manual_seed(0),
                                            prefix=torch.from_numpy(prefixes).repeat_interleave(3, 0), prefix_length=8)
    assert np.array_equal(samples, expected.reshape(6, 16).numpy())


def test_the_png_has_one_row_of_completions_per_prefix(complete, tmp_path):
    np.save(tmp_path / "p.npy", np.ones((2, 1, 4, 4), dtype=np.float32))
    out = tmp_path / "grid.png"
    assert run("sample", complete, "-n", "6", "--prefix", tmp_path / "p.npy", "--device", "cpu",
               "-o", out).exit_code == 0
    with Image.open(out) as image:
        assert image.width > image.height  # 3 columns of 2 rows


def test_a_dataset_example_and_an_image_are_snapped_to_the_binary_levels(complete, tmp_path):
    grey = np.full((4, 4), 200, dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    out = tmp_path / "x.npy"
    result = run("sample", complete, "-n", "2", "--prefix", tmp_path / "grey.png", "--prefix-length", "16",
                 "--device", "cpu", "-o", out)
    assert result.exit_code == 0, result.output
    assert (np.load(out) == 1).all()  # 200/255 rounds to the upper level


def test_prefix_errors_are_one_line(sequence_registry, complete, tmp_path):
    np.save(tmp_path / "three.npy", np.ones((3, 1, 4, 4), dtype=np.float32))
    np.save(tmp_path / "wrong.npy", np.ones((1, 5, 5), dtype=np.float32))
    gaussian = genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "gaussian")
    cases = [
        (["-n", "4", "--prefix", tmp_path / "three.npy"], "-n 4 must be a multiple of the 3 prefixes"),
        (["--prefix", tmp_path / "wrong.npy"], "holds an array of shape (1, 5, 5)"),
        (["--prefix", tmp_path / "x.npy", "--prefix-length", "17"], "no such file"),
        (["--prefix-length", "3"], "needs --prefix"),
    ]
    for args, message in cases:
        result = run("sample", complete, "--device", "cpu", "-o", tmp_path / "o.npy", *args)
        assert result.exit_code in (1, 2) and message in result.output and "Traceback" not in result.output, \
            result.output
    result = run("sample", complete, "-n", "1", "--prefix", "digits:0", "--prefix-length", "17", "--device", "cpu",
                 "-o", tmp_path / "o.npy")
    assert result.exit_code != 0 and "digits examples have shape (1, 8, 8)" in result.output
    result = run("sample", gaussian, "--prefix", "digits:0", "--device", "cpu", "-o", tmp_path / "o.npy")
    assert result.output.strip() == "error: 'class-gaussian' cannot complete a prefix: it lacks the 'complete' capability"


def test_a_text_model_prints_its_samples(text):
    result = run("sample", text, "-n", "2", "--seed", "3", "--device", "cpu")
    assert result.exit_code == 0, result.output
    model = genzoo.load(text)
    expected = model.decode_text(model.sample(2, generator=torch.Generator().manual_seed(3)))
    assert result.stdout == f"=== sample 0 ===\n{expected[0]}\n=== sample 1 ===\n{expected[1]}\n"
    one = run("sample", text, "-n", "1", "--seed", "3", "--device", "cpu")
    assert one.stdout == model.decode_text(model.sample(1, generator=torch.Generator().manual_seed(3)))[0] + "\n"


def test_a_text_prefix_is_encoded_and_kept_whole(text, tmp_path, monkeypatch):
    from toy_sequence import PrefixSampler

    result = run("sample", text, "-n", "3", "--prefix", "cab", "--device", "cpu", "-o", tmp_path / "t.txt")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "t.txt").read_text().splitlines()
    assert [line[:3] for line in lines if not line.startswith("===")] == ["cab"] * 3
    seen = []
    monkeypatch.setattr(PrefixSampler, "run", lambda self, model, n, **kw: seen.append(kw["options"]) or
                        torch.zeros(n, 6, dtype=torch.long))
    assert run("sample", text, "-n", "1", "--prefix", "abcabc", "--device", "cpu").exit_code == 0
    assert seen[0].prefix_length == 6 and seen[0].prefix.tolist() == [0, 1, 2, 0, 1, 2]  # a prompt counts whole
    bad = run("sample", text, "--prefix", "abz", "--device", "cpu")
    assert bad.output.strip() == "error: 'toy-text' knows only the letters 'abc'"


def test_txt_output_is_for_text_models_only(complete, text, tmp_path):
    assert ".txt is for text models" in run("sample", complete, "-o", tmp_path / "x.txt", "--device", "cpu").output
    assert run("sample", text, "-o", tmp_path / "x.npy", "--device", "cpu").exit_code == 0
    assert "is a text model" in run("sample", text, "-o", tmp_path / "x.png", "--device", "cpu").output


def test_a_preview_is_written_only_for_data_a_png_can_show(sequence_registry, tmp_path):
    """A sequence of letters has no sample grid: `preview=True` must not fail the save (it did)."""
    folder = genzoo.save_pretrained(genzoo.create("toy-text"), tmp_path / "text", preview=True)
    assert not (folder / "preview.png").exists()
    assert "![samples]" not in (folder / "README.md").read_text()
