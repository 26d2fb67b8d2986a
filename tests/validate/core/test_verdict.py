"""validate.core.verdict: claim × variant grouping, the four verdicts, the evidence line and
the table renderings, checked on rows whose status is fixed by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from validate.core.report import format_number
from validate.core.stats import compare_estimate, family_control
from validate.core.verdict import VERDICTS, judge


def row(
    claim: str,
    variant: str,
    *,
    kind: str,
    N: float = 64,
    role: str = "prediction",
    rel: float | None = None,
    domain: str = "",
):
    """A row of the given status: pass (0.05 % off, se 0.1 %), fail (100 % off, se 1 %),
    undetermined (5 % off, se 100 %: cannot detect 10 %), outside (a domain reason)."""
    theory = 1.0
    est, se = {
        "pass": (1.0005, 0.001),
        "fail": (2.0, 0.01),
        "undet": (1.05, 1.0),
        "outside": (1.0, 0.01),
    }[kind]
    if rel is not None:
        est = theory + rel
    r = compare_estimate(
        "q",
        theory,
        est,
        se,
        10,
        se_kind="seeds",
        N=N,
        domain=domain or ("out of range" if kind == "outside" else ""),
        tolerance=0.0 if rel is None else 0.2,  # a declared model error the 1/√N rows stay in
    )
    return r.tagged(claim=claim, variant=variant, role=role)


def test_the_four_verdicts_from_the_worst() -> None:
    rows = [
        row("A", "paper", kind="pass"),
        row("A", "paper", kind="fail", N=128),
        row("B", "paper", kind="pass"),
        row("B", "paper", kind="undet"),
        row("C", "paper", kind="undet"),
        row("C", "paper", kind="outside"),
        row("D", "paper", kind="outside"),
        row("D", "paper", kind="outside", domain="other"),
    ]
    v = judge(rows)
    got = {c.claim: c.verdict for c in v.claims}
    assert got == {"A": "fails", "B": "holds", "C": "undetermined", "D": "outside domain"}
    d = next(c for c in v.claims if c.claim == "D")
    assert d.outside == ("other", "out of range") and d.family_size == 0
    assert d.family_alpha == 0.0 and math.isnan(d.N_min) and math.isnan(d.detectable)
    assert VERDICTS == ("fails", "undetermined", "outside domain", "holds")


def test_grouping_order_and_rows_without_a_claim() -> None:
    rows = [
        row("second", "zeta", kind="pass"),
        row("first", "quenched", kind="pass"),
        row("first", "alpha", kind="pass"),
        row("first", "dt + Hermite", kind="pass"),
        row("first", "paper", kind="pass"),
        row("first", "dt", kind="pass"),
        row("", "paper", kind="fail"),  # no claim: left out
    ]
    rows.insert(1, row("second", "paper", kind="pass"))
    keys = [(c.claim, c.variant) for c in judge(rows).claims]
    assert keys == [
        ("second", "paper"),
        ("second", "zeta"),
        ("first", "paper"),
        ("first", "dt"),
        ("first", "dt + Hermite"),
        ("first", "quenched"),
        ("first", "alpha"),
    ]


def test_evidence_fields_are_those_of_the_judged_rows() -> None:
    # |rel. err.| = 0.5·N^(-1/2) exactly at three sizes; one row outside the domain
    Ns = [64.0, 256.0, 1024.0]
    rows = [row("L", "dt", kind="pass", N=n, rel=0.5 / math.sqrt(n)) for n in Ns]
    rows.append(row("L", "dt", kind="outside", N=4096))
    c = judge(rows).claims[0]
    judged = [r for r in family_control(rows) if not r.domain]
    assert (c.N_min, c.N_max) == (64.0, 1024.0)  # the outside row's N = 4096 is not judged
    assert c.worst_z == pytest.approx(max(abs(r.z) for r in judged), rel=1e-12)
    assert c.max_rel == pytest.approx(0.5 / 8.0, rel=1e-12)
    assert c.convergence_exponent == pytest.approx(-0.5, abs=1e-9)
    assert c.family_size == 3 and c.family_alpha == judged[0].family_alpha > 0
    assert c.detectable == min(r.detectable for r in judged)
    assert c.counts == {"pass": 3, "fail": 0, "undetermined": 0, "outside domain": 1}
    assert math.isfinite(c.convergence_se) and isinstance(c.convergence_se, float)
    f = format_number
    assert c.evidence() == (
        f"3 pass, 0 fail, 0 undetermined, 1 outside; N = 64–1024, worst |z| {f(c.worst_z, 3)}, "
        f"max |rel. err.| {f(c.max_rel, 2)}; chance-fail level {f(c.family_alpha, 2)} (Holm "
        f"over 3 rows); detects ≥ {f(100 * c.detectable, 2)} % errors; |rel. err.| ∝ "
        f"N^{f(c.convergence_exponent, 2)} ± {f(c.convergence_se, 2)}"
    )
    # a row with zero error cannot enter the log-log fit: the exponent stays −1/2
    exact = judge([*rows, row("L", "dt", kind="pass", N=4096.0, rel=0.0)]).claims[0]
    assert exact.convergence_exponent == pytest.approx(-0.5, abs=1e-9)
    one = judge([row("S", "paper", kind="pass", N=100)]).claims[0]
    assert "N = 100," in one.evidence() and "∝" not in one.evidence()  # one size: no fit


def test_mixed_roles_in_one_claim_are_refused() -> None:
    rows = [row("A", "paper", kind="pass"), row("A", "paper", kind="pass", role="finding")]
    with pytest.raises(ValueError, match="one role per claim and variant"):
        judge(rows)


def test_passed_counts_predictions_unless_strict() -> None:
    rows = [row("own", "dt", kind="pass"), row("paper's", "paper", kind="fail", role="finding")]
    v = judge(rows)
    assert v.passed and [c.claim for c in v.counted] == ["own"]
    assert v.chance_budget == pytest.approx(v.claims[0].family_alpha)
    strict = judge(rows, strict_paper=True)
    assert not strict.passed and len(strict.counted) == 2
    assert strict.chance_budget == pytest.approx(sum(c.family_alpha for c in strict.claims))
    # nothing holds: not passed, even with no failure
    assert not judge([row("u", "dt", kind="undet")]).passed
    assert not judge([row("o", "dt", kind="outside")]).passed


def test_headline_is_exact() -> None:
    rows = [row("own", "dt", kind="pass"), row("paper's", "paper", kind="fail", role="finding")]
    v = judge(rows)
    budget = v.chance_budget
    assert v.headline == (
        "the package's own predictions: 1 hold, 0 fail, 0 undetermined, 0 outside their "
        "domain; findings on the paper's theory (reported, not counted): 0 hold, 1 fail, 0 "
        "undetermined, 0 outside their domain. Chance-failure budget: correct theories would "
        "fail some counted claim by chance with probability ≤ "
        f"{format_number(budget, 2)} (Holm within each claim)."
    )
    assert judge(rows, strict_paper=True).headline.startswith(
        "every claim: 1 hold, 1 fail, 0 undetermined, 0 outside their domain. Chance"
    )


def test_renderings() -> None:
    rows = [row("a|b <x>", "paper", kind="fail"), row("c", "dt", kind="pass")]
    v = judge(rows)
    md = v.markdown().splitlines()
    assert md[0] == "| claim | theory variant | role | verdict | evidence |"
    assert md[1] == "|---|---|---|---|---|"
    assert md[2].startswith("| a\\|b <x> | paper | prediction | **fails** | ")
    assert md[3].startswith("| c | dt | prediction | holds | ")
    h = v.html()
    assert h.startswith("<table><thead><tr><th>claim</th><th>theory variant</th>")
    assert '<tr class="fail"><td>a|b &lt;x&gt;</td>' in h and '<tr class="pass"><td>c</td>' in h
    assert h.endswith("</tbody></table>")
    lines = v.console().splitlines()
    assert len(lines) == 3
    width = len("a|b <x>")
    assert lines[0].startswith("claim".ljust(width) + "  theory variant  role")
    assert lines[2].startswith("c".ljust(width) + "  dt".ljust(len("  theory variant")))
    assert lines[1].endswith(v.claims[0].evidence())
    d = v.to_dict()
    assert d["passed"] is False and d["strict_paper"] is False
    assert d["headline"] == v.headline and d["chance_budget"] == v.chance_budget
    assert [c["claim"] for c in d["claims"]] == ["a|b <x>", "c"]
    assert d["claims"][0]["verdict"] == "fails" and d["claims"][0]["counts"]["fail"] == 1
    assert np.isfinite(d["claims"][1]["detectable"])


def test_two_sizes_are_enough_for_the_convergence_fit_and_digits_are_kept() -> None:
    k = -0.4321
    rows = [
        compare_estimate(
            "q", 1.0, 1.0 + 0.3 * n**k, 0.00137, 10, se_kind="seeds", N=n, tolerance=0.5
        ).tagged(claim="K", variant="dt")
        for n in (100.0, 400.0)
    ]
    c = judge(rows).claims[0]
    assert c.convergence_exponent == pytest.approx(k, abs=1e-9)
    ev = c.evidence()
    for value, digits in ((c.worst_z, 3), (100 * c.detectable, 2), (c.convergence_exponent, 2)):
        assert format_number(value, digits) in ev, (value, digits)
        assert format_number(value, digits + 1) not in ev, (value, digits)
    # a row with an infinite relative error (theory 0) does not count as a size of the fit
    inf_row = compare_estimate("q", 0.0, 0.1, 0.0013, 10, se_kind="seeds", N=1600.0)
    one = judge([rows[0], inf_row.tagged(claim="K", variant="dt")]).claims[0]
    assert math.isinf(inf_row.rel_err) and math.isnan(one.convergence_exponent)


def test_renderings_exactly() -> None:
    import html as _html

    v = judge([row("c", "dt", kind="pass")])
    ev = v.claims[0].evidence()
    assert v.html() == (
        "<table><thead><tr><th>claim</th><th>theory variant</th><th>role</th>"
        "<th>verdict</th><th>evidence</th></tr></thead><tbody>"
        f'<tr class="pass"><td>c</td><td>dt</td><td>prediction</td><td>holds</td>'
        f"<td>{_html.escape(ev)}</td></tr></tbody></table>"
    )
    esc = ev.replace("|", "\\|")  # pipes inside a cell are escaped
    assert v.markdown().splitlines()[2] == f"| c | dt | prediction | holds | {esc} |"
    assert v.console().splitlines() == [
        "claim  theory variant  role        verdict  evidence",
        f"c      dt              prediction  holds    {ev}",
    ]
