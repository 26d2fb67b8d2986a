"""The research-code way of simulating the THEORY §4 task, as a speed baseline.

What "research code" typically does (and what this file does, in plain numpy float32):
one seed at a time, a Python loop over the 50 Euler–Maruyama time steps of a trial, and
the full N×N recurrent matrix W = U M Uᵀ/N rebuilt from the rank-2 factors at every time
step (as an autograd framework would, so the gradient can flow into M), then
x ← x + dt(−x + W φ(x) + w_in u) + √(2dt)σξ for a batch of 32 trials, φ = erf(√π/2·x).

Only the FORWARD pass is timed: no gradient is computed (a manual or autograd backward
through time would roughly double or triple the cost), so the baseline numbers are a
lower bound on what such code costs — the speed-up ratios printed by
``bench_simulate.py`` are therefore conservative.

Run alone:  python benchmarks/baseline_loop.py [--Ns 64 256 1024] [--steps 3]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy.special import erf

ALPHA = math.sqrt(math.pi) / 2  # φ(x) = erf(αx), φ'(0) = 1 (THEORY §2)


def is_target_step(t: int) -> bool:
    """The task's target times: every 5th Euler step (t = 1.0) from step 10 (t = 2.0) on, as
    in the fixed-point task with dt = 0.2 (shared with :mod:`baseline_torch`)."""
    return t >= 10 and t % 5 == 0


def forward_trials(
    N: int,
    rng: np.random.Generator,
    *,
    batch: int = 32,
    T: int = 50,
    dt: float = 0.2,
    sigma: float = 1.0,
) -> float:
    """One training step's forward pass, research-code style; returns the loss (so the work
    cannot be skipped). Pulse input ±1/dt at t = 0, target ±1 for t ≥ 2 every 5th step."""
    G = rng.standard_normal((N, 3), dtype=np.float32)
    Q, _ = np.linalg.qr(G)
    U = (Q[:, :2] * math.sqrt(N)).astype(np.float32)
    M = (0.5 * rng.standard_normal((2, 2))).astype(np.float32)
    w_in = U[:, 1:2]
    w_out = Q[:, 0:1].astype(np.float32)
    sign = np.where(np.arange(batch) % 2 == 0, 1.0, -1.0).astype(np.float32)[:, None]
    x = np.zeros((batch, N), np.float32)
    loss, count = 0.0, 0
    for t in range(T):
        W = U @ M @ U.T / N  # the N×N matrix, rebuilt every time step
        u = sign * (1.0 / dt if t == 0 else 0.0)
        noise = rng.standard_normal((batch, N), dtype=np.float32)
        x = x + dt * (-x + erf(ALPHA * x) @ W.T + u @ w_in.T) + math.sqrt(2 * dt) * sigma * noise
        if is_target_step(t):
            z = x @ w_out
            loss += float(np.sum((z - sign) ** 2))
            count += batch
    return loss / count


def seconds_per_step(N: int, steps: int, seed: int = 0) -> float:
    """Measured wall seconds per training step (forward only) at size N, one seed."""
    rng = np.random.default_rng(seed)
    forward_trials(N, rng)  # warm-up (allocations, BLAS threads)
    t0 = time.perf_counter()
    for _ in range(steps):
        forward_trials(N, rng)
    return (time.perf_counter() - t0) / steps


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--Ns", type=int, nargs="+", default=[64, 256, 1024])
    p.add_argument("--steps", type=int, default=3, help="training steps timed per N")
    p.add_argument("--train-steps", type=int, default=2000, help="steps to extrapolate to")
    args = p.parse_args(argv)
    for N in args.Ns:
        s = seconds_per_step(N, args.steps)
        print(
            f"baseline numpy loop N={N:5d}: {s * 1e3:8.1f} ms/step (forward only, 1 seed) "
            f"→ {s * args.train_steps:8.1f} s for {args.train_steps} steps (extrapolated)"
        )


if __name__ == "__main__":
    main()
