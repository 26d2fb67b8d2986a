r"""The report of ``oblique universality`` (seed 002): train, analyse, draw, assemble.

:func:`run_universality` trains (or loads and resumes) Vanilla/UGRNN/GRU/LSTM networks with
tanh and relu on the 3-bit flip-flop, the frequency-cued sine and context-dependent
integration, compares their geometry (SVCCA, CKA) and fixed-point topology
(:mod:`validate.experiments.universality`) and writes report.md/.html/.json with the MDS
figures. The command line is :mod:`validate.commands.universality`.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..core.report import Section, format_number, run_metadata, write_report
from ..experiments.universality import (
    UniversalityPlan,
    analyse_task,
    claim_holds,
    train_population,
)
from ..figures.universality import plot_sine_frequencies, plot_universality_mds
from .figure_guard import Figures
from .progress import progress_logger

__all__ = ["run_universality", "universality_section"]


def run_universality(
    *,
    out_dir: str | Path = "universality-report",
    runs_dir: str | Path = "runs",
    mode: str = "quick",
    tasks: tuple[str, ...] | None = None,
    progress: bool = True,
    stream: Any = None,
    executor: str = "inprocess",
    address: str | None = None,
    topology: str = "attractors",
) -> tuple[Path, bool]:
    """Run the experiment and write the report; returns (report.md, claim held everywhere).

    ``topology``: ``"attractors"`` or ``"points"`` (:class:`validate.experiments.universality.UniversalityPlan`).
    """
    if mode not in ("quick", "full", "tiny"):
        raise ValueError(f"mode={mode!r} is not allowed; allowed: 'quick', 'full', 'tiny'")
    plan = {
        "quick": UniversalityPlan.quick,
        "full": UniversalityPlan.full,
        "tiny": UniversalityPlan.tiny,
    }[mode]()
    if tasks:
        plan = dataclasses.replace(plan, tasks=tuple(tasks))
    plan = dataclasses.replace(plan, topology=topology)
    stream = sys.stderr if stream is None else stream

    log = progress_logger(progress, stream)

    t0 = time.perf_counter()
    sec = universality_section(
        plan, runs_dir, out_dir, log, progress=progress, executor=executor, address=address
    )
    sec.wall_time_s = time.perf_counter() - t0
    meta = run_metadata(
        command=None,
        wall_time_s=sec.wall_time_s,
        mode=mode,
        experiments=list(plan.tasks),
        runs_dir=str(runs_dir),
    )
    path = write_report(
        [sec], out_dir, title=f"Universality across architectures ({mode})", meta=meta
    )
    held = all(v is True for v in sec.summary["claims"].values())
    return path, held


def universality_section(
    plan: UniversalityPlan,
    runs_dir: str | Path,
    out_dir: str | Path,
    log: Callable[[str], None],
    *,
    progress: bool = False,
    executor: str = "inprocess",
    address: str | None = None,
) -> Any:
    """Train, analyse and describe the experiment as a :class:`validate.core.report.Section`
    (``executor``/``address``: see :func:`train_population`)."""
    out_dir = Path(out_dir)
    nets, failed = train_population(
        plan, runs_dir, progress=progress, log=log, executor=executor, address=address
    )
    analyses = []
    for task in plan.tasks:
        t0 = time.perf_counter()
        analyses.append(analyse_task(plan, nets[task], progress=progress))
        log(f"  universality {task}: analysed ({time.perf_counter() - t0:.1f} s)")
    figs = Figures()
    for a in analyses:
        figs.draw(plot_universality_mds, a, out_dir / f"universality_{a.task}.png")
    sine = [a for a in analyses if a.task == "sine_freq"]
    if sine:
        figs.draw(plot_sine_frequencies, sine[0], out_dir / "universality_sine.png")

    header = (
        "task",
        "distance",
        "between/within ratio",
        "permutation p",
        "networks",
        "clusters by architecture",
    )
    rows, verdicts = [], []
    for a in analyses:
        for name in a.clusters:
            c = a.clusters[name]
            yes = (
                "—" if not math.isfinite(c.p_value) else ("yes" if c.p_value < plan.alpha else "no")
            )
            rows.append(
                (
                    a.task,
                    name,
                    format_number(c.ratio, 3),
                    format_number(c.p_value, 3),
                    str(c.n),
                    yes,
                )
            )
        verdicts.append((a.task, claim_holds(a, plan.alpha)))
    fp_rows = []
    for a in analyses:
        for (arch, act), k0, k, q, loss, c, g in zip(
            a.labels,
            a.n_fixed_first,
            a.n_fixed,
            a.best_q,
            a.losses,
            a.census,
            a.attractor_graphs,
            strict=False,
        ):
            fp_rows.append(
                (
                    a.task,
                    arch,
                    act,
                    format_number(loss, 3),
                    f"{int(k0)} → {int(k)}",
                    str(c.n_stable),
                    str(c.n_index1),
                    str(c.n_index_more),
                    f"{g.n_attractors} ({int(g.from_probes.sum())})",
                    str(int(g.links.sum()) // 2),
                    format_number(g.elsewhere, 2),
                    format_number(q, 2),
                )
            )
    text_v = "; ".join(
        f"{t}: {'holds' if v else 'does not hold' if v is not None else 'undetermined'}"
        for t, v in verdicts
    )
    text = (
        "Seed 002: networks of different architectures (Vanilla, UGRNN, GRU, LSTM) and "
        "activations trained on the same task. Geometry = SVCCA / linear-CKA distances of "
        "the hidden activity on one shared noise-free batch; topology "
        f"({plan.topology}, used for the claim) = "
        + (
            "matched distance of the attractor escape matrices and saddle-link graphs "
            "(attractors = where the noise-free dynamics settle from the stable fixed points "
            "and from trajectory samples; links = index-1 saddles whose kicks reach both "
            "attractors; attractors matched by readout)"
            if plan.topology == "attractors"
            else "Frobenius distance of readout-ordered transition matrices over all fixed points"
        )
        + "; networks with a non-modal count are not compared by it and are listed; "
        "topology_spectral (all networks, size-invariant) = 1-Wasserstein distance between "
        "the normalised-Laplacian spectra of the saddle-link graphs. The statistic is the ratio "
        "of mean between-architecture to mean within-architecture distance, with a "
        f"label-permutation p-value ({plan.permutations} permutations, α = {plan.alpha}). "
        "The seed's claim — geometry clusters by architecture while topology does not — "
        f"per task: {text_v}."
    )
    if failed:
        text += (
            "\n\nConfigurations whose training diverged (left out; seed 002 also "
            "excluded LSTM-relu): " + "; ".join(f"{t} {a}/{f}" for t, a, f, _ in failed) + "."
        )
    off = {a.task: a.topology.off_modal.tolist() for a in analyses}
    off_text = "; ".join(
        f"{a.task}: modal {a.topology.modal_count} {plan.topology}, "
        f"{len(a.labels) - len(a.topology.off_modal)} of {len(a.labels)} networks compared"
        + (
            ", off-modal: "
            + ", ".join(
                f"{a.labels[i][0]}/{a.labels[i][1]} (count {int(a.topology.counts[i])})"
                for i in a.topology.off_modal
            )
            if len(a.topology.off_modal)
            else ""
        )
        for a in analyses
    )
    text += f"\n\nTopology comparison ({plan.topology}): {off_text}."
    empty = [a.task for a in analyses if a.topology.modal_count == 0]
    if empty:
        text += (
            "\n\nNo attractor in most networks of " + ", ".join(empty) + ": their "
            "topologies are all the empty graph (distance 0 among them), so the topology "
            "half of the claim is uninformative there."
        )
    summary = {
        "plan": dataclasses.asdict(plan),
        "claims": {t: v for t, v in verdicts},
        "off_modal": off,
        "failed": [list(f) for f in failed],
        "topology_method": plan.topology,
        "modal_count": {a.task: a.topology.modal_count for a in analyses},
        "modal_fixed_points": {a.task: a.topology_points.modal_count for a in analyses},
        "modal_attractors": {a.task: a.attractors.modal_count for a in analyses},
        "off_modal_points": {a.task: a.topology_points.off_modal.tolist() for a in analyses},
        "off_modal_attractors": {a.task: a.attractors.off_modal.tolist() for a in analyses},
        "census": {
            a.task: [
                {
                    "arch": arch,
                    "activation": act,
                    "points_first_search": int(k0),
                    "points": c.n_points,
                    "stable": c.n_stable,
                    "index1": c.n_index1,
                    "index_more": c.n_index_more,
                    "log10_q": [float(v) for v in c.log10_q],
                    "min_nearest": float(np.nanmin(c.nearest)) if c.n_points > 1 else None,
                    "attractors": g.n_attractors,
                    "attractors_from_probes": int(g.from_probes.sum()),
                    "links": int(g.links.sum()) // 2,
                    "elsewhere": g.elsewhere,
                    "unsettled": g.unsettled,
                }
                for (arch, act), k0, c, g in zip(
                    a.labels, a.n_fixed_first, a.census, a.attractor_graphs, strict=False
                )
            ]
            for a in analyses
        },
        "cdi_modes_needed": {a.task: a.cdi_modes.tolist() for a in analyses if a.task == "cdi"},
    }
    return Section(
        name="universality",
        title="Universality and individuality across architectures (seed 002)",
        rows=[],
        figures=figs.paths,
        text=text + figs.note(),
        summary=summary,
        verdict=all(v is True for _, v in verdicts),
        tables=[
            ("Clustering of distances by architecture", header, rows),
            (
                (
                    "Trained networks: final loss, fixed points found at u* (first search → "
                    "with the boundary search; then of these: stable; "
                    "index-1 saddles; ≥ 2 unstable modes), attractors (of which found only by "
                    "relaxing trajectory samples), saddle links, kicks ending elsewhere, best q"
                ),
                (
                    "task",
                    "arch",
                    "activation",
                    "final loss",
                    "fixed points",
                    "stable",
                    "index-1",
                    "index ≥ 2",
                    "attractors (probes)",
                    "links",
                    "elsewhere",
                    "best q",
                ),
                fp_rows,
            ),
        ],
    )
