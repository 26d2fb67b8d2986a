"""validate.experiments.bulk: the random-bulk experiment's simulation, rows and their rule
(a small point: N = 256, 12 networks; the quick run's numbers are in the README)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import meanfield as mf
from validate.experiments.bulk import (
    BULK_CLAIM,
    LAGS,
    BulkConfig,
    bulk_rows,
    default_bulk_configs,
    simulate_bulk,
)


@pytest.fixture(scope="module")
def point():
    return simulate_bulk(BulkConfig(N=256, networks=12, t_max=60.0, t_discard=10.0, seed=3))


def test_estimates_have_one_entry_per_network(point) -> None:
    for name in ("c0", "c_inf", "kappa_norm", "v"):
        arr = getattr(point, name)
        assert arr.shape == (12,) and np.all(np.isfinite(arr)), name
    assert point.acf.shape == (12, len(LAGS))
    np.testing.assert_allclose(point.acf[:, 0], point.c0, rtol=1e-12)  # Δ(0) = c₀
    assert np.all(point.c_inf < point.c0) and np.all(point.v > point.c0)


def test_rows_pass_and_a_planted_miss_fails(point) -> None:
    rows = bulk_rows([point])
    assert {r.quantity for r in rows} == {"c₀", "c∞", "‖κ̄‖", "Δ(1)", "Δ(2)"}
    assert all(r.claim == BULK_CLAIM and r.role == "prediction" for r in rows)
    assert not [r for r in rows if r.status == "fail"], [r for r in rows if r.status == "fail"]
    # the same simulation 25 % off the theory must fail, and 10 % off must never pass (the
    # rule calls a row undetermined when its detectable error exceeds 10 %)
    cfg = point.config
    off = dataclasses.replace(point, c0=point.c0 * 1.25)
    bad = next(r for r in bulk_rows([off]) if r.quantity == "c₀")
    assert bad.status == "fail", bad
    ten = next(r for r in bulk_rows([dataclasses.replace(point, c0=point.c0 * 1.1)])
               if r.quantity == "c₀")
    assert ten.status != "pass", ten
    assert bad.tolerance == pytest.approx(cfg.dt + 1 / cfg.N)


def test_rows_use_each_networks_own_variance(point) -> None:
    row = next(r for r in bulk_rows([point]) if r.quantity == "c₀")
    own = mf.bulk_state(1.0 / mf.mean_dphi(point.v), point.config.sigma, point.config.g).c0
    assert row.theory == pytest.approx(float(np.mean(own)), rel=1e-12)


def test_configs_and_bad_input() -> None:
    quick = default_bulk_configs("quick")
    assert {c.g for c in quick} == {0.5, 0.9, 1.5} and {c.N for c in quick} == {256, 1024}
    assert any(c.lambda_plus < mf.lambda_min(c.sigma, g=c.g) for c in quick)  # below λ_c
    assert len(default_bulk_configs("tiny")) == 1
    with pytest.raises(ValueError, match=r"^networks=2 is not allowed"):
        BulkConfig(networks=2)
    with pytest.raises(ValueError, match=r"^sigma=0 is not allowed"):
        BulkConfig(sigma=0)
