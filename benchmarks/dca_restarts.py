"""DCA restart agreement on a trained seed-003 decision network (issue 18): reported, not a test.

Trains the quick seed-003 decision network (N = 64, θ = 0) for 300 steps with 2 seeds (stored
under RUN_DIR, reused on a rerun), then on seed 0's noisy trial activity prints the number of
varying directions, the extreme eigenvalues of the block-Toeplitz Σ_2T (positive semi-definite
with the estimator of ``lag_covariances``), and for three optimiser settings the sorted PIs
of 10 DCA restarts with the fraction within 99 % of the best — Adam alone (``polish=False``)
beside Adam + float64 L-BFGS in whitened coordinates (the default), on the same data.

Usage: ``python benchmarks/dca_restarts.py [RUN_DIR] [ESTIMATOR]`` (defaults
``runs/dca_restarts_probe`` and ``windows``; ``padded`` for the other lag-covariance estimator).
"""

from __future__ import annotations

import dataclasses
import sys
import time

import numpy as np

from simulate.training import train
from validate.analysis.network_measures import _block_toeplitz_np, dca, lag_covariances, live_basis
from validate.experiments.seed003 import _config, default_seed003_plan


def main(run_dir: str, estimator: str = "windows") -> None:
    plan = dataclasses.replace(default_seed003_plan("quick", ("decision",)), steps=300, seeds=2)
    run = train(_config(plan, "decision", 0.0), run_dir, progress=False)
    X = np.asarray(run.evaluation["final_noisy_x"][0])
    C = lag_covariances(X, 2 * plan.dca_window - 1, estimator)
    B = live_basis(C[0])
    Cr = np.einsum("ni,knm,mj->kij", B, C, B)
    ev = np.linalg.eigvalsh(_block_toeplitz_np(Cr, 2 * plan.dca_window))
    print(
        f"activity {X.shape}, {B.shape[1]} varying directions; Σ_2T eigenvalues "
        f"{ev.min():.3g} … {ev.max():.3g}"
    )
    for polish in (False, True):
        for steps, lr in ((plan.dca_steps, 0.05), (1000, 0.05), (1000, 0.02)):
            t0 = time.perf_counter()
            r = dca(
                X,
                plan.dca_dim,
                T=plan.dca_window,
                restarts=10,
                steps=steps,
                learning_rate=lr,
                seed=0,
                polish=polish,
                estimator=estimator,
            )
            print(
                f"polish={polish} steps={steps} lr={lr}: PI of restarts "
                f"{np.round(np.sort(r.pi_runs), 3)}, within 99 % of the best: "
                f"{np.mean(r.pi_runs >= 0.99 * r.pi):.0%} ({time.perf_counter() - t0:.1f} s)"
            )


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "runs/dca_restarts_probe",
        sys.argv[2] if len(sys.argv) > 2 else "windows",
    )
