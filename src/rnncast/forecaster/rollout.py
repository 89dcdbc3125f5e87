"""Multi-step forecasts from origins, for the three strategies (in scaled units of the target).

For each origin o of a series (rows < o are history, o ≤ T), with input rows A (see ``samples``):

    direct:     ŷ[o : o+H] = net(A[o-L : o])                          one pass, H outputs
    recursive,  for h = 0 … H-1:                                       one-to-many: each forecast
    seq2seq:        p̂ = net(B[h : h+L])   (last step for seq2seq)      is fed back as the next
                    B[L+h, :F] = p̂;   ŷ[o+h] = p̂[target]               input row

where B starts as A[o-L : o+H] (its covariate part already holds the known future). ``origin_windows``
cuts one series' inputs, ``rollout`` forecasts any stack of them: the origins of many series go through
the network together, ``CHUNK`` windows per call (``Forecaster.forecast_panel``).
"""

from __future__ import annotations

import numpy as np

from rnncast.data.windows import sliding_windows
from rnncast.errors import RnncastError
from rnncast.training import engines

CHUNK = 16384  # windows per network call: many series' origins forecast together, memory bounded


def origin_windows(strategy: str, rows: np.ndarray, origins: np.ndarray, L: int, H: int) -> np.ndarray:
    """The inputs of one series' forecasts from ``origins``: ``A[o-L : o]`` for direct, ``(n, L, F + K)``;
    ``A[o-L : o+H]`` for recursive/seq2seq, ``(n, L + H, F + K)``, whose last H rows the rollout fills."""
    origins = np.asarray(origins)
    if origins.size and origins.min() < L:  # a negative window start would silently index from the end
        raise RnncastError(f"a forecast origin at row {int(origins.min())} has fewer than seq_length={L} rows"
                           f" before it")
    if strategy == "direct":
        return sliding_windows(rows, L)[origins - L]
    need = int(origins.max()) + H if origins.size else 0
    if need > len(rows):  # the last rows only ever receive forecasts
        rows = np.vstack([rows, np.zeros((need - len(rows), rows.shape[1]), rows.dtype)])
    return sliding_windows(rows, L + H)[origins - L]


def rollout(engine: str, net, strategy: str, windows: np.ndarray, L: int, H: int, n_past: int,
            n_quantiles: int = 0) -> np.ndarray:
    """Scaled target forecasts ``(n, H)`` (or ``(n, H, Q)``) from ``origin_windows`` of any number of
    series stacked together, ``CHUNK`` windows per network call."""
    n = len(windows)
    if strategy == "direct":
        parts = [engines.predict(engine, net, np.ascontiguousarray(windows[a : a + CHUNK]))
                 for a in range(0, n, CHUNK)]
        out = np.concatenate(parts) if parts else np.empty((0, H * max(n_quantiles, 1)), np.float32)
        return out.reshape(n, H, n_quantiles) if n_quantiles else out
    out = np.empty((n, H), dtype=np.float64)
    for a in range(0, n, CHUNK):
        B = np.array(windows[a : a + CHUNK])  # (c, L + H, F + K), a copy the steps write into
        for h in range(H):
            step = engines.predict(engine, net, np.ascontiguousarray(B[:, h : h + L]))  # (c, F) or (c, L, F)
            if step.ndim == 3:
                step = step[:, -1]
            B[:, L + h, :n_past] = step
            out[a : a + len(B), h] = step[:, n_past - 1]
    return out


def net_forecasts(engine: str, net, strategy: str, rows: np.ndarray, origins: np.ndarray, L: int, H: int,
                  n_past: int, n_quantiles: int = 0) -> np.ndarray:
    """One series: scaled target forecasts ``(n_origins, H)`` (or ``(n_origins, H, Q)``)."""
    windows = origin_windows(strategy, rows, origins, L, H)
    return rollout(engine, net, strategy, windows, L, H, n_past, n_quantiles)
