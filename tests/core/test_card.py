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


def test_a_seed_other_than_the_default_is_part_of_the_setting():
    held_out = MetricResult(name="fid", value=4.0, dataset="toy", command=EVAL.format(metric="fid").replace(
        "--seed 0", "--seed 1"))
    assert held_out.key == "fid[seed=1,n=2000,sampler=ddim,steps=50]"
    assert _result("fid", 13.5).key == "fid[n=2000,sampler=ddim,steps=50]"  # seed 0, the default, is not named


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


def _rerender_script():
    import runpy
    from pathlib import Path

    return runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "rerender_cards.py"))


def test_pin_option_states_an_old_default_only_where_a_sampler_relied_on_it():
    pin_option = _rerender_script()["pin_option"]
    sampled = _result("fid", 13.5)
    pinned = pin_option(sampled, "precision", "float32")
    assert pinned.command == EVAL.format(metric="fid").replace("steps=50 ", "steps=50 --set precision=float32 ")
    assert pinned.key == "fid[n=2000,sampler=ddim,steps=50,precision=float32]" and pinned.value == 13.5
    explicit = sampled.model_copy(update={"command": sampled.command + " --set precision=bfloat16"})
    assert pin_option(explicit, "precision", "float32") == explicit  # measured otherwise: left as it is
    bound = MetricResult(name="nll", value=1, dataset="toy", command="genzoo eval x --metric nll --seed 0")
    assert pin_option(bound, "precision", "float32") == bound  # no sampler ran


def test_pinning_a_registry_card_rewrites_its_commands_and_repins_its_catalog_entry(tmp_path):
    """`rerender_cards.py --pin-option K=V --catalog C`, as if latent-gmm's `output` default were about to change:
    the card's sampled commands gain K=V, the catalog entry gets the new keys and file digests, its hub tag goes
    (it names the old bytes), and the weights are untouched."""
    import json
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    root = Path(__file__).resolve().parents[2]
    folder = shutil.copytree(root / "registry" / "vae-mnist", tmp_path / "vae-mnist")
    catalog = tmp_path / "pretrained.json"
    shutil.copy(root / "plugins" / "latent-variable" / "src" / "genzoo_latent_variable" / "pretrained.json", catalog)
    before = next(e for e in json.loads(catalog.read_text()) if e["name"] == "vae-mnist")
    result = CliRunner().invoke(_rerender_script()["main"], [str(folder), "--pin-option", "output=sample",
                                                             "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    entry = next(e for e in json.loads(catalog.read_text()) if e["name"] == "vae-mnist")
    assert "revision" not in entry and "hub" not in entry
    assert entry["files"]["model.safetensors"] == before["files"]["model.safetensors"]
    assert entry["files"]["README.md"] != before["files"]["README.md"]
    assert entry["metrics"]["fid[n=5000,sampler=latent-gmm,output=sample]"] == before["metrics"][
        "fid[n=5000,sampler=latent-gmm]"]
    assert entry["metrics"]["fid[n=5000]"] == before["metrics"]["fid[n=5000]"]  # the model's own sampler: no flag
    assert "--sampler latent-gmm --set output=sample`" in (folder / "README.md").read_text()
    assert CliRunner().invoke(_rerender_script()["main"], [str(folder), "--pin-option", "output"]).exit_code == 2


def test_adding_results_to_a_registry_card_keeps_its_metrics_and_refuses_a_repeat_or_another_models(tmp_path):
    """`rerender_cards.py FOLDER --add-results FILE --catalog C`: a number measured on the published model after
    publishing joins its card and catalog entry; the same key again, or results of another model, exit 2."""
    import json
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    root = Path(__file__).resolve().parents[2]
    folder = shutil.copytree(root / "registry" / "vae-mnist", tmp_path / "vae-mnist")
    catalog = tmp_path / "pretrained.json"
    shutil.copy(root / "plugins" / "latent-variable" / "src" / "genzoo_latent_variable" / "pretrained.json", catalog)
    before = next(e for e in json.loads(catalog.read_text()) if e["name"] == "vae-mnist")["metrics"]
    added = MetricResult(name="fid", value=12.25, dataset="mnist",
                         command="genzoo eval vae-mnist --metric fid --seed 7 --n 5000")

    def add(result: MetricResult, name: str):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"results": [result.model_dump(mode="json")]}))
        return CliRunner().invoke(_rerender_script()["main"], [str(folder), "--add-results", str(path),
                                                                "--catalog", str(catalog)])

    result = add(added, "new")
    assert result.exit_code == 0, result.output
    after = next(e for e in json.loads(catalog.read_text()) if e["name"] == "vae-mnist")["metrics"]
    assert after == {**before, "fid[seed=7,n=5000]": 12.25}
    assert "`genzoo eval vae-mnist --metric fid --seed 7 --n 5000`" in (folder / "README.md").read_text()
    repeat = add(added, "again")
    assert repeat.exit_code == 2 and "already holds fid[seed=7,n=5000]" in repeat.output
    other = add(added.model_copy(update={"command": "genzoo eval vae-digits --metric fid --seed 8"}), "other")
    assert other.exit_code == 2 and "not by `genzoo eval vae-mnist ...`" in other.output
    (tmp_path / "broken.json").write_text("{")
    broken = CliRunner().invoke(_rerender_script()["main"], [str(folder), "--add-results", str(tmp_path / "broken.json")])
    assert broken.exit_code == 2 and "not a `genzoo eval -o` results file" in broken.output


def test_an_added_result_states_the_card_sampler_it_was_drawn_with():
    from genzoo.specs import SamplingDefaults

    state = _rerender_script()["state_card_sampler"]
    card = SamplingDefaults(sampler="ddim", options={"steps": 50, "guidance_scale": 1.35})
    drawn = MetricResult(name="fid-floor", value=3.0, dataset="mnist",
                         command="genzoo eval m --metric fid --seed 0 --n 10000 --set precision=float32")
    assert state(drawn, card).command == ("genzoo eval m --metric fid --seed 0 --n 10000 --sampler ddim --set steps=50 "
                                          "--set guidance_scale=1.35 --set precision=float32")
    assert state(drawn, card).key == "fid-floor[n=10000,sampler=ddim,steps=50,guidance_scale=1.35,precision=float32]"
    own_steps = drawn.model_copy(update={"command": "genzoo eval m --metric fid --set steps=20"})
    assert state(own_steps, card).command == "genzoo eval m --metric fid --sampler ddim --set guidance_scale=1.35 " \
                                             "--set steps=20"
    named = drawn.model_copy(update={"command": "genzoo eval m --metric fid --sampler ddpm"})
    bound = MetricResult(name="nll", value=1.0, dataset="mnist", command="genzoo eval m --metric nll")
    assert state(named, card) == named and state(bound, card) == bound and state(drawn, None) == drawn


def test_registry_card_commands_naming_the_card_sampler_state_its_options():
    """`sample(sampler=S)` with S the card's own sampler takes the card's options (Model.sampling_plan), so a
    card number measured without one of them (an unguided FID) must say so with --set; otherwise its command
    reruns the card's setting (gated-pixelcnn-mnist-cfg's unguided FID command once reran guidance 2)."""
    import re
    import shlex
    from pathlib import Path

    folders = Path(__file__).resolve().parents[2] / "registry"
    registry = genzoo.get_registry()
    checked = 0
    for name in registry.list_models(pretrained=True):
        defaults = registry.model(name).sampling
        if defaults is None or not (folders / name).is_dir():
            continue
        for command in re.findall(r"`(genzoo eval [^`]*)`", (folders / name / "README.md").read_text()):
            words = shlex.split(command)
            if "--sampler" not in words or words[words.index("--sampler") + 1] != defaults.sampler:
                continue
            stated = {words[i + 1].split("=")[0] for i, word in enumerate(words[:-1]) if word == "--set"}
            assert set(defaults.options) <= stated, (name, command)
            checked += 1
    assert checked > 10
