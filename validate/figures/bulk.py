"""Figures of the random-bulk experiment (THEORY §7, :mod:`validate.experiments.bulk`).

* :func:`plot_bulk_state`: c₀, c∞ and ‖κ̄‖ against λ₊, one colour per g — the DMFT as lines
  (:func:`meanfield.bulk_state`), the simulated networks as mean ± SE over networks at their
  nominal λ₊ (markers per N);
* :func:`plot_bulk_autocorrelation`: Δ(τ) of the orthogonal activity, simulation (mean ± SE)
  against the DMFT at the networks' own total variance, for a non-chaotic (g < 1) and a
  chaotic (g > 1) point;
* :func:`plot_bulk_latent`: Σ₊₊ and Σ₋₋ (the latent covariance along v₊, v₋) against g at the
  largest N — simulation mean ± SE over networks, each theory variant of
  :data:`validate.experiments.bulk.LATENT_VARIANTS` as its mean over the same networks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..experiments.bulk import LAGS, LATENT_MIN_TIME, LATENT_VARIANTS, BulkPoint, latent_theory
from .style import figure, save

__all__ = ["plot_bulk_autocorrelation", "plot_bulk_latent", "plot_bulk_state"]

_MARKERS = ("o", "s", "^", "D")


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    return float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(x.size))


def plot_bulk_state(points: Sequence[BulkPoint], path: str | Path) -> Path:
    """Three panels (c₀, c∞, ‖κ̄‖) against λ₊; lines: DMFT per g (σ of the first point)."""
    import meanfield as mf

    gs = sorted({p.config.g for p in points})
    Ns = sorted({p.config.N for p in points})
    sigma = points[0].config.sigma
    lam = np.linspace(1.02, 3.0, 120)
    fig, axes = figure(1, 3, width=10.0, height=3.0, layout="constrained")
    names = (("c0", "c₀"), ("c_inf", "c∞"), ("kappa_norm", "‖κ̄‖"))
    for k, g in enumerate(gs):
        with mf.errors("nan"):
            th = mf.bulk_state(lam, sigma, g)
        for ax, (field, label) in zip(axes[0], names, strict=False):
            ax.plot(
                lam,
                getattr(th, field),
                color=f"C{k}",
                lw=1.2,
                label=f"DMFT g={g:g}" if field == "c0" else None,
            )
            ax.axvline(float(np.nanmax(th.lambda_c)), color=f"C{k}", lw=0.5, ls=":")
            for j, N in enumerate(Ns):
                mine = [
                    p
                    for p in points
                    if p.config.g == g and p.config.N == N and p.config.sigma == sigma
                ]
                for p in mine:
                    m, se = _mean_se(getattr(p, field))
                    ax.errorbar(
                        p.config.lambda_plus + 0.02 * (j - 0.5),
                        m,
                        yerr=se,
                        fmt=_MARKERS[j % len(_MARKERS)],
                        color=f"C{k}",
                        ms=4,
                        capsize=2,
                        label=(f"N={N}" if (field == "c0" and k == 0 and p is mine[0]) else None),
                    )
            ax.set_xlabel("λ₊")
            ax.set_ylabel(label)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(
        f"Random bulk (THEORY §7): DMFT vs simulation, σ = {sigma:g} (dotted: critical λ_c(g, σ))",
        fontsize=9,
    )
    return save(fig, path)


def plot_bulk_autocorrelation(points: Sequence[BulkPoint], path: str | Path) -> Path:
    """Δ(τ) for the largest-N point with g < 1 and the one with g > 1 (where present)."""
    import meanfield as mf

    chosen = []
    for chaotic in (False, True):
        mine = [p for p in points if (p.config.g > 1) == chaotic]
        if mine:
            chosen.append(max(mine, key=lambda p: (p.config.N, p.config.lambda_plus)))
    fig, axes = figure(1, len(chosen), width=4.0 * len(chosen), height=3.0, layout="constrained")
    tau = np.linspace(0.0, LAGS[-1], 200)
    for ax, p in zip(axes[0], chosen, strict=False):
        c = p.config
        th = np.mean(
            [mf.bulk_autocorrelation(float(1.0 / mf.mean_dphi(v)), c.sigma, c.g, tau) for v in p.v],
            axis=0,
        )
        ax.plot(tau, th, color="k", lw=1.2, label="DMFT (each network's v)")
        m = p.acf.mean(0)
        se = p.acf.std(0, ddof=1) / math.sqrt(p.acf.shape[0])
        ax.errorbar(LAGS, m, yerr=se, fmt="o", ms=3, color="C0", capsize=2, label="simulation")
        ax.set_title(c.label(), fontsize=8)
        ax.set_xlabel("τ")
        ax.set_ylabel("Δ(τ)")
        ax.legend(fontsize=7)
    return save(fig, path)


def plot_bulk_latent(points: Sequence[BulkPoint], path: str | Path) -> Path:
    """Two panels (Σ₊₊, Σ₋₋) against g for the latent points (long runs with a fixed point,
    see :func:`validate.experiments.bulk.latent_rows`) of the largest N."""
    import meanfield as mf

    fixed = [
        p
        for p in points
        if not p.config.sweep
        and p.config.t_max - p.config.t_discard >= LATENT_MIN_TIME
        and p.config.lambda_plus > float(mf.lambda_min(p.config.sigma, g=p.config.g))
    ]
    fig, axes = figure(1, 2, width=8.0, height=3.0, layout="constrained")
    if fixed:
        N = max(p.config.N for p in fixed)
        mine = sorted((p for p in fixed if p.config.N == N), key=lambda p: p.config.g)
        gs = np.array([p.config.g for p in mine])
        for i, (ax, label) in enumerate(zip(axes[0], ("Σ₊₊ (v₊)", "Σ₋₋ (v₋)"), strict=False)):
            sim = [_mean_se(p.latent_cov[:, i, i]) for p in mine]
            ax.errorbar(
                gs,
                [m for m, _ in sim],
                yerr=[s for _, s in sim],
                fmt="o",
                color="k",
                ms=4,
                capsize=2,
                label="simulation",
                zorder=3,
            )
            for k, name in enumerate(LATENT_VARIANTS):
                th = [float(np.nanmean(latent_theory(p, name)[:, i, i])) for p in mine]
                ax.plot(
                    gs + 0.015 * (k - 1),
                    th,
                    _MARKERS[(k + 1) % len(_MARKERS)],
                    color=f"C{k}",
                    ms=5,
                    mfc="none",
                    label=name,
                )
            ax.set_xlabel("g")
            ax.set_ylabel(label)
            ax.set_title(f"N = {N}, λ₊ = {mine[0].config.lambda_plus:g}", fontsize=8)
        axes[0][0].legend(fontsize=6)
    fig.suptitle(
        "Random bulk: latent covariance N·Cov(κ), simulation vs linear-noise theory "
        "(each network at its own λ_eff)",
        fontsize=9,
    )
    return save(fig, path)
