r"""ρ vs N on the cycling task: aligned ρ ∝ N^0, oblique ρ ∝ N^{-1/2} (THEORY.md §1, §6).

THEORY §1: with each unit O(1), ‖x‖ = O(√N); an O(1) output then needs ρ = O(1) when the
output weights are small (‖w_out‖ = O(1/√N), **aligned**) and allows ρ = O(N^{-1/2}) when
they are large (‖w_out‖ = O(1), **oblique**, the level of a random direction, for which
E ρ² = 1/N exactly). The issue asks to show this on the cycling task at
N ∈ {64, 128, 256, 512}.

Training: ``simulate.TrainConfig.preset("regimes", task="cycling", out_scale=...)``
(tanh, g = 1.5, Adam at lr = η₀/N with Table 1's η₀ = 0.02, batch 32, σ = 0.2, σ_init = 1),
``out_scale="small"`` for the aligned and ``"large"`` for the oblique regime, both with
the same noise (as in the regimes experiment of the issue). Runs go to
``runs_dir/regimes_scaling/<regime>-steps<S>-seeds<k>-seed<s>/N<N>`` (``simulate.sweep``,
resumable).

Measure: per seed, ρ = ``validate.analysis.measures.readout_correlation(w_out, X̄)`` with X̄ the
condition-averaged states [K, T, N] of the stored evaluation trials (training noise on,
whole trial), and the normalised evaluation loss L/L₀ (L₀ = loss of the zero output).

Fit: log ρ = log A + k log N by least squares over all seeds × N
(``validate.core.fits.fit_power_law``; SE of k from the OLS residuals, the seeds being
independent networks). Rows (``validate.core.stats.compare_estimate``, the one pass rule):
k_aligned vs 0, k_oblique vs −1/2, and k_oblique − k_aligned vs −1/2 (SEs in quadrature;
this difference cancels an N-dependence common to both regimes, e.g. from training both
for a fixed number of steps). The relative error is taken on the scale 1/2, the
separation of the two hypotheses, so a row passes when |k − k_theory| ≤ 4 SE or
≤ (3/√N_max)·(1/2).

Modes: ``"tiny"`` (N ∈ {16, 32}, 10 steps, T = 12: a smoke test), ``"quick"``
(N ∈ {32, 64, 128}, 2 seeds, 1000 steps = Table 1's epochs, but trials shortened to
T = 22, i.e. 2 of the 7 cycles, which makes a step 3.3× cheaper; the ρ argument of THEORY §1
does not depend on the trial length) and ``"full"`` (N ∈ {64, 128, 256, 512}, the paper's
T = 72 and 1000 steps, 5 seeds: a GPU job; N = 256 alone costs ~0.3 s per step and seed on
the 2-core CPU).

Measured with the full-length trials (T = 72) and only 300 steps, N ∈ {32, 64, 128}:
k_aligned = −0.05 ± 0.05, k_oblique = −0.96 ± 0.39; the oblique networks had not yet
learned (L/L₀ ≈ 1, barely trained networks with output suppressed below the random level),
which is why the quick mode trades trial length for training steps. Quick mode as set here
(T = 22, 1000 steps; 211 s wall on the quiet 2-core CPU, 593 s when it was heavily loaded):
L/L₀ = 0.02–0.07 (aligned), 0.09–0.13 (oblique); k_aligned = −0.030 ± 0.019,
k_oblique = −0.562 ± 0.052, k_oblique − k_aligned = −0.532 ± 0.056 (all rows pass).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..core import stats
from ..core.fits import PowerLawFit, fit_power_law

__all__ = [
    "EXPECTED_EXPONENTS",
    "EXPONENT_SCALE",
    "MODES",
    "REGIME_OUT_SCALES",
    "RhoScalingPlan",
    "RhoScalingResult",
    "analyse_rho_scaling",
    "exponent_rows",
    "rho_of_run",
    "run_rho_scaling",
    "scaling_config",
    "scaling_plan",
]

MODES: tuple[str, ...] = ("tiny", "quick", "full")
#: Output-weight scale of each regime (THEORY §1).
REGIME_OUT_SCALES: dict[str, str] = {"aligned": "small", "oblique": "large"}
#: The exponent k of ρ ∝ N^k each regime predicts (THEORY §1).
EXPECTED_EXPONENTS: dict[str, float] = {"aligned": 0.0, "oblique": -0.5}
#: Scale of the relative error of the exponent rows: the gap between the two hypotheses.
EXPONENT_SCALE: float = 0.5


@dataclasses.dataclass(frozen=True)
class RhoScalingPlan:
    """Sizes and length of the ρ-vs-N experiment.

    Attributes:
        Ns: network sizes (≥ 2 distinct, each ≥ 4). seeds: networks per size and regime
        (≥ 2). steps: Adam steps (``None`` = the task's Table 1 value, 1000 for cycling).
        record_every: record interval. seed: base seed. task: task name.
        t_max: trial duration override (``None`` = the task's, 72 for cycling).
    """

    Ns: tuple[int, ...] = (32, 64, 128)
    seeds: int = 2
    steps: int | None = 300
    record_every: int = 10
    seed: int = 0
    task: str = "cycling"
    t_max: float | None = None

    def __post_init__(self) -> None:
        Ns = tuple(self.Ns)
        if len(set(Ns)) < 2 or any(
            isinstance(n, bool) or not isinstance(n, int) or n < 4 for n in Ns
        ):
            raise ValueError(
                f"Ns={self.Ns!r} is not allowed; allowed: at least 2 distinct integer sizes >= 4"
            )
        if isinstance(self.seeds, bool) or not isinstance(self.seeds, int) or self.seeds < 2:
            raise ValueError(f"seeds={self.seeds!r} is not allowed; allowed: an integer >= 2")
        if self.steps is not None and (not isinstance(self.steps, int) or self.steps < 1):
            raise ValueError(
                f"steps={self.steps!r} is not allowed; allowed: None or an integer >= 1"
            )
        if self.t_max is not None and not (math.isfinite(self.t_max) and self.t_max > 0):
            raise ValueError(
                f"t_max={self.t_max!r} is not allowed; allowed: None or a finite number > 0"
            )


def scaling_plan(mode: str) -> RhoScalingPlan:
    """The plan of ``mode`` (see the module docstring)."""
    if mode == "tiny":
        return RhoScalingPlan(Ns=(16, 32), seeds=2, steps=10, record_every=5, t_max=12.0)
    if mode == "quick":
        return RhoScalingPlan(Ns=(32, 64, 128), seeds=2, steps=1000, record_every=10, t_max=22.0)
    if mode == "full":
        return RhoScalingPlan(Ns=(64, 128, 256, 512), seeds=5, steps=None, record_every=10)
    raise ValueError(f"mode={mode!r} is not allowed; allowed: {', '.join(MODES)}")


def scaling_config(plan: RhoScalingPlan, regime: str, N: int) -> Any:
    """``simulate.TrainConfig`` of one regime and size (``"regimes"`` preset)."""
    from simulate.config import TrainConfig

    if regime not in REGIME_OUT_SCALES:
        raise ValueError(
            f"regime={regime!r} is not allowed; allowed: {', '.join(REGIME_OUT_SCALES)}"
        )
    kw: dict[str, Any] = {
        "task": plan.task,
        "N": int(N),
        "out_scale": REGIME_OUT_SCALES[regime],
        "seeds": plan.seeds,
        "seed": plan.seed,
        "record_every": plan.record_every,
    }
    if plan.steps is not None:
        kw["steps"] = plan.steps
    if plan.t_max is not None:
        kw["task_overrides"] = {"t_max": float(plan.t_max)}
    cfg = TrainConfig.preset("regimes", **kw)
    every = cfg.record_every
    steps = cast(int, cfg.steps)  # resolved by TrainConfig
    return cfg.replace(checkpoint_every=max(every, (min(500, steps) // every) * every))


def rho_of_run(run: Any) -> tuple[np.ndarray, np.ndarray]:
    """(ρ [seeds], L/L₀ [seeds]) of a finished run from its evaluation trials.

    ρ = ``measures.readout_correlation(w_out, X̄)``, X̄ = condition means
    (``simulate.losses.condition_mean``) of the noisy evaluation states, [K, T, N];
    L/L₀ = ``simulate.losses.masked_mse`` of the outputs over that of the zero output.
    """
    import jax.numpy as jnp

    from simulate.losses import condition_mean, masked_mse

    from ..analysis import measures

    ev = run.evaluation
    n_cond = run.config.make_task().n_conditions
    w_out = np.asarray(run.params.w_out, np.float64)
    rho, loss_norm = [], []
    for s in range(w_out.shape[0]):  # a few seeds
        x = jnp.asarray(ev["final_noisy_x"][s])
        x_bar = np.asarray(condition_mean(x, jnp.asarray(ev["condition"][s]), n_cond), np.float64)
        rho.append(measures.readout_correlation(w_out[s], x_bar))
        z, tgt, mask = (jnp.asarray(ev[k][s]) for k in ("final_noisy_z", "targets", "mask"))
        loss_norm.append(
            float(masked_mse(z, tgt, mask)) / float(masked_mse(jnp.zeros_like(z), tgt, mask))
        )
    return np.asarray(rho), np.asarray(loss_norm)


def exponent_rows(
    Ns: Sequence[int] | np.ndarray,
    rho: dict[str, np.ndarray],
    *,
    experiment: str = "regimes-scaling",
    task: str = "cycling",
) -> tuple[dict[str, PowerLawFit], list[stats.Comparison]]:
    """Fit ρ ∝ N^k per regime and compare k with :data:`EXPECTED_EXPONENTS`.

    **Arguments**
      Ns: [n_N] sizes. rho: regime → ρ values [n_N, seeds] (regimes among
      ``"aligned"``, ``"oblique"``). experiment, task: labels of the rows.

    **Returns** (fits: regime → :class:`~validate.core.fits.PowerLawFit`, rows): one row per
    regime (k vs its expected exponent) and, when both regimes are present, k_oblique −
    k_aligned vs −1/2; SE of k from OLS over seeds × N, relative error on the scale
    :data:`EXPONENT_SCALE`, the bound from the largest N.
    """
    Ns = np.asarray(Ns, float).ravel()
    if Ns.size < 2:
        raise ValueError(f"Ns={Ns.tolist()!r} is not allowed; need >= 2 sizes")
    fits: dict[str, PowerLawFit] = {}
    rows: list[stats.Comparison] = []
    n_max = int(Ns.max())
    span = f"{task}, N={int(Ns.min())}..{n_max}"
    for regime, values in rho.items():
        if regime not in EXPECTED_EXPONENTS:
            raise ValueError(
                f"regime={regime!r} is not allowed; allowed: {', '.join(EXPECTED_EXPONENTS)}"
            )
        v = np.asarray(values, float)
        if v.ndim != 2 or v.shape[0] != Ns.size:
            raise ValueError(
                f"rho[{regime!r}] has shape {v.shape}; allowed: [n_N={Ns.size}, seeds]"
            )
        NN = np.broadcast_to(Ns[:, None], v.shape)
        fit = fit_power_law(NN, v)
        fits[regime] = fit
        rows.append(
            stats.compare_estimate(
                f"exponent k of ρ ∝ N^k ({regime})",
                EXPECTED_EXPONENTS[regime],
                fit.exponent,
                fit.exponent_se,
                fit.n,
                se_kind="seeds",
                N=n_max,
                scale=EXPONENT_SCALE,
                experiment=experiment,
                setting=span,
                dof=fit.n - 2,
                tolerance=stats.finite_size_bound(n_max),
                note="OLS slope of log ρ on log N over seeds × N (SE from the residuals, n − 2 "
                "dof); relative error on the scale 1/2 (the gap between aligned 0 and "
                "oblique −1/2); tolerance 3/√N_max for the finite-size terms of ρ",
            )
        )
    if "aligned" in fits and "oblique" in fits:
        fo, fa = fits["oblique"], fits["aligned"]
        rows.append(
            stats.compare_estimate(
                "k_oblique − k_aligned",
                EXPECTED_EXPONENTS["oblique"] - EXPECTED_EXPONENTS["aligned"],
                fo.exponent - fa.exponent,
                math.hypot(fo.exponent_se, fa.exponent_se),
                min(fo.n, fa.n),
                se_kind="seeds",
                N=n_max,
                scale=EXPONENT_SCALE,
                experiment=experiment,
                setting=span,
                dof=min(fo.n, fa.n) - 2,
                tolerance=stats.finite_size_bound(n_max),
                note="difference of the two fitted exponents, SEs in quadrature; cancels an "
                "N-trend common to both regimes",
            )
        )
    return fits, rows


@dataclasses.dataclass
class RhoScalingResult:
    """Outcome of :func:`analyse_rho_scaling`.

    Attributes: plan; task; Ns [n_N]; regimes; rho and loss_norm: regime → [n_N, seeds];
    fits: regime → PowerLawFit; rows.
    """

    plan: RhoScalingPlan
    task: str
    Ns: np.ndarray
    regimes: tuple[str, ...]
    rho: dict[str, np.ndarray]
    loss_norm: dict[str, np.ndarray]
    fits: dict[str, PowerLawFit]
    rows: list[stats.Comparison]

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        return stats.jsonable(
            {
                "plan": dataclasses.asdict(self.plan),
                "task": self.task,
                "Ns": self.Ns,
                "rho": self.rho,
                "loss_norm": self.loss_norm,
                "fits": {r: dataclasses.asdict(f) for r, f in self.fits.items()},
                "rows": [r.to_dict() for r in self.rows],
            }
        )  # type: ignore[return-value]


def analyse_rho_scaling(
    runs: Mapping[str, Sequence[Any]], plan: RhoScalingPlan
) -> RhoScalingResult:
    """ρ per seed of finished runs (regime → one run per N) and the exponent rows."""
    rho: dict[str, np.ndarray] = {}
    loss: dict[str, np.ndarray] = {}
    Ns = np.array(sorted(int(n) for n in plan.Ns))
    for regime, rr in runs.items():
        by_n = {int(r.config.N): r for r in rr}
        pairs = [rho_of_run(by_n[int(n)]) for n in Ns]
        rho[regime] = np.stack([p[0] for p in pairs])
        loss[regime] = np.stack([p[1] for p in pairs])
    fits, rows = exponent_rows(Ns, rho, task=plan.task)
    return RhoScalingResult(
        plan=plan,
        task=plan.task,
        Ns=Ns,
        regimes=tuple(runs),
        rho=rho,
        loss_norm=loss,
        fits=fits,
        rows=rows,
    )


def run_rho_scaling(
    plan: RhoScalingPlan,
    runs_dir: str | Path,
    *,
    progress: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> RhoScalingResult:
    """Train (or load / resume) both regimes at every N of ``plan`` and analyse them."""
    from simulate.training import sweep

    runs: dict[str, list[Any]] = {}
    for regime in REGIME_OUT_SCALES:
        cfg = scaling_config(plan, regime, plan.Ns[0])
        trial = "" if plan.t_max is None else f"-T{plan.t_max:g}"
        name = f"{plan.task}{trial}-{regime}-steps{cfg.steps}-seeds{plan.seeds}-seed{plan.seed}"
        log(f"  ρ vs N {regime}: N={list(plan.Ns)}, {cfg.steps} steps × {plan.seeds} seeds")
        runs[regime] = sweep(
            cfg,
            [int(n) for n in plan.Ns],
            Path(runs_dir) / "regimes_scaling" / name,
            progress=progress,
        )
    return analyse_rho_scaling(runs, plan)
