"""Tests of validate.analysis.similarity: known values, invariances, metric properties, MDS."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ortho_group

from validate.analysis.similarity import (
    classical_mds,
    linear_cka,
    pairwise_distances,
    procrustes_distance,
    svcca,
)

# Float64 round-off on O(1) quantities built from ~S·N products: 1e-9 is ~10⁶ ulps of slack.
TOL = 1e-9


def _data(seed: int, S: int = 200, N: int = 12, rank: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if rank is None:
        return rng.standard_normal((S, N)) @ np.diag(np.linspace(3.0, 0.3, N))
    return rng.standard_normal((S, rank)) @ rng.standard_normal((rank, N))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(0.01, 100.0))
def test_cka_and_procrustes_invariant_to_rotation_and_isotropic_scaling(seed, scale):
    X = _data(seed)
    Q = ortho_group.rvs(X.shape[1], random_state=seed % 2**32)
    Y = scale * X @ Q + 5.0  # rotation, isotropic scaling and an offset (removed by centring)
    assert linear_cka(X, Y) == pytest.approx(1.0, abs=TOL)
    assert procrustes_distance(X, Y) == pytest.approx(0.0, abs=1e-6)  # arccos near 1: √ε
    assert svcca(X, Y, keep=1.0).mean == pytest.approx(1.0, abs=TOL)


def test_cka_is_not_invariant_to_anisotropic_scaling_but_svcca_is():
    X = _data(1)
    A = np.diag(np.geomspace(0.05, 20.0, X.shape[1]))  # invertible, not orthogonal
    Y = X @ A
    assert linear_cka(X, Y) < 0.9
    assert procrustes_distance(X, Y) > 0.1
    assert svcca(X, Y, keep=1.0).mean == pytest.approx(1.0, abs=TOL)


def test_svcca_invariant_to_invertible_maps_and_different_widths():
    X = _data(2, N=8)
    rng = np.random.default_rng(3)
    Y = X @ rng.standard_normal((8, 20))  # wider, same column space
    res = svcca(X, Y, keep=1.0)
    assert res.dims == (8, 8)
    assert res.mean == pytest.approx(1.0, abs=TOL)


def test_unrelated_representations_score_low():
    # For independent Gaussian data, CKA ≈ (N_A·N_B/S)/… → O(N/S); canonical correlations of
    # independent k-dim subspaces of R^S are O(√(k/S)). S = 4000, N = 5: both well below 0.2.
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((4000, 5)), rng.standard_normal((4000, 5))
    assert linear_cka(X, Y) < 0.05
    assert svcca(X, Y, keep=1.0).mean < 0.2
    assert procrustes_distance(X, Y) > 1.2  # near π/2 ≈ 1.571


def test_orthogonal_column_spaces_give_zero_similarity():
    rng = np.random.default_rng(5)
    basis, _ = np.linalg.qr(rng.standard_normal((100, 6)))
    basis -= basis.mean(axis=0)
    X, Y = basis[:, :3], basis[:, 3:]
    # centring can break exact orthogonality slightly; re-orthogonalise Y against X
    Y = Y - X @ np.linalg.lstsq(X, Y, rcond=None)[0]
    assert linear_cka(X, Y) == pytest.approx(0.0, abs=TOL)
    assert procrustes_distance(X, Y) == pytest.approx(np.pi / 2, abs=1e-7)


@settings(max_examples=20, deadline=None)
@given(seeds=st.lists(st.integers(0, 2**31 - 1), min_size=3, max_size=3, unique=True))
def test_procrustes_distance_is_a_metric(seeds):
    X, Y, Z = (_data(s, S=60, N=4) for s in seeds)
    dxy, dyz, dxz = procrustes_distance(X, Y), procrustes_distance(Y, Z), procrustes_distance(X, Z)
    assert dxy == pytest.approx(procrustes_distance(Y, X), abs=TOL)
    assert dxz <= dxy + dyz + TOL


def test_svcca_truncation_keeps_requested_variance():
    X = _data(6, N=10)  # singular values ∝ linspace(3, 0.3): known variance fractions
    var = np.linspace(3.0, 0.3, 10) ** 2
    k_expected = int(np.searchsorted(np.cumsum(var) / var.sum(), 0.9) + 1)
    res = svcca(X, X, keep=0.9)
    # sample spectrum ≈ population spectrum (S = 200): allow the boundary direction to move by one
    assert abs(res.dims[0] - k_expected) <= 1
    assert res.mean == pytest.approx(1.0, abs=TOL)
    assert svcca(X, X, keep=1.0, max_dims=3).dims == (3, 3)


def test_pairwise_distances_and_mds_recover_clusters():
    # two families: rotations of X and rotations of an unrelated Y
    rng = np.random.default_rng(7)
    X, Y = _data(8), _data(9)
    reps = [
        X @ ortho_group.rvs(12, random_state=i) + 0.05 * rng.standard_normal(X.shape)
        for i in range(3)
    ]
    reps += [
        Y @ ortho_group.rvs(12, random_state=10 + i) + 0.05 * rng.standard_normal(X.shape)
        for i in range(3)
    ]
    for metric in ("cka", "svcca", "procrustes"):
        D = pairwise_distances(reps, metric, keep=0.99)
        assert D.shape == (6, 6) and np.allclose(D, D.T) and np.all(np.diag(D) == 0)
        within = max(D[:3, :3].max(), D[3:, 3:].max())
        between = D[:3, 3:].min()
        assert within < between, metric
        emb = classical_mds(D, 2)
        c = emb.coords
        # the first MDS axis separates the families
        assert np.sign(c[:3, 0]).tolist() == [np.sign(c[0, 0])] * 3
        assert np.sign(c[3:, 0]).tolist() == [-np.sign(c[0, 0])] * 3


def test_classical_mds_reproduces_euclidean_distances():
    pts = np.random.default_rng(11).standard_normal((7, 2))
    D = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    emb = classical_mds(D, 2)
    D2 = np.linalg.norm(emb.coords[:, None] - emb.coords[None], axis=-1)
    np.testing.assert_allclose(D2, D, atol=1e-10)
    assert emb.explained == pytest.approx(1.0, abs=1e-12)


def test_bad_inputs_name_the_parameter():
    X = _data(0)
    with pytest.raises(ValueError, match="XB has 100; allowed: the same samples"):
        linear_cka(X, X[:100])
    with pytest.raises(ValueError, match="XA has non-finite"):
        linear_cka(np.full_like(X, np.nan), X)
    with pytest.raises(ValueError, match="XB is constant"):
        procrustes_distance(X, np.ones_like(X))
    with pytest.raises(ValueError, match="keep="):
        svcca(X, X, keep=1.5)
    with pytest.raises(ValueError, match="max_dims="):
        svcca(X, X, max_dims=0)
    with pytest.raises(ValueError, match="metric="):
        pairwise_distances([X, X], "cosine")
    with pytest.raises(ValueError, match="at least 2 networks"):
        pairwise_distances([X])
    with pytest.raises(ValueError, match="n_components="):
        classical_mds(np.zeros((3, 3)), 4)
    with pytest.raises(ValueError, match="symmetric"):
        classical_mds(np.array([[0.0, 1.0], [2.0, 0.0]]))
    with pytest.raises(ValueError, match=r"\[S, N\] or \[K, T, N\]"):
        linear_cka(np.zeros(5), X)


@settings(deadline=None, max_examples=30)
@given(
    seed=st.integers(0, 2**31 - 1), exponent=st.integers(-200, 200), other=st.integers(-200, 200)
)
def test_measures_are_exactly_scale_invariant_over_400_decades(seed, exponent, other):
    """Each representation scaled by 10^e (|e| ≤ 200, independently): CKA, SVCCA and the
    Procrustes angle equal their unscaled values to 1e-12 (they gave inf/0/NaN beyond ~1e±100,
    where the Gram matrices over- or underflow), and are symmetric in their arguments."""
    X = _data(seed)
    Y = X @ np.random.default_rng(seed).standard_normal((X.shape[1], 3)) + _data(seed + 1)[:, :3]
    a, b = 10.0**exponent, 10.0**other
    for f in (linear_cka, procrustes_distance, lambda A, B: svcca(A, B, keep=1.0).mean):
        ref = f(X, Y)
        assert f(a * X, b * Y) == pytest.approx(ref, rel=1e-12, abs=1e-12)
        assert f(b * Y, a * X) == pytest.approx(ref, rel=1e-9, abs=1e-12)
