"""meanfield.bulk_fluctuations (THEORY §7): the latent covariance with a random bulk.

Checked three ways: the g → 0 limit is the g = 0 theory (both routes); an independent numeric
route (Δ(τ) from the public bulk_autocorrelation on a uniform grid, scipy's expm and its
Lyapunov solver) gives the same Σ; and the v₋ component against simulated networks (an
independent numpy Euler–Maruyama, not the project's simulator)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, special

import meanfield as mf
from meanfield import _generated
from meanfield.bulk import bulk_autocorrelation, bulk_state
from meanfield.bulk_fluctuations import bulk_latent_covariance

ALPHA = np.sqrt(np.pi) / 2


@pytest.mark.parametrize("lam_m", [-2.0, -20.0])
@pytest.mark.parametrize("orders", [None, 6])
def test_small_g_is_the_g_zero_theory(lam_m, orders):
    """Σ(g) − Σ(0) = O(g²): at g = 1e-4 the two agree to ~1e-8 relative (the quadrature of
    the coloured drives, ~1e-9, is below that)."""
    lam, sig = 2.0, 0.5
    kbar = mf.fixed_point_norm(lam, sig)
    ref = mf.latent_covariance(lam, lam_m, sig, 1e6, z_target=1e3 * kbar, hermite_orders=orders)
    got = bulk_latent_covariance(
        lam, lam_m, sig, 1e-4, hermite_orders=orders, variance_feedback="none"
    )
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-12)
    # the adiabatic variance response vanishes with g as well (dc₀/dK = O(g²))
    ad = bulk_latent_covariance(
        lam, lam_m, sig, 1e-4, hermite_orders=orders, variance_feedback="adiabatic"
    )
    np.testing.assert_allclose(ad, ref, rtol=1e-7, atol=1e-12)


def _independent_sigma(lam, lam_m, sig, g, rho, theta):
    """Σ from Δ(τ) on a uniform τ grid (h = 2e-3 up to τ = 40, trapezoid: error O(h²)
    ≈ 1e-6 relative), e^{Aτ} by scipy.linalg.expm, Lyapunov by scipy — default route
    (bulk field + gain term), no variance feedback."""
    from meanfield.fluctuations import coupling_matrix, fluctuation_matrix, v_plus

    st = bulk_state(lam, sig, g)
    K, ci, v = st.kappa_norm**2, st.c_inf, st.sigma_x2
    q = _generated.erf_mean_dphi3(v) / _generated.erf_mean_dphi(v)
    gamma = q * K
    A = fluctuation_matrix(lam, gamma, rho, lam_m, theta)
    tau = np.arange(0.0, 40.0 + 1e-9, 2e-3)
    D = bulk_autocorrelation(lam, sig, g, tau)
    E = np.stack([linalg.expm(A * t) for t in tau])
    vp = v_plus(rho)
    Q = 2 * sig**2 * np.eye(2)
    r_bulk = g**2 * _generated.erf_bulk_C_phi(K + D, v) - ci
    r_gain = 2 * (D**2 - ci**2)
    P_gain = gamma**2 / (4 * K) * np.outer(vp, vp)
    for r, P in ((r_bulk, np.eye(2)), (r_gain, P_gain)):
        R = np.trapezoid(r[:, None, None] * E, tau, axis=0)
        Q = Q + R @ P + P @ R.T
    assert coupling_matrix(lam, rho, lam_m, theta).shape == (2, 2)
    return linalg.solve_continuous_lyapunov(A, -Q)


@pytest.mark.parametrize(
    ("lam", "lam_m", "g", "rho", "theta"),
    [
        (2.0, -2.0, 0.5, 1.0, None),
        (2.0, -2.0, 0.9, 0.3, None),
        (2.5, 0.5, 1.5, 0.6, 2.4),  # g > 1 with a fixed point, non-symmetric M
    ],
)
def test_matches_an_independent_numeric_route(lam, lam_m, g, rho, theta):
    got = bulk_latent_covariance(lam, lam_m, 0.5, g, rho, theta, variance_feedback="none")
    ref = _independent_sigma(lam, lam_m, 0.5, g, rho, theta)
    # the reference's trapezoid error h²/12·|f''| ≈ 3e-7 relative bounds what can be checked
    # (measured: 8e-8 … 2.4e-7; it was 2e-5 before Δ(τ)'s interpolation carried its slope)
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())


def test_bulk_field_term_is_the_new_piece():
    """The bulk field along U is the only drive of the v₋ mode beside the private noise in
    the default route (the gain term lies along v₊): Σ₋₋ − σ²/(1 − λ₋/λ₊) equals
    2R̂₋/(2(1 − λ₋/λ₊)) with R̂₋ the Laplace transform of r at 1 − λ₋/λ₊ — and it is > 0."""
    lam, lam_m, sig, g = 2.0, -2.0, 0.5, 0.9
    st = bulk_state(lam, sig, g)
    mu = 1.0 - lam_m / lam
    tau = np.arange(0.0, 40.0 + 1e-9, 2e-3)
    D = bulk_autocorrelation(lam, sig, g, tau)
    r = g**2 * _generated.erf_bulk_C_phi(st.kappa_norm**2 + D, st.sigma_x2) - st.c_inf
    lap = np.trapezoid(r * np.exp(-mu * tau), tau)
    got = bulk_latent_covariance(lam, lam_m, sig, g, variance_feedback="none")[1, 1]
    assert got - sig**2 / mu == pytest.approx(lap / mu, rel=1e-5)
    assert lap > 0


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"^lambda_plus=1\.2 is out of range: .*lambda_c"):
        bulk_latent_covariance(1.2, -2.0, 0.5, 0.9)
    with pytest.raises(ValueError, match=r"^rho=0\.0 is out of range"):
        bulk_latent_covariance(2.0, -2.0, 0.5, 0.9, rho=0.0)
    with pytest.raises(ValueError, match=r"^lambda_minus=2\.5 is out of range"):
        bulk_latent_covariance(2.0, 2.5, 0.5, 0.9)
    with pytest.raises(ValueError, match=r"^variance_feedback='full'"):
        bulk_latent_covariance(2.0, -2.0, 0.5, 0.9, variance_feedback="full")
    with pytest.raises(ValueError, match=r"nonlinearity='relu'"):
        bulk_latent_covariance(2.0, -2.0, 0.5, 0.9, nonlinearity="relu")
    with pytest.raises(ValueError, match=r"^lambda_plus=1\.2 is out of range: .*lambda_c"):
        mf.loss_var(1.2, -2.0, 0.5, 1024, g=0.9)
    with pytest.raises(ValueError, match=r"^dt=0\.1 .* None when g > 0"):
        mf.latent_covariance(2.0, -2.0, 0.5, 1024, g=0.9, dt=0.1)
    out = bulk_latent_covariance(np.array([1.2, 2.0]), -2.0, 0.5, 0.9)
    assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()


def test_g_keyword_on_loss_var_and_latent_covariance():
    """g = 0 is today's code path exactly; g > 0 is the bulk route at the L_bias = 0 ρ."""
    args = (2.0, -2.0, 0.5, 1024)
    assert mf.loss_var(*args, g=0.0) == mf.loss_var(*args)
    st = bulk_state(2.0, 0.5, 0.9)
    rho = 1.0 / (np.sqrt(1024) * st.kappa_norm)
    ref = bulk_latent_covariance(2.0, -2.0, 0.5, 0.9, rho)
    np.testing.assert_allclose(mf.latent_covariance(*args, g=0.9), ref, rtol=1e-12)
    assert mf.loss_var(*args, g=0.9) == pytest.approx(ref[0, 0], rel=1e-12)
    small = mf.loss_var(*args, out_scale="small", g=0.9)
    rho_s = 1.0 / st.kappa_norm
    ref_s = bulk_latent_covariance(2.0, -2.0, 0.5, 0.9, rho_s)
    assert small == pytest.approx(ref_s[0, 0] / 1024, rel=1e-12)


def _simulate_latent(N, g, sig, lam, lam_m, nets, *, dt, T, burn, seed):
    """Independent Euler–Maruyama (numpy) of nets rank-2 + bulk networks, M = diag(λ₊, λ₋),
    U orthonormal ×√N; returns per network λ_eff = 1/⟨φ'⟩(v) and N·Cov_t(κ)."""
    rng = np.random.default_rng(seed)
    U = np.stack([np.sqrt(N) * np.linalg.qr(rng.standard_normal((N, 2)))[0] for _ in range(nets)])
    W = (
        g * rng.standard_normal((nets, N, N)) / np.sqrt(N)
        + np.einsum("bia,a,bja->bij", U, np.array([lam, lam_m]), U) / N
    )
    x = U[:, :, 0] + 0.5 * rng.standard_normal((nets, N))
    steps, nb, every = int(T / dt), int(burn / dt), 5
    kap, sq = [], []
    for t in range(steps):
        x = (
            x
            + dt * (-x + np.matmul(W, special.erf(ALPHA * x)[..., None])[..., 0])
            + np.sqrt(2 * dt) * sig * rng.standard_normal((nets, N))
        )
        if t >= nb and (t - nb) % every == 0:
            kap.append(np.einsum("bn,bna->ba", x, U) / N)
            sq.append((x * x).mean(1))
    kap = np.stack(kap, 1)
    v = np.stack(sq, 1).mean(1)
    cov = (
        N
        * np.einsum(
            "bta,btc->bac", kap - kap.mean(1, keepdims=True), kap - kap.mean(1, keepdims=True)
        )
        / (kap.shape[1] - 1)
    )
    return 1.0 / mf.mean_dphi(v), cov


def test_v_minus_variance_matches_simulated_networks():
    """16 networks, N = 400, g = 0.5, λ₊ = 2, λ₋ = −2, σ = 0.5, T = 300: Σ₋₋ (the v₋ mode, no
    variance-feedback ambiguity) with the Hermite drives (K = 8) against N·Var_t(κ₂), each
    network at its own λ_eff. Tolerance: Student quantile (15 dof, P = 1e-3) × SE over
    networks + the neglected orders dt (Euler) + 1/N; the test
    asserts it would see a 10 % miss (here: without the Hermite drives the prediction is
    ≈ 13 % low, caught; the bulk-field term, ≈ 3 % of Σ₋₋ at g = 0.5, is below this test's
    resolution and is resolved by the independent-route test above and validate's bulk rows)."""
    from scipy import stats

    N, g, sig, lam, lam_m, nets, dt = 400, 0.5, 0.5, 2.0, -2.0, 16, 0.02
    lam_eff, cov = _simulate_latent(N, g, sig, lam, lam_m, nets, dt=dt, T=300.0, burn=20.0, seed=3)
    th = bulk_latent_covariance(lam_eff, lam_m, sig, g, hermite_orders=8)[:, 1, 1]
    rel = cov[:, 1, 1] / th - 1.0
    t_crit = stats.t.ppf(1 - 5e-4, nets - 1)
    tol = t_crit * rel.std(ddof=1) / np.sqrt(nets) + dt + 1 / N
    assert tol < 0.10, tol
    assert abs(rel.mean()) < tol, (rel.mean(), tol)


def test_g_keyword_on_correlation_and_feasible():
    """ρ = ẑ/(s√N‖κ̄‖) with the bulk's ‖κ̄‖; feasible is exactly where the bulk routes are
    finite (below λ_c, ρ > 1, λ₋ ≥ λ₊, σ < 0 are not), and never raises for values."""
    st = bulk_state(2.0, 0.5, 0.9)
    assert mf.correlation(2.0, 0.5, 1024, g=0.9) == pytest.approx(
        1 / (32 * st.kappa_norm), rel=1e-14
    )
    assert mf.correlation(2.0, 0.5, 1024, out_scale="small", g=0.9) == pytest.approx(
        1 / st.kappa_norm, rel=1e-14
    )
    assert mf.correlation(2.0, 0.5, 1024, g=0.0) == mf.correlation(2.0, 0.5, 1024)
    lam = np.array([1.2, 2.0, 2.0, 2.0])
    n = np.array([1024, 1024, 1e-3, 1024])
    sig = np.array([0.5, 0.5, 0.5, -0.5])
    np.testing.assert_array_equal(mf.feasible(lam, sig, n, g=0.9), [False, True, False, False])
    rho = mf.correlation(lam, sig, n, g=0.9)
    np.testing.assert_array_equal(np.isfinite(rho), mf.feasible(lam, sig, n, g=0.9))
    np.testing.assert_array_equal(
        mf.feasible(2.0, 0.5, 1024, g=0.9, lambda_minus=np.array([-2.0, 3.0])), [True, False]
    )
    assert not mf.feasible(1.2, 0.5, 1024, g=0.9)  # a scalar below λ_c: False, no error
    with pytest.raises(ValueError, match=r"^lambda_plus=1\.2 is out of range: .*lambda_c"):
        mf.correlation(1.2, 0.5, 1024, g=0.9)


def test_tanh_small_g_is_the_g_zero_theory():
    """tanh (kernels by the 2-d trapezoid rule; ~8 s a point): the g → 0 limit again."""
    lam, lam_m, sig = 2.0, -2.0, 0.5
    kbar = mf.fixed_point_norm(lam, sig, "tanh")
    ref = mf.latent_covariance(
        lam, lam_m, sig, 1e8, z_target=1e4 * kbar * (1 - 1e-12), nonlinearity="tanh"
    )
    got = bulk_latent_covariance(
        lam, lam_m, sig, 1e-4, nonlinearity="tanh", variance_feedback="none"
    )
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())


@settings(deadline=None, max_examples=25)
@given(
    g=st.floats(0.0, 3.0),
    us=st.floats(-1.3, 0.5),
    ul=st.floats(-3.0, 1.0),
    um=st.floats(-2.0, 1.5),
    rho=st.floats(0.05, 1.0),
    feedback=st.sampled_from(["none", "adiabatic"]),
    orders=st.sampled_from([None, 4]),
)
def test_finite_positive_covariance_over_the_domain(g, us, ul, um, rho, feedback, orders):
    """g ∈ [0, 3], σ ∈ [0.05, 3], λ₊ from λ_c(1 + 1e-3) to 11λ_c, λ₋ down to −30λ₊: Σ is a
    finite positive semi-definite matrix (strongly saturated states, c₀ − c∞ ≪ c₀, gave NaN
    when the kinetic energy near c∞ fell below rounding)."""
    sig = 10.0**us
    lam_c = mf.bulk_lambda_min(sig, g)
    lam = lam_c * (1.0 + 10.0**ul)
    S = bulk_latent_covariance(
        lam, lam * (1.0 - 10.0**um), sig, g, rho, variance_feedback=feedback, hermite_orders=orders
    )
    e = np.linalg.eigvalsh(S)
    assert np.all(np.isfinite(S)) and e.min() >= -1e-9 * e.max(), S


# --- the g > 0 routes of correlation / latent_covariance: messages, shapes, options (issue 19:
# mutants of fixed_point._bulk_correlation and fluctuations._bulk_covariance survived) --------
def _message(call):
    with pytest.raises(ValueError) as e:
        call()
    return str(e.value)


def test_bulk_correlation_messages_name_parameter_range_and_reason():
    lam_c = float(mf.lambda_min(0.5, g=0.9))
    assert _message(lambda: mf.correlation(1.0, 0.5, 100, g=0.9)) == (
        f"lambda_plus=1.0 is out of range: lambda_plus must be > lambda_c(g, sigma) = "
        f"{lam_c!r} (no fixed point below the critical λ₊ (THEORY §7))"
    )
    assert _message(lambda: mf.correlation(5.0, 0.5, 1, z_target=50.0, g=0.9)) == (
        "lambda_plus=5.0 is out of range: lambda_plus must be large enough that "
        "rho = ẑ/(s√N‖κ̄‖) <= 1 (with the bulk's ‖κ̄‖) (no L_bias = 0 solution)"
    )
    assert _message(lambda: mf.correlation(5.0, 0.5, 100, out_scale="x", g=0.9)) == (
        "out_scale='x' is out of range: out_scale must be one of 'large', 'small'"
    )
    assert _message(lambda: mf.correlation(5.0, 0.5, 0.5, g=0.9)).startswith("N=0.5 ")
    assert _message(lambda: mf.correlation(5.0, 0.5, 100, z_target=-1.0, g=0.9)).startswith(
        "z_target=-1.0 "
    )
    with mf.errors("raise"):
        msg = _message(lambda: mf.correlation(np.array([1.0, 5.0]), 0.5, 100, g=0.9))
    assert msg == (
        "lambda_plus=1.0 is out of range: lambda_plus must be > lambda_c(g, sigma) "
        "(no fixed point below the critical λ₊ (THEORY §7)) "
        "[1 of 2 entries infeasible; the first is named]"
    )
    with mf.errors("raise"):
        msg = _message(
            lambda: mf.correlation(
                np.array([5.0, 5.0]), 0.5, np.array([400, 1]), z_target=5.0, g=0.9
            )
        )
    assert msg.startswith("lambda_plus=5.0 is out of range") and "[1 of 2" in msg


@pytest.mark.parametrize("which", ["lambda_plus", "sigma", "N", "z_target", "g"])
def test_bulk_correlation_broadcasts_every_argument(which):
    """Each argument alone as an array sets the output's shape; the entries equal scalar
    calls, and ρ = ẑ/(s√N‖κ̄‖) with the bulk state's ‖κ̄‖."""
    base = dict(lambda_plus=3.0, sigma=0.5, N=100.0, z_target=1.0, g=0.9)
    values = {
        "lambda_plus": [2.5, 3.0, 4.0],
        "sigma": [0.3, 0.5, 0.7],
        "N": [50.0, 100.0, 400.0],
        "z_target": [0.5, 1.0, 2.0],
        "g": [0.5, 0.9, 1.2],
    }[which]
    args = dict(base, **{which: np.array(values)})
    got = mf.correlation(
        args["lambda_plus"], args["sigma"], args["N"], args["z_target"], g=args["g"]
    )
    assert got.shape == (3,)
    for i, v in enumerate(values):
        one = dict(base, **{which: v})
        k = mf.bulk_state(one["lambda_plus"], one["sigma"], one["g"]).kappa_norm
        assert got[i] == pytest.approx(one["z_target"] / (np.sqrt(one["N"]) * k), rel=1e-12)
    small = mf.correlation(3.0, 0.5, 100.0, 0.5, "small", g=0.9)
    assert small == pytest.approx(0.5 / mf.bulk_state(3.0, 0.5, 0.9).kappa_norm, rel=1e-12)
    # the nonlinearity reaches the bulk state (tanh's ‖κ̄‖ differs from erf's)
    k_tanh = mf.bulk_state(3.0, 0.5, 0.9, "tanh").kappa_norm
    assert mf.correlation(3.0, 0.5, 100.0, nonlinearity="tanh", g=0.9) == pytest.approx(
        1.0 / (10.0 * k_tanh), rel=1e-12
    )


def test_bulk_loss_var_passes_every_option_through():
    """loss_var/latent_covariance with g > 0 equal bulk_latent_covariance at the L_bias = 0
    geometry for each option (θ₋, nonlinearity, Hermite orders, variance feedback), with
    array λ₋ or θ₋ making an array call, and broadcast shapes."""
    lam, sig, n, g = 3.0, 0.5, 400.0, 0.9
    rho = mf.correlation(lam, sig, n, g=g)
    for kw in (
        dict(),
        dict(theta_minus=2.3),
        dict(nonlinearity="tanh"),
        dict(hermite_orders=3),
        dict(variance_feedback="none"),
    ):
        bkw = {k: v for k, v in kw.items() if k != "theta_minus"}
        rho_k = mf.correlation(lam, sig, n, nonlinearity=kw.get("nonlinearity", "erf"), g=g)
        ref = bulk_latent_covariance(lam, -2.0, sig, g, rho_k, kw.get("theta_minus"), **bkw)
        got = mf.latent_covariance(lam, -2.0, sig, n, g=g, **kw)
        np.testing.assert_allclose(got, ref, rtol=1e-12)
        assert mf.loss_var(lam, -2.0, sig, n, g=g, **kw) == pytest.approx(ref[0, 0], rel=1e-12)
    assert rho == pytest.approx(mf.correlation(lam, sig, n, g=g))
    # an array λ₋ (or θ₋) makes an array call: NaN at the bad entry, no error
    out = mf.loss_var(lam, np.array([-2.0, 5.0]), sig, n, g=g)
    assert out.shape == (2,) and np.isfinite(out[0]) and np.isnan(out[1])
    out = mf.latent_covariance(lam, -2.0, sig, n, theta_minus=np.array([2.3, 2.4]), g=g)
    assert out.shape == (2, 2, 2) and np.all(np.isfinite(out))
    # shapes broadcast between λ₊ (rows) and λ₋ (columns)
    out = mf.latent_covariance(np.array([[2.5], [3.0]]), np.array([-1.0, -2.0, -3.0]), sig, n, g=g)
    assert out.shape == (2, 3, 2, 2)
    np.testing.assert_allclose(out[1, 1], mf.latent_covariance(3.0, -2.0, sig, n, g=g), rtol=1e-12)


@pytest.mark.parametrize("which", ["lambda_plus", "sigma", "N", "z_target", "g"])
def test_bulk_correlation_names_a_bad_type(which):
    args = dict(dict(lambda_plus=3.0, sigma=0.5, N=100.0, z_target=1.0, g=0.9), **{which: "a"})
    with pytest.raises(TypeError, match=f"^{which}='a' has type str"):
        mf.correlation(args["lambda_plus"], args["sigma"], args["N"], args["z_target"], g=args["g"])


def test_bulk_array_calls_mark_bad_entries_without_warnings():
    """NaN at the entries without a fixed point or with ρ > 1, silently (the mask is the
    answer; numpy's divide/invalid warnings would be noise)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rho = mf.correlation(
            np.array([1.0, 3.0, 3.0]), 0.5, np.array([100.0, 100.0, 1.0]), 5.0, g=0.9
        )
        lv = mf.loss_var(np.array([1.0, 3.0]), -2.0, 0.5, 100.0, g=0.9)
    assert np.isnan(rho[0]) and np.isfinite(rho[1]) and np.isnan(rho[2])
    assert np.isnan(lv[0]) and np.isfinite(lv[1])
