"""Figures of the simple-sine solutions (THEORY.md §6); ρ vs N is in
:mod:`validate.figures.rho_scaling`.

* :func:`plot_sine_outputs` — output, target and four units per solution;
* :func:`plot_sine_trajectories` — trial-averaged states in (PC 1, PC 2, ŵ_out,⊥) with
  the output-weight direction;
* :func:`plot_sine_spectra` — eigenvalues of W before and after training;
* :func:`plot_sine_learning` — loss and ‖ΔW‖ over training.

All use :func:`validate.figures.style.figure` / :func:`~validate.figures.style.save`
(Agg backend, PNG at dpi 150).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from .style import figure, save

__all__ = [
    "plot_sine_learning",
    "plot_sine_outputs",
    "plot_sine_spectra",
    "plot_sine_trajectories",
    "trajectory_coordinates",
]

#: Colour of each sine solution (the figure's order).
_COLORS: dict[str, str] = {"aligned": "C0", "marginal": "C2", "lazy": "C1", "oblique": "C3"}


def _color(name: str) -> str:
    return _COLORS.get(name, "C4")


def _need(results: Sequence[Any], what: str) -> None:
    if len(results) == 0:
        raise ValueError(f"{what}=[] is not allowed; need at least one result")


def plot_sine_outputs(results: Sequence[Any], path: str | Path) -> Path:
    """One panel per solution: outputs z(t) of the evaluation trials (dark), the target
    points (dots) and the states of four units of the first trial (light), against time
    (task units). ``results``: :class:`validate.experiments.sine_solutions.SineSolutionResult` list."""
    _need(results, "results")
    fig, axes = figure(
        1, len(results), width=2.4 * len(results), height=2.4, layout="constrained", sharey=True
    )
    for ax, res in zip(axes[0], results, strict=False):
        t = res.times
        for k in range(res.x.shape[-1]):
            ax.plot(
                t,
                res.x[0, :, k],
                color=_color(res.solution.name),
                alpha=0.3,
                lw=0.7,
                label="4 units' states x_i" if k == 0 else None,
            )
        for b in range(res.z.shape[0]):
            ax.plot(
                t,
                res.z[b],
                color="k",
                lw=0.8,
                alpha=0.8 if b == 0 else 0.25,
                label="output z" if b == 0 else None,
            )
        ax.plot(t[res.mask], res.targets[res.mask], "o", ms=3, color="purple", label="target ẑ")
        ax.set_title(f"{res.solution.name} (ρ={np.mean(res.rho):.2g})", fontsize=8)
        ax.set_xlabel("time t (τ units)")
    axes[0, 0].set_ylabel("output / state (a.u.)")
    axes[0, 0].legend(loc="lower left", frameon=False, fontsize=6)
    return save(fig, path)


def trajectory_coordinates(
    x_bar: np.ndarray, w_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of the trial-averaged states for the PC-plane figure.

    **Arguments** x_bar: [T, N] trial-averaged states; w_out: [N] output weights.

    **Returns** (coords [T, 3], w_coords [3], explained ratio [2]): the centred states
    projected on PC 1, PC 2 (:func:`validate.analysis.measures.pca`) and on ŵ_⊥, the normalised
    part of ŵ_out = w_out/‖w_out‖ orthogonal to the PC plane; ``w_coords`` is ŵ_out in the
    same basis (its first two entries are its projection on the PC plane).
    """
    from ..analysis import measures

    p = measures.pca(x_bar)
    pcs = p.components[:, :2]
    w_hat = w_out / np.linalg.norm(w_out)
    perp = w_hat - pcs @ (pcs.T @ w_hat)
    n_perp = np.linalg.norm(perp)
    perp = perp / n_perp if n_perp > 0 else np.zeros_like(perp)
    basis = np.concatenate([pcs, perp[:, None]], axis=1)  # [N, 3]
    return (x_bar - p.mean) @ basis, basis.T @ w_hat, p.ratio[:2]


def plot_sine_trajectories(results: Sequence[Any], path: str | Path) -> Path:
    """3-D panels: trial-averaged states in (PC 1, PC 2, ŵ_out,⊥), all with the same axis
    scale; the arrow is ŵ_out (amplified to the axis scale), the dotted line its projection
    on the PC plane. A solution whose trajectory is more than 10× smaller than the largest
    is magnified by a power of 10, stated in its title (as the paper's inset for the
    marginal solution)."""
    _need(results, "results")
    import matplotlib.pyplot as plt

    data = [trajectory_coordinates(r.x_bar, r.w_out) for r in results]
    extents = [float(np.max(np.abs(c))) if c.size else 0.0 for c, _, _ in data]
    scale = max(extents) if max(extents) > 0 else 1.0
    fig = plt.figure(figsize=(2.8 * len(results), 3.0), layout="constrained")
    from .style import STYLE

    plt.rcParams.update(cast(Any, STYLE))  # rc keys are Literal-typed
    for i, (res, (c, w, ratio), ext) in enumerate(zip(results, data, extents, strict=False)):
        ax = fig.add_subplot(1, len(results), i + 1, projection="3d")
        mag = 1.0
        if 0 < ext < 0.1 * scale:
            mag = 10.0 ** math.ceil(math.log10(0.5 * scale / ext))
        c = c * mag
        color = _color(res.solution.name)
        ax.plot(c[:, 0], c[:, 1], c[:, 2], color=color, lw=1.0)
        ax.scatter(c[:1, 0], c[:1, 1], c[:1, 2], color=color, s=6)
        a = 0.8 * scale
        ax.quiver(0, 0, 0, a * w[0], a * w[1], a * w[2], color="k", lw=1.0, arrow_length_ratio=0.15)
        ax.plot([0, a * w[0]], [0, a * w[1]], [0, 0], ":", color="k", lw=0.8)
        for setlim in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
            setlim(-scale, scale)
        ax.set_xlabel(f"PC 1 ({100 * ratio[0]:.0f} %)", fontsize=6, labelpad=-10)
        ax.set_ylabel(
            f"PC 2 ({100 * ratio[1]:.0f} %)" if ratio.size > 1 else "PC 2", fontsize=6, labelpad=-10
        )
        ax.set_zlabel("ŵ_out,⊥ (a.u.)", fontsize=6, labelpad=-10)
        ax.tick_params(labelsize=5, pad=-3)
        title = f"{res.solution.name}"
        if mag != 1.0:
            title += f" (states ×{mag:g})"
        ax.set_title(title, fontsize=8)
    fig.suptitle(
        "Trial-averaged states (same scale, units of x); arrow: ŵ_out, "
        "dotted: its projection on the PC plane",
        fontsize=7,
    )
    return save(fig, path)


def plot_sine_spectra(results: Sequence[Any], path: str | Path) -> Path:
    """Eigenvalues of W before (grey) and after (colour) training, one panel per solution;
    the dashed line Re λ = 1 is the stability line of the fixed point x = 0 (tanh'(0) = 1)."""
    _need(results, "results")
    fig, axes = figure(1, len(results), width=2.3 * len(results), height=2.4, layout="constrained")
    for ax, res in zip(axes[0], results, strict=False):
        ax.plot(res.eig_init.real, res.eig_init.imag, ".", ms=2, color="0.6", label="W₀")
        ax.plot(
            res.eig_final.real,
            res.eig_final.imag,
            ".",
            ms=2.5,
            color=_color(res.solution.name),
            label="W trained",
        )
        ax.axvline(1.0, ls="--", color="k", lw=0.8)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(res.solution.name, fontsize=8)
        ax.set_xlabel("Re λ(W)")
    axes[0, 0].set_ylabel("Im λ(W)")
    axes[0, 0].legend(loc="lower left", frameon=False, fontsize=6)
    return save(fig, path)


def plot_sine_learning(results: Sequence[Any], path: str | Path) -> Path:
    """Loss (mean over seeds; light: L_bias of the noisy solution) and ‖ΔW‖_F over the
    training steps, one line per solution."""
    _need(results, "results")
    fig, axes = figure(1, 2, width=7.0, height=2.6, layout="constrained")
    for res in results:
        color = _color(res.solution.name)
        axes[0, 0].plot(res.steps, res.loss.mean(axis=0), color=color, label=res.solution.name)
        if res.solution.sigma > 0:
            axes[0, 0].plot(
                res.steps,
                res.loss_bias.mean(axis=0),
                color=color,
                alpha=0.4,
                lw=0.8,
                label=f"{res.solution.name}: L_bias",
            )
        axes[0, 1].plot(res.steps, res.dW_curve.mean(axis=0), color=color)
    axes[0, 0].set_yscale("log")
    axes[0, 0].set_xlabel("training step")
    axes[0, 0].set_ylabel("loss L (output units²)")
    axes[0, 0].legend(frameon=False, fontsize=6)
    axes[0, 1].set_xlabel("training step")
    axes[0, 1].set_ylabel("‖W − W₀‖_F")
    return save(fig, path)
