"""Timing of the vectorised mean-field theory against a per-point research-notebook loop.

Run: ``python benchmarks/bench_meanfield.py [--points 1000000] [--baseline-points 200]``.
Not a test: it prints a table (best of ``--repeat`` runs for the vectorised
calls; the baseline loop runs once). Targets from the project brief:

* closed-form L_var (symmetric M, erf) over 10⁶ parameter points: < 0.1 s;
* general-M ``latent_covariance`` over 10⁶ points: < 1 s;
* ``optimum`` for 100 N × 10 λ₋: < 1 s;
* the best theory variant, ``loss_var(..., dt=0.2, hermite_orders=8)`` over 10⁶ points: ≤ 1 s
  (issue 17; 6–12 s before the drives were summed on scalar arrays in cache-sized blocks),
  also printed with ``dt=0.2`` alone for comparison.

Baseline (what the papers' notebooks do, THEORY §2): for each point separately,
⟨φ'⟩ and ⟨φ'''⟩ by ``scipy.integrate.quad``, the fixed point λ₊⟨φ'⟩(σ² + ‖κ̄‖²) = 1
by ``scipy.optimize.brentq`` on quad, A from :func:`meanfield.fluctuations.fluctuation_matrix`
and Σ_A by ``scipy.linalg.solve_continuous_lyapunov``, plus the gain term
(:func:`meanfield.fluctuations.v_orth_general`). The formulas are the package's; only
the numerical kernels differ, and the script checks that both routes agree before it
reports a speed-up (µs per point of the baseline / µs per point of the vectorised call,
from the same run).
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time over ``repeat`` calls (after one warm-up call) and the last result."""
    result = fn()
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _points(n: int, rng: np.random.Generator, general: bool) -> dict[str, np.ndarray]:
    """Random feasible parameter points (large output weights, erf): λ₊, λ₋, σ, N (, θ₋)."""
    import meanfield

    sigma = rng.uniform(0.2, 1.5, n)
    N = rng.integers(64, 4096, n).astype(np.float64)
    # λ₊ above the ρ = 1 boundary: ‖κ̄‖ ≥ 2/√N keeps ρ ≤ 1/2 (large weights, ẑ = 1)
    lam_lo = np.sqrt(meanfield.lambda_min(sigma) ** 2 + (np.pi / 2) * 4.0 / N)
    lam = lam_lo + rng.uniform(0.01, 3.0, n)
    lam_m = np.minimum(rng.uniform(-20.0, 2.0, n), 0.9 * lam)  # λ₋ < λ₊: stable
    pts = {"lambda_plus": lam, "lambda_minus": lam_m, "sigma": sigma, "N": N}
    if general:
        # v₋ at a random angle, kept ≥ 0.1 rad away from v₊ (θ₊ ∈ (60°, 90°] here)
        pts["theta_minus"] = rng.uniform(-1.2, 0.9, n)
    return pts


# --------------------------------------------------------------------------- baseline
def _baseline_latent_covariance(
    lam: float, lam_m: float, sigma: float, n: float, theta_minus: float, z_target: float = 1.0
) -> np.ndarray:
    """Σ of one point, the per-point notebook way (quad + brentq + solve_continuous_lyapunov)."""
    from scipy.integrate import quad
    from scipy.linalg import solve_continuous_lyapunov
    from scipy.optimize import brentq
    from scipy.special import erf

    from meanfield.fluctuations import fluctuation_matrix, v_orth_general

    alpha = math.sqrt(math.pi) / 2.0  # φ(x) = erf(αx), the definition of THEORY §2

    def gauss(f: Callable[[float], float], delta: float) -> float:
        """⟨f(x)⟩ over x ~ N(0, Δ) by adaptive quadrature."""
        norm = 1.0 / math.sqrt(2.0 * math.pi * delta)
        val, _ = quad(
            lambda x: f(x) * math.exp(-0.5 * x * x / delta) * norm,
            -np.inf,
            np.inf,
            epsabs=1e-13,
            epsrel=1e-12,
        )
        return val

    # Gaussian integration by parts (meanfield.nonlinearities): ⟨φ'⟩ = ⟨φ x⟩/Δ and
    # ⟨φ'''⟩ = ⟨φ (x³ − 3Δx)⟩/Δ³, so only φ itself is needed.
    def mean_dphi(delta: float) -> float:
        return gauss(lambda x: erf(alpha * x) * x, delta) / delta

    def mean_dphi3(delta: float) -> float:
        return gauss(lambda x: erf(alpha * x) * (x**3 - 3.0 * delta * x), delta) / delta**3

    s2 = sigma * sigma
    k = brentq(
        lambda kk: lam * mean_dphi(s2 + kk) - 1.0, 0.0, 10.0 * lam * lam, xtol=1e-14, rtol=1e-13
    )
    rho = z_target / math.sqrt(n * k)  # L_bias = 0, large output weights
    q = mean_dphi3(s2 + k) / mean_dphi(s2 + k)
    gamma = q * k
    A = np.asarray(fluctuation_matrix(lam, gamma, rho, lam_m, theta_minus), dtype=np.float64)
    sigma_a = solve_continuous_lyapunov(A, -2.0 * s2 * np.eye(2))
    vp = np.array([rho, math.sqrt(1.0 - rho * rho)])
    return sigma_a + float(v_orth_general(gamma, k, s2)) * np.outer(vp, vp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--points", type=int, default=1_000_000, help="vectorised points (default 10^6)"
    )
    parser.add_argument(
        "--baseline-points", type=int, default=200, help="baseline loop points (default 200)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed repeats of vectorised calls (best)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import meanfield

    rng = np.random.default_rng(args.seed)
    rows: list[tuple[str, int, float, float | None]] = []  # name, points, seconds, target s
    scale = args.points / 1e6  # targets are for 10⁶ points

    # 1. closed-form L_var, symmetric M
    p = _points(args.points, rng, general=False)
    t_lv, lv = _best_time(
        lambda: meanfield.loss_var(p["lambda_plus"], p["lambda_minus"], p["sigma"], p["N"]),
        args.repeat,
    )
    assert np.isfinite(lv).all(), "benchmark points must be feasible"
    rows.append(("loss_var, closed form (symmetric M)", args.points, t_lv, 0.1 * scale))

    # 2. general-M latent covariance (numeric Lyapunov route)
    g = _points(args.points, rng, general=True)
    t_cov, cov = _best_time(
        lambda: meanfield.latent_covariance(
            g["lambda_plus"], g["lambda_minus"], g["sigma"], g["N"], theta_minus=g["theta_minus"]
        ),
        args.repeat,
    )
    assert np.isfinite(cov).all(), "benchmark points must be feasible"
    rows.append(("latent_covariance, general M", args.points, t_cov, 1.0 * scale))

    # 2b. the best theory variant: Euler map and Hermite drives (issue 17), and dt= alone
    kw = {"dt": 0.2}
    t_dt, lv_dt = _best_time(
        lambda: meanfield.loss_var(p["lambda_plus"], p["lambda_minus"], p["sigma"], p["N"], **kw),
        args.repeat,
    )
    rows.append(("loss_var, dt=0.2", args.points, t_dt, None))
    t_he, lv_he = _best_time(
        lambda: meanfield.loss_var(
            p["lambda_plus"], p["lambda_minus"], p["sigma"], p["N"], dt=0.2, hermite_orders=8
        ),
        args.repeat,
    )
    rows.append(("loss_var, dt=0.2, hermite_orders=8", args.points, t_he, 1.0 * scale))

    # 3. the optimum on a 100 × 10 grid
    n_grid = np.geomspace(64, 1e6, 100)[:, None]
    lm_grid = -np.geomspace(0.5, 50.0, 10)[None, :]
    t_opt, opt = _best_time(lambda: meanfield.optimum(n_grid, lm_grid), args.repeat)
    assert np.isfinite(opt.loss_var).all()
    rows.append(("optimum, 100 N × 10 λ₋", 1000, t_opt, 1.0))

    # 4. per-point baseline on the first points of the general-M set
    nb = args.baseline_points

    def args_of(i: int) -> tuple[float, ...]:
        return tuple(
            float(g[k][i]) for k in ("lambda_plus", "lambda_minus", "sigma", "N", "theta_minus")
        )

    _baseline_latent_covariance(*args_of(nb))  # warm-up: scipy imports are not timed
    t0 = time.perf_counter()
    base = np.array([_baseline_latent_covariance(*args_of(i)) for i in range(nb)])
    t_base = time.perf_counter() - t0
    rel = np.max(
        np.abs(base - cov[:nb]) / np.maximum(np.abs(cov[:nb]), 1e-12 * np.abs(cov[:nb]).max())
    )
    rows.append(("baseline: quad + brentq + solve_lyapunov", nb, t_base, None))

    print(
        f"meanfield benchmark  (python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, seed {args.seed}, best of {args.repeat})"
    )
    header = ("computation", "points", "time [s]", "µs / point", "target", "")
    table = [header]
    for name, n, t, target in rows:
        verdict = "" if target is None else ("ok" if t < target else "MISSED")
        target_text = "(reference)" if target is None else f"< {target:.3g} s"
        table.append((name, f"{n:,}", f"{t:.4f}", f"{1e6 * t / n:.4g}", target_text, verdict))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    us_base = 1e6 * t_base / nb
    print()
    print(
        f"baseline vs latent_covariance (same points): max relative difference of Σ entries = {rel:.2e}"
    )
    print(
        f"speed-up per point, general-M latent_covariance: {us_base / (1e6 * t_cov / args.points):,.0f}×"
    )
    print(
        f"speed-up per point, closed-form loss_var:        {us_base / (1e6 * t_lv / args.points):,.0f}×"
    )
    return 0 if rel < 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
