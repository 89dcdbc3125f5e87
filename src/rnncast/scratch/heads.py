"""Linear output head: maps a hidden state to the forecast, same as torch.nn.Linear.

    y = h @ W_hy.T + b_y

Glossary: h (..., H) hidden states (any leading axes: (N, H) for one step, (N, L, H) for all
steps); W_hy (O, H) hidden -> output, torch's ``fc.weight``; b_y (O,), torch's ``fc.bias``;
y (..., O). This is the lecture's ``y_t = W_hy h_t``.

Backward, with dy the gradient of the loss with respect to y::

    dW_hy += dy.T @ h        db_y += sum dy        dh = dy @ W_hy

Initialisation as torch's Linear: every entry from U(-1/sqrt(H), 1/sqrt(H)). The head keeps the
batch-first layout of its caller (the recurrent layers hand it h[t].T, a view).
"""

import numpy as np


class Linear:
    """y = h @ W_hy.T + b_y over the last axis; gradients accumulate in ``grads`` until reset."""

    def __init__(self, in_features, out_features, rng, dtype=np.float64):
        k = 1.0 / np.sqrt(in_features)
        self.params = {
            "W_hy": rng.uniform(-k, k, size=(out_features, in_features)).astype(dtype),  # (O, H)
            "b_y": rng.uniform(-k, k, size=out_features).astype(dtype),  # (O,)
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def reset_grads(self):
        """Zero the gradients in place (the arrays may be views of a net's flat gradient buffer)."""
        for g in self.grads.values():
            g.fill(0)

    def forward(self, h):
        """h (..., H) -> y (..., O). Keeps nothing: backward is given h again."""
        return h @ self.params["W_hy"].T + self.params["b_y"]  # (..., O)

    def backward(self, dy, h):
        """dy (..., O) and the h of the forward -> dh (..., H); adds to grads."""
        W_hy = self.params["W_hy"]
        dy2 = dy.reshape(-1, dy.shape[-1])  # (M, O), M = all leading axes together
        h2 = h.reshape(-1, h.shape[-1])  # (M, H)
        self.grads["W_hy"] += dy2.T @ h2  # (O, H)
        self.grads["b_y"] += dy2.sum(axis=0)  # (O,)
        return dy @ W_hy  # (..., H)
