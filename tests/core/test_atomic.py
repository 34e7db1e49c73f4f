"""Atomic writes: the whole new content or the old one, nothing left behind, ordinary permissions."""

import os

import pytest

from genzoo.atomic import finish_staged, staged_folder, versioned_folder, write_bytes


def test_write_replaces_whole_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "deep" / "file.bin"
    write_bytes(target, b"old")
    write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]


def test_mode_follows_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        write_bytes(tmp_path / "a", b"x")
        write_bytes(tmp_path / "b", b"x", mode=0o444)
    finally:
        os.umask(previous)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o444


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "file.bin"
    write_bytes(target, b"old")

    def broken_fsync(fd):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk on fire"):
        write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.bin"]


# -- folders: a kill at any instant leaves the old or the new content, whole ------------------------

MUTATING_CALLS = ("open", "write", "fsync", "close", "rename", "replace", "symlink", "unlink", "rmdir", "mkdir")
STATE_FILES = ("model.safetensors", "optimizer.safetensors", "state.json")
KILLED = 137


@pytest.fixture
def no_fsync(monkeypatch):
    """These tests kill processes, not the power: fsync (still a counted call) need not reach the disk."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def _finishes_unless_killed_at(k: int, action) -> bool:
    """Run `action` in a forked child that dies like SIGKILL (os._exit: no cleanup, no finally)
    just before its k-th mutating file-system call; True if it finished first."""
    pid = os.fork()
    if pid == 0:  # the child: count calls, die at the k-th
        calls = [0]

        def counting(function):
            def call(*args, **kwargs):
                calls[0] += 1
                if calls[0] == k:
                    os._exit(KILLED)
                return function(*args, **kwargs)
            return call

        for name in MUTATING_CALLS:
            setattr(os, name, counting(getattr(os, name)))
        try:
            action()
        except BaseException:  # noqa: BLE001 (the child reports any failure by its exit code)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, KILLED), f"the child failed at call {k} without being killed"
    return code == 0


def _save_state(folder, tag):
    with versioned_folder(folder) as staging:
        for name in STATE_FILES:
            write_bytes(staging / name, f"{tag}:{name}".encode())


def _state_tag(folder) -> str:
    """The one tag every file of the state carries (a mix of two saves fails)."""
    contents = {p.name: p.read_bytes().decode() for p in folder.iterdir()}
    assert sorted(contents) == sorted(STATE_FILES)
    tags = {text.split(":")[0] for text in contents.values()}
    assert len(tags) == 1, contents
    return tags.pop()


@pytest.mark.parametrize("legacy", [False, True], ids=["versioned", "legacy-real-folder"])
def test_training_state_survives_a_kill_at_every_file_system_call(tmp_path, legacy, no_fsync):
    k, finished = 0, False
    while not finished:
        k += 1
        state = tmp_path / f"run{k}" / "train" / "state"
        if legacy:  # a run saved before versions: train/state is a real folder
            for name in STATE_FILES:
                write_bytes(state / name, f"old:{name}".encode())
        else:
            _save_state(state, "old")
        finished = _finishes_unless_killed_at(k, lambda state=state: _save_state(state, "new"))
        assert _state_tag(state) == "new" if finished else _state_tag(state) in ("old", "new")
        _save_state(state, "next")  # the next save collects whatever the kill left behind
        assert _state_tag(state) == "next" and state.is_symlink()
        assert sorted(p.name for p in state.parent.iterdir()) == [os.readlink(state), "state"]
    assert k > 15  # the save was cut at every one of its many calls


def _checkpoint(folder, tag):
    with staged_folder(folder, last="SHA256SUMS") as staging:
        for name in ("config.json", "model.safetensors", "SHA256SUMS"):
            write_bytes(staging / name, f"{tag}:{name}".encode())


def test_a_checkpoint_save_never_moves_the_run_beside_it_and_rolls_forward(tmp_path, no_fsync):
    k, finished = 0, False
    while not finished:
        k += 1
        out = tmp_path / f"run{k}"
        _checkpoint(out, "old")
        write_bytes(out / "train" / "state" / "state.json", b"{}")  # the run that lives in the export folder
        finished = _finishes_unless_killed_at(k, lambda out=out: _checkpoint(out, "new"))
        assert (out / "train" / "state" / "state.json").read_bytes() == b"{}"  # never moved, never gone
        tags = {p.name: p.read_text().split(":")[0] for p in out.iterdir() if p.is_file()}
        if tags["SHA256SUMS"] == "new":  # the manifest moves last: a reader checking it never accepts a mix
            assert set(tags.values()) == {"new"}
        finish_staged(out)  # what the loader does first
        tags = {p.name: p.read_text().split(":")[0] for p in out.iterdir() if p.is_file()}
        assert len(set(tags.values())) == 1 and sorted(tags) == ["SHA256SUMS", "config.json", "model.safetensors"]
        _checkpoint(out, "next")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".run{k}.")) == []
    assert k > 10


def test_staged_folder_first_save_and_failed_save(tmp_path):
    target = tmp_path / "ckpt"
    _checkpoint(target, "first")
    with pytest.raises(RuntimeError, match="boom"), staged_folder(target) as staging:
        write_bytes(staging / "config.json", b"half")
        raise RuntimeError("boom")
    assert (target / "config.json").read_text() == "first:config.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]


def test_an_output_into_a_missing_folder_is_one_line_before_any_work(toy_registry, tmp_path):
    from click.testing import CliRunner

    import genzoo
    from genzoo.cli.main import cli

    folder = genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt")
    for command in (["sample", str(folder), "-n", "2"], ["eval", str(folder), "--metric", "nll"]):
        result = CliRunner().invoke(cli, [*command, "-o", str(tmp_path / "typo" / "out.npy")])
        expected = (f"error: {tmp_path / 'typo' / 'out.npy'}: the folder {tmp_path / 'typo'} does not exist; "
                    "create it first or choose another path")
        assert result.exit_code == 1 and result.output.strip().splitlines() == [expected], result.output
    assert not (tmp_path / "typo").exists()


def test_a_first_checkpoint_save_has_ordinary_permissions(toy_registry, tmp_path):
    import genzoo

    previous = os.umask(0o022)
    try:
        folder = genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt")
    finally:
        os.umask(previous)
    assert folder.stat().st_mode & 0o777 == 0o755
    assert {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()} == dict.fromkeys(
        ["README.md", "SHA256SUMS", "config.json", "model.safetensors"], 0o644)
