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
