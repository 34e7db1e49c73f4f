"""genzoo's own hub client (load, pull, push) against `genzoo hub serve` on 127.0.0.1."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from huggingface_hub.errors import RepositoryNotFoundError

import genzoo
from genzoo.atomic import sha256_file
from genzoo.cli.main import cli
from genzoo.errors import CheckpointError
from genzoo.hub import fetch_pretrained
from genzoo.specs import PretrainedSpec


@pytest.fixture
def checkpoint(tmp_path):
    genzoo.reset_registry()
    torch.manual_seed(0)
    return genzoo.save_pretrained(genzoo.create("gaussian"), tmp_path / "gaussian-demo")


@pytest.fixture
def pushed(hub, checkpoint, monkeypatch):
    """The checkpoint pushed with `genzoo push` to a fresh repo; GENZOO_HUB points at the server."""
    repo_id = f"tester/gauss-{uuid.uuid4().hex[:8]}"
    result = CliRunner().invoke(cli, ["push", str(checkpoint), repo_id, "--hub", hub.endpoint, "--token", hub.write_token])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("GENZOO_HUB", hub.endpoint)
    return repo_id


def _card(repo_id: str, folder: Path) -> PretrainedSpec:
    files = {name: sha256_file(folder / name) for name in ("config.json", "model.safetensors")}
    return PretrainedSpec(name="gauss-test", architecture="gaussian", repo_id=repo_id, files=files)


def test_push_then_load_samples_the_same_tensors(pushed, checkpoint):
    original = genzoo.load(checkpoint)
    remote = genzoo.load(f"hf://{pushed}")
    assert torch.equal(
        original.sample(8, generator=torch.Generator().manual_seed(1)),
        remote.sample(8, generator=torch.Generator().manual_seed(1)),
    )


def test_push_without_or_with_read_token_is_refused(hub, checkpoint):
    repo_id = f"tester/denied-{uuid.uuid4().hex[:8]}"
    for token in ([], ["--token", hub.read_token]):
        result = CliRunner(env={"HF_TOKEN": ""}).invoke(cli, ["push", str(checkpoint), repo_id, "--hub", hub.endpoint, *token])
        assert result.exit_code == 1 and "push to" in result.output and "Traceback" not in result.output
    with pytest.raises(RepositoryNotFoundError):
        hub.api.model_info(repo_id, token=hub.write_token)


def test_push_validates_the_folder_first(hub, checkpoint):
    (checkpoint / "model.safetensors").write_bytes(b"not safetensors")
    result = CliRunner().invoke(cli, ["push", str(checkpoint), "tester/bad", "--hub", hub.endpoint, "--token", hub.write_token])
    assert result.exit_code == 1 and "model.safetensors" in result.output


def test_corrupted_cache_is_refetched_and_a_tampered_hub_is_refused(pushed, checkpoint):
    card = _card(pushed, checkpoint)
    folder = fetch_pretrained(card)
    cached = (folder / "model.safetensors").resolve()
    cached.write_bytes(b"corrupted in the cache")
    folder = fetch_pretrained(card)  # detected, re-fetched once, now verified
    assert sha256_file(folder / "model.safetensors") == card.files["model.safetensors"]
    tampered = card.model_copy(update={"files": {**card.files, "model.safetensors": "0" * 64}})
    with pytest.raises(CheckpointError, match="still wrong after re-fetching"):
        fetch_pretrained(tampered)


def test_pull_to_bundle_loads_without_the_hub(pushed, checkpoint, tmp_path, monkeypatch):
    bundle = tmp_path / "bundle"
    result = CliRunner().invoke(cli, ["pull", f"hf://{pushed}", "--to", str(bundle)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("GENZOO_HUB", str(bundle))  # the hub is now a local folder: no network needed
    model = genzoo.load(f"hf://{pushed}")
    assert torch.equal(model.mean, genzoo.load(checkpoint).mean)
    assert fetch_pretrained(_card(pushed, checkpoint)) == bundle / pushed


def test_push_uploads_the_checkpoint_not_the_training_state(hub, checkpoint):
    (checkpoint / "train").mkdir()
    (checkpoint / "train" / "metrics.jsonl").write_text("{}\n")
    repo_id = f"tester/trained-{uuid.uuid4().hex[:8]}"
    result = CliRunner().invoke(cli, ["push", str(checkpoint), repo_id, "--hub", hub.endpoint, "--token", hub.write_token])
    assert result.exit_code == 0, result.output
    files = sorted(s.rfilename for s in hub.api.model_info(repo_id).siblings)
    assert files == ["README.md", "SHA256SUMS", "config.json", "model.safetensors"]
