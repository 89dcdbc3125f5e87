"""Vanilla (Elman) RNN layer in NumPy, forward and backward through time, same math as torch.nn.RNN.

For each step t of a batch-first input x of shape (N, L, F)::

    h[t] = f(x[t] @ W_xh.T + b_xh + h[t-1] @ W_hh.T + b_hh)

with f = tanh (the lecture's choice), sigmoid or relu, and h[-1] = 0. This is the lecture's
``h_t = tanh(X_t W_xh + h_{t-1} W_hh + b)``, with the weights transposed to torch's layout and the
bias split in two (b_xh + b_hh) as torch does.

Glossary: N batch size, L sequence length, F input features, H hidden size.
x[t] (N, F) input at step t; h[t] (N, H) hidden state; a[t] (N, H) the pre-activation.

Backward, with dh the total gradient reaching h[t] (from above and from step t+1)::

    da      = dh * f'(a[t])        tanh: 1 - h^2   sigmoid: h (1 - h)   relu: 1[h > 0]
    dW_xh  += da.T @ x[t]          db_xh += sum_N da
    dW_hh  += da.T @ h[t-1]        db_hh += sum_N da
    dh_next = da @ W_hh            (flows to step t-1)
    dx[t]   = da @ W_xh            (flows to the layer below, or the input)

Why tanh: its derivative is at most 1 (sigmoid's at most 0.25), so gradients through many steps
shrink more slowly; relu's can grow without bound as the state is fed back (see the lecture).
"""

import numpy as np

from rnncast.errors import RnncastError
from rnncast.scratch.layers import Recurrent, sigmoid

NONLINEARITIES = ("tanh", "sigmoid", "relu")


class RNNLayer(Recurrent):
    """One vanilla RNN layer: ``h[t] = f(x[t] @ W_xh.T + b_xh + h[t-1] @ W_hh.T + b_hh)``."""

    n_gates = 1

    def __init__(self, input_size, hidden_size, rng, dtype=np.float64, nonlinearity="tanh"):
        if nonlinearity not in NONLINEARITIES:
            choices = ", ".join(NONLINEARITIES)
            raise RnncastError(f"nonlinearity: expected one of {choices}, got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, rng, dtype)

    def _f(self, a):
        if self.nonlinearity == "tanh":
            return np.tanh(a)
        if self.nonlinearity == "sigmoid":
            return sigmoid(a)
        return np.maximum(a, 0)

    def _df(self, h):
        """f'(a) written with the output h = f(a)."""
        if self.nonlinearity == "tanh":
            return 1 - h**2
        if self.nonlinearity == "sigmoid":
            return h * (1 - h)
        return (h > 0).astype(h.dtype)

    def step(self, x_t):
        """One step forward: x_t (N, F) -> h[t] (N, H)."""
        W_xh, W_hh, b_xh, b_hh = (self.params[k] for k in ("W_xh", "W_hh", "b_xh", "b_hh"))
        x, h = self.x, self.h
        self.t += 1
        t = self.t
        x[t] = x_t  # (N, F)
        h[t] = self._f(x[t] @ W_xh.T + b_xh + h[t - 1] @ W_hh.T + b_hh)  # (N, H)
        return h[t]

    def step_backward(self, dh_t):
        """One step backward: dh_t (N, H) from above -> dx[t] (N, F); steps run last to first."""
        W_xh, W_hh = self.params["W_xh"], self.params["W_hh"]
        t, h = self.t, self.h
        dh = dh_t + self.dh_next  # (N, H)
        da = dh * self._df(h[t])  # (N, H)
        self._accumulate(da, da, t)
        self.dh_next = da @ W_hh  # (N, H)
        self.t -= 1
        return da @ W_xh  # (N, F)
