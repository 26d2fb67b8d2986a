"""``oblique plot scaling``: redraw the gd-scaling figure from stored runs (argparse only).

``oblique plot scaling --runs DIR --out DIR [--no-derived]`` redraws the scaling
figure from the finished gd-scaling sweeps found under ``--runs``
(:func:`validate.reports.validate.plot_scaling_from_runs`), without training.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]

#: Exit status of ``oblique plot scaling`` when there is nothing to plot (argparse's code).
_USAGE_ERROR = 2


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``scaling`` to the ``plot`` targets."""
    del subparsers
    s = plot_targets.add_parser(
        "scaling",
        help="redraw the gd-scaling figure from stored runs (no training)",
        description=(
            "Load the finished gd-scaling sweeps under --runs and draw the log-log scaling "
            "figure (‖κ̄‖, ρ, L_var vs N, with theory) into --out/gd_scaling.png."
        ),
    )
    s.add_argument(
        "--runs",
        type=Path,
        default=Path("runs"),
        help="directory of stored runs (default: %(default)s)",
    )
    s.add_argument(
        "--out",
        type=Path,
        default=Path("oblique-report"),
        help="output directory (default: %(default)s)",
    )
    s.add_argument(
        "--no-derived",
        action="store_true",
        help="leave out the derived large-N guide lines (skips the ~45 s sympy derivation)",
    )
    s.set_defaults(handler=_plot_scaling_handler)


def _plot_scaling_handler(args: argparse.Namespace) -> int:
    from ..reports.validate import plot_scaling_from_runs

    try:
        path = plot_scaling_from_runs(args.runs, args.out, derived=not args.no_derived)
    except ValueError as err:
        print(f"oblique plot scaling: error: {err}", file=sys.stderr)
        return _USAGE_ERROR
    print(f"scaling figure written to {path}")
    return 0
