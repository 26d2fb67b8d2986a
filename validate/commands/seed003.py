r"""``oblique seed003``: seed 003's hypotheses on trained leaky rate networks (argparse only).

``oblique seed003 [--task perception|decision] [--full] [--out DIR] [--runs DIR] [--quiet]``
runs :func:`validate.reports.seed003.run_seed003_report`, prints the claims table and the
report path; exit status 1 when a claim fails, 0 otherwise. The hidden flag ``--quick-tiny``
shrinks everything to a smoke-test size (tests only).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from ._mode import add_size_flags, mode_of

__all__ = ["register"]

_TASKS = (
    "perception",
    "decision",
)  # = validate.experiments.seed003.SEED003_TASKS (checked in tests)


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``seed003`` to ``subparsers`` (figures come with the report)."""
    del plot_targets
    p = subparsers.add_parser(
        "seed003",
        help="train seed 003's leaky rate networks and test its hypotheses",
        description=(
            "Train relu / leaky-relu rate networks (τ = 100 ms, Δt = 10 ms, zero diagonal, "
            "only W trained) on the perception and decision tasks over a grid of leak "
            "angles, measure weight changes, centrality, non-normality, spectra, DCA "
            "predictive information and the readout angle, test seed 003's hypotheses and "
            "write report.md/.html/.json with figures. Exit status 1 if a claim fails."
        ),
    )
    p.add_argument("--task", choices=_TASKS, default=None, help="only this task (default: both)")
    add_size_flags(p, "the seed's sizes (N = 128 / 256), 10 seeds, 5 angles (GPU)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("oblique-seed003"),
        help="report directory (default: %(default)s)",
    )
    p.add_argument(
        "--runs",
        type=Path,
        default=Path("runs"),
        help="directory of stored runs, reused and resumed (default: %(default)s)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=_handler)


def _handler(args: argparse.Namespace) -> int:
    from ..core.claims import claims_console
    from ..reports.seed003 import run_seed003_report

    mode = mode_of(args)
    parts = ["oblique", "seed003"] + (["--task", args.task] if args.task else [])
    parts += {"full": ["--full"], "tiny": ["--quick-tiny"], "quick": []}[mode]
    parts += ["--out", str(args.out), "--runs", str(args.runs)]
    path, result = run_seed003_report(
        out_dir=args.out,
        runs_dir=args.runs,
        mode=mode,
        tasks=(args.task,) if args.task else None,
        progress=not args.quiet,
        command=" ".join(shlex.quote(p) for p in parts),
        stream=sys.stderr,
    )
    if not args.quiet:
        print()
        print(claims_console(result.claims))
        print()
    print(f"{'PASS' if result.passed else 'FAIL'}: report written to {path}")
    return 0 if result.passed else 1
