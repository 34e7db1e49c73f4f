"""Atomic writes: the whole new content or the old one, nothing left behind, ordinary permissions."""

import os

import pytest

from genzoo.atomic import write_bytes


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
