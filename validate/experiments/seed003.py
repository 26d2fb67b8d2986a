r"""Seed 003's hypotheses on trained leaky rate networks, as a reproducible experiment.

Seed 003 (``shared/seeds/003_…``) trains rate networks ``τ ṙ = −r + φ(W r + W_in u + b +
noise)`` (``TrainConfig.preset("seed003")``: relu or leaky relu of angle θ, τ = 100 ms, Δt =
10 ms, zero diagonal kept at zero, only W trained) on a perception and a decision task, and
states four hypotheses. This module trains the networks over a grid of leak angles θ,
measures them with :mod:`validate.analysis.network_measures` and judges each hypothesis with a
one-sided Student t test over networks (seeds) per task (:func:`validate.core.claims.judge_claim`,
level ``CLAIM_ALPHA``):

1. **Training increases the nonlinearity** (§5.1).
   * ``mean_weight``: the mean off-diagonal weight decreases, mean(W − W₀) < 0 (θ = 0).
   * ``pi_relu``: at θ = 0 the trained dynamics are less linearly predictable,
     PI_trained − PI_untrained < 0, PI = DCA's maximal predictive information (d = 3,
     window T = 5 steps) of the noisy evaluation trajectories.
   * ``pi_slope``: as θ grows towards π/4 (linear) the trained PI overtakes the untrained
     one: the least-squares slope of PI_trained − PI_untrained against θ, per seed (the
     same seed index has the same W₀ at every θ, so the slope is a paired statistic) > 0.
2. **Subtle weight changes** (§5.2). ``low_rank``: the weight change is of low rank, its
   participation ratio PR(ΔW) = (Σσ²)²/Σσ⁴ of singular values below that of W₀ (a random
   matrix, PR ≈ N/2). Reported beside it, not judged: ‖ΔW‖/‖W₀‖, the Spearman correlation of
   eigenvector centralities before/after, non-normality and spectral radius before/after.
3. **Computation moves away from the readout** (§5.3). ``readout_angle``: the principal
   angle between the 3-d DCA subspace of the activity and w_out grows with training,
   angle_trained − angle_untrained > 0 (radians, θ = 0).
4. **Maximally predictive subspaces are mostly unique** (§5.4). ``dca_unique``: the fraction
   of DCA restarts that reach ≥ 99 % of the best PI exceeds 1/2 (trained networks, θ = 0).

The seed gives no step counts, trial lengths or targets for the decision task; the choices
of :mod:`simulate.tasks` (``PerceptionTask``, ``DecisionTask``) and of the plan are ours.
Quick mode (CPU, ~10 minutes) uses N = 128 for both tasks (the seed's perception size; N = 64
until 2026-12-08, when the DCA analysis got 2.7× faster), 4 seeds, 600 steps, θ ∈ {0, π/8, π/4};
``full`` uses the seed's N (128, 256), 10 seeds, 2000 steps and five angles.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..core.checks import bad_value

__all__ = [
    "SEED003_CLAIMS",
    "Seed003Network",
    "Seed003Plan",
    "Seed003Result",
    "analyse_seed003_network",
    "default_seed003_plan",
    "participation_ratio",
    "run_seed003",
    "seed003_run_dir",
]

#: Claim ids, in the order of the seed's hypotheses (module docstring).
SEED003_CLAIMS: tuple[str, ...] = (
    "mean_weight",
    "pi_relu",
    "pi_slope",
    "low_rank",
    "readout_angle",
    "dca_unique",
)
SEED003_TASKS: tuple[str, ...] = ("perception", "decision")


@dataclasses.dataclass(frozen=True)
class Seed003Plan:
    """What :func:`run_seed003` trains and measures.

    Attributes:
        tasks: subset of ``("perception", "decision")``.
        N: units per task (same order as ``tasks``).
        seeds: networks per (task, θ) (≥ 2 for the t tests).
        steps: Adam steps. angles: leak angles θ (radians, 0 ≤ θ < π/2, must include 0).
        dca_dim, dca_window: DCA dimension d and window T (steps). dca_restarts: random
        restarts (≥ 2 for ``dca_unique``). dca_steps: Adam steps of DCA. dca_polish: polish
        each restart with float64 L-BFGS (``network_measures.dca``; off only in the "tiny"
        smoke-test mode, whose numbers are not meaningful anyway).
    """

    tasks: tuple[str, ...] = SEED003_TASKS
    N: tuple[int, ...] = (128, 128)
    seeds: int = 4
    steps: int = 600
    angles: tuple[float, ...] = (0.0, math.pi / 8, math.pi / 4)
    dca_dim: int = 3
    dca_window: int = 5
    dca_restarts: int = 6
    dca_steps: int = 300
    dca_polish: bool = True

    def __post_init__(self) -> None:
        if (
            not self.tasks
            or any(t not in SEED003_TASKS for t in self.tasks)
            or len(set(self.tasks)) != len(self.tasks)
        ):
            raise bad_value("tasks", self.tasks, f"distinct names among {', '.join(SEED003_TASKS)}")
        if len(self.N) != len(self.tasks) or any(
            isinstance(n, bool) or not isinstance(n, int) or n < 4 for n in self.N
        ):
            raise bad_value("N", self.N, "one integer >= 4 per task")
        for name, low in (
            ("seeds", 2),
            ("steps", 1),
            ("dca_dim", 1),
            ("dca_window", 1),
            ("dca_restarts", 2),
            ("dca_steps", 1),
        ):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise bad_value(name, v, f"an integer >= {low}")
        if (
            not self.angles
            or 0.0 not in self.angles
            or len(set(self.angles)) != len(self.angles)
            or any(not 0 <= a < math.pi / 2 for a in self.angles)
        ):
            raise bad_value("angles", self.angles, "distinct angles in [0, pi/2) including 0")

    def label(self) -> str:
        sizes = ", ".join(f"{t} N = {n}" for t, n in zip(self.tasks, self.N, strict=True))
        deg = ", ".join(f"{math.degrees(a):.4g}°" for a in self.angles)
        return (
            f"{sizes}; {self.seeds} seeds × θ ∈ {{{deg}}}; {self.steps} Adam steps; "
            f"DCA d = {self.dca_dim}, T = {self.dca_window}, {self.dca_restarts} restarts"
        )


def default_seed003_plan(mode: str = "quick", tasks: Sequence[str] | None = None) -> Seed003Plan:
    """``"quick"`` (CPU minutes), ``"full"`` (the seed's sizes, 10 seeds) or ``"tiny"``
    (smoke tests only: its numbers are not meaningful)."""
    names = tuple(tasks) if tasks else SEED003_TASKS
    if mode == "quick":
        return Seed003Plan(tasks=names, N=tuple(128 for _ in names))
    if mode == "full":
        sizes = {"perception": 128, "decision": 256}
        return Seed003Plan(
            tasks=names,
            N=tuple(sizes[t] for t in names),
            seeds=10,
            steps=2000,
            angles=tuple(k * math.pi / 16 for k in range(5)),
            dca_restarts=10,
            dca_steps=500,
        )
    if mode == "tiny":
        return Seed003Plan(
            tasks=names,
            N=tuple(8 for _ in names),
            seeds=2,
            steps=4,
            angles=(0.0, math.pi / 4),
            dca_dim=2,
            dca_restarts=2,
            dca_steps=20,
            dca_polish=False,
        )
    raise bad_value("mode", mode, "'quick', 'full', 'tiny'")


def participation_ratio(A: Any) -> float:
    """PR = (Σσ²)² / Σσ⁴ of the singular values σ of A: 1 for rank one, ≈ N/2 for an N×N
    Gaussian matrix (Marchenko–Pastur), NaN for A = 0."""
    s2 = np.linalg.svd(np.asarray(A, np.float64), compute_uv=False) ** 2
    den = float(np.sum(s2**2))
    return float(np.sum(s2) ** 2 / den) if den > 0 else math.nan


@dataclasses.dataclass(frozen=True)
class Seed003Network:
    """Measures of one trained network (``task``, leak angle ``theta``, seed index ``seed``).

    loss_init, loss_final: training loss at the first and last recorded step.
    mean_dw: mean off-diagonal W − W₀. rel_dw: ‖ΔW‖_F/‖W₀‖_F. pr_dw, pr_w0: participation
    ratios. centrality_rho: Spearman correlation of eigenvector centralities of |W₀| and |W|.
    nonnormal_init/final: ‖strict upper Schur part‖₂. radius_init/final: spectral radius.
    pi_init/final: DCA's PI (nats). angle_init/final: DCA subspace vs w_out (radians).
    dca_unique: fraction of restarts within 1 % of the best PI (trained network).
    """

    task: str
    theta: float
    seed: int
    N: int
    loss_init: float
    loss_final: float
    mean_dw: float
    rel_dw: float
    pr_dw: float
    pr_w0: float
    centrality_rho: float
    nonnormal_init: float
    nonnormal_final: float
    radius_init: float
    radius_final: float
    pi_init: float
    pi_final: float
    angle_init: float
    angle_final: float
    dca_unique: float


def analyse_seed003_network(
    W0: Any,
    W1: Any,
    X0: Any,
    X1: Any,
    w_out: Any,
    *,
    dca_dim: int = 3,
    dca_window: int = 5,
    dca_restarts: int = 6,
    dca_steps: int = 300,
    seed: int = 0,
    dca_polish: bool = True,
) -> dict[str, float]:
    """The measures of :class:`Seed003Network` (except loss and labels) of one network.

    Arguments:
        W0, W1: [N, N] weights before and after training. X0, X1: activity [K, T, N] (or
        [T, N]) of the untrained and trained network. w_out: [N] or [N, 1] readout.
        dca_*: see :class:`Seed003Plan`. seed: DCA restarts' seed.
    """
    from scipy.stats import spearmanr

    from ..analysis.network_measures import (
        dca,
        node_centrality,
        non_normality,
        spectrum,
        subspace_angles,
    )

    W0 = np.asarray(W0, np.float64)
    W1 = np.asarray(W1, np.float64)
    if W0.ndim != 2 or W0.shape[0] != W0.shape[1] or W1.shape != W0.shape:
        raise bad_value("W0, W1", (W0.shape, W1.shape), "two square matrices of the same shape")
    N = W0.shape[0]
    off = ~np.eye(N, dtype=bool)
    dW = W1 - W0
    c0, c1 = node_centrality(W0), node_centrality(W1)
    w = np.asarray(w_out, np.float64).reshape(N, -1)
    out: dict[str, float] = {
        "mean_dw": float(dW[off].mean()),
        "rel_dw": float(np.linalg.norm(dW) / np.linalg.norm(W0)),
        "pr_dw": participation_ratio(dW),
        "pr_w0": participation_ratio(W0),
        "centrality_rho": float(spearmanr(c0, c1).statistic),
        "nonnormal_init": non_normality(W0),
        "nonnormal_final": non_normality(W1),
        "radius_init": float(np.abs(spectrum(W0)[0])),
        "radius_final": float(np.abs(spectrum(W1)[0])),
    }
    for tag, X in (("init", X0), ("final", X1)):
        res = dca(
            X,
            dca_dim,
            T=dca_window,
            restarts=dca_restarts,
            steps=dca_steps,
            seed=seed,
            polish=dca_polish,
        )
        out[f"pi_{tag}"] = res.pi
        out[f"angle_{tag}"] = float(np.min(subspace_angles(res.V, w)))
        if tag == "final":
            runs = res.pi_runs[np.isfinite(res.pi_runs)]
            out["dca_unique"] = float(np.mean(runs >= res.pi - 0.01 * abs(res.pi)))
    return out


@dataclasses.dataclass
class Seed003Result:
    """Outcome of :func:`run_seed003`: the plan, one :class:`Seed003Network` per trained
    network, the claims (:class:`validate.core.claims.Claim`, one per claim and task), example
    arrays for the figures and wall times."""

    plan: Seed003Plan
    networks: list[Seed003Network]
    claims: list[Any]
    examples: dict[str, dict[str, np.ndarray]]
    wall_train_s: float
    wall_analysis_s: float

    @property
    def passed(self) -> bool:
        from ..core.claims import claims_hold

        return claims_hold(self.claims)

    def summary(self) -> dict[str, Any]:
        from ..core.stats import jsonable

        return cast(
            dict[str, Any],
            jsonable(
                {
                    "plan": dataclasses.asdict(self.plan),
                    "networks": [dataclasses.asdict(n) for n in self.networks],
                    "claims": [c.to_dict() for c in self.claims],
                    "wall_train_s": self.wall_train_s,
                    "wall_analysis_s": self.wall_analysis_s,
                }
            ),
        )


def _config(plan: Seed003Plan, task: str, theta: float) -> Any:
    from simulate.config import TrainConfig

    N = plan.N[plan.tasks.index(task)]
    extra: dict[str, Any] = (
        {"nonlinearity": "leaky_relu", "leak_angle": float(theta)} if theta > 0 else {}
    )
    every = math.gcd(plan.steps, 20)
    return TrainConfig.preset(
        "seed003",
        task=task,
        N=N,
        seeds=plan.seeds,
        steps=plan.steps,
        record_every=every,
        checkpoint_every=every * max(1, 500 // every),
        **extra,
    )


def seed003_run_dir(runs_dir: str | Path, plan: Seed003Plan, task: str, theta: float) -> Path:
    """``runs_dir/seed003/<task>-N<N>-<seeds>seeds-<steps>steps/theta<…>``: one directory per
    trained configuration, so the quick and full plans (both N = 128 on perception) and older
    quick runs (N = 64) never meet in one directory (a run directory refuses another config)."""
    N = plan.N[plan.tasks.index(task)]
    name = f"{task}-N{N}-{plan.seeds}seeds-{plan.steps}steps"
    return Path(runs_dir) / "seed003" / name / _theta_dir(theta)


def _theta_dir(theta: float) -> str:
    return f"theta{math.degrees(theta):06.2f}deg"


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(y)
    if ok.sum() < 2:
        return math.nan
    return float(np.polyfit(x[ok], y[ok], 1)[0])


def _claims(plan: Seed003Plan, nets: Sequence[Seed003Network]) -> list[Any]:
    from ..core.claims import judge_claim

    claims = []
    for task in plan.tasks:
        relu = [n for n in nets if n.task == task and n.theta == 0.0]

        def col(f: Callable[[Seed003Network], float], ms: list = relu) -> list[float]:
            return [f(m) for m in ms]

        slopes = []
        for s in range(plan.seeds):
            pts = sorted(
                (n.theta, n.pi_final - n.pi_init) for n in nets if n.task == task and n.seed == s
            )
            if len(pts) >= 2:
                slopes.append(_slope(np.array([p[0] for p in pts]), np.array([p[1] for p in pts])))
        specs = [
            (
                "mean_weight",
                "training lowers the mean weight (§5.1)",
                "mean(W − W₀), θ = 0",
                (col(lambda m: m.mean_dw), None),
                0.0,
                "<",
            ),
            (
                "pi_relu",
                "trained relu dynamics are less linearly predictable (§5.1)",
                "PI_trained − PI_untrained (nats), θ = 0",
                (col(lambda m: m.pi_final), col(lambda m: m.pi_init)),
                0.0,
                "<",
            ),
            (
                "pi_slope",
                "the trained PI overtakes the untrained one as θ → π/4 (§5.1)",
                "slope of ΔPI vs θ (nats/rad)",
                (slopes, None),
                0.0,
                ">",
            ),
            (
                "low_rank",
                "the weight change is of low rank (§5.2)",
                "PR(ΔW) − PR(W₀), θ = 0",
                (col(lambda m: m.pr_dw), col(lambda m: m.pr_w0)),
                0.0,
                "<",
            ),
            (
                "readout_angle",
                "training moves the predictive subspace away from w_out (§5.3)",
                "angle_trained − angle_untrained (rad), θ = 0",
                (col(lambda m: m.angle_final), col(lambda m: m.angle_init)),
                0.0,
                ">",
            ),
            (
                "dca_unique",
                "maximally predictive subspaces are mostly unique (§5.4)",
                "fraction of DCA restarts within 1 % of the best PI, θ = 0",
                (col(lambda m: m.dca_unique), None),
                0.5,
                ">",
            ),
        ]
        for name, text, statistic, (a, b), thr, direction in specs:
            if b is not None:  # paired: difference per network, one sample
                a = [x - y for x, y in zip(a, b, strict=True)]
            claims.append(
                judge_claim(
                    f"{task}:{name}",
                    f"{task}: {text}",
                    statistic,
                    {task: (a, None)},
                    threshold=thr,
                    direction=direction,
                    unit="seeds",
                )
            )
    return claims


def run_seed003(
    plan: Seed003Plan,
    runs_dir: str | Path,
    *,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> Seed003Result:
    """Train (or load) every (task, θ) population under ``runs_dir/seed003/`` and measure it.

    Training goes through :func:`simulate.train` (resumable run directories: an interrupted
    run resumes, a finished one is loaded). Returns a :class:`Seed003Result`.
    """
    from simulate.training import train

    runs_dir = Path(runs_dir)
    nets: list[Seed003Network] = []
    examples: dict[str, dict[str, np.ndarray]] = {}
    t_train = t_analysis = 0.0
    for task in plan.tasks:
        for theta in plan.angles:
            cfg = _config(plan, task, theta)
            t0 = time.perf_counter()
            log(
                f"[seed003] {task} θ = {math.degrees(theta):.4g}°: N = {cfg.N}, {cfg.seeds} "
                f"seeds × {cfg.steps} steps"
            )
            run = train(cfg, seed003_run_dir(runs_dir, plan, task, theta), progress=progress)
            t1 = time.perf_counter()
            t_train += t1 - t0
            ev = run.evaluation
            loss = np.asarray(run.records["loss"], np.float64)
            for s in range(cfg.seeds):
                m = analyse_seed003_network(
                    run.init_params.W[s],
                    run.params.W[s],
                    ev["init_noisy_x"][s],
                    ev["final_noisy_x"][s],
                    run.params.w_out[s],
                    dca_dim=plan.dca_dim,
                    dca_window=plan.dca_window,
                    dca_restarts=plan.dca_restarts,
                    dca_steps=plan.dca_steps,
                    seed=s,
                    dca_polish=plan.dca_polish,
                )
                nets.append(
                    Seed003Network(
                        task=task,
                        theta=float(theta),
                        seed=s,
                        N=cfg.N,
                        loss_init=float(loss[s, 0]),
                        loss_final=float(loss[s, -1]),
                        **m,
                    )
                )
            if theta == 0.0:
                examples[task] = {
                    "W0": np.asarray(run.init_params.W[0]),
                    "W1": np.asarray(run.params.W[0]),
                    "z": np.asarray(ev["final_clean_z"][0]),
                    "targets": np.asarray(ev["targets"][0]),
                    "inputs": np.asarray(ev["inputs"][0]),
                    "dt": np.asarray(cfg.dt),
                }
            t_analysis += time.perf_counter() - t1
    return Seed003Result(
        plan=plan,
        networks=nets,
        claims=_claims(plan, nets),
        examples=examples,
        wall_train_s=t_train,
        wall_analysis_s=t_analysis,
    )
