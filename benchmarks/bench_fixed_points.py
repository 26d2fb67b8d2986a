"""Timing of the vmapped fixed-point finder against a per-point scipy.optimize loop.

Run: ``python benchmarks/bench_fixed_points.py [--sizes 128 512] [--points 256]
[--baseline-points 32] [--method auto|adam-lm|lbfgs-newton] [--compare-methods]
[--solver auto|dense|cg] [--steps S] [--newton-steps K] [--cg-iters I] [--legacy]``. Not a
test: it prints a table (``--compare-methods``: both methods against one loop run, plus the
L-BFGS stage alone for the time split).

Network: a random tanh rate network (``simulate.make_rate_rnn``, g = 1.5, zero input), the
initial states drawn from a noisy trajectory of it (:func:`validate.analysis.fixed_points.sample_initial_states`).
Both routes minimise the same per-unit speed q(h) = ½‖ḣ‖²/N (seed 002's method):

* **vmapped**: :func:`validate.analysis.fixed_points.find_fixed_points` with its defaults — all initial
  states in one jitted call: 300 Adam steps, then at most 30 Levenberg–Marquardt steps in a
  ``while_loop`` that stops once every point has converged or stalled; inner solve matrix-free
  CG (N ≤ 256) or dense (N > 256). ``--legacy`` runs the previous defaults (2000 Adam
  steps, 20 dense steps; now inside the early-exit loop). Timed after a warm-up call
  (compile time printed separately);
* **baseline**: one ``scipy.optimize.minimize(method="L-BFGS-B")`` per initial state, with the
  analytic gradient Jᵀḣ/N in numpy (J = −I + W diag(φ'(h))), ``gtol=1e-10``, up to 10⁴
  iterations, float64, one BLAS thread (its fastest setting, see below) — the per-point loop of
  a research notebook, on the first ``--baseline-points`` initial states.

Reported: points per second for each route and the speed-up (target ≥ 20×); the fraction of
points that reached q ≤ 1e-12 on each route (± binomial standard error) and the *converged*
points per second, the honest figure, with its ratio ("conv speed-up").

Measured 2026-12-08 (``--sizes 512 --baseline-points 32 --compare-methods`` and the same with
``--sizes 128``, one run each; the finder's time includes deduplication and the Jacobians and
eigendecompositions of the points it keeps, which the loop does not compute):

    N  method                      vmapped pts/s  conv.      conv pts/s  baseline pts/s  conv.      speed-up  conv speed-up
  512  adam-lm                               3.0  0.12±0.02      0.4        1.32      0.41±0.09     2.3×         0.7×
  512  lbfgs-newton (auto)                   9.7  0.18±0.02      1.7        1.32      0.41±0.09     7.3×         3.2×
  128  adam-lm (auto)                      172.7  0.38±0.03     66.1        8.38      0.53±0.09    20.6×        14.8×
  128  lbfgs-newton                         98.1  0.49±0.03     47.9        8.38      0.53±0.09    11.7×        10.8×

At N = 512 the L-BFGS stage took 12.7 s and the float64 Newton polish plus selection 13.8 s
(11-13 s of that is ``linearise``: 21-29 eigendecompositions of 512 × 512 on one BLAS
thread). The targets (≥ 10× at N = 512, ≥ 20× at N = 128 per converged point, with a converged
fraction at least the loop's) are still missed: the batched L-BFGS costs ≈ 35 µs per start and
iteration against the loop's ≈ 0.3 ms, but its one-evaluation Armijo steps leave more starts
at slow points than scipy's Moré–Thuente search (18 % converged against 41 %), and more
iterations (4000) or float64 do not change that (scratch runs, 2026-12-08).

Measured (2026-11-23, this repository's 2-core CPU container shared with other jobs, load ≈ 5,
jax 0.10.2 CPU; timings on a loaded machine vary by ±50 % between runs):

    N  route                                   vmapped pts/s  conv.      conv pts/s  baseline pts/s  conv.      speed-up  conv speed-up
  128  defaults (auto → matrix-free CG)                187.3  0.38±0.03     71.7        12.59      0.53±0.09     14.9×        10.7×
  128  --legacy (2000 Adam + ≤ 20 dense LM)            102.7  0.38±0.03     38.5        13.92      0.53±0.09      7.4×         5.2×
  512  defaults (auto → dense), --baseline-points 16     2.2  0.12±0.02      0.3         1.44      0.38±0.12      1.5×         0.5×
  512  --solver dense --newton-steps 20 (8 baseline)     2.3  0.09±0.02      0.2         1.32      0.38±0.17      1.7×         0.4×
  512  --solver cg --cg-iters 250 --newton-steps 30      7.9  0.01±0.01      0.1         1.78      0.38±0.17      4.4×         0.1×

A repeat of the first row gave 183.1 points/s, 15.4× and 11.1×.

The ≥ 20× target is **not** reached: 14.9× per start (10.7× per converged point) at N = 128,
1.5× per start and slower per converged point at N = 512. At N = 128 the matrix-free solve
halves the time of the previous defaults at the same converged fraction. At N = 512 neither
inner solve helps: 80-250 CG iterations do not resolve JᵀJ, whose condition number grows with
N (κ(J) ≈ 90-190 at N = 128 fixed points), and the dense O(N³) solves cost ≈ 4 s per step for
256 points; the batched float32 Levenberg–Marquardt route also converges fewer points than
float64 L-BFGS (12 % vs 38 %). A batched L-BFGS in JAX was tried and converged 10 % at
4.3 points/s (N = 512), so it was not kept then (float32 throughout, without the float64
Newton polish that ``method="lbfgs-newton"`` adds; see the 2026-12-08 rows above).
"""

from __future__ import annotations

import os

# The baseline is a loop of matrix-vector products (N ≤ 512): one BLAS thread is its fastest
# setting. With OpenBLAS's default threads on a loaded 2-core machine it ran 10-15× slower
# (measured: N = 128, 1.05 vs 10.2 points/s), which would flatter the vmapped route. Set
# before numpy loads; JAX's CPU backend does not use OpenBLAS and keeps all cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import math
import platform
import time

import numpy as np


def _network(N: int, seed: int):
    import jax
    import jax.numpy as jnp

    from simulate.dynamics import simulate
    from simulate.models import make_rate_rnn

    net = make_rate_rnn(jax.random.key(seed), N, n_in=1, n_out=1, g=1.5, nonlinearity="tanh")
    traj = simulate(
        net, jnp.zeros((4, 200, 1)), key=jax.random.key(seed + 1), sigma=0.2, x0_noise=1.0
    )
    return net, np.asarray(traj.x, dtype=np.float64)


def _baseline(W: np.ndarray, h0: np.ndarray, q_tol: float) -> tuple[float, float]:
    """Per-point L-BFGS-B loop; returns (seconds, fraction with q ≤ q_tol)."""
    from scipy.optimize import minimize

    N = W.shape[0]

    def q_and_grad(h: np.ndarray) -> tuple[float, np.ndarray]:
        r = np.tanh(h)
        v = -h + W @ r
        grad = (-v + (1.0 - r * r) * (W.T @ v)) / N
        return 0.5 * float(v @ v) / N, grad

    t0 = time.perf_counter()
    ok = 0
    for h in h0:
        res = minimize(
            q_and_grad,
            h,
            jac=True,
            method="L-BFGS-B",
            options={"gtol": 1e-10, "ftol": 1e-20, "maxiter": 10_000},
        )
        ok += res.fun <= q_tol
    return time.perf_counter() - t0, ok / len(h0)


def main(argv: list[str] | None = None) -> int:
    from validate.analysis.fixed_points import (
        AUTO_CG_MAX_N,
        METHODS,
        find_fixed_points,
        model_velocity,
        sample_initial_states,
    )

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 512])
    ap.add_argument("--points", type=int, default=256, help="initial states (vmapped route)")
    ap.add_argument("--baseline-points", type=int, default=32)
    ap.add_argument("--steps", type=int, default=None, help="Adam steps (default: the finder's)")
    ap.add_argument(
        "--newton-steps",
        type=int,
        default=None,
        help="most Levenberg–Marquardt steps (default: the finder's)",
    )
    ap.add_argument(
        "--method",
        default="auto",
        choices=METHODS,
        help="the finder's method (auto: L-BFGS + float64 Newton above N = 256)",
    )
    ap.add_argument(
        "--compare-methods",
        action="store_true",
        help="time both methods in the same run (the loop once), plus L-BFGS alone",
    )
    ap.add_argument("--solver", default="auto", choices=["auto", "dense", "cg"])
    ap.add_argument("--cg-iters", type=int, default=None, help="most CG iterations per step")
    ap.add_argument(
        "--legacy",
        action="store_true",
        help="the previous defaults: 2000 Adam steps at rate 0.01 decaying to 1e-4, "
        "then up to 20 dense Levenberg–Marquardt steps",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import jax

    opts: dict = {"solver": args.solver, "method": args.method}
    if args.legacy:
        opts.update(steps=2000, learning_rate=1e-2, decay=0.01, newton_steps=20, solver="dense")
    if args.steps is not None:
        opts["steps"] = args.steps
    if args.newton_steps is not None:
        opts["newton_steps"] = args.newton_steps
    if args.cg_iters is not None:
        opts["cg_iters"] = args.cg_iters
    q_tol = 1e-12
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, jax {jax.__version__} "
        f"({jax.default_backend()}), {args.points} points vs {args.baseline_points} baseline "
        f"points, finder options {opts or 'default'}"
    )
    print(
        f"{'N':>5} {'compile s':>10} {'vmapped pts/s':>14} {'conv.':>11} {'conv pts/s':>11} "
        f"{'baseline pts/s':>15} {'conv.':>11} {'conv pts/s':>11} {'speed-up':>9} "
        f"{'conv speed-up':>14}"
    )

    def frac(k: int, n: int) -> str:  # fraction ± binomial standard error
        p = k / n
        return f"{p:.2f}±{math.sqrt(p * (1 - p) / n):.2f}"

    methods = [m for m in METHODS if m != "auto"] if args.compare_methods else [args.method]
    for N in args.sizes:
        net, X = _network(N, args.seed)
        v = model_velocity(net)
        h0 = sample_initial_states(X, args.points, noise_std=0.5, seed=args.seed)
        t_base, conv_base = _baseline(
            np.asarray(net.W, np.float64), h0[: args.baseline_points], q_tol
        )
        k_base = round(conv_base * args.baseline_points)
        rate_base = args.baseline_points / t_base
        conv_rate_base = k_base / t_base
        for method in methods:
            run_opts = {**opts, "method": method}
            t0 = time.perf_counter()
            find_fixed_points(v, h0, np.zeros(1), **run_opts)
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            fp = find_fixed_points(v, h0, np.zeros(1), q_tol=q_tol, **run_opts)
            t_vec = time.perf_counter() - t0
            k_vec = fp.n_below_tol
            rate_vec = args.points / t_vec
            conv_vec = k_vec / t_vec
            conv_up = f"{conv_vec / conv_rate_base:>13.1f}×" if k_base else f"{'n/a':>14}"
            print(
                f"{N:>5} {first - t_vec:>10.2f} {rate_vec:>14.1f} {frac(k_vec, args.points):>11} "
                f"{conv_vec:>11.1f} {rate_base:>15.2f} {frac(k_base, args.baseline_points):>11} "
                f"{conv_rate_base:>11.2f} {rate_vec / rate_base:>8.1f}× {conv_up}  ({method})",
                flush=True,
            )
            if method == "lbfgs-newton" or (method == "auto" and N > AUTO_CG_MAX_N):
                # the first stage alone (no Newton) splits the time; the Newton share is the
                # difference of two timings, within timing noise when Newton is short
                t0 = time.perf_counter()
                alone = find_fixed_points(
                    v, h0, np.zeros(1), q_tol=q_tol, **{**run_opts, "newton_steps": 0}
                )
                t_first = time.perf_counter() - t0
                print(
                    f"      time split: L-BFGS {t_first:.2f} s (alone: converged "
                    f"{frac(alone.n_below_tol, args.points)}), float64 Newton and selection "
                    f"{t_vec - t_first:.2f} s",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
