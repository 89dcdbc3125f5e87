"""A recurrent language model in NumPy: the lecture's CS224n form, forward and BPTT by hand.

For each step t of a window of token ids (the lecture's sigma is tanh here; LSTM/GRU add gates)::

    e[t] = E x[t]                                  embedding of the one-hot x[t]   (embed.weight)
    h[t] = tanh(W_h h[t-1] + W_e e[t] + b_1)       recurrent layers, h[-1] = 0      (rnn.*)
    y[t] = softmax(U h[t] + b_2) in R^|V|          distribution of the next token  (fc.weight, fc.bias)
    loss = mean over t and the batch of -log y[t][target[t]]     cross-entropy (nats)

It is ``Embedding`` -> ``ScratchNet(structure="many_to_many")`` -> ``softmax_cross_entropy``, with
torch's parameter names (``embed.weight``, ``rnn.weight_ih_l0``, ..., ``fc.weight``, ``fc.bias``), so
the same safetensors file loads into the torch model (rnncast.text.torch_lm.CharLM). Backward::

    dlogits = (softmax - onehot(target)) / (N L)
    dh, dW.. = BPTT through the layers (ScratchNet.backward) -> de = net.dx   (N, L, d)
    dE[v] += de[p] for every position p that read row v

Sampling runs one step at a time (``start`` then ``step``): the layers' step API keeps h[t] between
calls, so the next input can be the token just drawn (one-to-many). It relies on the layers'
documented layout (rnncast.scratch.layers): the history h (T+1, H, N), and c for the LSTM, whose
last slot is the initial state. NumPy only: no torch here.
"""

import math

import numpy as np

from rnncast.scratch.embedding import Embedding
from rnncast.scratch.losses import softmax_cross_entropy
from rnncast.scratch.model import ScratchNet, load_params
from rnncast.scratch.optim import clip_grad_norm_

CARRY_EVERY = 1024  # sampling: steps of history kept before the state is carried over (see ``step``)


def _states(layer):
    """The layer's state histories (T+1, H, N), whose last slot is the initial state: h, and c for LSTM."""
    return [layer.h, layer.c] if hasattr(layer, "c") else [layer.h]


class ScratchLM:
    """Embedding -> recurrent layers (many-to-many) -> Linear; ``loss_and_backward``, ``step`` for sampling."""

    def __init__(self, kind="lstm", vocab_size=2, embed_size=16, hidden_size=32, num_layers=1,
                 nonlinearity="tanh", dtype=np.float64, seed=0):
        self.dtype = np.dtype(dtype)
        self.vocab_size = vocab_size
        self.embed = Embedding(vocab_size, embed_size, np.random.default_rng([seed, 1]), self.dtype)
        self.net = ScratchNet(kind=kind, input_size=embed_size, hidden_size=hidden_size, num_layers=num_layers,
                              output_size=vocab_size, nonlinearity=nonlinearity, structure="many_to_many",
                              dtype=self.dtype, seed=seed)
        # what an optimiser updates: two flat groups (the embedding matrix, every other parameter)
        self.flat_params = {"embed": self.embed.params["W"], "net": self.net.flat_params}
        self.flat_grads = {"embed": self.embed.grads["W"], "net": self.net.flat_grads}
        self.params = {"embed.weight": self.embed.params["W"], **self.net.params}
        self.grads = {"embed.weight": self.embed.grads["W"], **self.net.grads}

    # ---- training --------------------------------------------------------------------------------

    def forward(self, ids):
        """ids (N, L) integers -> logits (N, L, V), the scores before the softmax."""
        self._ids = np.asarray(ids)
        self._set_initial_state(None)  # sampling may have left a carried state in the initial slot
        e = self.embed.forward(self._ids)  # (N, L, d)
        return self.net.forward(e)  # (N, L, V)

    def loss(self, ids, targets):
        """Mean cross-entropy (nats) of the next-token targets (N, L); forward only."""
        return softmax_cross_entropy(self.forward(ids), targets)[0]

    def loss_and_backward(self, ids, targets):
        """Forward, cross-entropy, BPTT: returns the loss and fills ``grads`` (torch names)."""
        loss, dlogits = softmax_cross_entropy(self.forward(ids), targets)  # dlogits (N, L, V)
        if math.isfinite(loss):
            self.net.backward(dlogits)
            self.embed.reset_grads()
            self.embed.backward(self._ids, self.net.dx)  # net.dx (N, L, d): the gradient reaching e
        return loss

    def train_step(self, ids, targets, optimizer, clip=None):
        """One update: loss, gradients, optional global-norm clipping, the optimiser's step. A loss that
        is not finite makes no update (the caller reports the divergence)."""
        loss = self.loss_and_backward(ids, targets)
        if math.isfinite(loss):
            if clip is not None:
                clip_grad_norm_(self.flat_grads, clip)
            optimizer.step(self.flat_params, self.flat_grads)
        return loss

    # ---- one step at a time (sampling) -----------------------------------------------------------

    def start(self, n=1):
        """Begin n sequences from the zero state h[-1] = 0."""
        for layer in self.net.layers:
            layer.reset(n)
        self._set_initial_state(None)

    def step(self, ids):
        """ids (n,) the current tokens -> logits (n, V) for the next ones; the state moves one step.

        Sampling needs no backward, so every CARRY_EVERY steps the layers' history is dropped and the
        last state carried into the initial slot h[-1] (and c[-1]): memory stays bounded for any length.
        """
        ids = np.asarray(ids).reshape(-1)
        t = self.net.layers[0].t_last  # the last step taken (all layers are at the same step)
        if t + 1 >= CARRY_EVERY:
            last = [[s[t].copy() for s in _states(layer)] for layer in self.net.layers]
            for layer in self.net.layers:
                layer.reset(len(ids))
            self._set_initial_state(last)
        h = self.embed.forward(ids)  # (n, d)
        for layer in self.net.layers:
            h = layer.step(h)  # (n, H)
        return self.net.fc.forward(h)  # (n, V)

    def _set_initial_state(self, states):
        """Write h[-1] (and c[-1]) of every layer: zeros for None, else the (H, n) arrays given per layer."""
        for k, layer in enumerate(self.net.layers):
            for j, s in enumerate(_states(layer)):
                s[-1] = 0 if states is None else states[k][j]

    # ---- state dict ------------------------------------------------------------------------------

    def state_dict(self):
        """Copies of the parameters under torch's names."""
        return {name: p.copy() for name, p in self.params.items()}

    def load_state_dict(self, state):
        """Copy arrays into the parameters (cast to the model's dtype); names and shapes must agree."""
        load_params(self.params, state)
