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


class _Calls:
    count = 0


@pytest.fixture()
def os_error_at():
    """``with os_error_at(k, (errno, message)) as calls:`` the k-th OS call that rnncast.atomic makes (mkdir,
    open, write, fsync, rename) raises that OSError; ``calls.count`` says how many it made."""
    import contextlib
    import sys

    names = ("mkdir", "open", "write", "fsync", "rename")

    @contextlib.contextmanager
    def failing(stop: int, error: tuple[int, str]):
        calls = _Calls()

        def wrap(real):
            def wrapped(*args, **kwargs):
                if sys._getframe(1).f_globals.get("__name__") == "rnncast.atomic":
                    calls.count += 1
                    if calls.count == stop:
                        raise OSError(*error, str(args[0]) if args else None)
                return real(*args, **kwargs)
            return wrapped

        with pytest.MonkeyPatch.context() as patch:
            for name in names:
                patch.setattr(os, name, wrap(getattr(os, name)))
            yield calls

    return failing
