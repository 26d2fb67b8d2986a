"""Tests for simulate.tasks: shapes, masks, target logic, condition labels, errors.

Target logic is checked against independent re-derivations from the *inputs* (numpy),
not against the formulas of the implementation.
"""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulate.tasks import TASK_NAMES, Task, TaskBatch, get_task

EXPECTED_NAMES = {
    "fixed_point",
    "linear_constant",
    "sine",
    "cycling",
    "flip_flop",
    "mante",
    "romo",
    "complex_sine",
    "flip_flop_3bit",
    "sine_freq",
    "cdi",
    "perception",
    "decision",
}


def _sample(name: str, k: int = 2, seed: int = 0, **overrides: object) -> tuple[Task, TaskBatch]:
    task = get_task(name, **overrides)
    batch = task.sample(jax.random.key(seed), k * task.batch_multiple)
    return task, TaskBatch(*(np.asarray(x) for x in batch))


def _check_structure(task: Task, b: TaskBatch, batch: int) -> None:
    T = task.n_steps
    assert b.inputs.shape == (batch, T, task.n_in)
    assert b.targets.shape == (batch, T, task.n_out)
    assert b.mask.shape == (batch, T, task.n_out)
    assert b.condition.shape == (batch,) and b.sign.shape == (batch,)
    for x in (b.inputs, b.targets, b.mask, b.sign):
        assert x.dtype == np.float32
        assert np.all(np.isfinite(x))
    assert b.condition.dtype == np.int32
    assert set(np.unique(b.mask)) <= {0.0, 1.0}
    assert b.mask.sum() > 0
    assert set(np.unique(b.sign)) <= {-1.0, 1.0}
    if not task.mirror:
        assert np.all(b.sign == 1.0)
    # balance: every label equally often, and (mirror tasks) each sign equally often per label
    assert b.condition.min() >= 0 and b.condition.max() < task.n_conditions
    counts = np.bincount(b.condition, minlength=task.n_conditions)
    assert np.all(counts == batch // task.n_conditions)
    for c in range(task.n_conditions):
        signs = b.sign[b.condition == c]
        assert (signs > 0).sum() == (signs < 0).sum() or not task.mirror
    # equal labels <=> identical noise-free trials after the sign flip
    s = b.sign[:, None, None]
    flipped_in, flipped_tg = s * b.inputs, s * b.targets
    for c in range(task.n_conditions):
        sel = b.condition == c
        for arr in (flipped_in, flipped_tg, b.mask):
            assert np.array_equal(arr[sel], np.broadcast_to(arr[sel][:1], arr[sel].shape))


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_structure_jit_and_determinism(name: str) -> None:
    task = get_task(name)
    assert task.name == name
    batch = 2 * task.batch_multiple
    key = jax.random.key(7)
    eager = task.sample(key, batch)
    jitted = jax.jit(task.sample, static_argnums=1)(key, batch)
    _check_structure(task, TaskBatch(*(np.asarray(x) for x in eager)), batch)
    # XLA fuses the jitted graph differently from op-by-op execution, so float32 trig targets may
    # differ by a few ulps of their phase argument (|phase| ≲ 30 rad → ~1e-5); labels are exact
    for a, b in zip(eager, jitted, strict=True):
        a, b = np.asarray(a), np.asarray(b)
        if np.issubdtype(a.dtype, np.floating):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
        else:
            np.testing.assert_array_equal(a, b)
    again = task.sample(jax.random.key(7), batch)
    for a, b in zip(eager, again, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@given(
    name=st.sampled_from(sorted(EXPECTED_NAMES)),
    k=st.integers(min_value=1, max_value=3),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_structure_any_batch_and_key(name: str, k: int, seed: int) -> None:
    task, b = _sample(name, k=k, seed=seed)
    _check_structure(task, b, k * task.batch_multiple)


def test_registry() -> None:
    assert set(TASK_NAMES) == EXPECTED_NAMES
    assert len(TASK_NAMES) == len(EXPECTED_NAMES)
    for name in TASK_NAMES:
        task = get_task(name)
        assert isinstance(task, Task)
        hash(task)  # static argument of jit
        with pytest.raises(dataclasses.FrozenInstanceError):
            task.dt = 0.1  # type: ignore[misc]


@pytest.mark.parametrize("name", ["flip_flop", "mante", "romo"])
def test_random_tasks_depend_on_key(name: str) -> None:
    _, a = _sample(name, seed=1)
    _, b = _sample(name, seed=2)
    assert not np.array_equal(a.inputs, b.inputs)


# --- task semantics ------------------------------------------------------------------------


def test_fixed_point_pulse_targets_mask_and_mirror() -> None:
    task, b = _sample("fixed_point", k=3)
    dt = task.dt
    assert task.n_steps == 50 and dt == pytest.approx(0.2)
    assert task.n_conditions == 1 and task.batch_multiple == 2
    # one-step pulse at t = 0 whose time integral is the trial's sign
    np.testing.assert_allclose(b.inputs.sum(axis=(1, 2)) * dt, b.sign, rtol=1e-6)
    assert np.all(b.inputs[:, 1:] == 0)
    # targets ±1 for t >= 2, loss every 5th step: times 2, 3, ..., 9
    times = np.arange(task.n_steps) * dt
    on_mask = np.nonzero(b.mask[0, :, 0])[0]
    np.testing.assert_allclose(times[on_mask], np.arange(2, 10), atol=1e-6)
    assert np.all(b.mask == b.mask[:1])
    np.testing.assert_array_equal(
        b.targets[:, :, 0][b.mask[:, :, 0] > 0],
        np.repeat(b.sign, len(on_mask)),
    )
    # mirror images: the + and − trials are exact negatives of each other
    plus, minus = b.sign > 0, b.sign < 0
    np.testing.assert_array_equal(b.inputs[plus][0], -b.inputs[minus][0])
    np.testing.assert_array_equal(b.targets[plus][0], -b.targets[minus][0])


def test_fixed_point_dt_override_keeps_task_times() -> None:
    task, b = _sample("fixed_point", dt=0.1)
    assert task.n_steps == 100
    np.testing.assert_allclose(b.inputs.sum(axis=(1, 2)) * 0.1, b.sign, rtol=1e-6)
    times = np.nonzero(b.mask[0, :, 0])[0] * 0.1
    np.testing.assert_allclose(times, np.arange(2, 10), atol=1e-6)


def test_linear_constant() -> None:
    task, b = _sample("linear_constant")
    assert task.n_steps == 100 and task.n_conditions == 1
    assert np.all(b.inputs == 1.0)
    times = np.nonzero(b.mask[0, :, 0])[0] * task.dt
    np.testing.assert_allclose(times, 15 + 0.2 * np.arange(25), atol=1e-5)
    assert np.all(b.targets[b.mask > 0] == 1.0)


def test_sine_target_window() -> None:
    task, b = _sample("sine")
    times = np.nonzero(b.mask[0, :, 0])[0] * task.dt
    np.testing.assert_allclose(times, np.arange(1, 22), atol=1e-5)  # t in [1, 21]
    masked = b.targets[0, :, 0][b.mask[0, :, 0] > 0]
    np.testing.assert_allclose(masked, np.sin(2 * np.pi * (times - 1) / task.period), atol=1e-5)
    assert b.inputs[0, 0, 0] != 0  # a cue starts the oscillation


def test_cycling_direction_from_input_channel() -> None:
    task, b = _sample("cycling")
    assert task.n_steps == 360
    for i in range(b.inputs.shape[0]):
        pulsed = np.nonzero(np.abs(b.inputs[i]).sum(axis=0))[0]
        assert len(pulsed) == 1  # exactly one input channel carries the cue
        sel = b.mask[i, :, 0] > 0
        z = b.targets[i][sel]
        np.testing.assert_allclose(np.hypot(z[:, 0], z[:, 1]), 1.0, atol=1e-5)
        # rotation sense from the change of angle between consecutive evaluated points
        dtheta = np.angle(np.exp(1j * np.diff(np.arctan2(z[:, 1], z[:, 0]))))
        expected = -1.0 if pulsed[0] == 0 else 1.0  # input 0: clockwise
        assert np.all(np.sign(dtheta) == expected)
        # the cue comes before the first evaluated point
        first_cue = np.nonzero(np.abs(b.inputs[i]).sum(axis=1))[0][-1]
        assert first_cue < np.nonzero(sel)[0][0]


def test_flip_flop_target_is_last_pulse_sign() -> None:
    task, b = _sample("flip_flop", k=2, seed=3)
    assert (task.n_in, task.n_out) == (3, 3)
    for i in range(b.inputs.shape[0]):
        last = np.zeros(task.n_in)
        for t in range(task.n_steps):
            pulse = b.inputs[i, t]
            last = np.where(pulse != 0, np.sign(pulse), last)
            on = b.mask[i, t] > 0
            assert np.all(last[on] != 0)  # no evaluated bit before it was set
            np.testing.assert_array_equal(b.targets[i, t][on], last[on])
    # pulses: amplitude ±1, on the dt grid, never overlapping on two bits except the first
    assert set(np.unique(b.inputs)) <= {-1.0, 0.0, 1.0}
    assert b.mask.mean() > 0.1  # most of the trial is evaluated (every 5th step)


def test_mante_target_is_sign_of_relevant_coherence() -> None:
    task, b = _sample("mante", k=2)
    assert (task.n_in, task.n_out) == (4, 1)
    for i in range(b.inputs.shape[0]):
        context = b.inputs[i, :, 2:].sum(axis=0)
        assert np.count_nonzero(context) == 1
        rel = int(np.argmax(context))
        sensory = b.inputs[i, :, rel]
        coherence = sensory[np.nonzero(sensory)[0][0]]
        assert abs(coherence) in task.coherences
        masked = b.targets[i, :, 0][b.mask[i, :, 0] > 0]
        assert len(masked) == 20  # decision epoch [28, 48) on the integer grid
        np.testing.assert_array_equal(masked, np.sign(coherence))
    # answer sign and context balanced exactly in every batch
    assert b.targets[:, -1, 0].sum() == 0
    assert b.inputs[:, 0, 2].sum() == b.inputs[:, 0, 3].sum()


def test_romo_target_is_sign_of_f1_minus_f2() -> None:
    task, b = _sample("romo", k=2, seed=5)
    dt = task.dt
    for i in range(b.inputs.shape[0]):
        u = b.inputs[i, :, 0]
        on = np.nonzero(u)[0]
        # two pulses of duration 1 (5 steps each)
        onsets = on[np.concatenate([[True], np.diff(on) > 1])]
        assert len(onsets) == 2 and len(on) == 10
        f1, f2 = u[onsets[0]], u[onsets[1]]
        assert f1 != f2 and {f1, f2} <= set(task.amplitudes)
        assert 1 - 1e-6 <= onsets[0] * dt <= 3 + 1e-6  # fixation U(1, 3)
        gap = (onsets[1] - onsets[0]) * dt - 1  # stimulus delay U(2, 12)
        assert 2 - 1e-6 <= gap <= 12 + 1e-6
        sel = b.mask[i, :, 0] > 0
        assert sel.sum() == 8  # decision 8 time units on the integer grid
        first = np.nonzero(sel)[0][0] * dt
        assert (onsets[1] + 5) * dt + 4 - 1e-6 <= first <= (onsets[1] + 5) * dt + 5 + 1e-6
        np.testing.assert_array_equal(b.targets[i, :, 0][sel], np.sign(f1 - f2))
    assert b.targets.sum() == 0  # answers balanced


def test_complex_sine_frequency_follows_input() -> None:
    task, b = _sample("complex_sine", k=1)
    assert np.all(b.mask == 1.0)  # target time step 0.2 = every step
    levels, peaks = [], []
    for i in range(b.inputs.shape[0]):
        u = b.inputs[i, :, 0]
        assert np.all(u == u[0]) and u[0] > 0  # constant cue over the whole trial
        z = b.targets[i, :, 0]
        spectrum = np.abs(np.fft.rfft(z, n=16 * len(z)))
        omega = 2 * np.pi * np.fft.rfftfreq(16 * len(z), d=task.dt)
        levels.append(u[0])
        peaks.append(omega[np.argmax(spectrum)])
    order = np.argsort(levels)
    assert len(set(levels)) == task.n_conditions
    assert np.all(np.diff(np.asarray(peaks)[order]) > 0)  # higher cue, faster wave
    # the dominant frequency is the input-coded one, within the spectral resolution 2π/T
    np.testing.assert_allclose(
        np.sort(peaks), np.sort(task.frequencies), atol=2 * np.pi / task.t_max
    )


def test_eta0_for_output_scale() -> None:
    task = get_task("mante")
    assert task.eta0_for("large") == task.eta0
    assert task.eta0_for("small") == task.eta0_small
    assert get_task("cycling").eta0_for("small") == get_task("cycling").eta0
    with pytest.raises(ValueError, match="out_scale"):
        task.eta0_for("medium")


# --- errors ------------------------------------------------------------------------------


def test_unknown_name_lists_allowed() -> None:
    with pytest.raises(ValueError, match="fixed_point.*complex_sine"):
        get_task("flipflop")


def test_unknown_override_lists_allowed() -> None:
    with pytest.raises(ValueError, match=r"\['nope'\].*t_target"):
        get_task("fixed_point", nope=1)


@pytest.mark.parametrize("batch", [0, -2, 3, 2.0, True])
def test_bad_batch(batch: object) -> None:
    task = get_task("fixed_point")
    with pytest.raises(ValueError, match="batch="):
        task.sample(jax.random.key(0), batch)  # type: ignore[arg-type]


def test_batch_not_multiple_names_value_and_multiple() -> None:
    with pytest.raises(ValueError, match="batch=12.*batch_multiple=8"):
        get_task("romo").sample(jax.random.key(0), 12)


@pytest.mark.parametrize(
    ("name", "overrides", "match"),
    [
        ("fixed_point", {"dt": 0.0}, "dt="),
        ("fixed_point", {"dt": 0.3}, "t_max=.*multiple of dt"),
        ("fixed_point", {"t_target": 10.0}, "t_target="),
        ("fixed_point", {"sigma": -1.0}, "sigma="),
        ("fixed_point", {"eta0": 0.0}, "eta0="),
        ("fixed_point", {"target_dt": 0.1}, "target_dt="),
        ("cycling", {"period": -1.0}, "period="),
        ("flip_flop", {"t_sd_min": 11.0}, "t_sd_min="),
        ("flip_flop", {"conditions_per_batch": 0}, "conditions_per_batch="),
        ("mante", {"conditions_per_batch": 6}, "conditions_per_batch=6"),
        ("mante", {"coherences": ()}, "coherences="),
        ("mante", {"t_max": 40.0}, "t_max=40.0"),
        ("romo", {"t_sd_max": 20.0}, "t_max="),
        ("romo", {"amplitudes": (1.0, 1.0)}, "amplitudes="),
        ("complex_sine", {"frequencies": (0.3, -0.1)}, "frequencies"),
    ],
)
def test_bad_parameters(name: str, overrides: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        get_task(name, **overrides)


def test_list_override_becomes_tuple() -> None:
    task = get_task("mante", coherences=[0.5, 1.0])
    assert task.coherences == (0.5, 1.0)
    hash(task)


# ----------------------------------------------------------------------------- seed 002 tasks
def test_bit_flip_flop_targets_hold_the_last_pulse():
    import numpy as np

    task = get_task("flip_flop_3bit")
    b = task.sample(jax.random.key(3), 16)
    u, y, m = (np.asarray(a) for a in (b.inputs, b.targets, b.mask))
    for k in range(u.shape[0]):  # independent route: a plain loop over time
        held = np.zeros(3)
        for t in range(u.shape[1]):
            held = np.where(u[k, t] != 0, np.sign(u[k, t]), held)
            np.testing.assert_array_equal(y[k, t], held)
            np.testing.assert_array_equal(m[k, t], (held != 0).astype(np.float32))
    # pulse rate: 8 sequences × 100 steps × 3 bits Bernoulli(p) draws; 4 binomial SEs
    hits = np.abs(u[: task.n_conditions]) > 0
    p, n = task.p_flip, hits.size
    assert abs(hits.mean() - p) <= 4 * np.sqrt(p * (1 - p) / n)


def test_frequency_sine_targets_and_inputs_increase_together():
    import numpy as np

    task = get_task("sine_freq", n_frequencies=4, t_max=20.0)
    b = task.sample(jax.random.key(0), 8)
    u = np.asarray(b.inputs[:4, 0, 0])
    assert np.all(np.diff(u) > 0) and np.all(np.asarray(b.inputs[:4]) == u[:, None, None])
    w = np.linspace(task.omega_min, task.omega_max, 4)
    t = np.arange(20.0)
    np.testing.assert_allclose(np.asarray(b.targets[:4, :, 0]), np.sin(w[:, None] * t), atol=1e-5)


def test_context_integration_answer_is_the_relevant_stream_sign():
    import numpy as np

    task = get_task("cdi")
    b = task.sample(jax.random.key(5), 16)
    u, y, m = (np.asarray(a) for a in (b.inputs, b.targets, b.mask))
    ctx = u[:, 0, 2:]
    assert np.all(ctx.sum(axis=1) == 1) and np.all(u[:, :, 2:] == ctx[:, None, :])
    relevant = np.argmax(ctx, axis=1)
    answer = y[:, -1, 0]
    assert set(np.unique(answer)) == {-1.0, 1.0}
    # the stream mean estimates the bias: |mean − b| ≤ 4σ/√T, and |b| ≤ bias_max
    mean = u[np.arange(16), :, relevant].mean(axis=1)
    slack = 4 * task.stream_noise / np.sqrt(task.n_steps)
    assert np.all(answer * mean > -slack)
    assert np.all(m[:, : -int(task.t_dec)] == 0) and np.all(m[:, -int(task.t_dec) :] == 1)


def test_seed_002_tasks_refuse_bad_parameters():
    with pytest.raises(ValueError, match="p_flip"):
        get_task("flip_flop_3bit", p_flip=0.0)
    with pytest.raises(ValueError, match="omega_max"):
        get_task("sine_freq", omega_max=0.05)
    with pytest.raises(ValueError, match="conditions_per_batch"):
        get_task("cdi", conditions_per_batch=6)


# ----------------------------------------------------------------------------- seed 003 tasks
def test_perception_maps_each_level_to_its_response():
    task = get_task("perception")
    b = task.sample(jax.random.key(0), 2 * task.batch_multiple)
    u, y, m = (np.asarray(a) for a in (b.inputs, b.targets, b.mask))
    respond = dict(zip(task.levels, task.responses, strict=True))
    settle = round(task.t_settle / task.dt)
    for k in range(u.shape[0]):  # independent route: a loop over time
        since = 0  # steps since the input last changed
        for t in range(u.shape[1]):
            if t > 0 and u[k, t, 0] != u[k, t - 1, 0]:
                since = 0
            level = min(task.levels, key=lambda v: abs(v - u[k, t, 0]))
            assert abs(u[k, t, 0] - level) < 1e-6
            np.testing.assert_allclose(y[k, t, 0], respond[level], rtol=1e-6)
            assert m[k, t, 0] == float(since >= settle and t >= settle)
            since += 1
    # every (first, second) pair of levels appears: 0.8→0.5 and 0.5→0.8 switches included
    pairs = {(round(float(u[k, 0, 0]), 3), round(float(u[k, -1, 0]), 3)) for k in range(len(u))}
    assert pairs == {(a, c) for a in task.levels for c in task.levels}
    held = get_task("perception", switch=False)
    assert held.n_conditions == 2
    hb = held.sample(jax.random.key(0), 4)
    assert np.all(np.asarray(hb.inputs) == np.asarray(hb.inputs)[:, :1])


def test_decision_answer_is_which_input_is_larger():
    task = get_task("decision")
    b = task.sample(jax.random.key(0), task.batch_multiple)
    u, y, m = (np.asarray(a) for a in (b.inputs, b.targets, b.mask))
    assert np.all(u == u[:, :1])  # static inputs
    u1, u2 = u[:, 0, 0], u[:, 0, 1]
    assert np.all(u1 != u2)
    np.testing.assert_array_equal(y[:, -1, 0], np.where(u2 > u1, 1.0, -1.0))
    settle = round(task.t_settle / task.dt)
    assert np.all(m[:, :settle] == 0) and np.all(m[:, settle:] == 1)
    L = len(task.levels)
    assert len({(a, c) for a, c in zip(u1.tolist(), u2.tolist(), strict=True)}) == L * (L - 1)
    np.testing.assert_array_equal(np.asarray(task.static_inputs()), u[:, 0])


def test_seed_003_tasks_refuse_bad_parameters():
    with pytest.raises(ValueError, match="levels"):
        get_task("perception", levels=(0.5, 0.5))
    with pytest.raises(ValueError, match="responses"):
        get_task("perception", responses=(0.5,))
    with pytest.raises(ValueError, match="t_switch"):
        get_task("perception", t_switch=0.5)
    with pytest.raises(ValueError, match="t_settle"):
        get_task("decision", t_settle=10.0)
    with pytest.raises(ValueError, match="input_noise"):
        get_task("decision", input_noise=-0.1)
