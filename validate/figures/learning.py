"""Learning-curve figures with theory overlays (THEORY.md §3 and §4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..experiments.gd_scaling import GDScalingResult
from ..experiments.two_phase import TwoPhaseResult
from .style import figure, save

__all__ = ["plot_gd_learning", "plot_two_phase"]


def _band(ax: Any, x: np.ndarray, y: np.ndarray, color: str, label: str) -> None:
    """Mean over seeds (axis 0) with a ±SD band."""
    m = y.mean(axis=0)
    ax.plot(x, m, color=color, lw=1.0, label=label)
    if y.shape[0] > 1:
        sd = y.std(axis=0, ddof=1)
        ax.fill_between(x, m - sd, m + sd, color=color, alpha=0.2, lw=0)


def plot_gd_learning(result: GDScalingResult, path: str | Path) -> Path:
    """Training curves of the gradient-descent experiment (THEORY §4), one colour per N.

    Panels: loss L (solid) and L_bias (dashed); L_var with the theory optimum L_var*
    (horizontal dotted line, mean over seeds); real parts of the eigenvalues of M with
    the predicted λ₊* (dotted); ‖κ̄‖ with ‖κ̄*‖ (dotted). When ``result.flow`` is present,
    the mean-field learning flow's L_var, λ± and ‖κ̄‖ are drawn dashed (same SGD from M = 0). Curves are means over seeds of
    the per-step batch records (L_var unbiased, see :mod:`validate.experiments.gd_scaling`).

    Returns the saved PNG path.
    """
    fig, axes = figure(2, 2, width=7.5, height=2.6, layout="constrained")
    ax_l, ax_v, ax_e, ax_k = axes.ravel()
    for i, N in enumerate(sorted(result.curves)):
        c = result.curves[N]
        color = f"C{i}"
        steps = np.asarray(c["steps"])
        idx = int(np.flatnonzero(np.asarray(result.Ns) == N)[0])
        ax_l.plot(steps, np.asarray(c["loss"]).mean(0), color=color, lw=1.0, label=f"N={N}")
        ax_l.plot(steps, np.asarray(c["loss_bias"]).mean(0), "--", color=color, lw=0.8)
        _band(ax_v, steps, np.asarray(c["loss_var"]), color, f"N={N}")
        ax_v.axhline(float(np.nanmean(result.theory["loss_var"][idx])), color=color, ls=":")
        ev = np.asarray(c["eigvals"])  # [seeds, n_rec, 2]
        for k in range(ev.shape[-1]):
            ax_e.plot(
                steps, ev[..., k].mean(0), color=color, lw=1.0, label=f"N={N}" if k == 0 else None
            )
        ax_e.axhline(float(np.nanmean(result.theory["lambda_plus"][idx])), color=color, ls=":")
        _band(ax_k, steps, np.asarray(c["kappa_norm"]), color, f"N={N}")
        ax_k.axhline(float(np.nanmean(result.theory["kappa_norm"][idx])), color=color, ls=":")
        flow = result.flow.get(N)
        if flow is not None:  # the mean-field learning flow (meanfield.learning_flow)
            fs = np.asarray(flow["steps"])
            ax_v.plot(fs, flow["loss_var"], "--", color=color, lw=0.9)
            ax_e.plot(fs, flow["lambda_plus"], "--", color=color, lw=0.9)
            ax_e.plot(fs, flow["lambda_minus"], "--", color=color, lw=0.9)
            ax_k.plot(fs, flow["kappa_norm"], "--", color=color, lw=0.9)
    ax_l.set_yscale("log")
    ax_l.set_ylabel("L (solid), L_bias (dashed)")
    ax_v.set_ylabel("L_var (output units²)")
    ax_e.set_ylabel("Re eigenvalues of M")
    ax_k.set_ylabel("‖κ̄‖ (latent units)")
    for ax in axes.ravel():
        ax.set_xlabel("SGD step")
    ax_l.legend(frameon=False)
    fig.suptitle(
        f"Gradient descent, σ={result.plan.sigma:g} (dotted: theory optimum "
        "for the trained λ₋; dashed: mean-field learning flow)",
        fontsize=9,
    )
    return save(fig, path)


def plot_two_phase(result: TwoPhaseResult, path: str | Path) -> Path:
    """Two-phase learning curves (THEORY §3) with the closed forms of
    ``meanfield.linear_two_phase`` (black dashed).

    Panels L, L_bias, L_var, M₁₁, M₁₂, ‖Δx̄‖ vs SGD step: simulation mean ± SD over
    seeds (L_bias, L_var unbiased per-batch estimates); grey vertical line: the switch
    from η₀/N to η₀. Returns the saved PNG path.
    """
    panels = (
        ("loss", "L (output units²)"),
        ("loss_bias", "L_bias (output units²)"),
        ("loss_var", "L_var (output units²)"),
        ("M11", "M₁₁ = w₁ᵀΔW w₁"),
        ("M12", "M₁₂ = w₁ᵀΔW w₂"),
        ("dx_norm", "‖Δx̄‖ (state units)"),
    )
    fig, axes = figure(2, 3, width=9.0, height=2.6, layout="constrained")
    steps = np.asarray(result.steps)
    n1 = result.plan.phase1_steps
    for ax, (name, ylabel) in zip(axes.ravel(), panels, strict=False):
        _band(ax, steps, np.asarray(result.curves[name]), "C0", "simulation (mean ± SD)")
        ax.plot(steps, np.asarray(result.theory_curves[name]), "k--", lw=1.0, label="theory")
        ax.axvline(n1, color="0.6", lw=0.8)
        ax.set_xlabel("SGD step")
        ax.set_ylabel(ylabel)
    axes[0, 0].legend(frameon=False)
    p = result.plan
    fig.suptitle(
        f"Two-phase learning, N={p.N}, η₀={p.eta0:g}, σ={p.sigma:g}: "
        f"{p.phase1_steps} steps at η₀/N, then {p.phase2_steps} at η₀",
        fontsize=9,
    )
    return save(fig, path)
