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
from simulate.runs import (
    NonFiniteLossError,
    RunDirectory,
    RunFileError,
    RunLockedError,
    atomic_write_bytes,
    flatten_tree,
    load,
)
from simulate.training import LOW_RANK_RECORDS, train

BASE = TrainConfig.preset(
    "gd_scaling", N=16, seeds=2, steps=20, record_every=2, checkpoint_every=10
)
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
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp / "cfg.json"), str(killed)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
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
    names = {p.name for p in path.iterdir() if not p.name.startswith(".")}
    assert names == {
        "config.json",
        "params_init.npz",
        "params_final.npz",
        "records.npz",
        "evaluation.npz",
        "run.json",
    }  # checkpoints removed when finished
    # the lock file may stay (released); the owner record goes with the lock
    assert {p.name for p in path.iterdir() if p.name.startswith(".")} <= {".lock"}
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
    # a concise repr: one line, headline numbers, no arrays
    text = repr(loaded)
    assert "\n" not in text and len(text) < 400 and "N=16" in text and "seeds=2" in text
    assert f"final loss mean {np.mean(run.records['loss'][:, -1]):.4g}" in text
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
    assert [p.name for p in fresh.iterdir() if p.name != ".lock"] == ["config.json"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        RunDirectory(tmp_path / "file", BASE)


# ---------------------------------------------------------------- kill and resume
@pytest.mark.filterwarnings("ignore:.*took over the lock:RuntimeWarning")
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


# ---------------------------------------------------------------- kill at random moments
#: SIGKILLs at random moments (seeded): 3 in CI, OBLIQUE_KILLS=50 for a thorough run.
N_KILLS = int(os.environ.get("OBLIQUE_KILLS", "3"))
RANDOM_KILL_CFG = BASE.replace(steps=1000)  # 100 checkpoints, about 1 s of training here


@pytest.mark.filterwarnings("ignore:.*took over the lock:RuntimeWarning")
def test_sigkill_at_random_moments_then_resume_is_bit_identical(tmp_path) -> None:
    """The same training call, SIGKILLed at N_KILLS random moments (a uniform delay of up
    to 1.2 s after the child's first checkpoint appears: mid-chunk, mid-write, or after
    the end), run again each time; the run finally completed equals, bit for bit, an
    uninterrupted run."""
    cfg = RANDOM_KILL_CFG
    (tmp_path / "cfg.json").write_text(cfg.to_json())
    killed = tmp_path / "killed"
    rng = np.random.default_rng(20261206)
    outcomes = []
    for delay in rng.uniform(0.0, 1.2, N_KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(tmp_path / "cfg.json"), str(killed)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 300
        while (
            proc.poll() is None
            and time.monotonic() < deadline
            and not (killed / "checkpoint.npz").exists()
            and not (killed / "run.json").exists()
        ):
            time.sleep(0.002)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode in (0, -signal.SIGKILL), proc.stderr.read().decode()[-2000:]
        outcomes.append(proc.returncode)
    assert -signal.SIGKILL in outcomes  # at least one kill landed before the end
    resumed = train(cfg, killed, progress=False)
    reference = train(cfg, None, progress=False)
    for k in LOW_RANK_RECORDS:
        np.testing.assert_array_equal(resumed.records[k], reference.records[k], err_msg=k)
    a, b = flatten_tree(resumed.params), flatten_tree(reference.params)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    for k, v in reference.evaluation.items():
        np.testing.assert_array_equal(resumed.evaluation[k], v, err_msg=k)


# ---------------------------------------------------------------- checksums and fallback
def _copy_run(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock", ".owner.json"))
    return dst


def test_every_array_file_is_checksummed_and_verified(finished, tmp_path) -> None:
    path = _copy_run(finished[0], tmp_path / "run")
    for name in ("params_init.npz", "params_final.npz", "records.npz", "evaluation.npz"):
        with np.load(path / name) as z:
            assert "__sha256__" in z.files, name
    # a changed array under the old checksum (a zip that is itself intact)
    with np.load(path / "records.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["loss"] = arrays["loss"] * 1.5
    np.savez(path / "records.npz", **arrays)
    with pytest.raises(RunFileError, match=r"records\.npz fails its SHA-256 checksum"):
        load(path)
    # a truncated file
    data = (path / "params_final.npz").read_bytes()
    (path / "params_final.npz").write_bytes(data[: len(data) // 2])
    _copy_run(finished[0], tmp_path / "fresh")  # records.npz intact there; truncate params
    (tmp_path / "fresh" / "params_final.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(RunFileError, match=r"params_final\.npz is .*(truncated|corrupt)"):
        load(tmp_path / "fresh")


def test_a_pickled_object_array_is_refused_on_load(finished, tmp_path) -> None:
    path = _copy_run(finished[0], tmp_path / "run")
    np.savez(path / "evaluation.npz", bad=np.array([{"x": 1}], dtype=object))
    with pytest.raises(RunFileError, match=r"evaluation\.npz holds a pickled object array"):
        load(path)


class _StopBeforeFinishing(Exception):
    pass


def test_a_corrupt_checkpoint_falls_back_to_the_previous_one(tmp_path, monkeypatch) -> None:
    """Checkpoints at steps 10 and 20 of 30: truncating the newest makes the run resume
    from step 10 (with a warning naming the file) and end bit-identical; both bad → a
    RunFileError naming both, and nothing is trained from a corrupt state."""
    cfg = BASE.replace(steps=30)
    path = tmp_path / "run"

    def stop(self, run):
        raise _StopBeforeFinishing

    with monkeypatch.context() as m:
        m.setattr(RunDirectory, "save_finished", stop)
        with pytest.raises(_StopBeforeFinishing):
            train(cfg, path, progress=False)
    with np.load(path / "checkpoint.npz") as z, np.load(path / "checkpoint.prev.npz") as y:
        assert (int(z["step"]), int(y["step"])) == (20, 10)
    both = {n: (path / n).read_bytes() for n in ("checkpoint.npz", "checkpoint.prev.npz")}

    data = both["checkpoint.npz"]
    (path / "checkpoint.npz").write_bytes(data[: len(data) // 3])
    with pytest.warns(RuntimeWarning, match=r"checkpoint\.npz is .*fell back"):
        resumed = train(cfg, path, progress=False)
    reference = train(cfg, None, progress=False)
    for k in LOW_RANK_RECORDS:
        np.testing.assert_array_equal(resumed.records[k], reference.records[k], err_msg=k)

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text(cfg.to_json())
    (bad / "checkpoint.npz").write_bytes(both["checkpoint.npz"][:100])
    (bad / "checkpoint.prev.npz").write_bytes(b"not a zip at all")
    with (
        pytest.warns(RuntimeWarning),
        pytest.raises(
            RunFileError, match=r"no usable checkpoint.*checkpoint\.npz.*checkpoint\.prev\.npz"
        ),
    ):
        train(cfg, bad, progress=False)
    assert not (bad / "run.json").exists() and not (bad / "params_final.npz").exists()


# ---------------------------------------------------------------- a full disk
def test_a_write_beyond_the_file_size_limit_keeps_the_old_file(tmp_path) -> None:
    """EFBIG (as ENOSPC, a full disk) during a write: OSError, the previous content intact,
    no temporary file left. CPython ignores SIGXFSZ, so the write fails instead of the
    process being killed."""
    import errno
    import resource

    target = tmp_path / "f.npz"
    atomic_write_bytes(target, lambda fh: fh.write(b"old"))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, hard))
    try:
        with pytest.raises(OSError) as info:
            atomic_write_bytes(target, lambda fh: fh.write(b"x" * (1 << 20)))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert info.value.errno == errno.EFBIG
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.npz"]


# ---------------------------------------------------------------- one writer at a time
_HOLD = """
import os, signal, sys, time
from simulate.config import TrainConfig
from simulate.runs import RunDirectory
rd = RunDirectory(sys.argv[2], TrainConfig.from_json(open(sys.argv[1]).read()))
print("locked", flush=True)
if sys.argv[3] == "die":
    os.kill(os.getpid(), signal.SIGKILL)
time.sleep(120)
"""


def _holder(tmp_path: Path, path: Path, mode: str) -> subprocess.Popen:
    (tmp_path / "base.json").write_text(BASE.to_json())
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path / "base.json"), str(path), mode],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if mode == "hold":
        assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
    return proc


def test_a_second_writer_is_refused_naming_the_holder(tmp_path) -> None:
    path = tmp_path / "run"
    proc = _holder(tmp_path, path, "hold")
    try:
        with pytest.raises(RunLockedError, match=rf"in use by process {proc.pid} "):
            train(BASE, path, progress=False)
    finally:
        proc.kill()
        proc.wait()


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path) -> None:
    path = tmp_path / "run"
    proc = _holder(tmp_path, path, "die")
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert (path / ".owner.json").exists()  # it never released the lock
    with pytest.warns(RuntimeWarning, match=rf"took over the lock of process {proc.pid}"):
        with RunDirectory(path, BASE) as rd:
            assert rd.took_over["pid"] == proc.pid
    assert not (path / ".owner.json").exists()


# ---------------------------------------------------------------- failed runs, restart, sweeps
def test_a_failed_run_is_restarted_only_on_request(tmp_path) -> None:
    path = tmp_path / "run"
    with pytest.raises(NonFiniteLossError):
        train(BASE.replace(eta0=1e8), path, progress=False)
    failed = json.loads((path / "failed.json").read_text())
    assert failed["step"] >= 0 and "non-finite" in failed["message"]
    with pytest.raises(
        ValueError,
        match=r"holds a failed run with a different config "
        r"\(eta0: .*--restart",
    ):
        train(BASE, path, progress=False)
    run = train(BASE, path, progress=False, restart=True)
    assert (path / "run.json").exists() and not (path / "failed.json").exists()
    archived = list((path / ".archive").iterdir())
    assert len(archived) == 1
    assert TrainConfig.from_json((archived[0] / "config.json").read_text()).eta0 == 1e8
    assert (archived[0] / "failed.json").exists()
    assert load(path).config == BASE and run.config == BASE
    # a finished run is never archived
    with pytest.raises(ValueError, match="finished run; restart only archives unfinished"):
        train(BASE.replace(seed=3), path, progress=False, restart=True)
    # and the refusal of another config on a finished run does not suggest restarting
    with pytest.raises(ValueError, match=r"different config .*use another directory$"):
        train(BASE.replace(seed=3), path, progress=False)


def test_a_sweep_into_a_single_run_is_refused(finished) -> None:
    from simulate.training import sweep

    path, _ = finished
    with pytest.raises(ValueError, match=r"holds a single run \(config\.json\); a sweep"):
        sweep(BASE, [16, 32], path, progress=False)
    assert not (path / "N16").exists()


# ---------------------------------------------------------------- run identity
def test_an_edited_config_or_a_swapped_file_is_refused_on_load(finished, tmp_path) -> None:
    path = _copy_run(finished[0], tmp_path / "run")
    info = json.loads((path / "run.json").read_text())
    assert info["config"] == BASE.to_dict()
    assert set(info["files"]) == {
        "params_init.npz",
        "params_final.npz",
        "records.npz",
        "evaluation.npz",
    }
    (path / "config.json").write_text(BASE.replace(seed=7).to_json())
    with pytest.raises(
        RunFileError,
        match=r"edited after training \(seed: 0 \(trained\) "
        r"vs 7 \(config\.json\)\)",
    ):
        load(path)
    with pytest.raises(RunFileError, match="edited after training"):  # train() loads it too
        train(BASE.replace(seed=7), path, progress=False)

    other = train(BASE.replace(seed=5), tmp_path / "other", progress=False).path
    swapped = _copy_run(finished[0], tmp_path / "swapped")
    import shutil

    shutil.copy(other / "params_final.npz", swapped / "params_final.npz")  # a valid file
    with pytest.raises(
        RunFileError,
        match=r"params_final\.npz is not the file this run "
        "wrote",
    ):
        load(swapped)


def test_loading_a_finished_run_writes_nothing(finished) -> None:
    path, _ = finished
    before = {p.name: p.stat().st_mtime_ns for p in path.iterdir()}
    train(BASE, path, progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in path.iterdir()} == before
