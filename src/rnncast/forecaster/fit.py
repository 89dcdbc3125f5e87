"""A Forecaster's fit: ``fit_panel`` prepares the series (padding, seasonal indices, scalers, input
rows) and trains one network per ensemble member (``rnncast.forecaster.ensemble``) with ``fit_member``: its
samples, the loop, early stopping and the refit. Each member's training is one or two runs of
``training.run``:

1. on the training samples of its window length, with validation (loss, or a metric in the data's
   units: ``rnncast.training.early_stopping``) and early stopping where asked for;
2. with ``refit_best``, a fresh net trained for the rounds run 1 chose, on all (recent) windows, so the
   validation windows teach the final model too.

Every run can write checkpoints (its own file: ``stage``) and TensorBoard logs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rnncast import metrics
from rnncast.data.frame import forecast_tail
from rnncast.data.input_rows import pad_left, stacked_input_rows
from rnncast.data.seasons import anchor_period, fit_season, is_seasonal, season_period
from rnncast.data.series_scaling import fit_scaling
from rnncast.data.training_sets import ScaledTargets, training_set
from rnncast.errors import RnncastError
from rnncast.forecaster.ensemble import member_specs
from rnncast.forecaster.state import FittedState
from rnncast.specs import LOG_LIKELIHOODS, RATIO_LOSSES
from rnncast.training import devices, distributed, engines, workers
from rnncast.training import tensorboard as tblog
from rnncast.training.progress import Progress


def fit_member(f, state, specs: tuple, frames: list, flat: list, rows: list, scalings: dict, member: int = 0,
               progress: Progress | bool = False):
    """Train ensemble member ``member`` of Forecaster ``f`` → ``(net, TrainResult, judge)``; ``judge``:
    with ``shrink="auto"``, run 1's ``validation.MetricValidation`` (its net holds the weights it kept),
    else None.

    ``frames`` are the series as given (original units), ``flat`` the same without their seasonal
    index, ``rows`` their input rows and ``scalings`` their scalers."""
    # long: one member's whole training (samples, the run with validation, the refit) in the order
    # it happens; issue 15's fitted-state object is where it splits.
    model_spec, window, train_spec = specs
    L, H = window.seq_length, window.horizon
    # MAPE/sMAPE losses read each target's series scale σ_i next to it (training_sets.ScaledTargets)
    # (0 for a series with values <= 0, which the log scaler only standardises: training.losses.RatioLoss)
    # a likelihood's NLL reads each series' ν (its meanabs scale) the same way
    if model_spec.likelihood:
        scale = np.array([scalings[s.uid].past.scale[-1] for s in flat])
    elif train_spec.loss in RATIO_LOSSES:
        scale = np.array([scalings[s.uid].past.scale[-1] * scalings[s.uid].past.log[-1] for s in flat])
    else:
        scale = None

    def split(data):
        starts, targets, val_starts, val_targets = data.split()
        if scale is None:
            return starts, targets, val_starts, val_targets
        return starts, ScaledTargets.of(targets, scale), val_starts, ScaledTargets.of(val_targets, scale)

    data = targets_of(model_spec, training_set(flat, rows, L, H, window.strategy, train_spec.val_size,
                                               train_spec.history))
    train_idx, y_train, val_idx, y_val = split(data)
    if len(train_idx) == 0:
        raise RnncastError(f"val-size {train_spec.val_size} leaves no training windows")
    n_past, n_inputs = flat[0].values.shape[1], rows[0].shape[1]

    def label(stage: str) -> str:
        """What the progress bar says is training: member k of N and the phase."""
        phase = "refit" if stage.endswith("refit") else "validation run" if len(val_idx) else "training"
        return phase if f.ensemble == 1 else f"member {member + 1}/{f.ensemble} · {phase}"

    def run(spec, data, parts, stage, validate=None):
        """One training run of a fresh net on ``parts`` = (train starts, targets, val starts, targets)."""
        from rnncast.training import checkpoint as checkpoints
        from rnncast.training import loop as training

        net = f.build_net(model_spec, window, spec, n_inputs, n_past, len(flat))
        steps = engines.stepper(f.engine, net, data.windows, *parts, spec, spec.full_batch(len(parts[0])),
                                window.quantiles, f.device, f.precision)
        if validate is not None:
            steps = validate(steps, net)
        checkpoint = checkpoints.for_fit(f, (model_spec, window, spec), rows, data, stage)
        with tblog.open_log(f.tensorboard) as log:
            n = len(parts[0])
            return net, training.run(steps, n, training.schedule_of(spec, n), progress=progress,
                                     checkpoint=checkpoint, log=log, label=label(stage))

    validate, watched = None, []  # watched: run 1's validating stepper
    if len(val_idx) and train_spec.val_metric != "loss":
        from rnncast.training.early_stopping import metric_validation

        def validate(steps, net):
            watched.append(metric_validation(steps, f.engine, net, data, frames, scalings, state.seasons, window,
                                             train_spec.val_metric, auto_shrink=model_spec.shrink == "auto"))
            return watched[-1]

    stage = f"member{member}" if member else ""
    net, result = run(train_spec, data, (train_idx, y_train, val_idx, y_val), stage, validate)
    # shrink="auto": the share is the ensemble's choice (validation.choose_shares), on run 1's held-out
    # forecasts (a net that kept its untrained round forecasts its anchor whatever the share is)
    judge = watched[0].frozen() if model_spec.shrink == "auto" and watched else None
    if f.refit_best and len(val_idx) and result.best_step:
        # Early stopping chose how long to train; train a fresh net that long on all windows.
        rounds = {"iterations": result.best_step} if train_spec.epochs is None else {"epochs": result.best_step}
        if isinstance(progress, Progress):
            progress.add(result.best_step)
        spec = replace(train_spec, val_size=0.0, patience=None, **rounds)
        everything = targets_of(model_spec, training_set(flat, rows, L, H, window.strategy, 0.0, spec.history))
        starts, targets, _, _ = split(everything)
        net, refit = run(spec, everything, (starts, targets, starts[:0], targets[:0]), f"{stage or 'member0'}-refit")
        refit.val_losses, refit.val_rounds, refit.best_step = result.val_losses, result.val_rounds, result.best_step
        refit.initial_val_loss = result.initial_val_loss
        refit.seconds += result.seconds  # the member's training time: both runs
        result = refit
    return net, result, judge


CELL_COST = {"lstm": 1.0, "gru": 1.5, "rnn": 0.5}  # one step's time, relative (benchmarks/batched_members.py)


def expected_cost(specs) -> float:
    """A member's training time, up to a constant: its rounds × input length × its cell's cost per step. Only
    the order matters: the workers start the longest members first, so that the two (or more) of them end
    together rather than one running a long member alone at the end (M1 monthly, n_jobs=2: 43.1 s -> 37.1 s, median
    of 3; BENCHMARKS.md)."""
    model_spec, window, train_spec = specs
    return budget(train_spec) * window.seq_length * CELL_COST.get(model_spec.kind, 1.0)


def train_members(f, state, members: list, frames: list, flat: list, rows: list, scalings: dict,
                  progress: Progress) -> list:
    """Every member's ``(net, TrainResult, judge)``: in turn, or with ``n_jobs`` > 1 in that many forked
    processes (``training.workers``), each sending back its weights as safetensors bytes. In turn on a GPU,
    under torchrun and with checkpoints (whose resume goes member by member)."""
    jobs = workers.jobs_for(f.n_jobs, len(members))
    if jobs > 1 and (f.checkpoint is not None or distributed.world_size() > 1
                     or f.device != "cpu" and devices.resolve(f.device).type != "cpu"):  # ("cpu": no torch import)
        jobs = 1
    if jobs == 1:
        return [fit_member(f, state, specs, frames, flat, rows, scalings, k, progress)
                for k, specs in enumerate(members)]
    progress.label(f"{len(members)} members, {jobs} at a time")

    def train(k: int):
        net, result, judge = fit_member(f, state, members[k], frames, flat, rows, scalings, k)
        return engines.state_bytes(f.engine, net), result, judge

    def finished(k: int, _) -> None:
        progress.skip(budget(members[k][2]))

    trained = []
    order = sorted(range(len(members)), key=lambda k: -expected_cost(members[k]))  # the longest start first
    for (model_spec, window, spec), (weights, result, judge) in zip(
            members, workers.run_all(train, len(members), jobs, finished, order), strict=True):
        net = f.build_net(model_spec, window, spec, rows[0].shape[1], flat[0].values.shape[1], len(flat))
        engines.load_state(f.engine, net, weights, "a worker's weights")
        trained.append((net, result, judge))
    return trained


def budget(train_spec) -> int:
    """The rounds a training run is given: its epochs, or its iterations."""
    return train_spec.iterations if train_spec.epochs is None else train_spec.epochs


def targets_of(model_spec, data):
    """The training set as trained on: a likelihood model's targets are the next target value at every
    step, ``(N, L)``, not the whole next row."""
    return replace(data, target_view=data.target_view[..., -1]) if model_spec.likelihood else data


def fit_panel(f, panel):
    """Fit Forecaster ``f`` to ``panel``: its series (padded or skipped), seasonal indices, scalers and
    input rows, one training per ensemble member, the shares of shrink="auto"; returns ``f``.

    All or nothing: the new ``FittedState`` reaches ``f`` only when everything succeeded, so a failing
    fit (Ctrl-C included) leaves the previous one whole.
    """
    f.state_ = _fit(f, panel)
    return f


def _fit(f, panel):
    # long: the body of fit, step by step; issue 15's fitted-state object is where it splits.
    model_spec, window, train_spec = f.specs()
    devices.check(f.engine, f.device, f.precision)  # training's concern only, not predict's
    if model_spec.seasonal:
        model_spec = replace(model_spec, season=anchor_period(f.season_length, panel.freq, window.seq_length))
    members = member_specs(model_spec, window, train_spec, f.ensemble,
                           vary_loss=f.engine == "torch" and not window.quantiles and not model_spec.likelihood)
    if f.ensemble > 1 and f.member_epochs is not None:
        members = [(m, w, replace(t, epochs=f.member_epochs)) for m, w, t in members]
    L = max(w.seq_length for _, w, _ in members)
    H = window.horizon
    steps_needed = L + (H if window.strategy == "direct" else 1)
    if window.pad:
        # with the last H values held out, one more H gives every series a training window too
        padded = steps_needed + (H if train_spec.val_size == "horizon" else 0)
        usable = [pad_left(s, padded, panel.freq) for s in panel.series]
    else:
        usable = [s for s in panel.series if len(s) >= steps_needed]
    skipped = [s.uid for s in panel.series if len(s) < steps_needed and not window.pad]
    if not usable:
        raise RnncastError(
            f"every series is too short: seq_length {L} and horizon {H} need at least {steps_needed} rows,"
            f" the longest has {max(len(s) for s in panel.series)}"
        )
    if model_spec.likelihood and len(usable[0].columns) > 1:
        raise RnncastError(f"a likelihood model samples the target alone, and would need the future of"
                           f" {', '.join(usable[0].columns[:-1])} too: pass such columns as future-known (--known)"
                           f" or leave them out (--features {usable[0].target})")
    if model_spec.likelihood in LOG_LIKELIHOODS:
        bad = next((s for s in panel.series if np.any(s.y <= 0)), None)
        if bad is not None:
            raise RnncastError(f"the {model_spec.likelihood} likelihood needs positive values; series {bad.uid!r}"
                               f" has {float(bad.y[bad.y <= 0][0]):g}: use --likelihood gaussian, studentt or negbin")
    calibration = None  # both hold out each series' last values: its real ones, not the left padding
    if f.conformal:
        from rnncast.forecaster.intervals import calibrate

        calibration = calibrate(f, panel, f.conformal)
    recalibrated = None
    if f.recalibrate:  # a likelihood model's quantile levels, measured on each series' last H values
        from rnncast.forecaster.recalibration import recalibrate

        recalibrated = recalibrate(f, panel)
    period = season_period(f.deseasonalize, panel.freq)
    state = FittedState(freq=panel.freq, skipped=skipped,
                        seasons={s.uid: fit_season(s, period, panel.freq) if period else None for s in usable},
                        series_index={s.uid: k for k, s in enumerate(usable)},
                        seasonal_anchors={s.uid: is_seasonal(s.y[s.n_padded :], model_spec.season) for s in usable}
                        if model_spec.normalize == "auto" else {})
    flat = [f.without_season(s, state) for s in usable]
    scalings = {s.uid: fit_scaling(window.scaler, s) for s in flat}
    rows = stacked_input_rows(flat, lambda s, out: f.series_input_rows(s, scalings[s.uid], out=out, state=state))
    rounds = sum(budget(t) for _, _, t in members)  # the validation runs'
    progress = Progress(rounds, "iteration" if train_spec.epochs is None else "epoch", f.progress)  # the whole fit
    try:
        trained = train_members(f, state, members, usable, flat, rows, scalings, progress)
    finally:
        progress.close()
    if model_spec.shrink == "auto":
        from rnncast.training.early_stopping import choose_shares

        choose_shares([net for net, _, _ in trained], [judge for _, _, judge in trained])

    first = usable[0]
    state.nets = [net for net, _, _ in trained]
    # shrink="auto": each member holds the share its validation chose (the net knows it)
    state.members = [(replace(m, shrink=net.shrink) if m.shrink == "auto" else m, w, t)
                     for (m, w, t), net in zip(members, state.nets, strict=True)]
    state.scalings, state.columns, state.target = scalings, list(first.columns), first.target
    state.time_col, state.id_col, state.known_columns = first.time_col, panel.id_col, list(first.known_columns)
    state.ignored_columns = dict(first.ignored)
    state.histories = [result for _, result, _ in trained]
    whole = f.theta_share or f.ets_share  # Theta and ETS read each series' whole history
    state.tails = {s.uid: forecast_tail(s, len(s) if whole else L) for s in usable}
    state.conformal = calibration
    state.recalibrated = recalibrated
    state.interval_scales = {s.uid: metrics.naive_scale(s.y) or 1.0 for s in usable}
    state.n_features_in, state.n_series = rows[0].shape[1], len(usable)
    return state
