"""`genzoo encode` and `genzoo interpolate`: files written, inputs read, bad input is one line and exit 1."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import genzoo
from genzoo.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_interpolate_writes_one_row_grid(vae_digits, tmp_path):
    out = tmp_path / "grid.png"
    result = run("interpolate", vae_digits, "--from", "digits:0", "--to", "digits:1", "--steps", 6, "-o", out)
    assert result.exit_code == 0, result.output
    width, height = Image.open(out).size
    assert width > 5 * height  # one row of six frames


def test_interpolation_frames_match_the_python_api(vae_digits, tmp_path):
    out = tmp_path / "frames.npy"
    assert run("interpolate", vae_digits, "--from", "digits:4", "--to", "digits:7", "--steps", 4,
               "--method", "linear", "-o", out).exit_code == 0
    model = genzoo.load(vae_digits)
    expected = model.sample(4, sampler="interpolation", data="digits", start=4, end=7, method="linear", output="mean")
    assert np.allclose(np.load(out), expected.numpy(), atol=1e-6)


def test_encode_images_and_dataset_examples(vae_digits, tmp_path):
    image = tmp_path / "digit.png"
    Image.fromarray((np.eye(16) * 255).astype(np.uint8)).save(image)  # resized to 8x8 on the way in
    out = tmp_path / "codes.npy"
    result = run("encode", vae_digits, image, "digits:3", "-o", out)
    assert result.exit_code == 0, result.output
    codes = np.load(out)
    model = genzoo.load(vae_digits)
    assert codes.shape == (2, model.latent_dim)
    from genzoo.data import load_dataset

    x, _ = load_dataset("digits", "test", view="binarized").tensors()
    assert np.allclose(codes[1], model.encode(x[3:4]).detach().numpy()[0], atol=1e-6)


def test_conditional_models_take_the_dataset_label_or_label(cvae_digits, tmp_path):
    out = tmp_path / "codes.pt"
    assert run("encode", cvae_digits, "digits:0", "-o", out).exit_code == 0
    image = tmp_path / "blank.png"
    Image.new("L", (8, 8)).save(image)
    result = run("encode", cvae_digits, image, "-o", out)
    assert result.exit_code == 1 and "--label" in result.output
    assert run("encode", cvae_digits, image, "--label", 3, "-o", out).exit_code == 0
    assert torch.load(out).shape == (1, genzoo.load(cvae_digits).latent_dim)


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "missing.png", "--to", "digits:1"], "no such file"),
    (["--from", "digits:99999", "--to", "digits:1"], "test split has"),
    (["--from", "NOTANIMAGE", "--to", "digits:1"], "not a readable image"),
])
def test_bad_inputs_are_one_line(vae_digits, tmp_path, args, message):
    (tmp_path / "NOTANIMAGE").write_text("hello")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = run("interpolate", vae_digits, *args, "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_encode_refuses_an_image_output(vae_digits, tmp_path):
    result = run("encode", vae_digits, "digits:0", "-o", tmp_path / "codes.png")
    assert result.exit_code == 1 and ".npy or .pt" in result.output


def test_encode_with_a_model_that_has_no_encoder_is_one_line(tmp_path):
    folder = genzoo.save_pretrained(genzoo.create("gaussian"), tmp_path / "g")
    result = run("encode", folder, "moons:0", "-o", tmp_path / "codes.npy")
    assert result.exit_code == 2 and result.output == "error: 'gaussian' has no encoder\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--steps", 10**30], "is not in the range 2<=x<=1000"),
    (["--seed", 2**64], "is not in the range 0<=x<=18446744073709551615"),
])
def test_interpolate_refuses_huge_steps_and_seeds_up_front(vae_digits, tmp_path, args, message):
    result = run("interpolate", vae_digits, "--from", "digits:0", "--to", "digits:1", *args, "-o", tmp_path / "x.png")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_label_outside_the_classes_is_one_line(cvae_digits, tmp_path):
    for label in (10, -1, 2**64):
        result = run("encode", cvae_digits, "digits:0", "--label", label, "-o", tmp_path / "codes.npy")
        assert result.exit_code == 1, result.output
        assert result.output == f"error: 'cvae' labels must be in [0, 9], got [{label}]\n"
