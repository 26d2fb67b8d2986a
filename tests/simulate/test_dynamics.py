"""Euler–Maruyama dynamics (simulate.dynamics; THEORY §1, §2)."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import erf as np_erf

from simulate.dynamics import RECORDS, Trajectory, euler_stationary_variance, simulate, step
from simulate.losses import loss_split
from simulate.models import RateRNN, make_low_rank, make_rate_rnn

KEY = jax.random.key(0)
ALPHA = math.sqrt(math.pi) / 2


# ---------------------------------------------------------------- isolated linear unit
@pytest.mark.parametrize("dt", [0.4, 0.2, 0.02])
def test_isolated_linear_unit_stationary_variance(dt: float) -> None:
    """W = 0, no input, linear φ: the Euler map x' = (1−dt)x + sqrt(2dt)σξ has stationary
    variance σ²/(1 − dt/2) (→ σ² of THEORY §1 as dt → 0)."""
    sigma, N, B = 0.7, 256, 64
    # burn-in: the initial condition decays as (1−dt)^(2T); choose T so that this is < 1e-8.
    T = int(math.ceil(math.log(1e-8) / (2 * math.log(1 - dt))))
    net = make_rate_rnn(KEY, N, n_in=1, n_out=1, g=0.0, nonlinearity="linear")
    traj = simulate(net, jnp.zeros((B, T, 1)), key=jax.random.key(1), sigma=sigma, dt=dt)
    # Units are uncoupled and trials independent, so the B·N values at the last step are
    # n independent draws: no autocorrelation. Standard error of the sample variance of
    # Gaussians: var·sqrt(2/(n−1)). Tolerance 4 SE.
    sample = np.asarray(traj.x[:, -1, :], dtype=np.float64).ravel()
    n = sample.size
    expected = euler_stationary_variance(sigma, dt)
    se = expected * math.sqrt(2 / (n - 1))
    assert abs(sample.var() - expected) < 4 * se
    assert abs(sample.mean()) < 4 * math.sqrt(expected / n)
    if dt == 0.2:
        # the dt correction (11 %) is resolved: σ² itself is more than 4 SE away.
        assert abs(sample.var() - sigma**2) > 4 * se


def test_euler_variance_tends_to_sigma2() -> None:
    s = 1.3
    gaps = [abs(euler_stationary_variance(s, dt) - s**2) for dt in (0.2, 0.02, 0.002)]
    # σ²/(1−dt/2) − σ² = σ² dt/(2 − dt): first order in dt
    assert gaps[0] > gaps[1] > gaps[2]
    for dt, gap in zip((0.2, 0.02, 0.002), gaps, strict=True):
        assert gap == pytest.approx(s**2 * dt / (2 - dt), rel=1e-12)
    with pytest.raises(ValueError, match="dt=2.5"):
        euler_stationary_variance(1.0, 2.5)
    # both ends of (0, 2) are outside: dt = 0 is no step, dt = 2 the edge of stability
    for dt in (0.0, 2.0):
        with pytest.raises(ValueError, match=rf"^dt={dt!r} is not allowed here; the map is "):
            euler_stationary_variance(1.0, dt)


# ---------------------------------------------------------------- rank-2 fixed point (§2)
def _prediction_kappa_sq(lam_plus: float) -> float:
    """‖κ̄‖² of THEORY §2 with σ = 0 (c₀ = 0 → λ_min = 1): from meanfield if available."""
    try:
        from meanfield import fixed_point_norm

        return float(fixed_point_norm(lam_plus, 0.0)) ** 2
    except (ImportError, AttributeError):
        # THEORY §2: ‖κ̄‖² = (λ₊² − λ_min²)/(2α²), λ_min = sqrt(1 + 2α²σ²) = 1 at σ = 0.
        return (lam_plus**2 - 1.0) / (2 * ALPHA**2)


def _finite_n_std_of_kappa_sq(M: np.ndarray, kappa: np.ndarray, N: int) -> float:
    """Standard deviation of ‖κ̄‖² over random U at size N, to first order (test tolerance).

    The latent map is κ = M g_N(κ) with g_N(κ) = Uᵀφ(Uκ)/N, an average over the N rows u
    of U; for iid Gaussian rows g_N = g + ε, g(κ) = E[u φ(uᵀκ)], Cov ε = C/N with
    C = Cov[u φ(uᵀκ)]. Linearising, (I − M Dg) δκ = M ε and δ‖κ‖² = 2κᵀδκ. The rows of
    a QR-orthogonalised U fluctuate less (UᵀU/N = I exactly), so this is conservative.
    Expectations by 2-D Gauss–Hermite quadrature (independent of meanfield)."""
    x, w = hermegauss(60)
    w = w / w.sum()
    u1, u2 = np.meshgrid(x, x, indexing="ij")
    ww = np.outer(w, w)
    u = np.stack([u1, u2])  # [2, n, n]

    def phi(a: np.ndarray) -> np.ndarray:
        return np_erf(ALPHA * a)

    def g(k: np.ndarray) -> np.ndarray:
        return np.einsum("ij,aij->a", ww, u * phi(k[0] * u1 + k[1] * u2))

    f = u * phi(kappa[0] * u1 + kappa[1] * u2)
    mean = np.einsum("ij,aij->a", ww, f)
    C = np.einsum("ij,aij,bij->ab", ww, f, f) - np.outer(mean, mean)
    h = 1e-5
    Dg = np.stack([(g(kappa + h * e) - g(kappa - h * e)) / (2 * h) for e in np.eye(2)], axis=1)
    J_inv = np.linalg.inv(np.eye(2) - M @ Dg)
    a = 2 * kappa @ J_inv @ M  # δ‖κ‖² = aᵀε
    return float(math.sqrt(a @ C @ a / N))


def test_noise_free_rank2_erf_fixed_point_matches_meanfield() -> None:
    lam_p, lam_m, theta = 2.0, -1.0, 0.4
    v_p = np.array([math.cos(theta), math.sin(theta)])
    v_m = np.array([-math.sin(theta), math.cos(theta)])
    M = lam_p * np.outer(v_p, v_p) + lam_m * np.outer(v_m, v_m)
    pred = _prediction_kappa_sq(lam_p)
    kappa_pred = math.sqrt(pred) * v_p
    B, T, n_nets = 1, 300, 8
    rel_rms = {}
    for N in (256, 4096):
        std = _finite_n_std_of_kappa_sq(M, kappa_pred, N)
        errors = []
        for seed in range(n_nets):
            net = make_low_rank(jax.random.key(100 + seed), N, M=jnp.asarray(M, jnp.float32))
            x0 = (net.U @ jnp.asarray(0.5 * kappa_pred, jnp.float32))[None, :]  # x0 in span(U)
            traj = simulate(net, jnp.zeros((B, T, 1)), key=KEY, sigma=0.0, x0=x0, record="latent")
            kap = np.asarray(traj.x[0], dtype=np.float64)
            # converged: the last step moves κ by far less than the tolerance below
            assert np.max(np.abs(kap[-1] - kap[-2])) < 1e-5
            # it is the v₊ fixed point (not the mirror one, not zero)
            assert kap[-1] @ v_p > 0.9 * np.linalg.norm(kap[-1])
            err = float(kap[-1] @ kap[-1]) - pred
            # 4 standard deviations of the first-order finite-N fluctuation (∝ 1/√N)
            assert abs(err) < 4 * std, (N, seed, err, std)
            errors.append(err / pred)
        rel_rms[N] = math.sqrt(np.mean(np.square(errors)))
    # the finite-N error shrinks with N (∝ 1/√N predicts a factor 4 from 256 to 4096)
    assert rel_rms[4096] < rel_rms[256] / 2, rel_rms


# ---------------------------------------------------------------- gradients (float64)
def _fd_check(f, p0: np.ndarray, grad: np.ndarray, n_dirs: int = 4) -> None:
    """Directional central differences f(p ± h d) along random unit directions d."""
    rng = np.random.default_rng(0)
    h = 1e-6
    for _ in range(n_dirs):
        d = rng.standard_normal(p0.shape)
        d /= np.linalg.norm(d)
        fd = (f(p0 + h * d) - f(p0 - h * d)) / (2 * h)
        an = float(np.sum(grad * d))
        # float64: truncation O(h²·f''') and rounding O(eps·|f|/h) ~ 1e-10 relative
        assert fd == pytest.approx(an, rel=1e-6, abs=1e-9)


def _task(B: int, T: int) -> tuple:
    sign = jnp.where(jnp.arange(B) % 2 == 0, 1.0, -1.0)
    inputs = jnp.zeros((B, T, 1)).at[:, 0, 0].set(sign / 0.2)
    target = jnp.broadcast_to(sign[:, None, None], (B, T, 1))
    mask = jnp.zeros((B, T, 1)).at[:, T // 2 :, :].set(1.0)
    return inputs, target, mask, sign, jnp.zeros(B, dtype=jnp.int32)


def test_grad_wrt_M_matches_finite_differences() -> None:
    with jax.enable_x64(True):
        B, T = 4, 12
        net = make_low_rank(
            KEY, 8, M=jnp.array([[1.2, 0.3], [-0.4, 0.8]]), g=0.3, dtype=jnp.float64
        )
        inputs, target, mask, sign, cond = _task(B, T)

        def loss(M: jax.Array) -> jax.Array:
            model = eqx.tree_at(lambda m: m.M, net, M)
            z = simulate(model, inputs, key=jax.random.key(3), sigma=0.5, x0_noise=0.3).z
            return loss_split(z, target, mask, sign, cond, 1).loss

        M0 = np.asarray(net.M)
        grad = np.asarray(jax.grad(loss)(jnp.asarray(M0)))
        assert grad.dtype == np.float64 and np.any(grad != 0)
        _fd_check(lambda M: float(loss(jnp.asarray(M))), M0, grad)


def test_grad_wrt_W_matches_finite_differences() -> None:
    with jax.enable_x64(True):
        B, T = 4, 12
        net = make_rate_rnn(KEY, 10, n_in=1, n_out=1, g=1.2, dtype=jnp.float64)
        inputs, target, mask, sign, cond = _task(B, T)

        def loss(W: jax.Array) -> jax.Array:
            model = eqx.tree_at(lambda m: m.W, net, W)
            z = simulate(model, inputs, key=jax.random.key(4), sigma=0.3, input_noise=0.1).z
            return loss_split(z, target, mask, sign, cond, 1).loss

        W0 = np.asarray(net.W)
        grad = np.asarray(jax.grad(loss)(jnp.asarray(W0)))
        _fd_check(lambda W: float(loss(jnp.asarray(W))), W0, grad)


# ---------------------------------------------------------------- semantics
def test_simulate_matches_explicit_step_loop() -> None:
    """Noise-free: entry t is the state after step t, driven by inputs[:, t]."""
    net = make_rate_rnn(KEY, 16, n_in=2, n_out=3, g=1.5)
    B, T, dt = 3, 7, 0.15
    inputs = jax.random.normal(jax.random.key(5), (B, T, 2))
    x0 = jax.random.normal(jax.random.key(6), (B, 16))
    traj = simulate(net, inputs, key=KEY, sigma=0.0, dt=dt, x0=x0)
    x, zeros = x0, jnp.zeros((B, 16))
    for t in range(T):
        x = step(net, x, inputs[:, t], zeros, dt=dt, sigma=0.0)
        np.testing.assert_allclose(traj.x[:, t], x, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(traj.z[:, t], x @ net.w_out, rtol=1e-5, atol=1e-6)


def test_low_rank_equals_dense_rate_network() -> None:
    N = 32
    lr = make_low_rank(KEY, N, M=jnp.array([[1.8, 0.4], [0.1, -2.0]]), g=0.5, nonlinearity="tanh")
    dense = RateRNN(
        W=lr.U @ lr.M @ lr.U.T / N + lr.W0, w_in=lr.w_in, w_out=lr.w_out, nonlinearity="tanh"
    )
    inputs = jax.random.normal(jax.random.key(7), (2, 20, 1))
    a = simulate(lr, inputs, key=jax.random.key(8), sigma=0.4)
    b = simulate(dense, inputs, key=jax.random.key(8), sigma=0.4)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-4, atol=1e-4)


def test_same_key_identical_different_key_differs() -> None:
    net = make_low_rank(KEY, 32, M=2 * jnp.eye(2))
    inputs = jnp.ones((4, 25, 1))
    kw = dict(sigma=0.5, x0_noise=1.0, input_noise=0.2)
    a = simulate(net, inputs, key=jax.random.key(11), **kw)
    b = simulate(net, inputs, key=jax.random.key(11), **kw)
    c = simulate(net, inputs, key=jax.random.key(12), **kw)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.z, b.z)
    assert not np.allclose(a.x, c.x)
    # the record mode does not change the random numbers drawn
    d = simulate(net, inputs, key=jax.random.key(11), record="latent", **kw)
    np.testing.assert_allclose(d.x, a.x @ net.U / 32, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(d.z, a.z)


def test_trials_get_independent_noise() -> None:
    net = make_rate_rnn(KEY, 8, n_in=1, n_out=1, g=0.0, nonlinearity="linear")
    traj = simulate(net, jnp.zeros((2, 5, 1)), key=KEY, sigma=1.0)
    assert not np.allclose(traj.x[0], traj.x[1])


@pytest.mark.parametrize("record", RECORDS)
def test_shapes_and_dtypes(record: str) -> None:
    net = make_low_rank(KEY, 24, rank=3, n_in=2, n_out=2)
    traj = simulate(net, jnp.zeros((5, 9, 2)), key=KEY, sigma=1.0, record=record)
    assert isinstance(traj, Trajectory)
    assert traj.z.shape == (5, 9, 2) and traj.z.dtype == jnp.float32
    expected = {"x": (5, 9, 24), "latent": (5, 9, 3), "output": None}[record]
    assert (traj.x is None) if expected is None else (traj.x.shape == expected)


def test_float64_simulation() -> None:
    with jax.enable_x64(True):
        net = make_rate_rnn(KEY, 8, n_in=1, n_out=1, dtype=jnp.float64)
        traj = simulate(net, jnp.zeros((2, 3, 1), jnp.float32), key=KEY, sigma=1.0)
        assert traj.x.dtype == jnp.float64 and traj.z.dtype == jnp.float64


def test_simulate_under_jit_with_traced_sigma_and_dt() -> None:
    net = make_low_rank(KEY, 16, M=jnp.eye(2))
    inputs = jnp.ones((2, 6, 1))

    @jax.jit
    def f(sigma: jax.Array, dt: jax.Array) -> jax.Array:
        return simulate(net, inputs, key=KEY, sigma=sigma, dt=dt).z

    np.testing.assert_allclose(
        f(0.3, 0.2), simulate(net, inputs, key=KEY, sigma=0.3).z, rtol=1e-5, atol=1e-6
    )
    assert float(jax.grad(lambda s: jnp.sum(f(s, 0.2) ** 2))(0.3)) != 0


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"dt": 0.0}, r"dt=0.0 .*> 0"),
        ({"dt": -0.1}, r"dt=-0.1 .*> 0"),
        ({"sigma": -1.0}, r"sigma=-1.0 .*>= 0"),
        ({"sigma": float("inf")}, r"sigma=inf .*finite"),
        ({"x0_noise": -0.5}, r"x0_noise=-0.5"),
        ({"input_noise": -0.5}, r"input_noise=-0.5"),
        ({"record": "rates"}, r"record='rates' .*'x', 'latent', 'output'"),
        ({"inputs": jnp.zeros((3, 5, 2))}, r"n_in=2 .*model has n_in=1"),
        ({"inputs": jnp.zeros((3, 5))}, r"inputs must have shape \[B, T, n_in\]"),
        ({"x0": jnp.zeros((3, 15))}, r"x0 has shape \(3, 15\), expected .*\(3, 16\)"),
    ],
)
def test_simulate_errors(kwargs: dict, pattern: str) -> None:
    net = make_low_rank(KEY, 16)
    args = {"inputs": jnp.zeros((3, 5, 1)), "sigma": 1.0} | kwargs
    inputs = args.pop("inputs")
    with pytest.raises(ValueError, match=pattern):
        simulate(net, inputs, key=KEY, **args)


def test_latent_record_needs_low_rank() -> None:
    net = make_rate_rnn(KEY, 8, n_in=1, n_out=1)
    with pytest.raises(ValueError) as err:
        simulate(net, jnp.zeros((1, 2, 1)), key=KEY, sigma=0.0, record="latent")
    assert str(err.value) == "record='latent' needs a LowRankRNN (latents κ = Uᵀx/N need U)"


@pytest.mark.parametrize(
    ("model", "inputs", "message"),
    [
        (
            "not a network",
            jnp.zeros((1, 2, 1)),
            "model of type str is not supported; expected LowRankRNN, RateRNN or GatedRNN",
        ),
        (None, None, "inputs=None is not allowed; inputs must be a numeric array"),
    ],
)
def test_simulate_refusals_are_whole_sentences(model, inputs, message: str) -> None:
    net = make_low_rank(KEY, 4) if model is None else model
    with pytest.raises(ValueError) as err:
        simulate(net, inputs, key=KEY, sigma=0.0)
    assert str(err.value) == message


# ---------------------------------------------------------------- seed 003 rate form
def test_rate_form_matches_seed003_euler_equation() -> None:
    """r_t = (1 − α) r + α relu(W r + W_in u + b + sqrt(2σ²/α) ξ), transcribed in numpy (seed 003)."""
    N, B, T, dt, sigma = 12, 3, 9, 0.1, 0.3
    net = make_rate_rnn(
        KEY,
        N,
        n_in=2,
        n_out=1,
        g=1.0,
        bias_std=0.5,
        input_std=0.6,
        zero_diagonal=True,
        form="rate",
        nonlinearity="relu",
    )
    u = np.asarray(jax.random.normal(jax.random.key(2), (B, T, 2)))
    xi = np.asarray(jax.random.normal(jax.random.key(3), (T, B, N)))
    W, w_in, b = (np.asarray(a, np.float64) for a in (net.W, net.w_in, net.b))
    r = np.full((B, N), 0.2)
    x = jnp.asarray(r, jnp.float32)
    for t in range(T):
        pre = r @ W.T + u[:, t] @ w_in.T + b + math.sqrt(2 * sigma**2 / dt) * xi[t]
        r = (1 - dt) * r + dt * np.maximum(pre, 0.0)
        x = step(net, x, jnp.asarray(u[:, t]), jnp.asarray(xi[t]), dt=dt, sigma=sigma)
        np.testing.assert_allclose(np.asarray(x), r, rtol=1e-5, atol=1e-5)


def test_rate_form_noise_matches_current_form_for_a_linear_unit() -> None:
    """With φ linear and W = 0 both forms are x' = (1 − dt)x + dt(W_in u + b) + sqrt(2dt)σξ, so σ
    means the same thing in both (module docstring)."""
    N = 8
    cur = make_rate_rnn(KEY, N, n_in=1, n_out=1, g=0.0, nonlinearity="linear", bias_std=0.3)
    rate = RateRNN(
        W=cur.W, w_in=cur.w_in, w_out=cur.w_out, b=cur.b, nonlinearity="linear", form="rate"
    )
    inputs = jax.random.normal(jax.random.key(4), (2, 30, 1))
    a = simulate(cur, inputs, key=jax.random.key(9), sigma=0.7, dt=0.1)
    b = simulate(rate, inputs, key=jax.random.key(9), sigma=0.7, dt=0.1)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-5, atol=1e-5)


def test_dt_at_or_above_two_is_refused_for_continuous_time_models():
    """The Euler map of the leak, x ← (1 − dt)x, is unstable for dt ≥ 2: refused by name
    instead of returning inf/NaN."""
    import jax
    import numpy as np

    from simulate.dynamics import simulate
    from simulate.models import make_low_rank

    net = make_low_rank(jax.random.key(0), 8)
    with pytest.raises(ValueError, match=r"^dt=10\.0 is not allowed; dt must be in \(0, 2\)"):
        simulate(net, np.ones((1, 5, 1)), key=jax.random.key(0), sigma=0.1, dt=10.0)
    out = simulate(net, np.ones((1, 5, 1)), key=jax.random.key(0), sigma=0.1, dt=1.5)
    assert np.all(np.isfinite(np.asarray(out.x)))


@pytest.mark.parametrize(
    ("inputs", "kwargs", "message"),
    [
        (
            jnp.full((2, 3, 1), jnp.nan),
            {},
            "inputs has non-finite entries; allowed: finite inputs",
        ),
        (jnp.zeros((0, 3, 1)), {}, "inputs shape (0, 3, 1): B and T must be >= 1"),
        (jnp.zeros((2, 0, 1)), {}, "inputs shape (2, 0, 1): B and T must be >= 1"),
        (
            jnp.zeros((2, 3, 1)),
            {"dt": 2.0},
            "dt=2.0 is not allowed; dt must be in (0, 2) for LowRankRNN (the Euler map of "
            "the leak, x ← (1 − dt)x, is unstable for dt ≥ 2)",
        ),
    ],
)
def test_simulate_refuses_bad_inputs_and_the_stability_edge(inputs, kwargs, message) -> None:
    net = make_low_rank(KEY, 4)
    with pytest.raises(ValueError) as err:
        simulate(net, inputs, key=KEY, sigma=0.0, **kwargs)
    assert str(err.value) == message


_KEY_ALLOWED = "allowed: one PRNG key, jax.random.key(seed) or a uint32[2] jax.random.PRNGKey(seed)"


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        (None, "None"),
        (5, "5"),
        ("abc", "'abc'"),
        (jnp.zeros(2), "an array of dtype float32 and shape (2,)"),
        (jax.random.split(KEY, 3), "an array of dtype key<fry> and shape (3,)"),
    ],
)
def test_simulate_refuses_anything_but_one_key(key, shown) -> None:
    net = make_low_rank(KEY, 4)
    with pytest.raises(ValueError) as err:
        simulate(net, jnp.zeros((2, 3, 1)), key=key, sigma=1.0)
    assert str(err.value) == f"key={shown} is not allowed; {_KEY_ALLOWED}"


def test_simulate_takes_typed_legacy_and_other_generators_keys() -> None:
    net = make_low_rank(KEY, 4)
    u = jnp.zeros((2, 3, 1))
    typed = simulate(net, u, key=jax.random.key(1), sigma=1.0).x
    legacy = simulate(net, u, key=jax.random.PRNGKey(1), sigma=1.0).x
    np.testing.assert_array_equal(typed, legacy)  # the same threefry data, the same draws
    assert simulate(net, u, key=jax.random.key(1, impl="rbg"), sigma=1.0).x.shape == (2, 3, 4)


def test_one_time_step_and_traced_inputs() -> None:
    """T = 1 is a trajectory of one step; inputs traced under jit are accepted (the finiteness
    check is for concrete arrays) and give the eager result."""
    net = make_low_rank(KEY, 8)
    u = jnp.ones((2, 1, 1))
    one = simulate(net, u, key=KEY, sigma=0.5)
    x1 = step(net, jnp.zeros((2, 8)), u[:, 0], jnp.zeros((2, 8)), dt=0.2, sigma=0.0)
    assert one.x.shape == (2, 1, 8)
    assert float(jnp.max(jnp.abs(one.x[:, 0] - x1))) > 1e-3  # the noise entered
    z = jax.jit(lambda inp: simulate(net, inp, key=KEY, sigma=0.5).z)(u)
    np.testing.assert_allclose(np.asarray(z), np.asarray(one.z), rtol=1e-6, atol=1e-7)


def _uncoupled(N: int) -> object:
    """A low-rank network with M = 0: every unit is an isolated leaky unit driven by w_in u."""
    net = make_low_rank(KEY, N)
    return eqx.tree_at(lambda m: m.M, net, jnp.zeros_like(net.M))


def test_initial_state_noise_has_its_variance() -> None:
    """x0_noise = s with σ = 0 and M = 0: x₁ = (1 − dt)·s·ξ, variance (1 − dt)² s² per unit
    (checked within 4 SE of the sample variance of B·N = 4096 draws)."""
    net, s, dt = _uncoupled(64), 0.7, 0.2
    traj = simulate(net, jnp.zeros((64, 1, 1)), key=KEY, sigma=0.0, dt=dt, x0_noise=s)
    x1 = np.asarray(traj.x[:, 0], np.float64).ravel()
    expected = (1 - dt) ** 2 * s**2
    se = expected * math.sqrt(2 / x1.size)
    assert abs(x1.var() - expected) < 4 * se


def test_input_noise_reaches_the_state_through_w_in() -> None:
    """input_noise = s with σ = 0, M = 0, x0 = 0: x₁ = dt·w_in·s·η, so x₁ w_in/‖w_in‖² = dt·s·η
    has variance (dt·s)² (one channel; within 4 SE over B = 2048 trials)."""
    net, s, dt = _uncoupled(16), 1.5, 0.2
    traj = simulate(net, jnp.zeros((2048, 1, 1)), key=KEY, sigma=0.0, dt=dt, input_noise=s)
    w = np.asarray(net.w_in[:, 0], np.float64)
    proj = np.asarray(traj.x[:, 0], np.float64) @ w / (w @ w)
    expected = (dt * s) ** 2
    assert abs(proj.var() - expected) < 4 * expected * math.sqrt(2 / proj.size)


def test_step_of_a_gated_model_adds_sigma_xi_to_its_update() -> None:
    """Discrete-time networks (seed 002): x' = F(x, u) + σ·ξ with the given ξ (dt unused)."""
    from simulate.gated import make_gated_rnn

    net = make_gated_rnn(jax.random.key(4), 6, arch="gru", n_in=1, n_out=1)
    x = jax.random.normal(jax.random.key(5), (3, net.N))
    u = jnp.ones((3, 1))
    xi = jax.random.normal(jax.random.key(6), (3, net.N))
    out = step(net, x, u, xi, dt=0.7, sigma=0.3)
    np.testing.assert_allclose(
        np.asarray(out), np.asarray(net.update(x, u) + 0.3 * xi), rtol=1e-6, atol=1e-7
    )
