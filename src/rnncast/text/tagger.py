"""A per-token tagger (named-entity recognition): the lecture's many-to-many RNN, torch engine.

For the tokens w_1..w_L of a sentence, each step reads the token and its shape and emits a tag::

    e_t  = [E_w w_t ; E_s shape(w_t)]                     word (lower-cased) and shape embeddings
    h→_t = f(h→_{t-1}, e_t)   (h←_t = f(h←_{t+1}, e_t))   RNN / LSTM / GRU, the backward one optional
    ŷ_t  = softmax(U [h→_t ; h←_t] + b)  over the tags    loss = mean_t -log ŷ_t[tag_t]

The shape (``Xx``, ``x``, ``X``, ``d``, ``.`` ...) lets a capitalised word never seen in training
still look like a name; word dropout (a training token replaced by <unk> with probability p) teaches
the net what to do with unseen words. Sentences are padded to a batch and packed, so the backward
direction starts at each sentence's own last token. Predictions are the most likely *valid* BIO
sequence (Viterbi over log ŷ_t: I-X only right after B-X or I-X), so every entity is well formed.
Parameters: ``embed.weight``, ``shape_embed.weight``, ``rnn.weight_ih_l0`` (and ``..._reverse``),
..., ``fc.weight``, ``fc.bias``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnncast.errors import RnncastError
from rnncast.text.conll import Sentence, check_known_tags
from rnncast.text.rundir import FORMAT_VERSION, read_config

LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
PAD, UNK = "<pad>", "<unk>"
SHAPES = [PAD, "Xx", "x", "X", "d", ".", "mixed"]


def shape(token: str) -> str:
    """A coarse word shape: Xx capitalised, x lower, X upper, d digits, . punctuation, mixed otherwise."""
    if token.isdigit():
        return "d"
    if not any(c.isalnum() for c in token):
        return "."
    if token.isalpha():
        if token.islower():
            return "x"
        if token.isupper() and len(token) > 1:
            return "X"
        if token[0].isupper() and (len(token) == 1 or token[1:].islower()):
            return "Xx"
    return "mixed"


@dataclass
class TagSpec:
    kind: str = "lstm"
    bidirectional: bool = True
    embed_size: int = 32
    shape_size: int = 8
    hidden_size: int = 64
    num_layers: int = 1
    epochs: int = 30
    batch_size: int = 8
    lr: float = 0.01
    clip: float | None = 5.0
    word_dropout: float = 0.2
    test_size: float = 0.2
    seed: int = 0

    def check(self) -> TagSpec:
        if self.kind not in LAYERS:
            raise RnncastError(f"model: expected one of {', '.join(LAYERS)}, got {self.kind!r}")
        for name in ("embed_size", "shape_size", "hidden_size", "num_layers", "epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise RnncastError(f"--{name.replace('_', '-')} must be a positive integer, got {value!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise RnncastError(f"--lr must be a positive number, got {self.lr}")
        if not 0 <= self.word_dropout < 1:
            raise RnncastError(f"--word-dropout must lie in [0, 1), got {self.word_dropout}")
        if not 0 <= self.test_size < 1:
            raise RnncastError(f"--test-size must lie in [0, 1), got {self.test_size}")
        return self


class TaggerNet(nn.Module):
    def __init__(self, spec: TagSpec, n_words: int, n_tags: int):
        super().__init__()
        self.embed = nn.Embedding(n_words, spec.embed_size, padding_idx=0)
        self.shape_embed = nn.Embedding(len(SHAPES), spec.shape_size, padding_idx=0)
        self.rnn = LAYERS[spec.kind](spec.embed_size + spec.shape_size, spec.hidden_size, num_layers=spec.num_layers,
                                     batch_first=True, bidirectional=spec.bidirectional)
        self.fc = nn.Linear(spec.hidden_size * (2 if spec.bidirectional else 1), n_tags)

    def forward(self, words, shapes, lengths):
        """words, shapes (N, L) padded ids, lengths (N,) -> tag scores (N, L, n_tags)."""
        x = torch.cat([self.embed(words), self.shape_embed(shapes)], dim=-1)  # (N, L, d + s)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=words.shape[1])  # (N, L, D*H)
        return self.fc(out)  # (N, L, n_tags)


class Tagger:
    """fit(sentences) / predict(list of token lists) / save(dir) / load(dir)."""

    def __init__(self, spec: TagSpec | None = None):
        self.spec = spec or TagSpec()

    def encode(self, sentences: list[list[str]], tags: list[list[str]] | None = None, drop=None):
        """A padded batch: word ids, shape ids, lengths and tag ids (-100 at the padding), each ``(N, L)``
        but lengths ``(N,)``; ``drop``: a uniform generator for word dropout (unseen-word practice)."""
        L = max(len(s) for s in sentences)
        words = np.zeros((len(sentences), L), dtype=np.int64)  # (N, L), 0 = <pad>
        shapes = np.zeros_like(words)
        target = np.full_like(words, -100)  # ignored by cross_entropy at the padding
        for i, toks in enumerate(sentences):
            words[i, : len(toks)] = [self.words_.get(t.lower(), 1) for t in toks]
            shapes[i, : len(toks)] = [SHAPES.index(shape(t)) for t in toks]
            if tags is not None:
                target[i, : len(toks)] = [self.tag_index_[t] for t in tags[i]]
        if drop is not None:
            words[(words > 1) & (drop(words.shape) < self.spec.word_dropout)] = 1  # word dropout -> <unk>
        lengths = torch.tensor([len(s) for s in sentences])
        return torch.from_numpy(words), torch.from_numpy(shapes), lengths, torch.from_numpy(target)

    def fit(self, sentences: list[Sentence], progress: bool = False) -> Tagger:
        spec = self.spec.check()
        vocab = sorted({t.lower() for s in sentences for t in s.tokens})
        self.words_ = {w: i for i, w in enumerate([PAD, UNK, *vocab])}
        self.tags_ = sorted({t for s in sentences for t in s.tags})
        self.tag_index_ = {t: i for i, t in enumerate(self.tags_)}
        torch.manual_seed(spec.seed)
        self.net_ = TaggerNet(spec, len(self.words_), len(self.tags_))
        from rnncast.training.loop import Schedule, run

        schedule = Schedule(spec.epochs, "epoch", spec.lr, batch_size=spec.batch_size)
        done = run(_TaggerSteps(self, sentences), len(sentences), schedule, progress)
        self.losses_, self.train_seconds_ = done.losses, done.seconds
        return self

    def predict(self, sentences: list[list[str]], batch: int = 64) -> list[list[str]]:
        out = []
        self.net_.eval()
        with torch.no_grad():
            for b in range(0, len(sentences), batch):
                chunk = sentences[b : b + batch]
                words, shapes, lengths, _ = self.encode(chunk)
                logp = torch.log_softmax(self.net_(words, shapes, lengths), -1).numpy()  # (N, L, n_tags)
                out += [[self.tags_[k] for k in bio_decode(logp[i, : len(s)], self.tags_)] for i, s in enumerate(chunk)]
        return out

    def check_tags(self, sentences: list[Sentence], where: str) -> None:
        """Gold tags the model never saw in training cannot be scored: a one-line error naming the first."""
        check_known_tags(sentences, self.tag_index_, where)

    def save(self, out: Path, metrics: dict, extra: dict, files: dict[str, str] | None = None, inputs=(),
             force: bool = False) -> None:
        """The run directory, atomically; it replaces only a tagger run rnncast wrote."""
        from safetensors.torch import save

        from rnncast import atomic, outputs
        from rnncast.version import __version__

        config = {"format_version": FORMAT_VERSION, "rnncast_version": __version__, "task": "tagger",
                  "engine": "torch", "model": asdict(self.spec), **extra}
        with atomic.directory(out, outputs.TAGGER_RUN, inputs, force) as stage:
            stage.write_text("vocab.json", json.dumps({"words": list(self.words_), "tags": self.tags_},
                                                      ensure_ascii=False, indent=1) + "\n")
            stage.write_config(config)
            stage.write_bytes("model.safetensors",
                              save({k: v.detach().clone() for k, v in self.net_.state_dict().items()}))
            stage.write_text("metrics.json", json.dumps(metrics, indent=2) + "\n")
            for name, text in (files or {}).items():
                stage.write_text(name, text)

    @classmethod
    def load(cls, run_dir: str | Path) -> Tagger:
        from safetensors import SafetensorError
        from safetensors.torch import load

        run, config = read_config(run_dir, "tagger", "tagger")
        try:
            vocab = json.loads((run / "vocab.json").read_text(encoding="utf-8"))
            spec = TagSpec(**config["model"])
            words, tags = vocab["words"], vocab["tags"]
        except (ValueError, KeyError, TypeError):
            raise RnncastError(f"{run_dir}: config.json or vocab.json is damaged or not a tagger run's") from None
        self = cls(spec)
        self.words_ = {w: i for i, w in enumerate(words)}
        self.tags_, self.tag_index_ = list(tags), {t: i for i, t in enumerate(tags)}
        self.net_ = TaggerNet(spec, len(words), len(tags))
        try:
            state = load((run / "model.safetensors").read_bytes())
            self.net_.load_state_dict(state)
        except (SafetensorError, RuntimeError, ValueError) as exc:
            raise RnncastError(f"{run / 'model.safetensors'} is damaged or does not fit config.json: "
                               f"{str(exc).splitlines()[0]}") from None
        self.net_.eval()
        return self


def bio_decode(logp: np.ndarray, tags: list[str]) -> list[int]:
    """The tag sequence with the highest sum of log-probabilities among valid BIO sequences (Viterbi):
    I-X only right after B-X or I-X. logp (L, n_tags) -> L tag indices."""
    allowed = np.array([[not b.startswith("I-") or a[2:] == b[2:] and a[0] in "BI" for b in tags] for a in tags])
    start_ok = np.array([not t.startswith("I-") for t in tags])  # (n_tags,)
    score = np.where(start_ok, logp[0], -np.inf)  # (n_tags,) best score of a path ending in each tag
    back = []
    for t in range(1, len(logp)):
        cand = np.where(allowed, score[:, None], -np.inf)  # (prev, next)
        back.append(cand.argmax(0))
        score = cand.max(0) + logp[t]
    path = [int(score.argmax())]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    return path[::-1]


def split(sentences: list[Sentence], test_size: float, seed: int):
    """A seeded random split of whole sentences: (train, test); test is empty for test_size 0."""
    n_test = int(round(len(sentences) * test_size))
    if test_size > 0 and n_test < 1:
        raise RnncastError(f"--test-size {test_size} leaves no test sentence out of {len(sentences)}")
    if len(sentences) - n_test < 1:
        raise RnncastError(f"no training sentence left out of {len(sentences)}")
    order = np.random.default_rng(seed).permutation(len(sentences))
    return [sentences[i] for i in sorted(order[n_test:])], [sentences[i] for i in sorted(order[:n_test])]


def train_and_evaluate(train: list[Sentence], test: list[Sentence], spec: TagSpec, progress: bool = False):
    """Fit the tagger and the most-frequent-tag baseline on ``train``, score both on ``test``.

    Returns (tagger, metrics, predictions on test)."""
    from rnncast.text.conll import MostFrequentTag, scores

    tagger = Tagger(spec).fit(train, progress=progress)
    metrics = {"model": spec.kind, "bidirectional": spec.bidirectional, "train_sentences": len(train),
               "test_sentences": len(test), "train_seconds": tagger.train_seconds_,
               "final_train_loss": tagger.losses_[-1], "test": None}
    pred = []
    if test:
        baseline = MostFrequentTag().fit(train)
        pred = tagger.predict([s.tokens for s in test])
        gold = [s.tags for s in test]
        ours, base = scores(gold, pred), scores(gold, [baseline.predict(s.tokens) for s in test])
        metrics["test"] = {"tagger": ours, "most_frequent_tag": base}
        metrics["beats_baseline"] = {"token_accuracy": ours["token_accuracy"] >= base["token_accuracy"],
                                     "f1": ours["f1"] >= base["f1"]}
    return tagger, metrics, pred


class _TaggerSteps:
    """The tagger as the shared loop's stepper: shuffled epochs of sentence batches, word dropout,
    the mean cross-entropy over the real tokens (padding ignored), clipped Adam steps."""

    has_validation = False

    def __init__(self, tagger: Tagger, sentences: list[Sentence]):
        from rnncast.training.optim import FlatAdam

        self.tagger, self.sentences, self.spec = tagger, sentences, tagger.spec
        self.optimizer = FlatAdam(tagger.net_.parameters(), lr=self.spec.lr)
        self.rng = np.random.default_rng(self.spec.seed)  # the epochs' orders and the word dropout
        tagger.net_.train()

    def permutation(self, n: int) -> np.ndarray:
        return self.rng.permutation(n)

    def step(self, idx) -> float:
        chunk = [self.sentences[i] for i in idx]
        words, shapes, lengths, target = self.tagger.encode([s.tokens for s in chunk], [s.tags for s in chunk],
                                                            drop=self.rng.random)
        self.optimizer.zero_grad()
        scores = self.tagger.net_(words, shapes, lengths)  # (N, L, n_tags)
        loss = F.cross_entropy(scores.reshape(-1, scores.shape[-1]), target.reshape(-1))
        loss.backward()
        if self.spec.clip is not None:
            self.optimizer.clip_grad_norm(self.spec.clip)
        self.optimizer.step()
        return loss.item()

    def finish(self) -> None:
        self.tagger.net_.eval()
