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
