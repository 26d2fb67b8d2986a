"""Large-N asymptotics of the L_var optimum, derived with sympy (THEORY §2, "Optimal solutions and
N-scaling").

The starting point is the derived loss of :func:`meanfield.symbolic.derive` (symmetric M, erf,
L_bias = 0): ``loss_var_large`` (s = 1) and ``loss_var_small`` (s = 1/√N), functions of
(λ₊, λ₋, σ, N, ẑ). For given (λ₋ < 0, σ, ẑ) the optimum λ₊*(N) minimises L_var subject to ρ ≤ 1;
from it follow ‖κ̄*‖ (``kappa_norm_sq``), ρ* (``rho_large``/``rho_small``) and L_var*. Nothing of
the results below is typed in: exponents, prefactors and limits are computed here.

Large output weights (method: dominant balance + matched expansion)
    1. L_var is exactly affine in 1/N (checked): L = F(λ₊) + G(λ₊)/N with F the ρ-independent
       part. Write λ₊ = λ_min + δ and σ² through λ_min (solved from ``lambda_min``), so every
       expression is rational in (λ_min, λ₋, δ).
    2. F(λ_min + δ) − F(λ_min) vanishes to order m in δ and G has a pole of order n at δ = 0
       (found from the rational functions: m = 1, n = 2). The two δ-dependent pieces balance for
       δ = y·ε with ε = N^(−p), p = 1/(m + n) = 1/3; then L = F(λ_min) + ε^m c_m(y) +
       ε^(m+1) c_(m+1)(y) + O(ε^(m+2)), a regular series in ε at fixed y (computed by Taylor
       expansion).
    3. dc_m/dy = 0 gives y₀ (the unique positive root; c_m'' > 0 there is checked), the next
       order gives y₁ = −c'_(m+1)(y₀)/c''_m(y₀), so δ* = y₀ε + y₁ε² + O(ε³), and (stationarity)
       L_var* = F(λ_min) + c_m(y₀)ε^m + c_(m+1)(y₀)ε^(m+1) + O(ε^(m+2)).
    4. ‖κ̄*‖² and ρ*² are expanded in ε at δ = y₀ε + y₁ε² and square-rooted.
    Result: δ* ∝ N^(−1/3), ‖κ̄*‖ ∝ N^(−1/6), ρ* ∝ N^(−1/3), L_var* → σ²λ_min/(λ_min − λ₋) with
    a correction ∝ N^(−1/3). Every next-order term is smaller by a relative O(N^(−1/3)) and is
    returned by :func:`large_n_next_order` (tests use it to set their tolerances). Since ρ* → 0,
    the constraint ρ ≤ 1 is inactive at large N (interior optimum).

Small output weights (exact in N)
    ``loss_var_small`` · N and ``rho_small`` do not depend on N (checked), so λ₊*, ‖κ̄*‖, ρ* are
    N-independent (exponent 0) and L_var* = c/N (exponent −1), with no corrections at all in
    this theory. λ₊* is the minimiser of N·L_var over λ₊ ≥ λ_b (λ_b: ρ = 1). The stationarity
    condition d(N·L_var)/dλ₊ = 0 is derived symbolically: its numerator is a polynomial of
    degree 10 in λ₊ with coefficients in (λ₋, σ, ẑ), irreducible over Q(π, λ₋, σ, ẑ)
    (``sympy.factor_list``; tests/meanfield/test_large_n.py checks it), so no closed-form root. λ₊* is
    therefore returned as the *implicitly defined* sympy function :class:`LambdaStarSmall`
    (λ₋, σ, ẑ): ``.evalf()`` (any precision) and ``lambdify`` (numpy) evaluate it by taking the
    real roots of that polynomial above λ_b, adding the boundary λ_b, and picking the one with
    the smallest loss. The prefactors of the small-weight laws are sympy expressions in it.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import prec_to_dps

from .. import _checks
from .derive import derive
from .symbols import N as N_sym
from .symbols import lam_m, lam_p, sigma, z

__all__ = ["LambdaStarSmall", "PowerLaw", "large_n_next_order", "large_n_scaling"]


class PowerLaw(NamedTuple):
    """Large-N law ``quantity(N) ≈ limit + prefactor * N**exponent``.

    ``exponent`` is a sympy Rational; ``limit`` and ``prefactor`` are sympy expressions in
    (``lam_m``, ``sigma``, ``z``). When the quantity tends to a nonzero constant (exponent 0)
    the constant is carried by ``prefactor`` and ``limit`` is 0.
    """

    limit: Any
    prefactor: Any
    exponent: sp.Rational


#: keys of the returned dictionaries
QUANTITIES: tuple[str, ...] = ("lambda_gap", "kappa_norm", "rho", "loss_var")

# private symbols (all positive so that sympy picks the real positive branches)
_l = sp.Symbol("l", positive=True)  # λ_min, used instead of σ while expanding
_mu = sp.Symbol("mu", positive=True)  # −λ₋ > 0
_t = sp.Symbol("t", positive=True)  # 1/N
_eps = sp.Symbol("epsilon", positive=True)  # N^(−p)
_y = sp.Symbol("y", positive=True)  # δ/ε
_y0, _y1 = sp.symbols("y_0 y_1", real=True)
_w = sp.Symbol("w", positive=True)  # λ_min − 1 > 0 (σ > 0)


class _Laws(NamedTuple):
    leading: dict[str, PowerLaw]
    next_order: dict[str, PowerLaw]


def _validate(out_scale: Any) -> None:
    _checks.check_choice("out_scale", out_scale, _checks.OUT_SCALES)


def large_n_scaling(out_scale: str = "large") -> dict[str, PowerLaw]:
    """Leading large-N power laws of the L_var optimum (THEORY §2 "Optimal solutions and N-scaling").

    **Arguments**
    - out_scale: ``"large"`` (‖w_out‖ = O(1)) or ``"small"`` (‖w_out‖ = O(1/√N)); anything else
      raises ValueError.

    **Returns** dict with keys ``"lambda_gap"`` (λ₊* − λ_min), ``"kappa_norm"`` (‖κ̄*‖),
    ``"rho"`` (ρ*), ``"loss_var"`` (L_var*), each a :class:`~meanfield.symbolic.PowerLaw`
    ``quantity(N) ≈ limit + prefactor·N**exponent`` with ``exponent`` a sympy Rational and
    ``limit``/``prefactor`` sympy expressions in (``lam_m``, ``sigma``, ``z``) for λ₋ < 0.

    Large weights: δ* = [α²ẑ²(λ_min − λ₋)²/(−λ₋)]^(1/3) N^(−1/3) (α² = π/4), ‖κ̄*‖ ∝ N^(−1/6),
    ρ* ∝ N^(−1/3), L_var* = σ²λ_min/(λ_min − λ₋) + O(N^(−1/3)) — all derived (see the module
    docstring for the method), relative corrections O(N^(−1/3)) (:func:`large_n_next_order`).

    Small weights: exponents 0 (λ₊*, ‖κ̄*‖, ρ*) and −1 (L_var*), exact at every N; the
    prefactors contain λ₊* = :class:`LambdaStarSmall` (λ₋, σ, ẑ), defined implicitly by the
    derived degree-10 stationarity polynomial (no closed form) and solved numerically when
    evaluated (``.subs(...).evalf()`` or ``sympy.lambdify``).

    Cached (the first call runs :func:`meanfield.symbolic.derive`, ~30 s, plus ~10 s here).
    Example: ``large_n_scaling("large")["rho"].exponent == Rational(-1, 3)``.
    """
    _validate(out_scale)
    return dict(_laws(out_scale).leading)


def large_n_next_order(out_scale: str = "large") -> dict[str, PowerLaw]:
    """Next-order term of each law of :func:`large_n_scaling` (same keys).

    ``quantity(N) = leading(N) + prefactor·N**exponent + (smaller)``, ``limit`` is 0. For large
    weights the exponent is the leading exponent − 1/3 (relative correction O(N^(−1/3)), the
    remainder is O(N^(−2/3)) relative). For small weights the laws are exact: prefactor 0.
    """
    _validate(out_scale)
    return dict(_laws(out_scale).next_order)


@functools.lru_cache(maxsize=2)  # one entry per out_scale
def _laws(out_scale: str) -> _Laws:
    return _large_weights() if out_scale == "large" else _small_weights()


# ----------------------------------------------------------------------------- helpers
def _taylor(expr: sp.Expr, var: sp.Symbol, order: int) -> list[sp.Expr]:
    """Taylor coefficients [e₀, …, e_order] of a rational ``expr`` at ``var`` = 0 (analytic there).

    Power-series division of numerator by denominator (both polynomials in ``var``), which is
    much faster than differentiating a large rational function.
    """
    num, den = sp.fraction(sp.together(expr))
    P = sp.Poly(sp.expand(num), var)
    Q = sp.Poly(sp.expand(den), var)
    shift = min(m[0] for m in Q.monoms())
    if shift and min(m[0] for m in P.monoms()) < shift:
        raise ValueError("expression has a pole at 0")
    p = [P.coeff_monomial(var ** (k + shift)) for k in range(order + 1)]
    q = [Q.coeff_monomial(var ** (k + shift)) for k in range(order + 1)]
    out: list[sp.Expr] = []
    for k in range(order + 1):
        acc = p[k] - sum((q[j] * out[k - j] for j in range(1, k + 1)), sp.S.Zero)
        out.append(sp.factor(sp.cancel(acc / q[0])))
    return out


def _order_at_zero(expr: sp.Expr, var: sp.Symbol) -> int:
    """Order of the zero (> 0) or pole (< 0) of a rational function at ``var`` = 0."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))

    def low(e: sp.Expr) -> int:
        return min(m[0] for m in sp.Poly(e, var).monoms())

    return low(num) - low(den)


def _sqrt_law(coeffs: list[sp.Expr], power: int, p: sp.Rational) -> tuple[PowerLaw, PowerLaw]:
    """√ of ε^power (a₀ + a₁ε + …), ε = N^(−p): leading and next-order PowerLaw."""
    a0, a1 = coeffs[power], coeffs[power + 1]
    lead = sp.sqrt(a0)
    e = -p * sp.Rational(power, 2)
    return PowerLaw(sp.S.Zero, lead, e), PowerLaw(sp.S.Zero, lead * a1 / (2 * a0), e - p)


def _tidy(expr: sp.Expr) -> sp.Expr:
    """Cheap normal form (cancel + factor; powers of y₀ = R^(1/k) combine automatically)."""
    return sp.factor(sp.cancel(sp.together(expr)))


def _to_public(expr: sp.Expr, lmin_sigma: sp.Expr) -> sp.Expr:
    """Back from (λ_min, −λ₋) to (σ, λ₋), simplified (small expressions: < 1 s each)."""
    return sp.simplify(sp.factor(expr).subs({_mu: -lam_m}).subs(_l, lmin_sigma))


# ----------------------------------------------------------------------------- large weights
def _large_weights() -> _Laws:
    d = derive()
    lmin_sigma = d.lambda_min.expr
    sig_of_l = [s for s in sp.solve(sp.Eq(lmin_sigma, _l), sigma) if s.is_positive is not False]
    assert len(sig_of_l) == 1, sig_of_l
    to_l = {sigma: sig_of_l[0], lam_m: -_mu}

    # 1. L = F(λ₊) + t·G(λ₊), t = 1/N (exactly affine in t)
    loss = d.loss_var_large.expr.subs(N_sym, 1 / _t).subs(to_l)
    F = sp.cancel(sp.together(loss.subs(_t, 0)))
    G = sp.cancel(sp.together(sp.diff(loss, _t)))
    if sp.cancel(sp.together(loss - F - _t * G)) != 0:
        raise AssertionError("loss_var_large is not affine in 1/N")

    # 2. dominant balance: F − F(λ_min) ~ δ^m, G ~ δ^(−n)
    delta = sp.Symbol("delta", positive=True)
    F0 = sp.factor(F.subs(lam_p, _l))
    m = _order_at_zero(F.subs(lam_p, _l + delta) - F0, delta)
    n = -_order_at_zero(G.subs(lam_p, _l + delta), delta)
    assert m > 0 and n > 0, (m, n)
    p = sp.Rational(1, m + n)
    # L(ε, y) − F0 = F(λ_min + εy) − F0 + ε^m · [δ^n G]_(δ = εy) / y^n, regular at ε = 0
    H = sp.cancel(sp.together(G.subs(lam_p, _l + delta) * delta**n))
    reg = F.subs(lam_p, _l + _eps * _y) - F0 + _eps**m * H.subs(delta, _eps * _y) / _y**n
    c = _taylor(reg, _eps, m + 1)
    assert all(ci == 0 for ci in c[:m]), c
    cm, cm1 = c[m], c[m + 1]

    # 3. leading and next-order minimiser
    roots = [r for r in sp.solve(sp.diff(cm, _y), _y) if r.is_positive]
    assert len(roots) == 1, roots
    # y₀ = R^(1/(m+n)) with R > 0 rational: write it so, then powers of y₀ combine exactly
    R = sp.factor(sp.cancel(roots[0] ** (m + n)))
    y0 = R ** sp.Rational(1, m + n)
    assert sp.cancel(sp.diff(cm, _y).subs(_y, y0)) == 0
    curv = _tidy(sp.diff(cm, _y, 2).subs(_y, y0))
    # a minimum for every λ₋ < 0, σ > 0 (λ_min > 1), ẑ > 0
    assert sp.factor(curv.subs(_l, 1 + _w)).is_positive, curv
    y1 = _tidy(-sp.diff(cm1, _y).subs(_y, y0) / curv)
    loss_lead = _tidy(cm.subs(_y, y0))
    loss_next = _tidy(cm1.subs(_y, y0))

    # 4. ‖κ̄‖² and ρ² at λ₊ = λ_min + y₀ε + y₁ε²
    lam_star = _l + _y0 * _eps + _y1 * _eps**2
    k_sq = d.kappa_norm_sq.expr.subs(to_l).subs(lam_p, lam_star)
    rho_sq = (d.rho_large.expr**2).subs(to_l).subs(N_sym, _eps ** -(m + n)).subs(lam_p, lam_star)
    sub0 = {_y0: y0, _y1: y1}
    k_c = [_tidy(e.subs(sub0)) for e in _taylor(k_sq, _eps, 2)]
    k_pow = next(i for i, e in enumerate(k_c) if e != 0)
    # ρ² has a pole-free expansion once multiplied by its leading power; find it
    r_pow = _order_at_zero(rho_sq, _eps)
    r_c = [_tidy(e.subs(sub0)) for e in _taylor(sp.cancel(rho_sq / _eps**r_pow), _eps, 1)]
    r_c = [sp.S.Zero] * r_pow + r_c
    kappa_lead, kappa_next = _sqrt_law(k_c, k_pow, p)
    rho_lead, rho_next = _sqrt_law(r_c, r_pow, p)

    pub = functools.partial(_to_public, lmin_sigma=lmin_sigma)
    zero = sp.S.Zero
    leading = {
        "lambda_gap": PowerLaw(zero, pub(y0), -p),
        "kappa_norm": PowerLaw(zero, pub(kappa_lead.prefactor), kappa_lead.exponent),
        "rho": PowerLaw(zero, pub(rho_lead.prefactor), rho_lead.exponent),
        "loss_var": PowerLaw(pub(F0), pub(loss_lead), -m * p),
    }
    next_order = {
        "lambda_gap": PowerLaw(zero, pub(y1), -2 * p),
        "kappa_norm": PowerLaw(zero, pub(kappa_next.prefactor), kappa_next.exponent),
        "rho": PowerLaw(zero, pub(rho_next.prefactor), rho_next.exponent),
        "loss_var": PowerLaw(zero, pub(loss_next), -(m + 1) * p),
    }
    return _Laws(leading, next_order)


# ----------------------------------------------------------------------------- small weights
class LambdaStarSmall(sp.Function):
    """λ₊* for small output weights as an implicit sympy function of (λ₋, σ, ẑ) (THEORY §2).

    Defined as the minimiser of N·L_var(λ₊) (``derive().loss_var_small``·N, independent of N)
    over λ₊ ≥ λ_b, the λ₊ where ρ = 1. Interior candidates are the real roots above λ_b of the
    derived stationarity polynomial :attr:`stationarity` (degree 10 in λ₊, no closed form); the
    boundary λ_b (:attr:`boundary`) is a candidate too; the value is the candidate with the
    smallest loss. Numeric only: stays unevaluated for symbolic arguments; ``evalf`` solves at
    the requested precision, ``lambdify`` uses a float64 numpy implementation. Requires
    λ₋ < 0 (else no finite minimiser; ValueError).
    """

    nargs = 3
    #: numerator of d(N·L_var)/dλ₊ as a Poly in λ₊ (set by :func:`_small_weights`)
    stationarity: sp.Poly | None = None
    #: λ_b(σ, ẑ): ρ = 1
    boundary: sp.Expr | None = None
    #: N·L_var(λ₊, λ₋, σ, ẑ)
    objective: sp.Expr | None = None

    @classmethod
    def eval(cls, lm: Any, sg: Any, zt: Any) -> None:
        return None  # stays unevaluated; numbers via evalf/lambdify

    def _eval_evalf(self, prec: int) -> sp.Float | None:
        # ``prec`` is binary (sympy's evalf convention); work with 10 guard digits
        if not all(a.is_number and a.is_real for a in self.args):
            return None
        dps = prec_to_dps(prec)
        lm, sg, zt = (a.evalf(dps + 10) for a in self.args)
        return sp.Float(_solve_small(lm, sg, zt, dps + 10), dps)

    @staticmethod
    def _imp_(lm: Any, sg: Any, zt: Any) -> Any:  # numpy implementation used by lambdify
        solve = np.vectorize(lambda a, b, c: float(_solve_small(a, b, c, 25)), otypes=[float])
        out = solve(lm, sg, zt)
        return out[()] if out.ndim == 0 else out


def _solve_small(lm: Any, sg: Any, zt: Any, dps: int) -> sp.Float:
    """Numeric λ₊* of :class:`LambdaStarSmall` with ``dps`` decimal digits."""
    _small_objective()  # sets the class attributes
    cls = LambdaStarSmall
    if not lm < 0:
        raise _checks.invalid("lambda_minus", float(lm), "< 0", "no finite minimiser for λ₋ ≥ 0")
    if not sg > 0:
        raise _checks.invalid("sigma", float(sg), "> 0")
    if not zt > 0:
        raise _checks.invalid("z_target", float(zt), "> 0")
    vals = {lam_m: sp.Float(lm, dps), sigma: sp.Float(sg, dps), z: sp.Float(zt, dps)}
    assert cls.boundary is not None and cls.stationarity is not None, "derived on import"
    assert cls.objective is not None
    lam_b = cls.boundary.subs(vals).evalf(dps)
    coeffs = [cf.subs(vals).evalf(dps) for cf in cls.stationarity.all_coeffs()]
    roots = sp.Poly(coeffs, lam_p).nroots(n=dps, maxsteps=200)
    tol = sp.Float(10, dps) ** (-(dps // 2))  # imaginary parts of real roots: rounding only
    cands = [lam_b] + [
        sp.re(r) for r in roots if abs(sp.im(r)) <= tol * (1 + abs(r)) and sp.re(r) > lam_b
    ]
    f = sp.lambdify(lam_p, cls.objective.subs(vals), modules="mpmath")
    with mpmath.workdps(dps):
        best = min(cands, key=lambda c: f(mpmath.mpf(str(c))))
    return sp.Float(best, dps)


@functools.lru_cache(maxsize=1)
def _small_objective() -> tuple[sp.Expr, sp.Poly, sp.Expr, sp.Expr]:
    d = derive()
    obj = sp.cancel(sp.together(d.loss_var_small.expr * N_sym))
    if N_sym in obj.free_symbols:
        raise AssertionError("N·loss_var_small depends on N")
    num = sp.fraction(sp.cancel(sp.together(sp.diff(obj, lam_p))))[0]
    poly = sp.Poly(sp.expand(num), lam_p)
    rho_s = d.rho_small.expr
    lam_b = [r for r in sp.solve(sp.Eq(rho_s, 1), lam_p) if r.is_positive is not False]
    assert len(lam_b) == 1, lam_b
    LambdaStarSmall.stationarity = poly
    LambdaStarSmall.boundary = sp.simplify(lam_b[0])
    LambdaStarSmall.objective = obj
    return obj, poly, LambdaStarSmall.boundary, rho_s


def _small_weights() -> _Laws:
    obj, _, _, rho_s = _small_objective()
    d = derive()
    if N_sym in d.rho_small.expr.free_symbols:
        raise AssertionError("rho_small depends on N")
    star = LambdaStarSmall(lam_m, sigma, z)
    zero = sp.S.Zero
    leading = {
        "lambda_gap": PowerLaw(zero, star - d.lambda_min.expr, sp.S.Zero),
        "kappa_norm": PowerLaw(zero, sp.sqrt(d.kappa_norm_sq.expr.subs(lam_p, star)), sp.S.Zero),
        "rho": PowerLaw(zero, rho_s.subs(lam_p, star), sp.S.Zero),
        "loss_var": PowerLaw(zero, obj.subs(lam_p, star), sp.S.NegativeOne),
    }
    next_order = {k: PowerLaw(zero, zero, v.exponent - 1) for k, v in leading.items()}
    return _Laws(leading, next_order)
