"""Distribution heads (rnncast.training.likelihoods): log-likelihoods equal scipy's, sampling is seeded, and
a head trained on the NLL recovers the distribution that generated the data."""

import numpy as np
import pytest
import torch
from scipy import stats

from rnncast.training import likelihoods

SOFTPLUS_INV = lambda v: float(np.log(np.expm1(v)))  # noqa: E731  softplus(SOFTPLUS_INV(v)) = v


def raw_of(kind, scale, **p):
    """Network outputs that give the parameters ``p`` at scale ν."""
    if kind == "gaussian":
        return torch.tensor([p["mu"] / scale, SOFTPLUS_INV(p["sigma"] / scale)])
    if kind == "studentt":
        return torch.tensor([p["mu"] / scale, SOFTPLUS_INV(p["sigma"] / scale), SOFTPLUS_INV(p["df"] - 2.0)])
    return torch.tensor([SOFTPLUS_INV(p["mean"] / scale), SOFTPLUS_INV(p["alpha"] * np.sqrt(scale))])


@pytest.mark.parametrize("scale", [1.0, 40.0])
def test_the_log_likelihoods_equal_scipys(scale):
    y = torch.tensor([3.0, 12.0, 40.0, 0.0], dtype=torch.float64)
    nu = torch.tensor(scale, dtype=torch.float64)
    cases = {
        "gaussian": ({"mu": 10.0, "sigma": 6.0}, stats.norm(10.0, 6.0).logpdf),
        "studentt": ({"mu": 10.0, "sigma": 6.0, "df": 3.5}, stats.t(3.5, 10.0, 6.0).logpdf),
        # NB with mean m and variance m + α m²: scipy's nbinom(n = 1/α, p = 1/(1 + α m))
        "negbin": ({"mean": 10.0, "alpha": 0.4}, stats.nbinom(1 / 0.4, 1 / (1 + 0.4 * 10.0)).logpmf),
    }
    for kind, (params, logpdf) in cases.items():
        raw = raw_of(kind, scale, **params).to(torch.float64).expand(4, -1)
        got = likelihoods.nll(kind, raw, y, nu).item()
        assert got == pytest.approx(-np.mean(logpdf(y.numpy())), rel=1e-6), kind


def test_sampling_is_seeded_keeps_the_global_generator_and_counts_stay_whole():
    raw = torch.tensor([[0.5, -1.0], [1.5, 0.0]])
    nu = torch.tensor([[10.0], [3.0]])[:, 0]
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = likelihoods.sample("negbin", raw, nu, 500, seed=7)
    assert torch.rand(1) == before  # the caller's random stream is untouched
    b = likelihoods.sample("negbin", raw, nu, 500, seed=7)
    assert a.shape == (500, 2) and torch.equal(a, b)
    assert not torch.equal(a, likelihoods.sample("negbin", raw, nu, 500, seed=8))
    assert torch.all(a >= 0) and torch.equal(a, a.round())


@pytest.mark.parametrize("kind, truth", [("gaussian", {"mu": 50.0, "sigma": 8.0}),
                                         ("negbin", {"mean": 6.0, "alpha": 0.5})])
def test_a_head_trained_on_the_nll_recovers_the_generating_distribution(kind, truth):
    rng = np.random.default_rng(0)
    if kind == "gaussian":
        y = rng.normal(truth["mu"], truth["sigma"], 4000)
    else:
        r = 1 / truth["alpha"]
        y = rng.negative_binomial(r, r / (r + truth["mean"]), 4000)
    y = torch.tensor(y, dtype=torch.float32)
    nu = y.abs().mean()  # the series' scale, as the forecaster sets it
    raw = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.Adam([raw], lr=0.05)
    for _ in range(600):
        optimizer.zero_grad()
        likelihoods.nll(kind, raw.expand(len(y), 2), y, nu).backward()
        optimizer.step()
    d = likelihoods.distribution(kind, raw.detach(), nu)
    if kind == "gaussian":
        assert d.mean.item() == pytest.approx(truth["mu"], rel=0.02)
        assert d.stddev.item() == pytest.approx(truth["sigma"], rel=0.05)
    else:  # mean m, variance m + α m²
        assert d.mean.item() == pytest.approx(truth["mean"], rel=0.05)
        assert d.variance.item() == pytest.approx(truth["mean"] + truth["alpha"] * truth["mean"] ** 2, rel=0.1)


@pytest.mark.parametrize("kind", ["gaussian", "studentt", "negbin"])
def test_a_diverged_output_gives_a_nan_loss_for_the_loop_to_report_not_a_torch_error(kind):
    raw = torch.full((2, 3, likelihoods.N_PARAMS[kind]), float("nan"))
    loss = likelihoods.nll(kind, raw, torch.ones(2, 3), torch.ones(2, 1))
    assert torch.isnan(loss)  # training.loop turns a non-finite loss into "training diverged ... lower --lr"
