"""What rnncast writes, and how it recognises its own outputs before it replaces one.

The rule every writer follows (``atomic.directory`` and ``atomic.write_file`` enforce it, so no command
can forget it): rnncast replaces a path only when it is an output rnncast can recognise as its own,
of the kind the command writes.

- A **run directory** (train, backtest, demo, ``Forecaster.save``, text train, tag train, explain) is
  recognised by its ``config.json``: a JSON object with ``rnncast_version`` (every format version has
  it). Directories written from now on also name their kind (``output``), a ``write_id`` and the
  SHA-256 of every other file in them (``files``); older ones are judged by the file names their kind
  writes. A ``checkpoint*.safetensors`` whose header carries rnncast's metadata belongs to a run too.
  Anything else inside (a user's ``notes.txt``) is a *foreign* entry: the directory is then never
  replaced, not even with ``--force``. A file edited since rnncast wrote it is *changed*: replaced
  only with ``--force``, as is a run of another kind.
- An **output file** is recognised by its content: a forecast CSV by its header
  (``unique_id,ds,<rnn|lstm|gru>[,<model>-…]``), a tagged CoNLL file by its first line
  (``-DOCSTART- rnncast …``, which CoNLL readers skip), a checkpoint by its safetensors metadata.
  Generated text cannot be recognised, so it never replaces an existing file.
- An empty directory holds nothing to lose and may be replaced; a symbolic link never is.
- Whatever the output, a target that is an input of the command, or a directory that contains one,
  is refused (``--force`` included).

``check`` raises ``RnncastError`` with one line naming the path and what is there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from rnncast.errors import RnncastError

CONFIG_FILE = "config.json"
OUTPUT_KEY, FILES_KEY, WRITE_ID_KEY = "output", "files", "write_id"
CONLL_MARKER = "-DOCSTART- rnncast-tag-predict"
CHECKPOINT_PATTERN = re.compile(r"checkpoint(-[\w.-]+)?\.safetensors")
CHECKPOINT_METADATA_KEY = "rnncast"  # the checkpoint's safetensors metadata key (training/checkpoint.py)
MODEL_COLUMNS = ("rnn", "lstm", "gru")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Kind:
    """One kind of output: ``name`` as config.json records it, ``label`` for messages."""

    name: str
    label: str
    is_dir: bool
    legacy_files: frozenset[str] = field(default_factory=frozenset)  # what runs without a manifest held


FORECAST_RUN = Kind("forecast_run", "forecasting run", True, frozenset(
    {"config.json", "model.safetensors", "metrics.json", "predictions.csv", "forecast.png", "loss.png",
     "report.html"}))
TEXT_RUN = Kind("text_run", "language-model run", True, frozenset(
    {"config.json", "vocab.json", "model.safetensors", "metrics.json", "loss.png", "sample.txt"}))
TAGGER_RUN = Kind("tagger_run", "tagger run", True, frozenset(
    {"config.json", "vocab.json", "model.safetensors", "metrics.json", "test_predictions.conll"}))
EXPLAIN = Kind("explain", "folder of explain figures", True, frozenset(
    {"gradients.png", "activations.png", "hidden_states.png"}))
TUNING = Kind("tuning", "tuning run", True, frozenset({"config.json", "trials.csv"}))
TABLE_FORMATS = ("auto", "csv", "parquet")  # how a run writes its tables (report.run.table_files; --tables)
FORECAST_CSV = Kind("forecast_csv", "forecast table", False)
FORECAST_PAGE = Kind("forecast_page", "forecast page", False)
PATHS_CSV = Kind("paths_csv", "sample-path table", False)
TAGGED_CONLL = Kind("tagged_conll", "tagged CoNLL file", False)
CHECKPOINT = Kind("checkpoint", "training checkpoint", False)
TEXT = Kind("text", "generated text", False)  # not recognisable: never replaces a file
KINDS = {k.name: k for k in (FORECAST_RUN, TEXT_RUN, TAGGER_RUN, EXPLAIN, TUNING, FORECAST_CSV, FORECAST_PAGE,
                             PATHS_CSV, TAGGED_CONLL, CHECKPOINT, TEXT)}
_TASK_KINDS = {"char_lm": TEXT_RUN, "tagger": TAGGER_RUN}


@dataclass
class Found:
    """What ``inspect_dir`` saw in a directory."""

    kind: Kind | None  # None: not a directory rnncast wrote
    entries: list[str]
    foreign: list[str] = field(default_factory=list)  # entries rnncast did not write there
    changed: list[str] = field(default_factory=list)  # files edited since rnncast wrote them
    write_id: str | None = None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_config(path: Path) -> dict | None:
    """``config.json`` of a directory when it is rnncast's (a JSON object with rnncast_version), else None."""
    file = path / CONFIG_FILE
    try:
        if not file.is_file() or file.is_symlink() or file.stat().st_size > 512 << 20:
            return None
        config = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) and "rnncast_version" in config else None


def is_checkpoint(path: Path) -> bool:
    """A safetensors file whose header metadata carries rnncast's checkpoint record."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                return False
            (n,) = struct.unpack("<Q", head)
            if n > 64 << 20:
                return False
            header = json.loads(f.read(n))
    except (OSError, ValueError):
        return False
    return isinstance(header, dict) and CHECKPOINT_METADATA_KEY in (header.get("__metadata__") or {})


def _is_png(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(8) == PNG_MAGIC
    except OSError:
        return False


def write_id(path: Path) -> str | None:
    """The ``write_id`` in the ``config.json`` of directory ``path`` (None: none, or not rnncast's); no hashing."""
    config = _read_config(path)
    return None if config is None else config.get(WRITE_ID_KEY)


def inspect_dir(path: Path, digests: bool = True) -> Found:
    """Is ``path`` (an existing directory) a run rnncast wrote, of which kind, and what else is in it?

    ``digests=False`` skips hashing the files against the manifest (``changed`` stays empty): enough to
    tell foreign entries, for a run already checked and only being removed.
    """
    entries = sorted(os.listdir(path))
    config = _read_config(path)
    if config is None:
        checkpoints = [e for e in entries if CHECKPOINT_PATTERN.fullmatch(e) and is_checkpoint(path / e)]
        if entries and len(checkpoints) == len(entries):  # a run directory that so far holds its checkpoint
            return Found(FORECAST_RUN, entries)
        if entries and set(entries) <= EXPLAIN.legacy_files and all(_is_png(path / e) for e in entries):
            return Found(EXPLAIN, entries)  # explain figures written before manifests
        return Found(None, entries)
    kind = KINDS.get(config.get(OUTPUT_KEY)) or _TASK_KINDS.get(config.get("task"), FORECAST_RUN)
    manifest = config.get(FILES_KEY)
    found = Found(kind, entries, write_id=config.get(WRITE_ID_KEY))
    allowed = ({CONFIG_FILE, *manifest} if isinstance(manifest, dict) else set(kind.legacy_files))
    for name in entries:
        entry = path / name
        if entry.is_symlink() or not entry.is_file():
            found.foreign.append(name)
        elif name not in allowed and not (CHECKPOINT_PATTERN.fullmatch(name) and is_checkpoint(entry)):
            found.foreign.append(name)
        elif digests and isinstance(manifest, dict) and name in manifest and sha256_file(entry) != manifest[name]:
            found.changed.append(name)
    return found


def _csv_header(path: Path) -> list[str]:
    """The first line's fields ([] when the file cannot be read as text)."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline(1 << 16).rstrip("\r\n").split(",")
    except (OSError, UnicodeDecodeError):
        return []


def is_forecast_csv(path: Path) -> bool:
    """A CSV whose header is the one ``rnncast predict`` writes."""
    header = _csv_header(path)
    if len(header) < 3 or header[:2] != ["unique_id", "ds"] or header[2] not in MODEL_COLUMNS:
        return False
    return all(c.startswith(f"{header[2]}-") for c in header[3:])


def is_paths_csv(path: Path) -> bool:
    """A CSV whose header is the one ``rnncast predict --paths`` writes: ``unique_id,ds,sample,<model>``."""
    header = _csv_header(path)
    return len(header) == 4 and header[:3] == ["unique_id", "ds", "sample"] and header[3] in MODEL_COLUMNS


PAGE_MARKER = '<meta name="generator" content="rnncast predict --plot">'


def is_forecast_page(path: Path) -> bool:
    """An HTML page ``rnncast predict --plot`` wrote (its generator line in the first 4 KiB)."""
    try:
        with open(path, encoding="utf-8") as f:
            return PAGE_MARKER in f.read(4096)
    except (OSError, UnicodeDecodeError):
        return False


def is_tagged_conll(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline(1 << 10).startswith(CONLL_MARKER)
    except (OSError, UnicodeDecodeError):
        return False


_RECOGNISE_FILE = {FORECAST_CSV: is_forecast_csv, FORECAST_PAGE: is_forecast_page, PATHS_CSV: is_paths_csv,
                   TAGGED_CONLL: is_tagged_conll,
                   CHECKPOINT: is_checkpoint,
                   TEXT: lambda path: False}


def names(entries: list[str], limit: int = 5) -> str:
    """``a, b, c and 4 more`` for a one-line message."""
    shown = ", ".join(e if e.isprintable() else repr(e) for e in entries[:limit])
    return shown + (f" and {len(entries) - limit} more" if len(entries) > limit else "")


def refuse_inputs(path: Path, inputs) -> None:
    """A target that is one of the command's inputs, or a directory holding one, is never written."""
    target = os.path.realpath(path)
    for source in inputs:
        if source is None or not os.path.exists(source):
            continue
        source = os.path.realpath(source)
        if source == target:
            raise RnncastError(f"refusing to write {path}: it is an input of this command")
        if os.path.commonpath([source, target]) == target:
            raise RnncastError(f"refusing to write {path}: it contains {source}, an input of this command")


def check(path: str | Path, kind: Kind, inputs=(), force: bool = False) -> Found | None:
    """Raise ``RnncastError`` unless ``path`` may be written as ``kind``; returns what is there (None: nothing).

    ``force`` (run directories only) also replaces a run of another kind and files edited since rnncast
    wrote them; it never removes an entry rnncast did not write, nor touches an input.
    """
    path = Path(path)
    refuse_inputs(path, inputs)
    if not os.path.lexists(path):
        return None
    if path.is_symlink():
        raise RnncastError(f"refusing to replace {path}: it is a symbolic link")
    if not kind.is_dir:
        if path.is_dir():
            raise RnncastError(f"refusing to write {path}: it is a directory")
        if not _RECOGNISE_FILE[kind](path):
            raise RnncastError(f"refusing to overwrite {path}: it is not a {kind.label} rnncast wrote;"
                               " choose another --out or remove it")
        return None
    if not path.is_dir():
        raise RnncastError(f"refusing to replace {path}: it is a file rnncast did not write; choose another --out")
    found = inspect_dir(path)
    if not found.entries:
        return found
    if found.kind is None:
        raise RnncastError(f"refusing to replace {path}: it is a folder rnncast did not write (it holds "
                           f"{names(found.entries)}); choose another --out")
    if found.foreign:
        raise RnncastError(f"refusing to replace {path}: it holds files rnncast did not write there "
                           f"({names(found.foreign)}); move them away or choose another --out")
    if found.kind != kind and not force:
        raise RnncastError(f"refusing to replace {path}: it is a {found.kind.label}, not a {kind.label};"
                           " --force replaces it")
    if found.changed and not force:
        raise RnncastError(f"refusing to replace {path}: {names(found.changed)} changed since rnncast wrote"
                           " them; --force replaces them")
    return found
