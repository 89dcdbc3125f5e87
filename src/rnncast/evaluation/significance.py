"""Is a difference in accuracy real? For one series, the Diebold-Mariano test of equal squared error with
the Harvey-Leybourne-Newbold small-sample correction; across many series, the Wilcoxon signed-rank test
of their per-series errors (``wilcoxon``), which neither pools series of different scales nor treats
overlapping windows as independent.

For forecasts a (the network) and b (naive) of the same targets, with loss differentials

    d_t = e_a,t² - e_b,t²          (n of them; mean d̄ < 0: a is more accurate)
    V   = (γ_0 + 2 Σ_{k=1}^{h-1} γ_k) / n      (γ_k: autocovariance of d at lag k; h-step forecasts
                                                overlap, so their errors correlate up to lag h-1)
    DM  = d̄ / sqrt(V),   DM* = DM · sqrt((n + 1 - 2h + h(h-1)/n) / n)

and p = 2·(1 - Φ(|DM*|)), two-sided. Φ is the normal CDF: with the n ≥ 30 test points an evaluation
usually has, Student's t with n-1 degrees of freedom (HLN's reference) differs from it in the third
decimal. When the two forecasts are identical (d ≡ 0) there is no difference to test: p = 1.
Across several series the differentials are pooled in series order (independent series assumed).
"""

from __future__ import annotations

import math

import numpy as np


def diebold_mariano(errors_a: np.ndarray, errors_b: np.ndarray, h: int = 1) -> dict:
    """``{"statistic", "p_value", "n"}`` for equal mean squared error of two forecast error series."""
    d = np.asarray(errors_a, dtype=np.float64) ** 2 - np.asarray(errors_b, dtype=np.float64) ** 2
    n = len(d)
    if n < 2 or not np.any(d):
        return {"statistic": 0.0, "p_value": 1.0, "n": n}
    z = d - d.mean()
    gammas = [float(z @ z) / n] + [float(z[k:] @ z[:-k]) / n for k in range(1, min(h, n))]
    variance = (gammas[0] + 2.0 * sum(gammas[1:])) / n
    if variance <= 0:
        variance = gammas[0] / n  # the lag terms made it negative: fall back to the lag-0 estimate
    statistic = d.mean() / math.sqrt(variance) * math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    p_value = math.erfc(abs(statistic) / math.sqrt(2.0))  # 2·(1 - Φ(|DM*|))
    return {"statistic": float(statistic), "p_value": float(p_value), "n": n}


def describe(result: dict, name: str, other: str = "naive", level: float = 0.05) -> str:
    """One sentence: whether ``name``'s squared error differs significantly from ``other``'s."""
    if result["p_value"] >= level:
        return (f"Significance: the difference between {name} and {other} is NOT significant (Diebold-Mariano on"
                f" squared errors, p = {result['p_value']:.2f}, n = {result['n']}).")
    better = name if result["statistic"] < 0 else other
    return (f"Significance: {better} is significantly more accurate (Diebold-Mariano on squared errors,"
            f" p = {result['p_value']:.2g}, n = {result['n']}).")


def wilcoxon(errors_a: np.ndarray, errors_b: np.ndarray) -> dict:
    """Wilcoxon signed-rank test that paired per-series errors of a and b have a median difference of 0.

    d_i = a_i - b_i, zero differences dropped (n left); ranks r_i of |d_i| (ties share their mean rank);
    W⁺ = Σ_{d_i > 0} r_i. Without ties and n ≤ 30 the p-value is exact: under the null each sign is a fair
    coin, so P(W⁺ = w) counts the subsets of {1..n} summing to w, over 2ⁿ. Otherwise the normal
    approximation: E W⁺ = n(n+1)/4, Var W⁺ = n(n+1)(2n+1)/24 - Σ(t³ - t)/48 over tie groups of size t,
    z = (W⁺ - E W⁺ ∓ ½)/√Var (continuity). Two-sided p. ``median_difference`` < 0: a has the lower errors.
    """
    d = np.asarray(errors_a, dtype=np.float64) - np.asarray(errors_b, dtype=np.float64)
    d = d[np.isfinite(d)]
    median = float(np.median(d)) if len(d) else 0.0
    d = d[d != 0]
    n = len(d)
    if n == 0:
        return {"statistic": 0.0, "p_value": 1.0, "n": 0, "median_difference": median, "exact": True}
    magnitude = np.abs(d)
    order = np.argsort(magnitude, kind="stable")
    ranks = np.empty(n)
    ranks[order] = np.arange(1, n + 1)
    values, inverse, counts = np.unique(magnitude, return_inverse=True, return_counts=True)
    mean_rank = np.bincount(inverse, weights=ranks) / counts
    ranks = mean_rank[inverse]
    w_plus = float(ranks[d > 0].sum())
    ties = counts[counts > 1]
    if n <= 30 and len(ties) == 0:
        ways = np.zeros(n * (n + 1) // 2 + 1)  # ways[w]: subsets of {1..k} with sum w, k growing to n
        ways[0] = 1.0
        for k in range(1, n + 1):
            ways[k:] = ways[k:] + ways[:-k].copy()
        cdf = np.cumsum(ways) / 2.0**n
        w = int(round(w_plus))
        lower, upper = cdf[w], 1.0 - (cdf[w - 1] if w > 0 else 0.0)
        p_value = min(1.0, 2.0 * min(lower, upper))
        exact = True
    else:
        mean = n * (n + 1) / 4.0
        variance = n * (n + 1) * (2 * n + 1) / 24.0 - float(np.sum(ties**3 - ties)) / 48.0
        z = (w_plus - mean - 0.5 * np.sign(w_plus - mean)) / math.sqrt(variance) if variance > 0 else 0.0
        p_value = math.erfc(abs(z) / math.sqrt(2.0))
        exact = False
    return {"statistic": w_plus, "p_value": float(p_value), "n": n, "median_difference": median, "exact": exact}


def describe_wilcoxon(result: dict, name: str, other: str = "naive", what: str = "MASE", level: float = 0.05) -> str:
    """One sentence: whether ``name``'s per-series errors differ significantly from ``other``'s."""
    test = f"Wilcoxon signed-rank on per-series {what}, p = {result['p_value']:.2g}, {result['n']} series"
    if result["p_value"] >= level:
        return f"Significance: the difference between {name} and {other} across series is NOT significant ({test})."
    better = name if result["median_difference"] < 0 else other
    return f"Significance: {better} is significantly more accurate across series ({test})."
