"""validate.experiments.dt_extrapolation: the continuous-time theories at dt → 0."""

from __future__ import annotations

import math

import numpy as np
import pytest

from validate.experiments.dt_extrapolation import dt_extrapolation_rows, extrapolate_to_zero
from validate.experiments.static import StaticConfig, run_static


def test_weighted_line_recovers_a_known_intercept_and_its_se() -> None:
    """Exact line: intercept exact; SE from the known variances (checked against the closed
    form of a two-point fit, and by Monte Carlo over 4,000 noisy replicates)."""
    dts = np.array([0.1, 0.05, 0.025])
    ses = np.array([0.02, 0.01, 0.015])
    value, se = extrapolate_to_zero(dts, 1.3 + 2.0 * dts, ses)
    assert value == pytest.approx(1.3, abs=1e-12)
    v2, se2 = extrapolate_to_zero([0.1, 0.05], [1.5, 1.4], [0.01, 0.01])
    assert v2 == pytest.approx(1.3) and se2 == pytest.approx(math.sqrt(0.01**2 * 5), rel=1e-9)
    rng = np.random.default_rng(0)
    draws = [
        extrapolate_to_zero(dts, 1.3 + 2.0 * dts + ses * rng.standard_normal(3), ses)[0]
        for _ in range(4000)
    ]
    assert np.std(draws) == pytest.approx(se, rel=0.05)  # SE of an SD over 4,000: 1.1 %
    with pytest.raises(ValueError, match="dts="):
        extrapolate_to_zero([0.1, 0.1], [1.0, 1.0], [0.1, 0.1])


@pytest.fixture(scope="module")
def small_dt_results() -> list:
    """THEORY §5's λ₊ = 2.6, λ₋ = −5 at N = 128, three small steps, short runs."""
    base = dict(N=128, lambda_plus=2.6, networks=16, trials=8, t_max=40.0, t_discard=10.0)
    return [
        run_static(StaticConfig(dt=dt, seed=i, **base)) for i, dt in enumerate((0.1, 0.05, 0.025))
    ]


def test_paper_misses_at_dt_to_zero_where_the_leak_theory_does_not(small_dt_results) -> None:
    """At λ₋ = −5 the paper's L_var misses the noise leaking through φ, an O(1) term that does
    not vanish as dt → 0: extrapolated, the simulation still exceeds it by far more than its
    SE, while meanfield's continuous-time theory with the leak is not rejected."""
    rows = {r.quantity: r for r in dt_extrapolation_rows(small_dt_results)}
    assert set(rows) == {
        f"{q} (dt → 0) [{v}]" for q in ("loss_var", "kappa_norm") for v in ("paper", "Hermite")
    }
    paper, leak = rows["loss_var (dt → 0) [paper]"], rows["loss_var (dt → 0) [Hermite]"]
    assert paper.status == "fail" and paper.rel_err > 0.2, paper
    assert leak.status != "fail", leak
    assert paper.sim_mean == leak.sim_mean and paper.role == "finding"
    assert paper.claim == "L_var of a given M (dt → 0)"
    assert rows["kappa_norm (dt → 0) [paper]"].status != "fail"


def test_fewer_than_three_steps_give_no_row(small_dt_results) -> None:
    assert dt_extrapolation_rows(small_dt_results[:2]) == []
