"""Optimisers and gradient clipping for the scratch engine, with torch.optim's update rules.

Both optimisers take dicts keyed by parameter name and change the parameter arrays IN PLACE
(so a net whose layers share those arrays sees the new values)::

    opt = Adam(lr=1e-3)
    opt.step(net.params, grads)

SGD (torch.optim.SGD, dampening 0, no Nesterov, no weight decay), with momentum mu::

    b = g                   (first step)        b = mu * b + g     (later steps)
    p = p - lr * b          (b = g when mu = 0)

Adam (torch.optim.Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay), step s = 1, 2, ...::

    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g^2
    p = p - lr / (1 - beta1^s) * m / (sqrt(v) / sqrt(1 - beta2^s) + eps)

Clipping by global norm (torch.nn.utils.clip_grad_norm_)::

    total = sqrt(sum over all grads of sum(g^2))
    g = g * min(1, max_norm / (total + 1e-6))
"""

import math

import numpy as np


class SGD:
    """Stochastic gradient descent with optional momentum, state kept per parameter name."""

    def __init__(self, lr=0.01, momentum=0.0):
        self.lr, self.momentum = lr, momentum
        self.buffers = {}  # name -> momentum buffer b

    def step(self, params, grads):
        for name, p in params.items():
            g = grads[name]
            if self.momentum:
                b = self.buffers.get(name)
                b = g.copy() if b is None else self.momentum * b + g
                self.buffers[name] = b
                g = b
            p -= self.lr * g


class Adam:
    """Adam with bias correction, state (m, v, step count) kept per parameter name."""

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m, self.v = {}, {}  # name -> first / second moment estimate
        self.steps = {}  # name -> number of updates made

    def step(self, params, grads):
        beta1, beta2 = self.betas
        for name, p in params.items():
            g = grads[name]
            m = self.m.get(name, np.zeros_like(p))
            v = self.v.get(name, np.zeros_like(p))
            s = self.steps.get(name, 0) + 1
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            self.m[name], self.v[name], self.steps[name] = m, v, s
            step_size = self.lr / (1 - beta1**s)
            denom = np.sqrt(v) / math.sqrt(1 - beta2**s) + self.eps
            p -= step_size * m / denom


def clip_grad_norm_(grads, max_norm):
    """Scale every gradient in the dict in place so that their global 2-norm is at most max_norm.

    Returns the norm before clipping (as torch does), a float.
    """
    total = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values()))
    coef = min(1.0, max_norm / (total + 1e-6))
    if coef < 1.0:
        for g in grads.values():
            g *= coef
    return total
