"""meanfield.bulk (THEORY §7): the random-bulk DMFT. Its kernels against independent
quadrature, its equations solved to a residual < 1e-10, limits and monotonicity
(hypothesis), Δ(τ) against its equation of motion, and c₀, c∞, ‖κ̄‖ against direct
simulations of rank-2 + bulk networks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

import meanfield as mf
from meanfield import _generated
from meanfield.bulk import bulk_autocorrelation, bulk_lambda_min, bulk_state

ALPHA = np.sqrt(np.pi) / 2


# ----------------------------------------------------------------------------- kernels
@pytest.mark.parametrize("v", [0.3, 1.0, 4.0])
@pytest.mark.parametrize("frac", [0.0, 0.3, 0.9, 1.0])
def test_erf_kernels_match_independent_quadrature(v, frac):
    """C_φ by mpmath (30 digits) over x_a = √y z₀ + √(v−y) z₁: the inner Gaussian average
    of erf is erf(αm/√(1 + 2α²s²)) (a one-dimensional identity), the outer one is
    quadrature; I_φ by scipy.quad of that C_φ; ∂C_φ/∂y by a central difference."""
    import mpmath as mp

    mp.mp.dps = 30
    a = mp.sqrt(mp.pi) / 2

    def c_ref(y):
        y = mp.mpf(y)
        scale = a * mp.sqrt(y) / mp.sqrt(1 + 2 * a**2 * (mp.mpf(v) - y))
        f = lambda z: mp.erf(scale * z) ** 2 * mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
        return float(mp.quad(f, [-mp.inf, 0, mp.inf]))

    y = frac * v
    assert _generated.erf_bulk_C_phi(y, v) == pytest.approx(c_ref(y), abs=1e-14)
    ref_i = integrate.quad(c_ref, 0.0, y, epsabs=1e-14)[0] if y > 0 else 0.0
    assert _generated.erf_bulk_I_phi(y, v) == pytest.approx(ref_i, abs=1e-12)
    h = 1e-5 * v
    lo, hi = max(y - h, 0.0), min(y + h, v)
    fd = (c_ref(hi) - c_ref(lo)) / (hi - lo)
    assert _generated.erf_bulk_dC_phi(y, v) == pytest.approx(fd, rel=1e-4 if frac == 1.0 else 1e-8)


def test_tanh_kernels_match_erf_structure_on_a_known_case():
    """tanh at y = 0 (independent inputs): C_φ = ⟨tanh⟩² = 0 and ∂C_φ/∂y = ⟨φ'⟩²."""
    from meanfield.bulk import _Kernels

    ker = _Kernels("tanh")
    v = np.array([0.5, 2.0])
    np.testing.assert_allclose(ker.C(np.zeros(2), v), 0.0, atol=1e-15)
    np.testing.assert_allclose(ker.dC(np.zeros(2), v), mf.mean_dphi(v, "tanh") ** 2, rtol=1e-10)
    np.testing.assert_allclose(ker.I(np.zeros(2), v), 0.0, atol=1e-15)


# ----------------------------------------------------------------------------- equations
def _residuals(lam, sig, g, nl="erf"):
    from meanfield.bulk import _kernels

    s = bulk_state(lam, sig, g, nl)
    ker = _kernels(nl)
    K, v = s.kappa_norm**2, s.sigma_x2
    rest = g**2 * ker.C(K + s.c_inf, v) - s.c_inf
    energy = (
        sig**4 - (s.c0**2 - s.c_inf**2) + 2 * g**2 * (ker.I(K + s.c0, v) - ker.I(K + s.c_inf, v))
    )
    fixed = np.where(s.fixed_point, lam * mf.mean_dphi(v, nl) - 1.0, 0.0)
    return s, rest, energy, fixed


LAM = np.linspace(1.05, 4.0, 40)


@pytest.mark.parametrize(
    "nl, g, sigma",
    [("erf", g, s) for g in (0.3, 0.9, 1.5, 2.5) for s in (0.1, 0.5, 1.0)]
    + [("tanh", 0.9, 0.5)],  # tanh: 2-d quadrature, ~1 s a point
)
def test_every_returned_point_solves_the_equations(nl, g, sigma):
    lam = LAM if nl == "erf" else LAM[::16]
    s, rest, energy, fixed = _residuals(lam, sigma, g, nl)
    ok = np.isfinite(s.c0)
    assert ok.mean() > 0.9
    assert np.all(np.abs(rest[ok]) < 1e-10) and np.all(np.abs(energy[ok]) < 1e-10)
    assert np.all(np.abs(fixed[ok]) < 1e-10)
    assert np.all(s.c_inf[ok] <= s.c0[ok]) and np.all(s.c_inf[ok] >= 0)
    assert np.all(s.residual[ok] < 1e-10)
    # the fixed point appears at λ_c and ‖κ̄‖ grows from 0 there
    assert np.all(s.fixed_point == (lam > s.lambda_c))
    assert np.all(s.kappa_norm[~s.fixed_point] == 0)


@pytest.mark.parametrize("nl", ["erf", "tanh"])
def test_g_zero_is_todays_theory(nl):
    lam = np.linspace(1.8, 4.0, 12 if nl == "erf" else 3)
    s = bulk_state(lam, 1.0, 0.0, nl)
    np.testing.assert_allclose(s.c0, 1.0, rtol=1e-13)
    np.testing.assert_array_equal(s.c_inf, 0.0)
    np.testing.assert_allclose(s.kappa_norm, mf.fixed_point_norm(lam, 1.0, nl), rtol=1e-10)
    assert bulk_lambda_min(1.0, 0.0, nl) == pytest.approx(mf.lambda_min(1.0, nl), rel=1e-13)
    if nl == "erf":  # (the tanh kernels cost ~1 s a point; Δ(τ) shares its code with erf)
        tau = np.linspace(0, 10, 11)
        np.testing.assert_allclose(
            bulk_autocorrelation(2.0, 1.0, 0.0, tau, nl), np.exp(-tau), rtol=1e-6, atol=1e-12
        )


@settings(max_examples=40, deadline=None)
@given(lam=st.floats(1.05, 5.0), sig=st.floats(0.05, 2.0), g=st.floats(0.0, 3.0))
def test_c_inf_below_c0_and_small_g_limit(lam, sig, g):
    s = bulk_state(lam, sig, g)
    if not np.isfinite(s.c0):
        return
    assert 0 <= s.c_inf <= s.c0 * (1 + 1e-12)
    assert s.residual < 1e-10
    # g → 0: from the energy equation, |c₀² − σ⁴| ≤ 2g²·c₀ (|C_φ| ≤ 1), so |c₀ − σ²| ≤ g²
    g_small = 1e-5
    small = bulk_state(lam, sig, g_small)
    assert abs(small.c0 - sig**2) <= g_small**2 * (1 + 1e-9) + 1e-15


@settings(max_examples=30, deadline=None)
@given(sig=st.floats(0.05, 2.0), g=st.floats(0.0, 2.5), dg=st.floats(0.01, 0.5))
def test_c0_grows_with_g_and_sigma_without_fixed_point(sig, g, dg):
    """Below λ_c (κ̄ = 0) the bulk adds variance: c₀ increases with g and with σ."""
    a, b = bulk_state(1.0, sig, g), bulk_state(1.0, sig, g + dg)
    c = bulk_state(1.0, sig * 1.1, g)
    if np.isfinite(a.c0) and np.isfinite(b.c0):
        assert b.c0 > a.c0
    if np.isfinite(a.c0) and np.isfinite(c.c0):
        assert c.c0 > a.c0


def test_small_noise_limits():
    """σ → 0: for g < 1 the state without fixed point is silent (c₀ → 0, λ_c → 1); for
    g > 1 it tends to the chaotic solution (c₀ > 0, c∞ = 0)."""
    quiet = bulk_state(1.0, 1e-3, 0.5)
    assert quiet.c0 < 1e-5 and quiet.lambda_c == pytest.approx(1.0, abs=1e-5)
    chaos = bulk_state(1.0, 1e-3, 2.0)
    assert chaos.c0 > 0.5 and chaos.c_inf == 0
    # the chaotic c₀ solves −c₀² + 2g²I_φ(c₀; c₀) = 0, checked with scipy's root finder
    from scipy.optimize import brentq

    ref = brentq(
        lambda c: -c * c + 2 * 4.0 * _generated.erf_bulk_I_phi(c, c), 0.1, 50.0, xtol=1e-14
    )
    assert chaos.c0 == pytest.approx(ref, rel=1e-5)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"^sigma=0\.0 is out of range"):
        bulk_state(2.0, 0.0, 0.5)
    with pytest.raises(ValueError, match=r"^g=-0\.5 is out of range"):
        bulk_state(2.0, 1.0, -0.5)
    with pytest.raises(ValueError, match=r"nonlinearity='relu'"):
        bulk_state(2.0, 1.0, 0.5, "relu")
    with pytest.raises(TypeError, match=r"^g=True"):
        bulk_state(2.0, 1.0, True)
    out = bulk_state(np.array([2.0, 2.0]), np.array([1.0, -1.0]), 0.5)
    assert np.isfinite(out.c0[0]) and np.isnan(out.c0[1])


# ----------------------------------------------------------------------------- Δ(τ)
@pytest.mark.parametrize("g", [0.6, 1.8])
def test_autocorrelation_solves_its_equation_of_motion(g):
    lam, sig = (2.0, 0.5) if g < 1 else (1.0, 0.5)
    s = bulk_state(lam, sig, g)
    D0 = bulk_autocorrelation(lam, sig, g, np.array([0.0, 1e-4]))
    assert D0[0] == pytest.approx(s.c0, rel=1e-12)
    # slope at 0+ is -sigma^2: the one-sided difference is -sigma^2 + (h/2) D''(0+) + O(h^2)
    acc0 = s.c0 - g**2 * _generated.erf_bulk_C_phi(s.kappa_norm**2 + s.c0, s.sigma_x2)
    assert (D0[1] - D0[0]) / 1e-4 == pytest.approx(-(sig**2) + 0.5e-4 * acc0, rel=2e-4)
    # second derivative = D - g^2 C(K + D; v), by central differences at h = 0.05
    # (truncation h^2/12 times the fourth derivative, ~2e-4 c0)
    tau = np.linspace(0.0, 8.0, 161)
    D = bulk_autocorrelation(lam, sig, g, tau)
    h = tau[1] - tau[0]
    acc = (D[2:] - 2 * D[1:-1] + D[:-2]) / h**2
    K, v = s.kappa_norm**2, s.sigma_x2
    rhs = D[1:-1] - g**2 * _generated.erf_bulk_C_phi(K + D[1:-1], v)
    np.testing.assert_allclose(acc, rhs, atol=1e-3 * s.c0)
    assert np.all(np.diff(D) <= 1e-15) and D[-1] >= s.c_inf - 1e-12


# ----------------------------------------------------------------------------- simulation
def _simulate(N, g, sigma, lam, nets, *, dt=0.02, T=160.0, burn=40.0, seed=0):
    """Euler–Maruyama of x' = −x + (gχ + U M Uᵀ/N)φ(x) + √2σξ for ``nets`` networks at
    once (U orthonormal ×√N, M = diag(λ₊, −2)); returns per network (c₀, c∞, ‖κ̄‖, σ_x²)
    and a sampled orthogonal activity for the autocorrelation."""
    rng = np.random.default_rng(seed)
    U = np.stack([np.sqrt(N) * np.linalg.qr(rng.standard_normal((N, 2)))[0] for _ in range(nets)])
    W = (
        g * rng.standard_normal((nets, N, N)) / np.sqrt(N)
        + np.einsum("bia,a,bja->bij", U, np.array([lam, -2.0]), U) / N
    )
    x = U[:, :, 0] + 0.5 * rng.standard_normal((nets, N))
    steps, nb, every = int(T / dt), int(burn / dt), 5
    keep = []
    for t in range(steps):
        x = (
            x
            + dt * (-x + np.einsum("bij,bj->bi", W, special.erf(ALPHA * x)))
            + np.sqrt(2 * dt) * sigma * rng.standard_normal((nets, N))
        )
        if t >= nb and (t - nb) % every == 0:
            keep.append(x.copy())
    X = np.stack(keep, axis=1)  # [nets, T', N]
    kap = np.einsum("btn,bna->bta", X, U) / N
    eta = X - np.einsum("bta,bna->btn", kap, U)
    c0 = (eta**2).mean(axis=(1, 2))
    half = X.shape[1] // 2
    cinf = (eta[:, :half].mean(1) * eta[:, half:].mean(1)).mean(1)  # unbiased for the static part
    kbar = np.linalg.norm(kap.mean(1), axis=-1)
    v = (X**2).mean(axis=(1, 2))
    return c0, cinf, kbar, v, eta, dt * every


def test_dmft_matches_simulated_bulk_networks():
    """16 networks, N = 800, g = 0.9, σ = 0.5, λ₊ = 2: the DMFT given each network's own
    total variance v (λ_eff = 1/⟨φ'⟩(v): the outlier's O(1/√N) shift by the bulk is
    quenched and varies between networks) predicts its c₀, c∞, ‖κ̄‖ and Δ(τ). Tolerance: the
    Student quantile (15 dof, P = 1e-3 two-sided) times the standard error over networks,
    plus the neglected Euler bias O(dt) = 2 % (1/(1 − dt/2) − 1 = 1 % at g = 0); the test
    asserts that it would see a 10 % miss."""
    from scipy import stats

    N, g, sig, lam, nets, dt = 800, 0.9, 0.5, 2.0, 16, 0.02
    c0, cinf, kbar, v, eta, lag_dt = _simulate(N, g, sig, lam, nets, dt=dt, T=80.0, burn=20.0)
    t_crit = stats.t.ppf(1 - 5e-4, nets - 1)
    pred = bulk_state(1.0 / mf.mean_dphi(v), sig, g)
    lags = np.arange(0, 31, 10)  # 0, 1, 2, 3 time units
    acf = np.stack(
        [np.mean(eta[:, : eta.shape[1] - k] * eta[:, k:], axis=(1, 2)) for k in lags], axis=1
    )
    acf_th = np.stack(
        [bulk_autocorrelation(1.0 / mf.mean_dphi(vv), sig, g, lags * lag_dt) for vv in v]
    )
    checks = [
        ("c0", c0, pred.c0),
        ("c_inf", cinf, pred.c_inf),
        ("kappa_norm", kbar, pred.kappa_norm),
    ]
    checks += [(f"Δ({k * lag_dt:g})", acf[:, i], acf_th[:, i]) for i, k in enumerate(lags)]
    for name, sim, th in checks:
        rel = sim / th - 1.0
        se = rel.std(ddof=1) / np.sqrt(nets)
        tol = t_crit * se + dt
        assert tol < 0.10, (name, tol)  # the test can see a 10 % miss
        assert abs(rel.mean()) < tol, (name, rel.mean(), se)
    # the averaged theory (λ₊ itself) is the mean over networks of the total variance
    rel_v = v / bulk_state(lam, sig, g).sigma_x2 - 1.0
    assert abs(rel_v.mean()) < t_crit * rel_v.std(ddof=1) / np.sqrt(nets) + dt


def test_g_keyword_on_the_fixed_point_functions():
    lam = np.linspace(1.1, 3.0, 9)
    assert mf.lambda_min(0.5, g=0.0) == mf.lambda_min(0.5)  # g = 0: today's code path
    np.testing.assert_array_equal(
        mf.fixed_point_norm(lam, 0.5, g=0.0), mf.fixed_point_norm(lam, 0.5)
    )
    assert mf.lambda_min(0.5, g=0.9) == bulk_lambda_min(0.5, 0.9)
    st = bulk_state(lam, 0.5, 0.9)
    got = mf.fixed_point_norm(lam, 0.5, g=0.9)
    np.testing.assert_array_equal(got[st.fixed_point], st.kappa_norm[st.fixed_point])
    assert np.isnan(got[~st.fixed_point]).all() and (~st.fixed_point).any()
    with pytest.raises(ValueError, match=r"^lambda_plus=1\.1 is out of range: .*λ_c"):
        mf.fixed_point_norm(1.1, 0.5, g=0.9)
    with pytest.raises(ValueError, match=r"^dt=0\.1 .* None when g > 0"):
        mf.lambda_min(0.5, g=0.9, dt=0.1)
