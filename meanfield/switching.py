r"""Noise against the barrier: where the fixed-point theory holds, and how often trials switch.

The reduced latent dynamics of THEORY §2 along the fixed-point direction v₊ (κ = k v₊, the
other latent direction relaxes at rate 1 − λ₋⟨φ'⟩, fast for λ₋ < 0) is a one-dimensional
drift in a double-well potential with additive noise of variance 2σ²/N per unit time:

    dk = −V'(k) dt + √(2D) dB,   D = σ²/N,
    V'(k) = k − λ₊ ⟨φ'⟩(k² + c₀) k,   V(k) = ∫₀ᵏ V'(s) ds,

with c₀ the orthogonal variance (σ² in continuous time, σ²/(1 − dt/2) for the Euler map,
:func:`meanfield.fixed_point.orthogonal_std`). Its minima are the fixed points ±‖κ̄‖ (where
λ₊⟨φ'⟩ = 1) and k = 0 is the saddle. Two numbers follow (this module, numpy only):

* the **barrier** ΔV = V(0) − V(‖κ̄‖) and the **noise-to-barrier ratio** D/ΔV. Every
  fixed-point theory of this package linearises the noise around κ̄ (a linear-noise
  approximation); the first neglected order of the small-noise expansion of the variance is
  relative O(D/ΔV) — for V = −rk²/2 + uk⁴/4, ΔV = r²/(4u) and the cubic and quartic terms
  change the variance by a relative c·D/ΔV with c = O(1). So D/ΔV is the declared size of
  the model error of the fixed-point variants (:mod:`meanfield.variants`), and the theory's
  domain is D/ΔV ≤ :data:`MAX_NOISE_TO_BARRIER`.
* the **Kramers rate** of hopping over the saddle to the mirror fixed point,

      r = √(V''(‖κ̄‖)·|V''(0)|) / (2π) · exp(−ΔV/D),

  the large-barrier (ΔV/D ≫ 1) escape rate of the one-dimensional problem; the transverse
  direction enters Langer's prefactor only through a ratio of O(1) curvatures, which this
  estimate leaves out. Expected switches in a run of length T: r·T. Near λ_min the barrier
  vanishes (ΔV ∝ (λ₊ − λ_min)²), trials hop between ±κ̄, and no fixed-point statistic is
  defined: such points are outside every fixed-point theory's domain, predicted here before
  anything is simulated.

V is integrated numerically from :func:`meanfield.nonlinearities.mean_dphi` (Gauss–Legendre,
:data:`_NODES` nodes on [0, ‖κ̄‖]), so it works for every nonlinearity with an isolated fixed
point; the tests check it against the erf closed form
V(k) = k²/2 − (λ₊/2α²)(√(1 + 2α²(k² + c₀)) − √(1 + 2α²c₀)) computed independently.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.polynomial.legendre import leggauss
from numpy.typing import ArrayLike, NDArray

from . import _checks
from ._repr import concise_repr
from .fixed_point import _require_isolated, fixed_point_norm, orthogonal_std
from .nonlinearities import NonlinearitySpec, get_nonlinearity

__all__ = ["MAX_NOISE_TO_BARRIER", "Barrier", "barrier"]

#: Domain of the fixed-point (linear-noise) theories: D/ΔV at most this (the first neglected
#: relative order of the small-noise expansion then stays below ~10 %).
MAX_NOISE_TO_BARRIER: float = 0.1

#: Gauss–Legendre nodes for V(‖κ̄‖) = ∫₀^‖κ̄‖ V'(s) ds (V' is smooth: exact to ~1e-14 for erf).
_NODES = 48


class Barrier(NamedTuple):
    """Outcome of :func:`barrier` (arrays broadcast over the inputs; NaN where no fixed point).

    Attributes:
        height: ΔV = V(0) − V(‖κ̄‖) (latent units², κ = Uᵀx/N).
        noise_to_barrier: D/ΔV with D = σ²/N — the relative size of the neglected terms of
            the fixed-point theories (module docstring).
        rate: Kramers rate of switching to the mirror fixed point (per unit time).
        curvature_min: V''(‖κ̄‖) > 0. curvature_saddle: V''(0) < 0.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    height: NDArray[np.float64]
    noise_to_barrier: NDArray[np.float64]
    rate: NDArray[np.float64]
    curvature_min: NDArray[np.float64]
    curvature_saddle: NDArray[np.float64]

    def expected_switches(self, t: float) -> NDArray[np.float64]:
        """r·t: expected switches of one trial in a run of length ``t`` (time units)."""
        return np.asarray(self.rate) * float(t)

    def mirror_fraction(self, t0: float, t1: float) -> NDArray[np.float64]:
        """Expected fraction of the time in [t0, t1] that a trial started at +κ̄ at t = 0
        spends at the mirror fixed point −κ̄: for a two-state chain hopping at rate r each
        way, P(mirror at t) = (1 − e^{−2rt})/2, whose mean over [t0, t1] is
        1/2 − (e^{−2r t0} − e^{−2r t1}) / (4 r (t1 − t0))."""
        if not (0 <= t0 < t1):
            raise ValueError(f"t0={t0!r}, t1={t1!r} are not allowed; allowed: 0 <= t0 < t1")
        r = np.asarray(self.rate, dtype=np.float64)
        with np.errstate(all="ignore"):
            frac = 0.5 - (np.exp(-2 * r * t0) - np.exp(-2 * r * t1)) / (4 * r * (t1 - t0))
            small = r * t1 < 1e-6  # series: r (t0 + t1)/2 to first order
        return np.where(small, r * (t0 + t1) / 2, frac)


def barrier(
    lambda_plus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    nonlinearity: NonlinearitySpec = "erf",
    *,
    dt: float | None = None,
) -> Barrier:
    """Barrier, noise-to-barrier ratio and Kramers switching rate (module docstring).

    Arguments (broadcast together; scalars give 0-d arrays):
        lambda_plus: λ₊ > λ_min (NaN entries elsewhere). sigma: σ > 0. N: neurons, ≥ 1.
        nonlinearity: a name of :data:`meanfield.NONLINEARITIES` with an isolated fixed point
            (erf, tanh) or a callable. dt: None (continuous time) or the Euler step (c₀ =
            σ²/(1 − dt/2)).

    THEORY §2 (fixed points), §5 (the static check, where λ₊ = 1.7 is close to λ_min).

    **Accuracy** numerical: ΔV by 48-node Gauss–Legendre, 1e-10 relative against the erf
    closed form at 30 digits (tests/meanfield/test_switching.py), finite and > 0 wherever a
    fixed point exists (hypothesis, σ ∈ [1e-3, 30]). Model: the Kramers rate is the
    large-barrier (ΔV/D ≫ 1) escape rate without Langer's transverse prefactor.
    """
    dt = _checks.check_dt(dt)
    _checks.check_real(lambda_plus=lambda_plus, sigma=sigma, N=N)
    lam, sig, n = (np.asarray(v, dtype=np.float64) for v in (lambda_plus, sigma, N))
    if np.any(~np.isfinite(sig)) or np.any(sig <= 0):
        raise ValueError(f"sigma={sigma!r} is not allowed; allowed: finite numbers > 0")
    if np.any(~np.isfinite(n)) or np.any(n < 1):
        raise ValueError(f"N={N!r} is not allowed; allowed: finite numbers >= 1")
    nl = get_nonlinearity(nonlinearity)
    _require_isolated(nl)
    lam, sig, n = np.broadcast_arrays(lam, sig, n)
    shape = lam.shape
    lam, sig, n = (np.atleast_1d(a).astype(np.float64) for a in (lam, sig, n))
    with np.errstate(all="ignore"):
        # array call: NaN where λ₊ ≤ λ_min (no fixed point), never an error for values
        kbar = np.asarray(fixed_point_norm(lam, sig, nl, dt=dt), dtype=np.float64)
        c0 = np.asarray(orthogonal_std(sig, dt), dtype=np.float64) ** 2

        def dV(k: NDArray) -> NDArray:  # V'(k) = k (1 − λ₊⟨φ'⟩(k² + c₀))
            return k * (1.0 - lam[..., None] * nl.mean_dphi(k**2 + c0[..., None]))

        x, w = leggauss(_NODES)
        k = 0.5 * kbar[..., None] * (x + 1.0)  # nodes on [0, ‖κ̄‖]
        height = -0.5 * kbar * np.sum(w * dV(k), axis=-1)  # ΔV = −V(‖κ̄‖) = −∫ V'
        # curvatures: V''(0) = 1 − λ₊⟨φ'⟩(c₀); V''(κ̄) by a central difference of V'
        saddle = 1.0 - lam * nl.mean_dphi(c0)
        h = 1e-5 * np.maximum(kbar, 1e-3)
        kk = np.stack([kbar - h, kbar + h], axis=-1)
        curv_min = (dV(kk)[..., 1] - dV(kk)[..., 0]) / (2 * h)
        D = sig**2 / n
        ratio = D / height
        rate = np.sqrt(curv_min * np.abs(saddle)) / (2 * math.pi) * np.exp(-height / D)
    bad = ~(np.isfinite(kbar) & (kbar > 0) & (height > 0))
    out = [np.where(bad, np.nan, a).reshape(shape) for a in (height, ratio, rate, curv_min, saddle)]
    return Barrier(*out)
