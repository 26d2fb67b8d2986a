"""Figure of ρ vs N on the cycling task (THEORY.md §6): :func:`plot_rho_scaling`.

Uses :func:`validate.figures.style.figure` / :func:`~validate.figures.style.save` (Agg
backend, PNG at dpi 150).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from .style import figure, save

__all__ = ["plot_rho_scaling"]


def plot_rho_scaling(result: Any, path: str | Path) -> Path:
    """Log-log ρ vs N per regime (markers: mean ± SD over seeds; lines: the fitted power
    law), grey guides N^0 and N^{-1/2} anchored at each regime's smallest N, and the
    random-direction level ρ = N^{-1/2} (E ρ² = 1/N); right panel ρ·√N.

    ``result``: :class:`validate.experiments.rho_scaling.RhoScalingResult`.
    """
    from matplotlib.ticker import NullFormatter, NullLocator

    Ns = np.asarray(result.Ns, float)
    fig, axes = figure(1, 2, width=8.5, height=2.8, layout="constrained")
    grid = np.geomspace(Ns.min(), Ns.max(), 20)
    for i, regime in enumerate(result.regimes):
        rho = np.asarray(result.rho[regime], float)  # [n_N, seeds]
        color = "C0" if regime == "aligned" else "C3" if regime == "oblique" else f"C{i}"
        mean = rho.mean(axis=1)
        sd = rho.std(axis=1, ddof=1) if rho.shape[1] > 1 else np.zeros(len(Ns))
        fit = result.fits[regime]
        for ax, factor in ((axes[0, 0], np.ones_like(Ns)), (axes[0, 1], np.sqrt(Ns))):
            ax.errorbar(
                Ns,
                mean * factor,
                yerr=sd * factor,
                fmt="o",
                ms=4,
                capsize=2,
                color=color,
                label=f"{regime} (mean ± SD)",
            )
            if math.isfinite(fit.exponent):
                f_grid = np.sqrt(grid) if ax is axes[0, 1] else 1.0
                ax.plot(
                    grid,
                    fit.prefactor * grid**fit.exponent * f_grid,
                    "-",
                    color=color,
                    lw=0.9,
                    label=f"fit N^{fit.exponent:.2f}±{fit.exponent_se:.2f}",
                )
        anchor = float(mean[0])
        if anchor > 0:
            for k, style in ((0.0, ":"), (-0.5, "--")):
                axes[0, 0].plot(
                    grid,
                    anchor * (grid / Ns.min()) ** k,
                    style,
                    color="0.6",
                    lw=0.8,
                    label=f"N^{k:g}" if i == 0 else None,
                )
    axes[0, 0].plot(grid, grid**-0.5, "-.", color="k", lw=0.7, label="random direction N^-1/2")
    axes[0, 1].axhline(1.0, ls="-.", color="k", lw=0.7)
    for ax, label in ((axes[0, 0], "correlation ρ"), (axes[0, 1], "ρ·√N")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(Ns, [str(int(n)) for n in Ns])
        ax.set_xlabel("network size N (neurons)")
        ax.set_ylabel(label)
    fig.legend(
        *axes[0, 0].get_legend_handles_labels(),
        loc="outside right center",
        frameon=False,
        fontsize=6,
    )
    fig.suptitle(f"ρ vs N, {result.task} task (THEORY §6)", fontsize=9)
    return save(fig, path)
