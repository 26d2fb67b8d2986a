r"""``oblique universality``: seed 002's population experiment on the command line (argparse only).

``oblique universality [--full] [--task T ...] [--out DIR] [--runs DIR] [--executor
inprocess|dask] [--scheduler ADDRESS] [--topology attractors|points] [--quiet]`` runs
:func:`validate.reports.universality.run_universality`. Exit status 1 when the seed's claim
(geometry clusters by architecture, topology does not) fails or is undetermined for a task.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._mode import add_size_flags, mode_of

__all__ = ["register"]

#: = validate.experiments.universality.UNIVERSALITY_TASKS and TOPOLOGIES (checked by a test;
#: repeated so that building the parser imports no numpy).
UNIVERSALITY_TASKS: tuple[str, ...] = ("flip_flop_3bit", "sine_freq", "cdi")
TOPOLOGIES: tuple[str, ...] = ("attractors", "points")


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``universality`` to ``subparsers``."""
    del plot_targets
    p = subparsers.add_parser(
        "universality",
        help="seed 002: geometry vs fixed-point topology across RNN architectures",
        description=(
            "Train Vanilla/UGRNN/GRU/LSTM networks (tanh, relu) on seed 002's tasks, compare "
            "SVCCA/CKA geometry and fixed-point topology, write report.md/.html/.json."
        ),
    )
    add_size_flags(p, "larger settings (GPU-friendly)")
    p.add_argument(
        "--task",
        action="append",
        choices=UNIVERSALITY_TASKS,
        default=None,
        help="task to run (repeatable; default: all three)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("universality-report"),
        help="report directory (default: %(default)s)",
    )
    p.add_argument(
        "--runs",
        type=Path,
        default=Path("runs"),
        help="directory of stored runs, reused and resumed (default: %(default)s)",
    )
    p.add_argument(
        "--executor",
        choices=("inprocess", "dask"),
        default="inprocess",
        help="where configurations train: here (default) or as tasks of a Dask "
        "cluster (needs the [dask] extra)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); default with --executor "
        "dask: a local cluster on this machine",
    )
    p.add_argument(
        "--topology",
        choices=TOPOLOGIES,
        default="attractors",
        help="topology used for the claim: attractor escape/saddle-link graphs "
        "(default) or seed 002's transition matrix over all fixed points "
        "(both are reported)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=_handler)


def _handler(args: argparse.Namespace) -> int:
    from ..reports.universality import run_universality

    mode = mode_of(args)
    path, held = run_universality(
        out_dir=args.out,
        runs_dir=args.runs,
        mode=mode,
        tasks=tuple(args.task) if args.task else None,
        progress=not args.quiet,
        executor=args.executor,
        address=args.scheduler,
        topology=args.topology,
    )
    print(f"{'HOLDS' if held else 'DOES NOT HOLD'}: seed 002's claim; report written to {path}")
    return 0 if held else 1
