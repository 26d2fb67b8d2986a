"""Run directories (simulate.runs): atomic writes, load, refusal of a foreign directory,
kill-and-resume bit-identity (SIGKILL'ed subprocess), re-running from the stored config.

The configuration has the structure of tests/simulate/test_training.py's (one compilation shared
when both files run in one session)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from simulate.config import TrainConfig
from simulate.runs import RunDirectory, atomic_write_bytes, flatten_tree, load
from simulate.training import LOW_RANK_RECORDS, train

BASE = TrainConfig.preset("gd_scaling", N=16, seeds=2, steps=20, record_every=2,
                          checkpoint_every=10)
REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- kill-and-resume child
KILL_CFG = BASE.replace(steps=300)  # 30 chunks: the child is killed well before the end
_CHILD = """
import sys
from simulate.config import TrainConfig
from simulate.training import train
train(TrainConfig.from_json(open(sys.argv[1]).read()), sys.argv[2], progress=False)
"""


@pytest.fixture(scope="module")
def child(tmp_path_factory):
    """A subprocess training KILL_CFG into ``<tmp>/killed``, SIGKILLed by a watcher thread
    as soon as its first checkpoint is on disk. Started before anything else in this module
    so that its JAX compilation overlaps with this process's (2 cores)."""
    tmp = tmp_path_factory.mktemp("kill")
    (tmp / "cfg.json").write_text(KILL_CFG.to_json())
    killed = tmp / "killed"
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp / "cfg.json"), str(killed)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    state: dict[str, object] = {"proc": proc, "dir": killed, "tmp": tmp}

    def watch() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if (killed / "checkpoint.npz").exists():
                os.kill(proc.pid, signal.SIGKILL)
                state["killed"] = True
                return
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    state["watcher"] = watcher
    yield state
    if proc.poll() is None:  # the test did not run to the end: do not leave it behind
        proc.kill()
    proc.wait()


@pytest.fixture(scope="module")
def finished(tmp_path_factory, child):
    path = tmp_path_factory.mktemp("runs") / "run"
    return path, train(BASE, path, progress=False)


# ---------------------------------------------------------------- atomic writes
def test_atomic_write_keeps_old_file_on_failure(tmp_path) -> None:
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, lambda fh: fh.write(b"old"))

    def broken(fh):
        fh.write(b"partial new content")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write_bytes(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temp file left


# ---------------------------------------------------------------- finished runs
def test_directory_layout_and_load(finished) -> None:
    path, run = finished
    names = {p.name for p in path.iterdir()}
    assert names == {"config.json", "params_init.npz", "params_final.npz", "records.npz",
                     "evaluation.npz", "run.json"}  # checkpoint removed when finished
    assert TrainConfig.from_json((path / "config.json").read_text()) == BASE
    info = json.loads((path / "run.json").read_text())
    assert info["steps"] == BASE.steps

    loaded = load(path)
    assert loaded.config == BASE and loaded.path == path
    np.testing.assert_array_equal(loaded.steps, run.steps)
    assert set(loaded.records) == set(LOW_RANK_RECORDS)
    for k, v in run.records.items():
        np.testing.assert_array_equal(loaded.records[k], v, err_msg=k)
    for which in ("params", "init_params"):
        a, b = flatten_tree(getattr(loaded, which)), flatten_tree(getattr(run, which))
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k], err_msg=f"{which}.{k}")
    for k, v in run.evaluation.items():
        np.testing.assert_array_equal(loaded.evaluation[k], v, err_msg=k)
    # per-seed access
    assert np.asarray(loaded.model(1).M).shape == (2, 2)
    np.testing.assert_array_equal(loaded.final("loss"), run.records["loss"][:, -1])
    with pytest.raises(ValueError, match="seed_index"):
        loaded.model(2)
    # train() on a finished directory loads it instead of training again
    again = train(BASE, path, progress=False)
    assert again.info == loaded.info


def test_rerun_from_stored_config_is_identical(finished) -> None:
    path, run = finished
    cfg = TrainConfig.from_json((path / "config.json").read_text())
    rerun = train(cfg, None, progress=False)
    for k in LOW_RANK_RECORDS:
        np.testing.assert_array_equal(rerun.records[k], run.records[k], err_msg=k)


def test_load_refuses_non_runs(tmp_path) -> None:
    with pytest.raises(ValueError, match="not a run directory"):
        load(tmp_path)
    RunDirectory(tmp_path / "unfinished", BASE)  # claims the directory: config.json only
    with pytest.raises(ValueError, match="unfinished run"):
        load(tmp_path / "unfinished")


# ---------------------------------------------------------------- foreign directories
def test_reusing_directory_with_other_config_is_refused(finished) -> None:
    path, _ = finished
    before = {p.name: p.stat().st_mtime_ns for p in path.iterdir()}
    with pytest.raises(ValueError, match=r"different config .*seed: 0 \(stored\) vs 7"):
        train(BASE.replace(seed=7), path, progress=False)
    with pytest.raises(ValueError, match="different config"):
        RunDirectory(path, BASE.replace(N=32))
    assert {p.name: p.stat().st_mtime_ns for p in path.iterdir()} == before  # untouched


def test_non_empty_directory_without_config_is_refused(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        RunDirectory(tmp_path, BASE)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    # a directory holding only a torn temp file (killed while writing config.json) is ours
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / ".config.json.abc.tmp").write_text("{tor")
    RunDirectory(fresh, BASE)
    assert [p.name for p in fresh.iterdir()] == ["config.json"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        RunDirectory(tmp_path / "file", BASE)


# ---------------------------------------------------------------- kill and resume
def test_sigkill_then_resume_is_bit_identical(child) -> None:
    """A training subprocess SIGKILLed once its first checkpoint exists (fixture ``child``);
    the same call run again resumes, and final parameters, records and evaluation equal
    (bit for bit) those of an uninterrupted run on the same machine."""
    cfg, killed, proc = KILL_CFG, child["dir"], child["proc"]
    reference = train(cfg, child["tmp"] / "reference", progress=False)
    child["watcher"].join()
    proc.wait(timeout=60)
    assert child.get("killed"), f"child was not killed: {proc.stderr.read().decode()[-2000:]}"
    assert proc.returncode == -signal.SIGKILL
    assert not (killed / "run.json").exists()
    with np.load(killed / "checkpoint.npz") as z:
        step = int(z["step"])
    assert 0 < step < cfg.steps and step % cfg.checkpoint_every == 0

    (killed / ".checkpoint.npz.torn.tmp").write_bytes(b"PK\x03")  # as if killed mid-write
    resumed = train(cfg, killed, progress=False)
    assert not (killed / ".checkpoint.npz.torn.tmp").exists()
    assert resumed.path == killed and (killed / "run.json").exists()
    assert not (killed / "checkpoint.npz").exists()
    np.testing.assert_array_equal(resumed.steps, reference.steps)
    for k in LOW_RANK_RECORDS:
        np.testing.assert_array_equal(resumed.records[k], reference.records[k], err_msg=k)
    a, b = flatten_tree(resumed.params), flatten_tree(reference.params)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    for k, v in reference.evaluation.items():
        np.testing.assert_array_equal(resumed.evaluation[k], v, err_msg=k)
    # and what is on disk is the same as what was returned
    np.testing.assert_array_equal(load(killed).records["M"], reference.records["M"])
