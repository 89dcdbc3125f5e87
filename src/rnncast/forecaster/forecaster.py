"""``Forecaster``: the public API. fit → predict → save, and ``load`` to get a saved one back.

scikit-learn's rules: ``__init__`` only stores its arguments; ``fit`` checks them, learns, returns
``self``; learned state ends in ``_``; calling ``predict``/``save`` first raises ``NotFittedError``.

    >>> import rnncast
    >>> f = rnncast.Forecaster(model="lstm", seq_length=7, hidden_size=10).fit(df, target="Close")
    >>> f.predict()            # the step(s) after the training data: DataFrame [unique_id, ds, lstm]
    >>> f.save("runs/mine"); rnncast.load("runs/mine").predict(new_df)

One global model serves every series of a long table (``unique_id``, ``ds``, ``y``); each series is
scaled by its own scaler, fitted on its own training rows. A saved forecaster is a directory with
``config.json`` (settings, columns, scalers, each series' last rows; JSON) and ``model.safetensors``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rnncast import atomic
from rnncast.data.frame import SeriesFrame
from rnncast.data.input_rows import input_rows, pad_left
from rnncast.data.panel import Panel, future_stamps, to_panel
from rnncast.data.series_scaling import SeriesScaling
from rnncast.errors import NotFittedError, RnncastError
from rnncast.forecaster import crossval, settings
from rnncast.forecaster import fit as fitting

# read_config and the file names live in persist.py; re-exported here, where the API has always had them.
from rnncast.forecaster.persist import (  # noqa: F401
    CONFIG_FILE,
    FORMAT_VERSION,
    WEIGHTS_FILE,
    config_of,
    read_config,
    restore,
    write_files,
)
from rnncast.forecaster.rollout import CHUNK, forecast_group
from rnncast.forecaster.sampling import check_likelihood, paths_frame, quantile_columns
from rnncast.forecaster.state import FIELDS, FittedState
from rnncast.specs import LOG_LIKELIHOODS, ModelSpec, TrainSpec, WindowSpec, anchor_lags, check_together
from rnncast.training import engines, workers


class Forecaster:
    """A recurrent network that forecasts the next ``horizon`` values of a target from the last
    ``seq_length`` rows of its series' features.

    The defaults start at the naive forecast and keep it unless training beats it on validation:
    windows relative to their last value in log space with a zero output layer (``normalize="last"``,
    ``scaler="log"``), the last 20% of each series' windows held out, early stopping with ``patience``
    50 that counts the untrained net as round 0 and needs a 1% gain (``min_delta``), then a refit on all
    windows (``refit_best``). The lecture's setup: ``scaler="minmax", normalize="none", val_size=0``.
    ``Forecaster.from_preset(frequency, horizon)`` gives the competition-tested settings.

    Each argument is keyword-only and documented below, from ``rnncast.forecaster.settings`` (one
    declaration for the signature, these entries and the command's options).
    """

    def __init__(self, **params):
        """Store the settings (scikit-learn's rule: no checks here; ``fit`` checks them)."""
        for name, value in settings.checked(params).items():
            setattr(self, name, value)

    @classmethod
    def from_preset(cls, preset: str, horizon: int, **overrides) -> Forecaster:
        """A forecaster with the settings of ``preset`` (yearly, quarterly, monthly, other; see
        ``rnncast.forecaster.presets``) for ``horizon`` steps; ``overrides`` replace any of them."""
        from rnncast.forecaster.presets import preset_params

        probabilistic = bool(overrides.get("quantiles") or overrides.get("likelihood"))
        return cls(**{**preset_params(preset, horizon, own_epochs="epochs" in overrides,
                                      ensemble=overrides.get("ensemble"), probabilistic=probabilistic), **overrides})

    @classmethod
    def from_config(cls, path: str | Path, **overrides) -> Forecaster:
        """An unfitted forecaster with the settings a saved run was trained with (``path``: its directory
        or its config.json); ``overrides`` replace any of them. How a process runs (device, progress,
        checkpoints) is not saved and keeps its default."""
        from rnncast.forecaster.persist import read_settings

        return cls(**{**read_settings(path), **overrides})

    # -- settings -------------------------------------------------------------------------------
    def specs(self) -> tuple[ModelSpec, WindowSpec, TrainSpec]:
        """The settings as the checked specs a net, its windows and its training take (one line per bad one)."""
        quantiles = None
        if self.quantiles is not None:
            try:
                quantiles = tuple(sorted({*map(float, self.quantiles), 0.5}))
            except (TypeError, ValueError):
                raise RnncastError(f"quantiles must be numbers like (0.1, 0.9), got {self.quantiles!r}") from None
        likelihood = self.likelihood
        if likelihood is not None:
            check_likelihood(self)
        # A likelihood model reads values scaled by each series' mean absolute value (ν), outputs the next
        # value's distribution at every step (seq2seq's many-to-many windows) and trains on its NLL; the
        # lognormal one reads log y less the series' mean log (its scale is 1: ν does not apply).
        scaled = "log_unscaled" if likelihood in LOG_LIKELIHOODS else "meanabs"
        normalize, scaler, strategy, loss = (("none", scaled, "seq2seq", likelihood) if likelihood else
                                             (self.normalize, self.scaler, self.strategy, self.loss))
        specs = (
            ModelSpec(self.model, self.hidden_size, self.num_layers, self.dropout, self.nonlinearity,
                      self.series_embedding, normalize,
                      self.season_length if normalize in ("season", "auto") and self.season_length is not None
                      else 1,
                      self.shrink, likelihood),
            WindowSpec(self.seq_length, self.horizon, scaler, strategy, quantiles, tuple(self.calendar),
                       bool(self.pad)),
            TrainSpec(self.lr, self.iterations, self.epochs, self.batch_size, self.clip, self.val_size,
                      self.patience, self.seed, loss, self.val_metric,
                      self.min_delta, self.history, self.restore_best, self.swa),
        )
        for spec in specs:
            spec.check()
        engines.check(self.engine, specs[0])
        if isinstance(self.ensemble, bool) or not isinstance(self.ensemble, int) or self.ensemble < 1:
            raise RnncastError(f"ensemble must be a positive whole number, got {self.ensemble!r}")
        m = self.member_epochs
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 1):
            raise RnncastError(f"member_epochs must be a positive whole number (or None: --epochs), got {m!r}")
        workers.check_jobs(self.n_jobs)
        check_together(*specs)
        if not isinstance(self.deseasonalize, bool) and (not isinstance(self.deseasonalize, int)
                                                         or self.deseasonalize < 0):
            raise RnncastError(f"deseasonalize must be True, False or a period, got {self.deseasonalize!r}")
        for name in ("theta_share", "ets_share"):
            w = getattr(self, name)
            if isinstance(w, bool) or not isinstance(w, int | float) or not 0.0 <= w <= 1.0:
                raise RnncastError(f"{name} must be a share in [0, 1] (0: the network alone), got {w!r}")
            if w and (quantiles or likelihood):
                raise RnncastError(f"{name} blends point forecasts: it does not go with quantiles or a likelihood")
        if self.theta_share + self.ets_share > 1.0:
            raise RnncastError(f"theta_share + ets_share must be at most 1 (the rest is the network's), got"
                               f" {self.theta_share:g} + {self.ets_share:g}")
        if self.recalibrate and not likelihood:
            raise RnncastError("recalibrate reads a likelihood model's sample paths at measured levels: give a"
                               " likelihood (--likelihood gaussian|studentt|negbin|lognormal)")
        if self.conformal:
            from rnncast.forecaster.intervals import check_levels

            check_levels(self.conformal)
        return specs

    def _output_size(self, window: WindowSpec, n_past: int) -> int:
        if self.likelihood:
            from rnncast.training.likelihoods import N_PARAMS

            return N_PARAMS[self.likelihood]
        if window.strategy != "direct":
            return n_past
        return window.horizon * (len(window.quantiles) if window.quantiles else 1)

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, target: str | None = None, features: list[str] | None = None,
            time_col: str | None = None, fill: str | None = None, id_col: str | None = None,
            known: list[str] | None = None, freq: str | None = None) -> Forecaster:
        """Learn from all rows of ``df``: one series (wide) or many (long, with ``id_col``/``unique_id``).

        ``known`` names future-known covariate columns; ``freq`` overrides the inferred frequency.
        """
        return self.fit_panel(to_panel(df, id_col, target, features, time_col, fill, known, freq))

    def fit_panel(self, panel: Panel) -> Forecaster:
        """``fit`` on a ``Panel`` already read (evaluation and calibration fit on the training parts)."""
        return fitting.fit_panel(self, panel)

    def get_params(self) -> dict:
        """The settings (``rnncast.forecaster.settings``) as given: what ``clone`` copies."""
        return {s.name: getattr(self, s.name) for s in settings.SETTINGS}

    def tune(self, df: pd.DataFrame, trials: int = 20, budget: float | None = None, n_origins: int = 3,
             metric: str = "smape", test_size: float | int | None = None, seed: int = 0, id_col: str | None = None,
             target: str | None = None, freq: str | None = None, report=None):
        """Search settings on validation origins before each series' test part (``rnncast.forecaster.tuning``;
        needs Optuna). Returns a ``TuneResult``; ``result.params`` are the best settings
        (``Forecaster(**result.params)``). This forecaster's own settings are trial 0; it is not fitted."""
        from rnncast.forecaster import tuning

        panel = to_panel(df, id_col, target, None, None, None, None, freq)
        return tuning.tune(self, panel, trials, budget, n_origins, metric, test_size, seed, report=report)

    def clone(self, **changes) -> Forecaster:
        """A new, unfitted Forecaster with the same settings, ``changes`` replacing some (scikit-learn's clone)."""
        return type(self)(**{**self.get_params(), **changes})

    def without_season(self, frame: SeriesFrame, state: FittedState | None = None) -> SeriesFrame:
        """``frame`` with its seasonal index taken out (``state``: the one being fitted, else the fitted one)."""
        season = (state or self.state_).seasons.get(frame.uid)
        return frame if season is None else season.remove(frame)

    def build_net(self, model_spec: ModelSpec, window: WindowSpec, train_spec: TrainSpec, n_inputs: int,
                   n_past: int, n_series: int):
        """A fresh network of this forecaster's engine; ``seed`` fixes its initial weights. With
        ``normalize="auto"`` the input column before the series number (if any) is the seasonality flag."""
        flag_col = n_inputs - 1 - bool(model_spec.series_embedding) if model_spec.normalize == "auto" else None
        return engines.build(self.engine, model_spec, n_inputs, self._output_size(window, n_past), train_spec.seed,
                             many_to_many=window.strategy == "seq2seq", n_series=n_series, n_past=n_past,
                             anchor="target" if window.strategy == "direct" else "features",
                             lags=anchor_lags(model_spec, window), flag_col=flag_col)

    def _check_fitted(self) -> None:
        if "state_" not in vars(self):
            raise NotFittedError("this Forecaster is not fitted yet: call fit() (or rnncast.load()) first")

    # -- predicting -----------------------------------------------------------------------------
    def predict(self, df: pd.DataFrame | None = None, horizon: int | None = None,
                fill: str | None = None, paths: bool = False) -> pd.DataFrame:
        """Forecast the ``horizon`` steps after the last ``seq_length`` rows of each series in ``df``
        (default: the training data). Returns ``unique_id, ds, <model>`` (+ quantile or interval columns).

        ``horizon`` may differ from the fitted one only for the recursive and seq2seq strategies (and a
        likelihood model). ``paths=True`` (a likelihood model): the sample paths instead, in long format,
        ``unique_id, ds, sample, <model>`` (``num_samples`` per ensemble member, seeded).
        """
        self._check_fitted()
        H = self.horizon if horizon is None else horizon
        if isinstance(H, bool) or not isinstance(H, int | np.integer) or H < 1:
            raise RnncastError(f"horizon must be a positive whole number, got {H!r}")
        if paths and not self.likelihood:
            raise RnncastError("sample paths come from a likelihood model: train with likelihood='gaussian',"
                               " 'studentt' or 'negbin'")
        if H != self.horizon and self.strategy == "direct" and not self.likelihood:
            raise RnncastError(f"a direct model forecasts exactly its horizon {self.horizon}, not {H}")
        if df is None:
            if self.known_columns_:
                raise RnncastError("this model uses future-known covariates: pass data that holds their future values")
            frames = list(self.tails_.values())
        else:
            frames = self.panel_for(df, fill).series
        for frame in frames:
            if self.known_columns_ and frame.n_future < H:
                raise RnncastError(f"series {frame.uid!r}: the future-known columns"
                                   f" ({', '.join(self.known_columns_)}) need {H} future rows, got {frame.n_future}")
        values = self.forecast_panel(frames, {f.uid: np.array([len(f)]) for f in frames}, H, paths=paths)  # batched
        ids = np.array([f.uid for f in frames], dtype=object)
        if paths:
            return paths_frame(frames, values, H, self.freq_, self.model)
        point = self.forecast_columns(np.stack([values[f.uid][0] for f in frames]))  # (n_series, H) each
        point.update(self.intervals(ids, point[self.model], np.arange(1, H + 1)))
        columns = {"unique_id": np.repeat(ids, H),
                   "ds": np.concatenate([future_stamps(f, self.freq_, H) for f in frames])}
        columns.update({name: v.ravel() for name, v in point.items()})
        return pd.DataFrame(columns)  # one frame for every series

    def panel_for(self, df: pd.DataFrame, fill: str | None = None) -> Panel:
        """``df`` checked against the training columns, as a Panel of the series the model knows (the
        others are listed in ``unknown_series_``), each long enough to forecast from."""
        self._check_fitted()
        if isinstance(df, pd.DataFrame):
            names = [str(c) for c in df.columns]
            needed = self.columns_ + self.known_columns_ + [c for c in (self.time_col_, self.id_col_) if c]
            missing = [c for c in needed if c not in names]
            if missing:
                raise RnncastError(
                    f"the data's columns differ from training: {missing[0]!r} is missing"
                    f" (trained on: {', '.join(needed)})"
                )
        panel = to_panel(df, self.id_col_, self.target_, self.columns_, self.time_col_, fill,
                         self.known_columns_ or None, self.freq_)
        self.unknown_series_ = [s.uid for s in panel.series if s.uid not in self.scalings_]
        if len(self.unknown_series_) == len(panel):
            raise RnncastError(f"none of the data's series was in the training data (e.g. {panel.first.uid!r});"
                               f" a model knows the scale of its training series only")
        panel.series = [s for s in panel.series if s.uid in self.scalings_]
        if self.pad:
            panel.series = [pad_left(s, self.window_length_, self.freq_) for s in panel.series]
        for frame in panel.series:
            if len(frame) < self.window_length_:
                raise RnncastError(f"series {frame.uid!r}: need at least seq_length={self.window_length_} rows to"
                                   f" predict, got {len(frame)}")
        return panel

    def intervals(self, ids, point: np.ndarray, h: np.ndarray) -> dict[str, np.ndarray]:
        """Conformal interval columns for forecasts ``point`` ``(n, H)`` at steps ``h`` ({} without); ``ids``:
        the series of each row (each series' interval is scaled by its own naive scale)."""
        if not getattr(self, "conformal_", None):
            return {}
        from rnncast.forecaster.intervals import interval_columns

        if int(np.max(h)) > len(next(iter(self.conformal_["q"].values()))):
            raise RnncastError("conformal intervals were calibrated for the fitted horizon only")
        scale = np.array([self.interval_scales_[uid] for uid in ids])[:, None]  # (n, 1)
        return interval_columns(self.model, point, h, scale, self.conformal_)

    def forecast_columns(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """Forecast columns: ``<model>`` (the median with quantiles, which sit on the last axis) and
        ``<model>-q-<q>``."""
        if self.likelihood:
            return quantile_columns(self.model, values)
        quantiles = self.specs()[1].quantiles
        if not quantiles:
            return {self.model: values}
        cols = {self.model: values[..., quantiles.index(0.5)]}
        cols.update({f"{self.model}-q-{q:g}": values[..., k] for k, q in enumerate(quantiles)})
        return cols

    def forecast_series(self, frame: SeriesFrame, origins: np.ndarray, H: int | None = None,
                        scaling: SeriesScaling | None = None) -> np.ndarray:
        """One series' forecasts in original units from each origin (history = rows before it), ``(n, H[, Q])``.

        ``scaling`` overrides the series' fitted scalers (used only to show the lecture's look-ahead).
        """
        scalings = None if scaling is None else {frame.uid: scaling}
        return self.forecast_panel([frame], {frame.uid: np.asarray(origins)}, H, scalings)[frame.uid]

    def forecast_panel(self, frames: list[SeriesFrame], origins: dict[str, np.ndarray], H: int | None = None,
                       scalings: dict[str, SeriesScaling] | None = None, paths: bool = False,
                       blended: dict | None = None) -> dict[str, np.ndarray]:
        """Forecasts in original units of many series from their ``origins``: ``{uid: (n, H[, Q])}``;
        ``blended``: the Theta/ETS forecasts of the same origins (``rollout.statistical_of``) when the caller
        has computed them already.

        The windows of every series go through each network together (``rollout.rollout``: one call per
        ``rollout.CHUNK`` windows, not one per series); series are taken in groups of about that many
        windows, so memory stays bounded. Scaling back and the seasonal index are per series.
        """
        self._check_fitted()
        _, window, _ = self.specs()
        H = window.horizon if H is None else H
        n_q = len(window.quantiles) if window.quantiles else 0
        scalings = scalings or self.scalings_
        out, group, size = {}, [], 0
        for k, frame in enumerate(frames):
            group.append(frame)
            size += len(origins[frame.uid])
            if size >= CHUNK or k == len(frames) - 1:
                out.update(forecast_group(self, group, origins, H, n_q, scalings, paths, blended))
                group, size = [], 0
        return out

    def backtest(self, df: pd.DataFrame, n_windows: int = 3, step_size: int | None = None, refit: bool = False,
                 target: str | None = None, features: list[str] | None = None, time_col: str | None = None,
                 fill: str | None = None, id_col: str | None = None, known: list[str] | None = None,
                 freq: str | None = None, season: int | None = None) -> pd.DataFrame:
        """Rolling-origin forecasts of the last ``n_windows`` windows (``rnncast.forecaster.crossval``): a long
        DataFrame ``unique_id, ds, cutoff, h, y, <model>, naive, …``. Fits ``self`` (no leakage)."""
        panel = to_panel(df, id_col, target, features, time_col, fill, known, freq)
        return crossval.cross_validation(self, panel, n_windows, step_size, refit, season).predictions

    def series_input_rows(self, frame: SeriesFrame, scaling: SeriesScaling, ahead: int = 0, out=None,
                    state: FittedState | None = None) -> np.ndarray:
        """The rows the net reads for ``frame`` (``state``: the one being fitted, else the fitted one)."""
        state = state or self.state_
        index = state.series_index[frame.uid] if self.series_embedding else None
        seasonal = state.seasonal_anchors[frame.uid] if self.normalize == "auto" else None
        return input_rows(frame, scaling, list(self.calendar), ahead, state.freq, bool(self.pad), index, out,
                          seasonal)

    # -- persistence ----------------------------------------------------------------------------
    def config(self) -> dict:
        """Everything needed to rebuild this forecaster, as JSON-ready data (``persist.config_of``)."""
        self._check_fitted()
        return config_of(self)

    def write_files(self, stage: atomic.Staging, extra_config: dict | None = None) -> None:
        """Write ``config.json`` and ``model.safetensors`` into a run directory being staged."""
        write_files(self, stage, extra_config)

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Save to directory ``path`` atomically.

        An existing ``path`` is replaced only when it is a forecasting run rnncast wrote (``force``: or
        another kind of rnncast run); anything else there raises ``RnncastError`` and stays untouched.
        """
        from rnncast import outputs

        self._check_fitted()
        with atomic.directory(path, outputs.FORECAST_RUN, force=force) as stage:
            self.write_files(stage)
        return Path(path)


def _fitted(name: str) -> property:
    def get(self):
        self._check_fitted()
        return getattr(self.state_, name)

    return property(get, doc=f"The fitted state's ``{name}`` (``rnncast.forecaster.state.FittedState``).")


for _name in FIELDS:  # scikit-learn's learned attributes: f.scalings_ is f.state_.scalings
    setattr(Forecaster, f"{_name}_", _fitted(_name))
Forecaster.__signature__ = settings.signature()
Forecaster.__doc__ = f"{Forecaster.__doc__.rstrip()}\n\n{settings.docstring_args()}\n"


def load(path: str | Path, engine: str | None = None) -> Forecaster:
    """Load a forecaster (or the model of a run directory) saved by ``Forecaster.save`` or the CLI.

    ``engine`` loads the weights into the other engine's network (``"torch"`` or ``"numpy"``); by
    default the engine that trained it. A setting the chosen engine lacks is refused by name.
    """
    return restore(Forecaster, path, engine)
