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


# --- refusals name the parameter and the allowed shape (whole messages: they are the interface)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: flipped_mean(None, jnp.ones(2)),
            "values=None is not allowed; values must be a numeric array",
        ),
        (
            lambda: flipped_mean(jnp.ones((2, 3)), None),
            "sign=None is not allowed; sign must be a numeric array",
        ),
        (
            lambda: flipped_mean(jnp.ones((2, 3)), jnp.ones(3)),
            "values has shape (2, 3) and sign (3,); allowed: values [B, T, ...] with B >= 1 "
            "and sign [B]",
        ),
        (
            lambda: flipped_mean(jnp.ones(3), jnp.ones(3)),
            "values has shape (3,) and sign (3,); allowed: values [B, T, ...] with B >= 1 "
            "and sign [B]",
        ),
        (
            lambda: condition_mean(None, jnp.zeros(2, int), 2),
            "values=None is not allowed; values must be a numeric array",
        ),
        (
            lambda: condition_mean(jnp.ones(2), None, 2),
            "condition=None is not allowed; condition must be a numeric array",
        ),
        (
            lambda: condition_mean(jnp.ones(2), jnp.zeros(2, int), 0),
            "n_conditions=0 is not allowed; n_conditions must be an integer >= 1",
        ),
        (
            lambda: condition_mean(jnp.ones(2), jnp.zeros(3, int), 2),
            "values has shape (2,) and condition (3,); allowed: values [B, ...] with B >= 1 "
            "and condition [B]",
        ),
        (
            lambda: condition_mean(jnp.asarray(1.0), jnp.zeros(1, int), 1),
            "values has shape () and condition (1,); allowed: values [B, ...] with B >= 1 "
            "and condition [B]",
        ),
        (
            lambda: flipped_mean(jnp.ones((0, 3)), jnp.ones(0)),
            "values has shape (0, 3) and sign (0,); allowed: values [B, T, ...] with B >= 1 "
            "and sign [B]",
        ),
        (
            lambda: masked_mse(jnp.ones((0, 3, 1)), jnp.ones((0, 3, 1)), jnp.ones(1)),
            "z has shape (0, 3, 1) and target (0, 3, 1); allowed: the same shape "
            "[B, T, n_out] with B >= 1",
        ),
        (
            lambda: loss_split(
                jnp.ones((2, 1, 1)),
                jnp.ones((2, 1, 1)),
                jnp.ones(1),
                jnp.ones(2),
                jnp.asarray([0, 2]),
                2,
            ),
            "condition has labels 0 … 2; allowed: integers in [0, n_conditions=2) (an "
            "out-of-range label would drop its trials from the bias/variance split)",
        ),
        (
            lambda: masked_mse(None, jnp.ones((1, 1, 1)), jnp.ones(1)),
            "z=None is not allowed; z must be a numeric array",
        ),
        (
            lambda: masked_mse(jnp.ones((1, 1, 1)), None, jnp.ones(1)),
            "target=None is not allowed; target must be a numeric array",
        ),
        (
            lambda: masked_mse(jnp.ones((1, 1, 1)), jnp.ones((1, 1, 1)), None),
            "mask=None is not allowed; mask must be a numeric array",
        ),
        (
            lambda: masked_mse(jnp.ones((2, 3, 1)), jnp.ones((2, 3, 2)), jnp.ones(1)),
            "z has shape (2, 3, 1) and target (2, 3, 2); allowed: the same shape "
            "[B, T, n_out] with B >= 1",
        ),
        (
            lambda: masked_mse(jnp.ones((2, 3, 2)), jnp.ones((2, 3, 2)), jnp.ones((3, 3))),
            "mask has shape (3, 3); allowed: broadcastable to z's (2, 3, 2)",
        ),
        (
            lambda: masked_mse(jnp.ones((2, 3)), jnp.ones((2, 3)), jnp.ones(1)),
            "z has shape (2, 3) and target (2, 3); allowed: the same shape [B, T, n_out] "
            "with B >= 1",
        ),
        (
            lambda: masked_mse(jnp.ones((2, 3, 2)), jnp.ones((2, 3, 2)), jnp.ones((1, 2, 3, 2))),
            "mask has shape (1, 2, 3, 2); allowed: broadcastable to z's (2, 3, 2)",
        ),
    ],
)
def test_refusals_are_one_line_and_name_the_parameter(call, message: str) -> None:
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == message


def test_flipped_mean_of_two_dimensional_values_and_one_trial() -> None:
    """values [B, T] (no trailing axes) and B = 1 are allowed; the weights multiply (sign·values,
    any real weights, not only ±1)."""
    values = np.arange(12.0).reshape(3, 4) - 5.0
    weights = np.array([2.0, -0.5, 1.0])
    out = float(flipped_mean(jnp.asarray(values), jnp.asarray(weights)))
    assert out == pytest.approx((weights[:, None] * values).mean(), rel=1e-6)
    one = float(flipped_mean(jnp.asarray(values[:1]), jnp.asarray([-1.0])))
    assert one == pytest.approx(-values[0].mean(), rel=1e-6)


def test_masked_mse_broadcasts_a_mask_and_averages_one_entry() -> None:
    """A mask [B, T, 1] or [T, n_out] (fewer axes) broadcasts against z [B, T, n_out]; a mask
    selecting a single entry gives that entry's squared error, an empty one 0 with a finite
    (zero) gradient."""
    rng = np.random.default_rng(12)
    z, target = (jnp.asarray(a, jnp.float32) for a in rng.standard_normal((2, 4, 2, 2)))
    m_bt1 = (rng.uniform(size=(4, 2, 1)) > 0.4).astype(np.float32)
    m_bt1[0, 0, 0] = 1.0
    full = np.broadcast_to(m_bt1, (4, 2, 2))
    sq = np.asarray((z - target) ** 2)
    expected = (full * sq).sum() / full.sum()
    assert float(masked_mse(z, target, jnp.asarray(m_bt1))) == pytest.approx(expected, rel=1e-5)
    m_to = np.zeros((2, 2), np.float32)
    m_to[1, 0] = 1.0  # time 1, output 0 of every trial
    expected = sq[:, 1, 0].mean()
    assert float(masked_mse(z, target, jnp.asarray(m_to))) == pytest.approx(expected, rel=1e-5)
    one = np.zeros((4, 2, 2), np.float32)
    one[2, 1, 1] = 1.0
    assert float(masked_mse(z, target, jnp.asarray(one))) == pytest.approx(sq[2, 1, 1], rel=1e-6)
    # weights need not be 0/1: Σ m (z − ẑ)² / Σ m with one weight of ½ is that entry again
    half = 0.5 * one
    assert float(masked_mse(z, target, jnp.asarray(half))) == pytest.approx(sq[2, 1, 1], rel=1e-6)
    empty = jnp.zeros((4, 2, 2))
    assert float(masked_mse(z, target, empty)) == 0.0
    g = jax.grad(lambda zz: masked_mse(zz, target, empty))(z)
    assert np.all(np.asarray(g) == 0.0)


def test_the_computation_keeps_the_dtype_of_the_values() -> None:
    """float16 values with float32 masks, weights and one-hot labels stay float16 (mixed
    precision: the values' dtype sets the computation, as in the simulator)."""
    values = jnp.asarray(np.linspace(-1, 1, 24).reshape(4, 3, 2), jnp.float16)
    labels = jnp.asarray([0, 1, 1, 0])
    assert condition_mean(values, labels, 2).dtype == jnp.float16
    weights = jnp.ones((4, 3, 2), jnp.float32)
    assert condition_mean(values, labels, 2, weights=weights).dtype == jnp.float16
    assert flipped_mean(values, jnp.ones(4), jnp.ones(3, jnp.float32)).dtype == jnp.float16
    mse = masked_mse(values, jnp.zeros_like(values), jnp.ones((4, 3, 2), jnp.float32))
    assert mse.dtype == jnp.float16


def test_condition_mean_of_one_value_per_trial_and_of_one_trial() -> None:
    """values [B] (one number per trial) and B = 1 are allowed."""
    values = jnp.asarray([1.0, 2.0, 4.0, 8.0])
    out = np.asarray(condition_mean(values, jnp.asarray([1, 0, 1, 1]), 3))
    np.testing.assert_allclose(out, [2.0, 13.0 / 3.0, 0.0], rtol=1e-6)
    one = np.asarray(condition_mean(jnp.asarray([[3.0, -1.0]]), jnp.asarray([1]), 2))
    np.testing.assert_allclose(one, [[0.0, 0.0], [3.0, -1.0]])


@pytest.mark.parametrize("name", ["z", "target", "mask", "sign", "condition"])
def test_loss_split_names_a_missing_array(name: str) -> None:
    args = {
        "z": jnp.ones((2, 1, 1)),
        "target": jnp.ones((2, 1, 1)),
        "mask": jnp.ones(1),
        "sign": jnp.ones(2),
        "condition": jnp.asarray([0, 1]),
    } | {name: None}
    with pytest.raises(ValueError) as err:
        loss_split(*args.values(), 2)
    assert str(err.value) == f"{name}=None is not allowed; {name} must be a numeric array"


def test_weights_need_not_be_zero_or_one() -> None:
    """Σ w·v / Σ w: a lone trial of weight ½ in its condition gives that trial's value, and
    masked_mse of one trial (B = 1) is its plain mean square error."""
    values = jnp.asarray([[3.0], [5.0], [7.0]])
    weights = jnp.asarray([[0.5], [1.0], [1.0]])
    out = np.asarray(condition_mean(values, jnp.asarray([0, 1, 1]), 2, weights=weights))
    np.testing.assert_allclose(out, [[3.0], [6.0]], rtol=1e-6)
    z = jnp.asarray([[[1.0], [3.0]]])
    assert float(masked_mse(z, jnp.zeros_like(z), jnp.ones(1))) == pytest.approx(5.0)
