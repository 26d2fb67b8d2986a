"""Tests of ``oblique validate`` and ``oblique plot scaling`` (validate.reports.validate).

The smoke run uses the hidden ``--quick-tiny`` sizes (one small configuration per
experiment): it checks the plumbing — files, finite numbers, exit status, reuse
of stored runs — not the agreement of theory and simulation, which the
experiments' own tests and the quick/full modes check.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from validate.cli import build_parser, main
from validate.core import stats
from validate.core.report import Section
from validate.reports import validate as _cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _files(root: Path) -> dict[Path, int]:
    """Every file under ``root`` with its modification time (ns)."""
    return {p: p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run ``oblique validate --quick-tiny`` twice into a temporary directory."""
    root = tmp_path_factory.mktemp("validate")
    argv = [
        "validate",
        "--quick-tiny",
        "--quiet",
        "--out",
        str(root / "report"),
        "--runs",
        str(root / "runs"),
    ]
    t0 = time.perf_counter()
    first = main(argv)
    t_first = time.perf_counter() - t0
    runs_before = _files(root / "runs")
    report_before = (root / "report" / "report.md").stat().st_mtime_ns
    t0 = time.perf_counter()
    second = main(argv)
    t_second = time.perf_counter() - t0
    return {
        "root": root,
        "first": first,
        "second": second,
        "t_first": t_first,
        "t_second": t_second,
        "runs_before": runs_before,
        "runs_after": _files(root / "runs"),
        "report_before": report_before,
    }


def test_report_files_exist(tiny: dict) -> None:
    out = tiny["root"] / "report"
    for name in ("report.md", "report.html", "report.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0


def _finite(value: object) -> bool:
    # report.json writes non-finite floats as null, so a number here is finite
    return isinstance(value, (int, float)) and math.isfinite(value)


def test_every_experiment_has_rows_with_finite_numbers(tiny: dict) -> None:
    data = json.loads((tiny["root"] / "report" / "report.json").read_text())
    assert [s["name"] for s in data["sections"]] == list(_cli.EXPERIMENTS)
    for sec in data["sections"]:
        assert sec["rows"], f"section {sec['name']} has no rows"
        for row in sec["rows"]:
            where = (sec["name"], row["quantity"], row["setting"])
            assert _finite(row["tolerance"]), where
            assert row["status"] in stats.STATUSES and row["claim"], where
            if not _finite(row["theory"]):
                # the theory may be undefined for a network without a fixed point (the tiny
                # gd-scaling runs stop long before λ₊ > λ_min; paired rows then have no
                # estimate either): such a row fails or lies outside the domain, never passes
                assert row["status"] in ("fail", "outside domain"), where
                continue
            for key in ("sim_mean", "sim_se"):
                assert _finite(row[key]), (*where, key, row[key])
        assert any(_finite(r["theory"]) for r in sec["rows"]), sec["name"]


def test_markdown_table_has_finite_numbers(tiny: dict) -> None:
    md = (tiny["root"] / "report" / "report.md").read_text()
    rows = [
        ln
        for ln in md.splitlines()
        if ln.startswith("| ")
        and ln.rstrip().endswith(("PASS |", "**FAIL** |", "undetermined |", "outside domain |"))
    ]
    data = json.loads((tiny["root"] / "report" / "report.json").read_text())
    assert len(rows) == data["n_rows"] > 0
    for ln in rows:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if cells[2] == "—":  # undefined theory (see above): shown as such, never a pass
            assert cells[-1] in ("**FAIL**", "outside domain")
            continue
        assert math.isfinite(float(cells[2]))
        mean, se = cells[3].split(" ± ")
        assert math.isfinite(float(mean)) and math.isfinite(float(se))


def test_figures_exist_and_are_png(tiny: dict) -> None:
    out = tiny["root"] / "report"
    data = json.loads((out / "report.json").read_text())
    figures = [f for s in data["sections"] for f in s["figures"]]
    # static: clouds + histograms; gd-scaling: scaling + one learning figure; two-phase: one
    assert len(figures) >= 5
    for f in figures:
        assert (out / f).read_bytes()[:8] == PNG_MAGIC


def test_exit_status_matches_the_verdict_of_the_predictions(tiny: dict) -> None:
    """Recomputed from the rows, not from the report's own verdict: 0 exactly when no
    prediction claim has a failing row and some prediction claim has a passing one."""
    data = json.loads((tiny["root"] / "report" / "report.json").read_text())
    rows = [r for s in data["sections"] for r in s["rows"] if r["role"] == "prediction"]
    failing = {(r["claim"], r["variant"]) for r in rows if r["status"] == "fail"}
    passing = {(r["claim"], r["variant"]) for r in rows if r["status"] == "pass"}
    expected = bool(passing - failing) and not failing
    assert data["passed"] is expected is data["verdict"]["passed"]
    assert tiny["first"] == (0 if expected else 1)
    assert tiny["second"] == tiny["first"]
    claims = {(c["claim"], c["variant"]) for c in data["verdict"]["claims"]}
    assert claims == {(r["claim"], r["variant"]) for s in data["sections"] for r in s["rows"]}
    csv = (tiny["root"] / "report" / "rows.csv").read_text().splitlines()
    assert len(csv) == data["n_rows"] + 1 and csv[0].startswith("quantity,theory,")


def test_second_run_reuses_stored_runs(tiny: dict) -> None:
    before, after = tiny["runs_before"], tiny["runs_after"]
    assert any(p.name == "run.json" for p in before)  # trained runs were stored
    assert any(p.name == "estimates.npz" for p in before)  # static cache stored
    # nothing retrained or re-simulated: the same files, none rewritten
    assert after == before
    assert not any(p.name == "checkpoint.npz" for p in after)
    # no training, no simulation, no symbolic derivation left to do: clearly faster
    assert tiny["t_second"] < tiny["t_first"]
    # the report itself is rewritten
    report = tiny["root"] / "report" / "report.md"
    assert report.stat().st_mtime_ns > tiny["report_before"]


def test_plot_scaling_redraws_from_stored_runs(tiny: dict) -> None:
    root = tiny["root"]
    before = _files(root / "runs")
    # --no-derived: the sympy large-N derivation (~45 s CPU) is tested in the meanfield tests
    status = main(
        [
            "plot",
            "scaling",
            "--runs",
            str(root / "runs"),
            "--out",
            str(root / "plots"),
            "--no-derived",
        ]
    )
    assert status == 0
    assert (root / "plots" / "gd_scaling.png").read_bytes()[:8] == PNG_MAGIC
    assert _files(root / "runs") == before  # no training, nothing written to the runs
    found = _cli.find_gd_scaling_runs(root / "runs")
    assert len(found) == 1 and len(found[0][1]) == len(found[0][0].Ns)


def test_plot_scaling_without_runs_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plot", "scaling", "--runs", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "holds no finished gd-scaling runs" in capsys.readouterr().err


def _fake_section(rows: list[stats.Comparison]):
    def section(configs, runs_dir, out_dir, log):  # same signature as _static_section
        return Section(name="static", title="Static (fake)", rows=rows)

    return section


def _row(sim: float, role: str = "prediction") -> stats.Comparison:
    # theory 1 with 4 samples of spread ±0.001 around ``sim``: sim = 1 passes (z = 0, and the
    # row could see a 10 % miss); sim = 1.5 fails (z ≈ 0.5/0.0005 ≫ z crit = 32.6)
    row = stats.compare(
        "loss_var",
        1.0,
        sim + np.array([-0.001, 0.001, -0.0005, 0.0005]),
        se_kind="seeds",
        N=1024,
        experiment="static",
        setting="hand-made",
    )
    return row.tagged(
        claim="L_var of a given M",
        role=role,
        variant="dt + Hermite" if role == "prediction" else "paper",
    )


@pytest.mark.parametrize("sim, status", [(1.0, 0), (1.5, 1)])
def test_exit_status_follows_the_predictions(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sim: float,
    status: int,
) -> None:
    row = _row(sim)
    assert row.status == ("pass" if status == 0 else "fail")
    monkeypatch.setattr(_cli, "_setting", lambda name, mode: [])
    monkeypatch.setattr(_cli, "_static_section", _fake_section([row]))
    code = main(
        [
            "validate",
            "--only",
            "static",
            "--out",
            str(tmp_path / "r"),
            "--runs",
            str(tmp_path / "runs"),
        ]
    )
    assert code == status
    printed = capsys.readouterr().out
    verdict = "PASS" if status == 0 else "FAIL"
    assert printed.rstrip().splitlines()[-1].startswith(f"{verdict}: ")
    assert "Report written to" in printed and "Verdict (claim × theory variant)" in printed
    assert "loss_var" in printed and "hand-made" in printed  # the summary table
    md = (tmp_path / "r" / "report.md").read_text()
    assert f"**Overall: {verdict}**" in md
    assert ("**FAIL**" in md) is (status == 1)


@pytest.mark.parametrize("strict, status", [(False, 0), (True, 1)])
def test_a_failing_finding_counts_only_with_strict_paper(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, strict: bool, status: int
) -> None:
    rows = [_row(1.0), _row(1.5, role="finding")]
    monkeypatch.setattr(_cli, "_setting", lambda name, mode: [])
    monkeypatch.setattr(_cli, "_static_section", _fake_section(rows))
    code = main(
        [
            "validate",
            "--only",
            "static",
            "--quiet",
            "--out",
            str(tmp_path / "r"),
            "--runs",
            str(tmp_path / "runs"),
        ]
        + (["--strict-paper"] if strict else [])
    )
    assert code == status
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [c["verdict"] for c in data["verdict"]["claims"]] == ["fails", "holds"]
    assert data["meta"]["strict_paper"] is strict


def test_bad_only_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["validate", "--only", "static,bogus"])
    assert exc.value.code == 2
    assert "--only='static,bogus' is not allowed" in capsys.readouterr().err


def test_full_and_tiny_exclude_each_other() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["validate", "--full", "--quick-tiny"])


def test_help_hides_tiny_and_registration_is_cheap() -> None:
    # registration must not import JAX (``oblique --help`` stays fast)
    code = (
        "import sys; from validate.cli import build_parser; "
        "h = build_parser()._subparsers._group_actions[0].choices['validate'].format_help(); "
        "print('quick-tiny' in h, '--full' in h, 'jax' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, MPLBACKEND="Agg"),
    ).stdout.split()
    assert out == ["False", "True", "False"]


def test_run_validate_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode='fast'"):
        _cli.run_validate(out_dir=tmp_path, runs_dir=tmp_path, mode="fast")
    with pytest.raises(ValueError, match="only="):
        _cli.run_validate(out_dir=tmp_path, runs_dir=tmp_path, only=("static", "nope"))


def test_package_exports_resolve_to_their_modules() -> None:
    import importlib

    import validate

    for module, names in validate._EXPORTS.items():
        mod = importlib.import_module(f"validate.{module}")
        for name in names:
            assert name in mod.__all__, (module, name)
            assert getattr(validate, name) is getattr(mod, name)
    assert sorted(validate.__all__) == sorted(validate._WHERE)  # each name once


def test_static_cache_rebuilds_the_same_rows(tiny: dict) -> None:
    cfg = _cli._setting("static", "tiny")[0]
    result, cached = _cli._cached_static(cfg, tiny["root"] / "runs")
    assert cached
    data = json.loads((tiny["root"] / "report" / "report.json").read_text())
    stored = next(s for s in data["sections"] if s["name"] == "static")["rows"]
    # the stored rows were then judged in their claim families (across sections); the
    # rebuilt ones are compared on everything the family does not set
    family_set = {"z_crit", "detectable", "status", "passed", "family_size", "family_alpha"}

    def own(d: dict) -> dict:
        return {k: v for k, v in d.items() if k not in family_set}

    assert [own(r.to_dict()) for r in result.rows] == [own(r) for r in stored]


def test_skipped_derived_laws_are_said_not_hidden(tiny: dict) -> None:
    md = (tiny["root"] / "report" / "report.md").read_text()
    assert "Derived large-N exponents not computed in this mode" in md
