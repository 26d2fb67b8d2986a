"""Gradient-descent training of many seeds at once (THEORY.md §3, §4, §6).

All ``config.seeds`` networks of one :class:`~simulate.config.TrainConfig` train as ONE
vmapped, jitted computation. Steps run inside ``lax.scan`` in host-side chunks of
``checkpoint_every`` steps; after each chunk the run is checkpointed (atomically, see
:mod:`simulate.runs`) and a tqdm bar advances.

One training step of seed s at step t (0-based):

1. ``key = fold_in(fold_in(fold_in(key(seed), s), 1), t)`` — a pure function of
   (seed, s, t), so a run resumed from a checkpoint draws exactly the same trials and
   noise as an uninterrupted one;
2. fresh trials ``task.sample(k_task, batch)`` and a noisy simulation
   (:func:`simulate.dynamics.simulate`, THEORY §1) from x₀ = x0_noise·ξ;
3. loss = masked MSE (:func:`simulate.losses.loss_split`), gradient w.r.t. the
   ``trainable`` arrays, one update ``−lr(t)·d`` with d the optax direction (identity for
   SGD, ``scale_by_adam`` for Adam) and lr(t) the piecewise-constant schedule of
   :meth:`TrainConfig.schedule` — the same arithmetic as ``optax.sgd/adam(schedule)``,
   with the learning rates passed as run-time arrays.

Compilation: the jitted chunk is cached per *structure* of the config (everything but
seed, seeds, steps, learning rates, checkpointing), so runs that differ only in those
reuse one compilation in a process (see ``_trainer_for``).

Non-finite values: the first step with a NaN/±inf loss of each seed is tracked inside the
chunk; after the chunk (and if the updated parameters are non-finite) training stops with
:class:`simulate.runs.NonFiniteLossError` naming the step and seed; the last checkpoint,
written before that chunk, stays on disk.

Records are taken at steps t = 0, k, 2k, … (k = ``record_every``) from the batch of that
step, with the parameters *before* its update (so record 0 is the initial network); all
records have shape [seeds, n_records, ...] with n_records = steps/k:

* all models: ``loss``, ``loss_bias``, ``loss_var`` (THEORY §1 split);
* low rank (THEORY §2, §4): ``M`` [R, R], ``eigvals`` [R] (complex, sorted by real part,
  descending; computed on the host), ``kappa_bar`` [R] (κ = Uᵀx/N, sign-flipped and
  averaged over trials and the loss window t ≥ first masked time), ``kappa_norm`` ‖κ̄‖,
  ``rho`` = |w_outᵀ x̄| / (‖w_out‖ ‖x̄‖) with x̄ = U κ̄ (the mean state's part in span U;
  THEORY §2: ρ = cos θ₊);
* rate (THEORY §3, §6): ``dW_norm`` ‖W − W_init‖_F, ``dw_out_norm`` ‖w_out − w_out,init‖_F,
  ``x_norm`` (RMS over conditions and time of ‖x̄_c(t)‖, x̄_c the condition average of the
  sign-flipped noisy batch), ``rho`` (Frobenius correlation of w_out with those x̄_c(t),
  THEORY §1), ``M_proj`` = [w₁ w₂]ᵀ (W − W_init) [w₁ w₂] with w₁ = w_out,init/‖·‖ and w₂
  the normalised part of w_in,init orthogonal to w₁ (first columns; THEORY §3),
  ``dx_bar_norm`` = ‖x̄ − x̄_init‖ with x̄ the noise-free (σ = 0, x₀ = 0) state averaged
  (sign-flipped) over trials and the loss window, current vs initial network on the same
  batch (for a linear network this is the trial-averaged state of THEORY §3).

Evaluation trajectories (``config.eval_batch`` trials per seed, the same trials before
and after training) are stored with noise (σ, x0_noise of the config) and without
(σ = 0, x₀ = 0).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .build import _EVAL, _STEPS, Model, _dtype, _stack, init_models, seed_keys
from .config import GATED_MODELS, TrainConfig
from .dynamics import simulate
from .gated import GatedRNN
from .losses import condition_mean, correlation, flipped_mean, loss_split
from .models import LowRankRNN, RateRNN
from .runs import NonFiniteLossError, Run, RunDirectory, check_out, load

__all__ = [
    "GATED_RECORDS",
    "LOW_RANK_RECORDS",
    "RATE_RECORDS",
    "check_sweep_out",
    "evaluate",
    "make_optimizer",
    "sweep",
    "train",
    "trainable_filter",
]


_T = TypeVar("_T")


def _resolved(value: _T | None, name: str) -> _T:
    """A config field that ``TrainConfig.__post_init__`` resolved from the task (never None
    on a built config; the check narrows the Optional type)."""
    if value is None:
        raise ValueError(f"{name}=None was not resolved; build configs with TrainConfig(...)")
    return value


#: Names of the records of each model type (see the module docstring).
LOW_RANK_RECORDS: tuple[str, ...] = (
    "loss",
    "loss_bias",
    "loss_var",
    "M",
    "eigvals",
    "kappa_bar",
    "kappa_norm",
    "rho",
)
RATE_RECORDS: tuple[str, ...] = (
    "loss",
    "loss_bias",
    "loss_var",
    "dW_norm",
    "dw_out_norm",
    "x_norm",
    "rho",
    "M_proj",
    "dx_bar_norm",
)
GATED_RECORDS: tuple[str, ...] = (
    "loss",
    "loss_bias",
    "loss_var",
    "dW_norm",
    "dw_out_norm",
    "x_norm",
    "rho",
)


def trainable_filter(config: TrainConfig, model: Model) -> Any:
    """Boolean pytree like ``model``: True on the arrays named in ``config.trainable``."""
    spec = jax.tree_util.tree_map(lambda _: False, model)
    names = _resolved(config.trainable, "trainable")
    return eqx.tree_at(
        lambda m: tuple(getattr(m, n) for n in names), spec, replace=(True,) * len(names)
    )


def make_optimizer(config: TrainConfig) -> optax.GradientTransformation:
    """optax SGD/Adam with the piecewise-constant schedule of ``config.schedule()``.

    (:func:`train` applies the same update in two parts, the direction from
    :func:`_direction` and the step size from :func:`_lr_table`, so that the learning
    rate is a run-time value and configs differing only in it share one compilation.)"""
    sched = config.schedule()
    if len(sched) == 1:
        lr: float | optax.Schedule = sched[0][1]
    else:
        bounds = np.cumsum([s for s, _ in sched])[:-1].tolist()
        lr = optax.join_schedules([optax.constant_schedule(v) for _, v in sched], bounds)
    opt = optax.sgd(lr) if config.optimizer == "sgd" else optax.adam(lr)
    if config.grad_clip is not None:
        opt = optax.chain(optax.clip_by_global_norm(config.grad_clip), opt)
    return opt


def _direction(config: TrainConfig) -> optax.GradientTransformation:
    """The optimiser without its step size: identity (SGD) or ``scale_by_adam`` (Adam,
    optax defaults), after ``clip_by_global_norm`` when ``config.grad_clip`` is set.
    ``update = −lr(t)·direction`` equals :func:`make_optimizer`'s update."""
    base = optax.identity() if config.optimizer == "sgd" else optax.scale_by_adam()
    if config.grad_clip is not None:
        return optax.chain(optax.clip_by_global_norm(config.grad_clip), base)
    return base


def _lr_table(config: TrainConfig, dtype: Any) -> tuple[jax.Array, jax.Array]:
    """(bounds [P−1] int32, lrs [P]) of the piecewise-constant schedule: step t uses
    ``lrs[searchsorted(bounds, t, side="right")]`` (THEORY §3 two phases, §6 η₀/N)."""
    sched = config.schedule()
    bounds = np.cumsum([s for s, _ in sched])[:-1].astype(np.int32)
    return jnp.asarray(bounds), jnp.asarray([v for _, v in sched], dtype)


def _lr_at(lr: tuple[jax.Array, jax.Array], t: jax.Array) -> jax.Array:
    """Learning rate of global step t (0-based) from a :func:`_lr_table`."""
    bounds, lrs = lr
    return lrs[jnp.searchsorted(bounds, t, side="right")]


# ----------------------------------------------------------------------------- records
def _window(mask: jax.Array) -> jax.Array:
    """Time weights [T]: 1 from the first masked step to the end of the trial."""
    masked = jnp.sum(mask, axis=(0, 2)) > 0
    first = jnp.argmax(masked)
    return (jnp.arange(mask.shape[1]) >= first).astype(mask.dtype)


def _low_rank_records(model: LowRankRNN, latents: jax.Array, batch: Any) -> dict[str, jax.Array]:
    kbar = flipped_mean(latents, batch.sign, _window(batch.mask))  # [R]
    x_bar = model.U @ kbar  # mean state projected on span U, [N]
    return {
        "M": model.M,
        "kappa_bar": kbar,
        "kappa_norm": jnp.linalg.norm(kbar),
        "rho": correlation(model.w_out, x_bar[None, :]),
    }


def _rate_basis(model: RateRNN) -> jax.Array:
    """[w₁ w₂] (N×2): w₁ = w_out[:,0]/‖·‖, w₂ = normalised w_in[:,0] ⟂ w₁ (THEORY §3)."""
    w1 = model.w_out[:, 0] / jnp.linalg.norm(model.w_out[:, 0])
    v = model.w_in[:, 0] - jnp.dot(w1, model.w_in[:, 0]) * w1
    return jnp.stack([w1, v / jnp.linalg.norm(v)], axis=1)


def _rate_records(
    model: RateRNN,
    init: RateRNN,
    x: jax.Array,
    batch: Any,
    task: Any,
    config: TrainConfig,
    key: jax.Array,
) -> dict[str, jax.Array]:
    flipped = x * batch.sign[:, None, None]
    x_c = condition_mean(flipped, batch.condition, task.n_conditions)  # [C, T, N]
    basis = _rate_basis(init)
    dW = model.W - init.W
    w = _window(batch.mask)

    def clean_mean(net: RateRNN) -> jax.Array:
        tr = simulate(
            net, batch.inputs, key=key, sigma=0.0, dt=_resolved(config.dt, "dt"), record="x"
        )
        return flipped_mean(_resolved(tr.x, "x"), batch.sign, w)

    return {
        "dW_norm": jnp.linalg.norm(dW),
        "dw_out_norm": jnp.linalg.norm(model.w_out - init.w_out),
        "x_norm": jnp.linalg.norm(x_c) / math.sqrt(x_c.shape[0] * x_c.shape[1]),
        "rho": correlation(model.w_out, x_c),
        "M_proj": basis.T @ dW @ basis,
        "dx_bar_norm": jnp.linalg.norm(clean_mean(model) - clean_mean(init)),
    }


def _gated_records(
    model: GatedRNN, init: GatedRNN, x: jax.Array, batch: Any, task: Any
) -> dict[str, jax.Array]:
    """Records of a gated model: the rate records that need no THEORY §3 geometry, on the
    hidden units h (‖ΔW‖ over all recurrent blocks)."""
    flipped = model.hidden(x) * batch.sign[:, None, None]
    h_c = condition_mean(flipped, batch.condition, task.n_conditions)  # [C, T, units]
    return {
        "dW_norm": jnp.linalg.norm(model.W_h - init.W_h),
        "dw_out_norm": jnp.linalg.norm(model.w_out - init.w_out),
        "x_norm": jnp.linalg.norm(h_c) / math.sqrt(h_c.shape[0] * h_c.shape[1]),
        "rho": correlation(model.w_out, h_c),
    }


# ----------------------------------------------------------------------------- the step
@dataclasses.dataclass(frozen=True)
class _Trainer:
    """Everything static of one config: task, optimiser, the jitted chunk function."""

    config: TrainConfig  # a representative: only its structural fields are read here
    task: Any
    opt: optax.GradientTransformation  # the direction, see _direction

    def forward(
        self, params: Any, frozen: Any, batch: Any, key: jax.Array, record: str
    ) -> tuple[jax.Array, Any]:
        model = eqx.combine(params, frozen)
        c = self.config
        traj = simulate(
            model,
            batch.inputs,
            key=key,
            sigma=_resolved(c.sigma, "sigma"),
            dt=_resolved(c.dt, "dt"),
            x0_noise=_resolved(c.x0_noise, "x0_noise"),
            input_noise=_resolved(c.input_noise, "input_noise"),
            record=record,
        )
        split = loss_split(
            traj.z, batch.targets, batch.mask, batch.sign, batch.condition, self.task.n_conditions
        )
        return split.loss, (split, traj)

    def seed_step(
        self,
        params: Any,
        frozen: Any,
        opt_state: Any,
        init: Any,
        step_key: jax.Array,
        lr: Any,  # the learning-rate table (bounds, values) of _lr_table
        t: jax.Array,
        *,
        with_records: bool,
    ) -> Any:
        """One SGD/Adam step of one seed; records of the pre-update network if asked.

        ``lr`` = (bounds, lrs) of :func:`_lr_table`; ``t`` the global step (int32)."""
        k_task, k_sim, k_rec = jax.random.split(jax.random.fold_in(step_key, t), 3)
        batch = self.task.sample(k_task, self.config.batch)
        if not with_records:
            record = "output"
        else:
            record = "latent" if self.config.model == "low_rank" else "x"
        grad_fn = jax.value_and_grad(self.forward, has_aux=True)
        (loss, (split, traj)), grads = grad_fn(params, frozen, batch, k_sim, record)
        direction, new_opt_state = self.opt.update(grads, opt_state, params)
        step_size = -_lr_at(lr, t)
        updates = jax.tree_util.tree_map(lambda d: step_size * d, direction)
        new_params = optax.apply_updates(params, updates)
        rec: dict[str, jax.Array] = {}
        if with_records:
            model = eqx.combine(params, frozen)
            rec = {"loss": split.loss, "loss_bias": split.loss_bias, "loss_var": split.loss_var}
            if self.config.model == "low_rank":
                rec.update(_low_rank_records(model, traj.x, batch))
            elif self.config.model in GATED_MODELS:
                rec.update(_gated_records(model, init, traj.x, batch, self.task))
            else:
                rec.update(_rate_records(model, init, traj.x, batch, self.task, self.config, k_rec))
        return new_params, new_opt_state, loss, rec

    def chunk(
        self,
        params: Any,
        frozen: Any,
        opt_state: Any,
        init: Any,
        step_keys: jax.Array,
        lr: Any,
        bad: jax.Array,
        t0: jax.Array,
        *,
        n_blocks: int,
    ) -> Any:
        """``n_blocks·record_every`` steps from step t0, records at t0, t0+k, …

        ``bad`` [seeds] holds the first step with a non-finite loss per seed (−1: none).
        """
        k = self.config.record_every
        vstep = jax.vmap(
            partial(self.seed_step, with_records=False), in_axes=(0, 0, 0, 0, 0, None, None)
        )
        vstep_rec = jax.vmap(
            partial(self.seed_step, with_records=True), in_axes=(0, 0, 0, 0, 0, None, None)
        )

        def mark(bad: jax.Array, loss: jax.Array, t: jax.Array) -> jax.Array:
            return jnp.where((bad < 0) & ~jnp.isfinite(loss), t, bad)

        def inner(carry: Any, t: jax.Array) -> Any:
            params, opt_state, bad = carry
            params, opt_state, loss, _ = vstep(params, frozen, opt_state, init, step_keys, lr, t)
            return (params, opt_state, mark(bad, loss, t)), None

        def block(carry: Any, i: jax.Array) -> Any:
            params, opt_state, bad = carry
            t = t0 + i * k
            params, opt_state, loss, rec = vstep_rec(
                params, frozen, opt_state, init, step_keys, lr, t
            )
            bad = mark(bad, loss, t)
            if k > 1:  # static: with k = 1 there is no inner loop to compile
                (params, opt_state, bad), _ = jax.lax.scan(
                    inner, (params, opt_state, bad), t + 1 + jnp.arange(k - 1, dtype=t.dtype)
                )
            return (params, opt_state, bad), rec

        def every(carry: Any, t: jax.Array) -> Any:
            params, opt_state, bad = carry
            params, opt_state, loss, rec = vstep_rec(
                params, frozen, opt_state, init, step_keys, lr, t
            )
            return (params, opt_state, mark(bad, loss, t)), rec

        if self.config.model == "low_rank" or k == 1:
            # low-rank records are cheap (κ is R numbers per state): take them at every
            # step and keep every k-th; one step function to compile instead of two
            (params, opt_state, bad), recs = jax.lax.scan(
                every, (params, opt_state, bad), t0 + jnp.arange(n_blocks * k, dtype=jnp.int32)
            )
            recs = jax.tree_util.tree_map(lambda a: a[::k], recs)
        else:
            (params, opt_state, bad), recs = jax.lax.scan(
                block, (params, opt_state, bad), jnp.arange(n_blocks, dtype=jnp.int32)
            )
        # recs: [n_blocks, seeds, ...] → [seeds, n_blocks, ...]
        recs = jax.tree_util.tree_map(lambda a: jnp.swapaxes(a, 0, 1), recs)
        return params, opt_state, bad, recs

    @property
    def jitted_chunk(self) -> Callable:
        return _jit_chunk(self)


#: Fields that do not change the compiled chunk: they are run-time values (seed → keys,
#: learning rates → _lr_table) or shapes (seeds), or not read by it. ``phases`` is kept
#: only through its length (the shape of the learning-rate table).
_NOT_STRUCTURAL = (
    "seed",
    "seeds",
    "steps",
    "checkpoint_every",
    "eval_batch",
    "eta0",
    "lr_scaling",
    "phases",
    # read only by the initialisation (_make_one), never by the compiled step
    "out_scale",
    "g",
    "init",
    "rho_io",
    "rho_io_scaling",
    "input_std",
    "bias_std",
)
_TRAINERS: dict[str, _Trainer] = {}


def _structure_key(config: TrainConfig) -> str:
    d = config.to_dict()
    for name in _NOT_STRUCTURAL:
        d.pop(name)
    d["n_phases"] = len(config.schedule())
    return json.dumps(d, sort_keys=True)


def _trainer_for(config: TrainConfig) -> _Trainer:
    """One :class:`_Trainer` per *structure* of config (see ``_NOT_STRUCTURAL``), so the
    jitted chunk is compiled once per structure and shape in a process: the trainer is a
    static argument of ``eqx.filter_jit`` (a fresh one per call would be a cache miss).
    Configs that differ only in seed, seeds, steps, learning rate, checkpointing share it."""
    key = _structure_key(config)
    if key not in _TRAINERS:
        if len(_TRAINERS) >= 32:  # bounded: drop the oldest
            _TRAINERS.pop(next(iter(_TRAINERS)))
        _TRAINERS[key] = _Trainer(config, config.make_task(), _direction(config))
    return _TRAINERS[key]


@eqx.filter_jit
def _chunk_entry(
    trainer_static: Any,
    params: Any,
    frozen: Any,
    opt_state: Any,
    init: Any,
    step_keys: jax.Array,
    lr: jax.Array,
    bad: jax.Array,
    t0: jax.Array,
    n_blocks: int,
) -> Any:
    return trainer_static.chunk(
        params, frozen, opt_state, init, step_keys, lr, bad, t0, n_blocks=n_blocks
    )


def _jit_chunk(trainer: _Trainer) -> Callable:
    def run(
        params: Any,
        frozen: Any,
        opt_state: Any,
        init: Any,
        step_keys: jax.Array,
        lr: Any,
        bad: jax.Array,
        t0: jax.Array,
        n_blocks: int,
    ) -> Any:
        return _chunk_entry(
            trainer,
            params,
            frozen,
            opt_state,
            init,
            step_keys,
            lr,
            bad,
            jnp.asarray(t0, jnp.int32),
            n_blocks,
        )

    return run


def _eigvals_sorted(M: np.ndarray) -> np.ndarray:
    """Eigenvalues of [..., R, R] matrices, sorted by real part (then imag.), descending."""
    cdtype = np.complex128 if M.dtype == np.float64 else np.complex64
    ev = np.linalg.eigvals(M).astype(cdtype)  # numpy returns real dtype when all are real
    order = np.lexsort((-ev.imag, -ev.real), axis=-1)
    return np.take_along_axis(ev, order, axis=-1)


# ----------------------------------------------------------------------------- evaluation
def evaluate(config: TrainConfig, init: Model, final: Model) -> dict[str, np.ndarray]:
    """Evaluation trajectories of every seed before (``init``) and after (``final``) training.

    The same ``config.eval_batch`` trials (per seed, from ``fold_in(seed key, 2)``) are run
    with noise (σ, x0_noise of the config; ``*_noisy_*``) and without (σ = 0, x₀ = 0;
    ``*_clean_*``). Keys: ``inputs``, ``targets``, ``mask`` [seed, B, T, ·], ``condition``,
    ``sign`` [seed, B], and ``{init,final}_{noisy,clean}_{z,latent|x}``; ``latent`` (κ,
    [seed, B, T, R]) for low-rank models, ``x`` ([seed, B, T, N]) for rate models.
    """
    res = _evaluation_fn(_trainer_for(config).config, config.eval_batch)(
        init, final, seed_keys(config, _EVAL)
    )
    return {k: np.asarray(v) for k, v in res.items()}


@lru_cache(maxsize=16)
def _evaluation_fn(config: TrainConfig, eval_batch: int) -> Callable:
    """The jitted, seed-vmapped evaluation of :func:`evaluate`, one per structure of
    config (the representative of :func:`_trainer_for`) and ``eval_batch``."""
    task = config.make_task()
    record = "latent" if config.model == "low_rank" else "x"

    @jax.jit
    @partial(jax.vmap, in_axes=(0, 0, 0))
    def run(m0: Model, m1: Model, key: jax.Array) -> dict[str, jax.Array]:
        k_task, k_sim = jax.random.split(key)
        batch = task.sample(k_task, eval_batch)
        out = {
            "inputs": batch.inputs,
            "targets": batch.targets,
            "mask": batch.mask,
            "condition": batch.condition,
            "sign": batch.sign,
        }
        # init and final network as one vmapped simulation each (fewer ops to compile)
        both = _stack([m0, m1])

        @jax.vmap
        def noisy(m: Model) -> Any:
            return simulate(
                m,
                batch.inputs,
                key=k_sim,
                sigma=_resolved(config.sigma, "sigma"),
                dt=_resolved(config.dt, "dt"),
                x0_noise=_resolved(config.x0_noise, "x0_noise"),
                input_noise=_resolved(config.input_noise, "input_noise"),
                record=record,
            )

        @jax.vmap
        def clean(m: Model) -> Any:
            dt = _resolved(config.dt, "dt")
            return simulate(m, batch.inputs, key=k_sim, sigma=0.0, dt=dt, record=record)

        for kind, traj in (("noisy", noisy(both)), ("clean", clean(both))):
            for i, name in enumerate(("init", "final")):
                out[f"{name}_{kind}_z"] = traj.z[i]
                out[f"{name}_{kind}_{record}"] = traj.x[i]
        return out

    return run


# ----------------------------------------------------------------------------- train
def _raise_non_finite(
    config: TrainConfig, rundir: RunDirectory | None, bad: np.ndarray, t: int
) -> None:
    """Raise :class:`NonFiniteLossError` for the seed that went bad first (``bad`` [seeds]:
    first non-finite step per seed, −1 for none); ``t`` = step of the last good state."""
    s = int(np.argmax(np.where(bad >= 0, -bad, -np.inf)))
    step = int(bad[s])
    if rundir is None:
        where = ""
    elif t > 0:
        where = (
            f"; the last good checkpoint (step {t}) is kept in {rundir.path} "
            "(rerunning the same call resumes from it)"
        )
    else:
        where = "; no checkpoint was written yet (the failure is in the first chunk)"
    raise NonFiniteLossError(
        f"non-finite loss or parameters at training step {step} for seed index {s} "
        f"(of seeds={config.seeds}, base seed={config.seed}); lower the learning rate "
        f"(eta0={config.eta0}){where}",
        step=step,
        seed_index=s,
    )


def train(
    config: TrainConfig,
    out: str | Path | None = None,
    *,
    progress: bool = True,
    restart: bool = False,
) -> Run:
    """Train ``config.seeds`` networks of ``config`` together and return the :class:`Run`.

    **Arguments**
      config: the :class:`TrainConfig`.
      out: run directory. ``None`` → train in memory, nothing written. Otherwise the run is
        saved there (``config.json``, checkpoints every ``checkpoint_every`` steps, then
        ``records.npz``, ``params_init.npz``, ``params_final.npz``, ``evaluation.npz``);
        a finished run with the same config is loaded, not retrained; an interrupted one
        resumes from its last checkpoint (bit-identical to an uninterrupted run); a
        directory holding a different config raises ``ValueError``.
      progress: show a tqdm bar over the chunks.
      restart: an unfinished (failed or interrupted) run in ``out`` — with this or another
        config — has its files moved to ``out/.archive/<UTC time>/`` and training starts
        from step 0; refused for a finished run.

    **Returns**
      :class:`simulate.runs.Run` with records [seed, n_rec, ...] at steps 0, k, 2k, ….

    **Raises**
      NonFiniteLossError: a loss became NaN/inf; the message names the step and the seed
        index; the last good checkpoint stays in ``out`` and ``failed.json`` says where.
      RunLockedError: another live process is writing ``out``.
      RunFileError: no stored checkpoint of ``out`` passes its checksum.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig; got {type(config).__name__}")
    if out is None:
        return _train(config, None, progress)
    if check_out(out, config, restart=restart) == "finished":
        return load(out)  # read-only: no lock taken, nothing written
    with RunDirectory(out, config, restart=restart) as rundir:
        done = rundir.load_finished()
        if done is not None:
            return done
        try:
            return _train(config, rundir, progress)
        except NonFiniteLossError as err:
            rundir.record_failure(err)
            raise


def _train(config: TrainConfig, rundir: RunDirectory | None, progress: bool) -> Run:
    """The training loop of :func:`train` (``rundir`` locked by the caller, or ``None``)."""
    _dtype(config)  # switch on 64-bit mode before building anything, if asked
    init = init_models(config)
    spec = trainable_filter(config, init)
    params, frozen = eqx.partition(init, spec)
    trainer = _trainer_for(config)
    opt_state = jax.vmap(trainer.opt.init)(params)
    step_keys = seed_keys(config, _STEPS)
    lr = _lr_table(config, jax.tree_util.tree_leaves(params)[0].dtype)
    chunk = trainer.jitted_chunk

    t = 0
    records: dict[str, list[np.ndarray]] = {}
    if rundir is not None:
        ckpt = rundir.load_checkpoint(params, opt_state, step_keys)
        if ckpt is not None:
            t, params, opt_state, saved = ckpt
            records = {k: [v] for k, v in saved.items()}
        else:
            rundir.save_init(init)

    from tqdm.auto import tqdm

    bar = tqdm(
        total=config.steps,
        initial=t,
        unit="step",
        disable=not progress,
        desc=f"train {config.task} N={config.N} ×{config.seeds}",
    )
    bad = jnp.full((config.seeds,), -1, jnp.int32)
    steps = _resolved(config.steps, "steps")
    t_start = time.perf_counter()
    try:
        while t < steps:
            n = min(config.checkpoint_every, steps - t)
            new_params, new_opt, bad, recs = chunk(
                params, frozen, opt_state, init, step_keys, lr, bad, t, n // config.record_every
            )
            bad_np = np.asarray(bad)
            if not (bad_np >= 0).any():
                # a finite last loss can still come with non-finite updated parameters
                finite = jax.tree_util.tree_map(
                    lambda a: jnp.all(jnp.isfinite(a), axis=tuple(range(1, a.ndim))), new_params
                )
                ok = np.all(
                    np.stack([np.asarray(f) for f in jax.tree_util.tree_leaves(finite)]), axis=0
                )
                bad_np = np.where(ok, -1, t + n - 1)
            if (bad_np >= 0).any():
                _raise_non_finite(config, rundir, bad_np, t)
            recs_np = {k: np.asarray(v) for k, v in recs.items()}
            if "M" in recs_np:
                recs_np["eigvals"] = _eigvals_sorted(recs_np["M"])
            for k, v in recs_np.items():
                records.setdefault(k, []).append(v)
            params, opt_state = new_params, new_opt
            t += n
            if rundir is not None and t < steps:
                rundir.save_checkpoint(
                    t,
                    params,
                    opt_state,
                    step_keys,
                    {k: np.concatenate(v, axis=1) for k, v in records.items()},
                )
            bar.update(n)
    finally:
        bar.close()
    wall = time.perf_counter() - t_start

    final = eqx.combine(params, frozen)
    recs_all = {k: np.concatenate(v, axis=1) for k, v in records.items()}
    evaluation = evaluate(config, init, final)
    run = Run(
        config=config,
        path=None,
        steps=np.arange(0, steps, config.record_every),
        records=recs_all,
        params=final,
        init_params=init,
        evaluation=evaluation,
        info={"wall_seconds_last_session": wall, "backend": jax.default_backend()},
    )
    if rundir is not None:
        run = rundir.save_finished(run)
    return run


def sweep(
    config: TrainConfig,
    Ns: Sequence[int],
    out: str | Path,
    *,
    progress: bool = True,
    restart: bool = False,
) -> list[Run]:
    """Train ``config`` at each size in ``Ns``, one after another, into ``out/N{n}/``.

    Each size is its own resumable run (:func:`train`, ``restart`` passed on); finished
    sizes are loaded. ``out`` holding a single run (its own ``config.json``) is refused
    instead of nesting the sweep inside it.
    """
    if len(Ns) == 0:
        raise ValueError("Ns=[] is not allowed; allowed: a non-empty list of sizes >= 2")
    out = Path(out)
    check_sweep_out(out)
    configs = [config.replace(N=n) for n in Ns]  # N=2.7 is refused, not truncated to 2
    return [train(c, out / f"N{c.N}", progress=progress, restart=restart) for c in configs]


def check_sweep_out(out: str | Path) -> None:
    """``ValueError`` if ``out`` is a file or already holds a single run (not a sweep)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out={str(out)!r} exists and is not a directory")
    if (out / "config.json").exists():
        raise ValueError(
            f"out={str(out)!r} holds a single run (config.json); a sweep writes "
            "out/N<n>/ — use another directory for the sweep"
        )
