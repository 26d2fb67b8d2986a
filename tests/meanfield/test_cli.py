"""``oblique predict`` (meanfield._cli): output matches meanfield called directly, bad input fails cleanly.

The large-N laws come from ``meanfield.large_n_scaling``, whose sympy derivation takes about a
minute of CPU; these tests replace it by a stand-in that honours the same contract (dict of
PowerLaw in the symbols lam_m, sigma, z), which tests the CLI's handling of the laws. The real
laws are tested in their own module; :func:`test_real_laws_end_to_end` runs them through the
CLI only with OBLIQUE_RUN_SYMBOLIC=1.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import meanfield
from meanfield import _cli
from validate.cli import main

REPO = Path(__file__).resolve().parents[2]

# Defaults of THEORY §5, written out here so that a changed default is noticed.
DEFAULTS = {
    "N": 256,
    "sigma": 1.0,
    "z_target": 1.0,
    "lambda_minus": -5.0,
    "lambda_plus": (1.7, 1.9, 2.6),
}


def _no_nan(text: str) -> None:
    raise AssertionError(f"non-finite number {text!r} in JSON output")


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def predict_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    status, out, err = run_cli(["predict", "--json", *argv], capsys)
    assert status == 0, err
    # parse_constant is called only for NaN / Infinity / -Infinity: valid, finite JSON
    return json.loads(out, parse_constant=_no_nan)


@pytest.fixture
def fake_laws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict:
    """A stand-in for meanfield.large_n_scaling with the same contract; counts its calls."""
    import sympy as sp

    from meanfield import symbolic
    from meanfield.symbolic import PowerLaw

    lm, sg, z = symbolic.lam_m, symbolic.sigma, symbolic.z
    laws = {
        "lambda_gap": PowerLaw(
            sp.Integer(0), z ** sp.Rational(2, 3) * sg / (1 - lm), sp.Rational(-1, 3)
        ),
        "kappa_norm": PowerLaw(sp.Integer(0), sp.sqrt(z) * (1 - lm) / 7, sp.Rational(-1, 6)),
        "rho": PowerLaw(sp.Integer(0), z / (2 - lm), sp.Rational(-1, 3)),
        "loss_var": PowerLaw(sg**2 * 3 / (3 - lm), sg * z / 5, sp.Rational(-1, 3)),
    }
    calls: list[str] = []

    def fake(out_scale: str = "large") -> dict:
        calls.append(out_scale)
        return laws

    monkeypatch.setattr(meanfield, "large_n_scaling", fake)
    monkeypatch.setenv("OBLIQUE_CACHE_DIR", str(tmp_path / "cache"))
    return {"laws": laws, "calls": calls, "symbols": (lm, sg, z)}


# --------------------------------------------------------------------------- JSON output
def test_json_defaults_match_meanfield(capsys: pytest.CaptureFixture[str]) -> None:
    rep = predict_json(["--no-scaling"], capsys)
    n, sg, zt, lm = DEFAULTS["N"], DEFAULTS["sigma"], DEFAULTS["z_target"], DEFAULTS["lambda_minus"]
    assert rep["parameters"]["N"] == n and rep["parameters"]["symmetric_M"] is True
    # The CLI calls the same functions with the same float inputs and JSON round-trips a
    # float exactly (repr), so equality is exact.
    assert rep["lambda_min"] == meanfield.lambda_min(sg)
    assert [r["lambda_plus"] for r in rep["fixed_points"]] == list(DEFAULTS["lambda_plus"])
    assert rep["skipped"] == []
    for row in rep["fixed_points"]:
        lam = row["lambda_plus"]
        assert row["kappa_norm"] == meanfield.fixed_point_norm(lam, sg)
        assert row["rho"] == meanfield.correlation(lam, sg, n, zt)
        assert row["loss_var"] == meanfield.loss_var(lam, lm, sg, n, zt)
        np.testing.assert_array_equal(
            row["latent_covariance"], meanfield.latent_covariance(lam, lm, sg, n, zt)
        )
        # derived columns: one rounding each (ρ√N, arccos) → a few ulp
        assert row["rho_sqrt_N"] == pytest.approx(row["rho"] * math.sqrt(n), rel=1e-15)
        assert math.cos(math.radians(row["theta_plus_deg"])) == pytest.approx(row["rho"], rel=1e-12)
    opt = meanfield.optimum(n, lm, sg, zt)
    assert rep["optimum"] == {
        "lambda_plus": opt.lambda_plus,
        "kappa_norm": opt.kappa_norm,
        "rho": opt.rho,
        "loss_var": opt.loss_var,
        "on_boundary": False,
    }
    assert rep["large_n"] is None and "no-scaling" in rep["large_n_note"]


def test_json_options_match_meanfield(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "--N",
        "1024",
        "--sigma",
        "0.5",
        "--lambda-plus",
        "1.5",
        "2.0",
        "--lambda-minus",
        "-2",
        "--z-target",
        "0.5",
        "--theta-minus",
        "0.2",
        "--out-scale",
        "small",
        "--nonlinearity",
        "tanh",
        "--no-scaling",
    ]
    rep = predict_json(argv, capsys)
    kw = {"sigma": 0.5, "N": 1024, "z_target": 0.5, "out_scale": "small", "nonlinearity": "tanh"}
    assert rep["parameters"]["theta_minus"] == 0.2 and rep["parameters"]["symmetric_M"] is False
    assert rep["lambda_min"] == meanfield.lambda_min(0.5, "tanh")
    assert [r["lambda_plus"] for r in rep["fixed_points"]] == [1.5, 2.0]
    for row in rep["fixed_points"]:
        lam = row["lambda_plus"]
        assert row["rho"] == meanfield.correlation(lam, 0.5, 1024, 0.5, "small", "tanh")
        assert row["loss_var"] == meanfield.loss_var(lam, -2.0, theta_minus=0.2, **kw)
        np.testing.assert_array_equal(
            row["latent_covariance"], meanfield.latent_covariance(lam, -2.0, theta_minus=0.2, **kw)
        )
    opt = meanfield.optimum(1024, -2.0, 0.5, 0.5, "small", "tanh")
    assert rep["optimum"]["lambda_plus"] == opt.lambda_plus
    assert rep["optimum"]["loss_var"] == opt.loss_var
    assert rep["large_n"] is None


def test_small_weights_skip_infeasible_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    rep = predict_json(["--out-scale", "small", "--no-scaling"], capsys)
    kept = [r["lambda_plus"] for r in rep["fixed_points"]]
    skipped = [s["lambda_plus"] for s in rep["skipped"]]
    assert sorted(kept + skipped) == sorted(DEFAULTS["lambda_plus"]) and kept
    feas = meanfield.feasible(np.array(DEFAULTS["lambda_plus"]), 1.0, 256, 1.0, "small")
    assert kept == [lam for lam, f in zip(DEFAULTS["lambda_plus"], feas, strict=True) if f]
    assert all("lambda_plus" in s["reason"] for s in rep["skipped"])


# --------------------------------------------------------------------------- text output
def _table_rows(text: str) -> list[list[float]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["λ₊"]) + 1
    rows = []
    for line in lines[start:]:
        if not line.strip() or line.strip().startswith("("):
            break
        rows.append([float(v) for v in line.split()])
    return rows


def test_text_table_matches_meanfield(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(["predict", "--no-scaling", "--lambda-plus", "1.8", "3.0"], capsys)
    assert status == 0
    rows = _table_rows(out)
    assert len(rows) == 2
    n, sg, lm = 256, 1.0, -5.0
    for row, lam in zip(rows, (1.8, 3.0), strict=True):
        cov = meanfield.latent_covariance(lam, lm, sg, n)
        rho = meanfield.correlation(lam, sg, n)
        expected = [
            lam,
            meanfield.fixed_point_norm(lam, sg),
            rho,
            rho * math.sqrt(n),
            math.degrees(math.acos(rho)),
            meanfield.loss_var(lam, lm, sg, n),
            cov[0, 0],
            cov[0, 1],
            cov[1, 1],
        ]
        # printed with 6 significant digits (θ₊ with 3 decimals): relative error ≤ 5e-6
        np.testing.assert_allclose(row[:4] + row[5:], expected[:4] + expected[5:], rtol=5e-6)
        assert row[4] == pytest.approx(expected[4], abs=5e-4)
    assert f"λ_min = {meanfield.lambda_min(sg):.8g}" in out
    opt = meanfield.optimum(n, lm, sg)
    assert f"λ₊* = {opt.lambda_plus:.8g}" in out and f"L_var* = {opt.loss_var:.6g}" in out


# --------------------------------------------------------------------------- large-N laws
def test_laws_follow_the_large_n_scaling_contract(
    capsys: pytest.CaptureFixture[str], fake_laws: dict
) -> None:
    import sympy as sp

    rep = predict_json(
        ["--lambda-minus", "-3", "--sigma", "0.7", "--z-target", "1.3", "--N", "500"], capsys
    )
    lm, sg, z = fake_laws["symbols"]
    subs = {lm: -3.0, sg: 0.7, z: 1.3}
    assert set(rep["large_n"]) == set(fake_laws["laws"])
    for key, law in fake_laws["laws"].items():
        got = rep["large_n"][key]
        limit = float(sp.N(law.limit.subs(subs), 30))
        prefactor = float(sp.N(law.prefactor.subs(subs), 30))
        # evaluated from the sympy expressions: exact up to a rounding or two (1e-14)
        assert got["limit"] == pytest.approx(limit, rel=1e-14, abs=1e-300)
        assert got["prefactor"] == pytest.approx(prefactor, rel=1e-14)
        assert got["exponent_exact"] == str(law.exponent)
        assert got["at_N"] == pytest.approx(
            limit + prefactor * 500.0 ** float(law.exponent), rel=1e-14
        )
    # text output shows the laws with the exponent as a fraction
    status, out, _ = run_cli(
        ["predict", "--lambda-minus", "-3", "--sigma", "0.7", "--z-target", "1.3", "--N", "500"],
        capsys,
    )
    assert status == 0 and "N^(-1/6)" in out and "N^(-1/3)" in out


def test_laws_are_cached_on_disk(capsys: pytest.CaptureFixture[str], fake_laws: dict) -> None:
    first = predict_json([], capsys)
    assert fake_laws["calls"] == ["large"]
    second = predict_json([], capsys)
    assert fake_laws["calls"] == ["large"]  # answered from the cache
    assert second == first
    predict_json(["--lambda-minus", "-4"], capsys)  # other parameters: derived again
    assert fake_laws["calls"] == ["large", "large"]
    assert not any(v for v in first["large_n"].values() if v is None)


def test_tanh_has_no_laws(capsys: pytest.CaptureFixture[str], fake_laws: dict) -> None:
    rep = predict_json(["--nonlinearity", "tanh"], capsys)
    assert rep["large_n"] is None and "erf" in rep["large_n_note"]
    assert fake_laws["calls"] == []


@pytest.mark.skipif(
    os.environ.get("OBLIQUE_RUN_SYMBOLIC") != "1",
    reason="derives the real large-N laws with sympy (~1 min CPU, over this file's budget); "
    "the laws themselves are tested with meanfield.symbolic.scaling; set OBLIQUE_RUN_SYMBOLIC=1",
)
def test_real_laws_end_to_end(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBLIQUE_CACHE_DIR", str(tmp_path))
    rep = predict_json(["--N", "1000000"], capsys)
    assert set(rep["large_n"]) == {k for k, _ in _cli.SCALING_KEYS}
    # At N = 10⁶ the relative next-order correction is O(N^(-1/3)) = 1e-2 times an O(1)
    # coefficient; 0.1 leaves a factor 10 for that coefficient.
    assert rep["large_n"]["kappa_norm"]["at_N"] == pytest.approx(
        rep["optimum"]["kappa_norm"], rel=0.1
    )
    assert rep["large_n"]["rho"]["at_N"] == pytest.approx(rep["optimum"]["rho"], rel=0.1)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["--N", "0"], "N"),
        (["--N", "12.5"], "N"),
        (["--N", "many"], "N"),
        (["--sigma", "abc"], "sigma"),
        (["--sigma", "-1"], "sigma"),
        (["--sigma", "0"], "sigma"),
        (["--lambda-plus", "1.2"], "lambda_plus"),
        (["--lambda-plus", "1.9", "inf"], "lambda_plus"),
        (["--lambda-minus", "1"], "lambda_minus"),
        (["--lambda-minus", "nan"], "lambda_minus"),
        (["--z-target", "0"], "z_target"),
        (["--theta-minus", "nan"], "theta_minus"),
        (["--lambda-plus", "1.604"], "lambda_plus"),  # > λ_min, but ρ > 1: no L_bias = 0 solution
    ],
)
def test_bad_input_one_line_error(
    argv: list[str], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if argv == ["--lambda-plus", "1.604"]:  # the premise of that case
        assert 1.604 > meanfield.lambda_min(1.0) and not meanfield.feasible(1.604, 1.0, 256)
    status, out, err = run_cli(["predict", "--no-scaling", *argv], capsys)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("oblique predict: error: ")
    assert f"{name}=" in lines[0]
    assert "Traceback" not in err


def test_bad_choice_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["predict", "--out-scale", "medium"])
    assert info.value.code == 2
    assert "out-scale" in capsys.readouterr().err


def test_cli_nonlinearities_in_sync() -> None:
    from meanfield.nonlinearities import get_nonlinearity

    isolated = {n for n in meanfield.NONLINEARITIES if get_nonlinearity(n).isolated_fixed_point}
    assert set(_cli.CLI_NONLINEARITIES) == isolated


# --------------------------------------------------------------------------- light imports
def test_predict_does_not_import_jax(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from validate.cli import main\n"
        "status = main(['predict', '--no-scaling'])\n"
        "heavy = sorted(m for m in ('jax', 'jaxlib', 'equinox', 'optax', 'matplotlib') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "sys.exit(status)\n"
    )
    env = dict(os.environ, OBLIQUE_CACHE_DIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY=", proc.stdout
