"""Random-bulk (g > 0) kernels of the dynamic mean-field theory for φ = erf(αx), with sympy.

THEORY.md §7. Two inputs x_a, x_b of one unit at times t and t + τ are jointly Gaussian with
equal variances v = σ_x² = ‖κ̄‖² + c₀ and covariance y = ‖κ̄‖² + Δ(τ). The DMFT needs

* C_φ(y; v) = ⟨φ(x_a)φ(x_b)⟩ — the autocorrelation the bulk feeds back (Δ̈ = Δ − g²C_φ);
* I_φ(y; v) = ∫₀^y C_φ(y'; v) dy' = C_Φ(y) − C_Φ(0) (Φ' = φ), the potential of the
  "particle" Δ (energy conservation between τ = 0⁺ and ∞);
* ∂C_φ/∂y = ⟨φ'(x_a)φ'(x_b)⟩, for Newton steps.

Derivation (Price's theorem: ∂⟨f(x_a)g(x_b)⟩/∂y = ⟨f'(x_a)g'(x_b)⟩): φ'(x) = e^{−α²x²} for
α = √π/2 is a Gaussian, so ⟨φ'(x_a)φ'(x_b)⟩ = 1/√det(I + 2α²Σ) by the Gaussian integral
(Σ the 2×2 covariance; the determinant is computed here). C_φ is its integral from y = 0, where
x_a, x_b are independent and ⟨φ⟩ = 0 (φ odd), and I_φ the integral of C_φ — both by
``sympy.integrate``. Checks: C_φ(v; v) equals ⟨φ²⟩ over N(0, v) integrated independently by
sympy, and the derivative of each result returns its integrand.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import sympy as sp

from .symbols import ALPHA, Result, _result, x

__all__ = ["BulkDerivation", "derive_bulk"]

#: covariance y = ‖κ̄‖² + Δ of the two inputs and their common variance v = σ_x²
y = sp.Symbol("y", real=True)
v = sp.Symbol("v", positive=True)


class BulkDerivation(NamedTuple):
    """Results of :func:`derive_bulk` (each a :class:`meanfield.symbolic.Result`) and checks."""

    dC_phi: Result
    C_phi: Result
    I_phi: Result
    checks: dict


@functools.lru_cache(maxsize=1)
def derive_bulk() -> BulkDerivation:
    """Derive the erf kernels of THEORY §7 (about a second; cached)."""
    checks: dict[str, bool] = {}
    a2 = ALPHA**2
    # ⟨φ'(x_a)φ'(x_b)⟩ with φ'(x) = exp(−α²x²): Gaussian integral = det(I + 2α²Σ)^(−1/2)
    Sigma = sp.Matrix([[v, y], [y, v]])
    det = sp.factor((sp.eye(2) + 2 * a2 * Sigma).det())
    dC = 1 / sp.sqrt(det)
    checks["dphi_is_gaussian"] = (
        sp.simplify(sp.diff(sp.erf(ALPHA * x), x) - sp.exp(-a2 * x**2)) == 0
    )
    t = sp.Symbol("t", real=True)
    C = sp.simplify(sp.integrate(dC.subs(y, t), (t, 0, y)))
    C = C.rewrite(sp.asin) if C.has(sp.atan) else C
    root = 1 + 2 * a2 * v  # √((1 + 2α²v)²) = 1 + 2α²v for v > 0
    C = C.subs(sp.sqrt(sp.expand(root**2)), root)
    I_ = sp.simplify(sp.integrate(C.subs(y, t), (t, 0, y)))
    I_ = I_.subs(sp.sqrt(sp.expand(root**2)), root)
    checks["C_derivative"] = sp.simplify(sp.diff(C, y) - dC) == 0
    checks["I_derivative"] = sp.simplify(sp.diff(I_, y) - C) == 0
    # C_φ at y = v is ⟨φ²⟩ over N(0, v), integrated independently (numerically at v = 0.7,
    # as sympy has no closed form for ⟨erf²⟩)
    second = sp.Integral(
        sp.erf(ALPHA * x) ** 2 * sp.exp(-(x**2) / (2 * v)) / sp.sqrt(2 * sp.pi * v),
        (x, -sp.oo, sp.oo),
    )
    vv = sp.Rational(7, 10)
    checks["C_at_equal_times"] = (
        abs(sp.N(second.subs(v, vv), 30) - sp.N(C.subs({y: vv, v: vv}), 30)) < 1e-25
    )
    doc = "THEORY §7 (random bulk): for φ = erf(αx), inputs of variance v and covariance y"
    return BulkDerivation(
        dC_phi=_result(
            "erf_bulk_dC_phi", dC, (y, v), ("y", "v"), f"⟨φ'(x_a)φ'(x_b)⟩ = ∂C_φ/∂y. {doc}."
        ),
        C_phi=_result("erf_bulk_C_phi", C, (y, v), ("y", "v"), f"C_φ = ⟨φ(x_a)φ(x_b)⟩. {doc}."),
        I_phi=_result(
            "erf_bulk_I_phi",
            I_,
            (y, v),
            ("y", "v"),
            f"I_φ = ∫₀^y C_φ dy' = C_Φ(y) − C_Φ(0) (Φ' = φ). {doc}.",
        ),
        checks=checks,
    )
