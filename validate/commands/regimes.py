r"""``oblique regimes``: the aligned-vs-oblique experiment on the command line (argparse only).

``oblique regimes [--task T[,T…]] [--full] [--out DIR] [--runs DIR] [--quiet]`` runs
:func:`validate.reports.regimes.run_regimes_report` (the five Table 1 tasks, and without
``--task`` also the simple-sine solutions and ρ vs N), prints the claims table (and the rows of
the other sections) and the report path; exit status 1 when a claim fails (``n/a`` claims are
not failures) or a comparison row of another section fails, 0 otherwise. The hidden flag
``--quick-tiny`` shrinks everything to a smoke-test size (tests only).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from ._mode import add_size_flags, mode_of

__all__ = ["parse_tasks", "register"]


def _task_names() -> tuple[str, ...]:
    # kept in sync with validate.experiments.regimes.REGIME_TASKS by a test; repeated here so
    # that argparse registration does not import numpy
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
    p.add_argument(
        "--task",
        type=parse_tasks,
        default=None,
        metavar="T",
        help="only these tasks (comma-separated; default: all five, plus the "
        "sine-solution and ρ-vs-N sections)",
    )
    add_size_flags(p, "Table 1 settings (N = 512, 5 seeds, paper steps; for a GPU)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("oblique-regimes"),
        help="report directory (default: %(default)s)",
    )
    p.add_argument(
        "--runs",
        type=Path,
        default=Path("runs"),
        help="directory of stored runs, reused and resumed (default: %(default)s)",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress output; print only the verdict and the report path",
    )
    p.set_defaults(handler=_regimes_handler)


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
    from ..core.claims import claims_console
    from ..core.report import summary_table
    from ..reports.regimes import run_regimes_report

    mode = mode_of(args)
    path, passed, result, sections = run_regimes_report(
        out_dir=args.out,
        runs_dir=args.runs,
        mode=mode,
        tasks=args.task,
        progress=not args.quiet,
        command=_command_line(args, mode),
        stream=sys.stderr,
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
