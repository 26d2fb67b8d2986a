"""Tests of simulate.gated: the four seed-002 architectures against a numpy transcription of
their equations, simulation/training plumbing, and a fixed point of a trained-size GRU."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import simulate
from simulate.gated import ARCHITECTURES, GATES, make_gated_rnn

F32 = 2e-6  # float32 round-off on O(1) activations after a few matmuls of width 8


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def _numpy_update(net, x, u):
    """Independent numpy route of the module docstring's equations."""
    Wh, Wx, b = (np.asarray(a, np.float64) for a in (net.W_h, net.W_x, net.b))
    F = np.tanh if net.nonlinearity == "tanh" else (lambda a: np.maximum(a, 0.0))
    n = Wh.shape[-1]

    def pre(g, h):
        return Wh[g] @ h + Wx[g] @ u + b[g]

    if net.arch == "lstm":
        h, c = x[:n], x[n:]
        i, f, o = _sig(pre(0, h)), _sig(pre(1, h)), _sig(pre(2, h))
        c2 = f * c + i * F(pre(3, h))
        return np.concatenate([o * F(c2), c2])
    if net.arch == "vanilla":
        return F(pre(0, x))
    if net.arch == "ugrnn":
        g, cand = _sig(pre(0, x)), F(pre(1, x))
    else:
        r, g = _sig(pre(0, x)), _sig(pre(1, x))
        cand = F(Wh[2] @ (r * x) + Wx[2] @ u + b[2])
    return g * x + (1 - g) * cand


@pytest.mark.parametrize("arch", ARCHITECTURES)
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_update_matches_the_equations(arch, nonlinearity):
    net = make_gated_rnn(
        jax.random.key(1), 8, arch=arch, n_in=3, n_out=2, g=1.2, nonlinearity=nonlinearity
    )
    assert net.W_h.shape == (GATES[arch], 8, 8)
    assert net.N == (16 if arch == "lstm" else 8)
    rng = np.random.default_rng(0)
    x, u = rng.standard_normal(net.N), rng.standard_normal(3)
    got = np.asarray(net.update(jnp.asarray(x, jnp.float32), jnp.asarray(u, jnp.float32)))
    np.testing.assert_allclose(got, _numpy_update(net, x, u), atol=F32)
    # the readout reads the hidden units only (not the LSTM cell state)
    z = np.asarray(net.readout(jnp.asarray(x, jnp.float32)))
    np.testing.assert_allclose(z, x[:8] @ np.asarray(net.w_out, np.float64), atol=F32)


def test_simulate_runs_the_update_with_state_noise():
    net = make_gated_rnn(jax.random.key(2), 6, arch="gru", n_in=1, n_out=1)
    inputs = jnp.ones((2, 4, 1))
    clean = simulate.simulate(net, inputs, key=jax.random.key(0), sigma=0.0)
    x = np.zeros(6)
    for t in range(4):  # the scan equals repeated updates
        x = _numpy_update(net, x, np.ones(1))
        np.testing.assert_allclose(np.asarray(clean.x[0, t]), x, atol=F32)
    noisy = simulate.simulate(net, inputs, key=jax.random.key(0), sigma=0.1)
    assert not np.allclose(np.asarray(noisy.x), np.asarray(clean.x))


def test_training_a_gated_model_updates_every_trainable_array_and_stores_the_run(tmp_path):
    # short trials (t_max = 4 → 20 updates) keep compilation small
    cfg = simulate.TrainConfig(
        task="fixed_point",
        model="lstm",
        nonlinearity="tanh",
        N=8,
        steps=2,
        seeds=2,
        record_every=1,
        checkpoint_every=2,
        batch=4,
        optimizer="adam",
        eta0=0.01,
        sigma=0.0,
        task_overrides={"t_max": 4.0},
    )
    run = simulate.train(cfg, tmp_path / "run", progress=False)
    assert sorted(run.records) == sorted(simulate.GATED_RECORDS)
    for name in ("W_h", "W_x", "b", "w_out", "b_out"):
        before = np.asarray(getattr(run.init_params, name))
        after = np.asarray(getattr(run.params, name))
        assert not np.array_equal(before, after), name
    assert run.evaluation["final_noisy_x"].shape[-1] == 16  # [h, c]
    loaded = simulate.load(tmp_path / "run")
    np.testing.assert_array_equal(np.asarray(loaded.params.W_h), np.asarray(run.params.W_h))


def test_fixed_point_of_a_contracting_gru_is_found_as_a_map():
    from validate.analysis.fixed_points import find_fixed_points

    net = make_gated_rnn(jax.random.key(3), 8, arch="gru", n_in=1, n_out=1, g=0.5)
    u = jnp.asarray([0.5], jnp.float32)
    fp = find_fixed_points(
        net.update,
        np.random.default_rng(1).standard_normal((16, 8)),
        u,
        kind="map",
        steps=500,
        learning_rate=0.05,
    )
    assert len(fp) == 1 and fp.stable[0]  # g = 0.5 and gates in (0, 1): a contraction
    h = fp.points[0]
    np.testing.assert_allclose(_numpy_update(net, h, np.array([0.5])), h, atol=1e-5)


def test_bad_gated_configurations_are_refused():
    with pytest.raises(ValueError, match="arch="):
        make_gated_rnn(jax.random.key(0), 8, arch="transformer", n_in=1, n_out=1)
    with pytest.raises(ValueError, match="nonlinearity='erf'"):
        make_gated_rnn(jax.random.key(0), 8, arch="gru", n_in=1, n_out=1, nonlinearity="erf")
    with pytest.raises(ValueError, match="nonlinearity='erf'"):
        simulate.TrainConfig(task="flip_flop", model="gru", nonlinearity="erf")
    with pytest.raises(ValueError, match="trainable"):
        simulate.TrainConfig(task="flip_flop", model="gru", nonlinearity="tanh", trainable=("W",))
    with pytest.raises(ValueError, match="init"):
        simulate.TrainConfig(task="flip_flop", model="vanilla", nonlinearity="tanh", init="zero_W")
