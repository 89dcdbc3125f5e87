"""GRU layer in NumPy, forward and backward through time, same math and layout as torch.nn.GRU.

For each step t, with the batch along the columns (see layers.py) and h[-1] = 0::

    ax = W_xh @ x[t] + b_xh            (3H, N), row blocks r | z | n of the input part
    ah = W_hh @ h[t-1] + b_hh          (3H, N), row blocks r | z | n of the hidden part
    r[t] = sigmoid(ax_r + ah_r)        reset gate: how much of the old state the candidate sees
    z[t] = sigmoid(ax_z + ah_z)        update gate: how much of the old state to keep
    n[t] = tanh(ax_n + r[t] * ah_n)    candidate state (r multiplies W_hn h + b_hn, as in torch)
    h[t] = (1 - z[t]) * n[t] + z[t] * h[t-1]

W_xh (3H, F) and W_hh (3H, H) stack the gates in torch's order r, z, n: they are torch's
weight_ih_l{k} and weight_hh_l{k} as they are. The input and hidden parts are kept apart because
r multiplies only the hidden part of the candidate; the input part is computed for every step at
once before the loop (``ax``).

Glossary: N batch, F input features, H hidden size.

Backward, with dh = gradient reaching h[t] (from above + dh_next)::

    dz = dh * (h[t-1] - n[t])       dn = dh * (1 - z[t])
    dan = dn * (1 - n^2)            dr = dan * ah_n
    dar = dr * r(1-r)               daz = dz * z(1-z)
    dax = [dar | daz | dan]         dah = [dar | daz | dan * r]          (3H, N)
    dh_next <- dh * z[t] + W_hh.T @ dah          (weights and dx after the loop, see layers.py)
"""

import numpy as np

from rnncast.scratch.layers import Recurrent, sigmoid


class GRULayer(Recurrent):
    """One GRU layer (gates r, z, n stacked as in torch)."""

    n_gates = 3
    history = (*Recurrent.history, "gates", "ah")

    def _allocate(self, N, T):
        super()._allocate(N, T)
        H, dt = self.hidden_size, self.dtype
        self.gates = np.empty((T, 3, H, N), dt)  # gate values at each step, blocks r, z, n
        self.r, self.z, self.n = self.gates.transpose(1, 0, 2, 3)  # views, each (T, H, N)
        self.ah = np.empty((T, 3, H, N), dt)  # W_hh @ h[t-1] + b_hh at each step
        self.ah_n = self.ah[:, 2]  # (T, H, N) the hidden part of the candidate
        self.da_h = np.empty((T, 3 * H, N), dt)  # differs from da_x in the n block

    def _input_bias(self):
        """Only b_xh goes with the input: b_hh's n block is scaled by r, so it stays in ah."""
        self.b_hh = self.params["b_hh"][:, None]  # (3H, 1)
        return self.params["b_xh"][:, None]  # (3H, 1)

    def _recur(self, t):
        W_hh, H, N = self.params["W_hh"], self.hidden_size, self.ax.shape[2]
        h, r, z, n, ah_n = self.h, self.r, self.z, self.n, self.ah_n
        ax_r, ax_z, ax_n = self.ax[t].reshape(3, H, N)  # row blocks, each (H, N)
        ah = self.ah[t].reshape(3 * H, N)
        np.add(W_hh @ h[t - 1], self.b_hh, out=ah)  # (3H, N)
        ah_r, ah_z, _ = self.ah[t]
        sigmoid(ax_r + ah_r, out=r[t])
        sigmoid(ax_z + ah_z, out=z[t])
        np.tanh(ax_n + r[t] * ah_n[t], out=n[t])
        np.add((1 - z[t]) * n[t], z[t] * h[t - 1], out=h[t])  # h[t] = (1 - z) * n + z * h[t-1]

    def _recur_backward(self, t, dh_t):
        W_hh, H, N = self.params["W_hh"], self.hidden_size, self.ax.shape[2]
        h, r, z, n = self.h, self.r, self.z, self.n
        dax_r, dax_z, dax_n = self.da_x[t].reshape(3, H, N)  # row blocks, each (H, N)
        dah_rz, dah_n = self.da_h[t, :2 * H], self.da_h[t, 2 * H:]
        dh = dh_t + self._dh_next  # (H, N)
        dz = dh * (h[t - 1] - n[t])
        dn = dh * (1 - z[t])
        np.multiply(dn, 1 - n[t] ** 2, out=dax_n)  # dan: the candidate's pre-activation
        dr = dax_n * self.ah_n[t]
        np.multiply(dr, r[t] * (1 - r[t]), out=dax_r)  # dar
        np.multiply(dz, z[t] * (1 - z[t]), out=dax_z)  # daz
        dah_rz[...] = self.da_x[t, :2 * H]  # [dar | daz]
        np.multiply(dax_n, r[t], out=dah_n)  # dan * r
        np.add(dh * z[t], W_hh.T @ self.da_h[t], out=self._dh_next)  # (H, N)
