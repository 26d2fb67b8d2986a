"""simulate.checks and the public functions that use it: every valid spelling of a number
accepted, None/text/bool/non-finite refused by name (they failed deep inside jax)."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest

from simulate import checks
from simulate.dynamics import simulate
from simulate.models import make_low_rank, make_rate_rnn


def test_numbers():
    assert checks.integer(np.array(4), "N", 2) == 4
    assert checks.real(np.float32(0.5), "g", low=0.0) == 0.5
    for bad in (None, "x", True, math.nan, math.inf, -1):
        with pytest.raises(ValueError, match=r"^g=.* is not allowed"):
            checks.real(bad, "g", low=0.0)
    with pytest.raises(ValueError, match=r"^N=2\.5 is not allowed"):
        checks.integer(2.5, "N", 2)


def test_models_and_simulate_accept_numpy_scalars_and_name_bad_input():
    key = jax.random.key(0)
    assert make_low_rank(key, np.int64(8), rank=np.array(2)).N == 8
    assert make_rate_rnn(key, np.array(8), n_in=1, n_out=1).W.shape == (8, 8)
    with pytest.raises(ValueError, match=r"^g='x' is not allowed"):
        make_low_rank(key, 8, g="x")
    net = make_low_rank(key, 8)
    u = np.zeros((2, 5, 1), np.float32)
    assert simulate(net, u, key=key, sigma=np.float64(0.5), dt=np.array(0.2)).x.shape == (2, 5, 8)
    for name, kw, msg in (
        ("sigma", {"sigma": None}, r"^sigma=None is not allowed"),
        ("dt", {"sigma": 0.5, "dt": "0.2"}, r"^dt='0\.2' is not allowed"),
        ("inputs", {"sigma": 0.5}, r"^inputs=None is not allowed"),
    ):
        with pytest.raises(ValueError, match=msg):
            simulate(net, None if name == "inputs" else u, key=key, **kw)
    bad = u.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^inputs has non-finite entries"):
        simulate(net, bad, key=key, sigma=0.5)
