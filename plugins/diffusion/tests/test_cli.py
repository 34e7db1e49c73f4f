"""`genzoo sample` with swapped samplers on a saved diffusion checkpoint."""

import genzoo
import pytest
from click.testing import CliRunner
from genzoo.cli.main import cli
from PIL import Image


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    spec = genzoo.get_registry().architecture("ddpm-cond")
    folder = tmp_path_factory.mktemp("ddpm") / "tiny"
    genzoo.save_pretrained(genzoo.create("ddpm-cond", **spec.tiny_config), folder)
    return folder


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("sampler", ["ddim", "dpm-solver"])
def test_sample_with_a_swapped_sampler_and_guidance(checkpoint, tmp_path, sampler):
    out = tmp_path / "grid.png"
    result = run("sample", checkpoint, "--sampler", sampler, "--steps", 4, "--seed", 0, "-n", 10,
                 "--condition", "0,1,2,3,4,5,6,7,8,9", "--set", "guidance_scale=2", "-o", out)
    assert result.exit_code == 0, result.output
    assert Image.open(out).size[0] > 8


def test_too_many_steps_is_one_line_and_nonzero(checkpoint, tmp_path):
    result = run("sample", checkpoint, "--sampler", "ddim", "--steps", 50, "-o", tmp_path / "x.png")
    assert result.exit_code != 0
    assert "at most the model's 20 timesteps" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.png").exists()
