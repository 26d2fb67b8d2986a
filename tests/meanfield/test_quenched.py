"""meanfield.quenched: per-network fixed points and the O(1) spread of oblique outputs (issue 5.2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import meanfield as mf
from meanfield.fluctuations import coupling_matrix
from meanfield.quenched import quenched_fixed_point, quenched_outputs, sample_U


def test_root_solves_the_per_network_drift_and_tends_to_the_averaged_theory() -> None:
    lp, lm, sigma, dt = 1.9, -5.0, 1.0, 0.2
    rho = mf.correlation(lp, sigma, 4096, dt=dt)
    k = mf.fixed_point_norm(lp, sigma, dt=dt)
    M = coupling_matrix(np.float64(lp), np.float64(rho), np.float64(lm))
    kbar = k * np.array([rho, math.sqrt(1 - rho**2)])
    errs = []
    for N in (1024, 16384):
        U = sample_U(N, 32, seed=1)
        kap = quenched_fixed_point(U, M, sigma, kbar, dt=dt)
        assert np.all(np.isfinite(kap))
        # κ̄ is a fixed point of this network's noise-averaged drift
        from scipy.special import erf

        beta = math.sqrt(math.pi) / 2 / math.sqrt(1 + math.pi / 2 * sigma**2 / (1 - dt / 2))
        F = -kap + np.einsum(
            "ij,bj->bi",
            M,
            np.einsum("bni,bn->bi", U, erf(beta * np.einsum("bni,bi->bn", U, kap))) / N,
        )
        assert np.abs(F).max() < 1e-10
        errs.append(np.sqrt(((kap - kbar) ** 2).sum(-1)).mean())
    # the U-to-U deviation is O(1/√N): 16× more neurons → ~4× smaller (allow 2.5–6.5)
    assert 2.5 < errs[0] / errs[1] < 6.5


def test_oblique_output_spread_does_not_shrink_with_N() -> None:
    # far from threshold (λ₊ = 2.6) the SD of z̄ over networks is O(1) at every N; near
    # threshold (λ₊ = 1.7, ‖κ̄‖ small) it shrinks. SE of an SD from n = 256 draws ≈ SD/√(2n)
    n = 256
    sd = {
        N: quenched_outputs(N, 2.6, -5.0, 1.0, dt=0.2, networks=n, seed=N)["sd"]
        for N in (512, 4096)
    }
    rel_se = math.sqrt(2) / math.sqrt(2 * (n - 1))  # of the ratio of two independent SDs
    assert abs(sd[4096] / sd[512] - 1) < 4 * rel_se
    assert sd[512] > 0.1
    near = {
        N: quenched_outputs(N, 1.7, -5.0, 1.0, dt=0.2, networks=n, seed=N)["sd"]
        for N in (512, 4096)
    }
    assert near[4096] / near[512] < 0.6


def test_bad_input_named() -> None:
    with pytest.raises(ValueError, match="U"):
        quenched_fixed_point(np.zeros((5, 3)), np.eye(2), 1.0, np.zeros(2))
    with pytest.raises(ValueError, match="sigma"):
        quenched_fixed_point(np.zeros((5, 2)), np.eye(2), -1.0, np.zeros(2))
    with pytest.raises(ValueError, match="networks"):
        sample_U(8, 0)


def test_simulated_networks_sit_at_their_own_quenched_fixed_points() -> None:
    """Per-network mean outputs of simulated rank-2 nets vs the quenched prediction with their U."""
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    from simulate.dynamics import simulate as run_dynamics
    from simulate.models import make_low_rank

    N, lp, lm, sigma, dt, nets, trials, steps, burn = 512, 2.6, -5.0, 1.0, 0.2, 6, 8, 400, 100
    rho = mf.correlation(lp, sigma, N, dt=dt)
    k = mf.fixed_point_norm(lp, sigma, dt=dt)
    M = coupling_matrix(np.float64(lp), np.float64(rho), np.float64(lm))
    kbar = k * np.array([rho, math.sqrt(1 - rho**2)])
    inputs = jnp.zeros((trials, steps, 1), jnp.float32)
    z_sim, z_se, z_theory, z_avg = [], [], [], []
    for i in range(nets):
        net = make_low_rank(jax.random.key(i), N, M=jnp.asarray(M, jnp.float32))
        x0 = jnp.broadcast_to(net.U @ jnp.asarray(kbar, jnp.float32), (trials, N))
        traj = run_dynamics(net, inputs, key=jax.random.key(100 + i), sigma=sigma, dt=dt, x0=x0)
        per_trial = np.asarray(traj.z[:, burn:, 0], np.float64).mean(axis=1)
        z_sim.append(per_trial.mean())
        z_se.append(per_trial.std(ddof=1) / math.sqrt(trials))
        kap = quenched_fixed_point(np.asarray(net.U, np.float64), M, sigma, kbar, dt=dt)
        z_theory.append(math.sqrt(N) * kap[0])
        z_avg.append(1.0)
    z_sim, z_se, z_theory = map(np.asarray, (z_sim, z_se, z_theory))
    # networks differ by far more than their sampling error, and the quenched theory tracks them:
    # its residuals are within 4 SE plus the O(1/√N)-relative neglected terms (validate's rule)
    assert np.std(z_sim) > 3 * z_se.mean()
    resid = np.abs(z_sim - z_theory)
    assert np.all(resid <= 4 * z_se + 3 / math.sqrt(N) * np.abs(z_theory))
    # and it explains most of the network-to-network variance of the averaged theory's error
    assert ((z_sim - z_theory) ** 2).mean() < 0.3 * ((z_sim - np.asarray(z_avg)) ** 2).mean()


# --- hypothesis: the quenched fixed point tends to the mean-field one as N → ∞ -------------------


def _sd_and_se(x: np.ndarray) -> tuple[float, float]:
    """Sample SD and its standard error from the sample's own fourth moment (no normality
    assumption): Var(s²) ≈ (m₄ − s⁴(n − 3)/(n − 1))/n, SE(s) ≈ SE(s²)/(2s) (delta method)."""
    n = x.size
    s = x.std(ddof=1)
    m4 = ((x - x.mean()) ** 4).mean()
    return float(s), float(math.sqrt(max(m4 - s**4 * (n - 3) / (n - 1), 0.0) / n) / (2 * s))


@settings(max_examples=8)
@given(
    lp=st.floats(2.2, 3.5),
    lm=st.floats(-6.0, -0.5),
    sigma=st.floats(0.5, 1.5),
    euler=st.booleans(),
    log2N=st.integers(8, 9),
)
def test_quenched_fixed_point_tends_to_mean_field(
    lp: float, lm: float, sigma: float, euler: bool, log2N: int
) -> None:
    """Statistics over `networks` sampled U at N and 16N (independent seeds):

    * SD over networks of ‖κ̄‖ shrinks like N^{-1/2}: SD(N)/SD(16N) = 4, within 4 standard errors
      of the ratio (relative SE² of a ratio of independent SDs = sum of the two relative SE²,
      each estimated from its sample) plus 15 % for the O(N^{-1/2}) next-order terms (at N ≥ 256);
    * the mean ‖κ̄‖ over networks tends to the mean-field ‖κ̄‖: |mean − ‖κ̄‖_MF| ≤ 4 SE of the
      mean + 1/N (the O(1/N) bias of the Gaussian average over U's rows);
    * the statistic that does *not* shrink: SD over networks of the mean output z̄ = √N κ̄₁
      (large output weights), whose ratio SD(16N)/SD(N) stays 1 within 4 SE + 25 % (its
      O(‖κ̄‖⁻¹N^{-1/2}) corrections are larger near threshold; λ₊ ≥ 2.2 keeps ρ√N = O(1) small).
    """
    dt = 0.2 if euler else None
    N, networks = 2**log2N, 64
    if not mf.feasible(lp, sigma, N, lambda_minus=lm, dt=dt):
        return
    k_mf = mf.fixed_point_norm(lp, sigma, dt=dt)
    sd_k, se_k, sd_z, se_z = {}, {}, {}, {}
    for n in (N, 16 * N):
        out = quenched_outputs(n, lp, lm, sigma, dt=dt, networks=networks, seed=n + log2N)
        assert np.all(np.isfinite(out["kappa"]))
        knorm = np.sqrt((out["kappa"] ** 2).sum(-1))
        sd_k[n], se_k[n] = _sd_and_se(knorm)
        sd_z[n], se_z[n] = _sd_and_se(out["z"])
        se_mean = sd_k[n] / math.sqrt(networks)
        assert abs(knorm.mean() - k_mf) <= 4 * se_mean + 1 / n
    ratio = sd_k[N] / sd_k[16 * N]
    rel_se = math.hypot(se_k[N] / sd_k[N], se_k[16 * N] / sd_k[16 * N])
    assert abs(ratio / 4 - 1) <= 4 * rel_se + 0.15, (ratio, rel_se)
    ratio_z = sd_z[16 * N] / sd_z[N]
    rel_se_z = math.hypot(se_z[N] / sd_z[N], se_z[16 * N] / sd_z[16 * N])
    assert abs(ratio_z - 1) <= 4 * rel_se_z + 0.25, (ratio_z, rel_se_z)
