"""Models and nonlinearities (simulate.models, simulate.nonlinearities; THEORY §1, §2, §6)."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import erf as np_erf

from simulate.models import (
    LowRankRNN,
    RateRNN,
    latents,
    make_low_rank,
    make_rate_rnn,
    output_scale,
)
from simulate.nonlinearities import ERF_ALPHA, NONLINEARITIES, get_nonlinearity

KEY = jax.random.key(0)


# ---------------------------------------------------------------- nonlinearities
def test_nonlinearity_names_match_meanfield_contract() -> None:
    # meanfield's names first, in its order; leaky_relu (seed 003) is simulation-only
    import meanfield

    assert NONLINEARITIES[:4] == meanfield.NONLINEARITIES
    assert NONLINEARITIES == meanfield.NONLINEARITIES + ("leaky_relu",)


def test_leaky_relu_angle_interpolates_relu_to_linear() -> None:
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    np.testing.assert_array_equal(get_nonlinearity("leaky_relu", 0.0)(x), np.maximum(x, 0))
    # θ = π/4: tan θ = 1 up to float rounding of π/4 → the identity
    np.testing.assert_allclose(get_nonlinearity("leaky_relu", math.pi / 4)(x), x, rtol=1e-6)
    y = np.asarray(get_nonlinearity("leaky_relu", 0.3)(x))
    np.testing.assert_allclose(y, np.where(x >= 0, x, math.tan(0.3) * x), rtol=1e-6)
    for bad in (-0.1, math.pi / 2, float("nan")):
        with pytest.raises(ValueError, match="leak_angle"):
            get_nonlinearity("leaky_relu", bad)
    with pytest.raises(ValueError, match="leak_angle=0.3.*'tanh'"):
        get_nonlinearity("tanh", 0.3)


def test_nonlinearities_values() -> None:
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    np.testing.assert_allclose(
        get_nonlinearity("erf")(x), np_erf(math.sqrt(math.pi) / 2 * x), rtol=1e-6, atol=1e-6
    )
    np.testing.assert_allclose(get_nonlinearity("tanh")(x), np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(get_nonlinearity("relu")(x), np.maximum(x, 0))
    np.testing.assert_allclose(get_nonlinearity("linear")(x), x)


def test_erf_has_unit_slope_at_zero() -> None:
    # THEORY §2: α = √π/2 makes φ'(0) = 1.
    assert ERF_ALPHA == pytest.approx(math.sqrt(math.pi) / 2)
    assert float(jax.grad(get_nonlinearity("erf"))(0.0)) == pytest.approx(1.0, rel=1e-6)


def test_unknown_nonlinearity_lists_names() -> None:
    with pytest.raises(ValueError, match=r"nonlinearity='softplus'.*erf, tanh, relu, linear"):
        get_nonlinearity("softplus")


# ---------------------------------------------------------------- low-rank construction
@pytest.mark.parametrize("out_scale", ["large", "small"])
@pytest.mark.parametrize("rho_io", [0.0, 0.6, -1.0])
def test_low_rank_geometry(out_scale: str, rho_io: float) -> None:
    N = 128
    net = make_low_rank(KEY, N, out_scale=out_scale, rho_io=rho_io)
    U, w_in, w_out = map(np.asarray, (net.U, net.w_in, net.w_out))
    # U: orthogonal columns of norm √N (THEORY §2).
    np.testing.assert_allclose(U.T @ U / N, np.eye(2), atol=1e-5)
    s = output_scale(N, out_scale)
    assert s == (1.0 if out_scale == "large" else 1 / math.sqrt(N))
    # w_out = s u₁/√N exactly; w_in = ρ u₁ + sqrt(1 − ρ²) u₂ exactly.
    np.testing.assert_allclose(w_out[:, 0], s * U[:, 0] / math.sqrt(N), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(
        w_in[:, 0], rho_io * U[:, 0] + math.sqrt(1 - rho_io**2) * U[:, 1], atol=1e-5
    )
    # hence ‖w_in‖² = N (unit-variance entries) and the cosine between w_in and w_out is ρ_io.
    assert np.sum(w_in**2) == pytest.approx(N, rel=1e-5)
    cos = float(w_in[:, 0] @ w_out[:, 0] / np.linalg.norm(w_in) / np.linalg.norm(w_out))
    assert cos == pytest.approx(rho_io, abs=1e-5)
    assert net.W0 is None
    assert np.all(np.asarray(net.M) == 0)


def test_low_rank_more_inputs_outputs_rank1() -> None:
    N = 64
    net = make_low_rank(KEY, N, rank=1, n_in=2, n_out=2, rho_io=0.3)
    Q = np.concatenate([np.asarray(net.w_out), np.asarray(net.w_in) / math.sqrt(N)], axis=1)
    assert net.w_in.shape == (N, 2) and net.w_out.shape == (N, 2) and net.U.shape == (N, 1)
    # w_out columns orthonormal ("large"), the second output is orthogonal to U.
    np.testing.assert_allclose(
        np.asarray(net.w_out).T @ np.asarray(net.w_out), np.eye(2), atol=1e-5
    )
    assert abs(float(net.w_out[:, 1] @ net.U[:, 0])) < 1e-4
    # each input column has overlap ρ_io with the output of the same index
    np.testing.assert_allclose(np.diag(Q[:, :2].T @ Q[:, 2:]), [0.3, 0.3], atol=1e-5)


def test_low_rank_given_U_reproduces_network() -> None:
    N = 64
    M = jnp.array([[1.5, 0.2], [0.0, -1.0]])
    a = make_low_rank(jax.random.key(1), N, M=M, g=0.5)
    b = make_low_rank(jax.random.key(2), N, M=M, U=a.U)
    np.testing.assert_array_equal(a.U, b.U)
    np.testing.assert_allclose(a.w_in, b.w_in, atol=1e-6)
    np.testing.assert_allclose(a.w_out, b.w_out, atol=1e-6)
    np.testing.assert_array_equal(a.M, b.M)


def test_bulk_variance_g2_over_N() -> None:
    N, g = 256, 0.8
    W0 = np.asarray(make_low_rank(KEY, N, g=g).W0)
    # sample variance of N² iid Gaussians with variance g²/N: SE = (g²/N)·sqrt(2/(N²−1)); 5 SE.
    target = g**2 / N
    assert abs(W0.var() - target) < 5 * target * math.sqrt(2 / (N * N - 1))
    assert abs(W0.mean()) < 5 * math.sqrt(target / N**2)


def test_low_rank_drive_equals_dense_matrix() -> None:
    N = 48
    net = make_low_rank(KEY, N, M=jnp.array([[2.0, -0.5], [0.3, -1.0]]), g=0.7)
    x = jax.random.normal(jax.random.key(3), (5, N))
    r = net.phi(x)
    W = net.U @ net.M @ net.U.T / N + net.W0
    np.testing.assert_allclose(net.recurrent_drive(r), r @ W.T, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(latents(net, x), x @ net.U / N, rtol=1e-5, atol=1e-6)


def test_U_gets_no_gradient_but_M_does() -> None:
    net = make_low_rank(KEY, 16, M=jnp.eye(2))
    x = jax.random.normal(jax.random.key(4), (3, 16))
    grads = jax.grad(lambda m: jnp.sum(m.recurrent_drive(m.phi(x)) ** 2))(net)
    assert np.all(np.asarray(grads.U) == 0)
    assert np.any(np.asarray(grads.M) != 0)


def test_models_are_pytrees_with_static_nonlinearity() -> None:
    net = make_low_rank(KEY, 16, nonlinearity="tanh")
    leaves = jax.tree_util.tree_leaves(net)
    assert len(leaves) == 4  # U, M, w_in, w_out (W0 None); the name is static, not a leaf
    assert isinstance(net, LowRankRNN) and net.nonlinearity == "tanh"
    rate = make_rate_rnn(KEY, 16, n_in=2, n_out=3)
    assert len(jax.tree_util.tree_leaves(rate)) == 3 and isinstance(rate, RateRNN)


# ---------------------------------------------------------------- rate RNN (THEORY §6)
@pytest.mark.parametrize("out_scale", ["large", "small"])
def test_rate_rnn_init_statistics(out_scale: str) -> None:
    N, g = 256, 1.5
    net = make_rate_rnn(KEY, N, n_in=3, n_out=2, g=g, out_scale=out_scale)
    # Each check: sample variance within 5 standard errors, SE = var·sqrt(2/(n−1)).
    checks = [
        (np.asarray(net.W), g**2 / N),
        (np.asarray(net.w_in), 1.0),
        (np.asarray(net.w_out), 1 / N if out_scale == "large" else 1 / N**2),
    ]
    for arr, var in checks:
        n = arr.size
        assert abs(arr.var() - var) < 5 * var * math.sqrt(2 / (n - 1)), (arr.shape, var)
    assert net.W.dtype == jnp.float32 and net.nonlinearity == "tanh"


def test_float64_models() -> None:
    with jax.enable_x64(True):
        a = make_low_rank(KEY, 16, dtype=jnp.float64, g=0.5)
        b = make_rate_rnn(KEY, 16, n_in=1, n_out=1, dtype="float64")
        assert {x.dtype for x in jax.tree_util.tree_leaves((a, b))} == {jnp.dtype("float64")}


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"N": 1}, r"N=1 .*>= 2"),
        ({"N": 16, "rank": 0}, r"rank=0 .*\[1, N=16\]"),
        ({"N": 16, "rank": 17}, r"rank=17 .*\[1, N=16\]"),
        ({"N": 16, "rho_io": 1.5}, r"rho_io=1.5 .*<= 1"),
        ({"N": 16, "out_scale": "huge"}, r"out_scale='huge' .*large.*small"),
        ({"N": 16, "nonlinearity": "sigmoid"}, r"nonlinearity='sigmoid'"),
        ({"N": 16, "g": -1.0}, r"g=-1.0 .*>= 0"),
        ({"N": 16, "M": jnp.zeros((3, 3))}, r"M has shape \(3, 3\), expected .*\(2, 2\)"),
        ({"N": 16, "U": jnp.ones((16, 2))}, r"U must have orthogonal columns"),
        ({"N": 16, "U": jnp.ones((15, 2))}, r"U has shape \(15, 2\)"),
        ({"N": 16, "n_in": 0}, r"n_in=0 .*>= 1"),
        ({"N": 2, "n_in": 2, "n_out": 1}, r"n_in \+ n_out must be <= N"),
        ({"N": 16, "dtype": jnp.int32}, r"dtype=.*not allowed"),
    ],
)
def test_make_low_rank_errors(kwargs: dict, pattern: str) -> None:
    N = kwargs.pop("N")
    with pytest.raises(ValueError, match=pattern):
        make_low_rank(KEY, N, **kwargs)


def test_float64_without_x64_is_refused() -> None:
    if jax.config.read("jax_enable_x64"):
        pytest.skip("64-bit mode is on in this process")
    with pytest.raises(ValueError, match="enable_float64"):
        make_low_rank(KEY, 16, dtype=jnp.float64)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"N": 0}, r"N=0 .*>= 2"),
        ({"N": 8, "g": float("nan")}, r"g=nan"),
        ({"N": 8, "out_scale": "medium"}, r"out_scale='medium'"),
        ({"N": 8, "nonlinearity": "abs"}, r"nonlinearity='abs'"),
        ({"N": 8, "n_out": 0}, r"n_out=0"),
    ],
)
def test_make_rate_rnn_errors(kwargs: dict, pattern: str) -> None:
    N = kwargs.pop("N")
    kwargs = {"n_in": 1, "n_out": 1} | kwargs
    with pytest.raises(ValueError, match=pattern):
        make_rate_rnn(KEY, N, **kwargs)


def test_latents_need_low_rank() -> None:
    with pytest.raises(ValueError, match="LowRankRNN"):
        latents(make_rate_rnn(KEY, 8, n_in=1, n_out=1), jnp.zeros((8,)))


# ---------------------------------------------------------------- seed 003 options
def test_rate_rnn_seed003_initialisation() -> None:
    N = 512
    net = make_rate_rnn(
        KEY,
        N,
        n_in=2,
        n_out=1,
        g=1.0,
        input_std=0.5,
        bias_std=0.25,
        zero_diagonal=True,
        form="rate",
    )
    W, w_in, b = map(np.asarray, (net.W, net.w_in, net.b))
    assert np.all(np.diagonal(W) == 0.0)
    # sample variances of n Gaussian entries: relative SE sqrt(2/n); allow 4 SE
    for arr, std in ((W[~np.eye(N, dtype=bool)], 1 / math.sqrt(N)), (w_in, 0.5), (b, 0.25)):
        assert abs(arr.var() / std**2 - 1) <= 4 * math.sqrt(2 / arr.size)
    assert make_rate_rnn(KEY, 8, n_in=1, n_out=1).b is None  # bias_std = 0 → no bias
    with pytest.raises(ValueError, match="form='voltage'"):
        make_rate_rnn(KEY, 8, n_in=1, n_out=1, form="voltage")
    with pytest.raises(ValueError, match="bias_std"):
        make_rate_rnn(KEY, 8, n_in=1, n_out=1, bias_std=-1.0)
    with pytest.raises(ValueError, match="leaky_relu"):
        make_low_rank(KEY, 8, nonlinearity="leaky_relu")


def test_zero_diagonal_masks_the_drive_and_its_gradient() -> None:
    N = 6
    net = make_rate_rnn(KEY, N, n_in=1, n_out=1, zero_diagonal=True)
    W = np.asarray(net.W) + np.diag(np.arange(1.0, N + 1))  # a non-zero diagonal sneaks in
    net = eqx.tree_at(lambda m: m.W, net, jnp.asarray(W, jnp.float32))
    r = jax.random.normal(jax.random.key(1), (3, N))
    off = W - np.diag(np.diagonal(W))
    np.testing.assert_allclose(net.recurrent_drive(r), np.asarray(r) @ off.T, rtol=1e-5, atol=1e-6)
    grad = jax.grad(lambda m: jnp.sum(jnp.sin(m.recurrent_drive(r))))(net)
    assert np.all(np.diagonal(np.asarray(grad.W)) == 0.0)  # exactly: masked, not cancelled
    assert np.any(np.asarray(grad.W) != 0.0)
