"""RecurrentNet is the lecture's Net: recurrent layer + Linear on the last step, torch's names."""

import pytest
import torch

from rnncast.errors import RnncastError
from rnncast.models import build_net
from rnncast.specs import ModelSpec, WindowSpec, anchor_lags


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


@pytest.mark.parametrize("anchor, output_size", [("target", 3), ("features", 4)])
def test_normalize_last_starts_at_naive_and_ignores_the_level(anchor, output_size):
    spec = ModelSpec(kind="gru", hidden_size=5, normalize="last")
    net = build_net(spec, input_size=4, output_size=output_size, n_past=4, anchor=anchor)
    x = torch.randn(2, 6, 4)
    expected = x[:, -1, 3:4].expand(2, 3) if anchor == "target" else x[:, -1, :]
    torch.testing.assert_close(net(x), expected)  # zero output layer: "no change" = naive
    torch.nn.init.normal_(net.fc.weight)
    shifted = x + 10.0  # the same window at another level: the same forecast, shifted by the level
    torch.testing.assert_close(net(shifted), net(x) + 10.0)


def test_normalize_season_starts_at_seasonal_naive_with_quantile_outputs():
    # H = 5 steps, 2 quantiles each, period 4: output k (step k // 2 + 1) sits on the value one period
    # before its step, y_{T+h-4·ceil(h/4)}: steps 1..4 on the last four rows, step 5 on the first of them
    spec = ModelSpec(kind="rnn", hidden_size=3, normalize="season", season=4)
    window = WindowSpec(seq_length=6, horizon=5, quantiles=(0.1, 0.9))
    lags = anchor_lags(spec, window)
    assert lags == (4, 4, 3, 3, 2, 2, 1, 1, 4, 4)
    net = build_net(spec, input_size=2, output_size=10, n_past=2, lags=lags)
    x = torch.randn(3, 6, 2)
    rows = [2, 2, 3, 3, 4, 4, 5, 5, 2, 2]  # L - lag
    torch.testing.assert_close(net(x), x[:, rows, 1])
    assert "lags" not in net.state_dict()  # not a weight: model.safetensors is unchanged
    torch.nn.init.normal_(net.fc.weight)
    torch.testing.assert_close(net(x + 3.0), net(x) + 3.0)  # relative to the level, like "last"


def test_normalize_auto_anchors_each_window_by_its_seasonality_flag():
    # input columns: past value, mask, flag; flag 1: the seasonal-naive value, flag 0: the last value
    spec = ModelSpec(kind="gru", hidden_size=3, normalize="auto", season=4)
    window = WindowSpec(seq_length=6, horizon=3)
    net = build_net(spec, input_size=3, output_size=3, n_past=1, lags=anchor_lags(spec, window), flag_col=2)
    x = torch.randn(4, 6, 3)
    x[:, :, 2] = torch.tensor([1.0, 0.0, 1.0, 0.0])[:, None]
    out = net(x)
    torch.testing.assert_close(out[[0, 2]], x[[0, 2]][:, [2, 3, 4], 0])
    torch.testing.assert_close(out[[1, 3]], x[[1, 3], -1:, 0].expand(2, 3))
    torch.nn.init.normal_(net.fc.weight)
    shifted = x.clone()
    shifted[:, :, 0] += 3.0
    torch.testing.assert_close(net(shifted), net(x) + 3.0)  # relative to the level for both anchors


def test_anchor_lags_only_for_season_and_the_direct_strategy():
    season = ModelSpec(normalize="season", season=12)
    assert anchor_lags(season, WindowSpec(horizon=3)) == (12, 11, 10)
    assert anchor_lags(ModelSpec(normalize="season", season=1), WindowSpec(horizon=2)) == (1, 1)  # = "last"
    assert anchor_lags(ModelSpec(normalize="auto", season=12), WindowSpec(horizon=2)) == (12, 11)
    assert anchor_lags(ModelSpec(normalize="last"), WindowSpec(horizon=3)) is None
    assert anchor_lags(season, WindowSpec(horizon=3, strategy="recursive")) is None
    with pytest.raises(RnncastError, match="season"):
        ModelSpec(normalize="season", season=0).check()


def test_shrink_keeps_a_share_of_the_correction_in_eval_mode_only():
    spec = ModelSpec(kind="lstm", hidden_size=4, normalize="last", shrink=0.25)
    net = build_net(spec, input_size=2, output_size=3, n_past=2)
    torch.nn.init.normal_(net.fc.weight)
    x = torch.randn(5, 6, 2)
    anchor = x[:, -1, 1:2].expand(5, 3)
    full = net(x)  # training mode: the whole correction, so training learns all of it
    net.eval()
    torch.testing.assert_close(net(x), anchor + 0.25 * (full - anchor))  # ŷ = a + α·net(x')
    with pytest.raises(RnncastError, match="shrink"):
        ModelSpec(shrink=0.0).check()
    with pytest.raises(RnncastError, match="shrink"):
        ModelSpec(shrink="half").check()


@pytest.mark.parametrize("kind, n_params", [("lognormal", 2), ("logstudentt", 3)])
def test_a_log_likelihoods_head_sits_on_each_steps_own_input_in_forward_and_run(kind, n_params):
    # likelihood="lognormal" (or its Student-t): location o₁ + z_t at every step (the untrained net: a random
    # walk in log space)
    spec = ModelSpec(kind="lstm", hidden_size=5, likelihood=kind)
    net = build_net(spec, input_size=3, output_size=n_params, many_to_many=True, n_past=2)
    x = torch.randn(4, 6, 3)
    out = net(x)
    torch.testing.assert_close(out[..., 0], x[..., 1])  # column n_past - 1: the target
    spread = torch.nn.functional.softplus(out[..., 1])  # the untrained step: 10% of the level, everywhere
    torch.testing.assert_close(spread, torch.full((4, 6), 0.1), rtol=1e-4, atol=0.0)
    if n_params == 3:  # the Student-t's df starts at 4 + softplus(b) = 10: near-Gaussian steps
        torch.testing.assert_close(4.0 + torch.nn.functional.softplus(out[..., 2]), torch.full((4, 6), 10.0))
    torch.nn.init.normal_(net.fc.weight)
    stepped, state = net.run(x[:, :4])
    more, _ = net.run(x[:, 4:], state)  # one window in two calls: the same outputs as one forward
    torch.testing.assert_close(torch.cat([stepped, more], dim=1), net(x))
    plain = build_net(ModelSpec(kind="lstm", hidden_size=5, likelihood="gaussian"), input_size=3, output_size=2,
                      many_to_many=True, n_past=2)
    assert plain.step_anchor is None
