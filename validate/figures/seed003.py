"""Figures of the seed-003 experiment (:mod:`validate.experiments.seed003`).

* :func:`plot_outputs` — trained outputs against targets per condition (seed 003, Fig. 1);
* :func:`plot_weights` — distribution of the off-diagonal weights before and after
  training with their means (Fig. 4);
* :func:`plot_predictive_information` — DCA's PI of untrained and trained networks against
  the leak angle θ, mean ± SE over seeds (Fig. 6);
* :func:`plot_spectra` — eigenvalues of W before and after training (Fig. 7);
* :func:`plot_centrality` — eigenvector centrality after vs before training (§5.2).

All use :func:`validate.figures.style.figure` / :func:`~validate.figures.style.save`
(Agg backend, PNG at dpi 150).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from .style import figure, save

__all__ = [
    "plot_all",
    "plot_centrality",
    "plot_outputs",
    "plot_predictive_information",
    "plot_spectra",
    "plot_weights",
]


def _task_axes(tasks: list[str], width: float, height: float) -> tuple[Any, list[tuple[Any, str]]]:
    """One panel per task, side by side: (figure, [(axis, task), ...])."""
    fig, axes = figure(1, len(tasks), width=width * len(tasks), height=height)
    return fig, list(zip(axes[0], tasks, strict=False))


def plot_outputs(result: Any, path: str | Path) -> Path:
    """Output z(t) (lines) and target (dashed) of every evaluation trial, noise-free."""
    fig, panels = _task_axes(list(result.examples), 3.4, 2.6)
    for ax, task in panels:
        ex = result.examples[task]
        t = np.arange(ex["z"].shape[1]) * float(ex["dt"]) * 100.0  # τ = 100 ms
        for k in range(ex["z"].shape[0]):
            ax.plot(t, ex["z"][k, :, 0], color=f"C{k % 10}", lw=1)
            ax.plot(t, ex["targets"][k, :, 0], color=f"C{k % 10}", lw=0.8, ls="--")
        ax.set(title=f"{task} (θ = 0, seed 0)", xlabel="time (ms)", ylabel="output z")
    return save(fig, path)


def plot_weights(result: Any, path: str | Path) -> Path:
    """Histogram of the off-diagonal W₀ and W (θ = 0, seed 0) with their means."""
    fig, panels = _task_axes(list(result.examples), 3.4, 2.6)
    for ax, task in panels:
        ex = result.examples[task]
        off = ~np.eye(ex["W0"].shape[0], dtype=bool)
        for name, W, c in (("untrained", ex["W0"], "C0"), ("trained", ex["W1"], "C3")):
            w = W[off]
            ax.hist(
                w,
                bins=60,
                histtype="step",
                color=c,
                density=True,
                label=f"{name} (mean {w.mean():.2e})",
            )
            ax.axvline(w.mean(), color=c, lw=0.8)
        ax.set(title=task, xlabel="weight W_ij (i ≠ j)", ylabel="density")
        ax.legend(fontsize=7)
    return save(fig, path)


def plot_predictive_information(result: Any, path: str | Path) -> Path:
    """PI (nats) of untrained and trained networks vs θ (degrees), mean ± SE over seeds."""
    fig, panels = _task_axes(list(result.plan.tasks), 3.4, 2.6)
    for ax, task in panels:
        for attr, name, c in (("pi_init", "untrained", "C0"), ("pi_final", "trained", "C3")):
            xs, ms, ses = [], [], []
            for theta in result.plan.angles:
                v = np.array(
                    [
                        getattr(n, attr)
                        for n in result.networks
                        if n.task == task and n.theta == theta
                    ],
                    float,
                )
                v = v[np.isfinite(v)]
                if v.size:
                    xs.append(math.degrees(theta))
                    ms.append(v.mean())
                    ses.append(v.std(ddof=1) / math.sqrt(v.size) if v.size > 1 else 0.0)
            ax.errorbar(xs, ms, yerr=ses, color=c, marker="o", ms=3, capsize=2, label=name)
        ax.set(
            title=task,
            xlabel="leak angle θ (degrees; 0 relu, 45 linear)",
            ylabel="DCA predictive information (nats)",
        )
        ax.legend(fontsize=7)
    return save(fig, path)


def plot_spectra(result: Any, path: str | Path) -> Path:
    """Eigenvalues of W₀ and W in the complex plane (θ = 0, seed 0)."""
    fig, panels = _task_axes(list(result.examples), 3.2, 3.0)
    for ax, task in panels:
        ex = result.examples[task]
        for name, W, c, mk in (
            ("untrained", ex["W0"], "C0", "o"),
            ("trained", ex["W1"], "C3", "x"),
        ):
            lam = np.linalg.eigvals(W)
            ax.scatter(lam.real, lam.imag, s=8, color=c, marker=mk, label=name, lw=0.8)
        ax.axvline(1.0, color="0.5", lw=0.6, ls=":")
        ax.set(title=task, xlabel="Re λ", ylabel="Im λ", aspect="equal")
        ax.legend(fontsize=7)
    return save(fig, path)


def plot_centrality(result: Any, path: str | Path) -> Path:
    """Eigenvector centrality of each unit after vs before training (θ = 0, seed 0)."""
    from ..analysis.network_measures import node_centrality

    fig, panels = _task_axes(list(result.examples), 3.0, 3.0)
    for ax, task in panels:
        ex = result.examples[task]
        c0, c1 = node_centrality(ex["W0"]), node_centrality(ex["W1"])
        ax.scatter(c0, c1, s=6, color="C2")
        hi = max(c0.max(), c1.max())
        ax.plot([0, hi], [0, hi], color="0.5", lw=0.6, ls=":")
        ax.set(title=task, xlabel="centrality before training", ylabel="centrality after training")
    return save(fig, path)


def plot_all(result: Any, out_dir: str | Path) -> list[Path]:
    """All figures into ``out_dir`` (``seed003_*.png``); returns their paths."""
    out_dir = Path(out_dir)
    figs = [plot_predictive_information(result, out_dir / "seed003_pi_vs_theta.png")]
    if result.examples:
        figs += [
            plot_outputs(result, out_dir / "seed003_outputs.png"),
            plot_weights(result, out_dir / "seed003_weights.png"),
            plot_spectra(result, out_dir / "seed003_spectra.png"),
            plot_centrality(result, out_dir / "seed003_centrality.png"),
        ]
    return figs
