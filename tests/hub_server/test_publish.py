"""`genzoo publish`: a registry pushed to `genzoo hub serve` under a tag loads by name with no bundled registry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

import genzoo
import genzoo.builtins
import genzoo_diffusion.plugin
import genzoo_latent_variable.plugin
from genzoo.atomic import sha256_file
from genzoo.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
# One small checkpoint of each catalog: core's classifiers and two families.
PUBLISHED = {"classifier-digits": genzoo.builtins, "vae-moons": genzoo_latent_variable.plugin,
             "ddpm-8gaussians": genzoo_diffusion.plugin}


@pytest.fixture
def catalogs(tmp_path, monkeypatch):
    """Copies of the three catalogs, which the plugins read instead of their own (no spec cache)."""
    monkeypatch.setenv("GENZOO_CACHE", "off")
    copies = []
    for module in PUBLISHED.values():
        copy = tmp_path / "catalogs" / module.__name__ / "pretrained.json"
        copy.parent.mkdir(parents=True)
        shutil.copyfile(module.CATALOG, copy)
        monkeypatch.setattr(module, "CATALOG", copy)
        copies.append(copy)
    yield copies
    genzoo.reset_registry()


def _publish(hub, registry: Path, catalogs: list[Path], tag: str = "v0.2.0"):
    return CliRunner().invoke(cli, ["publish", str(registry), *map(str, catalogs), "--hub", hub.endpoint,
                                    "--tag", tag, "--token", hub.write_token])


def test_published_registry_loads_by_name_without_a_bundled_registry(hub, hf_cache, catalogs, tmp_path, monkeypatch):
    registry = tmp_path / "registry"
    for name in PUBLISHED:
        shutil.copytree(ROOT / "registry" / name, registry / name)
    result = _publish(hub, registry, catalogs)
    assert result.exit_code == 0, result.output
    assert "genzoo/vae-moons@v0.2.0: commit" in result.output
    entries = {e["name"]: e for path in catalogs for e in json.loads(path.read_text())}
    for name in PUBLISHED:
        assert (entries[name]["hub"], entries[name]["repo_id"], entries[name]["revision"]) == \
            (hub.endpoint, f"genzoo/{name}", "v0.2.0")
    originals = [Path(module.__file__).with_name("pretrained.json") for module in PUBLISHED.values()]
    original = {e["name"]: e for path in originals for e in json.loads(path.read_text())}
    assert all(entries[name]["files"] == original[name]["files"] for name in PUBLISHED)  # unchanged folders, same pins
    monkeypatch.setenv("GENZOO_REGISTRY", str(tmp_path / "no-registry"))  # no bundled registry
    genzoo.reset_registry()
    for name in PUBLISHED:
        model = genzoo.load(name)
        assert isinstance(model, torch.nn.Module), name
    hub.api.upload_file(path_or_fileobj=b"moved", path_in_repo="extra.txt", repo_id="genzoo/vae-moons",
                        token=hub.write_token)  # main moves on; the tag and the cards do not
    assert genzoo.load("vae-moons") is not None


def test_a_tag_is_never_moved_by_a_second_publish(hub, hf_cache, catalogs, tmp_path):
    registry = tmp_path / "registry"
    shutil.copytree(ROOT / "registry" / "vae-moons", registry / "vae-moons")
    assert _publish(hub, registry, catalogs).exit_code == 0
    assert _publish(hub, registry, catalogs).exit_code == 0  # same bytes, same commit: idempotent
    folder = registry / "vae-moons"
    (folder / "README.md").write_text((folder / "README.md").read_text() + "\nmore\n")
    files = sorted(path for path in folder.iterdir() if path.name != "SHA256SUMS")
    (folder / "SHA256SUMS").write_text("".join(f"{sha256_file(path)}  {path.name}\n" for path in files))
    before = catalogs[1].read_bytes()
    result = _publish(hub, registry, catalogs)
    assert result.exit_code == 1 and "tag v0.2.0 of genzoo/vae-moons already names commit" in result.output
    assert "Traceback" not in result.output and catalogs[1].read_bytes() == before  # nothing pinned


@pytest.mark.parametrize("tag", ["main", "0" * 40, "../x"])
def test_a_moving_or_ambiguous_tag_is_refused(hub, tag, tmp_path, catalogs):
    result = _publish(hub, ROOT / "registry", catalogs, tag=tag)
    assert result.exit_code == 1 and result.output.startswith(f"error: tag {tag!r}: expected a release name")


def test_a_catalog_that_would_not_load_is_refused_unchanged(tmp_path):
    from genzoo.errors import GenzooError
    from genzoo.hub.release import pin_catalog

    catalog = tmp_path / "pretrained.json"
    folders = {"vae-moons": ROOT / "registry" / "vae-moons"}
    for text, message in [("[{", "not a readable catalog"),
                          ('[{"name": "vae-moons", "architecture": "vae", "license": 3}]', "vae-moons: license: ")]:
        catalog.write_text(text)
        with pytest.raises(GenzooError, match=message):
            pin_catalog(catalog, folders, hub="https://huggingface.co", namespace="genzoo", tag="v0.2.0")
        assert catalog.read_text() == text
