"""Every sub-command fails with one line and an exit code that means one thing (issue 14)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from validate.cli import EXIT_CODES, build_parser, main

REPO = Path(__file__).resolve().parents[3]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "validate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ, MPLBACKEND="Agg"),
    )


@pytest.mark.parametrize("out", ["afile.txt", "afile.txt/sub"])
def test_an_unwritable_out_is_exit_3_with_one_line(tmp_path: Path, out: str) -> None:
    """An existing file, or a path through one (works as root too, unlike chmod 555)."""
    (tmp_path / "afile.txt").write_text("keep me")
    res = _run(
        [
            "validate",
            "--only",
            "static",
            "--quiet",
            "--out",
            str(tmp_path / out),
            "--runs",
            str(tmp_path / "runs"),
        ],
        cwd=REPO,
    )
    assert res.returncode == 3, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("oblique validate: error: ")
    assert "Traceback" not in res.stderr and "afile.txt" in lines[0]
    assert (tmp_path / "afile.txt").read_text() == "keep me"


def test_negative_numbers_in_scientific_notation_are_values() -> None:
    args = build_parser().parse_args(
        ["predict", "--lambda-minus", "-1e-3", "--lambda-plus", "2.0", "2.5e0"]
    )
    assert float(args.lambda_minus) == pytest.approx(-1e-3)  # parsed as a value, not an option
    with pytest.raises(SystemExit):
        build_parser().parse_args(["predict", "--lambda-minus", "-x"])


def _fake(exc: BaseException):
    def handler(args):
        raise exc

    return handler


@pytest.mark.parametrize(
    "exc, code",
    [
        (KeyboardInterrupt(), 130),
        (PermissionError(13, "Permission denied", "/ro/run"), 3),
        (OSError(28, "No space left on device", "/full/x.npz"), 3),
        (ValueError("N=3 is not allowed; allowed: an integer >= 8"), 2),
        (RuntimeError("a bug"), 4),
    ],
)
def test_exit_codes_mean_one_thing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: BaseException,
    code: int,
) -> None:
    import validate.commands.validate as command

    monkeypatch.setattr(command, "_validate_handler", _fake(exc))
    assert main(["validate", "--quiet"]) == code
    err = capsys.readouterr().err
    assert err.startswith("oblique validate: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert code in EXIT_CODES


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import validate.commands.validate as command

    monkeypatch.setattr(command, "_validate_handler", _fake(RuntimeError("a bug")))
    with pytest.raises(RuntimeError, match="a bug"):
        main(["--debug", "validate"])


def test_exit_codes_are_in_the_help() -> None:
    text = build_parser().format_help()
    assert all(f"{k} " in text for k in EXIT_CODES)


def test_run_files_get_the_umask_permissions(tmp_path: Path) -> None:
    from simulate.runs import atomic_write_bytes

    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.bin", lambda fh: fh.write(b"x"))
        os.umask(0o077)
        atomic_write_bytes(tmp_path / "b.bin", lambda fh: fh.write(b"x"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.bin").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "argv, names",
    [
        (["predict", "--lambda-plus", "1e300"], "lambda_plus=1e+300"),
        (
            ["predict", "--lambda-minus=-1e-12"],
            "lambda_minus=-1e-12 is out of range: lambda_minus must be negative enough",
        ),
        (["train", "--sigma", "-1"], "sigma=-1.0 is not allowed; allowed: a finite number >= 0"),
    ],
)
def test_each_range_error_names_the_parameter_that_is_out_of_range(
    argv: list[str], names: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: λ₊ = 1e300 used to blame nonlinearity='erf', λ₋ = −1e-12 said "must be < 0",
    and a negative σ first suggested giving eta0= and steps=."""
    status = main(argv + (["--out", str(tmp_path / "run")] if argv[0] == "train" else []))
    err = capsys.readouterr().err
    assert status == 2 and names in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()
