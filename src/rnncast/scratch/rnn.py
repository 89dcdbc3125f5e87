"""Vanilla (Elman) RNN layer in NumPy, forward and backward through time, same math as torch.nn.RNN.

For each step t, with the batch along the columns (see layers.py) and h[-1] = 0::

    h[t] = f(W_xh @ x[t] + b_xh + W_hh @ h[t-1] + b_hh)

with f = tanh (the lecture's choice), sigmoid or relu. This is the lecture's
``h_t = tanh(X_t W_xh + h_{t-1} W_hh + b)`` and min-char-rnn's
``hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t-1] + bh)``, with torch's weight layout and its bias split
in two (b_xh + b_hh). The input part ``ax[t] = W_xh @ x[t] + b_xh + b_hh`` is computed for every
step at once before the loop, so a step is one small matmul and f.

Glossary: N batch size, T steps, F input features, H hidden size.
x[t] (F, N) input at step t; h[t] (H, N) hidden state; a[t] (H, N) the pre-activation.

Backward, with dh the total gradient reaching h[t] (from above and from step t+1)::

    da[t]   = dh * f'(a[t])        tanh: 1 - h^2   sigmoid: h (1 - h)   relu: 1[h > 0]
    dh_next = W_hh.T @ da[t]       (flows to step t-1)

and after the loop (layers.py): dW_xh = sum_t da[t] @ x[t].T, dW_hh = sum_t da[t] @ h[t-1].T,
db_xh = db_hh = sum da, dx[t] = W_xh.T @ da[t].

Why tanh: its derivative is at most 1 (sigmoid's at most 0.25), so gradients through many steps
shrink more slowly; relu's can grow without bound as the state is fed back (see the lecture).
"""

import numpy as np

from rnncast.errors import RnncastError
from rnncast.scratch.layers import Recurrent, sigmoid

NONLINEARITIES = ("tanh", "sigmoid", "relu")


class RNNLayer(Recurrent):
    """One vanilla RNN layer: ``h[t] = f(W_xh @ x[t] + b_xh + W_hh @ h[t-1] + b_hh)``."""

    n_gates = 1

    def __init__(self, input_size, hidden_size, rng, dtype=np.float64, nonlinearity="tanh"):
        if nonlinearity not in NONLINEARITIES:
            choices = ", ".join(NONLINEARITIES)
            raise RnncastError(f"nonlinearity: expected one of {choices}, got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, rng, dtype)

    def _f(self, a, out):
        if self.nonlinearity == "tanh":
            return np.tanh(a, out=out)
        if self.nonlinearity == "sigmoid":
            return sigmoid(a, out=out)
        return np.maximum(a, 0, out=out)

    def _df(self, h):
        """f'(a) written with the output h = f(a)."""
        if self.nonlinearity == "tanh":
            return 1 - h**2
        if self.nonlinearity == "sigmoid":
            return h * (1 - h)
        return h > 0  # multiplies as 0 / 1

    def _recur(self, t):
        h, W_hh = self.h, self.params["W_hh"]
        a = self.ax[t] + W_hh @ h[t - 1]  # (H, N)
        self._f(a, out=h[t])  # h[t] = f(a[t])

    def _recur_backward(self, t, dh_t):
        h, da, W_hh = self.h, self.da_x, self.params["W_hh"]
        dh = dh_t + self._dh_next  # (H, N)
        np.multiply(dh, self._df(h[t]), out=da[t])  # da[t] = dh * f'(a[t])
        np.matmul(W_hh.T, da[t], out=self._dh_next)  # (H, N)
