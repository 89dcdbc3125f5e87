"""SGD, Adam and global-norm clipping make the same updates as torch.optim / clip_grad_norm_."""

import numpy as np
import pytest
import torch

from rnncast.scratch import SGD, Adam, clip_grad_norm_

SHAPES = {"w": (4, 3), "b": (4,)}


def run_both(make_ours, make_torch, n_steps=5):
    rng = np.random.default_rng(0)
    params = {name: rng.normal(size=shape) for name, shape in SHAPES.items()}
    tparams = {name: torch.tensor(p.copy(), requires_grad=True) for name, p in params.items()}
    ours, theirs = make_ours(), make_torch(list(tparams.values()))
    for _ in range(n_steps):
        grads = {name: rng.normal(size=shape) for name, shape in SHAPES.items()}
        ours.step(params, grads)
        for name, tp in tparams.items():
            tp.grad = torch.from_numpy(grads[name].copy())
        theirs.step()
        for name, tp in tparams.items():
            np.testing.assert_allclose(params[name], tp.detach().numpy(), rtol=0, atol=1e-10)


def test_adam_matches_torch():
    run_both(lambda: Adam(lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01))


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_torch(momentum):
    run_both(lambda: SGD(lr=0.1, momentum=momentum),
             lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=momentum))


def test_step_updates_in_place():
    p = np.ones(3)
    params = {"p": p}
    Adam(lr=0.1).step(params, {"p": np.ones(3)})
    assert params["p"] is p and np.all(p < 1)


@pytest.mark.parametrize("max_norm", [0.5, 100.0], ids=["clips", "leaves"])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(0)
    grads = {name: rng.normal(size=shape) for name, shape in SHAPES.items()}
    tparams = [torch.zeros(shape, dtype=torch.float64) for shape in SHAPES.values()]
    for tp, g in zip(tparams, grads.values(), strict=True):
        tp.grad = torch.from_numpy(g.copy())
    expected_norm = torch.nn.utils.clip_grad_norm_(tparams, max_norm).item()
    norm = clip_grad_norm_(grads, max_norm)
    assert norm == pytest.approx(expected_norm, abs=1e-12)
    for tp, g in zip(tparams, grads.values(), strict=True):
        np.testing.assert_allclose(g, tp.grad.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("make", [lambda: Adam(lr=0.01), lambda: SGD(lr=0.1, momentum=0.9)], ids=["adam", "sgd"])
def test_one_flat_array_updates_as_the_dict_of_its_views(make):
    """ScratchNet's fast path: params / grads as views of one buffer, stepped as two arrays."""
    rng = np.random.default_rng(0)
    flat, flat_grad = rng.normal(size=16), np.empty(16)
    params = {"w": flat[:12].reshape(4, 3).copy(), "b": flat[12:].copy()}
    grad_views = {"w": flat_grad[:12].reshape(4, 3), "b": flat_grad[12:]}
    by_name, at_once = make(), make()
    for _ in range(4):
        flat_grad[:] = rng.normal(size=16)
        by_name.step(params, grad_views)
        at_once.step(flat, flat_grad)
    np.testing.assert_allclose(flat[:12].reshape(4, 3), params["w"], rtol=0, atol=1e-14)
    np.testing.assert_allclose(flat[12:], params["b"], rtol=0, atol=1e-14)


def test_updates_stay_in_float32():
    p, g = np.ones(5, dtype=np.float32), np.full(5, 0.5, dtype=np.float32)
    opt = Adam(lr=0.01)
    opt.step(p, g)
    assert p.dtype == np.float32 and opt.m[""].dtype == np.float32 and opt.v[""].dtype == np.float32
    assert clip_grad_norm_(g, 0.1) == pytest.approx(np.sqrt(5 * 0.25)) and g.dtype == np.float32
