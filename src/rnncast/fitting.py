"""Training one network of a Forecaster's fit: its samples, the loop, early stopping and the refit.

A fit trains one network per ensemble member (``rnncast.ensemble``). Each member's training is one or
two runs of ``training.run``:

1. on the training samples of its window length, with validation (loss, or a metric in the data's
   units: ``rnncast.validation``) and early stopping where asked for;
2. with ``refit_best``, a fresh net trained for the rounds run 1 chose, on all (recent) windows, so the
   validation windows teach the final model too.

Every run can write checkpoints (its own file: ``stage``) and TensorBoard logs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rnncast import engines, tblog
from rnncast.config import RATIO_LOSSES
from rnncast.errors import RnncastError
from rnncast.samples import ScaledTargets, training_set


def fit_member(f, specs: tuple, frames: list, flat: list, rows: list, scalings: dict, member: int = 0):
    """Train ensemble member ``member`` of Forecaster ``f`` → ``(net, TrainResult, judge)``; ``judge``:
    with ``shrink="auto"``, run 1's ``validation.MetricValidation`` (its net holds the weights it kept),
    else None.

    ``frames`` are the series as given (original units), ``flat`` the same without their seasonal
    index, ``rows`` their input rows and ``scalings`` their scalers."""
    model_spec, window, train_spec = specs
    L, H = window.seq_length, window.horizon
    # MAPE/sMAPE losses read each target's series scale σ_i next to it (samples.ScaledTargets)
    # (0 for a series with values <= 0, which the log scaler only standardises: training.RatioLoss)
    scale = np.array([scalings[s.uid].past.scale[-1] * scalings[s.uid].past.log[-1] for s in flat]
                     ) if train_spec.loss in RATIO_LOSSES else None

    def split(data):
        starts, targets, val_starts, val_targets = data.split()
        if scale is None:
            return starts, targets, val_starts, val_targets
        return starts, ScaledTargets.of(targets, scale), val_starts, ScaledTargets.of(val_targets, scale)

    data = training_set(flat, rows, L, H, window.strategy, train_spec.val_size, train_spec.history)
    train_idx, y_train, val_idx, y_val = split(data)
    if len(train_idx) == 0:
        raise RnncastError(f"val-size {train_spec.val_size} leaves no training windows")
    n_past, n_inputs = flat[0].values.shape[1], rows[0].shape[1]

    def run(spec, data, parts, stage, validate=None):
        """One training run of a fresh net on ``parts`` = (train starts, targets, val starts, targets)."""
        from rnncast import checkpoint as checkpoints
        from rnncast import training

        net = f._build_net(model_spec, window, spec, n_inputs, n_past, len(flat))
        steps = engines.stepper(f.engine, net, data.windows, *parts, spec, spec.full_batch(len(parts[0])),
                                window.quantiles, f.device, f.precision)
        if validate is not None:
            steps = validate(steps, net)
        checkpoint = checkpoints.for_fit(f, (model_spec, window, spec), rows, data, stage)
        with tblog.open_log(f.tensorboard) as log:
            return net, training.run(steps, len(parts[0]), spec, progress=f.progress, checkpoint=checkpoint,
                                     log=log)

    validate, watched = None, []  # watched: run 1's validating stepper
    if len(val_idx) and train_spec.val_metric != "loss":
        from rnncast.validation import metric_validation

        def validate(steps, net):
            watched.append(metric_validation(steps, f.engine, net, data, frames, scalings, f.seasons_, window,
                                             train_spec.val_metric, auto_shrink=model_spec.shrink == "auto"))
            return watched[-1]

    stage = f"member{member}" if member else ""
    net, result = run(train_spec, data, (train_idx, y_train, val_idx, y_val), stage, validate)
    # shrink="auto": the share is the ensemble's choice (validation.choose_shares), on run 1's held-out
    # forecasts (a net that kept its untrained round forecasts its anchor whatever the share is)
    judge = watched[0] if model_spec.shrink == "auto" and watched else None
    if f.refit_best and len(val_idx) and result.best_step:
        # Early stopping chose how long to train; train a fresh net that long on all windows.
        rounds = {"iterations": result.best_step} if train_spec.epochs is None else {"epochs": result.best_step}
        spec = replace(train_spec, val_size=0.0, patience=None, **rounds)
        everything = training_set(flat, rows, L, H, window.strategy, 0.0, spec.history)  # all (recent) windows
        starts, targets, _, _ = split(everything)
        net, refit = run(spec, everything, (starts, targets, starts[:0], targets[:0]), f"{stage or 'member0'}-refit")
        refit.val_losses, refit.best_step = result.val_losses, result.best_step
        refit.initial_val_loss = result.initial_val_loss
        result = refit
    return net, result, judge
