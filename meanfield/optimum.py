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
(checked numerically in tests/meanfield/test_optimum.py), so there is no finite
minimiser.

Beyond the paper (issue 5): ``dt=`` minimises the Euler-map L_var and ``hermite_orders=K`` the
Hermite linear-noise L_var (:func:`meanfield.loss_var` with the same options), by the same
derivative bisection: with dt, λ₊ = 1/⟨φ'⟩(c₀ + k) uses the map's orthogonal variance
c₀ = σ²/(1 − dt/2), ρ is unchanged, and the search starts above both the ρ ≤ 1 boundary and the
map's stability edge. For symmetric M the map B = I + dt·A has the eigenvalues 1 + dtγ
(γ ∈ (−1, 0), always inside) and 1 + dt(−1 + λ₋/λ₊), which leaves the unit circle for
λ₊ ≤ λ_s = λ₋dt/(dt − 2); L_var → ∞ there, so the optimum is interior to λ₊ > λ_s. Both routes
are complex-analytic in u (the Hermite drives included), so the complex-step slope is exact
there too. ``dt=None, hermite_orders=None`` is the paper's route, unchanged.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from ._repr import concise_repr
from .fixed_point import (
    _kappa_sq,
    _lambda_min,
    _lambda_plus_of_kappa_sq,
    _require_isolated,
    _rho_from_kappa_sq,
    orthogonal_std,
)
from .fluctuations import _covariance_core
from .nonlinearities import Nonlinearity, NonlinearitySpec, get_nonlinearity

_STEP = 1e-30  # complex step
_BISECT_ITER = 80
_EXPAND_ITER = 10  # upper end u_b + 0.5·2^j, j < 10: k up to e^256 k_b


class Optimum(NamedTuple):
    """L_var-optimal fixed point (arrays of the broadcast shape, floats for scalars).

    lambda_plus: λ₊*; kappa_norm: ‖κ̄*‖; rho: ρ* (= 1 exactly when the optimum
    is on the ρ ≤ 1 boundary); loss_var: L_var* = s²Σ₁₁ at λ₊*; approximation: which
    theory was minimised (:func:`approximation_label`), e.g.
    ``"paper (continuous time, N→∞)"`` or ``"Euler map dt=0.2 + Hermite K=8"``.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    lambda_plus: Any
    kappa_norm: Any
    rho: Any
    loss_var: Any
    approximation: str = "paper (continuous time, N→∞)"


def approximation_label(dt: float | None = None, hermite_orders: int | None = None) -> str:
    """Name of the L_var approximation selected by ``dt`` / ``hermite_orders`` (issue 5).

    ``"paper (continuous time, N→∞)"`` (THEORY §2), ``"Euler map dt=0.2"``,
    ``"continuous time + Hermite K=8"`` or ``"Euler map dt=0.2 + Hermite K=8"``.
    """
    if dt is None and hermite_orders is None:
        return Optimum._field_defaults["approximation"]
    base = "continuous time" if dt is None else f"Euler map dt={dt:g}"
    return base if hermite_orders is None else f"{base} + Hermite K={hermite_orders}"


def _loss_var_of_u(
    u: Any,
    lam_m: Any,
    sigma: Any,
    n: Any,
    zt: Any,
    s: Any,
    nl: Nonlinearity,
    dt: float | None = None,
    orders: int | None = None,
) -> Any:
    """L_var as a function of u = log‖κ̄‖² for symmetric M (complex-safe).

    ``dt`` / ``orders``: the Euler-map and Hermite options of :func:`meanfield.loss_var`.
    """
    k = np.exp(u)
    rho = _rho_from_kappa_sq(k, n, zt, s)
    if dt is not None or orders is not None:
        lam = _lambda_plus_of_kappa_sq(k, orthogonal_std(sigma, dt), nl)
        sigma_mat, _ = _covariance_core(lam, k, sigma, rho, lam_m, None, nl, dt, orders)
        return s * s * sigma_mat[..., 0, 0]
    lam = _lambda_plus_of_kappa_sq(k, sigma, nl)
    if nl.closed_form:
        from . import _generated

        return s * s * _generated.erf_sigma11_symmetric(lam, lam_m, sigma, rho)
    sigma_mat, _ = _covariance_core(lam, k, sigma, rho, lam_m, None, nl)
    return s * s * sigma_mat[..., 0, 0]


def _slope(u: NDArray, *args: Any) -> NDArray:
    return np.imag(_loss_var_of_u(u + 1j * _STEP, *args)) / _STEP


def _u_stable(lam_m: NDArray, sigma: NDArray, dt: float | None, nl: Nonlinearity) -> NDArray:
    """log k at the Euler map's stability edge λ₊ = λ_s = λ₋dt/(dt − 2) (−∞: no edge).

    Symmetric M: B = I + dt·A has the eigenvalue 1 + dt(−1 + λ₋/λ₊) along v₋, inside the unit
    circle iff λ₊ > λ_s (module docstring); the other one, 1 + dtγ, always is.
    """
    if dt is None:
        return np.full_like(lam_m, -np.inf)
    sig_c = orthogonal_std(sigma, dt)
    lam_s = lam_m * dt / (dt - 2.0)
    above = lam_s > _lambda_min(sig_c, nl)
    k_s = _kappa_sq(np.where(above, lam_s, _lambda_min(sig_c, nl) + 1.0), sig_c, nl)
    return np.where(above, np.log(k_s), -np.inf)


@_checks.errors_option
def optimum(
    N: ArrayLike,
    lambda_minus: ArrayLike,
    sigma: ArrayLike = 1.0,
    z_target: ArrayLike = 1.0,
    out_scale: str = "large",
    nonlinearity: NonlinearitySpec = "erf",
    *,
    dt: float | None = None,
    hermite_orders: int | None = None,
) -> Optimum:
    """λ₊* minimising L_var subject to L_bias = 0 (ρ ≤ 1), and ‖κ̄*‖, ρ*, L_var*.

    **Arguments**
    - N: number of neurons ≥ 1; lambda_minus: λ₋ < 0 (symmetric M).
    - sigma: noise σ > 0; z_target: ẑ > 0; out_scale: "large" | "small".
    - nonlinearity: "erf", "tanh" or a callable φ.
    - dt: None (continuous time, THEORY §2) or the Euler step in (0, 2): minimise the L_var of
      the simulated Euler map (λ₊* then also keeps the map stable, λ₊* > λ₋dt/(dt − 2)).
    - hermite_orders: None or K in [1, 16]: minimise the Hermite linear-noise L_var
      (:mod:`meanfield.hermite_noise`). Both as in :func:`meanfield.loss_var`.

    **Returns** :class:`Optimum` of the broadcast shape of the inputs. Array
    calls give NaN at infeasible entries (including λ₋ ≥ 0 and σ = 0); scalar
    calls raise ValueError there. When the constrained optimum lies on the
    boundary, ``rho`` is 1 and λ₊* is the λ₊ where ρ = 1.

    ``approximation`` names the theory minimised (:func:`approximation_label`).

    **Accuracy** the stationarity condition dL_var/du = 0 is bisected on its complex-step
    derivative to |Δu| < 1e-13(1 + |u|): k* and λ₊* − λ_min to ~1e-13 relative, L_var* to
    rounding (tests/meanfield/test_optimum.py checks the slope at λ₊* against a central
    difference). Where no finite minimiser exists (λ₋ ≥ 0, or a step ``dt`` too large for
    one) a scalar call names the cause, never a fake optimum (hypothesis over N ∈ [3, 1e6],
    λ₋ ∈ [−100, −0.01], σ ∈ [0.01, 10], dt up to 0.5).

    Example: ``optimum(256, -5.0)``; ``optimum(256, -5.0, dt=0.2, hermite_orders=8)``.
    """
    nl = get_nonlinearity(nonlinearity)
    _require_isolated(nl)
    dt = _checks.check_dt(dt)
    orders = _checks.check_hermite_orders(hermite_orders)
    _checks.check_choice("out_scale", out_scale, _checks.OUT_SCALES)
    n, lam_m, sig, zt = _checks.as_float64(
        N=N, lambda_minus=lambda_minus, sigma=sigma, z_target=z_target
    )
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
    s = _checks.out_scale_factor(out_scale, n_)
    # (λ₋, σ, N, ẑ, s, φ, dt, K): the fixed arguments of _slope and _loss_var_of_u
    args: tuple[Any, ...] = (
        np.where(m, lam_m, -1.0),
        np.where(m, sig, 1.0),
        n_,
        np.where(m, zt, 1.0),
        s,
        nl,
        dt,
        orders,
    )
    with np.errstate(all="ignore"):
        u_b = np.log(args[3] ** 2 / (s * s * n_))
        u_s = _u_stable(args[0], args[1], dt, nl)
        # on the ρ = 1 boundary if L_var rises from there; never where the map is unstable
        # (L_var → ∞ at u_s, so the minimum is interior when u_s ≥ u_b)
        boundary = (u_b > u_s) & (_slope(u_b, *args) >= 0)
        u_b = np.maximum(u_b, u_s)
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
        lam = _lambda_plus_of_kappa_sq(k, orthogonal_std(args[1], dt), nl)
        rho = np.where(boundary, 1.0, _rho_from_kappa_sq(k, n_, args[3], s))
        lv = _loss_var_of_u(u, *args)
    if valid.scalar and not bool(found):
        if dt is not None:
            # name the cause: if the continuous-time problem has a minimiser, the step is it
            # (the Euler map's minimiser grows like 1/(1 − dt) and leaves at dt ≈ 1)
            try:
                cont = optimum(
                    N,
                    lambda_minus,
                    sigma,
                    z_target,
                    out_scale,
                    nonlinearity,
                    hermite_orders=hermite_orders,
                )
            except ValueError:
                cont = None
            if cont is not None and np.isfinite(cont.lambda_plus):
                raise _checks.invalid(
                    "dt",
                    dt,
                    "small enough that the Euler map's L_var has a finite minimiser in λ₊",
                    f"dL_var/dλ₊ stayed ≤ 0 up to ‖κ̄‖² = {np.exp(hi):.3g} at this step, while "
                    f"the continuous-time optimum is λ₊* = {float(cont.lambda_plus):.4g}; "
                    "a smaller dt gives an optimum",
                )
        raise _checks.invalid(
            "lambda_minus",
            lam_m,
            "negative enough that L_var has a finite minimiser in λ₊",
            f"dL_var/dλ₊ stayed ≤ 0 up to ‖κ̄‖² = {np.exp(hi):.3g}; a more negative λ₋ "
            "gives an optimum",
        )
    return Optimum(
        valid.finish(lam),
        valid.finish(np.sqrt(k)),
        valid.finish(rho),
        valid.finish(lv),
        approximation_label(dt, orders),
    )
