"""validate.core.stats checked exactly on fixed samples, each against a direct computation
written out here (plain loops, no FFT): the ratio-of-means estimate and its SE, and the
integrated autocorrelation time with Sokal's window."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from validate.core import stats


def _tau_direct(x: np.ndarray, c: float) -> float:
    """τ_int = 1 + 2 Σ_{k≤W} ρ(k) with the biased autocovariance (a plain loop) and the smallest
    window W ≥ c·τ(W); the last window when none qualifies; at least 1."""
    n = x.size
    d = x - x.mean()
    acov = np.array([np.dot(d[: n - k], d[k:]) / n for k in range(n)])
    if acov[0] == 0:
        return 1.0
    rho = acov / acov[0]
    tau = 1.0
    for w in range(1, n):
        tau = 1.0 + 2.0 * rho[1 : w + 1].sum()
        if w >= c * tau:
            return max(tau, 1.0)
    return max(tau, 1.0)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9, -0.6])
def test_integrated_autocorr_time_equals_the_direct_sum(phi: float) -> None:
    rng = np.random.default_rng(3)
    n = 400
    x = np.empty(n)
    x[0] = rng.standard_normal()
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.standard_normal()
    got = stats.integrated_autocorr_time(x)
    assert got == pytest.approx(_tau_direct(x, stats.SOKAL_C), rel=1e-10)
    # along another axis, one value per series
    X = np.stack([x, x[::-1], np.ones(n)])
    many = stats.integrated_autocorr_time(X, axis=1)
    assert many.shape == (3,)
    assert many[0] == pytest.approx(got, rel=1e-12)
    assert many[1] == pytest.approx(_tau_direct(x[::-1].copy(), stats.SOKAL_C), rel=1e-10)
    assert many[2] == 1.0  # a constant series: no correlation to measure


def test_integrated_autocorr_time_short_series() -> None:
    assert stats.integrated_autocorr_time(np.array([1.0, 2.0])) == pytest.approx(
        _tau_direct(np.array([1.0, 2.0]), stats.SOKAL_C)
    )
    with pytest.raises(ValueError, match="need at least 2 samples along axis 0, got 1"):
        stats.integrated_autocorr_time(np.array([1.0]))


A = np.array([1.3, 0.9, 1.7, 1.1, 1.4, 0.8])
B = np.array([2.1, 1.8, 2.9, 2.2, 2.0, 1.7])


def test_compare_ratio_estimate_and_se_exactly() -> None:
    row = stats.compare_ratio("rho", 0.55, A, B, N=256, note="x")
    n = A.size
    R = A.mean() / B.mean()
    va = sum((b - B.mean()) ** 2 for b in B) / (n - 1)
    cab = sum((a - A.mean()) * (b - B.mean()) for a, b in zip(A, B, strict=True)) / (n - 1)
    bias = (R * va - cab) / (n * B.mean() ** 2)
    r = A - R * B
    se = math.sqrt(sum((x - r.mean()) ** 2 for x in r) / (n - 1)) / (math.sqrt(n) * B.mean())
    assert row.sim_mean == pytest.approx(R - bias, rel=1e-13)
    assert row.sim_se == pytest.approx(se, rel=1e-12)
    assert row.n == n and row.se_kind == "seeds" and row.dof == n - 1
    assert row.theory == 0.55 and row.N == 256
    assert row.rel_err == pytest.approx((R - bias - 0.55) / 0.55, rel=1e-12)
    assert row.z == pytest.approx((R - bias - 0.55) / se, rel=1e-12)
    assert row.note == "x; ratio of means (bias-corrected)"
    # the delta-method SE agrees with the jackknife SE of the ratio to first order
    jack = np.array([np.delete(A, i).mean() / np.delete(B, i).mean() for i in range(n)])
    se_jack = math.sqrt((n - 1) / n * np.sum((jack - jack.mean()) ** 2))
    assert se == pytest.approx(se_jack, rel=0.15)
    # a negative denominator mean: the SE uses |b̄|
    neg = stats.compare_ratio("rho", -0.55, A, -B, N=256)
    assert neg.sim_se == pytest.approx(se, rel=1e-12)
    assert neg.sim_mean == pytest.approx(-(R - bias), rel=1e-12)


def test_compare_ratio_refusals_are_exact() -> None:
    with pytest.raises(ValueError) as err:
        stats.compare_ratio("rho", 0.3, [1.0, 2.0, 3.0], [1.0, 2.0], N=100)
    assert str(err.value) == (
        "numerators and denominators for 'rho' must be 1-D of equal size >= 2, got sizes 3 and 2"
    )
    with pytest.raises(ValueError, match="got sizes 1 and 1"):
        stats.compare_ratio("rho", 0.3, [1.0], [1.0], N=100)
    with pytest.raises(ValueError) as err:
        stats.compare_ratio("rho", 0.3, [1.0, 2.0], [1.0, -1.0], N=100)
    assert str(err.value) == "denominators for 'rho' must have a finite non-zero mean, got 0.0"


def test_compare_ratio_two_seeds_use_one_dof() -> None:
    row = stats.compare_ratio("rho", 0.5, [1.0, 1.2], [2.0, 2.2], N=64)
    assert row.dof == 1 and row.n == 2
    t_crit_1 = sps.t.isf(stats.P_ROW / 2, 1)
    assert row.z_crit >= min(t_crit_1, stats.Z_MAX) - 1e-9


def test_compare_ratio_defaults_and_pass_through() -> None:
    row = stats.compare_ratio("rho", 0.55, A, B, N=256)
    assert row.quantity == "rho" and row.note == "ratio of means (bias-corrected)"
    assert (row.experiment, row.setting, row.domain, row.tolerance) == ("", "", "", 0.0)
    tagged = stats.compare_ratio(
        "rho", 0.55, A, B, N=256, experiment="e", setting="s", tolerance=0.25, domain="d"
    )
    assert (tagged.experiment, tagged.setting, tagged.tolerance) == ("e", "s", 0.25)
    assert tagged.domain == "d" and tagged.status == "outside domain"


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (
            [1.0, np.nan],
            [1.0, 2.0],
            "numerators for 'rho' contain 1 non-finite value(s) "
            "(first at index 1: np.float64(nan)); allowed: finite samples",
        ),
        (
            [1.0, 2.0],
            [np.inf, 2.0],
            "denominators for 'rho' contain 1 non-finite value(s) "
            "(first at index 0: np.float64(inf)); allowed: finite samples",
        ),
        (["a", "b"], [1.0, 2.0], "numerators has dtype <U1; allowed: real numbers"),
        ([1.0, 2.0], ["a", "b"], "denominators has dtype <U1; allowed: real numbers"),
        (
            [],
            [],
            "numerators and denominators for 'rho' must be 1-D of equal size >= 2, "
            "got sizes 0 and 0",
        ),
    ],
)
def test_compare_ratio_bad_samples_are_named(a: list, b: list, message: str) -> None:
    with pytest.raises(ValueError) as err:
        stats.compare_ratio("rho", 0.3, a, b, N=10)
    assert str(err.value) == message


def test_integrated_autocorr_time_edges() -> None:
    # a ramp: no window reaches 5 τ, the last window is used (the direct loop's fallback)
    ramp = np.arange(10.0)
    assert stats.integrated_autocorr_time(ramp) == pytest.approx(
        _tau_direct(ramp, stats.SOKAL_C), rel=1e-10
    )
    # per series: the ramp's fallback does not leak into an uncorrelated neighbour
    rng = np.random.default_rng(5)
    noise = rng.standard_normal(10)
    both = stats.integrated_autocorr_time(np.stack([ramp, noise]), axis=1)
    assert both[0] == pytest.approx(_tau_direct(ramp, stats.SOKAL_C), rel=1e-10)
    assert both[1] == pytest.approx(_tau_direct(noise, stats.SOKAL_C), rel=1e-10)
    # small variance: the autocorrelation is normalised by it, whatever its size
    x = 1e-3 * rng.standard_normal(300).cumsum()
    assert stats.integrated_autocorr_time(x) == pytest.approx(
        _tau_direct(x, stats.SOKAL_C), rel=1e-10
    )
    assert isinstance(stats.integrated_autocorr_time(noise), float)
    with pytest.raises(ValueError) as err:
        stats.integrated_autocorr_time(np.array([1.0, np.nan, 2.0]))
    assert str(err.value) == "x has non-finite entries; allowed: finite values only"


@pytest.mark.parametrize("B", [2, 3, 5])
def test_unbiased_loss_split_is_unbiased_in_exact_expectation(B: int) -> None:
    # every batch of B draws from a three-point distribution, weighted by its probability:
    # the expectation of the corrected split is the population (μ − ẑ)² and v exactly
    import itertools

    values, probs, target = np.array([-1.0, 0.5, 2.0]), np.array([0.2, 0.5, 0.3]), 0.4
    mu = float(values @ probs)
    v = float(((values - mu) ** 2) @ probs)
    e_bias = e_var = 0.0
    for idx in itertools.product(range(3), repeat=B):
        z, p = values[list(idx)], float(np.prod(probs[list(idx)]))
        lb_batch = (z.mean() - target) ** 2
        lv_batch = np.mean((z - z.mean()) ** 2)
        lb, lv = stats.unbiased_loss_split(lb_batch, lv_batch, B)
        e_bias += p * float(lb)
        e_var += p * float(lv)
    assert e_bias == pytest.approx((mu - target) ** 2, rel=1e-12)
    assert e_var == pytest.approx(v, rel=1e-12)


def test_unbiased_loss_split_arrays_and_refusals() -> None:
    lb, lv = stats.unbiased_loss_split([0.5, 0.2], np.array([0.3, 0.1]), np.int64(4))
    np.testing.assert_allclose(lb, [0.4, 0.2 - 0.1 / 3], rtol=1e-15)
    np.testing.assert_allclose(lv, [0.4, 0.4 / 3], rtol=1e-15)
    assert lb.dtype == lv.dtype == np.float64
    for bad in (1, 2.0, True, "3"):
        with pytest.raises(ValueError) as err:
            stats.unbiased_loss_split(0.1, 0.1, bad)  # type: ignore[arg-type]
        assert str(err.value) == (
            f"trials_per_condition={bad!r} is not allowed; must be an integer >= 2"
        )


def _est(**kw: object) -> stats.Comparison:
    args: dict = {"se_kind": "seeds", "N": 64}
    args.update(kw)
    theory, estimate, se, n = (args.pop(k) for k in ("theory", "estimate", "se", "n"))
    return stats.compare_estimate("q", theory, estimate, se, n, **args)


def test_z_and_relative_error_in_every_branch() -> None:
    base = {"theory": 2.0, "n": 5}
    assert _est(**base, estimate=2.5, se=0.25).z == pytest.approx(2.0, rel=1e-15)
    assert _est(**base, estimate=2.5, se=0.0).z == math.inf  # exact sample, any difference
    assert _est(**base, estimate=1.5, se=0.0).z == -math.inf
    assert math.isnan(_est(**base, estimate=2.5, se=math.nan).z)  # no SE
    same = _est(**base, estimate=2.0, se=0.0)
    assert same.z == 0.0 and same.rel_err == 0.0
    # the scale of the relative error: |theory| by default, the given scale otherwise
    assert _est(**base, estimate=2.5, se=0.1).rel_err == pytest.approx(0.25, rel=1e-15)
    assert _est(**base, estimate=2.5, se=0.1, scale=-5.0).rel_err == pytest.approx(0.1)
    zero = _est(theory=0.0, n=5, estimate=-0.5, se=0.1)
    assert zero.rel_err == -math.inf and zero.scale == 0.0


def test_defaults_and_domain_of_a_row() -> None:
    row = _est(theory=1.0, estimate=1.0005, se=0.001, n=10)
    assert (row.experiment, row.setting, row.note, row.domain) == ("", "", "", "")
    assert row.tolerance == 0.0 and row.status == "pass" and row.N == 64
    tagged = _est(theory=1.0, estimate=1.0005, se=0.001, n=10, experiment="e", setting="s")
    assert (tagged.experiment, tagged.setting) == ("e", "s")
    nan_theory = _est(theory=math.nan, estimate=1.0, se=0.1, n=3)
    assert nan_theory.status == "outside domain"
    assert nan_theory.domain == "the theory gives no value here (non-finite)"
    kept = _est(theory=math.nan, estimate=1.0, se=0.1, n=3, domain="own reason")
    assert kept.domain == "own reason"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"estimate": math.nan},
            "the estimate of 'q' is nan; allowed: a finite number (check the samples)",
        ),
        ({"N": 0.5}, "N=0.5 is not allowed; allowed: a finite number >= 1"),
        ({"N": "x"}, "N='x' is not allowed; must be a finite number >= 1"),
        ({"theory": "x"}, "theory"),
        ({"estimate": "x"}, "estimate"),
        ({"n": 0}, "n=0 is not allowed; must be an integer >= 1"),
    ],
)
def test_refusals_of_a_row_name_the_argument(kw: dict, message: str) -> None:
    args = {"theory": 1.0, "estimate": 1.1, "se": 0.1, "n": 3}
    args.update(kw)
    with pytest.raises(ValueError) as err:
        _est(**args)
    assert str(err.value).startswith(message) if len(message) > 12 else message in str(err.value)
    # N = 1 is the smallest network allowed
    assert _est(theory=1.0, estimate=1.1, se=0.1, n=3, N=1).N == 1


def test_compare_defaults_and_sample_refusals() -> None:
    row = stats.compare("q", 1.0, [1.0, 1.1, 0.9], se_kind="seeds", N=8)
    assert (row.experiment, row.setting, row.note) == ("", "", "")
    assert row.sim_se == pytest.approx(np.std([1.0, 1.1, 0.9], ddof=1) / math.sqrt(3))
    one = stats.compare("q", 1.0, [1.2], se_kind="seeds", N=8)  # one seed: no SE, no verdict
    assert one.n == 1 and math.isnan(one.sim_se) and one.status == "undetermined"
    with pytest.raises(ValueError) as err:
        stats.compare("q", 1.0, ["a", "b"], se_kind="seeds", N=8)
    assert str(err.value) == "samples has dtype <U1; allowed: real numbers"
    with pytest.raises(ValueError, match="samples"):
        stats.compare("q", 1.0, [], se_kind="seeds", N=8)


def _ar1(n: int, phi: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.standard_normal()
    return x


def test_time_block_rows_say_when_the_series_is_short() -> None:
    short = _ar1(60, 0.9, 0)
    tau = stats.integrated_autocorr_time(short)
    row = stats.compare("q", 0.0, short, se_kind="time blocks", N=8, note="n0")
    assert row.too_short and row.status == "undetermined"
    assert row.note == f"n0; too short to judge: 60 samples = {60 / tau:.3g} τ̂ < 50 τ̂"
    assert row.sim_se == pytest.approx(stats.block_se(short), rel=1e-15)
    # 50 τ̂ ≤ n < 100 τ̂: ten blocks shorter than 10 τ̂, and the SE's expected shortfall
    mid = _ar1(1800, 0.9, 1)
    tau = stats.integrated_autocorr_time(mid)
    assert 50 * tau <= 1800 < 100 * tau
    b = 1800 // stats.MIN_BLOCKS
    row = stats.compare("q", 0.0, mid, se_kind="time blocks", N=8)
    assert not row.too_short
    assert row.note == (
        f"blocks shortened to {b} samples = {b / tau:.3g} τ̂ < 10 τ̂ "
        f"(SE low by ≈ {tau / (2 * b):.0%})"
    )
    long = _ar1(4000, 0.5, 2)
    assert stats.compare("q", 0.0, long, se_kind="time blocks", N=8, note="n0").note == "n0"


def test_exact_messages_and_scale_of_compare() -> None:
    for kw, message in (
        ({"theory": "x"}, "theory='x' is not allowed; must be a finite real number"),
        ({"estimate": "x"}, "estimate='x' is not allowed; must be a finite real number"),
    ):
        args = {"theory": 1.0, "estimate": 1.1, "se": 0.1, "n": 3}
        args.update(kw)
        with pytest.raises(ValueError) as err:
            _est(**args)
        assert str(err.value) == message
    with pytest.raises(ValueError) as err:
        stats.compare("q", 1.0, [], se_kind="seeds", N=8)
    assert str(err.value) == "samples for 'q' must be non-empty, got size 0"
    row = stats.compare("q", 2.0, [2.5, 2.4, 2.6], se_kind="seeds", N=8, scale=10.0)
    assert row.rel_err == pytest.approx(0.05, rel=1e-12) and row.scale == 10.0
