"""The sympy derivation (meanfield.symbolic, THEORY §2/§3) against THEORY's printed formulas.

THEORY.md prints closed forms that ``derive()`` must reproduce *without* typing them in; here
they are typed in (from THEORY.md, §2 and §3) as the independent reference. Expressions are
compared symbolically (``simplify(derived − printed) == 0``) or, where simplify is not
conclusive, at random points with 30-digit arithmetic to a relative 1e-12 (far above the
1e-30 rounding of the evaluation, far below any real discrepancy).

``derive()`` costs ~30 s; it is lru_cached, so the module fixture runs it once per session
(tests/meanfield/test_large_n.py reuses the same cached result).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from meanfield import _generated
from meanfield.symbolic import (
    Delta,
    N,
    c0,
    derive,
    eta0,
    lam_m,
    lam_p,
    rho,
    rho_io_sqrtN,
    sigma,
    tau,
    theta,
    z,
)

ALPHA = sp.sqrt(sp.pi) / 2  # THEORY §2: α = √π/2
LMIN = sp.sqrt(1 + 2 * ALPHA**2 * sigma**2)  # THEORY §2: λ_min = √(1 + 2α²σ²)
KSQ = (lam_p**2 - LMIN**2) / (2 * ALPHA**2)  # THEORY §2: ‖κ̄‖²
RTOL_POINTS = 1e-12  # relative, 30-digit evaluation (see module docstring)


@pytest.fixture(scope="module")
def d():
    return derive()


def _points(symbols: list[sp.Symbol], n: int = 12, seed: int = 0) -> list[dict]:
    """Random admissible points: σ ∈ (0.1, 2), λ₊ ∈ (λ_min, λ_min + 5), λ₋ ∈ (−10, 0.9λ₊),
    ρ ∈ (0.05, 1), N ∈ (10, 1e6), ẑ ∈ (0.2, 3), Δ, c₀ ∈ (0.01, 4), θ ∈ (0, 2π)."""
    rng = np.random.default_rng(seed)
    pts = []
    for _ in range(n):
        sg = rng.uniform(0.1, 2.0)
        lmin = float(np.sqrt(1 + np.pi / 2 * sg**2))
        lp = lmin + rng.uniform(0.05, 5.0)
        vals = {
            sigma: sg,
            lam_p: lp,
            lam_m: rng.uniform(-10.0, 0.9 * lp),
            rho: rng.uniform(0.05, 1),
            N: rng.uniform(10, 1e6),
            z: rng.uniform(0.2, 3),
            Delta: rng.uniform(0.01, 4),
            c0: rng.uniform(0.01, 4),
            theta: rng.uniform(0, 2 * np.pi),
        }
        pts.append({s: sp.Float(vals[s], 30) for s in symbols})
    return pts


def _assert_same(derived: sp.Expr, printed: sp.Expr) -> None:
    """simplify(derived − printed) == 0, else equal at random points to RTOL_POINTS."""
    diff = sp.simplify(derived - printed)
    if diff == 0:
        return
    syms = sorted(derived.free_symbols | printed.free_symbols, key=str)
    for pt in _points(syms):
        a = sp.N(derived.subs(pt), 30)
        b = sp.N(printed.subs(pt), 30)
        assert abs(a - b) <= RTOL_POINTS * abs(b), (pt, a, b)


def test_all_checks_true(d):
    assert d.checks, "derive() returned no checks"
    assert all(d.checks.values()), {k: v for k, v in d.checks.items() if not v}


def test_gaussian_averages_match_theory(d):
    # THEORY §2: ⟨φ'⟩ = (1 + 2α²Δ)^(-1/2), ⟨φ'''⟩ = −2α²(1 + 2α²Δ)^(-3/2)
    _assert_same(d.mean_dphi.expr, (1 + 2 * ALPHA**2 * Delta) ** sp.Rational(-1, 2))
    _assert_same(
        d.mean_dphi3.expr, -2 * ALPHA**2 * (1 + 2 * ALPHA**2 * Delta) ** sp.Rational(-3, 2)
    )
    # q = ⟨φ'''⟩/⟨φ'⟩ at the fixed point (Δ = ‖κ̄‖² + σ²) is −2α²/λ₊²
    _assert_same(d.gain_curvature.expr.subs(Delta, KSQ + sigma**2), -2 * ALPHA**2 / lam_p**2)


def test_fixed_point_and_rho_match_theory(d):
    _assert_same(d.lambda_min.expr, LMIN)
    _assert_same(d.kappa_norm_sq.expr, KSQ)
    # ρ = ẑ/(s√N‖κ̄‖), s = 1 (large) and 1/√N (small)
    _assert_same(d.rho_large.expr, z / (sp.sqrt(N) * sp.sqrt(KSQ)))
    _assert_same(d.rho_small.expr, z / sp.sqrt(KSQ))


def test_v_orth_matches_theory(d):
    # THEORY §2: v_orth = c₀²γ/(2(γ − 2))/‖κ̄‖², γ = q‖κ̄‖², c₀ = σ²
    gamma = -2 * ALPHA**2 / lam_p**2 * KSQ
    _assert_same(d.v_orth.expr, sigma**4 * gamma / (2 * (gamma - 2)) / KSQ)
    gam, ksq, c0_ = d.v_orth_general.args
    _assert_same(d.v_orth_general.expr, c0_**2 * gam / (2 * (gam - 2)) / ksq)


def test_symmetric_loss_var_matches_theory(d):
    # THEORY §2, symmetric M, erf:
    # L_var = σ²[ρ²λ₊²/(λ₊² − λ_min²) + ρ²σ²α²/(3λ₊² − λ_min²) + (1 − ρ²)/(1 − λ₋/λ₊)]
    printed = sigma**2 * (
        rho**2 * lam_p**2 / (lam_p**2 - LMIN**2)
        + rho**2 * sigma**2 * ALPHA**2 / (3 * lam_p**2 - LMIN**2)
        + (1 - rho**2) / (1 - lam_m / lam_p)
    )
    _assert_same(d.sigma11_symmetric.expr, printed)
    rho_l = z / (sp.sqrt(N) * sp.sqrt(KSQ))
    _assert_same(d.loss_var_large.expr, printed.subs(rho, rho_l))
    _assert_same(d.loss_var_small.expr, printed.subs(rho, rho_l * sp.sqrt(N)) / N)


def test_fluctuation_matrix_matches_theory(d):
    # A = −I + ⟨φ'⟩M + qκ̄κ̄ᵀ with ⟨φ'⟩ = 1/λ₊ at the fixed point, q = −2α²/λ₊²,
    # M = R diag(λ₊, λ₋) Rᵀ, κ̄ = ‖κ̄‖(cos θ, sin θ)
    R = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
    M = R * sp.diag(lam_p, lam_m) * R.T
    kb = sp.sqrt(KSQ) * sp.Matrix([sp.cos(theta), sp.sin(theta)])
    A = -sp.eye(2) + M / lam_p - 2 * ALPHA**2 / lam_p**2 * kb * kb.T
    for i in range(2):
        for j in range(2):
            _assert_same(d.fluctuation_matrix.expr[i, j], A[i, j])


def test_lyapunov_solution_solves_the_equation(d):
    a11, a12, a21, a22, dd = d.lyapunov_2x2.args
    s11, s12, s22 = d.lyapunov_2x2.expr
    A = sp.Matrix([[a11, a12], [a21, a22]])
    S = sp.Matrix([[s11, s12], [s12, s22]])
    residual = (A * S + S * A.T + dd * sp.eye(2)).applyfunc(sp.cancel)
    assert residual == sp.zeros(2, 2)


# ----------------------------------------------------------------------------- compiled forms
_ARG_RANGES = {  # admissible ranges of the generated functions' arguments
    "delta": (0.01, 4.0),
    "sigma": (0.1, 2.0),
    "lambda_minus": (-10.0, -0.1),
    "N": (10.0, 1e6),
    "z_target": (0.2, 3.0),
    "rho": (0.05, 1.0),
    "gamma": (-5.0, -0.1),
    "kappa_sq": (0.01, 4.0),
    "c0": (0.01, 4.0),
    "a11": (-3.0, -1.0),
    "a12": (-1.0, 1.0),
    "a21": (-1.0, 1.0),
    "a22": (-3.0, -1.0),
    "d": (0.1, 3.0),
    "tau": (0.0, 5000.0),
    "eta0": (1e-4, 1e-2),
    "rho_io_sqrtN": (-1.0, 0.0),
}


def _arg_values(names: tuple[str, ...], n: int = 7, seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    vals = {k: rng.uniform(lo, hi, n) for k, (lo, hi) in _ARG_RANGES.items()}
    vals["lambda_plus"] = np.sqrt(1 + np.pi / 2 * vals["sigma"] ** 2) + rng.uniform(0.05, 5.0, n)
    return [vals[k] for k in names]


def _flat(value, n: int) -> np.ndarray:
    """Values of a scalar result (shape (n,) or a constant) or of a 3-vector result (a tuple of
    three (n,) arrays, or a (3, 1, n) array) as one flat float64 array."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    return arr.reshape(-1)


def _generated_results(d):
    from meanfield.symbolic.codegen import _specs

    return _specs(d)


def test_latex_numpy_jax_agree_with_generated(d):
    import jax

    results = _generated_results(d)
    assert results
    for res in results:
        assert isinstance(res.latex, str) and res.latex
        args = _arg_values(res.arg_names)
        n = len(args[0])
        gen = _flat(getattr(_generated, res.name)(*args), n)
        got_np = _flat(res.numpy(*args), n)
        # numpy lambdify and the cse-printed module differ only by rounding order:
        # a few ulp, amplified by at most ~1e3 through cancellations in these rational forms
        np.testing.assert_allclose(got_np, gen, rtol=1e-12, atol=1e-14, err_msg=res.name)
        with jax.enable_x64(True):
            got_jax = _flat(np.asarray(res.jax(*args)), n)
        np.testing.assert_allclose(got_jax, gen, rtol=1e-12, atol=1e-14, err_msg=res.name)


def test_regenerated_source_equals_committed_file(d):
    from meanfield.symbolic.codegen import generated_source

    committed = Path(_generated.__file__).read_text(encoding="utf-8")
    assert generated_source() == committed, "run `python -m meanfield.symbolic` and commit"


# ----------------------------------------------------------------------------- THEORY §3
def test_two_phase_matches_theory_section_3(d):
    tp = d.two_phase
    t = np.linspace(0.0, 5000.0, 101)
    e0, sg, zt, r = 0.002, 0.8, 1.3, -0.5  # THEORY §3 values (σ, ẑ varied to be non-trivial)
    gap = zt - r  # ẑ − ρ_io√N
    b1 = (1 - np.exp(-2 * e0 * t)) * gap
    close = {"rtol": 1e-13, "atol": 1e-13}  # float64 rounding of the same elementary functions
    np.testing.assert_allclose(tp["phase1_b"].numpy(t, e0, zt, r), b1, **close)
    np.testing.assert_allclose(
        tp["phase1_loss_bias"].numpy(t, e0, zt, r), np.exp(-4 * e0 * t) * gap**2, **close
    )
    np.testing.assert_allclose(
        np.broadcast_to(tp["phase1_loss_var"].numpy(t, sg), t.shape), sg**2, **close
    )
    np.testing.assert_allclose(tp["phase1_dx_norm"].numpy(t, e0, zt, r), b1, **close)
    a2 = 1 - (3 * sg**2 * e0 * t + 1) ** (1 / 3)
    np.testing.assert_allclose(tp["phase2_a"].numpy(t, e0, sg), a2, **close)
    np.testing.assert_allclose(tp["phase2_b"].numpy(t, e0, sg, zt, r), zt * (1 - a2) - r, **close)
    np.testing.assert_allclose(np.broadcast_to(tp["phase2_loss_bias"].numpy(t), t.shape), 0.0)
    np.testing.assert_allclose(tp["phase2_loss_var"].numpy(t, e0, sg), sg**2 / (1 - a2), **close)
    np.testing.assert_allclose(
        np.broadcast_to(tp["phase2_dx_norm"].numpy(t, zt, r), t.shape), gap, **close
    )
    # the symbolic forms themselves (exact): phase-2 a(τ) and L_var
    a_sym = 1 - (3 * sigma**2 * eta0 * tau + 1) ** sp.Rational(1, 3)
    _assert_same(tp["phase2_a"].expr, a_sym)
    _assert_same(tp["phase1_b"].expr, (1 - sp.exp(-2 * eta0 * tau)) * (z - rho_io_sqrtN))


# ----------------------------------------------------------------------------- import hygiene
def test_import_meanfield_is_light():
    code = (
        "import sys, time, json; t = time.perf_counter(); import meanfield; "
        "dt = time.perf_counter() - t; "
        "print(json.dumps({'dt': dt, 'sympy': 'sympy' in sys.modules, 'jax': 'jax' in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert not info["sympy"], "import meanfield imported sympy"
    assert not info["jax"], "import meanfield imported jax"
    assert info["dt"] < 1.0, f"import meanfield took {info['dt']:.2f} s"


# ----------------------------------------------------------------------------- Hermite drives
@pytest.fixture(scope="module")
def hermite():
    """derive_hermite() (~10–25 s, cached; also used by the regeneration test's codegen)."""
    from meanfield.symbolic.hermite import derive_hermite

    return derive_hermite()


def test_hermite_checks_all_true(hermite):
    expected = {
        "smoothed_gain_is_gaussian",
        "beta_is_alpha_over_sqrt",
        "integration_by_parts",
        "coefficients_direct_integral",
        "mehler_autocovariance",
        "mehler_ou_rate_n",
        "gaussian_mgf",
        "order1_factored_form",
        "drives_are_sqrt_y_times_polynomial",
        "drive_order2_direct_integral",
    }
    assert set(hermite.checks) == expected
    assert all(hermite.checks.values()), {k: v for k, v in hermite.checks.items() if not v}


def test_hermite_coefficient_matches_typed_in_formula(hermite):
    # independent typed-in reference (module docstring of hermite_noise): for erf,
    # h_n(a) = c₀^{n/2}/n!·dⁿ/daⁿ erf(βa), β = α/√(1 + 2α²c₀); checked for n = 1..4
    a, c0_ = hermite.coefficients.args
    beta = ALPHA / sp.sqrt(1 + 2 * ALPHA**2 * c0_)
    for n in range(1, 5):
        typed = c0_ ** sp.Rational(n, 2) / sp.factorial(n) * sp.diff(sp.erf(beta * a), a, n)
        _assert_same(hermite.coefficients.expr[n - 1], typed)


def test_hermite_generated_equals_numpy_and_jax(hermite):
    import jax

    rng = np.random.default_rng(3)
    vals = {
        "a": rng.uniform(-4, 4, 9),
        "c0": rng.uniform(0.05, 3, 9),
        "kappa_sq": rng.uniform(0.0, 25.0, 9),
    }
    for res in (hermite.coefficients, hermite.drive_par, hermite.drive_perp):
        args = [vals[k] for k in res.arg_names]
        gen = np.asarray(getattr(_generated, res.name)(*args), dtype=np.float64)
        got_np = np.asarray(res.numpy(*args), dtype=np.float64).reshape(gen.shape)
        # same expression, different evaluation order (cse/Horner vs lambdify): a few ulp,
        # amplified ≤ 1e3 by the Horner sums, relative to each order's scale (near a root of a
        # Hermite polynomial the value itself is a cancellation, so the bound is on the scale)
        scale = np.abs(gen).max(axis=1, keepdims=True)
        with jax.enable_x64(True):
            got_jax = np.asarray(res.jax(*args), dtype=np.float64).reshape(gen.shape)
        for got in (got_np, got_jax):
            assert np.all(np.abs(got - gen) <= 1e-12 * scale), res.name
