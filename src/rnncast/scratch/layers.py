"""What every recurrent layer of the scratch engine shares: parameters, history, gradients.

A layer is one stack level of a recurrent net. It is driven one time step at a time, so the
same layer serves every structure (many-to-one, many-to-many, one-to-many with feedback)::

    layer.reset(N)                    # forget the history, h[-1] = 0
    for t in range(L):
        h_t = layer.step(x[:, t])     # (N, F) -> (N, H); keeps x[t], h[t], gates[t] for BPTT
    layer.reset_grads()               # zero dW, dh_next
    for t in reversed(range(L)):
        dx_t = layer.step_backward(dh_t)   # dh_t: gradient from above at step t -> (N, F)

As in min-char-rnn the history is kept in dicts keyed by time step (``h[-1]`` is the initial
state), so a line of code reads like its equation: ``h[t] = np.tanh(... h[t-1] @ W_hh.T ...)``.
``step_backward`` walks the steps in reverse and carries ``dh_next`` (the gradient that reaches
``h[t-1]`` through ``W_hh``) to the step before.

Parameters (names say which connection they make, layout is PyTorch's):

    W_xh  (G*H, F)   input -> hidden      torch: weight_ih_l{k}
    W_hh  (G*H, H)   hidden -> hidden     torch: weight_hh_l{k}
    b_xh  (G*H,)     bias of the input    torch: bias_ih_l{k}
    b_hh  (G*H,)     bias of the hidden   torch: bias_hh_l{k}

G is the number of gate blocks stacked along the first axis: 1 (RNN), 4 (LSTM: i, f, g, o),
3 (GRU: r, z, n). Every entry starts from U(-1/sqrt(H), 1/sqrt(H)), as in torch.
"""

import numpy as np

# our connection name -> torch's parameter name (the layer index _l{k} is appended by the net)
TORCH_NAMES = {"W_xh": "weight_ih", "W_hh": "weight_hh", "b_xh": "bias_ih", "b_hh": "bias_hh"}


def sigmoid(a):
    """sigma(a) = 1 / (1 + exp(-a)), written with tanh so that large |a| cannot overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


class Recurrent:
    """Base class: parameters, per-step history and gradients. Subclasses write step/step_backward."""

    n_gates = 1  # gate blocks stacked in W_xh / W_hh

    def __init__(self, input_size, hidden_size, rng, dtype=np.float64):
        self.input_size, self.hidden_size = input_size, hidden_size
        G, H, F = self.n_gates * hidden_size, hidden_size, input_size
        k = 1.0 / np.sqrt(H)

        def uniform(*shape):
            return rng.uniform(-k, k, size=shape).astype(dtype)

        self.params = {
            "W_xh": uniform(G, F),  # (G*H, F)
            "W_hh": uniform(G, H),  # (G*H, H)
            "b_xh": uniform(G),  # (G*H,)
            "b_hh": uniform(G),  # (G*H,)
        }
        self.reset(1)

    @property
    def dtype(self):
        return self.params["W_xh"].dtype

    def reset(self, N):
        """Start a new sequence of batch size N from the zero state: h[-1] = 0."""
        self.t = -1  # index of the last step taken
        self.x = {}  # x[t]: (N, F) input at step t
        self.h = {-1: np.zeros((N, self.hidden_size), dtype=self.dtype)}  # h[t]: (N, H)

    def reset_grads(self):
        """Zero the gradients before a backward pass over the steps taken since reset."""
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.dh_next = np.zeros_like(self.h[-1])  # (N, H) gradient reaching h[t] from step t+1

    def _accumulate(self, da_x, da_h, t):
        """Add one step's share to the weight gradients: da_x / da_h are the gradients of the
        pre-activations x[t] @ W_xh.T + b_xh and h[t-1] @ W_hh.T + b_hh, each (N, G*H)."""
        g = self.grads
        g["W_xh"] += da_x.T @ self.x[t]  # (G*H, F)
        g["b_xh"] += da_x.sum(axis=0)  # (G*H,)
        g["W_hh"] += da_h.T @ self.h[t - 1]  # (G*H, H)
        g["b_hh"] += da_h.sum(axis=0)  # (G*H,)
