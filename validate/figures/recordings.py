"""Figures of the recording analysis (THEORY.md §6, last paragraph): the paper's panels of ρ and
D_fit,90/D_x,90 per data set and output, and ρ·√n under subsampling of neurons."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..analysis.recordings import GUIDE_SLOPES, Subsampling
from ..experiments.recordings import RecordingsResult
from .style import figure, save

__all__ = ["plot_recording_panels", "plot_subsampling"]


def plot_subsampling(
    result: Subsampling | Sequence[Subsampling],
    path: str | Path,
    *,
    labels: Sequence[str] | None = None,
) -> Path:
    """Quality of fit and ρ·√n vs the number of neurons n (log-log), with n^p guides.

    Top: cross-validated R² of the refitted readout (mean ± SE over random subsets). Bottom:
    ρ·√n (mean ± SE over subsets; ρ in units of a random direction's, E ρ² = 1/n) with the
    fitted power law n^p (solid) and grey guides n^p for p ∈ {1/2, 1/4, 0} (aligned,
    midpoint, oblique; :data:`validate.analysis.recordings.GUIDE_SLOPES`) through each result's
    smallest size. p ± its SE in the legend (the SE understates population-to-population
    spread: :mod:`validate.analysis.recordings`).

    **Arguments**
      result: one :class:`~validate.analysis.recordings.Subsampling` or several (one colour each).
      path: PNG file to write (dpi 150). labels: legend names (default "recording i").

    **Returns** the saved path.
    """
    results = [result] if isinstance(result, Subsampling) else list(result)
    if len(results) == 0 or not all(isinstance(r, Subsampling) for r in results):
        raise ValueError(
            f"result={result!r} is not allowed; need a Subsampling or a non-empty sequence of them"
        )
    if labels is None:
        labels = (
            [f"recording {i}" for i in range(len(results))] if len(results) > 1 else ["recording"]
        )
    labels = list(labels)
    if len(labels) != len(results):
        raise ValueError(
            f"labels has {len(labels)} entries; allowed: one per result ({len(results)})"
        )
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

    fig, axes = figure(2, 1, width=4.2, height=2.4, sharex=True, layout="constrained")
    ax_r2, ax_rho = axes[0, 0], axes[1, 0]
    all_sizes = sorted({int(n) for r in results for n in r.sizes})
    for i, (res, label) in enumerate(zip(results, labels, strict=False)):
        color = f"C{i}"
        n = res.sizes.astype(float)
        ax_r2.errorbar(
            n, res.r2_mean, yerr=res.r2_se, fmt="o-", ms=3, capsize=2, color=color, label=label
        )
        ax_rho.errorbar(
            n,
            res.rho_sqrt_n,
            yerr=res.rho_sqrt_n_se,
            fmt="o",
            ms=4,
            capsize=2,
            color=color,
            label=f"{label}: p = {res.p:.3f} ± {res.p_se:.3f}",
        )
        if np.isfinite(res.p):
            grid = np.geomspace(n.min(), n.max(), 20)
            ax_rho.plot(grid, res.fit.prefactor * grid**res.p, "-", color=color, lw=1)
    styles = {0.5: ":", 0.25: "--", 0.0: "-."}
    for i, res in enumerate(results):
        ok = np.isfinite(res.rho_sqrt_n)
        if not ok.any():
            continue
        n0 = float(res.sizes[ok][0])
        anchor = float(res.rho_sqrt_n[ok][0])
        grid = np.geomspace(n0, float(res.sizes.max()), 20)
        for p in GUIDE_SLOPES:
            guide_label: str | None = (
                f"guide n^{p:g}" + {0.5: " (aligned)", 0.0: " (oblique)"}.get(p, "")
                if i == 0
                else None
            )
            ax_rho.plot(
                grid,
                anchor * (grid / n0) ** p,
                styles.get(p, ":"),
                color="0.6",
                lw=0.8,
                label=guide_label,
            )
    ax_r2.set_ylabel("cross-validated R²")
    ax_r2.legend(loc="best", frameon=False, fontsize=6)
    ax_rho.set_xscale("log")
    ax_rho.set_yscale("log")
    ax_rho.xaxis.set_minor_locator(NullLocator())
    ax_rho.xaxis.set_minor_formatter(NullFormatter())
    ax_rho.set_xticks(all_sizes, [str(n) for n in all_sizes])
    ax_rho.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax_rho.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax_rho.yaxis.set_minor_formatter(NullFormatter())
    ax_rho.set_xlabel("neurons in the subset n")
    ax_rho.set_ylabel("ρ·√n (units of a random direction)")
    ax_rho.legend(loc="best", frameon=False, fontsize=6)
    fig.suptitle("Readout correlation under subsampling of neurons (THEORY §6)", fontsize=8)
    return save(fig, path)


def plot_recording_panels(result: RecordingsResult, path: str | Path) -> Path:
    """ρ (top, log) and D_fit,90/D_x,90 (bottom) per recording and output, as in the paper's
    figure for experimental data: a dot for the full data, a violin (bar at the mean) for the
    random subsets of data points; below each column the number of samples T and units N.
    Dashed in the top panel: the regime boundary ρ = N^{-1/4} of
    :func:`validate.analysis.measures.regime_label` (aligned above, oblique below).

    **Arguments** result: :class:`~validate.experiments.recordings.RecordingsResult`.
    path: PNG file (dpi 150).

    **Returns** the saved path.
    """
    items = result.outputs
    if not items:
        raise ValueError("result has no outputs to draw")
    width = max(3.2, 0.9 * len(items) + 1.2)
    fig, axes = figure(2, 1, width=width, height=2.2, sharex=True, layout="constrained")
    ax_rho, ax_ratio = axes[0, 0], axes[1, 0]
    labels = sorted({o.label for o in items}, key=[o.label for o in items].index)
    for i, o in enumerate(items):
        color = f"C{labels.index(o.label)}"
        for ax, sub, full in (
            (ax_rho, o.points.rho, o.full.rho),
            (ax_ratio, o.points.ratio, o.full.ratio),
        ):
            v = np.asarray(sub, float)
            v = v[np.isfinite(v) & (v > 0)]
            if v.size > 1 and np.ptp(v) > 0:
                parts = ax.violinplot([v], positions=[i], widths=0.7, showmeans=True)
                for body in parts["bodies"]:
                    body.set_facecolor(color)
                    body.set_alpha(0.35)
                for key in ("cmeans", "cmins", "cmaxes", "cbars"):
                    if key in parts:
                        parts[key].set_color(color)
                        parts[key].set_linewidth(0.8)
            ax.plot([i], [full], "o", color=color, ms=4, zorder=3)
        boundary = float(o.units) ** -0.25  # validate.analysis.measures.regime_label
        ax_rho.plot(
            [i - 0.4, i + 0.4],
            [boundary, boundary],
            "--",
            color="0.5",
            lw=0.8,
            label="regime boundary ρ = N^(-1/4)" if i == 0 else None,
        )
    ax_rho.set_yscale("log")
    ax_rho.set_ylabel("correlation ρ")
    ax_rho.legend(loc="best", frameon=False, fontsize=6)
    ax_ratio.set_ylabel("D_fit,90 / D_x,90")
    ax_ratio.set_xticks(
        range(len(items)),
        [f"{o.output}\n{o.label}\nT={o.bins}, N={o.units}" for o in items],
        fontsize=5,
    )
    fig.suptitle(
        "Recordings: full data (dots) and 25 %-subsets of data points (violins)", fontsize=8
    )
    return save(fig, path)
