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
  to 4000 nodes (a few 1e-14 absolute), so there the contract is absolute, 1e-13 = 1e-8 × 1e-5;
* the quenched η-averages ⟨φ⟩_η, ⟨φ'⟩_η (:func:`meanfield.quenched_fixed_point`, tanh):
  a ∈ [−50, 50], c₀ = 10^u, u ∈ [−4, log₁₀ 50]; the same relative/absolute contract;
* the 2×2 solvers against 40-digit mpmath: :func:`meanfield.lyapunov_2x2` (forward error where
  cond(A) ≤ 1e6, and the backward error everywhere) and :func:`meanfield.stein_2x2`
  (dt = 10^u, u ∈ [−8, 0]), stable A with eigen-scales over six (four) decades, non-normal;
* Δ(τ) (:func:`meanfield.bulk_autocorrelation`, erf) against a nested adaptive quadrature of
  τ(Δ), relative to Δ − c∞ at 0.5, 0.05, 0.005 of c₀ − c∞; σ ∈ [1e-2, 3], g ∈ [0.05, 3],
  λ₊ ∈ [1, 10] (points/5: ~0.7 s each).
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
        return lambda x: mp.exp(-((ALPHA * x) ** 2))
    return lambda x: 1 - mp.tanh(x) ** 2


def _dphi3(name: str) -> Callable:
    if name == "erf":
        return lambda x: mp.exp(-((ALPHA * x) ** 2)) * (4 * ALPHA**4 * x * x - 2 * ALPHA**2)
    return lambda x: (1 - mp.tanh(x) ** 2) * (6 * mp.tanh(x) ** 2 - 2)


def gauss_mean_mp(f: Callable, delta: float, centre: float = 0.0) -> mp.mpf:
    """⟨f(x)⟩, x ~ N(centre, Δ), by mpmath quadrature split where f and the Gaussian vary."""
    d = mp.mpf(delta)
    sd = mp.sqrt(d)
    pts = sorted(
        {
            -mp.inf,
            mp.inf,
            mp.mpf(0),
            mp.mpf(centre),
            -40,
            -5,
            5,
            40,
            centre - 10 * sd,
            centre + 10 * sd,
            centre - sd,
            centre + sd,
        }
    )

    def g(x):
        return f(x) * mp.exp(-((x - centre) ** 2) / (2 * d)) / mp.sqrt(2 * mp.pi * d)

    return mp.quad(g, pts)


def averages(points: int, rng: np.random.Generator) -> dict[str, float]:
    worst: dict[str, float] = {}
    for name, spec, lo, hi in (
        ("erf", "erf", -6, 12),
        ("tanh", "tanh", -6, 12),
        ("callable tanh", np.tanh, -2, 6),
    ):
        kind = "erf" if name == "erf" else "tanh"
        for label, fn, ref in (
            ("⟨φ'⟩", mf.mean_dphi, _dphi(kind)),
            ("⟨φ'''⟩", mf.mean_dphi3, _dphi3(kind)),
        ):
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

            def he(x, n=n, sd=sd):
                return mp.hermite(n, x / (sd * mp.sqrt(2))) * 2 ** (-mp.mpf(n) / 2)

            refs.append(
                float(
                    gauss_mean_mp(lambda e, he=he, a=a: mp.tanh(a + e) * he(e), c0)
                    / math.factorial(n)
                )
            )
        refs_a = np.array(refs)
        err = max(err, float(np.max(np.abs(got - refs_a) / np.maximum(np.abs(refs_a), 1e-5))))
    return {"h_n tanh (quadrature route)": err}


def quenched_averages(points: int, rng: np.random.Generator) -> dict[str, float]:
    from meanfield.quenched import _smoothed_phi

    nl = get_nonlinearity("tanh")
    err = 0.0
    for _ in range(points):
        a, c0 = rng.uniform(-50, 50), 10.0 ** rng.uniform(-4, math.log10(50.0))
        mean, slope = _smoothed_phi(nl, c0)
        for fn, ref in (
            (mean, lambda e, a=a: mp.tanh(a + e)),
            (slope, lambda e, a=a: 1 - mp.tanh(a + e) ** 2),
        ):
            r = float(gauss_mean_mp(ref, c0))
            err = max(err, abs(fn(np.array([a]))[0] - r) / max(abs(r), 1e-5))
    return {"⟨φ⟩_η, ⟨φ'⟩_η tanh (quenched)": err}


def stable_matrix(
    us: tuple[float, float], ang: float, uskew: float, rot: bool, w: float
) -> np.ndarray:
    """A stable 2×2 A = P diag(−10^us) P⁻¹, P a shear (10^uskew) times a rotation by ``ang``,
    plus the rotation generator × 10^w when ``rot`` (complex eigenvalues)."""
    c, n = math.cos(ang), math.sin(ang)
    P = np.array([[1.0, 10.0**uskew], [0.0, 1.0]]) @ np.array([[c, -n], [n, c]])
    A = P @ np.diag(-(10.0 ** np.asarray(us))) @ np.linalg.inv(P)
    return A + (np.array([[0.0, 1.0], [-1.0, 0.0]]) * 10.0**w if rot else 0.0)


def _solve_symmetric(f: Callable, rhs: list) -> np.ndarray:
    """Solve f(X) = rhs for symmetric 2×2 X at 40 digits, f linear on mpmath 2×2 lists;
    unknowns and equations ordered (11, 12, 22)."""
    idx = [(0, 0), (0, 1), (1, 1)]
    with mp.workdps(40):
        cols = []
        for k, l in idx:
            E = [[mp.mpf(0)] * 2 for _ in range(2)]
            E[k][l] = E[l][k] = mp.mpf(1)
            F = f(E)
            cols.append([F[i][j] for i, j in idx])
        x = mp.lu_solve(
            mp.matrix([[cols[c][r] for c in range(3)] for r in range(3)]),
            mp.matrix([mp.mpf(float(v)) for v in rhs]),
        )
    return np.array([[float(x[0]), float(x[1])], [float(x[1]), float(x[2])]])


def _mm(a: list, b: list) -> list:
    return [[a[i][0] * b[0][j] + a[i][1] * b[1][j] for j in range(2)] for i in range(2)]


def _t(a: list) -> list:
    return [[a[0][0], a[1][0]], [a[0][1], a[1][1]]]


def lyapunov_mp(A: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """X with AX + XAᵀ + Q = 0 at 40 digits (A, Q taken exactly as given)."""
    Am = [[mp.mpf(float(v)) for v in r] for r in A]

    def op(E: list) -> list:
        L, R = _mm(Am, E), _mm(E, _t(Am))
        return [[L[i][j] + R[i][j] for j in range(2)] for i in range(2)]

    return _solve_symmetric(op, [-Q[0, 0], -Q[0, 1], -Q[1, 1]])


def stein_mp(A: np.ndarray, d: float, dt: float) -> np.ndarray:
    """Σ with Σ = BΣBᵀ + d·dt·I, B = I + dt·A (B formed at 40 digits from the given A, dt)."""
    with mp.workdps(40):
        B = [
            [mp.mpf(float(v)) * mp.mpf(dt) + (1 if i == j else 0) for j, v in enumerate(r)]
            for i, r in enumerate(A)
        ]
        rhs = [mp.mpf(d) * mp.mpf(dt), 0, mp.mpf(d) * mp.mpf(dt)]

    def op(E: list) -> list:
        S = _mm(_mm(B, E), _t(B))
        return [[E[i][j] - S[i][j] for j in range(2)] for i in range(2)]

    return _solve_symmetric(op, rhs)


def solvers(points: int, rng: np.random.Generator) -> dict[str, float]:
    from meanfield.lyapunov import is_stable_map_2x2

    fwd = back = st = 0.0
    for _ in range(points):
        A = stable_matrix(
            tuple(rng.uniform(-3, 3, 2)),
            rng.uniform(0, 3.1),
            rng.uniform(-3, 2),
            bool(rng.random() < 0.3),
            rng.uniform(-3, 3),
        )
        Q = np.array([[2.0, 0.3], [0.3, 1.0]]) * 10.0 ** rng.uniform(-5, 5)
        X = mf.lyapunov_2x2(A, Q)
        back = max(
            back,
            np.abs(A @ X + X @ A.T + Q).max()
            / (2 * np.abs(A).max() * np.abs(X).max() + np.abs(Q).max()),
        )
        if np.linalg.cond(A) <= 1e6:
            ref = lyapunov_mp(A, Q)
            fwd = max(fwd, np.abs(X - ref).max() / np.abs(ref).max())
        A = stable_matrix(
            tuple(rng.uniform(-2, 2, 2)),
            rng.uniform(0, 3.1),
            rng.uniform(-2, 1),
            bool(rng.random() < 0.3),
            rng.uniform(-2, 2),
        )
        dt, d = 10.0 ** rng.uniform(-8, 0), 10.0 ** rng.uniform(-3, 3)
        if is_stable_map_2x2(A, dt):
            ref = stein_mp(A, d, dt)
            st = max(st, np.abs(mf.stein_2x2(A, d, dt) - ref).max() / np.abs(ref).max())
    return {
        "lyapunov_2x2 forward (cond ≤ 1e6)": fwd,
        "lyapunov_2x2 backward": back,
        "stein_2x2": st,
    }


def delta_tau_reference(
    lam: float, sig: float, g: float, fracs: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray, float]:
    """τ at which Δ − c∞ = frac·(c₀ − c∞), by τ(D) = ∫_D^{c₀} dx/√(2E(x)) with the kinetic
    energy E(x) = ∫_{c∞}^x (y − g²C_φ(K + y; v)) dy (erf), both by scipy's adaptive quad —
    a route independent of the package's Simpson grid. Returns (τ, D, c∞)."""
    from scipy.integrate import quad

    from meanfield import _generated

    s = mf.bulk_state(lam, sig, g)
    K, v, c0, ci = s.kappa_norm**2, s.sigma_x2, s.c0, s.c_inf

    def force(x: float) -> float:
        return x - g * g * _generated.erf_bulk_C_phi(K + x, v)

    def kinetic(x: float) -> float:
        return quad(force, ci, x, epsabs=0.0, epsrel=1e-12, limit=200)[0]

    ds = np.array([ci + f * (c0 - ci) for f in fracs])
    taus = np.array(
        [
            quad(
                lambda x: 1.0 / math.sqrt(2.0 * kinetic(x)),
                d,
                c0,
                epsabs=0.0,
                epsrel=1e-11,
                limit=200,
            )[0]
            for d in ds
        ]
    )
    return taus, ds, float(ci)


def autocorrelation(points: int, rng: np.random.Generator) -> dict[str, float]:
    import warnings

    err = 0.0
    for _ in range(points):
        g = 10.0 ** rng.uniform(math.log10(0.05), math.log10(3.0))
        sig, lam = 10.0 ** rng.uniform(-2, math.log10(3.0)), 10.0 ** rng.uniform(0, 1)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                taus, ds, ci = delta_tau_reference(lam, sig, g, (0.5, 0.05, 0.005))
        except ValueError:  # no stationary state here (named by bulk_state)
            continue
        got = mf.bulk_autocorrelation(lam, sig, g, taus)
        err = max(err, float(np.max(np.abs(got - ds) / (ds - ci))))
    return {"Δ(τ) − c∞ (bulk, erf)": err}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = {
        **averages(args.points, rng),
        **fixed_points(args.points, rng),
        **hermite(max(args.points // 4, 1), rng),
        **quenched_averages(max(args.points // 4, 1), rng),
        **solvers(args.points, rng),
        **autocorrelation(max(args.points // 5, 1), rng),
    }
    print(f"{'routine':32s} worst relative error ({args.points} points per routine)")
    for k, v in rows.items():
        print(f"{k:32s} {v:.2e}")


if __name__ == "__main__":
    main()
