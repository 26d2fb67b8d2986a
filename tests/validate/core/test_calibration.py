"""Calibration of the row rule with exact truth (issue 26; rule: validate.core.stats).

Synthetic replicate data whose true mean *is* the theory value go through the package's own
estimators (``stats.compare``) and rule; what the report claims about them is checked:

* seed rows: p-values uniform (so the false-fail rate is the stated level at every level, in
  particular P_ROW) at 2, 3, 4 and 8 seeds; SD of the estimates ÷ RMS of the reported SEs = 1;
* time-block rows on AR(1) series: the same, with the dof of the batch means; short series
  are "too short to judge" and shortened blocks are named;
* a known offset is detected with the power of the noncentral t;
* families: Holm's step-down exactly (against an independent implementation of the adjusted
  p-values), at the stated family-wise level, idempotent.

Tolerances are statistical: a binomial or sampling SE × 4 (a correct implementation fails
such a check with probability ~6·10⁻⁵), or a Kolmogorov–Smirnov p-value above 10⁻³ (fails a
correct implementation 1 time in 1000; the seeds are fixed, so the outcome is deterministic).
The false-fail rates at P_ROW itself (10⁷ replicates) come from benchmarks/calibration.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.signal import lfilter

from validate.core import stats
from validate.core.verdict import judge


def _binomial_ok(k: int, R: int, p: float) -> bool:
    return abs(k / R - p) <= 4 * math.sqrt(p * (1 - p) / R)


def _seed_rows(n: int, R: int, seed: int, offset: float = 0.0) -> list[stats.Comparison]:
    rng = np.random.default_rng([seed, n])
    x = offset + rng.standard_normal((R, n))
    return [stats.compare("q", 0.0, xi, se_kind="seeds", N=100, scale=1.0) for xi in x]


@pytest.mark.parametrize("n", [2, 3, 4, 8])
def test_seed_rows_are_calibrated_at_every_number_of_seeds(n: int) -> None:
    R = 3000
    rows = _seed_rows(n, R, seed=1)
    p = np.array([r.p_value for r in rows])
    # z of n Gaussian seeds follows Student's t with n − 1 dof: its p-values are uniform
    assert sps.kstest(p, "uniform").pvalue > 1e-3
    for level in (0.05, 0.01):
        assert _binomial_ok(int(np.count_nonzero(p <= level)), R, level), (n, level)
    assert all(r.dof == n - 1 for r in rows)
    # the reported SE has the size of the estimates' spread: E se² = σ²/n exactly
    est = np.array([r.sim_mean for r in rows])
    se = np.array([r.sim_se for r in rows])
    ratio = float(np.std(est, ddof=1) / math.sqrt(np.mean(se**2)))
    ratio_se = 0.5 * math.sqrt(2 / (R - 1) + 2 / ((n - 1) * R))
    assert abs(ratio - 1) < 4 * ratio_se, ratio


def test_the_status_is_the_calibrated_p_value_at_p_row() -> None:
    # across offsets, a row fails exactly when its p-value is at most P_ROW (so the
    # calibration of p above is the calibration of the verdict)
    rows = [r for off in (0.0, 3.0, 10.0, 30.0) for r in _seed_rows(4, 200, seed=2, offset=off)]
    fails = np.array([r.status == "fail" for r in rows])
    small = np.array([r.p_value <= stats.P_ROW for r in rows])
    assert fails.any() and (~fails).any()
    assert np.array_equal(fails, small)


def test_a_known_offset_is_detected_with_the_power_of_the_noncentral_t() -> None:
    n, R, ncp = 8, 3000, 10.0
    rows = _seed_rows(n, R, seed=3, offset=ncp / math.sqrt(n))
    c = stats.critical_z(n - 1)
    power = float(sps.nct.sf(c, n - 1, ncp) + sps.nct.cdf(-c, n - 1, ncp))
    fails = sum(r.status == "fail" for r in rows)
    assert 0.2 < power < 0.8  # an informative point of the power curve
    assert _binomial_ok(fails, R, power), (fails / R, power)


def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    e = rng.standard_normal(n + 500)
    return lfilter([1.0], [1.0, -phi], e)[500:] * math.sqrt(1 - phi**2)


def test_time_block_rows_are_calibrated_on_ar1_series() -> None:
    phi = 0.9
    tau = (1 + phi) / (1 - phi)  # 19 samples
    rng = np.random.default_rng(4)
    R = 800
    rows = [
        stats.compare(
            "q", 0.0, _ar1(rng, int(200 * tau), phi), se_kind="time blocks", N=100, scale=1.0
        )
        for _ in range(R)
    ]
    assert not any(r.too_short for r in rows)
    p = np.array([r.p_value for r in rows])
    assert sps.kstest(p, "uniform").pvalue > 1e-3
    assert _binomial_ok(int(np.count_nonzero(p <= 0.05)), R, 0.05)
    est = np.array([r.sim_mean for r in rows])
    se = np.array([r.sim_se for r in rows])
    ratio = float(np.std(est, ddof=1) / math.sqrt(np.mean(se**2)))
    dof = float(np.mean([r.dof for r in rows]))
    ratio_se = 0.5 * math.sqrt(2 / (R - 1) + 2 / (dof * R))
    # batch means are low by ≈ τ/(2b) in variance (b ≥ 10 τ: ≤ 5 %), a stated bias
    assert abs(ratio - 1) < 4 * ratio_se + 0.025, ratio


def test_short_series_are_too_short_to_judge_and_short_blocks_are_named() -> None:
    phi = 0.9
    tau = (1 + phi) / (1 - phi)
    rng = np.random.default_rng(5)
    short = stats.compare(
        "q", 0.0, 5.0 + _ar1(rng, int(20 * tau), phi), se_kind="time blocks", N=100, scale=1.0
    )
    assert short.too_short and short.status == "undetermined"
    assert "too short to judge" in short.note
    x = _ar1(rng, int(40 * tau), phi)
    tau_hat = stats.integrated_autocorr_time(x)
    assert 50 <= x.size / tau_hat < 100  # the premise: ≥ 50 τ̂ but < 10 blocks of 10 τ̂
    mid = stats.compare("q", 0.0, x, se_kind="time blocks", N=100, scale=1.0)
    assert not mid.too_short and "blocks shortened" in mid.note
    long = stats.compare(
        "q", 0.0, _ar1(rng, int(400 * tau), phi), se_kind="time blocks", N=100, scale=1.0
    )
    assert "shortened" not in long.note and "too short" not in long.note


def _holm_reject(p: np.ndarray, alpha: float) -> np.ndarray:
    """Independent Holm: adjusted p_(k) = max_{j≤k} min(1, (m − j + 1) p_(j)) ≤ alpha."""
    m = p.size
    order = np.argsort(p)
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.zeros(m, bool)
    out[order] = adj <= alpha
    return out


@pytest.mark.parametrize("m", [1, 5, 16, 40])
def test_family_control_is_holm_at_the_stated_level(m: int) -> None:
    rng = np.random.default_rng(m)
    rows = []
    for _ in range(m):  # a mix of null rows and clear misses, 8 seeds each
        off = rng.choice([0.0, 2.0, 4.0, 8.0])
        x = off + rng.standard_normal(8)
        rows.append(
            stats.compare("q", 0.0, x, se_kind="seeds", N=100, scale=1.0).tagged(
                claim="c", variant="v"
            )
        )
    out = stats.family_control(rows)
    alpha = min(stats.FAMILY_ALPHA, m * stats.P_ROW)
    assert all(r.family_size == m and r.family_alpha == pytest.approx(alpha) for r in out)
    p = np.array([r.p_value for r in rows])
    assert np.array_equal(np.array([r.status == "fail" for r in out]), _holm_reject(p, alpha))
    assert stats.family_control(out) == out  # idempotent
    if m == 1:  # a family of one is the per-row rule
        assert out[0].status == rows[0].status and out[0].z_crit == rows[0].z_crit


def test_rows_outside_the_domain_and_other_claims_are_separate_families() -> None:
    rng = np.random.default_rng(7)
    base = [
        stats.compare("q", 0.0, rng.standard_normal(8), se_kind="seeds", N=100, scale=1.0)
        for _ in range(6)
    ]
    rows = (
        [r.tagged(claim="a", variant="v") for r in base[:3]]
        + [base[3].tagged(claim="a", variant="v", domain="outside")]
        + [r.tagged(claim="b", variant="v") for r in base[4:]]
    )
    out = stats.family_control(rows)
    assert [r.family_size for r in out] == [3, 3, 3, 1, 2, 2]
    assert out[3].status == "outside domain"
    budget = stats.chance_budget(out)
    assert budget["families"] == 2
    assert budget["bound"] == pytest.approx(3 * stats.P_ROW + 2 * stats.P_ROW)


def test_the_verdict_states_its_chance_failure_budget() -> None:
    rng = np.random.default_rng(8)
    rows = [
        stats.compare(
            "q", 0.0, 0.01 * rng.standard_normal(8), se_kind="seeds", N=100, scale=1.0
        ).tagged(claim=c, variant="v", role="prediction")
        for c in ("a", "a", "b")
    ]
    v = judge(rows)
    assert v.chance_budget == pytest.approx(3 * stats.P_ROW)
    assert "Chance-failure budget" in v.headline
    (a, b) = v.claims
    assert a.family_size == 2 and b.family_size == 1
    assert a.detectable == pytest.approx(min(r.detectable for r in stats.family_control(rows)[:2]))
    assert "Holm over 2 rows" in a.evidence()


def test_ratio_of_means_rows_are_unbiased_and_calibrated() -> None:
    # ρ-like data: per-seed numerators spread as much as their mean (κ̄₁ across networks),
    # denominators tight (‖κ̄‖); truth E a / E b = 0.3. The mean of per-seed |a|/b is
    # biased up by ≈ 17 % here; the ratio-of-means row is not.
    rng = np.random.default_rng(9)
    R, n = 2000, 8
    a = 0.3 + 0.3 * rng.standard_normal((R, n))
    b = 1.0 + 0.05 * rng.standard_normal((R, n))
    rows = [stats.compare_ratio("rho", 0.3, ai, bi, N=100) for ai, bi in zip(a, b, strict=True)]
    est = np.array([r.sim_mean for r in rows])
    assert abs(est.mean() - 0.3) < 4 * est.std(ddof=1) / math.sqrt(R)
    mean_of_ratios = (np.abs(a) / b).mean(axis=1)
    assert mean_of_ratios.mean() > 0.3 + 20 * mean_of_ratios.std(ddof=1) / math.sqrt(R)
    p = np.array([r.p_value for r in rows])
    assert sps.kstest(p, "uniform").pvalue > 1e-3
    assert _binomial_ok(int(np.count_nonzero(p <= 0.01)), R, 0.01)
    with pytest.raises(ValueError, match="denominators"):
        stats.compare_ratio("rho", 0.3, [1.0, 2.0], [1.0, -1.0], N=100)


def test_the_paired_spread_row_is_calibrated_and_sharper_than_the_unpaired_se() -> None:
    # exact truth: per-network predictions p_i spread over networks; each simulated z̄_i is
    # p_i plus its own time-averaging error of known SE s_i — the quenched theory holds
    from validate.experiments.corrections import spread_row

    rng = np.random.default_rng(10)
    R, n, K = 1500, 16, 16
    rows, unpaired = [], []
    for _ in range(R):
        pred = rng.standard_normal(n)
        s = 0.2 + 0.1 * rng.random(n)
        z = pred + s * rng.standard_normal(n)
        s_hat = s * np.sqrt(rng.chisquare(K - 1, n) / (K - 1))  # SEs from K trial means
        rows.append(spread_row(z, pred, s_hat, trials=K, N=256))
        unpaired.append(np.std(z, ddof=1) / math.sqrt(2 * (n - 1)))
    p = np.array([r.p_value for r in rows])
    assert sps.kstest(p, "uniform").pvalue > 1e-3
    assert _binomial_ok(int(np.count_nonzero(p <= 0.05)), R, 0.05)
    # unpaired SD/√(2(n−1)) against the paired √(4Σc²s²)/((n−1)·2 SD): ratio ≈ SD/(√2 s̄)
    # ≈ 2.9 at these settings (larger when the networks spread more than their noise)
    assert np.median(unpaired) > 2 * np.median([r.sim_se for r in rows])
    # an unexplained spread (extra SD 0.5 per network, not in the predictions) is found
    pred = rng.standard_normal(n)
    z = pred + 0.5 * rng.standard_normal(n)
    assert spread_row(z, pred, np.full(n, 0.01), trials=K, N=256).z > 3
    with pytest.raises(ValueError, match="trials=1"):
        spread_row(z, pred, np.full(n, 0.01), trials=1, N=256)


@pytest.mark.slow
@pytest.mark.parametrize("n", [2, 3, 4, 8])
def test_seed_rows_are_calibrated_far_in_the_tail(n: int) -> None:
    # the longer version: 20 000 rows per number of seeds, down to the 10⁻³ level
    R = 20_000
    p = np.array([r.p_value for r in _seed_rows(n, R, seed=11)])
    assert sps.kstest(p, "uniform").pvalue > 1e-3
    for level in (0.01, 0.001):
        assert _binomial_ok(int(np.count_nonzero(p <= level)), R, level), (n, level)


def test_standard_errors_exactly_on_fixed_samples() -> None:
    # seeds: sd (ddof 1)/√n by hand; z and the relative error from them
    row = stats.compare("q", 2.0, [1.0, 2.0, 3.0, 4.0], se_kind="seeds", N=10)
    assert row.sim_mean == 2.5 and row.n == 4 and row.dof == 3
    assert row.sim_se == pytest.approx(math.sqrt(5.0 / 3.0) / 2.0, rel=1e-15)
    assert row.z == pytest.approx(0.5 / (math.sqrt(5.0 / 3.0) / 2.0), rel=1e-15)
    assert row.rel_err == pytest.approx(0.25, rel=1e-15)
    # time blocks: batch means of the block length the rule chose, SE = sd(means)/√blocks
    x = _ar1(np.random.default_rng(13), 4000, 0.5)
    b = stats.block_length(x)
    nb = x.size // b
    means = x[: nb * b].reshape(nb, b).mean(axis=1)
    assert stats.block_se(x) == pytest.approx(means.std(ddof=1) / math.sqrt(nb), rel=1e-13)
    tau = stats.integrated_autocorr_time(x)
    assert b == math.ceil(stats.BLOCK_FACTOR * tau) and nb >= stats.MIN_BLOCKS
    # AR(1) with φ = 0.5: τ = (1 + φ)/(1 − φ) = 3; Sokal's variance of τ̂ with window W ≈ 5τ,
    # 2(2W + 1)/n · τ², is a relative SD of 12.5 % at n = 4000: within 4 SD
    assert 1.5 < tau < 4.5
