"""``oblique predict`` and ``oblique plot theory``: the mean-field theory on the command line.

Registered by :mod:`validate.cli` through :func:`register`. Registration adds no
import beyond the ``meanfield`` package itself (numpy); sympy and matplotlib are
imported by the handlers that need them, and ``oblique predict`` never imports
jax (tested in ``tests/meanfield/test_cli.py``).

``oblique predict`` prints THEORY.md §2 for one parameter point: λ_min, and per
λ₊ the fixed point ‖κ̄‖, ρ (L_bias = 0), L_var and the latent covariance Σ of
δκ̃ = √N(κ − κ̄); then the L_var-optimal solution (λ₊*, ‖κ̄*‖, ρ*, L_var*) at
that N, and the large-N power laws of :func:`meanfield.large_n_scaling`
evaluated at (λ₋, σ, ẑ). Their sympy derivation costs about a minute of CPU
the first time; the evaluated numbers are then cached on disk (:func:`cache_dir`,
keyed by a hash of the derivation's sources), and ``--no-scaling`` skips them.
Defaults are THEORY §5: N = 256, σ = 1, ẑ = 1,
λ₋ = −5, λ₊ ∈ {1.7, 1.9, 2.6}, large output weights, symmetric M.

Bad input (unparseable, non-finite or out-of-range values, λ₊ without an
L_bias = 0 solution) prints one line ``oblique predict: error: ...`` naming the
parameter, its value and the allowed range (the message of the meanfield
ValueError) and exits with status 2, like argparse does for its own errors.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["format_report", "predict_report", "register"]

#: THEORY §5 defaults (the static check).
DEFAULT_N = 256
DEFAULT_SIGMA = 1.0
DEFAULT_Z_TARGET = 1.0
DEFAULT_LAMBDA_MINUS = -5.0
DEFAULT_LAMBDA_PLUS: tuple[float, ...] = (1.7, 1.9, 2.6)
#: Nonlinearities with an isolated nonzero fixed point (``Nonlinearity.isolated_fixed_point``;
#: kept literal so that registration does not import numpy; a test checks it stays in sync).
CLI_NONLINEARITIES: tuple[str, ...] = ("erf", "tanh")
#: Order and labels of the large-N laws (keys of :func:`meanfield.large_n_scaling`).
SCALING_KEYS: tuple[tuple[str, str], ...] = (
    ("lambda_gap", "λ₊* − λ_min"),
    ("kappa_norm", "‖κ̄*‖"),
    ("rho", "ρ*"),
    ("loss_var", "L_var*"),
)


class CliInputError(ValueError):
    """A bad command-line value; the message names the parameter (one line)."""


# --------------------------------------------------------------------------- parsing
def _number(name: str, text: str) -> float:
    """Parse a finite real number, or raise CliInputError naming ``name``."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise CliInputError(
            f"{name}={text!r} is not a number: {name} must be a finite real number"
        ) from None
    if not math.isfinite(value):
        raise CliInputError(f"{name}={text!r} is out of range: {name} must be finite")
    return value


def _integer(name: str, text: str, minimum: int) -> int:
    """Parse an integer ≥ ``minimum`` (``256`` or ``256.0``), or raise CliInputError."""
    value = _number(name, text)
    if value != int(value) or value < minimum:
        raise CliInputError(
            f"{name}={text!r} is out of range: {name} must be an integer >= {minimum}"
        )
    return int(value)


# --------------------------------------------------------------------------- the numbers
def _json_float(value: Any) -> float:
    value = float(value)
    if not math.isfinite(value):  # the theory gave NaN/inf where it should not: a bug
        raise RuntimeError(f"non-finite theory value {value!r}")
    return value


def cache_dir() -> Path:
    """Directory of the on-disk cache of evaluated large-N laws.

    ``$OBLIQUE_CACHE_DIR``, else ``$XDG_CACHE_HOME/aligned-oblique``, else
    ``~/.cache/aligned-oblique``.
    """
    import os

    if os.environ.get("OBLIQUE_CACHE_DIR"):
        return Path(os.environ["OBLIQUE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aligned-oblique"


def _source_key() -> str:
    """Hash of the sources the laws are derived from: a changed derivation invalidates the cache."""
    import hashlib

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    paths = sorted((here / "symbolic").glob("*.py")) + [here / "_generated.py", here / "plots.py"]
    for path in paths:
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def _evaluate_laws(
    out_scale: str, lambda_minus: float, sigma: float, z_target: float
) -> dict[str, dict[str, Any]]:
    """(limit, prefactor, exponent) of each law of :func:`meanfield.large_n_scaling` at (λ₋, σ, ẑ).

    The sympy derivation takes about a minute of CPU on its first call in a process, so the
    evaluated numbers are cached on disk (:func:`cache_dir`), keyed by the derivation's
    source hash and the exact parameter values.
    """
    import meanfield

    key = f"{_source_key()}|{out_scale}|{lambda_minus!r}|{sigma!r}|{z_target!r}"
    path = cache_dir() / "large_n_laws.json"
    try:
        cache = json.loads(path.read_text())
        if not isinstance(cache, dict):
            cache = {}
    except (OSError, ValueError):
        cache = {}
    if key in cache:
        return cache[key]
    print(
        "oblique predict: deriving the large-N laws with sympy (about a minute, once; "
        f"cached in {path}; --no-scaling skips them)",
        file=sys.stderr,
    )
    from meanfield.plots import _law_numbers

    laws = meanfield.large_n_scaling(out_scale)
    entry: dict[str, dict[str, Any]] = {}
    for name, _ in SCALING_KEYS:
        law = laws[name]
        limit, prefactor, exponent = (
            _json_float(v) for v in _law_numbers(law, lambda_minus, sigma, z_target)
        )
        entry[name] = {
            "limit": limit,
            "prefactor": prefactor,
            "exponent": exponent,
            "exponent_exact": str(law.exponent),
            "limit_expr": str(law.limit),
            "prefactor_expr": str(law.prefactor),
        }
    cache[key] = entry
    try:  # atomic replace: concurrent runs never read a half-written file
        import os
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(cache, fh, allow_nan=False)
        os.replace(tmp, path)
    except OSError:  # a read-only home is not an error: the numbers are just not cached
        pass
    return entry


def _power_laws(
    out_scale: str, lambda_minus: float, sigma: float, z_target: float, n: int
) -> tuple[dict[str, dict[str, Any]] | None, str | None]:
    """The large-N laws at (λ₋, σ, ẑ), each with its value ``at_N``; or (None, reason)."""
    try:
        laws = _evaluate_laws(out_scale, lambda_minus, sigma, z_target)
    except ImportError as err:  # pragma: no cover - only while the module is being written
        return None, f"meanfield.large_n_scaling unavailable ({err})"
    out = {}
    for name, law in laws.items():
        out[name] = dict(
            law, at_N=_json_float(law["limit"] + law["prefactor"] * float(n) ** law["exponent"])
        )
    return out, None


def predict_report(
    N: int = DEFAULT_N,
    sigma: float = DEFAULT_SIGMA,
    lambda_plus: Sequence[float] | None = None,
    lambda_minus: float = DEFAULT_LAMBDA_MINUS,
    theta_minus: float | None = None,
    z_target: float = DEFAULT_Z_TARGET,
    out_scale: str = "large",
    nonlinearity: str = "erf",
    scaling: bool = True,
) -> dict[str, Any]:
    """All numbers of ``oblique predict`` as a JSON-ready dict (THEORY §2).

    Every number comes from a scalar call of a :mod:`meanfield` function, so an
    infeasible value raises that function's ValueError (parameter, value, range).
    ``lambda_plus=None`` means the §5 defaults; for small output weights the
    defaults without an L_bias = 0 solution (ρ > 1) are left out and listed in
    ``"skipped"`` with the reason, explicit values are never left out.

    **Returns** dict with keys ``parameters``, ``lambda_min``, ``fixed_points``
    (list of dicts: lambda_plus, kappa_norm, rho, theta_plus_deg, rho_sqrt_N,
    loss_var, latent_covariance [[Σ₁₁, Σ₁₂], [Σ₂₁, Σ₂₂]]), ``skipped``,
    ``optimum`` (lambda_plus, kappa_norm, rho, loss_var, on_boundary; always for
    symmetric M), ``large_n`` (per key of :func:`meanfield.large_n_scaling`:
    limit, prefactor, exponent, at_N, the sympy expressions as text; None for a
    nonlinearity other than erf or with ``scaling=False``) and
    ``large_n_note``. All numbers are finite floats.
    """
    import meanfield

    if out_scale not in ("large", "small"):
        raise CliInputError(
            f"out_scale={out_scale!r} is out of range: out_scale must be one of 'large', 'small'"
        )
    common = {
        "sigma": sigma,
        "N": N,
        "z_target": z_target,
        "out_scale": out_scale,
        "nonlinearity": nonlinearity,
    }
    # Global parameters first: the optimum checks N ≥ 1, λ₋ < 0, σ > 0, ẑ > 0.
    opt = meanfield.optimum(N, lambda_minus, sigma, z_target, out_scale, nonlinearity)
    lam_min = meanfield.lambda_min(sigma, nonlinearity)
    explicit = lambda_plus is not None
    values = list(lambda_plus) if lambda_plus is not None else list(DEFAULT_LAMBDA_PLUS)
    if not values:
        raise CliInputError("lambda_plus=[] is out of range: give at least one --lambda-plus value")
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for lam in values:
        if not explicit and not bool(
            meanfield.feasible(lam, sigma, N, z_target, out_scale, nonlinearity)
        ):
            try:
                meanfield.correlation(lam, sigma, N, z_target, out_scale, nonlinearity)
            except ValueError as err:
                skipped.append({"lambda_plus": float(lam), "reason": str(err)})
                continue
        kappa = meanfield.fixed_point_norm(lam, sigma, nonlinearity)
        rho = meanfield.correlation(lam, sigma, N, z_target, out_scale, nonlinearity)
        cov = meanfield.latent_covariance(lam, lambda_minus, theta_minus=theta_minus, **common)
        lvar = meanfield.loss_var(lam, lambda_minus, theta_minus=theta_minus, **common)
        rows.append(
            {
                "lambda_plus": _json_float(lam),
                "kappa_norm": _json_float(kappa),
                "rho": _json_float(rho),
                "rho_sqrt_N": _json_float(rho * math.sqrt(N)),
                "theta_plus_deg": _json_float(math.degrees(math.acos(rho))),
                "loss_var": _json_float(lvar),
                "latent_covariance": [[_json_float(v) for v in row] for row in cov],
            }
        )
    if not rows:
        raise CliInputError(
            "lambda_plus: none of the default values has an L_bias = 0 solution here; "
            "give --lambda-plus explicitly (" + skipped[0]["reason"] + ")"
        )
    laws: dict[str, Any] | None = None
    note: str | None = None
    if not scaling:
        note = "not computed (--no-scaling)"
    elif nonlinearity != "erf":
        note = f"derived for erf only (nonlinearity={nonlinearity!r})"
    else:
        laws, note = _power_laws(out_scale, lambda_minus, sigma, z_target, N)
    return {
        "parameters": {
            "N": int(N),
            "sigma": float(sigma),
            "z_target": float(z_target),
            "lambda_minus": float(lambda_minus),
            "theta_minus": None if theta_minus is None else float(theta_minus),
            "symmetric_M": theta_minus is None,
            "out_scale": out_scale,
            "nonlinearity": nonlinearity,
        },
        "lambda_min": _json_float(lam_min),
        "fixed_points": rows,
        "skipped": skipped,
        "optimum": {
            "lambda_plus": _json_float(opt.lambda_plus),
            "kappa_norm": _json_float(opt.kappa_norm),
            "rho": _json_float(opt.rho),
            "loss_var": _json_float(opt.loss_var),
            "on_boundary": bool(opt.rho == 1.0),
        },
        "large_n": laws,
        "large_n_note": note,
    }


# --------------------------------------------------------------------------- text output
def _width(text: str) -> int:
    """Display width: combining marks (the bar of κ̄) take no column."""
    import unicodedata

    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def _rjust(text: str, width: int) -> str:
    return " " * (width - _width(text)) + text


def _ljust(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _g(value: float, digits: int = 6) -> str:
    return f"{value:.{digits}g}"


def _power_law_text(law: dict[str, Any]) -> str:
    if law["exponent"] == 0:
        return f"{_g(law['limit'] + law['prefactor'], 5)} (N-independent)"
    term = f"{_g(law['prefactor'], 5)}·N^({law['exponent_exact']})"
    return term if law["limit"] == 0 else f"{_g(law['limit'], 5)} + {term}"


def format_report(report: dict[str, Any]) -> str:
    """The human-readable table of :func:`predict_report`."""
    p = report["parameters"]
    geometry = (
        "symmetric M (θ₋ = θ₊ + 90°)" if p["symmetric_M"] else f"θ₋ = {p['theta_minus']:g} rad"
    )
    s_text = "s = 1" if p["out_scale"] == "large" else "s = 1/√N"
    lines = [
        "Mean-field theory of a noisy rank-2 network (THEORY.md §2)",
        (
            f"N = {p['N']}, σ = {_g(p['sigma'])}, ẑ = {_g(p['z_target'])}, λ₋ = {_g(p['lambda_minus'])}, "
            f"{geometry}, {p['out_scale']} output weights ({s_text}), φ = {p['nonlinearity']}"
        ),
        f"λ_min = {_g(report['lambda_min'], 8)}   (a nonzero fixed point needs λ₊ > λ_min)",
        "",
        "Fixed points with L_bias = 0 (Σ: stationary covariance of √N(κ − κ̄), (u₁, u₂) basis)",
    ]
    header = ("λ₊", "‖κ̄‖", "ρ", "ρ√N", "θ₊ [deg]", "L_var", "Σ₁₁", "Σ₁₂", "Σ₂₂")
    table = [header]
    for row in report["fixed_points"]:
        cov = row["latent_covariance"]
        table.append(
            (
                _g(row["lambda_plus"]),
                _g(row["kappa_norm"]),
                _g(row["rho"]),
                _g(row["rho_sqrt_N"]),
                f"{row['theta_plus_deg']:.3f}",
                _g(row["loss_var"]),
                _g(cov[0][0]),
                _g(cov[0][1]),
                _g(cov[1][1]),
            )
        )
    widths = [max(_width(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        lines.append("  " + "  ".join(_rjust(c, w) for c, w in zip(r, widths, strict=True)))
    for s in report["skipped"]:
        lines.append(f"  (default λ₊ = {s['lambda_plus']:g} left out: {s['reason']})")
    opt = report["optimum"]
    lines += [
        "",
        f"L_var optimum at N = {p['N']} (symmetric M, subject to L_bias = 0, ρ ≤ 1)"
        + ("  [on the boundary ρ = 1]" if opt["on_boundary"] else ""),
        (
            f"  λ₊* = {_g(opt['lambda_plus'], 8)}   ‖κ̄*‖ = {_g(opt['kappa_norm'])}   "
            f"ρ* = {_g(opt['rho'])}   L_var* = {_g(opt['loss_var'])}"
        ),
        "",
    ]
    if report["large_n"] is None:
        lines.append(f"Large-N power laws: {report['large_n_note']}")
    else:
        exact = {
            "lambda_gap": opt["lambda_plus"] - report["lambda_min"],
            "kappa_norm": opt["kappa_norm"],
            "rho": opt["rho"],
            "loss_var": opt["loss_var"],
        }
        lines.append(
            f"Large-N power laws (meanfield.large_n_scaling, at λ₋ = {_g(p['lambda_minus'])}, "
            f"σ = {_g(p['sigma'])}, ẑ = {_g(p['z_target'])})"
        )
        law_rows = [("quantity", "law", f"law at N={p['N']}", "exact optimum")]
        for key, label in SCALING_KEYS:
            law = report["large_n"][key]
            law_rows.append((label, _power_law_text(law), _g(law["at_N"]), _g(exact[key])))
        widths = [max(_width(row[i]) for row in law_rows) for i in range(4)]
        for row in law_rows:
            lines.append(
                "  " + "  ".join(_ljust(c, w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
        lines.append(
            "  (N → ∞ limit of L_var*: " + _g(report["large_n"]["loss_var"]["limit"]) + ")"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- handlers
def _fail(command: str, err: Exception) -> int:
    message = " ".join(str(err).split())  # one line
    print(f"oblique {command}: error: {message}", file=sys.stderr)
    return 2


def _predict(args: argparse.Namespace) -> int:
    """Handler of ``oblique predict``."""
    try:
        n = _integer("N", args.N, 1)
        sigma = _number("sigma", args.sigma)
        lam_m = _number("lambda_minus", args.lambda_minus)
        z_target = _number("z_target", args.z_target)
        theta = None if args.theta_minus is None else _number("theta_minus", args.theta_minus)
        lam_p = (
            None
            if args.lambda_plus is None
            else [_number("lambda_plus", v) for v in args.lambda_plus]
        )
        report = predict_report(
            N=n,
            sigma=sigma,
            lambda_plus=lam_p,
            lambda_minus=lam_m,
            theta_minus=theta,
            z_target=z_target,
            out_scale=args.out_scale,
            nonlinearity=args.nonlinearity,
            scaling=args.scaling,
        )
    except ValueError as err:  # CliInputError or a meanfield range error
        return _fail("predict", err)
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False, ensure_ascii=False))
    else:
        print(format_report(report))
    return 0


def _plot_theory(args: argparse.Namespace) -> int:
    """Handler of ``oblique plot theory``: writes the theory figures as PNG."""
    try:
        sigma = _number("sigma", args.sigma)
        z_target = _number("z_target", args.z_target)
        if sigma <= 0:
            raise CliInputError(f"sigma={args.sigma!r} is out of range: sigma must be > 0")
        if z_target <= 0:
            raise CliInputError(f"z_target={args.z_target!r} is out of range: z_target must be > 0")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise CliInputError(f"out={args.out!r} is out of range: out must be a directory")
        from meanfield import plots

        paths = [
            out / "theory_fixed_point_curves.png",
            out / "theory_optimum_scaling.png",
        ]
        plots.plot_fixed_point_curves(
            sigma=sigma, z_target=z_target, out_scale=args.out_scale, path=paths[0]
        )
        plots.plot_optimum_scaling(
            sigma=sigma, z_target=z_target, out_scale=args.out_scale, path=paths[1]
        )
    except ValueError as err:
        return _fail("plot theory", err)
    for path in paths:
        print(path)
    return 0


# --------------------------------------------------------------------------- registration
def register(subparsers: Any, plot_targets: Any) -> None:
    """Add ``predict`` to ``subparsers`` and ``theory`` to ``plot_targets`` (see validate.cli)."""
    p = subparsers.add_parser(
        "predict",
        help="mean-field predictions of THEORY §2 (fixed points, L_var, Σ, the optimum)",
        description=(
            "Print THEORY.md §2 for a rank-2 erf network: λ_min; per λ₊ the L_bias = 0 fixed "
            "point (‖κ̄‖, ρ), L_var and the latent covariance Σ; the L_var-optimal λ₊* and the "
            "large-N power laws. Defaults are THEORY §5."
        ),
    )
    # Numbers are parsed by the handler, so every bad value gives the same one-line error.
    p.add_argument(
        "--N", default=str(DEFAULT_N), metavar="N", help="number of neurons (default 256)"
    )
    p.add_argument(
        "--sigma", default=str(DEFAULT_SIGMA), metavar="σ", help="noise σ > 0 (default 1)"
    )
    p.add_argument(
        "--lambda-plus",
        nargs="+",
        default=None,
        metavar="λ₊",
        help="one or more λ₊ > λ_min (default 1.7 1.9 2.6)",
    )
    p.add_argument(
        "--lambda-minus",
        default=str(DEFAULT_LAMBDA_MINUS),
        metavar="λ₋",
        help="λ₋ < 0 (default -5)",
    )
    p.add_argument(
        "--theta-minus",
        default=None,
        metavar="θ₋",
        help="angle of v₋ to u₁ in radians (default: symmetric M, θ₋ = θ₊ + π/2)",
    )
    p.add_argument(
        "--z-target", default=str(DEFAULT_Z_TARGET), metavar="ẑ", help="target ẑ > 0 (default 1)"
    )
    p.add_argument(
        "--out-scale",
        choices=("large", "small"),
        default="large",
        help="output-weight scale (default large)",
    )
    p.add_argument(
        "--nonlinearity", choices=CLI_NONLINEARITIES, default="erf", help="φ (default erf)"
    )
    p.add_argument(
        "--no-scaling",
        dest="scaling",
        action="store_false",
        help="skip the symbolic large-N power laws (no sympy)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable JSON instead of the table")
    p.set_defaults(handler=_predict)

    t = plot_targets.add_parser(
        "theory",
        help="theory figures: fixed-point curves vs λ₊ and optimum scaling vs N (PNG)",
        description="Write theory_fixed_point_curves.png and theory_optimum_scaling.png to --out.",
    )
    t.add_argument("--out", default="figures", help="output directory (default ./figures)")
    t.add_argument(
        "--sigma", default=str(DEFAULT_SIGMA), metavar="σ", help="noise σ > 0 (default 1)"
    )
    t.add_argument(
        "--z-target", default=str(DEFAULT_Z_TARGET), metavar="ẑ", help="target ẑ > 0 (default 1)"
    )
    t.add_argument(
        "--out-scale", choices=("large", "small"), default="large", help="output-weight scale"
    )
    t.set_defaults(handler=_plot_theory)
