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
from rnncast.specs import LIKELIHOODS, RATIO_LOSSES, TrainSpec
from rnncast.training import batch_order as order_module
from rnncast.training.averaging import WeightAverage
from rnncast.training.losses import LikelihoodLoss, PinballLoss, RatioLoss
from rnncast.training.progress import Progress

VAL_CHUNK = 1024  # windows per forward pass when validating a mini-batch run (TorchSteps.val_loss)


@dataclass(frozen=True)
class Schedule:
    """What one training run does, whatever the stepper.

    ``rounds`` rounds of ``unit`` ("iteration", "epoch" or "step", as the progress bar and messages say).
    With ``batch_size`` None a round is one step on the stepper's own batch, ``step(None)``: every window
    (full batch) for forecasting, a random draw of text windows for the language model. Otherwise a
    round is an epoch: the samples in a fresh order (``permutation``), in batches of ``batch_size``.
    The validation loss is measured every ``validate_every`` rounds and after the last; the weights with
    the lowest are kept (``restore_best``); ``score_untrained``: the untrained weights compete as round 0.
    ``patience`` validations without a gain of ``min_delta`` end the run, and so does ``budget`` (seconds
    spent in steps, wall clock). ``lr`` is named in the divergence message. ``swa``: the share of the
    rounds, the last ones, whose end weights are averaged (``training.averaging``; 0: none).
    """

    rounds: int
    unit: str
    lr: float
    batch_size: int | None = None
    patience: int | None = None
    min_delta: float = 0.0
    restore_best: bool = True
    validate_every: int = 1
    score_untrained: bool = True
    budget: float | None = None
    swa: float = 0.0


def schedule_of(spec: TrainSpec, n_samples: int) -> Schedule:
    """A forecasting ``TrainSpec`` on ``n_samples`` windows as the loop's schedule."""
    rounds, unit = (spec.iterations, "iteration") if spec.epochs is None else (spec.epochs, "epoch")
    return Schedule(rounds, unit, spec.lr, None if spec.full_batch(n_samples) else spec.batch_size, spec.patience,
                    spec.min_delta, spec.restore_best, swa=spec.swa)


@dataclass
class TrainResult:
    losses: list[float] = field(default_factory=list)  # training loss per round (iteration, epoch or step)
    val_losses: list[float] = field(default_factory=list)
    val_rounds: list[int] = field(default_factory=list)  # the round after which each validation loss was measured
    best_step: int | None = None  # the iteration/epoch whose weights were kept (early stopping; 0 = untrained;
    # restore_best=False: the last one run)
    initial_val_loss: float | None = None  # the untrained net's validation loss
    stopped_early: bool = False
    stopped_by_budget: bool = False
    averaged_rounds: int = 0  # swa: how many rounds' end weights the kept average holds (0: none kept)
    steps: int = 0  # optimizer steps taken
    seconds: float = 0.0
    step_seconds: float = 0.0  # of which in training steps (validation, checkpoints and the display excluded)


def train(net, X, y, spec: TrainSpec, X_val=None, y_val=None, progress: bool = False) -> TrainResult:
    """Train the torch ``net`` in place on windows ``X`` ``(N, L, F)`` and targets ``y`` ``(N, H)`` (tensors)."""
    spec.check()
    steps = TorchSteps(net, X, y, X_val, y_val, spec, spec.full_batch(len(X)))
    return run(steps, len(X), schedule_of(spec, len(X)), progress)


def run(steps, n_samples: int, schedule: Schedule, progress: bool | Progress = False, checkpoint=None, log=None,
        label: str = "training") -> TrainResult:
    """The loop over rounds for any stepper (forecasting on either engine, the text LM, the tagger).

    ``checkpoint`` (a ``rnncast.training.checkpoint.Checkpointer``) saves the whole training state every N
    steps and, when resuming, restores it here before the first step, so that the run continues
    exactly where the saved one stood (round, batch, batch order, losses, early-stopping state).
    ``log(round, train_loss, val_loss_or_None)``, when given, is called after every round (TensorBoard).
    ``progress``: draw a bar of this run (True), or advance a ``Progress`` that spans several runs and already
    counts this one's rounds; ``label`` names the run on it. A stepper may offer ``describe(loss, val_loss)``
    for the bar's text (the LM shows perplexities).
    """
    # long: the loop reads best as one piece, as nanoGPT's train.py does: each round's steps,
    # validation, early stopping, checkpoint and progress in the order they happen.
    s = schedule
    result = TrainResult()
    watch = _EarlyStop(steps, s.patience, s.min_delta) if steps.has_validation else None
    if watch is not None and s.score_untrained:  # with normalize="last" the untrained net is the naive forecast
        result.initial_val_loss = watch.update(-1, steps.val_loss())
    average = WeightAverage(s.rounds, s.swa)
    resumed = checkpoint.restore(steps, result, watch, average) if checkpoint is not None else None
    first_round = resumed.round if resumed else 0
    shared = isinstance(progress, Progress)
    bar = progress if shared else Progress(s.rounds, s.unit, progress, label, first_round)
    if shared:
        bar.skip(first_round)
    bar.label(label)  # the bar appears (or is renamed) as this run starts
    describe = getattr(steps, "describe", _describe)
    start = time.perf_counter() - result.seconds
    rounds_run = first_round
    try:
        for i in range(first_round, s.rounds):
            began = time.perf_counter()
            if s.batch_size is None:
                loss_value = float(steps.step(None))
                result.steps += 1
            else:
                order_state = steps.order_state() if checkpoint is not None else None  # before the shuffle
                order = steps.permutation(n_samples)
                first, total = (resumed.batch, resumed.partial_loss) if resumed and i == first_round else (0, 0.0)
                for b in range(first, n_samples, s.batch_size):
                    idx = order[b : b + s.batch_size]
                    total += steps.step(idx) * len(idx)
                    result.steps += 1
                    if checkpoint is not None and b + s.batch_size < n_samples:
                        checkpoint.step_done(steps, result, watch, i, b + s.batch_size, total, order_state, average)
                loss_value = float(total) / n_samples
                order = None  # freed before the next epoch's is drawn: two at once would double its memory
            result.step_seconds += time.perf_counter() - began
            if not math.isfinite(loss_value):
                raise RnncastError(
                    f"training diverged: the loss became {loss_value} at {s.unit} {i + 1};"
                    f" try a lower learning rate than --lr {s.lr:g}"
                )
            result.losses.append(loss_value)
            over_budget = s.budget is not None and result.step_seconds >= s.budget
            val_loss = None
            if watch is not None and ((i + 1) % s.validate_every == 0 or over_budget or i == s.rounds - 1):
                val_loss = watch.update(i, steps.val_loss())
                result.val_losses.append(val_loss)
                result.val_rounds.append(i + 1)
            if log is not None:
                log(i + 1, loss_value, val_loss)
            if bar.enabled:  # no text formatted per round when nothing is drawn
                bar.advance(describe(loss_value, val_loss))
            rounds_run = i + 1
            if average.wants(i):
                average.add(steps.snapshot())
            if watch is not None and watch.exhausted:
                result.stopped_early = True
                break
            if checkpoint is not None:
                checkpoint.step_done(steps, result, watch, i + 1, 0, 0.0, None, average)
            if over_budget:
                result.stopped_by_budget = i < s.rounds - 1
                break
    finally:
        if shared:
            bar.add(-(s.rounds - rounds_run))  # the rounds early stopping (or a budget) left out
        else:
            bar.close()
    result.seconds = time.perf_counter() - start
    if average.count:
        _keep_average(steps, result, watch if s.restore_best else None, average, rounds_run)
    if watch is not None:
        result.best_step = watch.restore() if s.restore_best else len(result.losses)
    steps.finish()
    return result


def _keep_average(steps, result: TrainResult, watch, average: WeightAverage, rounds_run: int) -> None:
    """End on the averaged weights; where early stopping keeps its best round (``watch``), the average is
    scored on the held-out windows as one more round, the last one run, and becomes the best only if it beats
    it (``run`` then restores the best, whichever it is)."""
    steps.restore(average.mean)
    if watch is None:
        result.averaged_rounds = average.count
        return
    best_before = watch.best_loss
    watch.update(rounds_run - 1, steps.val_loss())
    if watch.best_loss != best_before:
        result.averaged_rounds = average.count


def _describe(loss: float, val_loss: float | None) -> str:
    return f"loss {loss:.5f}" + ("" if val_loss is None else f" val {val_loss:.5f}")


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
        if quantiles:
            self.criterion = PinballLoss(quantiles)
        elif spec.loss in LIKELIHOODS:
            self.criterion = LikelihoodLoss(spec.loss)
        elif spec.loss in RATIO_LOSSES:
            self.criterion = RatioLoss(spec.loss)
        else:
            self.criterion = {"mse": torch.nn.MSELoss, "mae": torch.nn.L1Loss}[spec.loss]()
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
