r"""Aligned vs oblique regimes on the neuroscience tasks (THEORY.md §6, seed 000_… Table 1).

For each task of Table 1 (cycling, flip-flop, Mante, Romo, complex sine) and each regime,
``seeds`` full-rank tanh networks are trained with :func:`simulate.train`
(``simulate.TrainConfig.preset("regimes")``: W ~ N(0, g²/N), g = 1.5, W, w_in, w_out trained
by Adam at η₀/N with Table 1's η₀, batch 32, x₀ noise 1):

* **aligned**: small output weights (``out_scale="small"``, entries N(0, 1/N²)), σ as in the
  paper (the task's σ: 0.2, Mante 0.05);
* **oblique**: large output weights (``out_scale="large"``, entries N(0, 1/N)), the same σ
  (THEORY §6: "large output weights + noise → oblique").

Runs live in ``runs_dir/regimes/<task>-<regime>-N<N>`` (resumable run directories of
:mod:`simulate.runs`; a finished run is loaded, not retrained).

Analysis of each trained network (all measures from :mod:`validate.analysis.measures`, THEORY §6)
----------------------------------------------------------------------------------------
One evaluation batch per task (``eval_trials`` trials, rounded up to a multiple of the task's
``batch_multiple``; the same trials for every network of the task, so learners can be
compared) is simulated with the training noise (σ, x₀ noise) by :func:`simulate.simulate`:

* X̄ [C, T, N]: condition averages of the noisy trials (the trial-averaged activity of
  THEORY §1; the whole trial); ρ = ``readout_correlation(w_out, X̄)`` (joint and per
  output), ‖w_out‖_F (trained and initial), ‖x‖ = RMS over samples of ‖x̄‖;
* D_x,90 = ``dimension(X̄)``; D_fit,90 and R²(k) = ``fit_dimension(X̄, Z̄)`` with
  Z̄ = X̄ w_out the network's own (trial-averaged) output; the R² of 2 PCs;
* noise compression = ``noise_compression(δx, w_out)`` with δx = x − X̄[condition] at
  t ≥ ``burn_in`` (the initial-state noise, std 1, has decayed by then), and for the
  figure the variance along random unit combinations of the top-2 PCs of X̄;
* perturbations (THEORY §6, paper's perturbation figure): the noise-free trajectory of one
  trial per condition (at most ``kick_conditions`` conditions) is kicked at t_p ∈
  ``kick_fractions`` × T by Δx·u, u a random unit vector in span(w_out) or in the span of
  the two leading PCs of X̄ (``kick_dirs`` each), Δx ∈ ``amplitudes`` × √N (Δx/√N is the
  kick per neuron: the paper's Δx = 34 at N = 512 is 1.5√N); the kicked state is simulated
  noise-free to the end of the trial and the loss is the masked MSE between output and
  target at t ≥ t_p + ``settle`` (the long-term effect; the paper uses t > 20 for
  t_p ∈ [5, 15] on the cycling task). ``susceptibility`` = ratio of the areas under the
  loss-vs-amplitude curves (w_out over PCs, loss at Δx = 0 subtracted);
* the loss and its bias/variance split on the evaluation batch (:func:`simulate.loss_split`);
* dissimilarity between every pair of seeds of the same task and regime:
  ``dissimilarity(X̄_a, X̄_b, n_pcs)`` (orthogonal Procrustes on the leading PCs).

Claims (issue 6) and how each is judged
---------------------------------------
Each claim is a one-sided statement about a statistic; the statistic is computed per task
(the mean over the task's networks, or the difference of the two regimes' means) and the
claim's value is the mean over tasks, with the standard error from the spread over tasks
(unit = task, n = number of tasks, so the SE includes both seed noise and the variation
between tasks). With a single task the unit is the network (seed or seed pair) and the SE is
Welch's for a difference. The claim **passes** when the one-sided Student t statistic
t = ±(value − threshold)/SE reaches the 95 % quantile of Student's t with the matching
degrees of freedom (n − 1 over tasks, Welch–Satterthwaite over seeds) — a one-sided test at
level :data:`CLAIM_ALPHA` = 0.05. When no SE can be formed (fewer than 2 units) the verdict
is ``n/a`` (neither pass nor failure; reported).

1. ρ aligned ≫ ρ oblique: log₁₀(ρ_al/ρ_ob) > log₁₀ N^{1/4} — the predicted ratio is
   O(√N) (ρ_al = O(1), ρ_ob = O(N^{-1/2}), THEORY §1); "≫" is taken as at least half of that
   separation on the log scale.
2. ρ_oblique·√N = O(1): log₁₀(ρ_ob·√N) < log₁₀ N^{1/4}, i.e. the oblique ρ lies below the
   boundary N^{-1/4} of :func:`validate.analysis.measures.regime_label` (the geometric mean of the
   O(1) and O(N^{-1/2}) scales). At one N this is all that "O(1)" can mean; the N-dependence
   itself is the ρ-vs-N section.
3. D_fit,90 larger for oblique: D_fit(ob) − D_fit(al) > 0.
4. Oblique learners more dissimilar: dissimilarity(ob) − dissimilarity(al) > 0.
5. Noise compression < 1 for oblique: log₁₀(ratio_ob) < 0.
6. Oblique less susceptible to kicks along w_out: log₁₀ S_ob − log₁₀ S_al < 0.

Ratios are judged on a log scale (they are positive and spread over decades).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis import measures
from ..core.checks import bad_value, is_int
from ..core.claims import Claim, claims_hold, judge_claim

__all__ = [
    "CLAIM_NAMES",
    "REGIMES",
    "REGIME_OUT_SCALE",
    "REGIME_TASKS",
    "NetworkMeasures",
    "RegimesPlan",
    "RegimesResult",
    "analyse_network",
    "analyse_regimes",
    "default_regimes_plan",
    "evaluate_claims",
    "regimes_config",
    "regimes_run_dir",
    "run_regimes",
]

#: The five tasks of Table 1 (THEORY §6), in the order of the paper's figures.
REGIME_TASKS: tuple[str, ...] = ("cycling", "flip_flop", "mante", "romo", "complex_sine")
#: The two regimes and the output-weight scale that produces each (THEORY §1, §6).
REGIMES: tuple[str, ...] = ("aligned", "oblique")
REGIME_OUT_SCALE: dict[str, str] = {"aligned": "small", "oblique": "large"}
#: Claim ids, in the order of the issue.
CLAIM_NAMES: tuple[str, ...] = (
    "rho_ratio",
    "rho_sqrt_n",
    "d_fit",
    "dissimilarity",
    "noise_compression",
    "susceptibility",
)

#: Quick-mode training steps per task (CPU, N = 128): Table 1's steps cut so that the ten
#: runs finish in about ten minutes on two cores (the cost of a step grows with the trial
#: length: 360, 125, 240, 145, 250 Euler steps).
_QUICK_STEPS: dict[str, int] = {
    "cycling": 500,
    "flip_flop": 800,
    "mante": 500,
    "romo": 800,
    "complex_sine": 500,
}


# ----------------------------------------------------------------------------- plan
@dataclasses.dataclass(frozen=True)
class RegimesPlan:
    """Settings of the regimes experiment (THEORY §6).

    Attributes:
        tasks: task names, a non-empty subset of :data:`REGIME_TASKS` (no repeats).
        N: network size (≥ 8).
        seeds: networks per (task, regime), ≥ 2 (dissimilarity needs pairs).
        steps: training steps per task as ``((task, steps), …)``; tasks not listed (or
            ``None``) use the paper's (Table 1) number. Each must be a multiple of
            ``record_every``.
        record_every: training record interval.
        checkpoint_every: checkpoint interval (a multiple of ``record_every``).
        eval_trials: trials of the analysis batch (rounded up to a multiple of the task's
            ``batch_multiple``), ≥ 2 per condition.
        burn_in: time (task units) excluded from the fluctuations (initial-state noise).
        amplitudes: kick sizes Δx/√N (start at 0, increasing).
        kick_fractions: kick times t_p as fractions of the trial duration, in (0, 1).
        kick_dirs: random unit directions per span (w_out span, top-2 PC span), ≥ 1.
        kick_conditions: at most this many conditions are kicked (one noise-free trial each).
        settle: time (task units) after the kick before the loss is counted.
        n_pcs: leading PCs used by the dissimilarity.
        n_random: random directions of the noise compression.
        seed: base seed of the training runs and of the analysis.
    """

    tasks: tuple[str, ...] = REGIME_TASKS
    N: int = 128
    seeds: int = 2
    steps: tuple[tuple[str, int], ...] | None = tuple(_QUICK_STEPS.items())
    record_every: int = 50
    checkpoint_every: int = 250
    eval_trials: int = 128
    burn_in: float = 5.0
    amplitudes: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
    kick_fractions: tuple[float, ...] = (0.2, 0.3, 0.4)
    kick_dirs: int = 4
    kick_conditions: int = 4
    settle: float = 5.0
    n_pcs: int = 10
    n_random: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        tasks = (self.tasks,) if isinstance(self.tasks, str) else tuple(self.tasks)
        object.__setattr__(self, "tasks", tasks)
        if not tasks or len(set(tasks)) != len(tasks) or any(t not in REGIME_TASKS for t in tasks):
            raise bad_value("tasks", self.tasks, f"distinct names among {', '.join(REGIME_TASKS)}")
        if self.steps is not None:
            steps = tuple(
                (str(k), v)
                for k, v in (self.steps.items() if isinstance(self.steps, Mapping) else self.steps)
            )
            object.__setattr__(self, "steps", steps)
            for k, v in steps:
                if k not in REGIME_TASKS or not is_int(v) or v < 1:
                    raise bad_value(
                        "steps", self.steps, f"pairs (task in {REGIME_TASKS}, integer steps >= 1)"
                    )
        for name, low in (
            ("N", 8),
            ("seeds", 2),
            ("record_every", 1),
            ("checkpoint_every", 1),
            ("eval_trials", 2),
            ("kick_dirs", 1),
            ("kick_conditions", 1),
            ("n_pcs", 1),
            ("n_random", 2),
            ("seed", 0),
        ):
            if not is_int(getattr(self, name)) or getattr(self, name) < low:
                raise bad_value(name, getattr(self, name), f"an integer >= {low}")
        if self.checkpoint_every % self.record_every:
            raise bad_value(
                "checkpoint_every",
                self.checkpoint_every,
                f"a multiple of record_every={self.record_every}",
            )
        for name in ("burn_in", "settle"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise bad_value(name, v, "a finite number >= 0")
        amps = tuple(float(a) for a in self.amplitudes)
        object.__setattr__(self, "amplitudes", amps)
        if (
            len(amps) < 2
            or amps[0] != 0
            or any(b <= a for a, b in itertools.pairwise(amps))
            or not all(math.isfinite(a) for a in amps)
        ):
            raise bad_value(
                "amplitudes",
                self.amplitudes,
                ">= 2 finite values starting at 0, strictly increasing",
            )
        fr = tuple(float(f) for f in self.kick_fractions)
        object.__setattr__(self, "kick_fractions", fr)
        if not fr or any(not 0 < f < 1 for f in fr):
            raise bad_value(
                "kick_fractions", self.kick_fractions, "a non-empty tuple of values in (0, 1)"
            )
        for task in self.tasks:
            s = self.task_steps(task)
            if s % self.record_every:
                raise bad_value(
                    "steps", s, f"a multiple of record_every={self.record_every} (task {task!r})"
                )

    def task_steps(self, task: str) -> int:
        """Training steps of ``task`` (the plan's, else Table 1's)."""
        given = dict(self.steps or ())
        if task in given:
            return int(given[task])
        from simulate.tasks import get_task

        return int(get_task(task).train_steps)

    def label(self) -> str:
        """Short text for reports."""
        steps = ", ".join(f"{t} {self.task_steps(t)}" for t in self.tasks)
        return f"N={self.N}, seeds={self.seeds}, steps: {steps}"


def default_regimes_plan(mode: str = "quick", tasks: Sequence[str] | None = None) -> RegimesPlan:
    """The plan of ``mode``: ``"quick"`` (CPU: N = 128, 2 seeds, reduced steps),
    ``"full"`` (Table 1: N = 512, 5 seeds, the paper's steps) or ``"tiny"`` (smoke test:
    N = 16, 20 steps; its numbers are not meaningful). ``tasks`` restricts the tasks."""
    tasks = REGIME_TASKS if tasks is None else tuple(tasks)
    if mode == "quick":
        return RegimesPlan(tasks=tasks)
    if mode == "full":
        return RegimesPlan(
            tasks=tasks, N=512, seeds=5, steps=None, record_every=50, checkpoint_every=500
        )
    if mode == "tiny":
        # record_every=1: one step function to compile instead of two (simulate.training)
        return RegimesPlan(
            tasks=tasks,
            N=16,
            seeds=2,
            steps=tuple((t, 20) for t in tasks),
            record_every=1,
            checkpoint_every=20,
            eval_trials=16,
            amplitudes=(0.0, 1.0, 2.0),
            kick_fractions=(0.3,),
            kick_dirs=2,
            kick_conditions=2,
            n_pcs=4,
            n_random=20,
        )
    raise bad_value("mode", mode, "'quick', 'full', 'tiny'")


def regimes_config(plan: RegimesPlan, task: str, regime: str) -> Any:
    """The :class:`simulate.TrainConfig` of (task, regime): preset ``"regimes"`` with
    ``out_scale`` of :data:`REGIME_OUT_SCALE` and the plan's N, seeds, steps, seed."""
    from simulate.config import TrainConfig

    if task not in plan.tasks:
        raise bad_value("task", task, ", ".join(plan.tasks))
    if regime not in REGIMES:
        raise bad_value("regime", regime, ", ".join(REGIMES))
    steps = plan.task_steps(task)
    return TrainConfig.preset(
        "regimes",
        task=task,
        out_scale=REGIME_OUT_SCALE[regime],
        N=plan.N,
        seeds=plan.seeds,
        seed=plan.seed,
        steps=steps,
        record_every=plan.record_every,
        checkpoint_every=min(plan.checkpoint_every, steps),
    )


def regimes_run_dir(runs_dir: str | Path, plan: RegimesPlan, task: str, regime: str) -> Path:
    """``runs_dir/regimes/<task>-<regime>-N<N>``."""
    return Path(runs_dir) / "regimes" / f"{task}-{regime}-N{plan.N}"


# ----------------------------------------------------------------------------- per network
@dataclasses.dataclass
class NetworkMeasures:
    """All measures of one trained network (THEORY §6); see the module docstring.

    Scalars are floats (ints for dimensions); arrays: ``rho_per_output`` [n_out],
    ``var_explained`` [k] (cumulative variance ratio of the first k PCs of X̄), ``r2_by_k``
    [k], ``var_random`` [n_random], ``var_pc`` [n_random] (variance of δx along random
    unit vectors, resp. random unit combinations of the top-2 PCs; units of x²),
    ``kick_loss_out`` / ``kick_loss_pc`` [A, R] (loss after kicks along the w_out span /
    top-2-PC span, for the A amplitudes ``kick_amplitudes`` (units of x) and R = kick
    times × directions × conditions; NaN where the loss window is empty).
    """

    task: str
    regime: str
    seed_index: int
    N: int
    rho: float
    rho_per_output: np.ndarray
    w_out_norm: float
    w_out_norm_init: float
    x_norm: float
    D_x: int
    D_fit: int
    r2_full: float
    r2_2pc: float
    r2_by_k: np.ndarray
    var_explained: np.ndarray
    compression: float
    compression_se: float
    var_out: float
    var_random: np.ndarray
    var_pc: np.ndarray
    susceptibility: float
    kick_amplitudes: np.ndarray
    kick_loss_out: np.ndarray
    kick_loss_pc: np.ndarray
    loss: float
    loss_bias: float
    loss_var: float
    label: str

    @property
    def rho_sqrt_n(self) -> float:
        """ρ·√N (ρ in units of the chance level of a random readout)."""
        return self.rho * math.sqrt(self.N)

    def summary(self) -> dict[str, Any]:
        """The scalar measures as a JSON-friendly dict."""
        keys = (
            "task",
            "regime",
            "seed_index",
            "N",
            "rho",
            "w_out_norm",
            "w_out_norm_init",
            "x_norm",
            "D_x",
            "D_fit",
            "r2_full",
            "r2_2pc",
            "compression",
            "compression_se",
            "var_out",
            "susceptibility",
            "loss",
            "loss_bias",
            "loss_var",
            "label",
        )
        out = {k: getattr(self, k) for k in keys}
        out["rho_sqrt_n"] = self.rho_sqrt_n
        out["rho_per_output"] = np.asarray(self.rho_per_output).tolist()
        return out


def _eval_batch(task: Any, plan: RegimesPlan, task_index: int) -> Any:
    """The analysis batch of a task: ≥ eval_trials trials, a multiple of batch_multiple."""
    import jax

    m = task.batch_multiple
    B = m * max(1, math.ceil(plan.eval_trials / m))
    if B // task.n_conditions < 2:
        B = 2 * task.n_conditions * (2 if task.mirror else 1)
    key = jax.random.fold_in(jax.random.fold_in(jax.random.key(plan.seed), 7919), task_index)
    return task.sample(key, B)


def _condition_means(x: np.ndarray, condition: np.ndarray, sign: np.ndarray, C: int) -> np.ndarray:
    """[C, T, N] mean over the trials of each condition of sign·x (float64)."""
    flipped = x * sign[:, None, None]
    out = np.zeros((C,) + x.shape[1:])
    for c in range(C):  # C ≤ a few dozen conditions; each a vectorised mean
        out[c] = flipped[condition == c].mean(axis=0, dtype=np.float64)
    return out


def _unit_combinations(basis: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """[N, n] random unit vectors in the span of the orthonormal columns of ``basis``."""
    c = rng.standard_normal((basis.shape[1], n))
    u = basis @ c
    return u / np.linalg.norm(u, axis=0)


def _orthonormal(w: np.ndarray) -> np.ndarray:
    q, r = np.linalg.qr(np.asarray(w, dtype=np.float64))
    d = np.abs(np.diag(r))
    return q[:, d > max(w.shape) * np.finfo(float).eps * d.max()]


def _kick_losses(
    model: Any,
    batch: Any,
    task: Any,
    config: Any,
    plan: RegimesPlan,
    pcs: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss after kicks (module docstring): (amplitudes [A] in units of x, loss_out [A, R],
    loss_pc [A, R]); one noise-free simulation of all kicks, shifted to a common start."""
    import jax
    import jax.numpy as jnp

    from simulate.dynamics import simulate

    inputs = np.asarray(batch.inputs)
    targets = np.asarray(batch.targets)
    mask = np.asarray(batch.mask)
    cond = np.asarray(batch.condition)
    C = min(task.n_conditions, plan.kick_conditions)
    first = np.array([int(np.flatnonzero(cond == c)[0]) for c in range(C)])  # one trial each
    T = inputs.shape[1]
    clean = simulate(
        model,
        jnp.asarray(inputs[first]),
        key=jax.random.key(0),
        sigma=0.0,
        dt=config.dt,
        record="x",
    )
    x_clean = np.asarray(clean.x)  # [C, T, N]; entry t = state after step t
    dt = config.dt
    starts = sorted({min(T - 1, max(1, round(f * T))) for f in plan.kick_fractions})
    settle = round(plan.settle / dt)
    L = T - min(starts)
    N = x_clean.shape[-1]
    amps = np.asarray(plan.amplitudes) * math.sqrt(N)
    dirs = {
        "out": _unit_combinations(_orthonormal(np.asarray(model.w_out)), plan.kick_dirs, rng),
        "pc": _unit_combinations(pcs[:, :2], plan.kick_dirs, rng),
    }
    # trial list: (kind, amplitude, start, direction, condition)
    combos = list(
        itertools.product(range(2), range(len(amps)), starts, range(plan.kick_dirs), range(C))
    )
    n = len(combos)
    x0 = np.empty((n, N), np.float32)
    u_in = np.zeros((n, L, inputs.shape[-1]), np.float32)
    tgt = np.zeros((n, L, targets.shape[-1]), np.float32)
    msk = np.zeros((n, L, targets.shape[-1]), np.float32)
    kinds = ("out", "pc")
    for i, (k, a, p, d, c) in enumerate(combos):
        # start of step p: the state after step p − 1 (time p·dt), kicked
        x0[i] = x_clean[c, p - 1] + amps[a] * dirs[kinds[k]][:, d]
        u_in[i, : T - p] = inputs[first[c], p:]
        tgt[i, : T - p] = targets[first[c], p:]
        msk[i, settle : T - p] = mask[first[c], p + settle :] if p + settle < T else 0.0
    z = np.asarray(
        simulate(
            model,
            jnp.asarray(u_in),
            key=jax.random.key(1),
            sigma=0.0,
            dt=dt,
            x0=jnp.asarray(x0),
            record="output",
        ).z
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        loss = np.sum(msk * (z - tgt) ** 2, axis=(1, 2)) / np.sum(msk, axis=(1, 2))
    loss = loss.reshape(2, len(amps), -1)  # [kind, A, R]
    return amps, loss[0], loss[1]


def analyse_network(
    model: Any,
    init_model: Any,
    task: Any,
    config: Any,
    batch: Any,
    plan: RegimesPlan,
    *,
    regime: str,
    seed_index: int,
) -> tuple[NetworkMeasures, np.ndarray]:
    """Measures of one network on the task's analysis ``batch`` (module docstring).

    Returns (measures, X̄ [C, T, N] float64, the condition-averaged activity used for the
    dissimilarity)."""
    import jax

    from simulate.dynamics import simulate
    from simulate.losses import loss_split

    C = task.n_conditions
    key = jax.random.fold_in(jax.random.fold_in(jax.random.key(plan.seed), 104729), seed_index)
    traj = simulate(
        model,
        batch.inputs,
        key=key,
        sigma=config.sigma,
        dt=config.dt,
        x0_noise=config.x0_noise,
        record="x",
    )
    split = loss_split(traj.z, batch.targets, batch.mask, batch.sign, batch.condition, C)
    x = np.asarray(traj.x)
    cond = np.asarray(batch.condition)
    sign = np.asarray(batch.sign, dtype=np.float64)
    X = _condition_means(x, cond, sign, C)  # [C, T, N]
    w = np.asarray(model.w_out, dtype=np.float64)
    Z = X @ w  # the trial-averaged output [C, T, n_out]
    p = measures.pca(X)
    k_max = min(20, p.ratio.size)
    fit = measures.fit_dimension(X, Z, max_k=k_max)
    t0 = min(x.shape[1] - 2, round(plan.burn_in / config.dt))
    fluct = (x[:, t0:] * sign[:, None, None] - X[cond][:, t0:]).reshape(-1, x.shape[-1])
    comp = measures.noise_compression(fluct, w, n_random=plan.n_random, seed=plan.seed)
    rng = np.random.default_rng([plan.seed, seed_index, REGIMES.index(regime)])
    u_pc = _unit_combinations(p.components[:, :2], plan.n_random, rng)
    var_pc = np.mean((fluct @ u_pc) ** 2, axis=0)
    amps, loss_out, loss_pc = _kick_losses(model, batch, task, config, plan, p.components, rng)
    curve_out, curve_pc = (np.nanmean(v, axis=1) for v in (loss_out, loss_pc))
    if np.all(np.isfinite(curve_out)) and np.all(np.isfinite(curve_pc)):
        sus = measures.susceptibility(amps, curve_out, curve_pc)
    else:  # no kick had a loss window (trial too short for t_p + settle)
        sus = math.nan
    rho = float(measures.readout_correlation(w, X))  # one output: a scalar
    out = NetworkMeasures(
        task=task.name,
        regime=regime,
        seed_index=seed_index,
        N=int(w.shape[0]),
        rho=rho,
        rho_per_output=np.asarray(measures.readout_correlation(w, X, per_output=True)),
        w_out_norm=measures.readout_norm(w),
        w_out_norm_init=measures.readout_norm(np.asarray(init_model.w_out)),
        x_norm=measures.state_norm(X),
        D_x=measures.dimension(X),
        D_fit=int(fit.D_fit),
        r2_full=float(fit.r2_full),
        r2_2pc=float(fit.r2_by_k[min(1, k_max - 1)]),
        r2_by_k=np.asarray(fit.r2_by_k),
        var_explained=np.cumsum(p.ratio[:k_max]),
        compression=comp.ratio,
        compression_se=comp.se,
        var_out=comp.var_out,
        var_random=np.asarray(comp.var_random),
        var_pc=var_pc,
        susceptibility=float(sus),
        kick_amplitudes=amps,
        kick_loss_out=loss_out,
        kick_loss_pc=loss_pc,
        loss=float(split.loss),
        loss_bias=float(split.loss_bias),
        loss_var=float(split.loss_var),
        label=measures.regime_label(min(rho, 1.0), int(w.shape[0])),
    )
    return out, X


# ----------------------------------------------------------------------------- claims
def _by(
    nets: Sequence[NetworkMeasures], regime: str, task: str, f: Callable[[Any], float]
) -> list[float]:
    return [f(m) for m in nets if m.regime == regime and m.task == task]


def _log10(v: float) -> float:
    return math.log10(v) if v > 0 and math.isfinite(v) else math.nan


def evaluate_claims(
    nets: Sequence[NetworkMeasures], dissim: Mapping[tuple[str, str], Sequence[float]], N: int
) -> list[Claim]:
    """The six claims of issue 6 (module docstring) from per-network measures and the
    pairwise dissimilarities ``{(task, regime): [d, …]}``."""
    tasks = list(dict.fromkeys(m.task for m in nets))
    quarter = 0.25 * math.log10(N)  # log10 N^{1/4}; regime_label's boundary is ρ = N^{-1/4}

    def diff(f: Callable[[Any], float]) -> dict[str, tuple[list[float], list[float]]]:
        return {t: (_by(nets, "oblique", t, f), _by(nets, "aligned", t, f)) for t in tasks}

    claims = [
        judge_claim(
            "rho_ratio",
            "ρ aligned ≫ ρ oblique",
            "log₁₀ ρ_al − log₁₀ ρ_ob (threshold log₁₀ N^{1/4})",
            {
                t: (
                    _by(nets, "aligned", t, lambda m: _log10(m.rho)),
                    _by(nets, "oblique", t, lambda m: _log10(m.rho)),
                )
                for t in tasks
            },
            threshold=quarter,
            direction=">",
        ),
        judge_claim(
            "rho_sqrt_n",
            "ρ_oblique·√N = O(1)",
            "log₁₀(ρ_ob·√N) (threshold log₁₀ N^{1/4}: regime_label boundary)",
            {t: (_by(nets, "oblique", t, lambda m: _log10(m.rho_sqrt_n)), None) for t in tasks},
            threshold=quarter,
            direction="<",
        ),
        judge_claim(
            "d_fit",
            "D_fit,90 larger for oblique",
            "D_fit(ob) − D_fit(al)",
            diff(lambda m: float(m.D_fit)),
            threshold=0.0,
            direction=">",
        ),
        judge_claim(
            "dissimilarity",
            "oblique learners more dissimilar",
            "dissimilarity(ob) − dissimilarity(al) (Procrustes, pairs of seeds)",
            {
                t: (list(dissim.get((t, "oblique"), [])), list(dissim.get((t, "aligned"), [])))
                for t in tasks
            },
            threshold=0.0,
            direction=">",
            unit="seed pairs",
        ),
        judge_claim(
            "noise_compression",
            "noise compression < 1 for oblique",
            "log₁₀(var along w_out / var along random directions), oblique",
            {t: (_by(nets, "oblique", t, lambda m: _log10(m.compression)), None) for t in tasks},
            threshold=0.0,
            direction="<",
        ),
        judge_claim(
            "susceptibility",
            "oblique less susceptible to kicks along w_out",
            "log₁₀ S_ob − log₁₀ S_al (S = AUC_wout / AUC_PC; S ≤ 0 or undefined dropped)",
            diff(lambda m: _log10(m.susceptibility)),
            threshold=0.0,
            direction="<",
        ),
    ]
    return claims


# ----------------------------------------------------------------------------- experiment
@dataclasses.dataclass
class RegimesResult:
    """Everything the regimes experiment produced.

    Attributes:
        plan: the :class:`RegimesPlan`.
        networks: per-network measures (task × regime × seed).
        dissimilarity: {(task, regime): [pairwise dissimilarities between seeds]}.
        claims: the six :class:`Claim` rows.
        wall_train_s, wall_analysis_s: seconds spent training (incl. loading) and analysing.
    """

    plan: RegimesPlan
    networks: list[NetworkMeasures]
    dissimilarity: dict[tuple[str, str], list[float]]
    claims: list[Claim]
    wall_train_s: float = 0.0
    wall_analysis_s: float = 0.0

    @property
    def passed(self) -> bool:
        """No claim failed and at least one passed (``n/a`` claims are neither)."""
        return claims_hold(self.claims)

    def summary(self) -> dict[str, Any]:
        from ..core.stats import jsonable

        return jsonable(
            {
                "plan": dataclasses.asdict(self.plan),
                "claims": [c.to_dict() for c in self.claims],
                "networks": [m.summary() for m in self.networks],
                "dissimilarity": {f"{t}/{r}": v for (t, r), v in self.dissimilarity.items()},
                "wall_train_s": self.wall_train_s,
                "wall_analysis_s": self.wall_analysis_s,
            }
        )  # type: ignore[return-value]


def analyse_regimes(
    runs: Mapping[tuple[str, str], Any], plan: RegimesPlan, *, progress: bool = True
) -> RegimesResult:
    """Measures, dissimilarities and claims from trained runs ``{(task, regime): Run}``."""
    from tqdm.auto import tqdm

    nets: list[NetworkMeasures] = []
    dissim: dict[tuple[str, str], list[float]] = {}
    total = sum(r.config.seeds for r in runs.values())
    bar = tqdm(total=total, unit="net", desc="regimes analysis", disable=not progress)
    t0 = time.perf_counter()
    try:
        for ti, task_name in enumerate(plan.tasks):
            batch = None
            for regime in REGIMES:
                run = runs.get((task_name, regime))
                if run is None:
                    continue
                cfg = run.config
                task = cfg.make_task()
                if batch is None:
                    batch = _eval_batch(task, plan, ti)
                Xs = []
                for s in range(cfg.seeds):
                    m, X = analyse_network(
                        run.model(s),
                        run.model(s, "init"),
                        task,
                        cfg,
                        batch,
                        plan,
                        regime=regime,
                        seed_index=s,
                    )
                    nets.append(m)
                    Xs.append(X)
                    bar.update(1)
                k = min(plan.n_pcs, Xs[0].shape[-1], Xs[0].shape[0] * Xs[0].shape[1] - 1)
                dissim[(task_name, regime)] = [
                    measures.dissimilarity(Xs[a], Xs[b], n_pcs=k)
                    for a, b in itertools.combinations(range(len(Xs)), 2)
                ]
    finally:
        bar.close()
    claims = evaluate_claims(nets, dissim, plan.N)
    return RegimesResult(
        plan=plan,
        networks=nets,
        dissimilarity=dissim,
        claims=claims,
        wall_analysis_s=time.perf_counter() - t0,
    )


def run_regimes(
    plan: RegimesPlan,
    runs_dir: str | Path,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> RegimesResult:
    """Train (or load / resume) every (task, regime) of ``plan`` under
    ``runs_dir/regimes/`` and analyse them (:func:`analyse_regimes`)."""
    from simulate.training import train

    log = log or (lambda msg: None)
    runs = {}
    t0 = time.perf_counter()
    pairs = [(t, r) for t in plan.tasks for r in REGIMES]
    for i, (task, regime) in enumerate(pairs, 1):
        t1 = time.perf_counter()
        cfg = regimes_config(plan, task, regime)
        runs[(task, regime)] = train(
            cfg, regimes_run_dir(runs_dir, plan, task, regime), progress=progress
        )
        log(
            f"  regimes [{i}/{len(pairs)}] {task} {regime}: N={cfg.N}, {cfg.steps} steps, "
            f"{cfg.seeds} seeds ({time.perf_counter() - t1:.1f} s)"
        )
    wall_train = time.perf_counter() - t0
    result = analyse_regimes(runs, plan, progress=progress)
    result.wall_train_s = wall_train
    log(f"  regimes: analysis of {len(result.networks)} networks ({result.wall_analysis_s:.1f} s)")
    return result


# ----------------------------------------------------------------------------- report
