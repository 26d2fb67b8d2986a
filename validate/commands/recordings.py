r"""``oblique recordings FILE…``: the paper's analysis of experimental data on recording files
(argparse only; the work is :func:`validate.reports.recordings.run_recordings_report`).

NWB files (DANDI / Neural Latents Benchmark layout) and BCI decoder files (``.npz``, ``.mat``)
in, report.md/.html/.json with the panels of ρ and D_fit,90/D_x,90 and the scaling of ρ√n with
the number of units out. Needs ``pip install -e '.[recordings]'`` for NWB and MATLAB v7.3.
Exit status 0 when done (the regime is a measurement: nothing is judged), 2 for bad input or a
broken file (one line naming what is wrong), 3 for a missing optional extra or an unwritable
output directory.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"{text!r}: need >= 1 name, comma-separated")
    return names


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``recordings`` to ``subparsers``."""
    del plot_targets
    p = subparsers.add_parser(
        "recordings",
        help="aligned or oblique? the paper's analysis of recorded data (NWB, BCI decoders)",
        description=(
            "Read NWB files (units' spike times, behaviour time series, trials table) or BCI "
            "decoder files (.npz/.mat with activity, output and decoder), and for every output "
            "compute ρ, D_x,90, D_fit,90/D_x,90, R² and the best delay on all data and on random "
            "subsets of the data points, and the slope p of ρ√n against the number of units. "
            "Writes report.md/.html/.json and figures."
        ),
        epilog=(
            "example (NLB MC_Maze, DANDI:000128): oblique recordings "
            "sub-Jenkins/sub-Jenkins_ses-full_desc-train_behavior+ecephys.nwb --outputs hand_vel "
            "--align move_onset_time --window-ms -250 450 --smooth-ms 50"
        ),
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".nwb, .npz or .mat")
    p.add_argument(
        "--outputs",
        type=_names,
        default=None,
        help="NWB behaviour series, comma-separated, e.g. hand_vel,hand_pos "
        "(default: every series of processing/behavior)",
    )
    p.add_argument("--bin-ms", type=float, default=20.0, help="bin width, ms (default 20)")
    p.add_argument(
        "--smooth-ms", type=float, default=0.0, help="Gaussian smoothing sd, ms (default 0: none)"
    )
    p.add_argument("--align", default=None, help="trials-table column of event times to align to")
    p.add_argument(
        "--window-ms",
        type=float,
        nargs=2,
        default=None,
        metavar=("START", "STOP"),
        help="window around the align time, ms (default -250 450)",
    )
    p.add_argument(
        "--condition", default=None, help="trials-table column: average the trials of each value"
    )
    p.add_argument(
        "--arrays",
        nargs=3,
        default=("activity", "output", "decoder"),
        metavar=("ACTIVITY", "OUTPUT", "DECODER"),
        help="array names in decoder files (default: activity output decoder)",
    )
    p.add_argument(
        "--decoder-bin-ms",
        type=float,
        default=None,
        help="bin width of decoder files without a bin_width array, ms",
    )
    p.add_argument(
        "--max-delay-ms",
        type=float,
        default=300.0,
        help="delays searched, ± ms (default 300; 0: none)",
    )
    p.add_argument(
        "--subsets", type=int, default=20, help="random subsets of data points (default 20)"
    )
    p.add_argument(
        "--fraction", type=float, default=0.25, help="share of data points per subset (0.25)"
    )
    p.add_argument(
        "--neuron-repeats",
        type=int,
        default=20,
        help="random subsets of units per size for the ρ√n scaling (default 20)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of every random draw (default 0)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("oblique-recordings"),
        help="report directory (default: %(default)s)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=_handler)


def _handler(args: argparse.Namespace) -> int:
    from ..reports.recordings import run_recordings_report

    parts = ["oblique", "recordings", *[str(f) for f in args.files]]
    path, result = run_recordings_report(
        args.files,
        out_dir=args.out,
        read_options={
            "bin_ms": args.bin_ms,
            "smooth_ms": args.smooth_ms,
            "align": args.align,
            "window_ms": tuple(args.window_ms) if args.window_ms is not None else None,
            "condition": args.condition,
            "arrays": tuple(args.arrays),
            "decoder_bin_ms": args.decoder_bin_ms,
        },
        outputs=args.outputs,
        max_delay_ms=args.max_delay_ms,
        subsets=args.subsets,
        fraction=args.fraction,
        neuron_repeats=args.neuron_repeats,
        seed=args.seed,
        progress=not args.quiet,
        command=" ".join(shlex.quote(p) for p in parts),
        stream=sys.stderr,
    )
    for o in result.outputs:
        p = f", p = {o.neurons.p:.3f} ± {o.neurons.p_se:.3f}" if o.neurons is not None else ""
        print(
            f"{o.label}: {o.output}: ρ = {o.full.rho:.4g} (ρ√N = {o.full.rho_sqrt_n:.3g}, "
            f"{o.full.regime}), D_fit/D_x = {o.full.D_fit}/{o.full.D_x}, "
            f"R² = {o.full.r2:.3f}, delay {o.delay_ms:g} ms{p}"
        )
    print(f"report written to {path}")
    return 0
