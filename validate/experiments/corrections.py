r"""Beyond the paper: finite-dt, finite-N and per-network predictions against simulation (issue 5).

The paper's fluctuation theory (THEORY.md §2) is continuous-time, N → ∞ and averaged over U;
the simulations of THEORY §5 are Euler–Maruyama maps of one network with one U. This experiment
measures, on a grid of static rank-2 networks (THEORY §5 machinery: :mod:`validate.experiments.static`),
which of meanfield's predictions is consistent with the simulation, and where none is.

Grid (:class:`CorrectionsConfig`): N ∈ ``Ns``, σ, ẑ, λ₋ ∈ ``lambda_minus``,
λ₊ = λ₊*(N, λ₋) + offset (λ₊* = ``meanfield.optimum(N, λ₋).lambda_plus``, continuous time;
offsets 0 = "near the optimum" and 1.0 = "above it", see :data:`DEFAULT_OFFSETS`) and
dt ∈ ``dts``. Each point is a :class:`validate.experiments.static.StaticConfig` simulated by
:func:`validate.experiments.static.simulate_static` (``networks`` independent U, ``trials`` trials each,
symmetric M with θ₊ from the continuous-time L_bias = 0) and reduced by
:func:`validate.experiments.static.static_estimates` (per-network ‖κ̄‖, L_var, Σ = N·Cov(κ), mean output).

Theory variants (:data:`VARIANTS`; every prediction is a meanfield call, no formula here):

* ``"paper"``: THEORY §2 as written (``dt=None``, v_orth gain term);
* ``"dt"``: the Euler map of step cfg.dt (``dt=cfg.dt``: c₀ = σ²/(1 − dt/2), Stein equation);
* ``"Hermite"``: finite-N noise leaking through φ (``hermite_orders=K``, continuous time);
* ``"dt + Hermite"``: both (the prediction for the simulated map);
* ``"quenched"``: per-network fixed points for the *same* U as the simulation
  (``meanfield.quenched_fixed_point`` with the Euler map's c₀): rows compare each network's mean
  output and ‖κ̄‖ with its own prediction (paired: mean over networks of sim − prediction vs 0)
  and the SD over networks of the simulated mean outputs with the predicted SD.

Compared quantities (:data:`QUANTITIES`): L_var (main), Σ₁₁, Σ₂₂ (of δκ̃ = √N(κ − κ̄), (u₁, u₂)
basis) and ‖κ̄‖. SEs are over networks (``se_kind="seeds"``), the sampling unit of
:mod:`validate.experiments.static`; every row goes through :func:`validate.core.stats.compare` (one pass rule).

The simulated per-network estimates are cached per grid point under
``cache_dir/corrections/<hash>/`` (``estimates.npz`` + ``config.json``), like the static
cache of ``oblique validate``; theory and rows are recomputed on load.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from jaxtyping import Float

from ..core import stats
from .static import StaticConfig

__all__ = [
    "DEFAULT_OFFSETS",
    "QUANTITIES",
    "QUANTITY_LABELS",
    "QUENCHED",
    "VARIANTS",
    "CorrectionsConfig",
    "CorrectionsPoint",
    "CorrectionsResult",
    "corrections_rows",
    "pass_fractions",
    "headline",
    "network_U",
    "point_estimates",
    "quenched_theory",
    "run_corrections",
    "spread_row",
    "variant_kwargs",
    "variant_theory",
]

#: Theory variants of the averaged (U-independent) predictions, in table order.
VARIANTS: tuple[str, ...] = ("paper", "dt", "Hermite", "dt + Hermite")
#: Name of the per-network (given-U) variant.
QUENCHED: str = "quenched"
#: Quantities compared with every averaged variant, in table order (L_var first: the main one).
QUANTITIES: tuple[str, ...] = ("loss_var", "Sigma11", "Sigma22", "kappa_norm")
#: Row names of the quantities (plus the quenched-only ones).
QUANTITY_LABELS: dict[str, str] = {
    "loss_var": "L_var",
    "Sigma11": "Σ11",
    "Sigma22": "Σ22",
    "kappa_norm": "‖κ̄‖",
    "mean_output": "z̄",
    "mean_output_sd": "SD_U(z̄)",
}
#: λ₊ offsets from the continuous-time optimum λ₊*. 0: at the optimum (the point gradient
#: descent approaches, THEORY §2 "Optimal solutions"). 1.0: well above it, where ‖κ̄‖ ≈ 1.2 (no
#: basin switches), the paper's L_var is only 10–30 % above its minimum, and the leaked-noise
#: (Hermite) and quenched effects are largest (both grow with λ₊ at fixed λ₋), so the variants
#: are best separated. 1.5×λ₊* would give nearly the same λ₊ (2.7–2.9) but a different step
#: per (N, λ₋); a fixed offset keeps the two points comparable across the grid.
DEFAULT_OFFSETS: tuple[float, ...] = (0.0, 1.0)
#: Version of the cache layout (bump when the cached estimates change).
_CACHE_VERSION = 2  # 2: L_var and Σ corrected for the centring (issue 26)
#: (dt, Hermite) options of each averaged variant.
_OPTIONS: dict[str, tuple[bool, bool]] = {
    "paper": (False, False),
    "dt": (True, False),
    "Hermite": (False, True),
    "dt + Hermite": (True, True),
}


def _row_name(quantity: str, variant: str) -> str:
    return f"{QUANTITY_LABELS[quantity]} [{variant}]"


# ----------------------------------------------------------------------------- configuration
@dataclasses.dataclass(frozen=True)
class CorrectionsConfig:
    """The grid and simulation sizes of the corrections experiment (module docstring).

    Attributes:
        Ns: network sizes (each ≥ 8).
        lambda_minus: λ₋ values (each < 0: the optimum λ₊* exists only for λ₋ < 0).
        lambda_plus_offsets: λ₊ − λ₊*(N, λ₋) for each point (λ₊ must exceed λ_min).
        dts: Euler steps, each in (0, 1).
        t_max: simulated time per trial for each dt (same length as ``dts``; time units of the
            leak). A small dt costs 1/dt steps per time unit, so the fine step may use a
            shorter run.
        t_discard: transient dropped for each dt (same length as ``dts``; < the t_max entry).
        networks: independent U draws per point (≥ 2; sets the SE).
        trials: trials per network (even ≥ 2; half start at +x̄, half at −x̄).
        hermite_orders: K of the Hermite variants (≥ 1).
        seed: base seed; grid point i uses seed + i.
        sigma: noise σ (> 0).
        z_target: target output ẑ (> 0).
    """

    Ns: tuple[int, ...] = (64, 256, 1024, 2048)
    lambda_minus: tuple[float, ...] = (-1.0, -5.0)
    lambda_plus_offsets: tuple[float, ...] = DEFAULT_OFFSETS
    dts: tuple[float, ...] = (0.2, 0.02)
    t_max: tuple[float, ...] = (100.0, 60.0)
    t_discard: tuple[float, ...] = (20.0, 20.0)
    networks: int = 16
    trials: int = 16
    hermite_orders: int = 8
    seed: int = 0
    sigma: float = 1.0
    z_target: float = 1.0

    def __post_init__(self) -> None:
        def bad(name: str, allowed: str) -> ValueError:
            return ValueError(
                f"{name}={getattr(self, name)!r} is not allowed; {name} must be {allowed}"
            )

        for name in ("Ns", "lambda_minus", "lambda_plus_offsets", "dts", "t_max", "t_discard"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or len(value) == 0:
                raise bad(name, "a non-empty tuple")
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 8 for n in self.Ns):
            raise bad("Ns", "a tuple of integers >= 8")
        if not all(math.isfinite(v) and v < 0 for v in self.lambda_minus):
            raise bad("lambda_minus", "a tuple of finite numbers < 0")
        if not all(math.isfinite(v) for v in self.lambda_plus_offsets):
            raise bad("lambda_plus_offsets", "a tuple of finite numbers")
        if not all(math.isfinite(v) and 0 < v < 1 for v in self.dts):
            raise bad("dts", "a tuple of numbers in (0, 1)")
        for name in ("t_max", "t_discard"):
            if len(getattr(self, name)) != len(self.dts):
                raise bad(name, f"a tuple with one entry per dt (len(dts)={len(self.dts)})")
        if not all(0 <= d < t for d, t in zip(self.t_discard, self.t_max, strict=True)):
            raise bad("t_discard", f"entrywise in [0, t_max={self.t_max!r})")
        for name in ("networks", "hermite_orders"):
            v = getattr(self, name)
            lo = 2 if name == "networks" else 1
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise bad(name, f"an integer >= {lo}")
        if (
            isinstance(self.trials, bool)
            or not isinstance(self.trials, int)
            or self.trials < 2
            or self.trials % 2
        ):
            raise bad("trials", "an even integer >= 2")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise bad("seed", "an integer >= 0")
        for name in ("sigma", "z_target"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise bad(name, "a finite number > 0")

    # presets -------------------------------------------------------------------------------
    @classmethod
    def quick(cls) -> CorrectionsConfig:
        """CPU preset of ``oblique validate``: N ∈ {64, 256, 1024, 2048} (the convergence in N of
        each claim) × λ₋ ∈ {−1, −5} × two offsets × dt ∈ {0.2, 0.02} (32 points), 16 networks ×
        16 trials; t ∈ (20, 100] at dt = 0.2 and (20, 60] at dt = 0.02 (the fine step costs
        10× the steps per time unit; 40 kept time units are still ≈ 7 relaxation times of the
        slowest mode, whose rate |γ| = 2α²‖κ̄‖²/λ₊² (THEORY §2) is ≥ 0.18 on this grid).
        Wall time: see the README (measured with the whole main job)."""
        return cls()

    @classmethod
    def full(cls) -> CorrectionsConfig:
        """Paper-like scale (a GPU run): 64 networks × 32 trials, t ∈ (20, 100] at both dt."""
        return cls(networks=64, trials=32, t_max=(100.0, 100.0), t_discard=(20.0, 20.0))

    @classmethod
    def tiny(cls) -> CorrectionsConfig:
        """Smoke test (seconds): one point, N = 256, λ₋ = −5, λ₊ = λ₊* + 1, dt = 0.2,
        8 networks × 8 trials, t ∈ (10, 30] (the simulation shape of the static tests);
        its numbers test the plumbing, with SEs of a few % of L_var."""
        return cls(
            Ns=(256,),
            lambda_minus=(-5.0,),
            lambda_plus_offsets=(1.0,),
            dts=(0.2,),
            t_max=(30.0,),
            t_discard=(10.0,),
            networks=8,
            trials=8,
        )

    # grid ----------------------------------------------------------------------------------
    def points(self) -> list[tuple[StaticConfig, float, float]]:
        """Grid points in order (N, λ₋, offset, dt): (StaticConfig, offset, λ₊*).

        Raises ValueError when a point is infeasible (λ₊ ≤ λ_min or ρ > 1).
        """
        import meanfield

        out = []
        i = 0
        for N in self.Ns:
            for lm in self.lambda_minus:
                lp_opt = float(meanfield.optimum(N, lm, self.sigma, self.z_target).lambda_plus)
                for off in self.lambda_plus_offsets:
                    for dt, t_max, t_discard in zip(
                        self.dts, self.t_max, self.t_discard, strict=True
                    ):
                        lp = lp_opt + off
                        if not bool(meanfield.feasible(lp, self.sigma, N, self.z_target)):
                            raise ValueError(
                                f"lambda_plus_offsets={self.lambda_plus_offsets!r} is not allowed: "
                                f"λ₊ = λ₊*({N}, {lm:g}) + {off:g} = {lp:.4g} is infeasible "
                                f"(need λ₊ > λ_min = "
                                f"{float(meanfield.lambda_min(self.sigma)):.4g} and ρ ≤ 1)"
                            )
                        out.append(
                            (
                                StaticConfig(
                                    N=N,
                                    sigma=float(self.sigma),
                                    z_target=float(self.z_target),
                                    lambda_plus=lp,
                                    lambda_minus=float(lm),
                                    networks=self.networks,
                                    trials=self.trials,
                                    t_max=float(t_max),
                                    t_discard=float(t_discard),
                                    dt=float(dt),
                                    seed=self.seed + i,
                                    hermite_orders=self.hermite_orders,
                                ),
                                float(off),
                                lp_opt,
                            )
                        )
                        i += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON)."""
        return dataclasses.asdict(self)


# ----------------------------------------------------------------------------- results
@dataclasses.dataclass
class CorrectionsPoint:
    """One grid point: its simulation estimates and every theory variant.

    Attributes:
        config: the simulated :class:`~validate.experiments.static.StaticConfig`.
        offset: λ₊ − λ₊*.
        lambda_plus_opt: λ₊* (continuous-time optimum of L_var at L_bias = 0).
        estimates: per-network arrays [networks] of :data:`QUANTITIES`, ``"mean_output"`` and
            ``"mean_output_se"`` (within-network SE of the mean output, from the trial means).
        switched: fraction of samples on the mirror side of the fixed point, [networks].
        theory: variant -> quantity -> value (:func:`variant_theory`).
        quenched: :func:`quenched_theory` (per-network predictions [networks]).
        cached: whether the estimates were loaded from the cache.
    """

    config: StaticConfig
    offset: float
    lambda_plus_opt: float
    estimates: dict[str, np.ndarray]
    switched: np.ndarray
    theory: dict[str, dict[str, float]]
    quenched: dict[str, Any]
    cached: bool = False

    def setting(self) -> str:
        """Row setting text: N, λ₋, λ₊ (λ₊* + offset), dt."""
        c = self.config
        return (
            f"N={c.N}, λ₋={c.lambda_minus:g}, λ₊={c.lambda_plus:.4g} "
            f"(λ₊*{self.offset:+g}), dt={c.dt:g}"
        )

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary (theories, per-network estimates, quenched predictions)."""
        return stats.jsonable(
            {  # type: ignore[return-value]
                "config": self.config.to_dict(),
                "offset": self.offset,
                "lambda_plus_opt": self.lambda_plus_opt,
                "theory": self.theory,
                "quenched": {k: v for k, v in self.quenched.items() if k != "kappa"},
                "estimates": {k: v for k, v in self.estimates.items() if np.ndim(v) == 1},
                "switched_fraction_max": float(np.max(self.switched)),
                "cached": self.cached,
            }
        )


@dataclasses.dataclass
class CorrectionsResult:
    """Outcome of :func:`run_corrections`: the config, its points and the wall time (s)."""

    config: CorrectionsConfig
    points: list[CorrectionsPoint]
    wall_time_s: float = math.nan

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary of the run (config, points, pass fractions, L_var ratios)."""
        return stats.jsonable(
            {  # type: ignore[return-value]
                "config": self.config.to_dict(),
                "points": [p.summary() for p in self.points],
                "pass_fractions": pass_fractions(self),
                "loss_var_ratio_sim_over_paper": _ratios(self),
                "wall_time_s": self.wall_time_s,
            }
        )


# ----------------------------------------------------------------------------- theory
def variant_kwargs(cfg: StaticConfig, variant: str) -> dict[str, Any]:
    """Keyword arguments of ``meanfield.loss_var`` / ``latent_covariance`` for one averaged
    variant at the point ``cfg``: ``dt=cfg.dt`` for the "dt" variants (else ``None``),
    ``hermite_orders=cfg.hermite_orders`` for the "Hermite" ones (else ``None``), plus ẑ, the
    output scale, θ₋ and φ of ``cfg``. Raises ValueError for a name not in :data:`VARIANTS`."""
    if variant not in _OPTIONS:
        raise ValueError(f"variant={variant!r} is not allowed; allowed: {', '.join(VARIANTS)}")
    use_dt, use_hermite = _OPTIONS[variant]
    return {
        "z_target": cfg.z_target,
        "out_scale": cfg.out_scale,
        "theta_minus": cfg.theta_minus,
        "nonlinearity": cfg.nonlinearity,
        "dt": cfg.dt if use_dt else None,
        "hermite_orders": cfg.hermite_orders if use_hermite else None,
    }


def variant_theory(cfg: StaticConfig, variant: str) -> dict[str, float]:
    """:data:`QUANTITIES` predicted by one averaged variant for the point ``cfg``.

    ``meanfield.loss_var``, ``latent_covariance`` and ``fixed_point_norm`` with
    :func:`variant_kwargs`. "paper" equals :func:`validate.experiments.static.static_theory`,
    "dt + Hermite" equals :func:`validate.experiments.static.static_theory_extended`.
    """
    import meanfield

    kwargs = variant_kwargs(cfg, variant)
    args = (cfg.lambda_plus, cfg.lambda_minus, cfg.sigma, cfg.N)
    Sigma = np.asarray(meanfield.latent_covariance(*args, **kwargs), dtype=float)
    return {
        "loss_var": float(meanfield.loss_var(*args, **kwargs)),
        "Sigma11": float(Sigma[0, 0]),
        "Sigma22": float(Sigma[1, 1]),
        "kappa_norm": float(
            meanfield.fixed_point_norm(
                cfg.lambda_plus, cfg.sigma, cfg.nonlinearity, dt=kwargs["dt"]
            )
        ),
    }


def network_U(cfg: StaticConfig) -> Float[np.ndarray, "networks N 2"]:
    """The U of each network :func:`validate.experiments.static.simulate_static` simulates for ``cfg``.

    Regenerated from the same keys (:func:`validate.experiments.static.network_keys`), one
    ``simulate.make_low_rank(k, N, out_scale=…)`` per network key (U depends only on the key
    and N). Returns float64 copies of the float32 U, [networks, N, 2].
    """
    import jax

    from simulate.models import make_low_rank

    from .static import network_keys

    keys, _ = network_keys(cfg)
    U = jax.vmap(
        lambda k: make_low_rank(k, cfg.N, out_scale=cfg.out_scale, nonlinearity=cfg.nonlinearity).U
    )(keys)
    return np.asarray(U, dtype=np.float64)


def quenched_theory(cfg: StaticConfig, U: np.ndarray | None = None) -> dict[str, Any]:
    """Per-network (given-U) fixed points of the simulated networks (issue 5, item 2).

    ``meanfield.quenched_fixed_point(U, M, σ, κ̄₀, dt=cfg.dt)`` for the U of each simulated
    network (:func:`network_U`), the simulated M (:func:`validate.experiments.static.static_geometry`) and
    the Euler map's orthogonal variance (the simulation is that map), started from the averaged
    κ̄. Returns ``"mean_output"`` z̄_U = s√N κ̄_U,1 [networks], ``"kappa_norm"`` ‖κ̄_U‖
    [networks], ``"kappa"`` [networks, 2] and ``"sd"`` (SD over these networks, ddof 1).
    NaN marks a network whose Newton iteration did not converge (its rows then fail).
    """
    import meanfield

    from .static import static_geometry

    geo = static_geometry(
        cfg.lambda_plus,
        cfg.lambda_minus,
        cfg.sigma,
        cfg.N,
        cfg.z_target,
        cfg.out_scale,
        cfg.theta_minus,
        cfg.nonlinearity,
    )
    U = network_U(cfg) if U is None else U
    kappa = meanfield.quenched_fixed_point(
        U, geo["M"], cfg.sigma, geo["kappa_bar"], dt=cfg.dt, nonlinearity=cfg.nonlinearity
    )
    s = 1.0 if cfg.out_scale == "large" else 1.0 / math.sqrt(cfg.N)
    z = s * math.sqrt(cfg.N) * kappa[:, 0]
    return {
        "mean_output": z,
        "kappa_norm": np.linalg.norm(kappa, axis=-1),
        "kappa": kappa,
        "sd": float(np.std(z, ddof=1)),
    }


# ----------------------------------------------------------------------------- simulation
def point_estimates(
    latents: Float[np.ndarray, "nets trials T 2"],
    outputs: Float[np.ndarray, "nets trials T"],
    cfg: StaticConfig,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-network estimates of one point and the basin-switch fraction [networks].

    :func:`validate.experiments.static.static_estimates` (the 1-D per-network arrays) plus
    ``"mean_output_se"``: the within-network SE of the mean output, sd(trial means)/√trials
    (trials of one network are independent given U).
    """
    from .static import static_estimates, static_geometry

    est = static_estimates(latents, outputs, cfg.N)
    keep = {
        q: np.asarray(est[q], dtype=float)
        for q in ("kappa_norm", "rho", "mean_output", "loss_var", "Sigma11", "Sigma12", "Sigma22")
    }
    trial_means = outputs.mean(axis=2)  # [nets, trials]
    keep["mean_output_se"] = trial_means.std(axis=1, ddof=1) / math.sqrt(outputs.shape[1])
    v_plus = static_geometry(
        cfg.lambda_plus,
        cfg.lambda_minus,
        cfg.sigma,
        cfg.N,
        cfg.z_target,
        cfg.out_scale,
        cfg.theta_minus,
        cfg.nonlinearity,
    )["v_plus"]
    switched = (np.einsum("btsi,i->bts", latents, v_plus) < 0).mean(axis=(1, 2))
    return keep, switched


def _cache_record(cfg: StaticConfig) -> dict[str, Any]:
    """What identifies a cached simulation (Hermite orders do not change it)."""
    d = cfg.to_dict()
    d.pop("hermite_orders")
    return json.loads(
        json.dumps(
            {"version": _CACHE_VERSION, "experiment": "corrections", "config": d}, sort_keys=True
        )
    )


def _cache_paths(cfg: StaticConfig, cache_dir: Path) -> tuple[Path, Path, dict[str, Any]]:
    """(estimates.npz, config.json, record) of one point under ``cache_dir/corrections/``."""
    record = _cache_record(cfg)
    key = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]
    where = Path(cache_dir) / "corrections" / key
    return where / "estimates.npz", where / "config.json", record


def _cached_estimates(
    cfg: StaticConfig, cache_dir: Path | None
) -> tuple[dict[str, np.ndarray], np.ndarray, bool]:
    """(estimates, switched, loaded) of one point; simulated and stored when not cached."""
    from .static import simulate_static

    if cache_dir is not None:
        est_file, cfg_file, record = _cache_paths(cfg, cache_dir)
        if est_file.exists() and cfg_file.exists() and json.loads(cfg_file.read_text()) == record:
            from simulate.runs import load_cache

            arrays = load_cache(est_file)  # None (warned) if it fails its checksum
            if arrays is not None:
                switched = arrays.pop("_switched")
                return arrays, switched, True
    lat, z = simulate_static(cfg)
    est, switched = point_estimates(lat, z, cfg)
    if cache_dir is not None:
        from simulate.runs import atomic_write_bytes, save_arrays

        est_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(
            cfg_file, lambda fh: fh.write(json.dumps(record, sort_keys=True, indent=1).encode())
        )
        save_arrays(est_file, dict(est, _switched=switched))
    return est, switched, False


def run_corrections(
    cfg: CorrectionsConfig,
    *,
    cache_dir: Path | None,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> CorrectionsResult:
    """Simulate (or load) every grid point of ``cfg`` and compute every theory variant.

    Arguments:
        cfg: the grid (:class:`CorrectionsConfig`).
        cache_dir: directory of the cache (``cache_dir/corrections/<hash>/``); ``None``: no
            cache.
        progress: tqdm bar over the grid points.
        log: optional callable receiving one line per point (simulated / loaded, seconds).

    Returns:
        :class:`CorrectionsResult` (rows: :func:`corrections_rows`).
    """
    from tqdm.auto import tqdm

    t_start = time.perf_counter()
    grid = cfg.points()
    points = []
    for i, (scfg, off, lp_opt) in enumerate(
        tqdm(grid, desc="corrections", disable=not progress), 1
    ):
        t0 = time.perf_counter()
        est, switched, cached = _cached_estimates(scfg, cache_dir)
        point = CorrectionsPoint(
            config=scfg,
            offset=off,
            lambda_plus_opt=lp_opt,
            estimates=est,
            switched=switched,
            theory={v: variant_theory(scfg, v) for v in VARIANTS},
            quenched=quenched_theory(scfg),
            cached=cached,
        )
        points.append(point)
        if log is not None:
            log(
                f"  corrections [{i}/{len(grid)}] {point.setting()}: "
                f"{'loaded from cache' if cached else 'simulated'} "
                f"({time.perf_counter() - t0:.1f} s)"
            )
    return CorrectionsResult(config=cfg, points=points, wall_time_s=time.perf_counter() - t_start)


# ----------------------------------------------------------------------------- rows
def _point_rows(p: CorrectionsPoint) -> list[stats.Comparison]:
    c = p.config
    rows = []
    setting = p.setting()
    for variant in VARIANTS:
        note = {
            "paper": "THEORY §2 (continuous time, v_orth)",
            "dt": f"Euler map dt={c.dt:g}",
            "Hermite": f"leaked noise, Hermite orders 1..{c.hermite_orders}",
            "dt + Hermite": f"Euler map dt={c.dt:g} + Hermite orders 1..{c.hermite_orders}",
        }[variant]
        for q in QUANTITIES:
            rows.append(
                stats.compare(
                    _row_name(q, variant),
                    p.theory[variant][q],
                    p.estimates[q],
                    se_kind="seeds",
                    N=c.N,
                    experiment="corrections",
                    setting=setting,
                    note=note,
                )
            )
    qn = p.quenched
    note = f"same U as the simulation, Euler map c₀ (dt={c.dt:g}); paired over networks"
    for q in ("mean_output", "kappa_norm"):
        rows.append(
            stats.compare(
                _row_name(q, QUENCHED),
                np.asarray(qn[q], dtype=float),
                p.estimates[q],
                se_kind="seeds",
                N=c.N,
                experiment="corrections",
                setting=setting,
                note=note,
            )
        )
    rows.append(
        spread_row(
            p.estimates["mean_output"],
            p.quenched["mean_output"],
            p.estimates["mean_output_se"],
            trials=c.trials,
            N=c.N,
            setting=setting,
        )
    )
    from .theory_variants import tag_fixed_point_rows

    keys = [(q, v) for v in VARIANTS for q in QUANTITIES]
    keys += [("mean_output", QUENCHED), ("kappa_norm", QUENCHED), ("mean_output_sd", QUENCHED)]
    key = dict(zip((id(r) for r in rows), keys, strict=True))
    return tag_fixed_point_rows(
        rows,
        lambda r: key[id(r)],
        lambda_plus=c.lambda_plus,
        sigma=c.sigma,
        N=c.N,
        dt=c.dt,
        switched=float(np.max(p.switched)),
    )


def spread_row(
    mean_output: Float[np.ndarray, " networks"],
    predicted: Float[np.ndarray, " networks"],
    mean_output_se: Float[np.ndarray, " networks"],
    *,
    trials: int | None,
    N: int,
    setting: str = "",
) -> stats.Comparison:
    r"""The spread of the mean output over networks against the quenched theory, paired.

    Each simulated z̄_i is the network's prediction p_i (same U) plus its own time-averaging
    error e_i (independent across networks, variance s_i², estimated from the network's
    trial means). The theory says Var_U(z̄) = Var(p) + E s². The networks are shared by both
    sides, so the comparison is paired: the statistic is

        D = Var(z̄) − Var(p) − mean(ŝ²)        (sample variances, ddof 1; E D = 0 exactly)

    and, with c_i = p_i − mean p, its null variance given the networks is

        Var D = 4 Σ c_i² s_i² / (n − 1)² + 2 Σ s_i⁴ / (n − 1)² + 2 Σ s_i⁴ / ((K − 1) n²)

    (the cross term 2 Σ c_i e_i/(n − 1), the e-only quadratic term, and the noise of the K-trial
    estimates ŝ_i², plugged in), on Satterthwaite's degrees of freedom of the first term
    (ν = (Σ a_i)² / Σ a_i²/(K − 1), a_i = 4 c_i² ŝ_i²/(n − 1)²; infinite when K is None,
    i.e. the s_i are exact). The common U cancels; an SE of the simulated SD alone,
    SD/√(2(n − 1)), ignores the pairing and is 3–50× too large. Calibration with exact truth
    (16 networks × 16 trials, ``python benchmarks/calibration.py``): false-fail rate 1.00 % at
    the 1 % level; 2.5 × P_ROW at P_ROW (the skew of the quadratic terms; 8 × 8: 2.8 ×). The row is stated in SDs: theory
    √(Var(p) + mean ŝ²), estimate √Var(z̄), SE = √Var D/(SD_sim + SD_theory), so z is that
    of D.

    Arguments:
        mean_output: simulated z̄_i; predicted: the quenched p_i; mean_output_se: ŝ_i (all
            [networks], ≥ 2 networks). trials: K, the number of trial means behind each ŝ_i
            (None: exact). N, setting: of the row.
    """
    z = np.asarray(mean_output, dtype=float).ravel()
    pred = np.asarray(predicted, dtype=float).ravel()
    s2 = np.asarray(mean_output_se, dtype=float).ravel() ** 2
    n = z.size
    if not (pred.size == n == s2.size and n >= 2):
        raise ValueError(
            f"mean_output, predicted and mean_output_se must have one entry per "
            f"network (>= 2), got sizes {z.size}, {pred.size}, {s2.size}"
        )
    if trials is not None and (isinstance(trials, bool) or int(trials) != trials or trials < 2):
        raise ValueError(f"trials={trials!r} is not allowed; allowed: an integer >= 2 or None")
    sd_sim = float(np.std(z, ddof=1))
    sd_pred = math.sqrt(float(np.var(pred, ddof=1)) + float(np.mean(s2)))
    c = pred - pred.mean()
    a = 4.0 * c**2 * s2 / (n - 1) ** 2
    var_d = float(a.sum() + 2.0 * np.sum(s2**2) / (n - 1) ** 2)
    dof = math.inf
    if trials is not None:
        var_d += float(2.0 * np.sum(s2**2) / ((trials - 1) * n**2))
        den = float(np.sum(a**2) / (trials - 1))
        dof = float(a.sum() ** 2 / den) if den > 0 else math.inf
    se = math.sqrt(var_d) / (sd_sim + sd_pred) if sd_sim + sd_pred > 0 else math.nan
    return stats.compare_estimate(
        _row_name("mean_output_sd", QUENCHED),
        sd_pred,
        sd_sim,
        se,
        n,
        se_kind="seeds",
        N=N,
        experiment="corrections",
        setting=setting,
        dof=dof,
        note="SD over networks; prediction ⊕ within-network SE of z̄; paired null SE "
        "(Satterthwaite dof)",
    )


def corrections_rows(result: CorrectionsResult) -> list[stats.Comparison]:
    """All rows: per point, :data:`QUANTITIES` × :data:`VARIANTS` (quantity
    ``"L_var [dt + Hermite]"`` …), then the quenched rows ``"z̄ [quenched]"``,
    ``"‖κ̄‖ [quenched]"`` (paired) and ``"SD_U(z̄) [quenched]"``. Setting = the grid point."""
    return [r for p in result.points for r in _point_rows(p)]


# ----------------------------------------------------------------------------- headline
def _variant_of(row: stats.Comparison) -> str:
    return row.quantity[row.quantity.index("[") + 1 : -1]


def pass_fractions(result: CorrectionsResult) -> dict[str, dict[str, list[int]]]:
    """variant -> "λ₋=…, dt=…" -> [passed, total] (the pass-fraction table)."""
    out: dict[str, dict[str, list[int]]] = {}
    for p in result.points:
        key = f"λ₋={p.config.lambda_minus:g}, dt={p.config.dt:g}"
        for r in _point_rows(p):
            cell = out.setdefault(_variant_of(r), {}).setdefault(key, [0, 0])
            cell[0] += int(r.passed)
            cell[1] += 1
    return out


def _ratios(result: CorrectionsResult) -> dict[str, list[float]]:
    """dt -> sim/paper L_var ratios over the points with that dt (point order)."""
    out: dict[str, list[float]] = {}
    for p in result.points:
        ratio = float(np.mean(p.estimates["loss_var"])) / p.theory["paper"]["loss_var"]
        out.setdefault(f"{p.config.dt:g}", []).append(ratio)
    return out


def headline(result: CorrectionsResult) -> str:
    """The scientific statement of the run (plain text, paragraphs separated by blank lines).

    Which variant is consistent with simulation where (fraction of passing rows per variant,
    per λ₋ and dt, how many pass only within the declared model error, how many lie outside the
    domain), L_var per variant,
    by how much the paper's L_var is off (range of sim/paper), the network-to-network spread of
    the mean output against the quenched prediction, and the residual (relative error and z of
    the closest variant) where no variant passes. Every number is computed from ``result``.
    """
    rows_of = [(p, _point_rows(p)) for p in result.points]
    n_pts = len(rows_of)
    parts = []
    # L_var, the main quantity
    lv = []
    for v in VARIANTS:
        mine = [r for _, rows in rows_of for r in rows if r.quantity == _row_name("loss_var", v)]
        worst = max(mine, key=lambda r: abs(r.rel_err))
        lv.append(
            f"{v} {sum(r.passed for r in mine)}/{n_pts} (largest |rel. error| "
            f"{abs(worst.rel_err):.2g})"
        )
    parts.append("L_var (main quantity) is consistent with simulation at: " + "; ".join(lv) + ".")
    # all rows per variant, per λ₋ and dt
    fr = pass_fractions(result)
    lines = []
    for variant in (*VARIANTS, QUENCHED):
        cells = fr.get(variant, {})
        text = "; ".join(f"{k}: {a}/{b}" for k, (a, b) in cells.items())
        passed = sum(a for a, _ in cells.values())
        total = sum(b for _, b in cells.values())
        by_tol = sum(
            1
            for _, rows in rows_of
            for r in rows
            if _variant_of(r) == variant and r.passed and abs(r.z) > r.z_crit
        )
        outside = sum(
            1
            for _, rows in rows_of
            for r in rows
            if _variant_of(r) == variant and r.status == "outside domain"
        )
        lines.append(
            f"{variant}: {passed}/{total} ({text}; {by_tol} of the passes only "
            f"within the declared model error D/ΔV, {outside} rows outside the domain)"
        )
    parts.append(
        "All rows per variant (L_var, Σ11, Σ22, ‖κ̄‖ per point; quenched: z̄ and ‖κ̄‖ "
        "paired per network, SD over networks of z̄) — " + ". ".join(lines) + "."
    )
    # how far off the paper is
    ratio_text = [f"dt={dt}: {min(rs):.3g}–{max(rs):.3g}" for dt, rs in _ratios(result).items()]
    parts.append("The paper's L_var is off by a factor sim/paper = " + "; ".join(ratio_text) + ".")
    # quenched spread
    sd_rows = [
        (p, r)
        for p, rows in rows_of
        for r in rows
        if r.quantity == _row_name("mean_output_sd", QUENCHED)
    ]
    text = (
        f"Per-network mean outputs: the averaged theory gives z̄ = ẑ for every network; the "
        f"simulated SD over networks of z̄ is {min(r.sim_mean for _, r in sd_rows):.3g}–"
        f"{max(r.sim_mean for _, r in sd_rows):.3g}, the quenched prediction (⊕ the "
        f"time-averaging noise of each z̄) "
        f"{min(r.theory for _, r in sd_rows):.3g}–{max(r.theory for _, r in sd_rows):.3g}"
    )
    Ns = sorted({p.config.N for p, _ in sd_rows})
    if len(Ns) > 1:

        def key(p: CorrectionsPoint) -> tuple[float, float, float]:
            return (p.config.lambda_minus, p.offset, p.config.dt)

        small = {key(p): r.sim_mean for p, r in sd_rows if p.config.N == Ns[0]}
        large = {key(p): r.sim_mean for p, r in sd_rows if p.config.N == Ns[-1]}
        ratios = [large[k] / small[k] for k in small if k in large and small[k] > 0]
        if ratios:
            text += (
                f"; SD(N={Ns[-1]})/SD(N={Ns[0]}) = {min(ratios):.2g}–{max(ratios):.2g} over "
                f"matching points (a 1/√N shrink would be {math.sqrt(Ns[0] / Ns[-1]):.2g}; "
                "λ₊ = λ₊* + offset differs between the N, so this is not a fixed-λ₊ "
                "comparison)"
            )
    parts.append(text + ".")
    # gaps no variant closes
    gaps = []
    for p, rows in rows_of:
        for q in QUANTITIES:
            cand = [r for r in rows if r.quantity in {_row_name(q, v) for v in VARIANTS}]
            cand = [r for r in cand if r.status != "outside domain"]
            if cand and all(r.status == "fail" for r in cand):
                best = min(cand, key=lambda r: abs(r.rel_err))
                gaps.append(
                    f"{p.setting()} · {QUANTITY_LABELS[q]}: closest {_variant_of(best)} "
                    f"off by {best.rel_err:+.3g} (z = {best.z:.3g})"
                )
    if gaps:
        parts.append(
            f"No variant closes the gap in {len(gaps)} (point, quantity) pairs; "
            "residual of the closest variant (relative error, z): " + "; ".join(gaps) + "."
        )
    else:
        parts.append("Every (point, quantity) pair is matched by at least one variant.")
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------- section
