"""Sample paths of a likelihood model (the DeepAR form; the lecture's one-to-many, sampled).

For each origin o of a series, with input rows A (``data.input_rows``; the target scaled by the series'
mean absolute value ν) and a network that outputs, at every step t, the parameters θ_t of y_{t+1}'s
distribution (``training.likelihoods``):

    context:   θ, s = net(A[o-L : o])                      the last step's θ is y_o's distribution
    for h = 0 … H-1:
        ŷ_{o+h} ~ p(· | θ)                                 one draw per path
        A'[o+h] = A[o+h] with its target ŷ_{o+h} / ν       the draw is fed back ...
        θ, s = net(A'[o+h], s)                              ... one step further, from state s

Each of the ``num_samples`` paths carries its own state (the context runs once per origin, then its
state is repeated per path), so S paths × H steps cost H one-step calls on S·n rows. Draws come from
torch's generator seeded with ``seed`` (forked, so the caller's stream is untouched): the same seed,
the same paths. Quantiles of the paths are the forecast (``QUANTILES``; the median is the point forecast),
read at recalibrated levels where ``recalibrate`` measured them (``forecaster.recalibration``).

The log models (lognormal, logstudentt) draw z = log y less the series' mean log, and a draw fed back is a
value the network may never have seen; over 18 steps a few paths ran off to 10⁵-10⁸ times a series' level
(BENCHMARKS.md). So their draws are held within ``LOG_REACH`` of the input window's range:

    min(z_window) - log 10  ≤  ẑ  ≤  max(z_window) + log 10      (a tenth of the least value, ten times the most)

On validation (M1, Tourism yearly; 3 origins) this removed the runaways, and no quantile score got worse
(three improved by 1-5%: the runaways had widened their 97.5% quantiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnncast.data.panel import future_stamps
from rnncast.errors import RnncastError
from rnncast.specs import LOG_LIKELIHOODS
from rnncast.training.likelihoods import distribution

QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)  # the median and the 80% and 95% intervals
PATH_ROWS = 262_144  # origins × paths per chunk: bounds the memory of the states
LOG_REACH = float(np.log(10.0))  # how far beyond its window's range a log model's draw may go (see above)


def sample_paths(net, kind: str, windows: np.ndarray, L: int, H: int, n_past: int, scale: np.ndarray,
                 num_samples: int, seed: int) -> np.ndarray:
    """Paths ``(num_samples, n, H)`` in the data's units (of the deseasonalised series, where it is) from
    ``windows`` ``(n, L + H, F)`` (``rollout.origin_windows`` with the seq2seq layout); ``scale`` ``(n,)``:
    each window's ν. Counts (negbin) come out as whole numbers."""
    import torch

    S, n = num_samples, len(windows)
    out = np.empty((S, n, H), dtype=np.float32)
    per = max(1, PATH_ROWS // S)
    net.eval()
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for a in range(0, n, per):
            W = torch.from_numpy(np.ascontiguousarray(windows[a : a + per], dtype=np.float32))  # (c, L + H, F)
            c = len(W)
            nu = torch.from_numpy(np.asarray(scale[a : a + c], dtype=np.float32))  # (c,)
            nu_s = nu.repeat_interleave(S)  # (c·S,) path k of window i at row i·S + k
            raw, state = net.run(W[:, :L])  # the context, once per window
            state = tuple(s.repeat_interleave(S, dim=1) for s in state) if isinstance(state, tuple) \
                else state.repeat_interleave(S, dim=1)  # (layers, c·S, hidden)
            reach = None  # a log model's bounds, (c·S,) each: its window's range ± LOG_REACH
            if kind in LOG_LIKELIHOODS:
                seen = W[:, :L, n_past - 1]
                reach = ((seen.amin(dim=1) - LOG_REACH).repeat_interleave(S),
                         (seen.amax(dim=1) + LOG_REACH).repeat_interleave(S))
            value = _draw(kind, raw[:, -1].repeat_interleave(S, dim=0), nu_s, reach)  # (c·S,)
            paths = [value]
            for h in range(1, H):
                row = W[:, L + h - 1].repeat_interleave(S, dim=0)  # (c·S, F): known covariates, mask, ids
                row[:, n_past - 1] = value / nu_s
                raw, state = net.run(row[:, None, :], state)
                value = _draw(kind, raw[:, -1], nu_s, reach)
                paths.append(value)
            out[:, a : a + c] = torch.stack(paths, dim=1).reshape(c, S, H).permute(1, 0, 2).numpy()
    return out


def _draw(kind: str, params, nu, reach):
    """One value per path from the step's distribution (``params`` ``(c·S, N_PARAMS)``), held within ``reach``
    ``(lo, hi)`` where it is given (the log models)."""
    value = distribution(kind, params, nu).sample()
    return value if reach is None else value.clamp(*reach)


def quantiles_of(paths: np.ndarray, levels: list | None = None) -> np.ndarray:
    """``(n, H, Q)``: each origin and step's ``QUANTILES`` over the paths ``(S, n, H)``; ``levels`` ``[h][q]``
    (``recalibration``): at step h the paths' ``levels[h][q]``-quantile stands for ``QUANTILES[q]``."""
    if levels is None:
        return np.moveaxis(np.quantile(paths, QUANTILES, axis=0), 0, -1)
    steps = [np.quantile(paths[:, :, h], levels[h], axis=0) for h in range(paths.shape[2])]  # each (Q, n)
    return np.moveaxis(np.stack(steps, axis=-1), 0, -1)  # (Q, n, H) -> (n, H, Q)


def quantile_columns(model: str, values: np.ndarray) -> dict[str, np.ndarray]:
    """``<model>`` (the median), ``<model>-lo-<ℓ>`` and ``<model>-hi-<ℓ>`` (statsforecast's names) from
    ``(…, Q)`` values at ``QUANTILES``."""
    cols = {model: values[..., QUANTILES.index(0.5)]}
    for k, q in enumerate(QUANTILES):
        if q < 0.5:
            level = f"{100 * (1 - 2 * q):g}"
            cols[f"{model}-lo-{level}"] = values[..., k]
            cols[f"{model}-hi-{level}"] = values[..., len(QUANTILES) - 1 - k]
    return cols


def check_likelihood(f) -> None:
    """What a likelihood model cannot do, refused by name (its scaling and strategy are its own)."""
    if f.quantiles is not None or f.conformal:
        raise RnncastError("a likelihood model's quantiles and intervals come from its sampled paths: drop"
                           " --quantiles / --conformal")
    if f.val_metric != "loss":
        raise RnncastError("a likelihood model stops early on its validation NLL: use val_metric='loss'")
    if f.shrink != 1.0:
        raise RnncastError("shrink scales a correction to the naive forecast; a likelihood model has none")
    if isinstance(f.num_samples, bool) or not isinstance(f.num_samples, int) or f.num_samples < 2:
        raise RnncastError(f"num_samples must be a whole number of at least 2, got {f.num_samples!r}")


def paths_frame(frames, values: dict[str, np.ndarray], H: int, freq: str | None, model: str) -> pd.DataFrame:
    """Long paths: ``unique_id, ds, sample, <model>``, each series' S paths of H steps (``values[uid]``:
    ``(S, 1, H)``, from its last row)."""
    S = len(next(iter(values.values())))
    return pd.DataFrame({
        "unique_id": np.repeat(np.array([f.uid for f in frames], dtype=object), S * H),
        "ds": np.concatenate([np.tile(future_stamps(f, freq, H), S) for f in frames]),
        "sample": np.tile(np.repeat(np.arange(S), H), len(frames)),
        model: np.concatenate([values[f.uid][:, 0].ravel() for f in frames]),
    })
