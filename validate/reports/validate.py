r"""The main job's report: what ``oblique validate`` and ``oblique plot scaling`` run.

This module imports only the standard library at import time (its command modules,
:mod:`validate.commands.validate` and :mod:`validate.commands.plot_scaling`, import it while
building the parser); the experiments, figures and JAX are imported when a function runs.

:func:`run_validate` (``oblique validate [--full] [--out DIR] [--runs DIR] [--only LIST]``)
runs the experiments of THEORY.md §5 (``static``), §4 (``gd-scaling``), §3
(``two-phase``) and the finite-dt / finite-N / per-network corrections of meanfield beyond
the paper (``corrections``, :mod:`validate.experiments.corrections`) — quick CPU settings by default,
paper scale with ``--full`` —
and writes ``report.md``, ``report.html``, ``report.json`` and the PNG figures
into ``--out`` (:func:`validate.core.report.write_report`). Trained networks live
under ``--runs`` (``simulate.sweep`` / ``simulate.train`` run directories):
finished runs are loaded, interrupted ones resume from their checkpoint, so
re-running after an interruption continues. The static check trains nothing;
its per-network estimates are cached under ``--runs/static/`` so that a re-run
does not simulate them again either. Prints the summary table and the report
path; exit status 1 when any comparison fails (or there is none), 0 otherwise
(:mod:`validate.commands.validate`).
The hidden flag ``--quick-tiny`` shrinks every experiment to a smoke-test size
(tests only; its numbers are not meaningful).

``oblique plot scaling --runs DIR --out DIR [--no-derived]``
(:func:`plot_scaling_from_runs`) redraws the scaling figure from the finished gd-scaling sweeps found under ``--runs`` (``simulate.load``
+ :func:`validate.experiments.gd_scaling.analyse_gd_scaling`), without training.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "EXPERIMENTS",
    "write_rows_csv",
    "corrections_section",
    "find_gd_scaling_runs",
    "plot_scaling_from_runs",
    "run_sections",
    "run_validate",
]

#: Experiment ids accepted by ``--only``, in the order they run and appear in the report.
EXPERIMENTS: tuple[str, ...] = ("static", "gd-scaling", "two-phase", "corrections", "bulk")
#: Version of the on-disk layout of the static cache (bump when the estimates change).
_STATIC_CACHE_VERSION = 2  # 2: L_var and Σ corrected for the centring (issue 26)


# ----------------------------------------------------------------------------- settings
def _setting(name: str, mode: str) -> Any:
    """Configs/plan of experiment ``name`` for ``mode`` in {"quick", "full", "tiny"}
    (imports only that experiment's module)."""
    full = mode == "full"
    if name == "static":
        from ..experiments import static

        if mode == "tiny":
            return [
                static.StaticConfig(
                    N=64, lambda_plus=2.6, networks=4, trials=4, t_max=30.0, t_discard=10.0, seed=0
                )
            ]
        return static.default_static_configs(full=full)
    if name == "gd-scaling":
        from ..experiments import gd_scaling

        if mode == "tiny":
            return [
                gd_scaling.GDScalingPlan(
                    sigma=1.0, Ns=(16,), seeds=2, steps=20, record_every=10, tail=0.5
                )
            ]
        return gd_scaling.default_gd_plans(full=full)
    if name == "two-phase":
        from ..experiments import two_phase

        if mode == "tiny":
            return two_phase.TwoPhasePlan(
                N=16, phase1_steps=16, phase2_steps=16, seeds=2, record_every=2
            )
        return two_phase.default_two_phase_plan(full=full)
    if name == "corrections":
        from ..experiments.corrections import CorrectionsConfig

        return {
            "tiny": CorrectionsConfig.tiny,
            "full": CorrectionsConfig.full,
            "quick": CorrectionsConfig.quick,
        }[mode]()
    if name == "bulk":
        from ..experiments.bulk import default_bulk_configs

        return default_bulk_configs(mode)
    raise ValueError(f"name={name!r} is not allowed; allowed: {', '.join(EXPERIMENTS)}")


# The tiny mode (``--quick-tiny``) uses one small configuration per experiment and one
# network size each (every jitted computation compiles once per shape, and compilation
# dominates at these sizes); its numbers test the plumbing, not the theory.


# ----------------------------------------------------------------------------- static cache
def _static_record(cfg: Any) -> dict[str, Any]:
    """What identifies a cached static simulation (JSON-normalised: tuples become lists)."""
    return json.loads(
        json.dumps({"version": _STATIC_CACHE_VERSION, "config": cfg.to_dict()}, sort_keys=True)
    )


def _static_key(cfg: Any) -> str:
    text = json.dumps(_static_record(cfg), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cached_static(cfg: Any, runs_dir: Path) -> tuple[Any, bool]:
    """:func:`validate.experiments.static.run_static` of ``cfg``, its simulation cached on disk.

    The cache holds only the simulated per-network estimates and the figure samples
    (``runs_dir/static/<hash>/estimates.npz`` with ``config.json``); theory and rows
    are recomputed from them on load (:func:`validate.experiments.static.static_result`, the same
    function :func:`~validate.experiments.static.run_static` ends with). Returns
    (result, loaded_from_cache).
    """
    import numpy as np

    from simulate.runs import atomic_write_bytes, load_cache, save_arrays

    from ..experiments import static

    where = runs_dir / "static" / _static_key(cfg)
    est_file, cfg_file = where / "estimates.npz", where / "config.json"
    if est_file.exists() and cfg_file.exists():
        stored = json.loads(cfg_file.read_text())
        if stored == _static_record(cfg):
            arrays = load_cache(est_file)  # None (warned) if it fails its checksum
            if arrays is not None:
                est = {k[len("est__") :]: v for k, v in arrays.items() if k.startswith("est__")}
                result = static.static_result(
                    cfg, est, arrays["cloud"], arrays["outputs"], arrays["switched"]
                )
                return result, True
    result = static.run_static(cfg)
    where.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(
        cfg_file,
        lambda fh: fh.write(json.dumps(_static_record(cfg), sort_keys=True, indent=1).encode()),
    )
    arrays = {f"est__{k}": np.asarray(v) for k, v in result.estimates.items()}
    arrays.update(cloud=result.cloud, outputs=result.outputs, switched=result.switched)
    save_arrays(est_file, arrays)
    return result, False


# ----------------------------------------------------------------------------- experiments
def _fmt_fit(fit: Any) -> str:
    import math

    from ..core.report import format_number

    k = float(getattr(fit, "exponent", math.nan)) if fit is not None else math.nan
    if not math.isfinite(k):
        return "— (needs ≥ 2 sizes)"
    return f"{format_number(k, 3)} ± {format_number(getattr(fit, 'exponent_se', None), 2)}"


def _static_section(
    configs: Sequence[Any], runs_dir: Path, out_dir: Path, log: Callable[[str], None]
) -> Any:
    from ..core.report import Section
    from ..experiments.static import EXTENDED_SUFFIX
    from ..figures.static import plot_static_clouds, plot_static_histograms

    results = []
    for i, cfg in enumerate(configs, 1):
        t0 = time.perf_counter()
        res, cached = _cached_static(cfg, runs_dir)
        log(
            f"  static [{i}/{len(configs)}] {cfg.label()}: "
            f"{'loaded from cache' if cached else 'simulated'} ({time.perf_counter() - t0:.1f} s)"
        )
        results.append(res)
    from .figure_guard import Figures

    figs = Figures()
    shown = [r for r in results if r.config.N in (256, 1024) and r.config.dt == 0.2] or results
    figs.draw(plot_static_clouds, shown, out_dir / "static_clouds.png")
    figs.draw(plot_static_histograms, shown, out_dir / "static_histograms.png")
    switched = max(float(r.switched.max()) for r in results)
    text = (
        "THEORY §5: rank-2 erf networks with given symmetric M (nothing trained), simulated "
        "around ±x̄; ‖κ̄‖, ρ, the mean output, L_var and the latent covariance Σ of "
        "√N(κ − κ̄) against §2. SE over independent draws of U (the sampling unit: the "
        "quenched U moves the finite-N fixed point). The plain rows test the paper's "
        "continuous-time theory, which does not include the Euler step (it inflates the "
        "variance of a mode decaying at rate r by about 1/(1 − dt·r/2)) nor the finite-N "
        f"noise that leaks through the nonlinearity; rows marked '{EXTENDED_SUFFIX.strip()}' "
        "compare with meanfield's prediction for the simulated Euler map including both "
        "(beyond THEORY §2). Rows '(dt → 0)' judge the two continuous-time theories (the "
        "paper's, and meanfield's with the leak through φ) on their own terms: the simulation "
        "extrapolated linearly to dt → 0 from the smaller steps (validate.experiments."
        "dt_extrapolation). Each row's tolerance is the declared model error D/ΔV at its "
        "point, and points with D/ΔV > 0.1 are outside every variant's domain, predicted "
        "before simulating (meanfield.switching). Figures: N = 256 and 1024 at dt = 0.2."
        f"\n\nLargest fraction of samples on the mirror side of the fixed point (basin "
        f"switches): {switched:.3g}."
    )
    from ..experiments.dt_extrapolation import dt_extrapolation_rows

    rows = [r for res in results for r in res.rows] + dt_extrapolation_rows(results)
    return Section(
        name="static",
        title="Static check of the mean-field theory (THEORY §5)",
        rows=rows,
        figures=figs.paths,
        text=text + figs.note(),
        summary={"results": [r.summary() for r in results]},
        tables=[_switching_table(results)],
    )


def _switching_table(results: Sequence[Any]) -> tuple[str, list[str], list[list[str]]]:
    """Predicted (meanfield.switching, before simulating) against detected switching between
    ±κ̄ at every static point: D/ΔV, the Kramers rate's expected fraction of samples at the
    mirror fixed point over the kept window, the simulated fraction (mean ± SE over
    networks), and the domain."""
    import math

    import numpy as np

    from meanfield.switching import barrier

    from ..core.report import format_number

    body = []
    for res in results:
        c = res.config
        b = barrier(c.lambda_plus, c.sigma, c.N, dt=c.dt)
        pred = float(b.mirror_fraction(c.t_discard, c.t_max))
        sw = np.asarray(res.switched, float)
        se = float(sw.std(ddof=1) / math.sqrt(sw.size)) if sw.size > 1 else math.nan
        inside = not any(r.domain for r in res.rows)
        body.append(
            [
                f"N={c.N}, λ₊={c.lambda_plus:g}, dt={c.dt:g}",
                format_number(float(b.noise_to_barrier), 2),
                format_number(pred, 2),
                f"{format_number(float(sw.mean()), 2)} ± {format_number(se, 1)}",
                "inside" if inside else "outside",
            ]
        )
    caption = (
        "Switching between ±κ̄, predicted before simulating (Kramers rate of the latent "
        "double well, meanfield.switching; reliable for D/ΔV ≲ 0.5) and detected "
        "(fraction of samples on the mirror side, mean ± SE over networks)"
    )
    return caption, ["point", "D/ΔV", "predicted mirror fraction", "simulated", "domain"], body


def _gd_results(
    plans: Sequence[Any], runs_dir: Path, tiny: bool, progress: bool, log: Callable[[str], None]
) -> list[Any]:
    """Train (or load / resume) and analyse every plan.

    The tiny mode trains through the same public pieces as
    :func:`validate.experiments.gd_scaling.run_gd_scaling` (``gd_scaling_config`` + ``simulate``'s
    ``sweep``) into its own directory and skips the sympy large-N derivation
    (``derived=False``: ~45 s of CPU, more than the whole tiny budget).
    """
    from simulate.training import sweep

    from ..experiments import gd_scaling

    results = []
    for i, plan in enumerate(plans, 1):
        t0 = time.perf_counter()
        log(
            f"  gd-scaling [{i}/{len(plans)}] σ={plan.sigma:g}, N={list(plan.Ns)}, "
            f"seeds={plan.seeds}"
        )
        if tiny:
            runs = sweep(
                gd_scaling.gd_scaling_config(plan),
                [int(n) for n in plan.Ns],
                runs_dir / f"gd_scaling_tiny_{plan.label()}",
                progress=progress,
            )
            results.append(gd_scaling.analyse_gd_scaling(runs, plan, derived=False))
        else:
            results.append(gd_scaling.run_gd_scaling(plan, runs_dir, progress=progress))
        log(f"  gd-scaling [{i}/{len(plans)}] done ({time.perf_counter() - t0:.1f} s)")
    return results


def _gd_section(
    plans: Sequence[Any],
    runs_dir: Path,
    out_dir: Path,
    progress: bool,
    log: Callable[[str], None],
    *,
    tiny: bool = False,
) -> Any:
    from ..core.report import Section, format_number
    from ..figures.learning import plot_gd_learning
    from ..figures.scaling import plot_scaling

    results = _gd_results(plans, runs_dir, tiny, progress, log)
    from .figure_guard import Figures

    figs = Figures()
    figs.draw(plot_scaling, results, out_dir / "gd_scaling.png")
    for res in results:
        figs.draw(plot_gd_learning, res, out_dir / f"gd_learning_{res.plan.label()}.png")
    header = (
        "σ",
        "quantity",
        "sim. exponent ± SE",
        "theory exponent (same N) ± SE",
        "derived large-N exponent",
        "derived N → ∞ limit",
        "derived prefactor",
    )
    body = []
    for res in results:
        for q, fits in res.fits.items():
            derived = res.derived.get(q, {}) if isinstance(res.derived, dict) else {}
            body.append(
                [
                    f"{res.plan.sigma:g}",
                    q,
                    _fmt_fit(fits.get("sim")),
                    _fmt_fit(fits.get("theory")),
                    *(
                        format_number(derived.get(f) if isinstance(derived, dict) else None, 3)
                        for f in ("exponent", "limit", "prefactor")
                    ),
                ]
            )
    flow_header = ("σ", "quantity", "simulation ± SE", "learning flow", "optimum (same N) ± SE")
    flow_body = [
        [
            f"{res.plan.sigma:g}",
            q,
            _fmt_fit(d.get("sim")),
            _fmt_fit(d.get("flow")),
            _fmt_fit(res.fits.get(q, {}).get("theory")),
        ]
        for res in results
        for q, d in res.flow_fits.items()
    ]
    errors = [
        str(r.derived["_error"].get("message"))
        for r in results
        if isinstance(r.derived, dict) and "_error" in r.derived
    ]
    text = (
        "THEORY §4: rank-2 erf networks, only M trained from 0 by SGD, large output weights. "
        "At the end of training each seed's λ₋ gives the theory optimum (λ₊*, ‖κ̄*‖, ρ*, "
        "L_var*) — a paired comparison, SE over seeds. Power laws q ≈ A·N^k are fitted to the "
        "per-seed simulation values and to the per-seed theory values over the same N. The "
        "paper reports that with small noise the trained networks keep an O(1) ‖κ̄‖ from "
        "early learning while the theory optimum shrinks with N: such rows are expected to "
        "fail and are reported, not hidden. Derived large-N laws (meanfield.large_n_scaling) "
        "are evaluated at the seeds' mean trained λ₋; λ₊ has no derived law of its own "
        "(the derived one is for λ₊* − λ_min). The package's learning flow "
        "(meanfield.learning_flow: the same SGD from M = 0 applied to the mean-field expected "
        "loss of a trial, THEORY §4) predicts the whole trajectory; its rows compare window "
        "means of the records at mid-training and at the end, its L_var rows carry the "
        "noise leaking through φ (which the flow neglects) as their declared tolerance, and "
        "the last table sets the end-of-training N-exponents of simulation, flow and optimum "
        "side by side."
    )
    if errors:
        text += "\n\nDerived large-N exponents unavailable: " + "; ".join(sorted(set(errors)))
    elif any(not r.derived for r in results):
        text += (
            "\n\nDerived large-N exponents not computed in this mode (the sympy "
            "derivation is skipped by --quick-tiny)."
        )
    return Section(
        name="gd-scaling",
        title="Gradient descent across N (THEORY §4)",
        rows=[r for res in results for r in res.rows],
        figures=figs.paths,
        text=text + figs.note(),
        summary={"results": [r.summary() for r in results]},
        tables=([("Power-law exponents k of q ∝ N^k", header, body)] if body else [])
        + (
            [
                (
                    "End-of-training exponents: simulation, learning flow, optimum",
                    flow_header,
                    flow_body,
                )
            ]
            if flow_body
            else []
        ),
    )


def _two_phase_section(
    plan: Any, runs_dir: Path, out_dir: Path, progress: bool, log: Callable[[str], None]
) -> Any:
    from ..core.report import Section
    from ..experiments import two_phase
    from ..figures.learning import plot_two_phase

    t0 = time.perf_counter()
    log("  two-phase: training (linear network, two learning-rate phases)")
    result = two_phase.run_two_phase(plan, runs_dir, progress=progress)
    log(f"  two-phase: done ({time.perf_counter() - t0:.1f} s)")
    from .figure_guard import Figures

    figs = Figures()
    figs.draw(plot_two_phase, result, out_dir / "two_phase.png")
    summary = result.summary() if hasattr(result, "summary") else {}
    text = (
        "THEORY §3: a linear network (W from 0, full N×N W trained by SGD) with learning "
        "rate η₀/N in phase 1 and η₀ in phase 2. Learning curves of L, L_bias, L_var, M₁₁, "
        "M₁₂ and ‖Δx̄‖ against the closed forms; the rows compare the end of each phase."
    )
    return Section(
        name="two-phase",
        title="Two-phase learning in a linear network (THEORY §3)",
        rows=list(result.rows),
        figures=figs.paths,
        text=text + figs.note(),
        summary=summary,
    )


# ----------------------------------------------------------------------------- main job
def run_validate(
    *,
    out_dir: str | Path = "oblique-report",
    runs_dir: str | Path = "runs",
    mode: str = "quick",
    only: Sequence[str] = EXPERIMENTS,
    progress: bool = True,
    command: str | None = None,
    stream: Any = None,
    strict_paper: bool = False,
) -> tuple[Path, bool]:
    """Run the selected experiments, write the report; returns (report.md path, verdict).

    The verdict is True when every claim of the package's own theory (the best variant,
    :mod:`meanfield.variants`) holds inside its domain and none fails
    (:class:`validate.core.verdict.Verdict`); the paper's theory is reported as findings
    unless ``strict_paper``.

    Arguments:
        out_dir: report directory.
        runs_dir: stored runs (reused / resumed).
        mode: ``"quick"`` (CPU defaults), ``"full"`` (paper scale) or ``"tiny"`` (smoke test).
        only: experiment ids, a subset of :data:`EXPERIMENTS`.
        progress: progress lines and bars on ``stream`` (default ``sys.stderr``).
        command: command line recorded in the metadata.
        strict_paper: the paper variant's claims count for the verdict too.
    """
    path, _, verdict = run_sections(
        out_dir=out_dir,
        runs_dir=runs_dir,
        mode=mode,
        only=only,
        progress=progress,
        command=command,
        stream=stream,
        strict_paper=strict_paper,
    )
    return path, verdict.passed


def run_sections(
    *,
    out_dir: str | Path,
    runs_dir: str | Path,
    mode: str,
    only: Sequence[str],
    progress: bool,
    command: str | None,
    stream: Any,
    strict_paper: bool = False,
) -> tuple[Path, list[Any], Any]:
    """:func:`run_validate`, returning (report.md path, the report sections, the
    :class:`validate.core.verdict.Verdict`) — what ``oblique validate`` runs. Also writes the
    per-row table as ``rows.csv`` (one row per comparison, tidy columns)."""
    if mode not in ("quick", "full", "tiny"):
        raise ValueError(f"mode={mode!r} is not allowed; allowed: 'quick', 'full', 'tiny'")
    bad = [o for o in only if o not in EXPERIMENTS]
    if bad or not only:
        raise ValueError(
            f"only={list(only)!r} is not allowed; allowed: a non-empty subset of "
            f"{list(EXPERIMENTS)}"
        )
    stream = sys.stderr if stream is None else stream

    from .progress import progress_logger

    log = progress_logger(progress, stream)

    from ..core.report import run_metadata, write_report

    out_dir, runs_dir = Path(out_dir), Path(runs_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs_dir.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    sections = []
    for name in EXPERIMENTS:
        if name not in only:
            continue
        log(f"[{name}] starting")
        t0 = time.perf_counter()
        setting = _setting(name, mode)
        if name == "static":
            sec = _static_section(setting, runs_dir, out_dir, log)
        elif name == "gd-scaling":
            sec = _gd_section(setting, runs_dir, out_dir, progress, log, tiny=mode == "tiny")
        elif name == "two-phase":
            sec = _two_phase_section(setting, runs_dir, out_dir, progress, log)
        elif name == "bulk":
            sec = bulk_section(setting, out_dir, log, progress=progress)
        else:
            sec = corrections_section(setting, runs_dir, out_dir, log, progress=progress)
        sec.wall_time_s = time.perf_counter() - t0
        from ..core.stats import status_counts

        counts = status_counts(sec.rows)
        log(
            f"[{name}] {len(sec.rows)} comparisons: "
            + ", ".join(f"{n} {st}" for st, n in counts.items())
            + f" ({sec.wall_time_s:.1f} s)"
        )
        sections.append(sec)
    from ..core.stats import family_control
    from ..core.verdict import judge

    controlled = iter(family_control([r for sec in sections for r in sec.rows]))
    for sec in sections:  # every row judged in its claim's family before it is written
        sec.rows = [next(controlled) for _ in sec.rows]
    verdict = judge([r for sec in sections for r in sec.rows], strict_paper=strict_paper)
    meta = run_metadata(
        command=command,
        wall_time_s=time.perf_counter() - t_start,
        mode=mode,
        experiments=list(only),
        runs_dir=str(runs_dir),
        strict_paper=strict_paper,
    )
    path = write_report(
        sections, out_dir, title=f"Theory vs simulation ({mode} mode)", meta=meta, verdict=verdict
    )
    write_rows_csv([r for sec in sections for r in sec.rows], out_dir / "rows.csv")
    return path, sections, verdict


def write_rows_csv(rows: Sequence[Any], path: str | Path) -> Path:
    """The comparison rows as a tidy CSV (pandas; one line per row, the fields of
    :class:`validate.core.stats.Comparison`), written atomically."""
    import pandas as pd

    from simulate.runs import atomic_write_bytes

    frame = pd.DataFrame([r.to_dict() for r in rows])
    path = Path(path)
    atomic_write_bytes(path, lambda fh: fh.write(frame.to_csv(index=False).encode("utf-8")))
    return path


# ----------------------------------------------------------------------------- plot scaling
def find_gd_scaling_runs(runs_dir: str | Path) -> list[tuple[Any, list[Path]]]:
    """Finished gd-scaling sweeps under ``runs_dir``: [(GDScalingPlan, run directories)].

    A sweep is a directory whose finished run sub-directories (with ``run.json``) hold
    configs equal to :func:`validate.experiments.gd_scaling.gd_scaling_config` of the plan rebuilt
    from them (σ, seeds, steps, record interval, seed), at different N. Unfinished runs
    and other runs (two-phase, …) are skipped.
    """
    from simulate.config import TrainConfig

    from ..experiments import gd_scaling

    groups: dict[Path, list[tuple[Any, Path]]] = {}
    for marker in sorted(Path(runs_dir).rglob("run.json")):
        try:
            cfg = TrainConfig.from_json((marker.parent / "config.json").read_text())
        except (OSError, ValueError, TypeError):
            continue
        groups.setdefault(marker.parent.parent, []).append((cfg, marker.parent))
    found = []
    for _, items in sorted(groups.items()):
        c0 = items[0][0]
        try:
            plan = gd_scaling.GDScalingPlan(
                sigma=float(c0.sigma),
                Ns=tuple(sorted(int(c.N) for c, _ in items)),
                seeds=int(c0.seeds),
                steps=int(c0.steps),
                record_every=int(c0.record_every),
                seed=int(c0.seed),
            )
            expected = gd_scaling.gd_scaling_config(plan)
        except (ValueError, TypeError):
            continue
        if all(c.to_dict() == expected.replace(N=int(c.N)).to_dict() for c, _ in items):
            found.append((plan, [d for _, d in sorted(items, key=lambda t: t[0].N)]))
    return found


def plot_scaling_from_runs(
    runs_dir: str | Path, out_dir: str | Path, *, derived: bool = True
) -> Path:
    """Draw ``out_dir/gd_scaling.png`` from the stored gd-scaling sweeps (no training).

    ``derived=False`` leaves out the derived large-N guide lines (their sympy
    derivation, ``meanfield.large_n_scaling``, takes ~45 s of CPU once per process).
    Raises ValueError when ``runs_dir`` holds no finished gd-scaling sweep.
    """
    import simulate

    from ..experiments.gd_scaling import analyse_gd_scaling

    sweeps = find_gd_scaling_runs(runs_dir)
    if not sweeps:
        raise ValueError(
            f"runs={str(runs_dir)!r} holds no finished gd-scaling runs; allowed: "
            "a --runs directory written by 'oblique validate'"
        )
    from ..figures.scaling import plot_scaling

    results = [
        analyse_gd_scaling([simulate.load(d) for d in dirs], plan, derived=derived)
        for plan, dirs in sweeps
    ]
    return plot_scaling(results, Path(out_dir) / "gd_scaling.png")


def _lvar_table(result: Any) -> tuple[str, list[str], list[list[str]]]:
    import math

    import numpy as np

    from ..core.report import format_number
    from ..experiments.corrections import VARIANTS

    header = ["setting", "L_var sim ± SE", *(f"{v}" for v in VARIANTS), "sim/paper"]
    body = []
    for p in result.points:
        lv = p.estimates["loss_var"]
        se = float(np.std(lv, ddof=1) / math.sqrt(lv.size))
        m = float(np.mean(lv))
        body.append(
            [
                p.setting(),
                f"{format_number(m)} ± {format_number(se, 2)}",
                *(format_number(p.theory[v]["loss_var"]) for v in VARIANTS),
                format_number(m / p.theory["paper"]["loss_var"], 3),
            ]
        )
    return "L_var: simulation (mean ± SE over networks) and each theory variant", header, body


def _fraction_table(result: Any) -> tuple[str, list[str], list[list[str]]]:
    from ..experiments.corrections import QUENCHED, VARIANTS, pass_fractions

    fr = pass_fractions(result)
    keys = list(dict.fromkeys(k for cells in fr.values() for k in cells))
    body = [
        [v, *(f"{fr[v][k][0]}/{fr[v][k][1]}" if k in fr.get(v, {}) else "—" for k in keys)]
        for v in (*VARIANTS, QUENCHED)
    ]
    return "Passing rows per variant", ["variant", *keys], body


def corrections_section(
    cfg: Any,
    runs_dir: Path,
    out_dir: Path,
    log: Callable[[str], None],
    *,
    progress: bool = False,
) -> Any:
    """The report section of the corrections experiment (:class:`validate.core.report.Section`).

    Runs :func:`validate.experiments.corrections.run_corrections` with the cache under ``runs_dir``; writes the figures
    ``corrections_loss_var.png`` and ``corrections_zscores.png`` into ``out_dir``; text =
    a short description + :func:`~validate.experiments.corrections.headline`; tables: L_var per
    point, pass fractions; summary = ``CorrectionsResult.summary()``.
    """
    import numpy as np

    from ..core.report import Section
    from ..experiments.corrections import corrections_rows, headline, run_corrections
    from ..figures.corrections import plot_corrections_loss_var, plot_corrections_zscores

    result = run_corrections(cfg, cache_dir=Path(runs_dir), progress=progress, log=log)
    out_dir = Path(out_dir)
    from .figure_guard import Figures

    figs = Figures()
    figs.draw(plot_corrections_loss_var, result, out_dir / "corrections_loss_var.png")
    figs.draw(plot_corrections_zscores, result, out_dir / "corrections_zscores.png")
    switched = max(float(np.max(p.switched)) for p in result.points)
    c = cfg
    intro = (
        "Issue 5: the static rank-2 erf networks of THEORY §5 on a grid N ∈ "
        f"{list(c.Ns)}, λ₋ ∈ {list(c.lambda_minus)}, λ₊ = λ₊*(N, λ₋) + "
        f"{list(c.lambda_plus_offsets)} (λ₊*: continuous-time L_var optimum), dt ∈ "
        f"{list(c.dts)}, σ = {c.sigma:g}, ẑ = {c.z_target:g}; {c.networks} networks × "
        f"{c.trials} trials per point, SE over networks. Variants: 'paper' = THEORY §2; 'dt' = "
        "the Euler map (orthogonal variance σ²/(1 − dt/2), Stein equation); 'Hermite' = "
        f"finite-N noise leaking through φ (orders 1..{c.hermite_orders}); 'dt + Hermite' = "
        "both; 'quenched' = per-network fixed points for the simulated U (Euler map c₀). "
        f"Largest basin-switch fraction: {switched:.3g}."
    )
    return Section(
        name="corrections",
        title="Beyond the paper: finite dt, finite N and per-network predictions (issue 5)",
        rows=corrections_rows(result),
        figures=figs.paths,
        text=intro + "\n\n" + headline(result) + figs.note(),
        summary=result.summary(),
        tables=[_lvar_table(result), _fraction_table(result)],
    )


def bulk_section(
    configs: Sequence[Any], out_dir: Path, log: Callable[[str], None], *, progress: bool = False
) -> Any:
    """The report section of the random-bulk experiment (THEORY §7,
    :mod:`validate.experiments.bulk`): simulates every config (no cache: ~3 s a point
    here), rows per point, figures ``bulk_state.png`` and ``bulk_autocorrelation.png``."""
    from tqdm.auto import tqdm

    from ..core.report import Section
    from ..experiments.bulk import bulk_rows, lambda_c_rows, latent_rows, simulate_bulk
    from ..figures.bulk import plot_bulk_autocorrelation, plot_bulk_latent, plot_bulk_state
    from .figure_guard import Figures

    points = []
    for cfg in tqdm(configs, desc="bulk points", disable=not progress):
        points.append(simulate_bulk(cfg))
        log(f"[bulk] {cfg.label()}: {cfg.networks} networks simulated")
    rows = bulk_rows(points) + lambda_c_rows(points) + latent_rows(points)
    figs = Figures()
    figs.draw(plot_bulk_state, points, Path(out_dir) / "bulk_state.png")
    figs.draw(plot_bulk_autocorrelation, points, Path(out_dir) / "bulk_autocorrelation.png")
    figs.draw(plot_bulk_latent, points, Path(out_dir) / "bulk_latent.png")
    c = configs[0]
    text = (
        "THEORY §7: rank-2 erf networks with a random bulk g·χ (χᵢⱼ ~ N(0, 1/N)), "
        f"M = diag(λ₊, −2), σ ∈ {sorted({k.sigma for k in configs})}, g ∈ "
        f"{sorted({k.g for k in configs})}, N ∈ {sorted({k.N for k in configs})}, "
        f"{c.networks} networks per point, Euler step dt = {c.dt:g}. The dynamic mean-field "
        "theory (meanfield.bulk_state, Δ(τ) from energy conservation) is evaluated at each "
        "network's own total input variance v (λ_eff = 1/⟨φ'⟩(v)): the bulk moves the outlier "
        "eigenvalue along U by O(g/√N) from network to network, a quenched shift of the "
        "fixed point that the averaged theory does not follow; given v, c₀, c∞, ‖κ̄‖ and "
        "Δ(τ) are the DMFT's predictions. Declared model error: dt + 1/N (Euler step, "
        "finite N). Below λ_c (no fixed point) only c₀ and Δ(τ) are compared (c∞ = ‖κ̄‖ = 0 "
        "there, where relative errors are undefined). The transition: a sweep of λ₊ across "
        "λ_c with the same networks; per network the shift of the DMFT's ‖κ̄‖²(λ₊) that fits "
        "the points above λ_c locates its critical λ₊ (row λ_c). Latent fluctuations: "
        "Σ₊₊, Σ₋₋ = N·Cov_t(κ) along v₊, v₋ against meanfield.bulk_latent_covariance (the "
        "linear-noise approximation with the bulk field and Hermite drives filtered by Δ(τ)); "
        "its v₊ part neglects the retardation of the orthogonal variance's response to δκ, "
        "bracketed by the 'adiabatic' (prediction) and 'frozen' variants and declared small "
        "only for g < 1; 'g = 0 theory' shows what ignoring the bulk would predict."
    )
    return Section(
        name="bulk",
        title="Random bulk g > 0: dynamic mean-field theory (THEORY §7)",
        rows=rows,
        figures=figs.paths,
        text=text + figs.note(),
    )
