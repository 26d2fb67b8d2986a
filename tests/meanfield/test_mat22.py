"""meanfield._mat22: the entry-wise 2×2 algebra equals numpy's matrix routines."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from meanfield import _mat22


@pytest.fixture
def mats() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((50, 2, 2)), rng.standard_normal((50, 2, 2))


def test_products_inverses_and_transposes(mats: tuple[np.ndarray, np.ndarray]) -> None:
    X, Y = mats
    split, join = _mat22.split, _mat22.join
    np.testing.assert_allclose(join(_mat22.mul(split(X), split(Y))), X @ Y, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(join(_mat22.inv(split(X))), np.linalg.inv(X), rtol=1e-10)
    np.testing.assert_array_equal(join(_mat22.transpose(split(X))), np.swapaxes(X, -1, -2))
    # 0-d entries stay 0-d: one matrix in, one matrix out
    assert join(split(X[0])).shape == (2, 2)


def test_lyapunov_solves_the_equation(mats: tuple[np.ndarray, np.ndarray]) -> None:
    X, Y = mats
    A = X - 3.0 * np.eye(2)  # stable
    Q = Y @ np.swapaxes(Y, -1, -2)
    S = _mat22.join(_mat22.lyapunov(_mat22.split(A), _mat22.split(Q)))
    for a, q, s in zip(A, Q, S, strict=True):
        np.testing.assert_allclose(s, scipy.linalg.solve_continuous_lyapunov(a, -q), rtol=1e-11)
