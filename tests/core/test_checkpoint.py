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


def _error(folder, verify=True):
    with pytest.raises(CheckpointError) as caught:
        genzoo.load(folder, verify=verify)
    return str(caught.value)


def test_malformed_config_names_the_file(saved):
    _, folder = saved
    (folder / "config.json").write_text("{not json")
    assert "config.json: not valid JSON" in _error(folder, verify=False)


def test_invalid_config_fields_one_line_each(saved):
    _, folder = saved
    config = json.loads((folder / "config.json").read_text())
    config["format_version"] = 7
    del config["architecture"]
    (folder / "config.json").write_text(json.dumps(config))
    message = _error(folder, verify=False)
    assert "format_version" in message and "architecture" in message and len(message.splitlines()) == 3


def test_tampered_file_fails_its_checksum(saved):
    _, folder = saved
    (folder / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes()[:-1] + b"\0")
    assert "model.safetensors: sha256 does not match" in _error(folder)


def test_truncated_weights_name_the_file(saved):
    _, folder = saved
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    assert "model.safetensors: not a valid safetensors file" in _error(folder, verify=False)


def test_non_safetensors_weights_name_the_file(saved):
    _, folder = saved
    (folder / "model.safetensors").write_bytes(b"PK\x03\x04 this is a zip, not safetensors")
    assert "model.safetensors: not a valid safetensors file" in _error(folder, verify=False)


def test_wrong_shapes_name_the_tensor(saved):
    _, folder = saved
    save_file({"means": torch.zeros(2, 1, 4, 4)}, str(folder / "model.safetensors"))
    assert "tensor 'means' has shape (2, 1, 4, 4), the model needs (3, 1, 4, 4)" in _error(folder, verify=False)


def test_missing_and_extra_tensors_are_refused(saved):
    _, folder = saved
    save_file({"other": torch.zeros(1)}, str(folder / "model.safetensors"))
    assert "missing means; unexpected other" in _error(folder, verify=False)


def test_pickle_weights_are_refused(saved):
    _, folder = saved
    (folder / "model.safetensors").unlink()
    torch.save({"means": torch.zeros(3)}, folder / "pytorch_model.bin")
    assert "pytorch_model.bin: pickle weights are refused" in _error(folder, verify=False)


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


# -- every file that is loaded needs a digest ---------------------------------------------------
def test_a_folder_without_checksums_is_refused_unless_verification_is_turned_off(saved):
    model, folder = saved
    (folder / "SHA256SUMS").unlink()
    message = _error(folder)
    assert "config.json: no sha256 for it" in message and "verify=False" in message and len(message.splitlines()) == 1
    assert torch.equal(genzoo.load(folder, verify=False).means, model.means)


def test_tampered_weights_with_their_checksum_line_removed_are_refused(saved):
    _, folder = saved
    sums = folder / "SHA256SUMS"
    sums.write_text("".join(line + "\n" for line in sums.read_text().splitlines() if "model.safetensors" not in line))
    save_file({"means": torch.full((3, 1, 4, 4), 0.5)}, str(folder / "model.safetensors"))
    assert "model.safetensors: no sha256 for it in SHA256SUMS" in _error(folder)


def test_a_card_pin_covers_a_file_that_sha256sums_lacks(saved):
    from genzoo.atomic import sha256_file
    from genzoo.checkpoint import load_checkpoint

    model, folder = saved
    sums = folder / "SHA256SUMS"
    sums.write_text("".join(line + "\n" for line in sums.read_text().splitlines() if "model.safetensors" not in line))
    pinned = {"model.safetensors": sha256_file(folder / "model.safetensors")}
    assert torch.equal(load_checkpoint(folder, pinned=pinned).means, model.means)
    with pytest.raises(CheckpointError, match="sha256 does not match"):
        load_checkpoint(folder, pinned={"model.safetensors": "0" * 64})


# -- config.json is sized against the weights header before anything is allocated ----------------
def _edit_config(folder, **data_spec):
    config = json.loads((folder / "config.json").read_text())
    config["data_spec"].update(data_spec)
    (folder / "config.json").write_text(json.dumps(config))


def test_an_absurd_config_is_refused_without_allocating(saved):
    _, folder = saved
    _edit_config(folder, shape=[1, 10**6, 10**6])  # 12 TB of means if it were ever built for real
    assert "tensor 'means' has shape (3, 1, 4, 4), the model needs (3, 1, 1000000, 1000000)" in _error(folder, verify=False)


def test_integer_weights_for_a_floating_parameter_are_refused(saved):
    _, folder = saved
    save_file({"means": torch.zeros(3, 1, 4, 4, dtype=torch.int64)}, str(folder / "model.safetensors"))
    assert "tensor 'means' is I64, the model needs F32" in _error(folder, verify=False)


def test_weights_saved_in_another_floating_precision_load_cast(saved):
    model, folder = saved
    save_file({"means": model.means.detach().to(torch.bfloat16)}, str(folder / "model.safetensors"))
    loaded = genzoo.load(folder, verify=False)
    assert loaded.means.dtype == torch.float32 and torch.equal(loaded.means, model.means.detach().to(torch.bfloat16).float())


def test_a_vae_config_edited_to_huge_layers_is_one_line(plugin_env, tmp_path):
    """The issue's case: hidden=[20000, 20000] used to allocate 3.4 GB before the weights were read."""
    plugin_env()
    model = genzoo.create("vae", data={"shape": [2], "kind": "continuous"}, hidden=[8, 8], latent_dim=2)
    folder = genzoo.save_pretrained(model, tmp_path / "vae")
    config = json.loads((folder / "config.json").read_text())
    config["config"]["hidden"] = [20000, 20000]
    (folder / "config.json").write_text(json.dumps(config))
    message = _error(folder, verify=False)
    assert "has shape" in message and "the model needs" in message and len(message.splitlines()) == 1


def test_tensors_the_weights_do_not_store_are_bounded(monkeypatch, tmp_path):
    from torch import nn

    from genzoo import checkpoint_fit

    class WithTable(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(2))
            self.register_buffer("table", torch.zeros(1024), persistent=False)  # 4,096 bytes, not in the file

    with torch.device("meta"):
        skeleton = WithTable()
    header = {"weight": ((2,), "F32")}
    monkeypatch.setattr(checkpoint_fit, "UNSTORED_TENSOR_LIMIT", 4096)
    checkpoint_fit.check_fits(skeleton, header, tmp_path / "w", config_path=tmp_path / "c")
    monkeypatch.setattr(checkpoint_fit, "UNSTORED_TENSOR_LIMIT", 4095)
    with pytest.raises(CheckpointError, match="tensors that the weights do not store"):
        checkpoint_fit.check_fits(skeleton, header, tmp_path / "w", config_path=tmp_path / "c")


def test_the_cli_refuses_an_unverifiable_folder_and_says_how_to_opt_out(saved, tmp_path):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    _, folder = saved
    (folder / "SHA256SUMS").unlink()
    refused = CliRunner().invoke(cli, ["sample", str(folder), "-n", "2", "-o", str(tmp_path / "s.npy")])
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1 and "--no-verify" in refused.output
    accepted = CliRunner().invoke(cli, ["sample", str(folder), "-n", "2", "-o", str(tmp_path / "s.npy"), "--no-verify"])
    assert accepted.exit_code == 0 and (tmp_path / "s.npy").is_file(), accepted.output


def test_every_installed_architecture_can_be_sized_on_the_meta_device(plugin_env, tmp_path):
    """Loading sizes a model on meta before allocating; a family whose constructor reads tensor
    values (`.item()` on a fresh tensor) could not be loaded, so every installed one is checked."""
    from genzoo.checkpoint_fit import build_on_meta

    registry = plugin_env("toy_family")
    for name in registry.list_models(pretrained=False):
        skeleton = build_on_meta(lambda name=name: genzoo.create(name), tmp_path / name)
        assert all(t.device.type == "meta" for t in skeleton.parameters() if t.numel() > 1), name


def test_a_constructor_that_reads_tensor_values_is_named_as_a_family_bug(tmp_path):
    from genzoo.checkpoint_fit import build_on_meta

    def reads_values():
        return torch.zeros(3).sum().item()

    with pytest.raises(CheckpointError, match="cannot be sized on the meta device"):
        build_on_meta(reads_values, tmp_path / "config.json")


def test_only_folders_a_card_does_not_pin_are_sized_on_meta(saved, monkeypatch):
    """A card of an installed plugin pins config.json and the weights, so their bytes are the publisher's:
    sizing them on meta again would only cost time. Any other folder is sized first."""
    from genzoo import checkpoint_fit
    from genzoo.checkpoint import load_checkpoint, read_checksums

    model, folder = saved
    sized = []
    real = checkpoint_fit.build_on_meta
    monkeypatch.setattr(checkpoint_fit, "build_on_meta", lambda build, source: sized.append(source) or real(build, source))
    pins = read_checksums(folder)
    loaded = load_checkpoint(folder, pinned={"config.json": pins["config.json"], "model.safetensors": pins["model.safetensors"]})
    assert sized == [] and torch.equal(loaded.means, model.means)
    load_checkpoint(folder, pinned={"model.safetensors": pins["model.safetensors"]})
    load_checkpoint(folder, verify=False, pinned=pins)
    assert len(sized) == 2
