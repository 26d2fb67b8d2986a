"""A candidate fixed-point route for N = 512 (issue 17, item 4): batched damped Newton in float64.

Run: ``python benchmarks/fixed_points_newton.py [--sizes 128 512] [--points 256]
[--baseline-points 16] [--adam-steps 0] [--newton-steps 30]``. Not a test: it prints a table.

Same network, initial states and per-point L-BFGS-B baseline as ``bench_fixed_points.py``
(g = 1.5 tanh rate network, zero input, ḣ = −h + W tanh(h), q = ½‖ḣ‖²/N, converged when
q ≤ 1e-12). The candidate:

In each of ``--rounds`` rounds, on the starts not yet converged:

1. ``--adam-steps`` of Adam on q for all starts at once (JAX, float32, compiled once per N
   before the timing; the converged starts are run along and then put back, so the shape
   stays);
2. at most ``--newton-steps`` of damped Newton (only for starts whose q is below
   ``--newton-below``, default all) in float64 on the starts not yet converged: δ = −J⁻¹ḣ with
   J = −I + W diag(1 − tanh²h), all active starts in one stacked ``numpy.linalg.solve``
   (LAPACK getrf/getrs per matrix, O(N³) each: ≈ 0.09 GFLOP at N = 512), then a step
   length from {1, ½, …, 2⁻¹²} per start, the one with the smallest ‖ḣ‖; a start whose ‖ḣ‖
   does not decrease is stalled and leaves the active set until the next round (slow points:
   q has a local minimum there and J is near-singular; Adam moves them on).

Measured 2026-12-07 (shared 2-core CPU; the loop's own rate varied 2× between runs):

    command (all --baseline-points 16 or 32)                    starts/s  conv.      conv/s   loop starts/s  conv.      per start  per conv.
    --sizes 128 --rounds 1 --adam-steps 0 --newton-steps 30       186.5   0.07±0.02  13.1        9.27     0.19±0.10    20.1×      7.5×
    --sizes 128 (defaults: 2 rounds, 1000 Adam, ≤ 20 Newton)       115.1   0.53±0.03  61.2       28.2      0.50±0.09     4.1×      4.3×
    --sizes 512 (defaults)                                           4.59  0.19±0.02   0.86      1.81     0.56±0.12     2.5×      0.8×
    --sizes 512 --rounds 4 --adam-steps 2000 --newton-below 1e-5
                --newton-steps 10                                    5.17  0.28±0.03   1.43      3.85     0.44±0.12     1.3×      0.9×

A dead end at N = 512, kept so it is not retried blind: Newton is quadratic where it
converges, but from Adam's end points most starts sit near slow points (local minima of q,
J near-singular), where no step length decreases ‖ḣ‖, and each Newton step costs an
O(N³) LU per start (47 s of the 56 s at N = 512 with the defaults). Adam does not carry the
stalled starts to roots fast enough: four rounds of 2000 Adam steps and Newton left 72 %
unconverged. The per-point L-BFGS loop (10⁴ iterations allowed) travels along the slow manifolds and converges 44-56 %.
The loop's converged fraction on the same 16 starts at N = 128 was 0.56 in an earlier run
and 0.19 in this table's: L-BFGS-B's end points sit near the q ≤ 1e-12 line, so the fraction is
fragile, and per-converged-point ratios inherit that.

Both routes use one BLAS thread (the baseline's fastest setting, see bench_fixed_points.py; it
handicaps the stacked solves). Printed per N: points/s and converged fraction of both routes,
the speed-up per start and per converged point, and the time split of the candidate's stages.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_fixed_points import _baseline, _network  # noqa: E402

#: Step lengths tried per Newton step (all at once, the best kept): 1, ½, …, 2⁻¹².
ALPHAS: tuple[float, ...] = tuple(2.0**-k for k in range(13))


def _speed(W: np.ndarray, h: np.ndarray) -> np.ndarray:
    """ḣ = −h + tanh(h) Wᵀ for states h [P, N]."""
    return -h + np.tanh(h) @ W.T


def newton(
    W: np.ndarray, h0: np.ndarray, steps: int, q_tol: float
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Damped Newton from h0 [P, N] (float64); returns (h, q, seconds per stage)."""
    N = W.shape[0]
    h = np.array(h0, np.float64)
    v = _speed(W, h)
    q = 0.5 * np.sum(v * v, axis=1) / N
    active = q > q_tol
    t_solve = t_search = 0.0
    eye = np.eye(N)
    for _ in range(steps):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        t0 = time.perf_counter()
        d = 1.0 - np.tanh(h[idx]) ** 2  # [A, N]
        J = -eye + W[None, :, :] * d[:, None, :]  # J_ij = −δ_ij + W_ij φ'(h_j)
        try:
            delta = -np.linalg.solve(J, v[idx][:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:  # a singular J in the stack: fall back to lstsq each
            delta = -np.stack(
                [np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(J, v[idx], strict=True)]
            )
        t_solve += time.perf_counter() - t0
        t0 = time.perf_counter()
        best_h, best_v = h[idx], v[idx]
        best_n = np.sum(best_v * best_v, axis=1)
        improved = np.zeros(idx.size, bool)
        for alpha in ALPHAS:
            cand = h[idx] + alpha * delta
            cv = _speed(W, cand)
            cn = np.sum(cv * cv, axis=1)
            better = np.isfinite(cn) & (cn < best_n)
            best_h = np.where(better[:, None], cand, best_h)
            best_v = np.where(better[:, None], cv, best_v)
            best_n = np.where(better, cn, best_n)
            improved |= better
        h[idx], v[idx] = best_h, best_v
        q[idx] = 0.5 * best_n / N
        active[idx] = improved & (q[idx] > q_tol)
        t_search += time.perf_counter() - t0
    return h, q, {"Newton solves": t_solve, "line search": t_search}


def make_adam(net: Any, steps: int) -> Callable[[np.ndarray], np.ndarray]:
    """A function h [P, N] → h after ``steps`` Adam steps (rate 0.01) on q for all starts at
    once (JAX, float32), jitted once: q from the package's drift (``model_velocity``)."""
    import jax
    import jax.numpy as jnp
    import optax

    from validate.analysis.fixed_points import model_velocity

    velocity = jax.vmap(model_velocity(net), in_axes=(0, None))
    u = jnp.zeros(net.n_in, jnp.float32)

    def q(h: jax.Array) -> jax.Array:
        v = velocity(h, u)
        return 0.5 * jnp.sum(v * v) / net.N

    opt = optax.adam(1e-2)

    @jax.jit
    def run(h: jax.Array) -> jax.Array:
        def body(carry, _):
            h, s = carry
            g = jax.grad(q)(h)
            upd, s = opt.update(g, s)
            return (h + upd, s), None

        (h, _), _ = jax.lax.scan(body, (h, opt.init(h)), None, length=steps)
        return h

    return lambda h: np.asarray(run(jnp.asarray(h, jnp.float32)), np.float64)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 512])
    ap.add_argument("--points", type=int, default=256)
    ap.add_argument("--baseline-points", type=int, default=16)
    ap.add_argument("--adam-steps", type=int, default=1000)
    ap.add_argument("--newton-steps", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--newton-below",
        type=float,
        default=math.inf,
        help="Newton only for starts whose q after Adam is below this (default: all)",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    from validate.analysis.fixed_points import sample_initial_states

    q_tol = 1e-12

    def frac(k: int, n: int) -> str:
        p = k / n
        return f"{p:.2f}±{math.sqrt(p * (1 - p) / n):.2f}"

    print(
        f"numpy {np.__version__}; {args.points} starts (candidate) vs {args.baseline_points} "
        f"(L-BFGS-B loop); {args.rounds} rounds of {args.adam_steps} Adam steps and ≤ "
        f"{args.newton_steps} Newton steps"
    )
    for N in args.sizes:
        net, X = _network(N, args.seed)
        W = np.asarray(net.W, np.float64)
        h0 = sample_initial_states(X, args.points, noise_std=0.5, seed=args.seed)
        stages = {"Adam (JAX float32)": 0.0, "Newton solves": 0.0, "line search": 0.0}
        h = np.asarray(h0, np.float64)
        adam = make_adam(net, args.adam_steps)
        if args.adam_steps:
            adam(h)  # compile outside the timing (same shape as every timed call)
        t_all = time.perf_counter()
        q = np.full(len(h), np.inf)
        for _ in range(args.rounds):
            bad = q > q_tol
            if args.adam_steps:
                t0 = time.perf_counter()
                moved = adam(h)
                h[bad] = moved[bad]
                stages["Adam (JAX float32)"] += time.perf_counter() - t0
            v = _speed(W, h)
            q = np.where(bad, 0.5 * np.sum(v * v, axis=1) / N, q)
            near = bad & (q < args.newton_below)
            h[near], q[near], split = newton(W, h[near], args.newton_steps, q_tol)
            for stage, seconds in split.items():
                stages[stage] += seconds
        t_cand = time.perf_counter() - t_all
        k_cand = int(np.sum(q <= q_tol))
        t_base, conv_base = _baseline(W, np.asarray(h0[: args.baseline_points]), q_tol)
        k_base = round(conv_base * args.baseline_points)
        rate_c, rate_b = args.points / t_cand, args.baseline_points / t_base
        conv_c, conv_b = k_cand / t_cand, k_base / t_base
        per_conv = f"{conv_c / conv_b:.1f}×" if k_base else "n/a"
        print(
            f"N = {N}: candidate {rate_c:.2f} starts/s, converged {frac(k_cand, args.points)} "
            f"({conv_c:.2f}/s); L-BFGS-B loop {rate_b:.2f} starts/s, converged "
            f"{frac(k_base, args.baseline_points)} ({conv_b:.2f}/s); speed-up per start "
            f"{rate_c / rate_b:.1f}×, per converged point {per_conv} (targets: ≥ 10× at N = 512, "
            "≥ 20× at N = 128)",
            flush=True,
        )
        print(
            "    time split: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())
            + f", total {t_cand:.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
