"""Euler–Maruyama simulation of noisy rate networks (THEORY.md §1).

Continuous-time model (THEORY §1)::

    dx = ( -x + W φ(x) + W_in u(t) ) dt + sqrt(2) σ dB(t),      z = W_outᵀ x

discretised with step dt::

    x_{t+1} = x_t + dt·(-x_t + W φ(x_t) + W_in u_t) + sqrt(dt)·sqrt(2)·σ·ξ_t,   ξ_t ~ N(0, I_N)

Rate form (seed 003). A :class:`~simulate.models.RateRNN` with ``form="rate"`` has the rate r
as its state and the noise inside the nonlinearity::

    τ dr/dt = −r + φ(W r + W_in u + b + sqrt(2τσ²) η(t)),     z = W_outᵀ r

with time in units of τ; its Euler step (seed 003, α = dt) is::

    r_{t+1} = (1 − dt)·r_t + dt·φ(W r_t + W_in u_t + b + sqrt(2/dt)·σ·ξ_t)

For a linear φ this is the current-form step with the same noise sqrt(2 dt)·σ·ξ, so σ means
the same thing in both forms.

Stationary variance and the dt correction: for an isolated linear unit (W = 0,
no input) the continuous process (Ornstein–Uhlenbeck) has stationary variance
σ². The Euler–Maruyama map x' = (1 − dt)x + sqrt(2 dt)σξ has the exact
stationary variance 2dtσ² / (1 − (1 − dt)²) = σ² / (1 − dt/2), i.e. σ²·(1 + dt/2
+ O(dt²)): 11 % above σ² at the default dt = 0.2, → σ² as dt → 0. Compare
simulations with theory with this in mind (see :func:`euler_stationary_variance`).

Precision: the computation runs in the dtype of the model's arrays (float32 by
default). For float64 call :func:`simulate.enable_float64` first
(``jax.config.update("jax_enable_x64", True)``) and build the model with
``dtype=jnp.float64``. No device-specific code: the same jitted scan runs on CPU
or GPU.
"""

from __future__ import annotations

from typing import NamedTuple, cast

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from . import checks
from .gated import GatedRNN
from .models import LowRankRNN, RateRNN
from .prng import fast_key

__all__ = [
    "RECORDS",
    "Trajectory",
    "step",
    "simulate",
    "euler_stationary_variance",
]

#: What :func:`simulate` can store per time step besides the output z.
RECORDS: tuple[str, ...] = ("x", "latent", "output")

Model = LowRankRNN | RateRNN | GatedRNN


class Trajectory(NamedTuple):
    """Result of :func:`simulate`.

    x: states [B, T, N] (``record="x"``), latents κ = Uᵀx/N [B, T, R]
       (``record="latent"``, low-rank models only), or ``None`` (``record="output"``).
    z: outputs z = w_outᵀ x [B, T, n_out] (always).

    Entry t is the state after Euler step t, i.e. after the network was driven by
    ``inputs[:, t]``; the initial state x0 is not included.
    """

    x: Float[Array, "B T D"] | None
    z: Float[Array, "B T n_out"]


def euler_stationary_variance(sigma: float, dt: float) -> float:
    """Exact stationary variance σ²/(1 − dt/2) of the Euler–Maruyama map of an isolated
    linear unit, x' = (1 − dt)x + sqrt(2 dt)σξ (valid for 0 < dt < 2). → σ² as dt → 0."""
    if not 0 < dt < 2:
        raise ValueError(f"dt={dt!r} is not allowed here; the map is stable only for 0 < dt < 2")
    return sigma**2 / (1.0 - dt / 2.0)


def step(
    model: Model,
    x: Float[Array, "B N"],
    u: Float[Array, "B n_in"],
    xi: Float[Array, "B N"],
    *,
    dt: float | Array,
    sigma: float | Array,
) -> Float[Array, "B N"]:
    """One Euler–Maruyama step of THEORY §1.

    x_next = x + dt·(−x + W φ(x) + W_in u) + sqrt(dt)·sqrt(2)·σ·ξ

    A rate-form :class:`RateRNN` (``form="rate"``, seed 003) makes the step
    x_next = x + dt·(−x + φ(W x + W_in u + b + sqrt(2/dt)·σ·ξ)) (module docstring).
    A discrete-time :class:`~simulate.gated.GatedRNN` (seed 002) instead makes one update,
    x_next = F(x, u) + σ·ξ (``dt`` is not used).

    **Arguments**
      model: a :class:`LowRankRNN`, :class:`RateRNN` or :class:`~simulate.gated.GatedRNN`.
      x: states [B, N]. u: inputs [B, n_in]. xi: standard normal noise [B, N].
      dt: time step (> 0). sigma: noise amplitude σ (≥ 0).

    **Returns**
      The next states [B, N].
    """
    if isinstance(model, GatedRNN):
        return model.update(x, u) + sigma * xi
    if isinstance(model, RateRNN) and model.form == "rate":
        pre = model.recurrent_drive(x) + model.input_drive(u) + jnp.sqrt(2.0 / dt) * sigma * xi
        return x + dt * (-x + model.phi(pre))
    drive = -x + model.recurrent_drive(model.phi(x)) + model.input_drive(u)
    return x + dt * drive + jnp.sqrt(2.0 * dt) * sigma * xi


def _concrete_float(value: object) -> float | None:
    """The Python float of a concrete scalar, or None for a tracer (checked at run time)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError):
        return None


def _check_scalar(name: str, value: object, *, positive: bool) -> bool:
    """Validate a concrete scalar (None, text, bool, non-finite or out of range: refused by
    name); return False when it is exactly zero (noise can be skipped), True for a tracer."""
    if checks.is_tracer(value):
        return True
    return checks.real(value, name, low=0.0, strict=positive) != 0.0


def simulate(
    model: Model,
    inputs: Float[Array, "B T n_in"],
    *,
    key: PRNGKeyArray,
    sigma: float | Array,
    dt: float | Array = 0.2,
    x0: Float[Array, "B N"] | None = None,
    x0_noise: float | Array = 0.0,
    input_noise: float | Array = 0.0,
    record: str = "x",
) -> Trajectory:
    """Simulate a batch of trials with Euler–Maruyama (THEORY §1), one jitted ``lax.scan``.

    Noise: ξ_t ~ N(0, I_N) per trial and step (amplitude sqrt(2 dt)·σ); initial state
    x0 + x0_noise·N(0, I_N); input noise: the network sees u_t + input_noise·η_t with
    η_t ~ N(0, I_{n_in}) independent per trial, step and channel (not scaled by dt).
    The noise of step t comes from ``jax.random.fold_in``-free splitting: the key is
    split once into [T] per-step keys, so memory stays O(B·N) per step.

    **Arguments**
      model: :class:`LowRankRNN`, :class:`RateRNN` or :class:`~simulate.gated.GatedRNN`
        (its dtype sets the computation dtype; a gated model makes one discrete update per
        step with state noise σ·ξ, see :func:`step`).
      inputs: [B, T, n_in] with n_in = model.n_in.
      key: PRNG key (same key → identical trajectory).
      sigma: noise amplitude σ ≥ 0. dt: step in (0, 2) for the continuous-time models
        (default 0.2; the Euler map of the leak is unstable at dt ≥ 2), > 0 for gated ones.
      x0: initial states [B, N]; ``None`` → zeros.
      x0_noise: std of Gaussian noise added to x0 (≥ 0). input_noise: ≥ 0, see above.
      record: ``"x"`` (store states), ``"latent"`` (store κ = Uᵀx/N only; low-rank
        models) or ``"output"`` (store only z).

    **Returns**
      :class:`Trajectory` (x or κ or None, z); entry t is the state after step t.

    Differentiable with respect to the model's arrays (and x0, sigma, inputs).

    >>> net = make_low_rank(jax.random.key(0), 64)
    >>> traj = simulate(net, jnp.zeros((8, 50, 1)), key=jax.random.key(1), sigma=1.0)
    >>> traj.x.shape, traj.z.shape
    ((8, 50, 64), (8, 50, 1))
    """
    if not isinstance(model, (LowRankRNN, RateRNN, GatedRNN)):
        raise ValueError(
            f"model of type {type(model).__name__} is not supported; "
            "expected LowRankRNN, RateRNN or GatedRNN"
        )
    if record not in RECORDS:
        raise ValueError(f"record={record!r} is not known; allowed values are {RECORDS}")
    if record == "latent" and not isinstance(model, LowRankRNN):
        raise ValueError("record='latent' needs a LowRankRNN (latents κ = Uᵀx/N need U)")
    checks.prng_key(key, "key")
    inputs = checks.array(inputs, "inputs")
    if not checks.is_tracer(inputs) and not bool(np.all(np.isfinite(np.asarray(inputs)))):
        raise ValueError("inputs has non-finite entries; allowed: finite inputs")
    if inputs.ndim != 3:
        raise ValueError(f"inputs must have shape [B, T, n_in]; got shape {tuple(inputs.shape)}")
    B, T, n_in = inputs.shape
    if n_in != model.n_in:
        raise ValueError(f"inputs have n_in={n_in} channels but the model has n_in={model.n_in}")
    if B < 1 or T < 1:
        raise ValueError(f"inputs shape {tuple(inputs.shape)}: B and T must be >= 1")
    if x0 is not None and tuple(x0.shape) != (B, model.N):
        raise ValueError(f"x0 has shape {tuple(x0.shape)}, expected (B, N) = {(B, model.N)}")
    _check_scalar("dt", dt, positive=True)
    dt_value = _concrete_float(dt)
    if dt_value is not None and dt_value >= 2 and not isinstance(model, GatedRNN):
        raise ValueError(
            f"dt={dt_value!r} is not allowed; dt must be in (0, 2) for "
            f"{type(model).__name__} (the Euler map of the leak, x ← (1 − dt)x, "
            "is unstable for dt ≥ 2)"
        )
    noisy = _check_scalar("sigma", sigma, positive=False)
    noisy_x0 = _check_scalar("x0_noise", x0_noise, positive=False)
    noisy_in = _check_scalar("input_noise", input_noise, positive=False)
    return _simulate(
        model,
        inputs,
        key,
        sigma,
        dt,
        x0,
        x0_noise,
        input_noise,
        record=record,
        noisy=noisy,
        noisy_x0=noisy_x0,
        noisy_in=noisy_in,
    )


@jax.jit(static_argnames=("record", "noisy", "noisy_x0", "noisy_in"))
def _simulate(
    model: Model,
    inputs: Array,
    key: PRNGKeyArray,
    sigma: Array,
    dt: Array,
    x0: Array | None,
    x0_noise: Array,
    input_noise: Array,
    *,
    record: str,
    noisy: bool,
    noisy_x0: bool,
    noisy_in: bool,
) -> Trajectory:
    dtype = model.dtype
    B, T, n_in = inputs.shape
    N = model.N
    inputs = inputs.astype(dtype)
    sigma = jnp.asarray(sigma, dtype)
    dt = jnp.asarray(dt, dtype)
    key = fast_key(key)  # same draws as JAX's threefry, fused (simulate.prng)
    k_x0, k_steps = jax.random.split(key)
    x = jnp.zeros((B, N), dtype) if x0 is None else x0.astype(dtype)
    if noisy_x0:
        x = x + jnp.asarray(x0_noise, dtype) * jax.random.normal(k_x0, (B, N), dtype)
    step_keys = jax.random.split(k_steps, T)

    def body(x: Array, xs: tuple[Array, Array]) -> tuple[Array, tuple[Array | None, Array]]:
        u, k = xs
        k_x, k_u = jax.random.split(k)
        if noisy_in:
            u = u + jnp.asarray(input_noise, dtype) * jax.random.normal(k_u, u.shape, dtype)
        xi = jax.random.normal(k_x, (B, N), dtype) if noisy else jnp.zeros((B, N), dtype)
        x_next = step(model, x, u, xi, dt=dt, sigma=sigma)
        z = model.readout(x_next)
        if record == "x":
            rec = x_next
        elif record == "latent":
            rec = cast(LowRankRNN, model).latents(x_next)  # checked: record="latent" needs it
        else:
            rec = None
        return x_next, (rec, z)

    _, (rec, z) = jax.lax.scan(body, x, (jnp.swapaxes(inputs, 0, 1), step_keys))
    rec = None if rec is None else jnp.swapaxes(rec, 0, 1)
    return Trajectory(x=rec, z=jnp.swapaxes(z, 0, 1))
