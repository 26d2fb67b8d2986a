"""Finite-dt (Euler–Maruyama map) predictions of meanfield: derivation, limits, independent routes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import solve_discrete_lyapunov

import meanfield as mf
from meanfield import _generated
from meanfield.lyapunov import is_stable_map_2x2, stein_2x2


def test_orthogonal_variance_is_the_ar1_stationary_variance() -> None:
    # independent route: iterate the variance recursion v ← (1 − dt)²v + 2dtσ² to its fixed point
    for sigma, dt in [(1.0, 0.2), (0.3, 0.05), (2.0, 1.5)]:
        v = 0.0
        for _ in range(20000):
            v = (1 - dt) ** 2 * v + 2 * dt * sigma**2
        assert _generated.euler_orthogonal_variance(sigma, dt) == pytest.approx(v, rel=1e-12)


def test_stein_matches_scipy_discrete_lyapunov() -> None:
    rng = np.random.default_rng(0)
    A = -np.eye(2) * 2 + 0.5 * rng.normal(size=(50, 2, 2))
    dt = 0.2
    ok = is_stable_map_2x2(A, dt)
    assert ok.sum() > 10
    got = stein_2x2(A[ok], 2.0, dt)
    for a, s in zip(A[ok], got, strict=True):
        B = np.eye(2) + dt * a
        ref = solve_discrete_lyapunov(B, 2.0 * dt * np.eye(2))
        np.testing.assert_allclose(s, ref, rtol=1e-10, atol=1e-12)


def test_map_stability_matches_spectral_radius() -> None:
    rng = np.random.default_rng(1)
    A = 3 * rng.normal(size=(400, 2, 2))
    for dt in (0.05, 0.2, 0.7):
        radius = np.abs(np.linalg.eigvals(np.eye(2) + dt * A)).max(axis=-1)
        np.testing.assert_array_equal(is_stable_map_2x2(A, dt), radius < 1)


def test_euler_gain_term_equals_direct_double_sum() -> None:
    # independent route: y_t = dt·c Σ_s a^s δc_{t−1−s}, Var y = dt² c² Σ_{s,s'} a^{s+s'} 2c₀² r^{|s−s'|}
    gamma, K, c0, dt = -1.3, 0.7, 1.1, 0.2
    a, r = 1 + dt * gamma, (1 - dt) ** 2
    s = np.arange(600)
    lag = np.abs(s[:, None] - s[None, :])
    total = (a ** (s[:, None] + s[None, :]) * 2 * c0**2 * r**lag).sum()
    direct = dt**2 * gamma**2 / (4 * K) * total
    assert _generated.euler_v_orth_general(gamma, K, c0, dt) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("theta_minus", [None, 2.2])
def test_small_dt_tends_to_continuous_time(theta_minus: float | None) -> None:
    # first-order in dt with a coefficient of the order of the fastest rate (1 − λ₋/λ₊ ≈ 3.6),
    # so dt = 1e-6 must agree to ~1e-5 relative
    args = (np.array([1.7, 1.9, 2.6]), -5.0, 1.0, 256)
    cont = mf.latent_covariance(*args, theta_minus=theta_minus)
    fine = mf.latent_covariance(*args, theta_minus=theta_minus, dt=1e-6)
    np.testing.assert_allclose(fine, cont, rtol=1e-5, atol=1e-8)
    assert mf.loss_var(*args, dt=1e-6) == pytest.approx(mf.loss_var(*args), rel=1e-5)
    assert mf.fixed_point_norm(1.9, 1.0, dt=1e-6) == pytest.approx(
        mf.fixed_point_norm(1.9, 1.0), rel=1e-5
    )


def test_euler_shrinks_the_fixed_point_and_inflates_the_variance() -> None:
    # c₀ grows by 1/(1 − dt/2), so ‖κ̄‖² drops by σ²dt/(2 − dt); variances of stable modes grow
    k_c = mf.fixed_point_norm(1.9, 1.0) ** 2
    k_e = mf.fixed_point_norm(1.9, 1.0, dt=0.2) ** 2
    assert k_c - k_e == pytest.approx(1.0 * 0.2 / (2 - 0.2), rel=1e-12)
    assert mf.lambda_min(1.0, dt=0.2) > mf.lambda_min(1.0)
    assert mf.loss_var(1.9, -5.0, 1.0, 256, dt=0.2) > mf.loss_var(1.9, -5.0, 1.0, 256)


@pytest.mark.parametrize("dt", [0.0, -0.1, 2.0, float("nan"), True, [0.1]])
def test_bad_dt_is_rejected_naming_it(dt: object) -> None:
    with pytest.raises(ValueError, match="dt"):
        mf.loss_var(1.9, -5.0, 1.0, 256, dt=dt)


def test_unstable_euler_map_is_reported() -> None:
    # v₋ mode: B has eigenvalue 1 + dt(−1 + λ₋/λ₊) = 1 + 0.2(−1 − 25/1.9) < −1
    with pytest.raises(ValueError, match="dt=0.2"):
        mf.loss_var(1.9, -25.0, 1.0, 256, dt=0.2)
    out = mf.loss_var(np.array([1.9, 1.9]), np.array([-5.0, -25.0]), 1.0, 256, dt=0.2)
    assert np.isfinite(out[0]) and np.isnan(out[1])
    assert not mf.feasible(1.9, 1.0, 256, lambda_minus=-25.0, dt=0.2)


# --- hypothesis: each correction reduces to the paper's formula in its limit ----------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40)
@given(
    lam=st.floats(1.9, 4.0),
    lam_m=st.floats(-6.0, 0.5),
    sigma=st.floats(0.3, 1.5),
    log2N=st.integers(6, 14),
)
def test_dt_to_zero_recovers_the_paper_theory(
    lam: float, lam_m: float, sigma: float, log2N: int
) -> None:
    N = 2**log2N
    if not mf.feasible(lam, sigma, N, lambda_minus=lam_m):
        return
    cont = mf.latent_covariance(lam, lam_m, sigma, N)
    # the Euler corrections are O(dt × rates); rates ≤ 1 − λ₋/λ₊ + |γ| < 10 here
    fine = mf.latent_covariance(lam, lam_m, sigma, N, dt=1e-6)
    np.testing.assert_allclose(fine, cont, rtol=1e-4, atol=1e-4 * np.abs(cont).max())


@settings(max_examples=25)
@given(lam=st.floats(2.0, 4.0), sigma=st.floats(0.3, 1.5), log2N=st.integers(6, 12))
def test_hermite_leak_vanishes_without_feedback_on_its_drives(
    lam: float, sigma: float, log2N: int
) -> None:
    # λ₋ → 0 and ρ → 0 (large N): the leaked drives enter through M, whose v₋ eigenvalue is 0,
    # so along v₋ only the direct noise remains: Σ(v₋, v₋) → the paper's 2σ²/(2·1) = σ²
    N = 2**log2N
    if not mf.feasible(lam, sigma, N, lambda_minus=0.0):
        return
    rho = mf.correlation(lam, sigma, N)
    vm = np.array([-np.sqrt(1 - rho**2), rho])
    s_leak = mf.latent_covariance(lam, 0.0, sigma, N, hermite_orders=6)
    s_paper = mf.latent_covariance(lam, 0.0, sigma, N)
    assert vm @ s_leak @ vm == pytest.approx(vm @ s_paper @ vm, rel=1e-9)
