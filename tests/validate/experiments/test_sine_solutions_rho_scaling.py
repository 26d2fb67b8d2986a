"""Simple-sine solutions and ρ vs N (validate.experiments.sine_solutions, validate.experiments.rho_scaling).

The tiny modes run end to end (training through simulate, measures, rows, figures); their
numbers are not meaningful, so those tests check structure only. The exponent logic is
tested on synthetic ρ(N) with a known slope, where pass and fail are predictable.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from validate.core.report import Section, write_report
from validate.experiments import rho_scaling as regimes_scaling
from validate.experiments import sine_solutions as regimes_sine
from validate.reports import regimes as regimes_report


@pytest.fixture(scope="module")
def sine_section(tmp_path_factory):
    root = tmp_path_factory.mktemp("sine")
    return regimes_report.sine_solutions_section(
        "tiny", root / "runs", root / "out", progress=False
    ), root


@pytest.fixture(scope="module")
def scaling_section(tmp_path_factory):
    root = tmp_path_factory.mktemp("scaling")
    return regimes_report.rho_scaling_section(
        "tiny", root / "runs", root / "out", progress=False
    ), root


def test_sine_tiny_section(sine_section):
    sec, root = sine_section
    assert isinstance(sec, Section)
    # two rows per solution, all four solutions
    assert len(sec.rows) == 2 * len(regimes_sine.SINE_SOLUTIONS)
    assert {r.setting.split(",")[0] for r in sec.rows} == {
        s.name for s in regimes_sine.SINE_SOLUTIONS
    }
    assert len(sec.figures) == 4
    for f in sec.figures:
        assert f.exists() and f.stat().st_size > 1000 and f.read_bytes()[:4] == b"\x89PNG"
    _caption, header, body = sec.tables[0]
    assert len(body) == 4 and all(len(row) == len(header) for row in body)
    # runs are stored under runs_dir/regimes_sine and reloaded (not retrained) on a re-run
    dirs = sorted(p.name for p in (root / "runs" / "regimes_sine").iterdir())
    assert len(dirs) == 4 and all(
        (root / "runs" / "regimes_sine" / d / "run.json").exists() for d in dirs
    )


def test_sine_measures_are_consistent(sine_section):
    """ρ, ‖w_out‖, ‖x‖ of the summary are the measures of the stored arrays, and the
    output-weight scales differ as configured (small: entries ~1/N, large: ~1/√N)."""
    sec, _ = sine_section
    res = {r["solution"]["name"]: r for r in sec.summary["results"]}
    N = sec.summary["plan"]["N"]
    # init ‖w_out‖ ≈ 1 (large) vs 1/√N (small); 20 Adam steps at lr η₀/N move each entry
    # by at most ≈ 20·η₀/N = 6e-3 (‖Δw_out‖ ≤ 0.025), far below the gap at N = 16
    small = np.mean(res["aligned"]["w_out_norm"])
    large = np.mean(res["lazy"]["w_out_norm"])
    assert small < 3 / math.sqrt(N) and large > 0.3
    for r in res.values():
        assert all(0 <= v <= 1 for v in r["rho"])
        assert set(r["labels"]) <= {"aligned", "oblique"}


def test_sine_rerun_loads_runs(sine_section):
    """A second call with the same runs_dir loads the finished runs: identical measures."""
    sec, root = sine_section
    again = regimes_sine.run_sine_solutions(
        regimes_sine.sine_plan("tiny"), root / "runs", progress=False
    )
    for a, b in zip(sec.summary["results"], again, strict=True):
        assert a["rho"] == b.summary()["rho"] and a["dW_norm"] == b.summary()["dW_norm"]


def test_scaling_tiny_section(scaling_section):
    sec, root = scaling_section
    assert isinstance(sec, Section)
    # k_aligned, k_oblique and their difference
    assert len(sec.rows) == 3
    assert len(sec.figures) == 1 and sec.figures[0].read_bytes()[:4] == b"\x89PNG"
    rho = sec.summary["rho"]
    plan = regimes_scaling.scaling_plan("tiny")
    assert set(rho) == {"aligned", "oblique"}
    for v in rho.values():
        assert np.asarray(v).shape == (len(plan.Ns), plan.seeds)
    assert (root / "runs" / "regimes_scaling").is_dir()


def test_sections_render_in_a_report(sine_section, scaling_section, tmp_path):
    md = write_report([sine_section[0], scaling_section[0]], tmp_path).read_text()
    assert "Simple sine, four solutions" in md and "Fitted exponents of ρ" in md
    assert (tmp_path / "report.html").exists() and (tmp_path / "report.json").exists()


def _synthetic(slope: float, Ns=(64, 128, 256, 512), seeds=5, sd=0.05, seed=0):
    """ρ = 0.8·N^slope·exp(sd·ξ): log-normal scatter of 5 % per network."""
    rng = np.random.default_rng(seed)
    Ns = np.asarray(Ns, float)
    return Ns, 0.8 * Ns[:, None] ** slope * np.exp(sd * rng.standard_normal((Ns.size, seeds)))


def test_exponent_rows_pass_for_the_right_slopes():
    Ns, obl = _synthetic(-0.5)
    _, ali = _synthetic(0.0, seed=1)
    fits, rows = regimes_scaling.exponent_rows(Ns, {"aligned": ali, "oblique": obl})
    # OLS SE of the slope: sd / sqrt(Σ (log N − mean)²) = 0.05 / sqrt(5·2.4) ≈ 0.014
    assert abs(fits["oblique"].exponent + 0.5) < 5 * fits["oblique"].exponent_se
    assert 0.005 < fits["oblique"].exponent_se < 0.03
    # the right slopes are never rejected (with 5 sizes × few seeds the rows cannot see a
    # 10 % miss of the 1/2 scale, so they are undetermined rather than passed)
    assert len(rows) == 3 and not any(r.status == "fail" for r in rows)


@pytest.mark.parametrize("slope", [-0.25, 0.0])
def test_exponent_rows_fail_for_a_wrong_slope(slope):
    """A network labelled oblique whose ρ scales as N^-1/4 or N^0 fails: the slope is
    ≥ 0.25 ≈ 18 SE away from −1/2 and beyond the allowance 3/√512·(1/2) ≈ 0.066."""
    Ns, rho = _synthetic(slope)
    _, rows = regimes_scaling.exponent_rows(Ns, {"oblique": rho})
    assert len(rows) == 1 and rows[0].status == "fail"


def test_exponent_rows_bad_input():
    with pytest.raises(ValueError, match="regime"):
        regimes_scaling.exponent_rows([64, 128], {"lazy": np.ones((2, 2))})
    with pytest.raises(ValueError, match="shape"):
        regimes_scaling.exponent_rows([64, 128], {"oblique": np.ones((3, 2))})
    with pytest.raises(ValueError, match="Ns"):
        regimes_scaling.exponent_rows([64], {"oblique": np.ones((1, 2))})


def test_plans_and_modes():
    with pytest.raises(ValueError, match="mode"):
        regimes_sine.sine_plan("huge")
    with pytest.raises(ValueError, match="mode"):
        regimes_scaling.scaling_plan("huge")
    with pytest.raises(ValueError, match="seeds"):
        regimes_sine.SinePlan(seeds=1)
    with pytest.raises(ValueError, match="Ns"):
        regimes_scaling.RhoScalingPlan(Ns=(64, 64))
    full = regimes_scaling.scaling_plan("full")
    assert full.Ns == (64, 128, 256, 512)
    assert regimes_sine.sine_plan("full").N == 512
    # the config mapping of the four solutions (module docstring table)
    plan = regimes_sine.sine_plan("tiny")
    cfgs = {s.name: regimes_sine.sine_config(plan, s) for s in regimes_sine.SINE_SOLUTIONS}
    assert cfgs["aligned"].out_scale == "small" and cfgs["lazy"].out_scale == "large"
    assert cfgs["marginal"].g < 1 < cfgs["lazy"].g
    assert cfgs["oblique"].sigma > 0 and cfgs["lazy"].sigma == 0
    assert (
        regimes_scaling.scaling_config(
            regimes_scaling.scaling_plan("tiny"), "aligned", 16
        ).out_scale
        == "small"
    )
