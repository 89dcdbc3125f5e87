"""Gradient-flow diagnostics: does the gradient vanish or explode as it flows back through time?

The lecture's claims, measured rather than asserted: sigmoid's derivative is at most 0.25, so a
sigmoid RNN loses its gradient fastest; tanh's is at most 1, which helps but still vanishes;
relu's is 1 on the active units, so the state (and the gradient) can grow without bound; an LSTM
keeps the gradient longest through its additive cell state.

Backpropagation through time, with a loss on the last hidden state h_T only (T = L - 1)::

    tanh / sigmoid / relu RNN:   h_k = f(a_k),   a_k = x_k W_xhᵀ + b_xh + h_{k-1} W_hhᵀ + b_hh
                                 ∂L/∂h_{k-1} = ∂L/∂h_k · diag(f'(a_k)) · W_hh
    LSTM:                        ∂L/∂c_k    = ∂L/∂h_k · o_k (1 - tanh² c_k) + ∂L/∂c_{k+1} · f_{k+1}
                                 ∂L/∂h_{k-1} = [∂a_i | ∂a_f | ∂a_g | ∂a_o]_k · W_hh       (4H wide)
    GRU:                         ∂L/∂h_{k-1} = ∂L/∂h_k · z_k + [∂a_r | ∂a_z | r_k ∂a_n]_k · W_hh

so the gradient reaching h_{T-d} is the injected one times d Jacobians, each with W_hh in it: its
norm scales roughly like (spectral radius of W_hh × typical f')^d. We set the spectral radius
(max |eigenvalue|) of W_hh below, at and above 1 and measure ‖∂L/∂h_{T-d}‖ for d = 0 … L.

Measured with the NumPy engine (rnncast.scratch): its layers' ``step`` runs the forward pass and
``step_backward`` the backward one; after the backward step at t the layer's ``dh_next`` holds
∂L/∂h_{t-1} (the gradient that reaches h_{t-1} through W_hh, holding the cell state fixed). For
the LSTM this is the h part of the state; the cell-state path is included, because ∂L/∂c flows
back step by step and enters ∂L/∂h_{k-1} through the gates.

Besides the lecture's five kinds the measurement runs "lstm-fb3", the LSTM with +3 on its
forget-gate bias: at torch's initialisation f ≈ σ(0) = 0.5 halves the cell-path gradient every
step, so whether "LSTM keeps gradient longest" holds depends on the forget gate being open.

Functions: gradient_flow (the measurement), gradient_table, gradient_claims, describe_rnn,
hidden_states; the figures live in rnncast.explain.plots (gradient_png, activations_png,
hidden_heatmap_png) and are re-exported here.
"""

from __future__ import annotations

import time

import numpy as np

from rnncast.errors import RnncastError
from rnncast.explain.plots import activations_png, gradient_png, hidden_heatmap_png
from rnncast.scratch import GRULayer, LSTMLayer, RNNLayer

__all__ = [
    "KINDS", "LECTURE_KINDS", "FORGET_BIAS", "TABLE_KS",
    "spectral_radius", "rescale_recurrent", "make_layer", "hidden_grads",
    "gradient_flow", "gradient_table", "gradient_claims", "describe_rnn", "hidden_states",
    "gradient_png", "activations_png", "hidden_heatmap_png",
]

LECTURE_KINDS = ("rnn-tanh", "rnn-sigmoid", "rnn-relu", "lstm", "gru")
# The same LSTM with FORGET_BIAS added to its forget-gate bias, so f = σ(≈3) ≈ 0.95 at the start
# instead of ≈ 0.5: the cell path dc_{k-1} = dc_k · f_k then shrinks by ~0.95 a step, not ~0.5.
KINDS = (*LECTURE_KINDS, "lstm-fb3")
FORGET_BIAS = 3.0
TABLE_KS = (1, 10, 50, 100)
CLAIM_K = 50  # the distance the claims are judged at (or the sequence length if shorter)


# ---------------------------------------------------------------- the measurement


def spectral_radius(M: np.ndarray) -> float:
    """max |eigenvalue| of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def rescale_recurrent(W_hh: np.ndarray, hidden_size: int, radius: float) -> np.ndarray:
    """W_hh (G*H, H) with each H×H gate block scaled to spectral radius ``radius``.

    The LSTM (G = 4: i, f, g, o) and GRU (G = 3: r, z, n) stack one H×H block per gate. Each block
    multiplies h_{t-1} on its own, so each gets the requested radius; the stacked matrix is not
    square and has no eigenvalues. For the plain RNN (G = 1) this is W_hh itself.
    """
    blocks = np.split(W_hh, W_hh.shape[0] // hidden_size, axis=0)  # G × (H, H)
    return np.concatenate([B * (radius / spectral_radius(B)) for B in blocks], axis=0)  # (G*H, H)


def make_layer(kind: str, input_size: int, hidden_size: int, rng: np.random.Generator):
    """A scratch layer for one of KINDS, with torch's initialisation U(-1/√H, 1/√H), float64.

    "lstm-fb3" is the LSTM with FORGET_BIAS added to the forget gate's bias (a common
    initialisation; the gate then starts nearly open, as a trained LSTM's is where it remembers).
    """
    if kind.startswith("rnn-"):
        return RNNLayer(input_size, hidden_size, rng, nonlinearity=kind[4:])
    if kind == "lstm":
        return LSTMLayer(input_size, hidden_size, rng)
    if kind == "lstm-fb3":
        layer = LSTMLayer(input_size, hidden_size, rng)
        layer.params["b_xh"][hidden_size : 2 * hidden_size] += FORGET_BIAS  # gate order i, f, g, o
        return layer
    if kind == "gru":
        return GRULayer(input_size, hidden_size, rng)
    raise RnncastError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")


def hidden_grads(layer, x: np.ndarray, dh_T: np.ndarray) -> np.ndarray:
    """∂L/∂h_{T-d} for d = 0 … L, where L = sum(dh_T · h_T) puts gradient ``dh_T`` on the last state.

    x (N, L, F), dh_T (N, H) -> (L+1, N, H); row d is the gradient at distance d from the end, and
    row L is the gradient reaching the initial state h_{-1}.
    """
    N, L, _ = x.shape
    layer.reset(N)
    for t in range(L):
        layer.step(x[:, t])  # (N, H)
    layer.reset_grads()
    grads = [dh_T]
    zero = np.zeros_like(dh_T)  # (N, H) no loss on the earlier states
    for t in reversed(range(L)):
        layer.step_backward(dh_T if t == L - 1 else zero)
        grads.append(layer.dh_next.copy())  # (N, H) ∂L/∂h_{t-1}
    return np.stack(grads)  # (L+1, N, H)


def _log_norms(kind, radius, seed, length, hidden_size, batch, input_size) -> np.ndarray:
    """log ‖∂L/∂h_{T-d}‖ for one seed's weights and ``batch`` random inputs -> (L+1, batch)."""
    rng = np.random.default_rng(seed)
    layer = make_layer(kind, input_size, hidden_size, rng)
    layer.params["W_hh"][...] = rescale_recurrent(layer.params["W_hh"], hidden_size, radius)
    x = rng.standard_normal((batch, length, input_size))  # (N, L, F)
    dh_T = rng.standard_normal((batch, hidden_size))  # (N, H)
    dh_T /= np.linalg.norm(dh_T, axis=1, keepdims=True)  # unit norm per sample
    with np.errstate(divide="ignore"):  # a gradient that is exactly 0 (dead relu units) gives -inf
        return np.log(np.linalg.norm(hidden_grads(layer, x, dh_T), axis=2))  # (L+1, N)


def gradient_flow(length=100, hidden_size=32, radii=(0.5, 1.0, 1.5), seeds=(0, 1, 2, 3, 4), batch=8,
                  input_size=4) -> dict:
    """Measure ‖∂L/∂h_{T-d}‖, d = 0 … length, for every kind in KINDS and spectral radius of W_hh.

    Per (kind, radius) and seed: fresh weights from ``default_rng(seed)``, W_hh rescaled (see
    rescale_recurrent), ``batch`` input sequences x ~ N(0, 1) of shape (length, input_size) and a
    unit-norm random gradient on h_T of each. The norms are averaged as a geometric mean (the mean
    of log ‖∂L/∂h‖) over seeds × inputs, because they spread over many orders of magnitude; a
    single exact zero makes the mean 0. Distance 0 is the injected gradient, so its norm is 1 and
    ``norms[(kind, radius)][d]`` is also the ratio ‖∂L/∂h_{T-d}‖ / ‖∂L/∂h_T‖.

    Returns {"norms": {(kind, radius): array (length+1,)}, "kinds", "radii", "length",
    "hidden_size", "seeds", "batch", "input_size", "seconds"}.
    """
    for name, value in [("length", length), ("hidden_size", hidden_size), ("batch", batch),
                        ("input_size", input_size)]:
        if not isinstance(value, int | np.integer) or value < 1:
            raise RnncastError(f"{name}: expected a positive integer, got {value!r}")
    if not radii or min(radii) <= 0:
        raise RnncastError(f"radii: expected one or more positive spectral radii, got {radii!r}")
    if not seeds:
        raise RnncastError("seeds: expected at least one seed, got none")
    start = time.perf_counter()
    norms = {}
    for kind in KINDS:
        for radius in radii:
            logs = [_log_norms(kind, radius, s, length, hidden_size, batch, input_size) for s in seeds]
            norms[(kind, float(radius))] = np.exp(np.concatenate(logs, axis=1).mean(axis=1))  # (L+1,)
    return {
        "norms": norms, "kinds": KINDS, "radii": tuple(float(r) for r in radii), "length": length,
        "hidden_size": hidden_size, "seeds": tuple(seeds), "batch": batch, "input_size": input_size,
        "seconds": time.perf_counter() - start,
    }


def _ratio(result, kind, radius, k) -> float:
    norms = result["norms"][(kind, radius)]
    return float(norms[k] / norms[0])


def gradient_table(result: dict) -> str:
    """The ratio ‖∂L/∂h_{T-k}‖ / ‖∂L/∂h_T‖ at k = 1, 10, 50, 100 (those ≤ length), per kind × radius."""
    ks = [k for k in TABLE_KS if k <= result["length"]]
    head = f"{'kind':<12} {'radius':>6}" + "".join(f"{'k=' + str(k):>11}" for k in ks)
    lines = [
        f"‖∂L/∂h_(T-k)‖ / ‖∂L/∂h_T‖, geometric mean over {len(result['seeds'])} seeds × "
        f"{result['batch']} inputs (length {result['length']}, hidden {result['hidden_size']})",
        head,
        "-" * len(head),
    ]
    for kind in result["kinds"]:
        for radius in result["radii"]:
            cells = "".join(f"{_ratio(result, kind, radius, k):>11.3g}" for k in ks)
            lines.append(f"{kind:<12} {radius:>6.2f}{cells}")
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "CONFIRMED" if ok else "NOT CONFIRMED"


def gradient_claims(result: dict) -> list[str]:
    """One line per lecture claim, CONFIRMED or NOT CONFIRMED, with the numbers that decide it.

    All three are judged on the ratio r(kind, radius) = ‖∂L/∂h_{T-k}‖ / ‖∂L/∂h_T‖ at k = K,
    K = min(50, length), among the five LECTURE_KINDS (lstm-fb3 is not a contender):

    1. "sigmoid vanishes fastest": at every measured radius, rnn-sigmoid has the smallest r.
    2. "relu can explode": at the largest measured radius, which must be above 1, rnn-relu has
       r > 1 (the gradient grew on its way back).
    3. "LSTM keeps gradient longest": at every measured radius ≤ 1, lstm has the largest r.
       The line also gives lstm-fb3's r (forget gate nearly open) and whether it is the largest.
    """
    K = min(CLAIM_K, result["length"])
    kinds = [k for k in LECTURE_KINDS if k in result["kinds"]]
    radii = result["radii"]

    def r(kind, radius):
        return _ratio(result, kind, radius, K)

    def rival(kind, radius, pick):  # the other kind with the smallest (pick=min) or largest r
        return pick((k for k in kinds if k != kind), key=lambda k: r(k, radius))

    parts, ok = [], True
    for radius in radii:
        other = rival("rnn-sigmoid", radius, min)
        ok &= r("rnn-sigmoid", radius) < r(other, radius)
        parts.append(f"ρ={radius:g}: sigmoid {r('rnn-sigmoid', radius):.3g} vs next smallest "
                     f"{other} {r(other, radius):.3g}")
    lines = [f"sigmoid vanishes fastest: {_verdict(ok)} (ratio at k={K}; " + "; ".join(parts) + ")"]

    top = max(radii)
    ok = top > 1 and r("rnn-relu", top) > 1
    why = "" if top > 1 else "; no radius above 1 was measured"
    lines.append(f"relu can explode: {_verdict(ok)} (ratio at k={K}, ρ={top:g}: "
                 f"relu {r('rnn-relu', top):.3g} vs tanh {r('rnn-tanh', top):.3g}{why})")

    low = [radius for radius in radii if radius <= 1]
    parts, ok = [], bool(low)
    for radius in low:
        other = rival("lstm", radius, max)
        ok &= r("lstm", radius) > r(other, radius)
        parts.append(f"ρ={radius:g}: lstm {r('lstm', radius):.3g} vs largest other "
                     f"{other} {r(other, radius):.3g}")
    detail = "; ".join(parts or ["no radius ≤ 1 was measured"])
    line = f"LSTM keeps gradient longest: {_verdict(ok)} (ratio at k={K}; {detail})"
    if low and "lstm-fb3" in result["kinds"]:
        open_ok = all(r("lstm-fb3", radius) > max(r(k, radius) for k in kinds) for radius in low)
        values = ", ".join(f"ρ={radius:g}: {r('lstm-fb3', radius):.3g}" for radius in low)
        line += (f". At default init the forget gate is σ(≈0) ≈ 0.5, which halves the cell-path gradient "
                 f"every step; with forget-gate bias +{FORGET_BIAS:g} (f ≈ 0.95) the LSTM's ratio is {values}"
                 f" — {'the largest of all' if open_ok else 'still not the largest'}")
    lines.append(line)
    return lines


# ---------------------------------------------------------------- the torch model, explained

_GATES = {"RNN": (), "LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n")}

_EQUATIONS = {
    "RNN": ["h_t = {f}(x_t·W_xhᵀ + b_xh + h_{{t-1}}·W_hhᵀ + b_hh)"],
    "LSTM": [
        "i_t = σ(x_t·W_xiᵀ + b_xi + h_{t-1}·W_hiᵀ + b_hi)          input gate",
        "f_t = σ(x_t·W_xfᵀ + b_xf + h_{t-1}·W_hfᵀ + b_hf)          forget gate",
        "g_t = tanh(x_t·W_xgᵀ + b_xg + h_{t-1}·W_hgᵀ + b_hg)       candidate cell",
        "o_t = σ(x_t·W_xoᵀ + b_xo + h_{t-1}·W_hoᵀ + b_ho)          output gate",
        "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                            cell state (additive path)",
        "h_t = o_t ⊙ tanh(c_t)",
    ],
    "GRU": [
        "r_t = σ(x_t·W_xrᵀ + b_xr + h_{t-1}·W_hrᵀ + b_hr)          reset gate",
        "z_t = σ(x_t·W_xzᵀ + b_xz + h_{t-1}·W_hzᵀ + b_hz)          update gate",
        "n_t = tanh(x_t·W_xnᵀ + b_xn + r_t ⊙ (h_{t-1}·W_hnᵀ + b_hn))   candidate",
        "h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}",
    ],
}

_SYMBOLS = {"weight_ih": "W_xh", "weight_hh": "W_hh", "bias_ih": "b_xh", "bias_hh": "b_hh"}


def _dims(shape) -> str:
    return "×".join(str(n) for n in shape)


def describe_rnn(net, input_size: int) -> str:
    """The recurrence of a ``rnncast.models.RecurrentNet`` written out with this net's real dimensions.

    Every weight is listed with its shape as torch stores it (gates stacked: an LSTM with hidden
    10 on 5 features has W_hh 40×10 = 4 gates × 10×10 and W_xh 40×5), its per-gate view and its
    torch name, then the head W_hy and the parameter count.
    """
    rnn, fc = net.rnn, net.fc
    kind = type(rnn).__name__  # "RNN", "LSTM" or "GRU"
    if rnn.input_size != input_size:
        raise RnncastError(f"input_size: the net reads {rnn.input_size} features, got {input_size}")
    H, gates = rnn.hidden_size, _GATES[kind]
    f = getattr(rnn, "nonlinearity", "tanh")
    layers = "layer" if rnn.num_layers == 1 else "layers"
    lines = [f"{kind}, {rnn.num_layers} {layers}, {input_size} input features, hidden size {H}, "
             f"output {fc.out_features} (many-to-one: y from the last step's h_L)", ""]
    lines += ["  " + eq.format(f=f) if kind == "RNN" else "  " + eq for eq in _EQUATIONS[kind]]
    lines += ["  y   = h_L·W_hyᵀ + b_y", ""]
    if rnn.num_layers > 1:
        lines += ["  layer k > 0 reads the h_t of the layer below in place of x_t", ""]
    for name, p in rnn.named_parameters():  # weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ...
        base, layer = name.rsplit("_l", 1)
        shape = tuple(p.shape)
        view = f"{len(gates)} gates ({', '.join(gates)}) × {_dims((H, *shape[1:]))}" if gates else ""
        lines.append(f"  layer {layer:<3} {_SYMBOLS[base] + ':':<5} {_dims(shape):<7} {view:<32} rnn.{name}")
    lines.append(f"  head      {'W_hy:':<5} {_dims(fc.weight.shape):<7} {'':<32} fc.weight")
    lines.append(f"  head      {'b_y:':<5} {_dims(fc.bias.shape):<7} {'':<32} fc.bias")
    state = f"h_t (N, {H})" + (f", c_t (N, {H})" if kind == "LSTM" else "")
    flow = f"x (N, L, {input_size}) → x_t (N, {input_size}) → {state} → y (N, {fc.out_features})"
    lines += ["", f"  shapes: {flow}"]
    n_rnn = sum(p.numel() for p in rnn.parameters())
    n_fc = sum(p.numel() for p in fc.parameters())
    lines.append(f"  parameters: {n_rnn + n_fc} ({n_rnn} recurrent + {n_fc} head)")
    return "\n".join(lines)


def hidden_states(net, window: np.ndarray) -> np.ndarray:
    """The last layer's h_t for every step of one input window: ``window`` (L, F) -> (L, H)."""
    import torch

    p = next(net.rnn.parameters())
    x = torch.as_tensor(np.asarray(window), dtype=p.dtype, device=p.device)[None]  # (1, L, F)
    was_training = net.rnn.training
    net.rnn.eval()  # no dropout between layers
    try:
        with torch.no_grad():
            out, _state = net.rnn(x)  # (1, L, H)
    finally:
        net.rnn.train(was_training)
    return out[0].cpu().numpy()  # (L, H)
