"""The static check of the mean-field theory (validate.experiments.static, THEORY §5)."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

import meanfield
from validate.core import stats
from validate.experiments.static import (
    EXTENDED_QUANTITIES,
    EXTENDED_SUFFIX,
    STATIC_QUANTITIES,
    StaticConfig,
    default_static_configs,
    run_static,
    static_estimates,
    static_geometry,
)

# Same simulation shape as tests/validate/experiments/test_properties.py (the compiled scan is shared).
SIM = {"networks": 8, "trials": 8, "t_max": 30.0, "t_discard": 10.0}


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("N", 4, "N=4"),
        ("trials", 3, "trials=3"),
        ("networks", 1, "networks=1"),
        ("t_discard", 200.0, "t_discard"),
        ("lambda_minus", 3.0, "lambda_minus"),
        ("out_scale", "huge", "out_scale"),
        ("hermite_orders", 0, "hermite_orders"),
    ],
)
def test_config_errors_name_the_parameter(field: str, value: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        StaticConfig(**{field: value})


def test_default_configs_are_theory_section_5() -> None:
    cfgs = default_static_configs()
    assert {(c.N, c.lambda_plus, c.dt) for c in cfgs} == {
        (N, lp, 0.2) for N in (64, 256, 1024, 2048) for lp in (1.7, 1.9, 2.6)
    } | {(256, 2.6, dt) for dt in (0.1, 0.05, 0.025)}
    assert len({c.seed for c in cfgs}) == len(cfgs)
    assert all(
        c.sigma == 1.0
        and c.lambda_minus == -5.0
        and c.theta_minus is None
        and c.z_target == 1.0
        and c.t_max == 100.0
        and c.t_discard == 20.0
        for c in cfgs
    )
    full = default_static_configs(full=True)
    assert all(f.networks > c.networks for f, c in zip(full, cfgs, strict=True))


@pytest.mark.parametrize("theta_minus", [None, 2.0])
def test_geometry_builds_M_with_the_requested_eigenpairs(theta_minus: float | None) -> None:
    geo = static_geometry(1.9, -5.0, 1.0, 256, theta_minus=theta_minus)
    M = geo["M"]
    np.testing.assert_allclose(M @ geo["v_plus"], 1.9 * geo["v_plus"], atol=1e-12)
    np.testing.assert_allclose(M @ geo["v_minus"], -5.0 * geo["v_minus"], atol=1e-12)
    assert geo["kappa_norm"] == pytest.approx(
        float(meanfield.fixed_point_norm(1.9, 1.0)), rel=1e-14
    )
    assert math.cos(geo["theta_plus"]) == pytest.approx(
        float(meanfield.correlation(1.9, 1.0, 256)), rel=1e-12
    )
    if theta_minus is None:  # symmetric M
        np.testing.assert_allclose(M, M.T, atol=1e-12)


def test_geometry_rejects_infeasible_points() -> None:
    with pytest.raises(ValueError, match="lambda_plus=1.5"):
        static_geometry(1.5, -5.0, 1.0, 256)  # below λ_min(σ=1) ≈ 1.60
    th = static_geometry(1.9, -5.0, 1.0, 256)["theta_plus"]
    with pytest.raises(ValueError, match="theta_minus"):
        static_geometry(1.9, -5.0, 1.0, 256, theta_minus=th + math.pi)


def test_estimates_follow_their_definitions() -> None:
    rng = np.random.default_rng(0)
    nets, trials, T, N = 3, 4, 50, 64
    lat = rng.normal(size=(nets, trials, T, 2)) * 0.1 + np.array([0.2, 1.0])
    z = rng.normal(size=(nets, trials, T)) + 1.0
    est = static_estimates(lat, z, N)
    for b in range(nets):
        pooled = lat[b].reshape(-1, 2)
        np.testing.assert_allclose(est["kappa_bar"][b], pooled.mean(0), rtol=1e-12)
        # mean square about κ̄ plus the variance of κ̄ from the trial means (docstring)
        var_mean = np.cov(lat[b].mean(axis=1).T, ddof=1) / trials
        np.testing.assert_allclose(
            est["Sigma"][b], N * (np.cov(pooled.T, ddof=0) + var_mean), rtol=1e-12
        )
        assert est["rho"][b] == pytest.approx(
            abs(pooled[:, 0].mean()) / np.linalg.norm(pooled.mean(0))
        )
        zvar_mean = np.var(z[b].mean(axis=1), ddof=1) / trials
        assert est["loss_var"][b] == pytest.approx(
            np.mean((z[b] - z[b].mean()) ** 2) + zvar_mean, rel=1e-12
        )


def test_estimates_are_unbiased_for_correlated_samples() -> None:
    # exact truth: stationary AR(1) trials (φ = 0.95, τ = 39 steps, unit variance), K = 4
    # trials of T = 100 steps per network: centring at the pooled mean costs τ/(K T) ≈ 10 %
    # of the variance, which ddof = 1 (1/(K T) = 0.25 %) does not restore
    from scipy.signal import lfilter

    rng = np.random.default_rng(1)
    nets, K, T, N, phi = 3000, 4, 100, 1, 0.95
    e = rng.standard_normal((nets, K, T, 2)) * math.sqrt(1 - phi**2)
    e[:, :, 0, :] = rng.standard_normal((nets, K, 2))  # stationary start
    lat = lfilter([1.0], [1.0, -phi], e, axis=2) + np.array([0.5, 1.0])
    z = lat[..., 0] - 0.5 * lat[..., 1]  # stationary variance 1.25
    est = static_estimates(lat, z, N)
    for values, truth in (
        (est["Sigma11"], 1.0),
        (est["Sigma22"], 1.0),
        (est["Sigma12"], 0.0),
        (est["loss_var"], 1.25),
    ):
        se = values.std(ddof=1) / math.sqrt(nets)
        assert abs(values.mean() - truth) < 4 * se, (values.mean(), truth, se)
    naive = ((z - z.mean(axis=(1, 2), keepdims=True)) ** 2).sum(axis=(1, 2)) / (K * T - 1)
    assert naive.mean() < 1.25 - 10 * naive.std(ddof=1) / math.sqrt(nets)  # the bias removed


@pytest.fixture(scope="module")
def strong_feedback() -> object:
    """THEORY §5-like point (λ₋ = −5) at the default dt = 0.2, small and short."""
    return run_static(StaticConfig(N=128, lambda_plus=2.6, lambda_minus=-5.0, dt=0.2, **SIM))


def test_run_static_result_structure(strong_feedback) -> None:
    res = strong_feedback
    cfg = res.config
    names = [r.quantity for r in res.rows]
    assert names == list(STATIC_QUANTITIES) + [q + EXTENDED_SUFFIX for q in EXTENDED_QUANTITIES]
    assert all(
        np.isfinite(r.theory) and np.isfinite(r.sim_mean) and r.n == cfg.networks for r in res.rows
    )
    assert res.cloud.shape[0] == cfg.trials and res.cloud.shape[-1] == 2
    # readout of large output weights: z = w_outᵀx = u₁ᵀx/√N = √N κ₁ (float32 rounding)
    np.testing.assert_allclose(
        res.outputs, math.sqrt(cfg.N) * res.cloud[..., 0], rtol=1e-4, atol=1e-4
    )
    assert float(res.switched.max()) == 0.0  # ‖κ̄‖ = 1.63: no trial leaves its fixed point
    json.dumps(res.summary(), allow_nan=False)


def test_paper_theory_misses_and_extended_theory_explains_lvar(strong_feedback) -> None:
    """Honest record of the known disagreement (see validate.experiments.static's docstring).

    At λ₋ = −5 and dt = 0.2 the simulated L_var is ~1.9× THEORY §2's value (Euler step
    and leaked orthogonal noise): the paper's row fails (its error is far beyond the Student
    critical value with 7 dof and the declared model error D/ΔV ≈ 0.03), while meanfield's
    prediction for the simulated map (dt=0.2, Hermite orders) is not rejected. The geometry
    rows (‖κ̄‖ far from λ_min, ρ) agree with both.
    """
    rows = {r.quantity: r for r in strong_feedback.rows}
    assert rows["loss_var"].status == "fail" and rows["loss_var"].rel_err > 0.5
    assert rows["loss_var" + EXTENDED_SUFFIX].status != "fail", rows["loss_var" + EXTENDED_SUFFIX]
    assert rows["Sigma11" + EXTENDED_SUFFIX].status != "fail"
    for q in ("kappa_norm", "rho", "kappa_norm" + EXTENDED_SUFFIX):
        assert rows[q].status != "fail", rows[q]
    assert rows["loss_var"].role == "finding" and rows["loss_var" + EXTENDED_SUFFIX].role == (
        "prediction"
    )
    assert not stats.all_passed(strong_feedback.rows)


# ----------------------------------------------------------------------------- the rule can fail
def _quick_point(seed: int) -> object:
    """The quick-mode static point far from λ_min (λ₊ = 2.6, N = 256: inside the domain,
    D/ΔV = 0.014) with a fresh seed; everything else as :func:`default_static_configs`."""
    cfg = next(c for c in default_static_configs() if c.N == 256 and c.lambda_plus == 2.6)
    return run_static(dataclasses.replace(cfg, seed=seed))


@pytest.fixture(scope="module")
def quick_points() -> list:
    return [_quick_point(1000 + s) for s in range(20)]


def _scaled(res, quantity: str, factor: float) -> stats.Comparison:
    """The best variant's row of ``quantity`` judged against ``factor`` × its prediction."""

    ext = dict(res.theory_extended)
    ext[quantity] = ext[quantity] * factor
    row = next(r for r in res.rows if r.quantity == quantity + EXTENDED_SUFFIX)
    mutated = stats.compare(
        row.quantity, ext[quantity], res.estimates[quantity], se_kind="seeds", N=res.config.N
    )
    return mutated.tagged(tolerance=row.tolerance, domain=row.domain)


@pytest.mark.slow
@pytest.mark.parametrize("quantity", ["loss_var", "kappa_norm"])
def test_best_variant_passes_fresh_seeds_and_a_5_percent_error_fails(
    quick_points, quantity: str
) -> None:
    """Issue 13's mutation test on real simulations at the default quick settings (32
    networks): the best variant's own prediction never fails on ≥ 19 of 20 fresh seeds (a
    correct theory fails a row with probability 6e-5), and the same prediction scaled by
    1.05 fails — on every seed for L_var, whose SE (~0.8 %) puts a 5 % shift at z ≈ 6 > 4.6,
    and on most seeds for ‖κ̄‖ (SE ~0.9 %)."""
    ok = [_scaled(res, quantity, 1.0).status for res in quick_points]
    assert sum(st != "fail" for st in ok) >= 19, ok
    assert sum(st == "pass" for st in ok) >= 19, ok  # precise enough to see 10 %
    bad = [_scaled(res, quantity, 1.05).status for res in quick_points]
    assert bad[0] == "fail"  # the default seed's kind of run catches it
    assert sum(st == "fail" for st in bad) >= 15, bad


# ----------------------------------------------------------------------------- switching
@pytest.mark.slow
def test_predicted_switching_matches_simulated_networks_near_lambda_min() -> None:
    """meanfield.switching's Kramers rate, turned into the expected fraction of samples at the
    mirror fixed point over the kept window, against full rank-2 network simulations near
    λ_min at N = 64, 256 and 1024 (D/ΔV between 0.2 and 0.45, where the one-dimensional
    large-barrier estimate applies; its relative error is O(D/ΔV) ≈ 20–45 % on the rate, and
    the transverse curvatures it leaves out are O(1)): within a factor 2 either way, while
    the predicted fractions themselves span 0.01–0.2. The simulated fraction is a mean over
    16 networks × 16 trials (its SE, a few % relative, is far below the factor)."""
    from meanfield.switching import barrier

    for N, lam in ((64, 2.05), (64, 2.15), (256, 1.85), (1024, 1.75)):
        cfg = StaticConfig(N=N, lambda_plus=lam, networks=16, trials=16, seed=7)
        b = barrier(lam, cfg.sigma, N, dt=cfg.dt)
        assert 0.15 < float(b.noise_to_barrier) < 0.5
        predicted = float(b.mirror_fraction(cfg.t_discard, cfg.t_max))
        simulated = float(np.mean(run_static(cfg).switched))
        assert 0.5 < simulated / predicted < 2.0, (N, lam, predicted, simulated)
