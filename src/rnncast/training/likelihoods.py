"""Distribution heads for probabilistic forecasts (the DeepAR form): the network's raw outputs at a step
become the parameters of the next value's distribution, training minimises its negative log-likelihood,
and forecasts are values sampled from it.

Every series is scaled by ν, the mean absolute value of its training part, so one network serves series
of any size; the parameters are brought back to the data's units here (``scale`` = ν, broadcast):

    gaussian   μ = ν·o₁,  σ = ν·softplus(o₂)                    y ~ N(μ, σ²)
    studentt   μ = ν·o₁,  σ = ν·softplus(o₂),  df = 2 + softplus(o₃)   (heavy tails; df > 2: finite variance)
    negbin     m = ν·softplus(o₁),  α = softplus(o₂)/√ν       y ~ NB(mean m, variance m + α m²)
    lognormal  z' ~ N(z + o₁, softplus(o₂)²),  z = log y - mean log y   (positive data; see below)
    logstudentt  z' ~ t(df = 4 + softplus(o₃); z + o₁, softplus(o₂))      (the same with heavier tails)

The negative binomial keeps counts as counts (whole numbers ≥ 0): r = 1/α failures, success probability
p = m / (m + r), so its mean r·p/(1 - p) is m. Dividing α by √ν, as GluonTS does, keeps the learned
dispersion comparable between small and large counts. A softplus floor (1e-6) keeps σ and α positive.
The lognormal model works in log space (the forecaster's ``log_unscaled`` scaler: z = log y less the
series' mean log, so ν is 1): its head is a Gaussian of the next z centred on the step's own input z plus
the network's correction (``models.nets``: the untrained network is a random walk in log y with steps of
σ = 0.1, the naive forecast with a 10% spread), and the sampled z are mapped back with exp. Its spread
grows with the level (1,000 ± 10% and 10 ± 10% are the same to it) and it puts no mass at or below zero,
which suits sales, visitors and most business series; a series with a value ≤ 0 is refused. The log
Student-t is the same random walk with a Student-t step: for a given 80% spread, wider 95% intervals (the
ratio of their widths is 1.53 for the Gaussian step, up to 1.81 at df = 4). Its df stays above 4 and starts
at 10 (``models.nets``): exp of a Student-t has no mean, and a step with df near 2, fed back through a
horizon, drew paths at 10⁶ times the level and more. Even from df 4 (and with Gaussian steps) a few paths
could run far over 18 steps, so the sampler holds every log model's draws near its window's range
(``forecaster.sampling.LOG_REACH``).

    nll(raw, y, scale)          mean of -log p(y | θ(raw, scale))
    sample(raw, scale, n, seed) n draws per value, ``(n, *raw.shape[:-1])``; the same seed, the same draws
"""

from __future__ import annotations

from rnncast.specs import LIKELIHOODS

N_PARAMS = {"gaussian": 2, "studentt": 3, "negbin": 2, "lognormal": 2, "logstudentt": 3}
FLOOR = 1e-6
DF_FLOOR = {"studentt": 2.0, "logstudentt": 4.0}  # the least degrees of freedom: finite variance; see above


def distribution(kind: str, raw, scale):
    """The torch distribution of each value: ``raw`` ``(..., N_PARAMS[kind])`` network outputs, ``scale``
    (ν) broadcastable to ``raw.shape[:-1]``. Parameters are not validated: a diverging network's NaN reaches
    the loss (``nll``), where the training loop reports it in one line (not torch's ValueError)."""
    import torch
    from torch.nn.functional import softplus

    if kind in ("gaussian", "lognormal"):  # the lognormal's of z = log y - mean log y, o₁ already on z (nets)
        return torch.distributions.Normal(scale * raw[..., 0], scale * softplus(raw[..., 1]) + FLOOR,
                                          validate_args=False)
    if kind in ("studentt", "logstudentt"):  # the log one's of z, as the lognormal's
        return torch.distributions.StudentT(DF_FLOOR[kind] + softplus(raw[..., 2]), scale * raw[..., 0],
                                            scale * softplus(raw[..., 1]) + FLOOR, validate_args=False)
    if kind == "negbin":
        mean = scale * softplus(raw[..., 0]) + FLOOR
        alpha = softplus(raw[..., 1]) / scale.sqrt() + FLOOR
        r = 1.0 / alpha
        return torch.distributions.NegativeBinomial(total_count=r, probs=mean / (mean + r), validate_args=False)
    raise ValueError(f"unknown likelihood {kind!r}; choose one of {', '.join(LIKELIHOODS)}")


def nll(kind: str, raw, y, scale):
    """Mean negative log-likelihood of the observed ``y`` (data units; the lognormal's: z) under the predicted
    distributions."""
    import torch

    # A diverged network (a non-finite output) gets a NaN loss, which the loop reports in one line; torch's own
    # parameter checks would raise a ValueError instead. Branch-free, so a GPU step does not wait on the check.
    finite = raw.isfinite().all()
    loss = -distribution(kind, torch.where(finite, raw, torch.zeros_like(raw)), scale).log_prob(y).mean()
    return torch.where(finite, loss, torch.full_like(loss, float("nan")))


def sample(kind: str, raw, scale, n: int, seed: int):
    """``n`` draws of each value, ``(n, *raw.shape[:-1])``; torch's global generator is seeded with ``seed``
    inside and left as it was (``torch.random.fork_rng``)."""
    import torch

    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        return distribution(kind, raw, scale).sample((n,))
