"""Figures as PNG bytes: the forecast over the test period (the lecture's original-vs-prediction plot,
with naive beside it) and the training loss curve. matplotlib is imported only when drawing."""

from __future__ import annotations

import io

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    _pyplot().close(fig)
    return buf.getvalue()


def forecast_png(ds, y, forecasts: dict[str, np.ndarray], target: str, title: str) -> bytes:
    """Original vs prediction over the test period; ``forecasts`` maps a name to its values."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(ds, y, color="black", linewidth=1.6, label="original")
    styles = {"naive": dict(color="tab:gray", linestyle="--", linewidth=1.0)}
    for name, values in forecasts.items():
        ax.plot(ds, values, label=f"{name} (prediction)" if name not in styles else name,
                **styles.get(name, dict(linewidth=1.3)))
    ax.set_title(title)
    ax.set_ylabel(target)
    ax.set_xlabel("time" if np.issubdtype(np.asarray(ds).dtype, np.datetime64) else "step")
    ax.grid(alpha=0.3)
    ax.legend()
    if np.issubdtype(np.asarray(ds).dtype, np.datetime64):
        fig.autofmt_xdate()
    fig.tight_layout()
    return _png(fig)


def loss_png(losses: list[float], val_losses: list[float], unit: str, best_step: int | None = None) -> bytes:
    """Training (and validation) MSE per iteration or epoch, log scale."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    steps = np.arange(1, len(losses) + 1)
    ax.plot(steps, losses, label="training loss (MSE, scaled units)")
    if val_losses:
        ax.plot(steps[: len(val_losses)], val_losses, label="validation loss")
    if best_step:
        ax.axvline(best_step, color="tab:red", linestyle=":", label=f"kept weights ({unit} {best_step})")
    ax.set_yscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return _png(fig)
