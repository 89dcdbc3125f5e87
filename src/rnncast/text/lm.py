"""Training a character language model, the same loop for both engines.

The model (rnncast.text.torch_lm.CharLM, or rnncast.scratch.lm.ScratchLM for ``engine="numpy"``)::

    e[t] = E x[t]       h[t] = tanh(W_h h[t-1] + W_e e[t] + b_1)       y[t] = softmax(U h[t] + b_2)

Each step draws ``batch_size`` windows at random start positions of the training text (inputs
c[s:s+L], targets c[s+1:s+L+1], see corpus.py) and takes one Adam step on the mean cross-entropy
over all N*L positions, with the gradient's global norm clipped (truncated BPTT: every window
starts from h = 0, so gradients reach back at most L steps). Every ``eval_every`` steps the
validation cross-entropy is measured; the weights with the lowest one are kept. Numbers::

    H = mean over predicted characters of -log p(c_t | c_<t)   (nats)    perplexity = exp(H)
    bits per character = H / ln 2

The window draws come from NumPy's generator seeded with ``seed``, and the initial weights from the
seed too, so a run on CPU repeats exactly (``budget``, a wall-clock limit, is the exception).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from rnncast.errors import RnncastError
from rnncast.text.corpus import eval_windows, perplexity, windows

KINDS = ("rnn", "lstm", "gru")
ENGINES = ("torch", "numpy")
VAL_CHARS_DURING_TRAINING = 50_000  # the periodic checks read at most this much of the validation text


@dataclass
class LMSpec:
    """Model and training settings (stored in config.json)."""

    kind: str = "lstm"
    embed_size: int = 32
    hidden_size: int = 128
    num_layers: int = 1
    seq_length: int = 64
    batch_size: int = 32
    lr: float = 3e-3
    clip: float | None = 5.0
    iterations: int = 1000
    budget: float | None = None  # seconds of training, wall clock; stops early when reached
    eval_every: int = 100
    val_size: float = 0.1
    seed: int = 0
    engine: str = "torch"

    def check(self) -> LMSpec:
        if self.kind not in KINDS:
            raise RnncastError(f"model: expected one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.engine not in ENGINES:
            raise RnncastError(f"engine: expected one of {', '.join(ENGINES)}, got {self.engine!r}")
        for name in ("embed_size", "hidden_size", "num_layers", "seq_length", "batch_size", "iterations",
                     "eval_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise RnncastError(f"--{name.replace('_', '-')} must be a positive integer, got {value!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise RnncastError(f"--lr must be a positive number, got {self.lr}")
        if self.clip is not None and not self.clip > 0:
            raise RnncastError(f"--clip must be positive, got {self.clip}")
        if self.budget is not None and not self.budget > 0:
            raise RnncastError(f"--budget must be a positive number of seconds, got {self.budget}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)


class NumpyLM:
    """The NumPy engine (rnncast.scratch.lm.ScratchLM + scratch Adam) behind the loop's interface."""

    engine = "numpy"

    def __init__(self, kind, vocab_size, embed_size, hidden_size, num_layers=1, dtype=np.float32, seed=0):
        from rnncast.scratch.lm import ScratchLM

        self.dtype = np.dtype(dtype)
        self.module = ScratchLM(kind=kind, vocab_size=vocab_size, embed_size=embed_size, hidden_size=hidden_size,
                                num_layers=num_layers, dtype=dtype, seed=seed)
        self.optimizer, self.clip = None, None

    def configure(self, lr: float, clip: float | None) -> None:
        from rnncast.scratch.optim import Adam

        self.optimizer, self.clip = Adam(lr=lr), clip

    def train_step(self, ids, targets) -> float:
        return self.module.train_step(ids, targets, self.optimizer, self.clip)

    def loss(self, ids, targets) -> float:
        return self.module.loss(ids, targets)

    def start(self, n: int = 1) -> None:
        self.module.start(n)

    def step(self, ids) -> np.ndarray:
        return self.module.step(ids)

    def state_dict(self) -> dict[str, np.ndarray]:
        return self.module.state_dict()

    def load_state_dict(self, state) -> None:
        self.module.load_state_dict(state)


def build(engine: str, kind: str, vocab_size: int, embed_size: int, hidden_size: int, num_layers: int = 1,
          dtype=np.float32, seed: int = 0):
    """A freshly initialised language model for ``engine``; torch is imported only for ``"torch"``."""
    if engine == "numpy":
        cls = NumpyLM
    elif engine == "torch":
        from rnncast.text.torch_lm import TorchLM as cls
    else:
        raise RnncastError(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    if kind not in KINDS:
        raise RnncastError(f"model: expected one of {', '.join(KINDS)}, got {kind!r}")
    return cls(kind, vocab_size, embed_size, hidden_size, num_layers, dtype=dtype, seed=seed)


def evaluate(model, ids: np.ndarray, seq_length: int, batch: int = 256) -> float:
    """Mean cross-entropy (nats per character) of predicting ids[1:], reading ids in windows of L."""
    total, count = 0.0, 0
    for X, Y in eval_windows(ids, seq_length):
        for b in range(0, len(X), batch):
            x, y = X[b : b + batch], Y[b : b + batch]  # (n, l)
            total += model.loss(x, y) * y.size
            count += y.size
    return total / count


@dataclass
class LMResult:
    losses: list[float] = field(default_factory=list)  # training cross-entropy per step
    val_points: list[tuple[int, float]] = field(default_factory=list)  # (step, validation cross-entropy)
    best_step: int | None = None
    steps: int = 0
    seconds: float = 0.0  # time spent in training steps (evaluation excluded)
    chars_per_second: float = 0.0  # predicted characters per second of training
    stopped_by_budget: bool = False


def train(model, train_ids: np.ndarray, val_ids: np.ndarray | None, spec: LMSpec, progress: bool = False) -> LMResult:
    """Train ``model`` in place in the shared loop (``rnncast.training.loop.run``); returns the curves.
    The kept weights are the best on validation."""
    from rnncast.training.loop import Schedule, run

    spec.check()
    steps = LMSteps(model, train_ids, val_ids, spec)
    schedule = Schedule(spec.iterations, "step", spec.lr, validate_every=spec.eval_every, score_untrained=False,
                        budget=spec.budget)
    done = run(steps, len(steps.X), schedule, progress)
    result = LMResult(losses=done.losses, val_points=list(zip(done.val_rounds, done.val_losses, strict=True)),
                      best_step=done.best_step, steps=done.steps, seconds=done.step_seconds,
                      stopped_by_budget=done.stopped_by_budget)
    result.chars_per_second = result.steps * spec.batch_size * spec.seq_length / max(result.seconds, 1e-9)
    return result


class LMSteps:
    """The language model as the loop's stepper: each step one Adam step on ``batch_size`` windows
    drawn at random start positions (with replacement) of the training text."""

    def __init__(self, model, train_ids: np.ndarray, val_ids: np.ndarray | None, spec: LMSpec):
        model.configure(spec.lr, spec.clip)
        self.model, self.spec = model, spec
        self.X, self.Y = windows(train_ids, spec.seq_length)  # (N, L) views: every start position
        self.val = None if val_ids is None else val_ids[:VAL_CHARS_DURING_TRAINING]
        self.has_validation = self.val is not None
        self.rng = np.random.default_rng(spec.seed)

    def step(self, idx) -> float:
        idx = self.rng.integers(0, len(self.X), size=self.spec.batch_size)  # the loop's idx is None: a draw
        return self.model.train_step(self.X[idx], self.Y[idx])  # (B, L) copies

    def val_loss(self) -> float:
        return evaluate(self.model, self.val, self.spec.seq_length)

    def snapshot(self) -> dict:
        return self.model.state_dict()

    def restore(self, state: dict) -> None:
        self.model.load_state_dict(state)

    def finish(self) -> None:
        pass

    @staticmethod
    def describe(loss: float, val_loss: float | None) -> str:
        text = f"loss {loss:.3f} ppl {perplexity(loss):.2f}"
        return text if val_loss is None else f"{text} val {val_loss:.3f} ppl {perplexity(val_loss):.2f}"
