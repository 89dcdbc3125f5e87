"""ScratchNet: a stacked RNN / LSTM / GRU with a Linear head, in NumPy, forward and BPTT by hand.

The same network as the torch model (``self.rnn = nn.LSTM(..., batch_first=True)``,
``self.fc = nn.Linear(hidden, out)``), with the same parameter names, so a state dict (and a
safetensors file) moves between the engines. A training loop::

    net = ScratchNet(kind="lstm", input_size=5, hidden_size=10, output_size=1)
    opt = Adam(lr=0.01)
    for _ in range(iterations):
        pred = net.forward(x)              # (N, O)
        loss, dpred = mse(pred, y)
        grads = net.backward(dpred)        # {"rnn.weight_ih_l0": ..., "fc.bias": ...}
        clip_grad_norm_(grads, 1.0)
        opt.step(net.params, grads)        # in place: the layers see the new weights

The lecture's three structures (x batch-first; h_top[t] the last layer's state at step t)::

    many_to_one    x (N, L, F) -> y (N, O)         y = fc(h_top[L-1])       (the lecture's Net)
    many_to_many   x (N, L, F) -> y (N, L, O)      y[t] = fc(h_top[t]) for every t
    one_to_many    x (N, F)    -> y (N, S, O)      y[0] = fc(h_top[0]), then x[s] = y[s-1]:
                                                   each output is the next input, S = steps

one_to_many needs output_size == input_size (an output must fit where an input goes). It also
takes x (N, L, F): the L inputs are read first and the output after the last one starts the
feedback, so a window can warm the state up before the outputs roll forward.

Stacking: layer k reads layer k-1's h[t] (layer 0 reads x[t]), as torch's num_layers does. The
initial states are zero. many_to_one and many_to_many know every input up front, so each layer
runs its whole sequence in turn (its input projection is one matmul); one_to_many learns an input
only from the step before, so there time is the outer loop and layers the inner one, both forward
and backward. Inside, the layers keep the batch along the columns (see layers.py); the net takes
and returns batch-first arrays.

Memory: all parameters are views of ONE flat array, ``net.flat_params``, and all gradients views
of ``net.flat_grads``, so an optimiser can update everything in a handful of vector operations
(``opt.step(net.flat_params, net.flat_grads)``). The history buffers are reused from one call to
the next: the grads dict and ``net.dx`` that backward returns are overwritten by the next backward
(copy them to keep them).

Parameters per layer k (torch names): rnn.weight_ih_l{k} (G*H, F_k), rnn.weight_hh_l{k} (G*H, H),
rnn.bias_ih_l{k} (G*H,), rnn.bias_hh_l{k} (G*H,), with G = 1 / 4 / 3 for rnn / lstm / gru and
F_k = F for k = 0 else H; head: fc.weight (O, H), fc.bias (O,).
"""

import numpy as np

from rnncast.errors import RnncastError
from rnncast.scratch.gru import GRULayer
from rnncast.scratch.heads import Linear
from rnncast.scratch.layers import TORCH_NAMES
from rnncast.scratch.lstm import LSTMLayer
from rnncast.scratch.rnn import RNNLayer

KINDS = {"rnn": RNNLayer, "lstm": LSTMLayer, "gru": GRULayer}
STRUCTURES = ("many_to_one", "many_to_many", "one_to_many")


def _check_choice(what, value, choices):
    if value not in choices:
        raise RnncastError(f"{what}: expected one of {', '.join(choices)}, got {value!r}")


class ScratchNet:
    """Stacked recurrent layers + Linear head; ``forward(x)``, ``backward(dout)`` -> grads by torch name."""

    def __init__(
        self,
        kind="lstm",
        input_size=1,
        hidden_size=10,
        num_layers=1,
        output_size=1,
        nonlinearity="tanh",
        structure="many_to_one",
        steps=1,
        dtype=np.float64,
        seed=0,
    ):
        _check_choice("kind", kind, tuple(KINDS))
        _check_choice("structure", structure, STRUCTURES)
        if kind != "rnn" and nonlinearity != "tanh":
            raise RnncastError(f"nonlinearity {nonlinearity!r} is only for kind 'rnn', got kind {kind!r}")
        for what, value in [("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers), ("output_size", output_size), ("steps", steps)]:
            if not isinstance(value, int | np.integer) or value < 1:
                raise RnncastError(f"{what}: expected a positive integer, got {value!r}")
        if structure == "one_to_many" and output_size != input_size:
            raise RnncastError(
                f"one_to_many feeds each output back as the next input: expected output_size == input_size, "
                f"got output_size {output_size} and input_size {input_size}"
            )
        self.kind, self.structure, self.steps = kind, structure, steps
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        self.layers = [
            KINDS[kind](input_size if k == 0 else hidden_size, hidden_size, rng, self.dtype, **extra)
            for k in range(num_layers)
        ]
        self.fc = Linear(hidden_size, output_size, rng, self.dtype)
        owners = [*self.layers, self.fc]
        self.flat_params = _into_one_buffer([m.params for m in owners], self.dtype)
        self.flat_grads = _into_one_buffer([m.grads for m in owners], self.dtype)
        # one dict of the same arrays under torch's names: optimisers update it in place
        self.params = self._by_torch_name([layer.params for layer in self.layers], self.fc.params)
        self.grads = self._by_torch_name([layer.grads for layer in self.layers], self.fc.grads)

    @staticmethod
    def _by_torch_name(layer_dicts, head_dict):
        named = {}
        for k, d in enumerate(layer_dicts):
            for ours, theirs in TORCH_NAMES.items():
                named[f"rnn.{theirs}_l{k}"] = d[ours]
        named["fc.weight"], named["fc.bias"] = head_dict["W_hy"], head_dict["b_y"]
        return named

    # ---- forward ---------------------------------------------------------------------------------

    def forward(self, x):
        """x (N, L, F) -> y: (N, O) many_to_one, (N, L, O) many_to_many, (N, steps, O) one_to_many."""
        x = np.asarray(x, dtype=self.dtype)
        self._x_ndim = x.ndim
        if self.structure == "one_to_many" and x.ndim == 2:
            x = x[:, None, :]  # (N, 1, F): the lecture's single input vector
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise RnncastError(f"input: expected shape (N, L, {self.input_size}), got {x.shape}")
        N, L, _ = x.shape
        self.L = L
        if self.structure == "one_to_many":
            return self._forward_feedback(x)
        xs = x.transpose(1, 2, 0)  # (L, F, N): time first, batch along the columns (a view)
        for layer in self.layers:
            xs = layer.forward(xs)  # (L, H, N)
        if self.structure == "many_to_one":
            return self.fc.forward(xs[L - 1].T)  # (N, O)
        return self.fc.forward(xs.transpose(2, 0, 1))  # (N, L, O)

    def _forward_feedback(self, x):
        """one_to_many: read the L inputs, then feed each output back in as the next input."""
        N, L, _ = x.shape
        T = L - 1 + self.steps
        for layer in self.layers:
            layer.reset(N, T)
        ys = []
        for t in range(T):
            h_t = x[:, t] if t < L else ys[-1]  # (N, F); fed back after the input ends
            for layer in self.layers:
                h_t = layer.step(h_t)  # (N, H)
            if t >= L - 1:
                ys.append(self.fc.forward(h_t))  # (N, O)
        return np.stack(ys, axis=1)  # (N, steps, O)

    # ---- backward --------------------------------------------------------------------------------

    def backward(self, dout):
        """Gradient of the loss w.r.t. the forward's output -> grads dict, torch names, same shapes.

        Also sets ``self.dx``, the gradient w.r.t. the input x, shaped like the forward's x. Both are
        views of buffers that the next backward overwrites.
        """
        dout = np.asarray(dout, dtype=self.dtype)
        self.fc.reset_grads()
        top, L = self.layers[-1], self.L
        if self.structure == "one_to_many":
            dx = self._backward_feedback(dout)  # (N, L, F)
        else:
            N, H = top.h.shape[2], self.hidden_size
            if self.structure == "many_to_one":
                dh = np.zeros((L, H, N), dtype=self.dtype)  # (L, H, N): only the last step has a loss
                dh[L - 1] = self.fc.backward(dout, top.h[L - 1].T).T
            else:
                dh = self.fc.backward(dout, top.h[:L].transpose(2, 0, 1)).transpose(1, 2, 0)
            for layer in reversed(self.layers):
                dh = layer.backward(dh)  # gradient w.r.t. this layer's input, (L, F_k, N)
            dx = dh.transpose(2, 0, 1)  # (N, L, F)
        self.dx = dx[:, 0] if self._x_ndim == 2 else dx  # shaped like the x given to forward
        return self.grads

    def _backward_feedback(self, dout):
        """one_to_many, last step to first: dloss/dy[s] also arrives through the input at step s+1."""
        top, L = self.layers[-1], self.L
        T = top.t_last + 1  # L - 1 + steps
        N, H = top.h.shape[2], self.hidden_size
        for layer in self.layers:
            layer.reset_grads()
        dx = np.zeros((N, L, self.input_size), dtype=self.dtype)  # (N, L, F)
        no_loss = np.zeros((N, H), dtype=self.dtype)  # steps before the first output
        dfeed = np.zeros((N, self.output_size), dtype=self.dtype)  # (N, O) dloss/dy[s] via the next input
        for t in reversed(range(T)):
            d = no_loss
            if t >= L - 1:
                dy = dout[:, t - (L - 1)] + dfeed  # (N, O)
                d = self.fc.backward(dy, top.h[t].T)  # (N, H)
            for layer in reversed(self.layers):
                d = layer.step_backward(d)  # gradient w.r.t. this step's input to the layer
            if t >= L:
                dfeed = d  # the input at t was the output at t-1
            else:
                dx[:, t] = d
        return dx  # the layers wrote their grads when the sweep reached step 0

    # ---- state dict ------------------------------------------------------------------------------

    def state_dict(self):
        """Copies of the parameters under torch's names (rnn.weight_ih_l0, ..., fc.weight, fc.bias)."""
        return {name: p.copy() for name, p in self.params.items()}

    def load_state_dict(self, state):
        """Copy arrays (NumPy, or anything np.asarray takes) into the parameters, cast to the net's dtype.

        The names must be exactly this net's names and the shapes must agree.
        """
        load_params(self.params, state)


def load_params(params: dict, state: dict) -> None:
    """Copy ``state``'s arrays into ``params`` in place (names must match exactly, shapes must agree)."""
    missing = sorted(set(params) - set(state))
    unexpected = sorted(set(state) - set(params))
    if missing or unexpected:
        raise RnncastError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
    for name, p in params.items():
        value = np.asarray(state[name])
        if value.shape != p.shape:
            raise RnncastError(f"load_state_dict: {name} expected shape {p.shape}, got {value.shape}")
        p[...] = value  # in place: the layers hold these same arrays


def _into_one_buffer(dicts, dtype):
    """Copy every array of the dicts, in order, into one new flat array and put a view of it in
    each array's place. Returns the flat array: writing it writes them all."""
    flat = np.empty(sum(a.size for d in dicts for a in d.values()), dtype=dtype)
    start = 0
    for d in dicts:
        for name, a in d.items():
            view = flat[start:start + a.size].reshape(a.shape)
            view[...] = a
            d[name] = view
            start += a.size
    return flat
