"""Figures for ``rnncast explain`` as PNG bytes: gradient norm against distance, the activation
functions with their derivatives, and a heat map of the hidden states across one input window.

matplotlib (Agg) is imported only when drawing. Nothing here imports rnncast.explain.gradients: the
gradient figure reads the dict that ``rnncast.explain.gradients.gradient_flow`` returns.
"""

from __future__ import annotations

import numpy as np

from rnncast.report.plots import png_bytes, pyplot


def gradient_png(result: dict) -> bytes:
    """One panel per spectral radius: ‖∂L/∂h_{T-d}‖ / ‖∂L/∂h_T‖ against d (log y), one line per kind."""
    plt = pyplot()
    radii = result["radii"]
    fig, axes = plt.subplots(1, len(radii), figsize=(4.2 * len(radii), 4), sharey=True, squeeze=False)
    d = np.arange(result["length"] + 1)
    for ax, radius in zip(axes[0], radii, strict=True):
        for kind in result["kinds"]:
            norms = result["norms"][(kind, radius)]
            ratio = norms / norms[0]
            ax.plot(d, np.where(ratio > 0, ratio, np.nan), label=kind, linewidth=1.4)  # log axis: drop zeros
        ax.axhline(1.0, color="black", linewidth=0.6, linestyle=":")
        ax.set_yscale("log")
        ax.set_title(f"spectral radius of W_hh = {radius:g}")
        ax.set_xlabel("distance T − k (steps back)")
        ax.grid(alpha=0.3, which="major")
    axes[0][0].set_ylabel("‖∂L/∂h_k‖ / ‖∂L/∂h_T‖")
    axes[0][-1].legend(fontsize=8)
    fig.suptitle(f"Gradient flow back through time: geometric mean over {len(result['seeds'])} seeds × "
                 f"{result['batch']} inputs, hidden {result['hidden_size']}", fontsize=10)
    fig.tight_layout()
    return png_bytes(fig)


def activations_png() -> bytes:
    """σ, tanh and ReLU (left) and their derivatives (right), with max σ' = 0.25 and max tanh' = 1 marked."""
    plt = pyplot()
    a = np.linspace(-6, 6, 601)
    sig = 1 / (1 + np.exp(-a))
    tanh = np.tanh(a)
    relu = np.maximum(a, 0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for ax, curves, title in [
        (left, [("σ(a)", sig), ("tanh(a)", tanh), ("ReLU(a)", relu)], "activation f(a)"),
        (right, [("σ'(a) = σ(1 − σ)", sig * (1 - sig)), ("tanh'(a) = 1 − tanh²", 1 - tanh**2),
                 ("ReLU'(a) = 1[a > 0]", (a > 0).astype(float))], "derivative f'(a)"),
    ]:
        for (label, y), color in zip(curves, ["tab:blue", "tab:orange", "tab:green"], strict=True):
            ax.plot(a, y, label=label, color=color, linewidth=1.6)
        ax.set_title(title)
        ax.set_xlabel("a")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    left.set_ylim(-1.5, 3)
    right.set_ylim(-0.1, 1.3)
    right.annotate("max σ' = 0.25 at a = 0", xy=(0, 0.25), xytext=(1.2, 0.45),
                   arrowprops=dict(arrowstyle="->"), fontsize=8)
    right.annotate("max tanh' = 1 at a = 0", xy=(0, 1.0), xytext=(1.2, 1.15),
                   arrowprops=dict(arrowstyle="->"), fontsize=8)
    fig.suptitle("A product of many f' < 1 vanishes: σ' ≤ 0.25 fastest, tanh' ≤ 1 slower; "
                 "ReLU' = 1 passes the gradient unchanged", fontsize=9)
    fig.tight_layout()
    return png_bytes(fig)


def hidden_heatmap_png(states: np.ndarray, feature_names=None, window: np.ndarray | None = None) -> bytes:
    """Heat map of the hidden states h_t (L, H): time step across, hidden unit down.

    With ``window`` (L, F), the input window is drawn above it, one line per feature, labelled by
    ``feature_names`` when given.
    """
    plt = pyplot()
    states = np.asarray(states)
    L, H = states.shape
    rows = 2 if window is not None else 1
    size = (min(14, max(8, 0.3 * L + 3)), 2.2 * rows + 0.12 * H)  # (width, height) inches
    fig, axes = plt.subplots(rows, 1, figsize=size, squeeze=False, sharex=True, layout="constrained",
                             gridspec_kw={"height_ratios": [1, 2][-rows:]})
    if window is not None:
        ax = axes[0][0]
        window = np.asarray(window)  # (L, F)
        names = feature_names or [f"x[{j}]" for j in range(window.shape[1])]
        for j, name in enumerate(names):
            ax.plot(np.arange(L), window[:, j], label=str(name), linewidth=1.2)
        ax.set_ylabel("input x_t")
        ax.legend(fontsize=7, ncol=min(len(names), 5))
        ax.grid(alpha=0.3)
    ax = axes[-1][0]
    lim = max(float(np.abs(states).max()), 1e-12)
    im = ax.imshow(states.T, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_xlabel("time step t in the window")
    ax.set_ylabel("hidden unit")
    fig.suptitle(f"hidden states h_t across one input window ({L} steps × {H} units)", fontsize=10)
    fig.colorbar(im, ax=ax, label="h_t")
    return png_bytes(fig)
