"""Latent covariance and L_var (meanfield.fluctuations, meanfield.lyapunov; THEORY §2)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl
from hypothesis import given
from hypothesis import strategies as st

import meanfield as mf
from meanfield import _generated
from meanfield.fluctuations import fluctuation_matrix, v_orth_general
from meanfield.lyapunov import is_stable_2x2


def _random_stable(rng: np.random.Generator, n: int) -> np.ndarray:
    A = rng.normal(size=(n, 2, 2))
    shift = np.max(np.real(np.linalg.eigvals(A)), axis=-1) + rng.uniform(0.05, 2.0, n)
    return A - shift[:, None, None] * np.eye(2)


def test_lyapunov_residual_and_scipy_on_random_stable_matrices():
    rng = np.random.default_rng(0)
    A = _random_stable(rng, 500)
    B = rng.normal(size=(500, 2, 2))
    Q = B @ np.swapaxes(B, -1, -2)
    X = mf.lyapunov_2x2(A, Q)
    resid = A @ X + X @ np.swapaxes(A, -1, -2) + Q
    scale = np.linalg.norm(Q, axis=(-1, -2)) + np.linalg.norm(A, axis=(-1, -2)) * np.linalg.norm(
        X, axis=(-1, -2)
    )
    assert np.max(np.linalg.norm(resid, axis=(-1, -2)) / scale) < 1e-12
    ref = np.stack(
        [sl.solve_continuous_lyapunov(a, -q) for a, q in zip(A[:20], Q[:20], strict=True)]
    )
    assert np.allclose(X[:20], ref, rtol=1e-9, atol=1e-12)
    assert is_stable_2x2(A).all()


# feasible symmetric-M parameters: λ₊ far enough above the ρ = 1 boundary
params = st.fixed_dictionaries(
    dict(
        sigma=st.floats(0.1, 2.0),
        logn=st.floats(4, 20),
        z=st.floats(0.2, 3.0),
        lam_m=st.floats(-20.0, 1.5),
        extra=st.floats(0.01, 4.0),
        out_scale=st.sampled_from(["large", "small"]),
    )
)


def _feasible_lambda_plus(p: dict, name: str = "erf") -> float:
    n = 2.0 ** p["logn"]
    s = 1.0 if p["out_scale"] == "large" else 1 / np.sqrt(n)
    k_b = p["z"] ** 2 / (s * s * n)  # ρ = 1 boundary: ‖κ̄‖² = ẑ²/(s²N)
    lam_b = 1 / mf.mean_dphi(p["sigma"] ** 2 + k_b, name)
    return max(lam_b + p["extra"], p["lam_m"] + p["extra"])


@given(p=params, sign=st.sampled_from([1.0, -1.0]))
def test_closed_form_equals_general_route_at_right_angle(p, sign):
    n = 2.0 ** p["logn"]
    lam = _feasible_lambda_plus(p)
    args = (lam, p["lam_m"], p["sigma"], n, p["z"], p["out_scale"])
    closed = mf.loss_var(*args)  # derived closed form (symmetric M, erf)
    theta_p = np.arccos(mf.correlation(lam, p["sigma"], n, p["z"], p["out_scale"]))
    general = mf.loss_var(*args, theta_minus=theta_p + sign * np.pi / 2)
    assert closed > 0
    assert abs(general - closed) <= 1e-10 * closed
    cov = mf.latent_covariance(*args)
    s2 = 1.0 if p["out_scale"] == "large" else 1 / n
    assert abs(s2 * cov[0, 0] - closed) <= 1e-10 * closed
    assert np.all(np.linalg.eigvalsh(cov) > 0)  # a covariance


def test_generated_v_orth_equals_general_form():
    lam, sigma = np.linspace(1.65, 5.0, 30), 1.0
    k = _generated.erf_kappa_norm_sq(lam, sigma)
    delta = k + sigma**2
    gamma = _generated.erf_mean_dphi3(delta) / _generated.erf_mean_dphi(delta) * k
    assert np.allclose(
        v_orth_general(gamma, k, sigma**2), _generated.erf_v_orth(lam, sigma), rtol=1e-12
    )


@given(
    gamma=st.floats(-5, -1e-3),
    rho=st.floats(1e-3, 1.0),
    lam=st.floats(1.1, 5.0),
    lam_m=st.floats(-10, 1.0),
    theta=st.floats(-3.0, 3.0),
)
def test_A_eigenvalues_do_not_depend_on_theta_minus(gamma, rho, lam, lam_m, theta):
    # A is triangular in M's eigenbasis: eigenvalues γ and −1 + λ₋/λ₊ for every θ₋.
    if abs(np.sin(theta - np.arccos(rho))) < 0.05:
        return
    A = fluctuation_matrix(lam, gamma, rho, lam_m, theta)
    ev = np.sort(np.real(np.linalg.eigvals(A)))
    ref = np.sort([gamma, -1 + lam_m / lam])
    assert np.allclose(ev, ref, atol=1e-8 * (1 + np.abs(A).max()))


def test_near_parallel_eigenvectors_amplify_but_stay_stable():
    lam, n = 2.6, 256.0
    theta_p = np.arccos(mf.correlation(lam, 1.0, n))
    gaps = np.array([np.pi / 2, 0.3, 0.03, 0.003])
    lv = mf.loss_var(lam, -5.0, 1.0, n, theta_minus=theta_p + gaps)
    assert np.all(np.isfinite(lv)) and np.all(np.diff(lv) > 0)  # grows as v₋ → v₊
    assert np.isnan(mf.loss_var(lam, -5.0, 1.0, n, theta_minus=np.array([theta_p]))[0])
    with pytest.raises(ValueError, match="theta_minus=.*not parallel to v₊"):
        mf.loss_var(lam, -5.0, 1.0, n, theta_minus=float(theta_p))


def _reference_tanh_sigma(lam, lam_m, sigma, n, z, theta_m):
    """Per-point reference: scipy root + quad + solve_continuous_lyapunov (no meanfield code)."""
    import scipy.integrate as si
    import scipy.optimize as so

    def mean(f, d):
        return si.quad(
            lambda x: f(x) * np.exp(-x * x / (2 * d)) / np.sqrt(2 * np.pi * d),
            -60,
            60,
            epsabs=1e-14,
            epsrel=1e-13,
            limit=400,
        )[0]

    d1 = lambda x: 1 - np.tanh(x) ** 2  # noqa: E731
    d3 = lambda x: (1 - np.tanh(x) ** 2) * (6 * np.tanh(x) ** 2 - 2)  # noqa: E731
    k = so.brentq(lambda k: lam * mean(d1, k + sigma**2) - 1, 1e-12, 100, xtol=1e-15)
    rho = z / np.sqrt(n * k)
    vp = np.array([rho, np.sqrt(1 - rho**2)])
    vm = np.array([np.cos(theta_m), np.sin(theta_m)])
    V = np.column_stack([vp, vm])
    M = V @ np.diag([lam, lam_m]) @ np.linalg.inv(V)
    q = mean(d3, k + sigma**2) / mean(d1, k + sigma**2)
    A = -np.eye(2) + M / lam + q * k * np.outer(vp, vp)
    S = sl.solve_continuous_lyapunov(A, -2 * sigma**2 * np.eye(2))
    g = q * k
    return S + sigma**4 * g / (2 * (g - 2)) / k * np.outer(vp, vp)


@pytest.mark.parametrize("theta_offset", [np.pi / 2, 1.0])
def test_tanh_general_route_matches_per_point_reference(theta_offset):
    lam, lam_m, sigma, n, z = 2.2, -3.0, 0.8, 256.0, 1.0
    theta_p = np.arccos(mf.correlation(lam, sigma, n, z, nonlinearity="tanh"))
    cov = mf.latent_covariance(
        lam, lam_m, sigma, n, z, theta_minus=theta_p + theta_offset, nonlinearity="tanh"
    )
    ref = _reference_tanh_sigma(lam, lam_m, sigma, n, z, theta_p + theta_offset)
    assert np.allclose(cov, ref, rtol=1e-9)


def test_loss_var_positive_and_broadcasts():
    lam = np.linspace(1.8, 4.0, 7)[:, None]
    lam_m = np.array([-10.0, -1.0, 0.0, 1.0])[None, :]
    lv = mf.loss_var(lam, lam_m, 1.0, 256.0)
    assert lv.shape == (7, 4)
    assert np.all(lv > 0)
    cov = mf.latent_covariance(lam, lam_m, 1.0, 256.0, theta_minus=0.3)
    assert cov.shape == (7, 4, 2, 2)


def test_unstable_lambda_minus_is_nan_or_error():
    lv = mf.loss_var(2.6, np.array([-1.0, 2.6, 3.0]), 1.0, 256.0)
    assert np.array_equal(np.isnan(lv), [False, True, True])
    assert np.array_equal(
        mf.feasible(2.6, 1.0, 256.0, lambda_minus=np.array([-1.0, 2.6, 3.0])), [True, False, False]
    )
    with pytest.raises(ValueError, match=r"lambda_minus=3\.0 .* must be < lambda_plus = 2\.6"):
        mf.loss_var(2.6, 3.0, 1.0, 256.0)


# --- messages of every reachable refusal, exactly (issue 19: their text survived mutation) ---
def _err(call):
    with pytest.raises(ValueError) as e:
        call()
    return str(e.value)


def test_refusals_name_parameter_range_and_reason_exactly():
    theta_p = float(np.arccos(mf.correlation(3.0, 1.0, 100)))
    assert _err(lambda: mf.loss_var(3.0, -2.0, 1.0, 100, theta_minus=theta_p)) == (
        f"theta_minus={theta_p!r} is out of range: theta_minus must be not parallel to v₊: "
        f"|sin(theta_minus − θ₊)| > 1.5e-08 (θ₊ = arccos(rho) = {theta_p!r}) "
        "(M = V diag(λ₊, λ₋) V⁻¹ needs independent eigenvectors)"
    )
    assert _err(lambda: mf.loss_var(3.0, -40.0, 1.0, 100, dt=0.5)) == (
        "dt=0.5 is out of range: dt must be small enough that B = I + dt·A has its eigenvalues "
        "inside the unit circle (the Euler map is unstable at this fixed point, "
        "e.g. |1 + dt(−1 + λ₋/λ₊)| ≥ 1)"
    )
    assert _err(
        lambda: mf.loss_var(
            30.0, -1.0, 7.5, 100.0, 1.0, "small", nonlinearity="tanh", hermite_orders=3
        )
    ) == (
        "sigma=7.5 is out of range: sigma must be σ²/(1 − dt/2) <= 50 with hermite_orders for "
        "'tanh' (the Hermite quadrature route's domain)"
    )
    # the same domain for a user callable, even one named erf (only the derived erf has
    # closed-form drives); at σ = 7 (c₀ = 49) it still answers
    from scipy.special import erf

    def user_erf(x):
        return erf(np.sqrt(np.pi) / 2 * x)

    user_erf.__name__ = "erf"
    with pytest.raises(ValueError, match=r"^sigma=7\.5 .* for 'erf' \(the Hermite"):
        mf.loss_var(30.0, -1.0, 7.5, 100.0, 1.0, "small", nonlinearity=user_erf, hermite_orders=2)
    assert np.isfinite(
        mf.loss_var(30.0, -1.0, 7.0, 100.0, 1.0, "small", nonlinearity="tanh", hermite_orders=2)
    )


def test_array_calls_with_infeasible_entries_emit_no_warnings():
    """The fill values at masked entries and errstate keep array calls silent: NaN is the
    answer there, numpy warnings would be noise."""
    import warnings

    lam = np.array([1.0, 3.0, 3.0, 3.0])
    lam_m = np.array([-2.0, -2.0, 5.0, -40.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for kw in (
            dict(),
            dict(dt=0.5),
            dict(theta_minus=np.array([0.1, 2.3, 2.3, 2.3])),
            dict(hermite_orders=2, nonlinearity="tanh"),
        ):
            out = mf.latent_covariance(lam, lam_m, 1.0, 100.0, **kw)
            assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()
            assert np.isnan(out[2]).all()


@pytest.mark.parametrize("nl", ["erf", "tanh"])
def test_euler_map_covariance_from_an_independent_stein_solver(nl):
    """latent_covariance(dt=0.2) = Σ_A + v_orth v₊v₊ᵀ with Σ_A from scipy's discrete Lyapunov
    solver on B = I + dt·A, A built from THEORY §2 with the map's orthogonal variance
    c₀ = σ²/(1 − dt/2) in Δ = c₀ + ‖κ̄‖² (σ = 0.7, so c₀ ≠ σ² is visible), θ₋ given."""
    from scipy.linalg import solve_discrete_lyapunov

    from meanfield import _generated
    from meanfield.latent_geometry import fluctuation_matrix, v_plus

    lam, lam_m, sig, n, dt, theta = 2.4, -3.0, 0.7, 300.0, 0.2, 2.2
    c0 = sig**2 / (1 - dt / 2)
    k = mf.fixed_point_norm(lam, sig, nl, dt=dt) ** 2
    rho = mf.correlation(lam, sig, n, nonlinearity=nl, dt=dt)
    gamma = mf.mean_dphi3(c0 + k, nl) / mf.mean_dphi(c0 + k, nl) * k
    A = fluctuation_matrix(lam, gamma, rho, lam_m, theta)
    B = np.eye(2) + dt * A
    sigma_a = solve_discrete_lyapunov(B, 2 * sig**2 * dt * np.eye(2))
    vp = v_plus(rho)
    ref = sigma_a + _generated.euler_v_orth_general(gamma, k, c0, dt) * np.outer(vp, vp)
    got = mf.latent_covariance(lam, lam_m, sig, n, theta_minus=theta, nonlinearity=nl, dt=dt)
    np.testing.assert_allclose(got, ref, rtol=1e-10)


@pytest.mark.parametrize("dt", [None, 0.2])
def test_hermite_route_uses_the_non_symmetric_coupling(dt):
    """With θ₋ given, latent_covariance(hermite_orders=3) is leak_covariance with M =
    V diag(λ₊, λ₋)V⁻¹ of that θ₋ (checked against the augmented Lyapunov system in
    tests/meanfield/test_hermite_noise.py), and differs from the symmetric-M answer."""
    from meanfield.hermite_noise import leak_covariance
    from meanfield.latent_geometry import coupling_matrix, fluctuation_matrix, v_plus
    from meanfield.nonlinearities import get_nonlinearity

    lam, lam_m, sig, n, theta = 2.4, -3.0, 0.7, 300.0, 2.2
    c0 = sig**2 / (1 - dt / 2) if dt else sig**2
    k = mf.fixed_point_norm(lam, sig, dt=dt) ** 2
    rho = mf.correlation(lam, sig, n, dt=dt)
    gamma = mf.mean_dphi3(c0 + k) / mf.mean_dphi(c0 + k) * k
    A = fluctuation_matrix(lam, gamma, rho, lam_m, theta)
    M = coupling_matrix(lam, rho, lam_m, theta)
    ref = leak_covariance(A, M, np.sqrt(k) * v_plus(rho), sig, c0, dt, 3, get_nonlinearity("erf"))
    got = mf.latent_covariance(lam, lam_m, sig, n, theta_minus=theta, dt=dt, hermite_orders=3)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    sym = mf.latent_covariance(lam, lam_m, sig, n, dt=dt, hermite_orders=3)
    assert np.abs(got - sym).max() > 1e-3 * np.abs(sym).max()


@pytest.mark.parametrize(
    "which", ["lambda_plus", "lambda_minus", "sigma", "N", "z_target", "theta_minus"]
)
def test_bad_types_are_named(which):
    args = dict(
        lambda_plus=2.4, lambda_minus=-3.0, sigma=0.7, N=300.0, z_target=1.0, theta_minus=2.2
    )
    args[which] = "a"
    with pytest.raises(TypeError, match=f"^{which}='a' has type str"):
        mf.loss_var(**args)
    with pytest.raises(ValueError, match=r"^out_scale='x' is out of range: out_scale must be"):
        mf.latent_covariance(2.4, -3.0, 0.7, 300.0, out_scale="x")


def test_lambda_minus_above_lambda_plus_is_named_exactly():
    assert _err(lambda: mf.loss_var(2.4, 3.0, 0.7, 300.0)) == (
        "lambda_minus=3.0 is out of range: lambda_minus must be < lambda_plus = 2.4 "
        "(A has the eigenvalue −1 + λ₋/λ₊, so λ₋ ≥ λ₊ makes the fixed point unstable)"
    )
    with mf.errors("raise"):
        msg = _err(lambda: mf.loss_var(np.array([2.4, 2.4]), np.array([-3.0, 3.0]), 0.7, 300.0))
    assert msg == (
        "lambda_minus=3.0 is out of range: lambda_minus must be < lambda_plus "
        "(A has the eigenvalue −1 + λ₋/λ₊, so λ₋ ≥ λ₊ makes the fixed point "
        "unstable) [1 of 2 entries infeasible; the first is named]"
    )


def test_the_quadrature_domain_applies_only_to_the_quadrature_route():
    """c₀ = σ²/(1 − dt/2) ≤ 50 is required only with hermite_orders for a φ without closed
    forms (tanh): tanh without Hermite orders, and erf with them, answer at σ = 8 (c₀ = 64);
    the dt factor counts (σ = 6.9: σ² = 47.6 passes in continuous time, 52.9 at dt = 0.2 not)."""
    lam = 1.2 * mf.lambda_min(8.0, nonlinearity="tanh")
    assert np.isfinite(mf.latent_covariance(lam, -2.0, 8.0, 256, nonlinearity="tanh")).all()
    lam = 1.2 * mf.lambda_min(8.0)
    assert np.isfinite(mf.latent_covariance(lam, -2.0, 8.0, 256, hermite_orders=2)).all()
    lam = 1.2 * mf.lambda_min(6.9, nonlinearity="tanh", dt=0.2)
    tanh_k2 = dict(nonlinearity="tanh", hermite_orders=2)
    assert np.isfinite(mf.latent_covariance(lam, -2.0, 6.9, 256, **tanh_k2)).all()
    with pytest.raises(ValueError) as err:
        mf.latent_covariance(lam, -2.0, 6.9, 256, dt=0.2, **tanh_k2)
    assert str(err.value) == (
        "sigma=6.9 is out of range: sigma must be σ²/(1 − dt/2) <= 50 with hermite_orders "
        "for 'tanh' (the Hermite quadrature route's domain)"
    )


def test_an_infinite_theta_minus_in_an_array_call_is_masked_silently():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = mf.latent_covariance(
            np.array([3.0, 3.0]), -2.0, 1.0, 100.0, theta_minus=np.array([0.3, np.inf])
        )
    assert np.isfinite(out[0]).all() and np.isnan(out[1]).all()
