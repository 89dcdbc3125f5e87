"""The one training loop: MSE + Adam, full batch (the lecture's way) or mini-batch epochs.

Full batch, ``iterations`` steps, exactly the lecture's loop::

    for i in range(iterations):
        optimizer.zero_grad()
        loss = criterion(net(X), y)
        loss.backward()
        optimizer.step()

plus what a practitioner needs around it, none of it on the hot path unless asked for: optional
gradient clipping (global norm), an optional validation set with early stopping (the best weights
are restored; the untrained weights count as round 0, so training that never helps is undone), a
progress bar with the current loss, and a stop with a clear message when the loss
stops being a finite number. Batches come from in-memory arrays (no DataLoader).

The loop is the same for both engines; what an engine supplies is a *stepper* (``TorchSteps`` here,
``rnncast.training.numpy_steps.NumpySteps`` for the NumPy engine) with ``step(idx)`` (one Adam step on the
windows ``idx``, or all of them for ``None``; returns the loss), ``val_loss()``, ``permutation(n)``,
``snapshot()`` / ``restore(state)`` and ``finish()``. This module imports torch only inside
``TorchSteps``, so the NumPy engine's path never loads it. A step may return its loss as a 0-dim
tensor (on a GPU, so that no step waits for the device); the loop reads it once per round.
``rnncast.training.distributed.DistributedSteps`` is the torch stepper under torchrun (DDP, sharded batches).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from rnncast.errors import RnncastError
from rnncast.specs import TrainSpec
from rnncast.training import batch_order as order_module

VAL_CHUNK = 1024  # windows per forward pass when validating a mini-batch run (TorchSteps.val_loss)


@dataclass
class TrainResult:
    losses: list[float] = field(default_factory=list)  # training loss per iteration (or epoch)
    val_losses: list[float] = field(default_factory=list)
    best_step: int | None = None  # the iteration/epoch whose weights were kept (early stopping; 0 = untrained;
    # restore_best=False: the last one run)
    initial_val_loss: float | None = None  # the untrained net's validation loss
    stopped_early: bool = False
    steps: int = 0  # optimizer steps taken
    seconds: float = 0.0


def train(net, X, y, spec: TrainSpec, X_val=None, y_val=None, progress: bool = False) -> TrainResult:
    """Train the torch ``net`` in place on windows ``X`` ``(N, L, F)`` and targets ``y`` ``(N, H)`` (tensors)."""
    spec.check()
    steps = TorchSteps(net, X, y, X_val, y_val, spec, spec.full_batch(len(X)))
    return run(steps, len(X), spec, progress)


def run(steps, n_samples: int, spec: TrainSpec, progress: bool = False, checkpoint=None, log=None) -> TrainResult:
    """The loop over iterations (full batch) or epochs (mini-batches) for any engine's stepper.

    ``checkpoint`` (a ``rnncast.training.checkpoint.Checkpointer``) saves the whole training state every N
    steps and, when resuming, restores it here before the first step, so that the run continues
    exactly where the saved one stood (round, batch, batch order, losses, early-stopping state).
    ``log(round, train_loss, val_loss_or_None)``, when given, is called after every round (TensorBoard).
    """
    # long: the loop reads best as one piece, as nanoGPT's train.py does: each round's steps,
    # validation, early stopping, checkpoint and progress in the order they happen.
    full_batch = spec.full_batch(n_samples)
    n_rounds = spec.iterations if spec.epochs is None else spec.epochs
    unit = "iteration" if spec.epochs is None else "epoch"
    result = TrainResult()
    bar = _progress_bar(n_rounds, unit, progress)
    watch = _EarlyStop(steps, spec.patience, spec.min_delta) if steps.has_validation else None
    if watch is not None:  # the untrained net competes too: with normalize="last" it is the naive forecast
        result.initial_val_loss = watch.update(-1, steps.val_loss())
    resumed = checkpoint.restore(steps, result, watch) if checkpoint is not None else None
    first_round = resumed.round if resumed else 0
    if bar is not None and first_round:
        bar.update(first_round)
    start = time.perf_counter() - result.seconds
    try:
        for i in range(first_round, n_rounds):
            if full_batch:
                loss_value = float(steps.step(None))
                result.steps += 1
            else:
                order_state = steps.order_state() if checkpoint is not None else None  # before the shuffle
                order = steps.permutation(n_samples)
                first, total = (resumed.batch, resumed.partial_loss) if resumed and i == first_round else (0, 0.0)
                for b in range(first, n_samples, spec.batch_size):
                    idx = order[b : b + spec.batch_size]
                    total += steps.step(idx) * len(idx)
                    result.steps += 1
                    if checkpoint is not None and b + spec.batch_size < n_samples:
                        checkpoint.step_done(steps, result, watch, i, b + spec.batch_size, total, order_state)
                loss_value = float(total) / n_samples
                order = None  # freed before the next epoch's is drawn: two at once would double its memory
            if not math.isfinite(loss_value):
                raise RnncastError(
                    f"training diverged: the loss became {loss_value} at {unit} {i + 1};"
                    f" try a lower learning rate than --lr {spec.lr:g}"
                )
            result.losses.append(loss_value)
            if watch is not None:
                result.val_losses.append(watch.update(i, steps.val_loss()))
            if log is not None:
                log(i + 1, loss_value, result.val_losses[-1] if watch is not None else None)
            if watch is not None and watch.exhausted:
                result.stopped_early = True
                break
            if checkpoint is not None:
                checkpoint.step_done(steps, result, watch, i + 1, 0, 0.0, None)
            if bar is not None:
                bar.update(1)
                if i % 20 == 0 or i == n_rounds - 1:
                    bar.set_postfix_str(f"loss {loss_value:.5f}", refresh=False)
    finally:
        if bar is not None:
            bar.close()
    result.seconds = time.perf_counter() - start
    if watch is not None:
        result.best_step = watch.restore() if spec.restore_best else len(result.losses)
    steps.finish()
    return result


class TorchSteps:
    """The torch engine's stepper: MSE, MAE, MAPE or sMAPE (``RatioLoss``; or the pinball loss for
    quantiles), ``FlatAdam``, clipping.

    ``X`` holds the samples' windows; with mini-batches it may be a ``training_sets.WindowBatches`` that
    copies only the windows of each batch out of the strided view (``devices.DeviceWindows`` on a
    GPU), and ``y``, ``X_val``, ``y_val`` may be such lazy gathers too. ``net`` and every tensor are
    already on ``device``; ``precision="bf16"`` runs the forward pass and loss under CUDA bfloat16
    autocast (the weights, gradients and Adam stay float32).
    """

    def __init__(self, net, X, y, X_val, y_val, spec: TrainSpec, full_batch: bool, quantiles=None,
                 device=None, precision: str = "fp32"):
        import contextlib

        import torch

        from rnncast.training.optim import FlatAdam

        self.torch = torch
        self.net, self.y, self.clip = net, y, spec.clip
        self.model = net  # what the training forward runs through (DistributedDataParallel wraps net there)
        self.device = torch.device("cpu") if device is None else torch.device(device)
        bf16 = precision == "bf16"
        self.autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if bf16 else contextlib.nullcontext
        self.full_batch = full_batch
        self.X = X.contiguous() if full_batch and hasattr(X, "contiguous") else X
        self.X_val, self.y_val = X_val, y_val
        self.has_validation = X_val is not None and len(X_val) > 0
        self.criterion = PinballLoss(quantiles) if quantiles else {
            "mse": torch.nn.MSELoss, "mae": torch.nn.L1Loss, "mape": lambda: RatioLoss("mape"),
            "smape": lambda: RatioLoss("smape")}[spec.loss]()
        self.optimizer = FlatAdam(net.parameters(), lr=spec.lr)
        self.generator = torch.Generator().manual_seed(spec.seed)
        net.train()

    def step(self, idx):
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        return self.value(self.update(X, y))

    def update(self, X, y, weight: float | None = None):
        """One Adam step on batch ``(X, y)``, the gradient of ``weight · loss``; returns the loss (no graph)."""
        self.optimizer.zero_grad()
        with self.autocast():
            loss = self.criterion(self.model(X), y)
        (loss if weight is None else loss * weight).backward()
        if self.clip is not None:
            self.optimizer.clip_grad_norm(self.clip)
        self.optimizer.step()
        return loss.detach()

    def value(self, loss):
        """A float on the CPU (as before); on a GPU the 0-dim tensor, so the step does not wait for it."""
        return loss.item() if self.device.type == "cpu" else loss

    def permutation(self, n: int):
        # Drawn on the CPU generator, so a seed gives the same batches on every device and rank. int32
        # below 2**31 samples: the same numbers as torch's default int64 (same generator draws), half the memory.
        # From LAZY_MIN samples on, the order is computed batch by batch (training.batch_order), never held whole.
        if n >= order_module.LAZY_MIN and self.device.type == "cpu":
            keys = self.torch.randint(0, 2**62, (4,), generator=self.generator, dtype=self.torch.int64)
            return order_module.FeistelOrder(n, keys.numpy())
        dtype = self.torch.int32 if n < 2**31 else self.torch.int64
        order = self.torch.randperm(n, generator=self.generator, dtype=dtype)
        return order if self.device.type == "cpu" else order.to(self.device)

    def val_loss(self) -> float:
        """The loss over the validation samples. With mini-batches in chunks of ``VAL_CHUNK`` windows, the
        chunks' mean losses weighted by their share (so millions of held-out windows never pass through
        the net, nor are gathered, at once); up to one chunk, and in full batch, one pass as always."""
        n = len(self.X_val)
        chunk = n if self.full_batch else VAL_CHUNK
        self.net.eval()
        with self.torch.no_grad(), self.autocast():
            if n <= chunk:
                value = self.criterion(self.net(self.X_val[:]), self.y_val[:]).item()
            else:
                value = 0.0
                for a in range(0, n, chunk):
                    part = self.criterion(self.net(self.X_val[a : a + chunk]), self.y_val[a : a + chunk])
                    value += part.item() * (min(chunk, n - a) / n)
        self.net.train()
        return value

    def snapshot(self):
        return {k: v.detach().clone() for k, v in self.net.state_dict().items()}

    def restore(self, state) -> None:
        self.net.load_state_dict(state)

    def finish(self) -> None:
        self.net.eval()
        if self.device.type != "cpu":
            self.net.to("cpu")  # forecasting runs on the CPU

    # -- checkpoints (rnncast.training.checkpoint): what a resumed run needs besides the weights ---------
    def order_state(self) -> str:
        """The batch-order generator's state (torch's bytes, base64), to redraw the same shuffle."""
        return _b64(self.generator.get_state())

    def resume_state(self) -> tuple[dict, dict]:
        """Adam's moments (arrays) and step count, the batch-order and the global RNG (dropout) states."""
        arrays = {"adam.m": self.optimizer.m.cpu().numpy(), "adam.v": self.optimizer.v.cpu().numpy()}
        info = {"adam_steps": self.optimizer.steps, "order_rng": self.order_state(),
                "torch_rng": _b64(self.torch.get_rng_state())}
        return arrays, info

    def load_resume_state(self, arrays: dict, info: dict) -> None:
        torch = self.torch
        self.optimizer.m.copy_(torch.from_numpy(arrays["adam.m"]))
        self.optimizer.v.copy_(torch.from_numpy(arrays["adam.v"]))
        self.optimizer.steps = int(info["adam_steps"])
        self.generator.set_state(_from_b64(torch, info["order_rng"]))
        torch.set_rng_state(_from_b64(torch, info["torch_rng"]))


def _b64(state) -> str:
    import base64

    return base64.b64encode(state.numpy().tobytes()).decode("ascii")


def _from_b64(torch, text: str):
    import base64

    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.uint8)


class PinballLoss:
    """Mean pinball (quantile) loss: for each quantile q and error e = y - ŷ_q, max(q·e, (q - 1)·e).

    The network outputs H·Q values per sample, read as (H, Q); y is (N, H).
    """

    def __init__(self, quantiles):
        import torch

        self.q = torch.tensor(list(quantiles), dtype=torch.float32)  # (Q,)

    def __call__(self, out, y):
        q = self.q.to(out.device)
        error = y.unsqueeze(-1) - out.reshape(*y.shape, len(q))  # (N, H, Q)
        return (error * q).maximum(error * (q - 1)).mean()


class RatioLoss:
    """MAPE or sMAPE of the forecasts, from log-scaled outputs: the percentage errors the user reads.

    With the log scaler an output ẑ and its target z of series i differ by d = σ_i (ẑ - z) = log(ŷ / y)
    (the series' shift μ_i, and a seasonal index, cancel), so

        MAPE term  |ŷ - y| / y          = |e^d - 1|
        sMAPE term 2 |ŷ - y| / (ŷ + y)  = 2 |tanh(d / 2)|

    exactly, in the data's units. MAPE punishes over-forecasts more than under-forecasts (e^d - 1 grows
    faster than 1 - e^-d): a model trained on it leans low, as the metric rewards. ``y`` carries σ_i as
    its last column (``training_sets.ScaledTargets``); d is clipped at ±20 so that an untrained net's wild
    outputs cannot overflow e^d. A series with a value <= 0 has no log space (the log scaler
    standardises it, σ_i given as 0): its terms are the absolute errors |ẑ - z| of the scaled values.
    """

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, out, y):
        z, scale = y[:, :-1], y[:, -1:]
        d = ((out - z) * scale).clamp(-20.0, 20.0)  # log(ŷ / y), (N, H)
        ratio = (d.exp() - 1.0).abs() if self.kind == "mape" else 2.0 * (d / 2.0).tanh().abs()
        return ratio.where(scale > 0, (out - z).abs()).mean()


class _EarlyStop:
    """Remembers the weights with the lowest validation loss; ``exhausted`` after ``patience`` misses.

    A loss counts as lower only when below ``best · (1 - min_delta)``: with ``min_delta`` = 0.01 a net has
    to beat the best so far (at first: the untrained net) by 1%, so noise-sized gains do not replace it.
    """

    def __init__(self, steps, patience: int | None, min_delta: float = 0.0):
        self.steps, self.patience, self.min_delta = steps, patience, min_delta
        self.best_loss, self.best_step, self.best_state, self.misses = math.inf, None, None, 0

    def update(self, step: int, val_loss: float) -> float:
        if val_loss < self.best_loss * (1.0 - self.min_delta) or self.best_state is None:
            self.best_loss, self.best_step, self.misses = val_loss, step + 1, 0
            self.best_state = self.steps.snapshot()
        else:
            self.misses += 1
        return val_loss

    @property
    def exhausted(self) -> bool:
        return self.patience is not None and self.misses >= self.patience

    def restore(self) -> int | None:
        if self.best_state is not None:
            self.steps.restore(self.best_state)
        return self.best_step


def _progress_bar(total: int, unit: str, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="it" if unit == "iteration" else unit, desc="training", leave=False,
                mininterval=0.2, dynamic_ncols=True)
