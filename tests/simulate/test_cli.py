"""``oblique train`` (simulate._cli) under faults and bad input: every refusal before any
output, one line on stderr, the documented exit code (validate.cli.EXIT_CODES), nothing
lost. Tiny configurations (N=16, 20 steps); the compilation is shared with test_runs.py."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from validate.cli import main

REPO = Path(__file__).resolve().parents[2]
TINY = [
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
    "--quiet",
]


def _one_error_line(err: str, code_prefix: str = "oblique train: error: ") -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(code_prefix) and "Traceback" not in err
    return lines[0]


def test_a_sweep_into_a_single_run_is_refused_before_any_output(tmp_path, capsys) -> None:
    run = tmp_path / "R1"
    assert main(["train", *TINY, "--out", str(run)]) == 0
    capsys.readouterr()
    before = sorted(p.name for p in run.iterdir())
    assert main(["train", *TINY[:0], "--N", "16", "32", *TINY[2:], "--out", str(run)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no "gd_scaling N=[16, 32] → R1" before the refusal
    assert "holds a single run" in _one_error_line(err)
    assert sorted(p.name for p in run.iterdir()) == before  # no R1/N16 nested inside


def test_a_diverged_run_says_how_to_restart_and_restart_works(tmp_path, capsys) -> None:
    run = tmp_path / "R"
    assert main(["train", *TINY, "--eta0", "1e8", "--out", str(run)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "non-finite loss" in line and "--restart" in line
    assert main(["train", *TINY, "--out", str(run)]) == 2  # a sane rate: refused, with a way out
    out, err = capsys.readouterr()
    assert out == "" and "failed run with a different config" in _one_error_line(err)
    assert "--restart" in err
    assert main(["train", *TINY, "--out", str(run), "--restart"]) == 0
    assert (run / "run.json").exists() and len(list((run / ".archive").iterdir())) == 1


_HOLD = """
import sys, time
from simulate.config import TrainConfig
from simulate.runs import RunDirectory
rd = RunDirectory(sys.argv[1], TrainConfig.preset("gd_scaling", N=16, seeds=2, steps=20,
                  record_every=2, checkpoint_every=10))
print("locked", flush=True)
time.sleep(120)
"""


def test_a_locked_run_directory_is_exit_3_naming_the_holder(tmp_path, capsys) -> None:
    run = tmp_path / "R"
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(run)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
        assert main(["train", *TINY, "--out", str(run)]) == 3
        line = _one_error_line(capsys.readouterr().err)
        assert f"in use by process {proc.pid} " in line
    finally:
        proc.kill()
        proc.wait()


def test_a_full_disk_is_exit_3_and_keeps_what_was_written(tmp_path) -> None:
    """A file-size limit of 2 kB (EFBIG, as ENOSPC): config.json (≈1 kB) is written, the
    first array file is not; exit 3, one line, no temporary files left."""
    run = tmp_path / "R"
    cmd = " ".join(
        shlex.quote(a)
        for a in [sys.executable, "-m", "validate", "train", *TINY, "--out", str(run)]
    )
    res = subprocess.run(
        ["bash", "-c", f"ulimit -f 2 && exec {cmd}"],  # 2 × 1024 bytes
        cwd=REPO,
        capture_output=True,
        text=True,
        env=dict(os.environ, MPLBACKEND="Agg"),
    )
    assert res.returncode == 3, res.stderr
    line = _one_error_line(res.stderr)
    assert "File too large" in line
    assert (run / "config.json").exists()
    assert not [p for p in run.iterdir() if p.name.endswith(".tmp")]
    # with room again, the same command finishes the run
    assert main(["train", *TINY, "--out", str(run)]) == 0
    assert (run / "run.json").exists()


def test_an_unwritable_out_is_exit_3(tmp_path, capsys) -> None:
    (tmp_path / "afile").write_text("keep")
    assert main(["train", *TINY, "--out", str(tmp_path / "afile" / "run")]) == 3
    line = _one_error_line(capsys.readouterr().err)
    assert "afile" in line
    assert (tmp_path / "afile").read_text() == "keep"
