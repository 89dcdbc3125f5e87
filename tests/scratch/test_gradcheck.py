"""Hand-written BPTT agrees with centred differences for every layer kind, structure and parameter."""

import numpy as np
import pytest

from rnncast.scratch import STRUCTURES, ScratchNet, gradcheck, mse, numerical_grad, rel_error
from rnncast.scratch import softmax_cross_entropy as cross_entropy

N, L, F, H = 3, 5, 2, 4
KIND_CASES = [("rnn", "tanh"), ("rnn", "sigmoid"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]


@pytest.mark.parametrize("kind,nonlinearity", KIND_CASES)
@pytest.mark.parametrize("structure", STRUCTURES)
def test_backward_matches_centred_differences(kind, nonlinearity, structure):
    out_size = F if structure == "one_to_many" else 3
    net = ScratchNet(kind=kind, input_size=F, hidden_size=H, num_layers=2, output_size=out_size,
                     nonlinearity=nonlinearity, structure=structure, steps=3, seed=1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, F) if structure == "one_to_many" else (N, L, F))
    y = rng.normal(size=net.forward(x).shape)
    _, dout = mse(net.forward(x), y)
    grads = net.backward(dout)
    dx = net.dx.copy()

    def loss():
        return mse(net.forward(x), y)[0]

    errors = gradcheck(loss, net.params, grads)
    assert set(errors) == set(net.params)
    bad = {name: err for name, err in errors.items() if not err <= 1e-6}
    assert not bad, bad
    assert rel_error(dx, numerical_grad(loss, x)) <= 1e-6


def test_cross_entropy_through_the_net():
    """Classification at every step (many-to-many logits) also backpropagates correctly."""
    net = ScratchNet(kind="lstm", input_size=F, hidden_size=H, output_size=3, structure="many_to_many",
                     seed=2)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, L, F))
    target = rng.integers(0, 3, size=(N, L))
    _, dlogits = cross_entropy(net.forward(x), target)
    grads = net.backward(dlogits)
    errors = gradcheck(lambda: cross_entropy(net.forward(x), target)[0], net.params, grads)
    assert max(errors.values()) <= 1e-6, errors


def test_rel_error_is_zero_safe_and_symmetric():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(0.0, 1e-3) == 1.0
    assert rel_error([1.0, 2.0], [1.0, 2.0 + 1e-9]) == pytest.approx(rel_error([1.0, 2.0 + 1e-9], [1.0, 2.0]))
    assert rel_error([1.0, 2.0], [1.0, 2.0 + 1e-9]) < 1e-9


def test_gradcheck_catches_a_wrong_gradient():
    p = np.array([0.5, -1.0, 2.0])
    params = {"p": p}

    def loss():
        return float(np.sum(p**3))

    assert gradcheck(loss, params, {"p": 3 * p**2})["p"] < 1e-8
    assert gradcheck(loss, params, {"p": 2 * p**2})["p"] > 1e-2
    np.testing.assert_array_equal(p, [0.5, -1.0, 2.0])  # restored after perturbation
