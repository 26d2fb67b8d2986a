"""Fixed points of the rank-2 latent dynamics and the L_bias = 0 correlation (THEORY §2).

The nonzero fixed point κ̄ = ‖κ̄‖ v₊ of dκ/dt = −κ + ⟨φ'⟩(‖κ‖² + σ²) M κ
satisfies λ₊ ⟨φ'⟩(‖κ̄‖² + σ²) = 1 (c₀ = σ², no random bulk). It exists iff
λ₊ > λ_min = 1/⟨φ'⟩(σ²). Its output is z̄ = s√N κ̄₁ = s√N ‖κ̄‖ ρ, so
L_bias = 0 needs ρ = ẑ/(s√N‖κ̄‖) ≤ 1 (s = 1 large, 1/√N small output weights).

erf uses the derived closed forms of ``meanfield._generated``; every other
nonlinearity solves λ₊⟨φ'⟩(σ² + k) = 1 for k = ‖κ̄‖² with a vectorised,
bracketed Newton–bisection iteration (no loop over points), to a relative
tolerance of 1e-13 in k. It assumes ⟨φ'⟩ decreases with Δ (saturating φ, as
for erf and tanh), so that the root is unique.

Finite time step (``dt=``): the simulated Euler–Maruyama map keeps the same fixed-point
condition with c₀ = σ²/(1 − dt/2), the orthogonal variance of the map
(``_generated.euler_orthogonal_variance``, derived in :mod:`meanfield.symbolic.euler`).
Since the fixed point depends on σ only through c₀, the ``dt`` route evaluates the same
formulas at the effective σ_c = √c₀ (:func:`orthogonal_std`). ``dt=None`` is continuous time.

Infeasible inputs follow :mod:`meanfield._checks`: ValueError in scalar calls,
NaN at the infeasible entries of array calls; :func:`feasible` gives the mask.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .nonlinearities import Nonlinearity, NonlinearitySpec, get_nonlinearity

_ROOT_RTOL = 1e-13
#: |λ₊⟨φ'⟩(σ² + k) − 1| a returned root must reach (rounding of the averages: ~1e-12)
_ROOT_RESIDUAL = 1e-9
_ROOT_MAX_ITER = 200


# --------------------------------------------------------------------------- internals
def orthogonal_std(sigma: Any, dt: float | None) -> Any:
    """√c₀: std of the activity orthogonal to U, σ in continuous time, σ/√(1 − dt/2) for Euler."""
    if dt is None:
        return sigma
    from . import _generated

    return np.sqrt(_generated.euler_orthogonal_variance(sigma, dt))


def _require_isolated(nl: Nonlinearity) -> None:
    if not nl.isolated_fixed_point:
        raise _checks.invalid(
            "nonlinearity",
            nl.name,
            "a nonlinearity whose gain ⟨φ'⟩ depends on Δ ('erf', 'tanh' or a callable)",
            f"for {nl.name!r}, ⟨φ'⟩ is constant, so λ₊⟨φ'⟩ = 1 fixes λ₊ but not ‖κ̄‖: "
            "no isolated nonzero fixed point",
        )


def _lambda_min(sigma: NDArray, nl: Nonlinearity) -> NDArray:
    if nl.closed_form:
        from . import _generated

        return _generated.erf_lambda_min(sigma)
    return 1.0 / nl.mean_dphi(sigma * sigma)


def _lambda_plus_of_kappa_sq(kappa_sq: Any, sigma: Any, nl: Nonlinearity) -> Any:
    """λ₊ = 1/⟨φ'⟩(σ² + ‖κ̄‖²): the inverse map, no root finding (complex-safe)."""
    return 1.0 / nl.mean_dphi(sigma * sigma + kappa_sq)


def _solve_kappa_sq(lam: NDArray, sigma: NDArray, nl: Nonlinearity) -> NDArray:
    """k = ‖κ̄‖² solving λ₊⟨φ'⟩(σ² + k) = 1, vectorised Newton–bisection.

    Requires λ₊ > λ_min at every entry (g(0) = λ₊⟨φ'⟩(σ²) − 1 > 0).
    """
    s2 = sigma * sigma

    def g(k: NDArray) -> NDArray:
        return lam * nl.mean_dphi(s2 + k) - 1.0

    lo = np.zeros_like(lam)
    hi = np.maximum(lam * lam, 1.0)
    # expand the upper end until g(hi) < 0 (⟨φ'⟩ → 0 for saturating φ)
    # (NaN — e.g. a callable's average past its node cap — is not a bracket: it keeps growing
    # and ends unbracketed, where a NaN test once let bisection return a wrong root)
    for _ in range(60):
        g_hi = g(hi)
        grow = ~(g_hi < 0)
        if not grow.any():
            break
        lo = np.where(grow, hi, lo)
        hi = np.where(grow, 4.0 * hi, hi)
    unbracketed = ~(g(hi) < 0)
    k = 0.5 * (lo + hi)
    for _ in range(_ROOT_MAX_ITER):
        gk = g(k)
        lo = np.where(gk > 0, k, lo)
        hi = np.where(gk > 0, hi, k)
        dg = 0.5 * lam * nl.mean_dphi3(s2 + k)  # d⟨φ'⟩/dΔ = ⟨φ'''⟩/2
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = k - gk / dg
        inside = (newton > lo) & (newton < hi) & np.isfinite(newton)
        k_new = np.where(inside, newton, 0.5 * (lo + hi))
        done = np.abs(k_new - k) <= _ROOT_RTOL * np.abs(k_new) + 1e-300
        k = k_new
        if done.all():
            break
    # a root only where g vanishes there (NaN: ⟨φ'⟩ past its averages' domain, or no sign change)
    solved = ~unbracketed & (np.abs(g(k)) <= _ROOT_RESIDUAL)
    return np.where(solved, k, np.nan)


def _require_root(valid: _checks.Validity, k: NDArray, lam: NDArray) -> None:
    """Name λ₊ where λ₊⟨φ'⟩(σ² + ‖κ̄‖²) = 1 has no resolved root (k NaN)."""
    valid.require(
        np.isfinite(k),
        "lambda_plus",
        lam,
        "a value with a root of λ₊⟨φ'⟩(σ² + ‖κ̄‖²) = 1 inside the domain of φ's averages",
        "none found: ⟨φ'⟩ stays above 1/λ₊, or the root lies where the averages of a "
        "callable φ are not resolved (Δ > 1e6)",
    )


def _kappa_sq(lam: NDArray, sigma: NDArray, nl: Nonlinearity) -> NDArray:
    if nl.closed_form:
        from . import _generated

        return _generated.erf_kappa_norm_sq(lam, sigma)
    return _solve_kappa_sq(lam, sigma, nl)


def _rho_from_kappa_sq(kappa_sq: Any, n: Any, z_target: Any, s: Any) -> Any:
    """ρ = ẑ/(s√N‖κ̄‖) (THEORY §2, L_bias = 0); complex-safe, any nonlinearity."""
    return z_target / (s * np.sqrt(n * kappa_sq))


def _validate_fixed_point(
    valid: _checks.Validity,
    lam: NDArray,
    sig: NDArray,
    nl: Nonlinearity,
    dt: float | None = None,
) -> NDArray:
    """Checks λ₊, σ; returns λ_min (NaN where σ is invalid)."""
    valid.finite(lambda_plus=lam, sigma=sig)
    valid.require(
        np.abs(lam) <= _checks.MAX_LAMBDA,
        "lambda_plus",
        lam,
        f"<= {_checks.MAX_LAMBDA:g}",
        "λ₊² must stay finite in float64",
    )
    valid.require(sig >= 0, "sigma", sig, ">= 0 (a noise standard deviation)")
    if nl.needs_positive_delta:
        valid.require(sig > 0, "sigma", sig, "> 0 for a callable nonlinearity")
    with np.errstate(all="ignore"):
        lmin = _lambda_min(orthogonal_std(np.where(valid.mask, sig, 1.0), dt), nl)
    valid.require(
        lam > lmin,
        "lambda_plus",
        lam,
        f"> lambda_min(sigma) = {_checks.format_value(lmin)}" if valid.scalar else "> lambda_min",
        "a nonzero fixed point needs λ₊⟨φ'⟩(σ²) > 1",
    )
    return lmin


def _validate_correlation(
    valid: _checks.Validity, n: NDArray, zt: NDArray, out_scale: str
) -> NDArray:
    valid.finite(N=n, z_target=zt)
    valid.require(n >= 1, "N", n, ">= 1 (number of neurons)")
    valid.require(zt > 0, "z_target", zt, "> 0 (use the mirror fixed point −κ̄ for ẑ < 0)")
    return _checks.out_scale_factor(out_scale, np.where(valid.mask, n, 1.0))


def _correlation_checked(
    valid: _checks.Validity,
    lam: NDArray,
    sig: NDArray,
    n: NDArray,
    zt: NDArray,
    out_scale: str,
    nl: Nonlinearity,
    dt: float | None = None,
) -> tuple[NDArray, NDArray, NDArray]:
    """Validate everything up to ρ ≤ 1; returns (k, ρ, s) on the masked inputs."""
    _validate_fixed_point(valid, lam, sig, nl, dt)
    s = _validate_correlation(valid, n, zt, out_scale)
    m = valid.mask
    lam_ = np.where(m, lam, 3.0)
    with np.errstate(all="ignore"):
        sig_ = orthogonal_std(np.where(m, sig, 1.0), dt)
    n_ = np.where(m, n, 1.0)
    zt_ = np.where(m, zt, 1.0)
    with np.errstate(all="ignore"):
        k = _kappa_sq(lam_, sig_, nl)
    _require_root(valid, k, lam)
    with np.errstate(all="ignore"):
        if nl.closed_form:
            from . import _generated

            rho = (
                _generated.rho_large(lam_, sig_, n_, zt_)
                if out_scale == "large"
                else _generated.rho_small(lam_, sig_, zt_)
            )
        else:
            rho = _rho_from_kappa_sq(k, n_, zt_, s)
    if valid.scalar:
        if not rho <= 1:
            # where ρ = 1: ‖κ̄‖ = ẑ/(s√N), λ₊ = 1/⟨φ'⟩(σ² + ‖κ̄‖²)
            lam_b = _lambda_plus_of_kappa_sq(zt_**2 / (s**2 * n_), sig_, nl)
            raise _checks.invalid(
                "lambda_plus",
                lam,
                f">= {_checks.format_value(lam_b)}, where rho = 1",
                f"it gives rho = ẑ/(s√N‖κ̄‖) = {_checks.format_value(rho)} > 1 for "
                f"N={_checks.format_value(n)}, z_target={_checks.format_value(zt)}, "
                f"out_scale={out_scale!r}: no L_bias = 0 solution",
            )
    else:
        valid.require(rho <= 1, "rho", rho, "<= 1")
    return k, rho, s


# --------------------------------------------------------------------------- public API
def _bulk_g(g: Any, dt: float | None) -> bool:
    """True when a random bulk g > 0 is asked for (then ``dt`` must be None)."""
    _checks.check_real(g=g)
    if np.all(np.asarray(g) == 0):
        return False
    if dt is not None:
        raise _checks.invalid(
            "dt",
            dt,
            "None when g > 0",
            "the random-bulk theory (THEORY §7) is derived in continuous time",
        )
    return True


def _bulk_correlation(
    lambda_plus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike,
    out_scale: str,
    nonlinearity: NonlinearitySpec,
    g: ArrayLike,
) -> tuple[_checks.Validity, NDArray, NDArray]:
    """(validity, ρ, s) with a random bulk g > 0: ρ = ẑ/(s√N‖κ̄‖) with the bulk state's ‖κ̄‖
    (THEORY §7); requires λ₊ > λ_c(g, σ) and ρ ≤ 1."""
    from .bulk import bulk_state

    _checks.check_choice("out_scale", out_scale, _checks.OUT_SCALES)
    values = dict(lambda_plus=lambda_plus, sigma=sigma, N=N, z_target=z_target, g=g)
    lam, sig, n, zt, gg = _checks.as_float64(**values)
    scalar = _checks.is_scalar_call(*values.values())
    shape = np.broadcast_shapes(lam.shape, sig.shape, n.shape, zt.shape, gg.shape)
    valid = _checks.Validity(scalar, shape)
    n, zt = np.broadcast_to(n, shape), np.broadcast_to(zt, shape)
    s = np.broadcast_to(_validate_correlation(valid, n, zt, out_scale), shape)
    st = bulk_state(lambda_plus, sigma, g, nonlinearity)
    valid.require(
        np.broadcast_to(np.asarray(st.fixed_point), shape),
        "lambda_plus",
        np.broadcast_to(lam, shape),
        f"> lambda_c(g, sigma) = {_checks.format_value(st.lambda_c)}"
        if scalar
        else "> lambda_c(g, sigma)",
        "no fixed point below the critical λ₊ (THEORY §7)",
    )
    with np.errstate(all="ignore"):
        rho = np.broadcast_to(zt / (s * np.sqrt(n) * np.asarray(st.kappa_norm, float)), shape)
    valid.require(
        ~(rho > 1),
        "lambda_plus",
        np.broadcast_to(lam, shape),
        "large enough that rho = ẑ/(s√N‖κ̄‖) <= 1 (with the bulk's ‖κ̄‖)",
        "no L_bias = 0 solution",
    )
    return valid, rho, s


@_checks.errors_option
def lambda_min(
    sigma: ArrayLike,
    nonlinearity: NonlinearitySpec = "erf",
    *,
    dt: float | None = None,
    g: ArrayLike = 0.0,
) -> Any:
    """λ_min = 1/⟨φ'⟩(c₀): smallest λ₊ with a nonzero fixed point (THEORY §2).

    For erf, λ_min = sqrt(1 + 2α²σ²) (``_generated.erf_lambda_min``).

    **Arguments** sigma: noise σ ≥ 0 (any shape). nonlinearity: name or callable φ.
    dt: None (continuous time) or the Euler step in (0, 2) (c₀ = σ²/(1 − dt/2)).
    g: random-bulk gain ≥ 0; g > 0 gives the critical λ_c(g, σ) of THEORY §7
    (:func:`meanfield.bulk.bulk_lambda_min`; erf or tanh, σ > 0, continuous time).
    **Returns** λ_min, shape of ``sigma`` (float for a scalar call).
    **Accuracy** erf: closed form, 1e-15 relative; tanh and callables: 1/⟨φ'⟩, as accurate as
    :func:`meanfield.mean_dphi` (1e-10, callables 1e-9); ``g`` > 0: as :func:`bulk_state`.
    """
    if _bulk_g(g, dt):
        from .bulk import bulk_lambda_min

        return bulk_lambda_min(sigma, g, nonlinearity)
    nl = get_nonlinearity(nonlinearity)
    dt = _checks.check_dt(dt)
    valid = _checks.Validity(_checks.is_scalar_call(sigma), np.shape(sigma))
    (sig,) = _checks.as_float64(sigma=sigma)
    valid.finite(sigma=sig)
    valid.require(sig >= 0, "sigma", sig, ">= 0 (a noise standard deviation)")
    if nl.needs_positive_delta:
        valid.require(sig > 0, "sigma", sig, "> 0 for a callable nonlinearity")
    with np.errstate(all="ignore"):
        sig_c = orthogonal_std(np.where(valid.mask, sig, 1.0), dt)
        return valid.finish(_lambda_min(sig_c, nl))


@_checks.errors_option
def fixed_point_norm(
    lambda_plus: ArrayLike,
    sigma: ArrayLike,
    nonlinearity: NonlinearitySpec = "erf",
    *,
    dt: float | None = None,
    g: ArrayLike = 0.0,
) -> Any:
    """‖κ̄‖ of the nonzero fixed point with eigenvalue λ₊ (THEORY §2).

    erf: ‖κ̄‖² = (λ₊² − λ_min²)/(2α²) (generated); others: root of
    λ₊⟨φ'⟩(‖κ̄‖² + σ²) = 1. Requires λ₊ > λ_min(σ), σ ≥ 0. ``dt``: Euler step
    (c₀ = σ²/(1 − dt/2) replaces σ²) or None for continuous time.

    ``g`` > 0: with a random bulk (THEORY §7, :func:`meanfield.bulk.bulk_state`), for
    λ₊ > λ_c(g, σ).

    Accuracy: erf closed form; tanh/callable roots with |λ₊⟨φ'⟩ − 1| at rounding level —
    ‖κ̄‖² to 1e-10 relative for σ ∈ [1e-3, 10], λ₊ up to 1e3 (mpmath residual,
    benchmarks/accuracy_contract.py).

    **Returns** ‖κ̄‖, broadcast shape of the inputs (float for a scalar call).
    Example: ``fixed_point_norm(1.9, 1.0)``.
    """
    if _bulk_g(g, dt):
        from .bulk import bulk_state

        st = bulk_state(lambda_plus, sigma, g, nonlinearity)
        valid = _checks.Validity(
            _checks.is_scalar_call(lambda_plus, sigma, g), np.shape(st.kappa_norm)
        )
        valid.require(
            np.asarray(st.fixed_point),
            "lambda_plus",
            lambda_plus,
            "> λ_c(g, σ) (no nonzero fixed point below it)",
        )
        return valid.finish(np.asarray(st.kappa_norm, float))
    nl = get_nonlinearity(nonlinearity)
    _require_isolated(nl)
    dt = _checks.check_dt(dt)
    lam, sig = _checks.as_float64(lambda_plus=lambda_plus, sigma=sigma)
    valid = _checks.Validity(_checks.is_scalar_call(lambda_plus, sigma), lam.shape)
    _validate_fixed_point(valid, lam, sig, nl, dt)
    m = valid.mask
    with np.errstate(all="ignore"):
        k = _kappa_sq(np.where(m, lam, 3.0), orthogonal_std(np.where(m, sig, 1.0), dt), nl)
    _require_root(valid, k, lam)
    return valid.finish(np.sqrt(k))


@_checks.errors_option
def correlation(
    lambda_plus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike = 1.0,
    out_scale: str = "large",
    nonlinearity: NonlinearitySpec = "erf",
    *,
    dt: float | None = None,
    g: ArrayLike = 0.0,
) -> Any:
    """ρ = cos θ₊ = ẑ/(s√N‖κ̄‖) that makes L_bias = 0 (THEORY §2).

    s = 1 for ``out_scale="large"`` (ρ = O(1/√N), oblique), s = 1/√N for
    ``"small"`` (ρ = ẑ/‖κ̄‖, aligned). Infeasible where ρ > 1 (no L_bias = 0
    solution), λ₊ ≤ λ_min, σ < 0, N < 1, ẑ ≤ 0 or non-finite input.
    ``dt``: Euler step (fixed point of the simulated map) or None (continuous time).
    ``g`` > 0: with a random bulk, ‖κ̄‖ of :func:`meanfield.bulk_state` (THEORY §7; erf or
    tanh, σ > 0, λ₊ > λ_c(g, σ), continuous time).

    **Returns** ρ ∈ (0, 1], broadcast shape (float for a scalar call).
    **Accuracy** ρ ∝ 1/‖κ̄‖ carries half the relative error of ‖κ̄‖² (:func:`fixed_point_norm`:
    erf to rounding, tanh ≤ 1e-10 relative in ‖κ̄‖²).
    """
    if _bulk_g(g, dt):
        valid, rho, _ = _bulk_correlation(
            lambda_plus, sigma, N, z_target, out_scale, nonlinearity, g
        )
        return valid.finish(np.where(valid.mask, rho, np.nan))
    nl = get_nonlinearity(nonlinearity)
    _require_isolated(nl)
    _checks.check_choice("out_scale", out_scale, _checks.OUT_SCALES)
    lam, sig, n, zt = _checks.as_float64(
        lambda_plus=lambda_plus, sigma=sigma, N=N, z_target=z_target
    )
    valid = _checks.Validity(_checks.is_scalar_call(lambda_plus, sigma, N, z_target), lam.shape)
    _, rho, _ = _correlation_checked(valid, lam, sig, n, zt, out_scale, nl, _checks.check_dt(dt))
    return valid.finish(rho)
