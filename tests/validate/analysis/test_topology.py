"""Tests of validate.analysis.topology: transition graphs, topology distances, integration modes."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validate.analysis.fixed_points import find_fixed_points
from validate.analysis.topology import (
    attractor_distances,
    attractor_graph,
    boundary_seeds,
    fixed_point_census,
    integration_modes,
    merge_fixed_points,
    readout_order,
    topology_distances,
    transition_graph,
)


def _double_well(h, u):
    return jnp.stack([h[0] - h[0] ** 3, -h[1]])


@pytest.fixture(scope="module")
def well():
    h0 = np.random.default_rng(0).uniform(-1.5, 1.5, size=(48, 2))
    fp = find_fixed_points(_double_well, h0, steps=400, learning_rate=0.05)
    return fp, transition_graph(
        _double_well,
        fp,
        trials=100,
        perturbation=0.05,
        steps=300,
        seed=1,
        readout=np.array([1.0, 0.0]),
    )


def test_kicks_from_the_saddle_split_between_the_two_wells(well):
    fp, tg = well
    order = readout_order(fp.points, np.array([1.0, 0.0]))
    np.testing.assert_allclose(fp.points[order, 0], [-1.0, 0.0, 1.0], atol=1e-4)
    T = tg.probabilities[np.ix_(order, order)]
    # stable points: every small kick returns
    assert T[0, 0] == 1.0 and T[2, 2] == 1.0
    # saddle: a symmetric system, so each side with p = 1/2; 100 kicks → SE 0.05, 4 SE
    assert T[1, 0] + T[1, 2] == pytest.approx(1.0)
    assert abs(T[1, 0] - 0.5) <= 4 * 0.05
    assert T[:, 1].sum() == 0  # nothing ends at the unstable point
    assert np.all(tg.elsewhere == 0)
    g = tg.graph
    assert g.number_of_nodes() == 3 and g.nodes[int(order[1])]["stable"] is False
    assert g.has_edge(int(order[1]), int(order[0]))


def test_topology_distances_compare_ordered_graphs_and_report_other_counts(well):
    fp, tg = well
    order = readout_order(fp.points, np.array([1.0, 0.0]))
    T = tg.probabilities
    other = np.eye(2)
    comp = topology_distances([T, T, other], orders=[order, order, np.arange(2)])
    assert comp.modal_count == 3 and comp.off_modal.tolist() == [2]
    assert comp.distances[0, 1] == 0.0
    assert np.isnan(comp.distances[0, 2]) and np.isnan(comp.distances[2, 2])
    P = T[np.ix_(order, order)]
    mirrored = P[::-1, ::-1]  # relabel by the reversed readout: same graph
    comp2 = topology_distances([P, mirrored])
    assert comp2.distances[0, 1] == pytest.approx(np.linalg.norm(P - mirrored))


def test_integration_modes_exact_for_defective_jacobians():
    """A Jordan block (non-diagonalisable J): the full response equals the direct sum, the
    block is one cluster that needs all its modes (it used to give full = 0 and kept ~1e48);
    a Jordan block beside distinct modes is split exactly at the block's edge."""
    J = np.diag([0.5] * 4) + np.diag([1.0] * 3, 1)
    B = np.zeros((4, 1))
    B[3, 0] = 1.0
    w = np.array([1.0, 0.0, 0.0, 0.0])
    res = integration_modes(J, B, w, horizon=50)
    direct = sum(w @ np.linalg.matrix_power(J, t) @ B[:, 0] for t in range(50))
    assert res.full == pytest.approx(direct, rel=1e-12)
    assert res.modes_needed == 4 and np.all(res.kept[:4] == 0.0)
    J2 = np.diag([0.99, 0.99, 0.5, 0.2, -0.3])
    J2[0, 1] = 1.0
    b2, w2 = np.ones((5, 1)), np.ones(5)
    res2 = integration_modes(J2, b2, w2, horizon=100)
    # exact split: the block {e₀, e₁} contributes Σ_t (Jᵗ)₀₀+(Jᵗ)₀₁+(Jᵗ)₁₁ and each
    # diagonal mode Σ_t λᵗ
    t = np.arange(100)
    block = np.sum(0.99**t) * 2 + np.sum(t * 0.99 ** np.maximum(t - 1, 0))
    singles = [np.sum(v**t) for v in (0.5, -0.3, 0.2)]  # by decreasing |λ|
    expect = np.concatenate([[0.0, 0.0], block + np.cumsum([0.0] + singles)])
    np.testing.assert_allclose(res2.kept, expect, rtol=1e-10)
    assert res2.modes_needed == 2


def test_integration_modes_match_a_direct_sum_and_find_the_line_attractor():
    rng = np.random.default_rng(2)
    N, H = 6, 50
    Q, _ = np.linalg.qr(rng.standard_normal((N, N)))
    lam = np.array([1.0, 0.3, 0.2, -0.1, 0.05, 0.01])
    J = Q @ np.diag(lam) @ Q.T
    B = rng.standard_normal((N, 2))
    w = Q[:, 0] + 0.1 * rng.standard_normal(N)
    res = integration_modes(J, B, w, channel=1, horizon=H)
    direct = sum(w @ np.linalg.matrix_power(J, t) @ B[:, 1] for t in range(H))
    assert res.full == pytest.approx(direct, rel=1e-9)
    assert res.kept[0] == 0.0 and res.kept[-1] == pytest.approx(res.full)
    # a readout on the λ = 1 mode alone: one mode carries the whole integral
    line = integration_modes(J, B, Q[:, 0], channel=1, horizon=H)
    assert line.modes_needed == 1
    assert line.full == pytest.approx(H * (Q[:, 0] @ B[:, 1]), rel=1e-9)
    # a readout spread over all modes with a 1-step horizon needs (almost) all of them
    flat = integration_modes(J, B, Q.sum(axis=1), channel=1, horizon=1)
    # independent route: with horizon 1 and w = Σ q_i, mode i contributes q_iᵀb (λ already
    # sorted by modulus), so the partial sums are a cumsum
    partial = np.concatenate([[0.0], np.cumsum(Q.T @ B[:, 1])])
    np.testing.assert_allclose(flat.kept, partial, atol=1e-12)
    close = np.abs(partial - partial[-1]) <= 0.1 * abs(partial[-1])
    assert flat.modes_needed == int(np.argmax(close))
    np.testing.assert_allclose(np.abs(res.eigenvalues), np.sort(np.abs(lam))[::-1], atol=1e-12)


def test_bad_inputs_name_the_parameter(well):
    fp, _ = well
    with pytest.raises(ValueError, match="trials="):
        transition_graph(_double_well, fp, trials=0)
    with pytest.raises(ValueError, match="capture="):
        transition_graph(_double_well, fp, capture=-1.0)
    with pytest.raises(ValueError, match="at least 2 networks"):
        topology_distances([np.eye(2)])
    with pytest.raises(ValueError, match="square"):
        topology_distances([np.eye(2), np.ones((2, 3))])
    with pytest.raises(ValueError, match="horizon="):
        integration_modes(np.eye(2), np.ones((2, 1)), np.ones(2), horizon=0)
    with pytest.raises(ValueError, match="channel="):
        integration_modes(np.eye(2), np.ones((2, 1)), np.ones(2), channel=3)
    with pytest.raises(ValueError, match="do not match"):
        readout_order(np.zeros((3, 2)), np.ones(3))


# --- attractor topology -------------------------------------------------------------------
# Three uncoupled double wells, ḣ_i = h_i − h_i³: stable points at the 8 corners (±1, ±1, ±1),
# index-1 saddles at the 12 edge midpoints (one coordinate 0), index-2 at the 6 face centres,
# index 3 at the origin. The kicks of the saddle on an edge reach exactly the two corners of
# that edge, so the saddle-link graph is the cube graph Q3 (two corners linked iff their sign
# patterns differ in one coordinate).
def _cube_wells(h, u):
    return h - h**3


@pytest.fixture(scope="module")
def cube():
    h0 = np.random.default_rng(3).uniform(-1.3, 1.3, size=(400, 3))
    fp = find_fixed_points(_cube_wells, h0, steps=400, learning_rate=0.05)
    g = attractor_graph(
        _cube_wells, fp, readout=np.eye(3), trials=20, perturbation=0.05, steps=300, seed=4
    )
    return fp, g


def test_census_counts_the_cube_points_by_index(cube):
    fp, _ = cube
    c = fixed_point_census(fp)
    assert (c.n_points, c.n_stable, c.n_index1, c.n_index_more) == (27, 8, 12, 7)
    # the closest distinct points are 1 apart (corner–edge): no near-duplicates, per √N
    assert np.nanmin(c.nearest) == pytest.approx(1 / np.sqrt(3), rel=1e-4)
    assert c.log10_q[2] <= -12  # all converged below the default tolerance


def test_attractor_graph_of_the_cube_is_the_cube_graph(cube):
    _, g = cube
    assert g.n_attractors == 8 and len(g.saddles) == 12
    np.testing.assert_allclose(np.abs(g.readout), 1.0, atol=1e-6)  # corners, z = h
    signs = np.sign(g.readout)
    hamming = np.sum(signs[:, None, :] != signs[None, :, :], axis=-1)
    np.testing.assert_array_equal(g.links, (hamming == 1).astype(float))
    # small kicks (0.05·√N, far inside the unit basins) always return
    np.testing.assert_array_equal(g.escape, np.eye(8))
    assert g.elsewhere == 0.0 and g.unsettled == 0.0
    # each edge saddle sends its kicks to its two corners only; by symmetry p = 1/2 each,
    # 20 kicks → SE 0.11: within 4 SE
    for row in g.saddle_outcomes:
        hit = row[row > 0]
        assert hit.size == 2 and hit.sum() == 1.0 and abs(hit[0] - 0.5) <= 4 * 0.112


def test_probes_recover_attractors_the_finder_missed(cube):
    fp, _ = cube
    keep = ~(fp.stable & (fp.points[:, 0] > 0.5))  # drop the 4 stable corners with h_0 = +1
    sub = fp._replace(
        **{
            f: getattr(fp, f)[keep]
            for f in (
                "points",
                "q",
                "jacobians",
                "eigenvalues",
                "right",
                "left",
                "stable",
                "n_unstable",
            )
        }
    )
    no_probe = attractor_graph(_cube_wells, sub, readout=np.eye(3), trials=4, steps=300)
    assert no_probe.n_attractors == 4
    probes = np.random.default_rng(5).uniform(-1.3, 1.3, size=(200, 3))
    found = attractor_graph(_cube_wells, sub, readout=np.eye(3), probes=probes, trials=4, steps=300)
    assert found.n_attractors == 8 and int(found.from_probes.sum()) == 4
    assert np.all(found.readout[found.from_probes, 0] > 0.99)


def _permuted(g, perm):
    p = np.asarray(perm)
    return g._replace(
        attractors=g.attractors[p],
        readout=g.readout[p],
        escape=g.escape[np.ix_(p, p)],
        links=g.links[np.ix_(p, p)],
        saddle_outcomes=g.saddle_outcomes[:, p],
        from_probes=g.from_probes[p],
    )


def test_permuted_identical_attractor_graphs_are_at_distance_zero(cube):
    _, g = cube
    perm = np.random.default_rng(6).permutation(8)
    h = _permuted(g, perm)
    assert not np.array_equal(h.links, g.links)  # the labels really moved
    for match in ("readout", "permutation"):
        c = attractor_distances([g, h], match=match)
        assert c.modal_count == 8 and c.off_modal.size == 0
        assert c.distances[0, 1] == 0.0
    # one cube edge fewer: K differs in two (symmetric) entries → distance √2 under the
    # readout matching (the identity here)
    cut = g.links.copy()
    a, b = np.argwhere(cut == 1)[0]
    cut[a, b] = cut[b, a] = 0.0
    c = attractor_distances([g, g._replace(links=cut)])
    assert c.distances[0, 1] == pytest.approx(np.sqrt(2.0), rel=1e-12)


def test_other_attractor_counts_are_reported_off_modal_with_a_spectral_distance(cube):
    _, g = cube
    idx = np.flatnonzero(g.readout[:, 0] < 0)  # the 4 corners of one face: a square C4
    square = g._replace(
        attractors=g.attractors[idx],
        readout=g.readout[idx],
        escape=g.escape[np.ix_(idx, idx)],
        links=g.links[np.ix_(idx, idx)],
        from_probes=g.from_probes[idx],
    )
    c = attractor_distances([g, _permuted(g, np.arange(8)[::-1]), square])
    assert c.modal_count == 8 and c.off_modal.tolist() == [2]
    assert np.isnan(c.distances[0, 2]) and c.distances[0, 1] == 0.0
    # normalised-Laplacian spectra (independent, from the adjacency spectra of regular
    # graphs, L = 1 − λ/d): Q3 (d = 3, λ = 3, 1×3, −1×3, −3) → {0, 2/3×3, 4/3×3, 2};
    # C4 (d = 2, λ = 2, 0, 0, −2) → {0, 1, 1, 2}
    from scipy.stats import wasserstein_distance

    q3 = [0, 2 / 3, 2 / 3, 2 / 3, 4 / 3, 4 / 3, 4 / 3, 2]
    c4 = [0, 1, 1, 2]
    assert c.spectral[0, 2] == pytest.approx(wasserstein_distance(q3, c4), abs=1e-12)
    assert c.spectral[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert c.spectral[0, 2] > 0
    # no attractor anywhere: every network has the empty graph, one topology (distance 0;
    # issue 20: an all-NaN matrix here crashed the MDS figure of oblique universality)
    empty = g._replace(
        attractors=np.zeros((0, 3)),
        readout=np.zeros((0, 3)),
        escape=np.zeros((0, 0)),
        links=np.zeros((0, 0)),
        saddle_outcomes=np.zeros((0, 0)),
        from_probes=np.zeros(0, bool),
    )
    e = attractor_distances([empty, empty, g])
    assert e.modal_count == 0 and e.off_modal.tolist() == [2]
    assert np.array_equal(e.distances[:2, :2], np.zeros((2, 2)))
    assert np.all(np.isnan(e.distances[2])) and np.isnan(e.spectral[0, 2])


def test_boundary_seeds_and_merging(cube):
    fp, g = cube
    seeds = boundary_seeds(g.attractors)
    assert seeds.shape == (28, 3)  # 8·7/2 pairs, one midpoint each
    # midpoints of adjacent corners are exactly the edge saddles
    adjacent = {tuple(np.round(s, 6)) for s in seeds if np.sum(np.abs(s) < 1e-6) == 1}
    assert len(adjacent) == 12
    merged = merge_fixed_points(fp, fp)
    assert merged.n_points == fp.n_points and merged.n_candidates == 2 * fp.n_candidates
    with pytest.raises(ValueError, match="fractions="):
        boundary_seeds(g.attractors, fractions=(1.0,))


def test_attractor_bad_inputs_name_the_parameter(cube):
    fp, g = cube
    with pytest.raises(ValueError, match="min_fraction="):
        attractor_graph(_cube_wells, fp, min_fraction=0.0)
    with pytest.raises(ValueError, match="max_index="):
        attractor_graph(_cube_wells, fp, max_index=0)
    with pytest.raises(ValueError, match="probes has shape"):
        attractor_graph(_cube_wells, fp, probes=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="match="):
        attractor_distances([g, g], match="geometry")
    with pytest.raises(ValueError, match="readout=w_out"):
        attractor_distances([g._replace(readout=np.zeros((8, 0)))] * 2)


# ----------------------------------------------------------------------------- degenerate graphs
def _graph(S: int, links: np.ndarray | None = None, seed: int = 0, n_units: int = 3):
    """An AttractorGraph with S attractors (random escape rows, given or random 0/1 links)."""
    from validate.analysis.topology import AttractorGraph

    rng = np.random.default_rng(seed)
    E = rng.dirichlet(np.ones(S + 1), size=S)[:, :S] if S else np.zeros((0, 0))
    if links is None:
        K = np.triu(rng.integers(0, 2, (S, S)), 1)
        links = (K + K.T).astype(float)
    return AttractorGraph(
        attractors=rng.normal(size=(S, n_units)),
        readout=np.arange(S, dtype=float)[:, None],
        escape=E,
        links=np.asarray(links, float),
        saddle_outcomes=np.zeros((0, S)),
        saddles=np.zeros(0, int),
        membership=np.zeros(0, int),
        from_probes=np.zeros(S, bool),
        elsewhere=0.0,
        unsettled=0.0,
        trials=4,
    )


def _permuted(g, perm: np.ndarray):
    """The same graph with its attractors relabelled by ``perm`` (readout follows)."""
    return g._replace(
        attractors=g.attractors[perm],
        readout=g.readout[perm],
        escape=g.escape[np.ix_(perm, perm)],
        links=g.links[np.ix_(perm, perm)],
        from_probes=g.from_probes[perm],
    )


def _check_distances(cmp, graphs) -> None:
    """Finite, symmetric, zero diagonal among the compared networks; NaN only for the listed
    off-modal ones (main distance); spectral finite except empty against non-empty."""
    D, Dsp = cmp.distances, cmp.spectral
    Q = len(graphs)
    compared = np.setdiff1d(np.arange(Q), cmp.off_modal)
    assert np.array_equal(np.sort(cmp.off_modal), np.flatnonzero(cmp.counts != cmp.modal_count))
    sub = D[np.ix_(compared, compared)]
    assert np.all(np.isfinite(sub)) and np.allclose(sub, sub.T) and np.all(np.diag(sub) == 0)
    assert np.all(np.isnan(D[cmp.off_modal]))
    empty = cmp.counts == 0
    for a in range(Q):
        for b in range(Q):
            if empty[a] != empty[b]:
                assert math.isnan(Dsp[a, b])
            else:
                assert math.isfinite(Dsp[a, b]) and Dsp[a, b] == Dsp[b, a]
        assert Dsp[a, a] == 0


@settings(max_examples=30)
@given(
    sizes=st.lists(st.integers(0, 4), min_size=2, max_size=6),
    seed=st.integers(0, 2**16),
    match=st.sampled_from(["readout", "permutation"]),
)
def test_attractor_distances_are_defined_for_any_set_of_graphs(sizes, seed, match) -> None:
    """Empty, single-node, disconnected and random graphs in any mix (issue 20)."""
    from validate.analysis.topology import attractor_distances

    graphs = [_graph(S, seed=seed + i) for i, S in enumerate(sizes)]
    _check_distances(attractor_distances(graphs, match=match), graphs)


def test_networks_without_attractors_are_one_topology() -> None:
    """Mostly oscillating networks (0 attractors): the modal group is compared at distance 0,
    which MDS can embed, instead of an all-NaN matrix (the crash of issue 20)."""
    from validate.analysis.similarity import classical_mds
    from validate.analysis.topology import attractor_distances

    graphs = [_graph(0), _graph(0, seed=1), _graph(0, seed=2), _graph(1, seed=3)]
    cmp = attractor_distances(graphs)
    assert cmp.modal_count == 0 and cmp.off_modal.tolist() == [3]
    assert np.array_equal(cmp.distances[:3, :3], np.zeros((3, 3)))
    assert np.array_equal(cmp.spectral[:3, :3], np.zeros((3, 3)))
    assert classical_mds(cmp.distances[:3, :3], 2).coords.shape == (3, 2)


def test_identical_and_permuted_graphs_are_at_distance_zero_and_a_cut_edge_is_not() -> None:
    from validate.analysis.topology import attractor_distances

    ring = np.roll(np.eye(4), 1, axis=1)
    g = _graph(4, links=ring + ring.T)
    perm = np.array([2, 0, 3, 1])
    cut = g.links.copy()
    cut[0, 1] = cut[1, 0] = 0.0
    graphs = [g, _permuted(g, perm), g._replace(links=cut)]
    for match in ("readout", "permutation"):
        D = attractor_distances(graphs, match=match).distances
        assert D[0, 1] == pytest.approx(0.0, abs=1e-12)
        assert D[0, 2] == pytest.approx(math.sqrt(2.0))  # one edge, counted in both halves
