"""Tests of the one comparison rule and of the time-block standard error (validate.core.stats)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import lfilter

from validate.core import stats


def ar1(rng: np.random.Generator, phi: float, shape: tuple[int, ...], n: int) -> np.ndarray:
    """Stationary AR(1) series x_t = φ x_{t-1} + ε_t, ε ~ N(0,1), along the last axis."""
    eps = rng.standard_normal(shape + (n,))
    eps[..., 0] /= math.sqrt(1.0 - phi**2)  # start in the stationary law
    return lfilter([1.0], [1.0, -phi], eps, axis=-1)


def var_of_mean_ar1(phi: float, m: int) -> float:
    """Exact variance of the mean of m consecutive stationary AR(1) samples (unit innovations)."""
    k = np.arange(1, m)
    var_x = 1.0 / (1.0 - phi**2)
    return var_x / m * (1.0 + 2.0 * np.sum((1.0 - k / m) * phi**k))


def test_tau_int_of_ar1() -> None:
    rng = np.random.default_rng(0)
    phi, R, n = 0.8, 200, 20_000
    x = ar1(rng, phi, (R,), n)
    tau = stats.integrated_autocorr_time(x, axis=-1)
    assert tau.shape == (R,)
    exact = (1 + phi) / (1 - phi)
    # mean of R estimates within 4 of its own standard errors (the window bias φ^(5τ) ~ 1e-4
    # and the O(τ/n) bias of the autocovariance estimator are far below that)
    assert abs(tau.mean() - exact) <= 4 * tau.std(ddof=1) / math.sqrt(R) + exact * 10 / n


def test_block_se_of_ar1_mean_matches_exact_variance() -> None:
    rng = np.random.default_rng(1)
    phi, R, n = 0.8, 200, 20_000
    x = ar1(rng, phi, (R,), n)
    se = stats.block_se(x, axis=-1)
    assert se.shape == (R,)
    tau = stats.integrated_autocorr_time(x, axis=-1)
    # expected value of the batch-means estimator for the block length each series used:
    # E[SE²] = (Var(block mean) - Var(grand mean)) / (n_b - 1)   (exact for stationary series)
    expected = []
    for t in tau:
        b, nb = stats.block_info(n, float(t))
        expected.append((var_of_mean_ar1(phi, b) - var_of_mean_ar1(phi, nb * b)) / (nb - 1))
    expected = np.asarray(expected)
    ratio = se**2 / expected
    # each ratio ~ χ²_{n_b-1}/(n_b-1); the mean of R of them is within 4 of its SE of 1
    assert abs(ratio.mean() - 1.0) <= 4 * ratio.std(ddof=1) / math.sqrt(R)
    # and against the true Var(mean) itself: off by at most the known batch-means bias
    # tau/(2b) (BLOCK_FACTOR = 10 -> 5 %) plus sampling error
    exact = var_of_mean_ar1(phi, n)
    rel = (se**2).mean() / exact - 1.0
    bias = 1.0 / (2 * stats.BLOCK_FACTOR)
    assert (
        -bias - 4 * (se**2).std(ddof=1) / math.sqrt(R) / exact
        <= rel
        <= 4 * (se**2).std(ddof=1) / math.sqrt(R) / exact
    )
    # sensitivity: the naive iid standard error is far too small for this series
    naive = x.std(axis=-1, ddof=1) ** 2 / n
    assert naive.mean() < 0.2 * exact


def test_block_se_of_white_noise_is_iid_se() -> None:
    rng = np.random.default_rng(2)
    R, n = 100, 5000
    x = rng.standard_normal((n, R))
    se = stats.block_se(x, axis=0)
    # Var(mean) = 1/n exactly; batch means with b≈10 give n_b≈500 blocks -> rel SD of SE² ~ 0.06
    ratio = se**2 * n
    assert abs(ratio.mean() - 1.0) <= 4 * ratio.std(ddof=1) / math.sqrt(R)


def per_trial_variances(rng: np.random.Generator, v: float, trials: int, n: int) -> np.ndarray:
    """Per-trial sample variances of an exactly discretised OU process with stationary variance v."""
    phi = 0.9
    x = ar1(rng, phi, (trials,), n) * math.sqrt(v * (1 - phi**2))
    return x.var(axis=-1)


def test_correct_theory_passes_and_20_percent_wrong_fails() -> None:
    rng = np.random.default_rng(3)
    v = 0.37  # the "theory" L_var: exact stationary variance of the simulated process
    samples = per_trial_variances(rng, v, trials=400, n=4000)
    N = 1024
    good = stats.compare("L_var", v, samples, se_kind="trials", N=N)
    # the per-trial variance estimator is biased by -v·tau/n ≈ -0.5 %, far below 4 SE here
    assert good.passed and good.status == "pass" and abs(good.z) <= stats.Z_MAX
    bad = stats.compare("L_var", 1.2 * v, samples, se_kind="trials", N=N)
    assert not bad.passed and bad.status == "fail"
    assert abs(bad.z) > bad.z_crit and abs(bad.rel_err) > bad.tolerance == 0.0
    assert bad.n == 400 and bad.se_kind == "trials" and bad.dof == 399


def test_no_finite_size_clause_a_45_percent_miss_fails_at_small_n() -> None:
    """Issue 13: the old |rel. error| ≤ 3/√N clause passed a 45 % miss at N = 32 with z = 20
    (3 seeds). Now such a row never passes: with 3 seeds |z| = 39 is below the Student
    critical value (125.6 at P_ROW), so the row is undetermined; with 8 seeds it fails."""
    samples = 1.45 + np.array([-0.02, 0.0, 0.02])  # 3 seeds, 45 % off
    row = stats.compare("L_var", 1.0, samples, se_kind="seeds", N=32)
    assert abs(row.z) > stats.Z_MAX and row.status == "undetermined" and not row.passed
    eight = 1.45 + 0.02 * np.linspace(-1, 1, 8)
    row8 = stats.compare("L_var", 1.0, eight, se_kind="seeds", N=32)
    assert abs(row8.z) > row8.z_crit and row8.status == "fail"
    samples = eight
    declared = stats.compare("L_var", 1.0, samples, se_kind="seeds", N=32, tolerance=0.5)
    assert declared.status == "pass"  # within the variant's declared model error
    small = stats.compare(
        "kappa",
        1.0,
        1.01 + 1e-4 * np.random.default_rng(4).standard_normal(1000),
        se_kind="seeds",
        N=256,
    )
    assert small.status == "fail"  # 1 % off at 100 SE: no allowance grows with 1/√N


def test_critical_z_is_student_t_at_the_gaussian_level() -> None:
    from scipy.stats import norm, t

    assert stats.P_ROW == pytest.approx(2 * norm.sf(stats.Z_MAX), rel=1e-12)
    for dof in (1, 2, 3, 7, 30, 1000):
        zc = stats.critical_z(dof)
        assert 2 * t.sf(zc, dof) == pytest.approx(stats.P_ROW, rel=1e-8)
    assert stats.critical_z(2) > 100 > stats.critical_z(30) > stats.Z_MAX
    assert stats.critical_z(math.inf) == stats.Z_MAX and stats.critical_z(0) == math.inf


def test_false_fail_rate_of_a_correct_theory_is_the_stated_level_at_few_seeds() -> None:
    """With n seeds z follows Student's t(n − 1): |z| ≤ 4 would fail a correct theory in
    15.6 % (2 seeds) / 5.7 % (3) / 2.8 % (4) of rows; the t threshold keeps P_ROW. Checked on
    20,000 replicate rows per n against the binomial bound (expected ≤ 1.3 fails)."""
    rng = np.random.default_rng(11)
    R = 20_000
    for n in (2, 3, 4, 8):
        x = rng.standard_normal((R, n))
        z = x.mean(axis=1) / (x.std(axis=1, ddof=1) / math.sqrt(n))
        gaussian_rule = np.mean(np.abs(z) > stats.Z_MAX)
        assert gaussian_rule > 10 * stats.P_ROW  # the old threshold fails correct rows
        fails = int(np.sum(np.abs(z) > stats.critical_z(n - 1)))
        assert fails <= 6  # Poisson(1.3): P(≥ 7) ≈ 1e-4


def test_a_row_that_cannot_see_10_percent_is_undetermined_not_passed() -> None:
    row = stats.compare("L_var", 1.0, [0.8, 1.2, 1.0], se_kind="seeds", N=64)
    assert row.detectable > stats.MAX_DETECTABLE and row.status == "undetermined"
    assert not row.passed
    precise = stats.compare("L_var", 1.0, 1.0 + 0.001 * np.arange(-8, 9), se_kind="seeds", N=64)
    assert precise.detectable <= stats.MAX_DETECTABLE and precise.status == "pass"


def test_outside_domain_is_not_judged_and_tagging_rejudges() -> None:
    row = stats.compare(
        "L_var",
        1.0,
        [2.0, 2.01, 2.02, 1.99],
        se_kind="seeds",
        N=64,
        domain="predicted: D/ΔV = 0.3 > 0.1",
    )
    assert row.status == "outside domain" and not row.passed
    inside = row.tagged(domain="", claim="c", variant="v", role="finding")
    assert inside.status == "fail" and (inside.claim, inside.variant, inside.role) == (
        "c",
        "v",
        "finding",
    )
    assert stats.all_passed([row]) is False  # no pass: nothing verified
    with pytest.raises(ValueError, match="tolerance"):
        stats.compare("x", 1.0, [1.0, 2.0], se_kind="seeds", N=8, tolerance=-0.1)


def test_time_block_compare_uses_block_se() -> None:
    rng = np.random.default_rng(5)
    x = 0.5 + ar1(rng, 0.95, (), 50_000)
    row = stats.compare("mean", 0.5, x, se_kind="time blocks", N=10**8)
    # correct theory: not failed; its SE (0.09 on a mean of 0.5) cannot see a 10 % miss
    assert row.status == "undetermined" and row.dof == row.n - 1
    assert math.isclose(row.sim_se, stats.block_se(x))
    tau = stats.integrated_autocorr_time(x)
    assert row.n == stats.block_info(x.size, tau)[1]
    # a theory 8 block-SEs away fails
    off = stats.compare("mean", 0.5 + 8 * row.sim_se, x, se_kind="time blocks", N=10**8)
    assert off.status == "fail"


def test_paired_theory_per_sample() -> None:
    rng = np.random.default_rng(6)
    theory = rng.uniform(1.0, 2.0, size=50)  # each seed its own prediction
    sims = theory + 0.01 * rng.standard_normal(50)
    row = stats.compare("L_var", theory, sims, se_kind="seeds", N=10**6)
    assert row.passed
    assert math.isclose(row.theory, theory.mean())
    # the spread of the predictions does not enter the SE (paired differences)
    assert row.sim_se < 0.01
    shifted = stats.compare("L_var", theory, sims + 0.1, se_kind="seeds", N=10**6)
    assert not shifted.passed


def test_bad_input_raises() -> None:
    with pytest.raises(ValueError, match="se_kind"):
        stats.compare("x", 1.0, [1.0, 2.0], se_kind="bootstrap", N=10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="N="):
        stats.compare("x", 1.0, [1.0, 2.0], se_kind="seeds", N=0)
    with pytest.raises(ValueError, match="shape"):
        stats.compare("x", np.ones(3), [1.0, 2.0], se_kind="seeds", N=10)
    with pytest.raises(ValueError, match="at least"):
        stats.block_se(np.ones(5))


def test_nonfinite_input_is_refused_or_outside_the_domain_and_serialises() -> None:
    """A NaN/inf sample is a broken run (error naming it), not a failed theory; a NaN theory
    (no value there) puts the row outside the domain with that reason; bad SE / counts are
    errors."""
    with pytest.raises(ValueError, match=r"^samples for 'x' contain 1 non-finite value"):
        stats.compare("x", 1.0, [np.nan, 1.0], se_kind="seeds", N=100)
    with pytest.raises(ValueError, match=r"^numerators for 'r' contain 1 non-finite"):
        stats.compare_ratio("r", 1.0, [1.0, np.inf], [1.0, 1.0], N=100)
    row = stats.compare("x", np.nan, [1.1, 1.0], se_kind="seeds", N=100)
    assert row.status == "outside domain" and "no value" in row.domain and not row.passed
    d = row.to_dict()
    assert d["theory"] is None and d["passed"] is False
    with pytest.raises(ValueError, match=r"^se=-1\.0 is not allowed"):
        stats.compare_estimate("x", 1.0, 1.0, -1.0, 4, se_kind="seeds", N=100)
    with pytest.raises(ValueError, match=r"^n=2\.5 is not allowed"):
        stats.compare_estimate("x", 1.0, 1.0, 0.1, 2.5, se_kind="seeds", N=100)
