"""Multi-step forecasts from origins, for the three strategies (in scaled units of the target).

For each origin o of a series (rows < o are history, o ≤ T), with input rows A (see ``samples``):

    direct:     ŷ[o : o+H] = net(A[o-L : o])                          one pass, H outputs
    recursive,  for h = 0 … H-1:                                       one-to-many: each forecast
    seq2seq:        p̂ = net(B[h : h+L])   (last step for seq2seq)      is fed back as the next
                    B[L+h, :F] = p̂;   ŷ[o+h] = p̂[target]               input row

where B starts as A[o-L : o+H] (its covariate part already holds the known future). All origins of
a call are forecast together as one batch.
"""

from __future__ import annotations

import numpy as np

from rnncast.data.windows import sliding_windows
from rnncast.errors import RnncastError
from rnncast.training import engines


def net_forecasts(engine: str, net, strategy: str, rows: np.ndarray, origins: np.ndarray, L: int, H: int,
                  n_past: int, n_quantiles: int = 0) -> np.ndarray:
    """Scaled target forecasts ``(n_origins, H)`` (or ``(n_origins, H, Q)`` with quantile outputs)."""
    origins = np.asarray(origins)
    if origins.size and origins.min() < L:  # a negative window start would silently index from the end
        raise RnncastError(f"a forecast origin at row {int(origins.min())} has fewer than seq_length={L} rows"
                           f" before it")
    if strategy == "direct":
        X = np.ascontiguousarray(sliding_windows(rows, L)[origins - L])  # (n, L, F + K)
        out = engines.predict(engine, net, X)  # (n, H) or (n, H * Q)
        return out.reshape(len(origins), H, n_quantiles) if n_quantiles else out
    need = int(origins.max()) + H
    if need > len(rows):  # the last rows only ever receive forecasts
        rows = np.vstack([rows, np.zeros((need - len(rows), rows.shape[1]), rows.dtype)])
    B = sliding_windows(rows, L + H)[origins - L].copy()  # (n, L + H, F + K)
    out = np.empty((len(origins), H), dtype=np.float64)
    for h in range(H):
        step = engines.predict(engine, net, np.ascontiguousarray(B[:, h : h + L]))  # (n, F) or (n, L, F)
        if step.ndim == 3:
            step = step[:, -1]
        B[:, L + h, :n_past] = step
        out[:, h] = step[:, n_past - 1]
    return out
