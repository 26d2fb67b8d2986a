"""Tests of simulate.executors: in-process and Dask (local cluster on loopback) give the same
runs, and an interrupted sweep resumes."""

from __future__ import annotations

import numpy as np
import pytest

import simulate
from simulate.executors import run_configs


def _jobs(root):
    base = dict(
        task="fixed_point",
        N=8,
        steps=4,
        seeds=2,
        record_every=2,
        checkpoint_every=2,
        task_overrides={"t_max": 4.0},
        batch=4,
    )
    return [(simulate.TrainConfig(seed=s, **base), root / f"run{s}") for s in (0, 1)]


def test_dask_local_cluster_matches_in_process(tmp_path):
    pytest.importorskip("distributed")
    here = run_configs(_jobs(tmp_path / "here"), progress=False)
    there = run_configs(_jobs(tmp_path / "dask"), executor="dask", n_workers=1, progress=False)
    for a, b in zip(here, there, strict=True):
        ra, rb = simulate.load(a), simulate.load(b)
        np.testing.assert_array_equal(np.asarray(ra.params.M), np.asarray(rb.params.M))
        np.testing.assert_array_equal(ra.records["loss"], rb.records["loss"])


def test_finished_runs_are_not_trained_again(tmp_path):
    jobs = _jobs(tmp_path)
    run_configs(jobs[:1], progress=False)  # "interrupted" after the first configuration
    stamp = (tmp_path / "run0").stat().st_mtime_ns
    files = {p: p.stat().st_mtime_ns for p in (tmp_path / "run0").rglob("*")}
    run_configs(jobs, progress=False)
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "run0").rglob("*")} == files
    assert (tmp_path / "run0").stat().st_mtime_ns == stamp
    assert simulate.load(tmp_path / "run1").config.seed == 1


def test_bad_jobs_are_refused(tmp_path):
    cfg = _jobs(tmp_path)[0][0]
    with pytest.raises(ValueError, match="executor="):
        run_configs([(cfg, tmp_path / "a")], executor="ray")
    with pytest.raises(ValueError, match="duplicate"):
        run_configs([(cfg, tmp_path / "a"), (cfg, tmp_path / "a")])
    with pytest.raises(ValueError, match="TrainConfig"):
        run_configs([({"task": "fixed_point"}, tmp_path / "a")])


def test_a_diverging_configuration_is_collected_not_fatal(tmp_path):
    good, _ = _jobs(tmp_path)[0]
    # a linear rate network trained by SGD at η = 10⁸: W and the state overflow at once
    bad = simulate.TrainConfig(
        task="linear_constant",
        model="rate",
        nonlinearity="linear",
        N=8,
        g=0.0,
        eta0=1e8,
        steps=4,
        seeds=1,
        batch=4,
        checkpoint_every=4,
        task_overrides={"t_max": 4.0, "t_target": 2.0},
    )
    out = run_configs(
        [(bad, tmp_path / "bad"), (good, tmp_path / "good")], progress=False, on_error="collect"
    )
    assert isinstance(out[0], simulate.NonFiniteLossError)
    assert out[1] == tmp_path / "good" and simulate.load(out[1]).config.seed == 0
    with pytest.raises(simulate.NonFiniteLossError):
        run_configs([(bad, tmp_path / "bad2")], progress=False)


def test_a_sweep_survives_a_sigkilled_dask_worker(tmp_path):
    """A local cluster on loopback (2 worker processes with nannies), two 1000-step jobs;
    once a checkpoint is on disk, one worker is SIGKILLed. Dask reschedules its job, which
    resumes from the checkpoint (taking over the dead worker's run-directory lock), and
    both runs end bit-identical to in-process training. Bounded: 240 s."""
    distributed = pytest.importorskip("distributed")
    import os
    import signal
    import threading
    import time

    base = dict(
        task="fixed_point",
        N=16,
        steps=1000,
        seeds=2,
        record_every=10,
        checkpoint_every=10,
        task_overrides={"t_max": 4.0},
        batch=4,
    )
    jobs = [(simulate.TrainConfig(seed=s, **base), tmp_path / f"run{s}") for s in (0, 1)]
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    state: dict[str, object] = {}
    try:
        with distributed.Client(cluster.scheduler_address) as client:
            pids = sorted(client.run(os.getpid).values())

        def killer() -> None:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                if any((p / "checkpoint.npz").exists() for _, p in jobs):
                    state["unfinished"] = [not (p / "run.json").exists() for _, p in jobs]
                    os.kill(pids[0], signal.SIGKILL)
                    state["killed"] = pids[0]
                    return
                time.sleep(0.005)

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        results = run_configs(
            jobs, executor="dask", address=cluster.scheduler_address, progress=False
        )
        thread.join(timeout=5)
    finally:
        cluster.close()
    assert state.get("killed") and any(state["unfinished"]), state
    for (cfg, _), path in zip(jobs, results, strict=True):
        stored, fresh = simulate.load(path), simulate.train(cfg, None, progress=False)
        np.testing.assert_array_equal(np.asarray(stored.params.M), np.asarray(fresh.params.M))
        np.testing.assert_array_equal(stored.records["loss"], fresh.records["loss"])


def test_a_job_directory_holding_another_config_is_refused(tmp_path):
    """run_configs never returns a run of another configuration as a job's run."""
    jobs = _jobs(tmp_path)
    run_configs(jobs[:1], progress=False)
    swapped = [(jobs[1][0], jobs[0][1])]  # seed 1's config, seed 0's finished directory
    with pytest.raises(ValueError, match=r"different config \(seed: 0 \(stored\) vs 1"):
        run_configs(swapped, progress=False)
    (err,) = run_configs(swapped, progress=False, on_error="collect")
    assert isinstance(err, ValueError)
