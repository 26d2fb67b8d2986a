"""Training (simulate.training; THEORY §1, §3, §4, §6): records, determinism, vmapped seeds,
non-finite losses, sweeps, the ``oblique train`` command.

Cost: every distinct (structure, shape) of a config is one XLA compilation (seconds on a
2-core CPU), so the tests share a few tiny configurations (N ≤ 16, ≤ 60 steps); configs
that differ only in seed, steps, learning rate or checkpointing reuse one compilation.
"""

from __future__ import annotations

import re

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from simulate.config import TrainConfig
from simulate.runs import NonFiniteLossError, load
from simulate.training import (
    LOW_RANK_RECORDS,
    RATE_RECORDS,
    _lr_table,
    _trainer_for,
    init_models,
    seed_keys,
    sweep,
    train,
    trainable_filter,
)

# float32 rounding: a sum of a few O(1) terms carries relative error ~ few·eps
EPS32 = float(np.finfo(np.float32).eps)

BASE = TrainConfig.preset(
    "gd_scaling", N=16, seeds=2, steps=20, record_every=2, checkpoint_every=10
)


@pytest.fixture(scope="module")
def base_run(tmp_path_factory):
    return train(BASE, tmp_path_factory.mktemp("base") / "run", progress=False)


# ---------------------------------------------------------------- records
def test_low_rank_records(base_run) -> None:
    r = base_run
    S, n = BASE.seeds, BASE.steps // BASE.record_every
    assert set(r.records) == set(LOW_RANK_RECORDS)
    np.testing.assert_array_equal(r.steps, np.arange(0, BASE.steps, BASE.record_every))
    shapes = {
        "loss": (S, n),
        "loss_bias": (S, n),
        "loss_var": (S, n),
        "M": (S, n, 2, 2),
        "eigvals": (S, n, 2),
        "kappa_bar": (S, n, 2),
        "kappa_norm": (S, n),
        "rho": (S, n),
    }
    for k, shape in shapes.items():
        assert r.records[k].shape == shape, k
        assert np.all(np.isfinite(r.records[k])), k
    # THEORY §1: L = L_bias + L_var on the same sample (float32 rounding of a 2-term sum)
    L, Lb, Lv = (r.records[k] for k in ("loss", "loss_bias", "loss_var"))
    np.testing.assert_allclose(L, Lb + Lv, rtol=4 * EPS32)
    assert np.all(Lb >= 0) and np.all(Lv >= 0)
    # record at step t is taken before the update of step t: record 0 is the initial M = 0
    np.testing.assert_array_equal(r.records["M"][:, 0], 0.0)
    assert not np.array_equal(np.asarray(r.params.M), r.records["M"][:, -1])
    # eigenvalues of the recorded M, sorted by real part, descending
    ev = np.linalg.eigvals(r.records["M"].astype(np.float64))
    got = r.records["eigvals"]
    assert np.all(np.diff(got.real, axis=-1) <= 0)
    np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(ev), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        r.records["kappa_norm"], np.linalg.norm(r.records["kappa_bar"], axis=-1), rtol=4 * EPS32
    )
    assert np.all((r.records["rho"] >= 0) & (r.records["rho"] <= 1 + 4 * EPS32))
    # (whether the loss falls is a statistical question for validate.experiments.gd_scaling, not here)


def test_evaluation_trajectories(base_run) -> None:
    ev = base_run.evaluation
    B = BASE.eval_batch
    T = BASE.make_task().n_steps
    for which in ("init", "final"):
        for noise in ("noisy", "clean"):
            assert ev[f"{which}_{noise}_z"].shape == (BASE.seeds, B, T, 1)
            assert ev[f"{which}_{noise}_latent"].shape == (BASE.seeds, B, T, 2)
    # M = 0 initially and ρ_io = 0 (THEORY §4): without noise the pulse along w_in never
    # reaches the readout, z = w_outᵀx = 0 up to float32 rounding of w_outᵀw_in
    # (|w_in| = √N, eps·√N·few ≈ 1e-6)
    assert np.max(np.abs(ev["init_clean_z"])) < 1e-5
    assert np.std(ev["init_noisy_z"]) > 0.1  # σ = 1: z fluctuates with O(σ) std
    assert not np.array_equal(ev["final_noisy_z"], ev["final_clean_z"])


def test_same_seed_identical_records(base_run) -> None:
    again = train(BASE, None, progress=False)
    for k in LOW_RANK_RECORDS:
        np.testing.assert_array_equal(again.records[k], base_run.records[k], err_msg=k)
    np.testing.assert_array_equal(np.asarray(again.params.M), np.asarray(base_run.params.M))
    other = train(BASE.replace(seed=1), None, progress=False)
    assert not np.array_equal(other.records["loss"], base_run.records["loss"])


def test_vmapped_seeds_equal_seeds_alone(base_run) -> None:
    """Seed index s of a vmapped run = that seed trained on its own (same fold_in keys).

    Each seed s is trained alone through the jitted chunk of a seeds=1 config, from seed
    s's initial network (``fold_in(key(seed), s)``) and step keys; for s = 0 this is exactly
    ``train(BASE.replace(seeds=1))``. vmap may reorder float32 reductions, so equality is
    up to rounding amplified over 20 steps: rtol 1e-4 (≈ 800 eps)."""
    cfg1 = BASE.replace(seeds=1)
    trainer = _trainer_for(cfg1)
    lr = _lr_table(cfg1, jnp.float32)
    inits, keys = init_models(BASE), seed_keys(BASE, 1)
    for s in range(BASE.seeds):
        init = jax.tree_util.tree_map(lambda a, s=s: a[s : s + 1], inits)
        params, frozen = eqx.partition(init, trainable_filter(cfg1, init))
        opt_state = jax.vmap(trainer.opt.init)(params)
        bad = jnp.full((1,), -1, jnp.int32)
        recs = []
        for t0 in range(0, BASE.steps, BASE.checkpoint_every):
            params, opt_state, bad, rec = trainer.jitted_chunk(
                params,
                frozen,
                opt_state,
                init,
                keys[s : s + 1],
                lr,
                bad,
                t0,
                BASE.checkpoint_every // BASE.record_every,
            )
            recs.append({k: np.asarray(v[0]) for k, v in rec.items()})
        for k in ("loss", "loss_var", "M", "kappa_bar", "rho"):
            np.testing.assert_allclose(
                np.concatenate([r[k] for r in recs]),
                base_run.records[k][s],
                rtol=1e-4,
                atol=1e-6,
                err_msg=f"seed {s}: {k}",
            )
        np.testing.assert_allclose(
            np.asarray(params.M[0]), np.asarray(base_run.params.M[s]), rtol=1e-4, atol=1e-6
        )


# ---------------------------------------------------------------- non-finite loss
def test_non_finite_loss_stops_and_keeps_checkpoint(tmp_path) -> None:
    # an absurd learning rate (η = 8, 1600× THEORY §4's) makes M, then z, overflow; for this
    # seed the first non-finite loss is at step 19 of seed index 1 (deterministic), after
    # the checkpoint at step 10
    cfg = BASE.replace(eta0=8.0, steps=60)
    out = tmp_path / "nan"
    with pytest.raises(NonFiniteLossError, match=r"step \d+ for seed index \d") as info:
        train(cfg, out, progress=False)
    err = info.value
    assert err.step >= cfg.checkpoint_every, "diverged before the first checkpoint"
    assert f"step {err.step}" in str(err) and f"seed index {err.seed_index}" in str(err)
    assert not (out / "run.json").exists()
    with np.load(out / "checkpoint.npz") as z:
        step = int(z["step"])
        assert step == (err.step // cfg.checkpoint_every) * cfg.checkpoint_every
        assert np.all(np.isfinite(z["param__M"]))
        assert np.all(np.isfinite(z["rec__loss"])) and z["rec__loss"].shape[1] == step // 2
    # no directory: the same error, without the checkpoint remark
    with pytest.raises(NonFiniteLossError) as info2:
        train(cfg, None, progress=False)
    assert (info2.value.step, info2.value.seed_index) == (err.step, err.seed_index)


class _Interrupt(Exception):
    pass


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_resumed_run_starts_at_its_checkpoint_and_ends_bit_identical(
    optimizer, base_run, tmp_path, monkeypatch, capsys
) -> None:
    """Interrupted after the checkpoint at step 10 of 20, the rerun trains only steps 10-19
    (its chunks start at t0 = 10), its bar starts at 10/20, and it ends bit-identical to an
    uninterrupted run — with SGD (``base_run``) and with Adam, whose moment estimates must
    come back from the checkpoint. ``info`` holds the session's wall time and the backend."""
    import time

    import simulate.training as training
    from simulate.runs import RunDirectory

    cfg = BASE if optimizer == "sgd" else BASE.replace(optimizer="adam", eta0=0.01)
    reference = base_run if optimizer == "sgd" else train(cfg, None, progress=False)
    path = tmp_path / "run"
    save = RunDirectory.save_checkpoint

    def save_then_stop(self, *args, **kwargs):
        save(self, *args, **kwargs)
        raise _Interrupt

    with monkeypatch.context() as m:
        m.setattr(RunDirectory, "save_checkpoint", save_then_stop)
        with pytest.raises(_Interrupt):
            train(cfg, path, progress=False)
    starts: list[int] = []
    jit_chunk = training._jit_chunk

    def spy(trainer):
        run = jit_chunk(trainer)

        def call(*args):
            starts.append(int(args[7]))  # t0
            return run(*args)

        return call

    monkeypatch.setattr(training, "_jit_chunk", spy)
    capsys.readouterr()
    t0 = time.perf_counter()
    resumed = train(cfg, path)  # progress bar on by default
    elapsed = time.perf_counter() - t0
    assert starts == [10]
    bar = capsys.readouterr().err
    assert f"train fixed_point N=16 ×{BASE.seeds}:" in bar
    assert "10/20" in bar and "20/20" in bar
    assert re.search(r"step/s|s/step", bar), bar  # the unit, whichever way tqdm shows the rate
    for k in LOW_RANK_RECORDS:
        np.testing.assert_array_equal(resumed.records[k], reference.records[k], err_msg=k)
    np.testing.assert_array_equal(resumed.params.M, reference.params.M)
    assert 0 < resumed.info["wall_seconds_last_session"] < elapsed
    assert resumed.info["backend"] == jax.default_backend()


def test_a_finished_run_is_loaded_and_nothing_is_written(base_run) -> None:
    """``train`` on a finished run's directory (default restart=False) loads it: the same
    run, and no file or lock is created or touched."""
    before = {f: f.stat().st_mtime_ns for f in sorted(base_run.path.rglob("*"))}
    again = train(BASE, base_run.path, progress=False)
    assert {f: f.stat().st_mtime_ns for f in sorted(base_run.path.rglob("*"))} == before
    assert again.info == base_run.info
    np.testing.assert_array_equal(again.records["loss"], base_run.records["loss"])


def test_a_run_in_memory_shows_its_bar_by_default_and_ends_with_a_shorter_chunk(
    base_run, capsys
) -> None:
    """steps = 30 with checkpoint_every = 20: chunks of 20 and 10 steps; the first 20 steps
    are those of ``base_run`` (same seed, same keys), so its records are a prefix."""
    capsys.readouterr()
    run = train(BASE.replace(steps=30, checkpoint_every=20))
    assert "30/30" in capsys.readouterr().err
    assert run.records["loss"].shape == (BASE.seeds, 15)
    for k in LOW_RANK_RECORDS:
        np.testing.assert_array_equal(run.records[k][:, :10], base_run.records[k], err_msg=k)


def test_non_finite_parameters_after_a_finite_loss_are_caught(tmp_path) -> None:
    """One SGD step whose update overflows float32 for one seed only: the loss of step 0 was
    finite (it is computed before the update), so only the check of the updated parameters
    can see it. lr is placed between the two seeds' overflow thresholds f32max/max|g_s|
    (g_s measured with lr = 1), and the error names step 0 and that seed."""
    cfg = BASE.replace(sigma=3.0, seed=11, steps=1, record_every=1, checkpoint_every=1)
    probe = train(cfg.replace(eta0=1.0), None, progress=False)
    g = np.abs(np.asarray(probe.params.M) - np.asarray(probe.init_params.M)).max(axis=(1, 2))
    assert g[1] > g[0]  # the setting is chosen so that the second seed overflows
    lr = float(np.finfo(np.float32).max) / float(np.sqrt(g[0]) * np.sqrt(g[1]))
    with pytest.raises(NonFiniteLossError) as err:
        train(cfg.replace(eta0=lr), tmp_path / "run", progress=False)
    assert (err.value.step, err.value.seed_index) == (0, 1)
    assert str(err.value).endswith(
        "; no checkpoint was written yet (the failure is in the first chunk)"
    )


def test_a_loss_non_finite_at_step_0_is_reported_at_step_0() -> None:
    """x₀ noise of 1e20 makes the very first loss infinite: reported at step 0 of the
    two-step chunk, not at the chunk's last step (where the parameters are also bad)."""
    with pytest.raises(NonFiniteLossError) as err:
        train(BASE.replace(x0_noise=1e20, steps=2, checkpoint_every=2), None, progress=False)
    assert (err.value.step, err.value.seed_index) == (0, 0)


def test_the_training_loss_is_the_configured_simulation_and_split() -> None:
    """The loss a step differentiates is ``loss_split`` of ``simulate`` with the config's σ,
    dt, x₀ noise and input noise — each set away from simulate's default, and each of those
    with a default shown to matter (dropping it changes the loss), so none can silently fall
    back to a default (σ has none)."""
    from simulate.dynamics import simulate as run_net
    from simulate.losses import loss_split

    options = {"sigma": 0.4, "dt": 0.1, "x0_noise": 0.7, "input_noise": 0.3}
    cfg = BASE.replace(**options)
    trainer = _trainer_for(cfg)
    model = jax.tree_util.tree_map(lambda a: a[0], init_models(cfg))  # seed 0
    model = eqx.tree_at(lambda m: m.M, model, jnp.asarray([[0.5, -1.0], [1.0, 0.2]]))
    params, frozen = eqx.partition(model, trainable_filter(cfg, model))
    batch = trainer.task.sample(jax.random.key(4), cfg.batch)
    key = jax.random.key(5)
    loss, (split, _) = trainer.forward(params, frozen, batch, key, "output")

    def reference(**opts):
        z = run_net(model, batch.inputs, key=key, record="output", **opts).z
        n_c = trainer.task.n_conditions
        return loss_split(z, batch.targets, batch.mask, batch.sign, batch.condition, n_c)

    ref = reference(**options)
    for name in ("loss", "loss_bias", "loss_var"):
        np.testing.assert_allclose(getattr(split, name), getattr(ref, name), rtol=4 * EPS32)
    for name in ("dt", "x0_noise", "input_noise"):  # each counts: simulate's default differs
        rest = {k: v for k, v in options.items() if k != name}
        assert abs(float(reference(**rest).loss) - float(loss)) > 1e-3 * float(loss), name


def test_a_float32_run_is_the_same_with_jax_64_bit_mode_on(base_run) -> None:
    """A user who switched JAX to 64-bit mode (e.g. for float64 theory) gets bit-identical
    float32 runs: nothing in a step silently computes in float64 (the learning-rate table
    takes the parameters' dtype, not JAX's default) and the step counters stay int32 —
    for the low-rank scan and for a rate network's block scan (``RATE_BLOCKS``)."""
    with jax.enable_x64(True):
        run = train(BASE, None, progress=False)
    for k in LOW_RANK_RECORDS:
        assert run.records[k].dtype == base_run.records[k].dtype, k
        np.testing.assert_array_equal(run.records[k], base_run.records[k], err_msg=k)
    np.testing.assert_array_equal(run.params.M, base_run.params.M)
    # SGD: with Adam (RATE_BLOCKS as it is) the 64-bit-mode run differs by rounding, 6e-5
    # relative after 4 updates (measured; the cause inside the Adam path is not pinned down)
    rate = RATE_BLOCKS.replace(seeds=1, steps=4, checkpoint_every=4, optimizer="sgd")
    plain = train(rate, None, progress=False)
    with jax.enable_x64(True):
        wide = train(rate, None, progress=False)
    for k in RATE_RECORDS:
        np.testing.assert_array_equal(wide.records[k], plain.records[k], err_msg=k)


def test_an_unresolved_config_field_is_named() -> None:
    """Records need the resolved dt; an object with dt=None is refused by name."""
    from types import SimpleNamespace

    from simulate.models import make_rate_rnn
    from simulate.training import _rate_records

    rng = np.random.default_rng(0)
    batch = _record_batch(rng, 2, 4, 1)
    net = make_rate_rnn(jax.random.key(0), 4, n_in=1, n_out=1)
    x = jnp.zeros((2, 4, 4), jnp.float32)
    task = SimpleNamespace(n_conditions=1)
    with pytest.raises(ValueError) as err:
        _rate_records(net, net, x, batch, task, SimpleNamespace(dt=None), jax.random.key(0))
    assert str(err.value) == "dt=None was not resolved; build configs with TrainConfig(...)"


# ---------------------------------------------------------------- rate networks
def test_rate_records() -> None:
    # record_every = 1: one step function to compile (the cheapest rate configuration)
    cfg = TrainConfig(
        task="fixed_point",
        model="rate",
        N=8,
        seeds=2,
        steps=3,
        record_every=1,
        checkpoint_every=3,
        nonlinearity="tanh",
        g=1.5,
        sigma=0.2,
        x0_noise=1.0,
        optimizer="adam",
        eta0=0.05,
        lr_scaling="1/N",
    )
    r = train(cfg, None, progress=False)
    assert set(r.records) == set(RATE_RECORDS)
    for k in RATE_RECORDS:
        assert r.records[k].shape[:2] == (2, 3) and np.all(np.isfinite(r.records[k])), k
    assert r.records["M_proj"].shape == (2, 3, 2, 2)
    L, Lb, Lv = (r.records[k] for k in ("loss", "loss_bias", "loss_var"))
    np.testing.assert_allclose(L, Lb + Lv, rtol=4 * EPS32)
    # before the first update nothing has moved (exactly, for differences of parameters)
    for k in ("dW_norm", "dw_out_norm"):
        np.testing.assert_array_equal(r.records[k][:, 0], 0.0, err_msg=k)
    np.testing.assert_array_equal(r.records["M_proj"][:, 0], 0.0)
    # x̄ of the current and the initial network: two separately compiled but equal
    # simulations of 50 steps, equal up to float32 rounding of O(‖x̄‖) values
    assert np.all(r.records["dx_bar_norm"][:, 0] <= 1e-5 * (1 + r.records["x_norm"][:, 0]))
    # after Adam updates every trained array has moved; ρ is a correlation
    assert np.all(r.records["dW_norm"][:, 1] > 0) and np.all(r.records["dw_out_norm"][:, 1] > 0)
    assert np.all((r.records["rho"] >= 0) & (r.records["rho"] <= 1 + 4 * EPS32))
    assert np.all(r.records["x_norm"] > 0)
    dW = np.linalg.norm(np.asarray(r.params.W - r.init_params.W), axis=(1, 2))
    assert np.all(dW > 0)
    assert r.evaluation["final_noisy_x"].shape == (2, cfg.eval_batch, 50, 8)


#: a rate network trained with record_every = 2: the block scan (one recorded step, then an
#: inner scan of k − 1 steps)
RATE_BLOCKS = TrainConfig(
    task="fixed_point",
    model="rate",
    N=8,
    seeds=2,
    steps=6,
    record_every=2,
    checkpoint_every=6,
    nonlinearity="tanh",
    g=1.5,
    sigma=0.2,
    optimizer="adam",
    eta0=0.05,
)


@pytest.fixture(scope="module")
def rate_blocks():
    return train(RATE_BLOCKS, None, progress=False)


def test_rate_records_every_second_step_equal_every_step_subsampled(rate_blocks) -> None:
    """A rate network with record_every = 2 (a scan over blocks: one recorded step, then an
    inner scan of 1) follows the same steps as record_every = 1 (one scan, every step
    recorded): its records are every second of those, and its final parameters the same.
    Tolerance: float32 rounding of two differently fused programs over 6 steps."""
    every = train(RATE_BLOCKS.replace(record_every=1), None, progress=False)
    blocks = rate_blocks
    np.testing.assert_array_equal(blocks.steps, [0, 2, 4])
    for k in RATE_RECORDS:
        np.testing.assert_allclose(
            blocks.records[k], every.records[k][:, ::2], rtol=1e-5, atol=1e-6, err_msg=k
        )
    np.testing.assert_allclose(blocks.params.W, every.params.W, rtol=1e-5, atol=1e-6)


def test_every_step_draws_fresh_trials() -> None:
    """No noise (σ = x₀ noise = input noise = 0) and no learning (η = 1e-30 leaves float32
    weights unchanged): the loss still changes from step to step on a task with random
    trials (flip-flop), because every step samples its own batch — and it does not on a
    deterministic task (fixed point), the control."""
    losses = {}
    for task in ("flip_flop", "fixed_point"):
        cfg = TrainConfig(
            task=task,
            model="rate",
            N=8,
            seeds=1,
            steps=3,
            record_every=1,
            checkpoint_every=3,
            sigma=0.0,
            x0_noise=0.0,
            input_noise=0.0,
            eta0=1e-30,
            batch=8,
            g=0.8,
        )
        losses[task] = train(cfg, None, progress=False).records["loss"][0]
    assert len(set(losses["flip_flop"].tolist())) == 3, losses
    assert len(set(losses["fixed_point"].tolist())) == 1, losses


# ---------------------------------------------------------------- sweep, CLI
def test_sweep_over_two_sizes(tmp_path) -> None:
    runs = sweep(BASE, [8, 16], tmp_path / "sweep", progress=False)
    assert [r.config.N for r in runs] == [8, 16]
    assert [r.path.name for r in runs] == ["N8", "N16"]
    for r in runs:
        assert r.config == BASE.replace(N=r.config.N)
        assert r.records["loss"].shape == (BASE.seeds, BASE.steps // BASE.record_every)
        assert np.asarray(r.params.U).shape == (BASE.seeds, r.config.N, 2)
    # the N = 16 member is the same computation as the base run
    np.testing.assert_array_equal(
        runs[1].records["loss"], train(BASE, None, progress=False).records["loss"]
    )
    # finished sizes are loaded, not retrained
    again = sweep(BASE, [8, 16], tmp_path / "sweep", progress=False)
    assert [r.info for r in again] == [r.info for r in runs]
    with pytest.raises(ValueError, match="Ns"):
        sweep(BASE, [], tmp_path / "empty")


def test_sweep_passes_restart_and_progress_on(tmp_path, capsys) -> None:
    """A size whose run failed (another config, diverged) is refused without ``restart`` and
    archived and retrained with it; progress bars by default, none with progress=False."""
    out = tmp_path / "sweep"
    with pytest.raises(NonFiniteLossError):  # the diverging config of the test above
        sweep(BASE.replace(eta0=8.0, steps=60), [16], out, progress=False)
    with pytest.raises(ValueError, match="restart"):
        sweep(BASE, [16], out, progress=False)
    assert "train fixed_point" not in capsys.readouterr().err  # progress=False: no bar
    (run,) = sweep(BASE, [16], out, restart=True)  # progress defaults to True
    assert run.config == BASE and (out / "N16" / ".archive").is_dir()
    assert f"train fixed_point N=16 ×{BASE.seeds}" in capsys.readouterr().err


def test_cli_train(tmp_path, capsys) -> None:
    from validate.cli import main

    out = tmp_path / "cli"
    argv = [
        "train",
        "--preset",
        "gd_scaling",
        "--N",
        "16",
        "--seeds",
        "2",
        "--steps",
        "20",
        "--record-every",
        "2",
        "--checkpoint-every",
        "10",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert str(out) in text and "N=16" in text and "2 seeds × 20 steps" in text
    run = load(out)
    assert run.config == BASE
    np.testing.assert_array_equal(
        run.records["loss"], train(BASE, None, progress=False).records["loss"]
    )
    # rerun: loads the finished run and prints the same summary line
    assert main(argv) == 0
    assert text.splitlines()[-1] == capsys.readouterr().out.splitlines()[-1]
    # a different config into the same directory is refused (exit status 2, message)
    assert main(argv[:-3] + ["--seeds", "3", "--out", str(out)]) == 2
    assert "different config" in capsys.readouterr().err
    # bad input → exit status 2 naming the parameter
    assert main(["train", "--N", "1", "--out", str(tmp_path / "bad"), "--quiet"]) == 2
    assert "N=1" in capsys.readouterr().err


def test_cli_train_seed003_keeps_the_diagonal_at_zero_and_trains_only_W(tmp_path) -> None:
    """Seed 003's leaky rate network: only W_rec trained, its zero diagonal kept at zero
    (exactly: the diagonal is masked out of the dynamics, so its gradient is exactly 0 and so
    is Adam's update), the run stored and reloaded with its bias."""
    from validate.cli import main

    out = tmp_path / "seed003"
    argv = [
        "train",
        "--preset",
        "seed003",
        "--task",
        "decision",
        "--N",
        "8",
        "--seeds",
        "2",
        "--steps",
        "4",
        "--record-every",
        "2",
        "--checkpoint-every",
        "4",
        "--nonlinearity",
        "leaky_relu",
        "--leak-angle",
        "0.2",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    run = load(out)
    c = run.config
    assert (c.form, c.nonlinearity, c.leak_angle, c.zero_diagonal) == (
        "rate",
        "leaky_relu",
        0.2,
        True,
    )
    W, W0 = np.asarray(run.params.W), np.asarray(run.init_params.W)
    assert np.all(np.diagonal(W, axis1=1, axis2=2) == 0.0)
    assert np.all(np.linalg.norm(W - W0, axis=(1, 2)) > 0)
    for name in ("w_in", "w_out", "b"):
        np.testing.assert_array_equal(getattr(run.params, name), getattr(run.init_params, name))
    assert run.params.b.shape == (2, 8)
    assert np.all(np.isfinite(run.records["loss"]))


# ---------------------------------------------------------------- learning-rate schedule
def _np_optimiser_path(cfg: TrainConfig, W0: np.ndarray, grads: list[np.ndarray]) -> list:
    """Parameters after each step of SGD/Adam written out in float64 numpy, independent of
    optax: g ← g·c/max(‖g‖, c) when grad_clip = c; lr(t) from the phases of the schedule;
    Adam with optax's defaults (b₁ = 0.9, b₂ = 0.999, ε = 1e-8 added to √v̂)."""
    lrs = np.concatenate([np.full(n, lr) for n, lr in cfg.schedule()])
    W, m, v, path = W0.astype(np.float64), 0.0, 0.0, []
    for t, g in enumerate(grads):
        g = g.astype(np.float64)
        if cfg.grad_clip is not None:
            g = g * cfg.grad_clip / max(np.linalg.norm(g), cfg.grad_clip)
        if cfg.optimizer == "sgd":
            d = g
        else:
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            d = (m / (1 - 0.9 ** (t + 1))) / (np.sqrt(v / (1 - 0.999 ** (t + 1))) + 1e-8)
        W = W - lrs[t] * d
        path.append(W)
    return path


@pytest.mark.parametrize(
    ("optimizer", "phases", "grad_clip"),
    [
        ("sgd", None, None),
        ("sgd", ((2, "1/N"), (3, 4.0)), 0.5),
        ("adam", None, 0.5),
        ("adam", ((2, "1/N"), (3, 4.0)), None),
        ("sgd", ((1, "1/N"), (2, 4.0), (2, "none")), None),  # two boundaries
    ],
)
def test_both_update_routes_match_a_numpy_optimiser(optimizer, phases, grad_clip) -> None:
    """``make_optimizer`` (optax with join_schedules) and train's route −lr(t)·direction
    (``_direction``, ``_lr_table``/``_lr_at``) both follow the numpy SGD/Adam of
    ``_np_optimiser_path``, step by step: one, two or three phases (THEORY §3 two phases,
    every boundary crossed), with and without clipping. The gradients grow with t, so the clip
    is active and changes Adam's direction too. Tolerance: float32 rounding of ~10
    operations per step over 5 steps on entries ≤ 8 (at most 6.6 here), i.e. 64·eps₃₂·8."""
    import optax

    from simulate.training import _direction, _lr_at, make_optimizer

    cfg = TrainConfig(
        task="fixed_point",
        N=8,
        steps=5,
        eta0=0.3,
        optimizer=optimizer,
        phases=phases,
        grad_clip=grad_clip,
    )
    W0 = np.ones((3, 3), np.float32)
    grads = [
        ((1 + t) * np.sin(np.arange(9.0) + t)).reshape(3, 3).astype(np.float32)
        for t in range(cfg.steps)
    ]
    expected = _np_optimiser_path(cfg, W0, grads)
    ref_opt, direction = make_optimizer(cfg), _direction(cfg)
    table = _lr_table(cfg, jnp.float32)
    p_ref = p_new = {"W": jnp.asarray(W0)}
    s_ref, s_new = ref_opt.init(p_ref), direction.init(p_new)
    for t, (g, want) in enumerate(zip(grads, expected, strict=True)):
        u, s_ref = ref_opt.update({"W": jnp.asarray(g)}, s_ref, p_ref)
        p_ref = optax.apply_updates(p_ref, u)
        d, s_new = direction.update({"W": jnp.asarray(g)}, s_new, p_new)
        lr = _lr_at(table, jnp.int32(t))
        p_new = optax.apply_updates(p_new, jax.tree_util.tree_map(lambda x, lr=lr: -lr * x, d))
        for route, got in (("make_optimizer", p_ref), ("direction", p_new)):
            np.testing.assert_allclose(
                got["W"], want, rtol=0, atol=64 * EPS32 * 8, err_msg=f"{route}, t={t}"
            )


def test_grad_clip_bounds_the_sgd_step(tmp_path):
    import numpy as np

    import simulate

    cfg = simulate.TrainConfig(
        task="fixed_point",
        N=8,
        steps=1,
        seeds=1,
        batch=4,
        eta0=0.5,
        grad_clip=1e-3,
        task_overrides={"t_max": 4.0},
    )
    run = simulate.train(cfg, progress=False)
    step = np.linalg.norm(np.asarray(run.params.M) - np.asarray(run.init_params.M))
    # one SGD step of a gradient clipped to global norm 1e-3 moves M by ≤ η·1e-3 (float32)
    assert 0 < step <= 0.5 * 1e-3 * (1 + 1e-5)
    with pytest.raises(ValueError, match="grad_clip"):
        simulate.TrainConfig(task="fixed_point", grad_clip=0.0)


def test_training_lowers_the_bias_loss_beyond_the_batch_noise(monkeypatch) -> None:
    """Gradient *descent* on the loss: on the fixed-point task (σ = 0.2, η = 0.5) L_bias falls
    from its initial ≈ ẑ² within a few steps. Margin from the batch noise itself: s = SD of
    the last 10 recorded batch values; the first record minus the mean of the last 10 must
    exceed 4·s·√(1 + 1/10) for every seed. Training on L_var alone fails this (L_bias would
    stay), and so does gradient ascent — shown directly: with the update's sign flipped
    (−lr(t) → +lr(t)) L_bias must RISE by more than 4·s·√2 within 3 steps."""
    import simulate
    import simulate.training as training

    cfg = simulate.TrainConfig(
        task="fixed_point",
        N=16,
        steps=40,
        seeds=2,
        batch=8,
        eta0=0.5,
        sigma=0.2,
        record_every=1,
        task_overrides={"t_max": 4.0},
    )
    run = simulate.train(cfg, progress=False)
    L = np.asarray(run.records["loss_bias"], np.float64)  # [seeds, records]
    last = L[:, -10:]
    s = last.std(axis=1, ddof=1)
    drop = L[:, 0] - last.mean(axis=1)
    assert np.all(drop > 4 * s * np.sqrt(1 + 1 / 10)), (L[:, 0], last.mean(axis=1), s)
    total = np.asarray(run.records["loss"], np.float64)
    assert np.all(
        total[:, 0] - total[:, -10:].mean(axis=1)
        > 4 * total[:, -10:].std(axis=1, ddof=1) * np.sqrt(1.1)
    )

    # ascent: a fresh trainer cache, so the flipped step is compiled into a trainer that no
    # other test can reuse (monkeypatch restores both afterwards)
    lr_at = training._lr_at
    monkeypatch.setattr(training, "_lr_at", lambda lr, t: -lr_at(lr, t))
    monkeypatch.setattr(training, "_TRAINERS", {})
    up = simulate.train(cfg.replace(steps=4), progress=False)
    L_up = np.asarray(up.records["loss_bias"], np.float64)
    np.testing.assert_array_equal(L_up[:, 0], L[:, 0])  # the same initial network and batch
    assert np.all(L_up[:, 3] - L_up[:, 0] > 4 * s * np.sqrt(2)), (L_up, s)


# ---------------------------------------------------------------- refusals and helpers
def test_refusals_of_train_and_sweep_are_whole_sentences(tmp_path) -> None:
    cases = [
        (lambda: train({"N": 8}, progress=False), "config must be a TrainConfig; got dict"),
        (
            lambda: sweep(BASE, [], tmp_path / "empty", progress=False),
            "Ns=[] is not allowed; allowed: a non-empty list of sizes >= 2",
        ),
    ]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    cases.append(
        (
            lambda: sweep(BASE, [8], a_file, progress=False),
            f"out={str(a_file)!r} exists and is not a directory",
        )
    )
    single = tmp_path / "single"
    single.mkdir()
    (single / "config.json").write_text("{}")
    cases.append(
        (
            lambda: sweep(BASE, [8], single, progress=False),
            f"out={str(single)!r} holds a single run (config.json); a sweep writes "
            "out/N<n>/ — use another directory for the sweep",
        )
    )
    for call, message in cases:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message


def test_eigenvalues_are_sorted_by_real_then_imaginary_part() -> None:
    """Descending real part, ties by descending imaginary part; complex dtype of the input's
    precision even when all eigenvalues are real."""
    from simulate.training import _eigvals_sorted

    rot = np.array([[1.0, -2.0], [2.0, 1.0]])  # 1 ± 2i
    diag = np.diag([-3.0, 5.0])
    out = _eigvals_sorted(np.stack([rot, diag]))
    np.testing.assert_allclose(out[0], [1 + 2j, 1 - 2j])
    np.testing.assert_allclose(out[1], [5.0, -3.0])
    assert out.dtype == np.complex128
    assert _eigvals_sorted(diag.astype(np.float32)).dtype == np.complex64


def test_the_record_window_starts_at_the_first_masked_step() -> None:
    from simulate.training import _window

    mask = np.zeros((3, 6, 2), np.float32)
    mask[1, 2, 1] = 1.0  # first masked step: t = 2 (one trial, one output suffices)
    mask[0, 4, 0] = 1.0
    w = _window(jnp.asarray(mask))
    np.testing.assert_array_equal(np.asarray(w), [0, 0, 1, 1, 1, 1])
    assert w.dtype == mask.dtype  # weights in the mask's dtype, not bool


def test_the_rate_basis_is_orthonormal_and_spans_w_out_and_w_in() -> None:
    """[w₁ w₂]: w₁ = w_out/‖w_out‖, w₂ the part of w_in orthogonal to it, normalised — of
    the FIRST columns: two inputs and two outputs, so that reading a second column shows
    (JAX clamps an out-of-range index, so with one column it would read the first)."""
    from simulate.models import make_rate_rnn
    from simulate.training import _rate_basis

    net = make_rate_rnn(jax.random.key(3), 12, n_in=2, n_out=2)
    basis = np.asarray(_rate_basis(net), np.float64)
    np.testing.assert_allclose(basis.T @ basis, np.eye(2), atol=1e-6)
    w_out, w_in = (np.asarray(a[:, 0], np.float64) for a in (net.w_out, net.w_in))
    np.testing.assert_allclose(basis[:, 0], w_out / np.linalg.norm(w_out), atol=1e-6)
    v = w_in - (w_in @ basis[:, 0]) * basis[:, 0]
    np.testing.assert_allclose(basis[:, 1], v / np.linalg.norm(v), atol=1e-6)


def test_configs_share_a_trainer_exactly_when_their_compiled_step_is_the_same() -> None:
    """Seed, seeds, steps, learning rate and the initialisation fields do not change the
    compiled chunk: one trainer. Noise, batch, task, optimiser or the number of phases do."""
    import simulate.training as training

    base = training._trainer_for(BASE)
    for same in (
        {"seed": 7},
        {"seeds": 3},
        {"steps": 40},
        {"eta0": 0.01},
        {"checkpoint_every": 20},
        {"g": 0.5},
    ):
        assert training._trainer_for(BASE.replace(**same)) is base, same
    two_phases = {"phases": ((10, "1/N"), (10, "none"))}  # the learning-rate table's length
    for other in ({"sigma": 0.9}, {"batch": 4}, {"optimizer": "adam"}, {"N": 8}, two_phases):
        assert training._trainer_for(BASE.replace(**other)) is not base, other


def test_the_trainer_cache_is_bounded_and_drops_the_oldest() -> None:
    import simulate.training as training

    saved = dict(training._TRAINERS)
    training._TRAINERS.clear()
    try:
        configs = [BASE.replace(sigma=0.01 * (i + 1)) for i in range(33)]
        first = training._trainer_for(configs[0])
        for cfg in configs[1:]:
            training._trainer_for(cfg)
        assert len(training._TRAINERS) == 32
        assert training._trainer_for(configs[-1]) is training._trainer_for(configs[-1])
        assert training._trainer_for(configs[0]) is not first  # dropped, built again
    finally:
        training._TRAINERS.clear()
        training._TRAINERS.update(saved)


def test_the_non_finite_error_names_the_first_seed_to_fail_and_the_checkpoint(tmp_path) -> None:
    """The seed whose first non-finite step is earliest (−1: never) is named, with its step;
    the remark on the checkpoint depends on whether one was written (t > 0) and on a
    run directory at all."""
    from types import SimpleNamespace

    from simulate.training import _raise_non_finite

    bad = np.array([-1, 5, 3, -1])
    head = (
        f"non-finite loss or parameters at training step 3 for seed index 2 (of "
        f"seeds={BASE.seeds}, base seed={BASE.seed}); lower the learning rate (eta0={BASE.eta0})"
    )
    rundir = SimpleNamespace(path=tmp_path)
    tails = [
        (None, 10, ""),
        (
            rundir,
            10,
            f"; the last good checkpoint (step 10) is kept in {tmp_path} (rerunning the same "
            "call resumes from it)",
        ),
        (
            rundir,
            1,
            f"; the last good checkpoint (step 1) is kept in {tmp_path} (rerunning the same "
            "call resumes from it)",
        ),
        (rundir, 0, "; no checkpoint was written yet (the failure is in the first chunk)"),
    ]
    for where, t, tail in tails:
        with pytest.raises(NonFiniteLossError) as err:
            _raise_non_finite(BASE, where, bad, t)
        assert str(err.value) == head + tail
        assert (err.value.step, err.value.seed_index) == (3, 2)
    # step 0 counts as bad (−1 is "never"), and it is the earliest
    with pytest.raises(NonFiniteLossError) as err:
        _raise_non_finite(BASE, None, np.array([4, -1, 0]), 0)
    assert (err.value.step, err.value.seed_index) == (0, 2)


# ---------------------------------------------------------------- records, term by term
def _record_batch(rng: np.random.Generator, B: int, T: int, C: int, n_out: int = 1):
    from types import SimpleNamespace

    mask = np.zeros((B, T, n_out), np.float32)
    mask[:, 2:] = 1.0  # window from t = 2
    return SimpleNamespace(
        sign=jnp.asarray(np.where(np.arange(B) % 2 == 0, 1.0, -1.0), jnp.float32),
        condition=jnp.asarray(np.arange(B) % C),
        mask=jnp.asarray(mask),
        inputs=jnp.asarray(rng.standard_normal((B, T, 1)), jnp.float32),
    )


def _flipped_window_mean(values: np.ndarray, sign: np.ndarray, start: int) -> np.ndarray:
    return (sign[:, None, None] * values)[:, start:].mean(axis=(0, 1))


def _np_rho(X: np.ndarray, w: np.ndarray) -> float:
    """ρ = ‖X w‖/(‖w‖‖X‖_F) of THEORY §1 for states X [..., N] stacked over leading axes."""
    X = X.reshape(-1, X.shape[-1])
    return float(np.linalg.norm(X @ w) / (np.linalg.norm(w) * np.linalg.norm(X)))


def _np_condition_means(values: np.ndarray, condition: np.ndarray, C: int) -> np.ndarray:
    return np.stack([values[condition == c].mean(0) for c in range(C)])


def test_low_rank_records_term_by_term() -> None:
    """κ̄ = window mean of the flipped latents, x̄ = U κ̄, ρ = |w_outᵀx̄|/(‖w_out‖‖x̄‖)."""
    from simulate.models import make_low_rank
    from simulate.training import _low_rank_records

    rng = np.random.default_rng(21)
    net = make_low_rank(jax.random.key(8), 12, M=jnp.asarray([[0.5, -1.0], [2.0, 0.25]]))
    batch = _record_batch(rng, 6, 5, 3)
    latents = rng.standard_normal((6, 5, 2)).astype(np.float32)
    rec = _low_rank_records(net, jnp.asarray(latents), batch)
    kbar = _flipped_window_mean(latents.astype(np.float64), np.asarray(batch.sign), 2)
    np.testing.assert_allclose(rec["kappa_bar"], kbar, rtol=1e-5, atol=1e-6)
    assert float(rec["kappa_norm"]) == pytest.approx(np.linalg.norm(kbar), rel=1e-5)
    x_bar = np.asarray(net.U, np.float64) @ kbar
    rho = _np_rho(x_bar[None, :], np.asarray(net.w_out[:, 0], np.float64))
    assert float(rec["rho"]) == pytest.approx(rho, rel=1e-4)
    np.testing.assert_array_equal(rec["M"], net.M)


def test_rate_and_gated_records_term_by_term() -> None:
    """‖ΔW‖, ‖Δw_out‖, the RMS norm and ρ of the condition means of the flipped states, the
    projection of ΔW on [w₁ w₂] of the initial network, and ‖x̄(model) − x̄(init)‖ of the
    noise-free window means — each against numpy on the same arrays."""
    from types import SimpleNamespace

    from simulate.dynamics import simulate as run_net
    from simulate.gated import make_gated_rnn
    from simulate.models import make_rate_rnn
    from simulate.training import _gated_records, _rate_basis, _rate_records

    rng = np.random.default_rng(22)
    B, T, C, N = 6, 5, 3, 10
    batch = _record_batch(rng, B, T, C)
    task = SimpleNamespace(n_conditions=C)
    init = make_rate_rnn(jax.random.key(9), N, n_in=1, n_out=1, g=0.8)
    dW = 0.1 * rng.standard_normal((N, N)).astype(np.float32)
    model = eqx.tree_at(lambda m: (m.W, m.w_out), init, (init.W + dW, init.w_out * 1.5))
    x = rng.standard_normal((B, T, N)).astype(np.float32)
    config = SimpleNamespace(dt=0.1)  # not simulate's default 0.2: the dt must reach it
    rec = _rate_records(model, init, jnp.asarray(x), batch, task, config, jax.random.key(1))

    sign, cond = np.asarray(batch.sign, np.float64), np.asarray(batch.condition)
    flipped = sign[:, None, None] * x
    x_c = _np_condition_means(flipped, cond, C)  # [C, T, N]
    expected = {
        "dW_norm": np.linalg.norm(dW),
        "dw_out_norm": 0.5 * np.linalg.norm(np.asarray(init.w_out)),
        "x_norm": np.linalg.norm(x_c) / np.sqrt(C * T),
        "rho": _np_rho(x_c, np.asarray(model.w_out[:, 0], np.float64)),
    }
    for k, v in expected.items():
        assert float(rec[k]) == pytest.approx(v, rel=1e-4), k
    basis = np.asarray(_rate_basis(init), np.float64)
    np.testing.assert_allclose(rec["M_proj"], basis.T @ dW @ basis, rtol=1e-4, atol=1e-6)
    clean = [
        _flipped_window_mean(
            np.asarray(
                run_net(m, batch.inputs, key=jax.random.key(0), sigma=0.0, dt=0.1).x, np.float64
            ),
            sign,
            2,
        )
        for m in (model, init)
    ]
    assert float(rec["dx_bar_norm"]) == pytest.approx(np.linalg.norm(clean[0] - clean[1]), rel=1e-4)

    gi = make_gated_rnn(jax.random.key(10), 4, arch="gru", n_in=1, n_out=1)
    gm = eqx.tree_at(lambda m: m.W_h, gi, gi.W_h * 1.1)
    xs = rng.standard_normal((B, T, gi.N)).astype(np.float32)
    grec = _gated_records(gm, gi, jnp.asarray(xs), batch, task)
    h = sign[:, None, None] * xs[..., : gi.units]
    h_c = _np_condition_means(h, cond, C)
    gexp = {
        "dW_norm": 0.1 * np.linalg.norm(np.asarray(gi.W_h, np.float64)),
        "dw_out_norm": 0.0,
        "x_norm": np.linalg.norm(h_c) / np.sqrt(C * T),
        "rho": _np_rho(h_c, np.asarray(gm.w_out[:, 0], np.float64)),
    }
    for k, v in gexp.items():
        assert float(grec[k]) == pytest.approx(v, rel=1e-4, abs=1e-7), k
