"""Figures of the mean-field theory (THEORY.md §2): fixed-point curves and optimum scaling.

matplotlib is imported inside the functions (``import meanfield`` stays light)
and figures are built with the object API (``matplotlib.figure.Figure``, no
pyplot), so they need no display and change no backend or global state. ``meanfield`` must not import ``validate``,
so the small style helpers of ``validate.figures.style`` are mirrored here
(same rcParams: labelled axes, PNG at dpi 150).

* :func:`plot_fixed_point_curves` — ‖κ̄‖, ρ and L_var against λ₊ (3 axes).
* :func:`plot_optimum_scaling` — ‖κ̄*‖, ρ*, L_var* against N, log-log, with the
  derived large-N power laws of :func:`meanfield.large_n_scaling` (3 axes).

Every number drawn comes from the :mod:`meanfield` functions (array calls:
NaN where infeasible, which matplotlib leaves blank).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["plot_fixed_point_curves", "plot_optimum_scaling"]

#: PNG resolution (project rule).
DPI = 150
#: rcParams shared by every figure of the package (validate.figures.style extends it)
STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 7,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.4,
}
_LINESTYLES = ("-", "--", ":", "-.")


def _figure(ncols: int, width: float, height: float) -> tuple[Any, Any]:
    """A 1×ncols Figure (object API, no pyplot state) with the project style."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no backend needed

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes


def _styled(func: Any) -> Any:
    """Run a plotting function under the project rcParams (fonts are resolved at creation)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context(cast(Any, STYLE)):  # rc keys are Literal-typed
            return func(*args, **kwargs)

    return wrapper


def _save(fig: Any, path: str | Path | None) -> None:
    if path is None:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, format="png")


def _check_sizes(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 1):
        raise ValueError(
            f"{name}={values!r} is out of range: {name} must be a non-empty list of N >= 1"
        )
    return arr


def _check_negative(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr >= 0):
        raise ValueError(
            f"{name}={values!r} is out of range: {name} must be a non-empty list of values < 0"
        )
    return arr


@_styled
def plot_fixed_point_curves(
    N_values: Sequence[float] = (64, 256, 2048),
    lambda_minus_values: Sequence[float] = (-1.0, -5.0, -20.0),
    *,
    sigma: float = 1.0,
    z_target: float = 1.0,
    out_scale: str = "large",
    lambda_plus: ArrayLike | None = None,
    path: str | Path | None = None,
) -> Any:
    """‖κ̄‖, ρ and L_var against λ₊ (THEORY §2, symmetric M, erf), minima marked.

    Panels (one row, 3 axes): (a) ‖κ̄‖(λ₊) with λ_min marked (N-independent);
    (b) ρ(λ₊) = ẑ/(s√N‖κ̄‖) for each N (log y; blank where ρ > 1);
    (c) L_var(λ₊) for each N (colour) and λ₋ (line style), each minimum
    :func:`meanfield.optimum` marked with a dot.

    **Arguments** N_values: network sizes; lambda_minus_values: λ₋ < 0 values;
    sigma: noise σ > 0; z_target: ẑ > 0; out_scale: "large" | "small";
    lambda_plus: λ₊ grid (default 400 points from λ_min to 4 λ_min);
    path: PNG file to write (dpi 150), or None.

    **Returns** the matplotlib Figure (3 axes).
    """
    import meanfield

    n_vals = _check_sizes("N_values", N_values)
    lm_vals = _check_negative("lambda_minus_values", lambda_minus_values)
    lam_min = meanfield.lambda_min(sigma)  # validates σ
    # validates ẑ, out_scale and σ > 0 for the optimum (scalar call raises)
    meanfield.optimum(float(n_vals[0]), float(lm_vals[0]), sigma, z_target, out_scale)
    if lambda_plus is None:
        lam = lam_min * (1.0 + np.geomspace(1e-4, 3.0, 400))
    else:
        lam = np.asarray(lambda_plus, dtype=np.float64)
        if lam.ndim != 1 or lam.size < 2:
            raise ValueError(
                f"lambda_plus of shape {lam.shape} is out of range: lambda_plus must be a 1-D grid"
            )
    import matplotlib

    fig, (ax_k, ax_r, ax_l) = _figure(3, 11.0, 3.0)
    colors = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, n_vals.size))

    ax_k.plot(lam, meanfield.fixed_point_norm(lam, sigma), color="k")
    ax_k.axvline(lam_min, color="0.5", lw=0.8, ls=":", label=f"λ_min = {lam_min:.3f}")
    ax_k.set_xlabel("λ₊ (eigenvalue of M, dimensionless)")
    ax_k.set_ylabel("‖κ̄‖ (latent norm, dimensionless)")
    ax_k.set_title("(a) fixed-point norm")
    ax_k.legend(frameon=False)

    for color, n in zip(colors, n_vals, strict=False):
        ax_r.plot(
            lam,
            meanfield.correlation(lam, sigma, n, z_target, out_scale),
            color=color,
            label=f"N = {n:g}",
        )
    ax_r.set_yscale("log")
    ax_r.set_xlabel("λ₊ (dimensionless)")
    ax_r.set_ylabel("ρ = cos θ₊ (L_bias = 0)")
    ax_r.set_title(f"(b) readout correlation, {out_scale} output weights")
    ax_r.legend(frameon=False)

    for color, n in zip(colors, n_vals, strict=False):
        for ls, lm in zip(_LINESTYLES * len(lm_vals), lm_vals, strict=False):
            lv = meanfield.loss_var(lam, lm, sigma, n, z_target, out_scale)
            ax_l.plot(lam, lv, color=color, ls=ls)
            opt = meanfield.optimum(n, lm, sigma, z_target, out_scale)
            ax_l.plot([opt.lambda_plus], [opt.loss_var], "o", color=color, ms=4)
    # legend: colours = N, styles = λ₋
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=c, label=f"N = {n:g}") for c, n in zip(colors, n_vals, strict=False)
    ]
    handles += [
        Line2D([], [], color="k", ls=ls, label=f"λ₋ = {lm:g}")
        for ls, lm in zip(_LINESTYLES * len(lm_vals), lm_vals, strict=False)
    ]
    handles.append(Line2D([], [], color="k", marker="o", ls="", ms=4, label="optimum λ₊*"))
    ax_l.set_xlabel("λ₊ (dimensionless)")
    unit = "ẑ² units" if out_scale == "large" else "ẑ² units, s = 1/√N"
    ax_l.set_ylabel(f"L_var (output variance, {unit})")
    ax_l.set_title("(c) output variance, symmetric M")
    ax_l.legend(handles=handles, frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    # The curves diverge at both ends of the feasible range: zoom on the minima (log y,
    # since for small output weights L_var* ∝ 1/N differs by decades between the N).
    minima = [line.get_ydata()[0] for line in ax_l.get_lines() if line.get_marker() == "o"]
    ax_l.set_yscale("log")
    ax_l.set_ylim(0.8 * min(minima), 4.0 * max(minima))
    fig.suptitle(f"THEORY §2 fixed points: σ = {sigma:g}, ẑ = {z_target:g}, erf")
    _save(fig, path)
    return fig


def _law_numbers(
    law: Any, lambda_minus: float, sigma: float, z_target: float
) -> tuple[float, float, float]:
    """(limit, prefactor, exponent) of a :class:`meanfield.symbolic.PowerLaw` at (λ₋, σ, ẑ)."""
    from meanfield import symbolic

    subs = {symbolic.lam_m: lambda_minus, symbolic.sigma: sigma, symbolic.z: z_target}

    def number(expr: Any) -> float:
        return float(expr.subs(subs).evalf()) if hasattr(expr, "subs") else float(expr)

    return number(law.limit), number(law.prefactor), float(law.exponent)


@_styled
def plot_optimum_scaling(
    N_values: ArrayLike | None = None,
    lambda_minus_values: Sequence[float] = (-1.0, -5.0, -20.0),
    *,
    sigma: float = 1.0,
    z_target: float = 1.0,
    out_scale: str = "large",
    power_laws: bool = True,
    path: str | Path | None = None,
) -> Any:
    """‖κ̄*‖, ρ*, L_var* of the L_var optimum against N, log-log (THEORY §2 "Optimal solutions").

    Solid lines: :func:`meanfield.optimum` for each λ₋; dashed: the derived
    large-N laws limit + prefactor·N^exponent of
    :func:`meanfield.large_n_scaling` (``power_laws=False`` skips them and
    sympy); the L_var panel also marks each N → ∞ limit (dotted).

    **Arguments** N_values: sizes (default 40 log-spaced from 16 to 10⁶);
    lambda_minus_values: λ₋ < 0 values; sigma > 0; z_target > 0;
    out_scale: "large" | "small"; power_laws: draw the derived laws;
    path: PNG file to write (dpi 150), or None.

    **Returns** the matplotlib Figure (3 axes).
    """
    import meanfield

    n = np.geomspace(16, 1e6, 40) if N_values is None else _check_sizes("N_values", N_values)
    lm_vals = _check_negative("lambda_minus_values", lambda_minus_values)
    # scalar call: ValueError naming σ, ẑ or out_scale when out of range
    meanfield.optimum(float(n[0]), float(lm_vals[0]), sigma, z_target, out_scale)
    opt = meanfield.optimum(n[None, :], lm_vals[:, None], sigma, z_target, out_scale)
    laws = meanfield.large_n_scaling(out_scale) if power_laws else None

    import matplotlib

    fig, axes = _figure(3, 10.0, 3.0)
    colors = matplotlib.colormaps["plasma"](np.linspace(0.0, 0.8, lm_vals.size))
    panels = (
        ("kappa_norm", opt.kappa_norm, "‖κ̄*‖ (latent norm, dimensionless)", "(a) fixed-point norm"),
        ("rho", opt.rho, "ρ* (readout correlation)", "(b) correlation"),
        ("loss_var", opt.loss_var, "L_var* (output variance, ẑ² units)", "(c) output variance"),
    )
    for ax, (key, values, ylabel, title) in zip(axes, panels, strict=False):
        for i, (color, lm) in enumerate(zip(colors, lm_vals, strict=False)):
            ax.plot(n, values[i], color=color, label=f"λ₋ = {lm:g}")
            if laws is not None:
                limit, prefactor, exponent = _law_numbers(laws[key], lm, sigma, z_target)
                ax.plot(n, limit + prefactor * n**exponent, color=color, ls="--", lw=1.0)
                if limit > 0:
                    ax.axhline(limit, color=color, ls=":", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N (number of neurons)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=c, label=f"λ₋ = {lm:g}")
        for c, lm in zip(colors, lm_vals, strict=False)
    ]
    handles.append(Line2D([], [], color="k", label="optimum (numeric)"))
    if laws is not None:
        handles.append(Line2D([], [], color="k", ls="--", lw=1.0, label="large-N law (derived)"))
        handles.append(Line2D([], [], color="k", ls=":", lw=0.8, label="N → ∞ limit"))
    axes[0].legend(handles=handles, frameon=False)
    fig.suptitle(
        f"L_var-optimal solution vs N: σ = {sigma:g}, ẑ = {z_target:g}, "
        f"{out_scale} output weights, erf"
    )
    _save(fig, path)
    return fig
