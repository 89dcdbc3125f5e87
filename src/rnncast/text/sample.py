"""Sampling from a character language model: the lecture's one-to-many structure.

The prime is read one character at a time (warming up h), then each drawn character is fed back
in as the next input::

    h[t] = f(h[t-1], E x[t])            p = softmax((U h[t] + b_2) / T)            x[t+1] ~ p

The temperature T sharpens (T < 1) or flattens (T > 1) the distribution; T = 0 takes the most
likely character every time (greedy). Draws use NumPy's generator seeded with ``seed`` (inverse
CDF on one uniform number per character), so a seed gives the same text on the same engine.
"""

from __future__ import annotations

import numpy as np

from rnncast.errors import RnncastError
from rnncast.text.vocab import Vocab


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    """p = softmax(logits / T) in float64 (logits (V,))."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z -= z.max()
    p = np.exp(z)
    return p / p.sum()


def sample(model, vocab: Vocab, prime: str, length: int, temperature: float = 1.0, seed: int | None = 0) -> str:
    """The ``length`` characters that follow ``prime`` (the prime itself is not repeated)."""
    if not prime:
        raise RnncastError("--prime must have at least one character (the first input)")
    if length < 0:
        raise RnncastError(f"--length must be zero or positive, got {length}")
    if not (temperature >= 0 and np.isfinite(temperature)):
        raise RnncastError(f"--temperature must be zero (greedy) or positive, got {temperature}")
    ids = vocab.encode(prime, what="--prime")
    rng = np.random.default_rng(seed)
    model.start(1)
    for i in ids[:-1]:
        model.step([i])  # warm up the state on the prime
    out = []
    current = ids[-1]
    for _ in range(length):
        logits = model.step([current])[0]  # (V,)
        if temperature == 0:
            current = int(np.argmax(logits))
        else:
            cdf = np.cumsum(softmax(logits, temperature))
            current = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), len(vocab) - 1)
        out.append(current)
    return vocab.decode(out)
