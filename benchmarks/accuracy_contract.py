"""meanfield's accuracy contract against an arbitrary-precision reference (mpmath, 30 digits):
the worst relative error of each routine over random points of its documented domain, edges
included. A measurement script (the test suite runs a smaller sample,
tests/meanfield/test_accuracy_contract.py):

    python benchmarks/accuracy_contract.py [--points 200] [--seed 0]

Routines and domains:
* ⟨φ'⟩, ⟨φ'''⟩ (:func:`meanfield.mean_dphi`, :func:`meanfield.mean_dphi3`): erf (closed form),
  tanh (trapezoid), a user callable (refined trapezoid), Δ = 10^u, u ∈ [−6, 12] (callable:
  [−2, 6]);
* ‖κ̄‖ (:func:`meanfield.fixed_point_norm`): erf, tanh; σ = 10^u, u ∈ [−3, 1]; λ₊ from just above
  λ_min up to 10³ — judged by the mpmath residual of λ₊⟨φ'⟩(‖κ̄‖² + σ²) = 1, turned into a
  relative error of ‖κ̄‖² through the derivative;
* Hermite coefficients h_n (:func:`meanfield.hermite_noise.hermite_coefficients`, the quadrature
  route of tanh and callables): n ≤ 6, a ∈ [−50, 50], c₀ = 10^u, u ∈ [−2, 1.7]; relative to
  max(|h_n|, 1e-5): far out h_n falls below the rounding of an η-average of an O(1) φ over up
  to 4000 nodes (a few 1e-14 absolute), so there the contract is absolute, 1e-13 = 1e-8 × 1e-5.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

import mpmath as mp
import numpy as np

import meanfield as mf
from meanfield.hermite_noise import hermite_coefficients
from meanfield.nonlinearities import get_nonlinearity

mp.mp.dps = 30
ALPHA = mp.sqrt(mp.pi) / 2


def _phi(name: str) -> Callable:
    return (lambda x: mp.erf(ALPHA * x)) if name == "erf" else mp.tanh


def _dphi(name: str) -> Callable:
    if name == "erf":
        return lambda x: mp.exp(-(ALPHA * x) ** 2)
    return lambda x: 1 - mp.tanh(x) ** 2


def _dphi3(name: str) -> Callable:
    if name == "erf":
        return lambda x: mp.exp(-(ALPHA * x) ** 2) * (4 * ALPHA**4 * x * x - 2 * ALPHA**2)
    return lambda x: (1 - mp.tanh(x) ** 2) * (6 * mp.tanh(x) ** 2 - 2)


def gauss_mean_mp(f: Callable, delta: float, centre: float = 0.0) -> mp.mpf:
    """⟨f(x)⟩, x ~ N(centre, Δ), by mpmath quadrature split where f and the Gaussian vary."""
    d = mp.mpf(delta)
    sd = mp.sqrt(d)
    pts = sorted({-mp.inf, mp.inf, mp.mpf(0), mp.mpf(centre), -40, -5, 5, 40,
                  centre - 10 * sd, centre + 10 * sd, centre - sd, centre + sd})

    def g(x):
        return f(x) * mp.exp(-(x - centre) ** 2 / (2 * d)) / mp.sqrt(2 * mp.pi * d)

    return mp.quad(g, pts)


def averages(points: int, rng: np.random.Generator) -> dict[str, float]:
    worst: dict[str, float] = {}
    for name, spec, lo, hi in (("erf", "erf", -6, 12), ("tanh", "tanh", -6, 12),
                               ("callable tanh", np.tanh, -2, 6)):
        kind = "erf" if name == "erf" else "tanh"
        for label, fn, ref in (("⟨φ'⟩", mf.mean_dphi, _dphi(kind)),
                               ("⟨φ'''⟩", mf.mean_dphi3, _dphi3(kind))):
            err = 0.0
            for u in rng.uniform(lo, hi, points):
                d = 10.0**u
                r = float(gauss_mean_mp(ref, d))
                err = max(err, abs(fn(d, spec) / r - 1.0))
            worst[f"{label} {name}"] = err
    return worst


def fixed_points(points: int, rng: np.random.Generator) -> dict[str, float]:
    worst = {}
    for name in ("erf", "tanh"):
        err = 0.0
        for _ in range(points):
            sig = 10.0 ** rng.uniform(-3, 1)
            lmin = mf.lambda_min(sig, name)
            lam = lmin * (1.0 + 10.0 ** rng.uniform(-4, math.log10(1e3 / lmin)))
            k2 = mf.fixed_point_norm(lam, sig, name) ** 2
            v = k2 + sig**2
            g = gauss_mean_mp(_dphi(name), v)
            dg = gauss_mean_mp(_dphi3(name), v) / 2  # d⟨φ'⟩/dΔ = ⟨φ'''⟩/2
            resid = lam * g - 1
            err = max(err, abs(float(resid / (lam * dg)) / k2))  # δ(‖κ̄‖²)/‖κ̄‖²
        worst[f"‖κ̄‖² {name}"] = err
    return worst


def hermite(points: int, rng: np.random.Generator) -> dict[str, float]:
    nl = get_nonlinearity("tanh")
    err = 0.0
    for _ in range(points):
        a = rng.uniform(-50, 50)
        c0 = 10.0 ** rng.uniform(-2, 1.7)
        got = hermite_coefficients(np.array([a]), c0, 6, nl, method="quadrature")[:, 0]
        sd = mp.sqrt(c0)
        refs = []
        for n in range(1, 7):
            he = lambda x, n=n: mp.hermite(n, x / (sd * mp.sqrt(2))) * 2 ** (-mp.mpf(n) / 2)
            refs.append(float(gauss_mean_mp(lambda e, he=he: mp.tanh(a + e) * he(e), c0)
                              / math.factorial(n)))
        refs_a = np.array(refs)
        err = max(err, float(np.max(np.abs(got - refs_a) / np.maximum(np.abs(refs_a), 1e-5))))
    return {"h_n tanh (quadrature route)": err}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = {**averages(args.points, rng), **fixed_points(args.points, rng),
            **hermite(max(args.points // 4, 1), rng)}
    print(f"{'routine':32s} worst relative error ({args.points} points per routine)")
    for k, v in rows.items():
        print(f"{k:32s} {v:.2e}")


if __name__ == "__main__":
    main()
