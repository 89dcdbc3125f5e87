"""Is a difference in accuracy real? The Diebold-Mariano test of equal squared error, with the
Harvey-Leybourne-Newbold small-sample correction.

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
