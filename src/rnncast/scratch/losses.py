"""Losses for the scratch engine: each returns (loss, gradient with respect to its first argument).

Mean squared error, as torch.nn.MSELoss (reduction "mean", over every element)::

    loss  = mean((pred - target)^2)
    dpred = 2 (pred - target) / size

Softmax cross-entropy, as torch.nn.functional.cross_entropy (mean over the targets)::

    p       = softmax(logits)                         over the last axis, classes C
    loss    = mean over targets of -log p[target]     = mean(logsumexp(logits) - logits[target])
    dlogits = (p - onehot(target)) / M                 M = number of targets

logits have the classes on the LAST axis: (M, C), or (N, L, C) for one class per step (torch
wants (N, C, L) there; we keep the hidden layout). target holds integer class indices, shape
logits.shape[:-1]. Numerically stable: the row maximum is subtracted before exp, so large logits
cannot overflow.

Gaussian negative log-likelihood (the DeepAR head, ``rnncast.training.likelihoods`` in torch): the
output's two columns o₁, o₂ are the mean and the softplus-ed spread in units of the series' scale ν::

    μ = ν o₁        σ = ν softplus(o₂) + 1e-6        z = (y - μ) / σ
    loss = mean(log σ + z²/2 + log(2π)/2)
    do₁ = -ν z / σ / M                               ∂loss/∂μ · ∂μ/∂o₁
    do₂ = (1 - z²) / σ · ν sigmoid(o₂) / M           ∂loss/∂σ = (1 - z²)/σ;  softplus' = sigmoid
"""

import numpy as np

from rnncast.errors import RnncastError


def mse(pred, target):
    """Mean squared error and its gradient: (float, dpred with pred's shape and dtype)."""
    pred = np.asarray(pred)
    target = np.asarray(target)
    if pred.shape != target.shape:
        raise RnncastError(f"mse: expected target shape {pred.shape} (the prediction's), got {target.shape}")
    diff = pred - target.astype(pred.dtype, copy=False)
    loss = float(np.mean(diff**2))
    dpred = (2.0 / diff.size) * diff
    return loss, dpred.astype(pred.dtype)


def gaussian_nll(out, target, scale):
    """Gaussian negative log-likelihood of ``target`` (M,) under out (M, 2) and its gradient (see above);
    ``scale`` (M,) or a number: ν."""
    out = np.asarray(out)
    y = np.asarray(target, dtype=np.float64)
    if out.shape != y.shape + (2,):
        raise RnncastError(f"gaussian_nll: expected out shape {y.shape + (2,)}, got {out.shape}")
    nu = np.broadcast_to(np.asarray(scale, dtype=np.float64), y.shape)
    o1, o2 = out[..., 0].astype(np.float64), out[..., 1].astype(np.float64)
    softplus = np.logaddexp(0.0, o2)  # log(1 + e^o₂) without overflow
    mu, sigma = nu * o1, nu * softplus + 1e-6
    z = (y - mu) / sigma
    M = y.size
    loss = float(np.mean(np.log(sigma) + 0.5 * z**2 + 0.5 * np.log(2 * np.pi)))
    dout = np.empty(out.shape, dtype=np.float64)
    dout[..., 0] = -nu * z / sigma / M
    dout[..., 1] = (1.0 - z**2) / sigma * nu / (1.0 + np.exp(-o2)) / M
    return loss, dout.astype(out.dtype)


def softmax_cross_entropy(logits, target):
    """Softmax cross-entropy and its gradient: (float, dlogits with logits' shape and dtype)."""
    logits = np.asarray(logits)
    target = np.asarray(target)
    if target.shape != logits.shape[:-1]:
        raise RnncastError(
            f"softmax_cross_entropy: target shape expected {logits.shape[:-1]} "
            f"(logits without the class axis), got {target.shape}"
        )
    C = logits.shape[-1]
    z = logits.reshape(-1, C)  # (M, C)
    y = target.reshape(-1).astype(np.int64)  # (M,)
    M = z.shape[0]
    rows = np.arange(M)
    z = z - z.max(axis=1, keepdims=True)  # shift: exp cannot overflow, softmax unchanged
    log_sum = np.log(np.exp(z).sum(axis=1))  # (M,) logsumexp of the shifted logits
    loss = float(np.mean(log_sum - z[rows, y]))
    p = np.exp(z - log_sum[:, None])  # (M, C) softmax
    p[rows, y] -= 1
    dlogits = p / M
    return loss, dlogits.reshape(logits.shape).astype(logits.dtype)
