r"""One comparison rule between a theory number and simulated samples.

Every row of every validation report goes through :func:`compare` (or
:func:`compare_estimate` when the estimate and its standard error are
computed elsewhere, e.g. a regression slope). Both end in the same private
judge, so the rule below exists once.

The rule
--------
For a theory value ``T``, a simulation estimate ``m`` with standard error
``se`` on ``dof`` degrees of freedom (n − 1 for n seeds, trials or time blocks)::

    z          = (m - T) / se
    rel_err    = (m - T) / scale        (scale = |T| unless a row states another natural
                                         scale, e.g. sqrt(Σ11 Σ22) for Σ12)
    z_crit     = Student-t quantile at two-sided level P_ROW with dof degrees of freedom
                 (P_ROW = 6.3·10⁻⁵, the level of |z| ≤ Z_MAX = 4 for a Gaussian estimate)
    detectable = z_crit · se / scale    (the smallest relative error the row can see)
    tolerance  = the row's declared model error (relative; 0 unless the theory variant
                 declares the size of the terms it neglects at this point)

    p          = two-sided Student-t p-value of z with dof degrees of freedom

    status = "outside domain"  when the row's point lies outside the theory's domain
                               (declared before simulating, or switching detected)
           = "fail"            when p ≤ the row's level (|z| > z_crit) and |rel_err| > tolerance
           = "undetermined"    when a time-block SE comes from a series shorter than
                               MIN_SERIES_TAUS (= 50) integrated autocorrelation times
                               (before the fail test: such an SE cannot be trusted), or
                               otherwise when detectable > MAX_DETECTABLE (= 10 %)
           = "pass"            otherwise

Families. The rows of one claim × theory variant form a family of m rows inside the domain
(:func:`family_control`): their levels come from Holm's step-down at the family-wise level
α_fam = min(FAMILY_ALPHA, m·P_ROW) (FAMILY_ALPHA = 10⁻³): sorted by p, the k-th row is
compared with α_fam/(m − k + 1), and a row fails only if every row before it did. A correct
theory then fails *some* row of a claim with probability ≤ α_fam, whatever m, and a report
with families F fails some row by chance with probability ≤ Σ_F α_fam (its chance-failure
budget, printed beside the verdict). ``z_crit`` is the row's step level; ``detectable`` uses
the strictest level α_fam/m (what the row can see for sure). A row without a claim is a
family of one: α_fam = P_ROW, the per-row rule above.

Why. A correct theory fails a row only by noise, with probability P_ROW whatever the
number of seeds (the Student quantile, not the Gaussian one: with 3 seeds |z| ≤ 4 would
fail a correct theory in 1.6 % of rows). A pass must mean something: a row whose standard
error could not reveal a 10 % miss is *undetermined*, never a pass, so no row passes with a
large relative error at small N or with few seeds. The only systematic allowance is the
variant's own declared neglected term (``tolerance``; e.g. the O(D/ΔV) terms of the
linear-noise approximation, :mod:`meanfield.switching`), which the row states; nothing
grows with 1/√N by default. Neither constant is adjusted per row or per experiment.

Standard errors
---------------
``se_kind`` names where the error bar comes from:

* ``"seeds"``: independent networks / training seeds; ``se = sd/√n``.
* ``"trials"``: independent trials of one network; ``se = sd/√n``.
* ``"time blocks"``: one correlated time series; batch means over blocks
  longer than the integrated autocorrelation time (:func:`block_se`); dof = blocks − 1.
  Blocks shorter than BLOCK_FACTOR·τ̂ (a series under 100 τ̂) are named in the row's note
  (the SE is then low by about τ̂/(2b)); a series under MIN_SERIES_TAUS·τ̂ is "too short to
  judge" (undetermined; τ̂ itself is biased low there).

Calibration (tests/validate/core/test_calibration.py, benchmarks/calibration.py): on
replicate data with exact truth the z of a seed row follows Student's t with n − 1 dof, so
for Gaussian seed values the false-fail rate of a correct theory is the stated level at every
number of seeds: measured 6.31, 6.40, 6.20, 6.24 (± 0.25)·10⁻⁵ at 2, 3, 4, 8 seeds against
P_ROW = 6.33·10⁻⁵ (10⁷ replicates; the Gaussian |z| ≤ 4 would give 0.16, 0.057, 0.028,
0.005). The assumption is the Gaussian: t tests of skewed values are anti-conservative far in
the tail (lognormal seed values with log-SD 0.5: 1.3, 1.9, 3.0, 12 × P_ROW; log-SD 1: 2–160 ×),
so rows of strongly skewed quantities should be judged on a scale where they are close to
Gaussian (as the ratio claims are, on a log scale).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from jaxtyping import Float

from . import checks

__all__ = [
    "FAMILY_ALPHA",
    "FINITE_SIZE_C",
    "MAX_DETECTABLE",
    "MIN_SERIES_TAUS",
    "P_ROW",
    "SE_KINDS",
    "STATUSES",
    "Z_MAX",
    "Comparison",
    "all_passed",
    "block_info",
    "block_length",
    "block_se",
    "compare",
    "compare_estimate",
    "compare_ratio",
    "chance_budget",
    "critical_z",
    "family_control",
    "finite_size_bound",
    "integrated_autocorr_time",
    "p_value",
    "unbiased_loss_split",
    "jsonable",
    "status_counts",
]

#: Largest accepted |z| for a Gaussian estimate (two-sided tail 6.3·10⁻⁵); with a finite
#: number of units the same level is applied through Student's t (:data:`P_ROW`).
Z_MAX: float = 4.0
#: Per-row two-sided false-fail level of a correct theory: 2·(1 − Φ(Z_MAX)).
P_ROW: float = math.erfc(Z_MAX / math.sqrt(2.0))
#: Family-wise false-fail level of one claim × theory variant (:func:`family_control`).
FAMILY_ALPHA: float = 1e-3
#: A time-block row whose series is shorter than this many τ̂ is "too short to judge".
MIN_SERIES_TAUS: float = 50.0
#: A row passes only if it could have detected a relative error this large.
MAX_DETECTABLE: float = 0.10
#: Coefficient of :func:`finite_size_bound` (``FINITE_SIZE_C/√N``): an allowance a row may
#: choose explicitly as its ``tolerance`` (e.g. "the trained output misses at most 3/√N of
#: the target power"); no longer part of the default rule.
FINITE_SIZE_C: float = 3.0
#: Row statuses, in the order of the module docstring.
STATUSES: tuple[str, ...] = ("outside domain", "fail", "undetermined", "pass")
#: Allowed sources of the standard error.
SE_KINDS: tuple[str, ...] = ("seeds", "trials", "time blocks")
SeKind = Literal["seeds", "trials", "time blocks"]

#: Sokal's automatic window: smallest W with W >= SOKAL_C * tau_int(W).
SOKAL_C: float = 5.0
#: Block length in units of tau_int. Batch means underestimate Var(mean) by a
#: relative ~tau_int/(2 b) (AR(1) algebra), i.e. 5 % for b = 10 tau_int.
BLOCK_FACTOR: float = 10.0
#: Fewest blocks used; below this the block length is shortened (and the SE is
#: then biased low by about tau_int/(2 b), which the info says).
MIN_BLOCKS: int = 10


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One row of a validation table (see the module docstring for the rule).

    Attributes:
        quantity: name of the compared quantity (free text, e.g. ``"L_var"``).
        theory: theory value (mean of per-sample theory values for paired rows).
        sim_mean: simulation estimate.
        sim_se: its standard error (``nan`` when it cannot be estimated).
        n: number of independent samples (seeds, trials or time blocks).
        se_kind: ``"seeds"``, ``"trials"`` or ``"time blocks"``.
        z: ``(sim_mean - theory) / sim_se``.
        rel_err: ``(sim_mean - theory) / scale``.
        tolerance: the declared relative model error of the theory at this point.
        passed: ``status == "pass"``.
        N: network size of the row.
        experiment: which experiment the row belongs to (``"static"``, ...).
        setting: short text of the parameters of the row (e.g. ``"λ₊=1.9"``).
        note: free text (e.g. what the scale of ``rel_err`` is).
        dof: degrees of freedom of ``sim_se``. z_crit: the row's critical |z|.
        detectable: smallest relative error the row can detect (``z_crit·se/scale``).
        status: one of :data:`STATUSES`. domain: why the row is outside the theory's
            domain ("" inside).
        claim: what the row tests (e.g. ``"L_var of a given M"``). variant: the theory
            variant (e.g. ``"dt + Hermite"``). role: ``"prediction"`` (the package's own
            theory: counts for the exit status) or ``"finding"`` (the paper's theory or
            hypothesis: reported).
    """

    quantity: str
    theory: float
    sim_mean: float
    sim_se: float
    n: int
    se_kind: str
    z: float
    rel_err: float
    tolerance: float
    passed: bool
    N: int
    experiment: str = ""
    setting: str = ""
    note: str = ""
    dof: float = math.nan
    z_crit: float = math.nan
    detectable: float = math.nan
    status: str = "pass"
    domain: str = ""
    claim: str = ""
    variant: str = ""
    role: str = "prediction"
    p_value: float = math.nan
    family_size: int = 1
    family_alpha: float = P_ROW
    too_short: bool = False
    scale: float = math.nan

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly dict (non-finite floats become ``None``)."""
        out: dict[str, object] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            out[field.name] = value
        return out

    def tagged(
        self,
        *,
        claim: str | None = None,
        variant: str | None = None,
        role: str | None = None,
        tolerance: float | None = None,
        domain: str | None = None,
    ) -> Comparison:
        """The same row with its claim / variant / role set and, if given, a new tolerance or
        domain (the status is judged again by the one rule)."""
        row = dataclasses.replace(
            self,
            claim=self.claim if claim is None else claim,
            variant=self.variant if variant is None else variant,
            role=self.role if role is None else role,
        )
        if tolerance is None and domain is None:
            return row
        return _rejudged(
            row, tolerance=None if tolerance is None else float(tolerance), domain=domain
        )


def finite_size_bound(N: float) -> float:
    """Relative-error allowance ``FINITE_SIZE_C / sqrt(N)`` (module docstring)."""
    if not (np.isfinite(N) and N >= 1):
        raise ValueError(f"N must be a finite number >= 1, got N={N!r}")
    return FINITE_SIZE_C / math.sqrt(float(N))


def _check_se_kind(se_kind: str) -> None:
    if se_kind not in SE_KINDS:
        raise ValueError(f"se_kind must be one of {SE_KINDS}, got se_kind={se_kind!r}")


def critical_z(dof: float, level: float = P_ROW) -> float:
    """The two-sided critical |z| at ``level`` (default :data:`P_ROW`): Student's t with
    ``dof`` degrees of freedom (the Gaussian quantile for infinite dof — ``Z_MAX`` at
    P_ROW; ``inf`` below 1 dof)."""
    if not (0 < level < 1):
        raise ValueError(f"level={level!r} is not allowed; allowed: 0 < level < 1")
    if dof < 1 or math.isnan(dof):
        return math.inf
    return _critical_z(float(dof), float(level))


@functools.lru_cache(maxsize=4096)
def _critical_z(dof: float, level: float) -> float:
    from scipy import special

    if not math.isfinite(dof):
        return Z_MAX if level == P_ROW else float(-special.ndtri(level / 2.0))
    return float(-special.stdtrit(dof, level / 2.0))


def p_value(z: float, dof: float) -> float:
    """Two-sided p-value of ``z`` under Student's t with ``dof`` degrees of freedom (the
    Gaussian for infinite dof; 1 below 1 dof, NaN for NaN z, 0 for infinite z)."""
    if math.isnan(z):
        return math.nan
    if math.isinf(z):
        return 0.0
    if not math.isfinite(dof):
        return math.erfc(abs(z) / math.sqrt(2.0)) if dof > 0 else 1.0
    if dof < 1:
        return 1.0
    from scipy import special

    return float(2.0 * special.stdtr(dof, -abs(z)))


def _status(
    theory: float,
    estimate: float,
    significant: bool,
    rel_err: float,
    detectable: float,
    tolerance: float,
    domain: str,
    too_short: bool = False,
) -> str:
    """The rule of the module docstring (the only place it is written)."""
    if domain:
        return "outside domain"
    if not (np.isfinite(estimate) and np.isfinite(theory)):
        return "fail"
    if too_short:  # the SE itself cannot be trusted: neither fail nor pass
        return "undetermined"
    if significant and abs(rel_err) > tolerance:
        return "fail"
    if not (detectable <= MAX_DETECTABLE):
        return "undetermined"
    return "pass"


def _significant(z: float, z_crit: float) -> bool:
    """|z| beyond the critical value (an infinite z, from a zero SE, always is)."""
    return bool(np.isfinite(z) and abs(z) > z_crit) or bool(np.isinf(z))


def _detectable(z_crit: float, se: float, scale_value: float) -> float:
    if np.isfinite(se) and se >= 0 and scale_value > 0:
        return z_crit * float(se) / scale_value if se > 0 else 0.0
    return math.inf


def _rejudged(
    row: Comparison,
    *,
    tolerance: float | None = None,
    domain: str | None = None,
    level: float | None = None,
    strict_level: float | None = None,
    significant: bool | None = None,
    family_size: int | None = None,
    family_alpha: float | None = None,
) -> Comparison:
    """``row`` with its status judged again (new tolerance / domain, or a family's levels:
    ``level`` the row's step level, ``strict_level`` the level of ``detectable``,
    ``significant`` the family's decision)."""
    tol = row.tolerance if tolerance is None else tolerance
    dom = row.domain if domain is None else domain
    z_crit, detectable = row.z_crit, row.detectable
    if level is not None:
        z_crit = critical_z(row.dof, level)
    if strict_level is not None:
        detectable = _detectable(critical_z(row.dof, strict_level), row.sim_se, row.scale)
    if significant is None:
        significant = _significant(row.z, z_crit)
    status = _status(
        row.theory, row.sim_mean, significant, row.rel_err, detectable, tol, dom, row.too_short
    )
    return dataclasses.replace(
        row,
        tolerance=tol,
        domain=dom,
        z_crit=z_crit,
        detectable=float(detectable),
        status=status,
        passed=status == "pass",
        family_size=row.family_size if family_size is None else int(family_size),
        family_alpha=row.family_alpha if family_alpha is None else float(family_alpha),
    )


def family_control(rows: Sequence[Comparison], *, alpha: float = FAMILY_ALPHA) -> list[Comparison]:
    """Judge each claim × variant family of ``rows`` by Holm's step-down (module docstring).

    Rows without a claim are families of one (unchanged). Rows outside the domain and rows
    too short to judge are not in a family's m. Idempotent; the order of ``rows`` is kept.

    Arguments:
        rows: comparison rows (from :func:`compare` / :func:`compare_estimate`).
        alpha: the largest family-wise false-fail level (the family's level is
            ``min(alpha, m·P_ROW)``).

    Returns:
        The rows with ``z_crit``, ``detectable``, ``status``, ``family_size`` and
        ``family_alpha`` set by their family.
    """
    if not (0 < alpha < 1):
        raise ValueError(f"alpha={alpha!r} is not allowed; allowed: 0 < alpha < 1")
    out = list(rows)
    families: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(out):
        if r.claim and not r.domain and not r.too_short:
            families.setdefault((r.claim, r.variant), []).append(i)
    for idx in families.values():
        m = len(idx)
        a_fam = min(alpha, m * P_ROW)
        ps = [out[i].p_value for i in idx]
        order = sorted(range(m), key=lambda j: (math.isnan(ps[j]), ps[j]))
        still = True  # Holm: reject in order while every earlier row was rejected
        for k, j in enumerate(order):
            level = a_fam / (m - k)
            p = ps[j]
            reject = still and not math.isnan(p) and p <= level
            still = reject
            out[idx[j]] = _rejudged(
                out[idx[j]],
                level=level,
                strict_level=a_fam / m,
                significant=reject,
                family_size=m,
                family_alpha=a_fam,
            )
    return out


def chance_budget(rows: Sequence[Comparison]) -> dict[str, float]:
    """The report's chance-failure budget (module docstring, "Families").

    Returns ``{"families": F, "bound": Σ_F α_fam, "expected_rows": Σ_rows level}``: F the
    number of families with a row inside the domain (rows without a claim count one each),
    ``bound`` the upper bound on the probability that a correct theory fails some row by
    chance (union bound over families; ≥ 1 means no useful bound), ``expected_rows`` the
    expected number of rows a correct theory fails by chance (at most; Bonferroni levels).
    """
    fams: dict[object, float] = {}
    expected = 0.0
    for i, r in enumerate(rows):
        if r.domain or r.too_short:
            continue
        key = (r.claim, r.variant) if r.claim else ("", i)
        fams[key] = r.family_alpha
        expected += r.family_alpha / max(r.family_size, 1)
    return {
        "families": float(len(fams)),
        "bound": float(sum(fams.values())),
        "expected_rows": float(expected),
    }


def _require_finite_samples(quantity: str, name: str, x: np.ndarray) -> None:
    """ValueError naming the first non-finite sample: a diverged or broken simulation is a
    failure of the run, to be reported as such, not a row that fails the theory."""
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ValueError(
            f"{name} for {quantity!r} contain {bad.size} non-finite value(s) "
            f"(first at index {bad[0]}: {x[bad[0]]!r}); allowed: finite samples"
        )


def _judge(
    quantity: str,
    theory: float,
    estimate: float,
    se: float,
    n: int,
    *,
    se_kind: str,
    N: float,
    scale: float | None,
    experiment: str,
    setting: str,
    note: str,
    tolerance: float = 0.0,
    domain: str = "",
    dof: float | None = None,
    too_short: bool = False,
) -> Comparison:
    """z, relative error, critical value and detectable error of a row, then :func:`_status`.

    A non-finite theory value (the theory has no number here) puts the row outside the domain
    with that reason, unless a domain reason is given already; a negative SE, a non-finite
    estimate of a finite theory, or a count that is not an integer ≥ 1 is an error (a bug of
    the caller or a broken run, not a fail of the theory).
    """
    _check_se_kind(se_kind)
    n = checks.integer(n, "n", 1)
    theory = checks.real(theory, "theory", allow_nan=True)
    estimate = checks.real(estimate, "estimate", allow_nan=True)
    se = checks.real(se, "se", low=0.0, allow_nan=True)
    N = checks.real_scalar(N, "N", "a finite number >= 1")
    if not np.isfinite(theory):
        domain = domain or "the theory gives no value here (non-finite)"
    elif not np.isfinite(estimate):
        raise ValueError(
            f"the estimate of {quantity!r} is {estimate!r}; allowed: a finite "
            "number (check the samples)"
        )
    if not (np.isfinite(N) and N >= 1):
        raise ValueError(f"N={N!r} is not allowed; allowed: a finite number >= 1")
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance={tolerance!r} is not allowed; allowed: a finite number >= 0")
    diff = float(estimate) - float(theory)
    scale_value = abs(float(theory)) if scale is None else abs(float(scale))
    if diff == 0.0:
        z = 0.0
        rel_err = 0.0
    else:
        z = (
            diff / se
            if (np.isfinite(se) and se > 0)
            else (math.copysign(math.inf, diff) if se == 0 else math.nan)
        )
        rel_err = diff / scale_value if scale_value > 0 else math.copysign(math.inf, diff)
    dof_value = float(n - 1) if dof is None else float(dof)
    z_crit = critical_z(dof_value)
    detectable = _detectable(z_crit, se, scale_value)
    status = _status(
        float(theory),
        float(estimate),
        _significant(z, z_crit),
        float(rel_err),
        detectable,
        float(tolerance),
        domain,
        too_short,
    )
    return Comparison(
        quantity=quantity,
        theory=float(theory),
        sim_mean=float(estimate),
        sim_se=float(se),
        n=int(n),
        se_kind=se_kind,
        z=float(z),
        rel_err=float(rel_err),
        tolerance=float(tolerance),
        passed=status == "pass",
        N=int(N),
        experiment=experiment,
        setting=setting,
        note=note,
        dof=dof_value,
        z_crit=z_crit,
        detectable=float(detectable),
        status=status,
        domain=domain,
        p_value=p_value(float(z), dof_value),
        too_short=bool(too_short),
        scale=float(scale_value),
    )


def compare_estimate(
    quantity: str,
    theory: float,
    estimate: float,
    se: float,
    n: int,
    *,
    se_kind: SeKind,
    N: float,
    scale: float | None = None,
    experiment: str = "",
    setting: str = "",
    note: str = "",
    tolerance: float = 0.0,
    domain: str = "",
    dof: float | None = None,
) -> Comparison:
    """Judge a precomputed estimate ± standard error against a theory value.

    Same rule as :func:`compare`; use it when the estimate is not a plain
    sample mean (e.g. a fitted slope with its regression standard error, ``dof`` = the
    regression's residual degrees of freedom; default n − 1).
    """
    return _judge(
        quantity,
        theory,
        estimate,
        se,
        n,
        se_kind=se_kind,
        N=N,
        scale=scale,
        experiment=experiment,
        setting=setting,
        note=note,
        tolerance=tolerance,
        domain=domain,
        dof=dof,
    )


def compare(
    quantity: str,
    theory: float | Float[np.ndarray, " n"],
    samples: Float[np.ndarray, " n"] | Sequence[float],
    *,
    se_kind: SeKind,
    N: float,
    scale: float | None = None,
    experiment: str = "",
    setting: str = "",
    note: str = "",
    tolerance: float = 0.0,
    domain: str = "",
) -> Comparison:
    """Compare simulated samples of a quantity with its theory value.

    Arguments:
        quantity: name of the quantity.
        theory: scalar theory value, or one theory value per sample (paired
            comparison: the rule is applied to the per-sample differences and
            the reported theory is their mean; used when each seed has its own
            prediction, e.g. from its own trained λ₋).
        samples: 1-D samples. For ``"seeds"``/``"trials"`` they are treated as
            independent; for ``"time blocks"`` as one correlated time series
            whose standard error comes from :func:`block_se`.
        se_kind: ``"seeds"``, ``"trials"`` or ``"time blocks"``.
        N: network size of the row.
        scale: scale of the relative error; default ``|theory|``.
        tolerance: the theory's declared relative model error at this point (default 0).
        domain: why the point is outside the theory's domain ("" inside).

    Returns:
        A :class:`Comparison` row.
    """
    _check_se_kind(se_kind)
    x = checks.array(samples, "samples", finite=False, min_size=0).ravel()
    if x.size == 0:
        raise ValueError(f"samples for {quantity!r} must be non-empty, got size 0")
    _require_finite_samples(quantity, "samples", x)
    th = checks.array(theory, "theory", finite=False)
    if th.ndim == 0:
        resid = x - float(th)
        theory_value = float(th)
    else:
        th = th.ravel()
        if th.shape != x.shape:
            raise ValueError(
                f"theory for {quantity!r} must be a scalar or match samples' shape {x.shape}, "
                f"got shape {th.shape}"
            )
        resid = x - th
        theory_value = float(np.mean(th))
    too_short = False
    if se_kind == "time blocks":
        se = float(block_se(resid, axis=0))
        tau = float(integrated_autocorr_time(resid))
        b, n = block_info(resid.size, tau)
        extra = ""
        if resid.size < MIN_SERIES_TAUS * tau:
            too_short = True
            extra = (
                f"too short to judge: {resid.size} samples = {resid.size / tau:.3g} τ̂ "
                f"< {MIN_SERIES_TAUS:g} τ̂"
            )
        elif b < BLOCK_FACTOR * tau:
            extra = (
                f"blocks shortened to {b} samples = {b / tau:.3g} τ̂ < {BLOCK_FACTOR:g} τ̂ "
                f"(SE low by ≈ {tau / (2 * b):.0%})"
            )
        note = "; ".join(x for x in (note, extra) if x)
    else:
        n = x.size
        se = float(np.std(resid, ddof=1) / math.sqrt(n)) if n >= 2 else math.nan
    estimate = theory_value + float(np.mean(resid))
    return _judge(
        quantity,
        theory_value,
        estimate,
        se,
        n,
        se_kind=se_kind,
        N=N,
        scale=scale,
        experiment=experiment,
        setting=setting,
        note=note,
        tolerance=tolerance,
        domain=domain,
        too_short=too_short,
    )


def compare_ratio(
    quantity: str,
    theory: float,
    numerators: Float[np.ndarray, " n"] | Sequence[float],
    denominators: Float[np.ndarray, " n"] | Sequence[float],
    *,
    N: float,
    experiment: str = "",
    setting: str = "",
    note: str = "",
    tolerance: float = 0.0,
    domain: str = "",
) -> Comparison:
    r"""Compare a ratio of population means E[a]/E[b] with its theory value, over seeds.

    The mean of per-seed ratios a_i/b_i is biased for E[a]/E[b] by a term that does not
    shrink with the number of seeds (Jensen; e.g. ρ = |κ̄₁|/‖κ̄‖ when κ̄₁ spreads across
    networks as much as its mean). The ratio of means R̂ = ā/b̄ is consistent; with
    r_i = a_i − R̂ b_i, to second order in the fluctuations

        E[R̂] − R = (R Var b − Cov(a, b)) / (n E[b]²),    Var R̂ = Var(r) / (n E[b]²),

    so the estimate is R̂ minus the plug-in bias (sample moments, ddof 1) and the SE
    ``sd(r)/(√n |b̄|)`` on n − 1 dof (``se_kind="seeds"``).

    Arguments:
        numerators, denominators: per-seed a_i and b_i, 1-D of equal size n ≥ 2, b̄ ≠ 0.
        Others: as :func:`compare_estimate`.
    """
    a = checks.array(numerators, "numerators", finite=False, min_size=0).ravel()
    b = checks.array(denominators, "denominators", finite=False, min_size=0).ravel()
    if a.shape != b.shape or a.size < 2:
        raise ValueError(
            f"numerators and denominators for {quantity!r} must be 1-D of equal "
            f"size >= 2, got sizes {a.size} and {b.size}"
        )
    _require_finite_samples(quantity, "numerators", a)
    _require_finite_samples(quantity, "denominators", b)
    n = a.size
    bbar = float(b.mean())
    if not (np.isfinite(bbar) and bbar != 0):
        raise ValueError(
            f"denominators for {quantity!r} must have a finite non-zero mean, got {bbar!r}"
        )
    ratio = float(a.mean()) / bbar
    bias = (ratio * float(np.var(b, ddof=1)) - float(np.cov(a, b, ddof=1)[0, 1])) / (n * bbar**2)
    resid = a - ratio * b
    se = float(np.std(resid, ddof=1) / (math.sqrt(n) * abs(bbar)))
    return _judge(
        quantity,
        theory,
        ratio - bias,
        se,
        n,
        se_kind="seeds",
        N=N,
        scale=None,
        experiment=experiment,
        setting=setting,
        note="; ".join(x for x in (note, "ratio of means (bias-corrected)") if x),
        tolerance=tolerance,
        domain=domain,
    )


def integrated_autocorr_time(
    x: Float[np.ndarray, ...], axis: int = 0
) -> float | Float[np.ndarray, ...]:
    r"""Integrated autocorrelation time of series along ``axis``.

    ``tau_int = 1 + 2 Σ_{k=1}^{W} ρ(k)`` with the empirical autocorrelation
    ``ρ`` (FFT, biased estimator) and Sokal's automatic window: the smallest
    ``W`` with ``W >= 5·tau_int(W)``. Convention: ``Var(mean) ≈ Var(x)·tau_int/n``
    (``tau_int = (1+φ)/(1-φ)`` for an AR(1) series with coefficient φ); ``1``
    for uncorrelated samples. Clipped below at 1 (anticorrelation is treated
    as none, which keeps the SE conservative).

    Returns an array of the other axes' shape (a float for 1-D input).
    """
    a = np.moveaxis(checks.array(x, "x"), axis, 0)
    n = a.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 samples along axis {axis}, got {n}")
    flat = a.reshape(n, -1)
    centred = flat - flat.mean(axis=0)
    nfft = 1 << int(math.ceil(math.log2(2 * n)))
    spec = np.fft.rfft(centred, n=nfft, axis=0)
    acov = np.fft.irfft(spec * np.conj(spec), n=nfft, axis=0)[:n] / n
    var = acov[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(var > 0, acov / np.where(var > 0, var, 1.0), 0.0)
    taus = 1.0 + 2.0 * np.cumsum(rho[1:], axis=0)  # tau(W) for W = 1..n-1
    windows = np.arange(1, n)[:, None]
    ok = windows >= SOKAL_C * taus
    has = ok.any(axis=0)
    first = np.where(has, ok.argmax(axis=0), n - 2)
    tau = taus[first, np.arange(flat.shape[1])] if n > 1 else np.ones(flat.shape[1])
    tau = np.maximum(tau, 1.0)
    tau = np.where(var > 0, tau, 1.0)
    out = tau.reshape(a.shape[1:])
    return float(out) if out.ndim == 0 else out


def block_info(n: int, tau_int: float) -> tuple[int, int]:
    """Block length and number of blocks used by :func:`block_se` for ``n`` samples."""
    b = int(math.ceil(BLOCK_FACTOR * tau_int))
    if n // b < MIN_BLOCKS:
        b = max(1, n // MIN_BLOCKS)
    return b, n // b


def block_length(x: Float[np.ndarray, " n"]) -> int:
    """Block length :func:`block_se` would use for the 1-D series ``x``."""
    x = np.asarray(x, dtype=float).ravel()
    return block_info(x.size, float(integrated_autocorr_time(x)))[0]


def block_se(x: Float[np.ndarray, ...], axis: int = 0) -> float | Float[np.ndarray, ...]:
    r"""Standard error of the mean of correlated series by batch means.

    Along ``axis`` each series is cut into ``n_b`` consecutive blocks of length
    ``b = ceil(10·tau_int)`` (``tau_int`` from :func:`integrated_autocorr_time`,
    per series; shortened so that ``n_b ≥ 10``); the trailing remainder is
    dropped. ``SE = sd(block means, ddof=1)/sqrt(n_b)``. For an AR(1) series the
    expected relative bias of ``SE²`` is about ``-tau_int/(2b)`` (−5 % here).

    Arguments:
        x: array with the time axis ``axis`` (at least 20 samples).
        axis: time axis.

    Returns:
        Standard errors with the other axes' shape (a float for 1-D input).
    """
    a = np.moveaxis(checks.array(x, "x"), axis, 0)
    n = a.shape[0]
    if n < 2 * MIN_BLOCKS:
        raise ValueError(
            f"block_se needs at least {2 * MIN_BLOCKS} samples along axis {axis}, got {n}"
        )
    flat = a.reshape(n, -1)
    tau = np.atleast_1d(integrated_autocorr_time(flat, axis=0))
    lengths = np.array([block_info(n, float(t))[0] for t in tau])
    se = np.empty(flat.shape[1])
    for b in np.unique(lengths):  # a few distinct block lengths, not a loop over time
        cols = np.flatnonzero(lengths == b)
        nb = n // b
        means = flat[: nb * b, cols].reshape(nb, b, cols.size).mean(axis=1)
        se[cols] = means.std(axis=0, ddof=1) / math.sqrt(nb)
    out = se.reshape(a.shape[1:])
    return float(out) if out.ndim == 0 else out


def status_counts(rows: Sequence[Comparison]) -> dict[str, int]:
    """Rows per status, every status of :data:`STATUSES` present (0 when none)."""
    return {st: sum(r.status == st for r in rows) for st in STATUSES}


def all_passed(rows: Sequence[Comparison]) -> bool:
    """True when no row failed and at least one passed (rows outside the domain or
    undetermined are neither)."""
    return any(r.status == "pass" for r in rows) and not any(r.status == "fail" for r in rows)


def unbiased_loss_split(
    loss_bias: Float[np.ndarray, ...] | float,
    loss_var: Float[np.ndarray, ...] | float,
    trials_per_condition: int,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Unbiased population L_bias and L_var from one batch's split (THEORY §1).

    On a batch with ``B`` independent trials per condition, the batch split uses the
    batch mean z̄_B, so (per time step, exactly in expectation for independent trials
    with population mean μ and variance v)::

        E[L_var,batch]  = v (B − 1)/B
        E[L_bias,batch] = (μ − ẑ)² + v/B

    Hence ``L_var = L_var,batch·B/(B−1)`` and
    ``L_bias = L_bias,batch − L_var,batch/(B−1)`` are unbiased for the population
    quantities the theory describes (the second can be negative on one batch; its
    mean over batches is what is compared). Arrays broadcast; returns
    ``(loss_bias, loss_var)`` as float arrays.
    """
    B = trials_per_condition
    if isinstance(B, bool) or not isinstance(B, (int, np.integer)) or B < 2:
        raise ValueError(f"trials_per_condition={B!r} is not allowed; must be an integer >= 2")
    lb = np.asarray(loss_bias, dtype=float)
    lv = np.asarray(loss_var, dtype=float)
    return lb - lv / (B - 1), lv * B / (B - 1)


def jsonable(obj: object) -> object:
    """``obj`` with numpy arrays/scalars as lists/floats and non-finite floats as ``None``
    (strict JSON; used by the experiments' ``summary()``). Dicts, lists and tuples recurse."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (np.integer, np.bool_)):
        return obj.item()
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    return obj
