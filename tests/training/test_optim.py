"""FlatAdam reproduces torch.optim.Adam exactly and its clipping follows clip_grad_norm_."""

import copy

import pytest
import torch

from rnncast.training.optim import FlatAdam


def _pair():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    return net, copy.deepcopy(net)


def test_same_weights_as_torch_adam_after_many_steps():
    a, b = _pair()
    X, y = torch.randn(40, 5), torch.randn(40, 1)
    ref, flat = torch.optim.Adam(a.parameters(), lr=0.01), FlatAdam(b.parameters(), lr=0.01)
    for _ in range(100):
        for net, opt in ((a, ref), (b, flat)):
            opt.zero_grad()
            torch.nn.functional.mse_loss(net(X), y).backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_gradients_stay_views_of_the_flat_buffer():
    _, net = _pair()
    opt = FlatAdam(net.parameters(), lr=0.01)
    net(torch.randn(3, 5)).sum().backward()
    assert opt.grad.abs().sum() > 0
    assert sum(p.grad.abs().sum() for p in net.parameters()) == pytest.approx(opt.grad.abs().sum().item())


def test_clip_matches_clip_grad_norm():
    a, b = _pair()
    X = torch.randn(10, 5)
    a(X).pow(2).sum().backward()
    flat = FlatAdam(b.parameters(), lr=0.01)
    b(X).pow(2).sum().backward()
    torch.nn.utils.clip_grad_norm_(a.parameters(), 0.1)
    flat.clip_grad_norm(0.1)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-6, atol=1e-8)
