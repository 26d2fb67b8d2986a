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

Analysis of each trained network (all measures from :mod:`validate.measures`, THEORY §6)
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
   boundary N^{-1/4} of :func:`validate.measures.regime_label` (the geometric mean of the
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

from . import measures

__all__ = [
    "CLAIM_ALPHA",
    "CLAIM_NAMES",
    "REGIMES",
    "REGIME_OUT_SCALE",
    "REGIME_TASKS",
    "Claim",
    "NetworkMeasures",
    "RegimesPlan",
    "RegimesResult",
    "analyse_network",
    "analyse_regimes",
    "claims_console",
    "claims_hold",
    "claims_table",
    "claims_verdict",
    "default_regimes_plan",
    "evaluate_claims",
    "judge_claim",
    "regimes_config",
    "regimes_run_dir",
    "regimes_section",
    "run_regimes",
]

#: The five tasks of Table 1 (THEORY §6), in the order of the paper's figures.
REGIME_TASKS: tuple[str, ...] = ("cycling", "flip_flop", "mante", "romo", "complex_sine")
#: The two regimes and the output-weight scale that produces each (THEORY §1, §6).
REGIMES: tuple[str, ...] = ("aligned", "oblique")
REGIME_OUT_SCALE: dict[str, str] = {"aligned": "small", "oblique": "large"}
#: Level of the one-sided test of every claim.
CLAIM_ALPHA: float = 0.05
#: Claim ids, in the order of the issue.
CLAIM_NAMES: tuple[str, ...] = (
    "rho_ratio", "rho_sqrt_n", "d_fit", "dissimilarity", "noise_compression", "susceptibility",
)

#: Quick-mode training steps per task (CPU, N = 128): Table 1's steps cut so that the ten
#: runs finish in about ten minutes on two cores (the cost of a step grows with the trial
#: length: 360, 125, 240, 145, 250 Euler steps).
_QUICK_STEPS: dict[str, int] = {
    "cycling": 500, "flip_flop": 800, "mante": 500, "romo": 800, "complex_sine": 500,
}


def _bad(name: str, value: object, allowed: str) -> ValueError:
    return ValueError(f"{name}={value!r} is not allowed; allowed: {allowed}")


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


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
            raise _bad("tasks", self.tasks, f"distinct names among {', '.join(REGIME_TASKS)}")
        if self.steps is not None:
            steps = tuple((str(k), v) for k, v in (
                self.steps.items() if isinstance(self.steps, Mapping) else self.steps))
            object.__setattr__(self, "steps", steps)
            for k, v in steps:
                if k not in REGIME_TASKS or not _is_int(v) or v < 1:
                    raise _bad("steps", self.steps,
                               f"pairs (task in {REGIME_TASKS}, integer steps >= 1)")
        for name, low in (("N", 8), ("seeds", 2), ("record_every", 1), ("checkpoint_every", 1),
                          ("eval_trials", 2), ("kick_dirs", 1), ("kick_conditions", 1),
                          ("n_pcs", 1), ("n_random", 2), ("seed", 0)):
            if not _is_int(getattr(self, name)) or getattr(self, name) < low:
                raise _bad(name, getattr(self, name), f"an integer >= {low}")
        if self.checkpoint_every % self.record_every:
            raise _bad("checkpoint_every", self.checkpoint_every,
                       f"a multiple of record_every={self.record_every}")
        for name in ("burn_in", "settle"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise _bad(name, v, "a finite number >= 0")
        amps = tuple(float(a) for a in self.amplitudes)
        object.__setattr__(self, "amplitudes", amps)
        if len(amps) < 2 or amps[0] != 0 or any(b <= a for a, b in itertools.pairwise(amps)) or \
                not all(math.isfinite(a) for a in amps):
            raise _bad("amplitudes", self.amplitudes,
                       ">= 2 finite values starting at 0, strictly increasing")
        fr = tuple(float(f) for f in self.kick_fractions)
        object.__setattr__(self, "kick_fractions", fr)
        if not fr or any(not 0 < f < 1 for f in fr):
            raise _bad("kick_fractions", self.kick_fractions, "a non-empty tuple of values in (0, 1)")
        for task in self.tasks:
            s = self.task_steps(task)
            if s % self.record_every:
                raise _bad("steps", s, f"a multiple of record_every={self.record_every} "
                           f"(task {task!r})")

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
        return RegimesPlan(tasks=tasks, N=512, seeds=5, steps=None, record_every=50,
                           checkpoint_every=500)
    if mode == "tiny":
        # record_every=1: one step function to compile instead of two (simulate.training)
        return RegimesPlan(tasks=tasks, N=16, seeds=2, steps=tuple((t, 20) for t in tasks),
                           record_every=1, checkpoint_every=20, eval_trials=16,
                           amplitudes=(0.0, 1.0, 2.0), kick_fractions=(0.3,), kick_dirs=2,
                           kick_conditions=2, n_pcs=4, n_random=20)
    raise _bad("mode", mode, "'quick', 'full', 'tiny'")


def regimes_config(plan: RegimesPlan, task: str, regime: str) -> Any:
    """The :class:`simulate.TrainConfig` of (task, regime): preset ``"regimes"`` with
    ``out_scale`` of :data:`REGIME_OUT_SCALE` and the plan's N, seeds, steps, seed."""
    from simulate.config import TrainConfig

    if task not in plan.tasks:
        raise _bad("task", task, ", ".join(plan.tasks))
    if regime not in REGIMES:
        raise _bad("regime", regime, ", ".join(REGIMES))
    steps = plan.task_steps(task)
    return TrainConfig.preset(
        "regimes", task=task, out_scale=REGIME_OUT_SCALE[regime], N=plan.N, seeds=plan.seeds,
        seed=plan.seed, steps=steps, record_every=plan.record_every,
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
        keys = ("task", "regime", "seed_index", "N", "rho", "w_out_norm", "w_out_norm_init",
                "x_norm", "D_x", "D_fit", "r2_full", "r2_2pc", "compression", "compression_se",
                "var_out", "susceptibility", "loss", "loss_bias", "loss_var", "label")
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


def _condition_means(x: np.ndarray, condition: np.ndarray, sign: np.ndarray, C: int
                     ) -> np.ndarray:
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


def _kick_losses(model: Any, batch: Any, task: Any, config: Any, plan: RegimesPlan,
                 pcs: np.ndarray, rng: np.random.Generator
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
    clean = simulate(model, jnp.asarray(inputs[first]), key=jax.random.key(0), sigma=0.0,
                     dt=config.dt, record="x")
    x_clean = np.asarray(clean.x)  # [C, T, N]; entry t = state after step t
    dt = config.dt
    starts = sorted({min(T - 1, max(1, round(f * T))) for f in plan.kick_fractions})
    settle = round(plan.settle / dt)
    L = T - min(starts)
    N = x_clean.shape[-1]
    amps = np.asarray(plan.amplitudes) * math.sqrt(N)
    dirs = {"out": _unit_combinations(_orthonormal(np.asarray(model.w_out)), plan.kick_dirs, rng),
            "pc": _unit_combinations(pcs[:, :2], plan.kick_dirs, rng)}
    # trial list: (kind, amplitude, start, direction, condition)
    combos = list(itertools.product(range(2), range(len(amps)), starts, range(plan.kick_dirs),
                                    range(C)))
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
        msk[i, settle: T - p] = mask[first[c], p + settle:] if p + settle < T else 0.0
    z = np.asarray(simulate(model, jnp.asarray(u_in), key=jax.random.key(1), sigma=0.0,
                            dt=dt, x0=jnp.asarray(x0), record="output").z)
    with np.errstate(invalid="ignore", divide="ignore"):
        loss = np.sum(msk * (z - tgt) ** 2, axis=(1, 2)) / np.sum(msk, axis=(1, 2))
    loss = loss.reshape(2, len(amps), -1)  # [kind, A, R]
    return amps, loss[0], loss[1]


def analyse_network(model: Any, init_model: Any, task: Any, config: Any, batch: Any,
                    plan: RegimesPlan, *, regime: str, seed_index: int
                    ) -> tuple[NetworkMeasures, np.ndarray]:
    """Measures of one network on the task's analysis ``batch`` (module docstring).

    Returns (measures, X̄ [C, T, N] float64, the condition-averaged activity used for the
    dissimilarity)."""
    import jax

    from simulate.dynamics import simulate
    from simulate.losses import loss_split

    C = task.n_conditions
    key = jax.random.fold_in(jax.random.fold_in(jax.random.key(plan.seed), 104729), seed_index)
    traj = simulate(model, batch.inputs, key=key, sigma=config.sigma, dt=config.dt,
                    x0_noise=config.x0_noise, record="x")
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
    rho = measures.readout_correlation(w, X)
    out = NetworkMeasures(
        task=task.name, regime=regime, seed_index=seed_index, N=int(w.shape[0]), rho=rho,
        rho_per_output=np.asarray(measures.readout_correlation(w, X, per_output=True)),
        w_out_norm=measures.readout_norm(w),
        w_out_norm_init=measures.readout_norm(np.asarray(init_model.w_out)),
        x_norm=measures.state_norm(X), D_x=measures.dimension(X), D_fit=int(fit.D_fit),
        r2_full=float(fit.r2_full), r2_2pc=float(fit.r2_by_k[min(1, k_max - 1)]),
        r2_by_k=np.asarray(fit.r2_by_k), var_explained=np.cumsum(p.ratio[:k_max]),
        compression=comp.ratio, compression_se=comp.se, var_out=comp.var_out,
        var_random=np.asarray(comp.var_random), var_pc=var_pc, susceptibility=float(sus),
        kick_amplitudes=amps, kick_loss_out=loss_out, kick_loss_pc=loss_pc,
        loss=float(split.loss), loss_bias=float(split.loss_bias), loss_var=float(split.loss_var),
        label=measures.regime_label(min(rho, 1.0), int(w.shape[0])),
    )
    return out, X


# ----------------------------------------------------------------------------- claims
@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim of issue 6 with its statistic and one-sided test (module docstring).

    Attributes:
        name: id in :data:`CLAIM_NAMES` (or free for synthetic tests).
        text: the claim in words.
        statistic: what ``value`` is.
        value: the statistic (mean over units).
        se: its standard error (NaN when fewer than 2 units).
        n: number of units. unit: ``"tasks"``, ``"seeds"`` or ``"seed pairs"``.
        threshold: the claimed bound. direction: ``">"`` or ``"<"`` (value vs threshold).
        t: signed t statistic, positive when the data support the claim.
        t_crit: one-sided (1 − CLAIM_ALPHA) Student quantile; dof: its degrees of freedom.
        verdict: ``"PASS"`` (t ≥ t_crit), ``"FAIL"`` or ``"n/a"`` (no SE).
        per_task: the per-task statistic (for the table; unit ``tasks`` only).
    """

    name: str
    text: str
    statistic: str
    value: float
    se: float
    n: int
    unit: str
    threshold: float
    direction: str
    t: float
    t_crit: float
    dof: float
    verdict: str
    per_task: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.verdict == "PASS"

    @property
    def failed(self) -> bool:
        return self.verdict == "FAIL"

    def to_dict(self) -> dict[str, Any]:
        from .stats import jsonable

        return jsonable(dataclasses.asdict(self))  # type: ignore[return-value]


def _finite(a: Sequence[float]) -> np.ndarray:
    v = np.asarray(a, dtype=float).ravel()
    return v[np.isfinite(v)]


def judge_claim(
    name: str,
    text: str,
    statistic: str,
    per_task: Mapping[str, tuple[Sequence[float], Sequence[float] | None]],
    *,
    threshold: float,
    direction: str,
    unit: str = "seeds",
) -> Claim:
    """Judge one claim (module docstring, "Claims").

    Arguments:
        per_task: task → (samples, reference samples or None). With a reference the
            per-task statistic is mean(samples) − mean(reference) (a regime difference),
            else mean(samples). Non-finite samples are dropped.
        threshold, direction: the claim is ``value > threshold`` (``">"``) or ``<``.
        unit: name of the sampling unit within one task (``"seeds"``, ``"seed pairs"``).

    Returns:
        The :class:`Claim`; over ≥ 2 tasks the unit is the task.
    """
    from scipy import stats as sps

    if direction not in (">", "<"):
        raise _bad("direction", direction, "'>', '<'")
    if not per_task:
        raise _bad("per_task", per_task, "a non-empty mapping task -> (samples, reference)")
    sgn = 1.0 if direction == ">" else -1.0
    stat: dict[str, float] = {}
    for task, (a, b) in per_task.items():
        fa = _finite(a)
        fb = None if b is None else _finite(b)
        if fa.size == 0 or (fb is not None and fb.size == 0):
            continue
        stat[task] = float(fa.mean() - (0.0 if fb is None else fb.mean()))
    value, se, n, dof, used_unit = math.nan, math.nan, 0, math.nan, "tasks"
    if len(stat) >= 2:
        vals = np.array(list(stat.values()))
        n = vals.size
        value = float(vals.mean())
        se = float(vals.std(ddof=1) / math.sqrt(n))
        dof = float(n - 1)
    elif len(stat) == 1:
        (task,) = stat
        a, b = per_task[task]
        fa = _finite(a)
        fb = None if b is None else _finite(b)
        value, used_unit = stat[task], unit
        n = fa.size if fb is None else min(fa.size, fb.size)
        if fb is None and fa.size >= 2:
            se, dof = float(fa.std(ddof=1) / math.sqrt(fa.size)), float(fa.size - 1)
        elif fb is not None and fa.size >= 2 and fb.size >= 2:
            va, vb = fa.var(ddof=1) / fa.size, fb.var(ddof=1) / fb.size
            se = float(math.sqrt(va + vb))
            # Welch–Satterthwaite degrees of freedom
            den = va**2 / (fa.size - 1) + vb**2 / (fb.size - 1)
            dof = float((va + vb) ** 2 / den) if den > 0 else float(fa.size + fb.size - 2)
    if math.isfinite(se) and se > 0:
        t = sgn * (value - threshold) / se
        t_crit = float(sps.t.ppf(1 - CLAIM_ALPHA, dof))
        verdict = "PASS" if t >= t_crit else "FAIL"
    elif math.isfinite(se) and se == 0 and math.isfinite(value):
        # identical units: the sign of the difference decides (no sampling spread)
        t = math.copysign(math.inf, sgn * (value - threshold)) if value != threshold else 0.0
        t_crit = float(sps.t.ppf(1 - CLAIM_ALPHA, dof))
        verdict = "PASS" if t > 0 else "FAIL"
    else:
        t, t_crit, verdict = math.nan, math.nan, "n/a"
    return Claim(name=name, text=text, statistic=statistic, value=value, se=se, n=int(n),
                 unit=used_unit, threshold=float(threshold), direction=direction, t=float(t),
                 t_crit=t_crit, dof=dof, verdict=verdict, per_task=stat)


def _by(nets: Sequence[NetworkMeasures], regime: str, task: str, f: Callable[[Any], float]
        ) -> list[float]:
    return [f(m) for m in nets if m.regime == regime and m.task == task]


def _log10(v: float) -> float:
    return math.log10(v) if v > 0 and math.isfinite(v) else math.nan


def evaluate_claims(nets: Sequence[NetworkMeasures],
                    dissim: Mapping[tuple[str, str], Sequence[float]], N: int) -> list[Claim]:
    """The six claims of issue 6 (module docstring) from per-network measures and the
    pairwise dissimilarities ``{(task, regime): [d, …]}``."""
    tasks = list(dict.fromkeys(m.task for m in nets))
    quarter = 0.25 * math.log10(N)  # log10 N^{1/4}; regime_label's boundary is ρ = N^{-1/4}

    def diff(f: Callable[[Any], float]) -> dict[str, tuple[list[float], list[float]]]:
        return {t: (_by(nets, "oblique", t, f), _by(nets, "aligned", t, f)) for t in tasks}

    claims = [
        judge_claim(
            "rho_ratio", "ρ aligned ≫ ρ oblique",
            "log₁₀ ρ_al − log₁₀ ρ_ob (threshold log₁₀ N^{1/4})",
            {t: (_by(nets, "aligned", t, lambda m: _log10(m.rho)),
                 _by(nets, "oblique", t, lambda m: _log10(m.rho))) for t in tasks},
            threshold=quarter, direction=">"),
        judge_claim(
            "rho_sqrt_n", "ρ_oblique·√N = O(1)",
            "log₁₀(ρ_ob·√N) (threshold log₁₀ N^{1/4}: regime_label boundary)",
            {t: (_by(nets, "oblique", t, lambda m: _log10(m.rho_sqrt_n)), None) for t in tasks},
            threshold=quarter, direction="<"),
        judge_claim("d_fit", "D_fit,90 larger for oblique", "D_fit(ob) − D_fit(al)",
                    diff(lambda m: float(m.D_fit)), threshold=0.0, direction=">"),
        judge_claim(
            "dissimilarity", "oblique learners more dissimilar",
            "dissimilarity(ob) − dissimilarity(al) (Procrustes, pairs of seeds)",
            {t: (list(dissim.get((t, "oblique"), [])), list(dissim.get((t, "aligned"), [])))
             for t in tasks},
            threshold=0.0, direction=">", unit="seed pairs"),
        judge_claim(
            "noise_compression", "noise compression < 1 for oblique",
            "log₁₀(var along w_out / var along random directions), oblique",
            {t: (_by(nets, "oblique", t, lambda m: _log10(m.compression)), None) for t in tasks},
            threshold=0.0, direction="<"),
        judge_claim(
            "susceptibility", "oblique less susceptible to kicks along w_out",
            "log₁₀ S_ob − log₁₀ S_al (S = AUC_wout / AUC_PC; S ≤ 0 or undefined dropped)",
            diff(lambda m: _log10(m.susceptibility)), threshold=0.0, direction="<"),
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
        from .stats import jsonable

        return jsonable({
            "plan": dataclasses.asdict(self.plan),
            "claims": [c.to_dict() for c in self.claims],
            "networks": [m.summary() for m in self.networks],
            "dissimilarity": {f"{t}/{r}": v for (t, r), v in self.dissimilarity.items()},
            "wall_train_s": self.wall_train_s,
            "wall_analysis_s": self.wall_analysis_s,
        })  # type: ignore[return-value]


def analyse_regimes(runs: Mapping[tuple[str, str], Any], plan: RegimesPlan, *,
                    progress: bool = True) -> RegimesResult:
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
                    m, X = analyse_network(run.model(s), run.model(s, "init"), task, cfg, batch,
                                           plan, regime=regime, seed_index=s)
                    nets.append(m)
                    Xs.append(X)
                    bar.update(1)
                k = min(plan.n_pcs, Xs[0].shape[-1], Xs[0].shape[0] * Xs[0].shape[1] - 1)
                dissim[(task_name, regime)] = [
                    measures.dissimilarity(Xs[a], Xs[b], n_pcs=k)
                    for a, b in itertools.combinations(range(len(Xs)), 2)]
    finally:
        bar.close()
    claims = evaluate_claims(nets, dissim, plan.N)
    return RegimesResult(plan=plan, networks=nets, dissimilarity=dissim, claims=claims,
                         wall_analysis_s=time.perf_counter() - t0)


def run_regimes(plan: RegimesPlan, runs_dir: str | Path, *, progress: bool = True,
                log: Callable[[str], None] | None = None) -> RegimesResult:
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
        runs[(task, regime)] = train(cfg, regimes_run_dir(runs_dir, plan, task, regime),
                                     progress=progress)
        log(f"  regimes [{i}/{len(pairs)}] {task} {regime}: N={cfg.N}, {cfg.steps} steps, "
            f"{cfg.seeds} seeds ({time.perf_counter() - t1:.1f} s)")
    wall_train = time.perf_counter() - t0
    result = analyse_regimes(runs, plan, progress=progress)
    result.wall_train_s = wall_train
    log(f"  regimes: analysis of {len(result.networks)} networks "
        f"({result.wall_analysis_s:.1f} s)")
    return result


# ----------------------------------------------------------------------------- report
def _fmt(x: float | None, digits: int = 3) -> str:
    from .report import format_number

    return format_number(x, digits)


def claims_table(claims: Sequence[Claim]) -> tuple[str, list[str], list[list[str]]]:
    """(caption, header, rows of cells) of the claims table (report and console)."""
    header = ["claim", "statistic", "value ± SE", "n (unit)", "claimed", "t", "t crit (dof)",
              "verdict"]
    body = [[c.text, c.statistic, f"{_fmt(c.value)} ± {_fmt(c.se, 2)}", f"{c.n} ({c.unit})",
             f"{c.direction} {_fmt(c.threshold)}", _fmt(c.t), f"{_fmt(c.t_crit)} ({_fmt(c.dof, 2)})",
             c.verdict] for c in claims]
    caption = (f"Claims of issue 6: one-sided Student t test at level {CLAIM_ALPHA:g} "
               "(t = ±(value − threshold)/SE; PASS when t ≥ t crit)")
    return caption, header, body


def claims_console(claims: Sequence[Claim]) -> str:
    """The claims table as aligned plain-text columns (for the command line)."""
    _, header, body = claims_table(claims)
    lines = [header] + body
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip()
                     for line in lines)


def _per_task_claims_table(claims: Sequence[Claim], tasks: Sequence[str]
                           ) -> tuple[str, list[str], list[list[str]]]:
    header = ["claim"] + list(tasks)
    body = []
    for c in claims:
        row = [c.text]
        for t in tasks:
            v = c.per_task.get(t)
            if v is None:
                row.append("—")
                continue
            ok = v > c.threshold if c.direction == ">" else v < c.threshold
            row.append(f"{_fmt(v)} {'✓' if ok else '✗'}")
        body.append(row)
    caption = ("Per-task statistic of each claim (✓: on the claimed side of the threshold; "
               "not a test — one or few seeds per task)")
    return caption, header, body


def _measures_table(result: RegimesResult) -> tuple[str, list[str], list[list[str]]]:
    header = ["task", "regime", "ρ", "ρ√N", "‖w_out‖ (init)", "‖x‖", "D_x,90", "D_fit,90",
              "R²(2 PCs)", "noise compr.", "suscept.", "dissim.", "L (L_var)", "label"]
    body = []
    for t in result.plan.tasks:
        for r in REGIMES:
            ms = [m for m in result.networks if m.task == t and m.regime == r]
            if not ms:
                continue

            def mean(f: Callable[[NetworkMeasures], float],
                     ms: list[NetworkMeasures] = ms) -> float:
                v = _finite([f(m) for m in ms])
                return float(v.mean()) if v.size else math.nan

            d = _finite(result.dissimilarity.get((t, r), []))
            labels = sorted({m.label for m in ms})
            body.append([
                t, r, _fmt(mean(lambda m: m.rho)), _fmt(mean(lambda m: m.rho_sqrt_n)),
                f"{_fmt(mean(lambda m: m.w_out_norm))} ({_fmt(mean(lambda m: m.w_out_norm_init))})",
                _fmt(mean(lambda m: m.x_norm)), _fmt(mean(lambda m: m.D_x)),
                _fmt(mean(lambda m: m.D_fit)), _fmt(mean(lambda m: m.r2_2pc)),
                _fmt(mean(lambda m: m.compression)), _fmt(mean(lambda m: m.susceptibility)),
                _fmt(float(d.mean()) if d.size else math.nan),
                f"{_fmt(mean(lambda m: m.loss))} ({_fmt(mean(lambda m: m.loss_var))})",
                "/".join(labels),
            ])
    caption = ("Measures per task and regime (means over seeds; dissimilarity: mean over "
               "pairs of seeds)")
    return caption, header, body


def claims_hold(claims: Sequence[Claim]) -> bool:
    """The experiment's verdict: at least one claim passed and none failed (``n/a`` claims
    are not failures)."""
    return any(c.passed for c in claims) and not any(c.failed for c in claims)


def claims_verdict(claims: Sequence[Claim]) -> str:
    """``"PASS"`` when :func:`claims_hold`, else ``"FAIL"``; with counts."""
    n_pass = sum(c.passed for c in claims)
    n_fail = sum(c.failed for c in claims)
    n_na = len(claims) - n_pass - n_fail
    ok = claims_hold(claims)
    extra = f", {n_na} n/a" if n_na else ""
    return f"{'PASS' if ok else 'FAIL'} ({n_pass} of {len(claims)} claims hold{extra})"


def regimes_section(result: RegimesResult, out_dir: str | Path, mode: str = "quick") -> Any:
    """The report :class:`validate.report.Section` of a :class:`RegimesResult`: the claims
    table, the per-task tables and the figures (written into ``out_dir``)."""
    from . import plots_regimes
    from .report import Section

    out_dir = Path(out_dir)
    figs = plots_regimes.plot_all(result, out_dir)
    verdict = claims_verdict(result.claims)
    plan = result.plan
    text = (
        "THEORY §6, paper Table 1: full-rank tanh networks (g = 1.5, dt = 0.2, batch 32, Adam "
        "at η₀/N with Table 1's η₀, x₀ noise 1, σ of the task) trained with small output "
        "weights (aligned) and large ones (oblique), "
        f"{plan.label()} ({mode} mode; Table 1 steps are 1000/4000/4000/6000/6000 at "
        "N = 512 with 5 seeds: --full)."
        "\n\nMeasures (validate.measures) on one analysis batch per task "
        f"({plan.eval_trials}+ noisy trials): ρ, norms, D_x,90, D_fit,90 and R²(k) on the "
        "condition-averaged activity; noise compression of the trial-to-trial fluctuations "
        f"after t = {plan.burn_in:g}; kicks of Δx/√N ∈ {list(plan.amplitudes)} at "
        f"t_p/T ∈ {list(plan.kick_fractions)} along w_out or the top-2 PCs (noise-free, loss "
        f"from t_p + {plan.settle:g}); Procrustes dissimilarity between seeds."
        "\n\nThis section has no theory-vs-simulation rows (the paper's regime claims are "
        "inequalities, not predicted values): its verdict is the claims table, judged by a "
        f"one-sided Student t test at level {CLAIM_ALPHA:g} with tasks as units "
        f"(validate.regimes). Claims: {verdict}."
        f"\n\nWall time: training (or loading) {result.wall_train_s:.0f} s, analysis "
        f"{result.wall_analysis_s:.0f} s."
    )
    tables = [claims_table(result.claims),
              _per_task_claims_table(result.claims, plan.tasks),
              _measures_table(result)]
    held = claims_hold(result.claims)
    return Section(name="regimes", title="Aligned vs oblique regimes on the neuroscience "
                   f"tasks (THEORY §6) — claims {verdict}", rows=[], figures=figs, text=text,
                   summary=result.summary(), tables=tables, verdict=held)
