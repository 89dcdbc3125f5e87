"""ScratchNet as a user meets it: shapes, dtypes, state dicts, errors, a training loop, NumPy only."""

import ast
import pathlib

import numpy as np
import pytest

import rnncast.scratch
from rnncast.errors import RnncastError
from rnncast.scratch import Adam, ScratchNet, clip_grad_norm_, mse

N, L, F, H = 3, 5, 2, 4


def test_scratch_never_imports_torch():
    folder = pathlib.Path(rnncast.scratch.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "torch" for n in names), f"{path.name} imports torch"


@pytest.mark.parametrize(
    "structure,x_shape,out_shape",
    [("many_to_one", (N, L, F), (N, 1)), ("many_to_many", (N, L, F), (N, L, 1)),
     ("one_to_many", (N, F), (N, 4, F)), ("one_to_many", (N, L, F), (N, 4, F))],
)
def test_output_shapes(structure, x_shape, out_shape):
    out_size = F if structure == "one_to_many" else 1
    net = ScratchNet(kind="gru", input_size=F, hidden_size=H, output_size=out_size, structure=structure,
                     steps=4)
    x = np.random.default_rng(0).normal(size=x_shape)
    out = net.forward(x)
    assert out.shape == out_shape
    net.backward(np.ones_like(out))
    assert net.dx.shape == x_shape


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_runs_and_agrees_with_float64(kind):
    x = np.random.default_rng(0).normal(size=(N, L, F))
    net64 = ScratchNet(kind=kind, input_size=F, hidden_size=H, num_layers=2, structure="many_to_many", seed=0)
    net32 = ScratchNet(kind=kind, input_size=F, hidden_size=H, num_layers=2, structure="many_to_many", seed=0,
                       dtype=np.float32)
    assert all(p.dtype == np.float32 for p in net32.params.values())
    out32, out64 = net32.forward(x), net64.forward(x)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, out64, rtol=0, atol=1e-5)
    grads32 = net32.backward(mse(out32, np.zeros_like(out32))[1])
    grads64 = net64.backward(mse(out64, np.zeros_like(out64))[1])
    for name, g in grads32.items():
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, grads64[name], rtol=0, atol=1e-5, err_msg=name)


def test_state_dict_round_trip_and_names():
    net = ScratchNet(kind="lstm", input_size=F, hidden_size=H, num_layers=2, seed=0)
    assert list(net.state_dict()) == [
        "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
        "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
        "fc.weight", "fc.bias",
    ]
    assert net.params["rnn.weight_ih_l0"].shape == (4 * H, F)
    assert net.params["rnn.weight_ih_l1"].shape == (4 * H, H)
    other = ScratchNet(kind="lstm", input_size=F, hidden_size=H, num_layers=2, seed=1)
    x = np.random.default_rng(0).normal(size=(N, L, F))
    assert not np.allclose(other.forward(x), net.forward(x))
    other.load_state_dict(net.state_dict())
    np.testing.assert_array_equal(other.forward(x), net.forward(x))


def test_load_state_dict_errors_say_what_is_wrong():
    net = ScratchNet(kind="gru", input_size=F, hidden_size=H)
    state = net.state_dict()
    del state["fc.bias"]
    with pytest.raises(RnncastError, match="missing keys \\['fc.bias'\\]"):
        net.load_state_dict(state)
    state = net.state_dict()
    state["rnn.weight_hh_l0"] = np.zeros((H, H))
    with pytest.raises(RnncastError, match=r"expected shape \(12, 4\), got \(4, 4\)"):
        net.load_state_dict(state)


def test_init_is_torch_like():
    net = ScratchNet(kind="rnn", input_size=F, hidden_size=16, num_layers=2, seed=0)
    bound = 1 / np.sqrt(16)
    for p in net.params.values():
        assert np.all(np.abs(p) <= bound)
    assert np.abs(net.params["rnn.weight_hh_l0"]).max() > 0.8 * bound  # spread over the range, not tiny


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"kind": "transformer"}, "kind: expected one of rnn, lstm, gru, got 'transformer'"),
        ({"structure": "many"}, "structure: expected one of"),
        ({"kind": "rnn", "nonlinearity": "gelu"}, "nonlinearity: expected one of tanh, sigmoid, relu"),
        ({"kind": "lstm", "nonlinearity": "relu"}, "only for kind 'rnn'"),
        ({"hidden_size": 0}, "hidden_size: expected a positive integer, got 0"),
        ({"structure": "one_to_many", "input_size": 3, "output_size": 1}, "output_size == input_size"),
    ],
)
def test_bad_arguments_raise_one_line_errors(kwargs, message):
    with pytest.raises(RnncastError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ScratchNet(**kwargs)


def test_wrong_input_shape():
    net = ScratchNet(kind="lstm", input_size=F, hidden_size=H)
    with pytest.raises(RnncastError, match=r"expected shape \(N, L, 2\), got \(3, 5, 7\)"):
        net.forward(np.zeros((3, 5, 7)))


def test_training_loop_learns_the_lectures_task():
    """Predict the next value of a noisy sine from 7 past steps: Adam + clipping cuts the loss well down."""
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(80) * 0.3) + 0.05 * rng.normal(size=80)
    x = np.stack([series[i:i + 7] for i in range(70)])[:, :, None]  # (70, 7, 1)
    y = series[7:77, None]  # (70, 1)
    net = ScratchNet(kind="lstm", input_size=1, hidden_size=8, output_size=1, seed=0)
    opt = Adam(lr=0.02)
    first = None
    for _ in range(150):
        loss, dpred = mse(net.forward(x), y)
        first = loss if first is None else first
        grads = net.backward(dpred)
        clip_grad_norm_(grads, 1.0)
        opt.step(net.params, grads)
    assert loss < 0.1 * first


def test_params_and_grads_are_views_of_one_flat_buffer_each():
    net = ScratchNet(kind="lstm", input_size=F, hidden_size=H, num_layers=2, seed=0)
    assert net.flat_params.size == sum(p.size for p in net.params.values())
    expected = np.concatenate([p.ravel() for p in net.params.values()])  # in state-dict order
    np.testing.assert_array_equal(net.flat_params, expected)
    net.flat_params[:] = 0.25  # writing the buffer writes every parameter the layers use
    assert all(np.all(p == 0.25) for p in net.params.values())
    assert all(np.all(p == 0.25) for p in net.layers[1].params.values())
    x = np.random.default_rng(0).normal(size=(N, L, F))
    grads = net.backward(mse(net.forward(x), np.zeros((N, 1)))[1])
    np.testing.assert_array_equal(net.flat_grads, np.concatenate([g.ravel() for g in grads.values()]))
    assert list(grads) == list(net.params)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_stays_float32_inside(kind):
    net = ScratchNet(kind=kind, input_size=F, hidden_size=H, dtype=np.float32)
    x = np.random.default_rng(0).normal(size=(N, L, F)).astype(np.float32)
    net.backward(mse(net.forward(x), np.zeros((N, 1), dtype=np.float32))[1])
    layer = net.layers[0]
    buffers = [layer.x, layer.ax, layer.h, layer.da_x, layer.da_h, layer.dx, layer.dh_next, layer.bias]
    assert all(b.dtype == np.float32 for b in buffers)
    assert net.flat_grads.dtype == np.float32 and net.dx.dtype == np.float32


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("room", [None, 2], ids=["grows_from_default", "grows_from_2"])
def test_layer_step_by_step_equals_whole_sequence(kind, room):
    """The two drivers of a layer agree exactly: step by step (batch-first, the history growing as
    needed: explain and one_to_many use it) and the whole sequence at once (column layout)."""
    T, Nb = 20, 3
    rng = np.random.default_rng(0)
    seq, steps = (ScratchNet(kind=kind, input_size=F, hidden_size=H, seed=0).layers[0] for _ in range(2))
    x, dh = rng.normal(size=(T, F, Nb)), rng.normal(size=(T, H, Nb))  # the column layout
    h_seq = seq.forward(x).copy()
    dx_seq = seq.backward(dh).copy()
    steps.reset(Nb, room)
    h_steps = np.stack([steps.step(x[t].T).T.copy() for t in range(T)])  # (N, F) in, (N, H) out
    steps.reset_grads()
    dx_steps, dh_next = [], []
    for t in reversed(range(T)):
        dx_steps.append(steps.step_backward(dh[t].T).T.copy())
        dh_next.append(steps.dh_next.T.copy())  # (N, H): gradient reaching h[t-1]
    np.testing.assert_allclose(h_steps, h_seq, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.stack(dx_steps[::-1]), dx_seq, rtol=0, atol=1e-14)
    np.testing.assert_allclose(dh_next[-1], seq._dh_next, rtol=0, atol=1e-14)
    for name, g in seq.grads.items():
        np.testing.assert_allclose(steps.grads[name], g, rtol=0, atol=1e-14, err_msg=name)


def test_repeated_calls_reuse_buffers_and_give_the_same_answer():
    net = ScratchNet(kind="gru", input_size=F, hidden_size=H, num_layers=2, seed=0)
    x = np.random.default_rng(0).normal(size=(N, L, F))
    first = net.forward(x).copy()
    grads = {k: g.copy() for k, g in net.backward(np.ones_like(first)).items()}
    h_buffer = net.layers[0].h
    net.forward(x)
    assert net.layers[0].h is h_buffer  # same (N, L): kept
    net.forward(np.zeros((N + 1, L + 1, F)))  # another shape in between: new buffers
    assert net.layers[0].h.shape == (L + 2, H, N + 1)
    np.testing.assert_array_equal(net.forward(x), first)
    for name, g in net.backward(np.ones_like(first)).items():
        np.testing.assert_array_equal(g, grads[name], err_msg=name)


@pytest.mark.parametrize("structure", ["many_to_one", "many_to_many", "one_to_many"])
def test_backward_twice_gives_the_same_gradients(structure):
    out_size = F if structure == "one_to_many" else 1
    net = ScratchNet(kind="lstm", input_size=F, hidden_size=H, num_layers=2, output_size=out_size,
                     structure=structure, steps=3, seed=0)
    out = net.forward(np.random.default_rng(0).normal(size=(N, L, F)))
    first = {k: g.copy() for k, g in net.backward(np.ones_like(out)).items()}
    dx = net.dx.copy()
    for name, g in net.backward(np.ones_like(out)).items():
        np.testing.assert_array_equal(g, first[name], err_msg=name)
    np.testing.assert_array_equal(net.dx, dx)
