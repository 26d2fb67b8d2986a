"""Fluctuations around the fixed point: latent covariance Σ and L_var (THEORY §2).

δκ̃ = √N(κ − κ̄) obeys, linearised,
    dδκ̃ = A δκ̃ dt + noise (covariance rate 2σ² I),
    A = −I + ⟨φ'⟩ M + q κ̄κ̄ᵀ,  ⟨φ'⟩ = 1/λ₊ at the fixed point,  q = ⟨φ'''⟩/⟨φ'⟩.
Σ_A solves A Σ + Σ Aᵀ + 2σ² I = 0 (:func:`meanfield.lyapunov.lyapunov_2x2`),
and the orthogonal-noise gain term adds v_orth v₊v₊ᵀ with
v_orth = c₀²γ/(2(γ − 2))/‖κ̄‖², γ = q‖κ̄‖², c₀ = σ². The output variance is
L_var = s²Σ₁₁ (z = s√N κ₁).

Geometry (CONTRACTS): v₊ = (cos θ₊, sin θ₊), θ₊ = arccos ρ ∈ [0, π/2];
v₋ = (cos θ₋, sin θ₋); M = V diag(λ₊, λ₋) V⁻¹ with V = [v₊ v₋].
``theta_minus=None`` means symmetric M (θ₋ = θ₊ + π/2).

Routes:
* symmetric M, erf, ``loss_var``: the derived closed form
  ``_generated.erf_sigma11_symmetric`` (times s²);
* everything else (and every ``latent_covariance``): the numeric route
  A → closed-form 2×2 Lyapunov → + v_orth v₊v₊ᵀ, batched with numpy.
Tests check that the two routes agree to 1e-10.

Finite time step (``dt=``, an Euler step in (0, 2)): the prediction for the simulated
Euler–Maruyama map (derived in :mod:`meanfield.symbolic.euler`): the fixed point uses the map's
orthogonal variance c₀ = σ²/(1 − dt/2), Σ_A solves the Stein equation Σ = BΣBᵀ + 2σ²dt I with
B = I + dt·A (:func:`meanfield.lyapunov.stein_2x2`), and the gain term is the map's
(``_generated.euler_v_orth_general``). Every piece tends to the continuous one as dt → 0. The
map must be stable too (eigenvalues of B inside the unit circle); e.g. λ₋ ≪ 0 with large dt
can make the v₋ mode of the map unstable although A is stable.

Stability. In the eigenbasis V of M, A is upper triangular with diagonal
(γ, −1 + λ₋/λ₊), whatever θ₋ is (A v₊ = γ v₊ because M v₊ = λ₊ v₊). So the
fixed point is stable iff γ < 0 (true for erf and tanh) and λ₋ < λ₊; a θ₋
close to θ₊ does *not* destabilise A, it makes Σ large (∝ 1/sin²(θ₋ − θ₊),
non-normal amplification). Infeasible (NaN in array calls, ValueError in
scalar calls): everything infeasible for :func:`meanfield.correlation`, plus
λ₋ ≥ λ₊ or any unstable A, plus |sin(θ₋ − θ₊)| ≤ √ε ≈ 1.5e-8 (v₋ ∥ v₊:
M = V diag V⁻¹ undefined or losing more than half its digits).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .fixed_point import (
    _bulk_correlation,
    _bulk_g,
    _correlation_checked,
    _require_isolated,
    orthogonal_std,
)
from .hermite_noise import QUADRATURE_MAX_C0, has_closed_forms, quadrature_c0_ok
from .latent_geometry import coupling_matrix, fluctuation_matrix, v_plus
from .lyapunov import is_stable_2x2, is_stable_map_2x2, lyapunov_2x2, stein_2x2
from .nonlinearities import Nonlinearity, NonlinearitySpec, get_nonlinearity

_MIN_SIN = float(np.sqrt(np.finfo(np.float64).eps))


def v_orth_general(gamma: Any, kappa_sq: Any, c0: Any) -> Any:
    """Gain term along v₊: v_orth = c₀²γ/(2(γ − 2))/‖κ̄‖² (THEORY §2), any φ.

    Derived in :mod:`meanfield.symbolic` (``_generated.v_orth_general``); for erf the
    derivation also gives ``_generated.erf_v_orth`` directly and checks both agree.
    """
    from . import _generated

    return _generated.v_orth_general(gamma, kappa_sq, c0)


def _covariance_core(
    lam: Any,
    kappa_sq: Any,
    sigma: Any,
    rho: Any,
    lam_minus: Any,
    theta_minus: Any | None,
    nl: Nonlinearity,
    dt: float | None = None,
    hermite_orders: int | None = None,
) -> tuple[Any, Any]:
    """(Σ, A) from the fixed point (λ₊, ‖κ̄‖², ρ) — the numeric route; complex-safe.

    ``sigma`` is the noise amplitude; the orthogonal variance c₀ is σ² (continuous time) or the
    Euler map's σ²/(1 − dt/2).
    """
    s2 = sigma * sigma
    c0 = orthogonal_std(sigma, dt) ** 2
    delta = c0 + kappa_sq
    q = nl.mean_dphi3(delta) / nl.mean_dphi(delta)
    gamma = q * kappa_sq
    A = fluctuation_matrix(lam, gamma, rho, lam_minus, theta_minus)
    if hermite_orders is not None:
        from .hermite_noise import leak_covariance

        M = coupling_matrix(lam, rho, lam_minus, theta_minus)
        kbar = np.sqrt(kappa_sq)[..., None] * v_plus(rho)
        return leak_covariance(A, M, kbar, sigma, c0, dt, hermite_orders, nl), A
    if dt is None:
        sigma_a = lyapunov_2x2(A, (2.0 * s2)[..., None, None] * np.eye(2))
        if nl.closed_form:
            from . import _generated

            v_orth = _generated.erf_v_orth(lam, sigma)
        else:
            v_orth = v_orth_general(gamma, kappa_sq, c0)
    else:
        from . import _generated

        sigma_a = stein_2x2(A, 2.0 * s2, dt)
        v_orth = _generated.euler_v_orth_general(gamma, kappa_sq, c0, dt)
    vp = v_plus(rho)
    return sigma_a + v_orth[..., None, None] * vp[..., :, None] * vp[..., None, :], A


def _require_below_lambda_plus(valid: _checks.Validity, lam_m: NDArray, lam: NDArray) -> None:
    valid.require(
        lam_m < lam,
        "lambda_minus",
        lam_m,
        f"< lambda_plus = {_checks.format_value(lam)}" if valid.scalar else "< lambda_plus",
        "A has the eigenvalue −1 + λ₋/λ₊, so λ₋ ≥ λ₊ makes the fixed point unstable",
    )


def _covariance_checked(
    valid: _checks.Validity,
    lam: NDArray,
    lam_m: NDArray,
    sig: NDArray,
    n: NDArray,
    zt: NDArray,
    out_scale: str,
    theta: NDArray | None,
    nl: Nonlinearity,
    dt: float | None = None,
    hermite_orders: int | None = None,
) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """Validate and compute; returns (Σ, k, ρ, s, λ₋ used) at the masked inputs."""
    valid.finite(lambda_minus=lam_m)
    if theta is not None:
        valid.finite(theta_minus=theta)
    k, rho, s = _correlation_checked(valid, lam, sig, n, zt, out_scale, nl, dt)
    _require_below_lambda_plus(valid, lam_m, lam)
    if theta is not None:
        with np.errstate(all="ignore"):
            sin_gap = np.sin(theta - np.arccos(np.clip(rho, -1.0, 1.0)))
        valid.require(
            np.abs(sin_gap) > _MIN_SIN,
            "theta_minus",
            theta,
            f"not parallel to v₊: |sin(theta_minus − θ₊)| > {_MIN_SIN:.1e} "
            f"(θ₊ = arccos(rho) = {_checks.format_value(np.arccos(np.clip(rho, -1, 1)))})",
            "M = V diag(λ₊, λ₋) V⁻¹ needs independent eigenvectors",
        )
    if hermite_orders is not None and not has_closed_forms(nl):
        with np.errstate(all="ignore"):
            c0 = orthogonal_std(np.where(valid.mask, sig, 1.0), dt) ** 2
        valid.require(
            quadrature_c0_ok(c0),
            "sigma",
            sig,
            f"σ²/(1 − dt/2) <= {QUADRATURE_MAX_C0:g} with hermite_orders for "
            f"{nl.name!r} (the Hermite quadrature route's domain)",
        )
    m = valid.mask
    lam_ = np.where(m, lam, 3.0)
    sig_ = np.where(m, sig, 1.0)
    lam_m_ = np.where(m, lam_m, -1.0)
    rho_ = np.where(m, rho, 0.5)
    k_ = np.where(m, k, 1.0)
    theta_ = None if theta is None else np.where(m, theta, 0.0)
    with np.errstate(all="ignore"):
        sigma_mat, A = _covariance_core(
            lam_, k_, sig_, rho_, lam_m_, theta_, nl, dt, hermite_orders
        )
    valid.require(
        is_stable_2x2(A),
        "nonlinearity",
        nl.name,
        "one with ⟨φ'''⟩ < 0 at the fixed point",
        "A has the eigenvalue γ = q‖κ̄‖² ≥ 0 here, so the fixed point is unstable",
    )
    if dt is not None:
        valid.require(
            is_stable_map_2x2(A, dt),
            "dt",
            dt,
            "small enough that B = I + dt·A has its eigenvalues inside the unit circle",
            "the Euler map is unstable at this fixed point, e.g. |1 + dt(−1 + λ₋/λ₊)| ≥ 1",
        )
    valid.require(np.isfinite(sigma_mat).all(axis=(-1, -2)), "theta_minus", theta, "finite Σ")
    return sigma_mat, k_, rho_, s, lam_m_


def _prepare(
    lambda_plus: ArrayLike,
    lambda_minus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike,
    out_scale: str,
    theta_minus: ArrayLike | None,
    nonlinearity: NonlinearitySpec,
) -> tuple[_checks.Validity, Nonlinearity, list[NDArray]]:
    nl = get_nonlinearity(nonlinearity)
    _require_isolated(nl)
    _checks.check_choice("out_scale", out_scale, _checks.OUT_SCALES)
    values: dict[str, ArrayLike] = dict(
        lambda_plus=lambda_plus, lambda_minus=lambda_minus, sigma=sigma, N=N, z_target=z_target
    )
    if theta_minus is not None:
        values["theta_minus"] = theta_minus
    arrays = _checks.as_float64(**values)
    scalar = _checks.is_scalar_call(*values.values())
    return _checks.Validity(scalar, arrays[0].shape), nl, arrays


def _bulk_covariance(
    lambda_plus: ArrayLike,
    lambda_minus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike,
    out_scale: str,
    theta_minus: ArrayLike | None,
    nonlinearity: NonlinearitySpec,
    g: ArrayLike,
    orders: int | None,
    feedback: str,
) -> tuple[NDArray, NDArray, _checks.Validity]:
    """Σ with a random bulk g > 0 at the L_bias = 0 geometry (ρ from
    :func:`meanfield.fixed_point._bulk_correlation`), by
    :func:`meanfield.bulk_fluctuations.bulk_latent_covariance`; returns (Σ, s, validity)."""
    from .bulk_fluctuations import bulk_latent_covariance

    valid, rho, s = _bulk_correlation(lambda_plus, sigma, N, z_target, out_scale, nonlinearity, g)
    if not _checks.is_scalar_call(lambda_minus, theta_minus):
        valid.scalar = False
    sig_mat = bulk_latent_covariance(
        lambda_plus,
        lambda_minus,
        sigma,
        g,
        np.where(valid.mask & np.isfinite(rho), rho, 1.0),
        theta_minus,
        nonlinearity,
        hermite_orders=orders,
        variance_feedback=feedback,
    )
    sig_mat = np.asarray(sig_mat, float)
    shape = np.broadcast_shapes(valid.mask.shape, sig_mat.shape[:-2])
    valid.mask = np.broadcast_to(valid.mask, shape).copy()
    return sig_mat, np.broadcast_to(s, shape), valid


@_checks.errors_option
def latent_covariance(
    lambda_plus: ArrayLike,
    lambda_minus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike = 1.0,
    out_scale: str = "large",
    theta_minus: ArrayLike | None = None,
    nonlinearity: NonlinearitySpec = "erf",
    *,
    dt: float | None = None,
    hermite_orders: int | None = None,
    g: ArrayLike = 0.0,
    variance_feedback: str = "adiabatic",
) -> NDArray[np.float64]:
    """Stationary covariance Σ of δκ̃ = √N(κ − κ̄) in the (u₁, u₂) basis (THEORY §2).

    Σ = Σ_A + v_orth v₊v₊ᵀ with θ₊ = arccos ρ from L_bias = 0
    (:func:`meanfield.correlation`).

    **Arguments**
    - lambda_plus, lambda_minus: eigenvalues λ₊ > λ_min and λ₋ < λ₊ of M.
    - sigma: noise σ ≥ 0; N: number of neurons ≥ 1; z_target: ẑ > 0.
    - out_scale: "large" or "small" output weights.
    - theta_minus: angle of v₋ to the u₁ axis in radians; None = symmetric M.
    - nonlinearity: "erf", "tanh" or a callable φ (see meanfield.nonlinearities).
    - dt: None (continuous time, THEORY §2) or the Euler–Maruyama step in (0, 2): the
      linear-noise prediction for the simulated map (see the module docstring).
    - hermite_orders: None (THEORY §2: private noise + v_orth) or K ≥ 1 to include the
      finite-N noise that leaks through φ, Hermite orders 1..K (:mod:`meanfield.hermite_noise`;
      replaces v_orth, which is part of order 2). K = 8 converges to ~1e-3 relative at the
      THEORY §5 settings.
    - g: random-bulk gain ≥ 0 (THEORY §7). g > 0 (continuous time, erf or tanh, σ > 0,
      λ₊ > λ_c(g, σ)): the linear-noise approximation with the bulk's coloured drives
      (:mod:`meanfield.bulk_fluctuations`), ρ from L_bias = 0 with the bulk state's ‖κ̄‖.
    - variance_feedback: with g > 0, "adiabatic" (default) or "none": how the orthogonal
      variance follows δκ (see :mod:`meanfield.bulk_fluctuations`); ignored at g = 0.

    **Returns** Σ of shape (..., 2, 2) (broadcast shape of the inputs), NaN at
    infeasible entries in array calls; ValueError in scalar calls.
    """
    if _bulk_g(g, dt):
        sig_mat, _, valid = _bulk_covariance(
            lambda_plus,
            lambda_minus,
            sigma,
            N,
            z_target,
            out_scale,
            theta_minus,
            nonlinearity,
            g,
            _checks.check_hermite_orders(hermite_orders),
            variance_feedback,
        )
        return valid.finish(sig_mat, trailing=2)
    valid, nl, arrays = _prepare(
        lambda_plus, lambda_minus, sigma, N, z_target, out_scale, theta_minus, nonlinearity
    )
    theta = arrays[5] if theta_minus is not None else None
    lam5, lam_m5, sig5, n5, zt5 = arrays[:5]
    sigma_mat, *_ = _covariance_checked(
        valid,
        lam5,
        lam_m5,
        sig5,
        n5,
        zt5,
        out_scale,
        theta,
        nl,
        _checks.check_dt(dt),
        _checks.check_hermite_orders(hermite_orders),
    )
    return valid.finish(sigma_mat, trailing=2)


@_checks.errors_option
def loss_var(
    lambda_plus: ArrayLike,
    lambda_minus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike = 1.0,
    out_scale: str = "large",
    theta_minus: ArrayLike | None = None,
    nonlinearity: NonlinearitySpec = "erf",
    *,
    dt: float | None = None,
    hermite_orders: int | None = None,
    g: ArrayLike = 0.0,
    variance_feedback: str = "adiabatic",
) -> Any:
    """Output variance L_var = s²Σ₁₁ at the L_bias = 0 fixed point (THEORY §2).

    Same arguments and feasibility as :func:`latent_covariance` (``g`` > 0: the random-bulk
    linear-noise approximation). Symmetric M
    with erf uses the derived closed form (``_generated.erf_sigma11_symmetric``);
    all other cases (and every ``dt``: the Euler-map prediction) the numeric route.

    **Returns** L_var, broadcast shape of the inputs (float for a scalar call).
    Example: ``loss_var(1.9, -5.0, 1.0, 256)``.

    Accuracy (numerical, not the model error of the chosen variant): closed form 1e-12;
    numeric route (2×2 Lyapunov/Stein) to the same, agreeing with it to 1e-10 (tests); the
    Hermite route 1e-9 against erf's closed-form drives for ‖κ̄‖ ∈ [0.3, 40], c₀ ≤ 49 (see :func:`meanfield.hermite_noise.drive_covariances`). Inside the
    domain (``feasible``) the result is finite and > 0 (hypothesis over σ ∈ [1e-3, 30],
    λ₊ up to 1000λ_min, N up to 1e6, dt down to 1e-8: tests/meanfield/test_accuracy_contract.py).
    """
    if _bulk_g(g, dt):
        sig_mat, s, valid = _bulk_covariance(
            lambda_plus,
            lambda_minus,
            sigma,
            N,
            z_target,
            out_scale,
            theta_minus,
            nonlinearity,
            g,
            _checks.check_hermite_orders(hermite_orders),
            variance_feedback,
        )
        return valid.finish(s * s * sig_mat[..., 0, 0])
    valid, nl, arrays = _prepare(
        lambda_plus, lambda_minus, sigma, N, z_target, out_scale, theta_minus, nonlinearity
    )
    theta = arrays[5] if theta_minus is not None else None
    dt = _checks.check_dt(dt)
    orders = _checks.check_hermite_orders(hermite_orders)
    if theta is None and nl.closed_form and dt is None and orders is None:
        from . import _generated

        lam, lam_m, sig, n, zt = arrays
        valid.finite(lambda_minus=lam_m)
        _, rho, s = _correlation_checked(valid, lam, sig, n, zt, out_scale, nl)
        _require_below_lambda_plus(valid, lam_m, lam)
        m = valid.mask
        with np.errstate(all="ignore"):
            s11 = _generated.erf_sigma11_symmetric(
                np.where(m, lam, 3.0),
                np.where(m, lam_m, -1.0),
                np.where(m, sig, 1.0),
                np.where(m, rho, 0.5),
            )
        return valid.finish(s * s * s11)
    lam5, lam_m5, sig5, n5, zt5 = arrays[:5]
    sigma_mat, _, _, s, _ = _covariance_checked(
        valid, lam5, lam_m5, sig5, n5, zt5, out_scale, theta, nl, dt, orders
    )
    return valid.finish(s * s * sigma_mat[..., 0, 0])
