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
* ‖κ̄‖ = ‖time mean of κ‖, v = ⟨x²⟩ (total variance), and Δ(τ) at a few lags;
* the latent covariance N·Cov_t(κ) (Σ of δκ̃ = √N(κ − κ̄); M = diag(λ₊, λ₋) puts v₊ on u₁ and
  v₋ on u₂, so Σ₁₁ = Σ₊₊ and Σ₂₂ = Σ₋₋).

Latent fluctuations (:func:`latent_rows`): Σ₊₊ and Σ₋₋ against
:func:`meanfield.bulk_latent_covariance` (the linear-noise approximation with the bulk's coloured
drives and the Hermite drives, K = 8) at each network's λ_eff. The v₋ component has no
unresolved term; the v₊ component neglects the retardation of the orthogonal variance's
coherent response to δκ (bracketed by the variants ``variance_feedback="adiabatic"`` and
``"none"``), declared small only for g < 1 — at g ≥ 1 its Σ₊₊ rows are outside the domain, and
the report shows the bracket.

The transition (:func:`lambda_c_rows`): a sweep of λ₊ across λ_c with the same networks
(same seed, so the same χ, U and noise at every λ₊); per network the shift δ that best maps the
DMFT's ‖κ̄‖²(λ₊ − δ) onto the simulated ‖κ̄‖² above λ_c (least squares, Gauss–Newton), so
λ_c + δ is that network's critical λ₊ and the row compares their mean with λ_c(g, σ).

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

__all__ = [
    "BULK_CLAIM",
    "LAGS",
    "LATENT_CLAIM",
    "LATENT_MIN_TIME",
    "LATENT_VARIANTS",
    "ROW_LAGS",
    "SWEEP_FACTORS",
    "BulkConfig",
    "BulkPoint",
    "bulk_rows",
    "default_bulk_configs",
    "lambda_c_rows",
    "latent_rows",
    "latent_theory",
    "simulate_bulk",
]

#: Claim id of the rows (THEORY §7).
BULK_CLAIM = "random-bulk DMFT (THEORY §7)"
#: λ₋ of the simulated M (the second latent direction is stable and silent).
LAMBDA_MINUS = -2.0
#: Lags (time units) at which Δ(τ) is estimated (figure) and those compared in rows.
LAGS: tuple[float, ...] = tuple(0.25 * k for k in range(17))
ROW_LAGS: tuple[float, ...] = (1.0, 2.0)
#: Claim id of the latent-covariance rows.
LATENT_CLAIM = "random-bulk latent fluctuations (THEORY §7)"
#: Theory variants of the latent rows: name → (keyword arguments of
#: :func:`meanfield.bulk_latent_covariance`, role, short tag shown with the quantity). The
#: first is the package's prediction.
LATENT_VARIANTS: dict[str, tuple[dict[str, Any], str, str]] = {
    "LNA + Hermite, adiabatic variance": (
        {"hermite_orders": 8, "variance_feedback": "adiabatic"},
        "prediction",
        "adiabatic",
    ),
    "LNA + Hermite, frozen variance": (
        {"hermite_orders": 8, "variance_feedback": "none"},
        "finding",
        "frozen",
    ),
    "g = 0 theory": ({}, "finding", "g = 0"),
}
#: Shortest run (time units after the transient) that gets latent-covariance rows: the v₊
#: mode relaxes at rate ≈ 0.5, and its variance needs a few hundred relaxation times.
LATENT_MIN_TIME = 400.0
#: λ₊/λ_c of the transition sweep (one point below λ_c, three above).
SWEEP_FACTORS: tuple[float, ...] = (0.9, 1.1, 1.2, 1.35)


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
    #: True for the points of a λ_c sweep (used by :func:`lambda_c_rows`, not the state rows)
    sweep: bool = False

    def __post_init__(self) -> None:
        checks = [
            ("N", self.N >= 16 and isinstance(self.N, int), "an integer >= 16"),
            ("g", 0 <= self.g < 10, "in [0, 10)"),
            ("sigma", self.sigma > 0, "> 0"),
            ("lambda_plus", self.lambda_plus > 0, "> 0"),
            ("networks", self.networks >= 3, ">= 3 (a standard error over networks)"),
            ("dt", 0 < self.dt <= 0.1, "in (0, 0.1]"),
            ("t_max", self.t_max > self.t_discard + 10, "> t_discard + 10"),
        ]
        for name, ok, allowed in checks:
            if not ok:
                raise ValueError(
                    f"{name}={getattr(self, name)!r} is not allowed; allowed: {allowed}"
                )

    def label(self) -> str:
        return f"N={self.N} g={self.g:g} σ={self.sigma:g} λ₊={self.lambda_plus:.4g}"


@dataclasses.dataclass
class BulkPoint:
    """Per-network estimates of one :class:`BulkConfig` (arrays [networks])."""

    config: BulkConfig
    c0: np.ndarray
    c_inf: np.ndarray
    kappa_norm: np.ndarray
    v: np.ndarray
    acf: np.ndarray  # [networks, len(LAGS)]
    latent_cov: np.ndarray  # [networks, 2, 2]: N·Cov_t(κ), the √N-scaled latent covariance


def default_bulk_configs(mode: str = "quick") -> list[BulkConfig]:
    """quick: g ∈ {0.5, 0.9, 1.5} at λ₊ = 2 (fixed point) plus g = 1.5 at λ₊ = 1.3 (below
    λ_c: the chaotic bulk alone), σ = 0.5, N ∈ {256, 1024}, 16 networks, 100 time units;
    latent-covariance points g ∈ {0.5, 0.9} at λ₊ = 2, N = 512, 24 networks, 800 time units
    (the v₊ mode relaxes at rate ≈ 0.5, so its variance needs long runs); a λ_c sweep
    (:data:`SWEEP_FACTORS`) at g = 0.9, N = 512. full: also σ = 1, N = 4096, 24 networks,
    latent points at N = 1024 with 2000 time units (g = 1.5 too), sweeps at g = 0.5 and 1.5
    too. tiny (tests): one point at N = 128."""
    import meanfield as mf

    if mode == "tiny":
        return [BulkConfig(N=128, networks=4, t_max=40.0, t_discard=10.0)]
    full = mode == "full"
    Ns = (256, 1024, 4096) if full else (256, 1024)
    sigmas = (0.5, 1.0) if full else (0.5,)
    nets = 24 if full else 16
    points = [(0.5, 2.0), (0.9, 2.0), (1.5, 2.0), (1.5, 1.3)]
    out = [
        BulkConfig(N=n, g=g, sigma=s, lambda_plus=lam, networks=nets, seed=i)
        for i, (n, s, (g, lam)) in enumerate((n, s, p) for n in Ns for s in sigmas for p in points)
    ]
    out += [
        BulkConfig(
            N=1024 if full else 512,
            g=g,
            sigma=0.5,
            lambda_plus=2.0,
            networks=24,
            t_max=2000.0 if full else 800.0,
            seed=50 + j,
        )
        for j, g in enumerate((0.5, 0.9, 1.5) if full else (0.5, 0.9))
    ]
    for j, g in enumerate((0.5, 0.9, 1.5) if full else (0.9,)):
        lam_c = float(mf.lambda_min(0.5, g=g))
        # near λ_c the v₊ mode relaxes slowly (rate ∝ ‖κ̄‖²): a longer transient
        out += [
            BulkConfig(
                N=1024 if full else 512,
                g=g,
                sigma=0.5,
                networks=nets,
                lambda_plus=round(f * lam_c, 6),
                seed=100 + j,
                sweep=True,
                t_discard=50.0,
                t_max=150.0,
            )
            for f in SWEEP_FACTORS
        ]
    return out


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
    out: dict[str, list] = {k: [] for k in ("c0", "c_inf", "kappa_norm", "v", "acf", "latent_cov")}
    lag_steps = [int(round(t / (every * cfg.dt))) for t in LAGS]
    for net in range(cfg.networks):
        U = math.sqrt(N) * np.linalg.qr(rng.standard_normal((N, 2)))[0]
        W = (
            cfg.g * rng.standard_normal((N, N)) / math.sqrt(N)
            + U @ np.diag([cfg.lambda_plus, LAMBDA_MINUS]) @ U.T / N
        )
        model = RateRNN(
            W=jnp.asarray(W, jnp.float32),
            w_in=jnp.zeros((N, 1), jnp.float32),
            w_out=jnp.zeros((N, 1), jnp.float32),
            nonlinearity="erf",
        )
        x0 = jnp.asarray((U[:, 0] + 0.5 * rng.standard_normal(N))[None, :], jnp.float32)
        traj = simulate(
            model,
            jnp.zeros((1, steps, 1), jnp.float32),
            key=jax.random.key(cfg.seed * 1000 + net),
            sigma=cfg.sigma,
            dt=cfg.dt,
            x0=x0,
        )
        assert traj.x is not None  # record="x" (the default)
        X = np.asarray(traj.x[0, first::every], dtype=np.float64)  # [T', N]
        kap = X @ U / N
        eta = X - kap @ U.T
        half = X.shape[0] // 2
        out["c0"].append(float(np.mean(eta**2)))
        out["c_inf"].append(float(np.mean(eta[:half].mean(0) * eta[half:].mean(0))))
        out["kappa_norm"].append(float(np.linalg.norm(kap.mean(0))))
        out["v"].append(float(np.mean(X**2)))
        out["latent_cov"].append(N * np.cov(kap, rowvar=False))
        out["acf"].append([float(np.mean(eta[: X.shape[0] - k] * eta[k:])) for k in lag_steps])
    return BulkPoint(config=cfg, **{k: np.asarray(v) for k, v in out.items()})


def bulk_rows(points: Sequence[BulkPoint]) -> list[stats.Comparison]:
    """Rows c₀, c∞, ‖κ̄‖, Δ(τ) per point (sweep points excluded): paired per network against
    the DMFT at the network's own total variance (:func:`meanfield.bulk_state`), tagged with
    :data:`BULK_CLAIM`, variant ``"DMFT"``, tolerance dt + 1/N (the neglected orders)."""
    import meanfield as mf

    rows: list[stats.Comparison] = []
    for p in points:
        c = p.config
        if c.sweep:
            continue
        lam_eff = 1.0 / mf.mean_dphi(p.v)
        with mf.errors("nan"):
            th = mf.bulk_state(lam_eff, c.sigma, c.g)
        tol = c.dt + 1.0 / c.N
        setting = c.label()
        fixed = bool(np.all(th.fixed_point))
        quantities: list[tuple[str, Any, np.ndarray]] = [("c₀", th.c0, p.c0)]
        if fixed:
            quantities += [("c∞", th.c_inf, p.c_inf), ("‖κ̄‖", th.kappa_norm, p.kappa_norm)]
        acf_th = np.array(
            [
                mf.bulk_autocorrelation(float(le), c.sigma, c.g, ROW_LAGS)
                for le in np.atleast_1d(lam_eff)
            ]
        )  # [networks, lags]
        for j, lag in enumerate(ROW_LAGS):
            quantities.append((f"Δ({lag:g})", acf_th[:, j], p.acf[:, LAGS.index(lag)]))
        for name, theory, samples in quantities:
            row = stats.compare(
                name,
                np.asarray(theory, float),
                samples,
                se_kind="seeds",
                N=c.N,
                experiment="bulk",
                setting=setting,
                tolerance=tol,
                note="theory at each network's own total variance",
            )
            rows.append(row.tagged(claim=BULK_CLAIM, variant="DMFT", role="prediction"))
    return rows


def latent_theory(p: BulkPoint, variant: str) -> np.ndarray:
    """Σ [networks, 2, 2] of one :data:`LATENT_VARIANTS` entry at each network's λ_eff
    (NaN where the point has no fixed point)."""
    import meanfield as mf

    c = p.config
    lam_eff = 1.0 / mf.mean_dphi(p.v)
    kwargs = LATENT_VARIANTS[variant][0]
    with mf.errors("nan"):
        if variant == "g = 0 theory":  # THEORY §2 at the same λ_eff, ρ = 1 (κ̄ along u₁)
            # ρ = 1 − 1e-12: κ̄ along u₁ without ρ rounding above 1
            k = mf.fixed_point_norm(lam_eff, c.sigma)
            return np.asarray(
                mf.latent_covariance(
                    lam_eff,
                    LAMBDA_MINUS,
                    c.sigma,
                    c.N,
                    z_target=np.sqrt(c.N) * k * (1 - 1e-12),
                    hermite_orders=8,
                ),
                float,
            )
        return np.asarray(
            mf.bulk_latent_covariance(lam_eff, LAMBDA_MINUS, c.sigma, c.g, **kwargs), float
        )


def latent_rows(points: Sequence[BulkPoint]) -> list[stats.Comparison]:
    """Rows Σ₊₊ and Σ₋₋ per fixed-point point run ≥ :data:`LATENT_MIN_TIME` (sweep points
    excluded), every
    :data:`LATENT_VARIANTS` entry, paired per network, tagged :data:`LATENT_CLAIM`; tolerance
    dt + 1/N. Σ₊₊ rows at g ≥ 1 are outside the domain (module docstring), with the bracket
    of the two variance-feedback variants in the reason."""
    import meanfield as mf

    rows: list[stats.Comparison] = []
    for p in points:
        c = p.config
        if (
            c.sweep
            or c.t_max - c.t_discard < LATENT_MIN_TIME
            or not c.lambda_plus > float(mf.lambda_min(c.sigma, g=c.g))
        ):
            continue
        theories = {name: latent_theory(p, name) for name in LATENT_VARIANTS}
        bracket = [
            float(np.mean(theories[n][:, 0, 0]))
            for n in ("LNA + Hermite, adiabatic variance", "LNA + Hermite, frozen variance")
        ]
        for name, (_, role, tag) in LATENT_VARIANTS.items():
            th = theories[name]
            for label, i in ((f"Σ₊₊ [{tag}]", 0), (f"Σ₋₋ [{tag}]", 1)):
                domain = ""
                if i == 0 and c.g >= 1 and name != "g = 0 theory":
                    domain = (
                        f"g ≥ 1: the orthogonal variance's response to δκ is not "
                        f"adiabatic; Σ₊₊ lies between {min(bracket):.4g} and "
                        f"{max(bracket):.4g} (adiabatic / frozen)"
                    )
                row = stats.compare(
                    label,
                    th[:, i, i],
                    p.latent_cov[:, i, i],
                    se_kind="seeds",
                    N=c.N,
                    experiment="bulk",
                    setting=c.label(),
                    tolerance=c.dt + 1.0 / c.N,
                    domain=domain,
                    note="N·Cov_t(κ) per network vs the theory at its λ_eff",
                )
                rows.append(row.tagged(claim=LATENT_CLAIM, variant=name, role=role))
    return rows


def _kappa_sq_theory(lam: np.ndarray, sigma: float, g: float) -> np.ndarray:
    import meanfield as mf

    with mf.errors("nan"):
        st = mf.bulk_state(lam, sigma, g)
    return np.where(st.fixed_point, np.asarray(st.kappa_norm) ** 2, 0.0)


def lambda_c_rows(points: Sequence[BulkPoint]) -> list[stats.Comparison]:
    """One row per sweep (sweep points grouped by N, g, σ, seed): the mean over networks of
    λ_c + δ (module docstring) against λ_c(g, σ), tagged :data:`BULK_CLAIM`; tolerance
    dt + 1/N."""
    import meanfield as mf

    groups: dict[tuple, list[BulkPoint]] = {}
    for p in points:
        c = p.config
        if c.sweep:
            groups.setdefault((c.N, c.g, c.sigma, c.seed), []).append(p)
    rows: list[stats.Comparison] = []
    for (N, g, sigma, _), pts in groups.items():
        lam_c = float(mf.lambda_min(sigma, g=g))
        above = sorted(
            (p for p in pts if p.config.lambda_plus > lam_c), key=lambda p: p.config.lambda_plus
        )
        if len(above) < 2:
            continue
        lam = np.array([p.config.lambda_plus for p in above])  # [L]
        k_sim = np.stack([p.kappa_norm**2 for p in above], axis=1)  # [networks, L]
        delta = np.zeros(k_sim.shape[0])
        h = 1e-5
        for _ in range(8):  # Gauss–Newton on Σ_L (K_th(λ − δ) − K_sim)²
            x = lam[None, :] - delta[:, None]
            k_th = _kappa_sq_theory(x, sigma, g)
            slope = (_kappa_sq_theory(x + h, sigma, g) - _kappa_sq_theory(x - h, sigma, g)) / (
                2 * h
            )
            # ∂/∂δ K_th(λ − δ) = −slope
            step = np.sum(slope * (k_th - k_sim), axis=1) / np.sum(slope * slope, axis=1)
            delta = delta + step
            if np.all(np.abs(step) < 1e-10):
                break
        c = above[0].config
        row = stats.compare(
            "λ_c",
            lam_c,
            lam_c + delta,
            se_kind="seeds",
            N=N,
            experiment="bulk",
            setting=f"N={N} g={g:g} σ={sigma:g} sweep λ₊/λ_c ∈ "
            f"{[round(p.config.lambda_plus / lam_c, 3) for p in pts]}",
            tolerance=c.dt + 1.0 / N,
            note="per network: the shift of the DMFT's ‖κ̄‖²(λ₊) that fits "
            "the simulated points above λ_c",
        )
        rows.append(row.tagged(claim=BULK_CLAIM, variant="DMFT", role="prediction"))
    return rows
