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


def test_crps_of_samples_equals_a_numerical_integral_of_their_empirical_cdf():
    from rnncast.metrics import crps_samples

    rng = np.random.default_rng(0)
    for S, y in ((1, 0.3), (7, 0.5), (50, -2.0), (200, 1.7)):
        x = rng.normal(0.0, 1.0, S)
        grid = np.linspace(min(x.min(), y) - 1.0, max(x.max(), y) + 1.0, 2_000_001)  # outside: integrand 0
        F = np.searchsorted(np.sort(x), grid, side="right") / S  # the empirical CDF at each grid point
        integrand = (F - (grid >= y)) ** 2
        numeric = float(np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(grid)))  # trapezoids
        assert crps_samples(x, y) == pytest.approx(numeric, abs=1e-4)


def test_crps_of_one_sample_is_the_absolute_error_and_many_approach_the_gaussian_formula():
    from scipy.stats import norm

    from rnncast.metrics import crps_samples

    y = np.array([[0.0, 1.0], [2.5, -1.0]])
    np.testing.assert_allclose(crps_samples(np.full((1, 2, 2), 0.5), y), np.abs(0.5 - y))
    samples = np.random.default_rng(1).normal(0.0, 2.0, (200_000, 2, 2))
    z = y / 2.0
    exact = 2.0 * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi))  # CRPS of N(0, 2²)
    np.testing.assert_allclose(crps_samples(samples, y), exact, rtol=0.01)


def test_distribution_scores_read_quantile_and_interval_columns_and_the_crps():
    import pandas as pd

    from rnncast.metrics import distribution_scores, pinball, quantile_levels

    y = np.array([1.0, 5.0, 9.0, 3.0])
    table = pd.DataFrame({"y": y, "lstm": [1.0, 4.0, 8.0, 3.0], "lstm-lo-80": [0.0, 2.0, 9.5, 2.0],
                          "lstm-hi-80": [2.0, 6.0, 11.0, 4.0], "lstm-crps": [0.1, 0.2, 0.3, 0.4],
                          "naive": y, "naive-q-0.1": y - 1, "naive-q-0.5": y, "naive-q-0.9": y + 1})
    assert quantile_levels(list(table.columns), "lstm") == {0.1: "lstm-lo-80", 0.5: "lstm", 0.9: "lstm-hi-80"}
    got = distribution_scores(table, "lstm")
    assert got["coverage_80"] == 0.75 and got["crps"] == pytest.approx(0.25)
    expected = np.mean([pinball(y, table["lstm-lo-80"], 0.1), pinball(y, table["lstm"], 0.5),
                        pinball(y, table["lstm-hi-80"], 0.9)])
    assert got["pinball"] == pytest.approx(expected) and got["quantile_score"] == pytest.approx(2 * expected)
    assert distribution_scores(table, "naive")["pinball"] == pytest.approx(np.mean([0.1, 0.0, 0.1]))
    assert distribution_scores(table, "drift") == {}
