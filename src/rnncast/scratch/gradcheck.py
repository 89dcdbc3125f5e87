"""Centred-difference gradient check: is a hand-written backward the derivative of its forward?

For every entry p_j of a parameter, with a small step eps::

    numeric_j = (loss(p_j + eps) - loss(p_j - eps)) / (2 eps)       error O(eps^2) + O(roundoff / eps)

and the analytic gradient (from backward) is compared with it by relative error, zero-safe::

    rel_error(a, b) = |a - b| / max(|a| + |b|, tiny)

where |.| is the 2-norm over the whole parameter (so a few entries whose true gradient is ~0
cannot blow the ratio up, and two all-zero gradients give 0, not 0/0). eps = 1e-5 balances the
truncation and roundoff errors in float64: a correct backward gives about 1e-8 or less, a wrong
one 1e-2 or more. (Not for float32: its roundoff swamps the differences.)

    errors = gradcheck(lambda: mse(net.forward(x), y)[0], net.params, grads)
    assert max(errors.values()) < 1e-6
"""

import numpy as np


def rel_error(a, b, tiny=1e-30):
    """|a - b| / max(|a| + |b|, tiny) with 2-norms over all entries; 0 when both are zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), tiny))


def numerical_grad(loss_fn, p, eps=1e-5):
    """Centred differences of loss_fn() with respect to every entry of the array p (changed in place,
    then restored). Returns an array shaped like p."""
    grad = np.zeros(p.shape, dtype=np.float64)
    flat = p.reshape(-1)  # a view: writing it changes p
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        up = loss_fn()
        flat[j] = old - eps
        down = loss_fn()
        flat[j] = old
        grad.reshape(-1)[j] = (up - down) / (2 * eps)
    return grad


def gradcheck(loss_fn, params, grads, eps=1e-5):
    """Relative error between the analytic grads and centred differences, per parameter name.

    loss_fn() -> float must read the parameter arrays in ``params`` (they are perturbed in place);
    ``grads`` holds the analytic gradients under the same names.
    """
    return {name: rel_error(grads[name], numerical_grad(loss_fn, p, eps)) for name, p in params.items()}
