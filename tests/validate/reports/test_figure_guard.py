"""A figure that cannot be drawn never kills a report (issue 20)."""

from __future__ import annotations

import json

from validate.cli import main
from validate.reports.figure_guard import Figures


def _broken(result, path):
    raise ValueError("D has negative or non-finite entries; allowed: distances >= 0")


def test_a_failing_figure_is_skipped_with_a_note(tmp_path) -> None:
    figs = Figures()
    figs.draw(lambda result, path: path, None, tmp_path / "a.png")
    figs.draw(_broken, None, tmp_path / "b.png")
    assert figs.paths == [tmp_path / "a.png"]
    assert figs.note() == (
        "\n\nfigure skipped: b.png: D has negative or non-finite entries; allowed: distances >= 0"
    )
    assert Figures().note() == ""


def test_universality_writes_its_report_when_a_figure_fails(tmp_path, monkeypatch) -> None:
    """The oscillating sine task end to end (tiny), with the MDS figure broken: the report is
    written, the section says which figure was skipped, and the exit status is the claim's."""
    import validate.reports.universality as rep

    monkeypatch.setattr(rep, "plot_universality_mds", _broken)
    out = tmp_path / "report"
    status = main(
        [
            "universality",
            "--quick-tiny",
            "--quiet",
            "--task",
            "sine_freq",
            "--out",
            str(out),
            "--runs",
            str(tmp_path / "runs"),
        ]
    )
    data = json.loads((out / "report.json").read_text())
    (sec,) = data["sections"]
    assert "figure skipped: universality_sine_freq.png: D has negative" in sec["text"]
    held = sec["summary"]["claims"]["sine_freq"]
    assert status == (0 if held is True else 1)
