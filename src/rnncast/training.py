"""The one training loop: MSE + Adam, full batch (the lecture's way) or mini-batch epochs.

Full batch, ``iterations`` steps, exactly the lecture's loop::

    for i in range(iterations):
        optimizer.zero_grad()
        loss = criterion(net(X), y)
        loss.backward()
        optimizer.step()

plus what a practitioner needs around it, none of it on the hot path unless asked for: optional
gradient clipping (global norm), an optional validation set with early stopping (the best weights
are restored), a progress bar with the current loss, and a stop with a clear message when the loss
stops being a finite number. Batches come from in-memory tensors (no DataLoader). The optimizer
is ``FlatAdam`` (``optim.py``): torch's Adam update on one flat parameter buffer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from rnncast.config import TrainSpec
from rnncast.errors import RnncastError
from rnncast.optim import FlatAdam


@dataclass
class TrainResult:
    losses: list[float] = field(default_factory=list)  # training loss per iteration (or epoch)
    val_losses: list[float] = field(default_factory=list)
    best_step: int | None = None  # the step whose weights were kept (early stopping)
    stopped_early: bool = False
    steps: int = 0  # optimizer steps taken
    seconds: float = 0.0


def train(
    net: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    spec: TrainSpec,
    X_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    progress: bool = False,
) -> TrainResult:
    """Train ``net`` in place on windows ``X`` ``(N, L, F)`` and targets ``y`` ``(N, H)``."""
    spec.check()
    criterion = nn.MSELoss()
    optimizer = FlatAdam(net.parameters(), lr=spec.lr)
    full_batch = spec.epochs is None or spec.batch_size is None or spec.batch_size >= len(X)
    n_rounds = spec.iterations if spec.epochs is None else spec.epochs
    unit = "iteration" if spec.epochs is None else "epoch"
    result = TrainResult()
    bar = _progress_bar(n_rounds, unit, progress)
    watch = _EarlyStop(net, spec.patience) if X_val is not None and len(X_val) else None
    generator = torch.Generator().manual_seed(spec.seed)
    if full_batch:
        X = X.contiguous()  # one copy of the (strided) window view, not one per step
    start = time.perf_counter()
    net.train()
    try:
        for i in range(n_rounds):
            if full_batch:
                loss_value = _step(net, criterion, optimizer, X, y, spec.clip)
                result.steps += 1
            else:
                order = torch.randperm(len(X), generator=generator)
                total = 0.0
                for b in range(0, len(X), spec.batch_size):
                    idx = order[b : b + spec.batch_size]
                    total += _step(net, criterion, optimizer, X[idx], y[idx], spec.clip) * len(idx)
                    result.steps += 1
                loss_value = total / len(X)
            if not math.isfinite(loss_value):
                raise RnncastError(
                    f"training diverged: the loss became {loss_value} at {unit} {i + 1};"
                    f" try a lower learning rate than --lr {spec.lr:g}"
                )
            result.losses.append(loss_value)
            if watch is not None:
                result.val_losses.append(watch.update(i, _evaluate(net, criterion, X_val, y_val)))
                if watch.exhausted:
                    result.stopped_early = True
                    break
            if bar is not None:
                bar.update(1)
                if i % 20 == 0 or i == n_rounds - 1:
                    bar.set_postfix_str(f"loss {loss_value:.5f}", refresh=False)
    finally:
        if bar is not None:
            bar.close()
    result.seconds = time.perf_counter() - start
    if watch is not None:
        result.best_step = watch.restore()
    net.eval()
    return result


def _step(net, criterion, optimizer, X, y, clip) -> float:
    optimizer.zero_grad()
    loss = criterion(net(X), y)
    loss.backward()
    if clip is not None:
        optimizer.clip_grad_norm(clip)
    optimizer.step()
    return loss.item()


def _evaluate(net, criterion, X, y) -> float:
    net.eval()
    with torch.no_grad():
        value = criterion(net(X), y).item()
    net.train()
    return value


class _EarlyStop:
    """Remembers the weights with the lowest validation loss; ``exhausted`` after ``patience`` misses."""

    def __init__(self, net: nn.Module, patience: int | None):
        self.net, self.patience = net, patience
        self.best_loss, self.best_step, self.best_state, self.misses = math.inf, None, None, 0

    def update(self, step: int, val_loss: float) -> float:
        if val_loss < self.best_loss:
            self.best_loss, self.best_step, self.misses = val_loss, step + 1, 0
            self.best_state = {k: v.detach().clone() for k, v in self.net.state_dict().items()}
        else:
            self.misses += 1
        return val_loss

    @property
    def exhausted(self) -> bool:
        return self.patience is not None and self.misses >= self.patience

    def restore(self) -> int | None:
        if self.best_state is not None:
            self.net.load_state_dict(self.best_state)
        return self.best_step


def _progress_bar(total: int, unit: str, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="it" if unit == "iteration" else unit, desc="training", leave=False,
                mininterval=0.2, dynamic_ncols=True)
