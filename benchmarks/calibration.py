"""False-fail rates of the row rule (validate.core.stats) with exact truth, at 2, 3, 4, 8 seeds.

For each number of seeds n and each distribution of the per-seed values (mean = the theory
value exactly), R replicate rows are judged by the package's rule: z = (mean − T)/(sd/√n),
failing when |z| > stats.critical_z(n − 1) (Student's t at P_ROW = 6.3·10⁻⁵). Printed: the
measured false-fail rate ± its binomial SE against P_ROW, and the rate the old Gaussian
threshold |z| > 4 would have had. The vectorised z is checked against ``stats.compare`` on
the first 200 replicates of every setting (same numbers), so this measures the package's
own rule. A measurement script, not a test (the CI version is
tests/validate/core/test_calibration.py).

    python benchmarks/calibration.py --replicates 10000000

(about 40 s on 2 CPU cores for 10⁷ replicates per setting). It then measures the paired
spread row of the corrections experiment the same way (``--spread-replicates``).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from validate.core import stats

DISTRIBUTIONS = {
    "gaussian": lambda rng, size: rng.standard_normal(size),
    # skewed seed values, centred on their exact mean: lognormal with log-SD 0.5 and 1
    "lognormal(0.5)": lambda rng, size: np.exp(0.5 * rng.standard_normal(size)) - math.exp(0.125),
    "lognormal(1)": lambda rng, size: np.exp(rng.standard_normal(size)) - math.exp(0.5),
}


def rates(
    n: int, dist: str, replicates: int, seed: int = 0, chunk: int = 1_000_000
) -> tuple[float, float]:
    """(fail rate of the package's rule, fail rate of |z| > 4) over ``replicates`` rows."""
    rng = np.random.default_rng([seed, n, list(DISTRIBUTIONS).index(dist)])
    z_crit = stats.critical_z(n - 1)
    fails = fails_gauss = 0
    done = 0
    checked = False
    while done < replicates:
        size = min(chunk, replicates - done)
        x = DISTRIBUTIONS[dist](rng, (size, n))
        z = x.mean(axis=1) / (x.std(axis=1, ddof=1) / math.sqrt(n))
        if not checked:  # the vectorised z is the package's own z
            for i in range(200):
                row = stats.compare("q", 0.0, x[i], se_kind="seeds", N=100, scale=1.0)
                assert math.isclose(row.z, z[i], rel_tol=1e-9, abs_tol=1e-12), (row.z, z[i])
                assert (row.status == "fail") == (abs(z[i]) > z_crit)
            checked = True
        fails += int(np.count_nonzero(np.abs(z) > z_crit))
        fails_gauss += int(np.count_nonzero(np.abs(z) > stats.Z_MAX))
        done += size
    return fails / replicates, fails_gauss / replicates


def spread_rates(
    networks: int, trials: int, replicates: int, seed: int = 0, chunk: int = 200_000
) -> tuple[float, float]:
    """False-fail rates of ``corrections.spread_row`` at the 1 % level and at P_ROW, on exact
    truth: predictions p_i ~ N(0, 1), z̄_i = p_i + e_i with e_i ~ N(0, s_i²), s_i ∈ [0.2, 0.3],
    ŝ_i from ``trials`` trial means. The vectorised statistic is checked against spread_row on
    the first 200 replicates."""
    from scipy import special

    from validate.experiments.corrections import spread_row

    rng = np.random.default_rng([seed, networks, trials])
    n, K = networks, trials
    hits = np.zeros(2)
    done, checked = 0, False
    while done < replicates:
        size = min(chunk, replicates - done)
        pred = rng.standard_normal((size, n))
        s = 0.2 + 0.1 * rng.random((size, n))
        z = pred + s * rng.standard_normal((size, n))
        s2 = s**2 * rng.chisquare(K - 1, (size, n)) / (K - 1)
        diff = z.var(1, ddof=1) - pred.var(1, ddof=1) - s2.mean(1)
        c = pred - pred.mean(1, keepdims=True)
        a = 4 * c**2 * s2 / (n - 1) ** 2
        var = a.sum(1) + 2 * (s2**2).sum(1) / (n - 1) ** 2 + 2 * (s2**2).sum(1) / ((K - 1) * n**2)
        dof = a.sum(1) ** 2 / ((a**2).sum(1) / (K - 1))
        zz = diff / np.sqrt(var)
        p = 2 * special.stdtr(dof, -np.abs(zz))
        if not checked:
            for i in range(200):
                row = spread_row(z[i], pred[i], np.sqrt(s2[i]), trials=K, N=256)
                assert math.isclose(row.p_value, p[i], rel_tol=1e-6, abs_tol=1e-12)
            checked = True
        hits += [np.count_nonzero(p <= 0.01), np.count_nonzero(p <= stats.P_ROW)]
        done += size
    return hits[0] / replicates, hits[1] / replicates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=10_000_000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[2, 3, 4, 8])
    ap.add_argument(
        "--spread-replicates",
        type=int,
        default=4_000_000,
        help="replicates of the paired spread row (corrections.spread_row)",
    )
    args = ap.parse_args()
    R = args.replicates
    print(
        f"P_ROW = {stats.P_ROW:.3e}; {R:.0e} replicate rows per setting; "
        f"binomial SE at P_ROW = {math.sqrt(stats.P_ROW / R):.1e}"
    )
    print(
        f"{'values':>15} {'seeds':>5} {'z crit':>7} {'rule fail rate':>22} "
        f"{'/ P_ROW':>8} {'|z|>4 rate':>11}"
    )
    for dist in DISTRIBUTIONS:
        for n in args.seeds:
            t0 = time.perf_counter()
            rate, gauss = rates(n, dist, R)
            se = math.sqrt(max(rate, stats.P_ROW) * (1 - rate) / R)
            print(
                f"{dist:>15} {n:5d} {stats.critical_z(n - 1):7.3g} "
                f"{rate:11.3e} ± {se:8.1e} {rate / stats.P_ROW:8.2f} {gauss:11.3e}"
                f"   ({time.perf_counter() - t0:.1f} s)"
            )
    R = args.spread_replicates
    print(f"\npaired spread row (corrections.spread_row), {R:.0e} replicates, exact truth:")
    for n, K in ((16, 16), (8, 8)):
        r1, rp = spread_rates(n, K, R)
        print(
            f"  {n} networks × {K} trials: {r1:.4f} at the 1 % level, "
            f"{rp:.2e} = {rp / stats.P_ROW:.1f} × P_ROW at P_ROW"
        )


if __name__ == "__main__":
    main()
