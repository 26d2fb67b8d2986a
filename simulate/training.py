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
   ``trainable`` arrays, one optax update (SGD or Adam, learning-rate schedule of
   :meth:`TrainConfig.schedule`).

Records are taken at steps t = 0, k, 2k, … (k = ``record_every``) from the batch of that
step, with the parameters *before* its update (so record 0 is the initial network):

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
import math
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from ._dtypes import enable_float64
from .config import TrainConfig
from .dynamics import simulate
from .losses import condition_mean, correlation, flipped_mean, loss_split
from .models import LowRankRNN, RateRNN, make_low_rank, make_rate_rnn
from .runs import NonFiniteLossError, Run, RunDirectory

__all__ = [
    "LOW_RANK_RECORDS",
    "RATE_RECORDS",
    "evaluate",
    "init_models",
    "make_optimizer",
    "seed_keys",
    "sweep",
    "train",
    "trainable_filter",
]

#: Names of the records of each model type (see the module docstring).
LOW_RANK_RECORDS: tuple[str, ...] = (
    "loss", "loss_bias", "loss_var", "M", "eigvals", "kappa_bar", "kappa_norm", "rho",
)
RATE_RECORDS: tuple[str, ...] = (
    "loss", "loss_bias", "loss_var", "dW_norm", "dw_out_norm", "x_norm", "rho", "M_proj",
    "dx_bar_norm",
)

Model = LowRankRNN | RateRNN

# purposes folded into each seed's key
_INIT, _STEPS, _EVAL = 0, 1, 2


# ----------------------------------------------------------------------------- set-up
def seed_keys(config: TrainConfig, purpose: int) -> jax.Array:
    """Keys ``fold_in(fold_in(key(config.seed), s), purpose)`` for s < seeds, shape [seeds]."""
    root = jax.random.key(config.seed)
    return jax.vmap(lambda s: jax.random.fold_in(jax.random.fold_in(root, s), purpose))(
        jnp.arange(config.seeds)
    )


def _dtype(config: TrainConfig) -> Any:
    if config.dtype == "float64":
        enable_float64()  # documented: float64 runs switch JAX to 64-bit mode
        return jnp.float64
    return jnp.float32


def _make_one(config: TrainConfig, task: Any, key: jax.Array) -> Model:
    dtype = _dtype(config)
    if config.model == "low_rank":
        return make_low_rank(
            key, config.N, rank=config.rank, n_in=task.n_in, n_out=task.n_out,
            out_scale=config.out_scale, rho_io=config.effective_rho_io, g=config.g,
            nonlinearity=config.nonlinearity, dtype=dtype,
        )  # M = 0 ("zero_M", the only low-rank init)
    net = make_rate_rnn(
        key, config.N, n_in=task.n_in, n_out=task.n_out, g=config.g,
        out_scale=config.out_scale, nonlinearity=config.nonlinearity, dtype=dtype,
    )
    if config.init == "zero_W":
        net = eqx.tree_at(lambda m: m.W, net, jnp.zeros_like(net.W))
    elif config.init == "two_phase":
        # THEORY §3: W = 0; (w_out, w_in) with the geometry of make_low_rank
        # (w_out = s·w₁, w_in = √N(ρ_io w₁ + sqrt(1−ρ_io²) w₂), w₁ ⟂ w₂ unit vectors).
        geo = make_low_rank(
            key, config.N, rank=1, n_in=task.n_in, n_out=task.n_out,
            out_scale=config.out_scale, rho_io=config.effective_rho_io, g=0.0,
            nonlinearity=config.nonlinearity, dtype=dtype,
        )
        net = RateRNN(W=jnp.zeros_like(net.W), w_in=geo.w_in, w_out=geo.w_out,
                      nonlinearity=config.nonlinearity)
    return net


def _stack(trees: Sequence[Any]) -> Any:
    return jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *trees)


def init_models(config: TrainConfig) -> Model:
    """The initial networks of all seeds, stacked along a leading seed axis.

    Seed s is built from ``fold_in(fold_in(key(config.seed), s), 0)``; the model
    constructors are THEORY §2/§4 (low rank) and §6 (rate), with ``config.init``.
    """
    task = config.make_task()
    keys = seed_keys(config, _INIT)
    # initialisation only (not a hot path): one constructor call per seed, then stack
    return _stack([_make_one(config, task, keys[s]) for s in range(config.seeds)])


def trainable_filter(config: TrainConfig, model: Model) -> Any:
    """Boolean pytree like ``model``: True on the arrays named in ``config.trainable``."""
    spec = jax.tree_util.tree_map(lambda _: False, model)
    names = config.trainable
    return eqx.tree_at(lambda m: tuple(getattr(m, n) for n in names), spec,
                       replace=(True,) * len(names))


def make_optimizer(config: TrainConfig) -> optax.GradientTransformation:
    """optax SGD/Adam with the piecewise-constant schedule of ``config.schedule()``."""
    sched = config.schedule()
    if len(sched) == 1:
        lr: float | optax.Schedule = sched[0][1]
    else:
        bounds = np.cumsum([s for s, _ in sched])[:-1].tolist()
        lr = optax.join_schedules([optax.constant_schedule(v) for _, v in sched], bounds)
    return optax.sgd(lr) if config.optimizer == "sgd" else optax.adam(lr)


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
    model: RateRNN, init: RateRNN, x: jax.Array, batch: Any, task: Any, config: TrainConfig,
    key: jax.Array,
) -> dict[str, jax.Array]:
    flipped = x * batch.sign[:, None, None]
    x_c = condition_mean(flipped, batch.condition, task.n_conditions)  # [C, T, N]
    basis = _rate_basis(init)
    dW = model.W - init.W
    w = _window(batch.mask)

    def clean_mean(net: RateRNN) -> jax.Array:
        tr = simulate(net, batch.inputs, key=key, sigma=0.0, dt=config.dt, record="x")
        return flipped_mean(tr.x, batch.sign, w)

    return {
        "dW_norm": jnp.linalg.norm(dW),
        "dw_out_norm": jnp.linalg.norm(model.w_out - init.w_out),
        "x_norm": jnp.linalg.norm(x_c) / math.sqrt(x_c.shape[0] * x_c.shape[1]),
        "rho": correlation(model.w_out, x_c),
        "M_proj": basis.T @ dW @ basis,
        "dx_bar_norm": jnp.linalg.norm(clean_mean(model) - clean_mean(init)),
    }


# ----------------------------------------------------------------------------- the step
@dataclasses.dataclass(frozen=True)
class _Trainer:
    """Everything static of one config: task, optimiser, the jitted chunk function."""

    config: TrainConfig
    task: Any
    opt: optax.GradientTransformation

    def forward(self, params: Any, frozen: Any, batch: Any, key: jax.Array, record: str):
        model = eqx.combine(params, frozen)
        c = self.config
        traj = simulate(model, batch.inputs, key=key, sigma=c.sigma, dt=c.dt,
                        x0_noise=c.x0_noise, record=record)
        split = loss_split(traj.z, batch.targets, batch.mask, batch.sign, batch.condition,
                           self.task.n_conditions)
        return split.loss, (split, traj)

    def seed_step(self, params, frozen, opt_state, init, step_key, t, *, with_records: bool):
        """One SGD/Adam step of one seed; records of the pre-update network if asked."""
        k_task, k_sim, k_rec = jax.random.split(jax.random.fold_in(step_key, t), 3)
        batch = self.task.sample(k_task, self.config.batch)
        if not with_records:
            record = "output"
        else:
            record = "latent" if self.config.model == "low_rank" else "x"
        grad_fn = jax.value_and_grad(self.forward, has_aux=True)
        (loss, (split, traj)), grads = grad_fn(params, frozen, batch, k_sim, record)
        updates, new_opt_state = self.opt.update(grads, opt_state, params)
        new_params = optax.apply_updates(params, updates)
        rec: dict[str, jax.Array] = {}
        if with_records:
            model = eqx.combine(params, frozen)
            rec = {"loss": split.loss, "loss_bias": split.loss_bias, "loss_var": split.loss_var}
            if self.config.model == "low_rank":
                rec.update(_low_rank_records(model, traj.x, batch))
            else:
                rec.update(_rate_records(model, init, traj.x, batch, self.task, self.config,
                                         k_rec))
        return new_params, new_opt_state, loss, rec

    def chunk(self, params, frozen, opt_state, init, step_keys, bad, t0, *, n_blocks: int):
        """``n_blocks·record_every`` steps from step t0, records at t0, t0+k, …

        ``bad`` [seeds] holds the first step with a non-finite loss per seed (−1: none).
        """
        k = self.config.record_every
        vstep = jax.vmap(partial(self.seed_step, with_records=False),
                         in_axes=(0, 0, 0, 0, 0, None))
        vstep_rec = jax.vmap(partial(self.seed_step, with_records=True),
                             in_axes=(0, 0, 0, 0, 0, None))

        def mark(bad, loss, t):
            return jnp.where((bad < 0) & ~jnp.isfinite(loss), t, bad)

        def inner(carry, t):
            params, opt_state, bad = carry
            params, opt_state, loss, _ = vstep(params, frozen, opt_state, init, step_keys, t)
            return (params, opt_state, mark(bad, loss, t)), None

        def block(carry, i):
            params, opt_state, bad = carry
            t = t0 + i * k
            params, opt_state, loss, rec = vstep_rec(params, frozen, opt_state, init,
                                                     step_keys, t)
            bad = mark(bad, loss, t)
            (params, opt_state, bad), _ = jax.lax.scan(
                inner, (params, opt_state, bad), t + 1 + jnp.arange(k - 1, dtype=t.dtype)
            )
            return (params, opt_state, bad), rec

        (params, opt_state, bad), recs = jax.lax.scan(
            block, (params, opt_state, bad), jnp.arange(n_blocks, dtype=jnp.int32)
        )
        # recs: [n_blocks, seeds, ...] → [seeds, n_blocks, ...]
        recs = jax.tree_util.tree_map(lambda a: jnp.swapaxes(a, 0, 1), recs)
        return params, opt_state, bad, recs

    @property
    def jitted_chunk(self) -> Callable:
        return _jit_chunk(self)


@eqx.filter_jit
def _chunk_entry(trainer_static, params, frozen, opt_state, init, step_keys, bad, t0, n_blocks):
    return trainer_static.chunk(params, frozen, opt_state, init, step_keys, bad, t0,
                                n_blocks=n_blocks)


def _jit_chunk(trainer: _Trainer) -> Callable:
    def run(params, frozen, opt_state, init, step_keys, bad, t0, n_blocks):
        return _chunk_entry(trainer, params, frozen, opt_state, init, step_keys, bad,
                            jnp.asarray(t0, jnp.int32), n_blocks)
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
    task = config.make_task()
    record = "latent" if config.model == "low_rank" else "x"

    @jax.jit
    @partial(jax.vmap, in_axes=(0, 0, 0))
    def run(m0: Model, m1: Model, key: jax.Array) -> dict[str, jax.Array]:
        k_task, k_sim = jax.random.split(key)
        batch = task.sample(k_task, config.eval_batch)
        out = {"inputs": batch.inputs, "targets": batch.targets, "mask": batch.mask,
               "condition": batch.condition, "sign": batch.sign}
        for name, m in (("init", m0), ("final", m1)):
            noisy = simulate(m, batch.inputs, key=k_sim, sigma=config.sigma, dt=config.dt,
                             x0_noise=config.x0_noise, record=record)
            clean = simulate(m, batch.inputs, key=k_sim, sigma=0.0, dt=config.dt,
                             record=record)
            out[f"{name}_noisy_z"], out[f"{name}_noisy_{record}"] = noisy.z, noisy.x
            out[f"{name}_clean_z"], out[f"{name}_clean_{record}"] = clean.z, clean.x
        return out

    res = run(init, final, seed_keys(config, _EVAL))
    return {k: np.asarray(v) for k, v in res.items()}


# ----------------------------------------------------------------------------- train
def train(config: TrainConfig, out: str | Path | None = None, *, progress: bool = True) -> Run:
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

    **Returns**
      :class:`simulate.runs.Run` with records [seed, n_rec, ...] at steps 0, k, 2k, ….

    **Raises**
      NonFiniteLossError: a loss became NaN/inf; the message names the step and the seed
        index; the last good checkpoint stays in ``out``.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig; got {type(config).__name__}")
    rundir = RunDirectory(out, config) if out is not None else None
    if rundir is not None:
        done = rundir.load_finished()
        if done is not None:
            return done

    _dtype(config)  # switch on 64-bit mode before building anything, if asked
    task = config.make_task()
    init = init_models(config)
    spec = trainable_filter(config, init)
    params, frozen = eqx.partition(init, spec)
    opt = make_optimizer(config)
    opt_state = jax.vmap(opt.init)(params)
    step_keys = seed_keys(config, _STEPS)
    trainer = _Trainer(config, task, opt)
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

    bar = tqdm(total=config.steps, initial=t, unit="step", disable=not progress,
               desc=f"train {config.task} N={config.N} ×{config.seeds}")
    bad = jnp.full((config.seeds,), -1, jnp.int32)
    t_start = time.perf_counter()
    try:
        while t < config.steps:
            n = min(config.checkpoint_every, config.steps - t)
            new_params, new_opt, bad, recs = chunk(params, frozen, opt_state, init, step_keys,
                                                   bad, t, n // config.record_every)
            bad_np = np.asarray(bad)
            if (bad_np >= 0).any():
                s = int(np.argmax(np.where(bad_np >= 0, -bad_np, -np.inf)))
                where = (f"; the last good checkpoint (step {t}) is kept in {rundir.path}"
                         if rundir is not None else "")
                raise NonFiniteLossError(
                    f"non-finite loss at step {int(bad_np[s])} for seed index {s} "
                    f"(of {config.seeds}, base seed {config.seed}){where}",
                    step=int(bad_np[s]), seed_index=s,
                )
            recs_np = {k: np.asarray(v) for k, v in recs.items()}
            if "M" in recs_np:
                recs_np["eigvals"] = _eigvals_sorted(recs_np["M"])
            for k, v in recs_np.items():
                records.setdefault(k, []).append(v)
            params, opt_state = new_params, new_opt
            t += n
            if rundir is not None and t < config.steps:
                rundir.save_checkpoint(t, params, opt_state, step_keys,
                                       {k: np.concatenate(v, axis=1) for k, v in records.items()})
            bar.update(n)
    finally:
        bar.close()
    wall = time.perf_counter() - t_start

    final = eqx.combine(params, frozen)
    recs_all = {k: np.concatenate(v, axis=1) for k, v in records.items()}
    evaluation = evaluate(config, init, final)
    steps = np.arange(0, config.steps, config.record_every)
    run = Run(config=config, path=None, steps=steps, records=recs_all, params=final,
              init_params=init, evaluation=evaluation,
              info={"wall_seconds_last_session": wall, "backend": jax.default_backend()})
    if rundir is not None:
        run = rundir.save_finished(run)
    return run


def sweep(config: TrainConfig, Ns: Sequence[int], out: str | Path, *,
          progress: bool = True) -> list[Run]:
    """Train ``config`` at each size in ``Ns``, one after another, into ``out/N{n}/``.

    Each size is its own resumable run (:func:`train`); finished sizes are loaded.
    """
    if len(Ns) == 0:
        raise ValueError("Ns=[] is not allowed; allowed: a non-empty list of sizes >= 2")
    out = Path(out)
    return [train(config.replace(N=int(n)), out / f"N{int(n)}", progress=progress) for n in Ns]
