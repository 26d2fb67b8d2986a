"""meanfield._repr: result objects print shapes and headline numbers, not full arrays."""

from __future__ import annotations

import numpy as np

import meanfield as mf
from meanfield._repr import concise_repr, short_value


def test_a_result_over_a_grid_prints_in_one_short_line():
    opt = mf.optimum(np.geomspace(64, 2**20, 500), -5.0)
    text = repr(opt)
    assert text.startswith("Optimum(") and "\n" not in text
    assert len(text) < 80 * len(opt._fields)  # one short item per field, not 500 numbers
    assert "<float64[500] " in text
    # the headline numbers are the real ones
    lam = np.asarray(opt.lambda_plus)
    assert f"{lam.min():.4g}…{lam.max():.4g}" in text


def test_short_values():
    assert short_value(np.array([1.0, np.nan, 3.0, 4.0, 5.0])) == "<float64[5] 1…5, 1 non-finite>"
    assert short_value(np.zeros((0, 3))) == "<float64[0×3]>"
    assert short_value(np.float64(2.5)) == "2.5"
    assert short_value([1, 2]) == "[1, 2]"
    assert short_value(list(range(10))) == "<list of 10>"
    assert short_value("x" * 100).endswith("…'") and len(short_value("x" * 100)) == 62
    assert short_value({"a": np.ones(7)}) == "{'a': <float64[7] 1…1>}"


def test_scalar_results_still_show_their_values():
    b = mf.barrier(2.0, 1.0, 256)
    text = concise_repr(b)
    for field in b._fields:
        assert f"{field}=" in text
    assert "<" not in text  # every field a number, shown as one
