"""The forecasting losses torch's ``nn`` lacks: pinball (quantiles), MAPE/sMAPE from log ratios, and the
negative log-likelihood of a distribution head (``LikelihoodLoss``).

MSE and MAE are torch's own (``nn.MSELoss``, ``nn.L1Loss``); ``loop.TorchSteps`` picks one by the loss setting.
"""

from __future__ import annotations


class PinballLoss:
    """Mean pinball (quantile) loss: for each quantile q and error e = y - ŷ_q, max(q·e, (q - 1)·e).

    The network outputs H·Q values per sample, read as (H, Q); y is (N, H).
    """

    def __init__(self, quantiles):
        import torch

        self.q = torch.tensor(list(quantiles), dtype=torch.float32)  # (Q,)

    def __call__(self, out, y):
        q = self.q.to(out.device)
        error = y.unsqueeze(-1) - out.reshape(*y.shape, len(q))  # (N, H, Q)
        return (error * q).maximum(error * (q - 1)).mean()


class RatioLoss:
    """MAPE or sMAPE of the forecasts, from log-scaled outputs: the percentage errors the user reads.

    With the log scaler an output ẑ and its target z of series i differ by d = σ_i (ẑ - z) = log(ŷ / y)
    (the series' shift μ_i, and a seasonal index, cancel), so

        MAPE term  |ŷ - y| / y          = |e^d - 1|
        sMAPE term 2 |ŷ - y| / (ŷ + y)  = 2 |tanh(d / 2)|

    exactly, in the data's units. MAPE punishes over-forecasts more than under-forecasts (e^d - 1 grows
    faster than 1 - e^-d): a model trained on it leans low, as the metric rewards. ``y`` carries σ_i as
    its last column (``training_sets.ScaledTargets``); d is clipped at ±20 so that an untrained net's wild
    outputs cannot overflow e^d. A series with a value <= 0 has no log space (the log scaler
    standardises it, σ_i given as 0): its terms are the absolute errors |ẑ - z| of the scaled values.
    """

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, out, y):
        z, scale = y[:, :-1], y[:, -1:]
        d = ((out - z) * scale).clamp(-20.0, 20.0)  # log(ŷ / y), (N, H)
        ratio = (d.exp() - 1.0).abs() if self.kind == "mape" else 2.0 * (d / 2.0).tanh().abs()
        return ratio.where(scale > 0, (out - z).abs()).mean()


class LikelihoodLoss:
    """Mean negative log-likelihood of each step's next value under the distribution the network outputs
    there (``training.likelihoods``): ``out`` ``(N, L, P)`` raw parameters; ``y`` ``(N, L + 1)``: the
    targets scaled by their series' ν (mean absolute value), then ν (``training_sets.ScaledTargets``).
    The NLL is taken in the data's units, y = z·ν (rounded for negbin: counts are whole numbers)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, out, y):
        from rnncast.training.likelihoods import nll

        z, scale = y[:, :-1], y[:, -1:]
        value = z * scale
        if self.kind == "negbin":
            value = value.round().clamp(min=0.0)
        return nll(self.kind, out, value, scale)
