"""Per-series fitted state as arrays: what config.json's ``series`` section holds, in a safetensors file.

A run on 20,000 series holds 20,000 small JSON objects (scalers, each series' last rows and their time
stamps, seasonal indices): 50 MB of text. ``encode`` turns the section into one array per field instead,
``decode`` gives back exactly the same section (floats, ints, booleans and strings round-trip), so loading
does not change. Each record (one series) is flattened to ``path -> leaf`` (``scaling.past.shift``); for
every path the file holds:

    <path>.state    uint8 (n,)   0: no value (the parent was None), 1: None, 2: a value
    <path>.values   the values of all series, flat (float64, int64 or uint8 for booleans; UTF-8 for text)
    <path>.shapes   int64 (n, ndim): each series' value shape (ndim 0: a scalar), or for text the count

and config.json's ``series_arrays`` says each path's kind. A path whose values do not fit one of these
(mixed types) stays in config.json as a plain list.
"""

from __future__ import annotations

import numpy as np

from rnncast.errors import RnncastError

FILE = "series.safetensors"
TEXT_SEPARATOR = "\x1f"  # between the strings of a text field (the unit separator: not in time stamps or ids)


def _flatten(record, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{path}.", out)
        else:
            out[path] = value
    return out


def _kind(values: list):
    """numeric (with dtype) or text, from the present values; None when they mix."""
    leaves = []
    for v in values:
        stack = [v]
        while stack:
            x = stack.pop()
            if isinstance(x, list):
                stack.extend(x)
            else:
                leaves.append(x)
    if all(isinstance(v, str) or isinstance(v, list) and all(isinstance(x, str) for x in v) for v in values):
        return "text", None
    if all(isinstance(x, bool) for x in leaves):
        return "number", "bool"
    if all(isinstance(x, int) and not isinstance(x, bool) for x in leaves):
        return "number", "int64"
    if all(isinstance(x, int | float) and not isinstance(x, bool) for x in leaves):
        return "number", "float64"
    return None


def encode(series: dict[str, dict]) -> tuple[dict[str, np.ndarray], dict]:
    """``(arrays, meta)`` for the section ``{uid: record}``; ``meta`` goes into config.json."""
    uids = list(series)
    flat = [_flatten(series[u]) for u in uids]
    paths = list(dict.fromkeys(p for record in flat for p in record))
    arrays, fields, plain = {}, {}, {}
    for path in paths:
        state = np.array([0 if path not in r else 1 if r[path] is None else 2 for r in flat], dtype=np.uint8)
        present = [r[path] for r in flat if r.get(path) is not None]
        kind = _kind(present) if present else ("none", None)
        if kind is None:
            plain[path] = [[path in r, r.get(path)] for r in flat]
            continue
        arrays[f"{path}.state"] = state
        fields[path] = {"kind": kind[0], "dtype": kind[1]}
        if kind[0] == "number":
            shaped = [np.asarray(v, dtype=np.float64 if kind[1] == "float64" else kind[1]) for v in present]
            if len({a.ndim for a in shaped}) > 1:
                del arrays[f"{path}.state"], fields[path]
                plain[path] = [[path in r, r.get(path)] for r in flat]
                continue
            ndim = shaped[0].ndim
            arrays[f"{path}.shapes"] = np.array([a.shape for a in shaped], dtype=np.int64).reshape(len(shaped), ndim)
            values = np.concatenate([a.ravel() for a in shaped])
            arrays[f"{path}.values"] = values.astype(np.uint8) if kind[1] == "bool" else values
        elif kind[0] == "text":
            texts = [[v] if isinstance(v, str) else v for v in present]
            arrays[f"{path}.shapes"] = np.array([-1 if isinstance(v, str) else len(v) for v in present],
                                                dtype=np.int64)
            joined = TEXT_SEPARATOR.join(s for t in texts for s in t).encode("utf-8")
            arrays[f"{path}.values"] = np.frombuffer(joined, dtype=np.uint8).copy()
    return arrays, {"file": FILE, "ids": uids, "fields": fields, "plain": plain}


def decode(arrays: dict[str, np.ndarray], meta: dict) -> dict[str, dict]:
    """The ``series`` section ``encode`` was given, from its arrays and ``meta``."""
    try:
        uids = [str(u) for u in meta["ids"]]
        records = [{} for _ in uids]
        for path, spec in meta["fields"].items():
            state = arrays[f"{path}.state"]
            values = _values(arrays, path, spec, int(np.sum(state == 2)))
            taken = iter(values)
            for record, s in zip(records, state, strict=True):
                if s:
                    _put(record, path, None if s == 1 else next(taken))
        for path, column in (meta.get("plain") or {}).items():
            for record, (present, value) in zip(records, column, strict=True):
                if present:
                    _put(record, path, value)
        return dict(zip(uids, records, strict=True))
    except (KeyError, TypeError, ValueError, StopIteration) as exc:
        raise RnncastError(f"{FILE} does not match config.json: {type(exc).__name__} {exc}") from None


def _values(arrays, path: str, spec: dict, n: int) -> list:
    if spec["kind"] == "none":
        return []
    flat, shapes = arrays[f"{path}.values"], arrays[f"{path}.shapes"]
    if spec["kind"] == "text":
        strings = bytes(flat).decode("utf-8").split(TEXT_SEPARATOR) if len(flat) or n else []
        out, start = [], 0
        for count in shapes[:n].tolist():
            if count == -1:
                out.append(strings[start])
                start += 1
            else:
                out.append(strings[start : start + count])
                start += count
        return out
    if spec["dtype"] == "bool":
        flat = flat.astype(bool)
    out, start = [], 0
    for shape in shapes[:n].tolist():
        size = int(np.prod(shape)) if shape else 1
        part = flat[start : start + size]
        start += size
        out.append(part.reshape(shape).tolist() if shape else part[0].item())
    return out


def _put(record: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        record = record.setdefault(key, {})
    record[leaf] = value
