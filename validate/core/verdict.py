"""The verdict of a theory-vs-simulation report: claim × theory variant → holds / fails / ….

Every comparison row (:class:`validate.core.stats.Comparison`) belongs to a *claim* (what
it tests, e.g. "L_var of a given M") and to a named *theory variant* (e.g. the paper's
continuous-time theory, or meanfield's finite-dt + Hermite one, :mod:`meanfield.variants`),
and has a *role*: ``"prediction"`` for the package's own best theory, whose failures make the
run fail, or ``"finding"`` for the paper's theory and hypotheses, reported as scientific
results. :func:`judge` groups the rows into one :class:`ClaimVerdict` per (claim, variant):

* **fails** — some row inside the domain fails (:mod:`validate.core.stats` rule);
* **holds** — no row fails and at least one passes;
* **undetermined** — rows inside the domain, none failing, none precise enough to pass;
* **outside domain** — every row lies outside the variant's domain.

Each claim × variant is a family of rows judged by Holm's step-down at a stated family-wise
level (:func:`validate.core.stats.family_control`, applied by :func:`judge`), so a correct
theory fails a claim by chance with probability ≤ its ``family_alpha``; the verdict's
headline states the sum over the counted claims (its chance-failure budget), and each claim
states the smallest relative error it could detect (``detectable``, its best row).

Evidence per claim: the N range of the judged rows, the worst |z|, the largest |relative
error|, and a convergence fit |rel. error| ∝ N^k over the judged rows (at least two sizes;
reported beside the verdict, it does not decide it). :class:`Verdict` holds the table; its
``passed`` is True when no *prediction* claim fails and at least one holds (with
``strict_paper``: findings count as well).
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .fits import fit_power_law
from .report import format_number
from .stats import Comparison, family_control, status_counts

__all__ = ["ClaimVerdict", "Verdict", "VERDICTS", "judge"]

#: Order of the variants within a claim (the paper's first; others after, alphabetically).
_VARIANT_ORDER: tuple[str, ...] = ("paper", "dt", "Hermite", "dt + Hermite", "quenched")

#: Claim verdicts, from the worst.
VERDICTS: tuple[str, ...] = ("fails", "undetermined", "outside domain", "holds")


@dataclasses.dataclass(frozen=True)
class ClaimVerdict:
    """One (claim, variant) of the verdict table.

    Attributes:
        claim, variant, role: as on the rows. verdict: one of :data:`VERDICTS`.
        counts: rows per status (``pass``, ``fail``, ``undetermined``, ``outside domain``).
        N_min, N_max: sizes of the judged rows (inside the domain; NaN if none).
        worst_z: largest |z| of the judged rows. max_rel: largest |relative error| of them.
        convergence_exponent, convergence_se: k ± SE of |rel. error| ∝ N^k (NaN with < 2
            sizes). outside: the distinct reasons of the rows outside the domain.
        family_size, family_alpha: m rows inside the domain and the family-wise level
            (probability that a correct theory fails this claim by chance, at most).
        detectable: the smallest relative error the claim could detect (its most precise
            row; NaN without a judged row).
    """

    claim: str
    variant: str
    role: str
    verdict: str
    counts: dict[str, int]
    N_min: float
    N_max: float
    worst_z: float
    max_rel: float
    convergence_exponent: float
    convergence_se: float
    outside: tuple[str, ...] = ()
    family_size: int = 0
    family_alpha: float = 0.0
    detectable: float = math.nan

    def evidence(self) -> str:
        """One line: N range, worst |z|, max |rel. error|, convergence, row counts."""
        c = self.counts
        parts = [
            f"{c['pass']} pass, {c['fail']} fail, {c['undetermined']} undetermined, "
            f"{c['outside domain']} outside"
        ]
        if math.isfinite(self.N_min):
            rng = (
                f"N = {self.N_min:g}"
                if self.N_min == self.N_max
                else f"N = {self.N_min:g}–{self.N_max:g}"
            )
            parts.append(
                f"{rng}, worst |z| {format_number(self.worst_z, 3)}, max |rel. err.| "
                f"{format_number(self.max_rel, 2)}"
            )
        if self.family_size:
            parts.append(
                f"chance-fail level {format_number(self.family_alpha, 2)} (Holm over "
                f"{self.family_size} rows); detects ≥ "
                f"{format_number(100 * self.detectable, 2)} % errors"
            )
        if math.isfinite(self.convergence_exponent):
            parts.append(
                f"|rel. err.| ∝ N^{format_number(self.convergence_exponent, 2)} ± "
                f"{format_number(self.convergence_se, 2)}"
            )
        return "; ".join(parts)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The verdict table of a report (see the module docstring)."""

    claims: tuple[ClaimVerdict, ...]
    strict_paper: bool = False

    @property
    def counted(self) -> tuple[ClaimVerdict, ...]:
        """The claims that decide :attr:`passed` (predictions; all with ``strict_paper``)."""
        return tuple(c for c in self.claims if self.strict_paper or c.role == "prediction")

    @property
    def passed(self) -> bool:
        counted = self.counted
        return any(c.verdict == "holds" for c in counted) and not any(
            c.verdict == "fails" for c in counted
        )

    @property
    def chance_budget(self) -> float:
        """Upper bound on the probability that a correct theory fails some counted claim by
        chance (the sum of their family-wise levels)."""
        return float(sum(c.family_alpha for c in self.counted))

    @property
    def headline(self) -> str:
        counted = self.counted
        what = "every claim" if self.strict_paper else "the package's own predictions"
        n = {v: sum(c.verdict == v for c in counted) for v in VERDICTS}
        findings = [c for c in self.claims if c not in counted]
        text = (
            f"{what}: {n['holds']} hold, {n['fails']} fail, {n['undetermined']} "
            f"undetermined, {n['outside domain']} outside their domain"
        )
        if findings:
            nf = {v: sum(c.verdict == v for c in findings) for v in VERDICTS}
            text += (
                f"; findings on the paper's theory (reported, not counted): "
                f"{nf['holds']} hold, {nf['fails']} fail, {nf['undetermined']} "
                f"undetermined, {nf['outside domain']} outside their domain"
            )
        return (
            text + f". Chance-failure budget: correct theories would fail some counted "
            f"claim by chance with probability ≤ {format_number(self.chance_budget, 2)} "
            f"(Holm within each claim)."
        )

    def rows(self) -> list[list[str]]:
        """Cells of the table: claim, variant, role, verdict, evidence."""
        return [[c.claim, c.variant, c.role, c.verdict, c.evidence()] for c in self.claims]

    HEADER: tuple[str, ...] = ("claim", "theory variant", "role", "verdict", "evidence")

    def markdown(self) -> str:
        def esc(t: str) -> str:
            return t.replace("|", "\\|")

        lines = ["| " + " | ".join(self.HEADER) + " |", "|" + "---|" * len(self.HEADER)]
        for cells in self.rows():
            cells[3] = f"**{cells[3]}**" if cells[3] == "fails" else cells[3]
            lines.append("| " + " | ".join(esc(x) for x in cells) + " |")
        return "\n".join(lines)

    def html(self) -> str:
        e = html.escape
        out = [
            "<table><thead><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in self.HEADER)
            + "</tr></thead><tbody>"
        ]
        for c, cells in zip(self.claims, self.rows(), strict=True):
            cls = "fail" if c.verdict == "fails" else "pass"
            out.append(f'<tr class="{cls}">' + "".join(f"<td>{e(x)}</td>" for x in cells) + "</tr>")
        return "".join(out) + "</tbody></table>"

    def console(self) -> str:
        """Aligned plain-text columns (claim, variant, role, verdict, evidence)."""
        lines = [list(self.HEADER)] + self.rows()
        widths = [max(len(line[i]) for line in lines) for i in range(4)]
        return "\n".join(
            "  ".join(str(x).ljust(w) for x, w in zip(line[:4], widths, strict=True))
            + "  "
            + line[4]
            for line in lines
        ).rstrip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "strict_paper": self.strict_paper,
            "headline": self.headline,
            "chance_budget": self.chance_budget,
            "claims": [dataclasses.asdict(c) for c in self.claims],
        }


def _verdict_of(counts: dict[str, int]) -> str:
    if counts["fail"]:
        return "fails"
    if counts["pass"]:
        return "holds"
    if counts["undetermined"]:
        return "undetermined"
    return "outside domain"


def judge(rows: Sequence[Comparison], *, strict_paper: bool = False) -> Verdict:
    """Group ``rows`` by (claim, variant) — claims in order of appearance, the paper's variant
    first within a claim; rows without a claim are left out — and judge each group (module
    docstring). The rows are first judged in their families (:func:`family_control`;
    idempotent, so rows already controlled are unchanged)."""
    groups: dict[tuple[str, str], list[Comparison]] = {}
    for r in family_control(rows):
        if r.claim:
            groups.setdefault((r.claim, r.variant), []).append(r)
    claim_order = {c: i for i, c in enumerate(dict.fromkeys(c for c, _ in groups))}
    variant_order = {v: i for i, v in enumerate(_VARIANT_ORDER)}
    keys = sorted(groups, key=lambda k: (claim_order[k[0]], variant_order.get(k[1], 99), k[1]))
    out = []
    for claim, variant in keys:
        rs = groups[(claim, variant)]
        roles = {r.role for r in rs}
        if len(roles) != 1:
            raise ValueError(
                f"rows of claim={claim!r}, variant={variant!r} have roles "
                f"{sorted(roles)}; allowed: one role per claim and variant"
            )
        counts = status_counts(rs)
        judged = [r for r in rs if r.status != "outside domain"]
        Ns = np.array([r.N for r in judged], float)
        zs = np.array([abs(r.z) for r in judged if math.isfinite(r.z)], float)
        rels = np.array([abs(r.rel_err) for r in judged if math.isfinite(r.rel_err)], float)
        k, k_se = math.nan, math.nan
        ok = [r for r in judged if math.isfinite(r.rel_err) and r.rel_err != 0]
        if len({r.N for r in ok}) >= 2:
            fit = fit_power_law(
                np.array([r.N for r in ok], float), np.array([abs(r.rel_err) for r in ok], float)
            )
            k, k_se = fit.exponent, fit.exponent_se
        out.append(
            ClaimVerdict(
                claim=claim,
                variant=variant,
                role=roles.pop(),
                verdict=_verdict_of(counts),
                counts=counts,
                N_min=float(Ns.min()) if Ns.size else math.nan,
                N_max=float(Ns.max()) if Ns.size else math.nan,
                worst_z=float(zs.max()) if zs.size else math.nan,
                max_rel=float(rels.max()) if rels.size else math.nan,
                convergence_exponent=float(k),
                convergence_se=float(k_se),
                outside=tuple(sorted({r.domain for r in rs if r.domain})),
                family_size=len(judged),
                family_alpha=judged[0].family_alpha if judged else 0.0,
                detectable=min((r.detectable for r in judged), default=math.nan),
            )
        )
    return Verdict(tuple(out), strict_paper=strict_paper)
