"""Tests of validate.topology: transition graphs, topology distances, integration modes."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from validate.fixed_points import find_fixed_points
from validate.topology import (
    integration_modes,
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
    return fp, transition_graph(_double_well, fp, trials=100, perturbation=0.05, steps=300,
                                seed=1, readout=np.array([1.0, 0.0]))


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
