"""Optimisers and gradient clipping for the scratch engine, with torch.optim's update rules.

Both optimisers change the parameter arrays IN PLACE (so a net whose layers share those arrays
sees the new values). They take dicts keyed by parameter name, or two single arrays, which is how
a ScratchNet is updated fastest: its parameters are views of one flat array, its gradients of
another, so the whole update is a handful of vector operations::

    opt = Adam(lr=1e-3)
    opt.step(net.params, grads)                  # per name
    opt.step(net.flat_params, net.flat_grads)    # everything at once (same result)

Use one form for the life of an optimiser: its state is kept under the names it was given. The
arithmetic stays in the parameters' dtype (Python-float constants do not upcast float32).

SGD (torch.optim.SGD, dampening 0, no Nesterov, no weight decay), with momentum mu::

    b = g                   (first step)        b = mu * b + g     (later steps)
    p = p - lr * b          (b = g when mu = 0)

Adam (torch.optim.Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay), step s = 1, 2, ...::

    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g^2
    p = p - lr / (1 - beta1^s) * m / (sqrt(v) / sqrt(1 - beta2^s) + eps)

Clipping by global norm (torch.nn.utils.clip_grad_norm_; a dict of gradients or one array)::

    total = sqrt(sum over all grads of sum(g^2))
    g = g * min(1, max_norm / (total + 1e-6))
"""

import math

import numpy as np


def _as_dicts(params, grads):
    """Accept two arrays as well as two dicts: one array is one entry."""
    if isinstance(params, np.ndarray):
        return {"": params}, {"": grads}
    return params, grads


class SGD:
    """Stochastic gradient descent with optional momentum, state kept per parameter name."""

    def __init__(self, lr=0.01, momentum=0.0):
        self.lr, self.momentum = lr, momentum
        self.buffers = {}  # name -> momentum buffer b

    def step(self, params, grads):
        params, grads = _as_dicts(params, grads)
        for name, p in params.items():
            g = grads[name]
            if self.momentum:
                b = self.buffers.get(name)
                if b is None:
                    b = self.buffers[name] = g.copy()
                else:
                    b *= self.momentum
                    b += g
                g = b
            p -= self.lr * g


class Adam:
    """Adam with bias correction, state (m, v, step count) kept per parameter name."""

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m, self.v = {}, {}  # name -> first / second moment estimate
        self.steps = {}  # name -> number of updates made

    def step(self, params, grads):
        params, grads = _as_dicts(params, grads)
        beta1, beta2 = self.betas
        for name, p in params.items():
            g = grads[name]
            if name not in self.m:
                self.m[name], self.v[name], self.steps[name] = np.zeros_like(p), np.zeros_like(p), 0
            m, v = self.m[name], self.v[name]
            s = self.steps[name] = self.steps[name] + 1
            m *= beta1
            m += (1 - beta1) * g  # m = beta1 m + (1 - beta1) g
            v *= beta2
            v += (1 - beta2) * g * g  # v = beta2 v + (1 - beta2) g^2
            step_size = self.lr / (1 - beta1**s)
            denom = np.sqrt(v)
            denom /= math.sqrt(1 - beta2**s)
            denom += self.eps  # sqrt(v) / sqrt(1 - beta2^s) + eps
            p -= step_size * m / denom


def clip_grad_norm_(grads, max_norm):
    """Scale every gradient in the dict (or the one array) in place so that their global 2-norm is
    at most max_norm. Returns the norm before clipping (as torch does), a float.
    """
    grads = grads.values() if isinstance(grads, dict) else [grads]
    total = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total
