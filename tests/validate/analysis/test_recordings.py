"""Tests of validate.analysis.recordings (ridge readout, lag search, measures on recordings, subsampling)
and validate.figures.recordings, on synthetic recordings with known answers (THEORY §6)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from validate.analysis import measures, recordings
from validate.core.stats import Z_MAX
from validate.figures.recordings import plot_subsampling

# Subsampling settings shared by the slope tests: 6 independent synthetic populations per kind
# (the SE of the mean slope comes from their spread), sizes 16 … N, τ = 1 bin (T_eff ≈ 0.76 T);
# 3 CV folds keep the ~600 small eigendecompositions cheap.
SUB_N, SUB_T, SUB_SIZES, SUB_REPEATS, SUB_SEEDS = 64, 1000, (16, 32, 64), 6, range(6)
SUB_FOLDS = 3


@pytest.fixture(scope="module")
def subsampled() -> dict[str, list]:
    out: dict[str, list] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind in recordings.SYNTHETIC_KINDS:
            runs = []
            for seed in SUB_SEEDS:
                X, Y, truth = recordings.synthetic_recording(
                    kind, N=SUB_N, T=SUB_T, d=2, noise=0.1, seed=seed, tau=1.0
                )
                res = recordings.subsample_rho(
                    X, Y, SUB_SIZES, repeats=SUB_REPEATS, seed=seed, folds=SUB_FOLDS, progress=False
                )
                runs.append((res, truth))
            out[kind] = runs
    return out


@pytest.fixture(scope="module")
def analysed() -> dict[str, tuple]:
    out = {}
    for kind in recordings.SYNTHETIC_KINDS:
        X, Y, truth = recordings.synthetic_recording(
            kind, N=64, T=1000, d=2, noise=0.1, seed=1, tau=1.0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[kind] = (recordings.analyse_recording(X, Y), truth, X, Y)
    return out


# ----------------------------------------------------------------------------- ridge
def _well_conditioned(S: int = 400, N: int = 12, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((S, N)) + 3.0  # nonzero means: the intercept matters
    Y = X @ rng.standard_normal((N, d)) + rng.standard_normal((S, d)) + 1.0
    return X, Y


def test_ridge_alpha_zero_is_least_squares():
    X, Y = _well_conditioned()
    fit = recordings.ridge_readout(X, Y, alpha=0.0, folds=None)
    sol, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], Y, rcond=None)
    # both are backward-stable solvers of a problem with condition number ≈ 5 (the centred
    # columns of [X, 1]); their difference is rounding, ≲ 1e3 ε relative — 1e-10 is far above it.
    np.testing.assert_allclose(fit.w, sol[:-1], rtol=0, atol=1e-10 * np.abs(sol).max())
    np.testing.assert_allclose(fit.intercept, sol[-1], rtol=0, atol=1e-10 * np.abs(sol).max())
    assert math.isnan(fit.r2_cv) and fit.alpha == 0.0


def test_ridge_small_alpha_tends_to_least_squares():
    """Ridge multiplies each singular component of the LS solution by s²/(s² + α), so
    ‖w_α − w_0‖ ≤ (α/s_min²)·‖w_0‖ exactly; the Gram route adds rounding ~ ε·cond² ≈ 1e-14."""
    X, Y = _well_conditioned()
    s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    w0 = recordings.ridge_readout(X, Y, alpha=0.0, folds=None).w
    for rel in (1e-2, 1e-5):
        alpha = rel * s[-1] ** 2
        w = recordings.ridge_readout(X, Y, alpha=alpha, folds=None).w
        assert np.linalg.norm(w - w0) <= (rel + 1e-12) * np.linalg.norm(w0)
        assert np.linalg.norm(w - w0) > 0  # the penalty does act


def test_cross_validation_matches_brute_force():
    X, Y = _well_conditioned(S=300, N=8, d=2, seed=3)
    alphas = np.array([1e-3, 1.0, 1e2, 1e4])
    fit = recordings.ridge_readout(X, Y, alphas=alphas, folds=4)
    sse = np.zeros(alphas.size)
    blocks = np.array_split(np.arange(len(X)), 4)  # contiguous folds of a single series
    for test in blocks:
        train = np.setdiff1d(np.arange(len(X)), test)
        xm, ym = X[train].mean(axis=0), Y[train].mean(axis=0)
        xc = X[train] - xm
        for i, a in enumerate(alphas):
            w = np.linalg.solve(xc.T @ xc + a * np.eye(X.shape[1]), xc.T @ (Y[train] - ym))
            sse[i] += np.sum((Y[test] - ym - (X[test] - xm) @ w) ** 2)
    expected = 1.0 - sse / np.sum((Y - Y.mean(axis=0)) ** 2)
    np.testing.assert_allclose(fit.cv_r2, expected, rtol=1e-10, atol=1e-12)  # same algebra
    assert fit.alpha == alphas[int(np.argmax(expected))]


def test_trials_lag_never_crosses_a_trial():
    rng = np.random.default_rng(4)
    K, T, N, lag = 4, 30, 5, 2
    X = rng.standard_normal((K, T, N))
    Y = rng.standard_normal((K, T, 2))
    fit = recordings.ridge_readout(X, Y, alpha=0.0, lag=lag, folds=None)
    xs = np.concatenate([X[k, : T - lag] for k in range(K)])
    ys = np.concatenate([Y[k, lag:] for k in range(K)])
    sol, *_ = np.linalg.lstsq(np.c_[xs, np.ones(len(xs))], ys, rcond=None)
    np.testing.assert_allclose(fit.w, sol[:-1], atol=1e-12)
    assert fit.n_samples == K * (T - lag)


@pytest.mark.parametrize("lag", [3, -2])
def test_lag_search_recovers_injected_lag(lag):
    X, Y, truth = recordings.synthetic_recording(
        "aligned", N=24, T=600, d=1, noise=0.1, seed=5, lag=lag
    )
    res = recordings.lag_search(X, Y, range(-4, 5))
    # at the true lag R² ≈ 1/(1 + noise²) ≈ 0.99; one bin off, the AR(1) latent (τ = 5) only
    # predicts φ² = e^{-2/5} ≈ 0.67 of it — a gap far beyond the CV noise O(T_eff^{-1/2}) ≈ 0.08.
    assert res.best_lag == truth["lag"] == lag
    assert res.r2_cv.max() > 0.9
    assert np.sort(res.r2_cv)[-2] < res.r2_cv.max() - 0.1


# ----------------------------------------------------------------------------- measures
def test_analyse_aligned(analysed):
    res, truth, X, _ = analysed["aligned"]
    assert res.regime == "aligned"
    # D_x: the 4 latents carry 7.5/7.51 of the variance in proportions (.53, .27, .13, .07):
    # 3 reach 0.93 ≥ 0.9; D_fit: the behaviour is the first 2 latents
    assert res.D_x == truth["D_x"] == 3
    assert res.D_fit == truth["D_fit"] == 2
    assert res.ratio < 1
    assert res.r2_cv > 0.95  # ≈ 1/(1 + noise²) = 0.99 up to fitting noise
    # the generator's known answer: the true readout has ρ → ρ_∞ = 0.596; at finite T the
    # sample variances of the latents over T_eff ≈ 760 independent bins (relative SD
    # √(2/T_eff) = 5 % each) set the spread
    xc = X - X.mean(axis=0)
    rho_true = measures.readout_correlation(truth["w_true"], xc)
    assert abs(rho_true / truth["rho_limit"] - 1) < Z_MAX * math.sqrt(2 / truth["T_eff"])
    # the fitted readout also reads fitted behaviour noise through low-variance directions, so
    # ρ_fit may fall below ρ_true (analyse_recording's docstring; in this population by 30 %,
    # ρ_fit = 0.41): only the regime label (ρ > N^{-1/4}, above) is asserted for it


def test_analyse_oblique(analysed):
    res, truth, _, _ = analysed["oblique"]
    assert res.regime == "oblique"
    assert res.D_x == truth["D_x"] == 3
    # the behaviour is a random direction of the isotropic private space (N − 3 PCs of equal
    # variance): R²(k) grows linearly there, so D_fit ≈ 0.9·N, far above D_x
    assert res.D_fit > 0.5 * res.N
    assert res.ratio > 10
    # the fitted readout is the true one up to fitting noise: cos² ≥ 1 − (noise-fit share)
    w, w_true = res.readout.w, truth["w_true"]
    cos = np.abs(np.sum(w * w_true, axis=0)) / (
        np.linalg.norm(w, axis=0) * np.linalg.norm(w_true, axis=0)
    )
    # noise-fit share ‖δ‖²/‖w‖² ≈ N·2·noise²/T_eff ≈ 64·0.02/760 < 0.002 → cos > 0.998; the
    # shared modes' chance share k_s/T_eff ≈ 0.004 likewise: 0.95 leaves a wide margin
    assert np.all(cos > 0.95)
    # ρ√N → √((1 + noise²)/(17 + noise²)) = 0.244 plus the derived chance-correlation term
    # k_s/T_eff in ρ²N (+0.4 %); the private sample variances over T_eff bins: √(2/T_eff) = 5 %
    assert abs(res.rho_sqrt_n / truth["rho_sqrt_n_limit"] - 1) < Z_MAX * math.sqrt(
        2 / truth["T_eff"]
    )


def test_dfit_with_least_squares_equals_behaviour_dfit(analysed):
    _, _, X, Y = analysed["aligned"]
    X, Y = X[:400, :24], Y[:400]
    res = recordings.analyse_recording(X, Y, alpha=0.0)
    # the LS projections of Y and of its LS fit ŷ on nested PC spans coincide, so the relative
    # R² curves — and D_fit — are identical (exact algebra)
    assert res.D_fit == measures.fit_dimension(X - X.mean(axis=0), Y).D_fit
    assert res.D_x == measures.dimension(X)


# ----------------------------------------------------------------------------- subsampling
@pytest.mark.parametrize("kind", ["aligned", "oblique"])
def test_subsampling_slope(subsampled, kind):
    """Mean slope p over 6 independent populations vs the expected one (1/2 resp. 0 plus the
    derived leading finite-size corrections, recordings.expected_slope); SE from the spread over
    populations (p_se of one population understates it, see the module docstring)."""
    runs = subsampled[kind]
    p = np.array([r.p for r, _ in runs])
    se = p.std(ddof=1) / math.sqrt(p.size)
    expected = recordings.expected_slope(runs[0][1], SUB_SIZES)
    assert abs(expected - runs[0][1]["p"]) < 0.06  # the corrections are small at these sizes
    assert abs(p.mean() - expected) <= Z_MAX * se, (p, expected)
    # ρ itself: large for aligned, at chance level (ρ√N = O(1)) for oblique
    for res, _truth in runs:
        rho_full = res.rho[-1, 0]  # n = N: the full population
        assert measures.regime_label(float(rho_full), SUB_N) == kind


def test_subsampling_separates_regimes(subsampled):
    pa = np.array([r.p for r, _ in subsampled["aligned"]])
    po = np.array([r.p for r, _ in subsampled["oblique"]])
    se = math.sqrt(pa.var(ddof=1) / pa.size + po.var(ddof=1) / po.size)
    # the midpoint guide p = 1/4 separates them by many SE
    assert pa.mean() - 0.25 > Z_MAX * se and 0.25 - po.mean() > Z_MAX * se


def test_subsampling_result_shapes(subsampled):
    res, _ = subsampled["oblique"][0]
    S, R = len(SUB_SIZES), SUB_REPEATS
    assert res.rho.shape == res.r2_cv.shape == (S, R)
    assert np.all(np.isfinite(res.rho[:-1])) and np.isfinite(res.rho[-1, 0])
    assert np.all(np.isnan(res.rho[-1, 1:]))  # n = N: a single draw
    assert res.rho_sqrt_n_se[-1] == 0.0
    assert math.isclose(res.rho_slope, res.p - 0.5)
    # the quality of fit grows with n for oblique data (R² ≈ n/N): the top panel's message
    assert np.all(np.diff(res.r2_mean) > 0)


def test_plot_subsampling(subsampled, tmp_path):
    runs = [subsampled["aligned"][0][0], subsampled["oblique"][0][0]]
    path = plot_subsampling(runs, tmp_path / "sub.png", labels=["aligned", "oblique"])
    assert path.exists() and path.stat().st_size > 10_000
    single = plot_subsampling(runs[0], tmp_path / "one.png")
    assert single.exists()
    with pytest.raises(ValueError, match="labels"):
        plot_subsampling(runs, tmp_path / "x.png", labels=["only one"])
    with pytest.raises(ValueError, match="result"):
        plot_subsampling([], tmp_path / "x.png")


# ----------------------------------------------------------------------------- bad input
def test_bad_input_errors():
    X, Y = _well_conditioned(S=50, N=4, d=1)
    with pytest.raises(ValueError, match="X has shape"):
        recordings.ridge_readout(X[:, 0], Y)
    with pytest.raises(ValueError, match="Y has shape"):
        recordings.ridge_readout(X, Y[:-1])
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X has 1 non-finite"):
        recordings.ridge_readout(bad, Y)
    with pytest.raises(ValueError, match="alpha=-1"):
        recordings.ridge_readout(X, Y, alpha=-1.0)
    with pytest.raises(ValueError, match="lag=60"):
        recordings.ridge_readout(X, Y, lag=60)
    with pytest.raises(ValueError, match="lag=1.5"):
        recordings.ridge_readout(X, Y, lag=1.5)
    with pytest.raises(ValueError, match="folds=1"):
        recordings.ridge_readout(X, Y, folds=1)
    with pytest.raises(ValueError, match="folds=None"):
        recordings.ridge_readout(X, Y, folds=None)
    with pytest.raises(ValueError, match="alphas="):
        recordings.ridge_readout(X, Y, alphas=[-1.0])
    with pytest.raises(ValueError, match="Y is constant"):
        recordings.ridge_readout(X, np.ones(50))
    with pytest.raises(ValueError, match="X has zero variance"):
        recordings.ridge_readout(np.ones((50, 4)), Y)
    with pytest.raises(ValueError, match="lags="):
        recordings.lag_search(X, Y, [])
    with pytest.raises(ValueError, match="lags="):
        recordings.lag_search(X, Y, [-30, 30])
    with pytest.raises(ValueError, match="threshold=1.5"):
        recordings.analyse_recording(X, Y, threshold=1.5)
    with pytest.raises(ValueError, match="sizes="):
        recordings.subsample_rho(X, Y, [2])
    with pytest.raises(ValueError, match="sizes="):
        recordings.subsample_rho(X, Y, [2, 5])
    with pytest.raises(ValueError, match="repeats=1"):
        recordings.subsample_rho(X, Y, [2, 4], repeats=1)
    with pytest.raises(ValueError, match="kind='mixed'"):
        recordings.synthetic_recording("mixed")
    with pytest.raises(ValueError, match="noise=-0.1"):
        recordings.synthetic_recording("aligned", noise=-0.1)
    with pytest.raises(ValueError, match="N=4"):
        recordings.synthetic_recording("oblique", N=4)
    with pytest.raises(ValueError, match="kind"):
        recordings.expected_slope({"kind": "other"}, [2, 4])


# ----------------------------------------------------------------------------- files era
synthetic_recording = recordings.synthetic_recording


def test_gap_pairs_are_dropped_not_interpolated() -> None:
    from validate.analysis.recordings import ridge_readout

    X, Y, _ = synthetic_recording("aligned", N=16, T=300, seed=4)
    Yg = Y.copy()
    Yg[50:60] = np.nan
    keep = ~np.isnan(Yg[:, 0])
    a = ridge_readout(X, Yg, alpha=1.0, folds=None)
    b = ridge_readout(X[keep], Y[keep], alpha=1.0, folds=None)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-12, atol=1e-14)
    assert a.n_samples == 290
    # at lag 2, the pairs whose *behaviour* bin is a gap go: X bins 48 … 57
    c = ridge_readout(X, Yg, alpha=1.0, folds=None, lag=2)
    xk = np.ones(298, bool)
    xk[48:58] = False
    d = ridge_readout(X[:-2][xk], Y[2:][xk], alpha=1.0, folds=None)
    np.testing.assert_allclose(c.w, d.w, rtol=1e-12, atol=1e-14)


def test_analyse_readout_is_the_measures_of_the_given_weights() -> None:
    from validate.analysis import measures
    from validate.analysis.recordings import analyse_readout

    X, Y, truth = synthetic_recording("oblique", N=32, T=400, seed=5)
    w = truth["w_true"]
    res = analyse_readout(X, Y, w)
    xc = X - X.mean(axis=0)
    assert res.rho == pytest.approx(measures.readout_correlation(w, xc), rel=1e-12)
    pred = xc @ w + Y.mean(axis=0)
    r2 = 1 - np.sum((Y - pred) ** 2) / np.sum((Y - Y.mean(axis=0)) ** 2)
    assert res.r2 == pytest.approx(r2, rel=1e-12)
    assert np.isnan(res.alpha) and np.isnan(res.r2_cv) and res.regime == "oblique"
    with pytest.raises(ValueError, match=r"allowed: \(32, 2\)"):
        analyse_readout(X, Y, w[:5])


def test_subsample_points_draws_the_stated_share() -> None:
    from validate.analysis import measures
    from validate.analysis.recordings import subsample_points

    X, Y, truth = synthetic_recording("aligned", N=16, T=400, seed=6)
    res = subsample_points(X, Y, w=truth["w_true"], repeats=5, seed=2)
    assert res.n_samples == 100 and res.decoder
    # the same draws by hand: the ρ of the given weights on each subset
    rng = np.random.default_rng(2)
    for r in range(5):
        idx = np.sort(rng.choice(400, size=100, replace=False))
        xs = X[idx] - X[idx].mean(axis=0)
        assert res.rho[r] == pytest.approx(measures.readout_correlation(truth["w_true"], xs))
    with pytest.raises(ValueError, match="fraction=1.0"):
        subsample_points(X, Y, fraction=1.0)
