"""The corrections experiment (validate.experiments.corrections, issue 5): grid, theory variants, quenched
rows on the simulated U, cache, headline, figures and report section.

One tiny simulation (``CorrectionsConfig.tiny()``: N = 256, λ₋ = −5, λ₊ = λ₊* + 1, dt = 0.2,
8 networks × 8 trials, t ∈ (10, 30]) is shared by the module; the other tests reuse its cache.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

import meanfield
from validate.experiments.corrections import (
    QUANTITIES,
    QUENCHED,
    VARIANTS,
    CorrectionsConfig,
    CorrectionsResult,
    corrections_rows,
    headline,
    network_U,
    point_estimates,
    quenched_theory,
    run_corrections,
    variant_theory,
)
from validate.experiments.static import StaticConfig, static_theory, static_theory_extended
from validate.reports.validate import corrections_section


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corrections_runs")


@pytest.fixture(scope="module")
def result(cache_dir: Path) -> CorrectionsResult:
    return run_corrections(CorrectionsConfig.tiny(), cache_dir=cache_dir, progress=False)


# ----------------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    "field, value, match",
    [
        ("Ns", (4,), "Ns="),
        ("Ns", (), "Ns="),
        ("lambda_minus", (1.0,), "lambda_minus="),
        ("dts", (1.5,), "dts="),
        ("t_max", (100.0,), "t_max="),
        ("t_discard", (200.0, 1.0), "t_discard="),
        ("networks", 1, "networks=1"),
        ("trials", 3, "trials=3"),
        ("hermite_orders", 0, "hermite_orders=0"),
        ("sigma", -1.0, "sigma=-1.0"),
        ("seed", -1, "seed=-1"),
    ],
)
def test_config_errors_name_the_parameter(field: str, value: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CorrectionsConfig(**{field: value})


def test_infeasible_offset_is_an_error_naming_it() -> None:
    # λ₊* ≈ 1.8–1.9 at N = 1024, 256 and λ_min(σ = 1) ≈ 1.60: an offset of −0.5 is below it
    with pytest.raises(ValueError, match="lambda_plus_offsets"):
        CorrectionsConfig(lambda_plus_offsets=(-0.5,)).points()


def test_quick_grid_is_the_issue_grid() -> None:
    cfg = CorrectionsConfig.quick()
    pts = cfg.points()
    assert len(pts) == 32
    assert {(s.N, s.lambda_minus, off, s.dt) for s, off, _ in pts} == {
        (N, lm, off, dt)
        for N in (64, 256, 1024, 2048)
        for lm in (-1.0, -5.0)
        for off in (0.0, 1.0)
        for dt in (0.2, 0.02)
    }
    for s, off, lp_opt in pts:
        assert lp_opt == pytest.approx(
            float(meanfield.optimum(s.N, s.lambda_minus).lambda_plus), rel=1e-14
        )
        assert s.lambda_plus == pytest.approx(lp_opt + off, rel=1e-14)
        assert s.sigma == 1.0 and s.z_target == 1.0 and s.theta_minus is None
    assert len({s.seed for s, _, _ in pts}) == 32  # independent networks per point
    full = CorrectionsConfig.full()
    assert full.networks > cfg.networks and full.trials > cfg.trials


# ----------------------------------------------------------------------------- theory
def test_variants_are_the_static_theories() -> None:
    cfg = StaticConfig(N=256, lambda_plus=2.4, lambda_minus=-5.0, dt=0.2, hermite_orders=6)
    paper, ext = static_theory(cfg), static_theory_extended(cfg)
    for q in QUANTITIES:  # the same meanfield calls: equal to float precision
        assert variant_theory(cfg, "paper")[q] == pytest.approx(paper[q], rel=1e-12)
        assert variant_theory(cfg, "dt + Hermite")[q] == pytest.approx(ext[q], rel=1e-12)
    with pytest.raises(ValueError, match="variant='Euler'"):
        variant_theory(cfg, "Euler")


def test_network_U_is_orthogonal_with_norm_sqrt_N(result: CorrectionsResult) -> None:
    cfg = result.points[0].config  # the fixture's shape: make_low_rank is already compiled
    U = network_U(cfg)
    assert U.shape == (8, 256, 2)
    gram = np.einsum("bni,bnj->bij", U, U) / 256  # float32 QR: UᵀU/N = I to ~1e-6
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(2), gram.shape), atol=1e-5)
    assert not np.allclose(U[0], U[1])


def test_quenched_uses_the_simulated_networks(result: CorrectionsResult) -> None:
    """Each network's mean output is predicted by its own U, not by another draw.

    With the simulated U the residual z̄_sim − z̄_U is the time-averaging error of z̄ (SE ~0.1
    here) plus the O(1/N) model error; with the U of other networks it is ~√2·SD_U(z̄) ≈ 0.9
    (SD over networks ≈ 0.65 at this point). The mean squares of 8 residuals are ~χ²₈-distributed,
    so rms(right) < rms(wrong)/2 fails with probability < 1e-5 (F(8, 8) > 20).
    """
    p = result.points[0]
    z = p.estimates["mean_output"]
    right = z - p.quenched["mean_output"]
    wrong_cfg = dataclasses.replace(p.config, seed=p.config.seed + 1000)
    wrong = z - quenched_theory(p.config, network_U(wrong_cfg))["mean_output"]

    def rms(r: np.ndarray) -> float:
        return float(np.sqrt(np.mean(r**2)))

    assert rms(right) < 0.5 * rms(wrong)


# ----------------------------------------------------------------------------- estimates
def test_point_estimates_add_the_within_network_se() -> None:
    rng = np.random.default_rng(1)
    cfg = StaticConfig(N=256, lambda_plus=2.4, lambda_minus=-5.0, networks=2, trials=4)
    lat = rng.normal(size=(2, 4, 30, 2)) * 0.05 + np.array([0.1, 1.5])
    z = rng.normal(size=(2, 4, 30)) + 1.0
    est, switched = point_estimates(lat, z, cfg)
    for b in range(2):
        trial_means = z[b].mean(axis=1)
        assert est["mean_output_se"][b] == pytest.approx(
            np.std(trial_means, ddof=1) / 2.0, rel=1e-12
        )
        assert est["mean_output"][b] == pytest.approx(z[b].mean(), rel=1e-12)
    assert switched.shape == (2,) and np.all((switched >= 0) & (switched <= 1))


# ----------------------------------------------------------------------------- rows
def test_rows_cover_every_variant_and_quantity(result: CorrectionsResult) -> None:
    rows = corrections_rows(result)
    names = [r.quantity for r in rows]
    expected = [f"{lab} [{v}]" for v in VARIANTS for lab in ("L_var", "Σ11", "Σ22", "‖κ̄‖")]
    expected += [f"{lab} [{QUENCHED}]" for lab in ("z̄", "‖κ̄‖", "SD_U(z̄)")]
    assert names == expected
    p = result.points[0]
    assert all(r.setting == p.setting() and r.experiment == "corrections" for r in rows)
    assert all(r.se_kind == "seeds" and r.n == p.config.networks for r in rows)
    lv = next(r for r in rows if r.quantity == "L_var [paper]")
    assert lv.theory == pytest.approx(
        float(meanfield.loss_var(p.config.lambda_plus, -5.0, 1.0, 256)), rel=1e-12
    )
    assert lv.sim_mean == pytest.approx(float(np.mean(p.estimates["loss_var"])), rel=1e-12)


def test_injected_wrong_theory_fails_on_simulated_data(result: CorrectionsResult) -> None:
    """L_var × 1.5 on the simulated-map prediction must fail; the prediction itself does not.

    The correct prediction matched the simulation within ~3 % in the quick grid. Scaled by 1.5
    the relative error is ≈ 1/1.5 − 1 = −0.33, far beyond the declared model error D/ΔV
    (≈ 0.01 at λ₊* + 1), and the SE over 8 networks (~3 % of L_var) puts |z| well past the
    Student critical value with 7 degrees of freedom (8.5).
    """
    p = result.points[0]
    good = next(r for r in corrections_rows(result) if r.quantity == "L_var [dt + Hermite]")
    assert good.status != "fail", good
    theory = {v: dict(t) for v, t in p.theory.items()}
    theory["dt + Hermite"]["loss_var"] *= 1.5
    bad_point = dataclasses.replace(p, theory=theory)
    bad = next(
        r
        for r in corrections_rows(dataclasses.replace(result, points=[bad_point]))
        if r.quantity == "L_var [dt + Hermite]"
    )
    assert bad.status == "fail", bad
    assert bad.rel_err < -bad.tolerance and bad.z < -bad.z_crit


def test_cache_reuse_gives_identical_rows(result: CorrectionsResult, cache_dir: Path) -> None:
    assert not any(p.cached for p in result.points)
    files = list((cache_dir / "corrections").glob("*/estimates.npz"))
    assert len(files) == len(result.points)
    again = run_corrections(CorrectionsConfig.tiny(), cache_dir=cache_dir, progress=False)
    assert all(p.cached for p in again.points)
    assert corrections_rows(again) == corrections_rows(result)
    # a different simulation (seed) is not served from that cache
    other = CorrectionsConfig(**{**CorrectionsConfig.tiny().to_dict(), "seed": 7, "Ns": (256,)})
    from validate.experiments.corrections import _cache_record

    assert _cache_record(other.points()[0][0]) != _cache_record(result.points[0].config)


def test_a_corrupt_cache_file_is_recomputed_with_a_warning(
    result: CorrectionsResult, cache_dir: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "cache"
    shutil.copytree(cache_dir, copy)
    victim = sorted((copy / "corrections").glob("*/estimates.npz"))[0]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    with pytest.warns(RuntimeWarning, match=r"estimates\.npz is .*recomputing it"):
        again = run_corrections(CorrectionsConfig.tiny(), cache_dir=copy, progress=False)
    assert sum(not p.cached for p in again.points) == 1
    assert corrections_rows(again) == corrections_rows(result)  # the same simulation


# ----------------------------------------------------------------------------- text, section
def test_headline_mentions_each_variant(result: CorrectionsResult) -> None:
    text = headline(result)
    for v in (*VARIANTS, QUENCHED):
        assert f"{v}:" in text or f"{v} " in text
    ratio = (
        float(np.mean(result.points[0].estimates["loss_var"]))
        / result.points[0].theory["paper"]["loss_var"]
    )
    assert f"{ratio:.3g}" in text  # the sim/paper L_var factor is stated


def test_section_has_rows_figures_text_and_json(
    result: CorrectionsResult, cache_dir: Path, tmp_path: Path
) -> None:
    from validate.core.report import write_report

    lines: list[str] = []
    sec = corrections_section(CorrectionsConfig.tiny(), cache_dir, tmp_path, lines.append)
    assert sec.name == "corrections"
    assert sec.rows == corrections_rows(result)
    assert all("loaded from cache" in line for line in lines) and lines
    assert [f.name for f in sec.figures] == ["corrections_loss_var.png", "corrections_zscores.png"]
    for f in sec.figures:
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f.stat().st_size > 10_000
    assert headline(result) in sec.text
    json.dumps(sec.summary, allow_nan=False)
    assert {c for c, _, _ in sec.tables} >= {"Passing rows per variant"}
    md = write_report([sec], tmp_path / "report")
    assert "L_var [dt + Hermite]" in md.read_text(encoding="utf-8")
    assert math.isfinite(result.wall_time_s)
