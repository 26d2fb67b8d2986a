r"""``oblique validate``: the main job on the command line (argparse only).

``oblique validate [--full] [--out DIR] [--runs DIR] [--only LIST] [--quiet]`` runs the
experiments of THEORY.md §5 (``static``), §4 (``gd-scaling``), §3 (``two-phase``) and the
corrections grid (``corrections``) through :func:`validate.reports.validate.run_sections`,
prints the summary tables, the verdict table (claim × theory variant) and the report path.
Exit status: 0 when every claim of the package's own theory holds inside its domain (and at
least one holds), 1 when one fails; the paper's theory is reported as findings, and
``--strict-paper`` makes its failures count too. The hidden flag ``--quick-tiny`` shrinks every experiment to a
smoke-test size (tests only).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from ..reports.validate import EXPERIMENTS
from ._mode import add_size_flags, mode_of

__all__ = ["register"]


def _only(text: str) -> tuple[str, ...]:
    """Parse ``--only``: comma-separated experiment ids (argparse error otherwise)."""
    names = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    bad = [n for n in names if n not in EXPERIMENTS]
    if not names or bad:
        raise argparse.ArgumentTypeError(
            f"--only={text!r} is not allowed; allowed: a comma-separated subset of "
            f"{','.join(EXPERIMENTS)}"
        )
    return names


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``validate`` to ``subparsers`` (no ``plot`` target)."""
    del plot_targets
    p = subparsers.add_parser(
        "validate",
        help="run the theory-vs-simulation experiments and write a report",
        description=(
            "Run the static check (THEORY §5), gradient descent across N (§4), two-phase "
            "learning (§3) and the corrections grid (finite dt, finite-N Hermite noise, "
            "per-network fixed points), compare with the mean-field theory and write "
            "report.md/.html/.json, rows.csv "
            "and PNG figures. Stored runs are reused. Exit status 0 when every claim of the "
            "package's own theory holds inside its domain, 1 when one fails (the paper's "
            "theory counts too with --strict-paper)."
        ),
    )
    add_size_flags(p, "paper-scale settings (long; GPU-friendly) instead of the quick CPU ones")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("oblique-report"),
        help="report directory (default: %(default)s)",
    )
    p.add_argument(
        "--runs",
        type=Path,
        default=Path("runs"),
        help="directory of stored runs, reused and resumed (default: %(default)s)",
    )
    p.add_argument(
        "--only",
        type=_only,
        default=EXPERIMENTS,
        metavar="LIST",
        help=f"comma-separated subset of {','.join(EXPERIMENTS)} (default: all)",
    )
    p.add_argument(
        "--strict-paper",
        action="store_true",
        help="count the paper's continuous-time theory (and its GD hypotheses) "
        "for the exit status too; by default they are reported as findings",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress output; print only the verdict and the report path",
    )
    p.set_defaults(handler=_validate_handler)


def _command_line(args: argparse.Namespace, mode: str) -> str:
    """The ``oblique validate`` command equivalent to ``args`` (for the metadata)."""
    parts = ["oblique", "validate"]
    if mode == "full":
        parts.append("--full")
    elif mode == "tiny":
        parts.append("--quick-tiny")
    parts += ["--out", str(args.out), "--runs", str(args.runs)]
    if tuple(args.only) != EXPERIMENTS:
        parts += ["--only", ",".join(args.only)]
    if args.strict_paper:
        parts.append("--strict-paper")
    if args.quiet:
        parts.append("--quiet")
    return " ".join(shlex.quote(p) for p in parts)


def _validate_handler(args: argparse.Namespace) -> int:
    from ..core.report import summary_table
    from ..reports.validate import run_sections

    mode = mode_of(args)
    path, sections, verdict = run_sections(
        out_dir=args.out,
        runs_dir=args.runs,
        mode=mode,
        only=args.only,
        progress=not args.quiet,
        command=_command_line(args, mode),
        stream=sys.stderr,
        strict_paper=args.strict_paper,
    )
    if not args.quiet:
        for sec in sections:
            print(f"\n{sec.title}:")
            print(summary_table(sec.rows))
        print("\nVerdict (claim × theory variant):")
        print(verdict.console())
        print()
    print(f"{'PASS' if verdict.passed else 'FAIL'}: {verdict.headline} Report written to {path}")
    return 0 if verdict.passed else 1
