"""Large-N laws of the L_var optimum: symbolic (meanfield.symbolic.large_n_scaling) vs the numeric
optimum (meanfield.optimum) at N = 2^16 … 2^24 (THEORY §2, "Optimal solutions and N-scaling").

Tolerances. For large output weights every law has a next-order term smaller by a relative
O(N^(−1/3)) (its prefactor is derived too: ``large_n_next_order``). A measured local log-log
slope between N and 2N then differs from the exponent by ≈ Δ_slope = log2[(1 + r(2N))/(1 + r(N))]
with r(N) = (b/a) N^(−1/3) the predicted relative correction; a measured prefactor Q(N)/N^e
differs from a by ≈ |r(N)|·|a|. Each comparison allows twice that predicted size (the remainder
is O(N^(−2/3)) relative: measured ≤ 0.13·|r| at N = 2^16 and ≤ 0.02·|r| at 2^24, falling
like N^(−1/3) as it should), and separately checks that including the next-order term brings
the prediction closer.
For small output weights the laws are exact in N: the only error is the numeric optimiser's
(u = log‖κ̄‖² bisected to 1e-13(1 + |u|), |u| < 10 here): relative 1e-10 is allowed.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import meanfield as mf
from meanfield.symbolic import PowerLaw, lam_m, large_n_scaling, sigma, z
from meanfield.symbolic.scaling import LambdaStarSmall, large_n_next_order

NS = 2.0 ** np.arange(16, 25)  # N = 2^16 … 2^24
POINTS = [(-5.0, 1.0, 1.0), (-0.5, 0.3, 1.0), (-2.0, 0.5, 2.0)]  # (λ₋, σ, ẑ)
KEYS = ("lambda_gap", "kappa_norm", "rho", "loss_var")


@pytest.fixture(scope="module")
def large():
    return large_n_scaling("large"), large_n_next_order("large")


@pytest.fixture(scope="module")
def small():
    return large_n_scaling("small"), large_n_next_order("small")


def _measured(point, out_scale):
    lm, sg, zt = point
    opt = mf.optimum(NS, lm, sg, zt, out_scale)
    return {
        "lambda_gap": opt.lambda_plus - mf.lambda_min(sg),
        "kappa_norm": opt.kappa_norm,
        "rho": opt.rho,
        "loss_var": opt.loss_var,
    }


def _num(expr, point) -> float:
    vals = dict(zip((lam_m, sigma, z), point, strict=True))
    return float(sp.N(sp.sympify(expr).subs(vals), 30))


def _slope(q: np.ndarray) -> np.ndarray:
    """Local log-log slope between consecutive N (factor 2)."""
    return np.log(q[1:] / q[:-1]) / np.log(2.0)


# ----------------------------------------------------------------------------- structure
def test_invalid_out_scale_raises():
    with pytest.raises(ValueError, match="out_scale"):
        large_n_scaling("medium")
    with pytest.raises(ValueError, match="out_scale"):
        large_n_next_order("LARGE")


def test_laws_are_power_laws_in_the_parameters(large, small):
    for laws in (large[0], large[1], small[0], small[1]):
        assert set(laws) == set(KEYS)
        for law in laws.values():
            assert isinstance(law, PowerLaw)
            assert isinstance(law.exponent, sp.Rational)
            for e in (law.limit, law.prefactor):
                assert sp.sympify(e).free_symbols <= {lam_m, sigma, z}
    assert (
        large_n_scaling("large") is not large[0]
    )  # a fresh dict: callers cannot corrupt the cache


def test_large_weight_exponents_and_targets(large):
    """THEORY §2 targets: δ* = [α²ẑ²(λ_min − λ₋)²/(−λ₋)]^(1/3) N^(−1/3), ‖κ̄*‖ ~ N^(−1/6),
    ρ* ~ N^(−1/3), L_var* → σ²λ_min/(λ_min − λ₋); the derived laws must reproduce them."""
    laws, _ = large
    third = sp.Rational(1, 3)
    assert laws["lambda_gap"].exponent == -third
    assert laws["kappa_norm"].exponent == -third / 2
    assert laws["rho"].exponent == -third
    assert laws["loss_var"].exponent == -third
    for key in ("lambda_gap", "kappa_norm", "rho"):
        assert laws[key].limit == 0
    alpha2 = sp.pi / 4
    lmin = sp.sqrt(1 + 2 * alpha2 * sigma**2)
    delta_pref = (alpha2 * z**2 * (lmin - lam_m) ** 2 / (-lam_m)) ** third
    lim = sigma**2 * lmin / (lmin - lam_m)
    # ρ‖κ̄‖√N = ẑ exactly (L_bias = 0), so the prefactors multiply to ẑ, exponents sum to −1/2
    assert laws["rho"].exponent + laws["kappa_norm"].exponent == -sp.Rational(1, 2)
    rng = np.random.default_rng(3)
    for point in [
        (-rng.uniform(0.1, 20), rng.uniform(0.05, 3), rng.uniform(0.1, 5)) for _ in range(8)
    ]:
        # 30-digit evaluation of two different closed forms: 1e-12 relative is rounding-safe
        assert _num(laws["lambda_gap"].prefactor, point) == pytest.approx(
            _num(delta_pref, point), rel=1e-12
        )
        assert _num(laws["loss_var"].limit, point) == pytest.approx(_num(lim, point), rel=1e-12)
        prod = _num(laws["rho"].prefactor * laws["kappa_norm"].prefactor, point)
        assert prod == pytest.approx(point[2], rel=1e-12)


# ----------------------------------------------------------------------------- large weights
@pytest.mark.parametrize("point", POINTS)
def test_large_weight_laws_vs_numeric_optimum(large, point):
    laws, nxt = large
    meas = _measured(point, "large")
    report = []
    for key in KEYS:
        lim = _num(laws[key].limit, point)
        a, e = _num(laws[key].prefactor, point), float(laws[key].exponent)
        b, e2 = _num(nxt[key].prefactor, point), float(nxt[key].exponent)
        q = meas[key] - lim
        assert np.all(q > 0) if a > 0 else np.all(q < 0)
        r = (b / a) * NS ** (e2 - e)  # predicted relative next-order correction
        # slope: measured vs exponent, allowance 2 × predicted next-order slope shift
        slope = _slope(q)
        shift = np.log((1 + r[1:]) / (1 + r[:-1])) / np.log(2.0)
        assert np.all(np.abs(slope - e) <= 2 * np.abs(shift)), (key, slope, e, shift)
        two_term = e + shift
        # the next-order term explains the deviation: leftover ≤ 1/4 of it (it is O(N^(−1/3))
        # smaller, ≈ 0.004·C at N = 2^24 — 1/4 leaves room for a coefficient C up to ~60)
        assert abs(slope[-1] - two_term[-1]) <= 0.25 * abs(slope[-1] - e), (
            key,
            slope[-1],
            two_term[-1],
        )
        # prefactor: Q(N)/N^e vs a, allowance 2|r(N)| relative
        pref = q / NS**e
        assert np.all(np.abs(pref / a - 1) <= 2 * np.abs(r)), (key, pref, a, r)
        report.append(
            f"{key}: slope {slope[-1]:+.5f} at N=2^24 vs {laws[key].exponent}, "
            f"prefactor {pref[-1]:.5f} vs {a:.5f}"
        )
    print(point, "; ".join(report))


@pytest.mark.parametrize("point", POINTS)
def test_large_weight_loss_limit(large, point):
    """N → ∞ limit of L_var*: L_var*(N) − [limit + a N^(−1/3)] is the next-order term
    b N^(−2/3) (allow 2|b|N^(−2/3)); at N = 2^24 this pins the limit to ~|b|·1e-5."""
    laws, nxt = large
    lv = _measured(point, "large")["loss_var"]
    lim = _num(laws["loss_var"].limit, point)
    a, b = _num(laws["loss_var"].prefactor, point), _num(nxt["loss_var"].prefactor, point)
    rest = lv - lim - a * NS ** (-1 / 3)
    assert np.all(np.abs(rest) <= 2 * abs(b) * NS ** (-2 / 3)), (rest, b * NS ** (-2 / 3))
    # and the limit is the ρ → 0 loss σ²λ_min/(λ_min − λ₋) of THEORY §2
    lm, sg, _ = point
    lmin = mf.lambda_min(sg)
    assert lim == pytest.approx(sg**2 * lmin / (lmin - lm), rel=1e-13)


# ----------------------------------------------------------------------------- small weights
def test_small_weight_exponents(small):
    laws, nxt = small
    for key in ("lambda_gap", "kappa_norm", "rho"):
        assert laws[key].exponent == 0 and laws[key].limit == 0
    assert laws["loss_var"].exponent == -1 and laws["loss_var"].limit == 0
    assert all(law.prefactor == 0 for law in nxt.values())  # exact in N


@pytest.mark.parametrize("point", POINTS + [(-20.0, 1.0, 0.5)])
def test_small_weight_laws_vs_numeric_optimum(small, point):
    laws, _ = small
    meas = _measured(point, "small")
    for key in KEYS:
        pred = _num(laws[key].prefactor, point) * NS ** float(laws[key].exponent)
        # relative 1e-10: numeric optimiser's bisection accuracy (module docstring)
        np.testing.assert_allclose(meas[key], pred, rtol=1e-10, err_msg=key)
    slope = _slope(meas["loss_var"])
    np.testing.assert_allclose(slope, -1.0, atol=1e-10)
    # the implicit λ₊* is a stationary point of the derived loss (interior optimum, ρ* < 1)
    lstar = float(LambdaStarSmall(*point).evalf(30))
    assert meas["rho"][0] < 1

    def f(lam):
        return mf.loss_var(lam, point[0], point[1], 1.0, point[2], "small")

    h = 1e-4 * lstar
    assert f(lstar) <= min(f(lstar - h), f(lstar + h))


def test_small_weight_lambdify_and_bad_input(small):
    laws, _ = small
    fn = sp.lambdify((lam_m, sigma, z), laws["rho"].prefactor, "numpy")
    pts = np.array(POINTS)
    got = fn(pts[:, 0], pts[:, 1], pts[:, 2])
    want = [_num(laws["rho"].prefactor, p) for p in POINTS]
    np.testing.assert_allclose(
        got, want, rtol=1e-12
    )  # float64 vs 30-digit root of the same polynomial
    with pytest.raises(ValueError, match="lambda_minus"):
        LambdaStarSmall(0.5, 1.0, 1.0).evalf()


def test_small_weight_condition_is_an_irreducible_degree_10_polynomial(small):
    """The docstring's reason for the implicit λ₊*: the derived stationarity numerator has a
    single non-constant irreducible factor, of degree 10 in λ₊ (no closed form)."""
    poly = LambdaStarSmall.stationarity
    assert poly is not None and poly.degree() == 10
    _, factors = sp.factor_list(poly.as_expr())
    nonconst = [(f, k) for f, k in factors if sp.Poly(f, poly.gens[0]).degree() > 0]
    assert len(nonconst) == 1 and nonconst[0][1] == 1
    assert sp.Poly(nonconst[0][0], poly.gens[0]).degree() == 10
