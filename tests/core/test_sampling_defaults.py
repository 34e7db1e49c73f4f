"""Pretrained sampling defaults: the sampler and options a card was measured with, stored in config.json
and the catalog, used when the caller names no sampler, shown by `genzoo info`, and used by `genzoo sample`."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.specs import SamplingDefaults

DDIM_3 = SamplingDefaults(sampler="ddim", options={"steps": 3, "progress": False})


def _seeded(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.fixture
def tiny_ddpm():
    torch.manual_seed(0)
    spec = genzoo.get_registry().architecture("ddpm-mlp")
    return genzoo.create("ddpm-mlp", **spec.tiny_config)


def test_sampling_plan_merges_the_card_options_under_the_callers(tiny_ddpm):
    assert tiny_ddpm.sampling_plan(None, {}) == ("ddpm", {})
    tiny_ddpm.sampling_defaults = DDIM_3
    assert tiny_ddpm.sampling_plan(None, {}) == ("ddim", {"steps": 3, "progress": False})
    assert tiny_ddpm.sampling_plan(None, {"steps": 5}) == ("ddim", {"steps": 5, "progress": False})
    assert tiny_ddpm.sampling_plan("ddim", {"eta": 1.0}) == ("ddim", {"steps": 3, "progress": False, "eta": 1.0})
    assert tiny_ddpm.sampling_plan("ddpm", {"progress": False}) == ("ddpm", {"progress": False})


def test_sample_uses_the_defaults_only_when_no_other_sampler_is_named(tiny_ddpm):
    explicit = tiny_ddpm.sample(4, generator=_seeded(), sampler="ddim", steps=3, progress=False)
    plain_ddpm = tiny_ddpm.sample(4, generator=_seeded(), progress=False)
    tiny_ddpm.sampling_defaults = DDIM_3
    assert torch.equal(tiny_ddpm.sample(4, generator=_seeded()), explicit)
    assert torch.equal(tiny_ddpm.sample(4, generator=_seeded(), sampler="ddpm", progress=False), plain_ddpm)


def test_save_pretrained_records_the_defaults_and_load_restores_them(tiny_ddpm, tmp_path):
    plain = genzoo.save_pretrained(tiny_ddpm, tmp_path / "plain")
    assert "sampling" not in json.loads((plain / "config.json").read_text())
    assert genzoo.load(plain).sampling_defaults is None
    folder = genzoo.save_pretrained(tiny_ddpm, tmp_path / "card", sampling={"sampler": "ddim", "options": {"steps": 3}})
    assert json.loads((folder / "config.json").read_text())["sampling"] == {"sampler": "ddim", "options": {"steps": 3}}
    loaded = genzoo.load(folder)
    assert loaded.sampling_defaults == SamplingDefaults(sampler="ddim", options={"steps": 3})
    resaved = genzoo.save_pretrained(loaded, tmp_path / "again")  # the defaults travel with the model
    assert json.loads((resaved / "config.json").read_text())["sampling"]["sampler"] == "ddim"


def test_the_published_conditional_ddpm_carries_its_measured_setting():
    card = genzoo.info("ddpm-mnist-cond").pretrained
    assert card.sampling == SamplingDefaults(sampler="ddim", options={"steps": 50, "guidance_scale": 1.3})
    for precision in ("float32", "bfloat16"):  # both that the default precision=auto can stand for
        assert f"fid[n=10000,sampler=ddim,steps=50,guidance_scale=1.3,precision={precision}]" in card.metrics
    text = CliRunner().invoke(cli, ["info", "ddpm-mnist-cond"]).output
    line = next(line for line in text.splitlines() if line.startswith("card sampling"))
    assert line.split(None, 2)[2] == "--sampler ddim --set steps=50 --set guidance_scale=1.3 (used when you name no sampler)"


def test_genzoo_sample_uses_the_card_guidance_and_balanced_labels(tmp_path):
    """`genzoo sample ddpm-mnist-cond` with no --condition and no sampler: DDIM with guidance 1.3 (steps cut to 2
    here, through the ordinary override) on labels 0..9 in turn."""
    out = tmp_path / "x.npy"
    args = ["sample", "ddpm-mnist-cond", "-n", "4", "--steps", "2", "--set", "progress=false", "--device", "cpu",
            "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "balanced labels 0..9" in result.output
    assert ("sampling with ddim (steps=2, guidance_scale=1.3, progress=False), the card's sampler with your progress, "
            "steps") in result.output  # not "as measured on the card": steps=2 is not the card's 50
    model = genzoo.load("ddpm-mnist-cond", device="cpu")
    expected = model.sample(4, condition=torch.arange(4), generator=_seeded(), sampler="ddim", steps=2,
                            guidance_scale=1.3, progress=False)
    assert torch.equal(torch.from_numpy(np.load(out)), expected)
