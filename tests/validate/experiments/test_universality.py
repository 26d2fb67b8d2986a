"""Tests of validate.experiments.universality: the clustering statistic, inputs, and a tiny end-to-end run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulate import get_task
from validate.cli import main
from validate.experiments.universality import UniversalityPlan, cluster_statistic, static_input


def test_cluster_statistic_detects_separated_groups_and_not_uniform_distances():
    rng = np.random.default_rng(0)
    pts = np.concatenate([rng.normal(0, 0.1, (5, 2)), rng.normal(5, 0.1, (5, 2))])
    D = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    labels = ["a"] * 5 + ["b"] * 5
    c = cluster_statistic(D, labels, permutations=500)
    assert c.ratio > 10
    # the observed labelling is the most clustered one: only the 2 label-swapped
    # arrangements of 252 tie it, so p ≈ (1 + 500·2/252)/501 < 0.02
    assert c.p_value < 0.02
    flat = np.ones((10, 10)) - np.eye(10)  # no structure: every permutation ties
    u = cluster_statistic(flat, labels, permutations=200)
    assert u.ratio == pytest.approx(1.0) and u.p_value == 1.0
    # identical networks (every distance 0, as for equal attractor graphs): ratio 1, not 0/0
    z = cluster_statistic(np.zeros((10, 10)), labels, permutations=50)
    assert z.ratio == 1.0 and z.p_value == 1.0
    # identical within each group, different between: a perfect clustering, ratio ∞ (not
    # between/tiny); only the 2 label-swapped arrangements of 252 tie it (as above)
    blocks = np.kron(1 - np.eye(2), np.ones((5, 5)))
    perfect = cluster_statistic(blocks, labels, permutations=500)
    assert perfect.ratio == np.inf and perfect.p_value < 0.02


def test_cluster_statistic_drops_uncompared_networks_and_handles_single_labels():
    D = np.ones((5, 5)) - np.eye(5)
    D[4, :] = D[:, 4] = np.nan  # network 4 was not compared (off-modal)
    c = cluster_statistic(D, ["a", "a", "b", "b", "b"], permutations=10)
    assert c.n == 4 and np.isfinite(c.p_value)
    # with one item left in a group the test is undefined, not a pass
    D[3, :] = D[:, 3] = np.nan
    assert np.isnan(cluster_statistic(D, ["a", "a", "b", "b", "b"], permutations=10).p_value)
    one = cluster_statistic(np.ones((3, 3)) - np.eye(3), ["a", "a", "a"], permutations=10)
    assert np.isnan(one.ratio) and np.isnan(one.p_value)


def test_static_inputs_zero_the_time_varying_dimensions():
    assert static_input(get_task("flip_flop_3bit")).tolist() == [0.0, 0.0, 0.0]
    assert static_input(get_task("cdi")).tolist() == [0.0, 0.0, 1.0, 0.0]
    sine = get_task("sine_freq", n_frequencies=4)
    assert static_input(sine, 0)[0] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="not a seed-002 task"):
        static_input(get_task("cycling"))


def test_plan_refuses_bad_settings():
    with pytest.raises(ValueError, match="tasks="):
        UniversalityPlan(tasks=("cycling",))
    with pytest.raises(ValueError, match="archs="):
        UniversalityPlan(archs=("transformer",))
    with pytest.raises(ValueError, match="units="):
        UniversalityPlan(units=1)
    with pytest.raises(ValueError, match="topology="):
        UniversalityPlan(topology="geometry")
    with pytest.raises(ValueError, match="probes="):
        UniversalityPlan(probes=-1)


def test_tiny_run_writes_a_report_with_the_claim(tmp_path):
    out, runs = tmp_path / "report", tmp_path / "runs"
    status = main(
        ["universality", "--quick-tiny", "--quiet", "--out", str(out), "--runs", str(runs)]
    )
    assert status in (0, 1)  # the tiny networks are untrained: the claim may go either way
    data = json.loads((out / "report.json").read_text())
    (sec,) = data["sections"]
    assert sec["name"] == "universality"
    assert set(sec["summary"]["claims"]) == {"flip_flop_3bit"}
    caps = [t["caption"] for t in sec["tables"]]
    assert any("Clustering" in c for c in caps)
    clustering = next(t for t in sec["tables"] if "Clustering" in t["caption"])
    assert [r[1] for r in clustering["rows"]] == [
        "svcca",
        "cka",
        "topology",
        "topology_points",
        "topology_spectral",
    ]
    summ = sec["summary"]
    assert summ["topology_method"] == "attractors"
    # every network is in the census, and the off-modal ones are those whose attractor
    # count differs from the modal one (reported, not dropped)
    census = summ["census"]["flip_flop_3bit"]
    assert len(census) == 4
    counts = [c["attractors"] for c in census]
    modal = summ["modal_attractors"]["flip_flop_3bit"]
    assert summ["off_modal"]["flip_flop_3bit"] == [i for i, k in enumerate(counts) if k != modal]
    assert all(c["stable"] + c["index1"] + c["index_more"] == c["points"] for c in census)
    assert all((out / f).read_bytes()[:4] == b"\x89PNG" for f in sec["figures"])
    assert (status == 0) == (sec["passed"] is True)
    # the stored networks are loaded, not trained again
    from validate.experiments.universality import train_population

    stamps = {p: p.stat().st_mtime_ns for p in runs.rglob("*.npz")}
    msgs: list[str] = []
    nets, failed = train_population(UniversalityPlan.tiny(), runs, progress=False, log=msgs.append)
    assert all("loaded" in m for m in msgs) and len(nets["flip_flop_3bit"]) == 4
    assert failed == []
    assert {p: p.stat().st_mtime_ns for p in runs.rglob("*.npz")} == stamps


def test_a_diverged_configuration_is_reported_without_retraining(tmp_path):
    from validate.experiments.universality import DIVERGED_MARKER, train_population

    plan = UniversalityPlan.tiny()
    combos = [(t, a, f) for t in plan.tasks for a in plan.archs for f in plan.activations]
    for task, arch, act in combos:  # every configuration diverged in an earlier call
        d = tmp_path / "universality" / f"{task}-{arch}-{act}-N{plan.units}"
        d.mkdir(parents=True)
        (d / DIVERGED_MARKER).write_text("NonFiniteLossError: step 3")
    msgs: list[str] = []
    nets, failed = train_population(plan, tmp_path, progress=False, log=msgs.append)
    assert [f[:3] for f in failed] == combos and all("step 3" in f[3] for f in failed)
    assert all(v == [] for v in nets.values()) and not list(tmp_path.rglob("*.npz"))
    assert all("diverged before" in m for m in msgs)


def test_cluster_statistic_never_reports_a_p_value_for_a_nan_ratio() -> None:
    """A distance matrix with some missing pairs (e.g. the spectral distance between a network
    without attractors and one with them, issue 20) drops networks until every pair is
    compared, instead of a NaN ratio with p = 1/(permutations + 1)."""
    rng = np.random.default_rng(0)
    D = rng.random((8, 8))
    D = D + D.T
    np.fill_diagonal(D, 0.0)
    D[0, 5] = D[5, 0] = np.nan  # one missing pair
    stat = cluster_statistic(D, list("aabbccdd"), permutations=200)
    assert stat.n == 7 and np.isfinite(stat.ratio) and 0 < stat.p_value <= 1
    D[:, 2] = D[2, :] = np.nan  # network 2 compared with nobody
    D[2, 2] = 0.0
    assert cluster_statistic(D, list("aabbccdd"), permutations=200).n == 6
