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
    assert -bias - 4 * (se**2).std(ddof=1) / math.sqrt(R) / exact <= rel <= 4 * (se**2).std(
        ddof=1
    ) / math.sqrt(R) / exact
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
    N = 1024  # finite-size allowance 3/32 ≈ 0.094 < 0.2
    good = stats.compare("L_var", v, samples, se_kind="trials", N=N)
    # the per-trial variance estimator is biased by -v·tau/n ≈ -0.5 %, far below 4 SE here
    assert good.passed and abs(good.z) <= stats.Z_MAX
    bad = stats.compare("L_var", 1.2 * v, samples, se_kind="trials", N=N)
    assert not bad.passed
    assert abs(bad.z) > stats.Z_MAX and abs(bad.rel_err) > bad.bound
    assert bad.n == 400 and bad.se_kind == "trials"
    assert math.isclose(bad.bound, 3 / 32)


def test_finite_size_clause_accepts_small_systematic_errors_only_at_small_n() -> None:
    rng = np.random.default_rng(4)
    samples = 1.01 + 1e-4 * rng.standard_normal(1000)  # 1 % off, tiny sampling error
    at_256 = stats.compare("kappa", 1.0, samples, se_kind="seeds", N=256)
    assert abs(at_256.z) > stats.Z_MAX  # the z-test alone rejects ...
    assert at_256.passed  # ... but 1 % < 3/16 is within the neglected O(N^-1/2) terms
    at_1e6 = stats.compare("kappa", 1.0, samples, se_kind="seeds", N=10**6)
    assert not at_1e6.passed  # 1 % > 3/1000


def test_time_block_compare_uses_block_se() -> None:
    rng = np.random.default_rng(5)
    x = 0.5 + ar1(rng, 0.95, (), 50_000)
    row = stats.compare("mean", 0.5, x, se_kind="time blocks", N=10**8)
    assert row.passed
    assert math.isclose(row.sim_se, stats.block_se(x))
    tau = stats.integrated_autocorr_time(x)
    assert row.n == stats.block_info(x.size, tau)[1]
    # a theory 8 block-SEs away fails (N huge so the finite-size clause is negligible)
    off = stats.compare("mean", 0.5 + 8 * row.sim_se, x, se_kind="time blocks", N=10**8)
    assert not off.passed


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
    with pytest.raises(ValueError, match="N must"):
        stats.compare("x", 1.0, [1.0, 2.0], se_kind="seeds", N=0)
    with pytest.raises(ValueError, match="shape"):
        stats.compare("x", np.ones(3), [1.0, 2.0], se_kind="seeds", N=10)
    with pytest.raises(ValueError, match="at least"):
        stats.block_se(np.ones(5))


def test_nonfinite_estimate_fails_and_serialises() -> None:
    row = stats.compare("x", 1.0, [np.nan, 1.0], se_kind="seeds", N=100)
    assert not row.passed
    d = row.to_dict()
    assert d["sim_mean"] is None and d["passed"] is False
