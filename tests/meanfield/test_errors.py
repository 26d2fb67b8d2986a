"""Bad input: one message template naming parameter, value and range (meanfield._checks)."""

from __future__ import annotations

import numpy as np
import pytest

import meanfield as mf
from meanfield._checks import INVALID

LMIN = mf.lambda_min(1.0)


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: mf.lambda_min(-0.5), r"sigma=-0\.5 is out of range: sigma must be >= 0"),
        (lambda: mf.lambda_min(np.inf), r"sigma=inf is out of range: sigma must be finite"),
        (
            lambda: mf.fixed_point_norm(1.2, 1.0),
            r"lambda_plus=1\.2 .* must be > lambda_min\(sigma\) = 1\.60",
        ),
        (lambda: mf.fixed_point_norm(np.nan, 1.0), r"lambda_plus=nan .* must be finite"),
        (lambda: mf.correlation(2.6, 1.0, 0.5), r"N=0\.5 .* must be >= 1"),
        (lambda: mf.correlation(2.6, -1.0, 256), r"sigma=-1\.0 .* must be >= 0"),
        (lambda: mf.correlation(2.6, 1.0, 256, z_target=0.0), r"z_target=0\.0 .* must be > 0"),
        (
            lambda: mf.correlation(2.6, 1.0, 256, out_scale="huge"),
            r"out_scale='huge' .* one of 'large', 'small'",
        ),
        (
            lambda: mf.correlation(LMIN + 1e-4, 1.0, 256),
            r"lambda_plus=1\.60.* must be >= 1\.6.*where rho = 1.*rho = .* > 1",
        ),
        (lambda: mf.loss_var(2.6, np.inf, 1.0, 256), r"lambda_minus=inf .* must be finite"),
        (lambda: mf.loss_var(2.6, 3.0, 1.0, 256), r"lambda_minus=3\.0 .* must be < lambda_plus"),
        (
            lambda: mf.latent_covariance(2.6, -5, 1.0, 256, theta_minus=np.nan),
            r"theta_minus=nan .* finite",
        ),
        (
            lambda: mf.loss_var(2.6, -5.0, 1.0, 256, nonlinearity="relu"),
            r"nonlinearity='relu' .* no isolated nonzero fixed point",
        ),
        (lambda: mf.fixed_point_norm(2.0, 1.0, "linear"), r"nonlinearity='linear'"),
        (
            lambda: mf.correlation(2.6, 1.0, 256, nonlinearity="gelu"),
            r"nonlinearity='gelu' .* one of 'erf'",
        ),
        (lambda: mf.optimum(0, -5.0), r"N=0\.0 .* must be >= 1"),
        (
            lambda: mf.optimum(256, 2.0),
            r"lambda_minus=2\.0 .* must be < 0 \(for λ₋ ≥ 0, L_var decreases",
        ),
        (lambda: mf.optimum(256, -5.0, sigma=0.0), r"sigma=0\.0 .* must be > 0"),
        (lambda: mf.optimum(256, -5.0, out_scale="medium"), r"out_scale='medium'"),
        (lambda: mf.mean_dphi(-1.0), r"delta=-1\.0 .* must be >= 0"),
    ],
)
def test_scalar_calls_raise_named_value_errors(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_one_template():
    assert INVALID.startswith("{name}={value} is out of range: {name} must be {allowed}")
    with pytest.raises(ValueError) as info:
        mf.fixed_point_norm(1.0, 1.0)
    assert str(info.value).startswith("lambda_plus=1.0 is out of range: lambda_plus must be >")


def test_array_calls_nan_exactly_at_bad_entries_no_clipping():
    lam = np.array([2.6, 1.0, 2.6, 2.6, 2.6, 2.6])
    sigma = np.array([1.0, 1.0, -1.0, 1.0, 1.0, np.nan])
    n = np.array([256.0, 256.0, 256.0, 0.5, 256.0, 256.0])
    lam_m = np.array([-5.0, -5.0, -5.0, -5.0, 5.0, -5.0])
    lv = mf.loss_var(lam, lam_m, sigma, n)
    expected_bad = [False, True, True, True, True, True]
    assert np.array_equal(np.isnan(lv), expected_bad)
    assert lv[0] == mf.loss_var(2.6, -5.0, 1.0, 256.0)  # good entries unaffected
    assert np.array_equal(mf.feasible(lam, sigma, n, lambda_minus=lam_m), ~np.array(expected_bad))
    cov = mf.latent_covariance(lam, lam_m, sigma, n)
    assert np.array_equal(np.isnan(cov).all(axis=(-1, -2)), expected_bad)
    opt = mf.optimum(np.array([256.0, 0.0, 256.0]), np.array([-5.0, -5.0, 0.5]))
    assert np.array_equal(np.isnan(opt.lambda_plus), [False, True, True])


def test_scalar_results_are_floats():
    assert isinstance(mf.correlation(2.6, 1.0, 256), float)
    assert isinstance(mf.loss_var(2.6, -5.0, 1.0, 256), float)
    assert isinstance(mf.optimum(256, -5.0).lambda_plus, float)
    assert mf.latent_covariance(2.6, -5.0, 1.0, 256).shape == (2, 2)


# ---------------------------------------------------------------- types
@pytest.mark.parametrize(
    "bad",
    [True, np.True_, "256", b"256", None, 1 + 2j, [1.0, None], np.array([True, False]), {"N": 256}],
)
@pytest.mark.parametrize(
    "call, name",
    [
        (lambda v: mf.loss_var(2.0, -5.0, 1.0, v), "N"),
        (lambda v: mf.loss_var(v, -5.0, 1.0, 256), "lambda_plus"),
        (lambda v: mf.correlation(2.0, v, 256), "sigma"),
        (lambda v: mf.optimum(v, -5.0), "N"),
        (lambda v: mf.fixed_point_norm(v, 1.0), "lambda_plus"),
        (lambda v: mf.mean_dphi(v), "delta"),
        (lambda v: mf.barrier(2.0, 1.0, v), "N"),
        (lambda v: mf.linear_two_phase(10, 1, v), "eta0"),
    ],
)
def test_non_numbers_are_type_errors_naming_the_parameter(call, name, bad):
    """``N=True`` is not N = 1 and ``N='256'`` is not 256: a TypeError naming the
    parameter, never a number computed from a coerced value."""
    with pytest.raises(TypeError, match=rf"^{name}=.* must be a real number"):
        call(bad)


def test_phase_true_is_not_phase_one():
    with pytest.raises(TypeError, match=r"^phase=True has type bool"):
        mf.linear_two_phase(10, True)


# ---------------------------------------------------------------- errors= modes
LAM = np.array([0.5, 1.0, 2.0, 3.0])  # the first two are below λ_min(σ=1)


def test_errors_modes_for_array_calls():
    default = mf.loss_var(LAM, -5.0, 1.0, 256)
    assert np.isnan(default[:2]).all() and np.isfinite(default[2:]).all()
    with (
        mf.errors("raise"),
        pytest.raises(
            ValueError, match=r"^lambda_plus=0\.5 is out of range: .*\[2 of 4 entries infeasible"
        ),
    ):
        mf.loss_var(LAM, -5.0, 1.0, 256)
    with (
        mf.errors("warn"),
        pytest.warns(
            RuntimeWarning,
            match=r"2 of 4 entries infeasible; "
            r"first: lambda_plus=0\.5",
        ),
    ):
        warned = mf.loss_var(LAM, -5.0, 1.0, 256)
    np.testing.assert_array_equal(warned, default)
    with mf.errors("raise"):  # all feasible: nothing raised, same numbers
        np.testing.assert_array_equal(mf.loss_var(LAM[2:], -5.0, 1.0, 256), default[2:])
        # the feasibility mask itself is a query, never an error
        np.testing.assert_array_equal(mf.feasible(LAM, 1.0, 256), np.isfinite(default))
    # the default is back after the block
    np.testing.assert_array_equal(mf.loss_var(LAM, -5.0, 1.0, 256), default)
    with pytest.raises(ValueError, match=r"mode='strict'"):
        with mf.errors("strict"):
            pass


def test_errors_keyword_equals_the_context():
    import inspect

    assert inspect.signature(mf.loss_var).parameters["errors"].default is None
    with pytest.raises(ValueError, match=r"\[2 of 4 entries infeasible"):
        mf.loss_var(LAM, -5.0, 1.0, 256, errors="raise")
    with pytest.warns(RuntimeWarning, match="2 of 4 entries infeasible"):
        mf.fixed_point_norm(LAM, 1.0, errors="warn")
    np.testing.assert_array_equal(
        mf.loss_var(LAM, -5.0, 1.0, 256, errors="nan"), mf.loss_var(LAM, -5.0, 1.0, 256)
    )
    with mf.errors("raise"):  # the keyword wins over the surrounding mode
        assert np.isnan(mf.loss_var(LAM, -5.0, 1.0, 256, errors="nan")[0])
    with pytest.raises(ValueError, match=r"^mode='loud'"):
        mf.optimum(256, -5.0, errors="loud")


def test_tiny_euler_steps_are_accepted_and_converge_to_continuous_time() -> None:
    # the map's stability test is exact as dt → 0 (it used to lose dt²·det A to rounding and
    # refuse dt ≤ 1e-8); the dt-prediction tends to the continuous one linearly in dt
    import meanfield as mf

    cont = mf.loss_var(2.0, -1.0, 1.0, 256)
    for dt in (1e-6, 1e-8, 1e-12):
        val = mf.loss_var(2.0, -1.0, 1.0, 256, dt=dt)
        assert abs(val - cont) < 2.0 * dt * cont + 1e-13 * cont, (dt, val, cont)


def test_zero_d_arrays_are_numbers_and_complex_is_named() -> None:
    import numpy as np

    import meanfield as mf

    assert mf.loss_var(2.0, -1.0, 1.0, 256, dt=np.array(0.2)) == mf.loss_var(
        2.0, -1.0, 1.0, 256, dt=0.2
    )
    assert mf.loss_var(2.0, -1.0, 1.0, 256, hermite_orders=np.array(8)) == mf.loss_var(
        2.0, -1.0, 1.0, 256, hermite_orders=8
    )
    with pytest.raises(ValueError, match=r"dt=\(1\+0j\)"):
        mf.loss_var(2.0, -1.0, 1.0, 256, dt=1 + 0j)
