"""``normalize="last"`` for the NumPy engine: the network reads each window relative to its last row and
adds that row back to its output, so a zero output layer forecasts "no change" (the naive forecast).

With P past features (the first P input columns, target last) and window x (N, L, F):

    x'[:, t, :P] = x[:, t, :P] - x[:, L-1, :P]             (the other columns unchanged)
    ŷ = net(x') + a,   a = x[:, L-1, P-1]   (anchor "target": the last target value, to every output)
                       a = x[:, L-1, :P]    (anchor "features": the whole last row)
                       a_t = x[:, t, :P]    (many-to-many: each step's own row)
                       a_k = x[:, L-lag_k, P-1]  (``normalize="season"``: output k on its seasonal-naive
                                                  value, ``lags`` from ``rnncast.specs.anchor_lags``)
                       a_k = a + f·(a_k - a),  f = x[:, L-1, flag_col]   (``normalize="auto"``: f is 1 for
                                                  a series that passed the seasonality test, else 0)

The anchor holds no parameters, so backward is the wrapped net's backward unchanged: ∂ŷ/∂θ = ∂net/∂θ.
Forecasts (``predict``, not the training ``forward``) keep the share α = ``shrink`` of the correction,
ŷ = α·net(x') + a (``ModelSpec.shrink``; torch's eval mode). The same arithmetic as
``rnncast.models.nets.RecurrentNet`` with ``normalize="last"``.
"""

from __future__ import annotations

import numpy as np


class LastAnchored:
    """A ``ScratchNet`` with windows read relative to their last row and a zero-initialised output layer."""

    def __init__(self, net, n_past: int, anchor: str = "target", zero_init: bool = True, lags=None,
                 shrink: float = 1.0, flag_col: int | None = None):
        self.net, self.n_past, self.anchor, self.shrink, self.flag_col = net, n_past, anchor, shrink, flag_col
        self.lags = None if lags is None else np.asarray(lags, dtype=np.int64)
        if zero_init:
            net.params["fc.weight"][...] = 0.0
            net.params["fc.bias"][...] = 0.0

    def __getattr__(self, name):  # parameters, gradients, state dicts, dtype: the wrapped net's
        return getattr(self.net, name)

    def forward(self, x: np.ndarray, share: float = 1.0) -> np.ndarray:
        P = self.n_past
        past = x[:, :, :P]  # (N, L, P)
        last = past[:, -1:, :]  # (N, 1, P)
        relative = np.concatenate([past - last, x[:, :, P:]], axis=-1)  # (N, L, F)
        y = self.net.forward(relative)
        if share != 1.0:
            y = share * y
        if y.ndim == 3:  # many-to-many: each step relative to its own row
            return y + past
        if self.lags is not None:
            seasonal = past[:, past.shape[1] - self.lags, P - 1]
            if self.flag_col is None:
                return y + seasonal
            level, flag = last[:, 0, P - 1 : P], x[:, -1, self.flag_col : self.flag_col + 1]
            return y + level + flag * (seasonal - level)
        return y + (last[:, 0] if self.anchor == "features" else last[:, 0, P - 1 : P])

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Forecasts: the share ``shrink`` of the correction on the anchor."""
        return self.forward(x, self.shrink)

    def backward(self, dout: np.ndarray):
        return self.net.backward(dout)
