"""validate.core.claims: the one-sided t test of a claim checked against scipy's own t tests,
and the table, console, verdict and JSON forms checked exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from validate.core.claims import (
    CLAIM_ALPHA,
    claims_console,
    claims_hold,
    claims_table,
    claims_verdict,
    finite_values,
    judge_claim,
)

A = [1.2, 0.7, 1.9, 1.1, np.nan]
B = [0.1, 0.4, -0.2, 0.3, 0.0, 0.5]


def test_over_tasks_the_task_is_the_unit() -> None:
    per = {"t1": ([1.0, 2.0, 3.0], None), "t2": ([0.5, 0.5], None), "t3": ([4.0], [1.0, 2.0])}
    c = judge_claim("c", "text", "stat", per, threshold=0.5, direction=">")
    vals = np.array([2.0, 0.5, 2.5])
    ref = sps.ttest_1samp(vals, 0.5, alternative="greater")
    assert c.unit == "tasks" and c.n == 3 and c.dof == 2.0
    assert c.per_task == {"t1": 2.0, "t2": 0.5, "t3": 2.5}
    assert c.value == pytest.approx(vals.mean(), rel=1e-15)
    assert c.t == pytest.approx(ref.statistic, rel=1e-12)
    assert c.t_crit == pytest.approx(sps.t.ppf(1 - CLAIM_ALPHA, 2), rel=1e-12)
    assert c.verdict == ("PASS" if ref.pvalue <= CLAIM_ALPHA else "FAIL")
    # the same data claimed the other way round: t changes sign
    d = judge_claim("c", "text", "stat", per, threshold=0.5, direction="<")
    assert d.t == pytest.approx(-c.t, rel=1e-15) and d.verdict == "FAIL"


def test_one_task_the_seeds_are_the_unit() -> None:
    c = judge_claim("c", "x", "s", {"only": (A, None)}, threshold=0.5, direction=">")
    a = finite_values(A)
    ref = sps.ttest_1samp(a, 0.5, alternative="greater")
    assert c.unit == "seeds" and c.n == 4 and c.dof == 3.0
    assert c.t == pytest.approx(ref.statistic, rel=1e-12)
    assert c.verdict == ("PASS" if ref.pvalue <= CLAIM_ALPHA else "FAIL") == "PASS"


def test_one_task_with_a_reference_is_welch() -> None:
    c = judge_claim(
        "c", "x", "s", {"only": (A, B)}, threshold=0.0, direction=">", unit="seed pairs"
    )
    ref = sps.ttest_ind(finite_values(A), B, equal_var=False, alternative="greater")
    assert c.unit == "seed pairs" and c.n == 4  # min of the two sample counts
    assert c.t == pytest.approx(ref.statistic, rel=1e-12)
    assert c.dof == pytest.approx(ref.df, rel=1e-12)
    assert c.value == pytest.approx(np.mean(finite_values(A)) - np.mean(B), rel=1e-15)
    assert c.verdict == "PASS"


def test_edge_cases() -> None:
    # one sample: no SE, n/a
    na = judge_claim("c", "x", "s", {"t": ([1.0], None)}, threshold=0.0, direction=">")
    assert na.verdict == "n/a" and math.isnan(na.t) and math.isnan(na.se)
    # identical units: the sign of value − threshold decides
    same = {"a": ([2.0, 2.0], None), "b": ([2.0], None)}
    assert judge_claim("c", "x", "s", same, threshold=1.0, direction=">").verdict == "PASS"
    assert judge_claim("c", "x", "s", same, threshold=3.0, direction=">").verdict == "FAIL"
    assert judge_claim("c", "x", "s", same, threshold=2.0, direction=">").verdict == "FAIL"
    assert judge_claim("c", "x", "s", same, threshold=3.0, direction="<").verdict == "PASS"
    # a task whose samples are all non-finite is skipped
    c = judge_claim(
        "c",
        "x",
        "s",
        {"a": ([np.nan], None), "b": ([1.0, 3.0], None)},
        threshold=0.0,
        direction=">",
    )
    assert c.unit == "seeds" and list(c.per_task) == ["b"] and c.n == 2
    with pytest.raises(ValueError, match="direction"):
        judge_claim("c", "x", "s", {"a": ([1.0], None)}, threshold=0.0, direction=">=")
    with pytest.raises(ValueError, match="per_task"):
        judge_claim("c", "x", "s", {}, threshold=0.0, direction=">")


def _claims() -> list:
    ok = judge_claim(
        "a", "A holds", "mean", {"t": ([2.0, 2.2, 1.9], None)}, threshold=1.0, direction=">"
    )
    bad = judge_claim(
        "b", "B holds", "mean", {"t": ([0.0, 0.1, -0.1], None)}, threshold=1.0, direction=">"
    )
    na = judge_claim("c", "C holds", "mean", {"t": ([1.0], None)}, threshold=1.0, direction="<")
    return [ok, bad, na]


def test_verdicts_and_tables() -> None:
    ok, bad, na = _claims()
    assert (ok.verdict, bad.verdict, na.verdict) == ("PASS", "FAIL", "n/a")
    assert ok.passed and not ok.failed and bad.failed and not na.passed and not na.failed
    assert claims_hold([ok, na]) and not claims_hold([ok, bad]) and not claims_hold([na])
    assert claims_verdict([ok, na]) == "PASS (1 of 2 claims hold, 1 n/a)"
    assert claims_verdict([ok, bad]) == "FAIL (1 of 2 claims hold)"
    caption, header, body = claims_table([ok, na])
    assert caption.startswith(
        f"Claims of issue 6: one-sided Student t test at level {CLAIM_ALPHA:g}"
    )
    assert header == [
        "claim",
        "statistic",
        "value ± SE",
        "n (unit)",
        "claimed",
        "t",
        "t crit (dof)",
        "verdict",
    ]
    assert body[0][0] == "A holds" and body[0][3] == "3 (seeds)" and body[0][4] == "> 1"
    assert body[0][7] == "PASS" and body[1][7] == "n/a" and body[1][4] == "< 1"
    lines = claims_console([ok, bad]).splitlines()
    assert len(lines) == 3 and lines[0].startswith("claim    statistic")
    assert lines[1].startswith("A holds  mean") and lines[2].rstrip().endswith("FAIL")
    d = na.to_dict()
    assert d["t"] is None and d["verdict"] == "n/a" and d["n"] == 1


def test_table_cells_and_caption_exactly() -> None:
    from validate.core.report import format_short as f

    ok, _, na = _claims()
    welch = judge_claim("w", "W holds", "diff", {"t": (A, B)}, threshold=0.0, direction=">")
    caption, _, body = claims_table([ok, na, welch])
    assert caption == (
        f"Claims of issue 6: one-sided Student t test at level {CLAIM_ALPHA:g} "
        "(t = ±(value − threshold)/SE; PASS when t ≥ t crit)"
    )
    assert body[0] == [
        "A holds",
        "mean",
        f"{f(ok.value)} ± {f(ok.se, 2)}",
        "3 (seeds)",
        f"> {f(1.0)}",
        f(ok.t),
        f"{f(ok.t_crit)} ({f(ok.dof, 2)})",
        "PASS",
    ]
    # a Welch dof with many digits shows two of them
    assert (
        body[2][6]
        == f"{f(welch.t_crit)} ({f(welch.dof, 2)})"
        != f"{f(welch.t_crit)} ({f(welch.dof, 3)})"
    )
    assert not any(line.endswith(" ") for line in claims_console([ok, na, welch]).splitlines())


def test_smallest_samples_that_give_a_standard_error() -> None:
    two = judge_claim("c", "x", "s", {"t": ([1.0, 3.0], None)}, threshold=0.0, direction=">")
    assert two.se == pytest.approx(1.0) and two.dof == 1.0 and two.verdict != "n/a"
    welch = judge_claim(
        "c", "x", "s", {"t": ([1.0, 3.0], [0.0, 0.5])}, threshold=0.0, direction=">"
    )
    ref = sps.ttest_ind([1.0, 3.0], [0.0, 0.5], equal_var=False)
    assert welch.t == pytest.approx(ref.statistic, rel=1e-12) and welch.dof == pytest.approx(ref.df)
    short = judge_claim("c", "x", "s", {"t": ([1.0, 3.0], [0.5])}, threshold=0.0, direction=">")
    assert short.verdict == "n/a" and short.n == 1 and math.isnan(short.dof)
    assert short.name == "c" and short.text == "x" and short.statistic == "s"
    # no task with a finite sample: nothing to judge, n = 0
    empty = judge_claim("c", "x", "s", {"a": ([np.nan], None)}, threshold=0.0, direction=">")
    assert empty.n == 0 and empty.verdict == "n/a" and math.isnan(empty.value)
    # two constant samples: no spread, Welch's dof falls back to n_a + n_b − 2
    flat = judge_claim(
        "c", "x", "s", {"t": ([2.0, 2.0, 2.0], [1.0, 1.0])}, threshold=0.0, direction=">"
    )
    assert flat.se == 0.0 and flat.dof == 3.0 and flat.verdict == "PASS"
    assert flat.t_crit == pytest.approx(sps.t.ppf(1 - CLAIM_ALPHA, 3.0))


def test_error_messages_name_the_argument() -> None:
    with pytest.raises(ValueError) as err:
        judge_claim("c", "x", "s", {"a": ([1.0], None)}, threshold=0.0, direction=">=")
    assert str(err.value) == "direction='>=' is not allowed; allowed: '>', '<'"
    with pytest.raises(ValueError) as err:
        judge_claim("c", "x", "s", {}, threshold=0.0, direction=">")
    assert str(err.value) == (
        "per_task={} is not allowed; allowed: a non-empty mapping task -> (samples, reference)"
    )
