"""Shared by every test: ``snapshot``, every file under a folder (hidden ones too) with its bytes."""

import os

import pytest


def read_all(root) -> dict[str, bytes]:
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = f.read()
    return files


@pytest.fixture()
def snapshot():
    """``snapshot(folder)``: compare two of them to prove a command changed nothing there."""
    return read_all
