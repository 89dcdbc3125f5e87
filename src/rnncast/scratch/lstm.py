"""LSTM layer in NumPy, forward and backward through time, same math and layout as torch.nn.LSTM.

For each step t, with h[-1] = c[-1] = 0::

    a[t] = x[t] @ W_xh.T + b_xh + h[t-1] @ W_hh.T + b_hh      (N, 4H), blocks i | f | g | o
    i[t] = sigmoid(a_i)        input gate: how much of the candidate to write
    f[t] = sigmoid(a_f)        forget gate: how much of the old cell to keep
    g[t] = tanh(a_g)           candidate cell values
    o[t] = sigmoid(a_o)        output gate: how much of the cell to show
    c[t] = f[t] * c[t-1] + i[t] * g[t]
    h[t] = o[t] * tanh(c[t])

W_xh (4H, F) and W_hh (4H, H) stack the four gates' weights in torch's order i, f, g, o, so they
are torch's weight_ih_l{k} and weight_hh_l{k} as they are.

Glossary: N batch, F input features, H hidden size; c[t] (N, H) the cell state, the additive
path that lets gradients cross many steps (dc[t-1] = dc[t] * f[t], no squashing derivative).

Backward, with dh = gradient reaching h[t] (from above + dh_next), dc_next from step t+1::

    do = dh * tanh(c[t])
    dc = dh * o[t] * (1 - tanh(c[t])^2) + dc_next
    di = dc * g[t]     df = dc * c[t-1]     dg = dc * i[t]     dc_next <- dc * f[t]
    da = [di * i(1-i) | df * f(1-f) | dg * (1-g^2) | do * o(1-o)]        (N, 4H)
    dh_next <- da @ W_hh        dx[t] = da @ W_xh
"""

import numpy as np

from rnncast.scratch.layers import Recurrent, sigmoid


class LSTMLayer(Recurrent):
    """One LSTM layer (gates i, f, g, o stacked as in torch)."""

    n_gates = 4

    def reset(self, N):
        super().reset(N)
        self.c = {-1: np.zeros((N, self.hidden_size), dtype=self.dtype)}  # c[t]: (N, H)
        self.i, self.f, self.g, self.o = {}, {}, {}, {}  # gate values per step, each (N, H)

    def reset_grads(self):
        super().reset_grads()
        self.dc_next = np.zeros_like(self.dh_next)  # (N, H)

    def step(self, x_t):
        """One step forward: x_t (N, F) -> h[t] (N, H)."""
        W_xh, W_hh, b_xh, b_hh = (self.params[k] for k in ("W_xh", "W_hh", "b_xh", "b_hh"))
        x, h, c, i, f, g, o = self.x, self.h, self.c, self.i, self.f, self.g, self.o
        self.t += 1
        t = self.t
        x[t] = x_t  # (N, F)
        a = x[t] @ W_xh.T + b_xh + h[t - 1] @ W_hh.T + b_hh  # (N, 4H)
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # each (N, H)
        i[t] = sigmoid(a_i)
        f[t] = sigmoid(a_f)
        g[t] = np.tanh(a_g)
        o[t] = sigmoid(a_o)
        c[t] = f[t] * c[t - 1] + i[t] * g[t]  # (N, H)
        h[t] = o[t] * np.tanh(c[t])  # (N, H)
        return h[t]

    def step_backward(self, dh_t):
        """One step backward: dh_t (N, H) from above -> dx[t] (N, F); steps run last to first."""
        W_xh, W_hh = self.params["W_xh"], self.params["W_hh"]
        t, c, i, f, g, o = self.t, self.c, self.i, self.f, self.g, self.o
        dh = dh_t + self.dh_next  # (N, H)
        tanh_c = np.tanh(c[t])  # (N, H)
        do = dh * tanh_c
        dc = dh * o[t] * (1 - tanh_c**2) + self.dc_next  # (N, H)
        di = dc * g[t]
        df = dc * c[t - 1]
        dg = dc * i[t]
        self.dc_next = dc * f[t]  # (N, H)
        da = np.concatenate(
            [di * i[t] * (1 - i[t]), df * f[t] * (1 - f[t]), dg * (1 - g[t] ** 2), do * o[t] * (1 - o[t])],
            axis=1,
        )  # (N, 4H)
        self._accumulate(da, da, t)
        self.dh_next = da @ W_hh  # (N, H)
        self.t -= 1
        return da @ W_xh  # (N, F)
