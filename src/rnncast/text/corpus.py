"""Reading a text corpus, splitting it, cutting it into training windows, and the unigram baseline.

Truncated backpropagation through time: the corpus c[0..T-1] is cut into windows of L+1
characters; the model reads the first L and is scored on predicting each next one::

    inputs  x = c[s : s+L]          targets y = c[s+1 : s+L+1]          (the targets lead by one)

Every window starts from h[-1] = 0 (the lecture's h^(0)), so gradients flow back at most L steps.
Training draws windows at random start positions s (stride 1); evaluation reads the text once in
non-overlapping windows (stride L) and weights each by its length.

The unigram baseline ignores context: p(c) is the character frequency in the training text with
add-one smoothing over the vocabulary (a character never seen in training still has p > 0)::

    p(c) = (count_train(c) + 1) / (T_train + |V|)
    H = -(1/T_eval) sum_t log p(c_t)   (nats per character)        perplexity = exp(H)

A model that beats it has learned something beyond letter frequencies.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from rnncast.errors import RnncastError

CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # control characters that text files do not use


def resolve(source: str, suffixes=(".txt",)) -> Path:
    """A path, or the name of a bundled data file (rnncast.datasets) with one of ``suffixes``."""
    path = Path(source)
    if path.exists():
        return path
    from rnncast import datasets

    bundled = datasets.get(str(source))
    if bundled is not None:
        return bundled.path
    for suffix in suffixes:
        candidate = datasets.HERE / f"{source}{suffix}"
        if "/" not in str(source) and candidate.is_file():
            return candidate
    raise RnncastError(f"file not found: {source}")


def decode_utf8(data: bytes, where: str) -> str:
    """Bytes of a text file -> str: refuses empty, binary and non-UTF-8 data with one line that says where."""
    if not data.strip():
        raise RnncastError(f"{where} is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise RnncastError(f"{where} looks binary, not text (a NUL byte at byte offset {nul})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RnncastError(f"{where} is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} "
                           f"(byte offset {exc.start}) cannot be decoded; convert the file to UTF-8") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    controls = len(CONTROL.findall(text))
    if controls > 0.05 * len(text):
        raise RnncastError(f"{where} looks binary, not text ({controls} control characters in {len(text)})")
    return text


def read_text(source: str | Path, suffixes=(".txt",)) -> str:
    """Read a UTF-8 text file (or a bundled text by name); see ``decode_utf8`` for what is refused."""
    path = resolve(str(source), suffixes)
    if path.is_dir():
        raise RnncastError(f"{source} is a directory, expected a text file")
    return decode_utf8(path.read_bytes(), str(source))


def split(ids: np.ndarray, val_size: float, seq_length: int):
    """Training ids (the first part) and validation ids (the last ``val_size`` fraction; None for 0)."""
    if not 0 <= val_size < 1:
        raise RnncastError(f"--val-size must lie in [0, 1), got {val_size}")
    n_val = int(round(len(ids) * val_size))
    n_train = len(ids) - n_val
    if n_train < seq_length + 1:
        raise RnncastError(f"the training text has {n_train} characters; --seq-length {seq_length} needs at "
                           f"least {seq_length + 1} (a shorter --seq-length, a smaller --val-size or more text)")
    if val_size > 0 and n_val < 2:
        raise RnncastError(f"the validation text would have {n_val} character(s); --val-size {val_size} is too "
                           "small for this corpus (use 0 for none)")
    return ids[:n_train], (ids[n_train:] if val_size > 0 else None)


def windows(ids: np.ndarray, seq_length: int, stride: int = 1):
    """Inputs and targets of every window of L = seq_length steps, start positions 0, stride, 2 stride, ...

    Returns X, Y, both (N, L) read-only views of ``ids``; Y[i, t] = X[i, t+1] = ids[i*stride + t + 1].
    """
    if seq_length < 1 or stride < 1:
        raise RnncastError(f"seq_length and stride must be positive, got {seq_length} and {stride}")
    if len(ids) < seq_length + 1:
        raise RnncastError(f"{len(ids)} characters is too short for windows of {seq_length} + 1")
    w = np.lib.stride_tricks.sliding_window_view(ids, seq_length + 1)[::stride]  # (N, L+1)
    return w[:, :-1], w[:, 1:]  # (N, L), (N, L)


def eval_windows(ids: np.ndarray, seq_length: int):
    """Non-overlapping windows covering the text once: full windows of L, then the remainder as one
    shorter window (so every character after the first is predicted exactly once). Yields (x, y), each
    (N, l)."""
    n_full = (len(ids) - 1) // seq_length
    if n_full:
        X, Y = windows(ids[: n_full * seq_length + 1], seq_length, stride=seq_length)
        yield X, Y
    rest = len(ids) - 1 - n_full * seq_length
    if rest > 0:
        tail = ids[n_full * seq_length:]
        yield tail[None, :-1], tail[None, 1:]


def unigram_cross_entropy(train_ids: np.ndarray, eval_ids: np.ndarray, vocab_size: int) -> float:
    """Cross-entropy (nats per character) of ``eval_ids`` under add-one smoothed training frequencies."""
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size).astype(np.float64) + 1.0  # (V,)
    log_p = np.log(counts) - math.log(counts.sum())  # (V,)
    return float(-log_p[np.asarray(eval_ids)].mean())


def perplexity(cross_entropy: float) -> float:
    """exp(H), H in nats; inf where it overflows."""
    try:
        return math.exp(cross_entropy)
    except OverflowError:
        return math.inf
