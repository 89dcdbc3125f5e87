"""The NumPy engine's stepper for the shared training loop (``rnncast.training.loop.run``).

One step is the lecture's iteration written out by hand: forward, MSE, backward through time,
optional global-norm clipping, one Adam update over the net's flat parameter vector. A step whose
loss is not finite makes no update; the loop then stops with its divergence message.
"""

from __future__ import annotations

import math

import numpy as np

from rnncast.scratch.losses import mse
from rnncast.scratch.optim import Adam, clip_grad_norm_
from rnncast.training import batch_order as order_module


class NumpySteps:
    def __init__(self, net, X, y, X_val, y_val, spec, full_batch: bool):
        self.net, self.clip = net, spec.clip
        cast = (lambda a: None if a is None else np.ascontiguousarray(a, dtype=net.dtype))  # noqa: E731
        self.X = cast(X) if full_batch else X  # one copy of the strided window view, not one per step
        self.y = cast(y) if isinstance(y, np.ndarray) else y  # else a training_sets.WindowBatches: float32 per batch
        self.X_val, self.y_val = cast(X_val), cast(y_val)
        self.has_validation = X_val is not None and len(X_val) > 0
        self.optimizer = Adam(lr=spec.lr)
        self.rng = np.random.default_rng(spec.seed)

    def step(self, idx) -> float:
        X, y = (self.X, self.y) if idx is None else (np.ascontiguousarray(self.X[idx], self.net.dtype), self.y[idx])
        loss, dpred = mse(self.net.forward(X), y)
        if math.isfinite(loss):
            self.net.backward(dpred)
            if self.clip is not None:
                clip_grad_norm_(self.net.flat_grads, self.clip)
            self.optimizer.step(self.net.flat_params, self.net.flat_grads)
        return loss

    def permutation(self, n: int) -> np.ndarray:
        """``rng.permutation(n)``'s numbers (it shuffles an arange the same way), as int32 below 2**31."""
        if n >= order_module.LAZY_MIN:  # computed batch by batch (rnncast.training.batch_order), never held whole
            return order_module.FeistelOrder(n, self.rng.integers(0, 2**62, 4))
        order = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
        self.rng.shuffle(order)
        return order

    def val_loss(self) -> float:
        return mse(getattr(self.net, "predict", self.net.forward)(self.X_val), self.y_val)[0]  # as forecast

    def snapshot(self) -> np.ndarray:
        return self.net.flat_params.copy()

    def restore(self, state: np.ndarray) -> None:
        self.net.flat_params[...] = state

    def finish(self) -> None:
        pass

    # -- checkpoints (rnncast.training.checkpoint): what a resumed run needs besides the weights ---------
    def order_state(self) -> dict:
        """The batch-order generator's state (NumPy's PCG64 state: plain ints), to redraw the same shuffle."""
        return self.rng.bit_generator.state

    def resume_state(self) -> tuple[dict, dict]:
        """Adam's moments (arrays) and step count, and the batch-order generator's state."""
        opt = self.optimizer
        arrays = {"adam.m": opt.m[""], "adam.v": opt.v[""]} if "" in opt.m else {}
        return arrays, {"adam_steps": opt.steps.get("", 0), "order_rng": self.order_state()}

    def load_resume_state(self, arrays: dict, info: dict) -> None:
        if "adam.m" in arrays:
            self.optimizer.m[""] = arrays["adam.m"].astype(self.net.dtype)
            self.optimizer.v[""] = arrays["adam.v"].astype(self.net.dtype)
            self.optimizer.steps[""] = int(info["adam_steps"])
        self.rng.bit_generator.state = info["order_rng"]
