"""RecurrentNet is the lecture's Net: recurrent layer + Linear on the last step, torch's names."""

import pytest
import torch

from rnncast.config import ModelSpec
from rnncast.errors import RnncastError
from rnncast.models import build_net


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_shapes_and_parameter_names(kind):
    net = build_net(ModelSpec(kind=kind, hidden_size=6, num_layers=2), input_size=5)
    out = net(torch.randn(4, 7, 5))
    assert out.shape == (4, 1)
    names = set(net.state_dict())
    assert {"rnn.weight_ih_l0", "rnn.weight_hh_l1", "fc.weight", "fc.bias"} <= names


def test_output_is_linear_of_last_hidden_state():
    net = build_net(ModelSpec(kind="lstm", hidden_size=10), input_size=5)
    x = torch.randn(3, 7, 5)
    out, _ = net.rnn(x)
    torch.testing.assert_close(net(x), net.fc(out[:, -1]))


def test_relu_rnn_and_bad_specs():
    net = build_net(ModelSpec(kind="rnn", nonlinearity="relu"), input_size=2)
    assert net.rnn.nonlinearity == "relu"
    with pytest.raises(RnncastError, match="hidden_size"):
        build_net(ModelSpec(hidden_size=0), input_size=2)
    with pytest.raises(RnncastError, match="unknown model"):
        build_net(ModelSpec(kind="transformer"), input_size=2)


@pytest.mark.parametrize("anchor, output_size", [("target", 3), ("features", 4)])
def test_normalize_last_starts_at_naive_and_ignores_the_level(anchor, output_size):
    spec = ModelSpec(kind="gru", hidden_size=5, normalize="last")
    net = build_net(spec, input_size=4, output_size=output_size, n_past=4, anchor=anchor)
    x = torch.randn(2, 6, 4)
    expected = x[:, -1, 3:4].expand(2, 3) if anchor == "target" else x[:, -1, :]
    torch.testing.assert_close(net(x), expected)  # zero output layer: "no change" = naive
    torch.nn.init.normal_(net.fc.weight)
    shifted = x + 10.0  # the same window at another level: the same forecast, shifted by the level
    torch.testing.assert_close(net(shifted), net(x) + 10.0)
