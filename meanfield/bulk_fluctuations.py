"""Latent fluctuations with a random bulk g > 0: the linear-noise approximation (THEORY §7).

With W = g·χ + U M Uᵀ/N the latent δκ̃ = √N(κ − κ̄) obeys, linearised as in THEORY §2,

    dδκ̃ = A δκ̃ dt + √2σ dB + Σ_s B_s ξ_s(t) dt,     A = −I + M/λ₊ + q κ̄κ̄ᵀ,

with q = ⟨φ'''⟩/⟨φ'⟩ at the total variance v = ‖κ̄‖² + c₀ of the bulk state
(:func:`meanfield.bulk_state`). The drives ξ_s are no longer white or Ornstein–Uhlenbeck: their
autocorrelations are set by the DMFT autocorrelation Δ(τ) of the orthogonal input
(:func:`meanfield.bulk_autocorrelation`), minus its static part c∞ (a quenched, per-network
offset that belongs to the condition average, not to L_var):

* **the bulk field along U** (B = I): ζ_k = g·u_kᵀχφ(x)/√N. Its coefficients (χᵀu_k)_j are
  independent of unit j's activity, so per axis it has the autocorrelation of one unit's bulk
  input, r(τ) = g²C_φ(K + Δ(τ); v) − c∞ (= (1 − ∂τ²)(Δ − c∞) for τ > 0), and the two axes are
  uncorrelated. It is absent at g = 0 and is the new term.
* **the gain term** (default route, B = b v₊, b = γ/(2‖κ̄‖), γ = q‖κ̄‖²): the orthogonal variance
  mean_j η_j² fluctuates by O(1/√N) and modulates ⟨φ'⟩ along κ̄; its √N-scaled autocorrelation
  is 2(Δ(τ)² − c∞²) (Gaussian η). At g = 0 (Δ = σ²e^{−τ}) this is the THEORY §2 v_orth term.
* **or the Hermite drives** (``hermite_orders=K``, B = M): as in :mod:`meanfield.hermite_noise`,
  with the covariances D_n at the bulk's c₀ and the autocorrelation shape
  (Δ(τ)/c₀)ⁿ − (c∞/c₀)ⁿ (Mehler's formula; e^{−nτ} at g = 0). Order 2 contains the gain term.

For a drive with covariance P = B D Bᵀ and scalar shape r(τ), the stationary covariance is the
solution of A Σ + Σ Aᵀ + Q = 0 with Q = R P + P Rᵀ, R = ∫₀^∞ r(τ) e^{Aτ} dτ (a matrix Laplace
transform; for r = e^{−nτ} it is −(A − nI)⁻¹, the OU formula of hermite_noise). So

    A Σ + Σ Aᵀ + 2σ²I + Σ_s (R_s P_s + P_s R_sᵀ) = 0.

R is integrated on Δ's own grid (Simpson in u, Δ = c∞ + (c₀ − c∞)e^{−u}, see
``bulk._delta_curve``) with e^{Aτ} of the 2×2 A in closed form, plus the exponential tail.
Cost: ~0.1 s a point for erf (closed-form kernels), ~8 s for tanh (2-d trapezoid kernels on the
4001-point grid).

**What it neglects** (say so where it is used):
* the coherent response of the orthogonal variance to δκ: a change δK = 2κ̄·δκ of ‖κ̄‖² changes
  the bulk field's variance in every unit alike, hence c, hence ⟨φ'⟩ along v₊. In the adiabatic
  limit this multiplies γ by 1 + dc₀/dK (``variance_feedback="adiabatic"``, the default); the
  true, retarded response lies between that and none (``"none"``: the variance frozen). dc₀/dK
  grows like g² (≈ 0.03 at g = 0.5, 0.09 at g = 0.9, 0.34 at g = 1.5 for σ = 0.5, λ₊ = 2), so
  the v₊ component carries an unresolved error below the gap between the two; the v₋
  component does not (A's v₋ row does not see it). Measured (validate's bulk rows, N = 512 and
  1024, erf, σ = 0.5, λ₊ = 2, λ₋ = −2): with the Hermite drives the adiabatic Σ₊₊ is within
  2 % of simulations at g = 0.5 and 0.9 (the frozen one 2 % and 7–8 % high); at g = 1.5 the
  simulated Σ₊₊ lies between the two (N = 1024, 24 networks × 1500 time units: 3.63, against
  2.88 adiabatic and 4.23 frozen; ``benchmarks/bulk_latent.py``), while Σ₋₋ holds to 1–2 % at
  every g. Without the Hermite drives Σ₋₋ is ≈ 15 % low, as at g = 0.
* O(1/√N) couplings between the drives and between δκ and the bulk field;
* finite dt (continuous time only; the simulated Euler map adds O(dt)).
It fails where the bulk state is not stationary around a fixed point: g near and above 1 with
κ̄ = 0 (no fixed point, the latent modes are critical or chaotic) — refused by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .bulk import _U, _critical, _delta_curve, _kernels, _solve
from .latent_geometry import coupling_matrix, fluctuation_matrix, v_plus
from .lyapunov import is_stable_2x2, lyapunov_2x2
from .nonlinearities import NonlinearitySpec

__all__ = ["FEEDBACK", "bulk_latent_covariance"]

#: ``variance_feedback=`` choices (module docstring): the two ends of the neglected response
FEEDBACK: tuple[str, ...] = ("none", "adiabatic")


def _expm_weights(A: NDArray, tau: NDArray) -> tuple[NDArray, NDArray]:
    """e^{Aτ} = a₀(τ) I + a₁(τ) (A − mI), m = tr A/2, for 2×2 A (...) and τ (..., n).

    With d = √(m² − det A): a₀ = e^{mτ}cosh(dτ), a₁ = e^{mτ}sinh(dτ)/d, written through
    e^{(m ± d)τ} so nothing overflows for stable A, and by its series where dτ is small.
    """
    m = 0.5 * (A[..., 0, 0] + A[..., 1, 1])
    det = A[..., 0, 0] * A[..., 1, 1] - A[..., 0, 1] * A[..., 1, 0]
    d = np.sqrt((m * m - det).astype(complex))[..., None]
    m = m[..., None]
    ep, em = np.exp((m + d) * tau), np.exp((m - d) * tau)
    z = d * tau
    small = np.abs(z) < 1e-3
    with np.errstate(all="ignore"):
        a1 = np.where(
            small,
            tau * np.exp(m * tau) * (1.0 + z * z / 6.0 + z**4 / 120.0),
            (ep - em) / (2.0 * np.where(d == 0, 1.0, d)),
        )
    return (0.5 * (ep + em)).real, a1.real


def _laplace(
    A: NDArray, r: NDArray, dtau: NDArray, taus: NDArray, a0: NDArray, a1: NDArray
) -> NDArray:
    """R = ∫₀^∞ r(τ) e^{Aτ} dτ (..., 2, 2) for r on Δ's grid (Simpson in u) plus the tail.

    Beyond the grid r is continued as r_end·e^{−k_r(τ − τ_end)} with k_r from its last two
    points (its relative size there is ~e^{−14}).
    """
    from scipy.integrate import simpson

    w = r * dtau
    i0 = simpson(w * a0, x=_U, axis=-1)
    i1 = simpson(w * a1, x=_U, axis=-1)
    eye = np.eye(2)
    m = 0.5 * (A[..., 0, 0] + A[..., 1, 1])
    N = A - m[..., None, None] * eye
    R = i0[..., None, None] * eye + i1[..., None, None] * N
    with np.errstate(all="ignore"):
        ratio = r[..., -1] / r[..., -2]
        kr = -np.log(ratio) / (taus[..., -1] - taus[..., -2])
    ok = np.isfinite(kr) & (kr > 0) & (ratio > 0)
    kr = np.where(ok, kr, 1.0)
    E = a0[..., -1, None, None] * eye + a1[..., -1, None, None] * N
    tail = E @ np.linalg.inv(kr[..., None, None] * eye - A)
    return R + np.where(ok, r[..., -1], 0.0)[..., None, None] * tail


def _dc0_dK(lam: NDArray, sig: NDArray, g: NDArray, ker: Any) -> NDArray:
    """dc₀/dK along the fixed-point branch (central difference in λ₊, step 1e-4·λ₊)."""
    h = 1e-4 * lam
    hi, lo = _solve(lam + h, sig, g, ker), _solve(lam - h, sig, g, ker)
    return (hi.c0 - lo.c0) / (hi.kappa_norm**2 - lo.kappa_norm**2)


def _covariance(
    lam: NDArray,
    lam_m: NDArray,
    sig: NDArray,
    g: NDArray,
    rho: NDArray,
    theta: NDArray | None,
    ker: Any,
    orders: int | None,
    feedback: str,
) -> tuple[NDArray, NDArray, Any]:
    """(Σ, A, bulk state) on valid inputs; the arrays broadcast."""
    lam, lam_m, sig, g, rho = np.broadcast_arrays(lam, lam_m, sig, g, rho)
    st = _solve(lam, sig, g, ker)
    nl = ker.nl
    K, c0, ci, v = st.kappa_norm**2, st.c0, st.c_inf, st.sigma_x2
    q = nl.mean_dphi3(v) / nl.mean_dphi(v)
    gamma0 = q * K
    gamma = gamma0 * (1.0 + _dc0_dK(lam, sig, g, ker)) if feedback == "adiabatic" else gamma0
    A = fluctuation_matrix(lam, gamma, rho, lam_m, theta)
    D, dtau, taus, _ = _delta_curve(st, sig, g, ker)
    a0, a1 = _expm_weights(A, taus)
    eye = np.eye(2)
    Q = 2.0 * (sig * sig)[..., None, None] * eye
    # the bulk field along U: r = g²C_φ(K + Δ; v) − c∞, P = I
    r = (g * g)[..., None] * ker.C(K[..., None] + D, v[..., None]) - ci[..., None]
    R = _laplace(A, r, dtau, taus, a0, a1)
    Q = Q + R + np.swapaxes(R, -1, -2)
    vp = v_plus(rho)
    if orders is None:
        r = 2.0 * (D * D - (ci * ci)[..., None])
        b2 = gamma0 * gamma0 / (4.0 * K)
        P = b2[..., None, None] * vp[..., :, None] * vp[..., None, :]
        R = _laplace(A, r, dtau, taus, a0, a1)
        Q = Q + R @ P + P @ np.swapaxes(R, -1, -2)
    else:
        from .hermite_noise import drive_covariances

        M = coupling_matrix(lam, rho, lam_m, theta)
        Mt = np.swapaxes(M, -1, -2)
        Dn = drive_covariances(np.sqrt(K)[..., None] * vp, c0, orders, nl)
        x, xi = D / c0[..., None], ci / c0
        for i in range(orders):
            n = i + 1
            r = x**n - (xi**n)[..., None]
            R = _laplace(A, r, dtau, taus, a0, a1)
            P = M @ Dn[i] @ Mt
            Q = Q + R @ P + P @ np.swapaxes(R, -1, -2)
    return lyapunov_2x2(A, Q), A, st


@_checks.errors_option
def bulk_latent_covariance(
    lambda_plus: ArrayLike,
    lambda_minus: ArrayLike,
    sigma: ArrayLike,
    g: ArrayLike,
    rho: ArrayLike = 1.0,
    theta_minus: ArrayLike | None = None,
    nonlinearity: NonlinearitySpec = "erf",
    *,
    hermite_orders: int | None = None,
    variance_feedback: str = "adiabatic",
) -> NDArray[np.float64]:
    """Stationary covariance Σ of δκ̃ = √N(κ − κ̄) with a random bulk (THEORY §7), (u₁, u₂) basis.

    The linear-noise approximation of the module docstring: the private noise, the bulk field
    projected on U, and the gain term (or the Hermite drives), each filtered by its DMFT
    autocorrelation. g = 0 gives :func:`meanfield.latent_covariance` (the same Σ to quadrature
    precision).

    **Arguments**
    - lambda_plus: λ₊ above the critical λ_c(g, σ) (:func:`meanfield.bulk_lambda_min`);
      lambda_minus: λ₋ < λ₊; sigma: σ > 0; g: bulk gain ≥ 0.
    - rho: cos θ₊ ∈ (0, 1], the readout alignment of v₊ (1: κ̄ along u₁; for the L_bias = 0
      geometry use :func:`meanfield.latent_covariance` with ``g=``).
    - theta_minus: angle of v₋ in radians; None = symmetric M.
    - nonlinearity: "erf" or "tanh".
    - hermite_orders: None (gain term) or K ≥ 1 (Hermite drives 1..K, replacing it).
    - variance_feedback: "adiabatic" (default) or "none" — the two ends of the neglected
      coherent variance response (module docstring); their difference bounds that error.

    **Returns** Σ (..., 2, 2), NaN at invalid entries of array calls; ValueError naming the
    parameter in scalar calls.

    Example: ``bulk_latent_covariance(2.0, -2.0, 0.5, 0.5)``.

    **Accuracy** numerical: within 1e-6 relative of an independent route (Δ(τ) on a uniform
    grid, scipy's expm and Lyapunov solver; that reference's own trapezoid error is ~3e-7;
    tests/meanfield/test_bulk_fluctuations.py); finite and positive semi-definite for g ∈ [0, 3],
    σ ∈ [0.05, 3], λ₊ up to 11λ_c (hypothesis). Model error, kept apart: the linear-noise approximation (relative
    O(D/ΔV), :func:`meanfield.barrier`) and the orthogonal variance's response to δκ,
    bracketed by ``variance_feedback`` "adiabatic" and "none".
    """
    ker = _kernels(nonlinearity)
    _checks.check_choice("variance_feedback", variance_feedback, FEEDBACK)
    orders = _checks.check_hermite_orders(hermite_orders)
    values: dict[str, ArrayLike] = dict(
        lambda_plus=lambda_plus, lambda_minus=lambda_minus, sigma=sigma, g=g, rho=rho
    )
    if theta_minus is not None:
        values["theta_minus"] = theta_minus
    arrays = _checks.as_float64(**values)
    valid = _checks.Validity(
        _checks.is_scalar_call(*values.values()), np.broadcast_shapes(*(a.shape for a in arrays))
    )
    lam, lam_m, sig, gg, rho_ = np.broadcast_arrays(*arrays[:5])
    valid.finite(lambda_plus=lam, lambda_minus=lam_m, sigma=sig, g=gg, rho=rho_)
    valid.require(sig > 0, "sigma", sig, "> 0 (the bulk theory needs the noise's kink)")
    valid.require(gg >= 0, "g", gg, ">= 0 (the bulk gain)")
    valid.require((rho_ > 0) & (rho_ <= 1), "rho", rho_, "in (0, 1]")
    valid.require(
        (lam > 0) & (lam <= _checks.MAX_LAMBDA),
        "lambda_plus",
        lam,
        f"in (0, {_checks.MAX_LAMBDA:g}]",
    )
    m = valid.mask
    with np.errstate(all="ignore"):
        # λ_c depends on σ and g only: the state without fixed point, not the full solve
        _, lam_c = _critical(np.where(m, sig, 1.0) ** 4, np.where(m, gg, 0.5) ** 2, ker)
    valid.require(
        lam > lam_c,
        "lambda_plus",
        lam,
        f"> lambda_c(g, sigma) = {_checks.format_value(lam_c)}"
        if valid.scalar
        else "> lambda_c(g, sigma)",
        "below λ_c there is no fixed point: the latent modes are critical or chaotic "
        "and this linear-noise theory does not apply",
    )
    valid.require(
        lam_m < lam, "lambda_minus", lam_m, "< lambda_plus", "A has the eigenvalue −1 + λ₋/λ₊"
    )
    theta = None
    if theta_minus is not None:
        theta = np.broadcast_to(arrays[5], lam.shape)
        valid.finite(theta_minus=theta)
    m = valid.mask
    with np.errstate(all="ignore"):
        sig_mat, A, st = _covariance(
            np.where(m, lam, 3.0),
            np.where(m, lam_m, -1.0),
            np.where(m, sig, 1.0),
            np.where(m, gg, 0.5),
            np.where(m, rho_, 1.0),
            None if theta is None else np.where(m, theta, 0.0),
            ker,
            orders,
            variance_feedback,
        )
    valid.require(np.isfinite(st.c0), "g", gg, "a value with a stationary DMFT solution")
    valid.require(is_stable_2x2(A), "theta_minus", theta_minus, "a stable A")
    finite = np.isfinite(sig_mat).all(axis=(-1, -2))
    if theta_minus is not None:
        valid.require(finite, "theta_minus", theta_minus, "finite Σ (v₋ not parallel to v₊)")
    valid.require(
        finite,
        "lambda_plus",
        lam,
        "a point where the bulk covariance is finite",
        "a numerical failure of this routine; please report it",
    )
    return valid.finish(sig_mat, trailing=2)
