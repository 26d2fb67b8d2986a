"""Tests of the validation report writer (validate.core.report)."""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from validate.core import stats
from validate.core.report import (
    RULE_TEXT,
    TABLE_COLUMNS,
    Section,
    format_number,
    format_row,
    run_metadata,
    summary_table,
    write_report,
)
from validate.figures.style import figure, save

N = 256


def passing_row() -> stats.Comparison:
    # samples symmetric about the theory value: mean == theory exactly, so z = 0; SE 0.3 % of
    # the theory, so the row could see a 10 % miss (detectable = 32.6 · 0.0046 < 0.1) -> PASS
    samples = 2.0 + np.array([-0.01, 0.01, -0.005, 0.005])
    return stats.compare(
        "kappa_norm", 2.0, samples, se_kind="seeds", N=N, experiment="demo", setting="N=256"
    )


def failing_row() -> stats.Comparison:
    # mean 3 vs theory 2: rel. error 0.5 > tolerance 0 and z = 1/SE = 1/0.023 > z crit (32.6)
    samples = 3.0 + np.array([-0.05, 0.05, -0.025, 0.025])
    return stats.compare(
        "loss_var",
        2.0,
        samples,
        se_kind="seeds",
        N=N,
        experiment="demo",
        setting="N=256",
        note="deliberately wrong theory",
    )


def small_png(path: Path) -> Path:
    fig, axes = figure(1, 1, width=2.0, height=1.5)
    axes[0, 0].plot([0, 1], [0, 1])
    axes[0, 0].set_xlabel("x (a.u.)")
    axes[0, 0].set_ylabel("y (a.u.)")
    return save(fig, path)


def test_rows_used_here_pass_and_fail_by_the_rule() -> None:
    assert passing_row().passed
    bad = failing_row()
    assert not bad.passed and abs(bad.z) > bad.z_crit and abs(bad.rel_err) > bad.tolerance


def test_rule_text_quotes_the_constants_of_stats() -> None:
    assert f"{stats.Z_MAX:g}" in RULE_TEXT
    assert f"{stats.P_ROW:.1e}" in RULE_TEXT and f"{stats.MAX_DETECTABLE:.0%}" in RULE_TEXT


@pytest.mark.parametrize("x", [1.0, -2.5, 0.012345678, 123456.7, 3.3e-7, -9.99e12, 0.5])
def test_format_number_keeps_four_significant_digits(x: float) -> None:
    text = format_number(x)
    # 4 significant digits: relative rounding error at most 5e-4 (half a unit in the 4th digit)
    assert abs(float(text) - x) <= 5e-4 * abs(x)
    assert len(re.sub(r"e.*|[-.]", "", text).lstrip("0")) <= 4


def test_format_number_writes_large_values_out() -> None:
    assert format_number(-129.7, 2) == "-130"
    assert format_number(162.4, 3) == "162"
    assert format_number(12345.6) == "12350"


def test_format_number_missing_values() -> None:
    assert format_number(None) == "—"
    assert format_number(math.nan) == "—"
    assert format_number(math.inf) == "∞"
    assert format_number(-math.inf) == "−∞"
    assert format_number(0.0) == "0"


def test_format_row_and_console_table() -> None:
    row = failing_row()
    cells = format_row(row)
    assert tuple(cells) == TABLE_COLUMNS
    assert cells["status"] == "FAIL"
    assert cells["SE kind (n)"] == "seeds (4)"
    assert float(cells["theory"]) == row.theory
    table = summary_table([passing_row(), row])
    lines = table.splitlines()
    assert len(lines) == 4  # header, rule, two rows
    assert lines[2].rstrip().endswith("PASS") and lines[3].rstrip().endswith("FAIL")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    inside = small_png(out / "inside.png")
    outside = small_png(tmp_path_factory.mktemp("elsewhere") / "outside.png")
    sections = [
        Section(
            name="good",
            title="Good experiment",
            rows=[passing_row()],
            figures=[inside],
            text="First paragraph.\n\nSecond paragraph.",
            wall_time_s=1.5,
        ),
        Section(
            name="bad",
            title="Bad experiment",
            rows=[passing_row(), failing_row()],
            figures=[outside],
            summary={"array": np.arange(3), "nan": math.nan},
            tables=[("Exponents", ("q", "k"), [["rho", "-0.5"]])],
        ),
    ]
    meta = run_metadata(command="oblique validate --test", wall_time_s=12.25, mode="test")
    path = write_report(sections, out, title="Demo report", meta=meta)
    assert path == out / "report.md"
    return out


def test_report_files_exist(report_dir: Path) -> None:
    for name in ("report.md", "report.html", "report.json"):
        assert (report_dir / name).is_file()


def test_markdown_has_overall_fail_rule_tables_and_metadata(report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text()
    assert "**Overall: FAIL** — 2 of 3 passed, 1 failed." in md
    assert md.count(RULE_TEXT) == 1  # the rule stated once
    assert "## Good experiment" in md and "## Bad experiment" in md
    fail_lines = [ln for ln in md.splitlines() if ln.startswith("|") and "**FAIL**" in ln]
    assert len(fail_lines) == 1 and "loss_var" in fail_lines[0]
    assert "deliberately wrong theory" in md
    assert "| rho | -0.5 |" in md
    assert "oblique validate --test" in md and "12.2 s" in md  # 12.25 -> 1 decimal
    assert "numpy" in md  # versions
    # figures: the inside one linked in place, the outside one copied in
    assert "](inside.png)" in md
    assert "](bad_outside.png)" in md and (report_dir / "bad_outside.png").is_file()


def test_html_is_self_contained(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text()
    assert "FAIL" in page and "Demo report" in page
    srcs = re.findall(r'src="([^"]*)"', page)
    assert len(srcs) == 2 and all(s.startswith("data:image/png;base64,") for s in srcs)
    embedded = base64.b64decode(srcs[0].split(",", 1)[1])
    assert embedded == (report_dir / "inside.png").read_bytes()
    assert "<link" not in page and "http" not in page  # nothing fetched from elsewhere
    assert page.count('<tr class="fail"') == 1


def test_json_rows_round_trip_and_strict(report_dir: Path) -> None:
    def no_constants(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    data = json.loads((report_dir / "report.json").read_text(), parse_constant=no_constants)
    assert data["passed"] is False and data["n_rows"] == 3 and data["n_failed"] == 1
    assert data["rule"]["z_max"] == stats.Z_MAX
    assert data["rule"]["p_row"] == stats.P_ROW
    assert data["row_status"] == {"outside domain": 0, "fail": 1, "undetermined": 0, "pass": 2}
    bad = data["sections"][1]
    assert bad["rows"][1] == failing_row().to_dict()
    assert bad["summary"] == {"array": [0, 1, 2], "nan": None}
    assert data["sections"][0]["passed"] is True and bad["passed"] is False


def test_all_passing_report_says_pass(tmp_path: Path) -> None:
    write_report([Section(name="a", title="A", rows=[passing_row()])], tmp_path, meta={})
    assert "**Overall: PASS**" in (tmp_path / "report.md").read_text()
    assert json.loads((tmp_path / "report.json").read_text())["passed"] is True


def test_report_without_rows_is_a_failure(tmp_path: Path) -> None:
    # all_passed of no rows is False: an empty report must not claim success
    write_report([Section(name="a", title="A", rows=[])], tmp_path, meta={})
    assert "**Overall: FAIL**" in (tmp_path / "report.md").read_text()


def test_bad_sections_are_refused(tmp_path: Path) -> None:
    s = Section(name="a", title="A", rows=[passing_row()])
    with pytest.raises(ValueError, match="unique"):
        write_report([s, s], tmp_path)
    missing = Section(name="b", title="B", rows=[passing_row()], figures=[tmp_path / "no.png"])
    with pytest.raises(ValueError, match="figure="):
        write_report([missing], tmp_path)
