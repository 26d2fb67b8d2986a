"""Figures of the corrections experiment (issue 5, :mod:`validate.experiments.corrections`).

* :func:`plot_corrections_loss_var`: L_var, simulation ± SE against each theory variant, one
  panel per (λ₋, dt), x = λ₊, markers/line styles per N;
* :func:`plot_corrections_zscores`: z-score heat-map per variant (grid points × quantities).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..core import stats
from ..experiments.corrections import (
    QUANTITIES,
    QUANTITY_LABELS,
    QUENCHED,
    VARIANTS,
    CorrectionsResult,
    corrections_rows,
)
from .style import figure, save

__all__ = ["plot_corrections_loss_var", "plot_corrections_zscores"]

_MARKERS = ("o", "s", "^", "D", "v")
_LINESTYLES = ("-", "--", ":", "-.")
#: Colour of each variant (C0 is the simulation).
_COLOURS = {"paper": "k", "dt": "C1", "Hermite": "C2", "dt + Hermite": "C3"}


def plot_corrections_loss_var(result: CorrectionsResult, path: str | Path) -> Path:
    """L_var vs λ₊: simulation mean ± SE over networks (markers per N) and each averaged theory
    variant as a curve over λ₊ (``meanfield.loss_var`` with the variant's options; line style
    per N), one panel per (λ₋, dt). Output weights are large, so L_var is in units of ẑ²."""
    import meanfield

    from ..experiments.corrections import variant_kwargs

    cfg = result.config
    lms, dts, Ns = cfg.lambda_minus, cfg.dts, cfg.Ns
    fig, axes = figure(len(lms), len(dts), width=3.3 * len(dts), height=2.6, layout="constrained")
    for i, lm in enumerate(lms):
        for j, dt in enumerate(dts):
            ax = axes[i, j]
            pts = [p for p in result.points if p.config.lambda_minus == lm and p.config.dt == dt]
            if not pts:
                ax.set_visible(False)
                continue
            lps = [p.config.lambda_plus for p in pts] + [p.lambda_plus_opt for p in pts]
            lo, hi = min(lps), max(lps)
            pad = 0.1 * max(hi - lo, 0.5)
            for k, N in enumerate(Ns):
                mine = [p for p in pts if p.config.N == N]
                if not mine:
                    continue
                ls = _LINESTYLES[k % len(_LINESTYLES)]
                lmin = float(meanfield.lambda_min(cfg.sigma))
                grid = np.linspace(max(lo - pad, lmin + 0.02), hi + pad, 60)
                for v in VARIANTS:
                    curve = meanfield.loss_var(
                        grid, lm, cfg.sigma, N, **variant_kwargs(mine[0].config, v)
                    )
                    ax.plot(
                        grid,
                        curve,
                        ls=ls,
                        color=_COLOURS[v],
                        lw=1,
                        label=f"{v} (N={N})" if i == j == 0 else None,
                    )
                lv = [p.estimates["loss_var"] for p in mine]
                ax.errorbar(
                    [p.config.lambda_plus for p in mine],
                    [float(np.mean(x)) for x in lv],
                    yerr=[float(np.std(x, ddof=1) / math.sqrt(x.size)) for x in lv],
                    fmt=_MARKERS[k % len(_MARKERS)],
                    color="C0",
                    ms=4,
                    capsize=2,
                    label=f"simulation N={N}" if i == j == 0 else None,
                    zorder=5,
                )
            for p in pts:
                ax.axvline(p.lambda_plus_opt, color="0.8", lw=0.6, zorder=0)
            # y range from the simulated and predicted values at the grid points (the curves
            # diverge towards λ_min, which would hide the differences between variants)
            vals = [float(np.mean(p.estimates["loss_var"])) for p in pts]
            vals += [p.theory[v]["loss_var"] for p in pts for v in VARIANTS]
            vals = [v for v in vals if math.isfinite(v)]
            if vals:
                ax.set_ylim(0.85 * min(vals), 1.15 * max(vals))
            ax.set_xlabel("λ₊ (eigenvalue along the fixed point)")
            ax.set_ylabel("L_var (ẑ² units)")
            ax.set_title(f"λ₋={lm:g}, dt={dt:g}")
    axes[0, 0].legend(loc="best", frameon=False, fontsize=5, ncol=2)
    fig.suptitle(
        "L_var: simulation ± SE over networks vs theory variants "
        "(grey: continuous-time optimum λ₊*)",
        fontsize=9,
    )
    return save(fig, path)


def plot_corrections_zscores(result: CorrectionsResult, path: str | Path) -> Path:
    """Heat-map of z = (sim − theory)/SE per variant: rows = grid points, columns = quantities
    (quenched: z̄, ‖κ̄‖, SD_U(z̄)). Colour: symmetric-log scale, linear for |z| ≤ Z_MAX;
    cells print z, failing rows (both clauses of the pass rule) are marked with ✗."""
    from matplotlib.colors import SymLogNorm

    rows = corrections_rows(result)
    by = {(r.setting, r.quantity): r for r in rows}
    settings = list(dict.fromkeys(r.setting for r in rows))
    panels = [(v, [f"{QUANTITY_LABELS[q]} [{v}]" for q in QUANTITIES]) for v in VARIANTS]
    panels.append(
        (
            QUENCHED,
            [
                f"{QUANTITY_LABELS[q]} [{QUENCHED}]"
                for q in ("mean_output", "kappa_norm", "mean_output_sd")
            ],
        )
    )
    zmax = max([abs(r.z) for r in rows if math.isfinite(r.z)] + [stats.Z_MAX * 2])
    norm = SymLogNorm(linthresh=stats.Z_MAX, vmin=-zmax, vmax=zmax, base=10)
    ncols = len(panels)
    fig, axes = figure(
        1, ncols, width=1.6 * ncols + 3.0, height=0.28 * len(settings) + 1.6, layout="constrained"
    )
    image = None
    for ax, (variant, names) in zip(axes[0], panels, strict=False):
        Z = np.full((len(settings), len(names)), np.nan)
        for a, s in enumerate(settings):
            for b, name in enumerate(names):
                r = by.get((s, name))
                if r is not None:
                    Z[a, b] = r.z
        image = ax.imshow(np.clip(Z, -zmax, zmax), cmap="RdBu_r", norm=norm, aspect="auto")
        for a, s in enumerate(settings):
            for b, name in enumerate(names):
                r = by.get((s, name))
                if r is None:
                    continue
                text = "—" if not math.isfinite(r.z) else f"{r.z:.1f}"
                ax.text(
                    b,
                    a,
                    text + ("" if r.passed else "✗"),
                    ha="center",
                    va="center",
                    fontsize=5,
                    color="k" if abs(r.z) < 3 * stats.Z_MAX else "w",
                )
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([n.split(" [")[0] for n in names], fontsize=6)
        ax.set_yticks(range(len(settings)))
        ax.set_yticklabels(settings if variant == VARIANTS[0] else [], fontsize=5)
        ax.set_title(variant)
        ax.set_xlabel("quantity")
    if image is not None:
        ticks = [t for t in (-100, -10, -stats.Z_MAX, 0, stats.Z_MAX, 10, 100) if abs(t) <= zmax]
        bar = fig.colorbar(image, ax=axes[0, -1], label="z = (sim − theory)/SE", ticks=ticks)
        bar.ax.set_yticklabels([f"{t:g}" for t in ticks])
    fig.suptitle("z-scores per theory variant (✗: row fails the pass rule)", fontsize=9)
    return save(fig, path)
