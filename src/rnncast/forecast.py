"""``Forecaster``: the public API. fit → predict → save, and ``load`` to get a saved one back.

scikit-learn's rules: ``__init__`` only stores its arguments; ``fit`` checks them, learns, returns
``self``; learned state ends in ``_``; calling ``predict``/``save`` first raises ``NotFittedError``.

    >>> import rnncast
    >>> f = rnncast.Forecaster(model="lstm", seq_length=7, hidden_size=10).fit(df, target="Close")
    >>> f.predict()            # next step after the training data: DataFrame [ds, lstm]
    >>> f.save("runs/mine"); rnncast.load("runs/mine").predict(new_df)

A saved forecaster is a directory with ``config.json`` (settings, columns, scaler, the last input
window; JSON) and ``model.safetensors`` (the weights): no pickle anywhere.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from rnncast import atomic, engines
from rnncast.config import ModelSpec, TrainSpec, WindowSpec, spec_from_dict, spec_to_dict
from rnncast.data.frame import SeriesFrame, to_frame
from rnncast.data.scaling import Scaler
from rnncast.data.windows import windows_for
from rnncast.errors import NotFittedError, RnncastError

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


class Forecaster:
    """A recurrent network that forecasts the next value of a target column from the last
    ``seq_length`` rows of all feature columns (many-to-one).

    Args:
        model: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        seq_length: input window length ``L`` (time steps per sample).
        horizon: steps ahead (1).
        hidden_size, num_layers, dropout: network size; ``nonlinearity`` ``tanh``/``relu`` for ``rnn``.
        scaler: ``minmax`` (the lecture's), ``standard`` or ``none``; fitted on training rows only.
        lr: Adam learning rate. iterations: full-batch steps (the lecture's loop); or ``epochs`` with
            ``batch_size`` for mini-batches. clip: max gradient norm (None: no clipping).
        val_size, patience: hold out the last ``val_size`` of the training windows and stop after
            ``patience`` rounds without improvement, keeping the best weights.
        seed: fixes initial weights and batch order; CPU runs repeat exactly.
        engine: ``"torch"`` (nn.LSTM & co.) or ``"numpy"`` (rnncast.scratch, BPTT by hand, no torch).
        progress: show a progress bar with the current loss.
    """

    def __init__(self, model="lstm", seq_length=7, horizon=1, hidden_size=10, num_layers=1, dropout=0.0,
                 nonlinearity="tanh", scaler="minmax", lr=0.01, iterations=500, epochs=None, batch_size=None,
                 clip=None, val_size=0.0, patience=None, seed=0, engine="torch", progress=False):
        self.model = model
        self.seq_length = seq_length
        self.horizon = horizon
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.scaler = scaler
        self.lr = lr
        self.iterations = iterations
        self.epochs = epochs
        self.batch_size = batch_size
        self.clip = clip
        self.val_size = val_size
        self.patience = patience
        self.seed = seed
        self.engine = engine
        self.progress = progress

    # -- settings -------------------------------------------------------------------------------
    def _specs(self) -> tuple[ModelSpec, WindowSpec, TrainSpec]:
        specs = (
            ModelSpec(self.model, self.hidden_size, self.num_layers, self.dropout, self.nonlinearity),
            WindowSpec(self.seq_length, self.horizon, self.scaler),
            TrainSpec(self.lr, self.iterations, self.epochs, self.batch_size, self.clip, self.val_size,
                      self.patience, self.seed),
        )
        for spec in specs:
            spec.check()
        engines.check(self.engine, specs[0])
        return specs

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, target: str | None = None, features: list[str] | None = None,
            time_col: str | None = None, fill: str | None = None) -> Forecaster:
        """Learn from all rows of ``df`` (oldest first, or ordered by its time column)."""
        return self._fit_frame(to_frame(df, target, features, time_col, fill))

    def _fit_frame(self, frame: SeriesFrame) -> Forecaster:
        from rnncast import training

        model_spec, window_spec, train_spec = self._specs()
        L = window_spec.seq_length
        targets = np.arange(L, len(frame))
        if len(targets) < 1:
            raise RnncastError(f"need more than seq_length={L} rows to train, got {len(frame)}")
        scaler = Scaler.fit(window_spec.scaler, frame.values)
        scaled = scaler.transform(frame.values)  # (T, F) float32
        n_val = math.ceil(len(targets) * train_spec.val_size) if train_spec.val_size > 0 else 0
        if n_val >= len(targets):
            raise RnncastError(f"val-size {train_spec.val_size} leaves no training windows")
        fit_t, val_t = targets[: len(targets) - n_val], targets[len(targets) - n_val :]
        j = frame.target_index

        net = engines.build(self.engine, model_spec, len(frame.columns), window_spec.horizon, train_spec.seed)
        X = windows_for(scaled, L, fit_t)  # (N, L, F), a strided view
        y = scaled[fit_t, j : j + 1]  # (N, 1)
        X_val = windows_for(scaled, L, val_t) if n_val else None
        y_val = scaled[val_t, j : j + 1] if n_val else None
        full_batch = train_spec.epochs is None or train_spec.batch_size is None or train_spec.batch_size >= len(X)
        steps = engines.stepper(self.engine, net, X, y, X_val, y_val, train_spec, full_batch)
        result = training.run(steps, len(X), train_spec, progress=self.progress)

        self.net_ = net
        self.scaler_ = scaler
        self.columns_ = list(frame.columns)
        self.target_ = frame.target
        self.time_col_ = frame.time_col
        self.history_ = result
        self.last_window_ = frame.values[-L:].copy()  # (L, F) original units
        self.next_ds_ = frame.next_timestamp()
        self.n_features_in_ = len(frame.columns)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise NotFittedError("this Forecaster is not fitted yet: call fit() (or rnncast.load()) first")

    # -- predicting -----------------------------------------------------------------------------
    def predict(self, df: pd.DataFrame | None = None, fill: str | None = None) -> pd.DataFrame:
        """Forecast the step after the last ``seq_length`` rows of ``df`` (default: the training data).

        Returns a DataFrame with columns ``ds`` (the next time stamp, or step number without a time
        column) and the model's name (e.g. ``lstm``) holding the forecast in original units.
        """
        self._check_fitted()
        if df is None:
            values, ds = self.last_window_, self.next_ds_
        else:
            frame = self.frame_for(df, fill)
            values, ds = frame.values[-self.seq_length :], frame.next_timestamp()
        value = self.predict_targets(values, np.array([len(values)]))[0]
        return pd.DataFrame({"ds": [ds], self.model: [value]})

    def frame_for(self, df: pd.DataFrame, fill: str | None = None) -> SeriesFrame:
        """``df`` checked against the training columns, as a SeriesFrame long enough to predict from."""
        self._check_fitted()
        if isinstance(df, pd.DataFrame):
            names = [str(c) for c in df.columns]
            missing = [c for c in self.columns_ + ([self.time_col_] if self.time_col_ else []) if c not in names]
            if missing:
                raise RnncastError(
                    f"the data's columns differ from training: {missing[0]!r} is missing"
                    f" (trained on: {', '.join(self.columns_)})"
                )
        frame = to_frame(df, self.target_, self.columns_, self.time_col_, fill)
        if len(frame) < self.seq_length:
            raise RnncastError(f"need at least seq_length={self.seq_length} rows to predict, got {len(frame)}")
        return frame

    def predict_targets(self, values: np.ndarray, targets: np.ndarray, scaler: Scaler | None = None) -> np.ndarray:
        """One-step forecasts for the target positions ``targets`` of the raw series ``values`` ``(T, F)``.

        Position ``t`` is forecast from rows ``t-L .. t-1``; ``t`` may be ``T`` (the next step).
        ``scaler`` overrides the fitted one (used only to show the lecture's look-ahead scaling).
        """
        self._check_fitted()
        scaler = self.scaler_ if scaler is None else scaler
        scaled = scaler.transform(values)  # (T, F) float32
        padded = np.vstack([scaled, np.zeros((1, scaled.shape[1]), np.float32)])  # so t = T has a window
        X = np.ascontiguousarray(windows_for(padded, self.seq_length, targets))  # (N, L, F)
        z = engines.predict(self.engine, self.net_, X)[:, 0]  # (N,)
        return scaler.inverse_column(z, self.columns_.index(self.target_))

    # -- persistence ----------------------------------------------------------------------------
    def config(self) -> dict:
        """Everything needed to rebuild this forecaster, as JSON-ready data."""
        from rnncast import __version__

        self._check_fitted()
        model_spec, window_spec, train_spec = self._specs()
        return {
            "format_version": FORMAT_VERSION,
            "rnncast_version": __version__,
            "engine": self.engine,
            "model": spec_to_dict(model_spec),
            "window": spec_to_dict(window_spec),
            "train": spec_to_dict(train_spec),
            "data": {"columns": self.columns_, "target": self.target_, "time_col": self.time_col_},
            "scaler": self.scaler_.to_dict(),
            "last_window": self.last_window_.tolist(),
            "next_ds": _ds_to_json(self.next_ds_),
        }

    def write_files(self, directory: Path, extra_config: dict | None = None) -> None:
        """Write ``config.json`` and ``model.safetensors`` into an existing directory."""
        config = self.config()
        config.update(extra_config or {})
        atomic.write_bytes(Path(directory) / WEIGHTS_FILE, engines.state_bytes(self.engine, self.net_))
        atomic.write_text(Path(directory) / CONFIG_FILE, json.dumps(config, indent=2) + "\n")

    def save(self, path: str | Path) -> Path:
        """Save to directory ``path`` atomically (replacing it if it exists)."""
        self._check_fitted()
        with atomic.directory(path) as tmp:
            self.write_files(tmp)
        return Path(path)


def load(path: str | Path, engine: str | None = None) -> Forecaster:
    """Load a forecaster (or the model of a run directory) saved by ``Forecaster.save`` or the CLI.

    ``engine`` loads the weights into the other engine's network (``"torch"`` or ``"numpy"``); by
    default the engine that trained it. A setting the chosen engine lacks is refused by name.
    """
    path = Path(path)
    if not path.is_dir():
        raise RnncastError(f"no run directory at {path}")
    config = read_config(path)
    try:
        model_spec = spec_from_dict(ModelSpec, config["model"])
        window_spec = spec_from_dict(WindowSpec, config["window"])
        train_spec = spec_from_dict(TrainSpec, config["train"])
        data = config["data"]
        columns, target = [str(c) for c in data["columns"]], str(data["target"])
        scaler = Scaler.from_dict(config["scaler"])
        last_window = np.asarray(config["last_window"], dtype=np.float64)
        trained_by = str(config.get("engine", "torch"))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RnncastError):
            raise
        raise RnncastError(f"{path / CONFIG_FILE} is damaged: missing or invalid {exc}") from None
    if target not in columns or len(scaler.shift) != len(columns) or last_window.shape != (
        window_spec.seq_length, len(columns)
    ):
        raise RnncastError(f"{path / CONFIG_FILE} is damaged: columns, scaler and last window disagree")
    engine = engine or trained_by
    engines.check(engine, model_spec)
    weights = path / WEIGHTS_FILE
    if not weights.is_file():
        raise RnncastError(f"{path} is incomplete: {WEIGHTS_FILE} is missing")
    net = engines.build(engine, model_spec, len(columns), window_spec.horizon, train_spec.seed)
    engines.load_state(engine, net, weights.read_bytes(), str(weights))

    f = Forecaster(model=model_spec.kind, seq_length=window_spec.seq_length, horizon=window_spec.horizon,
                   hidden_size=model_spec.hidden_size, num_layers=model_spec.num_layers,
                   dropout=model_spec.dropout, nonlinearity=model_spec.nonlinearity, scaler=window_spec.scaler,
                   lr=train_spec.lr, iterations=train_spec.iterations, epochs=train_spec.epochs,
                   batch_size=train_spec.batch_size, clip=train_spec.clip, val_size=train_spec.val_size,
                   patience=train_spec.patience, seed=train_spec.seed, engine=engine)
    f.net_, f.scaler_, f.columns_, f.target_ = net, scaler, columns, target
    f.time_col_ = data.get("time_col")
    f.last_window_ = last_window
    f.next_ds_ = _ds_from_json(config.get("next_ds"))
    f.n_features_in_ = len(columns)
    f.history_ = None
    return f


def read_config(path: Path) -> dict:
    """``config.json`` of a run directory, checked for presence, JSON syntax and format version."""
    file = Path(path) / CONFIG_FILE
    if not file.is_file():
        raise RnncastError(f"{path} is incomplete: {CONFIG_FILE} is missing")
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RnncastError(f"{file} is damaged: {str(exc).splitlines()[0]}") from None
    if not isinstance(config, dict):
        raise RnncastError(f"{file} is damaged: expected a JSON object")
    version = config.get("format_version")
    if not isinstance(version, int):
        raise RnncastError(f"{file} is damaged: no format_version")
    if version > FORMAT_VERSION:
        raise RnncastError(
            f"{path} was written by a newer rnncast (format {version}; this rnncast reads up to"
            f" {FORMAT_VERSION}): upgrade rnncast"
        )
    return config


def _ds_to_json(ds):
    if ds is None:
        return None
    if isinstance(ds, np.datetime64):
        return {"datetime": str(pd.Timestamp(ds).isoformat())}
    return {"step": int(ds)}


def _ds_from_json(data):
    if not isinstance(data, dict):
        return None
    if "datetime" in data:
        return np.datetime64(pd.Timestamp(data["datetime"]).tz_localize(None), "ns")
    return int(data.get("step", 0))
