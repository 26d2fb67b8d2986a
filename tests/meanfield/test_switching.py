"""meanfield.switching (barrier, noise-to-barrier ratio, Kramers rate) and meanfield.variants."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import meanfield
from meanfield.switching import MAX_NOISE_TO_BARRIER, barrier
from meanfield.variants import BEST, VARIANTS, domain_reason, noise_to_barrier

ALPHA2 = math.pi / 4  # α² for erf(√π/2 x)


def _erf_barrier_mpmath(lam: float, sigma: float, dt: float | None) -> float:
    """ΔV from the erf closed forms, at 50 digits: ⟨φ'⟩(Δ) = (1 + 2α²Δ)^(-1/2), so
    V(k) = k²/2 − (λ/2α²)(√(1 + 2α²(k² + c₀)) − √(1 + 2α²c₀)) and ‖κ̄‖² = (λ² − λ_min²)/2α²."""
    mpmath.mp.dps = 50
    a2 = mpmath.mpf(math.pi) / 4
    c0 = mpmath.mpf(sigma) ** 2 / (1 - (mpmath.mpf(dt) / 2 if dt else 0))
    lam = mpmath.mpf(lam)
    lmin2 = 1 + 2 * a2 * c0
    k2 = (lam**2 - lmin2) / (2 * a2)
    V = k2 / 2 - lam / (2 * a2) * (mpmath.sqrt(1 + 2 * a2 * (k2 + c0)) - mpmath.sqrt(lmin2))
    return float(-V)


@pytest.mark.parametrize("lam", [1.62, 1.7, 1.9, 2.6, 5.0])
@pytest.mark.parametrize("dt", [None, 0.2])
def test_barrier_height_matches_the_erf_closed_form(lam: float, dt: float | None) -> None:
    if lam <= float(meanfield.lambda_min(1.0, dt=dt)):
        assert math.isnan(float(barrier(lam, 1.0, 256, dt=dt).height))
        return
    got = float(barrier(lam, 1.0, 256, dt=dt).height)
    assert got == pytest.approx(_erf_barrier_mpmath(lam, 1.0, dt), rel=1e-10)


def test_noise_to_barrier_is_sigma2_over_N_over_the_barrier_and_vectorises() -> None:
    lam = np.array([1.9, 2.6, 3.5])
    b = barrier(lam[:, None], 1.0, np.array([256.0, 1024.0]), dt=0.2)
    assert b.height.shape == (3, 2)
    assert np.allclose(b.noise_to_barrier, (1.0 / np.array([256.0, 1024.0])) / b.height)
    assert np.all(np.diff(b.noise_to_barrier, axis=0) < 0)  # higher barrier further out
    assert np.all(b.curvature_min > 0) and np.all(b.curvature_saddle < 0)


def test_kramers_rate_against_a_direct_simulation_of_the_latent_sde() -> None:
    """Switching rate of dk = −V'(k)dt + √(2σ²/N) dB (V' from meanfield's ⟨φ'⟩), simulated
    for 1,000 walkers started at +‖κ̄‖ until they pass −‖κ̄‖/2 (censored at t = 2,000; rate =
    crossings / exposure time, ~900 crossings: 3.5 % sampling error), against the Kramers
    rate. At ΔV/D ≈ 3.6 the formula carries relative corrections O(D/ΔV) ≈ 30 %; a factor
    1.6 either way bounds them."""
    lam, sigma, N = 1.9, 1.0, 128.0
    b = barrier(lam, sigma, N)
    assert 3.0 < 1.0 / float(b.noise_to_barrier) < 4.5
    kbar = float(meanfield.fixed_point_norm(lam, sigma))
    rng = np.random.default_rng(0)
    W, h, T = 1000, 0.05, 2000.0
    k = np.full(W, kbar)
    t_hit = np.full(W, np.nan)
    amp = math.sqrt(2 * sigma**2 / N * h)
    for step in range(1, int(T / h) + 1):  # a test, not a hot path: one vectorised update
        drift = k * (1.0 - lam * meanfield.mean_dphi(k**2 + sigma**2))
        k = k - drift * h + amp * rng.standard_normal(W)
        hit = np.isnan(t_hit) & (k < -kbar / 2)
        t_hit[hit] = step * h
    crossed = np.isfinite(t_hit)
    rate = crossed.sum() / np.where(crossed, t_hit, T).sum()
    assert crossed.sum() > 500
    ratio = float(rate / b.rate)
    assert 1 / 1.6 < ratio < 1.6, ratio


def test_domain_is_predicted_before_simulating() -> None:
    """THEORY §5's λ₊ = 1.7 at N = 256, dt = 0.2 is outside every fixed-point variant's
    domain (noise comparable with the barrier); λ₊ = 2.6 is inside."""

    def reason(lam: float, **kw: float) -> str:
        return domain_reason(noise_to_barrier(lam, 1.0, 256, dt=0.2), **kw)

    assert reason(1.7).startswith("predicted")
    assert reason(2.6) == ""
    assert "no fixed point" in reason(1.5)
    assert reason(2.6, switched=0.05).startswith("detected")
    assert float(noise_to_barrier(2.6, 1.0, 256, dt=0.2)) < MAX_NOISE_TO_BARRIER


def test_variants_registry() -> None:
    assert BEST in VARIANTS and VARIANTS[BEST].best and not VARIANTS["paper"].best
    assert {v.name for v in VARIANTS.values() if v.best} == {"dt + Hermite", "quenched"}
    assert all(v.neglects for v in VARIANTS.values())


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="sigma"):
        barrier(2.0, -1.0, 256)
    with pytest.raises(ValueError, match="N="):
        barrier(2.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="nonlinearity"):
        barrier(2.0, 1.0, 256, nonlinearity="linear")
