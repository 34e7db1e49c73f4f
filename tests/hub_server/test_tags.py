"""Tags: the immutable revisions pretrained cards pin (`HfApi.create_tag`, `--import-tag`)."""

from __future__ import annotations

import pytest
from huggingface_hub.errors import HfHubHTTPError

from genzoo_hub.errors import ServerSetupError
from genzoo_hub.importer import import_folder

from .conftest import write_tree


def test_a_tag_resolves_lists_and_never_moves(hub, tmp_path):
    api, token = hub.api, hub.write_token
    api.create_repo("genzoo/tagged", token=token)
    first = api.upload_file(path_or_fileobj=b"one", path_in_repo="f.txt", repo_id="genzoo/tagged", token=token).oid
    api.create_tag("genzoo/tagged", tag="v0.2.0", revision=first, token=token)
    api.upload_file(path_or_fileobj=b"two", path_in_repo="f.txt", repo_id="genzoo/tagged", token=token)
    assert hub.download("genzoo/tagged", "f.txt", revision="v0.2.0") == b"one"  # main moved on, the tag did not
    assert hub.download("genzoo/tagged", "f.txt") == b"two"
    refs = api.list_repo_refs("genzoo/tagged")
    assert [(t.name, t.target_commit) for t in refs.tags] == [("v0.2.0", first)]
    api.create_tag("genzoo/tagged", tag="v0.2.0", revision=first, token=token)  # the same commit again: fine
    with pytest.raises(HfHubHTTPError, match="tags never move"):
        api.create_tag("genzoo/tagged", tag="v0.2.0", token=token)  # main is another commit now
    with pytest.raises(HfHubHTTPError) as refused:
        api.create_tag("genzoo/tagged", tag="v0.3.0", revision=first, token=hub.read_token)
    assert refused.value.response.status_code == 403


def test_import_tags_each_repo_once(tmp_path):
    registry = write_tree(tmp_path / "registry", {"model-a/config.json": b"{}", "model-b/config.json": b"[]"})
    published = dict(import_folder(tmp_path / "root", registry, tag="v0.2.0"))
    assert dict(import_folder(tmp_path / "root", registry, tag="v0.2.0")) == published  # idempotent
    (registry / "model-a" / "config.json").write_bytes(b'{"changed": 1}')
    with pytest.raises(ServerSetupError, match="cannot tag the import of genzoo/model-a: tag 'v0.2.0'"):
        import_folder(tmp_path / "root", registry, tag="v0.2.0")
    with pytest.raises(ServerSetupError, match="invalid branch name"):
        import_folder(tmp_path / "root", registry, tag="../x")
