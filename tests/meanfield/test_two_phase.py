"""Two-phase learning curves of the linear network (meanfield.two_phase, THEORY §3)."""

from __future__ import annotations

import numpy as np
import pytest

import meanfield as mf


def test_phase1_bias_removal():
    tau = np.arange(0, 3000, 10.0)
    c = mf.linear_two_phase(
        tau, phase=1, eta0=0.002, sigma=1.0, z_target=1.0, rho_io_sqrtN=-0.5, N=256
    )
    gap0 = 1.0 - (-0.5)  # ẑ − ρ_io√N
    b = c.M12 * np.sqrt(256)
    assert c.loss_bias[0] == pytest.approx(gap0**2, rel=1e-14) and b[0] == 0
    assert np.all(np.diff(c.loss_bias) < 0) and np.all(np.diff(b) > 0)
    # z̄ = ρ_io√N + b in the N → ∞ limit, so L_bias = (ẑ − ρ_io√N − b)²
    assert np.allclose(c.loss_bias, (gap0 - b) ** 2, rtol=1e-12, atol=1e-15)
    assert np.allclose(c.dx_norm, b, rtol=1e-14)
    assert np.array_equal(c.loss_var, np.ones_like(tau))  # σ² = 1
    assert np.array_equal(c.M11, np.zeros_like(tau))
    # b solves db/dτ = 2η₀(ẑ − ρ_io√N − b) (gradient flow of L_bias at rate η₀/N)
    tau_f = np.linspace(1, 2000, 50)
    h = 1e-3
    db = (
        (mf.linear_two_phase(tau_f + h, 1).M12 - mf.linear_two_phase(tau_f - h, 1).M12)
        * 16
        / (2 * h)
    )
    b_f = mf.linear_two_phase(tau_f, 1).M12 * 16
    assert np.allclose(db, 2 * 0.002 * (gap0 - b_f), rtol=1e-6)


def test_phase2_negative_feedback_lowers_variance():
    tau = np.linspace(0, 5000, 101)
    eta0, sigma, z, r = 0.002, 1.0, 1.0, -0.5
    c = mf.linear_two_phase(tau, 2, eta0, sigma, z, r, N=256)
    a = c.M11
    assert a[0] == 0 and np.all(np.diff(a) < 0)  # negative feedback along the output grows
    assert np.allclose(c.loss_var * (1 - a), sigma**2, rtol=1e-13)  # L_var = σ²/(1 − a)
    assert np.all(np.diff(c.loss_var) < 0)
    assert np.array_equal(c.loss_bias, np.zeros_like(tau))
    assert np.allclose(c.M12 * 16, z * (1 - a) - r, rtol=1e-13)  # b keeps z̄ = ẑ
    assert np.allclose(c.dx_norm, z - r)
    # a solves da/dτ = −η₀ ∂L_var/∂a = −η₀σ²/(1 − a)²
    h = 1e-3
    da = (mf.linear_two_phase(tau[1:] + h, 2).M11 - mf.linear_two_phase(tau[1:] - h, 2).M11) / (
        2 * h
    )
    assert np.allclose(da, -eta0 * sigma**2 / (1 - a[1:]) ** 2, rtol=1e-6)
    # continuity with the end of phase 1 (b → ẑ − ρ_io√N)
    end1 = mf.linear_two_phase(1e6, 1)
    assert end1.M12 == pytest.approx(c.M12[0], rel=1e-12)


def test_two_phase_input_checks():
    with pytest.raises(ValueError, match="phase=3 .* must be 1 or 2"):
        mf.linear_two_phase(10, 3)
    with pytest.raises(ValueError, match=r"steps=-1\.0 .* must be >= 0"):
        mf.linear_two_phase(-1, 1)
    with pytest.raises(ValueError, match=r"eta0=0\.0 .* must be > 0"):
        mf.linear_two_phase(1, 2, eta0=0.0)
    out = mf.linear_two_phase(np.array([-1.0, 5.0]), 2)
    assert np.isnan(out.M11[0]) and np.isfinite(out.M11[1])
    assert isinstance(mf.linear_two_phase(5, 1).loss_var, float)


# --- Euler map (issue 5: dt=) -------------------------------------------------------------
def test_euler_two_phase_tends_to_continuous_time() -> None:
    steps = np.array([0, 10, 500, 1500])
    cont = mf.linear_two_phase(steps, 2, eta0=0.004)
    fine = mf.linear_two_phase(steps, 2, eta0=0.004, dt=1e-3)
    # first order in dt·(1 − a) ≤ 1e-3·2.7: relative change ≤ ~1e-3 of L_var, less of M₁₁
    np.testing.assert_allclose(fine.M11, cont.M11, atol=1e-5)
    np.testing.assert_allclose(fine.loss_var, cont.loss_var, rtol=2e-3)


def test_euler_phase2_follows_the_gradient_flow_of_the_euler_variance() -> None:
    # independent route: integrate da/dτ = −η₀ ∂L/∂a with L(a) = σ²/((1−a)(1 − dt(1−a)/2))
    # (the Euler-map stationary variance of one mode with rate 1 − a) by RK4
    from scipy.integrate import solve_ivp

    eta0, sigma, dt = 0.004, 1.0, 0.2

    def rhs(_t, a):
        y = 1.0 - a
        dL_dy = -(sigma**2) * (1 - dt * y) / (y - dt * y * y / 2) ** 2
        return eta0 * dL_dy  # dL/da = −dL/dy, da/dτ = −η₀ dL/da

    taus = np.array([100.0, 700.0, 3000.0])
    sol = solve_ivp(rhs, (0, taus[-1]), [0.0], t_eval=taus, rtol=1e-11, atol=1e-12)
    got = mf.linear_two_phase(taus, 2, eta0=eta0, sigma=sigma, dt=dt)
    np.testing.assert_allclose(got.M11, sol.y[0], rtol=1e-8)
    # the Euler map puts a floor under L_var: a → 1 − 1/dt, L_var → 2σ²dt... never below σ²·2dt
    late = mf.linear_two_phase(1e9, 2, eta0=eta0, sigma=sigma, dt=dt)
    assert late.M11 == pytest.approx(1 - 1 / dt, rel=1e-3)
    assert late.loss_var == pytest.approx(2 * sigma**2 * dt, rel=1e-3)
    early = mf.linear_two_phase(np.array([0.0, 50.0]), 1, sigma=sigma, dt=dt)
    np.testing.assert_allclose(early.loss_var, sigma**2 / (1 - dt / 2), rtol=1e-12)


@pytest.mark.parametrize("dt", [1e-4, 1.0, -0.2])
def test_euler_two_phase_bad_dt(dt: float) -> None:
    with pytest.raises(ValueError, match="dt"):
        mf.linear_two_phase(10, 2, dt=dt)
