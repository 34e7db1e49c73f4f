"""Where a pretrained card is looked for: GENZOO_HUB, the card's own hub (HF_ENDPOINT replaces only
huggingface.co), the cache, the bundled registry; each source that lacks the card falls through."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from genzoo.errors import GenzooError
from genzoo.hub import fetch_pretrained
from genzoo.hub.release import tag_commit
from genzoo.hub.publish import push_folder
from genzoo.specs import DEFAULT_HUB, PretrainedSpec

from .conftest import ThreadedServer

ROOT = Path(__file__).resolve().parents[2]
MOONS = ROOT / "registry" / "vae-moons"
CARD = next(e for e in json.loads((ROOT / "plugins/latent-variable/src/genzoo_latent_variable/pretrained.json")
                                  .read_text()) if e["name"] == "vae-moons")


def _card(**coordinates) -> PretrainedSpec:
    entry = {**CARD, "revision": "v0.2.0", **coordinates}
    return PretrainedSpec.model_validate({k: v for k, v in entry.items() if k != "hub" or v is not None})


@pytest.fixture
def clean_env(hf_cache, tmp_path, monkeypatch):
    """No GENZOO_HUB, no HF_ENDPOINT, a private cache, an empty bundled registry; returns a registry folder."""
    registry = tmp_path / "registry"
    registry.mkdir()
    monkeypatch.setenv("GENZOO_REGISTRY", str(registry))
    return registry


@pytest.fixture
def served(hub):
    """vae-moons pushed to the server as genzoo/vae-moons and tagged v0.2.0."""
    commit = push_folder(MOONS, "genzoo/vae-moons", endpoint=hub.endpoint, revision=None, private=False,
                         token=hub.write_token)
    tag_commit("genzoo/vae-moons", "v0.2.0", commit, endpoint=hub.endpoint, token=hub.write_token)
    return hub


def _from_cache(folder: Path) -> bool:
    return "hf-cache" in str(folder)


def test_a_bundled_name_survives_an_hf_endpoint_set_for_something_else(hub, clean_env, monkeypatch):
    shutil.copytree(MOONS, clean_env / "vae-moons")
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)  # a hub up and running, without genzoo's repos
    assert fetch_pretrained(_card()) == clean_env / "vae-moons"


def test_hf_endpoint_replaces_the_default_hub(served, clean_env, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", served.endpoint)
    assert _from_cache(fetch_pretrained(_card()))


def test_a_third_party_card_uses_its_own_hub_beside_bundled_names(served, clean_env, monkeypatch):
    shutil.copytree(MOONS, clean_env / "vae-moons")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # a user's mirror of huggingface.co, down today
    # The default-hub card first: once the other card fills the (per repo id, sha256-checked) cache, it
    # would come from there.
    assert fetch_pretrained(_card()) == clean_env / "vae-moons"  # the default-hub card: bundled
    third_party = _card(name="their-moons", hub=served.endpoint)
    assert _from_cache(fetch_pretrained(third_party))  # from its hub: HF_ENDPOINT does not touch it


def test_genzoo_hub_comes_first_and_falls_through_when_it_lacks_the_card(served, clean_env, tmp_path, monkeypatch):
    shutil.copytree(MOONS, clean_env / "vae-moons")
    bundle = tmp_path / "bundle" / "genzoo" / "vae-moons"
    shutil.copytree(MOONS, bundle)
    monkeypatch.setenv("GENZOO_HUB", str(tmp_path / "bundle"))
    assert fetch_pretrained(_card()) == bundle
    monkeypatch.setenv("GENZOO_HUB", str(tmp_path))  # a folder without the repo
    assert fetch_pretrained(_card()) == clean_env / "vae-moons"


def test_the_cache_answers_when_the_card_hub_is_down(served, clean_env):
    card = _card(hub=served.endpoint)
    cached = fetch_pretrained(card)
    served.stop()
    assert fetch_pretrained(card) == cached


def test_the_cache_answers_when_the_card_hub_is_up_but_lacks_the_card(served, clean_env, tmp_path, monkeypatch):
    cached = fetch_pretrained(_card(hub=served.endpoint))
    other = ThreadedServer(tmp_path / "other-root", tmp_path / "other-cache")  # a hub without genzoo's repos
    try:
        monkeypatch.setenv("HF_ENDPOINT", other.endpoint)
        assert fetch_pretrained(_card()) == cached
    finally:
        other.stop()


def test_nothing_anywhere_is_one_line_saying_where_the_weights_live_and_how_to_get_them(clean_env, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(GenzooError) as caught:
        fetch_pretrained(_card())
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert message.startswith(f"vae-moons: the weights live at {DEFAULT_HUB}/genzoo/vae-moons (revision v0.2.0)")
    assert message.endswith("run `genzoo pull vae-moons --to DIR`, copy DIR here and set GENZOO_HUB=DIR")


@pytest.mark.parametrize("coordinates", [{"revision": "main"}, {"revision": "master"}, {"hub": "ftp://hub.example"},
                                         {"hub": "https://hub.example/"}])
def test_a_card_pins_an_immutable_revision_on_an_http_hub(coordinates):
    with pytest.raises(ValidationError):
        _card(**coordinates)


def test_doctor_is_content_with_no_hub_configured(clean_env, monkeypatch):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    monkeypatch.delenv("GENZOO_REGISTRY")
    monkeypatch.setattr("genzoo.hub.client.bundled_registry", lambda: None)  # as in a wheel install
    result = CliRunner().invoke(cli, ["doctor"])
    line = next(line for line in result.output.splitlines() if line.startswith("hub "))
    assert line.split()[1] == "ok" and line.endswith("each pretrained card's own hub (huggingface.co unless the card "
                                                     "names another)")


def test_info_names_the_hub_repo_and_tag_a_card_pins():
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    result = CliRunner().invoke(cli, ["info", "vae-moons"])
    line = next(line for line in result.output.splitlines() if line.startswith("hub repo"))
    assert line.split()[-1] == "https://huggingface.co/genzoo/vae-moons@v0.2.0"
