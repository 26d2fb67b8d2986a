"""Figures of the regimes experiment (THEORY.md §6; the paper's figures 4–6).

Every function takes a :class:`validate.experiments.regimes.RegimesResult` and a PNG path, draws with
:func:`validate.figures.style.figure` (Agg, dpi 150) and returns the path.

* :func:`plot_norms` — ρ, ‖w_out‖ (initial norm dashed) and ‖x‖ per task and regime;
* :func:`plot_dimensions` — variance explained and R² vs number of PCs (example networks),
  D_x,90 and D_fit,90 per task and regime;
* :func:`plot_dissimilarity` — dissimilarity between pairs of seeds;
* :func:`plot_perturbations` — loss vs kick amplitude (example networks) and susceptibility;
* :func:`plot_noise_compression` — variance of fluctuations along random / PC / readout
  directions (examples) and the compression ratio per task and regime;
* :func:`plot_all` — all of them, returns the list of paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .style import figure, save

__all__ = [
    "REGIME_COLORS",
    "plot_all",
    "plot_dimensions",
    "plot_dissimilarity",
    "plot_noise_compression",
    "plot_norms",
    "plot_perturbations",
]

#: Colours of the two regimes (dark vs light orange, as in the paper).
REGIME_COLORS: dict[str, str] = {"aligned": "#b35806", "oblique": "#f1a340"}
_DIR_COLORS = {"out": "#c62828", "pc": "#1565c0", "random": "0.55"}
_OFFSET = {"aligned": -0.17, "oblique": 0.17}


def _regimes() -> tuple[str, ...]:
    from ..experiments.regimes import REGIMES

    return REGIMES


def _strip(
    ax: Any,
    result: Any,
    values: Callable[[str, str], Sequence[float]],
    *,
    log: bool = False,
    ylabel: str = "",
) -> None:
    """Dots per unit and a bar at the mean, per task (x) and regime (offset)."""
    tasks = list(result.plan.tasks)
    for r in _regimes():
        for i, t in enumerate(tasks):
            v = np.asarray(values(t, r), dtype=float)
            v = v[np.isfinite(v) & ((v > 0) if log else True)]
            if v.size == 0:
                continue
            x = i + _OFFSET[r]
            ax.scatter(
                np.full(v.size, x),
                v,
                s=14,
                color=REGIME_COLORS[r],
                edgecolor="k",
                linewidth=0.4,
                zorder=3,
                label=r if i == 0 else None,
            )
            m = float(np.exp(np.mean(np.log(v)))) if log else float(v.mean())
            ax.plot([x - 0.12, x + 0.12], [m, m], color="k", lw=1.2, zorder=4)
    ax.set_xticks(range(len(tasks)))
    ax.set_xlim(-0.5, len(tasks) - 0.5)
    ax.set_xticklabels([t.replace("_", "\n") for t in tasks], fontsize=7)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)


def _values(result: Any, attr: str | Callable[[Any], float]) -> Callable[[str, str], list[float]]:
    get = (lambda m: getattr(m, attr)) if isinstance(attr, str) else attr
    return lambda t, r: [float(get(m)) for m in result.networks if m.task == t and m.regime == r]


def _example(result: Any, regime: str) -> Any | None:
    """Seed 0 of the first task in ``regime`` (the paper's examples are on cycling)."""
    for m in result.networks:
        if m.regime == regime and m.task == result.plan.tasks[0]:
            return m
    return None


def plot_norms(result: Any, path: str | Path) -> Path:
    """ρ, ‖w_out‖ and ‖x‖ per task and regime (log axes; paper's Fig. 4A)."""
    fig, axes = figure(1, 3, width=10.5, height=3.2, layout="constrained")
    _strip(axes[0, 0], result, _values(result, "rho"), log=True, ylabel="correlation ρ")
    N = result.plan.N
    axes[0, 0].axhline(N**-0.25, color="0.4", ls=":", lw=0.9, label="N^(-1/4) (label boundary)")
    axes[0, 0].axhline(N**-0.5, color="0.6", ls="--", lw=0.9, label="1/√N (chance)")
    _strip(
        axes[0, 1], result, _values(result, "w_out_norm"), log=True, ylabel="‖w_out‖ (output/state)"
    )
    for r in _regimes():
        for i, t in enumerate(result.plan.tasks):
            init = _values(result, "w_out_norm_init")(t, r)
            if init:
                x = i + _OFFSET[r]
                axes[0, 1].plot(
                    [x - 0.15, x + 0.15],
                    [np.mean(init)] * 2,
                    color=REGIME_COLORS[r],
                    ls="--",
                    lw=1.0,
                )
    _strip(axes[0, 2], result, _values(result, "x_norm"), log=True, ylabel="‖x‖ (state units)")
    axes[0, 0].legend(fontsize=6, loc="lower left")
    axes[0, 1].set_title("dashed: initial ‖w_out‖", fontsize=8)
    return save(fig, path)


def plot_dimensions(result: Any, path: str | Path) -> Path:
    """Variance explained and R² vs number of PCs (examples), D_x,90 and D_fit,90 (Fig. 4B, C)."""
    fig, axes = figure(1, 3, width=10.5, height=3.2, layout="constrained")
    ax = axes[0, 0]
    for r in _regimes():
        m = _example(result, r)
        if m is None:
            continue
        k = np.arange(1, m.var_explained.size + 1)
        ax.plot(
            k,
            m.var_explained,
            color=REGIME_COLORS[r],
            marker="o",
            ms=3,
            label=f"{r}: variance of x",
        )
        k2 = np.arange(1, m.r2_by_k.size + 1)
        ax.plot(
            k2,
            m.r2_by_k,
            color=REGIME_COLORS[r],
            ls="--",
            marker="s",
            ms=3,
            label=f"{r}: R² of output",
        )
    ax.axhline(0.9, color="0.5", ls=":", lw=0.8)
    ax.set_xlabel("number of PCs k")
    ax.set_ylabel("fraction explained")
    ax.set_title(f"{result.plan.tasks[0]}, seed 0", fontsize=8)
    ax.legend(fontsize=6)
    _strip(axes[0, 1], result, _values(result, "D_x"), ylabel="D_x,90 (PCs)")
    _strip(axes[0, 2], result, _values(result, "D_fit"), ylabel="D_fit,90 (PCs)")
    axes[0, 1].legend(fontsize=6)
    return save(fig, path)


def plot_dissimilarity(result: Any, path: str | Path) -> Path:
    """Procrustes dissimilarity between pairs of seeds, per task and regime (Fig. 5C)."""
    fig, axes = figure(1, 1, width=5.0, height=3.2, layout="constrained")
    _strip(
        axes[0, 0],
        result,
        lambda t, r: result.dissimilarity.get((t, r), []),
        ylabel="dissimilarity (Procrustes, 0–1)",
    )
    axes[0, 0].legend(fontsize=7)
    return save(fig, path)


def plot_perturbations(result: Any, path: str | Path) -> Path:
    """Loss after kicks along w_out vs the top-2 PCs (examples, mean ± SD over kick times,
    directions and conditions) and the relative susceptibility per task (Fig. 5C, D)."""
    fig, axes = figure(1, 3, width=10.5, height=3.2, layout="constrained")
    for j, r in enumerate(_regimes()):
        ax = axes[0, j]
        m = _example(result, r)
        if m is None:
            continue
        a = m.kick_amplitudes / np.sqrt(m.N)
        for kind, loss in (("out", m.kick_loss_out), ("pc", m.kick_loss_pc)):
            mean = np.nanmean(loss, axis=1)
            sd = np.nanstd(loss, axis=1)
            label = "along w_out" if kind == "out" else "along top-2 PCs"
            ax.plot(a, mean, color=_DIR_COLORS[kind], marker="o", ms=3, label=label)
            ax.fill_between(a, mean - sd, mean + sd, color=_DIR_COLORS[kind], alpha=0.2, lw=0)
        ax.set_xlabel("kick Δx/√N (state units per neuron)")
        ax.set_ylabel("loss after kick (MSE)")
        ax.set_title(f"{r}, {m.task}, seed 0", fontsize=8)
        ax.legend(fontsize=6)
    _strip(
        axes[0, 2],
        result,
        _values(result, "susceptibility"),
        log=True,
        ylabel="susceptibility AUC_w / AUC_PC",
    )
    axes[0, 2].axhline(1.0, color="0.5", ls="--", lw=0.8)
    axes[0, 2].legend(fontsize=6)
    return save(fig, path)


def plot_noise_compression(result: Any, path: str | Path) -> Path:
    """Variance of fluctuations along random directions, top-2-PC combinations and the
    readout (examples; log axis) and the compression ratio per task and regime (Fig. 6B, C)."""
    fig, axes = figure(1, 3, width=10.5, height=3.2, layout="constrained")
    for j, r in enumerate(_regimes()):
        ax = axes[0, j]
        m = _example(result, r)
        if m is None:
            continue
        vals = np.concatenate([m.var_random, m.var_pc, [m.var_out]])
        vals = vals[vals > 0]
        bins = np.logspace(np.log10(vals.min()) - 0.1, np.log10(vals.max()) + 0.1, 30)
        ax.hist(
            m.var_random,
            bins=bins,
            color=_DIR_COLORS["random"],
            alpha=0.7,
            label="random directions",
        )
        ax.hist(m.var_pc, bins=bins, color=_DIR_COLORS["pc"], alpha=0.6, label="top-2 PCs")
        ax.axvline(m.var_out, color=_DIR_COLORS["out"], lw=1.5, label="readout w_out")
        ax.set_xscale("log")
        ax.set_xlabel("variance of δx along direction (x²)")
        ax.set_ylabel("count")
        ax.set_title(f"{r}, {m.task}, seed 0", fontsize=8)
        ax.legend(fontsize=6)
    _strip(
        axes[0, 2],
        result,
        _values(result, "compression"),
        log=True,
        ylabel="noise compr. var_w / var_rand",
    )
    axes[0, 2].axhline(1.0, color="0.5", ls="--", lw=0.8)
    axes[0, 2].legend(fontsize=6)
    return save(fig, path)


def plot_all(result: Any, out_dir: str | Path) -> list[Path]:
    """All regimes figures into ``out_dir`` (``regimes_*.png``); returns their paths."""
    out_dir = Path(out_dir)
    return [
        plot_norms(result, out_dir / "regimes_norms.png"),
        plot_dimensions(result, out_dir / "regimes_dimensions.png"),
        plot_dissimilarity(result, out_dir / "regimes_dissimilarity.png"),
        plot_perturbations(result, out_dir / "regimes_perturbations.png"),
        plot_noise_compression(result, out_dir / "regimes_noise_compression.png"),
    ]
