"""Random bulk g > 0 (THEORY §7): the dynamic mean-field theory against simulated networks.

Each point simulates ``networks`` networks W = g·χ + U M Uᵀ/N (χᵢⱼ ~ N(0, 1/N), U = √N × an
orthonormal N × 2 frame, M = diag(λ₊, λ₋)), φ = erf, noise σ, with
:func:`simulate.dynamics.simulate` (Euler–Maruyama at step ``dt``, one long trial from
x₀ = u₁ + noise). After ``t_discard`` it estimates per network, from the states sampled
every ``sample_every`` time units:

* c₀ = ⟨η²⟩ — η = x − U κ, κ = Uᵀx/N, the activity orthogonal to U;
* c∞ = ⟨η̄⁽¹⁾ η̄⁽²⁾⟩ over units — the product of the time means of η in the two halves of the
  run: unbiased for the static part (the halves' fluctuations are independent when the run
  is much longer than Δ's decay time);
* ‖κ̄‖ = ‖time mean of κ‖, v = ⟨x²⟩ (total variance), and Δ(τ) at a few lags.

Theory: :func:`meanfield.bulk_state` at each network's own total variance (λ_eff =
1/⟨φ'⟩(v)); the outlier eigenvalue of W along U moves by O(g/√N) between networks, a
quenched shift the averaged theory does not follow, while c₀, c∞, Δ given v are the DMFT's
prediction. Rows compare per network (paired), SE over networks; the declared model error
is the Euler step's O(dt) (1/(1 − dt/2) − 1 at g = 0) plus O(1/N).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import stats

__all__ = ["BULK_CLAIM", "LAGS", "ROW_LAGS", "BulkConfig", "BulkPoint", "bulk_rows",
           "default_bulk_configs", "simulate_bulk"]

#: Claim id of the rows (THEORY §7).
BULK_CLAIM = "random-bulk DMFT (THEORY §7)"
#: λ₋ of the simulated M (the second latent direction is stable and silent).
LAMBDA_MINUS = -2.0
#: Lags (time units) at which Δ(τ) is estimated (figure) and those compared in rows.
LAGS: tuple[float, ...] = tuple(0.25 * k for k in range(17))
ROW_LAGS: tuple[float, ...] = (1.0, 2.0)


@dataclasses.dataclass(frozen=True)
class BulkConfig:
    """One simulated point of the bulk experiment (see the module docstring)."""

    N: int = 512
    g: float = 0.9
    sigma: float = 0.5
    lambda_plus: float = 2.0
    networks: int = 16
    dt: float = 0.02
    t_max: float = 100.0
    t_discard: float = 20.0
    sample_every: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        checks = [("N", self.N >= 16 and isinstance(self.N, int), "an integer >= 16"),
                  ("g", 0 <= self.g < 10, "in [0, 10)"), ("sigma", self.sigma > 0, "> 0"),
                  ("lambda_plus", self.lambda_plus > 0, "> 0"),
                  ("networks", self.networks >= 3, ">= 3 (a standard error over networks)"),
                  ("dt", 0 < self.dt <= 0.1, "in (0, 0.1]"),
                  ("t_max", self.t_max > self.t_discard + 10, "> t_discard + 10")]
        for name, ok, allowed in checks:
            if not ok:
                raise ValueError(f"{name}={getattr(self, name)!r} is not allowed; allowed: {allowed}")

    def label(self) -> str:
        return f"N={self.N} g={self.g:g} σ={self.sigma:g} λ₊={self.lambda_plus:g}"


@dataclasses.dataclass
class BulkPoint:
    """Per-network estimates of one :class:`BulkConfig` (arrays [networks])."""

    config: BulkConfig
    c0: np.ndarray
    c_inf: np.ndarray
    kappa_norm: np.ndarray
    v: np.ndarray
    acf: np.ndarray  # [networks, len(LAGS)]


def default_bulk_configs(mode: str = "quick") -> list[BulkConfig]:
    """quick: g ∈ {0.5, 0.9, 1.5} at λ₊ = 2 (fixed point) plus g = 1.5 at λ₊ = 1.3 (below
    λ_c: the chaotic bulk alone), σ = 0.5, N ∈ {256, 1024}, 16 networks; full: also σ = 1,
    N = 4096, 24 networks; tiny (tests): one point at N = 128."""
    if mode == "tiny":
        return [BulkConfig(N=128, networks=4, t_max=40.0, t_discard=10.0)]
    full = mode == "full"
    Ns = (256, 1024, 4096) if full else (256, 1024)
    sigmas = (0.5, 1.0) if full else (0.5,)
    nets = 24 if full else 16
    points = [(0.5, 2.0), (0.9, 2.0), (1.5, 2.0), (1.5, 1.3)]
    return [BulkConfig(N=n, g=g, sigma=s, lambda_plus=lam, networks=nets, seed=i)
            for i, (n, s, (g, lam)) in enumerate(
                (n, s, p) for n in Ns for s in sigmas for p in points)]


def simulate_bulk(cfg: BulkConfig) -> BulkPoint:
    """Simulate ``cfg.networks`` networks and return their estimates (one jitted scan each)."""
    import jax
    import jax.numpy as jnp

    from simulate.dynamics import simulate
    from simulate.models import RateRNN

    rng = np.random.default_rng(cfg.seed)
    N = cfg.N
    steps = int(round(cfg.t_max / cfg.dt))
    every = max(1, int(round(cfg.sample_every / cfg.dt)))
    first = int(round(cfg.t_discard / cfg.dt))
    out: dict[str, list] = {k: [] for k in ("c0", "c_inf", "kappa_norm", "v", "acf")}
    lag_steps = [int(round(t / (every * cfg.dt))) for t in LAGS]
    for net in range(cfg.networks):
        U = math.sqrt(N) * np.linalg.qr(rng.standard_normal((N, 2)))[0]
        W = (cfg.g * rng.standard_normal((N, N)) / math.sqrt(N)
             + U @ np.diag([cfg.lambda_plus, LAMBDA_MINUS]) @ U.T / N)
        model = RateRNN(W=jnp.asarray(W, jnp.float32), w_in=jnp.zeros((N, 1), jnp.float32),
                        w_out=jnp.zeros((N, 1), jnp.float32), nonlinearity="erf")
        x0 = jnp.asarray((U[:, 0] + 0.5 * rng.standard_normal(N))[None, :], jnp.float32)
        traj = simulate(model, jnp.zeros((1, steps, 1), jnp.float32),
                        key=jax.random.key(cfg.seed * 1000 + net), sigma=cfg.sigma, dt=cfg.dt,
                        x0=x0)
        X = np.asarray(traj.x[0, first::every], dtype=np.float64)  # [T', N]
        kap = X @ U / N
        eta = X - kap @ U.T
        half = X.shape[0] // 2
        out["c0"].append(float(np.mean(eta**2)))
        out["c_inf"].append(float(np.mean(eta[:half].mean(0) * eta[half:].mean(0))))
        out["kappa_norm"].append(float(np.linalg.norm(kap.mean(0))))
        out["v"].append(float(np.mean(X**2)))
        out["acf"].append([float(np.mean(eta[: X.shape[0] - k] * eta[k:])) for k in lag_steps])
    return BulkPoint(config=cfg, **{k: np.asarray(v) for k, v in out.items()})


def bulk_rows(points: Sequence[BulkPoint]) -> list[stats.Comparison]:
    """Rows c₀, c∞, ‖κ̄‖, Δ(τ) per point: paired per network against the DMFT at the
    network's own total variance (:func:`meanfield.bulk_state`), tagged with
    :data:`BULK_CLAIM`, variant ``"DMFT"``, tolerance dt + 1/N (the neglected orders)."""
    import meanfield as mf

    rows: list[stats.Comparison] = []
    for p in points:
        c = p.config
        lam_eff = 1.0 / mf.mean_dphi(p.v)
        with mf.errors("nan"):
            th = mf.bulk_state(lam_eff, c.sigma, c.g)
        tol = c.dt + 1.0 / c.N
        setting = c.label()
        fixed = bool(np.all(th.fixed_point))
        quantities: list[tuple[str, Any, np.ndarray]] = [("c₀", th.c0, p.c0)]
        if fixed:
            quantities += [("c∞", th.c_inf, p.c_inf), ("‖κ̄‖", th.kappa_norm, p.kappa_norm)]
        acf_th = np.array([mf.bulk_autocorrelation(float(le), c.sigma, c.g, ROW_LAGS)
                           for le in np.atleast_1d(lam_eff)])  # [networks, lags]
        for j, lag in enumerate(ROW_LAGS):
            quantities.append((f"Δ({lag:g})", acf_th[:, j], p.acf[:, LAGS.index(lag)]))
        for name, theory, samples in quantities:
            row = stats.compare(name, np.asarray(theory, float), samples, se_kind="seeds",
                                N=c.N, experiment="bulk", setting=setting,
                                tolerance=tol,
                                note="theory at each network's own total variance")
            rows.append(row.tagged(claim=BULK_CLAIM, variant="DMFT", role="prediction"))
    return rows
