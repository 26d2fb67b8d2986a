"""The continuous-time theories judged on their own terms: the simulation extrapolated to dt → 0.

The paper's theory (THEORY §2) is a continuous-time theory; at the simulated step dt = 0.2 it
misses the Euler map's inflation of the variance, 1/(1 − dt·r/2) for a mode of rate r, which
is not a failure of the theory but of comparing it at finite dt. So the static experiment also
simulates one parameter point at several small steps, and :func:`dt_extrapolation_rows` fits the
per-network estimates of a quantity linearly in dt (weighted least squares with the SE of each
dt as its weight — the leading Euler correction is O(dt); the next, O(dt²·r²/4), is below 1 %
for dt·r ≤ 0.2) and compares the intercept, the simulation at dt → 0, with the
continuous-time theories: ``paper`` (THEORY §2) and ``Hermite`` (meanfield's continuous-time
theory with the noise leaking through φ). The intercept's SE comes from the SEs of the
points (known variances propagated through the fit), each estimated from the networks of its
dt: its degrees of freedom are those of the smallest group (networks − 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import stats

__all__ = ["DT_QUANTITIES", "MAX_FIT_DT", "dt_extrapolation_rows", "extrapolate_to_zero"]

#: Quantities extrapolated to dt → 0 (the static experiment's estimate keys).
DT_QUANTITIES: tuple[str, ...] = ("loss_var", "kappa_norm")
#: Largest step used in the linear fit: at dt·r/2 ≤ 0.15 (r ≤ 3, the fast mode of λ₋ = −5)
#: the O(dt²) term of 1/(1 − dt·r/2) biases the intercept by ≲ 0.5 %.
MAX_FIT_DT: float = 0.1


def extrapolate_to_zero(
    dts: Sequence[float], means: Sequence[float], ses: Sequence[float]
) -> tuple[float, float]:
    """Intercept (value at dt = 0) ± SE of the weighted least-squares line through
    (dt_i, mean_i) with weights 1/se_i² (at least two distinct dt, every se > 0)."""
    x, y, s = (np.asarray(v, dtype=float) for v in (dts, means, ses))
    if x.size < 2 or np.unique(x).size < 2 or np.any(~(s > 0)):
        raise ValueError(
            f"dts={list(x)!r}, ses={list(s)!r} are not allowed; allowed: at least "
            "two distinct dt with standard errors > 0"
        )
    w = 1.0 / s**2
    X = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    coef = cov @ (X.T @ (w * y))
    return float(coef[0]), float(math.sqrt(cov[0, 0]))


def dt_extrapolation_rows(results: Sequence[Any], min_dts: int = 3) -> list[stats.Comparison]:
    """Rows "<quantity> (dt → 0)" for every static point simulated at ≥ ``min_dts`` steps
    dt ≤ :data:`MAX_FIT_DT`.

    ``results``: :class:`validate.experiments.static.StaticResult` objects; points are grouped
    by everything of their config but ``dt`` and ``seed``. Each group gives one row per
    quantity of :data:`DT_QUANTITIES` and continuous-time variant (``paper``, ``Hermite``),
    tagged with its claim, the variant's declared model error D/ΔV (continuous time) and
    domain (:mod:`meanfield.variants`); both are findings (the package's best variant is the
    finite-dt one, judged at the simulated dt).
    """
    import dataclasses

    from meanfield.variants import domain_reason, noise_to_barrier

    from .static import static_theory_extended
    from .theory_variants import FIXED_POINT_CLAIMS

    groups: dict[tuple, list[Any]] = {}
    for res in results:
        cfg = res.config
        if cfg.dt > MAX_FIT_DT:
            continue
        key = tuple(
            sorted((k, v) for k, v in dataclasses.asdict(cfg).items() if k not in ("dt", "seed"))
        )
        groups.setdefault(key, []).append(res)
    rows: list[stats.Comparison] = []
    for members in groups.values():
        dts = sorted({m.config.dt for m in members})
        if len(dts) < min_dts:
            continue
        members = sorted(members, key=lambda m: m.config.dt)
        cfg = members[0].config
        hermite = static_theory_extended(cfg, continuous=True)
        theories = {"paper": members[0].theory, "Hermite": hermite}
        tol = float(noise_to_barrier(cfg.lambda_plus, cfg.sigma, cfg.N))
        switched = max(float(np.max(m.switched)) for m in members)
        domain = domain_reason(tol, switched=switched)
        n = min(int(np.size(m.estimates[DT_QUANTITIES[0]])) for m in members)
        for q in DT_QUANTITIES:
            means = [float(np.mean(m.estimates[q])) for m in members]
            ses = [
                float(np.std(m.estimates[q], ddof=1) / math.sqrt(np.size(m.estimates[q])))
                for m in members
            ]
            value, se = extrapolate_to_zero([m.config.dt for m in members], means, ses)
            for variant, theory in theories.items():
                row = stats.compare_estimate(
                    f"{q} (dt → 0) [{variant}]",
                    float(theory[q]),
                    value,
                    se,
                    n,
                    se_kind="seeds",
                    N=cfg.N,
                    experiment="static",
                    setting=(
                        cfg.label().rsplit(", dt=", 1)[0]
                        + f", dt ∈ {{{', '.join(f'{d:g}' for d in dts)}}} → 0"
                    ),
                    note="simulation extrapolated linearly in dt to 0 (weighted by the SEs), "
                    "against the continuous-time theory",
                    tolerance=tol if tol == tol else 0.0,
                    domain=domain,
                    dof=n - 1,
                )
                rows.append(
                    row.tagged(
                        claim=FIXED_POINT_CLAIMS[q] + " (dt → 0)", variant=variant, role="finding"
                    )
                )
    return rows
