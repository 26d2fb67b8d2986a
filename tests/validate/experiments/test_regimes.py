"""Tests of the regimes experiment (validate.experiments.regimes), its figures and ``oblique regimes``.

* the claims logic on synthetic measure values: claims that hold pass, a claim whose data
  contradict it (or fall short of its threshold) fails, too few units give ``n/a``;
* the kick simulation: restarting the Euler recursion from the state at t_p without a kick
  reproduces the uninterrupted trajectory's loss (checks the time indexing);
* a tiny end-to-end run through the command line (N = 16, one task, 20 steps): report
  files, figures, claims in report.json, exit status consistent with the claims. Its
  numbers test the plumbing, not the paper's claims (the quick mode does that).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from validate.analysis import measures
from validate.commands import regimes as regimes_command
from validate.core import claims as claims_core
from validate.experiments import regimes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- helpers
def _net(task: str, regime: str, seed: int, N: int, **values: float) -> regimes.NetworkMeasures:
    """A NetworkMeasures with the given scalar values (the rest neutral placeholders)."""
    base = {"rho": 0.5, "D_fit": 2, "compression": 1.0, "susceptibility": 1.0}
    base.update(values)
    k = np.arange(1, 4)
    return regimes.NetworkMeasures(
        task=task,
        regime=regime,
        seed_index=seed,
        N=N,
        rho=float(base["rho"]),
        rho_per_output=np.array([base["rho"]]),
        w_out_norm=1.0,
        w_out_norm_init=1.0,
        x_norm=1.0,
        D_x=3,
        D_fit=int(base["D_fit"]),
        r2_full=1.0,
        r2_2pc=0.5,
        r2_by_k=k / 3,
        var_explained=k / 3,
        compression=float(base["compression"]),
        compression_se=0.01,
        var_out=1.0,
        var_random=np.ones(4),
        var_pc=np.ones(4),
        susceptibility=float(base["susceptibility"]),
        kick_amplitudes=np.array([0.0, 1.0]),
        kick_loss_out=np.zeros((2, 1)),
        kick_loss_pc=np.zeros((2, 1)),
        loss=0.1,
        loss_bias=0.05,
        loss_var=0.05,
        label="aligned",
    )


def _synthetic(
    N: int = 100,
    *,
    oblique_compression: float = 0.3,
    rho_ratio: float = 5.0,
    seeds: int = 3,
    tasks: tuple[str, ...] = regimes.REGIME_TASKS,
    oblique_d_fit: int = 8,
    oblique_dissimilarity: float = 0.4,
    oblique_susceptibility: float = 0.3,
):
    """Networks with the paper's pattern: ρ_al = 0.5, ρ_ob = ρ_al/rho_ratio, D_fit 2 vs 8,
    compression 1 (aligned) vs ``oblique_compression``, susceptibility 3 vs 0.3, and
    dissimilarity 0.1 vs 0.4; 10 % multiplicative scatter (fixed seed)."""
    rng = np.random.default_rng(0)

    def jit(v: float) -> float:
        return float(v * (1 + 0.1 * rng.standard_normal()))

    nets, dissim = [], {}
    for t in tasks:
        for s in range(seeds):
            nets.append(
                _net(
                    t,
                    "aligned",
                    s,
                    N,
                    rho=jit(0.5),
                    D_fit=2 + (s % 2),
                    compression=jit(1.0),
                    susceptibility=jit(3.0),
                )
            )
            nets.append(
                _net(
                    t,
                    "oblique",
                    s,
                    N,
                    rho=jit(0.5 / rho_ratio),
                    D_fit=oblique_d_fit + (s % 2),
                    compression=jit(oblique_compression),
                    susceptibility=jit(oblique_susceptibility),
                )
            )
        dissim[(t, "aligned")] = [jit(0.1) for _ in range(3)]
        dissim[(t, "oblique")] = [jit(oblique_dissimilarity) for _ in range(3)]
    return nets, dissim


# ----------------------------------------------------------------------------- claims
def test_claims_pass_on_the_papers_pattern() -> None:
    nets, dissim = _synthetic()
    claims = regimes.evaluate_claims(nets, dissim, N=100)
    assert [c.name for c in claims] == list(regimes.CLAIM_NAMES)
    assert all(c.verdict == "PASS" for c in claims), [(c.name, c.t, c.t_crit) for c in claims]
    # over five tasks the unit is the task
    assert all(c.unit == "tasks" and c.n == 5 for c in claims)
    result = regimes.RegimesResult(
        plan=regimes.RegimesPlan(), networks=nets, dissimilarity=dissim, claims=claims
    )
    assert result.passed
    assert claims_core.claims_verdict(claims).startswith("PASS (6 of 6")


def test_a_contradicted_claim_fails() -> None:
    # oblique noise expanded (ratio 1.5 > 1): the compression claim must fail, others hold
    nets, dissim = _synthetic(oblique_compression=1.5)
    claims = {c.name: c for c in regimes.evaluate_claims(nets, dissim, N=100)}
    assert claims["noise_compression"].verdict == "FAIL"
    assert claims["noise_compression"].t < 0
    assert claims["rho_ratio"].verdict == "PASS"
    result = regimes.RegimesResult(
        plan=regimes.RegimesPlan(),
        networks=nets,
        dissimilarity=dissim,
        claims=list(claims.values()),
    )
    assert not result.passed


def test_rho_ratio_below_the_quarter_power_fails() -> None:
    # ρ_al/ρ_ob = 2 < N^{1/4} = 3.16 at N = 100: "≫" is not established (and the oblique
    # ρ√N = 0.25·10 = 2.5 is still below N^{1/4}, so that claim holds)
    nets, dissim = _synthetic(rho_ratio=2.0)
    claims = {c.name: c for c in regimes.evaluate_claims(nets, dissim, N=100)}
    assert claims["rho_ratio"].verdict == "FAIL"
    assert claims["rho_sqrt_n"].verdict == "PASS"


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"rho_ratio": 1.25}, "rho_sqrt_n"),  # ρ_ob·√N = 0.4·10 = 4 > N^{1/4} = 3.16
        ({"oblique_d_fit": 1}, "d_fit"),  # oblique fits fewer dimensions than aligned (2–3)
        ({"oblique_dissimilarity": 0.05}, "dissimilarity"),  # oblique learners more alike
        ({"oblique_susceptibility": 30.0}, "susceptibility"),  # oblique more susceptible
    ],
)
def test_every_claim_fails_on_data_that_contradict_it(kwargs: dict, name: str) -> None:
    nets, dissim = _synthetic(**kwargs)
    claims = {c.name: c for c in regimes.evaluate_claims(nets, dissim, N=100)}
    assert claims[name].verdict == "FAIL", (claims[name].t, claims[name].t_crit)
    assert claims[name].t < 0  # contradicted, not merely unproven


def test_claim_threshold_is_the_regime_label_boundary() -> None:
    # claim 2 uses log10 N^{1/4}; measures.regime_label switches at ρ = N^{-1/4}
    N = 256
    nets, dissim = _synthetic(N=N)
    thr = {c.name: c.threshold for c in regimes.evaluate_claims(nets, dissim, N=N)}
    boundary_rho = 10 ** thr["rho_sqrt_n"] / math.sqrt(N)
    assert measures.regime_label(boundary_rho * (1 - 1e-9), N) == "oblique"
    assert measures.regime_label(boundary_rho * (1 + 1e-9), N) == "aligned"


def test_judge_claim_single_task_welch() -> None:
    # a = [1, 2, 3] vs b = [0, 0, 0]: value 2, SE = sqrt(1/3), Welch dof = 2,
    # t = 2/sqrt(1/3) = 3.464 ≥ t_{0.95, 2} = 2.920 (Student table)
    c = claims_core.judge_claim(
        "x", "x", "x", {"cycling": ([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])}, threshold=0.0, direction=">"
    )
    assert c.unit == "seeds" and c.n == 3
    assert c.value == pytest.approx(2.0)
    assert c.se == pytest.approx(math.sqrt(1 / 3))
    assert c.dof == pytest.approx(2.0)
    assert c.t_crit == pytest.approx(2.920, abs=1e-3)
    assert c.verdict == "PASS"
    # the same data against the opposite claim fail
    c2 = claims_core.judge_claim(
        "x", "x", "x", {"cycling": ([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])}, threshold=0.0, direction="<"
    )
    assert c2.verdict == "FAIL" and c2.t < 0


def test_judge_claim_without_spread_is_not_applicable() -> None:
    c = claims_core.judge_claim(
        "x", "x", "x", {"romo": ([0.4], [0.1])}, threshold=0.0, direction=">", unit="seed pairs"
    )
    assert c.verdict == "n/a" and math.isnan(c.se) and c.unit == "seed pairs"
    assert not c.passed and not c.failed


def test_judge_claim_drops_non_finite_and_rejects_bad_direction() -> None:
    c = claims_core.judge_claim(
        "x",
        "x",
        "x",
        {"a": ([1.0, math.nan], None), "b": ([2.0], None), "c": ([3.0], None)},
        threshold=0.0,
        direction=">",
    )
    assert c.n == 3 and c.value == pytest.approx(2.0)
    with pytest.raises(ValueError, match="direction"):
        claims_core.judge_claim("x", "x", "x", {"a": ([1.0], None)}, threshold=0.0, direction="=")


# ----------------------------------------------------------------------------- plan
@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"tasks": ("sine",)}, "tasks"),
        ({"tasks": ("cycling", "cycling")}, "tasks"),
        ({"seeds": 1}, "seeds"),
        ({"amplitudes": (0.5, 1.0)}, "amplitudes"),
        ({"kick_fractions": (1.2,)}, "kick_fractions"),
        ({"steps": (("cycling", 505),)}, "steps"),
    ],
)
def test_plan_rejects_bad_settings(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        regimes.RegimesPlan(**kwargs)


def test_configs_of_the_two_regimes() -> None:
    plan = regimes.default_regimes_plan("quick", ("mante",))
    al = regimes.regimes_config(plan, "mante", "aligned")
    ob = regimes.regimes_config(plan, "mante", "oblique")
    assert (al.out_scale, ob.out_scale) == ("small", "large")
    assert al.sigma == ob.sigma == 0.05  # Table 1's Mante noise in both regimes
    assert (al.N, al.seeds, al.steps) == (128, 2, plan.task_steps("mante"))
    full = regimes.default_regimes_plan("full")
    assert (full.N, full.seeds, full.task_steps("romo")) == (512, 5, 6000)


def test_cli_task_names_match_the_experiment() -> None:
    assert regimes_command._task_names() == regimes.REGIME_TASKS


# ----------------------------------------------------------------------------- kicks
def test_unkicked_restart_reproduces_the_trajectory(tiny: dict) -> None:
    """Amplitude 0: the restarted simulation from x(t_p) must give the same loss as the
    uninterrupted noise-free trial over the same window (float32 rounding only).

    Same task and kick shapes as the tiny run (which it follows), so the jitted
    simulations are reused instead of compiled again."""
    del tiny  # ordering only
    import jax
    import jax.numpy as jnp

    from simulate.config import TrainConfig
    from simulate.dynamics import simulate
    from simulate.models import make_rate_rnn

    plan = dataclasses.replace(regimes.default_regimes_plan("tiny", ("flip_flop",)), settle=2.0)
    cfg = TrainConfig.preset("regimes", task="flip_flop", N=16, steps=10)
    task = cfg.make_task()
    model = make_rate_rnn(jax.random.key(3), 16, n_in=3, n_out=3, out_scale="large")
    batch = regimes._eval_batch(task, plan, 0)
    pcs = np.linalg.qr(np.random.default_rng(0).standard_normal((16, 2)))[0]
    amps, loss_out, loss_pc = regimes._kick_losses(
        model, batch, task, cfg, plan, pcs, np.random.default_rng(1)
    )
    assert amps[0] == 0.0 and loss_out.shape == (3, 2 * 2)  # A × (directions · conditions)
    # reference: the full noise-free trial of the same trials, loss on t >= t_p + settle
    cond = np.asarray(batch.condition)
    first = [int(np.flatnonzero(cond == c)[0]) for c in range(2)]
    z = np.asarray(
        simulate(
            model,
            jnp.asarray(np.asarray(batch.inputs)[first]),
            key=jax.random.key(0),
            sigma=0.0,
            dt=cfg.dt,
            record="x",
        ).z
    )
    T = z.shape[1]
    p = round(0.3 * T) + round(2.0 / cfg.dt)
    m = np.asarray(batch.mask)[first][:, p:]
    err = (z[:, p:] - np.asarray(batch.targets)[first][:, p:]) ** 2
    with np.errstate(invalid="ignore"):
        ref = np.sum(m * err, axis=(1, 2)) / np.sum(m, axis=(1, 2))
    # float32 Euler steps: relative rounding ~1e-6 per step over ≤ T = 125 steps
    ref = np.tile(ref, plan.kick_dirs)  # R is ordered (kick time, direction, condition)
    np.testing.assert_allclose(loss_out[0], ref, rtol=1e-4, equal_nan=True)
    np.testing.assert_allclose(loss_pc[0], ref, rtol=1e-4, equal_nan=True)
    # a kick of √N (one unit per neuron) changes the later output
    assert not np.allclose(loss_out[1:], loss_out[0], equal_nan=True)


# ----------------------------------------------------------------------------- CLI
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oblique")
    sub = parser.add_subparsers(dest="command")
    plot = sub.add_parser("plot")
    regimes_command.register(sub, plot.add_subparsers(dest="plot_target"))
    return parser


def test_cli_parses_and_rejects_bad_task_names(capsys: pytest.CaptureFixture) -> None:
    args = _parser().parse_args(["regimes", "--task", "cycling,romo", "--full"])
    assert args.task == ("cycling", "romo") and args.full and not args.quick_tiny
    args = _parser().parse_args(["regimes"])
    assert args.task is None and args.out == Path("oblique-regimes")
    for bad in ("sine", "cycling,bogus", ","):
        with pytest.raises(SystemExit) as err:
            _parser().parse_args(["regimes", "--task", bad])
        assert err.value.code == 2
        assert "allowed" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _parser().parse_args(["regimes", "--full", "--quick-tiny"])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("regimes")
    args = _parser().parse_args(
        [
            "regimes",
            "--quick-tiny",
            "--task",
            "flip_flop",
            "--quiet",
            "--out",
            str(root / "out"),
            "--runs",
            str(root / "runs"),
        ]
    )
    status = args.handler(args)
    return {"root": root, "status": status}


def test_tiny_run_writes_the_report(tiny: dict) -> None:
    out = tiny["root"] / "out"
    for name in ("report.md", "report.html", "report.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0
    figs = sorted(out.glob("regimes_*.png"))
    assert len(figs) == 5
    assert all(f.read_bytes()[:8] == PNG_MAGIC for f in figs)
    md = (out / "report.md").read_text()
    assert "Claims of issue 6" in md and "ρ aligned ≫ ρ oblique" in md
    # the run directories of both regimes are finished run directories
    for regime in regimes.REGIMES:
        assert (
            tiny["root"] / "runs" / "regimes" / f"flip_flop-{regime}-N16" / "run.json"
        ).is_file()


def test_tiny_run_claims_and_exit_status_agree(tiny: dict) -> None:
    data = json.loads((tiny["root"] / "out" / "report.json").read_text())
    (sec,) = data["sections"]
    claims = sec["summary"]["claims"]
    assert [c["name"] for c in claims] == list(regimes.CLAIM_NAMES)
    assert all(c["verdict"] in ("PASS", "FAIL", "n/a") for c in claims)
    verdicts = [c["verdict"] for c in claims]
    expected = 0 if ("FAIL" not in verdicts and "PASS" in verdicts) else 1
    assert tiny["status"] == expected
    nets = sec["summary"]["networks"]
    assert len(nets) == 4  # 2 regimes × 2 seeds
    for m in nets:
        assert 0 <= m["rho"] <= 1 and m["D_fit"] >= 1 and m["compression"] > 0
    # the output-weight scales of the two regimes differ by ~√N at initialisation
    init = {m["regime"]: m["w_out_norm_init"] for m in nets}
    assert init["oblique"] / init["aligned"] > 2.0  # √16 = 4 with sampling scatter of norms
