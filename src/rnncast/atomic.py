"""Safe, atomic writes: an output appears whole or not at all, and replaces only what rnncast wrote.

Every command writes through this module, so the rules hold by construction:

- **Only rnncast's own outputs are replaced** (``outputs.check``): anything else at the target, or an
  input of the command, is refused with one line before any work starts and again at the moment of
  the swap.
- **Whole or nothing.** A run directory is built in a staging directory beside the target,
  ``.<name>.rnncast-new-<id>``; a file in ``.<name>.rnncast-new-<id>`` too. The commit, under an
  exclusive ``flock`` of the parent directory, moves the old run aside (``.<name>.rnncast-old-<id>``),
  renames the new one in and removes the old one (only the entries rnncast wrote). Two processes
  writing the same target each commit a whole run, one after the other; never a mix.
- **Recoverable.** A writer holds a ``flock`` on its staging entry while it lives. If a process dies
  (SIGKILL, power loss) the next rnncast command on that path (any writer, or a loader) finds what it
  left: a staging entry nobody holds is removed; an old run whose replacement never arrived is moved
  back; an old run whose replacement did arrive is removed; anything it cannot settle it names.
- **Errors leave the previous output intact**: an ``OSError`` at any write (full disk, permission
  denied, read-only folder) removes the staging entry and reaches the CLI as one line, exit 2.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rnncast import outputs
from rnncast.errors import RnncastError
from rnncast.outputs import CONFIG_FILE, FILES_KEY, OUTPUT_KEY, WRITE_ID_KEY, Kind

NEW, OLD = "new", "old"


def _staging_name(final: Path, role: str, token: str) -> Path:
    return final.parent / f".{final.name}.rnncast-{role}-{token}"


def _token() -> str:
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) with ``data``, flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on ``directory`` (flock on its descriptor) for one commit or recovery."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _create_held(path: Path, is_dir: bool) -> int:
    """Create the staging entry ``path`` and take the lock that tells recovery its writer is alive.

    Done under the parent's lock, so a recovery never sees the entry before it is held. Returns the
    descriptor (writable for a file); closing it (or dying) releases the lock.
    """
    with _locked(path.parent):
        if is_dir:
            os.mkdir(path, 0o777)
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _is_held(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True  # gone already: nothing to do
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _made_parents(path: Path) -> list[Path]:
    """Create the missing ancestors of ``path``; returns them, deepest first (to remove after a failure)."""
    missing = []
    for parent in path.parents:
        if parent.exists():
            break
        missing.append(parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(dirs: list[Path]) -> None:
    for d in dirs:
        try:
            d.rmdir()
        except OSError:
            return


def _note(message: str) -> None:
    print(f"rnncast: {message}", file=sys.stderr)


# -- recovery ---------------------------------------------------------------------------------------
def _leftovers(final: Path) -> list[tuple[str, str, Path]]:
    """(role, token, path) of the staging entries that writers of ``final`` left beside it."""
    prefix = f".{final.name}.rnncast-"
    try:
        names = os.listdir(final.parent)
    except OSError:
        return []
    found = []
    for name in names:
        if name.startswith(prefix):
            role, _, token = name[len(prefix):].partition("-")
            if role in (NEW, OLD) and token:
                found.append((role, token, final.parent / name))
    return found


def _remove_run(path: Path, final: Path) -> bool:
    """Remove an old run directory, entry by entry, only when rnncast wrote all of it; False if it stays."""
    try:
        found = outputs.inspect_dir(path, digests=False)  # checked before it was moved aside
        if found.entries and (found.kind is None or found.foreign):
            _note(f"the previous contents of {final} are at {path}: they hold files rnncast did not write "
                  f"({outputs.names(found.foreign or found.entries)}), so they stay there")
            return False
        for name in sorted(found.entries, key=lambda n: n == CONFIG_FILE):  # the manifest goes last
            (path / name).unlink()
        path.rmdir()
    except OSError as exc:
        _note(f"the previous run of {final} could not be removed from {path}: {exc.strerror or exc}")
        return False
    return True


def _recover_locked(final: Path) -> None:
    """Settle what a stopped writer of ``final`` left (the caller holds the parent's lock)."""
    for role, token, path in sorted(_leftovers(final), key=lambda t: t[0] == OLD):  # staging first
        if role == NEW:
            if not _is_held(path):  # its writer has died
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            continue
        if not os.path.lexists(final):
            os.rename(path, final)
            _note(f"{final} was restored: a replacement of it had stopped half-way")
        elif final.is_dir() and outputs.write_id(final) == token:
            _remove_run(path, final)  # the replacement arrived; its predecessor was left behind
        else:
            _note(f"an earlier run of {final} was left at {path} by a process that stopped; {final} now "
                  f"holds something else, so move it back by hand if you want it")


def recover(final: str | Path) -> None:
    """Settle leftovers of a stopped writer of ``final`` (cheap when there are none).

    Loaders call it too, so ``rnncast predict RUN`` finds a run that a killed writer had moved aside.
    When the folder cannot be written, the message says where the run lies.
    """
    final = Path(final)
    leftovers = _leftovers(final)
    if not leftovers:
        return
    try:
        with _locked(final.parent):
            _recover_locked(final)
    except OSError as exc:
        old = [str(p) for role, _, p in leftovers if role == OLD]
        where = f"; the previous run lies at {old[0]}" if old else ""
        raise RnncastError(f"cannot clean up after an interrupted write of {final}: "
                           f"{exc.strerror or exc}{where}") from None


def _recover_inside(directory: Path) -> None:
    """Settle leftovers of stopped writers of files inside ``directory`` (a run's checkpoint)."""
    if not directory.is_dir() or directory.is_symlink():
        return
    for name in os.listdir(directory):
        if name.startswith(".") and ".rnncast-" in name:
            recover(directory / name[1:].rsplit(".rnncast-", 1)[0])


def check_target(path: str | Path, kind: Kind, inputs=(), force: bool = False) -> None:
    """Before the work: settle leftovers and refuse a target that may not be written (one line, exit 2)."""
    path = Path(path)
    outputs.refuse_inputs(path, inputs)
    if path.parent.is_dir():
        recover(path)
        _recover_inside(path)
    outputs.check(path, kind, inputs, force)


# -- directories ------------------------------------------------------------------------------------
class Staging:
    """The directory a run is built in; files go in through ``write_*`` so their digests are recorded.

    ``config.json`` is written last, at the commit, with the kind, the write id and the SHA-256 of every
    other file added: that manifest is how a later write recognises the run as rnncast's.
    """

    def __init__(self, path: Path, kind: Kind, token: str):
        self.path, self.kind, self.token = path, kind, token
        self.files: dict[str, str] = {}
        self.config: dict | None = None

    def write_bytes(self, name: str, data: bytes) -> None:
        if name == CONFIG_FILE or "/" in name or name in self.files:
            raise ValueError(f"cannot write {name!r} into a run directory")
        _write_new(self.path / name, data)
        self.files[name] = hashlib.sha256(data).hexdigest()

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode("utf-8"))

    def write_config(self, config: dict) -> None:
        """The run's ``config.json`` (written at the commit, with the manifest added)."""
        self.config = dict(config)

    def seal(self) -> None:
        from rnncast.version import __version__

        config = self.config if self.config is not None else {"rnncast_version": __version__}
        config.setdefault("rnncast_version", __version__)
        config.update({OUTPUT_KEY: self.kind.name, WRITE_ID_KEY: self.token,
                       FILES_KEY: dict(sorted(self.files.items()))})
        _write_new(self.path / CONFIG_FILE, (json.dumps(config, indent=2) + "\n").encode("utf-8"))


@contextmanager
def directory(final: str | Path, kind: Kind, inputs=(), force: bool = False) -> Iterator[Staging]:
    """Yield a ``Staging`` directory; on success it replaces ``final`` whole (see the module docstring).

    Refused before anything is written, and again at the swap, when ``final`` is not ``kind``'s output
    (``outputs.check``). On any exception (KeyboardInterrupt included) the staging directory is removed
    and ``final`` stays as it was.
    """
    final = Path(final)
    check_target(final, kind, inputs, force)
    made = _made_parents(final)
    token = _token()
    path = _staging_name(final, NEW, token)
    fd = None
    try:
        fd = _create_held(path, is_dir=True)
        stage = Staging(path, kind, token)
        yield stage
        stage.seal()
        _commit(final, path, kind, inputs, force, token)
    except BaseException:
        if fd is not None:
            shutil.rmtree(path, ignore_errors=True)
        _remove_empty(made)
        raise
    finally:
        if fd is not None:
            os.close(fd)


def _commit(final: Path, staged: Path, kind: Kind, inputs, force: bool, token: str) -> None:
    _recover_inside(final)
    with _locked(final.parent):
        _recover_locked(final)
        outputs.check(final, kind, inputs, force)  # again: another process may have written it meanwhile
        old = None
        if os.path.lexists(final):
            old = _staging_name(final, OLD, token)
            os.rename(final, old)
        try:
            os.rename(staged, final)
        except BaseException:
            if old is not None:
                os.rename(old, final)
            raise
        if old is not None:
            _remove_run(old, final)


# -- single files -----------------------------------------------------------------------------------
def write_file(path: str | Path, data: bytes, kind: Kind, inputs=()) -> None:
    """Write one output file whole, replacing only a file rnncast recognises as ``kind``'s output."""
    path = Path(path)
    check_target(path, kind, inputs)
    made = _made_parents(path)
    staged = _staging_name(path, NEW, _token())
    fd = None
    try:
        fd = _create_held(staged, is_dir=False)
        _write_all(fd, data)
        with _locked(path.parent):
            _recover_locked(path)
            outputs.check(path, kind, inputs)
            os.rename(staged, path)
    except BaseException:
        if fd is not None:
            staged.unlink(missing_ok=True)
        _remove_empty(made)
        raise
    finally:
        if fd is not None:
            os.close(fd)


def write_text_file(path: str | Path, text: str, kind: Kind, inputs=()) -> None:
    write_file(path, text.encode("utf-8"), kind, inputs)
