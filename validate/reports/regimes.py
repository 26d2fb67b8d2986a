r"""The report of ``oblique regimes``: run the experiments, draw, assemble the sections.

:func:`run_regimes_report` trains both regimes of every task (:mod:`validate.experiments.regimes`;
quick CPU settings by default, Table 1 with ``mode="full"``), computes the measures and the
claims of issue 6 and writes ``report.md``, ``report.html``, ``report.json`` and the PNG
figures into ``out_dir`` (:func:`validate.core.report.write_report`). Trained networks live
under ``runs_dir/regimes/`` (resumable run directories). Without ``tasks`` the report also
holds the simple-sine solutions (:func:`sine_solutions_section`,
:mod:`validate.experiments.sine_solutions`) and ρ vs N (:func:`rho_scaling_section`,
:mod:`validate.experiments.rho_scaling`). The command line is
:mod:`validate.commands.regimes`.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.claims import CLAIM_ALPHA, Claim, claims_hold, claims_table, claims_verdict
from ..core.claims import finite_values as _finite
from ..core.report import Section, format_number, run_metadata, write_report
from ..core.report import format_short as _fmt
from ..experiments.regimes import (
    REGIMES,
    NetworkMeasures,
    RegimesResult,
    default_regimes_plan,
    run_regimes,
)
from ..experiments.rho_scaling import (
    EXPECTED_EXPONENTS,
    run_rho_scaling,
    scaling_config,
    scaling_plan,
)
from ..experiments.sine_solutions import (
    SINE_SOLUTIONS,
    SineSolutionResult,
    run_sine_solutions,
    sine_plan,
    sine_rows,
)
from ..figures import regimes as plots_regimes
from ..figures.rho_scaling import plot_rho_scaling
from ..figures.sine_solutions import (
    plot_sine_learning,
    plot_sine_outputs,
    plot_sine_spectra,
    plot_sine_trajectories,
)
from .figure_guard import Figures
from .progress import progress_logger

__all__ = [
    "EXTRA_SECTIONS",
    "regimes_section",
    "rho_scaling_section",
    "run_regimes_report",
    "sine_solutions_section",
    "sine_table",
]


def _per_task_claims_table(
    claims: Sequence[Claim], tasks: Sequence[str]
) -> tuple[str, list[str], list[list[str]]]:
    header = ["claim"] + list(tasks)
    body = []
    for c in claims:
        row = [c.text]
        for t in tasks:
            v = c.per_task.get(t)
            if v is None:
                row.append("—")
                continue
            ok = v > c.threshold if c.direction == ">" else v < c.threshold
            row.append(f"{_fmt(v)} {'✓' if ok else '✗'}")
        body.append(row)
    caption = (
        "Per-task statistic of each claim (✓: on the claimed side of the threshold; "
        "not a test — one or few seeds per task)"
    )
    return caption, header, body


def _measures_table(result: RegimesResult) -> tuple[str, list[str], list[list[str]]]:
    header = [
        "task",
        "regime",
        "ρ",
        "ρ√N",
        "‖w_out‖ (init)",
        "‖x‖",
        "D_x,90",
        "D_fit,90",
        "R²(2 PCs)",
        "noise compr.",
        "suscept.",
        "dissim.",
        "L (L_var)",
        "label",
    ]
    body = []
    for t in result.plan.tasks:
        for r in REGIMES:
            ms = [m for m in result.networks if m.task == t and m.regime == r]
            if not ms:
                continue

            def mean(
                f: Callable[[NetworkMeasures], float], ms: list[NetworkMeasures] = ms
            ) -> float:
                v = _finite([f(m) for m in ms])
                return float(v.mean()) if v.size else math.nan

            d = _finite(result.dissimilarity.get((t, r), []))
            labels = sorted({m.label for m in ms})
            body.append(
                [
                    t,
                    r,
                    _fmt(mean(lambda m: m.rho)),
                    _fmt(mean(lambda m: m.rho_sqrt_n)),
                    f"{_fmt(mean(lambda m: m.w_out_norm))} ({_fmt(mean(lambda m: m.w_out_norm_init))})",
                    _fmt(mean(lambda m: m.x_norm)),
                    _fmt(mean(lambda m: m.D_x)),
                    _fmt(mean(lambda m: m.D_fit)),
                    _fmt(mean(lambda m: m.r2_2pc)),
                    _fmt(mean(lambda m: m.compression)),
                    _fmt(mean(lambda m: m.susceptibility)),
                    _fmt(float(d.mean()) if d.size else math.nan),
                    f"{_fmt(mean(lambda m: m.loss))} ({_fmt(mean(lambda m: m.loss_var))})",
                    "/".join(labels),
                ]
            )
    caption = (
        "Measures per task and regime (means over seeds; dissimilarity: mean over pairs of seeds)"
    )
    return caption, header, body


def regimes_section(result: RegimesResult, out_dir: str | Path, mode: str = "quick") -> Any:
    """The report :class:`validate.core.report.Section` of a :class:`RegimesResult`: the claims
    table, the per-task tables and the figures (written into ``out_dir``)."""
    out_dir = Path(out_dir)
    figs = Figures()
    figs.draw(plots_regimes.plot_all, result, out_dir)
    verdict = claims_verdict(result.claims)
    plan = result.plan
    text = (
        "THEORY §6, paper Table 1: full-rank tanh networks (g = 1.5, dt = 0.2, batch 32, Adam "
        "at η₀/N with Table 1's η₀, x₀ noise 1, σ of the task) trained with small output "
        "weights (aligned) and large ones (oblique), "
        f"{plan.label()} ({mode} mode; Table 1 steps are 1000/4000/4000/6000/6000 at "
        "N = 512 with 5 seeds: --full)."
        "\n\nMeasures (validate.analysis.measures) on one analysis batch per task "
        f"({plan.eval_trials}+ noisy trials): ρ, norms, D_x,90, D_fit,90 and R²(k) on the "
        "condition-averaged activity; noise compression of the trial-to-trial fluctuations "
        f"after t = {plan.burn_in:g}; kicks of Δx/√N ∈ {list(plan.amplitudes)} at "
        f"t_p/T ∈ {list(plan.kick_fractions)} along w_out or the top-2 PCs (noise-free, loss "
        f"from t_p + {plan.settle:g}); Procrustes dissimilarity between seeds."
        "\n\nThis section has no theory-vs-simulation rows (the paper's regime claims are "
        "inequalities, not predicted values): its verdict is the claims table, judged by a "
        f"one-sided Student t test at level {CLAIM_ALPHA:g} with tasks as units "
        f"(validate.experiments.regimes). Claims: {verdict}."
        f"\n\nWall time: training (or loading) {result.wall_train_s:.0f} s, analysis "
        f"{result.wall_analysis_s:.0f} s."
    )
    tables = [
        claims_table(result.claims),
        _per_task_claims_table(result.claims, plan.tasks),
        _measures_table(result),
    ]
    held = claims_hold(result.claims)
    return Section(
        name="regimes",
        title="Aligned vs oblique regimes on the neuroscience "
        f"tasks (THEORY §6) — claims {verdict}",
        rows=[],
        figures=figs.paths,
        text=text + figs.note(),
        summary=result.summary(),
        tables=tables,
        verdict=held,
    )


def _mean_sd(x: np.ndarray) -> str:
    x = np.asarray(x, float)
    sd = x.std(ddof=1) if x.size > 1 else math.nan
    return f"{format_number(float(x.mean()), 3)} ± {format_number(float(sd), 2)}"


def sine_table(
    results: Sequence[SineSolutionResult],
) -> tuple[str, tuple[str, ...], list[list[str]]]:
    """(caption, header, rows) of the measures table (mean ± SD over seeds)."""
    header = (
        "solution",
        "out_scale, g, σ",
        "ρ",
        "ρ·√N",
        "‖w_out‖",
        "‖x‖",
        "‖ΔW‖_F",
        "‖ΔW‖/‖W₀‖",
        "L/L₀",
        "labels",
    )
    body = []
    for res in results:
        sol = res.solution
        body.append(
            [
                sol.name,
                f"{sol.out_scale}, {sol.g:g}, {sol.sigma:g}",
                _mean_sd(res.rho),
                _mean_sd(res.rho * math.sqrt(res.N)),
                _mean_sd(res.w_out_norm),
                _mean_sd(res.x_norm),
                _mean_sd(res.dW_norm),
                _mean_sd(res.dW_norm / res.W0_norm),
                _mean_sd(res.loss_norm),
                ", ".join(res.labels),
            ]
        )
    caption = (
        (
            f"Simple sine, four solutions (N = {results[0].N}; mean ± SD over "
            f"{len(results[0].rho)} seeds; ‖x‖ = RMS over time of the trial-averaged "
            "‖x̄(t)‖)"
        )
        if results
        else "Simple sine"
    )
    return caption, header, body


def sine_solutions_section(
    mode: str = "quick",
    runs_dir: str | Path = "runs",
    out_dir: str | Path = "oblique-report",
    log: Callable[[str], None] | None = None,
    progress: bool = True,
) -> Any:
    """The report section of the four sine solutions (``validate.core.report.Section``).

    **Arguments**
      mode: ``"tiny"``, ``"quick"`` or ``"full"`` (:func:`sine_plan`).
      runs_dir: root of the run directories (``runs_dir/regimes_sine/...``).
      out_dir: where the PNG figures are written.
      log: progress messages (default: none). progress: tqdm bars while training.

    **Returns** a Section with the rows of :func:`sine_rows`, four figures (outputs,
    PC-plane trajectories, eigenvalue spectra, learning curves) and the measures table.
    """
    plan = sine_plan(mode)
    log = log or (lambda s: None)
    t0 = time.perf_counter()
    results = run_sine_solutions(plan, runs_dir, progress=progress, log=log)
    out_dir = Path(out_dir)
    figs = Figures()
    figs.draw(plot_sine_outputs, results, out_dir / "regimes_sine_outputs.png")
    figs.draw(plot_sine_trajectories, results, out_dir / "regimes_sine_pcs.png")
    figs.draw(plot_sine_spectra, results, out_dir / "regimes_sine_spectra.png")
    figs.draw(plot_sine_learning, results, out_dir / "regimes_sine_learning.png")
    rows = sine_rows(results)
    text = (
        f"THEORY §6, the simple sine task of the 'different solutions' figure (seed 000_…): "
        f"N = {plan.N}, {plan.steps} Adam steps at lr = {plan.eta0:g}/N, {plan.seeds} seeds per "
        "solution. Settings (our mapping of the caption onto TrainConfig): "
        + "; ".join(
            f"{s.name} = {s.caption} (out_scale={s.out_scale}, g={s.g:g}, σ={s.sigma:g}, "
            f"x0_noise={s.x0_noise:g})"
            for s in SINE_SOLUTIONS
        )
        + ". Rows: the output reproduces the target (L/L₀ within the finite-size allowance) "
        "and measures.regime_label(ρ, N) gives the expected regime (aligned and marginal: "
        "ρ = O(1); lazy and oblique: ρ = O(N^{-1/2}))."
    )
    if mode == "tiny":
        text += " Tiny mode: a smoke test, the numbers are not meaningful."
    return Section(
        name="regimes-sine",
        title="Simple sine: aligned, marginal, lazy and oblique solutions",
        rows=rows,
        figures=figs.paths,
        text=text + figs.note(),
        summary={"plan": dataclasses.asdict(plan), "results": [r.summary() for r in results]},
        wall_time_s=time.perf_counter() - t0,
        tables=[sine_table(results)],
    )


def rho_scaling_section(
    mode: str = "quick",
    runs_dir: str | Path = "runs",
    out_dir: str | Path = "oblique-report",
    log: Callable[[str], None] | None = None,
    progress: bool = True,
) -> Any:
    """The report section of ρ vs N (``validate.core.report.Section``).

    **Arguments**
      mode: ``"tiny"``, ``"quick"`` or ``"full"`` (:func:`scaling_plan`).
      runs_dir: root of the run directories (``runs_dir/regimes_scaling/...``).
      out_dir: where the PNG figure is written. log: progress messages. progress: tqdm.

    **Returns** a Section with the exponent rows, the log-log figure and a table of the
    fitted exponents and of ρ, ρ·√N and L/L₀ per N.
    """
    plan = scaling_plan(mode)
    log = log or (lambda s: None)
    t0 = time.perf_counter()
    result = run_rho_scaling(plan, runs_dir, progress=progress, log=log)
    figs = Figures()
    figs.draw(plot_rho_scaling, result, Path(out_dir) / "regimes_rho_vs_N.png")
    header = ("regime", "N", "ρ (mean ± SD)", "ρ·√N", "L/L₀")
    body = []
    for regime in result.regimes:
        for i, N in enumerate(result.Ns):
            r, loss = result.rho[regime][i], result.loss_norm[regime][i]
            body.append(
                [
                    regime,
                    str(int(N)),
                    f"{format_number(r.mean(), 3)} ± {format_number(r.std(ddof=1), 2)}",
                    format_number(float((r * math.sqrt(N)).mean()), 3),
                    format_number(float(loss.mean()), 3),
                ]
            )
    fit_body = [
        [
            regime,
            f"{f.exponent:.3f} ± {f.exponent_se:.3f}",
            format_number(f.prefactor, 3),
            f"{EXPECTED_EXPONENTS[regime]:g}",
        ]
        for regime, f in result.fits.items()
    ]
    steps = scaling_config(plan, "aligned", plan.Ns[0]).steps
    text = (
        f"THEORY §1/§6: ρ vs N on the {plan.task} task, aligned (small output weights) and "
        f"oblique (large output weights), both trained with noise σ = 0.2 (preset 'regimes'), "
        f"N ∈ {list(plan.Ns)}, {steps} Adam steps, {plan.seeds} seeds per N and regime, "
        f"trial length T = {scaling_config(plan, 'aligned', plan.Ns[0]).make_task().t_max:g}. "
        "Rows: the fitted exponent k of ρ ∝ N^k vs 0 (aligned) and −1/2 (oblique), and their "
        "difference vs −1/2. The L/L₀ column says how well the networks learned the task "
        "(the aligned exponent is only meaningful for networks that produce the output)."
    )
    if mode == "tiny":
        text += " Tiny mode: a smoke test, the numbers are not meaningful."
    return Section(
        name="regimes-scaling",
        title="Correlation ρ vs network size N (cycling task)",
        rows=list(result.rows),
        figures=figs.paths,
        text=text + figs.note(),
        summary=result.summary(),
        wall_time_s=time.perf_counter() - t0,
        tables=[
            ("Fitted exponents of ρ ∝ A·N^k", ("regime", "k ± SE", "A", "expected k"), fit_body),
            ("ρ per network size (over seeds)", header, body),
        ],
    )


def _extra_sections(
    mode: str, runs_dir: Path, out_dir: Path, log: Callable[[str], None], progress: bool
) -> list[Any]:
    """The simple-sine and ρ-vs-N sections, in that order (each with its wall time)."""
    out = []
    for section in EXTRA_SECTIONS:
        name = section.__name__
        t0 = time.perf_counter()
        log(f"[{name}] starting")
        sec = section(mode, runs_dir, out_dir, log, progress)
        if getattr(sec, "wall_time_s", None) is None:
            sec.wall_time_s = time.perf_counter() - t0
        log(f"[{name}] done ({time.perf_counter() - t0:.1f} s)")
        out.append(sec)
    return out


def run_regimes_report(
    *,
    out_dir: str | Path = "oblique-regimes",
    runs_dir: str | Path = "runs",
    mode: str = "quick",
    tasks: Sequence[str] | None = None,
    progress: bool = True,
    command: str | None = None,
    stream: Any = None,
) -> tuple[Path, bool, Any, list[Any]]:
    """Run the regimes experiment (and, without ``tasks``, the extra sections), write the
    report. Returns (report.md path, passed, :class:`validate.experiments.regimes.RegimesResult`,
    sections); ``passed`` is False when a claim fails or a row of another section fails.

    Arguments:
        mode: ``"quick"``, ``"full"`` or ``"tiny"``. tasks: subset of the five tasks
        (``None``: all, plus the extra sections). progress: progress on ``stream``
        (default stderr). command: the command line for the metadata.
    """
    if mode not in ("quick", "full", "tiny"):
        raise ValueError(f"mode={mode!r} is not allowed; allowed: 'quick', 'full', 'tiny'")
    stream = sys.stderr if stream is None else stream

    log = progress_logger(progress, stream)

    out_dir, runs_dir = Path(out_dir), Path(runs_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs_dir.mkdir(parents=True, exist_ok=True)
    plan = default_regimes_plan(mode, tasks)
    t0 = time.perf_counter()
    log(f"[regimes] {plan.label()}")
    result = run_regimes(plan, runs_dir, progress=progress, log=log)
    sec = regimes_section(result, out_dir, mode)
    sec.wall_time_s = time.perf_counter() - t0
    sections = [sec]
    if tasks is None:
        sections += _extra_sections(mode, runs_dir, out_dir, log, progress)
    other_rows = [r for s in sections[1:] for r in s.rows]
    passed = result.passed and not any(r.status == "fail" for r in other_rows)
    meta = run_metadata(
        command=command,
        wall_time_s=time.perf_counter() - t0,
        mode=mode,
        tasks=list(plan.tasks),
        runs_dir=str(runs_dir),
        claims=claims_verdict(result.claims),
    )
    title = f"Aligned vs oblique regimes ({mode} mode) — claims {claims_verdict(result.claims)}"
    path = write_report(sections, out_dir, title=title, meta=meta)
    return path, passed, result, sections


#: The sections added after the regimes section when no ``tasks`` are given, in order; each is
#: ``f(mode, runs_dir, out_dir, log, progress) -> Section``.
EXTRA_SECTIONS: tuple[Callable[..., Section], ...] = (sine_solutions_section, rho_scaling_section)
