"""Atomic writes: complete or absent, usual permissions, the old directory kept on failure."""

import os

import pytest

from rnncast import atomic


def test_write_text_replaces_and_uses_umask_permissions(tmp_path):
    target = tmp_path / "a.txt"
    atomic.write_text(target, "one")
    atomic.write_text(target, "two")
    assert target.read_text() == "two"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_directory_failure_keeps_the_old_one_and_leaves_no_temp(tmp_path):
    run = tmp_path / "run"
    with atomic.directory(run) as tmp:
        (tmp / "f").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic.directory(run) as tmp:
            (tmp / "f").write_text("new")
            raise KeyboardInterrupt
    assert (run / "f").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_directory_success_replaces_the_old_one(tmp_path):
    run = tmp_path / "run"
    for text in ("old", "new"):
        with atomic.directory(run) as tmp:
            (tmp / "f").write_text(text)
    assert (run / "f").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
