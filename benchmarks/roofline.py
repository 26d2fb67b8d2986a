"""A roofline for one training step (issue 17): what a step must do, what each part costs on
this machine, and how the measured step compares with the sum of its parts. A measurement
tool for every later speed claim, not a test.

    python benchmarks/roofline.py                  # §4 at N = 256 and 1024 (5 seeds), cycling N = 512
    python benchmarks/roofline.py --gd-N 1024 --skip-cycling

Per training step (all seeds, forward and backward) it counts:

* Gaussian draws: the state noise, seeds·B·N·T (plus x₀ and input noise when configured);
* φ evaluations: seeds·B·N·T of φ forward and as many of φ' backward;
* FLOPs: the recurrent products (low rank: Uᵀφ, M·, U· = 4NR + 2R² per trial-step; full rank:
  2N²) forward, twice that backward (input and weight gradients), plus ~8 per unit and step
  for the Euler update and its adjoint;
* bytes: the states the backward pass needs (4 bytes each, written once and read once).

It then times, with JAX on this machine, each component alone at the same sizes (float32,
jitted, steady state): normal draws (simulate.prng's unrolled threefry, which the step uses;
JAX's rolled threefry and numpy's PCG64 ziggurat for comparison), erf/tanh and their
derivatives, the matmul chain of the step's shape (lax.scan, forward + backward) and a large copy (memory bandwidth); and the training step itself
(simulate's jitted chunk, via benchmarks/bench_simulate.chunk_timer). It prints the time each
part would take at its measured rate, their sum, the measured step, and the ratio.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_simulate import chunk_timer, timed  # noqa: E402 (scripts, not a package)

from simulate.config import TrainConfig  # noqa: E402
from simulate.prng import fast_key  # noqa: E402


def rates(shape: tuple[int, int, int], rank: int | None, nonlinearity: str) -> dict[str, float]:
    """Measured rates at the step's sizes: shape = (T, seeds·B, N)."""
    T, BB, N = shape
    n = T * BB * N
    key = jax.random.key(0)
    x = jax.random.normal(key, shape, jnp.float32)
    out: dict[str, float] = {}
    draw = jax.jit(lambda k: jax.random.normal(k, shape, jnp.float32))
    out["draws/s (JAX threefry)"] = n / timed(lambda: draw(key))
    fast = jax.jit(lambda k: jax.random.normal(fast_key(k), shape, jnp.float32))
    out["draws/s (unrolled threefry)"] = n / timed(lambda: fast(key))
    rng = np.random.default_rng(0)
    best = math.inf
    for _ in range(3):  # best of three (the first call also allocates)
        t = time.perf_counter()
        rng.standard_normal(shape, dtype=np.float32)
        best = min(best, time.perf_counter() - t)
    out["draws/s (numpy PCG64)"] = n / best
    if nonlinearity == "erf":
        phi = jax.jit(lambda a: jax.scipy.special.erf(0.886226925 * a))
        dphi = jax.jit(lambda a: jnp.exp(-0.785398163 * a * a))
    else:
        phi = jax.jit(jnp.tanh)
        dphi = jax.jit(lambda a: 1.0 - jnp.tanh(a) ** 2)
    out["phi evals/s"] = n / timed(lambda: phi(x))
    out["phi' evals/s"] = n / timed(lambda: dphi(x))
    k = N if rank is None else rank
    W = jax.random.normal(key, (N, k), jnp.float32) / math.sqrt(N)
    V = jax.random.normal(key, (k, N), jnp.float32) / math.sqrt(N)
    x0 = x[0]

    def chain_loss(W: jax.Array) -> jax.Array:
        def body(h: jax.Array, _: Any) -> Any:
            return 0.8 * h + 0.2 * jnp.tanh((h @ W) @ V), None

        h, _ = jax.lax.scan(body, x0, None, length=T)
        return jnp.sum(h * h)

    g = jax.jit(jax.grad(chain_loss))
    flops = 3 * 2 * 2 * BB * N * k * T  # two products per step, forward + 2 backward
    out["matmul chain FLOP/s"] = flops / timed(lambda: g(W))
    if rank is not None:  # the same chain with the rank-R products as broadcast-and-sum

        def fused_loss(W: jax.Array) -> jax.Array:
            def body(h: jax.Array, _: Any) -> Any:
                a = jnp.sum(h[:, :, None] * W, axis=1)  # [BB, k]: no dot, XLA can fuse it
                return 0.8 * h + 0.2 * jnp.tanh(jnp.sum(a[:, :, None] * V, axis=1)), None

            h, _ = jax.lax.scan(body, x0, None, length=T)
            return jnp.sum(h * h)

        gf = jax.jit(jax.grad(fused_loss))
        out["broadcast-sum chain FLOP/s"] = flops / timed(lambda: gf(W))
    big = jnp.ones((64, 1024, 1024), jnp.float32)
    copy = jax.jit(lambda a: a * 1.0001)
    out["copy bytes/s"] = 2 * big.size * 4 / timed(lambda: copy(big))
    return out


def counts(cfg: TrainConfig) -> dict[str, float]:
    task = cfg.make_task()
    T, B, N, S = task.n_steps, cfg.batch, cfg.N, cfg.seeds
    units = S * B * N * T
    draws = units * (1 if (cfg.sigma or 0) > 0 else 0)
    draws += S * B * N * (1 if (cfg.x0_noise or 0) > 0 else 0)
    if cfg.model == "low_rank":
        R = cfg.rank
        rec = S * B * T * (4 * N * R + 2 * R * R)
    else:
        rec = S * B * T * 2 * N * N
    return {
        "draws": float(draws),
        "phi": float(units),
        "phi'": float(units),
        "recurrent FLOPs": 3.0 * rec,
        "elementwise FLOPs": 2 * 8.0 * units,
        "state bytes": 2 * 4.0 * units,
    }


def report(label: str, cfg: TrainConfig) -> None:
    task = cfg.make_task()
    shape = (task.n_steps, cfg.seeds * cfg.batch, cfg.N)
    rank = cfg.rank if cfg.model == "low_rank" else None
    r = rates(shape, rank, str(cfg.nonlinearity))
    c = counts(cfg)
    _, step = chunk_timer(cfg)
    parts = {
        "noise (unrolled)": c["draws"] / r["draws/s (unrolled threefry)"],
        "phi forward": c["phi"] / r["phi evals/s"],
        "phi' backward": c["phi'"] / r["phi' evals/s"],
        "recurrent matmuls": c["recurrent FLOPs"] / r["matmul chain FLOP/s"],
        "state traffic": c["state bytes"] / r["copy bytes/s"],
    }
    total = sum(parts.values())
    print(f"\n{label}: T={shape[0]} steps × {cfg.seeds} seeds × batch {cfg.batch}, N={cfg.N}")
    print("  counts per training step: " + ", ".join(f"{k} {v:.3g}" for k, v in c.items()))
    print("  rates here: " + ", ".join(f"{k} {v:.3g}" for k, v in r.items()))
    for name, sec in parts.items():
        print(f"    {name:<20} {sec * 1e3:8.2f} ms  ({sec / total:5.1%} of the parts)")
    print(f"    {'sum of the parts':<20} {total * 1e3:8.2f} ms")
    print(f"    {'measured step':<20} {step * 1e3:8.2f} ms  (= {step / total:.2f} × the parts)")
    if "broadcast-sum chain FLOP/s" in r:
        alt = c["recurrent FLOPs"] / r["broadcast-sum chain FLOP/s"]
        print(
            f"  the recurrent products as broadcast-and-sum instead of dots: {alt * 1e3:.2f} ms "
            f"({alt / parts['recurrent matmuls']:.2f} × the time of the dot chain that simulate "
            "uses)"
        )
    pcg = c["draws"] / r["draws/s (numpy PCG64)"]
    print(
        f"  the same draws at numpy's PCG64 rate: {pcg * 1e3:.2f} ms "
        f"(unrolled threefry time / PCG64 time = {parts['noise (unrolled)'] / pcg:.2f}; JAX's "
        f"rolled threefry: {c['draws'] / r['draws/s (JAX threefry)'] * 1e3:.2f} ms)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gd-N", type=int, nargs="+", default=[256, 1024])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--skip-cycling", action="store_true")
    args = ap.parse_args()
    print(f"JAX {jax.__version__} on {jax.devices()[0].platform}")
    for N in args.gd_N:
        cfg = TrainConfig.preset(
            "gd_scaling", sigma=1.0, N=N, seeds=args.seeds, steps=40, checkpoint_every=20
        )
        report(f"§4 fixed-point task (low rank, SGD), N = {N}", cfg)
    if not args.skip_cycling:
        cfg = TrainConfig.preset(
            "regimes", task="cycling", N=512, seeds=1, steps=4, record_every=2, checkpoint_every=2
        )
        report("cycling (full rank, Adam), N = 512", cfg)


if __name__ == "__main__":
    main()
