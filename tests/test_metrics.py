"""Metrics by their definitions, with hand-computed values."""

import numpy as np
import pytest

from rnncast.metrics import all_metrics, mape, naive_scale, smape


def test_values_on_a_small_example():
    y, yhat = np.array([10.0, 20.0, 30.0]), np.array([12.0, 18.0, 33.0])
    m = all_metrics(y, yhat, scale=2.0)
    assert m["rmse"] == pytest.approx(np.sqrt((4 + 4 + 9) / 3))
    assert m["mae"] == pytest.approx(7 / 3)
    assert m["mape"] == pytest.approx(100 * (0.2 + 0.1 + 0.1) / 3)
    assert m["smape"] == pytest.approx(100 * (4 / 22 + 4 / 38 + 6 / 63) / 3)
    assert m["mase"] == pytest.approx(7 / 6)


def test_zero_targets_make_mape_undefined_and_smape_safe():
    assert mape(np.array([0.0, 1.0]), np.array([0.0, 1.0])) is None
    assert smape(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0


def test_naive_scale_is_in_sample_one_step_naive_mae():
    assert naive_scale(np.array([1.0, 3.0, 2.0])) == pytest.approx(1.5)
    assert naive_scale(np.array([5.0, 5.0])) is None


def test_grouped_metrics_equal_each_groups_own():
    from rnncast.metrics import all_metrics, grouped_metrics

    rng = np.random.default_rng(5)
    codes = rng.integers(0, 6, 300)
    y, yhat = rng.normal(10, 3, 300), rng.normal(10, 3, 300)
    y[codes == 2] = np.where(rng.random((codes == 2).sum()) < 0.3, 0.0, y[codes == 2])  # group 2 holds zeros
    y[:3], yhat[:3], codes[:3] = 0.0, 0.0, 4  # y = ŷ = 0 terms count as 0 in sMAPE
    scales = np.array([1.5, np.nan, 2.0, 0.5, 3.0, 1.0])
    grouped = grouped_metrics(codes, 6, y, yhat, scales)
    for g in range(6):
        own = all_metrics(y[codes == g], yhat[codes == g], None if np.isnan(scales[g]) else scales[g])
        for name, value in own.items():
            if value is None:
                assert np.isnan(grouped[name][g]), (name, g)
            else:
                assert grouped[name][g] == pytest.approx(value, rel=1e-12), (name, g)
    assert np.isnan(grouped["mape"][2]) and np.isnan(grouped["mase"][1])
