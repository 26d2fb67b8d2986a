"""Random bulk (THEORY §7): how far single networks sit from the averaged DMFT, and how
close they come given their own total variance. Prints, for each seed, the simulated c₀, c∞,
‖κ̄‖, σ_x² against the averaged theory (meanfield.bulk_state at λ₊) and against the theory
at the network's own σ_x² (λ_eff = 1/⟨φ'⟩(σ_x²)). A measurement script, not a test.

    python benchmarks/bulk_network_spread.py --N 2000 --g 0.9 --sigma 0.5 --lam 2.0 --seeds 0 1

(about 12 s a network on 2 CPU cores; Euler dt = 0.02, 300 time units, U orthonormal ×√N)
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf

import meanfield as mf


def one_network(
    N: int,
    g: float,
    sigma: float,
    lam: float,
    seed: int,
    dt: float = 0.02,
    T: float = 300.0,
    burn: float = 50.0,
) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    U = np.sqrt(N) * np.linalg.qr(rng.standard_normal((N, 2)))[0]
    W = jnp.asarray(
        g * rng.standard_normal((N, N)) / np.sqrt(N) + U @ np.diag([lam, -2.0]) @ U.T / N
    )
    alpha = np.sqrt(np.pi) / 2
    steps, first = int(T / dt), int(burn / dt)

    def step(x, key):
        x = (
            x
            + dt * (-x + W @ erf(alpha * x))
            + np.sqrt(2 * dt) * sigma * jax.random.normal(key, (N,))
        )
        return x, x

    x0 = jnp.asarray(U[:, 0] + 0.5 * rng.standard_normal(N))
    _, X = jax.lax.scan(step, x0, jax.random.split(jax.random.key(seed), steps))
    X = np.asarray(X[first::5], dtype=np.float64)
    kap = X @ U / N
    eta = X - kap @ U.T
    half = len(eta) // 2
    return {
        "c0": float(np.mean(eta**2)),
        "c_inf": float(np.mean(eta[:half].mean(0) * eta[half:].mean(0))),
        "kappa_norm": float(np.linalg.norm(kap.mean(0))),
        "sigma_x2": float(np.mean(X**2)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=2000)
    ap.add_argument("--g", type=float, default=0.9)
    ap.add_argument("--sigma", type=float, default=0.5)
    ap.add_argument("--lam", type=float, default=2.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    a = ap.parse_args()
    avg = mf.bulk_state(a.lam, a.sigma, a.g)
    print(f"N={a.N} g={a.g} σ={a.sigma} λ₊={a.lam}; averaged DMFT: {avg}")
    for seed in a.seeds:
        t = time.perf_counter()
        sim = one_network(a.N, a.g, a.sigma, a.lam, seed)
        own = mf.bulk_state(1.0 / mf.mean_dphi(sim["sigma_x2"]), a.sigma, a.g)
        parts = []
        for k in ("c0", "c_inf", "kappa_norm", "sigma_x2"):
            parts.append(
                f"{k} {sim[k]:.4f} (averaged theory {getattr(avg, k):.4f}: "
                f"{sim[k] / getattr(avg, k) - 1:+.1%}; at own σ_x²: {sim[k] / getattr(own, k) - 1:+.1%})"
            )
        print(f"seed {seed} ({time.perf_counter() - t:.0f} s): " + "; ".join(parts))


if __name__ == "__main__":
    main()
