r"""Four solutions of the simple sine task: aligned, marginal, lazy, oblique (THEORY.md §6).

The "different solutions" figure of the main paper (seed ``000_…``; its appendix figure
"Learning curves and eigenvalue spectra for sine wave task") trains full-rank tanh
networks with N = 512 on one sine wave (target on t ∈ [1, 21], ``simulate.tasks.SineTask``)
and finds four kinds of solutions, depending on the output-weight scale, the initial
recurrent weights and the noise during training. The caption gives the four settings in
words only; this module maps them onto ``simulate.TrainConfig`` fields as follows (all
other fields are the ``"regimes"`` preset of THEORY §6: tanh, W, w_in, w_out trained with
Adam at lr = η₀/N, batch 32, dt = 0.2):

==========  ===========================================  =========  =====  ====  ========
solution    caption                                      out_scale  g      σ     x0_noise
==========  ===========================================  =========  =====  ====  ========
aligned     small output weights                         small      1.5    0     0
marginal    large output weights, small recurrent w.     large      0.5    0     0
lazy        large output and recurrent weights           large      1.5    0     0
oblique     large output weights + noise during training large      1.5    0.2   1.0
==========  ===========================================  =========  =====  ====  ========

* "small / large recurrent weights": g = 0.5 (initially decaying activity) vs g = 1.5
  (initially chaotic, THEORY §6's g of the Table-1 networks). The seed gives no value for
  the small one; 0.5 is our choice (any g < 1 gives decaying initial activity).
* Only the oblique network "receives white noise during training"; we use Table 1's
  values for the complex sine (σ = 0.2 in THEORY §1's convention, σ_init = 1.0). The other
  three are trained noise-free from x₀ = 0, so all their trials are identical.
* Learning rate: the seed gives none for the simple sine task; we use Table 1's value
  for the complex sine, η₀ = 0.005 (both output scales). The lazy solution uses the same
  learning rate: it is lazy because the large output weights let a small ΔW produce the
  output (‖ΔW‖ is reported in the table), not because it is trained less.
* Evaluation: the stored evaluation trials of ``simulate.train`` with the training noise
  (σ, x0_noise of the config), as in the caption ("the evaluation is shown with the same
  noise"); for the three noise-free solutions these are the noise-free trajectories.

Measures per solution and seed (:mod:`validate.analysis.measures`, on the trial-averaged
evaluation activity X̄ [T, N] of the whole trial): ρ = ``readout_correlation(w_out, X̄)``,
‖w_out‖_F, ‖x‖ = ``state_norm(X̄)`` (RMS over time of ‖x̄(t)‖), ‖ΔW‖_F = ‖W − W₀‖_F, the
normalised evaluation loss L/L₀ (L₀ = loss of the zero output, i.e. the target power;
``simulate.losses.masked_mse``) and ``regime_label(ρ, N)``.

Rows (:mod:`validate.core.stats`, the one pass rule):

* ``L/L₀`` vs 0, SE over seeds, relative error on the scale 1: the output reproduces the
  target (passes when L/L₀ ≤ 3/√N, the rule's finite-size allowance, or within 4 SE of 0);
* the fraction of seeds that ``measures.regime_label`` calls oblique vs the expected
  fraction (1 for lazy and oblique, whose ρ is O(N^{-1/2}); 0 for aligned and marginal,
  whose ρ is O(1)); a count, so SE = 0 and only an exact match (or a difference within
  3/√N) passes.

Modes: ``"tiny"`` (N = 16, 20 steps: a smoke test, numbers not meaningful), ``"quick"``
(N = 128, 1000 steps, 2 seeds: 152 s wall on the quiet 2-core CPU, about half of it JAX
compilation) and ``"full"`` (N = 512, 6000 steps = Table 1's complex-sine epochs, 3 seeds:
a GPU job).

Measured at quick scale (N = 128, 1000 steps): ρ = 0.51 (aligned), 0.20 (marginal), 0.072
(lazy), 0.062 (oblique); ‖ΔW‖_F = 0.59, 1.15, 0.25, 0.79 (lazy moves W least, relative
change 1.4 %); the marginal solution puts a pair of eigenvalues of W on the stability line
Re λ = 1. The marginal row FAILS at this N: its ‖x‖ ≈ 3.2 lies between O(1) and
O(√N) ≈ 11 (the task's input pulse, w_in entries N(0, 1), drives every unit), so
ρ = 0.20 is below regime_label's boundary N^{-1/4} = 0.30; whether it is O(1) needs larger
N (at N = 512 the boundary is 0.21). With 600 steps instead of 1000 the oblique solution's
noisy L/L₀ was 0.285 > 3/√128 = 0.27 (its variance part is still being learned).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core import stats

__all__ = [
    "MODES",
    "SINE_SOLUTIONS",
    "SinePlan",
    "SineSolution",
    "SineSolutionResult",
    "analyse_sine_run",
    "run_sine_solutions",
    "sine_config",
    "sine_plan",
    "sine_rows",
]

#: Modes of the section functions.
MODES: tuple[str, ...] = ("tiny", "quick", "full")


@dataclasses.dataclass(frozen=True)
class SineSolution:
    """One of the four settings of the figure (see the module docstring's table).

    Attributes:
        name: ``"aligned"``, ``"marginal"``, ``"lazy"`` or ``"oblique"``.
        out_scale: ``"small"`` (‖w_out‖ = O(1/√N)) or ``"large"`` (O(1)), THEORY §1.
        g: initial recurrent gain (W ~ N(0, g²/N)).
        sigma: hidden noise σ during training and evaluation (THEORY §1).
        x0_noise: std of the initial state.
        expected: regime label expected from ρ: ``"aligned"`` (ρ = O(1)) or
            ``"oblique"`` (ρ = O(N^{-1/2})).
        caption: the seed's words for this solution.
    """

    name: str
    out_scale: str
    g: float
    sigma: float
    x0_noise: float
    expected: str
    caption: str


#: The four solutions in the order of the figure.
SINE_SOLUTIONS: tuple[SineSolution, ...] = (
    SineSolution("aligned", "small", 1.5, 0.0, 0.0, "aligned", "small output weights"),
    SineSolution(
        "marginal",
        "large",
        0.5,
        0.0,
        0.0,
        "aligned",
        "large output weights, small recurrent weights",
    ),
    SineSolution(
        "lazy", "large", 1.5, 0.0, 0.0, "oblique", "large output and recurrent weights, no noise"
    ),
    SineSolution(
        "oblique", "large", 1.5, 0.2, 1.0, "oblique", "large output weights, noise during training"
    ),
)


@dataclasses.dataclass(frozen=True)
class SinePlan:
    """Size and length of the sine experiment.

    Attributes:
        N: neurons. steps: Adam steps. seeds: networks per solution (≥ 2 for an SE).
        eta0: learning-rate numerator (lr = eta0/N). record_every: record interval
        (divides steps). seed: base seed.
    """

    N: int = 128
    steps: int = 1000
    seeds: int = 2
    eta0: float = 0.005
    record_every: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.N, bool) or not isinstance(self.N, int) or self.N < 4:
            raise ValueError(f"N={self.N!r} is not allowed; allowed: an integer >= 4")
        if isinstance(self.seeds, bool) or not isinstance(self.seeds, int) or self.seeds < 2:
            raise ValueError(
                f"seeds={self.seeds!r} is not allowed; allowed: an integer >= 2 "
                "(the rows need a standard error over seeds)"
            )
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps={self.steps!r} is not allowed; allowed: an integer >= 1")
        if not (
            isinstance(self.record_every, int)
            and self.record_every >= 1
            and self.steps % self.record_every == 0
        ):
            raise ValueError(
                f"record_every={self.record_every!r} is not allowed; allowed: "
                f"a positive divisor of steps={self.steps}"
            )
        if not (math.isfinite(self.eta0) and self.eta0 > 0):
            raise ValueError(f"eta0={self.eta0!r} is not allowed; allowed: a finite number > 0")


def sine_plan(mode: str) -> SinePlan:
    """The plan of ``mode``: ``"tiny"`` (N=16, 20 steps), ``"quick"`` (N=128, 1000 steps)
    or ``"full"`` (N=512, 6000 steps, 3 seeds); see the module docstring."""
    if mode == "tiny":
        return SinePlan(N=16, steps=20, seeds=2, record_every=5)
    if mode == "quick":
        return SinePlan(N=128, steps=1000, seeds=2, record_every=10)
    if mode == "full":
        return SinePlan(N=512, steps=6000, seeds=3, record_every=20)
    raise ValueError(f"mode={mode!r} is not allowed; allowed: {', '.join(MODES)}")


def sine_config(plan: SinePlan, solution: SineSolution) -> Any:
    """``simulate.TrainConfig`` of one solution (``"regimes"`` preset, task ``"sine"``)."""
    from simulate.config import TrainConfig

    ckpt = max(plan.record_every, (min(500, plan.steps) // plan.record_every) * plan.record_every)
    return TrainConfig.preset(
        "regimes",
        task="sine",
        N=plan.N,
        out_scale=solution.out_scale,
        g=solution.g,
        sigma=solution.sigma,
        x0_noise=solution.x0_noise,
        eta0=plan.eta0,
        steps=plan.steps,
        seeds=plan.seeds,
        seed=plan.seed,
        record_every=plan.record_every,
        checkpoint_every=ckpt,
    )


@dataclasses.dataclass
class SineSolutionResult:
    """Measures of one trained solution (per seed) and what the figures need.

    Per-seed arrays ``[seeds]``: ``rho``, ``w_out_norm``, ``x_norm``, ``dW_norm``,
    ``W0_norm`` (‖W₀‖_F), ``loss_norm`` (L/L₀), ``labels`` (regime labels).

    For the figures (seed 0 unless stated): ``times`` [T] (task time units), ``z`` [B, T]
    outputs and ``x`` [B, T, 4] four units' states of the evaluation trials, ``targets`` [T],
    ``mask`` [T] (bool), ``x_bar`` [T, N] trial-averaged states, ``w_out`` [N],
    ``eig_init``/``eig_final`` [N] eigenvalues of W₀ and W, ``steps`` [n_rec] and the
    learning curves ``loss``, ``loss_bias``, ``dW_curve`` [seeds, n_rec].
    """

    solution: SineSolution
    N: int
    rho: np.ndarray
    w_out_norm: np.ndarray
    x_norm: np.ndarray
    dW_norm: np.ndarray
    W0_norm: np.ndarray
    loss_norm: np.ndarray
    labels: list[str]
    times: np.ndarray
    z: np.ndarray
    x: np.ndarray
    targets: np.ndarray
    mask: np.ndarray
    x_bar: np.ndarray
    w_out: np.ndarray
    eig_init: np.ndarray
    eig_final: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    loss_bias: np.ndarray
    dW_curve: np.ndarray

    def summary(self) -> dict[str, Any]:
        """JSON-friendly per-seed measures."""
        return stats.jsonable(
            {
                "solution": dataclasses.asdict(self.solution),
                "N": self.N,
                "rho": self.rho,
                "w_out_norm": self.w_out_norm,
                "x_norm": self.x_norm,
                "dW_norm": self.dW_norm,
                "W0_norm": self.W0_norm,
                "loss_norm": self.loss_norm,
                "labels": self.labels,
            }
        )  # type: ignore[return-value]


def analyse_sine_run(run: Any, solution: SineSolution) -> SineSolutionResult:
    """Measures of a finished ``simulate`` run of ``solution`` (see the module docstring)."""
    import jax.numpy as jnp

    from simulate.losses import masked_mse

    from ..analysis import measures

    ev = run.evaluation
    N = int(run.config.N)
    x_all = np.asarray(ev["final_noisy_x"], np.float64)  # [seed, B, T, N]
    z_all = np.asarray(ev["final_noisy_z"])  # [seed, B, T, 1]
    targets, mask = np.asarray(ev["targets"]), np.asarray(ev["mask"])
    W = np.asarray(run.params.W, np.float64)
    W0 = np.asarray(run.init_params.W, np.float64)
    w_out = np.asarray(run.params.w_out, np.float64)  # [seed, N, 1]
    seeds = x_all.shape[0]
    rho, wn, xn, loss_norm = [], [], [], []
    labels: list[str] = []
    for s in range(seeds):  # a few seeds: per-network measures on [T, N] arrays
        x_bar = x_all[s].mean(axis=0)  # one condition: the trial average
        r = measures.readout_correlation(w_out[s], x_bar)
        rho.append(r)
        wn.append(measures.readout_norm(w_out[s]))
        xn.append(measures.state_norm(x_bar))
        loss = float(
            masked_mse(jnp.asarray(z_all[s]), jnp.asarray(targets[s]), jnp.asarray(mask[s]))
        )
        loss0 = float(
            masked_mse(
                jnp.zeros_like(jnp.asarray(z_all[s])), jnp.asarray(targets[s]), jnp.asarray(mask[s])
            )
        )
        loss_norm.append(loss / loss0)
        labels.append(measures.regime_label(min(float(r), 1.0), N))
    task = run.config.make_task()
    return SineSolutionResult(
        solution=solution,
        N=N,
        rho=np.asarray(rho),
        w_out_norm=np.asarray(wn),
        x_norm=np.asarray(xn),
        dW_norm=np.linalg.norm(W - W0, axis=(1, 2)),
        W0_norm=np.linalg.norm(W0, axis=(1, 2)),
        loss_norm=np.asarray(loss_norm),
        labels=labels,
        times=np.asarray(task.times(), np.float64),
        z=z_all[0, :, :, 0],
        x=x_all[0, :, :, :4],
        targets=targets[0, 0, :, 0],
        mask=mask[0, 0, :, 0] > 0,
        x_bar=x_all[0].mean(axis=0),
        w_out=w_out[0, :, 0],
        eig_init=np.linalg.eigvals(W0[0]),
        eig_final=np.linalg.eigvals(W[0]),
        steps=np.asarray(run.steps),
        loss=np.asarray(run.records["loss"], np.float64),
        loss_bias=np.asarray(run.records["loss_bias"], np.float64),
        dW_curve=np.asarray(run.records["dW_norm"], np.float64),
    )


def run_sine_solutions(
    plan: SinePlan,
    runs_dir: str | Path,
    *,
    progress: bool = True,
    log: Callable[[str], None] = lambda s: None,
    solutions: Sequence[SineSolution] = SINE_SOLUTIONS,
) -> list[SineSolutionResult]:
    """Train (or load / resume) every solution under ``runs_dir/regimes_sine/`` and analyse.

    Run directory of a solution: ``<name>-N<N>-steps<steps>-seeds<seeds>-seed<seed>``
    (``simulate.train``: finished runs are loaded, interrupted ones resume).
    """
    from simulate.training import train

    out = []
    for sol in solutions:
        cfg = sine_config(plan, sol)
        name = f"{sol.name}-N{plan.N}-steps{plan.steps}-seeds{plan.seeds}-seed{plan.seed}"
        log(f"  sine {sol.name}: N={plan.N}, {plan.steps} steps × {plan.seeds} seeds")
        run = train(cfg, Path(runs_dir) / "regimes_sine" / name, progress=progress)
        out.append(analyse_sine_run(run, sol))
    return out


def sine_rows(results: Sequence[SineSolutionResult]) -> list[stats.Comparison]:
    """Comparison rows of the module docstring (two per solution)."""
    rows = []
    for res in results:
        sol = res.solution
        setting = f"{sol.name}, N={res.N}"
        rows.append(
            stats.compare(
                "L/L₀ (evaluation)",
                0.0,
                res.loss_norm,
                se_kind="seeds",
                N=res.N,
                scale=1.0,
                experiment="regimes-sine",
                setting=setting,
                tolerance=stats.finite_size_bound(res.N),
                note="L₀ = loss of the zero output (target power); relative error on the scale "
                "1: the trained output misses at most 3/√N of the target power",
            )
        )
        frac = float(np.mean([lab == "oblique" for lab in res.labels]))
        rows.append(
            stats.compare_estimate(
                "fraction labelled oblique",
                1.0 if sol.expected == "oblique" else 0.0,
                frac,
                0.0,
                len(res.labels),
                se_kind="seeds",
                N=res.N,
                scale=1.0,
                experiment="regimes-sine",
                setting=setting,
                tolerance=stats.finite_size_bound(res.N),
                note=f"measures.regime_label(ρ, N) per seed; expected {sol.expected!r} "
                "(a count: SE 0, scale 1)",
            )
        )
    return rows
