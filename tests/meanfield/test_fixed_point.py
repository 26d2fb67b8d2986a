"""Fixed points and the L_bias = 0 correlation (meanfield.fixed_point, THEORY §2)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize as so
import scipy.special as ss
from hypothesis import given
from hypothesis import strategies as st

import meanfield as mf
from meanfield import _generated
from meanfield.fixed_point import _rho_from_kappa_sq

ALPHA = np.sqrt(np.pi) / 2
sigmas = st.floats(0.05, 3.0)
gaps = st.floats(1e-3, 5.0)  # λ₊ − λ_min


@given(sigma=sigmas, gap=gaps, name=st.sampled_from(["erf", "tanh"]))
def test_fixed_point_condition_holds(sigma, gap, name):
    # λ₊⟨φ'⟩(‖κ̄‖² + σ²) = 1 at the returned norm (relative 1e-12: root tolerance 1e-13).
    lam = mf.lambda_min(sigma, name) + gap
    k = mf.fixed_point_norm(lam, sigma, name) ** 2
    assert abs(lam * mf.mean_dphi(k + sigma**2, name) - 1.0) < 1e-12


def test_lambda_min_is_inverse_gain_at_sigma_squared():
    sigma = np.array([0.0, 0.2, 1.0, 2.5])
    # erf closed form vs the quadrature route of a callable erf (independent computation)
    phi = lambda x: ss.erf(ALPHA * x)  # noqa: E731
    assert np.allclose(mf.lambda_min(sigma[1:], phi), mf.lambda_min(sigma[1:]), rtol=1e-10)
    assert np.allclose(mf.lambda_min(sigma, "tanh"), 1 / mf.mean_dphi(sigma**2, "tanh"), rtol=1e-14)
    assert mf.lambda_min(0.0, "tanh") == 1.0  # tanh'(0) = 1


def test_tanh_root_matches_brentq():
    sigma = 0.7
    lam = mf.lambda_min(sigma, "tanh") + np.array([0.01, 0.5, 4.0])
    got = mf.fixed_point_norm(lam, sigma, "tanh") ** 2
    ref = [
        so.brentq(lambda k, lp=lp: lp * mf.mean_dphi(k + sigma**2, "tanh") - 1, 0, 1e4, xtol=1e-15)
        for lp in lam
    ]
    assert np.allclose(got, ref, rtol=1e-11)


@pytest.mark.parametrize("name", ["erf", "tanh"])
def test_norm_increases_with_lambda_plus(name):
    lam = mf.lambda_min(1.0, name) + np.geomspace(1e-6, 20, 200)
    norm = mf.fixed_point_norm(lam, 1.0, name)
    assert np.all(np.isfinite(norm)) and np.all(np.diff(norm) > 0)


@given(
    sigma=sigmas,
    gap=gaps,
    logn=st.floats(0, 24),
    z=st.floats(0.05, 5.0),
    out_scale=st.sampled_from(["large", "small"]),
    name=st.sampled_from(["erf", "tanh"]),
)
def test_rho_in_unit_interval_where_feasible(sigma, gap, logn, z, out_scale, name):
    n = 2.0**logn
    lam = mf.lambda_min(sigma, name) + gap
    ok = mf.feasible(lam, sigma, n, z, out_scale, name)
    rho = mf.correlation(np.array([lam]), sigma, n, z, out_scale, name)[0]
    assert ok == np.isfinite(rho)
    if ok:
        assert 0 < rho <= 1
        s = 1.0 if out_scale == "large" else 1 / np.sqrt(n)
        # the definition: output s√N‖κ̄‖ρ equals the target
        assert np.isclose(
            s * np.sqrt(n) * mf.fixed_point_norm(lam, sigma, name) * rho, z, rtol=1e-12
        )


def test_generated_rho_equals_generic_formula():
    lam, sigma, n, z = np.linspace(1.7, 4, 20), 1.0, 256.0, 1.3
    k = _generated.erf_kappa_norm_sq(lam, sigma)
    assert np.allclose(
        _generated.rho_large(lam, sigma, n, z), _rho_from_kappa_sq(k, n, z, 1.0), rtol=1e-13
    )
    assert np.allclose(
        _generated.rho_small(lam, sigma, z), _rho_from_kappa_sq(k, n, z, 1 / np.sqrt(n)), rtol=1e-13
    )


def test_oblique_vs_aligned_scaling():
    # THEORY §2: ρ = O(1/√N) for large output weights, O(1) for small.
    n = np.array([64.0, 256.0, 4096.0])
    rho_large = mf.correlation(2.6, 1.0, n, out_scale="large")
    rho_small = mf.correlation(2.6, 1.0, n, out_scale="small")
    assert np.allclose(rho_large * np.sqrt(n), rho_large[0] * 8.0, rtol=1e-13)
    assert np.allclose(rho_small, rho_small[0], rtol=1e-13)


def test_array_calls_nan_exactly_at_infeasible_entries():
    lmin = mf.lambda_min(1.0)
    lam = np.array([lmin - 0.1, lmin, lmin + 1e-4, 2.6, np.nan, 3.0])
    norm = mf.fixed_point_norm(lam, 1.0)
    assert np.array_equal(np.isnan(norm), [True, True, False, False, True, False])
    rho = mf.correlation(lam, 1.0, 256.0)
    mask = mf.feasible(lam, 1.0, 256.0)
    assert np.array_equal(mask, np.isfinite(rho))
    assert not mask[2]  # λ₊ just above λ_min: ‖κ̄‖ tiny, ρ > 1, no L_bias = 0 solution
    assert mask[3] and mask[5]


# --- the root bracket for φ whose ⟨φ'⟩ decays slowly or not at all (issue 19: the bracket
# expansion survived every mutation; a NaN test once returned a wrong root) ------------------
def _slow_log(x):
    return np.sign(x) * np.log1p(np.abs(x))


def _leaky_tanh(x):
    return np.tanh(x) + 0.01 * x


def test_root_bracket_expands_for_slowly_saturating_phi():
    """φ = sign(x)·log(1 + |x|): ⟨φ'⟩ ~ log Δ/√Δ, so the first bracket k ≤ λ₊² does not hold
    the root at λ₊ = 50; the expanded bracket does. Checked by the residual of the fixed-point
    equation with an independent average (scipy quad over the Gaussian)."""
    from scipy import integrate

    for lam in (3.0, 50.0):
        k = mf.fixed_point_norm(lam, 0.5, _slow_log) ** 2
        v = 0.25 + k
        sd = np.sqrt(v)
        mean_dphi = integrate.quad(
            lambda x, v=v: np.exp(-x * x / (2 * v)) / (1 + abs(x)),
            -40 * sd,
            40 * sd,
            points=[0.0],
            limit=400,
        )[0] / (np.sqrt(2 * np.pi) * sd)
        assert lam * mean_dphi == pytest.approx(1.0, abs=1e-8), (lam, k)
    assert k > 50.0**2  # beyond the first bracket


def test_no_root_is_named_not_returned():
    """φ = tanh(x) + 0.01x: ⟨φ'⟩ → 0.01, so λ₊ ≥ 100 has no fixed point at all, and for λ₊
    just below 100 the root lies at Δ > 1e6, past the callable averages' domain. A scalar call
    names lambda_plus; an array call gives NaN there (it returned ‖κ̄‖ = 3291 with a residual
    of 1.05 before)."""
    with pytest.raises(ValueError, match=r"^lambda_plus=200\.0 is out of range: .*root"):
        mf.fixed_point_norm(200.0, 0.5, _leaky_tanh)
    with pytest.raises(ValueError, match=r"^lambda_plus=99\.0 is out of range"):
        mf.fixed_point_norm(99.0, 0.5, _leaky_tanh)
    with pytest.raises(ValueError, match=r"^lambda_plus=200\.0 is out of range"):
        mf.correlation(200.0, 0.5, 100.0, nonlinearity=_leaky_tanh)
    out = mf.fixed_point_norm(np.array([50.0, 200.0]), 0.5, _leaky_tanh)
    assert np.isfinite(out[0]) and np.isnan(out[1])


_LMIN_DT = mf.lambda_min(1.0, dt=0.2)  # 1.6569…, above the continuous-time 1.6034


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mf.correlation(2.6, 1.0, np.inf), "N=inf is out of range: N must be finite"),
        (
            lambda: mf.correlation(2.6, 1.0, 256, z_target=np.inf),
            "z_target=inf is out of range: z_target must be finite",
        ),
        (
            lambda: mf.correlation(2.6, 1.0, 0.5),
            "N=0.5 is out of range: N must be >= 1 (number of neurons)",
        ),
        (
            lambda: mf.correlation(2.6, 1.0, 256, z_target=-1.0),
            "z_target=-1.0 is out of range: z_target must be > 0 (use the mirror fixed point "
            "−κ̄ for ẑ < 0)",
        ),
        (
            # between λ_min(σ) and the Euler map's λ_min(σ/√(1 − dt/2)): refused only with dt
            lambda: mf.correlation(1.63, 1.0, 256, dt=0.2),
            f"lambda_plus=1.63 is out of range: lambda_plus must be > lambda_min(sigma) = "
            f"{_LMIN_DT!r} (a nonzero fixed point needs λ₊⟨φ'⟩(σ²) > 1)",
        ),
        (
            lambda: mf.fixed_point_norm(1e200, 1.0),
            "lambda_plus=1e+200 is out of range: lambda_plus must be <= 1e+100 (λ₊² must stay "
            "finite in float64)",
        ),
        (
            lambda: mf.fixed_point_norm(2.0, -1.0),
            "sigma=-1.0 is out of range: sigma must be >= 0 (a noise standard deviation)",
        ),
    ],
)
def test_refusals_are_whole_named_sentences(call, message: str) -> None:
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == message


def test_one_neuron_is_allowed() -> None:
    """N = 1 is the edge of the domain (N >= 1): answered, here with ρ = 0.031."""
    assert 0 < mf.correlation(40.0, 1.0, 1.0) < 1
    assert np.isfinite(mf.correlation(1.63, 1.0, 256))  # the same λ₊ without dt is fine


def test_more_refusals_are_whole_named_sentences() -> None:
    cases = [
        (
            lambda: mf.fixed_point_norm(200.0, 0.5, _leaky_tanh),
            "lambda_plus=200.0 is out of range: lambda_plus must be a value with a root of "
            "λ₊⟨φ'⟩(σ² + ‖κ̄‖²) = 1 inside the domain of φ's averages (none found: ⟨φ'⟩ stays "
            "above 1/λ₊, or the root lies where the averages of a callable φ are not resolved "
            "(Δ > 1e6))",
        ),
        (
            lambda: mf.fixed_point_norm(200.0, 0.0, _leaky_tanh),
            "sigma=0.0 is out of range: sigma must be > 0 for a callable nonlinearity",
        ),
        (
            lambda: mf.fixed_point_norm(np.array([2.0, 1.2]), 1.0, errors="raise"),
            "lambda_plus=1.2 is out of range: lambda_plus must be > lambda_min (a nonzero fixed "
            "point needs λ₊⟨φ'⟩(σ²) > 1) [1 of 2 entries infeasible; the first is named]",
        ),
        (
            lambda: mf.correlation(2.6, 1.0, 256, g=0.5, dt=0.2),
            "dt=0.2 is out of range: dt must be None when g > 0 (the random-bulk theory "
            "(THEORY §7) is derived in continuous time)",
        ),
    ]
    for call, message in cases:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message
    # σ = 0 is allowed for erf (only callables need σ > 0), and g > 0 without dt answers
    assert mf.fixed_point_norm(2.0, 0.0) > 0
    assert 0 < mf.correlation(2.6, 1.0, 256, g=0.5) < 1


def test_the_rho_above_one_refusal_states_true_numbers() -> None:
    """Just above λ_min, ρ = ẑ/(s√N‖κ̄‖) > 1. The message names ρ, N, ẑ, and the λ₊ where
    ρ = 1 — each checked here by an independent evaluation (ρ from ‖κ̄‖; ρ(λ_b) = 1)."""
    import re

    lam = mf.lambda_min(1.0) + 1e-4
    with pytest.raises(ValueError) as err:
        mf.correlation(lam, 1.0, 256)
    m = re.fullmatch(
        r"lambda_plus=(\S+) is out of range: lambda_plus must be >= (\S+), where rho = 1 "
        r"\(it gives rho = ẑ/\(s√N‖κ̄‖\) = (\S+) > 1 for N=256\.0, z_target=1\.0, "
        r"out_scale='large': no L_bias = 0 solution\)",
        str(err.value),
    )
    assert m, str(err.value)
    assert float(m.group(1)) == lam
    assert float(m.group(3)) == pytest.approx(1 / (16 * mf.fixed_point_norm(lam, 1.0)), rel=1e-12)
    lam_b = float(m.group(2))
    assert mf.correlation(lam_b * (1 + 1e-9), 1.0, 256) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError) as err:
        mf.correlation(np.array([2.6, lam]), 1.0, 256, errors="raise")
    assert str(err.value) == (
        f"rho={m.group(3)} is out of range: rho must be <= 1 [1 of 2 entries infeasible; "
        "the first is named]"
    )
