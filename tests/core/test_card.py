"""Model cards: the task, floors kept out of model-index, results told apart by their setting, units."""

import pytest
import torch
import yaml

import genzoo
from genzoo import MetricResult, ModelCard

EVAL = "genzoo eval ckpt --metric {metric} --data toy --seed 0 --n 2000 --sampler ddim --set steps=50 " \
       "--set progress=false"


def _result(name: str, value: float, steps: int = 50, split: str = "train") -> MetricResult:
    command = EVAL.format(metric=name.removesuffix("-floor")).replace("steps=50", f"steps={steps}")
    return MetricResult(name=name, value=value, dataset="toy", split=split, command=command)


@pytest.fixture
def card_text(toy_registry, tmp_path):
    torch.manual_seed(0)
    metrics = [_result("fid", 13.5), _result("fid-floor", 8.19, split="test-vs-train"), _result("fid", 22.1, steps=20),
               _result("kid", 1.31), _result("kid-floor", -0.4, split="test-vs-train")]
    folder = genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt",
                                    card=ModelCard(name="demo", metrics=metrics),
                                    sampling={"sampler": "ancestral", "options": {"temperature": 0.5}})
    text = (folder / "README.md").read_text()
    return text, yaml.safe_load(text.split("---\n")[1])


def test_metric_settings_tell_results_apart():
    result = _result("fid", 13.5)
    assert result.setting == "n=2000,sampler=ddim,steps=50" and result.key == "fid[n=2000,sampler=ddim,steps=50]"
    assert not result.is_floor and _result("fid-floor", 8.0).is_floor
    assert MetricResult(name="nll", value=1, dataset="toy", command="genzoo eval x --metric nll").key == "nll"


def test_front_matter_names_the_task_and_each_result_and_leaves_floors_out(card_text):
    _, front = card_text
    assert front["pipeline_tag"] == "unconditional-image-generation"
    assert "conditional" in front["tags"]  # the toy model samples per class
    metrics = [m for result in front["model-index"][0]["results"] for m in result["metrics"]]
    assert [(m["type"], m["name"]) for m in metrics] == [
        ("fid", "fid[n=2000,sampler=ddim,steps=50]"), ("fid", "fid[n=2000,sampler=ddim,steps=20]"),
        ("kid", "kid[n=2000,sampler=ddim,steps=50]")]
    assert [(f["metric"], f["value"]) for f in front["genzoo_floors"]] == [("fid-floor", 8.19), ("kid-floor", -0.4)]


def test_text_marks_floors_states_the_kid_unit_and_the_sampling_default(card_text):
    text, _ = card_text
    assert "| fid-floor (floor: real test vs train) | n=2000,sampler=ddim,steps=50 | 8.19 |" in text
    assert "kid: raw unbiased MMD^2 (polynomial kernel) on the classifier's features, not x 1000." in text
    assert "`model.sample` uses `ancestral` with temperature=0.5 when the caller names no sampler" in text


@pytest.mark.parametrize(("capabilities", "image", "task"), [
    ({"sample"}, True, "unconditional-image-generation"), ({"sample"}, False, "other"),
    ({"translate", "sample"}, True, "image-to-image"), (set(), True, "image-classification"), (set(), False, "other"),
])
def test_pipeline_tag(capabilities, image, task):
    from genzoo.card import pipeline_tag
    from genzoo.dataspec import DataSpec

    shape = (1, 8, 8) if image else (2,)
    config = type("Config", (), {"data_spec": DataSpec(shape=shape, kind="continuous", value_range=(0.0, 1.0))})
    assert pipeline_tag(config, frozenset(genzoo.Capability(c) for c in capabilities)) == task


@pytest.mark.parametrize("name", ["ddpm-mnist-cond", "vae-moons"])
def test_registry_cards_are_in_the_current_format(name, tmp_path):
    """Re-rendering a registry card changes nothing: its values round-trip exactly and card.py has not
    moved on without it (after changing the format: python scripts/rerender_cards.py registry/*)."""
    import runpy
    import shutil
    from pathlib import Path

    registry = Path(__file__).resolve().parents[2] / "registry"
    folder = shutil.copytree(registry / name, tmp_path / name)
    runpy.run_path(str(registry.parent / "scripts" / "rerender_cards.py"))["rerender"](folder)
    for file in ("README.md", "SHA256SUMS"):
        assert (folder / file).read_bytes() == (registry / name / file).read_bytes(), file


def test_usage_example_runs_for_a_conditional_model(toy_registry, tmp_path):
    """The card's Python example works as printed: a conditional model is given its labels."""
    folder = genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt", card=ModelCard(name="demo"))
    text = (folder / "README.md").read_text()
    example = text.split("```python\n")[1].split("```")[0].replace('"demo"', repr(str(folder)))
    assert "condition=model.balanced_condition(16)" in example
    namespace = {}
    exec(example, namespace)
    assert namespace["x"].shape[0] == 16
