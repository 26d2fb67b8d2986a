"""The seed-003 experiment (validate.experiments.seed003): measures on systems with known answers, the
claims on synthetic networks, plan validation and the CLI registration. The end-to-end run
(``oblique seed003 --quick-tiny``, ~1.5 min of JIT compilation) is not part of the suite."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from validate.experiments import seed003
from validate.experiments.seed003 import (
    Seed003Network,
    Seed003Plan,
    analyse_seed003_network,
    participation_ratio,
)


def test_participation_ratio_known_values() -> None:
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal(9), rng.standard_normal(9)
    assert participation_ratio(np.outer(u, v)) == pytest.approx(1.0, rel=1e-12)
    assert participation_ratio(np.eye(7)) == pytest.approx(7.0, rel=1e-12)
    assert math.isnan(participation_ratio(np.zeros((3, 3))))


def _slow_plane_activity(N: int, plane: np.ndarray, seed: int) -> np.ndarray:
    """[K, T, N]: an AR(1) with pole 0.95 on the 2-d ``plane`` plus white noise elsewhere;
    the plane is the maximally predictive 2-d subspace."""
    rng = np.random.default_rng(seed)
    K, T = 4, 400
    z = np.zeros((K, T, 2))
    for t in range(1, T):  # test fixture, not a hot path
        z[:, t] = 0.95 * z[:, t - 1] + rng.standard_normal((K, 2))
    return z @ plane.T + 0.5 * rng.standard_normal((K, T, N))


def test_analyse_network_on_known_changes() -> None:
    N = 12
    rng = np.random.default_rng(1)
    W0 = rng.standard_normal((N, N)) / math.sqrt(N)
    np.fill_diagonal(W0, 0.0)
    u, v = np.abs(rng.standard_normal(N)), np.abs(rng.standard_normal(N))
    W1 = W0 - 0.05 * np.outer(u, v)  # a rank-one decrease of every weight
    Q, _ = np.linalg.qr(rng.standard_normal((N, 3)))
    plane, w_out = Q[:, :2], Q[:, 2]
    away = _slow_plane_activity(N, plane, 2)  # readout ⟂ slow plane
    onto = _slow_plane_activity(N, np.stack([w_out, plane[:, 0]], 1), 3)  # readout in it
    m = analyse_seed003_network(W0, W1, onto, away, w_out, dca_dim=2, dca_restarts=3, dca_steps=200)
    off = ~np.eye(N, dtype=bool)
    assert m["mean_dw"] == pytest.approx(-0.05 * np.outer(u, v)[off].mean(), rel=1e-12)
    assert m["pr_dw"] == pytest.approx(1.0, rel=1e-9)
    assert m["rel_dw"] == pytest.approx(
        0.05 * np.linalg.norm(np.outer(u, v)) / np.linalg.norm(W0), rel=1e-12
    )
    # DCA finds the slow plane: readout inside it at init (angle ≈ 0), orthogonal after.
    # Estimation error of the plane from 1600 samples is ~ 0.1 rad, well inside these bounds.
    assert m["angle_init"] < 0.3
    assert m["angle_final"] > math.pi / 2 - 0.3
    assert m["pi_final"] > 0 and m["pi_init"] > 0
    assert 0 < m["dca_unique"] <= 1
    same = analyse_seed003_network(
        W0, W0, away, away, w_out, dca_dim=2, dca_restarts=3, dca_steps=200
    )
    assert same["rel_dw"] == 0 and math.isnan(same["pr_dw"])
    assert same["centrality_rho"] == pytest.approx(1.0)
    assert same["nonnormal_init"] == same["nonnormal_final"] > 0
    with pytest.raises(ValueError, match="W0, W1"):
        analyse_seed003_network(W0, W0[:3], away, away, w_out)


def _net(task: str, theta: float, seed: int, **values: float) -> Seed003Network:
    base = {
        f.name: 0.0
        for f in dataclasses.fields(Seed003Network)
        if f.name not in ("task", "theta", "seed", "N")
    }
    base.update(values)
    return Seed003Network(task=task, theta=theta, seed=seed, N=16, **base)


def test_claims_on_synthetic_networks() -> None:
    plan = Seed003Plan(tasks=("perception",), N=(16,), seeds=4, angles=(0.0, 0.3, 0.6))
    rng = np.random.default_rng(4)
    nets = []
    for s in range(4):
        for th in plan.angles:
            # ΔPI = −1 + 3θ (+ small noise): negative at θ = 0, slope 3 > 0 → both hold;
            # the mean weight *rises* → that claim must fail
            nets.append(
                _net(
                    "perception",
                    th,
                    s,
                    pi_init=2.0,
                    pi_final=1.0 + 3 * th + 0.01 * rng.standard_normal(),
                    mean_dw=0.1 + 0.01 * rng.standard_normal(),
                    pr_dw=1.0 + 0.1 * s,
                    pr_w0=8.0,
                    angle_init=0.5,
                    angle_final=0.5 + 0.01 * (s - 1.5),
                    dca_unique=0.9 - 0.05 * s,
                )
            )
    claims = {c.name.split(":")[1]: c for c in seed003._claims(plan, nets)}
    assert set(claims) == set(seed003.SEED003_CLAIMS)
    assert claims["pi_relu"].passed and claims["pi_relu"].value == pytest.approx(-1, abs=0.05)
    assert claims["pi_slope"].passed and claims["pi_slope"].value == pytest.approx(3, abs=0.2)
    assert claims["mean_weight"].failed
    assert claims["low_rank"].passed and claims["dca_unique"].passed
    # angle changes symmetric about 0: mean 0, not significantly > 0
    assert claims["readout_angle"].failed
    assert all(c.n == 4 and c.unit == "seeds" for c in claims.values())


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(tasks=("romo",), N=(16,)), "tasks"),
        (dict(tasks=("perception",), N=(16, 32)), "N"),
        (dict(tasks=("perception",), N=(16,), seeds=1), "seeds"),
        (dict(tasks=("perception",), N=(16,), angles=(0.3,)), "angles"),
        (dict(tasks=("perception",), N=(16,), angles=(0.0, math.pi / 2)), "angles"),
        (dict(tasks=("perception",), N=(16,), dca_restarts=1), "dca_restarts"),
    ],
)
def test_plan_rejects_bad_input(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=rf"\b{name}="):
        Seed003Plan(**kwargs)


def test_default_plans_and_cli_registration() -> None:
    from validate.cli import build_parser
    from validate.commands import seed003 as _cli_seed003

    assert _cli_seed003._TASKS == seed003.SEED003_TASKS
    full = seed003.default_seed003_plan("full")
    assert (
        full.N == (128, 256) and full.seeds == 10 and full.angles[-1] == pytest.approx(math.pi / 4)
    )
    assert seed003.default_seed003_plan("quick", ["decision"]).tasks == ("decision",)
    with pytest.raises(ValueError, match="mode="):
        seed003.default_seed003_plan("huge")
    args = build_parser().parse_args(["seed003", "--task", "decision", "--out", "x"])
    assert args.task == "decision" and callable(args.handler)


def test_tiny_command_writes_a_report_and_exits_by_its_claims(tmp_path) -> None:
    """`oblique seed003` end to end on the real default code path (tiny sizes, issue 20): the
    report is written and the exit status is the claims' verdict (numbers not meaningful)."""
    import json

    from validate.cli import main

    out = tmp_path / "report"
    status = main(
        ["seed003", "--quick-tiny", "--quiet", "--out", str(out), "--runs", str(tmp_path / "runs")]
    )
    data = json.loads((out / "report.json").read_text())
    (sec,) = data["sections"]
    assert sec["name"] == "seed003" and (out / "report.md").is_file()
    assert status == (0 if data["passed"] else 1)


def test_run_directories_keep_configurations_apart(tmp_path):
    """Quick and full plans share N = 128 on perception but differ in seeds and steps; a run
    directory refuses another config, so each configuration needs its own directory (as do
    runs of the former N = 64 quick plan)."""
    import dataclasses
    import math

    quick = seed003.default_seed003_plan("quick")
    full = seed003.default_seed003_plan("full")
    old = dataclasses.replace(quick, N=(64, 64))
    dirs = {
        seed003.seed003_run_dir(tmp_path, plan, "perception", 0.0) for plan in (quick, full, old)
    }
    assert len(dirs) == 3
    d = seed003.seed003_run_dir(tmp_path, quick, "decision", math.pi / 8)
    assert d == tmp_path / "seed003" / "decision-N128-4seeds-600steps" / "theta022.50deg"
