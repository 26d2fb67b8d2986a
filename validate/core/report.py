r"""The validation report: ``report.md``, ``report.html`` and ``report.json``.

:func:`write_report` turns a list of :class:`Section` (one per experiment:
its :class:`~validate.core.stats.Comparison` rows, figures and a short text) into a
report directory:

* ``report.md``   — Markdown: title, overall PASS/FAIL line, the pass rule
  (stated once, built from :data:`validate.core.stats.Z_MAX` and
  :data:`validate.core.stats.FINITE_SIZE_C`, never retyped), one summary table per
  experiment (setting, quantity, theory, simulation mean ± SE, SE kind (n), z,
  relative error, bound, pass), the failing rows with their notes, the figures
  (PNG files beside the report, linked) and the run metadata;
* ``report.html`` — the same content as one self-contained page (inline CSS,
  figures embedded as base64 PNG);
* ``report.json`` — title, metadata, the rule constants, overall verdict and
  every row (:meth:`Comparison.to_dict`) plus each section's extra summary.

The overall verdict is :func:`validate.core.stats.all_passed` over all rows (so a
report without any row is a FAIL).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import json
import math
import platform
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from . import stats
from .stats import Comparison

__all__ = [
    "RULE_TEXT",
    "TABLE_COLUMNS",
    "Section",
    "format_number",
    "format_short",
    "format_row",
    "run_metadata",
    "summary_table",
    "write_report",
]

#: The rule of :mod:`validate.core.stats`, in words, with its constants filled in.
RULE_TEXT: str = (
    "A row fails when |z| > z crit and |relative error| > its tolerance; it passes when it "
    f"does not fail and could have detected a {stats.MAX_DETECTABLE:.0%} relative error "
    "(detectable = z crit · SE/|theory|), and is undetermined otherwise. z = (simulation − "
    "theory)/SE; z crit is Student's t quantile with the SE's degrees of freedom (n − 1) at "
    f"the two-sided level {stats.P_ROW:.1e} (= |z| ≤ {stats.Z_MAX:g} for a Gaussian "
    "estimate), so a correct theory fails a row with that probability whatever the number "
    "of seeds. The rows of one claim × theory variant form a family judged by Holm's "
    "step-down at the family-wise level min("
    f"{stats.FAMILY_ALPHA:g}, m·{stats.P_ROW:.1e}) for m rows (z crit is the row's step "
    "level; detectable uses the strictest, α/m), so a correct theory fails a claim by "
    "chance with at most that probability; the verdict states the sum over claims. A "
    f"time-block SE from a series shorter than {stats.MIN_SERIES_TAUS:g} autocorrelation "
    "times is 'too short to judge' (undetermined). The tolerance is the theory variant's "
    "declared model error at the row's point (e.g. the noise-to-barrier ratio D/ΔV of the "
    "linear-noise approximation; 0 "
    "unless stated). Rows outside the variant's domain (declared before simulating, or "
    "switching between the mirror fixed points detected) are marked 'outside domain' and "
    "not judged. The relative error is (simulation − theory)/|theory| unless the row's note "
    "names another scale. SE kinds: 'seeds' = independent networks or training seeds, "
    "'trials' = independent trials, 'time blocks' = batch means of one correlated series. "
    "The rule is the same for every row (validate.core.stats)."
)

#: Column headers of the summary tables (Markdown, HTML and the console).
TABLE_COLUMNS: tuple[str, ...] = (
    "setting",
    "quantity",
    "theory",
    "simulation ± SE",
    "SE kind (n)",
    "z",
    "z crit (dof)",
    "rel. error",
    "tolerance",
    "status",
)

#: Packages whose versions go into the metadata (those installed).
_VERSION_PACKAGES: tuple[str, ...] = (
    "aligned-oblique",
    "numpy",
    "scipy",
    "sympy",
    "jax",
    "jaxlib",
    "equinox",
    "optax",
    "matplotlib",
)


@dataclasses.dataclass
class Section:
    """One experiment of the report.

    Attributes:
        name: short id (``"static"``, ``"gd-scaling"``, ``"two-phase"``).
        title: heading.
        rows: the experiment's comparison rows.
        figures: PNG files; those outside the report directory are copied in.
        text: introductory paragraphs (plain text; blank lines separate paragraphs).
        summary: extra JSON-friendly data written to ``report.json`` only.
        wall_time_s: seconds the experiment took (``None`` if unknown).
        tables: extra tables ``(caption, header, rows of cells)`` shown after the
            summary table (e.g. fitted power laws); cells are preformatted strings.
        verdict: for sections judged by claims rather than theory rows (e.g. the regimes
            and universality experiments): their own PASS/FAIL, combined with the rows'
            (``None``: the rows decide, as :func:`validate.core.stats.all_passed`).
    """

    name: str
    title: str
    rows: list[Comparison]
    figures: list[Path] = dataclasses.field(default_factory=list)
    text: str = ""
    summary: dict[str, Any] = dataclasses.field(default_factory=dict)
    wall_time_s: float | None = None
    tables: Sequence[tuple[str, Sequence[str], Sequence[Sequence[str]]]] = dataclasses.field(
        default_factory=list
    )
    verdict: bool | None = None

    @property
    def passed(self) -> bool:
        """:func:`validate.core.stats.all_passed` of the rows, or :attr:`verdict` (and no failing
        row) for claim-judged sections."""
        if self.verdict is not None:
            return bool(self.verdict) and not any(r.status == "fail" for r in self.rows)
        return stats.all_passed(self.rows)


# ----------------------------------------------------------------------------- formatting
def format_number(x: float | None, digits: int = 4) -> str:
    """``digits`` significant digits (integers below 1e5 written out, e.g. ``"130"``);
    scientific notation outside [1e-3, 1e5); ``—`` for missing or NaN, ``±∞`` for
    infinities, ``0`` for zero."""
    if x is None:
        return "—"
    x = float(x)
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        exp = math.floor(math.log10(abs(x)))
        if exp >= digits:  # "130", not "1.3e+02"
            return f"{round(x, digits - 1 - exp):.0f}"
        return f"{x:.{digits}g}"
    mant, exp_text = f"{x:.{digits - 1}e}".split("e")
    return f"{mant}e{int(exp_text)}"


def format_short(x: float | None, digits: int = 3) -> str:
    """:func:`format_number` with 3 significant digits by default (claims and measures tables)."""
    return format_number(x, digits)


_STATUS_WORD = {
    "pass": "PASS",
    "fail": "FAIL",
    "undetermined": "undetermined",
    "outside domain": "outside domain",
}


def format_row(row: Comparison) -> dict[str, str]:
    """Strings of one row under :data:`TABLE_COLUMNS` (z and relative error to 2–3 digits)."""
    return {
        "setting": row.setting,
        "quantity": row.quantity,
        "theory": format_number(row.theory),
        "simulation ± SE": f"{format_number(row.sim_mean)} ± {format_number(row.sim_se, 2)}",
        "SE kind (n)": f"{row.se_kind} ({row.n})",
        "z": format_number(row.z, 3),
        "z crit (dof)": f"{format_number(row.z_crit, 3)} ({format_number(row.dof, 3)})",
        "rel. error": format_number(row.rel_err, 2),
        "tolerance": format_number(row.tolerance, 2),
        "status": _STATUS_WORD[row.status],
    }


def summary_table(rows: Sequence[Comparison]) -> str:
    """Plain-text table of ``rows`` for the console (aligned columns, one line per row)."""
    cells = [list(TABLE_COLUMNS)] + [[format_row(r)[c] for c in TABLE_COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(TABLE_COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


# ----------------------------------------------------------------------------- metadata
def run_metadata(
    *, command: str | None = None, wall_time_s: float | None = None, **extra: Any
) -> dict[str, Any]:
    """Metadata of this process: time (UTC), Python and package versions, platform, the
    JAX backend and devices (only if JAX is already imported, so this never imports it),
    the command line and wall time, plus ``extra`` entries."""
    versions: dict[str, str] = {"python": platform.python_version()}
    for pkg in _VERSION_PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    meta: dict[str, Any] = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": command if command is not None else " ".join(sys.argv),
        "platform": platform.platform(),
        "versions": versions,
    }
    jax = sys.modules.get("jax")
    if jax is not None:
        try:
            meta["backend"] = jax.default_backend()
            meta["devices"] = [str(d) for d in jax.devices()]
        except Exception as err:  # noqa: BLE001 - metadata must not break the report
            meta["backend"] = f"unknown ({err})"
    else:
        meta["backend"] = "jax not loaded"
    if wall_time_s is not None:
        meta["wall_time_s"] = float(wall_time_s)
    meta.update(extra)
    return meta


def _meta_items(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten metadata to (key, text) pairs for the tables of the report."""
    out: list[tuple[str, str]] = []
    for key, value in meta.items():
        if key == "versions" and isinstance(value, Mapping):
            out.append(("versions", ", ".join(f"{k} {v}" for k, v in value.items())))
        elif key.endswith("wall_time_s") and isinstance(value, (int, float)):
            out.append((key, f"{value:.1f} s"))
        elif isinstance(value, (list, tuple)):
            out.append((key, ", ".join(str(v) for v in value)))
        elif isinstance(value, Mapping):
            out.append((key, json.dumps(value, sort_keys=True, default=str)))
        else:
            out.append((key, str(value)))
    return out


# ----------------------------------------------------------------------------- writers
def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


def _failing(rows: Sequence[Comparison]) -> list[Comparison]:
    return [r for r in rows if r.status == "fail"]


def _figure_caption(path: Path) -> str:
    return path.stem.replace("_", " ")


def _count_text(s: Section) -> str:
    """ "k of n passed", or for a claims-only section (no rows, own verdict) what decides."""
    if not s.rows and s.verdict is not None:
        return "judged by its claims table"
    return _status_counts(s.rows)


def _status_counts(rows: Sequence[Comparison]) -> str:
    """ "k of n passed, f failed, …" (only the statuses that occur besides pass)."""
    counts = stats.status_counts(rows)
    extra = [
        f"{counts[st]} {'failed' if st == 'fail' else st}"
        for st in ("fail", "undetermined", "outside domain")
        if counts[st]
    ]
    return f"{counts['pass']} of {len(rows)} passed" + (", " + ", ".join(extra) if extra else "")


def _markdown(
    sections: Sequence[Section],
    figures: dict[str, list[Path]],
    title: str,
    meta: Mapping[str, Any],
    passed: bool,
    verdict: Any = None,
) -> str:
    all_rows = [r for s in sections for r in s.rows]
    out = [f"# {title}", ""]
    if verdict is not None:
        out.append(f"**Overall: {_verdict(passed)}** — {verdict.headline}")
        out += ["", verdict.markdown(), ""]
        out.append(f"Rows: {_status_counts(all_rows)}.")
    elif all_rows:
        out.append(f"**Overall: {_verdict(passed)}** — {_status_counts(all_rows)}.")
    else:
        out.append(f"**Overall: {_verdict(passed)}** — judged by the claims of each section.")
    out += ["", f"**Rule.** {RULE_TEXT}", ""]
    for s in sections:
        out += [f"## {s.title}", ""]
        out.append(
            f"**{_verdict(s.passed)}** — {_count_text(s)}"
            + (f"; wall time {s.wall_time_s:.1f} s." if s.wall_time_s is not None else ".")
        )
        out.append("")
        for p in _paragraphs(s.text):
            out += [p, ""]
        if s.rows:
            out.append("| " + " | ".join(TABLE_COLUMNS) + " |")
            out.append(
                "|"
                + "|".join(["---", "---"] + ["---:"] * (len(TABLE_COLUMNS) - 3) + [":---:"])
                + "|"
            )
            for r in s.rows:
                cells = format_row(r)
                if r.status == "fail":
                    cells["status"] = "**FAIL**"
                out.append("| " + " | ".join(_md_escape(cells[c]) for c in TABLE_COLUMNS) + " |")
            out.append("")
            notes = sorted({r.note for r in s.rows if r.note})
            if notes:
                out += ["Notes: " + "; ".join(_md_escape(n) for n in notes) + ".", ""]
        for caption, header, body in s.tables:
            out += [f"*{_md_escape(caption)}*", ""]
            out.append("| " + " | ".join(_md_escape(h) for h in header) + " |")
            out.append("|" + "|".join("---" for _ in header) + "|")
            out += ["| " + " | ".join(_md_escape(str(c)) for c in line) + " |" for line in body]
            out.append("")
        fails = _failing(s.rows)
        if fails:
            out.append("Failing rows:")
            out.append("")
            for r in fails:
                out.append(
                    f"- {_md_escape(r.setting)} · {_md_escape(r.quantity)}: theory "
                    f"{format_number(r.theory)}, simulation {format_number(r.sim_mean)} "
                    f"± {format_number(r.sim_se, 2)} (z = {format_number(r.z, 3)}, "
                    f"|rel. error| {format_number(abs(r.rel_err), 2)} > tolerance "
                    f"{format_number(r.tolerance, 2)})"
                )
            out.append("")
        for fig in figures[s.name]:
            out += [f"![{_figure_caption(fig)}]({fig.as_posix()})", ""]
    out += ["## Run metadata", "", "| key | value |", "|---|---|"]
    out += [f"| {_md_escape(k)} | {_md_escape(v)} |" for k, v in _meta_items(meta)]
    out.append("")
    return "\n".join(out)


_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em;
     border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.55em; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #fdecea; }
.verdict { font-weight: bold; padding: 0.1em 0.5em; border-radius: 3px; color: #fff; }
.pass { background: #2e7d32; } .fail { background: #c62828; }
.rule { background: #f7f7f7; border-left: 4px solid #888; padding: 0.5em 1em; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.85em; color: #555; }
"""


def _html(
    sections: Sequence[Section],
    figures: dict[str, list[Path]],
    out_dir: Path,
    title: str,
    meta: Mapping[str, Any],
    passed: bool,
    verdict: Any = None,
) -> str:
    e = html.escape
    all_rows = [r for s in sections for r in s.rows]

    def badge(ok: bool) -> str:
        return f'<span class="verdict {"pass" if ok else "fail"}">{_verdict(ok)}</span>'

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        (
            f"<p>Overall: {badge(passed)} — "
            + (e(verdict.headline) if verdict is not None else e(_status_counts(all_rows)))
            + "</p>"
        ),
    ]
    if verdict is not None:
        out.append(verdict.html())
        out.append(f"<p>Rows: {e(_status_counts(all_rows))}.</p>")
    out.append(f'<p class="rule"><b>Rule.</b> {e(RULE_TEXT)}</p>')
    numeric = {"theory", "simulation ± SE", "z", "rel. error", "tolerance"}
    for s in sections:
        out.append(f'<h2 id="{e(s.name)}">{e(s.title)}</h2>')
        wall = f"; wall time {s.wall_time_s:.1f} s" if s.wall_time_s is not None else ""
        out.append(f"<p>{badge(s.passed)} — {e(_count_text(s))}{wall}.</p>")
        out += [f"<p>{e(p)}</p>" for p in _paragraphs(s.text)]
        if s.rows:
            out.append(
                "<table><thead><tr>"
                + "".join(f"<th>{e(c)}</th>" for c in TABLE_COLUMNS)
                + "</tr></thead><tbody>"
            )
            for r in s.rows:
                cells = format_row(r)
                tds = "".join(
                    f'<td class="num">{e(cells[c])}</td>'
                    if c in numeric
                    else f"<td>{e(cells[c])}</td>"
                    for c in TABLE_COLUMNS
                )
                title_attr = f' title="{e(r.note)}"' if r.note else ""
                out.append(
                    f'<tr class="{"fail" if r.status == "fail" else "pass"}"{title_attr}>{tds}</tr>'
                )
            out.append("</tbody></table>")
            notes = sorted({r.note for r in s.rows if r.note})
            if notes:
                out.append("<p>Notes: " + "; ".join(e(n) for n in notes) + ".</p>")
        for caption, header, body in s.tables:
            out.append(
                f"<table><caption>{e(caption)}</caption><thead><tr>"
                + "".join(f"<th>{e(h)}</th>" for h in header)
                + "</tr></thead><tbody>"
            )
            out += [
                "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in line) + "</tr>" for line in body
            ]
            out.append("</tbody></table>")
        for fig in figures[s.name]:
            data = base64.b64encode((out_dir / fig).read_bytes()).decode("ascii")
            out.append(
                f'<figure><img alt="{e(_figure_caption(fig))}" '
                f'src="data:image/png;base64,{data}"><figcaption>{e(fig.name)}'
                "</figcaption></figure>"
            )
    out.append("<h2>Run metadata</h2><table><tbody>")
    out += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _meta_items(meta)]
    out.append("</tbody></table></body></html>")
    return "\n".join(out)


def _json_default(value: Any) -> Any:
    """numpy scalars/arrays, paths and dataclasses inside summaries -> JSON types."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return value.as_posix()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def _finite_or_none(value: Any) -> Any:
    """Replace non-finite floats (anywhere in nested lists/dicts) by ``None`` (strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    return value


def _collect_figures(sections: Sequence[Section], out_dir: Path) -> dict[str, list[Path]]:
    """Figure paths relative to ``out_dir`` (files outside it are copied in)."""
    out: dict[str, list[Path]] = {}
    for s in sections:
        rel = []
        for fig in s.figures:
            fig = Path(fig)
            if not fig.is_absolute() and not fig.exists():
                fig = out_dir / fig
            if not fig.is_file():
                raise ValueError(
                    f"figure={str(fig)!r} of section {s.name!r} does not exist; "
                    "allowed: existing PNG files"
                )
            try:
                rel.append(fig.resolve().relative_to(out_dir.resolve()))
            except ValueError:
                target = out_dir / f"{s.name}_{fig.name}"
                target.write_bytes(fig.read_bytes())
                rel.append(target.relative_to(out_dir))
        out[s.name] = rel
    return out


def write_report(
    sections: Sequence[Section],
    out_dir: str | Path,
    *,
    title: str = "Theory vs simulation: validation report",
    meta: Mapping[str, Any] | None = None,
    verdict: Any = None,
) -> Path:
    """Write ``report.md``, ``report.html`` and ``report.json`` into ``out_dir``.

    Arguments:
        sections: the experiments (names must be unique).
        out_dir: report directory (created); figures inside it are linked by relative
            path, figures elsewhere are copied in.
        title: report title.
        meta: run metadata (e.g. from :func:`run_metadata`: versions, backend, wall
            time, command), shown as a table and stored in the JSON.
        verdict: a :class:`validate.core.verdict.Verdict` (claim × theory variant table):
            the report opens with it and its ``passed`` is the overall verdict; without it
            the overall verdict is every section's.

    Returns:
        The path of ``report.md``.
    """
    names = [s.name for s in sections]
    if len(set(names)) != len(names):
        raise ValueError(f"sections={names!r} is not allowed; section names must be unique")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = dict(meta or {})
    all_rows = [r for s in sections for r in s.rows]
    passed = (
        verdict.passed
        if verdict is not None
        else bool(sections) and all(s.passed for s in sections)
    )
    figures = _collect_figures(sections, out_dir)

    md_path = out_dir / "report.md"
    md_path.write_text(_markdown(sections, figures, title, meta, passed, verdict), encoding="utf-8")
    (out_dir / "report.html").write_text(
        _html(sections, figures, out_dir, title, meta, passed, verdict), encoding="utf-8"
    )
    payload = {
        "title": title,
        "passed": passed,
        "n_rows": len(all_rows),
        "n_failed": len(_failing(all_rows)),
        "row_status": stats.status_counts(all_rows),
        "verdict": verdict.to_dict() if verdict is not None else None,
        "rule": {
            "z_max": stats.Z_MAX,
            "p_row": stats.P_ROW,
            "family_alpha": stats.FAMILY_ALPHA,
            "chance_budget": stats.chance_budget(all_rows),
            "max_detectable": stats.MAX_DETECTABLE,
            "text": RULE_TEXT,
        },
        "meta": meta,
        "sections": [
            {
                "name": s.name,
                "title": s.title,
                "passed": s.passed,
                "wall_time_s": s.wall_time_s,
                "text": s.text,
                "figures": [f.as_posix() for f in figures[s.name]],
                "rows": [r.to_dict() for r in s.rows],
                "tables": [
                    {"caption": c, "header": list(h), "rows": [list(r) for r in b]}
                    for c, h, b in s.tables
                ],
                "summary": s.summary,
            }
            for s in sections
        ],
    }
    text = json.dumps(
        _finite_or_none(json.loads(json.dumps(payload, default=_json_default))),
        indent=1,
        allow_nan=False,
    )
    (out_dir / "report.json").write_text(text + "\n", encoding="utf-8")
    return md_path
