"""Closed forms of the Hermite drives of :mod:`meanfield.hermite_noise` for φ = erf(αx), with sympy.

The finite-N leak of the orthogonal noise through φ (issue 5, part 3) expands φ(a + η),
η ~ N(0, c₀), in Hermite polynomials of η/√c₀. This module derives, for the reference
nonlinearity φ(x) = erf(αx), α = √π/2 (THEORY §2), every ingredient in closed form:

(a) **Coefficients.** h_n(a) = E_η[φ(a + η) He_n(η/√c₀)]/n!. Gaussian integration by parts
    (E[f(η)He_n(η/√c₀)] = c₀^{n/2}E[f⁽ⁿ⁾(η)], checked below on the complete family f = e^{τη})
    gives h_n = c₀^{n/2}/n!·dⁿ⁻¹/daⁿ⁻¹ G(a) with the smoothed gain G(a) = E_η[φ'(a + η)]. sympy
    integrates G = G₀ exp(−β²a²), β² = α²/(1 + 2α²c₀), and differentiates:
    h_n(a) = c₀^{n/2}/n!·G(a)·P_{n−1}(a), P_m a polynomial (a scaled Hermite polynomial).
(b) **Time correlation (Mehler).** For a unit-variance Gaussian pair with correlation q,
    E[He_n(x_t)He_m(x_0)] = δ_nm n! qⁿ: with q = e^{−|t|} (OU process) the order-n drive has
    autocovariance n!e^{−n|t|} (rate n), with q = (1 − dt)^k (the Euler map's AR(1)) the AR
    coefficient (1 − dt)ⁿ used by :func:`meanfield.hermite_noise.leak_covariance`; orders are
    mutually uncorrelated. Checked for n, m ≤ 4 by exact Gaussian moments.
(c) **Drive covariances.** D_n = n!·E_u[uuᵀh_n(u·κ̄)²] = par_n k̂k̂ᵀ + perp_n (I − k̂k̂ᵀ)
    (u ~ N(0, I₂); par with the extra s², s = u·k̂): Gaussian integrals of a Gaussian² times a
    polynomial, E_s[s^{2j}e^{−cs²}] = (−1)ʲ dʲ/dcʲ (1 + 2c)^{−1/2}. With
    y = 1/(1 + 4β²‖κ̄‖²) ∈ (0, 1] every D_n (n ≥ 2) is n!·c₀ⁿ/n!²·G₀²β^{2(n−1)}·√y·R_n(y),
    R_n a polynomial printed in Horner form (the alternating-sign Bernstein form loses digits;
    Horner in y keeps ~1e-13 relative up to n = 16, measured against 50-digit mpmath).
    Order 1 is centred (η ⊥ U removes the common part, module docstring of hermite_noise):
    D₁ = c₀(E[uuᵀg²] − E[uuᵀg]²), g = h₁/√c₀ = G; its closed form is factored so that the
    k → 0 cancellation (D₁ → 0) is exact: with v = √y, perp₁ = c₀G₀²v(1 − v)²/(1 + v²) and
    1 − v = 4β²‖κ̄‖²y/(1 + v) (D₁ = O(‖κ̄‖⁴) to full relative precision).

Results (each a :class:`meanfield.symbolic.Result` with a (K, 1) Matrix expression, K =
:data:`meanfield._checks.MAX_HERMITE_ORDER`): ``erf_hermite_coefficients(a, c0)``,
``erf_hermite_drive_par(kappa_sq, c0)``, ``erf_hermite_drive_perp(kappa_sq, c0)``, printed into
``meanfield/_generated.py`` by :mod:`meanfield.symbolic.codegen`. ``derive_hermite().checks``
must all be True. Cost: a few seconds (measured in tests/meanfield/test_symbolic.py), cached per process.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import sympy as sp

from .._checks import MAX_HERMITE_ORDER
from .symbols import ALPHA, Result, _result, c0, x

__all__ = ["HermiteDerivation", "derive_hermite"]

#: preactivation along U, a = u·κ̄ (real)
a = sp.Symbol("a", real=True)
#: ‖κ̄‖²
kappa_sq = sp.Symbol("kappa_sq", positive=True)
_eta = sp.Symbol("eta", real=True)
_s = sp.Symbol("s", real=True)  # standard Gaussian u·k̂
_b2 = sp.Symbol("b2", positive=True)  # β², a placeholder during the algebra
_y = sp.Symbol("y", positive=True)  # 1/(1 + 4β²‖κ̄‖²)
_v = sp.Symbol("v", positive=True)  # √y


class HermiteDerivation(NamedTuple):
    """Results of :func:`derive_hermite` (module docstring) and its ``checks`` (name -> bool)."""

    coefficients: Result
    drive_par: Result
    drive_perp: Result
    checks: dict


def _gauss(expr: sp.Expr, var: sp.Symbol, variance: sp.Expr = sp.S.One) -> sp.Expr:
    """E[expr] over var ~ N(0, variance), by sympy integration (over var = √variance·s)."""
    std = sp.Symbol("s_std", real=True)
    dens = sp.exp(-(std**2) / 2) / sp.sqrt(2 * sp.pi)
    integrand = sp.expand(expr.subs(var, sp.sqrt(variance) * std) * dens)
    return sp.simplify(sp.integrate(integrand, (std, -sp.oo, sp.oo), conds="none"))


def _gauss_moments(poly: sp.Expr, variables: tuple[sp.Symbol, ...]) -> sp.Expr:
    """E[poly] for independent standard Gaussian ``variables`` (exact moments (m − 1)!!)."""
    P = sp.Poly(sp.expand(poly), *variables)
    total = sp.Integer(0)
    for powers, coef in P.terms():
        if any(p % 2 for p in powers):
            continue
        term = coef
        for p in powers:
            term *= sp.factorial2(p - 1)
        total += term
    return sp.expand(total)


def _hermite_e(n: int, t: sp.Expr) -> sp.Expr:
    """Probabilists' Hermite He_n(t) = 2^{−n/2} H_n(t/√2)."""
    return sp.expand(2 ** sp.Rational(-n, 2) * sp.hermite(n, t / sp.sqrt(2)))


@functools.lru_cache(maxsize=1)
def derive_hermite() -> HermiteDerivation:
    """Derive the erf Hermite coefficients and drive covariances (module docstring); cached."""
    checks: dict[str, bool] = {}
    K = MAX_HERMITE_ORDER
    phi = sp.erf(ALPHA * x)
    dphi = sp.diff(phi, x)

    # --- (a) smoothed gain G(a) = E_η φ'(a + η) = G₀ exp(−β²a²)
    G = _gauss(dphi.subs(x, a + _eta), _eta, c0)
    G0 = sp.simplify(G.subs(a, 0))
    beta2 = sp.simplify(-sp.diff(sp.log(G), a, 2) / 2)
    checks["smoothed_gain_is_gaussian"] = sp.simplify(G - G0 * sp.exp(-beta2 * a**2)) == 0
    checks["beta_is_alpha_over_sqrt"] = sp.simplify(beta2 - ALPHA**2 / (1 + 2 * ALPHA**2 * c0)) == 0
    # Gaussian integration by parts, E[f(η)He_n(η/√c₀)] = c₀^{n/2}E[f⁽ⁿ⁾(η)], on the monomials
    # f = η^j, j ≤ 10 (dense in L² of the Gaussian: the identity used for every φ), exact moments
    checks["integration_by_parts"] = all(
        sp.simplify(
            _gauss_moments((sp.sqrt(c0) * _s) ** j * _hermite_e(n, _s), (_s,))
            - c0 ** sp.Rational(n, 2)
            * _gauss_moments(sp.diff(_eta**j, _eta, n).subs(_eta, sp.sqrt(c0) * _s), (_s,))
        )
        == 0
        for n in range(1, 9)
        for j in range(11)
    )
    # h_n = c₀^{n/2}/n!·G⁽ⁿ⁻¹⁾(a) = c₀^{n/2}/n!·G(a)·P_{n−1}(a) (P from G₀e^{−b²a²} with b² = β²)
    gauss_b = sp.exp(-_b2 * a**2)
    polys = [sp.Integer(1)]
    for _ in range(K - 1):
        polys.append(sp.expand(sp.diff(polys[-1] * gauss_b, a) / gauss_b))  # exp cancels
    h = [
        c0 ** sp.Rational(n, 2) / sp.factorial(n) * G0 * gauss_b * polys[n - 1]
        for n in range(1, K + 1)
    ]
    # independent route for n = 2: one integration by parts (Stein) and a direct integral,
    # h_n = √c₀/n!·E[φ'(a + η)He_{n−1}(η/√c₀)]
    checks["coefficients_direct_integral"] = all(
        sp.simplify(
            sp.sqrt(c0)
            / sp.factorial(n)
            * _gauss(dphi.subs(x, a + _eta) * _hermite_e(n - 1, _eta / sp.sqrt(c0)), _eta, c0)
            - h[n - 1].subs(_b2, beta2)
        )
        == 0
        for n in (2,)
    )

    # --- (b) Mehler: E[He_n(q x₀ + √(1 − q²)ξ) He_m(x₀)] = δ_nm n! qⁿ
    q = sp.Symbol("q", positive=True)
    x0, xi = sp.symbols("x_0 xi", real=True)
    xq = q * x0 + sp.sqrt(1 - q**2) * xi
    checks["mehler_autocovariance"] = all(
        sp.simplify(
            _gauss_moments(_hermite_e(n, xq) * _hermite_e(m, x0), (x0, xi))
            - (sp.factorial(n) * q**n if n == m else 0)
        )
        == 0
        for n in range(1, 5)
        for m in range(1, 5)
    )
    t = sp.Symbol("t", positive=True)
    checks["mehler_ou_rate_n"] = all(
        sp.simplify(
            _gauss_moments(_hermite_e(n, xq) * _hermite_e(n, x0), (x0, xi)).subs(q, sp.exp(-t))
            - sp.factorial(n) * sp.exp(-n * t)
        )
        == 0
        for n in range(1, 5)
    )

    # --- (c) D_n: E_s[s^{2j} e^{−cs²}] = (−1)ʲ dʲ/dcʲ E[e^{−cs²}], E[e^{−cs²}] = (1 + 2c)^{−1/2}
    cc = sp.Symbol("c", positive=True)
    mgf = _gauss(sp.exp(-cc * _s**2), _s)
    checks["gaussian_mgf"] = sp.simplify(mgf - (1 + 2 * cc) ** sp.Rational(-1, 2)) == 0
    zz = sp.Symbol("z", positive=True)  # 1 + 2c
    mgf_z = mgf.subs(cc, (zz - 1) / 2)
    moments = [sp.Integer(1) * mgf_z]
    max_j = K  # s^{2j} with 2j ≤ 2(K − 1) + 2
    for _ in range(max_j):
        moments.append(-2 * sp.diff(moments[-1], zz))

    def e_s(poly_s: sp.Expr, z_val: sp.Expr) -> sp.Expr:
        """E_s[poly(s)·e^{−cs²}] with 1 + 2c = z_val."""
        P = sp.Poly(sp.expand(poly_s), _s)
        out = sp.Integer(0)
        for (m,), coef in P.terms():
            if m % 2 == 0:
                out += coef * moments[m // 2].subs(zz, z_val)
        return out

    k2_of_y = (1 - _y) / (4 * _b2 * _y)  # y = 1/(1 + 4β²‖κ̄‖²)
    par, perp = [], []
    for n in range(1, K + 1):
        if n == 1:
            # g = G(a), a = ‖κ̄‖s; centred by the common part (η ⊥ U)
            kk = sp.sqrt(k2_of_y)
            e_g2 = G0**2 * e_s(sp.Integer(1), 1 / _y)
            e_s2g2 = G0**2 * e_s(_s**2, 1 / _y)
            z1 = sp.simplify(1 + 2 * _b2 * kk**2)  # e^{−β²k²s²}: c = β²k²
            e_g = G0 * e_s(sp.Integer(1), z1)
            e_s2g = G0 * e_s(_s**2, z1)
            par_n = c0 * (e_s2g2 - e_s2g**2)
            perp_n = c0 * (e_g2 - e_g**2)
            # factored in v = √y: the k → 0 cancellation (D₁ → 0) becomes the factor (1 − v)²,
            # and 1 − v = (1 − y)/(1 + v) = 4β²‖κ̄‖²y/(1 + v) is then free of cancellation too
            stable = []
            one_minus_v = 4 * _b2 * kappa_sq * _v**2 / (1 + _v)
            for raw in (par_n, perp_n):
                fac = sp.factor(sp.simplify(raw.subs(_y, _v**2)))
                fac = fac.xreplace({_v - 1: -one_minus_v, 1 - _v: one_minus_v})
                checks.setdefault("order1_factored_form", True)
                checks["order1_factored_form"] &= (
                    _v - 1 not in fac.atoms(sp.Add)
                    and 1 - _v not in fac.atoms(sp.Add)
                    and sp.simplify(
                        (fac - raw.subs(_y, _v**2)).subs(_v, 1 / sp.sqrt(1 + 4 * _b2 * kappa_sq))
                    )
                    == 0
                )
                stable.append(fac)
            par_n, perp_n = stable
        else:
            poly_sq = sp.expand(polys[n - 1].subs(a, sp.sqrt(k2_of_y) * _s) ** 2)
            pref = sp.factorial(n) * c0**n / sp.factorial(n) ** 2 * G0**2
            out = []
            for extra in (_s**2, sp.Integer(1)):
                val = sp.expand(e_s(poly_sq * extra, 1 / _y))  # e^{−2β²k²s²}: 1 + 2c = 1/y
                R = sp.expand(val / (sp.sqrt(_y) * _b2 ** (n - 1)))
                ok = R.is_polynomial(_y) and _b2 not in R.free_symbols
                checks.setdefault("drives_are_sqrt_y_times_polynomial", True)
                checks["drives_are_sqrt_y_times_polynomial"] &= bool(ok)
                out.append(pref * _b2 ** (n - 1) * _v * sp.horner(R.subs(_y, _v**2), wrt=_v))
            par_n, perp_n = out
        par.append(par_n)
        perp.append(perp_n)
    # independent route for n = 2: the s-integrals done by sympy directly,
    # D₂ = 2!·(c₀/2!)²G₀²·E_s[w(s)P₁(‖κ̄‖s)²e^{−2β²‖κ̄‖²s²}], w = s² (par) or 1 (perp)
    shape2 = sp.expand(polys[1].subs(a, sp.sqrt(kappa_sq) * _s) ** 2)
    const2 = 2 * (c0 / 2) ** 2 * G0**2
    to_k = {_v: 1 / sp.sqrt(1 + 4 * _b2 * kappa_sq)}
    checks["drive_order2_direct_integral"] = all(
        sp.simplify(
            const2
            * sp.integrate(
                sp.expand(w * shape2 * sp.exp(-2 * _b2 * kappa_sq * _s**2 - _s**2 / 2))
                / sp.sqrt(2 * sp.pi),
                (_s, -sp.oo, sp.oo),
                conds="none",
            )
            - form.subs(to_k)
        )
        == 0
        for w, form in ((_s**2, par[1]), (sp.Integer(1), perp[1]))
    )

    # final expressions in the generated functions' arguments
    beta_sub = {_b2: beta2}
    v_of = sp.sqrt(1 / (1 + 4 * beta2 * kappa_sq))
    coef_expr = sp.Matrix([e.subs(beta_sub) for e in h])
    par_expr = sp.Matrix([e.subs(_v, v_of).subs(beta_sub) for e in par])
    perp_expr = sp.Matrix([e.subs(_v, v_of).subs(beta_sub) for e in perp])
    doc_k = f"n = 1..{K}"
    return HermiteDerivation(
        coefficients=_result(
            "erf_hermite_coefficients",
            coef_expr,
            (a, c0),
            ("a", "c0"),
            f"h_n(a) = E_η[φ(a + η)He_n(η/√c₀)]/n!, η ~ N(0, c₀), φ = erf(√π/2 x), {doc_k}"
            " (meanfield.hermite_noise, derived in meanfield.symbolic.hermite)",
        ),
        drive_par=_result(
            "erf_hermite_drive_par",
            par_expr,
            (kappa_sq, c0),
            ("kappa_sq", "c0"),
            f"D_n along κ̄ (k̂k̂ᵀ part of the Hermite drive covariance), erf, {doc_k}",
        ),
        drive_perp=_result(
            "erf_hermite_drive_perp",
            perp_expr,
            (kappa_sq, c0),
            ("kappa_sq", "c0"),
            f"D_n across κ̄ ((I − k̂k̂ᵀ) part of the Hermite drive covariance), erf, {doc_k}",
        ),
        checks=checks,
    )
