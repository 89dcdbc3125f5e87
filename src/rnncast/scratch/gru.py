"""GRU layer in NumPy, forward and backward through time, same math and layout as torch.nn.GRU.

For each step t, with h[-1] = 0::

    ax = x[t] @ W_xh.T + b_xh          (N, 3H), blocks r | z | n of the input part
    ah = h[t-1] @ W_hh.T + b_hh        (N, 3H), blocks r | z | n of the hidden part
    r[t] = sigmoid(ax_r + ah_r)        reset gate: how much of the old state the candidate sees
    z[t] = sigmoid(ax_z + ah_z)        update gate: how much of the old state to keep
    n[t] = tanh(ax_n + r[t] * ah_n)    candidate state (r multiplies W_hn h + b_hn, as in torch)
    h[t] = (1 - z[t]) * n[t] + z[t] * h[t-1]

W_xh (3H, F) and W_hh (3H, H) stack the gates in torch's order r, z, n: they are torch's
weight_ih_l{k} and weight_hh_l{k} as they are. The input and hidden parts are kept apart because
r multiplies only the hidden part of the candidate.

Glossary: N batch, F input features, H hidden size.

Backward, with dh = gradient reaching h[t] (from above + dh_next)::

    dz = dh * (h[t-1] - n[t])       dn = dh * (1 - z[t])
    dan = dn * (1 - n^2)            dr = dan * ah_n
    dar = dr * r(1-r)               daz = dz * z(1-z)
    dax = [dar | daz | dan]         dah = [dar | daz | dan * r]          (N, 3H)
    dh_next <- dh * z[t] + dah @ W_hh        dx[t] = dax @ W_xh
"""

import numpy as np

from rnncast.scratch.layers import Recurrent, sigmoid


class GRULayer(Recurrent):
    """One GRU layer (gates r, z, n stacked as in torch)."""

    n_gates = 3

    def reset(self, N):
        super().reset(N)
        self.r, self.z, self.n = {}, {}, {}  # gate values per step, each (N, H)
        self.ah_n = {}  # ah_n[t]: (N, H) hidden part of the candidate, W_hn h[t-1] + b_hn

    def step(self, x_t):
        """One step forward: x_t (N, F) -> h[t] (N, H)."""
        W_xh, W_hh, b_xh, b_hh = (self.params[k] for k in ("W_xh", "W_hh", "b_xh", "b_hh"))
        x, h, r, z, n, ah_n = self.x, self.h, self.r, self.z, self.n, self.ah_n
        self.t += 1
        t = self.t
        x[t] = x_t  # (N, F)
        ax_r, ax_z, ax_n = np.split(x[t] @ W_xh.T + b_xh, 3, axis=1)  # each (N, H)
        ah_r, ah_z, ah_n[t] = np.split(h[t - 1] @ W_hh.T + b_hh, 3, axis=1)  # each (N, H)
        r[t] = sigmoid(ax_r + ah_r)
        z[t] = sigmoid(ax_z + ah_z)
        n[t] = np.tanh(ax_n + r[t] * ah_n[t])
        h[t] = (1 - z[t]) * n[t] + z[t] * h[t - 1]  # (N, H)
        return h[t]

    def step_backward(self, dh_t):
        """One step backward: dh_t (N, H) from above -> dx[t] (N, F); steps run last to first."""
        W_xh, W_hh = self.params["W_xh"], self.params["W_hh"]
        t, h, r, z, n = self.t, self.h, self.r, self.z, self.n
        dh = dh_t + self.dh_next  # (N, H)
        dz = dh * (h[t - 1] - n[t])
        dn = dh * (1 - z[t])
        dan = dn * (1 - n[t] ** 2)  # gradient of the candidate's pre-activation
        dr = dan * self.ah_n[t]
        dar = dr * r[t] * (1 - r[t])
        daz = dz * z[t] * (1 - z[t])
        dax = np.concatenate([dar, daz, dan], axis=1)  # (N, 3H)
        dah = np.concatenate([dar, daz, dan * r[t]], axis=1)  # (N, 3H)
        self._accumulate(dax, dah, t)
        self.dh_next = dh * z[t] + dah @ W_hh  # (N, H)
        self.t -= 1
        return dax @ W_xh  # (N, F)
