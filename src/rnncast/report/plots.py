"""Figures as PNG bytes: the forecast over the test period (the lecture's original-vs-prediction plot,
with naive beside it) and the training loss curve. matplotlib is imported only when drawing."""

from __future__ import annotations

import io

import numpy as np


def pyplot():
    """matplotlib's pyplot on the Agg backend (no display needed), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png_bytes(fig) -> bytes:
    """The figure as PNG bytes (closed afterwards, so a long run does not pile up figures)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    pyplot().close(fig)
    return buf.getvalue()


def forecast_png(predictions, model: str, target: str, title: str, max_series: int = 4) -> bytes:
    """Original vs prediction over the test period (the lecture's plot), naive beside it, one panel per
    series (at most ``max_series``). With a horizon H > 1 the 1-step and H-step forecasts are both drawn;
    quantile columns ``<model>-q-<q>`` add the band between the outermost quantiles (1 step ahead)."""
    plt = pyplot()
    ids = list(dict.fromkeys(predictions["unique_id"]))[:max_series]
    H = int(predictions["h"].max())
    qcols = sorted((c for c in predictions.columns if c.startswith(f"{model}-q-")),
                   key=lambda c: float(c.rsplit("-q-", 1)[1]))
    fig, axes = plt.subplots(len(ids), 1, figsize=(9, 3.2 + 2.6 * (len(ids) - 1) if len(ids) > 1 else 4.5),
                             squeeze=False)
    for ax, uid in zip(axes[:, 0], ids, strict=True):
        one = predictions[predictions["unique_id"] == uid]
        first = one[one["h"] == 1]
        ds = first["ds"].to_numpy()
        ax.plot(ds, first["y"], color="black", linewidth=1.6, label="original")
        lows = sorted((c for c in predictions.columns if c.startswith(f"{model}-lo-")),
                      key=lambda c: float(c.rsplit("-lo-", 1)[1]))
        if lows:
            level = lows[-1].rsplit("-lo-", 1)[1]
            ax.fill_between(ds, first[lows[-1]], first[f"{model}-hi-{level}"], color="tab:blue", alpha=0.15,
                            label=f"{model} {level}% interval")
        elif len(qcols) >= 2:
            ax.fill_between(ds, first[qcols[0]], first[qcols[-1]], color="tab:blue", alpha=0.18,
                            label=f"{model} {qcols[0].rsplit('-q-', 1)[1]}–{qcols[-1].rsplit('-q-', 1)[1]}")
        ax.plot(ds, first[model], color="tab:blue", linewidth=1.3, label=f"{model} (1 step ahead)")
        if H > 1:
            last = one[one["h"] == H]
            ax.plot(last["ds"].to_numpy(), last[model], color="tab:orange", linewidth=1.1,
                    label=f"{model} ({H} steps ahead)")
        ax.plot(ds, first["naive"], color="tab:gray", linestyle="--", linewidth=1.0, label="naive (1 step)")
        ax.set_ylabel(target if len(ids) == 1 else f"{target} [{uid}]")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel("time" if np.issubdtype(np.asarray(ds).dtype, np.datetime64) else "step")
    if np.issubdtype(np.asarray(ds).dtype, np.datetime64):
        fig.autofmt_xdate()
    fig.tight_layout()
    return png_bytes(fig)


def loss_png(losses: list[float], val_losses: list[float], unit: str, best_step: int | None = None,
             loss: str = "mse", val_metric: str = "loss") -> bytes:
    """Training (and validation) loss per iteration or epoch, log scale, named by the loss actually used.

    Validation on the loss shares the axis; validation on a metric in the data's units (``val_metric``
    rmse, mae, mape, smape) gets its own axis on the right, since its numbers are not the loss's.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    steps = np.arange(1, len(losses) + 1)
    units = "of the forecasts" if loss in ("mape", "smape") else "scaled units"  # ratio losses: data units
    lines = ax.plot(steps, losses, label=f"training loss ({loss.upper()}, {units})")
    if val_losses:
        val_steps = np.arange(1, len(val_losses) + 1)
        if val_metric == "loss":
            lines += ax.plot(val_steps, val_losses, label=f"validation loss ({loss.upper()}, early-stopping run)")
        else:
            right = ax.twinx()
            lines += right.plot(val_steps, val_losses, color="tab:orange",
                                label=f"validation {val_metric.upper()} (data units, right axis)")
            right.set_ylabel(f"validation {val_metric.upper()}")
    if best_step:
        lines.append(ax.axvline(best_step, color="tab:red", linestyle=":", label=f"kept weights ({unit} {best_step})"))
    ax.set_yscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel(f"training loss ({loss.upper()})")
    ax.grid(alpha=0.3, which="both")
    ax.legend(handles=lines)
    fig.tight_layout()
    return png_bytes(fig)
