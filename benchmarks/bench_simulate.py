"""Speed and memory of simulate's training (reported figures, not tests).

Measures, in one run on this machine:

(a) the THEORY §4 sweep — N ∈ {64, 128, 256, 512, 1024} × 5 seeds × 2000 SGD steps, σ = 1,
    records every step (``TrainConfig.preset("gd_scaling")``): wall time (target ≤ 2 min)
    and peak resident memory (``resource.getrusage``; target < 2 GB). Without ``--quick`` the
    real ``simulate.sweep`` runs into a temporary directory (checkpoints, evaluation, files
    included). With ``--quick`` each N runs its compilation plus ``--quick-steps`` steps
    through the same jitted chunk that ``train`` uses, and 2000 steps are extrapolated
    (compile + steps × steady-state seconds per step; printed as such).
(b) the research-code baseline (benchmarks/baseline_loop.py: numpy, Python loop over time
    steps, N×N matrix rebuilt each step, forward only, 1 seed) at the same N, extrapolated
    to 2000 steps, and the throughput ratio (5 seeds per size for JAX vs 1 for the baseline);
    (b') the same in PyTorch with autograd, forward + backward + update
    (benchmarks/baseline_torch.py; skipped when torch is not installed), and the training
    throughput ratio (target ≥ 20×).
(c) full-rank rate network N = 512, batch 32, cycling task (360 time steps), Adam
    (``preset("regimes")``): seconds per training step (target ≤ 0.15 s), achieved FLOP/s
    (matmul FLOPs of forward + backward, 3 × 2·B·N²·T) against a measured JAX float32 matmul
    chain of the same shape (lax.scan of 360 steps x ← tanh(x Wᵀ), B = 32, N = 512,
    forward + backward) and a square 2048² matmul.
(d) the share of time spent drawing the hidden noise (same step with σ = 0).
(e) the noise generators side by side, in the §4 step's shape (5 vmapped seeds × 50 time
    steps of a [32, 1024] draw inside a lax.scan): ns per Gaussian draw of JAX's default
    threefry (rolled loop on a CPU), simulate.prng's unrolled threefry (what simulate uses;
    bit-identical), threefry in JAX's non-partitionable mode, JAX's rbg and unsafe_rbg, the
    bits alone of both threefry lowerings, and numpy's PCG64 ziggurat (``standard_normal``).

Usage:  python benchmarks/bench_simulate.py [--quick] [--quick-steps 100] [--skip-baseline]
                [--compare-generators]   # (a) also with JAX's own threefry, side by side
        python benchmarks/bench_simulate.py --noise-only      # (e) alone, ~30 s
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from simulate.config import TrainConfig
from simulate.prng import fast_key
from simulate.training import (
    _lr_table,
    _trainer_for,
    init_models,
    seed_keys,
    sweep,
    trainable_filter,
)

NS = (64, 128, 256, 512, 1024)


def peak_rss_gb() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(f: Callable[[], Any], reps: int = 5) -> float:
    """Steady-state seconds per call of a jitted thunk (the first call compiles, untimed)."""
    jax.block_until_ready(f())
    t = time.perf_counter()
    for _ in range(reps):
        jax.block_until_ready(f())
    return (time.perf_counter() - t) / reps


def chunk_timer(cfg: TrainConfig):
    """(compile+first chunk seconds, steady seconds per step) of train()'s jitted chunk."""
    init = init_models(cfg)
    params, frozen = eqx.partition(init, trainable_filter(cfg, init))
    trainer = _trainer_for(cfg)
    opt_state = jax.vmap(trainer.opt.init)(params)
    keys = seed_keys(cfg, 1)
    lr = _lr_table(cfg, jnp.float32)
    bad = jnp.full((cfg.seeds,), -1, jnp.int32)
    n_blocks = cfg.checkpoint_every // cfg.record_every

    def call(p, o, t0):
        out = trainer.jitted_chunk(p, frozen, o, init, keys, lr, bad, t0, n_blocks)
        jax.block_until_ready(out)
        return out

    t = time.perf_counter()
    params, opt_state, _, _ = call(params, opt_state, 0)
    first = time.perf_counter() - t
    n_chunks = max(1, cfg.steps // cfg.checkpoint_every - 1)
    t = time.perf_counter()
    for i in range(n_chunks):
        params, opt_state, _, _ = call(params, opt_state, (i + 1) * cfg.checkpoint_every)
    steady = (time.perf_counter() - t) / (n_chunks * cfg.checkpoint_every)
    return first, steady


@contextlib.contextmanager
def jax_generator():
    """simulate() with JAX's own (rolled) threefry instead of simulate.prng's unrolled one:
    the same draws, JAX's speed (caches cleared on entry and exit, so both compile anew)."""
    import simulate.dynamics as dynamics
    import simulate.training as training

    saved = dynamics.fast_key
    dynamics.fast_key = lambda key: key
    jax.clear_caches()
    training._TRAINERS.clear()
    try:
        yield
    finally:
        dynamics.fast_key = saved
        jax.clear_caches()
        training._TRAINERS.clear()


def quick_sweep(base: TrainConfig, quick_steps: int) -> dict[int, float]:
    """Per N: compile + 2000 steps extrapolated from quick_steps steps of train()'s chunk."""
    per_n: dict[int, float] = {}
    for N in NS:
        ck = quick_steps // 2
        cfg = base.replace(N=N, steps=2 * ck, checkpoint_every=ck)
        first, steady = chunk_timer(cfg)
        compile_s = max(first - ck * steady, 0.0)
        per_n[N] = compile_s + base.steps * steady
        print(
            f"    N={N:5d}: compile ≈ {compile_s:6.1f} s, {steady * 1e3:7.2f} ms/step "
            f"(5 seeds) → {per_n[N]:7.1f} s for {base.steps} steps (extrapolated)",
            flush=True,
        )
    return per_n


def bench_sweep(quick: bool, quick_steps: int, compare: bool = False) -> dict[int, float]:
    base = TrainConfig.preset("gd_scaling", sigma=1.0, seeds=5)  # 2000 steps, η = 0.005
    print(
        f"(a) THEORY §4 sweep: N {list(NS)} × {base.seeds} seeds × {base.steps} steps, "
        f"σ = {base.sigma}, batch {base.batch}, records every step"
    )
    per_n: dict[int, float] = {}
    if quick:
        if compare:
            print("    with JAX's own threefry (rolled CPU lowering; the same draws):")
            with jax_generator():
                old = sum(quick_sweep(base, quick_steps).values())
            print(f"    total with JAX's threefry: {old:.1f} s")
            print("    with simulate.prng's unrolled threefry (the default):")
        per_n = quick_sweep(base, quick_steps)
        total = sum(per_n.values())
        print(
            f"    total (extrapolated from {quick_steps} steps per N): {total:.1f} s "
            f"(target ≤ 200 s)"
        )
        if compare:
            print(f"    unrolled / JAX threefry sweep time: {total / old:.2f}")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            runs = sweep(base, list(NS), tmp, progress=False)
            total = time.perf_counter() - t
        for r in runs:
            per_n[r.config.N] = float(r.info["wall_seconds_last_session"])
            print(
                f"    N={r.config.N:5d}: {per_n[r.config.N]:7.1f} s (training loop incl. compile)"
            )
        print(
            f"    total measured wall (sweep incl. files, evaluation): {total:.1f} s "
            f"(target ≤ 200 s)"
        )
    print(f"    peak memory (ru_maxrss) so far: {peak_rss_gb():.2f} GB (target < 2 GB)")
    return per_n


def bench_baseline(jax_per_n: dict[int, float], steps: int) -> None:
    from baseline_loop import seconds_per_step

    print(
        "(b) research-code baseline (numpy, Python loop over time, N×N rebuilt per step, "
        "forward only, 1 seed)"
    )
    base_total = 0.0
    for N in NS:
        s = seconds_per_step(N, steps)
        base_total += s * 2000
        print(
            f"    N={N:5d}: {s * 1e3:8.1f} ms/step → {s * 2000:8.1f} s for 2000 steps "
            f"(extrapolated from {steps} steps)",
            flush=True,
        )
    jax_total = sum(jax_per_n.values())
    print(f"    baseline, 1 seed per size: {base_total:.0f} s; 5 seeds: {5 * base_total:.0f} s")
    print(
        f"    JAX, 5 seeds per size: {jax_total:.1f} s → throughput ratio "
        f"{5 * base_total / jax_total:.1f}× (baseline forward-only: a lower bound)"
    )
    bench_torch_baseline(jax_total, steps)


def bench_torch_baseline(jax_total: float, steps: int) -> None:
    """(b') the same loop in PyTorch with autograd: forward AND backward and the SGD update,
    per seed — the whole training step, like for like with simulate.train (issue 17's ≥ 20×
    target). Each size at torch's default threads and at one thread; the faster counts (the
    baseline's best setting, so the ratio is not flattered)."""
    import baseline_torch

    if not baseline_torch.available():
        print("(b') PyTorch baseline skipped: torch is not installed (`pip install torch`)")
        return
    import torch

    default_threads = torch.get_num_threads()
    print(
        "(b') research-code baseline in PyTorch (Python loop over time, N×N rebuilt per step, "
        f"autograd forward + backward + SGD update, 1 seed; torch {torch.__version__}, best of "
        f"{default_threads} and 1 threads)"
    )
    total = 0.0
    for N in NS:
        per_thread = {
            n: baseline_torch.seconds_per_step(N, steps, threads=n)
            for n in dict.fromkeys((default_threads, 1))
        }
        torch.set_num_threads(default_threads)
        n_best, s = min(per_thread.items(), key=lambda kv: kv[1])
        total += s * 2000
        print(
            f"    N={N:5d}: {s * 1e3:8.1f} ms/step ({n_best} thread(s)) → {s * 2000:8.1f} s for "
            f"2000 steps (extrapolated from {steps} steps)",
            flush=True,
        )
    print(f"    PyTorch, 1 seed per size: {total:.0f} s; 5 seeds: {5 * total:.0f} s")
    print(
        f"    JAX, 5 seeds per size: {jax_total:.1f} s → training throughput ratio "
        f"{5 * total / jax_total:.1f}× (target ≥ 20×)"
    )


def matmul_chain_flops(B: int, N: int, T: int) -> float:
    """FLOP/s of a jitted lax.scan of T steps x ← tanh(x Wᵀ) ([B,N]·[N,N]), fwd + bwd."""
    W = jax.random.normal(jax.random.key(0), (N, N), jnp.float32) / np.sqrt(N)
    x0 = jax.random.normal(jax.random.key(1), (B, N), jnp.float32)

    def loss(W):
        def body(x, _):
            x = jnp.tanh(x @ W.T)
            return x, None

        x, _ = jax.lax.scan(body, x0, None, length=T)
        return jnp.sum(x**2)

    f = jax.jit(jax.grad(loss))
    return 3 * 2 * B * N * N * T / timed(lambda: f(W))


def square_matmul_flops(n: int = 2048) -> float:
    a = jax.random.normal(jax.random.key(0), (n, n), jnp.float32)
    f = jax.jit(lambda a: a @ a)
    return 2 * n**3 / timed(lambda: f(a))


def bench_full_rank(steps: int) -> None:
    cfg = TrainConfig.preset(
        "regimes",
        task="cycling",
        N=512,
        seeds=1,
        steps=2 * steps,
        record_every=steps,
        checkpoint_every=steps,
    )
    task = cfg.make_task()
    T, B, N = task.n_steps, cfg.batch, cfg.N
    print(
        f"(c) full-rank rate net N={N}, batch {B}, cycling T={T} steps, Adam "
        f"(1 record step per {steps} training steps)"
    )
    first, steady = chunk_timer(cfg)
    flops = 3 * 2 * B * N * N * T  # recurrent matmuls, forward + 2 backward
    print(
        f"    compile+first chunk {first:.1f} s; {steady:.3f} s per training step "
        f"(target ≤ 0.15 s); {flops / steady / 1e9:.1f} GFLOP/s of recurrent matmuls"
    )
    chain = matmul_chain_flops(B, N, T)
    square = square_matmul_flops()
    print(
        f"    JAX float32 reference: RNN-shaped matmul chain (fwd+bwd) "
        f"{chain / 1e9:.1f} GFLOP/s, square 2048² matmul {square / 1e9:.1f} GFLOP/s"
    )
    print(f"    achieved fraction of the chain: {flops / steady / chain:.1%} (target ≥ 80 %)")
    _, steady0 = chunk_timer(cfg.replace(sigma=0.0, x0_noise=0.0))
    print(
        f"(d) same step without noise (σ = 0, x0 noise 0): {steady0:.3f} s per step → "
        f"drawing the noise is {1 - steady0 / steady:.0%} of the step"
    )
    low = TrainConfig.preset("gd_scaling", N=1024, seeds=5, steps=20, checkpoint_every=10)
    _, s1 = chunk_timer(low)
    _, s0 = chunk_timer(low.replace(sigma=0.0))
    print(
        f"    §4 step at N=1024, 5 seeds: {s1 * 1e3:.1f} ms with noise, {s0 * 1e3:.1f} ms "
        f"without → noise is {1 - s0 / s1:.0%} of the step"
    )


def _ns_per_draw(draw, seeds: int, T: int, B: int, N: int, impl: str = "threefry2x32") -> float:
    """ns per Gaussian draw of ``draw(key, shape)`` in a scan of T steps, vmapped seeds."""

    @jax.jit
    def run(keys):
        def one(k):
            def body(acc, kk):
                return acc + draw(kk, (B, N)), None

            return jax.lax.scan(body, jnp.zeros((B, N)), jax.random.split(k, T))[0]

        return jax.vmap(one)(keys)

    keys = jax.random.split(jax.random.key(0, impl=impl), seeds)
    return timed(lambda: run(keys)) / (seeds * T * B * N) * 1e9


def bench_noise(seeds: int = 5, T: int = 50, B: int = 32, N: int = 1024) -> None:
    print(
        f"(e) Gaussian draws in the §4 step's shape ({seeds} vmapped seeds × {T} scan steps "
        f"× [{B}, {N}]), ns per draw (lower is faster)"
    )

    def normal(k, shape):
        return jax.random.normal(k, shape)

    def fast_normal(k, shape):
        return jax.random.normal(fast_key(k), shape)

    def bits(k, shape):
        return jax.lax.bitcast_convert_type(jax.random.bits(k, shape), jnp.float32)

    def fast_bits(k, shape):
        return bits(fast_key(k), shape)

    rows = [
        ("JAX threefry (default key, rolled CPU lowering)", normal, "threefry2x32", True),
        (
            "simulate.prng unrolled threefry (bit-identical; used)",
            fast_normal,
            "threefry2x32",
            True,
        ),
        ("JAX threefry, jax_threefry_partitionable=False", normal, "threefry2x32", False),
        ("JAX rbg", normal, "rbg", True),
        ("JAX unsafe_rbg", normal, "unsafe_rbg", True),
        ("  bits only: JAX threefry", bits, "threefry2x32", True),
        ("  bits only: unrolled threefry", fast_bits, "threefry2x32", True),
    ]
    for name, draw, impl, partitionable in rows:
        with jax.threefry_partitionable(partitionable):
            ns = _ns_per_draw(draw, seeds, T, B, N, impl)
        print(f"    {name:56s} {ns:6.2f} ns", flush=True)
    rng = np.random.Generator(np.random.PCG64(0))
    out = np.empty((B, N), np.float32)
    t = time.perf_counter()
    for _ in range(seeds * T):
        rng.standard_normal(out=out, dtype=np.float32)
    ns = (time.perf_counter() - t) / (seeds * T * B * N) * 1e9
    print(f"    {'numpy PCG64 ziggurat (standard_normal, float32)':56s} {ns:6.2f} ns")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="simulate training speed and memory")
    p.add_argument(
        "--quick",
        action="store_true",
        help="time a few steps per N and extrapolate to 2000 (says so)",
    )
    p.add_argument("--quick-steps", type=int, default=100)
    p.add_argument("--baseline-steps", type=int, default=2)
    p.add_argument("--full-rank-steps", type=int, default=10)
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--noise-only", action="store_true", help="only (e), the noise generators")
    p.add_argument(
        "--compare-generators",
        action="store_true",
        help="(a) with --quick: the sweep also with JAX's own threefry, in the same run",
    )
    args = p.parse_args(argv)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"JAX {jax.__version__} on {jax.default_backend()}; load average "
        f"{os.getloadavg()[0]:.1f} (other processes share the CPU)"
    )
    t0 = time.perf_counter()
    if args.noise_only:
        bench_noise()
        return
    per_n = bench_sweep(args.quick, args.quick_steps, args.compare_generators)
    if not args.skip_baseline:
        bench_baseline(per_n, args.baseline_steps)
    bench_full_rank(args.full_rank_steps)
    bench_noise()
    print(
        f"peak memory of this process: {peak_rss_gb():.2f} GB; benchmark wall "
        f"{time.perf_counter() - t0:.0f} s; load average now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
