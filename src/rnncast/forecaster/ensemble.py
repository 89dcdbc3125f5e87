"""Ensembles: N networks that differ, and the median of their forecasts.

Averaging nets that make *different* mistakes cancels part of each one's error; nets that differ only
in their seed make much the same mistakes. So member k of an ``ensemble=N`` forecaster changes four
things at once (member 0 is the configured model itself):

    cell         the configured kind, then the other two kinds in turn (lstm → gru → rnn → lstm …)
    loss         the configured loss on even members, the other kind on odd ones: mae for mse, mse
                 for mae, mape and smape (quantile models keep their pinball loss, and the NumPy
                 engine, which trains on MSE only, keeps mse)
    seq_length   seq_length · f_k with f = 1, 1.5, 0.75, 1.25, 2, 0.5, 1.75, 1.125 (at least 2, and at
                 least the period with ``normalize="season"`` or ``"auto"``)
    seed         seed + k

    ŷ = median_k ŷ^(k)          (per series, step and quantile; robust to one member that went wrong)

With ``member_epochs`` set, every member trains that many epochs instead of ``epochs`` (``forecaster.fit``):
five members at a share of one network's epochs cost a few networks, not five (the presets; BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rnncast.specs import MODEL_KINDS, ModelSpec, TrainSpec, WindowSpec

SEQ_FACTORS = (1.0, 1.5, 0.75, 1.25, 2.0, 0.5, 1.75, 1.125)


def member_specs(model: ModelSpec, window: WindowSpec, train: TrainSpec, n: int, vary_kind: bool = True,
                 vary_loss: bool = True) -> list[tuple[ModelSpec, WindowSpec, TrainSpec]]:
    """The settings of each of the ``n`` members; ``vary_kind=False`` keeps the configured cell for all,
    ``vary_loss=False`` the configured loss (the NumPy engine trains on MSE only; quantile models on
    the pinball loss)."""
    kinds = [model.kind] + [k for k in MODEL_KINDS if k != model.kind]
    members = []
    for k in range(n):
        kind = kinds[k % len(kinds)] if vary_kind else model.kind
        shortest = model.season if model.seasonal else 2  # a seasonal anchor needs a whole season
        seq_length = max(2, shortest, round(window.seq_length * SEQ_FACTORS[k % len(SEQ_FACTORS)]))
        loss = train.loss if k % 2 == 0 or not vary_loss else ("mae" if train.loss == "mse" else "mse")
        members.append((replace(model, kind=kind), replace(window, seq_length=seq_length),
                        replace(train, loss=loss, seed=train.seed + k)))
    return members


def combine(forecasts: list[np.ndarray]) -> np.ndarray:
    """The members' median, elementwise (one member: its forecasts)."""
    return forecasts[0] if len(forecasts) == 1 else np.median(np.stack(forecasts), axis=0)


def member_to_dict(specs: tuple[ModelSpec, WindowSpec, TrainSpec]) -> dict:
    model, window, train = specs
    return {"model": model.kind, "seq_length": window.seq_length, "loss": train.loss, "seed": train.seed,
            "shrink": model.shrink}


def member_from_dict(data: dict, model: ModelSpec, window: WindowSpec, train: TrainSpec
                     ) -> tuple[ModelSpec, WindowSpec, TrainSpec]:
    specs = (replace(model, kind=str(data["model"]), shrink=data.get("shrink", 1.0)),
             replace(window, seq_length=int(data["seq_length"])),
             replace(train, loss=str(data["loss"]), seed=int(data["seed"])))
    for spec in specs:
        spec.check()
    return specs
