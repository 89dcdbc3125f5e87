"""Epoch orders for panels with millions of windows: a random permutation of ``range(n)`` computed batch
by batch, never held as n numbers.

``torch.randperm(n)`` holds n integers for the whole epoch (4 bytes each as int32: as much memory as
one float32 value per window, for 20 million windows 80 MB). ``FeistelOrder`` is a keyed bijection
instead: write x < 2^(2k) as two k-bit halves (L, R) and apply four Feistel rounds

    (L, R) ← (R, L ⊕ F(R, key_r))           F(R, key) = mix(R ⊕ key) mod 2^k

which permute the 2^(2k) values for any round function F; values ≥ n are sent through the rounds
again ("cycle walking") until they land below n, which makes the map a permutation of range(n).
Position p of the epoch is ``order[p]``; a batch ``order[b : b + B]`` costs B numbers. The keys come
from the stepper's seeded generator, so a seed fixes the order, and a checkpoint that restores the
generator redraws it. Below ``LAZY_MIN`` samples rnncast keeps ``randperm`` (its results unchanged).
"""

from __future__ import annotations

import numpy as np

LAZY_MIN = 2**22  # samples from which an epoch's order is computed per batch
_ROUNDS = 4


class FeistelOrder:
    """A seeded random permutation of ``range(n)``; ``order[a:b]`` (or an index array) computes positions."""

    def __init__(self, n: int, keys):
        if n < 1:
            raise ValueError(f"an order needs at least one position, got n={n}")
        self.n = int(n)
        bits = max(2, (self.n - 1).bit_length())
        self.half = (bits + 1) // 2
        self.mask = np.uint64((1 << self.half) - 1)
        self.keys = np.asarray(keys, dtype=np.uint64)[:_ROUNDS]

    def __len__(self) -> int:
        return self.n

    def _mix(self, r: np.ndarray, key: np.uint64) -> np.ndarray:
        z = (r ^ key) * np.uint64(0x9E3779B97F4A7C15)  # splitmix64's constants: every input bit reaches the top
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) & self.mask

    def _rounds(self, x: np.ndarray) -> np.ndarray:
        left, right = x >> np.uint64(self.half), x & self.mask
        for key in self.keys:
            left, right = right, left ^ self._mix(right, key)
        return (left << np.uint64(self.half)) | right

    def __getitem__(self, idx) -> np.ndarray:
        if isinstance(idx, slice):
            positions = np.arange(*idx.indices(self.n), dtype=np.uint64)
        else:
            positions = np.asarray(idx, dtype=np.uint64)
        with np.errstate(over="ignore"):  # the multiplications wrap around 2^64 on purpose
            out = self._rounds(positions)
            outside = out >= self.n
            while outside.any():
                out[outside] = self._rounds(out[outside])
                outside = out >= self.n
        return out.astype(np.int64)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self[:]
        return out if dtype is None else out.astype(dtype)
