"""Gradient-flow diagnostics: the rescaling, the BPTT gradients (against torch autograd), the table,
the claims and the figures; and the torch model explained (describe_rnn, hidden_states)."""

import numpy as np
import pytest
import torch

from rnncast.errors import RnncastError
from rnncast.explain.gradients import (
    KINDS,
    activations_png,
    describe_rnn,
    gradient_claims,
    gradient_flow,
    gradient_png,
    gradient_table,
    hidden_grads,
    hidden_heatmap_png,
    hidden_states,
    make_layer,
    rescale_recurrent,
    spectral_radius,
)
from rnncast.models.nets import RecurrentNet
from rnncast.specs import ModelSpec

PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def small():
    return gradient_flow(length=30, hidden_size=8, seeds=(0, 1), batch=4)


@pytest.mark.parametrize("kind", ["rnn-tanh", "lstm", "gru"])
@pytest.mark.parametrize("radius", [0.5, 1.0, 1.5])
def test_rescale_gives_each_gate_block_the_radius(kind, radius):
    H = 6
    W = make_layer(kind, 3, H, np.random.default_rng(0)).params["W_hh"]
    scaled = rescale_recurrent(W, H, radius)
    assert scaled.shape == W.shape
    for block in np.split(scaled, W.shape[0] // H, axis=0):
        assert spectral_radius(block) == pytest.approx(radius, rel=1e-10)


def torch_hidden_grads(kind, params, x, dh_T):
    """∂L/∂h_k by autograd, L = sum(dh_T · h_T), rows ordered from h_T back to h_{-1}."""
    W_xh, W_hh, b_xh, b_hh = (torch.from_numpy(params[k]) for k in ("W_xh", "W_hh", "b_xh", "b_hh"))
    N, L, _ = x.shape
    H = W_hh.shape[1]
    hs = [torch.zeros(N, H, dtype=torch.float64, requires_grad=True)]
    c = torch.zeros(N, H, dtype=torch.float64)
    f = {"rnn-tanh": torch.tanh, "rnn-sigmoid": torch.sigmoid, "rnn-relu": torch.relu}.get(kind)
    for t in range(L):
        x_t, h = torch.from_numpy(x[:, t]), hs[-1]
        if f is not None:
            h = f(x_t @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        elif kind.startswith("lstm"):  # lstm, lstm-fb3 (only its bias differs)
            i, fg, g, o = (x_t @ W_xh.T + b_xh + h @ W_hh.T + b_hh).chunk(4, dim=1)
            c = torch.sigmoid(fg) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        else:  # gru
            ax_r, ax_z, ax_n = (x_t @ W_xh.T + b_xh).chunk(3, dim=1)
            ah_r, ah_z, ah_n = (h @ W_hh.T + b_hh).chunk(3, dim=1)
            r, z = torch.sigmoid(ax_r + ah_r), torch.sigmoid(ax_z + ah_z)
            h = (1 - z) * torch.tanh(ax_n + r * ah_n) + z * h
        h.retain_grad()
        hs.append(h)
    (hs[-1] * torch.from_numpy(dh_T)).sum().backward()
    return np.stack([h.grad.numpy() for h in reversed(hs)])  # (L+1, N, H)


@pytest.mark.parametrize("kind", KINDS)
def test_hidden_grads_match_torch_autograd(kind):
    rng = np.random.default_rng(1)
    layer = make_layer(kind, 3, 5, rng)
    layer.params["W_hh"][...] = rescale_recurrent(layer.params["W_hh"], 5, 1.2)
    x = rng.standard_normal((2, 12, 3))  # (N, L, F)
    dh_T = rng.standard_normal((2, 5))  # (N, H)
    ours = hidden_grads(layer, x, dh_T)
    assert ours.shape == (13, 2, 5)
    np.testing.assert_allclose(ours, torch_hidden_grads(kind, layer.params, x, dh_T), rtol=0, atol=1e-10)


def test_distance_zero_is_the_injected_gradient(small):
    rng = np.random.default_rng(0)
    layer = make_layer("lstm", 2, 4, rng)
    dh_T = rng.standard_normal((3, 4))
    assert np.array_equal(hidden_grads(layer, rng.standard_normal((3, 7, 2)), dh_T)[0], dh_T)
    for norms in small["norms"].values():
        assert norms.shape == (31,)
        assert norms[0] == pytest.approx(1.0, rel=1e-12)  # unit-norm injection


def test_tanh_rnn_below_radius_one_decays_with_distance(small):
    norms = small["norms"][("rnn-tanh", 0.5)]
    assert np.all(np.diff(norms) < 0)
    assert norms[30] < 1e-6


BAD_ARGUMENTS = [dict(length=0), dict(hidden_size=2.5), dict(radii=()), dict(radii=(1.0, -1.0)),
                 dict(seeds=())]


@pytest.mark.parametrize("bad", BAD_ARGUMENTS)
def test_gradient_flow_rejects_bad_arguments(bad):
    with pytest.raises(RnncastError):
        gradient_flow(**bad)


def test_gradient_table_has_the_k_columns_up_to_the_length(small):
    table = gradient_table(small)
    assert "k=1" in table and "k=10" in table
    assert "k=50" not in table  # length 30
    assert all(kind in table for kind in KINDS)
    assert "k=100" in gradient_table(gradient_flow(length=100, hidden_size=4, seeds=(0,), batch=2))


def test_gradient_claims_say_confirmed_or_not(small):
    lines = gradient_claims(small)
    assert len(lines) == 3
    assert [line.split(":")[0] for line in lines] == [
        "sigmoid vanishes fastest", "relu can explode", "LSTM keeps gradient longest"]
    assert all("CONFIRMED" in line for line in lines)


def fake_result(rates, radii=(0.5, 1.0, 1.5)):
    """A result whose ratio at distance d is rate**d, rate per (kind, radius)."""
    d = np.arange(61)
    norms = {(kind, r): rates(kind, r) ** d for kind in KINDS for r in radii}
    return {"norms": norms, "kinds": KINDS, "radii": radii, "length": 60, "hidden_size": 4,
            "seeds": (0,), "batch": 1}


def test_gradient_claims_follow_the_numbers():
    lecture = {"rnn-sigmoid": 0.2, "rnn-tanh": 0.8, "rnn-relu": 0.7, "lstm": 0.95, "gru": 0.9,
               "lstm-fb3": 0.97}
    result = fake_result(lambda kind, r: 1.05 if kind == "rnn-relu" and r > 1 else lecture[kind])
    assert [line.split(": ")[1].split(" (")[0] for line in gradient_claims(result)] == ["CONFIRMED"] * 3

    result = fake_result(lambda kind, r: {"rnn-sigmoid": 0.9, "lstm": 0.3}.get(kind, 0.5))
    verdicts = [line.split(": ")[1].split(" (")[0] for line in gradient_claims(result)]
    assert verdicts == ["NOT CONFIRMED"] * 3

    no_high = fake_result(lambda kind, r: 2.0, radii=(0.5, 1.0))
    assert "no radius above 1" in gradient_claims(no_high)[1]


def test_pngs(small):
    assert gradient_png(small).startswith(PNG)
    assert activations_png().startswith(PNG)
    states = np.random.default_rng(0).standard_normal((7, 10))
    assert hidden_heatmap_png(states).startswith(PNG)
    window = np.random.default_rng(1).standard_normal((7, 3))
    assert hidden_heatmap_png(states, ["a", "b", "c"], window=window).startswith(PNG)


def test_describe_rnn_uses_the_real_dimensions():
    lstm = describe_rnn(RecurrentNet(ModelSpec(kind="lstm", hidden_size=10), 5), 5)
    assert "W_hh: 40×10" in lstm and "W_xh: 40×5" in lstm
    assert "10×10" in lstm and "10×5" in lstm and "W_hy: 1×10" in lstm
    assert "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t" in lstm
    assert "parameters: 691" in lstm  # 4·10·(5 + 10 + 2) + 10 + 1

    rnn = describe_rnn(RecurrentNet(ModelSpec(kind="rnn", hidden_size=10, nonlinearity="relu"), 5), 5)
    assert "W_hh: 10×10" in rnn and "W_xh: 10×5" in rnn
    assert "h_t = relu(x_t·W_xhᵀ + b_xh + h_{t-1}·W_hhᵀ + b_hh)" in rnn

    gru = describe_rnn(RecurrentNet(ModelSpec(kind="gru", hidden_size=6, num_layers=2), 3), 3)
    assert "W_xh: 18×3" in gru and "W_xh: 18×6" in gru and "rnn.weight_hh_l1" in gru

    with pytest.raises(RnncastError, match="reads 5 features, got 4"):
        describe_rnn(RecurrentNet(ModelSpec(kind="lstm"), 5), 4)


@pytest.mark.parametrize("kind,layers", [("lstm", 1), ("gru", 2)])
def test_hidden_states_are_the_last_layers_h_per_step(kind, layers):
    torch.manual_seed(0)
    net = RecurrentNet(ModelSpec(kind=kind, hidden_size=6, num_layers=layers, dropout=0.5), 3)
    window = np.random.default_rng(0).standard_normal((9, 3)).astype(np.float32)  # (L, F)
    states = hidden_states(net, window)
    assert states.shape == (9, 6)
    net.eval()
    with torch.no_grad():
        out, _ = net.rnn(torch.from_numpy(window)[None])
    np.testing.assert_allclose(states, out[0].numpy(), atol=1e-6)
    assert net.training is False or net.rnn.training  # the mode is left as it was
