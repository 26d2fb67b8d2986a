"""Timing of the vmapped fixed-point finder against a per-point scipy.optimize loop.

Run: ``python benchmarks/bench_fixed_points.py [--sizes 128 512] [--points 256]
[--baseline-points 8]``. Not a test: it prints a table.

Network: a random tanh rate network (``simulate.make_rate_rnn``, g = 1.5, zero input), the
initial states drawn from a noisy trajectory of it (:func:`validate.fixed_points.sample_initial_states`).
Both routes minimise the same per-unit speed q(h) = ½‖ḣ‖²/N (seed 002's method):

* **vmapped**: :func:`validate.fixed_points.find_fixed_points` — all initial states in one
  jitted ``lax.scan`` of Adam (``--steps``) + 20 Levenberg–Marquardt steps; timed after a warm-up
  call (compile time printed separately);
* **baseline**: one ``scipy.optimize.minimize(method="L-BFGS-B")`` per initial state, with the
  analytic gradient Jᵀḣ/N in numpy (J = −I + W diag(φ'(h))), ``gtol=1e-10``, up to 10⁴
  iterations — the per-point loop of a research notebook.

Reported: points per second for each route, the speed-up (target ≥ 20×), and the fraction
of points that reached q ≤ 1e-12 on each route (so the speed-up is not bought with worse
convergence).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np


def _network(N: int, seed: int):
    import jax
    import jax.numpy as jnp

    from simulate.dynamics import simulate
    from simulate.models import make_rate_rnn

    net = make_rate_rnn(jax.random.key(seed), N, n_in=1, n_out=1, g=1.5, nonlinearity="tanh")
    traj = simulate(net, jnp.zeros((4, 200, 1)), key=jax.random.key(seed + 1), sigma=0.2,
                    x0_noise=1.0)
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
        res = minimize(q_and_grad, h, jac=True, method="L-BFGS-B",
                       options={"gtol": 1e-10, "ftol": 1e-20, "maxiter": 10_000})
        ok += res.fun <= q_tol
    return time.perf_counter() - t0, ok / len(h0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 512])
    ap.add_argument("--points", type=int, default=256, help="initial states (vmapped route)")
    ap.add_argument("--baseline-points", type=int, default=8)
    ap.add_argument("--steps", type=int, default=2000, help="Adam steps")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import jax

    from validate.fixed_points import find_fixed_points, model_velocity, sample_initial_states

    q_tol = 1e-12
    print(f"Python {platform.python_version()}, numpy {np.__version__}, jax {jax.__version__} "
          f"({jax.default_backend()}), {args.points} points, {args.steps} Adam steps")
    print(f"{'N':>5} {'compile s':>10} {'vmapped pts/s':>14} {'conv.':>6} "
          f"{'baseline pts/s':>15} {'conv.':>6} {'speed-up':>9}")
    for N in args.sizes:
        net, X = _network(N, args.seed)
        v = model_velocity(net)
        h0 = sample_initial_states(X, args.points, noise_std=0.5, seed=args.seed)
        t0 = time.perf_counter()
        find_fixed_points(v, h0, np.zeros(1), steps=args.steps)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        fp = find_fixed_points(v, h0, np.zeros(1), steps=args.steps, q_tol=q_tol)
        t_vec = time.perf_counter() - t0
        conv_vec = fp.n_below_tol / args.points
        t_base, conv_base = _baseline(np.asarray(net.W, np.float64),
                                      h0[: args.baseline_points], q_tol)
        rate_vec = args.points / t_vec
        rate_base = args.baseline_points / t_base
        print(f"{N:>5} {first - t_vec:>10.2f} {rate_vec:>14.1f} {conv_vec:>6.2f} "
              f"{rate_base:>15.2f} {conv_base:>6.2f} {rate_vec / rate_base:>8.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
