"""simulate.prng: the unrolled Threefry is JAX's generator bit for bit, and the noise that
simulations draw from it passes a statistical battery.

Battery thresholds: each statistic is compared with its standard error under i.i.d. N(0, 1)
draws and must lie within 4 SE (two-sided p = 6e-5 per statistic; ≈ 1e-3 for the whole
battery of 15 statistics were the seeds drawn at random — they are fixed, so the outcome is
deterministic). On the shared sample (102 400 draws) a 10 % error in the variance is 22 SE
and a 0.05 correlation between steps, seeds, trials or units ≥ 11 SE; between two training
steps (10 240 draws) a 0.05 correlation is 5 SE; any reuse of a stream is a correlation of 1.
"""

from __future__ import annotations

import math

import jax
import jax.extend.random as jex_random
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import simulate.dynamics as dynamics
from simulate import TrainConfig, make_low_rank, simulate
from simulate.build import seed_keys
from simulate.prng import FAST_THREEFRY, fast_key, threefry2x32_bits

SHAPES = [(), (2, 3, 5), (32, 1024)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 2**31 - 1])
def test_draws_equal_jax_default_generator(shape, seed):
    key = jax.random.key(seed)
    fast = fast_key(key)
    assert jax.random.key_impl(fast) == jax.random.key_impl(jax.random.key(0, impl=FAST_THREEFRY))
    for width in (jnp.uint8, jnp.uint16, jnp.uint32):
        np.testing.assert_array_equal(
            jax.random.bits(fast, shape, width), jax.random.bits(key, shape, width)
        )
    np.testing.assert_array_equal(jax.random.normal(fast, shape), jax.random.normal(key, shape))
    np.testing.assert_array_equal(jax.random.uniform(fast, shape), jax.random.uniform(key, shape))


def test_64_bit_draws_equal_jax_default_generator():
    with jax.enable_x64(True):
        key = jax.random.key(5)
        fast = fast_key(key)
        np.testing.assert_array_equal(
            jax.random.bits(fast, (4, 9), jnp.uint64), jax.random.bits(key, (4, 9), jnp.uint64)
        )
        a = jax.random.normal(fast, (100,), jnp.float64)
        assert a.dtype == jnp.float64
        np.testing.assert_array_equal(a, jax.random.normal(key, (100,), jnp.float64))


def test_hash_equals_jax_threefry_2x32():
    key = jnp.array([0x13198A2E, 0x03707344], jnp.uint32)
    x = jax.random.bits(jax.random.key(9), (2, 257), jnp.uint32)
    ours = jnp.stack(threefry2x32_bits(key[0], key[1], x[0], x[1]))
    ref = jex_random.threefry_2x32(key, x.reshape(-1)).reshape(2, 257)
    np.testing.assert_array_equal(ours, ref)


def test_random123_known_answer():
    """Threefry-2x32-20 known-answer vectors of Random123 (kat_vectors): zero key and
    counter, and the π-digits key and counter."""
    z = jnp.zeros((1,), jnp.uint32)
    out = threefry2x32_bits(jnp.uint32(0), jnp.uint32(0), z, z)
    assert [int(o[0]) for o in out] == [0x6B200159, 0x99BA4EFE]
    pi = [jnp.uint32(v) for v in (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344)]
    out = threefry2x32_bits(pi[2], pi[3], pi[0][None], pi[1][None])
    assert [int(o[0]) for o in out] == [0xC4923A9C, 0x483DF7A0]


def test_splits_vmap_and_legacy_keys_equal_jax():
    key = jax.random.key(11)
    np.testing.assert_array_equal(
        jax.random.key_data(jax.random.split(fast_key(key), 5)),
        jax.random.key_data(jax.random.split(key, 5)),
    )
    keys = jax.vmap(lambda s: jax.random.fold_in(key, s))(jnp.arange(4))
    draw = jax.vmap(lambda k: jax.random.normal(k, (3, 6)))
    np.testing.assert_array_equal(draw(fast_key(keys)), draw(keys))
    legacy = jax.random.PRNGKey(3)
    np.testing.assert_array_equal(
        jax.random.normal(fast_key(legacy), (50,)), jax.random.normal(legacy, (50,))
    )


def test_non_partitionable_mode_hands_over_to_jax():
    with jax.threefry_partitionable(False):
        key = jax.random.key(2)
        np.testing.assert_array_equal(
            jax.random.normal(fast_key(key), (6, 7)), jax.random.normal(key, (6, 7))
        )


def test_other_generators_pass_through():
    rbg = jax.random.key(0, impl="rbg")
    assert fast_key(rbg) is rbg
    fast = fast_key(jax.random.key(0))
    assert fast_key(fast) is fast


def _zero_network(N: int = 16):
    return make_low_rank(jax.random.key(0), N)  # M = 0: x is an OU process driven by ξ


def test_simulation_is_bit_identical_with_jax_generator(monkeypatch):
    """simulate() with its fast key against the same jitted simulation traced with JAX's own
    generator (a fresh jit of the same function, so no cache is cleared)."""
    net = make_low_rank(jax.random.key(0), 16, M=jnp.array([[1.2, 0.3], [-0.4, 0.8]]))
    inputs = jnp.ones((3, 20, 1))
    key = jax.random.key(4)
    fast = simulate(net, inputs, key=key, sigma=0.7, x0_noise=0.5, input_noise=0.3)
    monkeypatch.setattr(dynamics, "fast_key", lambda k: k)
    unjitted = dynamics._simulate.__wrapped__

    def fresh(*args, **kwargs):  # a new function: JAX's trace cache is keyed on it
        return unjitted(*args, **kwargs)

    plain_fn = jax.jit(fresh, static_argnames=("record", "noisy", "noisy_x0", "noisy_in"))
    plain = plain_fn(
        net, inputs, key, 0.7, 0.2, None, 0.5, 0.3,
        record="x", noisy=True, noisy_x0=True, noisy_in=True,
    )  # fmt: skip
    np.testing.assert_array_equal(fast.x, plain.x)
    np.testing.assert_array_equal(fast.z, plain.z)
    assert not np.array_equal(fast.x, simulate(net, inputs, key=jax.random.key(5), sigma=0.7).x)


def test_simulate_draws_its_noise_with_the_unrolled_generator():
    """The speed-up is used: simulate's noise draws are made with FAST_THREEFRY keys."""
    net = make_low_rank(jax.random.key(0), 8)
    jaxpr = str(
        jax.make_jaxpr(lambda k: simulate(net, jnp.ones((2, 3, 1)), key=k, sigma=1.0).x)(
            jax.random.key(1)
        )
    )
    tag = str(jax.random.key_impl(jax.random.key(0, impl=FAST_THREEFRY)))
    assert f"random_wrap[impl={tag}]" in jaxpr  # the caller's key, re-typed once
    assert "random_bits" in jaxpr


def _noise_of_runs(seeds: int, B: int, T: int, N: int, dt: float = 0.2) -> np.ndarray:
    """ξ [seeds, B, T, N] recovered from OU trajectories x_{t+1} = (1−dt)x_t + √(2dt) ξ_t,
    with the per-seed keys a training run uses (seed_keys)."""
    net = _zero_network(N)
    keys = seed_keys(TrainConfig.preset("gd_scaling", N=N, seeds=seeds), 1)
    run = jax.vmap(lambda k: simulate(net, jnp.zeros((B, T, 1)), key=k, sigma=1.0, dt=dt).x)
    return _xi_from(np.asarray(run(keys), np.float64), dt)


def _xi_from(x: np.ndarray, dt: float) -> np.ndarray:
    """ξ [..., T, N] of OU states x [..., T, N] started at 0 with σ = 1."""
    prev = np.concatenate([np.zeros_like(x[..., :1, :]), x[..., :-1, :]], axis=-2)
    return (x - (1 - dt) * prev) / math.sqrt(2 * dt)


@pytest.fixture(scope="module")
def xi() -> np.ndarray:
    return _noise_of_runs(seeds=4, B=8, T=50, N=64)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a * b))  # mean-zero, unit-variance draws: E[ab] is the correlation


def test_battery_moments_and_normality(xi):
    n = xi.size
    z = xi.ravel()
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert abs(z.var() - 1) < 4 * math.sqrt(2 / n)
    assert abs(stats.skew(z)) < 4 * math.sqrt(6 / n)
    assert abs(stats.kurtosis(z)) < 4 * math.sqrt(24 / n)
    assert stats.kstest(z, "norm").pvalue > 6e-5
    # the tails: the fraction beyond 3 σ (binomial SE)
    p3 = 2 * stats.norm.sf(3)
    assert abs(np.mean(np.abs(z) > 3) - p3) < 4 * math.sqrt(p3 * (1 - p3) / n)


@pytest.mark.parametrize(
    "axis, lag",
    [(2, 1), (2, 2), (2, 10), (0, 1), (1, 1), (3, 1), (3, 32)],
    ids=["steps-1", "steps-2", "steps-10", "seeds", "trials", "units-1", "units-32"],
)
def test_battery_correlations(xi, axis, lag):
    """Correlation of draws `lag` apart along steps, seeds, trials or units."""
    a = np.take(xi, np.arange(xi.shape[axis] - lag), axis=axis)
    b = np.take(xi, np.arange(lag, xi.shape[axis]), axis=axis)
    assert abs(_corr(a, b)) < 4 / math.sqrt(a.size)


def test_battery_no_unit_pair_correlated(xi):
    """The largest of the 2016 unit–unit correlations, against a Bonferroni bound."""
    units = xi.reshape(-1, xi.shape[-1])
    c = np.corrcoef(units, rowvar=False)
    off = np.abs(c[np.triu_indices_from(c, k=1)])
    z = stats.norm.isf(6e-5 / 2 / off.size)
    assert off.max() < z / math.sqrt(units.shape[0])


def test_battery_training_steps_independent():
    """Successive training steps draw from fold_in(step key, t): the noise of step t and
    t + 1 is uncorrelated, and the same step gives the same noise."""
    net = _zero_network(32)
    key = seed_keys(TrainConfig.preset("gd_scaling", N=32, seeds=1), 1)[0]

    def noise(t):
        k = jax.random.split(jax.random.fold_in(key, t), 3)[1]
        x = simulate(net, jnp.zeros((8, 40, 1)), key=k, sigma=1.0, dt=0.2).x
        return _xi_from(np.asarray(x, np.float64), 0.2)

    a, b = noise(0), noise(1)
    np.testing.assert_array_equal(a, noise(0))
    assert abs(_corr(a, b)) < 4 / math.sqrt(a.size)
