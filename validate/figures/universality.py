"""Figures of the universality experiment (seed 002): MDS of geometry and topology distances,
and linearised vs target frequencies of the sine task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .style import figure, save

__all__ = ["plot_sine_frequencies", "plot_universality_mds"]

_MARKERS = {"tanh": "o", "relu": "^"}


def _colors(archs: list[str]) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    cmap = plt.get_cmap("tab10")
    return {a: cmap(i) for i, a in enumerate(dict.fromkeys(archs))}


def plot_universality_mds(analysis: Any, path: str | Path) -> Path:
    """Three MDS panels of one task: SVCCA, CKA and topology distances (colour = architecture,
    marker = activation; the topology is the analysis' default, attractors or all points;
    networks with a non-modal count are left out of the topology panel and counted in its
    title)."""
    from ..analysis.similarity import classical_mds

    labels = analysis.labels
    colors = _colors([a for a, _ in labels])
    fig, grid = figure(1, 3, width=10.5, height=3.3)
    axes = grid[0]
    topo = analysis.topology
    panels = (
        ("SVCCA distance", analysis.svcca, np.arange(len(labels))),
        ("linear-CKA distance", analysis.cka, np.arange(len(labels))),
        (
            f"topology ({getattr(analysis, 'topology_method', 'points')})",
            topo.distances,
            np.setdiff1d(np.arange(len(labels)), topo.off_modal),
        ),
    )
    for ax, (title, D, idx) in zip(axes, panels, strict=False):
        if len(idx) >= 2:
            emb = classical_mds(D[np.ix_(idx, idx)], 2).coords
            for k, i in enumerate(idx):
                arch, act = labels[i]
                ax.scatter(
                    emb[k, 0], emb[k, 1], color=colors[arch], marker=_MARKERS.get(act, "s"), s=30
                )
        extra = f", {len(topo.off_modal)} off-modal" if title.startswith("topology") else ""
        ax.set_title(title + extra)
        ax.set_xlabel("MDS 1 (a.u.)")
        ax.set_ylabel("MDS 2 (a.u.)")
    for arch, c in colors.items():
        axes[0].scatter([], [], color=c, label=arch)
    for act, m in _MARKERS.items():
        if any(a == act for _, a in labels):
            axes[0].scatter([], [], color="grey", marker=m, label=act)
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"{analysis.task}: geometry vs topology across architectures")
    return save(fig, path)


def plot_sine_frequencies(analysis: Any, path: str | Path) -> Path:
    """Rotation per step |arg λ| of the leading complex eigenvalue at each cue's fixed point
    against the target frequency ω (rad/step); the identity line is a linear oscillator at
    the target frequency (seed 002, Fig. 2f)."""
    s = analysis.sine
    colors = _colors(list(s["arch"]))
    fig, grid = figure(1, 1, width=4.0, height=3.3)
    ax = grid[0, 0]
    for arch, c in colors.items():
        m = s["arch"] == arch
        ax.scatter(s["omega"][m], s["linearised"][m], color=c, label=arch, s=20)
    if len(s["omega"]):
        lo, hi = float(np.min(s["omega"])), float(np.max(s["omega"]))
        ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="identity")
    ax.set_xlabel("target ω (rad/step)")
    ax.set_ylabel("linearised |arg λ₁| (rad/step)")
    ax.legend(fontsize=7, frameon=False)
    return save(fig, path)
