"""Settings as frozen dataclasses, checked once, written to and read from ``config.json``.

- ``ModelSpec``: which network (``rnn`` / ``lstm`` / ``gru``) and its size.
- ``WindowSpec``: how the series becomes samples (input length, horizon) and how it is scaled.
- ``TrainSpec``: the optimisation (Adam learning rate, iterations or epochs, clipping, early stop, seed).

``check()`` raises ``RnncastError`` with one line naming the bad setting, so the CLI and the Python
API refuse the same things with the same words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from rnncast.errors import RnncastError

MODEL_KINDS = ("rnn", "lstm", "gru")
NONLINEARITIES = ("tanh", "relu", "sigmoid")  # sigmoid: numpy engine only
LOSSES = ("mse", "mae", "mape", "smape")
RATIO_LOSSES = ("mape", "smape")  # of the forecasts in the data's units, from log ratios (training.losses.RatioLoss)
VAL_METRICS = ("loss", "rmse", "mae", "mape", "smape")
# distribution heads (training.likelihoods); as a loss: its NLL
LIKELIHOODS = ("gaussian", "studentt", "negbin", "lognormal", "logstudentt")
LOG_LIKELIHOODS = ("lognormal", "logstudentt")  # of log y (positive data): training.likelihoods
NORMALIZE = ("none", "last", "season", "auto")
SHRINK_GRID = (0.25, 0.5, 0.75, 1.0)  # the shares shrink="auto" tries on the validation hold-out


def _positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RnncastError(f"{name} must be a positive whole number, got {value!r}")


@dataclass(frozen=True)
class ModelSpec:
    kind: str = "lstm"
    hidden_size: int = 10
    num_layers: int = 1
    dropout: float = 0.0
    nonlinearity: str = "tanh"  # rnn only
    series_embedding: int = 0  # size of a learned per-series vector added to every input step (0: none)
    normalize: str = "none"  # "last": inputs and outputs relative to the window's last row (see models/nets.py);
    # "season": inputs relative to the last row, each output relative to its seasonal-naive value;
    # "auto": per series, "season" where its training part passes the seasonality test, else "last"
    season: int = 1  # the period m of normalize="season" / "auto"
    # What share α of its learned correction a relative net's forecast keeps, ŷ = a + α·net(x') (a: the
    # anchor; in scaled units): 1 keeps all of it; "auto" lets the validation hold-out choose α from
    # SHRINK_GRID (rnncast.training.early_stopping), and a fitted member holds the number it chose.
    shrink: float | str = 1.0
    # A distribution of the next value at every step instead of point forecasts (the DeepAR form):
    # trained on its negative log-likelihood, forecasts sampled step by step (forecaster.sampling).
    likelihood: str | None = None

    @property
    def relative(self) -> bool:
        """Whether windows are read relative to their last row (normalize "last", "season" or "auto")."""
        return self.normalize != "none"

    @property
    def seasonal(self) -> bool:
        """Whether outputs may sit on their seasonal-naive value (normalize "season", or "auto" per series)."""
        return self.normalize in ("season", "auto")

    def check(self) -> None:
        if self.normalize not in NORMALIZE:
            raise RnncastError(f"unknown normalize {self.normalize!r}; choose one of {', '.join(NORMALIZE)}")
        if self.likelihood is not None and self.likelihood not in LIKELIHOODS:
            raise RnncastError(f"unknown likelihood {self.likelihood!r}; choose one of {', '.join(LIKELIHOODS)}")
        _positive_int("season_length", self.season)
        if self.shrink != "auto" and (not isinstance(self.shrink, int | float) or isinstance(self.shrink, bool)
                                      or not 0.0 < self.shrink <= 1.0):
            raise RnncastError(f"shrink must be 'auto' or a share in (0, 1], got {self.shrink!r}")
        if isinstance(self.series_embedding, bool) or not isinstance(self.series_embedding, int) \
                or self.series_embedding < 0:
            raise RnncastError(f"series_embedding must be a whole number >= 0, got {self.series_embedding!r}")
        if self.kind not in MODEL_KINDS:
            raise RnncastError(f"unknown model {self.kind!r}; choose one of {', '.join(MODEL_KINDS)}")
        _positive_int("hidden_size", self.hidden_size)
        _positive_int("num_layers", self.num_layers)
        if not 0.0 <= self.dropout < 1.0:
            raise RnncastError(f"dropout must lie in [0, 1), got {self.dropout}")
        if self.nonlinearity not in NONLINEARITIES:
            raise RnncastError(
                f"unknown nonlinearity {self.nonlinearity!r}; choose one of {', '.join(NONLINEARITIES)}"
            )


@dataclass(frozen=True)
class WindowSpec:
    seq_length: int = 7
    horizon: int = 1
    scaler: str = "minmax"
    strategy: str = "direct"  # direct | recursive | seq2seq (training_sets)
    quantiles: tuple[float, ...] | None = None  # direct strategy, torch engine: pinball loss
    calendar: tuple[str, ...] = ()  # calendar features derived from ds (dayofweek, month, ...)
    pad: bool = False  # left-pad series shorter than one window (with a mask column) instead of skipping them

    def check(self) -> None:
        from rnncast.data.panel import CALENDAR_PERIODS
        from rnncast.data.scaling import SCALERS
        from rnncast.data.training_sets import STRATEGIES

        _positive_int("seq_length", self.seq_length)
        _positive_int("horizon", self.horizon)
        if self.scaler not in SCALERS:
            raise RnncastError(f"unknown scaler {self.scaler!r}; choose one of {', '.join(SCALERS)}")
        if self.strategy not in STRATEGIES:
            raise RnncastError(f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        if self.quantiles is not None:
            if self.strategy != "direct":
                raise RnncastError("quantile outputs need the direct strategy (recursive and seq2seq feed back"
                                   " point forecasts); use conformal intervals with those")
            if not self.quantiles or not all(0.0 < q < 1.0 for q in self.quantiles):
                raise RnncastError(f"quantiles must lie strictly between 0 and 1, got {list(self.quantiles)}")
        unknown = [c for c in self.calendar if c not in CALENDAR_PERIODS]
        if unknown:
            raise RnncastError(f"unknown calendar feature {unknown[0]!r}; choose from {', '.join(CALENDAR_PERIODS)}")


@dataclass(frozen=True)
class TrainSpec:
    lr: float = 0.01
    iterations: int | None = 500  # full-batch steps (the lecture's way); ignored when epochs is set
    epochs: int | None = None
    batch_size: int | None = None  # with epochs; None = full batch
    clip: float | None = None  # max global gradient norm; None = no clipping
    val_size: float | str = 0.0  # last fraction of each series' windows held out, or "horizon" (training_sets)
    patience: int | None = None  # stop after this many steps/epochs without validation improvement
    seed: int = 0
    loss: str = "mse"  # mse | mae | mape | smape (quantiles: pinball)
    val_metric: str = "loss"  # what early stopping watches: the loss, or a metric in the data's units
    min_delta: float = 0.0  # relative: a round improves on the best only if below best · (1 - min_delta)
    history: int | None = None  # train on each series' last `history` training windows only (None: all)
    # with validation: keep the weights of the best round (True), or of the last one run (False: the
    # held-out values then only judge, e.g. choose shrink="auto"'s share; Keras's restore_best_weights)
    restore_best: bool = True
    swa: float = 0.0  # average the end weights of this share of the rounds, the last ones (training.averaging)

    def full_batch(self, n_samples: int) -> bool:
        """Whether every step uses all ``n_samples`` windows (iterations, or a batch at least that large)."""
        return self.epochs is None or self.batch_size is None or self.batch_size >= n_samples

    def check(self) -> None:
        if not isinstance(self.lr, (int, float)) or isinstance(self.lr, bool) or not self.lr > 0:
            raise RnncastError(f"learning rate must be positive, got {self.lr!r}")
        if self.epochs is None:
            _positive_int("iterations", self.iterations)
        else:
            _positive_int("epochs", self.epochs)
        if self.batch_size is not None:
            _positive_int("batch_size", self.batch_size)
        if self.clip is not None and not self.clip > 0:
            raise RnncastError(f"clip must be positive, got {self.clip}")
        if self.val_size != "horizon" and not (isinstance(self.val_size, int | float)
                                               and not isinstance(self.val_size, bool) and 0.0 <= self.val_size < 1.0):
            raise RnncastError(f"val-size must be a fraction in [0, 1) or 'horizon', got {self.val_size!r}")
        if not isinstance(self.min_delta, int | float) or isinstance(self.min_delta, bool) \
                or not 0.0 <= self.min_delta < 1.0:
            raise RnncastError(f"min-delta must be a fraction in [0, 1), got {self.min_delta!r}")
        if self.history is not None:
            _positive_int("history", self.history)
        if self.loss not in LOSSES + LIKELIHOODS:  # a likelihood model's loss is its NLL (set by the Forecaster)
            raise RnncastError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.val_metric not in VAL_METRICS:
            raise RnncastError(f"unknown validation metric {self.val_metric!r}; choose one of {', '.join(VAL_METRICS)}")
        if self.patience is not None:
            _positive_int("patience", self.patience)
        if not isinstance(self.restore_best, bool):
            raise RnncastError(f"restore_best must be True or False, got {self.restore_best!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise RnncastError(f"seed must be a whole number, got {self.seed!r}")
        if isinstance(self.swa, bool) or not isinstance(self.swa, int | float) or not 0.0 <= self.swa <= 1.0:
            raise RnncastError(f"swa must be a share of the rounds in [0, 1] (0: no averaging), got {self.swa!r}")


def check_together(model: ModelSpec, window: WindowSpec, train: TrainSpec) -> None:
    """Refuse settings that are each valid but do not go together, with one line that says why."""
    from rnncast.data.scaling import LOG_SCALERS

    if train.loss in RATIO_LOSSES and (window.scaler not in LOG_SCALERS or window.strategy != "direct"
                                       or window.quantiles):
        raise RnncastError(f"loss {train.loss} compares forecasts as log ratios: it needs scaler='log' (or"
                           " 'log_unscaled') and the direct strategy, without quantiles")
    if model.seasonal and window.strategy != "direct":
        raise RnncastError(f"normalize={model.normalize!r} needs the direct strategy (its outputs are the steps"
                           " ahead)")
    if train.val_metric != "loss" and window.strategy != "direct":
        raise RnncastError("early stopping on a metric needs the direct strategy; use val_metric='loss'")
    if model.shrink != 1.0 and (not model.relative or window.strategy != "direct" or window.quantiles):
        raise RnncastError("shrink scales a correction to the naive forecast: it needs normalize='last' or"
                           " 'season' and the direct strategy, without quantiles")
    if model.shrink == "auto" and (not train.val_size or train.val_metric == "loss"):
        raise RnncastError("shrink='auto' chooses the share on held-out values: it needs val_size > 0 and"
                           " val_metric rmse, mae, mape or smape")


def anchor_lags(model: ModelSpec, window: WindowSpec) -> tuple[int, ...] | None:
    """How many rows back from the window's end each direct output's anchor lies (``normalize="season"``).

    Output k forecasts step h = k // Q + 1 after the window (Q quantiles per step). Its anchor is the
    seasonal-naive value, the same phase in the last observed season: ŷ_{T+h} = a + net_k with
    a = y_{T+h-m·ceil(h/m)}, i.e. lag m - ((h - 1) mod m) rows back from the window's end. With m = 1
    every lag is 1, the last value (``normalize="last"``). ``None`` where the anchor is the last row."""
    if not model.seasonal or window.strategy != "direct":
        return None
    q = len(window.quantiles) if window.quantiles else 1
    return tuple(model.season - (k // q) % model.season for k in range(window.horizon * q))


def spec_from_dict(cls, data: dict):
    """Rebuild a spec from its JSON dict; unknown or missing keys are a damaged config."""
    if not isinstance(data, dict):
        raise RnncastError(f"config.json: {cls.__name__} settings are not an object")
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise RnncastError(f"config.json: unknown {cls.__name__} setting {sorted(unknown)[0]!r}")
    data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    spec = cls(**data)
    spec.check()
    return spec


def spec_to_dict(spec) -> dict:
    return asdict(spec)
