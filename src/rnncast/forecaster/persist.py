"""Saving and loading forecasters: ``config.json`` (JSON only) and ``model.safetensors`` (weights).

``config_of``/``write_files`` write what a fitted Forecaster holds; ``load`` rebuilds one from it.

The format is versioned (``FORMAT_VERSION``): a newer one is refused with a clear message, an older
one asks for retraining. Each series' last rows ("tail") are kept so that ``predict()`` works after
``load`` without data; step numbers stand in for missing time stamps so a tail knows where its
series ends.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from rnncast import atomic, outputs
from rnncast.data.frame import SeriesFrame
from rnncast.data.seasons import Season
from rnncast.data.series_scaling import SeriesScaling
from rnncast.errors import RnncastError
from rnncast.forecaster import series_arrays, settings
from rnncast.forecaster.ensemble import member_from_dict, member_to_dict
from rnncast.forecaster.state import FittedState
from rnncast.specs import ModelSpec, TrainSpec, WindowSpec, spec_from_dict, spec_to_dict
from rnncast.training import engines

FORMAT_VERSION = 3
LARGE_SERIES = 1000  # from this many series the per-series state is arrays (and the run's tables Parquet)
CONFIG_FILE = outputs.CONFIG_FILE
WEIGHTS_FILE = "model.safetensors"


def _tail_to_json(tail: SeriesFrame) -> dict:
    ts = tail.timestamps
    return {"values": tail.values.tolist(), "timestamps": [str(t) if ts.dtype.kind == "M" else int(t) for t in ts],
            "n_padded": tail.n_padded}


def config_of(f) -> dict:
    """Everything needed to rebuild the fitted forecaster ``f``, as JSON-ready data (config.json)."""
    from rnncast.version import __version__

    _, window_spec, train_spec = f.specs()
    model_spec = replace(f.members_[0][0], kind=f.model)  # as fitted: holds the period normalize="season" found
    return {
        "format_version": FORMAT_VERSION,
        "rnncast_version": __version__,
        "settings": settings.to_config(f.get_params()),  # as given; the specs below are as fitted
        "engine": f.engine,
        "model": spec_to_dict(model_spec),
        "window": spec_to_dict(window_spec),
        "train": spec_to_dict(train_spec),
        "data": {"columns": f.columns_, "target": f.target_, "time_col": f.time_col_, "id_col": f.id_col_,
                 "known": f.known_columns_, "freq": f.freq_, "ignored": f.ignored_columns_},
        "members": [member_to_dict(specs) for specs in f.members_],
        "series": {uid: {"scaling": f.scalings_[uid].to_dict(), "tail": _tail_to_json(tail),
                         "interval_scale": f.interval_scales_[uid], "index": f.series_index_[uid],
                         "season": None if f.seasons_.get(uid) is None else f.seasons_[uid].to_dict(),
                         **({"seasonal_anchor": f.seasonal_anchors_[uid]} if f.seasonal_anchors_ else {})}
                   for uid, tail in f.tails_.items()},
        "conformal": f.conformal_,
        "recalibrated": f.recalibrated_,
        "fit": {"refit_best": f.refit_best},
    }


def write_files(f, stage: atomic.Staging, extra_config: dict | None = None) -> None:
    """``config.json`` and ``model.safetensors`` of the fitted forecaster ``f`` into a run being staged; from
    ``LARGE_SERIES`` series on, the per-series state goes into ``series.safetensors`` (``series_arrays``)."""
    config = config_of(f)
    config.update(extra_config or {})
    stage.write_bytes(WEIGHTS_FILE, engines.state_bytes(f.engine, f.nets_))
    if len(config["series"]) >= LARGE_SERIES:
        from safetensors.numpy import save

        arrays, config["series_arrays"] = series_arrays.encode(config.pop("series"))
        stage.write_bytes(series_arrays.FILE, save(arrays))
    stage.write_config(config)


def _read_series(path: Path, config: dict) -> None:
    """Put the per-series state of a large run (``series.safetensors``) back into ``config["series"]``."""
    meta = config.get("series_arrays")
    if meta is None:
        return
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    try:
        arrays = load_file(str(path / series_arrays.FILE))
    except (OSError, SafetensorError) as exc:
        raise RnncastError(f"{path} is incomplete or damaged: {series_arrays.FILE}: {exc}") from None
    config["series"] = series_arrays.decode(arrays, meta)


def restore(Forecaster, path: str | Path, engine: str | None = None):
    """A fitted ``Forecaster`` (the class, passed in by ``forecast.load``) rebuilt from a saved run.

    ``engine`` loads the weights into the other engine's network (``"torch"`` or ``"numpy"``); by
    default the engine that trained it. A setting the chosen engine lacks is refused by name.
    """
    path = Path(path)
    atomic.recover(path)  # a writer killed half-way may have moved the run aside
    if not path.is_dir():
        raise RnncastError(f"no run directory at {path}")
    config = read_config(path)
    _read_series(path, config)
    try:
        model_spec = spec_from_dict(ModelSpec, config["model"])
        window = spec_from_dict(WindowSpec, config["window"])
        train_spec = spec_from_dict(TrainSpec, config["train"])
        data = config["data"]
        columns, target = [str(c) for c in data["columns"]], str(data["target"])
        known = [str(c) for c in data.get("known") or []]
        scalings = {str(uid): SeriesScaling.from_dict(s["scaling"]) for uid, s in config["series"].items()}
        tails = {str(uid): _tail_from_json(s["tail"], str(uid), columns, target, data.get("time_col"))
                 for uid, s in config["series"].items()}
        interval_scales = {str(uid): float(s.get("interval_scale", 1.0)) for uid, s in config["series"].items()}
        calibration = config.get("conformal")
        members = [member_from_dict(m, model_spec, window, train_spec) for m in config["members"]]
        seasons = {str(uid): Season.from_dict(s.get("season")) for uid, s in config["series"].items()}
        seasonal_anchors = {str(uid): bool(s["seasonal_anchor"]) for uid, s in config["series"].items()
                            } if model_spec.normalize == "auto" else {}
        trained_by = str(config.get("engine", "torch"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, RnncastError):
            raise
        raise RnncastError(f"{path / CONFIG_FILE} is damaged: missing or invalid {exc}") from None
    if not members or not scalings or target != columns[-1] \
            or any(len(s.past.shift) != len(columns) for s in scalings.values()):
        raise RnncastError(f"{path / CONFIG_FILE} is damaged: columns, scalers and series disagree")
    engine = engine or trained_by
    engines.check(engine, model_spec)
    weights = path / WEIGHTS_FILE
    if not weights.is_file():
        raise RnncastError(f"{path} is incomplete: {WEIGHTS_FILE} is missing")
    n_calendar = 2 * len(window.calendar)
    f = Forecaster(**{**saved_settings(config, path / CONFIG_FILE), "engine": engine})
    n_inputs = (len(columns) + len(known) + n_calendar + window.pad + (model_spec.normalize == "auto")
                + bool(model_spec.series_embedding))
    nets = [f.build_net(*specs, n_inputs, len(columns), len(scalings)) for specs in members]
    engines.load_state(engine, nets, weights.read_bytes(), str(weights))
    f.state_ = FittedState(
        freq=data.get("freq"), seasons=seasons, skipped=[], seasonal_anchors=seasonal_anchors,
        series_index={str(uid): int(s.get("index", k)) for k, (uid, s) in enumerate(config["series"].items())},
        nets=nets, members=members, scalings=scalings, columns=columns, target=target,
        time_col=data.get("time_col"), id_col=data.get("id_col"), known_columns=known,
        ignored_columns=dict(data.get("ignored") or {}), histories=[], tails=tails, conformal=calibration,
        recalibrated=config.get("recalibrated"),
        interval_scales=interval_scales, n_features_in=n_inputs, n_series=len(scalings))
    return f


def saved_settings(config: dict, where) -> dict:
    """The Forecaster settings a run was trained with: its config.json's ``settings`` section (written from
    ``settings.SETTINGS``), or for a run saved before that section existed, what its specs stand for."""
    if "settings" in config:
        return settings.from_config(config["settings"], str(where))
    try:
        model_spec = spec_from_dict(ModelSpec, config["model"])
        window = spec_from_dict(WindowSpec, config["window"])
        train_spec = spec_from_dict(TrainSpec, config["train"])
        seasons = [s.get("season") for s in config["series"].values()]
        period = next((int(s["period"]) for s in seasons if s), 0)
        return _settings_of_specs(model_spec, window, train_spec, len(config["members"]), period,
                                  config.get("conformal"), bool((config.get("fit") or {}).get("refit_best", True)),
                                  str(config.get("engine", "torch")))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RnncastError(f"{where} is damaged: missing or invalid {exc}") from None


def _settings_of_specs(model_spec: ModelSpec, window: WindowSpec, train_spec: TrainSpec, n_members: int,
                       period: int, calibration: dict | None, refit_best: bool, engine: str) -> dict:
    """The Forecaster settings an older run's specs stand for (its config.json has no ``settings``)."""
    return dict(model=model_spec.kind, seq_length=window.seq_length, horizon=window.horizon,
                hidden_size=model_spec.hidden_size, num_layers=model_spec.num_layers, dropout=model_spec.dropout,
                nonlinearity=model_spec.nonlinearity, scaler=window.scaler, strategy=window.strategy,
                quantiles=window.quantiles, calendar=window.calendar, pad=window.pad,
                series_embedding=model_spec.series_embedding, normalize=model_spec.normalize,
                season_length=model_spec.season if model_spec.seasonal else None,
                shrink=model_spec.shrink, deseasonalize=period, ensemble=n_members, loss=train_spec.loss,
                lr=train_spec.lr, iterations=train_spec.iterations, epochs=train_spec.epochs,
                batch_size=train_spec.batch_size, clip=train_spec.clip, val_size=train_spec.val_size,
                patience=train_spec.patience, val_metric=train_spec.val_metric, min_delta=train_spec.min_delta,
                history=train_spec.history, restore_best=train_spec.restore_best, seed=train_spec.seed,
                engine=engine, refit_best=refit_best,
                conformal=None if not calibration else tuple(calibration["levels"]))


def _tail_from_json(data: dict, uid: str, columns: list[str], target: str, time_col) -> SeriesFrame:
    values = np.asarray(data["values"], dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(columns):
        raise ValueError(f"series {uid!r} tail")
    stamps = data["timestamps"]
    stamps = (np.array(stamps, dtype="datetime64[ns]") if isinstance(stamps[0], str)
              else np.array(stamps, dtype=np.int64))
    return SeriesFrame(values, columns, target, stamps, time_col, uid=uid, n_padded=int(data.get("n_padded", 0)))


def read_settings(path: str | Path) -> dict:
    """The Forecaster settings saved in a run directory's config.json, or in a config file ``path``."""
    path = Path(path)
    if not path.exists():
        raise RnncastError(f"no run directory or config file at {path}")
    config = read_config(path)
    return saved_settings(config, path / CONFIG_FILE if path.is_dir() else path)


def read_config(path: Path) -> dict:
    """``config.json`` of a run directory (or the config file ``path``), checked for presence, JSON syntax
    and format version."""
    file = Path(path) if Path(path).is_file() else Path(path) / CONFIG_FILE
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
    if version < FORMAT_VERSION:
        raise RnncastError(f"{path} was written by an older rnncast (format {version}); train it again")
    return config
