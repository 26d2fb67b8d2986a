"""``oblique train``: train networks from a preset (registered by :mod:`validate.cli`).

Registration is cheap (argparse only); JAX and the training code are imported inside the
handler. Example (THEORY.md §4 sweep, five seeds per size)::

    oblique train --preset gd_scaling --N 64 128 --seeds 5 --steps 2000 --sigma 1 --out runs/x

One ``--N`` trains into ``--out`` itself; several ``--N`` run :func:`simulate.sweep` into
``--out/N<n>/`` (refused if ``--out`` already holds a single run). An interrupted command
resumes from its last checkpoint when run again; a finished run is loaded, not retrained;
a directory holding another config is refused — ``--restart`` archives an unfinished
(failed or interrupted) run and starts anew. Everything is checked before anything is
printed or written.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register", "run_train"]

_PRESETS = (
    "gd_scaling",
    "two_phase",
    "regimes",
    "seed003",
)  # = simulate.config.PRESETS (checked in tests)


def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``train`` to the ``oblique`` sub-commands (``plot_targets``: none from simulate)."""
    del plot_targets
    p = subparsers.add_parser(
        "train",
        help="train networks (simulate): one run, or a sweep over N",
        description=(
            "Train all seeds of a preset configuration as one vmapped computation. "
            "Several --N run one after another into OUT/N<n>/. Rerunning the same command "
            "resumes an interrupted run and loads a finished one."
        ),
    )
    p.add_argument(
        "--preset",
        choices=_PRESETS,
        default="gd_scaling",
        help="experiment preset (THEORY §4 gd_scaling, §3 two_phase, §6 regimes, "
        "seed 003 seed003: --task perception or decision)",
    )
    p.add_argument(
        "--task", default=None, help="task name (default: the preset's; e.g. fixed_point, cycling)"
    )
    p.add_argument(
        "--N",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help="network size(s); several → a sweep (default: the preset's)",
    )
    p.add_argument("--seeds", type=int, default=None, help="seeds trained together")
    p.add_argument("--seed", type=int, default=None, help="base seed (default 0)")
    p.add_argument("--steps", type=int, default=None, help="training steps")
    p.add_argument("--sigma", type=float, default=None, help="hidden noise σ (THEORY §1)")
    p.add_argument("--eta0", type=float, default=None, help="learning-rate numerator η₀")
    p.add_argument(
        "--out-scale",
        choices=("large", "small"),
        default=None,
        help="output-weight scale (THEORY §1)",
    )
    p.add_argument(
        "--nonlinearity",
        default=None,
        help="φ (default: the preset's; e.g. tanh, relu, leaky_relu)",
    )
    p.add_argument(
        "--leak-angle",
        type=float,
        default=None,
        help="angle θ of leaky_relu's negative branch in radians, 0 ≤ θ < π/2 "
        "(seed 003: 0 relu, π/4 linear)",
    )
    p.add_argument("--record-every", type=int, default=None, help="record every k steps")
    p.add_argument(
        "--checkpoint-every",
        type=int,
        default=None,
        help="checkpoint every K steps (a multiple of --record-every)",
    )
    p.add_argument("--out", required=True, help="run directory (created if missing)")
    p.add_argument(
        "--restart",
        action="store_true",
        help="an unfinished (failed or interrupted) run in --out, of any config, "
        "has its files moved to --out/.archive/<time>/ and training starts "
        "anew; finished runs are never touched",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run_train)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = {
        "task": "task",
        "seeds": "seeds",
        "seed": "seed",
        "steps": "steps",
        "sigma": "sigma",
        "eta0": "eta0",
        "out_scale": "out_scale",
        "nonlinearity": "nonlinearity",
        "leak_angle": "leak_angle",
        "record_every": "record_every",
        "checkpoint_every": "checkpoint_every",
    }
    out = {
        field: getattr(args, attr)
        for attr, field in names.items()
        if getattr(args, attr) is not None
    }
    if args.N:
        out["N"] = int(args.N[0])
    return out


def _summary(run: Any) -> str:
    """One line: size, seeds, steps, final loss split (mean ± SE over seeds), ρ, place."""
    import numpy as np

    def stat(name: str) -> str:
        v = np.asarray(run.final(name), float)
        se = v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else float("nan")
        return f"{v.mean():.4g} ± {se:.2g}"

    c = run.config
    parts = [
        f"N={c.N}",
        f"{c.seeds} seeds × {c.steps} steps",
        f"final L={stat('loss')} (bias {stat('loss_bias')}, var {stat('loss_var')})",
    ]
    if "kappa_norm" in run.records:
        parts.append(f"‖κ̄‖={stat('kappa_norm')}")
    parts.append(f"ρ={stat('rho')}")
    wall = run.info.get("wall_seconds_last_session")
    if wall is not None:
        parts.append(f"{wall:.1f} s")
    parts.append(f"→ {run.path}")
    return ", ".join(parts)


def run_train(args: argparse.Namespace) -> int:
    """Handler of ``oblique train``; returns the exit status (2 on a configuration error or a
    diverged run; lock and file errors propagate to :func:`validate.cli.main`, exit 3)."""
    from pathlib import Path

    from .config import TrainConfig
    from .runs import NonFiniteLossError, check_out
    from .training import check_sweep_out, sweep, train

    restart = bool(getattr(args, "restart", False))
    try:
        config = TrainConfig.preset(args.preset, **_overrides(args))
        Ns = [int(n) for n in (args.N or [config.N])]
        out = Path(args.out)
        progress = not args.quiet
        # every refusal before the first line of output
        if len(Ns) == 1:
            check_out(out, config, restart=restart)
            print(f"oblique train: {args.preset} N={Ns[0]} → {out}", flush=True)
            runs = [train(config, out, progress=progress, restart=restart)]
        else:
            check_sweep_out(out)
            for n in Ns:
                check_out(out / f"N{n}", config.replace(N=n), restart=restart)
            print(f"oblique train: {args.preset} N={Ns} → {out}/N<n>/", flush=True)
            runs = sweep(config, Ns, out, progress=progress, restart=restart)
    except NonFiniteLossError as err:
        print(f"oblique train: error: {err}; or start anew with --restart", file=sys.stderr)
        return 2  # a learning rate too large for the config is bad input
    except ValueError as err:
        print(f"oblique train: error: {err}", file=sys.stderr)
        return 2
    for run in runs:
        print(_summary(run), flush=True)
    return 0
