"""`genzoo sample` with swapped samplers on a saved diffusion checkpoint; `genzoo train --init` from it."""

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


def test_fine_tuning_with_a_mean_head_names_the_tensors_the_checkpoint_lacks(checkpoint, tmp_path):
    tuned = tmp_path / "tuned"
    common = ["--data", "digits", "--set", "data.view=discrete", "--set", "model.timesteps=20", "--set",
              "model.channels=[8,16]", "--set", "model.patch_size=1", "--set", "train.batch_size=8", "--set",
              "step.variance_examples=0", "--set", "train.sample_every=null", "--no-progress"]
    result = run("train", "ddpm-cond", *common, "--init", checkpoint, "--set", "model.mean_path=true",
                 "--set", "train.steps=1", "--out", tuned)
    assert result.exit_code == 0, result.output
    assert (f"init: {checkpoint} has no weights for 4 tensors, which keep their initialization: "
            "denoiser.mean_head.mlp.0.bias, denoiser.mean_head.mlp.0.weight, denoiser.mean_head.mlp.2.bias, "
            "denoiser.mean_head.mlp.2.weight") in result.output
    resumed = run("train", "--resume", "--set", "train.steps=2", "--no-progress", "--out", tuned)
    assert resumed.exit_code == 0 and "init:" not in resumed.output, resumed.output


def test_from_python_the_tensors_left_as_initialized_are_a_warning(checkpoint, tmp_path):
    from genzoo.training import RunConfig, run as run_training

    config = RunConfig(architecture="ddpm-cond", dataset="digits", init=str(checkpoint), data={"view": "discrete"},
                       model={"timesteps": 20, "channels": [8, 16], "patch_size": 1, "mean_path": True},
                       train={"steps": 1, "batch_size": 8, "sample_every": None}, step={"variance_examples": 0})
    with pytest.warns(UserWarning, match=r"has no weights for 4 tensors, which keep their initialization"):
        run_training(config, tmp_path / "tuned", progress=False)
