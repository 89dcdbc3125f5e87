"""The torch networks: a recurrent layer stack and a Linear head on the last step (many-to-one).

This is the lecture's ``Net``::

    h_t = tanh(x_t W_xh + h_{t-1} W_hh + b)       # rnn; lstm and gru add gates
    y   = W_hy h_L + b_y                          # Linear on the last step's hidden state

Shapes: input ``x`` ``(N, L, F)`` (batch first), output ``(N, output_size)``; with ``many_to_many``
(the seq2seq strategy) the Linear runs on every step: ``(N, L, output_size)``.
Parameter names (``rnn.weight_ih_l0``, ``rnn.weight_hh_l0``, ..., ``fc.weight``, ``fc.bias``) are
torch's, and they are the names in ``model.safetensors``.
"""

from __future__ import annotations

import torch
from torch import nn

from rnncast.specs import LOG_LIKELIHOODS, ModelSpec

LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
LOG_STEP_INIT = -2.2522  # softplus⁻¹(0.1): the untrained lognormal net's spread of a step, 10% of the level
LOG_T_DF_INIT = 5.9975  # softplus⁻¹(6): the untrained log Student-t's df, 4 + 6 = 10 (near-Gaussian steps)


class RecurrentNet(nn.Module):
    """Recurrent layers (RNN/LSTM/GRU) + Linear on the last time step."""

    def __init__(self, spec: ModelSpec, input_size: int, output_size: int = 1, many_to_many: bool = False,
                 n_series: int = 0, n_past: int = 0, anchor: str = "target", lags: tuple[int, ...] | None = None,
                 flag_col: int | None = None):
        super().__init__()
        # normalize="last": the first n_past input columns are read relative to the window's last row,
        # and that row is added back to the output (anchor "target": its target value, to each output;
        # "features": all its past features; many_to_many: each step's own row).
        # normalize="season" (direct): output k is added to the target ``lags[k]`` rows back from the
        # window's end instead, its seasonal-naive value (rnncast.specs.anchor_lags).
        # normalize="auto": input column ``flag_col`` holds 1 for a series that passed the seasonality test
        # (that anchor) and 0 for one that did not (the last value's): a = a_last + flag·(a_season - a_last).
        self.flag_col = flag_col
        self.n_past = n_past if spec.relative else 0
        # likelihood="lognormal" or "logstudentt": the location output at every step is added to that step's
        # own input value (column n_past - 1: the target, as log y less its series' mean), so the untrained net
        # is a random walk in log space (training.likelihoods).
        self.step_anchor = n_past - 1 if spec.likelihood in LOG_LIKELIHOODS and n_past else None
        self.anchor = anchor
        self.register_buffer("lags", None if lags is None else torch.tensor(lags, dtype=torch.long),
                             persistent=False)  # not a weight: model.safetensors stays the same
        # Forecasts keep the share α of the learned correction (ModelSpec.shrink); training learns all of
        # it, so α acts in eval mode only, as dropout's scaling does. "auto": 1 until validation chooses.
        self.shrink = 1.0 if spec.shrink == "auto" else float(spec.shrink)
        self.many_to_many = many_to_many  # a Linear output at every step (seq2seq) instead of the last only
        # With a series embedding the input's last column holds the series number: e = E[id] joins every step.
        self.embed = nn.Embedding(n_series, spec.series_embedding) if spec.series_embedding else None
        if self.embed is not None:
            input_size = input_size - 1 + spec.series_embedding
        extra = {"nonlinearity": spec.nonlinearity} if spec.kind == "rnn" else {}
        dropout = spec.dropout if spec.num_layers > 1 else 0.0  # torch applies it between layers only
        self.rnn = LAYERS[spec.kind](
            input_size, spec.hidden_size, num_layers=spec.num_layers, dropout=dropout, batch_first=True, **extra
        )
        # Dropout on the last hidden state too, so --dropout acts on a one-layer net as well.
        self.drop = nn.Dropout(spec.dropout) if spec.dropout > 0 else None
        self.fc = nn.Linear(spec.hidden_size, output_size, bias=True)
        if self.n_past or self.step_anchor is not None:  # zero output layer: the untrained net forecasts
            # "no change", i.e. naive
            nn.init.zeros_(self.fc.weight)
            nn.init.zeros_(self.fc.bias)
        if self.step_anchor is not None:  # ... with steps of σ = softplus(b) = 0.1 in log y (10%), not 0.69
            nn.init.constant_(self.fc.bias[1:2], LOG_STEP_INIT)
            if spec.likelihood == "logstudentt":  # ... and tails the data has to ask for
                nn.init.constant_(self.fc.bias[2:3], LOG_T_DF_INIT)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        P = self.n_past
        own = None if self.step_anchor is None else x[:, :, self.step_anchor]  # (N, L): each step's input
        flag = None if self.flag_col is None else x[:, -1, self.flag_col : self.flag_col + 1]  # (N, 1)
        if P:
            past = x[:, :, :P]  # (N, L, P)
            last = past[:, -1:, :]  # (N, 1, P)
            x = torch.cat([past - last, x[:, :, P:]], dim=-1)
        if self.embed is not None:
            e = self.embed(x[:, :, -1].long())  # (N, L, D)
            x = torch.cat([x[:, :, :-1], e], dim=-1)  # (N, L, F - 1 + D)
        out, _state = self.rnn(x)  # (N, L, H)
        h = out if self.many_to_many else out[:, -1]  # (N, L, H) or (N, H)
        if self.drop is not None:
            h = self.drop(h)
        y = self.fc(h)  # (N, output_size) or (N, L, output_size)
        if own is not None:
            return self._on_own_value(y, own)
        if not P:
            return y
        if not self.training and self.shrink != 1.0:
            y = self.shrink * y  # ŷ = a + α·net(x')
        if self.many_to_many:
            return y + past  # each step forecasts the next row relative to its own
        if self.lags is not None:  # each output on its seasonal-naive value: y_{T+h-m·ceil(h/m)}
            seasonal = past[:, past.shape[1] - self.lags, P - 1]
            if flag is None:
                return y + seasonal
            level = last[:, 0, P - 1 : P]
            return y + level + flag * (seasonal - level)
        return y + (last[:, 0] if self.anchor == "features" else last[:, 0, P - 1 : P])


    def run(self, x: torch.Tensor, state=None):
        """Outputs at every step ``(N, L, output_size)`` and the recurrent state after the last step, from
        ``state`` (None: zeros): a likelihood model's context, then one sampled row at a time
        (``forecaster.sampling``). Absolute windows only (no ``normalize``)."""
        if self.n_past:
            raise ValueError("run() steps absolute windows only; a relative net has no state to carry")
        own = None if self.step_anchor is None else x[:, :, self.step_anchor]
        if self.embed is not None:
            x = torch.cat([x[:, :, :-1], self.embed(x[:, :, -1].long())], dim=-1)
        out, state = self.rnn(x, state)
        if self.drop is not None:
            out = self.drop(out)
        y = self.fc(out)
        return (y if own is None else self._on_own_value(y, own)), state

    @staticmethod
    def _on_own_value(y: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
        """Location output o₁ + z_t at every step t (``y`` ``(N, L, P)``, ``own`` ``(N, L)``)."""
        return torch.cat([y[..., :1] + own.unsqueeze(-1), y[..., 1:]], dim=-1)


def build_net(spec: ModelSpec, input_size: int, output_size: int = 1, many_to_many: bool = False,
              n_series: int = 0, n_past: int = 0, anchor: str = "target",
              lags: tuple[int, ...] | None = None, flag_col: int | None = None) -> RecurrentNet:
    spec.check()
    return RecurrentNet(spec, input_size, output_size, many_to_many, n_series, n_past, anchor, lags, flag_col)
