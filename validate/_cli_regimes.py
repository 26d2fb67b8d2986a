r"""``oblique regimes``: the aligned-vs-oblique experiment of issue 6 on the command line.

Registered through :func:`register` (``validate.cli`` lists this module in its
``_COMMAND_MODULES``). Registration is cheap (argparse only); the handler imports the
experiment (and through it JAX) when it runs.

``oblique regimes [--task T[,T…]] [--full] [--out DIR] [--runs DIR] [--quiet]``
trains both regimes of every task (:mod:`validate.regimes`; quick CPU settings by default,
Table 1 with ``--full``), computes the measures and the claims of issue 6 and writes
``report.md``, ``report.html``, ``report.json`` and the PNG figures into ``--out``
(:func:`validate.report.write_report`). Trained networks live under ``--runs/regimes/``
(resumable run directories: finished runs are loaded, interrupted ones resume). Without
``--task`` the report also holds the simple-sine solutions and the ρ-vs-N sections of
:mod:`validate.regimes_sine` / :mod:`validate.regimes_scaling` when those modules are
importable. Prints the claims table (and the rows of the other sections) and the report
path; exit status 1 when a claim fails (``n/a`` claims are not failures) or a comparison
row of another section fails, 0 otherwise. The hidden flag ``--quick-tiny`` shrinks
everything to a smoke-test size (tests only; its numbers are not meaningful).
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import _cli

__all__ = ["EXTRA_SECTIONS", "parse_tasks", "register", "run_regimes_report"]

#: Sections of other modules added to the full report when importable:
#: (module, function), each ``f(mode, runs_dir, out_dir, log, progress) -> Section``.
EXTRA_SECTIONS: tuple[tuple[str, str], ...] = (
    ("validate.regimes_sine", "sine_solutions_section"),
    ("validate.regimes_scaling", "rho_scaling_section"),
)


def _task_names() -> tuple[str, ...]:
    # kept in sync with validate.regimes.REGIME_TASKS by tests/test_regimes.py; duplicated
    # here so that argparse registration does not import numpy
    return ("cycling", "flip_flop", "mante", "romo", "complex_sine")


def parse_tasks(text: str) -> tuple[str, ...]:
    """``--task``: one task or a comma-separated list of the five Table 1 tasks."""
    names = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    allowed = _task_names()
    bad = [n for n in names if n not in allowed]
    if not names or bad:
        raise argparse.ArgumentTypeError(
            f"--task={text!r} is not allowed; allowed: one or a comma-separated list of "
            f"{', '.join(allowed)}"
        )
    return names


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``regimes`` to ``subparsers`` (no ``plot`` target: the figures come with the
    report)."""
    del plot_targets
    p = subparsers.add_parser(
        "regimes",
        help="train aligned and oblique networks on the Table 1 tasks and test the claims",
        description=(
            "Train networks with small (aligned) and large (oblique) output weights on the "
            "cycling, flip-flop, Mante, Romo and complex-sine tasks (THEORY §6), measure ρ, "
            "norms, dimensions, dissimilarity, kick susceptibility and noise compression, "
            "test the claims of the paper and write report.md/.html/.json with figures. "
            "Stored runs are reused; exit status 1 if a claim fails."
        ),
    )
    p.add_argument("--task", type=parse_tasks, default=None, metavar="T",
                   help="only these tasks (comma-separated; default: all five, plus the "
                        "sine-solution and ρ-vs-N sections)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true",
                      help="Table 1 settings (N = 512, 5 seeds, paper steps; for a GPU)")
    size.add_argument("--quick-tiny", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, default=Path("oblique-regimes"),
                   help="report directory (default: %(default)s)")
    p.add_argument("--runs", type=Path, default=Path("runs"),
                   help="directory of stored runs, reused and resumed (default: %(default)s)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress output; print only the verdict and the report path")
    p.set_defaults(handler=_regimes_handler)


def _extra_sections(mode: str, runs_dir: Path, out_dir: Path, log: Callable[[str], None],
                    progress: bool) -> list[Any]:
    out = []
    for module_name, func_name in EXTRA_SECTIONS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name == module_name:
                log(f"[{module_name}] not available; section skipped")
                continue
            raise
        func = getattr(module, func_name, None)
        if func is None:
            log(f"[{module_name}] has no {func_name}; section skipped")
            continue
        t0 = time.perf_counter()
        log(f"[{func_name}] starting")
        sec = func(mode, runs_dir, out_dir, log, progress)
        if getattr(sec, "wall_time_s", None) is None:
            sec.wall_time_s = time.perf_counter() - t0
        log(f"[{func_name}] done ({time.perf_counter() - t0:.1f} s)")
        out.append(sec)
    return out


def run_regimes_report(
    *,
    out_dir: str | Path = "oblique-regimes",
    runs_dir: str | Path = "runs",
    mode: str = "quick",
    tasks: Sequence[str] | None = None,
    progress: bool = True,
    command: str | None = None,
    stream: Any = None,
) -> tuple[Path, bool, Any, list[Any]]:
    """Run the regimes experiment (and, without ``tasks``, the extra sections), write the
    report. Returns (report.md path, passed, :class:`validate.regimes.RegimesResult`,
    sections); ``passed`` is False when a claim fails or a row of another section fails.

    Arguments:
        mode: ``"quick"``, ``"full"`` or ``"tiny"``. tasks: subset of the five tasks
        (``None``: all, plus the extra sections). progress: progress on ``stream``
        (default stderr). command: the command line for the metadata.
    """
    from . import regimes
    from .report import run_metadata, write_report

    if mode not in ("quick", "full", "tiny"):
        raise ValueError(f"mode={mode!r} is not allowed; allowed: 'quick', 'full', 'tiny'")
    stream = sys.stderr if stream is None else stream

    log = _cli.progress_logger(progress, stream)

    out_dir, runs_dir = Path(out_dir), Path(runs_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs_dir.mkdir(parents=True, exist_ok=True)
    plan = regimes.default_regimes_plan(mode, tasks)
    t0 = time.perf_counter()
    log(f"[regimes] {plan.label()}")
    result = regimes.run_regimes(plan, runs_dir, progress=progress, log=log)
    sec = regimes.regimes_section(result, out_dir, mode)
    sec.wall_time_s = time.perf_counter() - t0
    sections = [sec]
    if tasks is None:
        sections += _extra_sections(mode, runs_dir, out_dir, log, progress)
    other_rows = [r for s in sections[1:] for r in s.rows]
    passed = result.passed and all(r.passed for r in other_rows)
    meta = run_metadata(command=command, wall_time_s=time.perf_counter() - t0, mode=mode,
                        tasks=list(plan.tasks), runs_dir=str(runs_dir),
                        claims=regimes.claims_verdict(result.claims))
    title = (f"Aligned vs oblique regimes ({mode} mode) — claims "
             f"{regimes.claims_verdict(result.claims)}")
    path = write_report(sections, out_dir, title=title, meta=meta)
    return path, passed, result, sections


def _command_line(args: argparse.Namespace, mode: str) -> str:
    parts = ["oblique", "regimes"]
    if args.task is not None:
        parts += ["--task", ",".join(args.task)]
    if mode == "full":
        parts.append("--full")
    elif mode == "tiny":
        parts.append("--quick-tiny")
    parts += ["--out", str(args.out), "--runs", str(args.runs)]
    if args.quiet:
        parts.append("--quiet")
    return " ".join(shlex.quote(p) for p in parts)


def _regimes_handler(args: argparse.Namespace) -> int:
    from .regimes import claims_console
    from .report import summary_table

    mode = "full" if args.full else "tiny" if args.quick_tiny else "quick"
    path, passed, result, sections = run_regimes_report(
        out_dir=args.out, runs_dir=args.runs, mode=mode, tasks=args.task,
        progress=not args.quiet, command=_command_line(args, mode), stream=sys.stderr,
    )
    if not args.quiet:
        print()
        print(claims_console(result.claims))
        for sec in sections[1:]:
            print(f"\n{sec.title}: {'PASS' if sec.passed else 'FAIL'}")
            print(summary_table(sec.rows))
        print()
    print(f"{'PASS' if passed else 'FAIL'}: report written to {path}")
    return 0 if passed else 1
