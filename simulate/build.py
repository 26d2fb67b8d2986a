"""Building the initial networks of a run: per-seed PRNG keys and the stacked models.

Shared by :mod:`simulate.training` (which trains them) and :mod:`simulate.runs` (which
rebuilds the parameter template when it loads a run directory), so that neither of the two
imports the other. Seed s of a :class:`~simulate.config.TrainConfig` is built from
``fold_in(fold_in(key(config.seed), s), 0)``; the constructors are THEORY §2/§4 (low rank),
§6 (rate) and seed 002 (gated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from ._dtypes import enable_float64
from .config import GATED_MODELS, TrainConfig
from .gated import GatedRNN, make_gated_rnn
from .models import LowRankRNN, RateRNN, make_low_rank, make_rate_rnn

__all__ = ["init_models", "seed_keys"]

Model = LowRankRNN | RateRNN | GatedRNN

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
    if config.model in GATED_MODELS:
        return make_gated_rnn(
            key,
            config.N,
            arch=config.model,
            n_in=task.n_in,
            n_out=task.n_out,
            g=config.g,
            out_scale=config.out_scale,
            nonlinearity=config.nonlinearity,
            dtype=dtype,
        )
    if config.model == "low_rank":
        return make_low_rank(
            key,
            config.N,
            rank=config.rank,
            n_in=task.n_in,
            n_out=task.n_out,
            out_scale=config.out_scale,
            rho_io=config.effective_rho_io,
            g=config.g,
            nonlinearity=config.nonlinearity,
            dtype=dtype,
        )  # M = 0 ("zero_M", the only low-rank init)
    net = make_rate_rnn(
        key,
        config.N,
        n_in=task.n_in,
        n_out=task.n_out,
        g=config.g,
        out_scale=config.out_scale,
        nonlinearity=config.nonlinearity,
        dtype=dtype,
        input_std=config.input_std,
        bias_std=config.bias_std,
        form=config.form,
        leak_angle=config.leak_angle,
        zero_diagonal=config.zero_diagonal,
    )
    if config.init == "zero_W":
        net = eqx.tree_at(lambda m: m.W, net, jnp.zeros_like(net.W))
    elif config.init == "two_phase":
        # THEORY §3: W = 0; (w_out, w_in) with the geometry of make_low_rank
        # (w_out = s·w₁, w_in = √N(ρ_io w₁ + sqrt(1−ρ_io²) w₂), w₁ ⟂ w₂ unit vectors).
        geo = make_low_rank(
            key,
            config.N,
            rank=1,
            n_in=task.n_in,
            n_out=task.n_out,
            out_scale=config.out_scale,
            rho_io=config.effective_rho_io,
            g=0.0,
            nonlinearity="linear",
            dtype=dtype,  # geometry only: φ is not used
        )
        net = eqx.tree_at(
            lambda m: (m.W, m.w_in, m.w_out), net, (jnp.zeros_like(net.W), geo.w_in, geo.w_out)
        )
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
