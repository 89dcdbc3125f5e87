"""MSE and softmax cross-entropy: same values and gradients as torch's."""

import numpy as np
import pytest
import torch

from rnncast.errors import RnncastError
from rnncast.scratch import mse, softmax_cross_entropy


def test_mse_matches_torch():
    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 5, 2))
    pt = torch.tensor(pred, requires_grad=True)
    expected = torch.nn.MSELoss()(pt, torch.tensor(target))
    expected.backward()
    loss, dpred = mse(pred, target)
    assert loss == pytest.approx(expected.item(), abs=1e-12)
    np.testing.assert_allclose(dpred, pt.grad.numpy(), rtol=0, atol=1e-12)


def test_mse_rejects_mismatched_shapes():
    with pytest.raises(RnncastError, match=r"expected target shape \(3, 1\) .*, got \(3,\)"):
        mse(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 4)], ids=["rows", "per_step"])
@pytest.mark.parametrize("scale", [1.0, 1000.0], ids=["plain", "huge_logits"])
def test_cross_entropy_matches_torch(shape, scale):
    rng = np.random.default_rng(0)
    logits = scale * rng.normal(size=shape)
    target = rng.integers(0, shape[-1], size=shape[:-1])
    lt = torch.tensor(logits, requires_grad=True)
    # torch wants the classes on axis 1: (N, C, L)
    lt_torch_layout = lt if lt.ndim == 2 else lt.permute(0, 2, 1)
    expected = torch.nn.functional.cross_entropy(lt_torch_layout, torch.tensor(target))
    expected.backward()
    loss, dlogits = softmax_cross_entropy(logits, target)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert loss == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(dlogits, lt.grad.numpy(), rtol=0, atol=1e-12)


def test_cross_entropy_rejects_wrong_target_shape():
    with pytest.raises(RnncastError, match="expected"):
        softmax_cross_entropy(np.zeros((3, 4)), np.zeros((3, 4), dtype=int))


def test_gaussian_nll_matches_the_torch_head_and_passes_a_gradient_check():
    from rnncast.scratch.gradcheck import numerical_grad, rel_error
    from rnncast.scratch.losses import gaussian_nll
    from rnncast.training.likelihoods import nll

    rng = np.random.default_rng(0)
    out = rng.normal(0, 1, (6, 2))
    y = rng.normal(20, 5, 6)
    nu = np.abs(y).mean()
    loss, dout = gaussian_nll(out, y, nu)
    t_out = torch.tensor(out, requires_grad=True)
    t_loss = nll("gaussian", t_out, torch.tensor(y), torch.tensor(nu))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-10)
    np.testing.assert_allclose(dout, t_out.grad.numpy(), rtol=1e-8)
    numeric = numerical_grad(lambda: gaussian_nll(out, y, nu)[0], out)
    assert rel_error(dout, numeric) < 1e-7
    with pytest.raises(RnncastError, match="gaussian_nll"):
        gaussian_nll(out[:, :1], y, nu)


def test_a_numpy_net_with_the_gaussian_head_passes_a_gradient_check():
    from rnncast.scratch import ScratchNet
    from rnncast.scratch.gradcheck import gradcheck
    from rnncast.scratch.losses import gaussian_nll

    rng = np.random.default_rng(1)
    net = ScratchNet(kind="gru", input_size=2, hidden_size=3, output_size=2, seed=0)  # outputs: μ/ν, σ's o₂
    x = rng.normal(size=(4, 5, 2))
    y = rng.normal(10, 3, 4)

    def loss():
        return gaussian_nll(net.forward(x), y, 8.0)[0]

    _, dout = gaussian_nll(net.forward(x), y, 8.0)
    grads = {k: v.copy() for k, v in net.backward(dout).items()}  # backward resets and fills them
    errors = gradcheck(loss, net.params, grads)
    assert max(errors.values()) < 1e-6, errors
