"""LSTM layer in NumPy, forward and backward through time, same math and layout as torch.nn.LSTM.

For each step t, with the batch along the columns (see layers.py) and h[-1] = c[-1] = 0::

    a[t] = W_xh @ x[t] + b_xh + W_hh @ h[t-1] + b_hh      (4H, N), row blocks i | f | g | o
    i[t] = sigmoid(a_i)        input gate: how much of the candidate to write
    f[t] = sigmoid(a_f)        forget gate: how much of the old cell to keep
    g[t] = tanh(a_g)           candidate cell values
    o[t] = sigmoid(a_o)        output gate: how much of the cell to show
    c[t] = f[t] * c[t-1] + i[t] * g[t]
    h[t] = o[t] * tanh(c[t])

W_xh (4H, F) and W_hh (4H, H) stack the four gates' weights in torch's order i, f, g, o, so they
are torch's weight_ih_l{k} and weight_hh_l{k} as they are. The input part W_xh @ x[t] + b_xh + b_hh
is computed for every step at once before the loop (``ax``).

Glossary: N batch, F input features, H hidden size; c[t] (H, N) the cell state, the additive
path that lets gradients cross many steps (dc[t-1] = dc[t] * f[t], no squashing derivative).

Backward, with dh = gradient reaching h[t] (from above + dh_next), dc_next from step t+1::

    do = dh * tanh(c[t])
    dc = dh * o[t] * (1 - tanh(c[t])^2) + dc_next
    di = dc * g[t]     df = dc * c[t-1]     dg = dc * i[t]     dc_next <- dc * f[t]
    da = [di * i(1-i) | df * f(1-f) | dg * (1-g^2) | do * o(1-o)]        (4H, N)
    dh_next <- W_hh.T @ da          (weights and dx after the loop, see layers.py)
"""

import numpy as np

from rnncast.scratch.layers import Recurrent, sigmoid


class LSTMLayer(Recurrent):
    """One LSTM layer (gates i, f, g, o stacked as in torch)."""

    n_gates = 4
    history = (*Recurrent.history, "gates", "c", "tanh_c")

    def _allocate(self, N, T):
        super()._allocate(N, T)
        H, dt = self.hidden_size, self.dtype
        self.gates = np.empty((T, 4, H, N), dt)  # gate values at each step, blocks i, f, g, o
        self.i, self.f, self.g, self.o = self.gates.transpose(1, 0, 2, 3)  # views, each (T, H, N)
        self.c = np.zeros((T + 1, H, N), dt)  # c[t]; slot T (= -1) stays 0: the initial cell
        self.tanh_c = np.empty((T, H, N), dt)  # tanh(c[t]), kept for the backward
        self._dc_next = np.empty((H, N), dt)

    def reset_grads(self):
        super().reset_grads()
        self._dc_next.fill(0)

    def _recur(self, t):
        W_hh, H, N = self.params["W_hh"], self.hidden_size, self.ax.shape[2]
        h, c, i, f, g, o, tanh_c = self.h, self.c, self.i, self.f, self.g, self.o, self.tanh_c
        a = self.ax[t] + W_hh @ h[t - 1]  # (4H, N)
        a_i, a_f, a_g, a_o = a.reshape(4, H, N)  # row blocks, each (H, N)
        sigmoid(a_i, out=i[t])
        sigmoid(a_f, out=f[t])
        np.tanh(a_g, out=g[t])
        sigmoid(a_o, out=o[t])
        np.add(f[t] * c[t - 1], i[t] * g[t], out=c[t])  # c[t] = f[t] * c[t-1] + i[t] * g[t]
        np.tanh(c[t], out=tanh_c[t])
        np.multiply(o[t], tanh_c[t], out=h[t])  # h[t] = o[t] * tanh(c[t])

    def _recur_backward(self, t, dh_t):
        W_hh, H, N = self.params["W_hh"], self.hidden_size, self.ax.shape[2]
        c, i, f, g, o, tanh_c = self.c, self.i, self.f, self.g, self.o, self.tanh_c
        da_i, da_f, da_g, da_o = self.da_x[t].reshape(4, H, N)  # row blocks of da[t], each (H, N)
        dh = dh_t + self._dh_next  # (H, N)
        do = dh * tanh_c[t]
        dc = dh * o[t] * (1 - tanh_c[t] ** 2) + self._dc_next  # (H, N)
        np.multiply(dc * g[t], i[t] * (1 - i[t]), out=da_i)  # di * sigmoid'(a_i)
        np.multiply(dc * c[t - 1], f[t] * (1 - f[t]), out=da_f)  # df * sigmoid'(a_f)
        np.multiply(dc * i[t], 1 - g[t] ** 2, out=da_g)  # dg * tanh'(a_g)
        np.multiply(do, o[t] * (1 - o[t]), out=da_o)  # do * sigmoid'(a_o)
        np.multiply(dc, f[t], out=self._dc_next)  # (H, N)
        np.matmul(W_hh.T, self.da_x[t], out=self._dh_next)  # (H, N)
