"""write_atomically: the new file whole, or the old one intact; never a half file."""

from __future__ import annotations

import os
import stat

import pytest

from autograd_tiny.core.files import write_atomically


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "weights.json"
    path.write_bytes(b"old contents")

    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, b"new contents")
    assert path.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.json"]


def test_replacing_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "private.json"
    path.write_bytes(b"old")
    os.chmod(path, 0o600)
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_new_file_gets_the_ordinary_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "new.txt", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o644


def test_a_missing_folder_fails_without_leaving_anything(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "f.txt", b"x")
    assert list(tmp_path.iterdir()) == []
