r"""The report of ``oblique seed003``: train, measure, judge, draw, assemble.

:func:`run_seed003_report` trains the seed-003 networks over the leak-angle grid
(:mod:`validate.experiments.seed003`; quick CPU settings by default), judges the hypotheses
and writes ``report.md/.html/.json`` and the figures into ``out_dir``. Runs live under
``runs_dir/seed003/`` (resumable). The command line is :mod:`validate.commands.seed003`.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..core.claims import CLAIM_ALPHA, claims_table, claims_verdict
from ..core.report import Section, run_metadata, write_report
from ..core.report import format_short as _fmt
from ..experiments.seed003 import (
    Seed003Network,
    Seed003Result,
    default_seed003_plan,
    run_seed003,
)
from ..figures import seed003 as plots_seed003
from .figure_guard import Figures
from .progress import progress_logger

__all__ = ["run_seed003_report", "seed003_section"]


def run_seed003_report(
    *,
    out_dir: str | Path = "oblique-seed003",
    runs_dir: str | Path = "runs",
    mode: str = "quick",
    tasks: Any = None,
    progress: bool = True,
    command: str | None = None,
    stream: Any = None,
) -> tuple[Path, Any]:
    """Run the experiment and write the report; returns (report.md path, result)."""
    stream = sys.stderr if stream is None else stream

    log = progress_logger(progress, stream)

    out_dir, runs_dir = Path(out_dir), Path(runs_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = default_seed003_plan(mode, tasks)
    t0 = time.perf_counter()
    log(f"[seed003] {plan.label()}")
    result = run_seed003(plan, runs_dir, progress=progress, log=log)
    sec = seed003_section(result, out_dir, mode)
    sec.wall_time_s = time.perf_counter() - t0
    verdict = claims_verdict(result.claims)
    meta = run_metadata(
        command=command,
        wall_time_s=sec.wall_time_s,
        mode=mode,
        tasks=list(plan.tasks),
        runs_dir=str(runs_dir),
        claims=verdict,
    )
    path = write_report(
        [sec], out_dir, title=f"Seed 003 hypotheses ({mode} mode) — claims {verdict}", meta=meta
    )
    return path, result


def _measures_table(result: Seed003Result) -> tuple[str, list[str], list[list[str]]]:
    header = [
        "task",
        "θ (deg)",
        "loss init → final",
        "mean ΔW",
        "‖ΔW‖/‖W₀‖",
        "PR ΔW / W₀",
        "centrality ρ_s",
        "non-normality",
        "spectral radius",
        "PI untr. → tr.",
        "angle to w_out (deg)",
        "DCA unique",
    ]
    body = []
    for task in result.plan.tasks:
        for theta in result.plan.angles:
            ms = [n for n in result.networks if n.task == task and n.theta == theta]
            if not ms:
                continue

            def mean(f: Callable[[Seed003Network], float], ms: list = ms) -> float:
                v = np.array([f(m) for m in ms], float)
                v = v[np.isfinite(v)]
                return float(v.mean()) if v.size else math.nan

            body.append(
                [
                    task,
                    f"{math.degrees(theta):.4g}",
                    f"{_fmt(mean(lambda m: m.loss_init))} → {_fmt(mean(lambda m: m.loss_final))}",
                    _fmt(mean(lambda m: m.mean_dw)),
                    _fmt(mean(lambda m: m.rel_dw)),
                    f"{_fmt(mean(lambda m: m.pr_dw))} / {_fmt(mean(lambda m: m.pr_w0))}",
                    _fmt(mean(lambda m: m.centrality_rho)),
                    f"{_fmt(mean(lambda m: m.nonnormal_init))} → "
                    f"{_fmt(mean(lambda m: m.nonnormal_final))}",
                    f"{_fmt(mean(lambda m: m.radius_init))} → {_fmt(mean(lambda m: m.radius_final))}",
                    f"{_fmt(mean(lambda m: m.pi_init))} → {_fmt(mean(lambda m: m.pi_final))}",
                    f"{_fmt(math.degrees(mean(lambda m: m.angle_init)))} → "
                    f"{_fmt(math.degrees(mean(lambda m: m.angle_final)))}",
                    _fmt(mean(lambda m: m.dca_unique)),
                ]
            )
    return (
        "Measures per task and leak angle (means over seeds; arrows: before → after training)",
        header,
        body,
    )


def seed003_section(result: Seed003Result, out_dir: str | Path, mode: str = "quick") -> Any:
    """The report :class:`validate.core.report.Section`: claims table, measures table, figures."""
    figs = Figures()
    figs.draw(plots_seed003.plot_all, result, Path(out_dir))
    verdict = claims_verdict(result.claims)
    caption, header, body = claims_table(result.claims)
    caption = caption.replace("issue 6", "seed 003")
    text = (
        "Seed 003: leaky rate networks τṙ = −r + φ(W r + W_in u + b + noise) (τ = 100 ms, "
        "Δt = 10 ms, relu or leaky relu of angle θ, zero diagonal kept at zero, only W "
        "trained with Adam at 0.001, σ = 0.01) on the perception and decision tasks "
        f"(simulate.tasks), {result.plan.label()} ({mode} mode)."
        "\n\nEach hypothesis of the seed is a claim per task, judged by a one-sided Student "
        f"t test at level {CLAIM_ALPHA:g} over networks (validate.experiments.seed003 docstring). "
        f"Claims: {verdict}."
        f"\n\nWall time: training (or loading) {result.wall_train_s:.0f} s, analysis "
        f"{result.wall_analysis_s:.0f} s."
    )
    return Section(
        name="seed003",
        title=f"Seed 003 hypotheses — claims {verdict}",
        rows=[],
        figures=figs.paths,
        text=text + figs.note(),
        summary=result.summary(),
        tables=[(caption, header, body), _measures_table(result)],
        verdict=result.passed,
    )
