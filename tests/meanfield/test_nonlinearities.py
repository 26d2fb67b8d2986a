"""Gaussian averages ⟨φ'⟩, ⟨φ'''⟩ (meanfield.nonlinearities, THEORY §2)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate as si
import scipy.special as ss

import meanfield as mf
from meanfield import _generated
from meanfield.nonlinearities import _tanh_dphi, _tanh_dphi3, get_nonlinearity

ALPHA = np.sqrt(np.pi) / 2


def _quad_mean(f, delta: float) -> float:
    """Adaptive-quadrature reference ⟨f⟩ over N(0, Δ) (independent of gaussian_mean)."""
    density = lambda x: f(x) * np.exp(-x * x / (2 * delta)) / np.sqrt(2 * np.pi * delta)  # noqa: E731
    return si.quad(density, -np.inf, np.inf, epsabs=1e-15, epsrel=1e-14, limit=1000)[0]


def test_gaussian_mean_moments():
    # Gaussian moments ⟨x²⟩ = Δ, ⟨x⁴⟩ = 3Δ², ⟨cos x⟩ = e^{−Δ/2} (exact identities).
    delta = np.array([1e-3, 0.5, 2.0, 50.0])
    assert np.allclose(mf.gaussian_mean(lambda x: x**2, delta), delta, rtol=1e-12)
    assert np.allclose(mf.gaussian_mean(lambda x: x**4, delta), 3 * delta**2, rtol=1e-12)
    assert np.allclose(mf.gaussian_mean(np.cos, delta), np.exp(-delta / 2), rtol=1e-12, atol=1e-15)
    assert mf.gaussian_mean(np.cos, 0.0) == 1.0  # Δ = 0: f(0)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_tanh_matches_adaptive_quadrature_1e10():
    deltas = np.geomspace(1e-3, 1e3, 9)
    got1 = mf.mean_dphi(deltas, "tanh")
    got3 = mf.mean_dphi3(deltas, "tanh")
    ref1 = np.array([_quad_mean(_tanh_dphi, d) for d in deltas])
    ref3 = np.array([_quad_mean(_tanh_dphi3, d) for d in deltas])
    assert np.max(np.abs(got1 - ref1)) < 1e-10
    assert np.max(np.abs(got3 - ref3)) < 1e-10


def test_quadrature_erf_equals_closed_form():
    # A user callable φ goes through Gaussian integration by parts + quadrature;
    # for φ = erf(αx) it must reproduce the derived closed forms.
    phi = lambda x: ss.erf(ALPHA * x)  # noqa: E731
    deltas = np.geomspace(1e-3, 100.0, 15)
    assert np.max(np.abs(mf.mean_dphi(deltas, phi) - _generated.erf_mean_dphi(deltas))) < 1e-10
    assert np.max(np.abs(mf.mean_dphi3(deltas, phi) - _generated.erf_mean_dphi3(deltas))) < 1e-10
    # and the string route is the closed form itself
    assert np.array_equal(mf.mean_dphi(deltas, "erf"), _generated.erf_mean_dphi(deltas))


def test_tanh_callable_route_agrees_with_named_route():
    deltas = np.geomspace(1e-2, 30.0, 7)
    assert np.allclose(
        mf.mean_dphi(deltas, np.tanh), mf.mean_dphi(deltas, "tanh"), rtol=0, atol=1e-10
    )
    assert np.allclose(
        mf.mean_dphi3(deltas, np.tanh), mf.mean_dphi3(deltas, "tanh"), rtol=0, atol=1e-10
    )


@pytest.mark.parametrize("name", ["erf", "tanh"])
def test_dphi3_is_twice_the_delta_derivative_of_dphi(name):
    # Heat equation of the Gaussian: d⟨φ'⟩/dΔ = ⟨φ'''⟩/2, checked with a complex step
    # (the quadrature is analytic in Δ), which also validates the complex-step use in optimum.
    nl = get_nonlinearity(name)
    deltas = np.geomspace(1e-2, 1e2, 9)
    h = 1e-30
    slope = np.imag(nl.mean_dphi(deltas + 1j * h)) / h
    assert np.allclose(slope, 0.5 * nl.mean_dphi3(deltas), rtol=1e-10, atol=1e-14)


def test_relu_and_linear_averages():
    d = np.array([0.1, 1.0, 10.0])
    assert np.array_equal(mf.mean_dphi(d, "relu"), np.full(3, 0.5))
    assert np.array_equal(mf.mean_dphi3(d, "relu"), np.zeros(3))
    assert np.array_equal(mf.mean_dphi(d, "linear"), np.ones(3))
    assert np.array_equal(mf.mean_dphi3(d, "linear"), np.zeros(3))
    # relu's ⟨φ'⟩ by the integration-by-parts route ⟨relu(x)x⟩/Δ (kink: slow convergence,
    # so only to 1e-6) confirms the constant 1/2 that makes its fixed point degenerate.
    relu = lambda x: np.maximum(x, 0.0)  # noqa: E731
    assert np.allclose(mf.mean_dphi(d, relu), 0.5, atol=1e-6)


def test_nonlinearity_names():
    assert mf.NONLINEARITIES == ("erf", "tanh", "relu", "linear")
    with pytest.raises(ValueError, match="nonlinearity='softplus'.*one of 'erf', 'tanh'"):
        mf.mean_dphi(1.0, "softplus")


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0, 1e4, 1e8, 1e12])
def test_tanh_third_derivative_average_against_mpmath(delta):
    """⟨φ'''⟩ for tanh to 1e-12 relative at every Δ (40-digit mpmath reference): the direct
    sum cancels to O(Δ^{-3/2}) from O(Δ^{-1/2}) terms and was 70 % off at Δ = 1e12; above
    Δ = 1 the integration-by-parts form is used."""
    import mpmath as mp

    import meanfield as mf

    mp.mp.dps = 40
    d = mp.mpf(delta)

    def f(x):
        t = mp.tanh(x)
        return (1 - t * t) * (6 * t * t - 2) * mp.exp(-x * x / (2 * d)) / mp.sqrt(2 * mp.pi * d)

    ref = float(mp.quad(f, [-mp.inf, -40, -5, 0, 5, 40, mp.inf]))
    assert mf.mean_dphi3(delta, "tanh") == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("delta", [0.01, 1.0, 1e2, 1e4, 1e6])
def test_callable_averages_refine_until_converged(delta):
    """A user callable (tanh passed as a function) against the named tanh: the trapezoid step
    is halved until two refinements agree to 1e-11, so ⟨φ'⟩ and ⟨φ'''⟩ hold to ~1e-9 where a
    fixed 401-node grid no longer resolved φ; beyond the node cap a scalar call names delta."""
    import meanfield as mf

    assert mf.mean_dphi(delta, np.tanh) == pytest.approx(mf.mean_dphi(delta, "tanh"), rel=1e-9)
    assert mf.mean_dphi3(delta, np.tanh) == pytest.approx(mf.mean_dphi3(delta, "tanh"), rel=1e-7)


def test_callable_quadrature_limit_is_named():
    import meanfield as mf

    with pytest.raises(ValueError, match=r"^delta=1e\+?12 is out of range|^delta=1000000000000\.0"):
        mf.mean_dphi(1e12, np.tanh)
