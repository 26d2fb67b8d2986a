"""Claims: one-sided statements about a statistic, judged by a Student t test over units.

The paper-claim experiments (regimes, seed 003, THEORY §6) state inequalities, not predicted
values; each becomes a :class:`Claim` judged by :func:`judge_claim` (a one-sided Student t
test at level :data:`CLAIM_ALPHA`, tasks or seeds as units; see
:mod:`validate.experiments.regimes` for the statistics of each claim), and a set of claims
has one verdict (:func:`claims_hold`, :func:`claims_verdict`) and one table
(:func:`claims_table`, :func:`claims_console`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .checks import bad_value
from .report import format_short as _fmt
from .stats import jsonable

__all__ = [
    "CLAIM_ALPHA",
    "Claim",
    "claims_console",
    "claims_hold",
    "claims_table",
    "claims_verdict",
    "finite_values",
    "judge_claim",
]

#: Level of the one-sided test of every claim.
CLAIM_ALPHA: float = 0.05


@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim of issue 6 with its statistic and one-sided test (module docstring).

    Attributes:
        name: id in :data:`CLAIM_NAMES` (or free for synthetic tests).
        text: the claim in words.
        statistic: what ``value`` is.
        value: the statistic (mean over units).
        se: its standard error (NaN when fewer than 2 units).
        n: number of units. unit: ``"tasks"``, ``"seeds"`` or ``"seed pairs"``.
        threshold: the claimed bound. direction: ``">"`` or ``"<"`` (value vs threshold).
        t: signed t statistic, positive when the data support the claim.
        t_crit: one-sided (1 − CLAIM_ALPHA) Student quantile; dof: its degrees of freedom.
        verdict: ``"PASS"`` (t ≥ t_crit), ``"FAIL"`` or ``"n/a"`` (no SE).
        per_task: the per-task statistic (for the table; unit ``tasks`` only).
    """

    name: str
    text: str
    statistic: str
    value: float
    se: float
    n: int
    unit: str
    threshold: float
    direction: str
    t: float
    t_crit: float
    dof: float
    verdict: str
    per_task: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.verdict == "PASS"

    @property
    def failed(self) -> bool:
        return self.verdict == "FAIL"

    def to_dict(self) -> dict[str, Any]:
        return jsonable(dataclasses.asdict(self))  # type: ignore[return-value]


def finite_values(a: Sequence[float]) -> np.ndarray:
    """The finite entries of ``a``, flattened, as a float array."""
    v = np.asarray(a, dtype=float).ravel()
    return v[np.isfinite(v)]


def judge_claim(
    name: str,
    text: str,
    statistic: str,
    per_task: Mapping[str, tuple[Sequence[float], Sequence[float] | None]],
    *,
    threshold: float,
    direction: str,
    unit: str = "seeds",
) -> Claim:
    """Judge one claim (module docstring, "Claims").

    Arguments:
        per_task: task → (samples, reference samples or None). With a reference the
            per-task statistic is mean(samples) − mean(reference) (a regime difference),
            else mean(samples). Non-finite samples are dropped.
        threshold, direction: the claim is ``value > threshold`` (``">"``) or ``<``.
        unit: name of the sampling unit within one task (``"seeds"``, ``"seed pairs"``).

    Returns:
        The :class:`Claim`; over ≥ 2 tasks the unit is the task.
    """
    from scipy import stats as sps

    if direction not in (">", "<"):
        raise bad_value("direction", direction, "'>', '<'")
    if not per_task:
        raise bad_value("per_task", per_task, "a non-empty mapping task -> (samples, reference)")
    sgn = 1.0 if direction == ">" else -1.0
    stat: dict[str, float] = {}
    for task, (a, b) in per_task.items():
        fa = finite_values(a)
        fb = None if b is None else finite_values(b)
        if fa.size == 0 or (fb is not None and fb.size == 0):
            continue
        stat[task] = float(fa.mean() - (0.0 if fb is None else fb.mean()))
    value, se, n, dof, used_unit = math.nan, math.nan, 0, math.nan, "tasks"
    if len(stat) >= 2:
        vals = np.array(list(stat.values()))
        n = vals.size
        value = float(vals.mean())
        se = float(vals.std(ddof=1) / math.sqrt(n))
        dof = float(n - 1)
    elif len(stat) == 1:
        (task,) = stat
        a, b = per_task[task]
        fa = finite_values(a)
        fb = None if b is None else finite_values(b)
        value, used_unit = stat[task], unit
        n = fa.size if fb is None else min(fa.size, fb.size)
        if fb is None and fa.size >= 2:
            se, dof = float(fa.std(ddof=1) / math.sqrt(fa.size)), float(fa.size - 1)
        elif fb is not None and fa.size >= 2 and fb.size >= 2:
            va, vb = fa.var(ddof=1) / fa.size, fb.var(ddof=1) / fb.size
            se = float(math.sqrt(va + vb))
            # Welch–Satterthwaite degrees of freedom
            den = va**2 / (fa.size - 1) + vb**2 / (fb.size - 1)
            dof = float((va + vb) ** 2 / den) if den > 0 else float(fa.size + fb.size - 2)
    if math.isfinite(se) and se > 0:
        t = sgn * (value - threshold) / se
        t_crit = float(sps.t.ppf(1 - CLAIM_ALPHA, dof))
        verdict = "PASS" if t >= t_crit else "FAIL"
    elif math.isfinite(se) and se == 0 and math.isfinite(value):
        # identical units: the sign of the difference decides (no sampling spread)
        t = math.copysign(math.inf, sgn * (value - threshold)) if value != threshold else 0.0
        t_crit = float(sps.t.ppf(1 - CLAIM_ALPHA, dof))
        verdict = "PASS" if t > 0 else "FAIL"
    else:
        t, t_crit, verdict = math.nan, math.nan, "n/a"
    return Claim(
        name=name,
        text=text,
        statistic=statistic,
        value=value,
        se=se,
        n=int(n),
        unit=used_unit,
        threshold=float(threshold),
        direction=direction,
        t=float(t),
        t_crit=t_crit,
        dof=dof,
        verdict=verdict,
        per_task=stat,
    )


def claims_table(claims: Sequence[Claim]) -> tuple[str, list[str], list[list[str]]]:
    """(caption, header, rows of cells) of the claims table (report and console)."""
    header = [
        "claim",
        "statistic",
        "value ± SE",
        "n (unit)",
        "claimed",
        "t",
        "t crit (dof)",
        "verdict",
    ]
    body = [
        [
            c.text,
            c.statistic,
            f"{_fmt(c.value)} ± {_fmt(c.se, 2)}",
            f"{c.n} ({c.unit})",
            f"{c.direction} {_fmt(c.threshold)}",
            _fmt(c.t),
            f"{_fmt(c.t_crit)} ({_fmt(c.dof, 2)})",
            c.verdict,
        ]
        for c in claims
    ]
    caption = (
        f"Claims of issue 6: one-sided Student t test at level {CLAIM_ALPHA:g} "
        "(t = ±(value − threshold)/SE; PASS when t ≥ t crit)"
    )
    return caption, header, body


def claims_console(claims: Sequence[Claim]) -> str:
    """The claims table as aligned plain-text columns (for the command line)."""
    _, header, body = claims_table(claims)
    lines = [header] + body
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def claims_hold(claims: Sequence[Claim]) -> bool:
    """The experiment's verdict: at least one claim passed and none failed (``n/a`` claims
    are not failures)."""
    return any(c.passed for c in claims) and not any(c.failed for c in claims)


def claims_verdict(claims: Sequence[Claim]) -> str:
    """``"PASS"`` when :func:`claims_hold`, else ``"FAIL"``; with counts."""
    n_pass = sum(c.passed for c in claims)
    n_fail = sum(c.failed for c in claims)
    n_na = len(claims) - n_pass - n_fail
    ok = claims_hold(claims)
    extra = f", {n_na} n/a" if n_na else ""
    return f"{'PASS' if ok else 'FAIL'} ({n_pass} of {len(claims)} claims hold{extra})"
