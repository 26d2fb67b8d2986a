"""meanfield.hermite_noise: the leak of orthogonal noise through φ (issue 5, part 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.polynomial.hermite import hermval
from scipy.linalg import solve_continuous_lyapunov, solve_discrete_lyapunov

import meanfield as mf
from meanfield.fluctuations import coupling_matrix, fluctuation_matrix
from meanfield.hermite_noise import (
    drive_covariances,
    hermite_coefficients,
    leak_covariance,
    stein_2x2_general,
)
from meanfield.nonlinearities import get_nonlinearity

ALPHA = math.sqrt(math.pi) / 2
ERF = get_nonlinearity("erf")
TANH = get_nonlinearity("tanh")


def _erf_smoothed_derivative(a: np.ndarray, n: int, c0: float) -> np.ndarray:
    """E_η φ^(n)(a + η) for φ = erf(αx): d^n/da^n erf(βa), β = α/√(1 + 2α²c₀) (closed form)."""
    b = ALPHA / math.sqrt(1 + 2 * ALPHA**2 * c0)
    coef = np.zeros(n)
    coef[-1] = 1
    return (
        2
        * b
        / math.sqrt(math.pi)
        * (-b) ** (n - 1)
        * hermval(b * a, coef)
        * np.exp(-((b * a) ** 2))
    )


@pytest.mark.parametrize("method", ["auto", "quadrature"])
@pytest.mark.parametrize("c0", [0.3, 1.0, 1.111])
def test_hermite_coefficients_equal_smoothed_derivatives(c0: float, method: str) -> None:
    # Gaussian integration by parts: E[φ(a+η) He_n(η/√c₀)] = c₀^{n/2} E[φ^(n)(a+η)]
    # (reference typed in with scipy's Hermite polynomials, independent of the sympy derivation)
    a = np.linspace(-4, 4, 17)
    h = hermite_coefficients(a, c0, 8, ERF, method=method)
    for i in range(8):
        n = i + 1
        ref = c0 ** (n / 2) / math.factorial(n) * _erf_smoothed_derivative(a, n, c0)
        np.testing.assert_allclose(h[i], ref, rtol=0, atol=1e-12)


def _geometry(
    lp: float, lm: float, N: int, dt: float | None, sigma: float = 1.0, theta: float | None = None
):
    rho = mf.correlation(lp, sigma, N, dt=dt)
    k = mf.fixed_point_norm(lp, sigma, dt=dt)
    vp = np.array([rho, math.sqrt(1 - rho**2)])
    c0 = sigma**2 / (1 - dt / 2) if dt else sigma**2
    gamma = mf.mean_dphi3(k**2 + c0) * lp * k**2
    A = fluctuation_matrix(lp, gamma, rho, lm, theta)
    M = coupling_matrix(lp, rho, lm, theta)
    return A, M, k * vp


@pytest.mark.parametrize(
    ("dt", "sigma", "theta"),
    [(None, 1.0, None), (0.2, 1.0, None), (None, 0.7, 2.3), (0.2, 0.7, 2.3)],
)
def test_blockwise_solution_equals_augmented_lyapunov(
    dt: float | None, sigma: float, theta: float | None
) -> None:
    # independent route: the full (2 + 2K)-dimensional linear system solved by scipy; a
    # non-symmetric M (θ₋ given) and σ ≠ 1 make every transpose and the σ² scaling visible
    K, lp, lm, N = 6, 2.2, -4.0, 512
    c0 = sigma**2 / (1 - dt / 2) if dt else sigma**2
    A, M, kbar = _geometry(lp, lm, N, dt, sigma, theta)
    D = drive_covariances(kbar, c0, K, ERF)
    d = 2 + 2 * K
    big_a, Q = np.zeros((d, d)), np.zeros((d, d))
    if dt is None:
        big_a[:2, :2] = A
        Q[:2, :2] = 2 * sigma**2 * np.eye(2)
        for i in range(K):
            s = slice(2 + 2 * i, 4 + 2 * i)
            big_a[:2, s] = M
            big_a[s, s] = -(i + 1) * np.eye(2)
            Q[s, s] = 2 * (i + 1) * D[i]
        ref = solve_continuous_lyapunov(big_a, -Q)[:2, :2]
    else:
        big_a[:2, :2] = np.eye(2) + dt * A
        Q[:2, :2] = 2 * sigma**2 * dt * np.eye(2)
        for i in range(K):
            s = slice(2 + 2 * i, 4 + 2 * i)
            a_n = (1 - dt) ** (i + 1)
            big_a[:2, s] = dt * M
            big_a[s, s] = a_n * np.eye(2)
            Q[s, s] = (1 - a_n**2) * D[i]
        ref = solve_discrete_lyapunov(big_a, Q)[:2, :2]
    got = leak_covariance(A, M, kbar, sigma, c0, dt, K, ERF)
    np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_drive_of_order_one_vanishes_for_a_linear_gain() -> None:
    # g constant (κ̄ → 0): Σ u_i g η_i = g Uᵀη = 0 because η ⊥ U
    D = drive_covariances(np.array([1e-9, 0.0]), 1.0, 1, ERF)
    np.testing.assert_allclose(D[0], 0.0, atol=1e-12)


def test_series_converges_and_adds_variance() -> None:
    args = (np.array([1.9, 2.6]), -5.0, 1.0, 1024)
    base = mf.latent_covariance(*args, dt=0.2)
    s8 = mf.latent_covariance(*args, dt=0.2, hermite_orders=8)
    s12 = mf.latent_covariance(*args, dt=0.2, hermite_orders=12)
    # orders beyond 8 change Σ by less than 0.5 % (terms decay like c₀ⁿ⟨φ⁽ⁿ⁾⟩²/n!)
    np.testing.assert_allclose(s12, s8, rtol=5e-3)
    # the leak adds variance along both axes
    assert np.all(s8[:, 0, 0] > base[:, 0, 0]) and np.all(s8[:, 1, 1] > base[:, 1, 1])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, 99])
def test_bad_hermite_orders_is_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="hermite_orders"):
        mf.loss_var(1.9, -5.0, 1.0, 256, hermite_orders=bad)


# --- the sympy closed forms for erf (meanfield.symbolic.hermite) vs quadrature ------------------
def test_closed_form_coefficients_equal_quadrature_to_float_precision() -> None:
    # all 16 orders over a grid of a and c₀; values are ≤ 1 and the 200-node quadrature sums
    # 200 terms of size ≤ 1, so both routes agree to ~200 ε ≈ 4e-14 absolute
    a = np.linspace(-5, 5, 41)[:, None]
    c0 = np.array([0.2, 0.5, 1.0, 1.111, 2.0])[None, :]
    closed = hermite_coefficients(a, c0, 16, ERF)
    quad = hermite_coefficients(a, c0, 16, ERF, quadrature=200, method="quadrature")
    np.testing.assert_allclose(closed, quad, rtol=0, atol=5e-14)


@pytest.mark.parametrize("knorm, c0", [(0.1, 1.0), (1.0, 0.3), (2.5, 1.111), (6.0, 2.0)])
def test_closed_form_drives_equal_direct_quadrature(knorm: float, c0: float) -> None:
    # independent reference: D_n = n!E_s[w(s)h_n(‖κ̄‖s)²] (w = s² along κ̄, 1 across; order 1
    # centred as in the module docstring) with h_n from the 200-node η quadrature (checked above)
    # and the s-integral by the trapezoidal rule on [−14, 14] with 4001 nodes: the integrand is
    # entire and Gaussian-decaying, so the rule converges geometrically (error ≪ 1e-14 at this
    # step 0.007 for widths ≥ 1/(2β‖κ̄‖) ≈ 0.1). Gauss–Hermite in s with 64–128 nodes is *not* a
    # usable reference at ‖κ̄‖ ≳ 3 (the integrand e^{−2β²‖κ̄‖²s²}·poly is narrow): it errs by up
    # to 1e-5 absolute there.
    K = 16
    kb = np.array([knorm * 0.6, knorm * 0.8])
    D = drive_covariances(kb, c0, K, ERF)
    khat = kb / knorm
    P = np.outer(khat, khat)
    O = np.eye(2) - P
    s = np.linspace(-14, 14, 4001)
    w = np.exp(-s * s / 2) / math.sqrt(2 * math.pi) * (s[1] - s[0])
    h = hermite_coefficients(knorm * s, c0, K, ERF, method="quadrature", quadrature=200)
    g1 = h[0] / math.sqrt(c0)
    refs = [
        c0 * ((w * s * s * g1 * g1).sum() - (w * s * s * g1).sum() ** 2) * P
        + c0 * ((w * g1 * g1).sum() - (w * g1).sum() ** 2) * O
    ]
    for n in range(2, K + 1):
        refs.append(
            math.factorial(n)
            * ((w * s * s * h[n - 1] ** 2).sum() * P + (w * h[n - 1] ** 2).sum() * O)
        )
    # relative 1e-11: the ~1e-14 absolute of the 200-node h_n, squared and summed over 4001
    # nodes, against entries ≥ 1e-9 here (orders ≤ 16). Order 1 of the *reference* is a
    # difference E[g²] − E[g]² that cancels as ‖κ̄‖ → 0: its absolute error is ~1e-13 of the
    # subtracted terms, c₀E[g²]
    atol1 = 1e-13 * c0 * (w * g1 * g1).sum()
    for n, ref in enumerate(refs, start=1):
        atol = atol1 if n == 1 else 1e-13 * np.abs(ref).max()
        np.testing.assert_allclose(D[n - 1], ref, rtol=1e-11, atol=atol, err_msg=f"order {n}")


def test_order_one_drive_is_order_kappa_to_the_fourth_without_cancellation() -> None:
    # closed form: D₁ ∝ (1 − √y)², written as (4β²‖κ̄‖²y/(1 + √y))², so D₁/‖κ̄‖⁴ keeps full
    # relative precision as ‖κ̄‖ → 0; its O(‖κ̄‖²) drift is ~3‖κ̄‖² relative (measured between
    # ‖κ̄‖ = 1e-3 and 1e-4), i.e. ≤ 3e-10 at ‖κ̄‖ ≤ 1e-5: rtol 1e-8
    ratios = [
        drive_covariances(np.array([k, 0.0]), 1.0, 1, ERF)[0] / k**4 for k in (1e-5, 1e-7, 1e-9)
    ]
    np.testing.assert_allclose(ratios[1], ratios[0], rtol=1e-8)
    np.testing.assert_allclose(ratios[2], ratios[0], rtol=1e-8)
    assert ratios[0][0, 0] > 0 and ratios[0][1, 1] > 0


def test_method_and_orders_are_validated() -> None:
    tanh = get_nonlinearity("tanh")
    with pytest.raises(ValueError, match="method='closed_form'"):
        hermite_coefficients(0.5, 1.0, 2, tanh, method="closed_form")
    with pytest.raises(ValueError, match="method='exact'"):
        drive_covariances(np.array([1.0, 0.0]), 1.0, 2, ERF, method="exact")
    with pytest.raises(ValueError, match="orders=17"):
        hermite_coefficients(0.5, 1.0, 17, ERF)


@pytest.mark.parametrize("c0", [0.25, 4.0, 49.0])
def test_quadrature_route_matches_the_closed_forms_far_out(c0):
    """The quadrature route (tanh, callables) against erf's derived closed forms for ‖κ̄‖ up
    to 40 and c₀ up to 49: the outer u·κ̄ average on a trapezoid grid in a = ‖κ̄‖s and the
    inner η average with nodes growing with c₀ converge geometrically (measured worst 4e-11;
    fixed 64-node Gauss–Hermite rules were 90–100 % wrong from ‖κ̄‖ ≈ 4 and 3 % at c₀ = 25)."""
    nl = get_nonlinearity("erf")
    k = np.array([0.3, 1.0, 4.0, 8.0, 15.0, 40.0])
    kb = np.stack([k, 0.0 * k], -1)
    cf = drive_covariances(kb, c0, 8, nl, method="closed_form")
    qd = drive_covariances(kb, c0, 8, nl, method="quadrature")
    np.testing.assert_allclose(qd, cf, rtol=1e-9, atol=1e-14 * np.abs(cf).max())


def test_large_quadrature_stays_finite():
    """quadrature ≥ 371 made numpy's Gauss–Hermite weights overflow (NaN for every φ)."""
    nl = get_nonlinearity("tanh")
    kb = np.array([1.0, 0.0])
    ref = drive_covariances(kb, 0.25, 3, nl)
    for q in (371, 600):
        np.testing.assert_allclose(
            drive_covariances(kb, 0.25, 3, nl, quadrature=q), ref, rtol=1e-10
        )


def test_callable_erf_equals_named_erf_at_large_kappa():
    """loss_var with erf passed as a callable (quadrature route) equals the 'erf' closed form
    at ‖κ̄‖ ≈ 8 and 16 (it was 9 % and 20 % off)."""
    from scipy.special import erf

    import meanfield as mf

    lam = np.array([3.0, 10.0, 20.0])
    got = mf.loss_var(
        lam, -5.0, 1.0, 256, hermite_orders=8, nonlinearity=lambda x: erf(np.sqrt(np.pi) / 2 * x)
    )
    np.testing.assert_allclose(got, mf.loss_var(lam, -5.0, 1.0, 256, hermite_orders=8), rtol=1e-9)


def test_helpers_name_bad_input():
    """The helpers used to fail deep inside numpy ("'NoneType' object …", IndexError) or
    return NaN for None, text, wrong shapes, c₀ ≤ 0 and non-integer quadratures."""
    nl = get_nonlinearity("tanh")
    for kwargs, msg in (
        ({"kappa_bar": None}, r"^kappa_bar=None is out of range"),
        ({"kappa_bar": np.zeros(3)}, r"^kappa_bar='array of shape \(3,\)'"),
        ({"c0": -1.0}, r"^c0=-1\.0 is out of range"),
        ({"c0": "x"}, r"^c0='x' is out of range"),
        ({"quadrature": 2.5}, r"^quadrature=2\.5 is out of range"),
    ):
        args = {"kappa_bar": np.array([1.0, 0.0]), "c0": 0.25, "orders": 2, "nl": nl}
        args.update(kwargs)
        with pytest.raises(ValueError, match=msg):
            drive_covariances(**args)
    assert drive_covariances(np.array([1.0, 0.0]), 0.25, 2, nl, quadrature=np.array(64)).shape == (
        2,
        2,
        2,
    )
    with pytest.raises(ValueError, match=r"^A=None is out of range"):
        mf.lyapunov_2x2(None, np.eye(2))
    with pytest.raises(ValueError, match=r"^Q='array of shape \(3, 3\)"):
        mf.lyapunov_2x2(-np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match=r"^dt=None is out of range"):
        mf.stein_2x2(-np.eye(2), 1.0, None)


def test_stein_general_broadcasts_batches_against_scipy() -> None:
    """Σ = BΣBᵀ + Q with a batch of B against one Q, and one B against a batch of Q."""
    rng = np.random.default_rng(3)
    Bs = 0.5 * rng.standard_normal((3, 2, 2))
    L = rng.standard_normal((4, 2, 2))
    Qs = L @ np.swapaxes(L, -1, -2)
    got = stein_2x2_general(Bs, Qs[0])
    assert got.shape == (3, 2, 2)
    for b, g in zip(Bs, got, strict=True):
        np.testing.assert_allclose(g, solve_discrete_lyapunov(b, Qs[0]), rtol=1e-10)
    got = stein_2x2_general(Bs[0], Qs)
    assert got.shape == (4, 2, 2)
    for q, g in zip(Qs, got, strict=True):
        np.testing.assert_allclose(g, solve_discrete_lyapunov(Bs[0], q), rtol=1e-10)
    got = stein_2x2_general(Bs[:, None], Qs[None, :3])
    assert got.shape == (3, 3, 2, 2)
    np.testing.assert_allclose(got[2, 1], solve_discrete_lyapunov(Bs[2], Qs[1]), rtol=1e-10)


def test_quadrature_domain_messages_are_exact() -> None:
    tanh = get_nonlinearity("tanh")
    with pytest.raises(ValueError) as e:
        hermite_coefficients(np.array([0.0]), 60.0, 2, tanh)
    assert str(e.value) == (
        "c0=60.0 is out of range: c0 must be <= 50 for the quadrature route (tanh, callables) "
        "(beyond it the η-average no longer reaches 1e-8 (see QUADRATURE_MAX_C0))"
    )
    with pytest.raises(ValueError, match=r"^c0=60\.0 is out of range"):
        drive_covariances(np.array([1.0, 0.0]), 60.0, 2, tanh)
    # exactly at the edge the route still answers
    assert np.all(np.isfinite(hermite_coefficients(np.array([0.3]), 50.0, 2, tanh)))
    with pytest.raises(ValueError, match=r"^a=None is out of range: a must be a number"):
        hermite_coefficients(None, 1.0, 2, tanh)


@pytest.mark.parametrize("dt", [None, 0.2])
def test_blocks_give_the_batch_result(dt: float | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # leak_covariance evaluates large batches in blocks: blocks of 7 over 20 points (with
    # broadcast σ) equal one block of all 20, point by point
    import meanfield.hermite_noise as hn

    lp = np.linspace(1.6, 3.0, 20)
    geo = [_geometry(x, -3.0, 256, dt, 0.8, 1.1) for x in lp]
    A = np.stack([g[0] for g in geo])
    M = np.stack([g[1] for g in geo])
    kbar = np.stack([g[2] for g in geo])
    c0 = 0.64 / (1 - dt / 2) if dt else 0.64
    whole = leak_covariance(A, M, kbar, 0.8, c0, dt, 5, ERF)
    monkeypatch.setattr(hn, "BLOCK", 7)
    blocked = leak_covariance(A, M, kbar, 0.8, c0, dt, 5, ERF)
    np.testing.assert_array_equal(blocked, whole)
    assert blocked.shape == (20, 2, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: hermite_coefficients(0.5, 1.0, None, ERF),
            "orders=None is out of range: orders must be an integer in [1, 16]",
        ),
        (
            lambda: hermite_coefficients(0.5, 1.0, 2, TANH, method="closed_form"),
            "method='closed_form' is out of range: method must be 'auto' or 'quadrature' for "
            "this nonlinearity (closed forms are derived for erf only, not 'tanh')",
        ),
        (
            lambda: hermite_coefficients(None, 1.0, 2, ERF),
            "a=None is out of range: a must be a number or array of numbers",
        ),
        (
            lambda: hermite_coefficients(True, 1.0, 2, ERF),
            "a=True is out of range: a must be a number or array of numbers",
        ),
        (
            lambda: hermite_coefficients(np.array(["a"]), 1.0, 2, ERF),
            "a=array(['a'], dtype='<U1') is out of range: a must be a number or array of numbers",
        ),
        (
            lambda: hermite_coefficients([0.1, np.nan], 1.0, 2, ERF),
            "a='array of shape (2,) with non-finite or no entries' is out of range: a must be "
            "finite numbers",
        ),
        (
            lambda: hermite_coefficients([], 1.0, 2, ERF),
            "a='array of shape (0,) with non-finite or no entries' is out of range: a must be "
            "finite numbers",
        ),
        (
            lambda: hermite_coefficients(0.5, 0.0, 2, ERF),
            "c0=0.0 is out of range: c0 must be > 0 (the orthogonal variance)",
        ),
        (
            lambda: hermite_coefficients(0.5, 1.0, 2, TANH, quadrature=1),
            "quadrature=1 is out of range: quadrature must be an integer >= 2 "
            "(Gauss–Hermite nodes)",
        ),
        (
            lambda: hermite_coefficients(0.5, 1.0, 2, TANH, quadrature=True),
            "quadrature=True is out of range: quadrature must be an integer >= 2 "
            "(Gauss–Hermite nodes)",
        ),
        (
            lambda: hermite_coefficients(0.5, [1.0, 60.0], 2, TANH),
            "c0=60.0 is out of range: c0 must be <= 50 for the quadrature route (tanh, "
            "callables) (beyond it the η-average no longer reaches 1e-8 (see "
            "QUADRATURE_MAX_C0))",
        ),
        (
            lambda: drive_covariances(np.ones(3), 1.0, 2, ERF),
            "kappa_bar='array of shape (3,)' is out of range: kappa_bar must be fixed points "
            "of shape (..., 2)",
        ),
        (
            lambda: drive_covariances(None, 1.0, 2, ERF),
            "kappa_bar=None is out of range: kappa_bar must be a number or array of numbers",
        ),
    ],
)
def test_refusals_are_whole_named_sentences(call, message: str) -> None:
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == message


def test_the_inner_rule_grows_with_c0() -> None:
    """The quadrature route uses max(quadrature, 80·c₀) η-nodes: at c₀ = 10 and 25 it then
    agrees with erf's closed forms to 1e-9 (with a fixed 64 or 80 nodes it is 7e-4 off)."""
    kb = np.array([[1.5, 0.3], [0.2, 2.0]])
    c0 = np.array([10.0, 25.0])
    quad = drive_covariances(kb, c0, 4, ERF, method="quadrature")
    closed = drive_covariances(kb, c0, 4, ERF)
    assert np.max(np.abs(quad - closed)) <= 1e-9 * np.max(np.abs(closed))
    # two nodes is the smallest rule allowed (the 80·c₀ nodes take over anyway)
    assert np.all(np.isfinite(hermite_coefficients(0.3, 1.0, 2, TANH, quadrature=2)))


def test_leak_covariance_passes_the_method_on() -> None:
    """method='quadrature' reaches the drives even for erf: the quadrature route's c₀ ≤ 50
    refusal then applies (the closed forms have none)."""
    A, M, kb = _geometry(2.2, -3.0, 256, None)
    assert np.all(np.isfinite(leak_covariance(A, M, kb, 1.0, 60.0, None, 2, ERF)))
    with pytest.raises(ValueError, match=r"^c0=60\.0 is out of range: c0 must be <= 50"):
        leak_covariance(A, M, kb, 1.0, 60.0, None, 2, ERF, method="quadrature")


@pytest.mark.parametrize("carrier", range(5))
def test_blocks_broadcast_every_argument(carrier: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 2 over a (3, 4) batch whose axes come from two different arguments (each of
    A, M, κ̄, σ, c₀ in turn carries the first axis, the next one the second) give the
    unblocked result; complex κ̄ (a complex step) keeps its imaginary part through the blocks."""
    import meanfield.hermite_noise as hn

    geo = [_geometry(lp, -3.0, 256, 0.2, 0.8) for lp in (1.8, 2.2, 2.6, 3.0)]
    base = {
        "A": np.stack([g[0] for g in geo]),
        "M": np.stack([g[1] for g in geo]),
        "kb": np.stack([g[2] for g in geo]).astype(complex),
        "sig": np.array([0.7, 0.8, 0.9, 1.0]),
        "c0": np.array([0.6, 0.7, 0.8, 0.9]),
    }
    base["kb"] = base["kb"] + 1e-30j
    names = list(base)
    tails = {"A": 2, "M": 2, "kb": 1, "sig": 0, "c0": 0}
    args = {}
    for i, name in enumerate(names):
        v = base[name]
        if i == carrier:
            args[name] = v[:3].reshape((3, 1) + v.shape[1:])
        elif i == (carrier + 1) % 5:
            args[name] = v
        else:
            args[name] = v[0]
        assert args[name].ndim >= tails[name]
    call = (args["A"], args["M"], args["kb"], args["sig"], args["c0"], 0.2, 3, ERF)
    whole = leak_covariance(*call)
    monkeypatch.setattr(hn, "BLOCK", 2)
    blocked = leak_covariance(*call)
    assert blocked.shape == whole.shape == (3, 4, 2, 2)
    # the same arithmetic on differently broadcast arrays: equal to rounding (≤ 1e-12)
    np.testing.assert_allclose(blocked.real, whole.real, rtol=1e-12, atol=0)
    np.testing.assert_allclose(blocked.imag, whole.imag, rtol=1e-12, atol=0)
    assert np.iscomplexobj(blocked) and np.all(blocked.imag != 0)
