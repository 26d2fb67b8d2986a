"""Scaling figure of the gradient-descent experiment (THEORY.md §4): ‖κ̄‖, ρ, L_var vs N."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..experiments.gd_scaling import GDScalingResult
from .style import figure, save

__all__ = ["GUIDE_EXPONENTS", "SCALING_PANELS", "plot_scaling"]

#: (quantity, axis label) of the three panels.
SCALING_PANELS: tuple[tuple[str, str], ...] = (
    ("kappa_norm", "‖κ̄‖ (latent units)"),
    ("rho", "correlation ρ"),
    ("loss_var", "L_var (output units²)"),
)
#: Exponents k of the N^k guide lines drawn in every panel.
GUIDE_EXPONENTS: tuple[float, ...] = (0.0, -0.25, -0.5)


def _guide(
    ax: Any, Ns: np.ndarray, anchor: float, k: float, style: str, label: str, limit: float = 0.0
) -> None:
    """Line limit + (anchor − limit)·(N/N₀)^k over the plotted N range (N₀ = min N)."""
    grid = np.geomspace(Ns.min(), Ns.max(), 20)
    ax.plot(
        grid,
        limit + (anchor - limit) * (grid / Ns.min()) ** k,
        style,
        color="0.6",
        lw=0.8,
        label=label,
    )


def plot_scaling(results: Sequence[GDScalingResult], path: str | Path) -> Path:
    """Log-log ‖κ̄‖, ρ and L_var vs N at the end of training, one colour per noise setting.

    Markers with error bars: simulation mean ± SD over seeds. Solid line: the theory
    optimum (``meanfield.optimum`` for each seed's trained λ₋, mean over seeds). Dashed
    line (when ``result.flow`` is present): the mean-field learning flow at the end of the
    same training (``meanfield.learning_flow``, the same tail of the records). Grey
    lines: N^k guides for k = 0, −1/4, −1/2 (dotted) and the derived large-N laws of
    ``meanfield.large_n_scaling`` (dash-dot; limit + c·N^k when the N → ∞ limit is
    nonzero, e.g. L_var), anchored at the theory value at the smallest N of the first
    result.

    Arguments:
        results: :class:`~validate.experiments.gd_scaling.GDScalingResult` list (e.g. σ = 1, σ = 0.2).
        path: PNG file to write.
    Returns:
        The saved path.
    """
    if len(results) == 0:
        raise ValueError("results=[] is not allowed; need at least one GDScalingResult")
    from matplotlib.ticker import NullFormatter, NullLocator

    fig, axes = figure(1, len(SCALING_PANELS), width=9.0, height=3.0, layout="constrained")
    all_Ns = sorted({int(n) for res in results for n in np.asarray(res.Ns)})
    for j, (q, ylabel) in enumerate(SCALING_PANELS):
        ax = axes[0, j]
        for i, res in enumerate(results):
            color = f"C{i}"
            Ns = np.asarray(res.Ns, float)
            sim = np.asarray(res.sim[q], float)
            th = np.asarray(res.theory[q], float)
            sd = sim.std(axis=1, ddof=1) if sim.shape[1] > 1 else np.zeros(len(Ns))
            ax.errorbar(
                Ns,
                sim.mean(axis=1),
                yerr=sd,
                fmt="o",
                ms=4,
                capsize=2,
                color=color,
                label=f"sim. σ={res.plan.sigma:g} (mean ± SD)",
            )
            ax.plot(
                Ns,
                np.nanmean(th, axis=1),
                "-",
                color=color,
                label=f"theory optimum σ={res.plan.sigma:g}",
            )
            if q in res.flow_end:
                ax.plot(
                    Ns,
                    res.flow_end[q],
                    "--",
                    color=color,
                    label=f"learning flow σ={res.plan.sigma:g}",
                )
        first = results[0]
        Ns0 = np.asarray(first.Ns, float)
        anchor = float(np.nanmean(np.asarray(first.theory[q], float)[0]))
        if math.isfinite(anchor) and anchor > 0:
            for k in GUIDE_EXPONENTS:
                _guide(ax, Ns0, anchor, k, ":", f"N^{k:g}")
            law = first.derived.get(q) if isinstance(first.derived, dict) else None
            if law is not None:
                k = float(law.get("exponent", math.nan))
                lim = float(law.get("limit", 0.0))
                lim = lim if math.isfinite(lim) and 0 <= lim < anchor else 0.0
                if math.isfinite(k) and (
                    lim > 0 or all(abs(k - g) > 1e-12 for g in GUIDE_EXPONENTS)
                ):
                    text = f"derived N^{k:.3g}" if lim == 0 else f"derived {lim:.3g} + c·N^{k:.3g}"
                    _guide(ax, Ns0, anchor, k, "-.", text, limit=lim)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(all_Ns, [str(n) for n in all_Ns])
        ax.set_xlabel("network size N (neurons)")
        ax.set_ylabel(ylabel)
    axes[0, 0].legend(loc="best", frameon=False, fontsize=6)
    fig.suptitle(
        "End of training vs the L_var-optimal theory and the learning flow (THEORY §4)", fontsize=9
    )
    return save(fig, path)
