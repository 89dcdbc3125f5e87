"""Multi-step forecasts from origins, for the three strategies (in scaled units of the target).

For each origin o of a series (rows < o are history, o ≤ T), with input rows A (see ``samples``):

    direct:     ŷ[o : o+H] = net(A[o-L : o])                          one pass, H outputs
    recursive,  for h = 0 … H-1:                                       one-to-many: each forecast
    seq2seq:        p̂ = net(B[h : h+L])   (last step for seq2seq)      is fed back as the next
                    B[L+h, :F] = p̂;   ŷ[o+h] = p̂[target]               input row

where B starts as A[o-L : o+H] (its covariate part already holds the known future). ``origin_windows``
cuts one series' inputs, ``rollout`` forecasts any stack of them: the origins of many series go through
the network together, ``CHUNK`` windows per call (``Forecaster.forecast_panel``). With ``theta_share`` w_θ and
``ets_share`` w_e the point forecasts in the data's units become (1 − w_θ − w_e)·ŷ + w_θ·Theta + w_e·ETS
(``statistical_of``; ``rnncast.theta``, ``rnncast.ets``).
"""

from __future__ import annotations

import numpy as np

from rnncast.data.windows import sliding_windows
from rnncast.errors import RnncastError
from rnncast.specs import LOG_LIKELIHOODS
from rnncast.training import engines

CHUNK = 16384  # windows per network call: many series' origins forecast together, memory bounded


def origin_windows(strategy: str, rows: np.ndarray, origins: np.ndarray, L: int, H: int) -> np.ndarray:
    """The inputs of one series' forecasts from ``origins``: ``A[o-L : o]`` for direct, ``(n, L, F + K)``;
    ``A[o-L : o+H]`` for recursive/seq2seq, ``(n, L + H, F + K)``, whose last H rows the rollout fills."""
    origins = np.asarray(origins)
    if origins.size and origins.min() < L:  # a negative window start would silently index from the end
        raise RnncastError(f"a forecast origin at row {int(origins.min())} has fewer than seq_length={L} rows"
                           f" before it")
    if strategy == "direct":
        return sliding_windows(rows, L)[origins - L]
    need = int(origins.max()) + H if origins.size else 0
    if need > len(rows):  # the last rows only ever receive forecasts
        rows = np.vstack([rows, np.zeros((need - len(rows), rows.shape[1]), rows.dtype)])
    return sliding_windows(rows, L + H)[origins - L]


def rollout(engine: str, net, strategy: str, windows: np.ndarray, L: int, H: int, n_past: int,
            n_quantiles: int = 0) -> np.ndarray:
    """Scaled target forecasts ``(n, H)`` (or ``(n, H, Q)``) from ``origin_windows`` of any number of
    series stacked together, ``CHUNK`` windows per network call."""
    n = len(windows)
    if strategy == "direct":
        parts = [engines.predict(engine, net, np.ascontiguousarray(windows[a : a + CHUNK]))
                 for a in range(0, n, CHUNK)]
        out = np.concatenate(parts) if parts else np.empty((0, H * max(n_quantiles, 1)), np.float32)
        return out.reshape(n, H, n_quantiles) if n_quantiles else out
    out = np.empty((n, H), dtype=np.float64)
    for a in range(0, n, CHUNK):
        B = np.array(windows[a : a + CHUNK])  # (c, L + H, F + K), a copy the steps write into
        for h in range(H):
            step = engines.predict(engine, net, np.ascontiguousarray(B[:, h : h + L]))  # (c, F) or (c, L, F)
            if step.ndim == 3:
                step = step[:, -1]
            B[:, L + h, :n_past] = step
            out[a : a + len(B), h] = step[:, n_past - 1]
    return out


def net_forecasts(engine: str, net, strategy: str, rows: np.ndarray, origins: np.ndarray, L: int, H: int,
                  n_past: int, n_quantiles: int = 0) -> np.ndarray:
    """One series: scaled target forecasts ``(n_origins, H)`` (or ``(n_origins, H, Q)``)."""
    windows = origin_windows(strategy, rows, origins, L, H)
    return rollout(engine, net, strategy, windows, L, H, n_past, n_quantiles)


def forecast_group(model, frames, origins: dict, H: int, n_q: int, scalings, paths: bool = False,
                   blended: dict | None = None) -> dict:
    """A fitted Forecaster ``model``'s forecasts ``{uid: (n, H[, Q])}`` of a group of series, in the data's
    units: each member's rollout of every series' origins stacked (``rollout``), their median; a likelihood
    model's quantiles of its sample paths, every member's paths pooled (a mixture of their distributions;
    ``forecaster.sampling``), or with ``paths=True`` the paths themselves, ``(S, n, H)``. ``blended``: the
    statistical forecasts ``statistical_of`` gives for these series and origins, when the caller has them."""
    from rnncast.forecaster.ensemble import combine
    from rnncast.forecaster.sampling import quantiles_of, sample_paths

    rows = [model.series_input_rows(model.without_season(s), scalings[s.uid], ahead=H) for s in frames]
    n_past = len(model.columns_)

    def windows_of(w) -> np.ndarray:  # every series' origins, stacked
        parts = [origin_windows(w.strategy, r, origins[s.uid], w.seq_length, H) for s, r in zip(frames, rows,
                                                                                                 strict=True)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    members = list(zip(model.nets_, model.members_, strict=True))
    if model.likelihood:
        scale = np.concatenate([np.full(len(origins[s.uid]), scalings[s.uid].past.scale[-1]) for s in frames])
        drawn = np.concatenate([sample_paths(net, model.likelihood, windows_of(w), w.seq_length, H, n_past, scale,
                                             model.num_samples, t.seed) for net, (_, w, t) in members])
        if model.likelihood in LOG_LIKELIHOODS:  # its paths are logs: to the data's units before any quantile
            drawn = np.concatenate([scalings[s.uid].past.inverse_column(part, n_past - 1) for s, part in
                                    zip(frames, np.split(drawn, np.cumsum([len(origins[s.uid]) for s in frames])[:-1],
                                                         axis=1), strict=True)], axis=1)
        combined = np.moveaxis(drawn, 0, -1) if paths else quantiles_of(drawn, levels_of(model))  # (n, H, S|Q)
    else:
        combined = combine([rollout(model.engine, net, w.strategy, windows_of(w), w.seq_length, H, n_past, n_q)
                            for net, (_, w, _) in members])
    out, start = {}, 0
    shares = blend_shares(model) if not paths else {}
    others = blended if blended is not None else statistical_of(model, frames, origins, H, shares)
    for frame in frames:
        o = origins[frame.uid]
        part = combined[start : start + len(o)]
        start += len(o)  # a likelihood model's paths are in the data's units already
        values = part.astype(np.float64) if model.likelihood else \
            scalings[frame.uid].past.inverse_column(part, n_past - 1)
        season = model.seasons_.get(frame.uid)
        values = values if season is None else season.restore(frame, o, values)
        if shares:  # ŷ = (1 − Σ w)·network + Σ w·method
            values = (1.0 - sum(shares.values())) * values + sum(w * others[name][frame.uid]
                                                                 for name, w in shares.items())
        out[frame.uid] = np.moveaxis(values, -1, 0) if paths else values
    return out


def levels_of(model) -> list | None:
    """The recalibrated quantile levels ``[h][q]`` of a likelihood model (``recalibrate``), or None."""
    recalibrated = getattr(model, "recalibrated_", None)
    return None if not recalibrated else recalibrated["adjusted"]


def blend_period(model) -> int:
    """The period m a fitted Forecaster's Theta and ETS forecasts deseasonalise with: the seasonal anchor's,
    else ``deseasonalize``'s, else the frequency's usual one (1: none)."""
    from rnncast.data.seasons import season_period, usual_period

    spec = model.members_[0][0]
    if spec.seasonal:
        return spec.season
    return season_period(model.deseasonalize, model.freq_) or usual_period(model.freq_) or 1


def blend_shares(model) -> dict[str, float]:
    """``{method: share}`` of the statistical methods a Forecaster blends into its point forecasts (none: {})."""
    return {name: w for name, w in (("theta", model.theta_share), ("ets", model.ets_share)) if w}


def statistical_of(model, frames, origins: dict, H: int, names) -> dict[str, dict[str, np.ndarray]]:
    """The forecasts ``{method: {uid: (n, H)}}`` of the methods ``names`` ("theta", "ets") that are blended in,
    from each series' real rows before each origin (the left padding left out), all series in one pass."""
    from rnncast.ets import ets_forecasts_many
    from rnncast.theta import theta_forecasts_many

    histories = [frame.y[frame.n_padded :] for frame in frames]
    starts = [np.asarray(origins[frame.uid]) - frame.n_padded for frame in frames]
    out = {}
    for name in names:
        method = {"theta": theta_forecasts_many, "ets": ets_forecasts_many}[name]
        values = method(histories, starts, H, blend_period(model))
        out[name] = {frame.uid: v for frame, v in zip(frames, values, strict=True)}
    return out
