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


def test_wilcoxon_exact_p_by_hand():
    from rnncast.evaluation.significance import wilcoxon

    # five differences, all positive: W+ = 15, the largest of 2^5 equally likely sign patterns, p = 2/32
    result = wilcoxon(np.array([1.0, 2, 3, 4, 5]) + 0.5, np.zeros(5))
    assert result["statistic"] == 15 and result["exact"] and result["p_value"] == pytest.approx(2 / 32)
    # signs + - + - ... balanced: W+ = 1+3+5 = 9 of 15, near the middle
    balanced = wilcoxon(np.array([1.0, -2, 3, -4, 5]), np.zeros(5))
    assert balanced["statistic"] == 9 and balanced["p_value"] > 0.5
    assert wilcoxon(np.ones(4), np.ones(4))["p_value"] == 1.0  # no difference at all


def test_wilcoxon_agrees_with_scipy_exact_and_approximate():
    scipy_stats = pytest.importorskip("scipy.stats")
    from rnncast.evaluation.significance import wilcoxon

    rng = np.random.default_rng(3)
    for n, shift in ((12, 0.4), (25, 0.0), (60, 0.3)):
        a, b = rng.normal(shift, 1, n), rng.normal(0, 1, n)
        ours = wilcoxon(a, b)
        method = "exact" if n <= 30 else "approx"
        theirs = scipy_stats.wilcoxon(a, b, method=method, correction=True)
        assert ours["p_value"] == pytest.approx(theirs.pvalue, rel=1e-6)
    ties = np.array([1.0, 1, 2, 2, 2, -3, 4, 4, 5, 6, -1, 7] * 3)  # tied magnitudes: the normal approximation
    ours = wilcoxon(ties, np.zeros_like(ties))
    theirs = scipy_stats.wilcoxon(ties, method="approx", correction=True)
    assert not ours["exact"] and ours["p_value"] == pytest.approx(theirs.pvalue, rel=1e-6)
