"""Reading the run directory of a text model (language model or tagger): the files it must hold and its
``config.json``, checked for the task and the format version, with one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from rnncast.errors import RnncastError

FORMAT_VERSION = 1


def read_config(run_dir: str | Path, task: str, label: str) -> tuple[Path, dict]:
    """``(run, config)`` of a ``task`` run (``char_lm``, ``tagger``); ``label`` names it in messages."""
    from rnncast import atomic

    run = Path(run_dir)
    atomic.recover(run)  # a writer killed half-way may have moved the run aside
    if not run.is_dir():
        raise RnncastError(f"run directory not found: {run_dir}")
    for name in ("config.json", "vocab.json", "model.safetensors"):
        if not (run / name).is_file():
            raise RnncastError(f"{run_dir} is not a {label} run directory: {name} is missing")
    try:
        config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise RnncastError(f"{run / 'config.json'} is damaged or not a {label} run's config") from None
    if not isinstance(config, dict) or config.get("task") != task:
        found = config.get("task") if isinstance(config, dict) else None
        raise RnncastError(f"{run_dir} is not a {label} run (task {found!r})")
    if not isinstance(config.get("format_version"), int) or config["format_version"] > FORMAT_VERSION:
        raise RnncastError(f"{run / 'config.json'} has format_version {config.get('format_version')!r};"
                           f" this rnncast reads up to {FORMAT_VERSION}")
    return run, config
