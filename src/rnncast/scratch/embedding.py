"""Embedding layer in NumPy, forward and backward, same as torch.nn.Embedding.

The lecture's word embedding (CS224n form) multiplies a one-hot vector by a matrix::

    x[t] in R^|V|  one-hot           e[t] = E x[t]  in R^d

Multiplying by a one-hot vector picks one column, so the layer stores the rows of E^T (torch's
layout, ``embed.weight`` (V, d)) and looks them up::

    e = W[ids]                       ids (...,) integers in [0, V)  ->  e (..., d)

Backward: every position adds its gradient to the row it read; a row read twice gets both::

    dW[v] = sum over positions p with ids[p] == v of de[p]

Glossary: V vocabulary size, d embedding size. Initialisation as torch: every entry from N(0, 1).
"""

import numpy as np

from rnncast.errors import RnncastError


class Embedding:
    """e = W[ids]; ``grads["W"]`` accumulates until ``reset_grads``."""

    def __init__(self, num_embeddings, embedding_dim, rng, dtype=np.float64):
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.params = {"W": rng.standard_normal((num_embeddings, embedding_dim)).astype(dtype)}  # (V, d)
        self.grads = {"W": np.zeros_like(self.params["W"])}

    def reset_grads(self):
        self.grads["W"].fill(0)

    def forward(self, ids):
        """ids (...,) integers -> e (..., d). Keeps nothing: backward is given ids again."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_embeddings):
            raise RnncastError(f"embedding: ids must lie in [0, {self.num_embeddings}), "
                               f"got values in [{ids.min()}, {ids.max()}]")
        return self.params["W"][ids]  # (..., d), a copy

    def backward(self, ids, de):
        """ids (...,) and de (..., d), the gradient reaching e -> adds into grads["W"] (V, d)."""
        np.add.at(self.grads["W"], np.asarray(ids).reshape(-1), de.reshape(-1, self.embedding_dim))
