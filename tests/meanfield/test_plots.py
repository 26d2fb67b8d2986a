"""meanfield.plots and ``oblique plot theory``: PNGs written, axes as documented, data from meanfield.

The large-N laws are replaced by a stand-in with the contract of ``meanfield.large_n_scaling``
(its sympy derivation takes about a minute of CPU; it is tested with the symbolic module).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import meanfield
from meanfield import plots
from validate.cli import main

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
N_SMALL = (64, 256)
LAMBDA_MINUS = (-2.0, -5.0)


@pytest.fixture
def fake_laws(monkeypatch: pytest.MonkeyPatch) -> dict:
    import sympy as sp

    from meanfield import symbolic
    from meanfield.symbolic import PowerLaw

    lm, sg, z = symbolic.lam_m, symbolic.sigma, symbolic.z
    laws = {
        "lambda_gap": PowerLaw(sp.Integer(0), z * sg / (1 - lm), sp.Rational(-1, 3)),
        "kappa_norm": PowerLaw(sp.Integer(0), 2 * z / (1 - lm), sp.Rational(-1, 6)),
        "rho": PowerLaw(sp.Integer(0), z / (2 - lm), sp.Rational(-1, 3)),
        "loss_var": PowerLaw(sg**2 * 3 / (3 - lm), sg * z / 5, sp.Rational(-1, 3)),
    }
    monkeypatch.setattr(meanfield, "large_n_scaling", lambda out_scale="large": laws)
    return {"laws": laws, "symbols": (lm, sg, z)}


def _assert_png(path: Path) -> None:
    assert path.is_file() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_fixed_point_curves_png_axes_and_minima(tmp_path: Path) -> None:
    lam = np.linspace(1.61, 4.0, 60)
    path = tmp_path / "sub" / "fp.png"
    fig = plots.plot_fixed_point_curves(N_SMALL, LAMBDA_MINUS, lambda_plus=lam, path=path)
    _assert_png(path)
    assert len(fig.axes) == 3
    ax_k, ax_r, ax_l = fig.axes
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()
    np.testing.assert_array_equal(
        ax_k.get_lines()[0].get_ydata(), meanfield.fixed_point_norm(lam, 1.0)
    )
    assert len(ax_r.get_lines()) == len(N_SMALL)
    for line, n in zip(ax_r.get_lines(), N_SMALL, strict=True):
        np.testing.assert_array_equal(line.get_ydata(), meanfield.correlation(lam, 1.0, n))
    # one curve and one marker per (N, λ₋); the markers sit at meanfield.optimum
    markers = [ln for ln in ax_l.get_lines() if ln.get_marker() == "o"]
    curves = [ln for ln in ax_l.get_lines() if ln.get_marker() != "o"]
    assert len(markers) == len(curves) == len(N_SMALL) * len(LAMBDA_MINUS)
    expected = {
        (meanfield.optimum(n, lm).lambda_plus, meanfield.optimum(n, lm).loss_var)
        for n in N_SMALL
        for lm in LAMBDA_MINUS
    }
    got = {(float(m.get_xdata()[0]), float(m.get_ydata()[0])) for m in markers}
    assert got == expected


def test_optimum_scaling_without_laws(tmp_path: Path) -> None:
    n = np.geomspace(64, 1e5, 8)
    path = tmp_path / "opt.png"
    fig = plots.plot_optimum_scaling(n, LAMBDA_MINUS, power_laws=False, path=path)
    _assert_png(path)
    assert len(fig.axes) == 3
    opt = meanfield.optimum(n[None, :], np.array(LAMBDA_MINUS)[:, None])
    for ax, values in zip(fig.axes, (opt.kappa_norm, opt.rho, opt.loss_var), strict=True):
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        lines = ax.get_lines()
        assert len(lines) == len(LAMBDA_MINUS)
        for line, row in zip(lines, values, strict=True):
            np.testing.assert_array_equal(line.get_ydata(), row)


def test_optimum_scaling_draws_the_laws(tmp_path: Path, fake_laws: dict) -> None:
    import sympy as sp

    n = np.geomspace(64, 1e5, 8)
    fig = plots.plot_optimum_scaling(
        n, LAMBDA_MINUS, sigma=0.8, z_target=1.2, path=tmp_path / "o.png"
    )
    _assert_png(tmp_path / "o.png")
    lm, sg, z = fake_laws["symbols"]
    for ax, key in zip(fig.axes, ("kappa_norm", "rho", "loss_var"), strict=True):
        dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert len(dashed) == len(LAMBDA_MINUS)
        law = fake_laws["laws"][key]
        for line, lmv in zip(dashed, LAMBDA_MINUS, strict=True):
            # independent evaluation: lambdify (the plot uses subs + evalf)
            limit, prefactor = sp.lambdify([lm, sg, z], [law.limit, law.prefactor], "math")(
                lmv, 0.8, 1.2
            )
            # two independent evaluations of the same expression: rounding only
            np.testing.assert_allclose(
                line.get_ydata(), limit + prefactor * n ** float(law.exponent), rtol=1e-13
            )
        n_limits = sum(1 for ln in ax.get_lines() if ln.get_linestyle() == ":")
        assert n_limits == (len(LAMBDA_MINUS) if key == "loss_var" else 0)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: plots.plot_fixed_point_curves(lambda_minus_values=[1.0]), "lambda_minus_values"),
        (lambda: plots.plot_fixed_point_curves(N_values=[0]), "N_values"),
        (lambda: plots.plot_fixed_point_curves(sigma=-1.0), "sigma"),
        (lambda: plots.plot_optimum_scaling(z_target=0.0, power_laws=False), "z_target"),
        (lambda: plots.plot_optimum_scaling(out_scale="huge", power_laws=False), "out_scale"),
    ],
)
def test_bad_input_names_the_parameter(call, name: str) -> None:
    with pytest.raises(ValueError, match=rf"\b{name}="):
        call()


def test_cli_plot_theory_writes_pngs(
    tmp_path: Path, fake_laws: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figs"
    assert main(["plot", "theory", "--out", str(out)]) == 0
    written = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in written) == [
        "theory_fixed_point_curves.png",
        "theory_optimum_scaling.png",
    ]
    for p in written:
        _assert_png(Path(p))


def test_cli_plot_theory_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", "theory", "--out", str(tmp_path), "--sigma", "-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("oblique plot theory: error: sigma=")


def test_import_meanfield_stays_light() -> None:
    code = (
        "import sys, meanfield, meanfield.plots\n"
        "print(sorted(m for m in ('matplotlib', 'sympy', 'jax', 'scipy.integrate') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
