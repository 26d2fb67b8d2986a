r"""``oblique universality``: seed 002's population experiment on the command line.

``oblique universality [--full] [--task T ...] [--out DIR] [--runs DIR] [--executor
inprocess|dask] [--scheduler ADDRESS] [--topology attractors|points] [--quiet]`` trains
(or loads and resumes) Vanilla/UGRNN/GRU/LSTM networks with tanh and relu on the 3-bit
flip-flop, the frequency-cued sine and context-dependent integration, compares their
geometry (SVCCA, CKA) and fixed-point topology, and writes report.md/.html/.json with the
MDS figures (:mod:`validate.universality`). Exit status 1 when the seed's claim (geometry
clusters by architecture, topology does not) fails or is undetermined for a task.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from . import _cli

__all__ = ["register", "run_universality"]


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``universality`` to ``subparsers``."""
    del plot_targets
    from .universality import TOPOLOGIES, UNIVERSALITY_TASKS

    p = subparsers.add_parser(
        "universality",
        help="seed 002: geometry vs fixed-point topology across RNN architectures",
        description=(
            "Train Vanilla/UGRNN/GRU/LSTM networks (tanh, relu) on seed 002's tasks, compare "
            "SVCCA/CKA geometry and fixed-point topology, write report.md/.html/.json."
        ),
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="larger settings (GPU-friendly)")
    size.add_argument("--quick-tiny", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--task", action="append", choices=UNIVERSALITY_TASKS, default=None,
                   help="task to run (repeatable; default: all three)")
    p.add_argument("--out", type=Path, default=Path("universality-report"),
                   help="report directory (default: %(default)s)")
    p.add_argument("--runs", type=Path, default=Path("runs"),
                   help="directory of stored runs, reused and resumed (default: %(default)s)")
    p.add_argument("--executor", choices=("inprocess", "dask"), default="inprocess",
                   help="where configurations train: here (default) or as tasks of a Dask "
                        "cluster (needs the [dask] extra)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786); default with --executor "
                        "dask: a local cluster on this machine")
    p.add_argument("--topology", choices=TOPOLOGIES, default="attractors",
                   help="topology used for the claim: attractor escape/saddle-link graphs "
                        "(default) or seed 002's transition matrix over all fixed points "
                        "(both are reported)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=_handler)


def run_universality(*, out_dir: str | Path = "universality-report",
                     runs_dir: str | Path = "runs", mode: str = "quick",
                     tasks: tuple[str, ...] | None = None, progress: bool = True,
                     stream: Any = None, executor: str = "inprocess",
                     address: str | None = None, topology: str = "attractors"
                     ) -> tuple[Path, bool]:
    """Run the experiment and write the report; returns (report.md, claim held everywhere).

    ``topology``: ``"attractors"`` or ``"points"`` (:class:`validate.universality.UniversalityPlan`).
    """
    import dataclasses

    from .report import run_metadata, write_report
    from .universality import UniversalityPlan, universality_section

    if mode not in ("quick", "full", "tiny"):
        raise ValueError(f"mode={mode!r} is not allowed; allowed: 'quick', 'full', 'tiny'")
    plan = {"quick": UniversalityPlan.quick, "full": UniversalityPlan.full,
            "tiny": UniversalityPlan.tiny}[mode]()
    if tasks:
        plan = dataclasses.replace(plan, tasks=tuple(tasks))
    plan = dataclasses.replace(plan, topology=topology)
    stream = sys.stderr if stream is None else stream

    log = _cli.progress_logger(progress, stream)

    t0 = time.perf_counter()
    sec = universality_section(plan, runs_dir, out_dir, log, progress=progress,
                               executor=executor, address=address)
    sec.wall_time_s = time.perf_counter() - t0
    meta = run_metadata(command=None, wall_time_s=sec.wall_time_s, mode=mode,
                        experiments=list(plan.tasks), runs_dir=str(runs_dir))
    path = write_report([sec], out_dir, title=f"Universality across architectures ({mode})",
                        meta=meta)
    held = all(v is True for v in sec.summary["claims"].values())
    return path, held


def _handler(args: argparse.Namespace) -> int:
    mode = "full" if args.full else "tiny" if args.quick_tiny else "quick"
    path, held = run_universality(out_dir=args.out, runs_dir=args.runs, mode=mode,
                                  tasks=tuple(args.task) if args.task else None,
                                  progress=not args.quiet, executor=args.executor,
                                  address=args.scheduler, topology=args.topology)
    print(f"{'HOLDS' if held else 'DOES NOT HOLD'}: seed 002's claim; report written to {path}")
    return 0 if held else 1
