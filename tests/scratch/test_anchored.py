"""normalize="last" on the NumPy engine equals the torch net's (outputs and gradients, same weights)."""

import numpy as np
import pytest
import torch

from rnncast.specs import ModelSpec
from rnncast.training import engines


@pytest.mark.parametrize("kind, anchor, many", [("lstm", "target", False), ("gru", "features", False),
                                                ("rnn", "features", True)])
def test_numpy_last_anchored_matches_torch(kind, anchor, many):
    spec = ModelSpec(kind, hidden_size=5, normalize="last")
    n_past, n_in = 3, 4  # three past features and one covariate column
    out_size = 3 if anchor == "features" else 2
    t_net = engines.build("torch", spec, n_in, out_size, seed=0, many_to_many=many, n_past=n_past, anchor=anchor)
    n_net = engines.build("numpy", spec, n_in, out_size, seed=1, many_to_many=many, n_past=n_past, anchor=anchor)
    x = np.random.default_rng(0).standard_normal((6, 7, n_in)).astype(np.float32)
    # untrained: both are the naive forecast (the anchor), whatever their recurrent weights
    np.testing.assert_allclose(engines.predict("numpy", n_net, x), engines.predict("torch", t_net, x), atol=1e-6)
    with torch.no_grad():
        for p in t_net.parameters():
            p.normal_(0, 0.5, generator=torch.Generator().manual_seed(3))
    n_net.load_state_dict({k: v.numpy() for k, v in t_net.state_dict().items()})
    xt = torch.from_numpy(x)
    out = t_net(xt)
    g = torch.linspace(-1, 1, out.numel()).reshape(out.shape)
    (out * g).sum().backward()
    n_out = n_net.forward(x)
    np.testing.assert_allclose(n_out, out.detach().numpy(), atol=1e-5)
    n_net.backward(g.numpy())
    grads = dict(zip(t_net.state_dict(), (p.grad for p in t_net.parameters()), strict=True))
    for name, grad in n_net.grads.items():
        np.testing.assert_allclose(grad, grads[name].numpy(), atol=1e-5, err_msg=name)


def test_numpy_season_anchored_matches_torch():
    spec = ModelSpec("gru", hidden_size=4, normalize="season", season=3)
    lags = (3, 2, 1, 3)  # a horizon of 4 on period 3
    t_net = engines.build("torch", spec, 2, 4, seed=0, n_past=2, lags=lags)
    n_net = engines.build("numpy", spec, 2, 4, seed=0, n_past=2, lags=lags)
    x = np.random.default_rng(1).standard_normal((5, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(engines.predict("numpy", n_net, x), x[:, [3, 4, 5, 3], 1], atol=1e-6)
    with torch.no_grad():
        for p in t_net.parameters():
            p.normal_(0, 0.5, generator=torch.Generator().manual_seed(2))
    n_net.load_state_dict({k: v.numpy() for k, v in t_net.state_dict().items()})
    np.testing.assert_allclose(engines.predict("numpy", n_net, x), engines.predict("torch", t_net, x), atol=1e-5)


def test_numpy_auto_anchored_matches_torch():
    spec = ModelSpec("lstm", hidden_size=4, normalize="auto", season=3)
    lags = (3, 2, 1, 3)
    t_net = engines.build("torch", spec, 3, 4, seed=0, n_past=1, lags=lags, flag_col=2)
    n_net = engines.build("numpy", spec, 3, 4, seed=0, n_past=1, lags=lags, flag_col=2)
    x = np.random.default_rng(3).standard_normal((4, 6, 3)).astype(np.float32)
    x[:, :, 2] = np.array([1, 0, 0, 1], dtype=np.float32)[:, None]  # the seasonality flag
    expected = np.where(x[:, -1:, 2] == 1, x[:, [3, 4, 5, 3], 0], x[:, -1:, 0])
    np.testing.assert_allclose(engines.predict("numpy", n_net, x), expected, atol=1e-6)
    with torch.no_grad():
        for p in t_net.parameters():
            p.normal_(0, 0.5, generator=torch.Generator().manual_seed(5))
    n_net.load_state_dict({k: v.numpy() for k, v in t_net.state_dict().items()})
    np.testing.assert_allclose(engines.predict("numpy", n_net, x), engines.predict("torch", t_net, x), atol=1e-5)


def test_numpy_shrunk_forecasts_match_torch_and_training_keeps_the_whole_correction():
    spec = ModelSpec("lstm", hidden_size=4, normalize="season", season=2, shrink=0.25)
    lags = (2, 1, 2)
    t_net = engines.build("torch", spec, 2, 3, seed=0, n_past=2, lags=lags)
    n_net = engines.build("numpy", spec, 2, 3, seed=0, n_past=2, lags=lags)
    with torch.no_grad():
        for p in t_net.parameters():
            p.normal_(0, 0.5, generator=torch.Generator().manual_seed(4))
    n_net.load_state_dict({k: v.numpy() for k, v in t_net.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((4, 5, 2)).astype(np.float32)
    anchor, whole = x[:, [3, 4, 3], 1], n_net.forward(x)  # forward: what training fits
    np.testing.assert_allclose(engines.predict("numpy", n_net, x), anchor + 0.25 * (whole - anchor), atol=1e-6)
    np.testing.assert_allclose(engines.predict("numpy", n_net, x), engines.predict("torch", t_net, x), atol=1e-5)
