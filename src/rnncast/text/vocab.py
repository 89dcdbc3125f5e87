"""The character vocabulary V: every distinct character of the corpus, in code-point order.

A character c becomes its index i = V.index(c), the position of the 1 in the lecture's one-hot
vector x[t] in R^|V|; the embedding E x[t] is then row i of ``embed.weight``. Stored as
``vocab.json`` ({"format_version": 1, "chars": [...]}) in a run directory, so a run decodes and
encodes exactly as it was trained.
"""

from __future__ import annotations

import json

import numpy as np

from rnncast.errors import RnncastError

FORMAT_VERSION = 1


def _show(c: str) -> str:
    """A character as a message can show it: repr for spaces and control characters."""
    return repr(c) if not c.isprintable() or c.isspace() else c


class Vocab:
    """chars (sorted, distinct) <-> ids 0..|V|-1."""

    def __init__(self, chars):
        chars = list(chars)
        if not chars:
            raise RnncastError("vocabulary: expected at least one character, got none")
        if len(set(chars)) != len(chars) or any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise RnncastError("vocabulary: expected distinct single characters")
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> Vocab:
        return cls(sorted(set(text)))

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocab) and self.chars == other.chars

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that are not in the vocabulary, in order of appearance."""
        return list(dict.fromkeys(c for c in text if c not in self.index))

    def encode(self, text: str, what: str = "text") -> np.ndarray:
        """text -> ids (len(text),) int64; a character outside the vocabulary is a one-line error."""
        missing = self.unknown(text)
        if missing:
            shown = " ".join(_show(c) for c in missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise RnncastError(f"{what} has {len(missing)} character(s) the model never saw in training: {shown}")
        return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def to_json(self) -> str:
        return json.dumps({"format_version": FORMAT_VERSION, "chars": self.chars}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str, where: str = "vocab.json") -> Vocab:
        try:
            data = json.loads(text)
            version, chars = data["format_version"], data["chars"]
        except (ValueError, KeyError, TypeError):
            raise RnncastError(f"{where} is damaged: expected {{\"format_version\": 1, \"chars\": [...]}}") from None
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise RnncastError(f"{where} has format_version {version!r}; this rnncast reads up to {FORMAT_VERSION}")
        return cls(chars)
