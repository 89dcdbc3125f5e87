"""Point-forecast accuracy, in the data's original units.

With errors e_t = y_t - ŷ_t over n test points:

- rmse  = sqrt(mean(e²))
- mae   = mean(|e|)
- mape  = 100 · mean(|e| / |y|)                  (undefined, None, when some y = 0)
- smape = 100 · mean(2|e| / (|y| + |ŷ|))         (terms with y = ŷ = 0 count as 0)
- mase  = mae / mean(|y_s - y_{s-1}|) over the training part (in-sample one-step naive MAE),
          so naive scores about 1 and anything below 1 beats it on the scale of the training data.

A distribution forecast given as S samples x_1 … x_S of one value y is scored by the continuous ranked
probability score of their empirical CDF F_S (``crps_samples``):

    CRPS(F_S, y) = ∫ (F_S(z) - 1{z ≥ y})² dz = mean_i |x_i - y| - ½ mean_{i,j} |x_i - x_j|

in the data's units (a point forecast's CRPS is its absolute error; lower is better). With the samples
sorted, x_(1) ≤ … ≤ x_(S), the double sum is Σ_{i,j} |x_i - x_j| = 2 Σ_i (2i - S - 1) x_(i): O(S log S).

``distribution_scores`` reads a predictions table (one row per target y) for one method's distribution:

- ``<m>-q-<q>`` quantile columns (quantile models), or ``<m>-lo-<ℓ>`` / ``<m>-hi-<ℓ>`` interval columns
  (conformal intervals, likelihood models), whose ends are the quantiles (1 - ℓ/100)/2 and (1 + ℓ/100)/2;
  the point column ``<m>`` counts as the median there;
- ``<m>-crps``: the CRPS of sample paths at each target (likelihood models, the bootstrap baseline).

For each method that has them:

    coverage_ℓ      share of y inside [lo_ℓ, hi_ℓ]                   (nominal ℓ%)
    pinball         mean over the quantile levels of mean max(q·e, (q-1)·e), e = y - ŷ_q
    quantile_score  2 · pinball: the CRPS = 2 ∫₀¹ pinball_q dq taken at those levels only, so it compares
                    forecasts given at the same levels (the baseline is scored at the network's levels)
    crps            mean CRPS of the sample paths (methods that have paths)
"""

from __future__ import annotations

import math

import numpy as np

NAMES = ("rmse", "mae", "mape", "smape", "mase")


def rmse(y, yhat) -> float:
    return float(np.sqrt(np.mean((y - yhat) ** 2)))


def mae(y, yhat) -> float:
    return float(np.mean(np.abs(y - yhat)))


def mape(y, yhat) -> float | None:
    if np.any(y == 0):
        return None
    return float(100.0 * np.mean(np.abs(y - yhat) / np.abs(y)))


def smape_terms(y, yhat) -> np.ndarray:
    """Each forecast's 2|e| / (|y| + |ŷ|), 0 where y = ŷ = 0 (sMAPE is 100 times their mean)."""
    denom = np.abs(y) + np.abs(yhat)
    return np.divide(2.0 * np.abs(y - yhat), denom, out=np.zeros_like(denom, dtype=np.float64), where=denom > 0)


def smape(y, yhat) -> float:
    return float(100.0 * np.mean(smape_terms(y, yhat)))


def naive_scale(y_train: np.ndarray, season: int = 1) -> float | None:
    """In-sample (seasonal) naive MAE mean(|y_s - y_{s-m}|), the MASE denominator (m = 1 unless --season);
    None when the training part is too short or constant."""
    if len(y_train) <= season:
        return None
    scale = float(np.mean(np.abs(y_train[season:] - y_train[:-season])))
    return scale if scale > 0 else None


def crps_samples(samples, y) -> np.ndarray:
    """CRPS of each value ``y`` (any shape) against its ``samples`` (``(S, *y.shape)``, samples first)."""
    x = np.sort(np.asarray(samples, dtype=np.float64), axis=0)  # (S, ...)
    y = np.asarray(y, dtype=np.float64)
    S = x.shape[0]
    weights = (2.0 * np.arange(1, S + 1) - S - 1).reshape((S,) + (1,) * y.ndim)
    spread = (weights * x).sum(axis=0) / S**2  # ½ mean_{i,j} |x_i - x_j|
    return np.abs(x - y).mean(axis=0) - spread


def pinball(y, yq, q: float) -> float:
    """Mean pinball loss of quantile forecasts ``yq`` at level q: mean(max(q·e, (q-1)·e)), e = y - yq."""
    e = np.asarray(y, dtype=np.float64) - np.asarray(yq, dtype=np.float64)
    return float(np.mean(np.maximum(q * e, (q - 1) * e)))


def quantile_metrics(predictions, columns: list[str]) -> dict[str, float]:
    """Mean pinball loss over the quantile columns ``<model>-q-<q>`` and the coverage of the outermost
    pair (the share of y inside [lowest q, highest q]) with its nominal level."""
    levels = [float(c.rsplit("-q-", 1)[1]) for c in columns]
    y = predictions["y"].to_numpy()
    out = {"pinball": float(np.mean([pinball(y, predictions[c], q) for c, q in zip(columns, levels, strict=True)]))}
    lo, hi = columns[int(np.argmin(levels))], columns[int(np.argmax(levels))]
    if lo != hi:
        inside = (y >= predictions[lo].to_numpy()) & (y <= predictions[hi].to_numpy())
        out["coverage"] = float(np.mean(inside))
        out["nominal_coverage"] = max(levels) - min(levels)
    return out


def all_metrics(y, yhat, scale: float | None) -> dict[str, float | None]:
    y, yhat = np.asarray(y, dtype=np.float64), np.asarray(yhat, dtype=np.float64)
    out = {"rmse": rmse(y, yhat), "mae": mae(y, yhat), "mape": mape(y, yhat), "smape": smape(y, yhat)}
    out["mase"] = out["mae"] / scale if scale else None
    return {k: (None if v is None or not math.isfinite(v) else v) for k, v in out.items()}


def grouped_metrics(codes: np.ndarray, n_groups: int, y, yhat, scales: np.ndarray) -> dict[str, np.ndarray]:
    """``all_metrics`` of every group at once (``codes``: each row's group 0..n_groups-1; ``scales``: each
    group's MASE denominator, NaN for none): one ``bincount`` per metric instead of a loop over groups.
    Undefined values (MAPE of a group with a zero target, MASE without a scale) are NaN."""
    y, yhat = np.asarray(y, dtype=np.float64), np.asarray(yhat, dtype=np.float64)
    n = np.bincount(codes, minlength=n_groups).astype(np.float64)
    e = np.abs(y - yhat)

    def mean(values):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.bincount(codes, weights=values, minlength=n_groups) / n

    ratio = np.divide(e, np.abs(y), out=np.zeros_like(e), where=y != 0)
    has_zero = np.bincount(codes, weights=(y == 0).astype(np.float64), minlength=n_groups) > 0
    out = {"rmse": np.sqrt(mean(e**2)), "mae": mean(e), "mape": np.where(has_zero, np.nan, 100.0 * mean(ratio)),
           "smape": 100.0 * mean(smape_terms(y, yhat))}
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mase"] = np.where(np.asarray(scales) > 0, out["mae"] / scales, np.nan)
    return out


def quantile_levels(columns, method: str) -> dict[float, str]:
    """``{q: column}`` of ``method``'s quantile forecasts among ``columns`` (its intervals' ends, and its point
    column as the median)."""
    out = {}
    for column in columns:
        if column.startswith(f"{method}-q-"):
            out[float(column.rsplit("-q-", 1)[1])] = column
        elif column.startswith(f"{method}-lo-"):
            level = float(column.rsplit("-lo-", 1)[1]) / 100
            out[round((1 - level) / 2, 6)] = column
            out[round((1 + level) / 2, 6)] = f"{method}-hi-{column.rsplit('-lo-', 1)[1]}"
    if out and 0.5 not in out and method in columns:
        out[0.5] = method
    return dict(sorted(out.items()))


def distribution_scores(predictions, method: str) -> dict[str, float]:
    """Coverage per interval, pinball, quantile score and CRPS of ``method`` ({} for a point forecast)."""
    y = predictions["y"].to_numpy(dtype=np.float64)
    out = {}
    for lo in (c for c in predictions.columns if c.startswith(f"{method}-lo-")):
        level = lo.rsplit("-lo-", 1)[1]
        inside = (y >= predictions[lo].to_numpy()) & (y <= predictions[f"{method}-hi-{level}"].to_numpy())
        out[f"coverage_{level}"] = float(np.mean(inside))
    levels = quantile_levels(list(predictions.columns), method)
    if len(levels) > 1:
        loss = float(np.mean([pinball(y, predictions[c], q) for q, c in levels.items()]))
        out.update(pinball=loss, quantile_score=2 * loss)
    if f"{method}-crps" in predictions:
        out["crps"] = float(predictions[f"{method}-crps"].mean())
    return out


def bootstrap_columns(drawn: np.ndarray, y: np.ndarray, name: str, levels: list[float]) -> dict[str, np.ndarray]:
    """The baseline distribution's columns from its draws ``(S, N)`` at targets ``y`` ``(N,)``: its CRPS and
    its quantiles at the network's ``levels`` (``<name>-q-<q>``)."""
    cols = {f"{name}-crps": crps_samples(drawn, y)}
    if levels:
        values = np.quantile(drawn, levels, axis=0)
        cols.update({f"{name}-q-{q:g}": v for q, v in zip(levels, values, strict=True)})
    return cols
