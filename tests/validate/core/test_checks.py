"""validate.core.checks: numbers and arrays accepted in every valid spelling (Python/NumPy
scalars, 0-d arrays) and refused by name otherwise — and the toolkit functions that use it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from validate.core import checks


@pytest.mark.parametrize("value", [3, np.int64(3), np.array(3), np.uint8(3)])
def test_integer_accepts_every_integer_spelling(value):
    assert checks.integer(value, "n", 1) == 3 and type(checks.integer(value, "n", 1)) is int


@pytest.mark.parametrize("value", [None, "3", True, 2.5, np.array([3]), np.float64(3.0), 0])
def test_integer_refuses_by_name(value):
    with pytest.raises(ValueError, match=r"^n=.* is not allowed"):
        checks.integer(value, "n", 1)


def test_real_and_array():
    assert checks.real(np.array(2.5), "x", low=0.0) == 2.5
    assert math.isnan(checks.real(math.nan, "x", allow_nan=True))
    for bad in (None, "x", True, math.inf, math.nan, -1.0):
        with pytest.raises(ValueError, match=r"^x=.* is not allowed"):
            checks.real(bad, "x", low=0.0)
    np.testing.assert_array_equal(checks.array([1, 2], "a"), [1.0, 2.0])
    for bad, msg in (
        (None, r"^a=None is not allowed"),
        ("x", r"^a='x' is not allowed"),
        ([1 + 1j], r"^a has dtype complex"),
        ([[1.0, np.nan]], r"^a has non-finite"),
        (np.zeros((2, 2, 2)), r"^a has shape \(2, 2, 2\); allowed: 2 dim"),
        (np.zeros(0), r"^a has shape \(0,\); allowed: at least 1"),
    ):
        with pytest.raises(ValueError, match=msg):
            checks.array(
                bad, "a", ndim=2 if isinstance(bad, np.ndarray) and bad.ndim == 3 else None
            )


def test_toolkit_functions_name_their_arguments():
    """A sample of the fuzz of benchmarks/fuzz_api.py: text, None and numpy scalars at the
    public toolkit functions (they failed deep inside numpy, or refused np.int64)."""
    from validate.analysis.network_measures import lag_covariances, predictive_information
    from validate.analysis.similarity import classical_mds, linear_cka
    from validate.analysis.topology import integration_modes
    from validate.core.stats import compare

    X = np.random.default_rng(0).standard_normal((40, 4))
    with pytest.raises(ValueError, match=r"^XA='x' is not allowed"):
        linear_cka("x", X)
    D = np.linalg.norm(X[:5, None] - X[None, :5], axis=-1)
    assert classical_mds(D, np.int64(2)).coords.shape == (5, 2)
    assert lag_covariances(X, np.array(2)).shape == (3, 4, 4)
    assert np.isfinite(predictive_information(X, T=np.int64(2)))
    with pytest.raises(ValueError, match=r"^J=None is not allowed"):
        integration_modes(None, np.ones((2, 1)), np.ones(2))
    with pytest.raises(ValueError, match=r"^N=None is not allowed"):
        compare("q", 1.0, [1.0, 1.1], se_kind="seeds", N=None)
    with pytest.raises(ValueError, match=r"^theory='x' is not allowed"):
        compare("q", "x", [1.0, 1.1], se_kind="seeds", N=10)
