"""Loss split and condition means (simulate.losses; THEORY §1, §4)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from simulate.losses import (
    LossSplit,
    condition_mean,
    correlation,
    flipped_mean,
    loss_split,
    masked_mse,
)

B, T, O, C = 12, 6, 2, 3


def _batch(seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    condition = np.arange(B) % C
    sign = np.where(np.arange(B) % 2 == 0, 1.0, -1.0)
    # flipped target depends only on the condition (as in all tasks)
    per_condition = rng.standard_normal((C, T, O))
    target = sign[:, None, None] * per_condition[condition]
    z = target + 0.3 * rng.standard_normal((B, T, O)) + 0.2
    mask = (rng.uniform(size=(B, T, O)) > 0.3).astype(float)
    return z, target, mask, sign, condition


def _reference_split(z, target, mask, sign, condition) -> tuple[float, float]:
    """THEORY §1 literally, with Python loops: z̄ = mask-weighted mean over trials of a
    condition of the flipped output; L_bias = mean (z̄ − ẑ)², L_var = mean (z − z̄)²."""
    zf, tf = z * sign[:, None, None], target * sign[:, None, None]
    zbar = np.zeros_like(zf)
    for c in range(C):
        idx = condition == c
        w = mask[idx]
        zbar[idx] = (w * zf[idx]).sum(0) / np.maximum(w.sum(0), 1)
    total = mask.sum()
    return (mask * (zbar - tf) ** 2).sum() / total, (mask * (zf - zbar) ** 2).sum() / total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_matches_theory_definition_and_sums_to_mse(seed: int) -> None:
    z, target, mask, sign, condition = _batch(seed)
    out = loss_split(
        jnp.asarray(z),
        jnp.asarray(target),
        jnp.asarray(mask),
        jnp.asarray(sign),
        jnp.asarray(condition),
        C,
    )
    assert isinstance(out, LossSplit)
    bias, var = _reference_split(z, target, mask, sign, condition)
    assert float(out.loss_bias) == pytest.approx(bias, rel=1e-5)
    assert float(out.loss_var) == pytest.approx(var, rel=1e-5)
    mse = (mask * (z - target) ** 2).sum() / mask.sum()
    # float32 sums of ~150 terms: relative rounding ~1e-6
    assert float(out.loss) == pytest.approx(mse, rel=1e-5)
    assert float(
        masked_mse(jnp.asarray(z), jnp.asarray(target), jnp.asarray(mask))
    ) == pytest.approx(mse, rel=1e-5)


def test_split_exact_even_when_target_varies_within_condition() -> None:
    z, target, mask, sign, _ = _batch(3)
    target = target + np.random.default_rng(4).standard_normal(target.shape)
    condition = np.zeros(B, dtype=int)
    out = loss_split(*(jnp.asarray(a) for a in (z, target, mask, sign, condition)), 1)
    mse = (mask * (z - target) ** 2).sum() / mask.sum()
    assert float(out.loss_bias + out.loss_var) == pytest.approx(mse, rel=1e-5)


def test_sign_flip_joins_mirror_conditions() -> None:
    # output = sign·(1 + trial noise): with flipping, one condition has mean ≈ 1 = ẑ and no bias
    # beyond the sample mean of the noise; without flipping (sign = 1) the mean would be ≈ 0.
    rng = np.random.default_rng(5)
    n = 64
    sign = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    noise = rng.standard_normal((n, 1, 1))
    noise -= noise.mean()  # exactly zero-mean noise → flipped bias exactly 0
    z = sign[:, None, None] * (1 + noise)
    target = sign[:, None, None] * np.ones((n, 1, 1))
    mask = np.ones((n, 1, 1))
    out = loss_split(*(jnp.asarray(a) for a in (z, target, mask, sign, np.zeros(n, int))), 1)
    assert float(out.loss_bias) < 1e-10
    assert float(out.loss_var) == pytest.approx(float(np.mean(noise**2)), rel=1e-5)


def test_loss_split_jit_and_grad() -> None:
    z, target, mask, sign, condition = (jnp.asarray(a) for a in _batch(6))
    f = jax.jit(loss_split, static_argnums=5)
    out = f(z, target, mask, sign, condition, C)
    g = jax.grad(lambda zz: f(zz, target, mask, sign, condition, C).loss)(z)
    # d/dz of Σ m (z − ẑ)²/Σ m = 2 m (z − ẑ)/Σ m
    np.testing.assert_allclose(g, 2 * mask * (z - target) / mask.sum(), rtol=1e-5, atol=1e-7)
    assert float(out.loss) > 0


def test_empty_mask_gives_zero() -> None:
    z, target, _, sign, condition = (jnp.asarray(a) for a in _batch(7))
    out = loss_split(z, target, jnp.zeros_like(z), sign, condition, C)
    assert float(out.loss) == 0.0 and float(out.loss_var) == 0.0


def test_condition_mean() -> None:
    rng = np.random.default_rng(8)
    values = rng.standard_normal((B, 4))
    condition = np.array([0, 1, 1, 0, 3, 3, 0, 1, 3, 0, 1, 3])  # condition 2 has no trials
    out = np.asarray(condition_mean(jnp.asarray(values), jnp.asarray(condition), 4))
    for c in range(4):
        expected = values[condition == c].mean(0) if (condition == c).any() else np.zeros(4)
        np.testing.assert_allclose(out[c], expected, rtol=1e-5, atol=1e-6)


def test_flipped_mean_is_kappa_bar() -> None:
    rng = np.random.default_rng(9)
    n, t = 8, 10
    sign = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    kappa = sign[:, None, None] * np.array([0.5, -1.0]) + 0.1 * rng.standard_normal((n, t, 2))
    window = (np.arange(t) >= 4).astype(float)
    out = np.asarray(flipped_mean(jnp.asarray(kappa), jnp.asarray(sign), jnp.asarray(window)))
    expected = (sign[:, None, None] * kappa)[:, 4:].mean(axis=(0, 1))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    full = np.asarray(flipped_mean(jnp.asarray(kappa), jnp.asarray(sign)))
    np.testing.assert_allclose(full, (sign[:, None, None] * kappa).mean(axis=(0, 1)), atol=1e-6)


def test_correlation() -> None:
    rng = np.random.default_rng(10)
    N = 50
    w = rng.standard_normal((N, 1))
    assert float(correlation(jnp.asarray(w), jnp.asarray(3.0 * w[:, 0]))) == pytest.approx(1.0)
    x = rng.standard_normal(N)
    x -= (x @ w[:, 0]) / (w[:, 0] @ w[:, 0]) * w[:, 0]  # x ⟂ w
    assert float(correlation(jnp.asarray(w), jnp.asarray(x))) < 1e-6
    # Frobenius version over time: ‖X w‖/(‖w‖‖X‖_F)
    X = rng.standard_normal((7, N))
    expected = np.linalg.norm(X @ w) / (np.linalg.norm(w) * np.linalg.norm(X))
    assert float(correlation(jnp.asarray(w), jnp.asarray(X))) == pytest.approx(expected, rel=1e-5)
    # random directions in N dimensions: ρ = O(1/√N)
    assert float(correlation(jnp.asarray(w), jnp.asarray(X))) < 5 / math.sqrt(N)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        ({"target": np.zeros((B, T, O + 1))}, r"target has shape"),
        ({"sign": np.ones(B + 1)}, r"sign and condition must have shape \(B,\)"),
        ({"condition": np.zeros((B, 1), int)}, r"sign and condition must have shape \(B,\)"),
        ({"n_conditions": 0}, r"n_conditions=0 .*>= 1"),
        ({"z": np.zeros((B, T)), "target": np.zeros((B, T))}, r"z must have shape \[B, T, n_out\]"),
    ],
)
def test_loss_split_errors(change: dict, pattern: str) -> None:
    z, target, mask, sign, condition = _batch(11)
    args = {"z": z, "target": target, "mask": mask, "sign": sign, "condition": condition}
    n_conditions = change.pop("n_conditions", C)
    args |= change
    with pytest.raises(ValueError, match=pattern):
        loss_split(*(jnp.asarray(a) for a in args.values()), n_conditions)


def test_out_of_range_condition_labels_are_refused():
    """A label outside [0, n_conditions) would drop its trials from the condition means
    (an all-zero one-hot row) and make the bias/variance split silently wrong."""
    import jax.numpy as jnp

    from simulate.losses import condition_mean, loss_split

    z = jnp.ones((4, 5, 1))
    with pytest.raises(ValueError, match=r"^condition has labels 0 … 7; allowed"):
        loss_split(z, 0 * z, jnp.ones_like(z), jnp.ones(4), jnp.array([0, 1, 5, 7]), 2)
    with pytest.raises(ValueError, match=r"^condition has labels -1 … 1"):
        condition_mean(z, jnp.array([0, 1, -1, 0]), 2)
    with pytest.raises(ValueError, match=r"^condition has dtype float"):
        condition_mean(z, jnp.array([0.0, 1.0, 1.0, 0.0]), 2)
