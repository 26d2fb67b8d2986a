"""Per-network (quenched) fixed points: the mean-field average over U's rows, done exactly.

THEORY.md §2 replaces the rows u_i of U by independent standard Gaussians and averages over them.
One simulated network has one U; its fixed point differs from the averaged one by O(1/√N) in κ,
which is O(1) in the output of the oblique regime (z = √N κ₁ for large output weights), so the mean
output of individual networks spreads around ẑ and the spread does not shrink with N.

For a given U, averaging only over the private noise (orthogonal activity η ~ N(0, c₀) per unit,
independent of κ to leading order) gives the latent drift

    F_U(κ) = −κ + M · (1/N) Σ_i u_i ⟨φ⟩_η(u_i·κ),

and for φ = erf(αx) the noise average is analytic: ⟨erf(α(a + η))⟩_η = erf(βa),
β = α/√(1 + 2α²c₀) (a Gaussian convolution of erf). The per-network fixed point solves F_U(κ̄) = 0;
it is found by a batched Newton iteration (2×2 Jacobian per network, no loop over networks),
started from the averaged theory's κ̄. c₀ = σ² (continuous time) or σ²/(1 − dt/2) (Euler map).
Other nonlinearities use Gauss–Hermite quadrature over η.

:func:`quenched_fixed_point` works for any given U (e.g. a simulated network's);
:func:`quenched_outputs` samples U as the simulations do (QR of a Gaussian matrix, columns of
norm √N) and returns the distribution of mean outputs over networks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _checks
from .fixed_point import orthogonal_std
from .hermite_noise import QUADRATURE_MAX_C0, _inner_nodes, has_closed_forms, quadrature_c0_ok
from .nonlinearities import NonlinearitySpec, get_nonlinearity, normal_nodes

__all__ = ["quenched_fixed_point", "quenched_outputs", "sample_U"]

_ALPHA = math.sqrt(math.pi) / 2
_NEWTON_ITER = 60
_TOL = 1e-12


#: Most float64 entries of one (points × nodes) block of the η-average (bounds the memory of
#: the quadrature route at many networks × units × nodes)
_BLOCK = 1 << 22


def _smoothed_phi(nl: Any, c0: float, quadrature: int = 64) -> tuple[Any, Any]:
    """(⟨φ⟩_η, ⟨φ'⟩_η) as functions of a, for η ~ N(0, c₀).

    erf: closed form. Others: Gauss–Hermite over η with at least ``quadrature`` nodes and
    80·c₀ of them (:func:`meanfield.hermite_noise._inner_nodes`: φ's unit-width transition must
    span several nodes; 64 fixed nodes were 3 % off for tanh at c₀ = 4), evaluated in blocks of
    at most ``_BLOCK`` entries. Accuracy against mpmath: 1e-8 relative with an absolute floor
    of 1e-13 (tests/meanfield/test_accuracy_contract.py)."""
    if has_closed_forms(nl):
        from scipy.special import erf

        beta = _ALPHA / math.sqrt(1.0 + 2.0 * _ALPHA**2 * c0)
        return (
            lambda a: erf(beta * a),
            lambda a: 2.0 * beta / math.sqrt(math.pi) * np.exp(-((beta * a) ** 2)),
        )
    x, w = normal_nodes(_inner_nodes(quadrature, c0))
    sd = math.sqrt(c0)

    def average(a: Any, weights: NDArray) -> NDArray:
        a = np.asarray(a, dtype=np.float64)
        flat = a.reshape(-1)
        out = np.empty_like(flat)
        rows = max(1, _BLOCK // x.size)
        for i in range(0, flat.size, rows):  # blocks bound memory; not a loop over points
            out[i : i + rows] = nl.phi(flat[i : i + rows, None] + sd * x) @ weights
        return out.reshape(a.shape)

    def mean(a: Any) -> NDArray:
        return average(a, w)

    def slope(a: Any) -> NDArray:  # Stein: d/da E φ(a + η) = E[φ(a + η) η]/c₀
        return average(a, w * x) / sd

    return mean, slope


def quenched_fixed_point(
    U: Any,
    M: Any,
    sigma: float,
    kappa0: Any,
    *,
    dt: float | None = None,
    nonlinearity: NonlinearitySpec = "erf",
) -> NDArray[np.float64]:
    """κ̄ solving −κ + M Uᵀ⟨φ⟩_η(Uκ)/N = 0 for each given U (module docstring).

    **Arguments**
    - U: (..., N, 2) connectivity vectors of each network (columns of norm ≈ √N).
    - M: (..., 2, 2) coupling matrices (broadcast against U's leading axes).
    - sigma: private noise σ ≥ 0; dt: None or the Euler step in (0, 2).
    - kappa0: (..., 2) starting points (e.g. the averaged theory's κ̄ = ‖κ̄‖v₊).

    **Returns** κ̄ of shape (..., 2); NaN for networks where Newton did not converge
    (|F_U| > 1e-10 after 60 steps), never a silently wrong root.
    **Accuracy** |F_U(κ̄)| ≤ 1e-10 at every returned root; the η-average is exact for erf and,
    for tanh and callables, 1e-8 relative (absolute floor 1e-13) against mpmath for
    σ²/(1 − dt/2) ≤ 50, the domain (beyond it ``sigma`` is refused by name).
    """
    dt = _checks.check_dt(dt)
    _checks.check_real(sigma=sigma, U=U, M=M, kappa0=kappa0)
    if not (np.isfinite(sigma) and sigma >= 0):
        raise _checks.invalid("sigma", sigma, ">= 0 (a noise standard deviation)")
    U = np.asarray(U, dtype=np.float64)
    if U.ndim < 2 or U.shape[-1] != 2:
        raise _checks.invalid("U", f"array of shape {U.shape}", "shape (..., N, 2)")
    if not np.all(np.isfinite(U)):
        raise _checks.invalid("U", "an array with non-finite entries", "finite entries")
    M = np.asarray(M, dtype=np.float64)
    if M.ndim < 2 or M.shape[-2:] != (2, 2) or not np.all(np.isfinite(M)):
        raise _checks.invalid("M", f"array of shape {M.shape}", "finite 2×2 matrices (..., 2, 2)")
    k0 = np.asarray(kappa0, dtype=np.float64)
    if k0.ndim < 1 or k0.shape[-1] != 2 or not np.all(np.isfinite(k0)):
        raise _checks.invalid("kappa0", f"array of shape {k0.shape}", "finite (..., 2) starts")
    n = U.shape[-2]
    c0 = float(orthogonal_std(np.float64(sigma), dt)) ** 2
    nl = get_nonlinearity(nonlinearity)
    if not has_closed_forms(nl) and not quadrature_c0_ok(c0):
        raise _checks.invalid(
            "sigma",
            sigma,
            f"σ²/(1 − dt/2) <= {QUADRATURE_MAX_C0:g} for {nl.name!r} (the η-quadrature's domain)",
        )
    mean, slope = _smoothed_phi(nl, c0)
    kappa = np.array(np.broadcast_to(kappa0, U.shape[:-2] + (2,)), dtype=np.float64)
    Ut = np.swapaxes(U, -1, -2)
    for _ in range(_NEWTON_ITER):
        a = np.einsum("...ij,...j->...i", U, kappa)
        drive = np.einsum("...ji,...i->...j", Ut, mean(a)) / n
        F = -kappa + np.einsum("...ij,...j->...i", M, drive)
        # J = −I + M Uᵀ diag(⟨φ'⟩_η(a)) U / N
        G = np.einsum("...ki,...i,...il->...kl", Ut, slope(a), U) / n
        J = -np.eye(2) + M @ G
        step = np.linalg.solve(J, F[..., None])[..., 0]
        kappa = kappa - step
        if np.all(np.abs(step) <= _TOL * (1.0 + np.abs(kappa))):
            break
    a = np.einsum("...ij,...j->...i", U, kappa)
    F = -kappa + np.einsum("...ij,...j->...i", M, np.einsum("...ji,...i->...j", Ut, mean(a)) / n)
    bad = ~(np.abs(F).max(axis=-1) <= 1e-10)
    kappa[bad] = np.nan
    return kappa


def sample_U(N: int, networks: int, seed: int = 0) -> NDArray[np.float64]:
    """U of ``networks`` random networks, (networks, N, 2): QR of a Gaussian matrix, columns
    scaled to norm √N (THEORY §2), numpy's default generator with ``seed``."""
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 2:
        raise _checks.invalid("N", N, "an integer >= 2")
    if isinstance(networks, bool) or not isinstance(networks, (int, np.integer)) or networks < 1:
        raise _checks.invalid("networks", networks, "an integer >= 1")
    g = np.random.default_rng(seed).standard_normal((networks, N, 2))
    q, r = np.linalg.qr(g)
    q = q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]
    return math.sqrt(N) * q


def quenched_outputs(
    N: int,
    lambda_plus: float,
    lambda_minus: float,
    sigma: float,
    *,
    z_target: float = 1.0,
    out_scale: str = "large",
    theta_minus: float | None = None,
    networks: int = 256,
    seed: int = 0,
    dt: float | None = None,
    nonlinearity: NonlinearitySpec = "erf",
) -> dict[str, Any]:
    """Mean outputs z̄ = s√N κ̄₁ of sampled networks whose M is built from the averaged theory.

    M = V diag(λ₊, λ₋)V⁻¹ with θ₊ from L_bias = 0 (:func:`meanfield.correlation`, same ``dt``),
    so the averaged theory predicts z̄ = ẑ for every network; the quenched fixed points show the
    network-to-network spread. Returns a dict with ``"z"`` (networks,), ``"kappa"``
    (networks, 2), ``"mean"``, ``"sd"`` (over networks) and ``"M"``.
    Accuracy: each κ̄ as :func:`quenched_fixed_point` (|F_U| ≤ 1e-10); ``mean``/``sd`` are
    sample statistics over ``networks`` (their sampling error, sd/√networks, dominates).
    """
    from .fixed_point import correlation, fixed_point_norm
    from .fluctuations import coupling_matrix, v_plus

    rho = correlation(lambda_plus, sigma, N, z_target, out_scale, nonlinearity, dt=dt)
    k = fixed_point_norm(lambda_plus, sigma, nonlinearity, dt=dt)
    vp = v_plus(np.float64(rho))
    M = coupling_matrix(
        np.float64(lambda_plus),
        np.float64(rho),
        np.float64(lambda_minus),
        None if theta_minus is None else np.float64(theta_minus),
    )
    U = sample_U(N, networks, seed)
    kappa = quenched_fixed_point(U, M, sigma, k * vp, dt=dt, nonlinearity=nonlinearity)
    s = 1.0 if out_scale == "large" else 1.0 / math.sqrt(N)
    z = s * math.sqrt(N) * kappa[:, 0]
    return {
        "z": z,
        "kappa": kappa,
        "mean": float(np.nanmean(z)),
        "sd": float(np.nanstd(z, ddof=1)),
        "M": M,
    }
