"""Figures of the static check (THEORY.md §5): latent clouds and output histograms."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..experiments.static import StaticResult
from .style import figure, save

__all__ = ["plot_static_clouds", "plot_static_histograms"]


def _ellipse(Sigma: np.ndarray, n_sd: float = 2.0, n: int = 100) -> np.ndarray:
    """Points [n, 2] of the n_sd-standard-deviation ellipse of covariance Sigma."""
    w, V = np.linalg.eigh(Sigma)
    t = np.linspace(0, 2 * math.pi, n)
    circle = np.stack([np.cos(t), np.sin(t)], axis=0)
    return (V @ (n_sd * np.sqrt(np.maximum(w, 0))[:, None] * circle)).T


def plot_static_clouds(results: Sequence[StaticResult], path: str | Path) -> Path:
    """κ clouds of network 0 in the (κ₁, κ₂) plane, one panel per result.

    Both mirror conditions are shown (the stored sign-flipped samples and their
    mirror image), with the theory fixed points ±κ̄, the theory 2-SD ellipse of
    κ − κ̄ (covariance Σ/N), and the readout direction u₁ (w_out ∝ u₁, so the
    output is √N·s·κ₁: the horizontal axis).
    """
    n = len(results)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, axes = figure(nrows, ncols, width=2.7 * ncols, height=2.7, layout="constrained")
    for ax, res in zip(axes.ravel(), results, strict=False):
        cfg = res.config
        pts = res.cloud.reshape(-1, 2)
        half = pts.shape[0] // 2
        ax.scatter(
            pts[:half, 0],
            pts[:half, 1],
            s=1,
            alpha=0.25,
            color="C0",
            rasterized=True,
            label="trials from +x̄",
        )
        ax.scatter(
            -pts[half:, 0],
            -pts[half:, 1],
            s=1,
            alpha=0.25,
            color="C1",
            rasterized=True,
            label="trials from −x̄",
        )
        kb = np.asarray(res.theory["kappa_bar"])
        ell = _ellipse(np.asarray(res.theory["Sigma"]) / cfg.N)
        for sgn in (1, -1):
            ax.plot(*(sgn * kb), "k+", ms=8, mew=1.5)
            ax.plot(sgn * kb[0] + ell[:, 0], sgn * kb[1] + ell[:, 1], "k-", lw=0.8)
        r = 1.25 * max(float(np.linalg.norm(kb)), float(np.abs(pts).max()))
        ax.annotate(
            "",
            xy=(0.6 * r, 0),
            xytext=(0, 0),
            arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1.2},
        )
        ax.text(0.6 * r, 0.04 * r, "readout u₁", color="C3", fontsize=7, ha="right")
        ax.set_xlim(-r, r)
        ax.set_ylim(-r, r)
        ax.set_aspect("equal")
        ax.set_xlabel("κ₁ = u₁ᵀx/N (a.u.)")
        ax.set_ylabel("κ₂ = u₂ᵀx/N (a.u.)")
        ax.set_title(f"N={cfg.N}, λ₊={cfg.lambda_plus:g}, λ₋={cfg.lambda_minus:g}")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    axes.ravel()[0].legend(loc="upper left", markerscale=6, frameon=False)
    fig.suptitle("Latent clouds (network 0); + theory ±κ̄, line: theory 2-SD ellipse", fontsize=9)
    return save(fig, path)


def plot_static_histograms(results: Sequence[StaticResult], path: str | Path) -> Path:
    """Histograms of the (sign-flipped) output z of network 0, one panel per result,
    with the target ẑ, the simulated mean, the THEORY §2 Gaussian N(ẑ, L_var) and, when
    computed, the extended theory's (Euler map + leaked Hermite noise, dotted)."""
    n = len(results)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, axes = figure(nrows, ncols, width=2.7 * ncols, height=2.4, layout="constrained")
    for ax, res in zip(axes.ravel(), results, strict=False):
        cfg = res.config
        z = res.outputs.ravel()
        ax.hist(z, bins=60, density=True, color="C0", alpha=0.6, label="simulation")
        lv = float(res.theory["loss_var"])
        grid = np.linspace(z.min(), z.max(), 200)
        ax.plot(
            grid,
            np.exp(-((grid - cfg.z_target) ** 2) / (2 * lv)) / math.sqrt(2 * math.pi * lv),
            "k-",
            lw=1,
            label="theory N(ẑ, L_var)",
        )
        ext = getattr(res, "theory_extended", {}) or {}
        if "loss_var" in ext:
            lv2 = float(ext["loss_var"])
            ax.plot(
                grid,
                np.exp(-((grid - cfg.z_target) ** 2) / (2 * lv2)) / math.sqrt(2 * math.pi * lv2),
                "k:",
                lw=1,
                label="Euler map + Hermite theory",
            )
        ax.axvline(cfg.z_target, color="k", ls="--", lw=1, label="target ẑ")
        ax.axvline(float(z.mean()), color="C3", lw=1, label="sim. mean")
        ax.set_xlabel("output z (sign-flipped)")
        ax.set_ylabel("density")
        ax.set_title(f"N={cfg.N}, λ₊={cfg.lambda_plus:g}")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    axes.ravel()[0].legend(loc="upper left", frameon=False, fontsize=6)
    return save(fig, path)
