"""Property-based checks: mean-field κ̄ and L_var against short simulations (THEORY §2).

Parameter points come from :func:`tests.strategies.rank2_params`; each is simulated
with the static experiment's route (:func:`validate.experiments.static.run_static`) and judged by
the one comparison rule of :mod:`validate.core.stats` (rows ``kappa_norm``, ``rho`` — the
direction of κ̄ — and ``loss_var``).

Simulation settings and why:
* dt = 0.05: the theory is continuous-time; Euler–Maruyama inflates the variance of a
  mode decaying at rate r by 1/(1 − dt·r/2) and the orthogonal variance c₀ by
  1/(1 − dt/2). For the drawn points r ≤ 1 + 1.5/λ₊ < 2, so at dt = 0.05 both are ≤ 5 %,
  far below the rule's finite-size allowance 3/√N ≥ 0.19 (N ≤ 256). At the default
  dt = 0.2 they are up to 23 % (see the static experiment's report).
* 8 networks × 8 trials, t ∈ [10, 30]: the SE over networks is a few % of L_var.

The CI profile (tests/conftest.py) runs a few derandomised examples at N = 128 (one
compilation, reused); the ``thorough`` profile draws N ∈ {64, 128, 256} and many examples:
``pytest tests/validate/experiments/test_properties.py --hypothesis-profile=thorough``.

Known disagreement (reported, not hidden): with strong negative feedback along v₋
(λ₋ ≲ −3) the simulated L_var exceeds the theory by far more than the rule allows,
also at small dt and large N (measured at λ₊ = 2.6, λ₋ = −5, N = 1024: L_var 0.51 at
dt = 0.05 vs theory 0.34; at λ₋ = −1 they agree). The error grows with λ₋², consistent
with the orthogonal activity's O(N^{-1/2}) fluctuations of Uᵀφ(x)/N, fed back through M,
which THEORY §2 keeps only along v₊. ``test_loss_var_strong_feedback`` asserts agreement
with THEORY §2 there and is a strict xfail; ``test_loss_var_strong_feedback_extended_theory``
asserts that meanfield's extension (``dt=``, ``hermite_orders=``) covers it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import Phase, given, settings

from tests.strategies import Rank2Params, lambda_plus_for_norm, rank2_params
from validate.core import stats
from validate.experiments.static import (
    run_static,
    simulate_static,
    static_estimates,
    static_rows,
    static_theory,
)

THOROUGH = settings.default.max_examples > 25
NS = (64, 128, 256) if THOROUGH else (128,)
EXAMPLES = settings.default.max_examples if THOROUGH else 6
SIM = {"networks": 8, "trials": 8, "t_max": 30.0, "t_discard": 10.0, "dt": 0.05}


class SwitchedError(RuntimeError):
    """Trials jumped to the mirror fixed point: a failure of the setting, not of the theory
    (so it can never satisfy an ``xfail(raises=AssertionError)``)."""


def _rows(p: Rank2Params, max_switched: float = 0.01) -> dict[str, stats.Comparison]:
    res = run_static(p.static_config(**SIM))
    # the comparison presumes trials stay near their fixed point (strategy's kappa_norm_min)
    if not float(res.switched.max()) < max_switched:
        raise SwitchedError(
            f"trials jumped to the mirror fixed point "
            f"({float(res.switched.max()):.3f} ≥ {max_switched})"
        )
    return {r.quantity: r for r in res.rows}


def _explain(r: stats.Comparison) -> str:
    return (
        f"{r.quantity} at {r.setting}: theory {r.theory:.4g}, sim {r.sim_mean:.4g} ± "
        f"{r.sim_se:.2g} (z={r.z:.2f}, rel={r.rel_err:.3f}, tolerance={r.tolerance:.3f}, status={r.status})"
    )


@settings(max_examples=EXAMPLES)
@given(rank2_params(Ns=NS, lambda_minus=(-1.5, 0.3)))
def test_kappa_bar_and_loss_var_agree(p: Rank2Params) -> None:
    rows = _rows(p)
    # 8 networks × 8 trials: the rule must not reject the theory (a pass would need the
    # power to see a 10 % miss; test_wrong_theory_is_detected_on_simulated_data checks power)
    for q in ("kappa_norm", "rho", "loss_var"):
        assert rows[q].status != "fail", _explain(rows[q])


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="known theory-simulation disagreement of L_var at strong negative "
    "feedback (module docstring)",
)
@settings(
    max_examples=EXAMPLES,  # the first failing example is enough: no shrinking
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(rank2_params(Ns=NS, lambda_minus=(-6.0, -3.0), symmetric=True))
def test_loss_var_strong_feedback(p: Rank2Params) -> None:
    # only the L_var row is the known failure: switching (kept rare by the strategy's
    # separation criterion) would be a different failure, so it must not satisfy the xfail
    rows = _rows(p, max_switched=1.0)
    assert rows["loss_var"].passed, _explain(rows["loss_var"])


@settings(max_examples=EXAMPLES)
@given(rank2_params(Ns=NS, lambda_minus=(-6.0, -3.0), symmetric=True))
def test_loss_var_strong_feedback_extended_theory(p: Rank2Params) -> None:
    """Where THEORY §2 fails (above), meanfield's Euler-map + Hermite-leak theory must pass."""
    from validate.experiments.static import EXTENDED_SUFFIX

    rows = _rows(p, max_switched=1.0)
    for q in ("kappa_norm", "loss_var"):
        row = rows[q + EXTENDED_SUFFIX]
        assert row.status != "fail", _explain(row)


@settings(max_examples=20 if not THOROUGH else settings.default.max_examples)
@given(rank2_params(Ns=(64, 256, 1024), sigma=(0.2, 1.5), lambda_minus=(-8.0, 1.0)))
def test_strategy_draws_feasible_points(p: Rank2Params) -> None:
    import meanfield

    assert p.lambda_minus < p.lambda_plus
    assert bool(meanfield.feasible(p.lambda_plus, p.sigma, p.N, p.z_target, p.out_scale))
    # kappa range 1.0..2.0 (default), up to brentq's tolerance, and ≥ 6 SD of κ
    kn = float(meanfield.fixed_point_norm(p.lambda_plus, p.sigma))
    assert 1.0 - 1e-9 <= kn <= 2.0 + 1e-9
    Sigma = meanfield.latent_covariance(
        p.lambda_plus, p.lambda_minus, p.sigma, p.N, theta_minus=p.theta_minus
    )
    assert kn >= 6 * math.sqrt(float(np.linalg.eigvalsh(Sigma)[-1]) / p.N) - 1e-12
    if p.theta_minus is not None:  # v₋ never parallel to v₊
        theta_plus = math.acos(float(meanfield.correlation(p.lambda_plus, p.sigma, p.N)))
        assert abs(math.sin(p.theta_minus - theta_plus)) > math.cos(0.5) - 1e-12


def test_lambda_plus_for_norm_inverts_fixed_point_norm() -> None:
    import meanfield

    for sigma in (0.3, 1.0):
        for kn in (0.5, 1.7):
            lp = lambda_plus_for_norm(kn, sigma)
            assert float(meanfield.fixed_point_norm(lp, sigma)) == pytest.approx(kn, rel=1e-10)
    with pytest.raises(ValueError, match="kappa_norm"):
        lambda_plus_for_norm(-1.0, 1.0)


def test_wrong_theory_is_detected_on_simulated_data() -> None:
    """The rule rejects L_var × 1.5 (and accepts the true theory) on real simulated data."""
    p = Rank2Params(lambda_plus=2.2, lambda_minus=-1.0, sigma=1.0, theta_minus=None, N=128)
    cfg = p.static_config(**SIM)
    theory = static_theory(cfg)
    lat, z = simulate_static(cfg, theory)
    est = static_estimates(lat, z, cfg.N)
    good = {r.quantity: r for r in static_rows(cfg, theory, est)}
    assert good["loss_var"].status != "fail", _explain(good["loss_var"])
    for factor in (1.5, 1 / 1.5):
        wrong = dict(theory, loss_var=theory["loss_var"] * factor)
        bad = {r.quantity: r for r in static_rows(cfg, wrong, est)}
        # a 33–50 % error is many SEs (SE ≈ 3 %), beyond the Student critical value 8.5
        # (7 dof) and any declared model error
        assert bad["loss_var"].status == "fail", _explain(bad["loss_var"])
        assert np.isfinite(bad["loss_var"].z) and abs(bad["loss_var"].z) > bad["loss_var"].z_crit
