"""The gradient-descent scaling experiment's analysis (validate.experiments.gd_scaling, THEORY §4).

Training itself is tested in tests/simulate/test_training.py and end to end by the report's
smoke run; here the analysis runs on records built from the theory, so what it must
find is known exactly.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

import meanfield
from validate.core import stats
from validate.core.fits import fit_power_law
from validate.experiments.gd_scaling import (
    CLAIM_FLOW,
    FLOW_QUANTITIES,
    FLOW_WINDOWS,
    GD_QUANTITIES,
    TRAINED_M_THEORIES,
    GDScalingPlan,
    analyse_gd_scaling,
    default_gd_plans,
    gd_scaling_config,
    learning_flow_of_run,
)


def test_fit_power_law_exact_and_noisy() -> None:
    N = np.array([32, 64, 128, 256, 512], float)
    fit = fit_power_law(N, 2.5 * N**-0.25)
    assert fit.exponent == pytest.approx(-0.25, abs=1e-12)
    assert fit.prefactor == pytest.approx(2.5, rel=1e-12)
    assert fit.exponent_se < 1e-12 and fit.n == 5
    # log-normal scatter of SD 0.1: the OLS SE is the right error bar (within 4 SE)
    rng = np.random.default_rng(0)
    NN = np.repeat(N, 20)
    noisy = fit_power_law(NN, 2.5 * NN**-0.5 * np.exp(0.1 * rng.standard_normal(NN.size)))
    assert abs(noisy.exponent + 0.5) <= 4 * noisy.exponent_se
    # exact OLS SE for this design: 0.1 / sqrt(Σ (log N - mean)²)
    x = np.log(NN)
    assert noisy.exponent_se == pytest.approx(0.1 / math.sqrt(((x - x.mean()) ** 2).sum()), rel=0.2)


def test_fit_power_law_degenerate_inputs_give_nan() -> None:
    assert math.isnan(fit_power_law(np.array([64.0]), np.array([1.0])).exponent)
    assert math.isnan(fit_power_law(np.array([64.0, 64.0]), np.array([1.0, 2.0])).exponent)
    # non-positive values are left out, not clipped
    assert fit_power_law(np.array([8.0, 16.0, 32.0]), np.array([-1.0, 1.0, 2.0])).n == 2


def test_plan_validation_and_defaults() -> None:
    with pytest.raises(ValueError, match="seeds"):
        GDScalingPlan(seeds=1)
    with pytest.raises(ValueError, match="tail"):
        GDScalingPlan(tail=0.0)
    quick, full = default_gd_plans(), default_gd_plans(full=True)
    assert [p.sigma for p in quick] == [1.0, 0.2] == [p.sigma for p in full]
    assert full[0].Ns == (64, 128, 256, 512, 1024) and full[0].steps is None
    cfgs = [gd_scaling_config(p) for p in full]
    assert [(c.eta0, c.steps) for c in cfgs] == [(0.005, 2000), (0.01, 5000)]  # THEORY §4
    for p in quick:
        assert max(p.Ns) <= max(full[0].Ns) and p.seeds >= 2


def _symmetric_M(lp: np.ndarray, lm: np.ndarray, rho: np.ndarray, n_rec: int) -> np.ndarray:
    """Symmetric M [seeds, n_rec, 2, 2] with eigenpairs (λ₊, v₊ at θ₊ = arccos ρ), (λ₋, v₋ ⟂ v₊)."""
    th = np.arccos(rho)
    c, s = np.cos(th), np.sin(th)
    V = np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)  # columns v₊, v₋
    M = V @ (np.stack([lp, lm], -1)[..., None] * np.swapaxes(V, -1, -2))
    return np.broadcast_to(M[:, None], (lp.size, n_rec, 2, 2)).copy()


def _fake_runs(plan: GDScalingPlan, lam_minus: np.ndarray, scale: dict[str, float] | None = None):
    """Records whose tail means equal the optimum for each seed's λ₋ (σ of ``plan``)."""
    scale = scale or {}
    runs = []
    cfg0 = gd_scaling_config(plan)
    n_rec = cfg0.steps // cfg0.record_every
    B = cfg0.batch  # one (mirror-flipped) condition
    for N in plan.Ns:
        cfg = cfg0.replace(N=int(N))
        opt = meanfield.optimum(np.full_like(lam_minus, N, dtype=float), lam_minus, plan.sigma)
        ev = np.zeros((plan.seeds, n_rec, 2), complex)
        ev[..., 0] = np.asarray(opt.lambda_plus)[:, None] * scale.get("lambda_plus", 1.0)
        ev[..., 1] = lam_minus[:, None]

        def rec(field: str, opt=opt) -> np.ndarray:
            v = np.asarray(getattr(opt, field))[:, None] * scale.get(field, 1.0)
            return np.broadcast_to(v, (plan.seeds, n_rec)).copy()

        lv = rec("loss_var") * (B - 1) / B  # what a batch of B trials estimates
        records = {
            "eigvals": ev,
            "loss_var": lv,
            "loss_bias": np.zeros_like(lv),
            "loss": lv,
            "kappa_norm": rec("kappa_norm"),
            "rho": rec("rho"),
            "M": _symmetric_M(np.asarray(opt.lambda_plus), lam_minus, np.asarray(opt.rho), n_rec),
        }
        runs.append(
            SimpleNamespace(config=cfg, steps=np.arange(n_rec) * cfg.record_every, records=records)
        )
    return runs


PLAN = GDScalingPlan(sigma=1.0, Ns=(64, 256, 1024), seeds=3, steps=100, record_every=10)
LAM = np.array([-1.5, -2.0, -2.5])


def test_analysis_recovers_the_theory() -> None:
    res = analyse_gd_scaling(_fake_runs(PLAN, LAM), PLAN, derived=False, flow=False)
    assert res.sim["loss_var"].shape == (3, 3)
    for q, _, _ in GD_QUANTITIES:
        np.testing.assert_allclose(res.sim[q], res.theory[q], rtol=1e-12)
    np.testing.assert_array_equal(res.lambda_minus, np.broadcast_to(LAM, (3, 3)))
    per_N = [r for r in res.rows if not r.quantity.startswith("exponent")]
    assert len(per_N) == 3 * (len(GD_QUANTITIES) + len(TRAINED_M_THEORIES))
    # the trained M here IS the optimum, so the paper theory of the trained M agrees exactly
    trained = [r for r in res.rows if r.quantity == "loss_var (trained M)"]
    assert len(trained) == 3 and all(abs(r.rel_err) < 1e-9 for r in trained)
    assert stats.all_passed([r for r in res.rows if "Euler" not in r.quantity])
    # fitted exponents of sim and theory coincide; rows for them exist
    for q, _, _ in GD_QUANTITIES:
        assert res.fits[q]["sim"].exponent == pytest.approx(res.fits[q]["theory"].exponent)
    assert sum(r.quantity.startswith("exponent") for r in res.rows) == len(GD_QUANTITIES)
    # the theory's large-N trend: ‖κ̄*‖ and ρ* fall with N
    assert res.fits["kappa_norm"]["theory"].exponent < 0 and res.fits["rho"]["theory"].exponent < 0
    json.dumps(res.summary(), allow_nan=False)
    assert set(res.curves) == set(PLAN.Ns)


def test_analysis_flags_a_kappa_norm_that_does_not_shrink() -> None:
    """THEORY §4's small-noise finding in miniature: ‖κ̄‖ held at an O(1) value fails."""
    runs = _fake_runs(PLAN, LAM)
    for run in runs:
        run.records["kappa_norm"] = np.full_like(run.records["kappa_norm"], 1.2)
        run.records["kappa_norm"] *= 1 + 0.01 * np.arange(3)[:, None]  # small seed scatter
    res = analyse_gd_scaling(runs, PLAN, derived=False, flow=False)
    rows = {(r.quantity, r.N): r for r in res.rows}
    assert not rows[("kappa_norm", 1024)].passed
    assert not rows[("exponent of kappa_norm", 1024)].passed
    assert rows[("loss_var", 1024)].passed


def test_analysis_detects_a_wrong_loss_var() -> None:
    res = analyse_gd_scaling(
        _fake_runs(PLAN, LAM, {"loss_var": 1.5}), PLAN, derived=False, flow=False
    )
    rows = [r for r in res.rows if r.quantity == "loss_var"]
    # 50 % is beyond 3/√N for every N ≥ 64 and the seeds agree exactly on the ratio
    assert rows and not any(r.passed for r in rows)
    assert all(r.rel_err == pytest.approx(0.5, rel=1e-9) for r in rows)


def test_single_size_analysis_has_no_fit_and_strict_json_summary() -> None:
    plan = GDScalingPlan(sigma=1.0, Ns=(64,), seeds=3, steps=100, record_every=10)
    res = analyse_gd_scaling(_fake_runs(plan, LAM), plan, derived=False, flow=False)
    assert math.isnan(res.fits["rho"]["sim"].exponent)  # one size: no power law
    assert not any(r.quantity.startswith("exponent") for r in res.rows)
    text = json.dumps(res.summary(), allow_nan=False)  # NaN → null, strict JSON
    assert '"exponent": null' in text


def _flow_runs(plan: GDScalingPlan, scale: dict[str, float] | None = None):
    """Runs whose records ARE the learning flow's (3 seeds, ±0.01 % spread: determinable
    with 3 seeds), or a scaled
    copy (a network that does not follow the flow)."""
    scale = scale or {}
    cfg0 = gd_scaling_config(plan)
    flow = learning_flow_of_run(cfg0, list(plan.Ns))
    spread = 1 + 1e-4 * np.array([-1.0, 0.0, 1.0])[:, None]
    runs = []
    for N in plan.Ns:
        f = flow[int(N)]

        def rec(name: str, f=f) -> np.ndarray:
            return f[name][None, :] * spread * scale.get(name, 1.0)

        ev = np.stack([rec("lambda_plus"), f["lambda_minus"][None, :] * spread], -1)
        lv = rec("loss_var") * (cfg0.batch - 1) / cfg0.batch
        records = {
            "eigvals": ev.astype(complex),
            "loss_var": lv,
            "loss_bias": rec("loss_bias"),
            "loss": lv,
            "kappa_norm": rec("kappa_norm"),
            "rho": rec("rho"),
            "M": np.broadcast_to(f["M"], (3, *f["M"].shape)).copy(),
        }
        runs.append(
            SimpleNamespace(config=cfg0.replace(N=int(N)), steps=f["steps"], records=records)
        )
    return runs


FLOW_PLAN = GDScalingPlan(sigma=0.2, Ns=(64, 256), seeds=3, steps=200, record_every=10)


def test_flow_rows_pass_on_the_flow_and_fail_on_a_network_that_leaves_it() -> None:
    res = analyse_gd_scaling(_flow_runs(FLOW_PLAN), FLOW_PLAN, derived=False)
    flow_rows = [r for r in res.rows if r.claim == CLAIM_FLOW]
    # per N: FLOW_QUANTITIES × FLOW_WINDOWS rows; plus the two exponent rows
    assert len(flow_rows) == 2 * len(FLOW_QUANTITIES) * len(FLOW_WINDOWS) + 2
    per_n = [r for r in flow_rows if not r.quantity.startswith("exponent")]
    assert all(abs(r.rel_err) < 1e-12 for r in per_n)  # the seeds' mean is the flow
    assert all(r.status == "pass" for r in flow_rows)
    assert set(res.flow) == set(FLOW_PLAN.Ns) and res.flow_fits["rho"]["flow"].n == 2
    json.dumps(res.summary(), allow_nan=False)
    bad = analyse_gd_scaling(_flow_runs(FLOW_PLAN, {"kappa_norm": 1.3}), FLOW_PLAN, derived=False)
    kappa = [r for r in bad.rows if r.claim == CLAIM_FLOW and r.quantity.startswith("kappa")]
    assert kappa and all(r.status == "fail" for r in kappa)
    assert all(r.rel_err == pytest.approx(0.3, rel=1e-9) for r in kappa)


def test_the_flow_refuses_a_training_it_does_not_describe() -> None:
    cfg = gd_scaling_config(FLOW_PLAN).replace(optimizer="adam")
    with pytest.raises(ValueError, match="optimizer='adam' is not described by the learning flow"):
        learning_flow_of_run(cfg, [64])
