"""Tests of validate.analysis.fixed_points on systems with known fixed points."""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from validate.analysis.fixed_points import (
    find_fixed_points,
    linearise,
    model_velocity,
    sample_initial_states,
)

# float32 optimisation: fixed points of O(1) systems located to ~1e-5 (a few hundred float32
# ulps after Newton polishing); Jacobians of explicit formulas to float32 round-off.
LOC_TOL = 1e-4
F32 = 1e-5


@pytest.mark.parametrize("solver", ["dense", "cg"])
def test_linear_flow_has_its_unique_fixed_point(solver):
    rng = np.random.default_rng(0)
    N = 6
    A = -np.eye(N) + 0.3 * rng.standard_normal((N, N)) / np.sqrt(N)
    b = rng.standard_normal(N)
    Aj, bj = jnp.asarray(A, jnp.float32), jnp.asarray(b, jnp.float32)

    def F(h, u):
        return Aj @ h + bj

    h0 = rng.standard_normal((32, N)) * 3
    fp = find_fixed_points(F, h0, steps=300, learning_rate=0.05, solver=solver)
    assert fp.n_points == 1 and fp.n_candidates == 32
    np.testing.assert_allclose(fp.points[0], -np.linalg.solve(A, b), atol=LOC_TOL)
    np.testing.assert_allclose(fp.jacobians[0], A, atol=F32)
    np.testing.assert_allclose(
        np.sort_complex(fp.eigenvalues[0]), np.sort_complex(np.linalg.eigvals(A)), atol=1e-4
    )
    assert fp.stable[0] and fp.n_unstable[0] == 0
    # left @ right = I (non-normal decomposition)
    np.testing.assert_allclose(fp.left[0] @ fp.right[0], np.eye(N), atol=1e-9)


@pytest.mark.parametrize("solver", ["dense", "cg"])
def test_double_well_finds_two_minima_and_the_saddle(solver):
    # ḣ = (h₁ − h₁³, −h₂): fixed points (±1, 0) stable, (0, 0) a saddle with one unstable mode
    def F(h, u):
        return jnp.stack([h[0] - h[0] ** 3, -h[1]])

    h0 = np.random.default_rng(1).uniform(-1.5, 1.5, size=(64, 2))
    fp = find_fixed_points(F, h0, steps=500, learning_rate=0.05, solver=solver)
    order = np.argsort(fp.points[:, 0])
    np.testing.assert_allclose(fp.points[order], [[-1, 0], [0, 0], [1, 0]], atol=LOC_TOL)
    assert fp.n_unstable[order].tolist() == [0, 1, 0]
    assert fp.stable[order].tolist() == [True, False, True]
    np.testing.assert_allclose(fp.eigenvalues[order[1]].real, [1.0, -1.0], atol=F32)


def test_map_kind_uses_modulus_for_stability():
    B = np.array([[0.5, 0.2], [0.0, -0.8]])
    c = np.array([1.0, -2.0])
    Bj, cj = jnp.asarray(B, jnp.float32), jnp.asarray(c, jnp.float32)
    fp = find_fixed_points(
        lambda h, u: Bj @ h + cj, np.zeros((4, 2)) + [[1, 1]], kind="map", steps=200
    )
    assert fp.n_points == 1
    np.testing.assert_allclose(fp.points[0], np.linalg.solve(np.eye(2) - B, c), atol=LOC_TOL)
    np.testing.assert_allclose(fp.jacobians[0], B, atol=F32)
    assert fp.stable[0]
    # the same linear system read as a flow is unstable (Re λ = 0.5 > 0)
    assert not linearise(lambda h, u: Bj @ h + cj, fp.points, kind="flow")[4][0]


def test_rate_network_jacobian_matches_the_analytic_formula():
    from simulate.models import make_rate_rnn

    net = make_rate_rnn(jax.random.key(0), 16, n_in=2, n_out=1, g=0.5, nonlinearity="tanh")
    v = model_velocity(net)
    u = jnp.asarray([0.3, -0.2], jnp.float32)
    fp = find_fixed_points(
        v, np.random.default_rng(2).standard_normal((8, 16)), u, steps=400, learning_rate=0.05
    )
    assert fp.n_points == 1  # g < 1: a contraction, one fixed point
    h = fp.points[0]
    W, w_in = np.asarray(net.W, float), np.asarray(net.w_in, float)
    np.testing.assert_allclose(h, W @ np.tanh(h) + w_in @ np.asarray(u, float), atol=LOC_TOL)
    J = -np.eye(16) + W * (1 - np.tanh(h) ** 2)[None, :]
    np.testing.assert_allclose(fp.jacobians[0], J, atol=F32)
    assert fp.stable[0]


def test_no_fixed_point_gives_an_empty_result_with_the_best_q():
    def F(h, u):  # ḣ = (1, 1): no zero; q = ½·‖(1,1)‖²/2 = 0.5 everywhere
        return jnp.ones_like(h)

    fp = find_fixed_points(F, np.zeros((5, 2)), steps=10)
    assert fp.empty and fp.n_points == 0 and fp.points.shape == (0, 2)
    assert fp.best_q == pytest.approx(0.5, rel=1e-6)
    assert fp.n_below_tol == 0


def test_slow_point_is_kept_only_with_a_looser_tolerance():
    eps = 1e-2  # ḣ₁ = h₁² + ε has no zero; min q = ½ε²/2 = 2.5e-5 at h₁ = 0

    def F(h, u):
        return jnp.stack([h[0] ** 2 + eps, -h[1]])

    h0 = np.random.default_rng(3).uniform(-1, 1, size=(16, 2))
    assert find_fixed_points(F, h0, steps=800, learning_rate=0.02).empty
    # q ≤ 1.05·ε²/4 ⇔ (h₁² + ε)² ≤ 1.05ε² ⇔ |h₁| ≤ 0.016: every kept point is near h₁ = 0,
    # and merging within 0.05·√2 leaves one slow point
    slow = find_fixed_points(
        F, h0, steps=800, learning_rate=0.02, q_tol=1.05 * 0.25 * eps**2, dedup_tol=0.05
    )
    assert len(slow) == 1 and slow.n_below_tol >= 1
    assert abs(slow.points[0, 0]) <= 0.016 and abs(slow.points[0, 1]) < LOC_TOL
    np.testing.assert_allclose(slow.best_q, 0.25 * eps**2, rtol=1e-3)


def test_outliers_far_from_the_trajectories_are_dropped():
    def F(h, u):
        return jnp.stack([h[0] - h[0] ** 3, -h[1]])

    h0 = np.array([[0.9, 0.1], [-0.9, 0.1], [0.1, 0.1]] * 4)
    ref = np.array([[1.0, 0.0], [0.9, 0.05], [1.1, -0.05]])  # trajectories near (1, 0) only
    fp = find_fixed_points(F, h0, reference=ref, outlier_factor=3.0, steps=400, learning_rate=0.05)
    np.testing.assert_allclose(fp.points, [[1.0, 0.0]], atol=LOC_TOL)
    assert fp.n_outliers > 0


def test_sample_initial_states_draws_from_trajectories():
    traj = np.arange(30.0).reshape(3, 5, 2)
    s = sample_initial_states(traj, 7, seed=1)
    assert s.shape == (7, 2)
    assert all(any(np.array_equal(r, t) for t in traj.reshape(-1, 2)) for r in s)


def test_bad_inputs_name_the_parameter():
    def F(h, u):
        return -h

    with pytest.raises(ValueError, match="kind="):
        find_fixed_points(F, np.zeros((2, 2)), kind="ode")
    with pytest.raises(ValueError, match="initial_states has shape"):
        find_fixed_points(F, np.zeros(3))
    with pytest.raises(ValueError, match="q_tol="):
        find_fixed_points(F, np.zeros((2, 2)), q_tol=0.0)
    with pytest.raises(ValueError, match="decay="):
        find_fixed_points(F, np.zeros((2, 2)), decay=1.5)
    with pytest.raises(ValueError, match="steps="):
        find_fixed_points(F, np.zeros((2, 2)), steps=0)
    with pytest.raises(ValueError, match="n="):
        sample_initial_states(np.zeros((4, 2)), 0)
    with pytest.raises(ValueError, match="solver='qr'"):
        find_fixed_points(F, np.zeros((2, 2)), solver="qr")
    with pytest.raises(ValueError, match="cg_iters="):
        find_fixed_points(F, np.zeros((2, 2)), cg_iters=0)
    with pytest.raises(ValueError, match="cg_tol="):
        find_fixed_points(F, np.zeros((2, 2)), cg_tol=1.0)


def test_cg_meets_its_relative_tolerance_on_an_spd_system():
    from validate.analysis.fixed_points import _cg

    rng = np.random.default_rng(4)
    M = rng.standard_normal((40, 40))
    A = M.T @ M / 40 + 0.1 * np.eye(40)  # SPD, condition number ~ 40
    b = rng.standard_normal(40)
    Aj, bj = jnp.asarray(A, jnp.float32), jnp.asarray(b, jnp.float32)
    x = np.asarray(_cg(lambda v: Aj @ v, bj, 200, 1e-4), float)
    # CG stops at ‖b − Ax‖ ≤ 1e-4‖b‖ (its recursive residual); the true residual of the float32
    # iterate differs from it by round-off ~ κ·eps32·‖b‖ ≈ 40·1.2e-7, well below 1e-4
    assert np.linalg.norm(b - A @ x) <= 2e-4 * np.linalg.norm(b)
    # with one iteration allowed it cannot be exact: the cap is honoured
    x1 = np.asarray(_cg(lambda v: Aj @ v, bj, 1, 1e-4), float)
    assert np.linalg.norm(b - A @ x1) > 1e-2 * np.linalg.norm(b)


def test_dense_and_matrix_free_solvers_agree_on_a_rate_network():
    from simulate.models import make_rate_rnn

    # g = 1.5 (chaotic): many unstable fixed points; both solvers polish to q ≤ 1e-12, and any
    # point found by both is the same zero (merged within dedup_tol·√N)
    net = make_rate_rnn(jax.random.key(1), 24, n_in=1, n_out=1, g=1.5, nonlinearity="tanh")
    v = model_velocity(net)
    h0 = np.random.default_rng(5).standard_normal((32, 24))
    u = np.zeros(1)
    W = np.asarray(net.W, float)
    found = {}
    for solver in ("dense", "cg"):
        fp = find_fixed_points(v, h0, u, steps=300, solver=solver)
        assert fp.n_points >= 1
        # each kept point is a zero of ḣ = −h + W tanh(h) to the q_tol scale:
        # ‖ḣ‖/√N ≤ √(2·1e-12) in float32 plus the float64 re-evaluation (same order)
        res = -fp.points + np.tanh(fp.points) @ W.T
        assert np.all(np.sqrt(np.mean(res**2, axis=1)) <= 2 * np.sqrt(2e-12))
        found[solver] = fp.points
    # fixed points of this network are isolated zeros, O(1) apart: a point found by both
    # solvers is located to LOC_TOL per unit by each, so their nearest-neighbour distances
    # are either ≤ LOC_TOL·√N (the same zero) or ≥ dedup_tol·√N (a different one)
    d = np.linalg.norm(found["cg"][:, None, :] - found["dense"][None, :, :], axis=2).min(1)
    assert np.all((d <= LOC_TOL * np.sqrt(24)) | (d >= 1e-3 * np.sqrt(24)))
    assert np.any(d <= LOC_TOL * np.sqrt(24))  # the two routes share at least one zero


def _exact_root_set() -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """(b, roots [27, 3], a, stable [27]) of ḣ_i = −h_i + a tanh(h_i + b_i): three uncoupled
    units, each root found with mpmath at 30 digits (an independent route)."""
    import mpmath

    mpmath.mp.dps = 30
    a, b = 2.0, np.array([0.0, 0.1, -0.2])
    roots = []
    for bi in b:
        f = lambda h, bi=bi: -h + a * mpmath.tanh(h + bi)  # noqa: E731
        roots.append(sorted({float(mpmath.findroot(f, x0)) for x0 in (-2.5, -0.3, 0.0, 0.3, 2.5)}))
    assert [len(r) for r in roots] == [3, 3, 3]
    exact = np.array(list(itertools.product(*roots)))
    stable = np.array(
        [all(a / math.cosh(x + bi) ** 2 < 1 for x, bi in zip(p, b, strict=True)) for p in exact]
    )
    return b, exact, a, stable


def test_float64_locations_reach_machine_precision_on_an_exact_root_set() -> None:
    # ḣ_i = −h_i + a tanh(h_i + b_i), three uncoupled units: each coordinate has the roots of
    # h = a tanh(h + b), found independently with mpmath at 30 digits — 27 fixed points whose
    # stability is a product of the three 1-D ones (stable iff every a·sech²(h + b) < 1)
    b, exact, a, stable = _exact_root_set()

    def F(h, u):
        return -h + a * jnp.tanh(h + jnp.asarray(b, h.dtype))

    grid = np.array(list(itertools.product(*[np.linspace(-2.6, 2.6, 7)] * 3)))
    x64 = (
        jax.enable_x64(True)
        if callable(getattr(jax, "enable_x64", None))
        else jax.experimental.enable_x64()
    )  # the context manager moved in jax 0.5
    with x64:
        fps = find_fixed_points(F, grid + 0.01, solver="dense", newton_steps=60)
    assert fps.n_points == 27
    d = np.linalg.norm(fps.points[:, None, :] - exact[None], axis=-1)
    match = d.argmin(axis=1)
    assert sorted(match.tolist()) == list(range(27))
    # machine precision: 30 ulps of O(1) coordinates (the old q ≤ 1e-14 stop left ~1e-8)
    assert d.min(axis=1).max() < 30 * np.finfo(np.float64).eps * 3
    assert np.array_equal(fps.stable, stable[match])


def test_one_far_fixed_point_is_reported_once():
    """A single fixed point at h* = 1e5·1 (per unit), where float32 spacing is ~8e-3 per
    unit, above the absolute 1e-3: found once, at h* (the merge tolerance now scales with
    ‖h‖; here the starts also converge to the same float32 point, so this guards the
    answer, not the tolerance alone)."""
    c = 1e5

    def F(h, u):
        return -(h - c)

    h0 = c + np.random.default_rng(4).normal(0.0, 1.0, size=(12, 3))
    fp = find_fixed_points(F, h0, steps=300, learning_rate=0.1, q_tol=1.0)
    assert len(fp) == 1, fp.points
    np.testing.assert_allclose(fp.points[0], c, rtol=1e-6)


# ---------------------------------------------------------------- method="lbfgs-newton"
def test_lbfgs_newton_polishes_in_float64_from_float32_work() -> None:
    """The working dtype stays float32 (x64 off), yet the float64 Newton polish puts every
    one of the 27 exact roots to ~machine precision: ≤ 30 float64 ulps of O(1) coordinates,
    far below float32's spacing (6e-8), which the Adam route cannot pass."""
    b, exact, a, stable = _exact_root_set()

    def F(h, u):
        return -h + a * jnp.tanh(h + jnp.asarray(b, h.dtype))

    grid = np.array(list(itertools.product(*[np.linspace(-2.6, 2.6, 7)] * 3))) + 0.01
    assert not jax.config.read("jax_enable_x64")
    fp = find_fixed_points(F, grid, method="lbfgs-newton", steps=400, newton_steps=30)
    assert fp.n_points == 27
    d = np.linalg.norm(fp.points[:, None, :] - exact[None], axis=-1)
    match = d.argmin(axis=1)
    assert sorted(match.tolist()) == list(range(27))
    assert d.min(axis=1).max() < 30 * np.finfo(np.float64).eps * 3
    assert np.array_equal(fp.stable, stable[match])
    # the float32 Adam route on the same starts stops at float32 precision
    fp32 = find_fixed_points(F, grid, method="adam-lm", solver="dense", newton_steps=60)
    d32 = np.linalg.norm(fp32.points[:, None, :] - exact[None], axis=-1).min(axis=1)
    assert d32.max() > 1e3 * np.finfo(np.float64).eps


def test_lbfgs_alone_converges_on_a_linear_flow_to_float32_precision() -> None:
    """newton_steps=0 leaves only the batched L-BFGS: on ḣ = A h + b (q a convex quadratic,
    κ(A) ≈ 3) every start must reach −A⁻¹b to float32 precision within 200 iterations
    (L-BFGS needs ≲ N + a few iterations on a quadratic of dimension N = 6)."""
    rng = np.random.default_rng(0)
    N = 6
    A = -np.eye(N) + 0.3 * rng.standard_normal((N, N)) / np.sqrt(N)
    b = rng.standard_normal(N)
    Aj, bj = jnp.asarray(A, jnp.float32), jnp.asarray(b, jnp.float32)

    def F(h, u):
        return Aj @ h + bj

    h0 = rng.standard_normal((16, N)) * 3
    fp = find_fixed_points(F, h0, method="lbfgs-newton", steps=200, newton_steps=0)
    assert fp.n_points == 1 and fp.n_below_tol == 16
    np.testing.assert_allclose(fp.points[0], -np.linalg.solve(A, b), atol=LOC_TOL)


def test_lbfgs_newton_chunks_give_the_chunkless_answer() -> None:
    """Chunks of 2 (with a padded last chunk: 27 grid points near roots) must give the same
    points and speeds as one chunk of 64: padding repeats a start, never mixes results."""
    b, _, a, _ = _exact_root_set()

    def F(h, u):
        return -h + a * jnp.tanh(h + jnp.asarray(b, h.dtype))

    grid = np.array(list(itertools.product(*[np.linspace(-2.6, 2.6, 3)] * 3))) + 0.01
    one = find_fixed_points(F, grid, method="lbfgs-newton", steps=300, chunk=64)
    many = find_fixed_points(F, grid, method="lbfgs-newton", steps=300, chunk=2)
    np.testing.assert_array_equal(one.points, many.points)
    np.testing.assert_array_equal(one.q, many.q)


def test_lbfgs_newton_on_a_map_and_on_a_slow_point() -> None:
    """kind="map": the roots of F(h) − h; and a slow point (no root) stays unconverged:
    Newton must not report a q it did not reach."""

    def G(h, u):  # map with fixed points of h = 2 tanh(h) per unit
        return 2.0 * jnp.tanh(h)

    h0 = np.random.default_rng(5).uniform(-3, 3, size=(24, 2))
    fp = find_fixed_points(G, h0, kind="map", method="lbfgs-newton", steps=300)
    import mpmath

    mpmath.mp.dps = 30
    root = float(mpmath.findroot(lambda x: 2 * mpmath.tanh(x) - x, 2.0))
    expected = np.array(list(itertools.product([-root, 0.0, root], repeat=2)))
    assert len(fp) == 9
    d = np.abs(fp.points[:, None, :] - expected[None]).max(axis=-1)
    assert sorted(d.argmin(axis=1).tolist()) == list(range(9))
    assert d.min(axis=1).max() < 30 * np.finfo(np.float64).eps * 2
    eps = 1e-2

    def S(h, u):
        return jnp.stack([h[0] ** 2 + eps, -h[1]])

    slow = find_fixed_points(S, h0, method="lbfgs-newton", steps=300, newton_below=1.0)
    assert slow.empty
    np.testing.assert_allclose(slow.best_q, 0.25 * eps**2, rtol=1e-3)


def test_auto_method_switches_to_lbfgs_newton_above_the_threshold(monkeypatch) -> None:
    """ "auto" picks L-BFGS + float64 Newton for N > AUTO_CG_MAX_N: visible as q below float32
    reach (the Adam route polishes in float32, q ≥ ~1e-16 on this system)."""
    import validate.analysis.fixed_points as fpm

    def F(h, u):
        return -h + 2.0 * jnp.tanh(h)

    h0 = np.random.default_rng(6).uniform(0.5, 3.0, size=(8, 3))
    monkeypatch.setattr(fpm, "AUTO_CG_MAX_N", 2)
    assert find_fixed_points(F, h0, steps=300).best_q < 1e-25
    monkeypatch.setattr(fpm, "AUTO_CG_MAX_N", 256)
    assert find_fixed_points(F, h0, steps=300).best_q > 1e-20


def test_bad_method_options_name_the_parameter() -> None:
    def F(h, u):
        return -h

    for kwargs, name in (
        ({"method": "newton"}, "method='newton'"),
        ({"lbfgs_memory": 0}, "lbfgs_memory="),
        ({"chunk": 0}, "chunk="),
        ({"newton_below": -1.0}, "newton_below="),
        ({"steps": 0, "method": "lbfgs-newton"}, "steps="),
    ):
        with pytest.raises(ValueError, match=name):
            find_fixed_points(F, np.zeros((2, 2)), **kwargs)
