"""Masked loss and its bias/variance split; condition-flipped means (THEORY.md §1, §4).

THEORY §1: L = mean over masked (trial, time, output) entries of (z − ẑ)²; with
z̄ the mean over trials of the same condition (after flipping signs of mirror-image
conditions), L_bias = mean (z̄ − ẑ)², L_var = mean (z − z̄)², L = L_bias + L_var.

Implementation (exact for any mask and target): with the flipped error
e = sign·(z − ẑ), ē = the mask-weighted mean of e over trials of the same
condition (per time step and output), L_bias = masked mean ē², L_var = masked mean
(e − ē)². Because Σ_trials m (e − ē) = 0 within each condition, the cross term
vanishes and L = L_bias + L_var to rounding. When the flipped target is the same for
all masked trials of a condition (all tasks here), ē = z̄ − ẑ and e − ē = z − z̄, which
are THEORY's definitions.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int

from . import checks

__all__ = [
    "LossSplit",
    "loss_split",
    "masked_mse",
    "condition_mean",
    "flipped_mean",
    "correlation",
]


class LossSplit(NamedTuple):
    """Loss and its split (THEORY §1): ``loss = loss_bias + loss_var`` (scalars)."""

    loss: Float[Array, ""]
    loss_bias: Float[Array, ""]
    loss_var: Float[Array, ""]


def _one_hot(condition: Int[Array, " B"], n_conditions: int, dtype: jnp.dtype) -> Array:
    return jax.nn.one_hot(condition, n_conditions, dtype=dtype)  # [B, C]; out of range → 0 row


def condition_mean(
    values: Float[Array, " B *rest"],
    condition: Int[Array, " B"],
    n_conditions: int,
    weights: Float[Array, " B *rest"] | None = None,
) -> Float[Array, " C *rest"]:
    """Mean of ``values`` over trials of each condition (one-hot matmul, jit-safe).

    With ``weights`` (e.g. a 0/1 loss mask of the same shape), the weighted mean
    Σ w·v / Σ w per condition and entry; entries with zero total weight give 0.

    **Returns** [n_conditions, *rest].
    """
    n_conditions = checks.integer(n_conditions, "n_conditions", 1)
    values, condition = checks.array(values, "values"), checks.array(condition, "condition")
    if values.ndim < 1 or values.shape[0] < 1 or tuple(condition.shape) != (values.shape[0],):
        raise ValueError(
            f"values has shape {tuple(values.shape)} and condition "
            f"{tuple(condition.shape)}; allowed: values [B, ...] with B >= 1 and "
            "condition [B]"
        )
    _check_condition(condition, n_conditions)
    onehot = _one_hot(condition, n_conditions, values.dtype)  # [B, C]
    flat = values.reshape(values.shape[0], -1)
    if weights is None:
        w = jnp.ones_like(flat)
    else:
        w = jnp.broadcast_to(weights, values.shape).reshape(flat.shape).astype(values.dtype)
    sums = onehot.T @ (w * flat)
    counts = onehot.T @ w
    mean = jnp.where(counts > 0, sums / jnp.where(counts > 0, counts, 1), 0)
    return mean.reshape((n_conditions,) + values.shape[1:])


def _masked_mean(sq: Array, mask: Array) -> Array:
    total = jnp.sum(mask)
    return jnp.where(total > 0, jnp.sum(mask * sq) / jnp.where(total > 0, total, 1), 0)


def masked_mse(
    z: Float[Array, "B T n_out"], target: Float[Array, "B T n_out"], mask: Float[Array, "B T n_out"]
) -> Float[Array, ""]:
    """L = Σ m (z − ẑ)² / Σ m (THEORY §1); 0 when the mask is empty."""
    z, target, mask = (
        checks.array(v, name) for name, v in (("z", z), ("target", target), ("mask", mask))
    )
    if z.ndim != 3 or z.shape[0] < 1 or tuple(target.shape) != tuple(z.shape):
        raise ValueError(
            f"z has shape {tuple(z.shape)} and target {tuple(target.shape)}; "
            "allowed: the same shape [B, T, n_out] with B >= 1"
        )
    if mask.ndim > 3 or any(
        m not in (1, n) for m, n in zip(mask.shape[::-1], z.shape[::-1], strict=False)
    ):
        raise ValueError(
            f"mask has shape {tuple(mask.shape)}; allowed: broadcastable to z's {tuple(z.shape)}"
        )
    mask = jnp.broadcast_to(mask, z.shape).astype(z.dtype)
    return _masked_mean((z - target) ** 2, mask)


def loss_split(
    z: Float[Array, "B T n_out"],
    target: Float[Array, "B T n_out"],
    mask: Float[Array, "B T n_out"],
    sign: Float[Array, " B"],
    condition: Int[Array, " B"],
    n_conditions: int,
) -> LossSplit:
    """Masked MSE and its condition-averaged bias/variance split (THEORY §1).

    **Arguments**
      z: outputs [B, T, n_out]. target: ẑ [B, T, n_out]. mask: 0/1 weights [B, T, n_out].
      sign: ±1 per trial [B] (mirror-image conditions flipped onto each other).
      condition: condition index per trial [B], in [0, n_conditions).
      n_conditions: number of conditions (static Python int).

    **Returns**
      :class:`LossSplit` (loss, loss_bias, loss_var) with loss = loss_bias + loss_var.
    """
    z, target, mask, sign, condition = (
        checks.array(v, name)
        for name, v in (
            ("z", z),
            ("target", target),
            ("mask", mask),
            ("sign", sign),
            ("condition", condition),
        )
    )
    if z.shape != target.shape:
        raise ValueError(f"z has shape {tuple(z.shape)} but target has shape {tuple(target.shape)}")
    if z.ndim != 3:
        raise ValueError(f"z must have shape [B, T, n_out]; got {tuple(z.shape)}")
    B = z.shape[0]
    if tuple(sign.shape) != (B,) or tuple(condition.shape) != (B,):
        raise ValueError(
            f"sign and condition must have shape (B,) = ({B},); "
            f"got {tuple(sign.shape)} and {tuple(condition.shape)}"
        )
    n_conditions = checks.integer(n_conditions, "n_conditions", 1)
    _check_condition(condition, n_conditions)
    return _loss_split(z, target, mask, sign, condition, n_conditions)


def _check_condition(condition: Any, n_conditions: int) -> None:
    """Labels must be integers in [0, n_conditions): an out-of-range label has an all-zero
    one-hot row, so its trials would silently vanish from the condition means. Checked on
    concrete arrays only (inside jit the caller's labels come from a task, already valid);
    ``condition`` has passed :func:`simulate.checks.array` already."""
    if checks.is_tracer(condition):
        return
    c = np.asarray(condition)
    if c.dtype.kind not in "iu":
        raise ValueError(
            f"condition has dtype {c.dtype}; allowed: integer labels in "
            f"[0, n_conditions={n_conditions})"
        )
    if c.size and (int(c.min()) < 0 or int(c.max()) >= n_conditions):
        raise ValueError(
            f"condition has labels {int(c.min())} … {int(c.max())}; allowed: "
            f"integers in [0, n_conditions={n_conditions}) (an out-of-range label "
            "would drop its trials from the bias/variance split)"
        )


@jax.jit(static_argnums=5)
def _loss_split(
    z: Array, target: Array, mask: Array, sign: Array, condition: Array, n_conditions: int
) -> LossSplit:
    mask = jnp.broadcast_to(mask, z.shape).astype(z.dtype)
    err = (z - target) * sign.astype(z.dtype)[:, None, None]
    err_bar_c = condition_mean(err, condition, n_conditions, weights=mask)  # [C, T, n_out]
    onehot = _one_hot(condition, n_conditions, z.dtype)
    err_bar = jnp.einsum("bc,c...->b...", onehot, err_bar_c)  # [B, T, n_out]
    loss_bias = _masked_mean(err_bar**2, mask)
    loss_var = _masked_mean((err - err_bar) ** 2, mask)
    return LossSplit(loss=loss_bias + loss_var, loss_bias=loss_bias, loss_var=loss_var)


def flipped_mean(
    values: Float[Array, "B T *rest"],
    sign: Float[Array, " B"],
    time_weights: Float[Array, " T"] | None = None,
) -> Float[Array, "*rest"]:
    """Mean over trials and time of sign·values, e.g. κ̄ of THEORY §4 (mirror conditions
    flipped onto one). ``time_weights`` [T] (e.g. 1 for t ≥ 2, else 0) selects the window."""
    values, sign = checks.array(values, "values"), checks.array(sign, "sign")
    if values.ndim < 2 or values.shape[0] < 1 or tuple(sign.shape) != (values.shape[0],):
        raise ValueError(
            f"values has shape {tuple(values.shape)} and sign "
            f"{tuple(sign.shape)}; allowed: values [B, T, ...] with B >= 1 and "
            "sign [B]"
        )
    flipped = values * sign.astype(values.dtype).reshape((-1,) + (1,) * (values.ndim - 1))
    if time_weights is None:
        return jnp.mean(flipped, axis=(0, 1))
    w = time_weights.astype(values.dtype).reshape((1, -1) + (1,) * (values.ndim - 2))
    # the weights' sum in the values' dtype too, so float16 values give a float16 mean
    return jnp.sum(flipped * w, axis=(0, 1)) / (values.shape[0] * jnp.sum(w))


def correlation(w_out: Float[Array, "N n_out"], x: Float[Array, "*b N"]) -> Float[Array, ""]:
    """ρ = ‖X w_out‖_F / (‖w_out‖_F ‖X‖_F) with X the states stacked over all leading axes
    (time and conditions; THEORY §1). For one state and one output, |w_outᵀx|/(‖w_out‖‖x‖)."""
    X = x.reshape(-1, x.shape[-1])
    return jnp.linalg.norm(X @ w_out) / (jnp.linalg.norm(w_out) * jnp.linalg.norm(X))
