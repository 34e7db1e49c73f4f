"""The translate capability: `model.translate_inputs`, its conformance check, and `genzoo translate`
on image files, DATASET:INDEX and .npy inputs."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import genzoo
from genzoo.cli.main import cli
from genzoo.errors import CapabilityError
from genzoo.testing import ConformanceSuite


@pytest.fixture
def translation_registry(plugin_env):
    return plugin_env("toy_family", "toy_translation")


class TestToyTranslationConformance(ConformanceSuite):
    architectures = ("toy-invert", "toy-shift")

    @pytest.fixture(autouse=True)
    def _plugins(self, translation_registry):
        return translation_registry


@pytest.fixture
def checkpoint(translation_registry, tmp_path):
    torch.manual_seed(0)
    return genzoo.save_pretrained(genzoo.create("toy-invert"), tmp_path / "invert")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_source_spec_comes_from_the_config_and_survives_a_checkpoint(checkpoint):
    model = genzoo.load(checkpoint)
    assert model.source_spec.shape == (1, 8, 8) and model.data_spec.shape == (1, 16, 16)
    outputs = model.translate_inputs(torch.zeros(1, 8, 8), generator=torch.Generator().manual_seed(0))
    assert outputs.shape == (1, 1, 16, 16) and outputs.mean() > 0.9  # 1 - 0, plus a little noise


def test_a_translator_is_saved_with_a_card_but_no_sample_preview(translation_registry, tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("toy-invert"), tmp_path / "invert", preview=True)
    assert not (folder / "preview.png").exists() and "preview.png" not in (folder / "README.md").read_text()
    assert genzoo.load(folder).source_spec.shape == (1, 8, 8)


def test_translate_inputs_checks_the_source_spec(checkpoint):
    model = genzoo.load(checkpoint)
    with pytest.raises(CapabilityError, match=r"translate input must be shaped \(n, 1, 8, 8\)"):
        model.translate_inputs(torch.zeros(2, 1, 4, 4))
    with pytest.raises(CapabilityError, match=r"values must lie in \[0, 1\]"):
        model.translate_inputs(torch.full((1, 1, 8, 8), 3.0))


def test_a_model_without_translate_refuses(translation_registry):
    with pytest.raises(CapabilityError, match="'class-gaussian' cannot translate"):
        genzoo.create("class-gaussian").translate_inputs(torch.zeros(1, 1, 4, 4))


def test_cli_translates_an_image_a_dataset_example_and_an_array(checkpoint, tmp_path):
    image = tmp_path / "in.png"
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(image)
    np.save(tmp_path / "batch.npy", np.ones((2, 1, 8, 8), dtype=np.float32))
    out = tmp_path / "out.npy"
    result = run("translate", checkpoint, "--input", image, "-i", "digits:3", "-i", tmp_path / "batch.npy",
                 "--device", "cpu", "--seed", "1", "-o", out)
    assert result.exit_code == 0, result.output
    assert "wrote 4 translations" in result.output
    from genzoo.inputs import read_inputs

    model = genzoo.load(checkpoint)
    x, labels = read_inputs(model.source_spec, [str(image), "digits:3", str(tmp_path / "batch.npy")])
    assert labels[0] is None and isinstance(labels[1], int) and labels[2:] == [None, None]
    expected = model.translate_inputs(x, generator=torch.Generator().manual_seed(1))
    assert torch.equal(torch.from_numpy(np.load(out)), expected)


def test_cli_png_puts_each_input_beside_its_output(checkpoint, tmp_path):
    out = tmp_path / "grid.png"
    inputs = ["-i", "digits:0", "-i", "digits:1", "-i", "digits:2"]
    assert run("translate", checkpoint, *inputs, "--device", "cpu", "-o", out).exit_code == 0
    with Image.open(out) as grid:
        pixels = np.asarray(grid.convert("L"))
    tile = 16 * 16 + 2 * 16  # 16x16 images scaled by 256 // 16, with 2-pixel padding scaled alike
    assert pixels.shape == (3 * tile + 2 * 16, 2 * tile + 2 * 16)  # three rows of (input, output)


@pytest.mark.parametrize(("args", "message"), [
    (["-i", "missing.png"], "no such file"),
    (["-i", "digits:99999"], "test split has"),
    (["-i", "bad.npy"], "holds an array of shape (3,)"),
])
def test_cli_bad_inputs_are_one_line(checkpoint, tmp_path, args, message):
    np.save(tmp_path / "bad.npy", np.zeros(3))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = run("translate", checkpoint, *args, "--device", "cpu", "-o", tmp_path / "x.png")
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "x.png").exists()


def test_cli_refuses_a_model_that_cannot_translate(translation_registry, tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "cg")
    result = run("translate", folder, "-i", "digits:0", "--device", "cpu", "-o", tmp_path / "x.png")
    assert result.exit_code != 0 and "cannot translate" in result.output and "--capability translate" in result.output


def test_cli_samples_around_a_vector_condition_from_a_file(translation_registry, tmp_path):
    torch.manual_seed(0)
    folder = genzoo.save_pretrained(genzoo.create("toy-shift"), tmp_path / "shift")
    np.save(tmp_path / "c.npy", np.array([3.0, -2.0], dtype=np.float32))
    result = run("sample", folder, "-n", "5", "--condition", tmp_path / "c.npy", "--device", "cpu",
                 "-o", tmp_path / "x.npy")
    assert result.exit_code == 0, result.output
    expected = genzoo.load(folder).sample(5, condition=torch.tensor([3.0, -2.0]), generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.from_numpy(np.load(tmp_path / "x.npy")), expected)
    bad = run("sample", folder, "-n", "5", "--condition", "3", "--device", "cpu", "-o", tmp_path / "y.npy")
    assert bad.exit_code == 1
    assert bad.output == "error: 3: the condition of 'toy-shift' takes data of shape (2,), not images; give a .npy file\n"


def test_cli_refuses_an_output_in_a_missing_folder(checkpoint, tmp_path):
    result = run("translate", checkpoint, "-i", "digits:0", "--device", "cpu", "-o", tmp_path / "nowhere" / "x.png")
    assert result.exit_code != 0 and "nowhere" in result.output and len(result.output.strip().splitlines()) == 1
