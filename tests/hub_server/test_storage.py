"""Storage, import, validation and recovery, without HTTP."""

from __future__ import annotations

import json
import os
import threading

import pytest

from genzoo import GenzooError
from genzoo_hub import create_app, fsck, import_folder
from genzoo_hub.errors import BadRequest, RepoExists
from genzoo_hub.storage import Storage
from genzoo_hub.tree import directory_oids, list_tree
from genzoo_hub.validation import validate_branch, validate_path, validate_repo_id, validate_revision


def test_tree_ids_match_git(tmp_path):
    storage = Storage(tmp_path)
    files = {
        "README.md": storage.blobs.put_bytes(b"---\nlicense: mit\n---\nhi"),
        "d/y.txt": storage.blobs.put_bytes(b"y"),
        "x.txt": storage.blobs.put_bytes(b"x2"),
    }
    # Expected values computed with `git write-tree` / `git rev-parse <tree>:d` on the same files.
    assert files["x.txt"].oid == "98bf17ef67f32df78b9850c8e843b3827ae3d5ee"
    assert directory_oids(files) == {
        "": "8653c8636f47eaa7ee822325c1760f3962501a77",
        "d": "7325f90f409171be065d2b056a7803e06fe60de0",
    }
    assert [e["path"] for e in list_tree(files, "", recursive=False)] == ["README.md", "d", "x.txt"]
    assert [e["path"] for e in list_tree(files, "", recursive=True)] == ["README.md", "d", "d/y.txt", "x.txt"]
    assert list_tree(files, "x.txt", recursive=False) is None


def test_import_is_idempotent_and_keeps_history(tmp_path):
    src = tmp_path / "src" / "m"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"1")
    (src / "sub" / "b.txt").write_bytes(b"b")
    (src / ".git").mkdir()
    (src / ".git" / "config").write_bytes(b"ignored")
    (src / "link").symlink_to("/etc/passwd")
    root = tmp_path / "root"
    [(repo_id, first)] = import_folder(root, tmp_path / "src", namespace="team")
    assert repo_id == "team/m"
    assert import_folder(root, tmp_path / "src", namespace="team") == [(repo_id, first)]
    storage = Storage(root)
    assert sorted(storage.resolve(repo_id, "main").files) == ["a.txt", "sub/b.txt"]  # no .git, no symlink

    (src / "a.txt").write_bytes(b"2")
    (src / "sub" / "b.txt").unlink()
    [(_, second)] = import_folder(root, tmp_path / "src", namespace="team")
    assert second != first
    assert sorted(storage.resolve(repo_id, "main").files) == ["a.txt"]
    assert storage.resolve(repo_id, first).files["sub/b.txt"].size == 1
    assert storage.get_commit(repo_id, second).parent == first
    assert fsck(root).ok


def test_import_rejects_bad_names_before_storing(tmp_path):
    (tmp_path / "src" / "bad--name").mkdir(parents=True)
    (tmp_path / "src" / "bad--name" / "f").write_bytes(b"x")
    with pytest.raises(GenzooError, match="bad--name"):
        import_folder(tmp_path / "root", tmp_path / "src")
    assert not list((tmp_path / "root" / "blobs").iterdir())


def test_concurrent_commits_do_not_lose_updates(tmp_path):
    storage = Storage(tmp_path)
    storage.create_repo("ns/repo")

    def add(index: int) -> None:
        entry = storage.blobs.put_bytes(b"%d" % index)
        storage.commit("ns/repo", "main", lambda files: {**files, f"f{index}.txt": entry}, message=f"add {index}")

    threads = [threading.Thread(target=add, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(storage.resolve("ns/repo", "main").files) == sorted(f"f{i}.txt" for i in range(16))
    with pytest.raises(RepoExists):
        storage.create_repo("ns/repo")


def test_recovery_removes_orphans_and_temp_files_only(tmp_path):
    storage = Storage(tmp_path)
    head = storage.create_repo("ns/repo")
    orphan = storage._write_commit("ns/repo", head.id, {}, "never published", "")  # as if killed before the ref moved
    (tmp_path / "tmp" / "leftover").write_bytes(b"partial blob")
    (tmp_path / "repos" / "ns" / "repo" / ".refs.json.0123.tmp").write_bytes(b"{")
    Storage(tmp_path).recover()
    commits = {p.stem for p in (tmp_path / "repos" / "ns" / "repo" / "commits").iterdir()}
    assert commits == {head.id} and orphan.id not in commits
    assert not list((tmp_path / "tmp").iterdir())
    assert not list((tmp_path / "repos" / "ns" / "repo").glob(".*.tmp"))

    # With an unreadable record in the history, nothing is deleted (no "repair" by data loss).
    child = storage.commit("ns/repo", "main", lambda files: files, message="child")
    orphan = storage._write_commit("ns/repo", child.id, {}, "orphan", "")
    record = tmp_path / "repos" / "ns" / "repo" / "commits" / f"{head.id}.json"
    record.chmod(0o644)
    record.write_bytes(b"garbage")
    Storage(tmp_path).recover()
    assert (tmp_path / "repos" / "ns" / "repo" / "commits" / f"{orphan.id}.json").exists()


def test_one_server_per_root(tmp_path):
    app = create_app(tmp_path)
    with pytest.raises(GenzooError, match=rf"another genzoo hub server \(pid {os.getpid()}\)"):
        create_app(tmp_path)
    app.state.root_lock.close()
    create_app(tmp_path).state.root_lock.close()


@pytest.mark.parametrize("good", ["genzoo/toy", "a/b", "Org_1/model.v2-final", "x/" + "y" * 94])
def test_valid_repo_ids(good):
    assert validate_repo_id(*good.split("/")) == good


@pytest.mark.parametrize(
    "bad",
    ["../x", "a/..", "a/.b", "a/b.", "a/-b", "a--b/c", "a/b..c", "a/b.git", "a/" + "y" * 95, "a/b c", "a/ü", "/b"],
)
def test_invalid_repo_ids(bad):
    with pytest.raises(BadRequest):
        validate_repo_id(*bad.split("/", 1))


@pytest.mark.parametrize("good", ["a.txt", "dir/sub/file.bin", "...", "~x", "100%25.txt", "ünïcode.txt"])
def test_valid_paths(good):
    assert validate_path(good) == good


@pytest.mark.parametrize(
    "bad",
    ["", "/a", "a/", "a//b", "./a", "a/../b", "..", "a\\b", "a\x00b", "a\nb", "\u202ex", ".git/x", "%2e%2e/x",
     "a%2fb", "%252e%252e/x", "a%5cb", "\ud800", "x" * 1025, None, 3],
)
def test_invalid_paths(bad):
    with pytest.raises(BadRequest):
        validate_path(bad)


def test_branches_and_revisions():
    assert validate_branch("feature/x-1.2") == "feature/x-1.2"
    assert validate_revision("a" * 40) == "a" * 40
    for bad in ["", "-x", "a..b", "a//b", "a/", "x.lock", "a" * 40, "a b", "a\x00", "r" * 256, "ä"]:
        with pytest.raises(BadRequest):
            validate_branch(bad)


def test_commit_records_are_canonical_and_self_verifying(tmp_path):
    storage = Storage(tmp_path)
    head = storage.create_repo("ns/repo", files={"a": storage.blobs.put_bytes(b"a")}, private=True)
    raw = (tmp_path / "repos" / "ns" / "repo" / "commits" / f"{head.id}.json").read_bytes()
    assert json.loads(raw)["files"]["a"]["size"] == 1
    assert storage.repo("ns/repo").private is True
    assert storage.repo("ns/other") is None
