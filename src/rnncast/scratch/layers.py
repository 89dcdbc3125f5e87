"""What every recurrent layer of the scratch engine shares: parameters, history buffers, the BPTT driver.

Layout: the batch runs along the COLUMNS, as min-char-rnn's column vectors do: x[t] is (F, N), h[t] is
(H, N) and the weights act from the left, ``W_xh @ x[t]``, in torch's (G*H, F) layout as it is. The
gate blocks of a pre-activation (G*H, N) are then row blocks, contiguous in memory, so every
elementwise line runs over whole rows of N numbers (column blocks of an (N, G*H) array would be
strided and several times slower for small H).

The history lives in arrays with time first, allocated once per (N, T) and reused by later calls::

    x   (T, F, N)      x[t]: the input at step t
    ax  (T, G*H, N)    W_xh @ x[t] + bias for every step: ONE matmul for the whole sequence
    h   (T+1, H, N)    h[t]: the hidden state; the extra last slot is h[-1] = 0, the initial state,
                       so ``h[t - 1]`` at t = 0 reads it, just as min-char-rnn's dict does
    da_x, da_h (T, G*H, N)   gradients of the input part and the hidden part of the pre-activation
                       at each step (one array, except in the GRU, where r scales the hidden part)

Two ways to drive a layer. One step at a time, batch-first like the rest of the package, when a
step's input is known only after the step before (output feedback) or to watch the gradient
flow back step by step (rnncast.explain.gradients)::

    layer.reset(N)                   # forget the history, h[-1] = 0 (room for steps grows as needed)
    for t in range(L):
        h_t = layer.step(x[:, t])    # (N, F) -> (N, H), a view of the history
    layer.reset_grads()              # get ready for the backward sweep
    for t in reversed(range(L)):
        dx_t = layer.step_backward(dh_t)   # dh_t (N, H) from above at step t -> (N, F)
        # layer.dh_next (N, H) now holds the gradient reaching h[t-1] through W_hh
    # once the sweep has reached step 0, layer.grads holds the weight gradients

or the whole sequence at once, in the layer's own layout, when every input is known up front
(ScratchNet's many_to_one and many_to_many; the input projection is then one matmul)::

    h = layer.forward(xs)            # xs (T, F, N) -> h[0:T] (T, H, N)
    dxs = layer.backward(dhs)        # dhs (T, H, N), the gradient from above at each step -> (T, F, N)

Both run the same code: a subclass writes one step of the recurrence in the column layout,
``_recur(t)`` (ax[t] and h[t-1] -> h[t]), and its derivative, ``_recur_backward(t, dh_t)`` (fills
da_x[t] and da_h[t], carries dh_next to step t-1). The weight gradients are sums over the steps,
taken once the backward sweep is complete, one matmul each::

    dW_xh = sum_t da_x[t] @ x[t].T        db_xh = sum over t and the batch of da_x[t]
    dW_hh = sum_t da_h[t] @ h[t-1].T      db_hh = sum over t and the batch of da_h[t]
    dx[t] = W_xh.T @ da_x[t]

Parameters (names say which connection they make, layout is PyTorch's):

    W_xh  (G*H, F)   input -> hidden      torch: weight_ih_l{k}
    W_hh  (G*H, H)   hidden -> hidden     torch: weight_hh_l{k}
    b_xh  (G*H,)     bias of the input    torch: bias_ih_l{k}
    b_hh  (G*H,)     bias of the hidden   torch: bias_hh_l{k}

G is the number of gate blocks stacked along the first axis: 1 (RNN), 4 (LSTM: i, f, g, o),
3 (GRU: r, z, n). Every entry starts from U(-1/sqrt(H), 1/sqrt(H)), as in torch. ``grads`` holds
arrays of the same shapes; both dicts may be re-pointed at views of one flat buffer (ScratchNet
does), so the layer only ever writes into them in place.
"""

import numpy as np

# our connection name -> torch's parameter name (the layer index _l{k} is appended by the net)
TORCH_NAMES = {"W_xh": "weight_ih", "W_hh": "weight_hh", "b_xh": "bias_ih", "b_hh": "bias_hh"}


def sigmoid(a, out=None):
    """sigma(a) = 1 / (1 + exp(-a)) = 0.5 + 0.5 tanh(a / 2): the tanh form cannot overflow.

    Writes into ``out`` when given (it may be ``a`` itself) and returns it; stays in a's dtype.
    """
    out = np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


class Recurrent:
    """Base class: parameters, history buffers, the sequence and step drivers, the weight gradients."""

    n_gates = 1  # gate blocks stacked in W_xh / W_hh
    history = ("x", "ax", "h")  # per-step arrays the forward fills (kept when the room for steps grows)

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
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._shape = None  # (N, T, dtype) the buffers were made for
        self.reset(1)

    @property
    def dtype(self):
        return self.params["W_xh"].dtype

    # ---- buffers -----------------------------------------------------------------------------------

    def reset(self, N, T=None):
        """Start a new sequence of batch size N from the zero state h[-1] = 0, with room for T steps
        (None: what the buffers have, or 16; ``step`` doubles the room whenever it runs out)."""
        if T is None:
            T = self._shape[1] if self._shape is not None and self._shape[0] == N else 16
        if self._shape != (N, T, self.dtype):
            self._shape = (N, T, self.dtype)
            self._allocate(N, T)
        self.T = T
        self.t = self.t_last = -1  # t: the step forward or backward is at; t_last: the last step taken
        self.bias = self._input_bias()  # (G*H, 1) added to W_xh @ x[t]

    def _allocate(self, N, T):
        G, H, F, dt = self.n_gates * self.hidden_size, self.hidden_size, self.input_size, self.dtype
        self.x = np.empty((T, F, N), dt)
        self.ax = np.empty((T, G, N), dt)
        self.h = np.zeros((T + 1, H, N), dt)  # slot T (= -1) stays 0: the initial state
        self.da_x = np.empty((T, G, N), dt)
        self.da_h = self.da_x  # the same gradient reaches both parts, except in the GRU
        self.dx = np.empty((T, F, N), dt)
        self._dh_next = np.empty((H, N), dt)  # gradient reaching h[t] from step t+1
        self.ones = np.ones(N, dt)  # sums over the batch as matrix-vector products

    def _grow(self):
        """Double the room for steps, keeping the history of the steps taken so far."""
        N, T, _ = self._shape
        kept = {name: getattr(self, name) for name in self.history}
        self._shape = (N, 2 * T, self.dtype)
        self._allocate(N, 2 * T)  # h[-1] (and c[-1]) are the new last slot, zero
        for name, old in kept.items():
            getattr(self, name)[:T] = old[:T]
        self.T = 2 * T

    @property
    def dh_next(self):
        """(N, H) the gradient that reached h[t-1] in the last ``step_backward`` at t (through W_hh)."""
        return self._dh_next.T

    def _input_bias(self):
        """Bias added with the input projection: b_xh + b_hh, as both sit outside the recurrence."""
        return (self.params["b_xh"] + self.params["b_hh"])[:, None]  # (G*H, 1)

    # ---- forward -----------------------------------------------------------------------------------

    def forward(self, x):
        """Whole sequence: x (T, F, N) -> h[0:T] (T, H, N), a view of the layer's history."""
        T, _, N = x.shape
        self.reset(N, T)
        self.x[...] = x
        np.matmul(self.params["W_xh"], self.x, out=self.ax)  # (T, G*H, N): every step in one call
        self.ax += self.bias
        for t in range(T):
            self._recur(t)
        self.t = self.t_last = T - 1
        return self.h[:T]

    def step(self, x_t):
        """One step forward: x_t (N, F) -> h[t] (N, H), a view of the history."""
        self.t += 1
        t = self.t_last = self.t
        if t == self.T:
            self._grow()
        self.x[t] = x_t.T  # (F, N)
        np.matmul(self.params["W_xh"], self.x[t], out=self.ax[t])  # (G*H, N)
        self.ax[t] += self.bias
        self._recur(t)
        return self.h[t].T

    # ---- backward ----------------------------------------------------------------------------------

    def reset_grads(self):
        """Get ready for a backward sweep: start at the last step taken, nothing flowing back from
        beyond it. (``grads`` is written when the sweep reaches step 0.)"""
        self.t = self.t_last
        self._dh_next.fill(0)

    def backward(self, dh):
        """Whole sequence: dh (T, H, N) from above -> dx (T, F, N); sets ``grads``."""
        self.reset_grads()
        for t in reversed(range(self.t_last + 1)):
            self._recur_backward(t, dh[t])
        self.t = -1
        self._weight_grads()
        return np.matmul(self.params["W_xh"].T, self.da_x, out=self.dx)  # (T, F, N)

    def step_backward(self, dh_t):
        """One step backward: dh_t (N, H) from above -> dx[t] (N, F); steps run last to first."""
        t = self.t
        self._recur_backward(t, dh_t.T)
        self.t -= 1
        if t == 0:  # the sweep is complete
            self._weight_grads()
        return np.matmul(self.params["W_xh"].T, self.da_x[t], out=self.dx[t]).T  # (N, F)

    def _weight_grads(self):
        """Sum every step's share into ``grads`` (after the backward loop has filled da_x, da_h)."""
        T = self.t_last + 1  # steps taken
        g, x, h, da_x, da_h = self.grads, self.x[:T], self.h, self.da_x[:T], self.da_h[:T]
        np.matmul(da_x, x.transpose(0, 2, 1)).sum(axis=0, out=g["W_xh"])  # sum_t da_x[t] @ x[t].T
        # sum_t da_h[t] @ h[t-1].T; its t = 0 term is da_h[0] @ h[-1].T = 0, so start at t = 1
        np.matmul(da_h[1:T], h[0:T - 1].transpose(0, 2, 1)).sum(axis=0, out=g["W_hh"])
        (da_x @ self.ones).sum(axis=0, out=g["b_xh"])  # (G*H,)
        if self.da_h is self.da_x:
            g["b_hh"][...] = g["b_xh"]
        else:
            (da_h @ self.ones).sum(axis=0, out=g["b_hh"])

    # ---- one step, written by each kind ------------------------------------------------------------

    def _recur(self, t):
        raise NotImplementedError

    def _recur_backward(self, t, dh_t):
        raise NotImplementedError
