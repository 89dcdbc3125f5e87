"""The character language model in torch: nn.Embedding -> nn.RNN/LSTM/GRU -> nn.Linear.

The lecture's CS224n form, one line per module (sigma = tanh for the plain RNN)::

    e[t] = E x[t]                          self.embed   (embed.weight (V, d))
    h[t] = tanh(W_h h[t-1] + W_e e[t] + b_1)   self.rnn (rnn.weight_ih_l0 = W_e, rnn.weight_hh_l0 = W_h, ...)
    y[t] = softmax(U h[t] + b_2)           self.fc      (fc.weight = U (V, H), fc.bias = b_2)

Trained with F.cross_entropy (mean over every position, the log-softmax inside) and rnncast's
FlatAdam (torch's Adam update on one flat buffer) with global-norm clipping. ``TorchLM`` wraps the
module behind the same small interface as the NumPy engine (``train_step``, ``loss``, ``start`` /
``step`` for sampling, ``state_dict`` as NumPy arrays), so the loop in rnncast.text.lm drives either.
This module imports torch; the NumPy engine never imports it.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class CharLM(nn.Module):
    """ids (N, L) -> logits (N, L, V) and the final recurrent state."""

    def __init__(self, kind: str, vocab_size: int, embed_size: int, hidden_size: int, num_layers: int = 1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = LAYERS[kind](embed_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: torch.Tensor, state=None):
        e = self.embed(ids)  # (N, L, d)
        out, state = self.rnn(e, state)  # (N, L, H); state: h (and c) after the last step
        return self.fc(out), state  # (N, L, V)


class TorchLM:
    """The torch engine behind the loop's interface; arrays in and out are NumPy."""

    engine = "torch"

    def __init__(self, kind, vocab_size, embed_size, hidden_size, num_layers=1, dtype=np.float32, seed=0):
        torch.manual_seed(seed)
        self.dtype = np.dtype(dtype)
        self.module = CharLM(kind, vocab_size, embed_size, hidden_size, num_layers)
        self.module.to(torch.float64 if self.dtype == np.float64 else torch.float32)
        self.optimizer, self.clip, self._state = None, None, None

    def configure(self, lr: float, clip: float | None) -> None:
        from rnncast.training.optim import FlatAdam

        self.optimizer, self.clip = FlatAdam(self.module.parameters(), lr=lr), clip

    def _logits_loss(self, ids, targets):
        logits, _ = self.module(torch.from_numpy(np.array(ids, dtype=np.int64)))  # (N, L, V)
        y = torch.from_numpy(np.array(targets, dtype=np.int64))  # (N, L)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    def train_step(self, ids, targets) -> float:
        self.module.train()
        self.optimizer.zero_grad()
        loss = self._logits_loss(ids, targets)
        value = loss.item()
        if np.isfinite(value):
            loss.backward()
            if self.clip is not None:
                self.optimizer.clip_grad_norm(self.clip)
            self.optimizer.step()
        return value

    def loss(self, ids, targets) -> float:
        """Mean cross-entropy (nats) of the targets; no gradients."""
        self.module.eval()
        with torch.no_grad():
            return self._logits_loss(ids, targets).item()

    def start(self, n: int = 1) -> None:
        self._state = None

    def step(self, ids) -> np.ndarray:
        """ids (n,) -> logits (n, V) for the next tokens; the state moves one step."""
        self.module.eval()
        with torch.no_grad():
            x = torch.as_tensor(np.asarray(ids, dtype=np.int64).reshape(-1, 1))  # (n, 1)
            logits, self._state = self.module(x, self._state)  # (n, 1, V)
        return logits[:, 0].numpy()

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.detach().numpy().copy() for k, v in self.module.state_dict().items()}

    def load_state_dict(self, state) -> None:
        own = self.module.state_dict()
        self.module.load_state_dict({k: torch.from_numpy(np.array(v, dtype=self.dtype)).to(own[k].dtype)
                                     for k, v in state.items()})
