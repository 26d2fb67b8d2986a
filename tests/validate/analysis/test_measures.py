"""Tests of validate.analysis.measures on synthetic data with known values (THEORY §1, §6).

Tolerances: float-precision checks use multiples of ε (float64) with the count of summed
terms; statistical checks use 4 standard errors (two-sided Gaussian tail 6·10⁻⁵, as
validate.core.stats.Z_MAX) with the standard error derived in the test's comment.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from validate.analysis import measures as m

EPS = np.finfo(np.float64).eps
Z = 4.0  # accepted |z|, as validate.core.stats.Z_MAX


def _orthonormal(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """[n, k] orthonormal columns (QR of a Gaussian matrix)."""
    return np.linalg.qr(rng.standard_normal((n, k)))[0]


def _centred_orthonormal(rng: np.random.Generator, S: int, k: int) -> np.ndarray:
    """[S, k] orthonormal columns with zero mean (QR of a centred Gaussian matrix)."""
    g = rng.standard_normal((S, k))
    return np.linalg.qr(g - g.mean(axis=0))[0]


def _with_spectrum(
    rng: np.random.Generator, S: int, N: int, var: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """X [S, N] whose centred PCA has exactly the variances ``var`` along the columns of V."""
    k = var.size
    U = _centred_orthonormal(rng, S, k)
    V = _orthonormal(rng, N, k)
    return (U * np.sqrt(var * (S - 1))) @ V.T, V


@pytest.fixture(scope="module")
def lowrank() -> dict[str, np.ndarray]:
    """Rank-2 signal (variances 4, 1 along u1, u2) plus isotropic noise σ = 0.1 in N = 60."""
    rng = np.random.default_rng(1)
    S, N, sigma = 2000, 60, 0.1
    U = _orthonormal(rng, N, N)
    t = np.linspace(0, 8 * np.pi, S)
    a, b = 2 * math.sqrt(2) * np.sin(t), math.sqrt(2) * np.cos(3 * t)
    X = np.outer(a, U[:, 0]) + np.outer(b, U[:, 1]) + sigma * rng.standard_normal((S, N))
    return {
        "X": X,
        "U": U,
        "sigma": np.float64(sigma),
        "rng_w": U[:, 2:] @ _orthonormal(rng, N - 2, 1),
    }


# --------------------------------------------------------------------------- flatten, errors
def test_flatten_samples_order_and_errors() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    f = m.flatten_samples(x)
    assert f.shape == (6, 4) and f.dtype == np.float64
    np.testing.assert_array_equal(f[3], x[1, 0])  # condition 1, time 0 follows condition 0
    with pytest.raises(ValueError, match=r"X has shape \(4,\)"):
        m.flatten_samples(np.ones(4))
    with pytest.raises(ValueError, match="non-finite"):
        m.flatten_samples(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="need S >= 1"):
        m.flatten_samples(np.ones((0, 3)))


def test_bad_inputs_raise_with_name_value_range() -> None:
    X = np.random.default_rng(0).standard_normal((20, 5))
    with pytest.raises(ValueError, match=r"w_out has shape \(4,\).*N = 5"):
        m.readout_correlation(np.ones(4), X)
    with pytest.raises(ValueError, match="w_out is all zeros"):
        m.readout_correlation(np.zeros(5), X)
    with pytest.raises(ValueError, match=r"threshold=1.5 is not allowed.*\(0, 1\]"):
        m.dimension(X, threshold=1.5)
    with pytest.raises(ValueError, match=r"Z has shape \(19,\).*S = 20"):
        m.fit_dimension(X, np.ones(19))
    with pytest.raises(ValueError, match="Z is constant"):
        m.fit_dimension(X, np.ones(20))
    with pytest.raises(ValueError, match=r"max_k=6 is not allowed.*\[1, 5\]"):
        m.fit_dimension(X, X[:, 0], max_k=6)
    with pytest.raises(ValueError, match=r"k=-1 is not allowed"):
        m.reconstruction_r2(X, X[:, 0], -1)
    with pytest.raises(ValueError, match="XA has S=20 samples but XB has S=10"):
        m.dissimilarity(X, X[:10])
    with pytest.raises(ValueError, match=r"n_pcs=6 is not allowed.*\[1, 5\]"):
        m.dissimilarity(X, X, n_pcs=6)
    with pytest.raises(ValueError, match="method='svcca' is not allowed"):
        m.dissimilarity(X, X, n_pcs=2, method="svcca")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"n_random=1 is not allowed"):
        m.noise_compression(X, np.ones(5), n_random=1)
    with pytest.raises(ValueError, match="amplitudes=.*must start at 0"):
        m.susceptibility([0.5, 1.0], [0, 1], [0, 1])
    with pytest.raises(ValueError, match="amplitudes=.*strictly increasing"):
        m.susceptibility([0.0, 1.0, 1.0], [0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match=r"loss_pc has shape \(2,\).*A = 3"):
        m.susceptibility([0.0, 1.0, 2.0], [0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match=r"rho=1.5 is not allowed.*\[0, 1\]"):
        m.regime_label(1.5, 100)
    with pytest.raises(ValueError, match=r"N=0 is not allowed"):
        m.regime_label(0.1, 0)
    with pytest.raises(ValueError, match=r"threshold=0 is not allowed"):
        m.regime_label(0.1, 100, threshold=0)
    with pytest.raises(ValueError, match="zero variance"):
        m.pca(np.ones((5, 3)))


# --------------------------------------------------------------------------- correlation
def test_correlation_matches_simulate_losses() -> None:
    """Same number as the JAX implementation (simulate.losses.correlation) on random data."""
    import jax.numpy as jnp

    from simulate.losses import correlation

    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 40, 25)) + 0.5
    w = rng.standard_normal((25, 2))
    ref = correlation(jnp.asarray(w), jnp.asarray(X))
    # rounding of norms of sums of ≤ 3000 terms in the reference's dtype: √n·ε ≤ 55ε ≪ 1000ε
    rtol = 1000 * float(np.finfo(np.asarray(ref).dtype).eps)
    np.testing.assert_allclose(m.readout_correlation(w, X), float(ref), rtol=rtol)
    assert m.readout_correlation(jnp.asarray(w), jnp.asarray(X)) == pytest.approx(
        float(ref), rel=rtol
    )


def test_correlation_inside_vs_outside_top_pcs(lowrank: dict[str, np.ndarray]) -> None:
    X, U, sigma = lowrank["X"], lowrank["U"], float(lowrank["sigma"])
    S = X.shape[0]
    fro2 = np.sum(X**2)
    # inside: w = u1 carries the a(t) signal: ρ² = ‖X u1‖²/‖X‖²_F computed directly
    rho_in = m.readout_correlation(U[:, 0], X)
    assert rho_in == pytest.approx(np.linalg.norm(X @ U[:, 0]) / math.sqrt(fro2), rel=1e-12)
    # signal variances 4 and 1 (mean squares over whole periods), noise σ² per neuron:
    # E ρ² = (4 + σ²)/(4 + 1 + Nσ²); the noise terms' relative SD is below √(2/S)
    N = X.shape[1]
    assert abs(rho_in**2 / ((4 + sigma**2) / (5 + N * sigma**2)) - 1) < Z * math.sqrt(2 / S)
    # outside: w ⟂ signal, ‖X w‖² = σ² χ²_S, so E ρ² = Sσ²/‖X‖²_F with relative SD √(2/S)
    rho_out = m.readout_correlation(lowrank["rng_w"], X)
    expected2 = S * sigma**2 / fro2
    assert abs(rho_out**2 / expected2 - 1) < Z * math.sqrt(2 / S)
    # ρ is scale-free in w and per_output returns one ρ per column
    w2 = np.stack([U[:, 0], 3 * lowrank["rng_w"][:, 0]], axis=1)
    per = m.readout_correlation(w2, X, per_output=True)
    assert per.shape == (2,)
    np.testing.assert_allclose(per, [rho_in, rho_out], rtol=1e-12)
    assert m.state_norm(X) == pytest.approx(math.sqrt(fro2 / S), rel=1e-12)
    assert m.readout_norm(w2) == pytest.approx(math.sqrt(10.0), rel=1e-12)


@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(1e-3, 1e3))
def test_correlation_bounds_and_scale_invariance(seed: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    X, w = rng.standard_normal((15, 6)), rng.standard_normal((6, 2))
    rho = m.readout_correlation(w, X)
    assert 0.0 <= rho <= 1.0 + 8 * EPS
    assert m.readout_correlation(scale * w, X / scale) == pytest.approx(rho, rel=1e-12)


# --------------------------------------------------------------------------- PCA, dimension
def test_pca_and_dimension_with_known_spectrum() -> None:
    rng = np.random.default_rng(3)
    var = 2.0 ** -np.arange(
        20
    )  # cumulative ratio (1 − 2^-k)/(1 − 2^-20): 0.875 at k=3, 0.94 at k=4
    X, V = _with_spectrum(rng, 300, 50, var)
    p = m.pca(X)
    assert p.components.shape == (50, 50) and p.mean.shape == (50,)
    np.testing.assert_allclose(p.explained_variance[:20], var, rtol=1e-10)
    assert np.all(p.explained_variance[20:] < 1e-10 * var[0])
    np.testing.assert_allclose(np.abs(np.sum(p.components[:, :20] * V, axis=0)), 1.0, atol=1e-10)
    assert np.sum(p.ratio) == pytest.approx(1.0, abs=100 * EPS)
    assert m.dimension(X) == 4
    assert m.dimension(X, threshold=0.8) == 3
    # 10 equal variances: 90 % is reached exactly at 9 (float rounding must not push it to 10)
    Xe, _ = _with_spectrum(rng, 300, 50, np.ones(10))
    assert m.dimension(Xe) == 9
    assert m.dimension(Xe, threshold=1.0) == 10
    # scores of the first k components: [S, k] and orthogonal with the stated variances
    sc = p.scores(X, 3)
    np.testing.assert_allclose(sc.T @ sc / 299, np.diag(var[:3]), atol=1e-10)


# --------------------------------------------------------------------------- fit dimension
def test_r2_curve_equals_explicit_least_squares() -> None:
    """The orthogonal-PC shortcut equals lstsq with intercept on the first k scores."""
    rng = np.random.default_rng(4)
    S, N = 80, 12
    X = rng.standard_normal((S, N)) @ rng.standard_normal((N, N))
    Zt = X @ rng.standard_normal((N, 2)) + rng.standard_normal((S, 2))
    fd = m.fit_dimension(X, Zt)
    p = m.pca(X)
    for k in range(1, N + 1):
        A = np.column_stack([np.ones(S), (X - p.mean) @ p.components[:, :k]])
        res = Zt - A @ np.linalg.lstsq(A, Zt, rcond=None)[0]
        r2 = 1 - np.sum(res**2) / np.sum((Zt - Zt.mean(0)) ** 2)
        assert fd.r2_by_k[k - 1] == pytest.approx(r2, abs=1e-10)
        assert m.reconstruction_r2(X, Zt, k) == pytest.approx(r2, abs=1e-10)
    A = np.column_stack([np.ones(S), X])
    res = Zt - A @ np.linalg.lstsq(A, Zt, rcond=None)[0]
    assert fd.r2_full == pytest.approx(
        1 - np.sum(res**2) / np.sum((Zt - Zt.mean(0)) ** 2), abs=1e-10
    )
    assert fd.D_fit == int(np.argmax(fd.r2_by_k >= 0.9 * fd.r2_full)) + 1
    assert m.reconstruction_r2(X, Zt, 0) == 0.0
    assert m.fit_dimension(X, Zt, max_k=3).r2_by_k.shape == (3,)


def test_fit_dimension_inside_vs_outside_top_pcs(lowrank: dict[str, np.ndarray]) -> None:
    X, U = lowrank["X"], lowrank["U"]
    N = X.shape[1]
    aligned = m.fit_dimension(X, X @ U[:, 0])
    # Z = a(t) + noise along u1; u1 is PC1 (variance 4 vs 1 and σ² = 0.01), which carries all
    # of Z's variance but the σ² part of N·σ²-spread noise: R²(1) = 4/(4 + σ²) ≈ 0.9975 ≥ 0.9
    assert aligned.D_fit == 1
    assert aligned.r2_by_k[0] > 0.99
    assert m.reconstruction_r2(X, X @ U[:, 0], 2) > 0.99
    oblique = m.fit_dimension(X, X @ lowrank["rng_w"])
    # w ⟂ signal: Z = G w is isotropic noise along w. The R² share of noise PC i is
    # λ_i (w·v_i)² / Σ_j λ_j (w·v_j)² (λ, v the sample covariance eigenpairs), with (w·v_i)²
    # those of a uniformly random unit vector: the first k of the N − 2 hold a
    # B ~ Beta(k/2, (N−2−k)/2) fraction. Marchenko–Pastur bounds λ_max/λ_min by
    # r = ((1 + √q)/(1 − √q))² ≈ 1.9 (q = N/S = 0.03), so the first k PCs' share is at most
    # rB/(rB + 1 − B). For k = N/3 = 20: B = 0.34 ± 0.087, at +4 SD the share is ≤ 0.81 < 0.9,
    # hence D_fit > N/3 (in practice ≈ 0.9 N).
    assert oblique.D_fit > N // 3
    # the two signal PCs (≈ u1, u2) are independent of the noise along w: their R² share is
    # χ²₂/S (mean 2/S, SD 2/S), so below (2 + 4·2)/S
    S = X.shape[0]
    assert oblique.r2_by_k[1] < (2 + Z * 2) / S


# --------------------------------------------------------------------------- dissimilarity
# identical trajectories: the nuclear norm is 1 − δ with δ the rounding of S·k products
# (δ ≲ 10⁴ε for S ≤ 200, k = 4), and the angle is arccos(1 − δ) ≈ √(2δ) ≈ 2·10⁻⁶
_ZERO_TOL = math.sqrt(2 * 1e4 * EPS) * 2 / math.pi


@pytest.fixture(scope="module")
def trajectories() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    S = 200
    t = np.linspace(0, 2 * np.pi, S)
    lat = np.column_stack([np.sin(t), np.cos(t), 0.5 * np.sin(2 * t), 0.3 * np.cos(3 * t)])
    XA = lat @ rng.standard_normal((4, 30)) + 0.01 * rng.standard_normal((S, 30))
    XB = lat @ rng.standard_normal((4, 40)) + 0.01 * rng.standard_normal((S, 40))  # same latents
    lat_u = rng.standard_normal((S, 4)).cumsum(axis=0)  # unrelated random walk
    XU = lat_u @ rng.standard_normal((4, 30))
    return {"XA": XA, "XB": XB, "XU": XU}


@pytest.mark.parametrize("method", m.DISSIMILARITY_METHODS)
def test_dissimilarity_identical_related_unrelated(
    trajectories: dict[str, np.ndarray], method: str
) -> None:
    XA, XB, XU = trajectories["XA"], trajectories["XB"], trajectories["XU"]
    assert m.dissimilarity(XA, XA, n_pcs=4, method=method) == pytest.approx(0.0, abs=_ZERO_TOL)
    d_same = m.dissimilarity(XA, XB, n_pcs=4, method=method)
    d_unrel = m.dissimilarity(XA, XU, n_pcs=4, method=method)
    assert 0.0 <= d_same < d_unrel <= 1.0
    assert m.dissimilarity(XB, XA, n_pcs=4, method=method) == pytest.approx(d_same, abs=1e-12)


@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(0.01, 100.0))
def test_dissimilarity_invariances(seed: int, scale: float) -> None:
    """Invariant to orthogonal maps, permutations of neurons and scale of XB (both methods)."""
    rng = np.random.default_rng(seed)
    S, N = 60, 12
    XA = rng.standard_normal((S, 5)) @ rng.standard_normal((5, N)) + 0.1 * rng.standard_normal(
        (S, N)
    )
    XB = rng.standard_normal((S, N)) @ np.diag(np.linspace(2, 0.1, N))
    Q = _orthonormal(rng, N, N)
    perm = rng.permutation(N)
    for method in m.DISSIMILARITY_METHODS:
        d = m.dissimilarity(XA, XB, n_pcs=4, method=method)
        # distinct PC variances (generic data), so the leading 4-PC subspace is well defined;
        # differences are rounding of SVDs of 60×12 matrices
        assert m.dissimilarity(XA, scale * XB @ Q, n_pcs=4, method=method) == pytest.approx(
            d, abs=1e-9
        )
        assert m.dissimilarity(XA, XB[:, perm], n_pcs=4, method=method) == pytest.approx(
            d, abs=1e-9
        )
        assert m.dissimilarity(XA, XA @ Q, n_pcs=4, method=method) == pytest.approx(
            0.0, abs=_ZERO_TOL
        )


# --------------------------------------------------------------------------- noise compression
def test_noise_compression_isotropic_and_compressed() -> None:
    rng = np.random.default_rng(6)
    S, N, c = 4000, 50, 0.2
    w = rng.standard_normal(N)
    what = w / np.linalg.norm(w)
    iso = rng.standard_normal((S, N))
    res = m.noise_compression(iso, 3.0 * w, n_random=200)
    assert res.var_random.shape == (200,)
    # var_out is a sample variance of S Gaussian values: relative SD √(2/S); the random
    # average adds its Monte-Carlo SE (res.se) — its own sample error is ≈ √(2/(S·N)), smaller
    tol = Z * math.sqrt(2 / S + (res.se / res.ratio) ** 2)
    assert abs(res.ratio - 1.0) < tol
    # compressed: covariance I − (1 − c) ŵŵᵀ ⇒ variance c along ŵ and tr(C)/N = (N − 1 + c)/N
    comp = iso - (1 - math.sqrt(c)) * np.outer(iso @ what, what)
    res_c = m.noise_compression(comp, w, n_random=200)
    expected = c * N / (N - 1 + c)
    assert abs(res_c.ratio / expected - 1) < Z * math.sqrt(2 / S + (res_c.se / res_c.ratio) ** 2)
    assert res_c.var_out == pytest.approx(np.mean((comp @ what) ** 2), rel=1e-12)


def test_noise_compression_two_outputs_uses_the_span() -> None:
    rng = np.random.default_rng(7)
    S, N = 500, 20
    x = rng.standard_normal((S, N)) * np.linspace(0.2, 2.0, N)
    w = _orthonormal(rng, N, 2)
    res = m.noise_compression(x, w)
    # mean of uᵀĈu over unit u in span(w) = (w1ᵀĈw1 + w2ᵀĈw2)/2 for orthonormal w1, w2
    C = x.T @ x / S
    assert res.var_out == pytest.approx(np.trace(w.T @ C @ w) / 2, rel=1e-12)
    mixed = w @ np.array([[2.0, 1.0], [0.5, -3.0]])  # same span, not orthonormal
    assert m.noise_compression(x, mixed).var_out == pytest.approx(res.var_out, rel=1e-12)
    assert m.noise_compression(x, w, seed=0).ratio == res.ratio  # seeded random directions


# --------------------------------------------------------------------------- susceptibility
def test_susceptibility_known_areas() -> None:
    amp = np.linspace(0.0, 5.0, 11)
    base = 0.3
    alpha, beta = 0.02, 0.5
    # same curve shape ⇒ the trapezoid areas are in the ratio α/β exactly (up to rounding)
    s = m.susceptibility(amp, base + alpha * amp**2, base + 0.1 + beta * amp**2)
    assert s == pytest.approx(alpha / beta, rel=1e-12)
    # [A, R] repeats are averaged before integrating
    rep_out = np.stack([base + alpha * amp**2 * f for f in (0.5, 1.5)], axis=1)
    assert m.susceptibility(amp, rep_out, base + beta * amp**2) == pytest.approx(
        alpha / beta, rel=1e-12
    )
    assert math.isnan(m.susceptibility(amp, amp, np.full(amp.size, base)))  # flat PC curve


# --------------------------------------------------------------------------- regime label
def test_regime_label_rule_and_synthetic_regimes(lowrank: dict[str, np.ndarray]) -> None:
    N = 256
    thr = N**-0.25
    assert m.regime_label(thr, N) == "aligned"
    assert m.regime_label(np.nextafter(thr, 0), N) == "oblique"
    assert m.regime_label(0.5 * thr, N, threshold=0.4) == "aligned"
    # synthetic networks: readout along the top PC (aligned) vs a uniformly random readout
    rng = np.random.default_rng(8)
    S = 400
    t = np.linspace(0, 4 * np.pi, S)
    V = _orthonormal(rng, N, 2)
    X = (
        np.outer(np.sin(t), V[:, 0])
        + 0.5 * np.outer(np.cos(t), V[:, 1])
        + 0.05 * rng.standard_normal((S, N))
    )
    rho_a = m.readout_correlation(V[:, 0], X)
    rho_o = m.readout_correlation(rng.standard_normal(N), X)
    # random readout: N ρ² ≈ Σ λ_i g_i²/Σλ_i ≤ max χ²₁-type variable; P(N ρ² > √N = 16) < 1e-4
    assert m.regime_label(rho_a, N) == "aligned"
    assert m.regime_label(rho_o, N) == "oblique"


def test_measures_table() -> None:
    table = m.measures_table(
        {"rho": 0.0123456, "D_fit": 7, "label": "oblique", "r2": np.array([0.5, 1.0])}
    )
    lines = table.strip().splitlines()
    assert lines[0] == "| measure | value |" and len(lines) == 6
    assert "| D_fit | 7 |" in lines and "| label | oblique |" in lines
    assert "0.01235" in table and "[0.5, 1]" in table


def test_summarize_is_consistent_with_the_measures() -> None:
    rng = np.random.default_rng(9)
    S, N = 300, 20
    X = rng.standard_normal((S, 3)) @ rng.standard_normal((3, N)) + 0.1 * rng.standard_normal(
        (S, N)
    )
    w = rng.standard_normal((N, 2)) / N  # small output weights
    s = m.summarize(w, X)
    assert s["rho"] == m.readout_correlation(w, X)
    assert s["rho_sqrt_N"] == pytest.approx(s["rho"] * math.sqrt(N), rel=1e-15)
    assert s["D_x"] == m.dimension(X) and s["D_fit"] == m.fit_dimension(X, X @ w).D_fit
    assert s["r2_k"] == m.reconstruction_r2(X, X @ w, 2)
    assert s["label"] == m.regime_label(s["rho"], N)
    assert "| rho |" in m.measures_table(s)


def test_scalar_arguments_accept_numpy_scalars() -> None:
    N = 100
    assert m.regime_label(np.float32(0.5), np.int64(N)) == "aligned"
    assert m.regime_label(np.asarray(0.01), N) == "oblique"  # 0-d array (e.g. from JAX)
    with pytest.raises(ValueError, match=r"rho=array\(\[0.5\]\) is not allowed"):
        m.regime_label(np.array([0.5]), N)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rho=nan is not allowed"):
        m.regime_label(float("nan"), N)
    with pytest.raises(ValueError, match="threshold=True is not allowed"):
        m.dimension(np.eye(3), threshold=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("scale", [1e-200, 1e-100, 1e100, 1e200])
def test_scale_invariant_measures_hold_at_any_magnitude(scale):
    """ρ (scaling X or w_out), D_x,90, the PCA ratios and the predictive information are
    invariant to the data's scale; at 1e±200 norms and determinants used to over- or
    underflow (0, inf or 'X is constant')."""
    from validate.analysis.measures import dimension, pca, readout_correlation
    from validate.analysis.network_measures import predictive_information

    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6))
    X = 0.1 * np.cumsum(X, axis=0) + X
    w = np.arange(1.0, 7.0)
    assert readout_correlation(w, scale * X) == pytest.approx(readout_correlation(w, X), rel=1e-12)
    assert readout_correlation(scale * w, X) == pytest.approx(readout_correlation(w, X), rel=1e-12)
    assert dimension(scale * X) == dimension(X)
    np.testing.assert_allclose(pca(scale * X).ratio, pca(X).ratio, rtol=1e-10)
    assert predictive_information(scale * X, T=2) == pytest.approx(
        predictive_information(X, T=2), rel=1e-9
    )
