"""The scratch engine computes what torch.nn.RNN / LSTM / GRU + nn.Linear compute, given the same weights.

Forward outputs agree within 1e-10 and every parameter gradient (and the input gradient) within
1e-8, in float64, for 1 and 2 layers and every structure. The torch net is the lead's model:
``self.rnn = nn.<KIND>(..., batch_first=True)``, ``self.fc = nn.Linear(hidden, out)``, so loading
the scratch state dict with strict=True also checks the parameter names.
"""

import numpy as np
import pytest
import torch
from torch import nn

from rnncast.scratch import ScratchNet, mse

N, L, F, H = 3, 5, 2, 4

KIND_CASES = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]


class TorchNet(nn.Module):
    def __init__(self, kind, input_size, hidden_size, num_layers, output_size, nonlinearity="tanh"):
        super().__init__()
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.rnn = cls(input_size, hidden_size, num_layers=num_layers, batch_first=True, **extra)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x, structure, steps=1):
        if structure == "one_to_many":
            if x.ndim == 2:
                x = x[:, None, :]
            out, state = self.rnn(x)  # read the input, then feed each output back in
            ys = [self.fc(out[:, -1])]
            for _ in range(steps - 1):
                out, state = self.rnn(ys[-1][:, None, :], state)
                ys.append(self.fc(out[:, -1]))
            return torch.stack(ys, dim=1)
        out, _ = self.rnn(x)
        return self.fc(out[:, -1]) if structure == "many_to_one" else self.fc(out)


def make_pair(kind, nonlinearity, num_layers, structure, output_size=1, steps=1, seed=0):
    net = ScratchNet(kind=kind, input_size=F, hidden_size=H, num_layers=num_layers, output_size=output_size,
                     nonlinearity=nonlinearity, structure=structure, steps=steps, seed=seed)
    tnet = TorchNet(kind, F, H, num_layers, output_size, nonlinearity).double()
    tnet.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()}, strict=True)
    return net, tnet


def compare(net, tnet, x, structure, steps=1):
    """Run both engines on x with an MSE loss; check output, loss, parameter and input gradients."""
    xt = torch.from_numpy(x).requires_grad_(True)
    out_t = tnet(xt, structure, steps)
    y = np.random.default_rng(1).normal(size=tuple(out_t.shape))
    loss_t = nn.functional.mse_loss(out_t, torch.from_numpy(y))
    loss_t.backward()

    out = net.forward(x)
    loss, dout = mse(out, y)
    grads = net.backward(dout)

    assert out.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=0, atol=1e-10)
    assert abs(loss - loss_t.item()) < 1e-10
    torch_grads = {name: p.grad.numpy() for name, p in tnet.named_parameters()}
    assert list(grads) == list(torch_grads)  # same names, same order as torch's state dict
    for name, g in grads.items():
        np.testing.assert_allclose(g, torch_grads[name], rtol=0, atol=1e-8, err_msg=name)
    np.testing.assert_allclose(net.dx, xt.grad.numpy(), rtol=0, atol=1e-8, err_msg="dx")


@pytest.mark.parametrize("kind,nonlinearity", KIND_CASES)
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("structure", ["many_to_one", "many_to_many"])
def test_matches_torch(kind, nonlinearity, num_layers, structure):
    net, tnet = make_pair(kind, nonlinearity, num_layers, structure, output_size=2)
    x = np.random.default_rng(0).normal(size=(N, L, F))
    compare(net, tnet, x, structure)


@pytest.mark.parametrize("kind,nonlinearity", KIND_CASES)
@pytest.mark.parametrize("x_shape", [(N, F), (N, L, F)], ids=["one_vector", "warm_up_window"])
def test_one_to_many_matches_torch_feedback_loop(kind, nonlinearity, x_shape):
    net, tnet = make_pair(kind, nonlinearity, 2, "one_to_many", output_size=F, steps=4)
    x = np.random.default_rng(0).normal(size=x_shape)
    compare(net, tnet, x, "one_to_many", steps=4)


def test_torch_weights_load_into_scratch():
    """The other direction: a torch model's state dict (as a safetensors file would hold it) loads as is."""
    torch.manual_seed(0)
    tnet = TorchNet("lstm", F, H, 2, 1).double()
    net = ScratchNet(kind="lstm", input_size=F, hidden_size=H, num_layers=2, output_size=1, seed=5)
    net.load_state_dict({k: v.numpy() for k, v in tnet.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(N, L, F))
    expected = tnet(torch.from_numpy(x), "many_to_one").detach().numpy()
    np.testing.assert_allclose(net.forward(x), expected, rtol=0, atol=1e-10)


def test_safetensors_file_is_shared_between_engines(tmp_path):
    from safetensors.numpy import save_file
    from safetensors.torch import load_file

    net = ScratchNet(kind="gru", input_size=F, hidden_size=H, num_layers=2, output_size=1, seed=3)
    save_file(net.state_dict(), tmp_path / "model.safetensors")
    tnet = TorchNet("gru", F, H, 2, 1).double()
    tnet.load_state_dict(load_file(tmp_path / "model.safetensors"), strict=True)
    x = np.random.default_rng(0).normal(size=(N, L, F))
    expected = tnet(torch.from_numpy(x), "many_to_one").detach().numpy()
    np.testing.assert_allclose(net.forward(x), expected, rtol=0, atol=1e-10)
