"""CoNLL-style tagged text, entity-level scores and the most-frequent-tag baseline.

File format: one token per line, the token first and its tag last (columns split on whitespace;
any columns between are ignored, as in CoNLL-2003), a blank line between sentences, ``-DOCSTART-``
lines skipped. A file to tag may have the token column alone. Tags are BIO: ``O`` outside any
entity, ``B-TYPE`` the first token of an entity, ``I-TYPE`` the following ones.

Scores on the lecture's many-to-many task (one tag per step), for gold tags g and predictions p::

    token accuracy = #{t : p_t = g_t} / #tokens
    entities       = maximal spans (type, start, end): a span starts at B-TYPE, or at an I-TYPE that
                     does not continue a span of the same type (as the conlleval script reads it)
    precision P = |gold ∩ pred| / |pred|     recall R = |gold ∩ pred| / |gold|     F1 = 2PR / (P + R)

An entity counts only when its type and both ends match exactly. The baseline tags each token with
the tag it had most often in training (ties: the more frequent tag overall), and a token never seen
with the most frequent tag overall (normally ``O``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rnncast.errors import RnncastError

BIO = re.compile(r"^(O|[BI]-\S+)$")


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str] | None  # None: the file had no tag column
    line: int  # 1-based line number of the first token
    lines: list[int] = field(default_factory=list)  # the line of each token


def parse_conll(text: str, where: str = "input", need_tags: bool | None = True) -> list[Sentence]:
    """Sentences of a CoNLL text. need_tags: True (tags required), False (token only), None (either,
    the same for the whole file)."""
    sentences, tokens, tags, lines = [], [], [], []
    has_tags = None if need_tags is None else need_tags

    def flush():
        if tokens:
            sentences.append(Sentence(list(tokens), list(tags) if has_tags else None, lines[0], list(lines)))
            tokens.clear(), tags.clear(), lines.clear()

    for n, raw in enumerate(text.split("\n"), start=1):
        cols = raw.split()
        if not cols:
            flush()
            continue
        if cols[0] == "-DOCSTART-":
            flush()
            continue
        tagged = len(cols) >= 2
        if has_tags is None:
            has_tags = tagged
        if has_tags and not tagged:
            raise RnncastError(f"{where}: line {n}: expected a token and a tag separated by whitespace, "
                               f"got {raw.strip()!r}")
        if not has_tags and tagged and need_tags is None:
            raise RnncastError(f"{where}: line {n}: has {len(cols)} columns, but the lines before have one "
                               "(the token); use one layout for the whole file")
        if has_tags:
            if not BIO.match(cols[-1]):
                raise RnncastError(f"{where}: line {n}: tag {cols[-1]!r} is not a BIO tag (O, B-TYPE or I-TYPE)")
            tags.append(cols[-1])
        tokens.append(cols[0])
        lines.append(n)
    flush()
    if not sentences:
        raise RnncastError(f"{where} has no tokens")
    return sentences


def read_conll(source: str | Path, need_tags: bool | None = True) -> list[Sentence]:
    """Read a CoNLL file (or the bundled ``tags_sample``): UTF-8, not empty, not binary."""
    from rnncast.text.corpus import decode_utf8, resolve

    path = resolve(str(source), suffixes=(".conll",))
    if path.is_dir():
        raise RnncastError(f"{source} is a directory, expected a CoNLL file")
    return parse_conll(decode_utf8(path.read_bytes(), str(source)), str(source), need_tags)


def check_known_tags(sentences: list[Sentence], known, where: str) -> None:
    """Gold tags outside ``known`` (the tags seen in training) cannot be scored: a one-line error naming the first."""
    for s in sentences:
        for tag, line in zip(s.tags or [], s.lines, strict=False):
            if tag not in known:
                raise RnncastError(f"{where}: line {line}: tag {tag!r} was not seen in training "
                                   f"(the model knows {', '.join(sorted(known))})")


def format_conll(sentences: list[list[str]], *columns: list[list[str]]) -> str:
    """Token and tag columns, tab-separated, a blank line after each sentence."""
    out = []
    for i, tokens in enumerate(sentences):
        for j, tok in enumerate(tokens):
            out.append("\t".join([tok, *(col[i][j] for col in columns)]))
        out.append("")
    return "\n".join(out) + "\n"


def entities(tags: list[str]) -> set[tuple[str, int, int]]:
    """Spans (type, start, end exclusive) of a BIO tag sequence."""
    spans, kind, start = set(), None, 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, t = tag.partition("-")
        continues = prefix == "I" and t == kind
        if kind is not None and not continues:
            spans.add((kind, start, i))
            kind = None
        if prefix == "B" or (prefix == "I" and not continues):
            kind, start = t, i
    return spans


def scores(gold: list[list[str]], pred: list[list[str]]) -> dict:
    """Token accuracy and entity-level precision / recall / F1 (overall and per type)."""
    if len(gold) != len(pred) or any(len(g) != len(p) for g, p in zip(gold, pred, strict=True)):
        raise RnncastError("scores: gold and predicted tags must have the same sentences and lengths")
    n_tok = sum(len(g) for g in gold)
    correct = sum(a == b for g, p in zip(gold, pred, strict=True) for a, b in zip(g, p, strict=True))
    counts = defaultdict(lambda: [0, 0, 0])  # type -> [true positives, predicted, gold]
    for g, p in zip(gold, pred, strict=True):
        eg, ep = entities(g), entities(p)
        for kind, *_ in eg & ep:
            counts[kind][0] += 1
        for kind, *_ in ep:
            counts[kind][1] += 1
        for kind, *_ in eg:
            counts[kind][2] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {"token_accuracy": correct / n_tok if n_tok else 0.0, "tokens": n_tok, **_prf(*total),
            "per_type": {k: _prf(*counts[k]) for k in sorted(counts)}}


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "correct": tp, "predicted": n_pred, "gold": n_gold}


class MostFrequentTag:
    """Baseline: each token's most frequent training tag; unseen tokens get the most frequent tag overall."""

    def fit(self, sentences: list[Sentence]) -> MostFrequentTag:
        by_token, overall = defaultdict(Counter), Counter()
        for s in sentences:
            for tok, tag in zip(s.tokens, s.tags, strict=True):
                by_token[tok][tag] += 1
                overall[tag] += 1
        rank = {tag: i for i, (tag, _) in enumerate(overall.most_common())}
        self.default_ = overall.most_common(1)[0][0]
        self.table_ = {tok: min(c, key=lambda t: (-c[t], rank[t])) for tok, c in by_token.items()}
        return self

    def predict(self, tokens: list[str]) -> list[str]:
        return [self.table_.get(tok, self.default_) for tok in tokens]
