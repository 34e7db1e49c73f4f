"""The checkpoint format: round trip, model card, and clear errors for every kind of damage."""

import json

import pytest
import torch
from safetensors.torch import save_file

import genzoo
from genzoo import MetricResult, ModelCard, Recipe
from genzoo.errors import CheckpointError, PluginMissingError


@pytest.fixture
def saved(toy_registry, tmp_path):
    torch.manual_seed(0)
    model = genzoo.create("class-gaussian")
    card = ModelCard(
        name="class-gaussian-demo",
        description="A test checkpoint.",
        datasets=["toy"],
        metrics=[MetricResult(name="nll", value=1.5, dataset="toy", command="genzoo eval x --metric nll")],
        recipe=Recipe(command="genzoo train class-gaussian --data toy --out x", duration="1 s", hardware="CPU"),
    )
    return model, genzoo.save_pretrained(model, tmp_path / "ckpt", card=card, preview=True)


def test_folder_layout_and_config(saved):
    model, folder = saved
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "SHA256SUMS", "config.json", "model.safetensors", "preview.png"
    ]
    config = json.loads((folder / "config.json").read_text())
    assert config["format_version"] == 1 and config["architecture"] == "class-gaussian"
    assert config["plugin"]["name"] == "toy-family"
    assert config["config"] == {"std": 0.1} and config["data_spec"]["num_classes"] == 3


def test_model_card_has_hugging_face_front_matter(saved):
    from huggingface_hub import ModelCard as HfModelCard

    _, folder = saved
    card = HfModelCard.load(folder / "README.md")
    assert card.data.library_name == "genzoo"
    assert card.data.license == "apache-2.0"
    assert "class-gaussian" in card.data.tags
    assert card.data.eval_results[0].metric_type == "nll" and card.data.eval_results[0].metric_value == 1.5
    assert "genzoo train class-gaussian" in card.text and "![samples](preview.png)" in card.text


def test_round_trip_is_bit_exact(saved):
    model, folder = saved
    loaded = genzoo.load(folder)
    assert torch.equal(model.means, loaded.means) and not loaded.training


def test_resave_keeps_extra_files_and_replaces_the_checkpoint(saved):
    model, folder = saved
    (folder / "notes.txt").write_text("mine")
    with torch.no_grad():
        model.means.add_(1)
    genzoo.save_pretrained(model, folder)
    assert (folder / "notes.txt").read_text() == "mine"
    assert torch.equal(genzoo.load(folder).means, model.means)
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


def _error(folder):
    with pytest.raises(CheckpointError) as caught:
        genzoo.load(folder)
    return str(caught.value)


def test_malformed_config_names_the_file(saved):
    _, folder = saved
    (folder / "config.json").write_text("{not json")
    (folder / "SHA256SUMS").unlink()
    assert "config.json: not valid JSON" in _error(folder)


def test_invalid_config_fields_one_line_each(saved):
    _, folder = saved
    config = json.loads((folder / "config.json").read_text())
    config["format_version"] = 7
    del config["architecture"]
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "SHA256SUMS").unlink()
    message = _error(folder)
    assert "format_version" in message and "architecture" in message and len(message.splitlines()) == 3


def test_tampered_file_fails_its_checksum(saved):
    _, folder = saved
    (folder / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes()[:-1] + b"\0")
    assert "model.safetensors: sha256 does not match" in _error(folder)


def test_truncated_weights_name_the_file(saved):
    _, folder = saved
    (folder / "SHA256SUMS").unlink()
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    assert "model.safetensors: not a valid safetensors file" in _error(folder)


def test_non_safetensors_weights_name_the_file(saved):
    _, folder = saved
    (folder / "SHA256SUMS").unlink()
    (folder / "model.safetensors").write_bytes(b"PK\x03\x04 this is a zip, not safetensors")
    assert "model.safetensors: not a valid safetensors file" in _error(folder)


def test_wrong_shapes_name_the_tensor(saved):
    _, folder = saved
    (folder / "SHA256SUMS").unlink()
    save_file({"means": torch.zeros(2, 1, 4, 4)}, str(folder / "model.safetensors"))
    assert "tensor 'means' has shape (2, 1, 4, 4), the model needs (3, 1, 4, 4)" in _error(folder)


def test_missing_and_extra_tensors_are_refused(saved):
    _, folder = saved
    (folder / "SHA256SUMS").unlink()
    save_file({"other": torch.zeros(1)}, str(folder / "model.safetensors"))
    assert "missing means; unexpected other" in _error(folder)


def test_pickle_weights_are_refused(saved):
    _, folder = saved
    (folder / "SHA256SUMS").unlink()
    (folder / "model.safetensors").unlink()
    torch.save({"means": torch.zeros(3)}, folder / "pytorch_model.bin")
    assert "pytorch_model.bin: pickle weights are refused" in _error(folder)


def test_missing_plugin_names_the_package(saved, plugin_env):
    _, folder = saved
    plugin_env()  # the real plugins only: the toy family is gone
    with pytest.raises(PluginMissingError, match="pip install toy-family"):
        genzoo.load(folder)


def test_pretrained_name_loads_from_the_bundled_registry(saved, plugin_env, monkeypatch, tmp_path):
    _, folder = saved
    registry_dir = tmp_path / "registry"
    registry_dir.mkdir()
    folder.rename(registry_dir / "class-gaussian-test")
    monkeypatch.setenv("GENZOO_REGISTRY", str(registry_dir))
    monkeypatch.delenv("GENZOO_HUB", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    plugin_env("toy_family")
    # The test card pins a wrong digest for config.json: nothing unverified is loaded.
    with pytest.raises(CheckpointError, match="sha256 does not match the pinned card"):
        genzoo.load("class-gaussian-test")
    plugin_env()  # family not installed: the message names the package
    with pytest.raises(PluginMissingError, match="pip install toy-family"):
        genzoo.load("class-gaussian-test")


def test_saving_twice_gives_byte_identical_files(toy_registry, tmp_path):
    from genzoo.atomic import sha256_file

    model = genzoo.create("class-gaussian")
    digests = []
    for _ in range(4):  # several saves: metadata order once made the weights' digest vary
        folder = genzoo.save_pretrained(model, tmp_path / "again")
        digests.append({p.name: sha256_file(p) for p in folder.iterdir()})
    assert all(d == digests[0] for d in digests)
