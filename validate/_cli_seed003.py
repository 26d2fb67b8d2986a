r"""``oblique seed003``: seed 003's hypotheses on trained leaky rate networks.

Registered through :func:`register` (``validate.cli`` lists this module in its
``_COMMAND_MODULES``); the handler imports the experiment (and JAX) when it runs.

``oblique seed003 [--task perception|decision] [--full] [--out DIR] [--runs DIR] [--quiet]``
trains the seed-003 networks over the leak-angle grid (:mod:`validate.seed003`; quick CPU
settings by default), judges the hypotheses and writes ``report.md/.html/.json`` and the
figures into ``--out``. Runs live under ``--runs/seed003/`` (resumable). Prints the claims
table and the report path; exit status 1 when a claim fails, 0 otherwise. The hidden flag
``--quick-tiny`` shrinks everything to a smoke-test size (tests only).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from . import _cli

__all__ = ["register", "run_seed003_report"]

_TASKS = ("perception", "decision")  # = validate.seed003.SEED003_TASKS (checked in tests)


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
    p.add_argument("--task", choices=_TASKS, default=None,
                   help="only this task (default: both)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true",
                      help="the seed's sizes (N = 128 / 256), 10 seeds, 5 angles (GPU)")
    size.add_argument("--quick-tiny", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, default=Path("oblique-seed003"),
                   help="report directory (default: %(default)s)")
    p.add_argument("--runs", type=Path, default=Path("runs"),
                   help="directory of stored runs, reused and resumed (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=_handler)


def run_seed003_report(*, out_dir: str | Path = "oblique-seed003", runs_dir: str | Path = "runs",
                       mode: str = "quick", tasks: Any = None, progress: bool = True,
                       command: str | None = None, stream: Any = None) -> tuple[Path, Any]:
    """Run the experiment and write the report; returns (report.md path, result)."""
    from . import seed003
    from .report import run_metadata, write_report

    stream = sys.stderr if stream is None else stream

    log = _cli.progress_logger(progress, stream)

    out_dir, runs_dir = Path(out_dir), Path(runs_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = seed003.default_seed003_plan(mode, tasks)
    t0 = time.perf_counter()
    log(f"[seed003] {plan.label()}")
    result = seed003.run_seed003(plan, runs_dir, progress=progress, log=log)
    sec = seed003.seed003_section(result, out_dir, mode)
    sec.wall_time_s = time.perf_counter() - t0
    from .regimes import claims_verdict

    verdict = claims_verdict(result.claims)
    meta = run_metadata(command=command, wall_time_s=sec.wall_time_s, mode=mode,
                        tasks=list(plan.tasks), runs_dir=str(runs_dir), claims=verdict)
    path = write_report([sec], out_dir, title=f"Seed 003 hypotheses ({mode} mode) — claims "
                        f"{verdict}", meta=meta)
    return path, result


def _handler(args: argparse.Namespace) -> int:
    from .regimes import claims_console

    mode = "full" if args.full else "tiny" if args.quick_tiny else "quick"
    parts = ["oblique", "seed003"] + (["--task", args.task] if args.task else [])
    parts += {"full": ["--full"], "tiny": ["--quick-tiny"], "quick": []}[mode]
    parts += ["--out", str(args.out), "--runs", str(args.runs)]
    path, result = run_seed003_report(
        out_dir=args.out, runs_dir=args.runs, mode=mode,
        tasks=(args.task,) if args.task else None, progress=not args.quiet,
        command=" ".join(shlex.quote(p) for p in parts), stream=sys.stderr)
    if not args.quiet:
        print()
        print(claims_console(result.claims))
        print()
    print(f"{'PASS' if result.passed else 'FAIL'}: report written to {path}")
    return 0 if result.passed else 1
