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
    LATENT_CLAIM,
    LATENT_VARIANTS,
    SWEEP_FACTORS,
    BulkConfig,
    BulkPoint,
    bulk_rows,
    default_bulk_configs,
    lambda_c_rows,
    latent_rows,
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
    ten = next(
        r for r in bulk_rows([dataclasses.replace(point, c0=point.c0 * 1.1)]) if r.quantity == "c₀"
    )
    assert ten.status != "pass", ten
    assert bad.tolerance == pytest.approx(cfg.dt + 1 / cfg.N)


def test_rows_use_each_networks_own_variance(point) -> None:
    row = next(r for r in bulk_rows([point]) if r.quantity == "c₀")
    own = mf.bulk_state(1.0 / mf.mean_dphi(point.v), point.config.sigma, point.config.g).c0
    assert row.theory == pytest.approx(float(np.mean(own)), rel=1e-12)


def test_configs_and_bad_input() -> None:
    quick = default_bulk_configs("quick")
    assert {c.g for c in quick} == {0.5, 0.9, 1.5} and {c.N for c in quick} == {256, 512, 1024}
    sweep = [c for c in quick if c.sweep]
    lam_c = mf.lambda_min(0.5, g=0.9)
    assert sorted(c.lambda_plus / lam_c for c in sweep) == pytest.approx(SWEEP_FACTORS, rel=1e-5)
    assert len({(c.seed, c.N, c.g) for c in sweep}) == 1  # the same networks at every λ₊
    assert any(c.lambda_plus < mf.lambda_min(c.sigma, g=c.g) for c in quick)  # below λ_c
    assert len(default_bulk_configs("tiny")) == 1
    with pytest.raises(ValueError, match=r"^networks=2 is not allowed"):
        BulkConfig(networks=2)
    with pytest.raises(ValueError, match=r"^sigma=0 is not allowed"):
        BulkConfig(sigma=0)


def test_latent_rows_judge_long_runs_and_catch_a_planted_miss() -> None:
    """A long small point (N = 128, 16 networks, 400 time units): rows for every variant, the
    prediction variant not failing, a 25 % planted miss failing; Σ₊₊ outside the domain at
    g ≥ 1; short runs get no latent rows."""
    p = simulate_bulk(BulkConfig(N=128, networks=16, g=0.5, t_max=420.0, t_discard=20.0, seed=5))
    assert p.latent_cov.shape == (16, 2, 2)
    rows = latent_rows([p])
    assert {(r.variant, r.quantity) for r in rows} == {
        (v, f"{q} [{tag}]") for v, (_, _, tag) in LATENT_VARIANTS.items() for q in ("Σ₊₊", "Σ₋₋")
    }
    best = [r for r in rows if r.role == "prediction"]
    assert best and all(r.claim == LATENT_CLAIM for r in rows)
    assert not [r for r in best if r.status == "fail"], best
    off = dataclasses.replace(p, latent_cov=p.latent_cov * 1.25)
    bad = [r for r in latent_rows([off]) if r.role == "prediction" and r.quantity.startswith("Σ₋₋")]
    assert bad[0].status == "fail", bad
    chaotic = dataclasses.replace(p, config=dataclasses.replace(p.config, g=1.5))
    plus = [
        r for r in latent_rows([chaotic]) if r.quantity.startswith("Σ₊₊") and r.role == "prediction"
    ]
    assert plus[0].status == "outside domain" and "adiabatic" in plus[0].domain
    short = dataclasses.replace(p, config=dataclasses.replace(p.config, t_max=100.0))
    assert latent_rows([short]) == []


def _synthetic_sweep(delta: np.ndarray, N: int = 512, g: float = 0.9) -> list[BulkPoint]:
    """Sweep points whose ‖κ̄‖² is exactly the DMFT's at λ₊ − δ (one δ per network)."""
    lam_c = float(mf.lambda_min(0.5, g=g))
    out = []
    for f in SWEEP_FACTORS:
        cfg = BulkConfig(
            N=N,
            g=g,
            sigma=0.5,
            networks=delta.size,
            sweep=True,
            seed=100,
            lambda_plus=round(f * lam_c, 6),
        )
        with mf.errors("nan"):
            st = mf.bulk_state(cfg.lambda_plus - delta, 0.5, g)
        k = np.where(st.fixed_point, st.kappa_norm, 0.0)
        z = np.zeros(delta.size)
        out.append(
            BulkPoint(
                config=cfg,
                c0=z,
                c_inf=z,
                kappa_norm=k,
                v=z,
                acf=np.zeros((delta.size, len(LAGS))),
                latent_cov=np.zeros((delta.size, 2, 2)),
            )
        )
    return out


def test_lambda_c_estimator_recovers_known_shifts() -> None:
    """The fit inverts ‖κ̄‖²(λ₊ − δ): known per-network shifts come back to 1e-8, so the
    row's mean is λ_c + mean δ; shifts of ±5 % of λ_c make the row fail."""
    delta = np.array([-0.03, 0.01, 0.02, -0.005, 0.015, 0.0])
    row = lambda_c_rows(_synthetic_sweep(delta))[0]
    lam_c = float(mf.lambda_min(0.5, g=0.9))
    assert row.theory == pytest.approx(lam_c, rel=1e-12)
    assert row.sim_mean == pytest.approx(lam_c + delta.mean(), abs=1e-8)
    assert row.claim == BULK_CLAIM and row.quantity == "λ_c"
    far = lambda_c_rows(_synthetic_sweep(0.05 * lam_c + delta * 0.1))[0]
    assert far.status == "fail", far
