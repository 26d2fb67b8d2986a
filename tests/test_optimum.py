"""The L_var-optimal solution subject to L_bias = 0 (meanfield.optimum, THEORY §2)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize as so

import meanfield as mf


def _lambda_boundary(n, sigma, z, out_scale, name="erf"):
    """λ₊ where ρ = 1: ‖κ̄‖ = ẑ/(s√N), λ₊ = 1/⟨φ'⟩(σ² + ‖κ̄‖²)."""
    s = 1.0 if out_scale == "large" else 1 / np.sqrt(n)
    return 1 / mf.mean_dphi(sigma**2 + z**2 / (s * s * n), name)


CASES = [
    (256.0, -5.0, 1.0, 1.0, "large", "erf"),
    (64.0, -0.5, 0.2, 1.0, "large", "erf"),
    (4096.0, -20.0, 1.0, 2.0, "large", "erf"),
    (256.0, -5.0, 1.0, 1.0, "small", "erf"),
    (256.0, -2.0, 0.5, 1.0, "large", "tanh"),
]


@pytest.mark.parametrize("n, lam_m, sigma, z, out_scale, name", CASES)
def test_optimum_is_a_constrained_minimum(n, lam_m, sigma, z, out_scale, name):
    opt = mf.optimum(n, lam_m, sigma, z, out_scale, name)
    f = lambda lam: mf.loss_var(lam, lam_m, sigma, n, z, out_scale, nonlinearity=name)  # noqa: E731
    assert np.isclose(f(opt.lambda_plus), opt.loss_var, rtol=1e-12)
    assert np.isclose(mf.correlation(opt.lambda_plus, sigma, n, z, out_scale, name), opt.rho, rtol=1e-10)
    assert np.isclose(mf.fixed_point_norm(opt.lambda_plus, sigma, name), opt.kappa_norm, rtol=1e-10)
    assert 0 < opt.rho <= 1
    # neighbours are not lower (relative steps well above the √ε flatness of the minimum)
    lam_b = _lambda_boundary(n, sigma, z, out_scale, name)
    gap = opt.lambda_plus - lam_b
    for step in (1e-4, 1e-2, 0.3):
        assert f(opt.lambda_plus + step * gap) >= opt.loss_var
        assert f(opt.lambda_plus - step * gap) >= opt.loss_var
    # dense bounded reference from scipy on [boundary, boundary + 20]; scipy locates a flat
    # minimum only to ~√ε in λ₊, so compare λ₊ to 1e-6 relative and L_var to 1e-12.
    ref = so.minimize_scalar(f, bounds=(lam_b * (1 + 1e-12), lam_b + 20), method="bounded",
                             options=dict(xatol=1e-12, maxiter=500))
    assert opt.loss_var <= ref.fun * (1 + 1e-12)
    assert np.isclose(opt.lambda_plus, ref.x, rtol=1e-6)


def test_optimum_stationary_to_high_precision():
    # complex-step slope of L_var at λ₊* vanishes: |dL/dλ₊| · (λ₊* − λ_min) ≪ L_var*
    n, lam_m = np.array([256.0, 2.0**20]), -5.0
    opt = mf.optimum(n, lam_m)
    gap = opt.lambda_plus - mf.lambda_min(1.0)
    h = gap * 1e-5
    slope = (mf.loss_var(opt.lambda_plus + h, lam_m, 1.0, n) - mf.loss_var(opt.lambda_plus - h, lam_m, 1.0, n)) / (2 * h)
    curvature_scale = opt.loss_var / gap  # natural slope scale
    assert np.all(np.abs(slope) < 1e-6 * curvature_scale)


def test_vectorised_broadcast_and_large_n():
    n = 2.0 ** np.arange(4, 25)[:, None]
    lam_m = -np.linspace(0.5, 10, 10)[None, :]
    opt = mf.optimum(n, lam_m)
    assert opt.lambda_plus.shape == (21, 10)
    assert np.all(np.isfinite(opt.loss_var)) and np.all((opt.rho > 0) & (opt.rho < 1))
    gap = opt.lambda_plus - mf.lambda_min(1.0)
    assert np.all(gap > 0) and np.all(np.diff(gap, axis=0) < 0)
    # local slope of log(λ₊* − λ_min) vs log N at N = 2^23..2^24 approaches −1/3
    # (THEORY §2: δ ~ N^(−1/3)); next-order corrections are O(N^(−1/3)) ≈ 4e-3 there.
    slope = np.log(gap[-1] / gap[-2]) / np.log(2.0)
    assert np.all(np.abs(slope + 1 / 3) < 0.02)


@pytest.mark.parametrize("lam_m", [0.0, 0.3, 1.0])
def test_nonnegative_lambda_minus_has_no_finite_minimiser(lam_m):
    # The claim behind requiring λ₋ < 0: L_var decreases monotonically in λ₊.
    for out_scale in ("large", "small"):
        lam_b = _lambda_boundary(256.0, 1.0, 1.0, out_scale)
        lam = lam_b + np.geomspace(1e-6, 1e3, 400)
        lam = lam[lam > lam_m]
        lv = mf.loss_var(lam, lam_m, 1.0, 256.0, out_scale=out_scale)
        assert np.all(np.diff(lv) < 0)
    with pytest.raises(ValueError, match=f"lambda_minus={lam_m!r} .* must be < 0"):
        mf.optimum(256, lam_m)
    assert np.isnan(mf.optimum(np.array([256.0]), lam_m).lambda_plus[0])


def test_optimum_stays_inside_rho_constraint_over_wide_grid():
    # Documented observation: for erf the ρ ≤ 1 boundary is never active; ρ* < 1/√3.
    n = np.geomspace(1, 1e6, 7)[:, None, None]
    lam_m = -np.geomspace(1e-3, 1e3, 7)[None, :, None]
    z = np.geomspace(1e-2, 1e2, 5)[None, None, :]
    for out_scale in ("large", "small"):
        opt = mf.optimum(n, lam_m, 1.0, z, out_scale)
        assert np.all(opt.rho < 1 / np.sqrt(3))
