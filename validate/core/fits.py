"""Power-law fits q ≈ A·N^k by least squares on log q against log N.

Used by the gd-scaling and ρ-vs-N experiments (THEORY §4, §6) and by the ρ·√n-vs-n slope of
recordings; it lives in the core so that the analysis toolkit needs no experiment.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

__all__ = ["PowerLawFit", "fit_power_law"]


@dataclasses.dataclass(frozen=True)
class PowerLawFit:
    """q ≈ A·N^k fitted by least squares on log q vs log N.

    exponent k, its standard error (OLS), prefactor A, n points used.
    """

    exponent: float
    exponent_se: float
    prefactor: float
    n: int


def fit_power_law(N: np.ndarray, q: np.ndarray) -> PowerLawFit:
    """Fit log q = log A + k log N (points with q > 0 and finite; the others are skipped and
    ``n`` counts the used ones); SE of k from OLS residuals. N, q: arrays of equal size."""
    from .checks import array

    N = array(N, "N", finite=False, min_size=0).ravel()
    q = array(q, "q", finite=False, min_size=0).ravel()
    if N.shape != q.shape:
        raise ValueError(f"N has {N.size} entries and q has {q.size}; allowed: one N per q")
    ok = np.isfinite(q) & (q > 0) & np.isfinite(N) & (N > 0)
    x, y = np.log(N[ok]), np.log(q[ok])
    n = int(ok.sum())
    if n < 2 or np.ptp(x) == 0:
        return PowerLawFit(math.nan, math.nan, math.nan, n)
    X = np.stack([np.ones_like(x), x], axis=1)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    if n > 2:
        resid = y - X @ coef
        s2 = float(resid @ resid) / (n - 2)
        cov = s2 * np.linalg.inv(X.T @ X)
        se = float(math.sqrt(cov[1, 1]))
    else:
        se = math.nan
    return PowerLawFit(float(coef[1]), se, float(math.exp(coef[0])), n)
