"""Finite-dt (Euler–Maruyama) versions of the fluctuation theory, derived with sympy.

The simulations integrate THEORY.md §1 with the Euler–Maruyama map

    x_{t+1} = x_t + dt·(−x_t + W φ(x_t) + W_in u_t) + √dt·√2·σ·ξ_t ,

a discrete-time system whose stationary statistics differ from the continuous-time limit at
O(dt·rate): an isolated unit, x' = (1 − dt)x + √(2dt)σξ, has variance σ²/(1 − dt/2), not σ²,
and a latent mode decaying at rate r has its variance inflated by 1/(1 − dt·r/2). This module
derives, for the map, the three ingredients that :mod:`meanfield.fluctuations` combines
(issue "finite dt"; THEORY §2 otherwise unchanged):

1. ``euler_orthogonal_variance(σ, dt)``: stationary variance c₀ of the activity orthogonal to U
   (solves v = (1 − dt)²v + 2dtσ²). It replaces c₀ = σ² in the fixed-point condition
   λ₊⟨φ'⟩(‖κ̄‖² + c₀) = 1 and in the gain term.
2. ``stein_2x2``: (Σ₁₁, Σ₁₂, Σ₂₂) of the discrete Lyapunov (Stein) equation
   Σ = BΣBᵀ + d·dt·I, B = I + dt·A, the stationary covariance of δκ̃ = √N(κ − κ̄) under the
   linearised map with latent noise covariance 2σ²dt per step (d = 2σ²).
3. ``euler_v_orth_general(γ, ‖κ̄‖², c₀, dt)``: the gain term along v₊ for the map. The orthogonal
   variance estimate ĉ_t fluctuates with autocovariance Cov(x_t², x_0²) = 2c₀²(1 − dt)^{2t}
   (derived here by Gaussian integration over the AR(1) process); it drives
   y_{t+1} = (1 + dtγ) y_t + dt·(γ/(2‖κ̄‖))·√N(ĉ_t − c₀) (the coupling γ/(2‖κ̄‖) along v₊ is the
   one derived in :func:`meanfield.symbolic.derive`); Var y is a double geometric series summed
   by sympy, valid where the map is stable (|1 + dtγ| < 1, 0 < dt < 2).

Checks (``derive_euler().checks``): each result tends to its continuous-time counterpart as
dt → 0 (σ², the continuous Lyapunov solution, ``v_orth_general``).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import sympy as sp

from .derive import derive
from .symbols import Result, _result, c0, eta0, sigma, tau

__all__ = ["EulerDerivation", "derive_euler", "dt"]

#: Euler–Maruyama time step
dt = sp.Symbol("dt", positive=True)


class EulerDerivation(NamedTuple):
    """Results of :func:`derive_euler` (each a :class:`meanfield.symbolic.Result`) and checks."""

    linear_loss_var: Result
    two_phase_tau_of_a: Result
    orthogonal_variance: Result
    stein_2x2: Result
    v_orth_general: Result
    checks: dict


def _convergent(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every Piecewise from ``summation`` replaced by its convergent branch.

    sympy returns Σ_k x^k as Piecewise((1/(1 − x), |x| < 1), (Sum(...), True)); the stationary
    statistics exist only on the convergent side (a stable map), which is what is kept.
    """
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])


@functools.lru_cache(maxsize=1)
def derive_euler() -> EulerDerivation:
    """Derive the Euler-map fluctuation ingredients (a few seconds; cached)."""
    checks: dict[str, bool] = {}
    # --- 1. orthogonal activity: AR(1) x' = (1 − dt)x + √(2dt)σξ
    v = sp.Symbol("v", positive=True)
    (c0_dt,) = sp.solve(sp.Eq(v, (1 - dt) ** 2 * v + 2 * dt * sigma**2), v)
    c0_dt = sp.simplify(c0_dt)
    checks["orthogonal_variance_dt0"] = sp.simplify(sp.limit(c0_dt, dt, 0) - sigma**2) == 0

    # --- 2. Stein equation for the linearised latent map
    a11, a12, a21, a22, dd = sp.symbols("a_11 a_12 a_21 a_22 d", real=True)
    s11, s12, s22 = sp.symbols("s_11 s_12 s_22", real=True)
    A = sp.Matrix([[a11, a12], [a21, a22]])
    S = sp.Matrix([[s11, s12], [s12, s22]])
    B = sp.eye(2) + dt * A
    stein = B * S * B.T + dd * dt * sp.eye(2) - S
    sol = sp.solve([stein[0, 0], stein[0, 1], stein[1, 1]], [s11, s12, s22], dict=True)[0]
    stein_vec = sp.Matrix([sp.factor(sol[s]) for s in (s11, s12, s22)])
    cont = derive().lyapunov_2x2.expr
    checks["stein_dt0_is_lyapunov"] = all(
        sp.simplify(sp.limit(stein_vec[i], dt, 0) - cont[i]) == 0 for i in range(3)
    )

    # --- 3. gain term of the map
    gam = sp.Symbol("gamma", negative=True)
    K = sp.Symbol("K", positive=True)  # ‖κ̄‖²
    step = sp.Symbol("k", integer=True, nonnegative=True)
    s = sp.Symbol("s", integer=True, nonnegative=True)
    decay = sp.Symbol("q_x", positive=True)  # AR(1) coefficient 1 − dt of one orthogonal unit
    xi0, xi1 = sp.symbols("xi_0 xi_1", real=True)
    x0 = sp.sqrt(c0) * xi0
    xk = decay**step * x0 + sp.sqrt(c0 * (1 - decay ** (2 * step))) * xi1

    def std(e: sp.Expr, var: sp.Symbol) -> sp.Expr:
        return sp.integrate(e * sp.exp(-(var**2) / 2) / sp.sqrt(2 * sp.pi), (var, -sp.oo, sp.oo))

    autocov = sp.simplify(std(std(sp.expand(xk**2 * x0**2), xi0), xi1) - c0**2)
    checks["squares_autocovariance_gaussian"] = (
        sp.simplify(autocov - 2 * c0**2 * decay ** (2 * step)) == 0
    )
    a = sp.Symbol("a", positive=True)  # 1 + dt·γ, in (0, 1) on the stable side used here
    r = sp.Symbol("r", positive=True)  # (1 − dt)², per-step decay of the squares' autocovariance
    acov = autocov.subs(decay ** (2 * step), r**step)
    inner = _convergent(sp.summation(a ** (2 * s), (s, 0, sp.oo)))  # Σ_s a^{2s}
    # Σ_{s,s' ≥ 0} a^{s+s'} C(|s − s'|): the diagonal plus twice the k = s' − s ≥ 1 band
    double_sum = inner * (
        acov.subs(step, 0) + 2 * _convergent(sp.summation(a**step * acov, (step, 1, sp.oo)))
    )
    double_sum = sp.factor(sp.simplify(double_sum))
    coupling_sq = gam**2 / (4 * K)
    v_orth_dt = sp.factor(
        sp.simplify((dt**2 * coupling_sq * double_sum).subs({a: 1 + dt * gam, r: (1 - dt) ** 2}))
    )
    cont_v = derive().v_orth_general.expr.subs(sp.Symbol("K", real=True), K)
    checks["v_orth_dt0_is_continuous"] = sp.simplify(sp.limit(v_orth_dt, dt, 0) - cont_v) == 0
    # --- 4. two-phase learning (THEORY §3) under the Euler map: the linear network's block
    # A = −I + [[a, b/√N], [0, 0]]; L_var = Σ₁₁ of the map's Stein equation (N → ∞), and the
    # phase-2 gradient flow da/dτ = −η₀ ∂L_var/∂a integrated to τ(a) (monotone, inverted
    # numerically); the map puts a floor under L_var at a = 1 − 1/dt.
    a_, b_ = sp.symbols("a b", real=True)
    n_ = sp.Symbol("N", positive=True)
    lin = stein_vec[0].subs(
        {a11: -1 + a_, a12: b_ / sp.sqrt(n_), a21: 0, a22: -1, dd: 2 * sigma**2}
    )
    lin_var = sp.factor(sp.limit(sp.simplify(lin), n_, sp.oo))
    rate = sp.factor(sp.simplify(-eta0 * sp.diff(lin_var, a_)))
    tau_of_a = sp.simplify(sp.integrate(sp.factor(1 / rate), (a_, 0, a_)))
    # dt → 0: τ(a) must invert the continuous-time a(τ) of meanfield.symbolic
    a_cont = derive().two_phase["phase2_a"].expr
    checks["two_phase_flow_dt0"] = (
        sp.simplify(sp.limit(tau_of_a, dt, 0).subs(a_, a_cont) - tau) == 0
    )
    checks["linear_loss_var_dt0"] = (
        sp.simplify(
            sp.limit(lin_var, dt, 0).subs(a_, a_cont) - derive().two_phase["phase2_loss_var"].expr
        )
        == 0
    )
    return EulerDerivation(
        linear_loss_var=_result(
            "euler_linear_loss_var",
            lin_var,
            (a_, sigma, dt),
            ("a", "sigma", "dt"),
            "L_var of the §3 linear network under the Euler map, M₁₁ = a, N → ∞",
        ),
        two_phase_tau_of_a=_result(
            "euler_two_phase_tau_of_a",
            tau_of_a,
            (a_, eta0, sigma, dt),
            ("a", "eta0", "sigma", "dt"),
            "phase-2 steps τ at which M₁₁ reaches a, flow driven by the Euler L_var (§3)",
        ),
        orthogonal_variance=_result(
            "euler_orthogonal_variance",
            c0_dt,
            (sigma, dt),
            ("sigma", "dt"),
            "stationary variance of one orthogonal unit under Euler–Maruyama (→ σ² as dt → 0)",
        ),
        stein_2x2=_result(
            "stein_2x2",
            stein_vec,
            (a11, a12, a21, a22, dd, dt),
            ("a11", "a12", "a21", "a22", "d", "dt"),
            "(Σ₁₁, Σ₁₂, Σ₂₂) solving Σ = BΣBᵀ + d·dt·I, B = I + dt·A (Euler map of THEORY §2)",
        ),
        v_orth_general=_result(
            "euler_v_orth_general",
            v_orth_dt,
            (gam, K, c0, dt),
            ("gamma", "kappa_sq", "c0", "dt"),
            "gain term along v₊ for the Euler map, any φ (→ v_orth_general as dt → 0)",
        ),
        checks=checks,
    )
