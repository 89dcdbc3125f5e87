import numpy as np
import pytest

from rnncast.evaluation.significance import describe, diebold_mariano


def test_identical_forecasts_have_nothing_to_test():
    e = np.random.default_rng(0).standard_normal(50)
    assert diebold_mariano(e, e) == {"statistic": 0.0, "p_value": 1.0, "n": 50}


def test_a_clearly_better_forecast_is_significant_and_noise_is_not():
    rng = np.random.default_rng(1)
    truth = rng.standard_normal(200)
    good, bad = 0.5 * rng.standard_normal(200), 1.5 * rng.standard_normal(200)
    result = diebold_mariano(good, bad)
    assert result["statistic"] < 0 and result["p_value"] < 1e-6
    assert "good is significantly more accurate" in describe(result, "good", "bad")
    # two forecasts of the same quality: p-values spread over (0, 1); most runs are not significant
    p = [diebold_mariano(rng.standard_normal(200), rng.standard_normal(200))["p_value"] for _ in range(200)]
    assert 0.02 < np.mean(np.array(p) < 0.05) < 0.10  # the test's size is about its level
    assert truth.shape == (200,)


def test_matches_the_formula_by_hand_for_h_2():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal(30), 0.9 * rng.standard_normal(30)
    d = a**2 - b**2
    n, z = len(d), d - d.mean()
    var = (z @ z / n + 2 * (z[1:] @ z[:-1]) / n) / n
    assert var > 0
    expected = d.mean() / np.sqrt(var) * np.sqrt((n + 1 - 4 + 2 / n) / n)
    assert diebold_mariano(a, b, h=2)["statistic"] == pytest.approx(expected)
    assert "NOT significant" in describe(diebold_mariano(a, b, h=2), "lstm")
