"""The L_var-optimal solution subject to L_bias = 0 (THEORY §2, "Optimal solutions").

For given N, λ₋ < 0, σ, ẑ and output scale, minimise L_var(λ₊) (symmetric M,
ρ from L_bias = 0) over λ₊ subject to ρ ≤ 1.

Method (vectorised over broadcast N and λ₋, a fixed number of numpy
iterations, no grid and no loop over points):

* Parametrise by u = log k, k = ‖κ̄‖². Then λ₊ = 1/⟨φ'⟩(σ² + k) needs no
  root finding, ρ = ẑ/(s√(N k)), and the constraint ρ ≤ 1 is simply
  u ≥ u_b = log(ẑ²/(s²N)). The log keeps full relative precision when the
  optimum approaches λ_min at large N (λ₊* − λ_min ∝ k* ∝ N^(−1/3) for large
  output weights).
* dL_var/du by the complex step, Im L_var(u + ih)/h (exact to rounding;
  every formula on the path is complex-analytic).
* If dL_var/du ≥ 0 at u_b the optimum is on the boundary ρ = 1 and is
  returned as such (``rho == 1``). Otherwise the upper end is expanded until
  dL_var/du > 0 and the sign change is bisected to |Δu| < 1e-13 (1 + |u|)
  (so k*, and λ₊* − λ_min, to ~1e-13 relative; λ₊* itself far better than
  1e-10 relative). A bisection on the derivative is used rather than
  golden-section on L_var because L_var is flat at the minimum: comparing
  values can only locate u* to ~√ε.

λ₋ < 0 is required: for λ₋ ≥ 0 every term of L_var decreases with λ₊
(checked numerically in tests/test_optimum.py), so there is no finite
minimiser.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .fixed_point import _lambda_plus_of_kappa_sq, _require_isolated, _rho_from_kappa_sq
from .fluctuations import _covariance_core
from .nonlinearities import Nonlinearity, NonlinearitySpec, get_nonlinearity

_STEP = 1e-30  # complex step
_BISECT_ITER = 80
_EXPAND_ITER = 10  # upper end u_b + 0.5·2^j, j < 10: k up to e^256 k_b


class Optimum(NamedTuple):
    """L_var-optimal fixed point (arrays of the broadcast shape, floats for scalars).

    lambda_plus: λ₊*; kappa_norm: ‖κ̄*‖; rho: ρ* (= 1 exactly when the optimum
    is on the ρ ≤ 1 boundary); loss_var: L_var* = s²Σ₁₁ at λ₊*.
    """

    lambda_plus: Any
    kappa_norm: Any
    rho: Any
    loss_var: Any


def _loss_var_of_u(
    u: Any, lam_m: Any, sigma: Any, n: Any, zt: Any, s: Any, nl: Nonlinearity
) -> Any:
    """L_var as a function of u = log‖κ̄‖² for symmetric M (complex-safe)."""
    k = np.exp(u)
    lam = _lambda_plus_of_kappa_sq(k, sigma, nl)
    rho = _rho_from_kappa_sq(k, n, zt, s)
    if nl.closed_form:
        from . import _generated

        return s * s * _generated.erf_sigma11_symmetric(lam, lam_m, sigma, rho)
    sigma_mat, _ = _covariance_core(lam, k, sigma, rho, lam_m, None, nl)
    return s * s * sigma_mat[..., 0, 0]


def _slope(u: NDArray, *args: Any) -> NDArray:
    return np.imag(_loss_var_of_u(u + 1j * _STEP, *args)) / _STEP


def optimum(
    N: ArrayLike,
    lambda_minus: ArrayLike,
    sigma: ArrayLike = 1.0,
    z_target: ArrayLike = 1.0,
    out_scale: str = "large",
    nonlinearity: NonlinearitySpec = "erf",
) -> Optimum:
    """λ₊* minimising L_var subject to L_bias = 0 (ρ ≤ 1), and ‖κ̄*‖, ρ*, L_var*.

    **Arguments**
    - N: number of neurons ≥ 1; lambda_minus: λ₋ < 0 (symmetric M).
    - sigma: noise σ > 0; z_target: ẑ > 0; out_scale: "large" | "small".
    - nonlinearity: "erf", "tanh" or a callable φ.

    **Returns** :class:`Optimum` of the broadcast shape of the inputs. Array
    calls give NaN at infeasible entries (including λ₋ ≥ 0 and σ = 0); scalar
    calls raise ValueError there. When the constrained optimum lies on the
    boundary, ``rho`` is 1 and λ₊* is the λ₊ where ρ = 1.

    Example: ``optimum(256, -5.0)``.
    """
    nl = get_nonlinearity(nonlinearity)
    _require_isolated(nl)
    _checks.check_choice("out_scale", out_scale, _checks.OUT_SCALES)
    n, lam_m, sig, zt = _checks.as_float64(N=N, lambda_minus=lambda_minus, sigma=sigma, z_target=z_target)
    valid = _checks.Validity(_checks.is_scalar_call(N, lambda_minus, sigma, z_target), n.shape)
    valid.finite(N=n, lambda_minus=lam_m, sigma=sig, z_target=zt)
    valid.require(n >= 1, "N", n, ">= 1 (number of neurons)")
    valid.require(
        lam_m < 0,
        "lambda_minus",
        lam_m,
        "< 0",
        "for λ₋ ≥ 0, L_var decreases monotonically in λ₊: no finite minimiser",
    )
    valid.require(sig > 0, "sigma", sig, "> 0 (for σ = 0, L_var ≡ 0 has no unique minimiser)")
    valid.require(zt > 0, "z_target", zt, "> 0 (use the mirror fixed point −κ̄ for ẑ < 0)")
    m = valid.mask
    n_ = np.where(m, n, 1.0)
    args = (np.where(m, lam_m, -1.0), np.where(m, sig, 1.0), n_, np.where(m, zt, 1.0))
    s = _checks.out_scale_factor(out_scale, n_)
    args = args + (s, nl)
    with np.errstate(all="ignore"):
        u_b = np.log(args[3] ** 2 / (s * s * n_))
        boundary = _slope(u_b, *args) >= 0
        lo = u_b.copy()
        hi = u_b + 0.5
        found = boundary.copy()
        for j in range(_EXPAND_ITER):
            found = found | (_slope(hi, *args) > 0)
            if found.all():
                break
            lo = np.where(found, lo, hi)
            hi = np.where(found, hi, u_b + 0.5 * 2.0 ** (j + 1))
        for _ in range(_BISECT_ITER):
            mid = 0.5 * (lo + hi)
            up = _slope(mid, *args) > 0
            lo = np.where(up, lo, mid)
            hi = np.where(up, mid, hi)
            if np.all(((hi - lo) <= 1e-13 * (1.0 + np.abs(mid))) | boundary):
                break
        u = np.where(boundary, u_b, 0.5 * (lo + hi))
        u = np.where(found, u, np.nan)
        k = np.exp(u)
        lam = _lambda_plus_of_kappa_sq(k, args[1], nl)
        rho = np.where(boundary, 1.0, _rho_from_kappa_sq(k, n_, args[3], s))
        lv = _loss_var_of_u(u, *args)
    if valid.scalar and not bool(found):
        raise _checks.invalid(
            "lambda_minus", lam_m, "< 0 with a finite minimiser",
            f"dL_var/dλ₊ stayed ≤ 0 up to ‖κ̄‖² = {np.exp(hi):.3g}",
        )
    return Optimum(
        valid.finish(lam), valid.finish(np.sqrt(k)), valid.finish(rho), valid.finish(lv)
    )
