"""Every setting of a ``Forecaster``, declared once: name, default, choices, help, group and command-line form.

The Forecaster's keyword-only signature and its docstring, the options of ``rnncast train`` / ``backtest``
(and ``--device``/``--precision``), the Forecaster that a command builds, and the ``settings`` section of a
run's config.json (``to_config`` / ``from_config``: what ``rnncast train --config`` and
``Forecaster.from_config`` read back) all come from ``SETTINGS``, so no default or choice list is typed
twice; ``tests/forecaster/test_settings.py`` checks that they agree.
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from rnncast.data.scaling import SCALERS
from rnncast.data.training_sets import STRATEGIES
from rnncast.errors import RnncastError
from rnncast.specs import LIKELIHOODS, LOSSES, MODEL_KINDS, NONLINEARITIES, NORMALIZE, VAL_METRICS
from rnncast.training.devices import DEVICES, PRECISIONS
from rnncast.training.engines import ENGINES

GROUPS = ("model", "windows", "training", "validation", "ensemble", "runtime")


def number_or(word: str, what: str) -> Callable[[str], float | str]:
    """An argparse type: a number, or the word ``word`` (--val-size horizon, --shrink auto)."""

    def parse(text: str) -> float | str:
        if text == word:
            return text
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what} or {word!r}, got {text!r}") from None

    return parse


@dataclass(frozen=True)
class Setting:
    """One setting. ``form`` says how the command line takes it: ``value`` (``--name X``), ``list``
    (comma-separated, e.g. ``--quantiles 0.1,0.9``), ``toggle`` (``--name``/``--no-name``), ``switch``
    (``--name``), ``optional`` (``--name`` alone means True, ``--name N`` a number), or ``none`` (not an
    option of its own: set by another flag or module)."""

    name: str
    default: object
    group: str
    help: str
    choices: tuple | None = None
    form: str = "value"
    type: Callable | None = None  # argparse type for value/optional/list items (default: the default's type)
    metavar: str | None = None
    saved: bool = True  # written to config.json (False: how this process runs, not what the model is)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


_F, _I = float, int
SETTINGS: tuple[Setting, ...] = (
    Setting("model", "lstm", "model", "the recurrent cell: rnn, lstm or gru", MODEL_KINDS),
    Setting("seq_length", 7, "windows", "input window length L: the rows each forecast reads", type=_I),
    Setting("horizon", 1, "windows", "steps ahead H to forecast", type=_I),
    Setting("hidden_size", 10, "model", "hidden units per layer", type=_I),
    Setting("num_layers", 1, "model", "stacked recurrent layers", type=_I),
    Setting("dropout", 0.0, "model", "dropout between stacked layers (torch engine)", type=_F),
    Setting("nonlinearity", "tanh", "model", "the rnn cell's activation (sigmoid: numpy engine only)",
            NONLINEARITIES),
    Setting("scaler", "log", "windows",
            "per series, fitted on training rows only: log (log space for the positive columns, standardised),"
            " log_unscaled (log space, centred only: relative windows read plain log ratios), minmax (the"
            " lecture's), standard or none", SCALERS),
    Setting("strategy", "direct", "windows",
            "multi-step: direct (H outputs at once), recursive (one step, fed back: one-to-many) or seq2seq"
            " (trained on the next step at every position: many-to-many)", STRATEGIES),
    Setting("quantiles", None, "model",
            "e.g. (0.1, 0.9): pinball loss, one output per quantile plus the median (direct, torch)",
            form="list", type=_F),
    Setting("calendar", (), "windows", "calendar features from the time column: dayofweek, month, dayofyear,"
            " hour (sin and cos of each)", form="list", type=str),
    Setting("pad", False, "windows", "left-pad series shorter than one window (a mask input marks the padding)"
            " instead of skipping them", form="switch"),
    Setting("series_embedding", 0, "model", "size of a learned vector per series joined to every input step"
            " (torch; 0: none)", type=_I),
    Setting("normalize", "last", "model",
            "last: windows relative to their last row, zero-initialised output, so the untrained net is naive;"
            " season: each output on its seasonal-naive value (direct), so it starts at seasonal naive; auto:"
            " season for each series whose training part passes the seasonality test (lag-m autocorrelation"
            " significant at 90%, the Naive2 rule), last for the others; none: the lecture's absolute windows",
            NORMALIZE),
    Setting("season_length", None, "model", "the period m of normalize=season|auto (None: the usual period of the"
            " data's frequency: 12 monthly, 4 quarterly, 7 daily)", type=_I, metavar="M"),
    Setting("shrink", 1.0, "model",
            "the share α of the learned correction a relative net's forecast keeps, ŷ = a + α·net (a: the"
            " naive or seasonal-naive anchor), like Theta's halved trend; auto: chosen from 0.25, 0.5, 0.75, 1"
            " on the validation hold-out", type=number_or("auto", "a share in (0, 1]"), metavar="ALPHA|auto"),
    Setting("theta_share", 0.0, "model", "the share w of the Theta method's forecast in the point forecast,"
            " ŷ = (1 − w)·network + w·Theta (simple exponential smoothing with half the linear trend, on each"
            " series' deseasonalised history; rnncast.theta); 0: the network alone", type=_F, metavar="W"),
    Setting("ets_share", 0.0, "model", "the share w_e of exponential smoothing's forecast in the point forecast,"
            " ŷ = (1 − w_θ − w_e)·network + w_θ·Theta + w_e·ETS (a level, a damped trend and seasonal factors it"
            " keeps learning, each where Akaike's criterion wants one; rnncast.ets); 0: none", type=_F, metavar="W"),
    Setting("refit_best", True, "validation", "after early stopping, train a fresh net on all windows for the"
            " number of rounds it chose", form="toggle"),
    Setting("restore_best", True, "validation", "with validation, keep the best round's weights; False: the"
            " last round's (the held-out values then only judge, e.g. shrink=auto)", form="toggle"),
    Setting("deseasonalize", False, "windows", "remove each series' multiplicative seasonal index where the"
            " seasonal autocorrelation is significant, and put it back on the forecasts: True (period from"
            " the frequency), a period, or False", form="optional", type=_I, metavar="PERIOD"),
    Setting("ensemble", 1, "ensemble", "N networks that differ in cell, loss, input length and seed; the"
            " forecast is their median", type=_I),
    Setting("member_epochs", None, "ensemble", "epochs of each member when ensemble > 1 (None: --epochs);"
            " members that train a share of one network's epochs keep an ensemble's cost near one network's",
            type=_I),
    Setting("loss", "mse", "training", "training loss: mse, mae, or mape/smape of the forecasts in the data's"
            " units (log scaler, direct strategy)", LOSSES),
    Setting("lr", 0.01, "training", "Adam learning rate", type=_F),
    Setting("iterations", 500, "training", "full-batch steps (the lecture's loop); ignored with epochs",
            type=_I),
    Setting("epochs", None, "training", "train in mini-batch epochs instead of full-batch iterations",
            type=_I),
    Setting("batch_size", None, "training", "mini-batch size with epochs (None: full batch)", type=_I),
    Setting("swa", 0.0, "training", "stochastic weight averaging: average the weights at the end of this share"
            " of the rounds, the last ones (0.5: the last half; 0: off); with early stopping the average competes"
            " as one more round", type=_F),
    Setting("clip", None, "training", "clip the gradient's global norm to this value (None: no clipping)",
            type=_F),
    Setting("val_size", 0.2, "validation", "the last fraction of each series' training windows held out for"
            " early stopping, or horizon: the last H values of each series; 0: no early stopping",
            type=number_or("horizon", "a fraction")),
    Setting("patience", 50, "validation", "stop after this many rounds without improvement (the untrained"
            " net is round 0)", type=_I),
    Setting("val_metric", "loss", "validation", "what early stopping watches: the loss, or rmse, mae, mape,"
            " smape of the validation forecasts in the data's units (direct)", VAL_METRICS),
    Setting("min_delta", 0.01, "validation", "a round must beat the best so far by this fraction to count,"
            " so noise does not replace the untrained net", type=_F),
    Setting("history", None, "training", "train on each series' last N windows only (None: all)", type=_I),
    Setting("seed", 0, "training", "fixes initial weights and batch order; CPU runs repeat exactly", type=_I),
    Setting("engine", "torch", "runtime", "torch (nn.LSTM & co.) or numpy (rnncast.scratch: the equations,"
            " BPTT by hand, no torch)", ENGINES),
    Setting("conformal", None, "model", "interval levels in percent, e.g. (80, 95): conformal intervals"
            " calibrated on a backtest of the training data", form="list", type=_F),
    Setting("likelihood", None, "model", "gaussian, studentt, negbin (counts), lognormal or logstudentt"
            " (positive data): the network outputs the next value's distribution at every step, trains on its negative"
            " log-likelihood with each series scaled by its mean absolute value (the log ones: log y less its"
            " mean log), and forecasts by sampling paths step by step, each sample fed back (the DeepAR form;"
            " torch). Its own scaling and stepping: scaler, normalize and strategy do not apply", LIKELIHOODS),
    Setting("recalibrate", False, "model", "a likelihood model's quantiles read at levels measured on each"
            " series' last H training values (a copy fitted without them samples them: where the paths put"
            " those values, per step), so its intervals cover what they say (the median is read so too)",
            form="switch"),
    Setting("num_samples", 100, "model", "sample paths per forecast of a likelihood model (its quantiles and"
            " intervals are theirs)", type=_I),
    Setting("progress", False, "runtime", "show a progress bar with the current loss (the command: unless"
            " --quiet)", form="none", saved=False),
    Setting("checkpoint", None, "runtime", "a directory for checkpoint.safetensors, the whole training state",
            form="none", saved=False),
    Setting("checkpoint_every", None, "runtime", "save the training state every N optimizer steps",
            form="none", saved=False),
    Setting("resume", False, "runtime", "continue from the checkpoint, ending with the weights of an"
            " uninterrupted run", form="none", saved=False),
    Setting("device", "cpu", "runtime", "where the torch engine trains: cpu, cuda or auto (cuda when"
            " available); forecasting runs on the CPU", DEVICES, saved=False),
    Setting("n_jobs", 1, "runtime", "ensemble members trained at once, each in its own process (-1: one per"
            " core); same forecasts as in turn", type=_I, saved=False),
    Setting("precision", "fp32", "runtime", "fp32, or bf16 (bfloat16 autocast, CUDA only)", PRECISIONS,
            saved=False),
    Setting("tensorboard", None, "runtime", "a directory for TensorBoard logs of the loss per round (needs"
            " tensorboard)", form="none", saved=False),
)
BY_NAME = {s.name: s for s in SETTINGS}
DEFAULTS = {s.name: s.default for s in SETTINGS}


def signature() -> inspect.Signature:
    """``(*, model='lstm', seq_length=7, ...)``: what ``help(Forecaster)`` and ``inspect`` show."""
    return inspect.Signature([inspect.Parameter(s.name, inspect.Parameter.KEYWORD_ONLY, default=s.default)
                              for s in SETTINGS])


def docstring_args() -> str:
    """One ``Args:`` entry per setting, under its group's heading (for the Forecaster's docstring)."""
    lines = []
    for group in GROUPS:
        lines.append(f"    Args ({group}):")
        for s in (s for s in SETTINGS if s.group == group):
            line = "        "
            for word in f"{s.name} (default {s.default!r}): {s.help}.".split():
                if len(line) + len(word) + 1 > 112:
                    lines.append(line.rstrip())
                    line = "            "
                line += word + " "
            lines.append(line.rstrip())
    return "\n".join(lines)


def checked(params: dict) -> dict:
    """``params`` completed with the defaults; an unknown name is a TypeError, as Python's own."""
    unknown = [name for name in params if name not in BY_NAME]
    if unknown:
        raise TypeError(f"Forecaster() got an unexpected keyword argument {unknown[0]!r}")
    return {**DEFAULTS, **params}


def to_config(params: dict) -> dict:
    """The saved settings of ``params`` as JSON-ready data (tuples as lists), in the table's order."""
    return {s.name: list(params[s.name]) if isinstance(params[s.name], tuple) else params[s.name]
            for s in SETTINGS if s.saved}


def from_config(data, where: str) -> dict:
    """Settings read back from a config.json's ``settings`` section; an unknown name or a runtime-only
    one is refused naming ``where`` (the file), lists become tuples again."""
    if not isinstance(data, dict):
        raise RnncastError(f"{where}: 'settings' must be a JSON object of setting names and values")
    params = {}
    for name, value in data.items():
        s = BY_NAME.get(name)
        if s is None or not s.saved:
            raise RnncastError(f"{where}: {name!r} is not a Forecaster setting that a run saves"
                               f" (help(rnncast.Forecaster) lists them)")
        params[name] = tuple(value) if isinstance(value, list) else value
    return params


def add_option(group, name: str) -> None:
    """Add setting ``name`` to an argparse group as its ``form`` says, with its default, choices and help."""
    s = BY_NAME[name]
    shown = "" if s.default in (None, False, ()) or s.form == "toggle" else f" (default {s.default})"
    kwargs = {"help": (s.help + shown).replace("%", "%%"), "dest": s.name}
    if s.form == "toggle":
        group.add_argument(s.flag, action=argparse.BooleanOptionalAction, default=s.default, **kwargs)
    elif s.form == "switch":
        group.add_argument(s.flag, action="store_true", **kwargs)
    elif s.form == "optional":
        group.add_argument(s.flag, nargs="?", type=s.type, const=True, default=s.default, metavar=s.metavar,
                           **kwargs)
    elif s.form == "list":
        group.add_argument(s.flag, default=None, metavar=s.metavar or "A,B", **kwargs)
    else:
        group.add_argument(s.flag, type=None if s.choices else s.type, choices=s.choices, default=s.default,
                           metavar=s.metavar, **kwargs)


def from_args(args, names) -> dict:
    """The settings ``names`` as parsed into ``args`` (comma lists split and typed) for the Forecaster."""
    params = {}
    for name in names:
        s = BY_NAME[name]
        value = getattr(args, name)
        if s.form == "list" and isinstance(value, list | tuple):  # from --preset or --config, already typed
            value = tuple(value) if name == "calendar" else list(value)
        elif s.form == "list":
            parts = [t.strip() for t in value.split(",") if t.strip()] if value else []
            try:
                value = [s.type(t) for t in parts] if parts else s.default
            except ValueError:
                raise RnncastError(f"{s.flag} takes numbers separated by commas (like 0.1,0.9 or 80,95), got"
                                   f" {value!r}") from None
            if name == "calendar":
                value = tuple(value)
        params[name] = value
    return params
