"""Hypothesis strategies for property-based checks of the mean-field theory (THEORY.md §2).

:func:`rank2_params` draws *feasible* parameter points (λ₊, λ₋, σ, θ₋, N) of the
rank-2 network of THEORY §2 with large or small output weights:

* λ₊ > λ_min(σ) with a fixed point far enough from the origin that noise does not
  make trials jump between the mirror fixed points ±κ̄ during a short run:
  ‖κ̄‖ ≥ ``kappa_norm_min`` (default 1.0 latent units; the lower end of λ₊ is found
  by root-finding on ``meanfield.fixed_point_norm``, no formula is retyped) and
  ‖κ̄‖ ≥ ``min_separation`` (default 6) SDs of κ from the theory's own Σ/N. The
  thorough profile found switching (up to 12 % of samples in one of 8 networks, t ≤ 30)
  at N = 64, ‖κ̄‖ = 0.95 (4.2 SD) and at N = 128, ‖κ̄‖ = 0.81 (5.1 SD): escapes over
  the shallow barrier near λ_min are more frequent than the Gaussian SD suggests;
* L_bias = 0 feasible (ρ ≤ 1, ``meanfield.feasible``);
* λ₋ < λ₊ from a given range; θ₋ = None (symmetric M) or θ₊ + π/2 + δ, |δ| ≤
  ``max_skew`` (non-symmetric M, numeric Lyapunov route), never parallel to v₊.

:class:`Rank2Params` turns a draw into a :class:`validate.experiments.static.StaticConfig`, so
property tests reuse the static experiment's simulation route.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

__all__ = ["Rank2Params", "lambda_plus_for_norm", "rank2_params"]


@dataclasses.dataclass(frozen=True)
class Rank2Params:
    """A feasible parameter point of THEORY §2.

    Attributes: lambda_plus λ₊, lambda_minus λ₋, sigma σ, theta_minus θ₋ (radians, or
    ``None`` for symmetric M), N, out_scale, z_target ẑ.
    """

    lambda_plus: float
    lambda_minus: float
    sigma: float
    theta_minus: float | None
    N: int
    out_scale: str = "large"
    z_target: float = 1.0

    def static_config(self, **kw: Any) -> Any:
        """A :class:`validate.experiments.static.StaticConfig` at this point (``kw`` sets the rest)."""
        from validate.experiments.static import StaticConfig

        return StaticConfig(
            N=self.N,
            sigma=self.sigma,
            z_target=self.z_target,
            lambda_plus=self.lambda_plus,
            lambda_minus=self.lambda_minus,
            theta_minus=self.theta_minus,
            out_scale=self.out_scale,
            **kw,
        )


def lambda_plus_for_norm(kappa_norm: float, sigma: float, nonlinearity: str = "erf") -> float:
    """λ₊ whose fixed point has ‖κ̄‖ = ``kappa_norm`` (root of ``meanfield.fixed_point_norm``).

    Raises ValueError for kappa_norm ≤ 0 or sigma ≤ 0.
    """
    from scipy.optimize import brentq

    import meanfield

    if not (math.isfinite(kappa_norm) and kappa_norm > 0):
        raise ValueError(f"kappa_norm={kappa_norm!r} is not allowed; must be finite and > 0")
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma={sigma!r} is not allowed; must be finite and > 0")
    lo = float(meanfield.lambda_min(sigma, nonlinearity)) * (1 + 1e-9)
    hi = 2 * lo
    while float(meanfield.fixed_point_norm(hi, sigma, nonlinearity)) < kappa_norm:
        hi *= 2
    return float(
        brentq(
            lambda lp: float(meanfield.fixed_point_norm(lp, sigma, nonlinearity)) - kappa_norm,
            lo,
            hi,
            xtol=1e-12,
        )
    )


@st.composite
def rank2_params(
    draw: Any,
    *,
    Ns: tuple[int, ...] = (64, 128, 256),
    sigma: tuple[float, float] = (0.5, 1.0),
    kappa_norm_min: float = 1.0,
    kappa_norm_max: float = 2.0,
    lambda_minus: tuple[float, float] = (-1.5, 0.3),
    symmetric: bool | None = None,
    max_skew: float = 0.5,
    out_scale: str = "large",
    z_target: float = 1.0,
    min_separation: float = 6.0,
) -> Rank2Params:
    """Draw a feasible :class:`Rank2Params` (see the module docstring).

    Arguments:
        Ns: network sizes to choose from.
        sigma: (low, high) range of σ.
        kappa_norm_min, kappa_norm_max: range of ‖κ̄‖ (sets the λ₊ range per σ).
        lambda_minus: (low, high) range of λ₋ (points with λ₋ ≥ λ₊ are rejected).
        symmetric: True → θ₋ = None only; False → non-symmetric only; None → both.
        max_skew: largest |δ| of θ₋ = θ₊ + π/2 + δ (radians, < π/2).
        out_scale, z_target: output-weight scale and target.
        min_separation: reject points whose ‖κ̄‖ is below ``min_separation`` standard
            deviations of κ (sqrt of the largest eigenvalue of Σ/N, ``meanfield.
            latent_covariance``): closer to the origin, noise makes trials switch between
            ±κ̄ and the linearised theory does not apply (0 disables the check).
    """
    import meanfield

    if not 0 <= max_skew < math.pi / 2:
        raise ValueError(f"max_skew={max_skew!r} is not allowed; must be in [0, π/2)")
    N = draw(st.sampled_from(Ns))
    sig = draw(st.floats(sigma[0], sigma[1], allow_nan=False))
    lp_lo = lambda_plus_for_norm(kappa_norm_min, sig)
    lp_hi = lambda_plus_for_norm(kappa_norm_max, sig)
    lp = draw(st.floats(lp_lo, lp_hi, allow_nan=False))
    lm = draw(st.floats(lambda_minus[0], lambda_minus[1], allow_nan=False))
    assume(lm < lp)
    assume(bool(meanfield.feasible(lp, sig, N, z_target, out_scale)))
    sym = draw(st.booleans()) if symmetric is None else symmetric
    theta_minus: float | None = None
    if not sym:
        rho = float(meanfield.correlation(lp, sig, N, z_target, out_scale))
        theta_plus = math.acos(min(rho, 1.0))
        delta = draw(st.floats(-max_skew, max_skew, allow_nan=False))
        theta_minus = theta_plus + math.pi / 2 + delta
    if min_separation > 0:
        Sigma = np.asarray(
            meanfield.latent_covariance(
                lp, lm, sig, N, z_target, out_scale, theta_minus=theta_minus
            )
        )
        spread = math.sqrt(float(np.linalg.eigvalsh(Sigma)[-1]) / N)
        assume(float(meanfield.fixed_point_norm(lp, sig)) >= min_separation * spread)
    return Rank2Params(
        lambda_plus=lp,
        lambda_minus=lm,
        sigma=sig,
        theta_minus=theta_minus,
        N=N,
        out_scale=out_scale,
        z_target=z_target,
    )
