"""The geometry of the latent 2×2 system (THEORY §2): v₊, the coupling matrix M and the
fluctuation matrix A, shared by the g = 0 theory (:mod:`meanfield.fluctuations`) and the
random-bulk one (:mod:`meanfield.bulk_fluctuations`)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["coupling_matrix", "fluctuation_matrix", "v_plus"]


def v_plus(rho: Any) -> Any:
    """v₊ = (cos θ₊, sin θ₊) = (ρ, √(1 − ρ²)), shape (..., 2) (THEORY §2); complex-safe."""
    return np.stack([rho, np.sqrt(1.0 - rho * rho)], -1)


def coupling_matrix(lam: Any, rho: Any, lam_minus: Any, theta_minus: Any | None = None) -> Any:
    """M = V diag(λ₊, λ₋) V⁻¹, V = [v₊ v₋], shape (..., 2, 2) (THEORY §2); complex-safe.

    ``rho`` = cos θ₊; ``theta_minus`` = angle of v₋ (None: θ₊ + π/2, symmetric M).
    """
    c = rho
    sn = np.sqrt(1.0 - rho * rho)
    if theta_minus is None:
        cm, sm = -sn, c
    else:
        cm, sm = np.cos(theta_minus), np.sin(theta_minus)
    r = lam_minus / lam
    det_v = c * sm - cm * sn  # sin(θ₋ − θ₊)
    m00 = (c * sm - r * cm * sn) / det_v
    m01 = c * cm * (r - 1.0) / det_v
    m10 = sn * sm * (1.0 - r) / det_v
    m11 = (r * sm * c - sn * cm) / det_v
    M = np.stack([np.stack([m00, m01], -1), np.stack([m10, m11], -1)], -2)
    return np.asarray(lam)[..., None, None] * M


def fluctuation_matrix(
    lam: Any, gamma: Any, rho: Any, lam_minus: Any, theta_minus: Any | None = None
) -> Any:
    """A = −I + M/λ₊ + γ v₊v₊ᵀ, shape (..., 2, 2) (THEORY §2); complex-safe.

    ``rho`` = cos θ₊; ``theta_minus`` = angle of v₋ (None: θ₊ + π/2).
    """
    vp = v_plus(rho)
    M = coupling_matrix(lam, rho, lam_minus, theta_minus)
    return (
        -np.eye(2)
        + M / np.asarray(lam)[..., None, None]
        + np.asarray(gamma)[..., None, None] * vp[..., :, None] * vp[..., None, :]
    )
