"""The research-code way of TRAINING on the THEORY §4 task, in PyTorch: a speed baseline.

What the papers' public training code does (and what this file does, PyTorch CPU float32,
autograd): one seed at a time; per training step a Python loop over the 50 Euler–Maruyama
time steps of a batch of 32 trials, the full N×N recurrent matrix W = U M Uᵀ/N rebuilt from
the rank-2 factors at every time step (so that autograd reaches M), then
x ← x + dt(−x + W φ(x) + w_in u) + √(2dt)σξ with φ = erf(√π/2·x), the masked MSE at the
target times, ``loss.backward()`` and one SGD update of M.

Unlike :mod:`baseline_loop` (numpy, forward only, a lower bound on such code's cost) this is
the whole step, forward AND backward, which is what ``simulate.train`` does per seed; the
ratio ``bench_simulate.py`` prints from it compares like with like. torch is an optional
benchmark dependency (``pip install torch``), never a test dependency; without it this
module reports that it is missing.

Run alone:  python benchmarks/baseline_torch.py [--Ns 64 256 1024] [--steps 3] [--threads T]
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from baseline_loop import ALPHA, is_target_step  # the same task as the numpy baseline


def available() -> bool:
    """True when PyTorch can be imported."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def make_network(N: int, seed: int = 0) -> dict[str, Any]:
    """Rank-2 network of THEORY §4: U = √N·[u₁ u₂] orthonormal columns, M = 0 (trained),
    w_in = u₂·√N, w_out = u₀ ⟂ span U (the large-output regime's readout)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    Q, _ = torch.linalg.qr(torch.randn(N, 3, generator=gen))
    U = Q[:, 1:] * math.sqrt(N)
    return {
        "U": U,
        "w_in": U[:, 1:2].clone(),
        "w_out": Q[:, 0:1].clone(),
        "M": torch.zeros(2, 2, requires_grad=True),
        "gen": gen,
    }


def train_step(
    net: dict[str, Any],
    *,
    batch: int = 32,
    T: int = 50,
    dt: float = 0.2,
    sigma: float = 1.0,
    lr: float = 0.005,
) -> float:
    """One SGD step, research-code style (loop over time, W rebuilt each time step, autograd
    backward). Pulse input ±1/dt at t = 0, target ±1 at t ≥ 10 every 5th step. Returns the
    loss (so no work can be skipped)."""
    import torch

    U, M, w_in, w_out, gen = net["U"], net["M"], net["w_in"], net["w_out"], net["gen"]
    N = U.shape[0]
    sign = torch.where(torch.arange(batch) % 2 == 0, 1.0, -1.0)[:, None]
    x = torch.zeros(batch, N)
    loss = torch.zeros(())
    count = 0
    for t in range(T):
        W = U @ M @ U.T / N  # the N×N matrix, rebuilt every time step
        u = sign * (1.0 / dt if t == 0 else 0.0)
        noise = torch.randn(batch, N, generator=gen)
        drive = torch.erf(ALPHA * x) @ W.T + u @ w_in.T
        x = x + dt * (-x + drive) + math.sqrt(2 * dt) * sigma * noise
        if is_target_step(t):
            z = x @ w_out
            loss = loss + torch.sum((z - sign) ** 2)
            count += batch
    loss = loss / count
    loss.backward()
    with torch.no_grad():
        M -= lr * M.grad
        M.grad = None
    return float(loss.detach())


def seconds_per_step(N: int, steps: int, seed: int = 0, threads: int | None = None) -> float:
    """Measured wall seconds per training step (forward + backward + update), one seed."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    net = make_network(N, seed)
    train_step(net)  # warm-up (allocations, thread pool)
    t0 = time.perf_counter()
    for _ in range(steps):
        train_step(net)
    return (time.perf_counter() - t0) / steps


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--Ns", type=int, nargs="+", default=[64, 256, 1024])
    p.add_argument("--steps", type=int, default=3, help="training steps timed per N")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    p.add_argument("--train-steps", type=int, default=2000, help="steps to extrapolate to")
    args = p.parse_args(argv)
    if not available():
        print("PyTorch is not installed (`pip install torch`): no PyTorch baseline")
        return
    for N in args.Ns:
        s = seconds_per_step(N, args.steps, threads=args.threads)
        print(
            f"baseline PyTorch loop N={N:5d}: {s * 1e3:8.1f} ms/step (forward + backward, "
            f"1 seed) → {s * args.train_steps:8.1f} s for {args.train_steps} steps (extrapolated)"
        )


if __name__ == "__main__":
    main()
