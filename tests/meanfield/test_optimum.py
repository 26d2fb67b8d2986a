"""The L_var-optimal solution subject to L_bias = 0 (meanfield.optimum, THEORY §2)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize as so
from hypothesis import given, settings
from hypothesis import strategies as st

import meanfield as mf
from meanfield.optimum import approximation_label


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

    def f(lam):
        return mf.loss_var(lam, lam_m, sigma, n, z, out_scale, nonlinearity=name)

    assert np.isclose(f(opt.lambda_plus), opt.loss_var, rtol=1e-12)
    assert np.isclose(
        mf.correlation(opt.lambda_plus, sigma, n, z, out_scale, name), opt.rho, rtol=1e-10
    )
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
    ref = so.minimize_scalar(
        f,
        bounds=(lam_b * (1 + 1e-12), lam_b + 20),
        method="bounded",
        options={"xatol": 1e-12, "maxiter": 500},
    )
    assert opt.loss_var <= ref.fun * (1 + 1e-12)
    assert np.isclose(opt.lambda_plus, ref.x, rtol=1e-6)


def test_optimum_stationary_to_high_precision():
    # complex-step slope of L_var at λ₊* vanishes: |dL/dλ₊| · (λ₊* − λ_min) ≪ L_var*
    n, lam_m = np.array([256.0, 2.0**20]), -5.0
    opt = mf.optimum(n, lam_m)
    gap = opt.lambda_plus - mf.lambda_min(1.0)
    h = gap * 1e-5
    slope = (
        mf.loss_var(opt.lambda_plus + h, lam_m, 1.0, n)
        - mf.loss_var(opt.lambda_plus - h, lam_m, 1.0, n)
    ) / (2 * h)
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


# --- issue 5: the optimum of the Euler-map and Hermite L_var ------------------------------------


def _lower_end(n, lam_m, sigma, z, out_scale, name, dt):
    """Smallest admissible λ₊: the ρ = 1 boundary or the Euler map's stability edge
    λ_s = λ₋dt/(dt − 2) (the v₋ eigenvalue of B = I + dt·A reaches −1 there)."""
    c0 = sigma**2 if dt is None else sigma**2 / (1 - dt / 2)
    lam_b = _lambda_boundary(n, np.sqrt(c0), z, out_scale, name)
    return lam_b if dt is None else max(lam_b, lam_m * dt / (dt - 2))


DT_CASES = [  # (N, λ₋, σ, ẑ, out_scale, φ, dt, K)
    (256.0, -5.0, 1.0, 1.0, "large", "erf", 0.2, None),
    (256.0, -5.0, 1.0, 1.0, "large", "erf", None, 8),
    (1024.0, -1.0, 1.0, 1.0, "large", "erf", 0.2, 8),
    (256.0, -25.0, 1.0, 1.0, "large", "erf", 0.2, None),  # optimum set by the map's stability
    (256.0, -5.0, 1.0, 1.0, "small", "erf", 0.02, 4),
    (256.0, -2.0, 0.5, 1.0, "large", "tanh", 0.2, 3),
]


@pytest.mark.parametrize("n, lam_m, sigma, z, out_scale, name, dt, K", DT_CASES)
def test_dt_and_hermite_optimum_is_a_constrained_minimum(
    n, lam_m, sigma, z, out_scale, name, dt, K
):
    opt = mf.optimum(n, lam_m, sigma, z, out_scale, name, dt=dt, hermite_orders=K)
    assert opt.approximation == approximation_label(dt, K)

    def f(lam):
        return mf.loss_var(
            lam, lam_m, sigma, n, z, out_scale, nonlinearity=name, dt=dt, hermite_orders=K
        )

    # the returned L_var* is the public loss_var at λ₊* (same formulas, different argument path:
    # agreement to rounding, ~1e-13 relative after the k ↔ λ₊ round trip)
    assert np.isclose(f(opt.lambda_plus), opt.loss_var, rtol=1e-11)
    assert np.isclose(
        mf.correlation(opt.lambda_plus, sigma, n, z, out_scale, name, dt=dt), opt.rho, rtol=1e-10
    )
    assert 0 < opt.rho <= 1
    # neighbours are higher: the bisection brackets u = log‖κ̄‖² to 1e-13(1 + |u|), i.e. λ₊* to
    # ~1e-13 relative of the gap, so relative steps ≥ 1e-4 of the gap are far outside the
    # bracket (L_var rises by ~(1e-4)² × curvature, ≫ its rounding)
    lo = _lower_end(n, lam_m, sigma, z, out_scale, name, dt)
    gap = opt.lambda_plus - lo
    assert gap > 0
    for step in (1e-4, 1e-2, 0.3):
        assert f(opt.lambda_plus + step * gap) >= opt.loss_var
        assert f(opt.lambda_plus - step * gap) >= opt.loss_var
    # independent reference: scipy's bounded scalar minimiser (locates a flat minimum to ~√ε)
    ref = so.minimize_scalar(
        f,
        bounds=(lo * (1 + 1e-9), lo + 20),
        method="bounded",
        options={"xatol": 1e-12, "maxiter": 500},
    )
    assert opt.loss_var <= ref.fun * (1 + 1e-12)
    assert np.isclose(opt.lambda_plus, ref.x, rtol=1e-5)


def test_stability_edge_sets_the_euler_optimum():
    # λ₋ = −25, dt = 0.2: the v₋ mode of the map is unstable for λ₊ ≤ λ_s = 25·0.2/1.8; the
    # continuous-time optimum lies below λ_s, so the Euler optimum must move above it
    lam_s = 25 * 0.2 / 1.8
    assert mf.optimum(256, -25.0).lambda_plus < lam_s
    assert mf.optimum(256, -25.0, dt=0.2).lambda_plus > lam_s
    assert np.isnan(mf.loss_var(np.array([0.999 * lam_s]), -25.0, 1.0, 256, dt=0.2)[0])


def test_vectorised_dt_hermite_optimum_equals_scalar_calls():
    n = np.array([256.0, 1024.0])[:, None]
    lam_m = np.array([-1.0, -5.0])[None, :]
    opt = mf.optimum(n, lam_m, dt=0.2, hermite_orders=6)
    assert opt.lambda_plus.shape == (2, 2)
    for i in range(2):
        for j in range(2):
            one = mf.optimum(float(n[i, 0]), float(lam_m[0, j]), dt=0.2, hermite_orders=6)
            # the same bisection on the same bracket: identical to rounding
            assert one.lambda_plus == pytest.approx(opt.lambda_plus[i, j], rel=1e-12)
            assert one.loss_var == pytest.approx(opt.loss_var[i, j], rel=1e-12)


def test_default_is_the_paper_optimum_and_labels():
    a = mf.optimum(256.0, -5.0)
    b = mf.optimum(256.0, -5.0, dt=None, hermite_orders=None)
    assert a == b and a.approximation == "paper (continuous time, N→∞)"
    assert approximation_label(0.2) == "Euler map dt=0.2"
    assert approximation_label(0.2, 8) == "Euler map dt=0.2 + Hermite K=8"
    assert approximation_label(None, 8) == "continuous time + Hermite K=8"


@settings(max_examples=15)
@given(
    log2N=st.integers(4, 16),
    lam_m=st.floats(-20.0, -0.2),
    sigma=st.floats(0.3, 1.5),
    z=st.floats(0.3, 3.0),
    small=st.booleans(),
)
def test_dt_to_zero_recovers_the_paper_optimum(log2N, lam_m, sigma, z, small):
    # The Euler-map L_var differs from the paper's by O(dt × rates) (rates ≤ 1 − λ₋/λ₊ + 1 < 25
    # here), and so does its minimiser; at dt = 1e-9 the shift is ≤ ~1e-7 relative unless the
    # minimum is flatter than the curvature scale by 10² — rtol 1e-5 leaves that margin. The
    # stability edge λ₋dt/(dt − 2) ≈ 5e-10|λ₋| is far below every λ_min.
    out_scale = "small" if small else "large"
    n = float(2**log2N)
    paper = mf.optimum(n, lam_m, sigma, z, out_scale)
    fine = mf.optimum(n, lam_m, sigma, z, out_scale, dt=1e-9)
    for field in ("lambda_plus", "kappa_norm", "rho", "loss_var"):
        assert getattr(fine, field) == pytest.approx(getattr(paper, field), rel=1e-5), field


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"dt": 0.0}, "dt"),
        ({"dt": 2.0}, "dt"),
        ({"dt": -0.1}, "dt"),
        ({"dt": [0.2]}, "dt"),
        ({"dt": float("nan")}, "dt"),
        ({"hermite_orders": 0}, "hermite_orders"),
        ({"hermite_orders": 17}, "hermite_orders"),
        ({"hermite_orders": 2.0}, "hermite_orders"),
        ({"hermite_orders": True}, "hermite_orders"),
    ],
)
def test_bad_dt_or_hermite_orders_is_rejected(kw, name):
    with pytest.raises(ValueError, match=f"{name}=.* must be"):
        mf.optimum(256.0, -5.0, **kw)


def test_a_step_too_large_for_a_minimiser_is_blamed_on_dt() -> None:
    # λ₋ = −5 has a continuous-time optimum (λ₊* = 1.92); the Euler map's minimiser grows like
    # 1/(1 − dt) (20 at dt = 0.8, 95 at 0.95) and leaves at dt ≈ 1: the error names dt, not λ₋
    import meanfield as mf

    assert mf.optimum(256, -5.0, dt=0.8).lambda_plus < mf.optimum(256, -5.0, dt=0.95).lambda_plus
    with pytest.raises(ValueError, match=r"^dt=1.0 is out of range.*continuous-time optimum"):
        mf.optimum(256, -5.0, dt=1.0)
    with pytest.raises(ValueError, match=r"^lambda_minus=0.5"):
        mf.optimum(256, 0.5, dt=1.0)


@pytest.mark.parametrize(
    ("out_scale", "z", "dt", "lam_m"),
    [
        ("small", 0.1, 0.2, -25.0),
        ("small", 0.3, 0.5, -10.0),
        # ρ = 1 at κ̄² ≈ 1e-7, where the unstable map's Stein "L_var" rises
        ("small", 3e-4, 0.2, -25.0),
        ("small", 7e-4, 0.2, -25.0),
        ("large", 0.1, 0.2, -25.0),
        ("large", 1.0, 0.5, -40.0),
    ],
)
def test_euler_optimum_lies_above_the_maps_stability_edge(out_scale, z, dt, lam_m) -> None:
    """Where the ρ = 1 boundary lies below the Euler map's stability edge λ_s = λ₋dt/(dt − 2),
    the minimiser is interior, above λ_s, and a local minimum of the map's L_var (a bracket
    started at the boundary, inside the unstable region, must not return a point there: the
    Stein formula continues past the edge with poles, and its slope is > 0 on ~10 % of the
    unstable range)."""
    lam_s = lam_m * dt / (dt - 2.0)
    o = mf.optimum(256.0, lam_m, 1.0, z, out_scale, dt=dt)
    assert o.lambda_plus > lam_s and o.rho < 1.0
    lv = lambda lp: mf.loss_var(lp, lam_m, 1.0, 256.0, z, out_scale, dt=dt)  # noqa: E731
    assert o.loss_var == pytest.approx(lv(o.lambda_plus), rel=1e-10)
    for f in (1 - 1e-3, 1 + 1e-3):
        assert lv(o.lambda_plus * f) >= o.loss_var


@pytest.mark.parametrize("out_scale", ["large", "small"])
@pytest.mark.parametrize("dt", [None, 0.2])
@pytest.mark.parametrize("nl", ["erf", "tanh"])
def test_reported_loss_var_is_loss_var_at_the_optimum(out_scale, dt, nl) -> None:
    """Optimum.loss_var, ρ and ‖κ̄‖ are the public functions evaluated at λ₊* (small output
    weights carry the readout factor s² = 1/N; tanh takes the numeric route)."""
    o = mf.optimum(256.0, -5.0, 0.8, 0.7, out_scale, nl, dt=dt)
    assert o.loss_var == pytest.approx(
        mf.loss_var(o.lambda_plus, -5.0, 0.8, 256.0, 0.7, out_scale, nonlinearity=nl, dt=dt),
        rel=1e-10,
    )
    assert o.rho == pytest.approx(
        mf.correlation(o.lambda_plus, 0.8, 256.0, 0.7, out_scale, nl, dt=dt), rel=1e-10
    )
    assert o.kappa_norm == pytest.approx(
        mf.fixed_point_norm(o.lambda_plus, 0.8, nl, dt=dt), rel=1e-10
    )
