"""Two-phase (noise-induced) learning of a linear network (THEORY §3).

Linear φ, W starts at 0, readout w₁, input √N(ρ_io w₁ + √(1 − ρ_io²) w₂) with
ρ_io√N fixed, constant input 1, target ẑ, SGD. On the block
M = [w₁ w₂]ᵀ ΔW [w₁ w₂] the theory gives, with τ the step count within the
phase (all in the N → ∞ limit at fixed ρ_io√N, τ):

* phase 1 (η = η₀/N): M₁₂ = b(τ)/√N, b = (1 − e^(−2η₀τ))(ẑ − ρ_io√N);
  L_bias = e^(−4η₀τ)(ẑ − ρ_io√N)²; L_var = σ²; ‖Δx̄‖ = b; M₁₁ = O(1/N),
  returned as its N → ∞ limit 0.
* phase 2 (η = η₀): M₁₁ = a(τ) = 1 − (3σ²η₀τ + 1)^(1/3),
  b = ẑ(1 − a) − ρ_io√N; L_bias = 0; L_var = σ²/(1 − a); ‖Δx̄‖ = ẑ − ρ_io√N.

The formulas are the sympy derivation's (``meanfield._generated.
linear_two_phase_*``, derived by ``meanfield.symbolic``); this module only
validates, broadcasts and assembles them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _checks
from ._repr import concise_repr


class TwoPhaseCurves(NamedTuple):
    """THEORY §3 learning curves, each of the broadcast shape of the inputs.

    loss_bias: L_bias(τ); loss_var: L_var(τ); M11: M₁₁ = a(τ);
    M12: M₁₂ = b(τ)/√N; dx_norm: ‖Δx̄‖ = ‖x̄(τ) − x̄(0)‖.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    loss_bias: Any
    loss_var: Any
    M11: Any
    M12: Any
    dx_norm: Any


@_checks.errors_option
def linear_two_phase(
    steps: ArrayLike,
    phase: int,
    eta0: ArrayLike = 0.002,
    sigma: ArrayLike = 1.0,
    z_target: ArrayLike = 1.0,
    rho_io_sqrtN: ArrayLike = -0.5,
    N: ArrayLike = 256,
    *,
    dt: float | None = None,
) -> TwoPhaseCurves:
    """Learning curves of THEORY §3 at step count(s) τ = ``steps`` within ``phase``.

    **Arguments**
    - steps: τ ≥ 0, SGD steps since the start of the phase (any shape).
    - phase: 1 (η = η₀/N, bias removal) or 2 (η = η₀, variance reduction).
    - eta0: η₀ > 0; sigma: σ ≥ 0; z_target: ẑ; rho_io_sqrtN: ρ_io√N.
    - N: only converts b to M₁₂ = b/√N (N ≥ 1); the other curves are the
      N → ∞ limits and do not depend on N.
    - dt: None (continuous time, THEORY §3) or the Euler step in (0, 1) of the simulated
      network: L_var is then the Euler map's (phase 1: σ²/(1 − dt/2)), and phase 2 follows the
      gradient flow of that L_var (dt ≥ 1e-3; ``_generated.euler_two_phase_tau_of_a``, derived in
      :mod:`meanfield.symbolic.euler`, inverted by bisection); M₁₁ then tends to the map's
      floor 1 − 1/dt instead of decreasing without bound.

    **Returns** :class:`TwoPhaseCurves`, arrays of the broadcast shape
    (floats for a scalar call); NaN at invalid entries of array calls.

    **Accuracy** continuous time: the sympy closed forms, to rounding; ``dt``: the phase-2
    inversion τ(a) by bisection, M₁₁ within 1e-8 relative of an RK4 integration of the same
    gradient flow at rtol 1e-11 (tests/meanfield/test_two_phase.py); every curve finite over
    η₀ ∈ [1e-4, 0.1], σ ∈ [1e-2, 10], N ∈ [10, 1e5] (hypothesis). Model: the N → ∞ limits of
    THEORY §3 for a linear network.

    Example: ``linear_two_phase(np.arange(1000), phase=1)``.
    """
    from . import _generated as g

    _checks.check_real(phase=phase)  # phase=True is not phase 1
    if phase not in (1, 2):
        raise _checks.invalid("phase", phase, "1 or 2")
    dt = _checks.check_dt(dt)
    if dt is not None and not 1e-3 <= dt < 1:
        raise _checks.invalid(
            "dt",
            dt,
            "None or a number in [0.001, 1) for the linear network",
            "the flow needs 1 − dt > 0, and below 1e-3 its closed form loses digits "
            "(the continuous-time curves are then within 1e-5)",
        )
    tau, e0, sig, zt, r, n = _checks.as_float64(
        steps=steps, eta0=eta0, sigma=sigma, z_target=z_target, rho_io_sqrtN=rho_io_sqrtN, N=N
    )
    valid = _checks.Validity(
        _checks.is_scalar_call(steps, eta0, sigma, z_target, rho_io_sqrtN, N), tau.shape
    )
    valid.finite(steps=tau, eta0=e0, sigma=sig, z_target=zt, rho_io_sqrtN=r, N=n)
    valid.require(tau >= 0, "steps", tau, ">= 0")
    valid.require(e0 > 0, "eta0", e0, "> 0")
    valid.require(sig >= 0, "sigma", sig, ">= 0")
    valid.require(n >= 1, "N", n, ">= 1")
    shape = tau.shape

    def full(value: Any) -> Any:
        return valid.finish(np.broadcast_to(np.asarray(value, dtype=np.float64), shape))

    with np.errstate(all="ignore"):
        if phase == 1:
            b = g.linear_two_phase_phase1_b(tau, e0, zt, r)
            lv1 = (
                g.linear_two_phase_phase1_loss_var(tau, sig)
                if dt is None
                else g.euler_linear_loss_var(np.zeros(shape), sig, dt)
            )
            return TwoPhaseCurves(
                loss_bias=full(g.linear_two_phase_phase1_loss_bias(tau, e0, zt, r)),
                loss_var=full(lv1),
                M11=full(np.zeros(shape)),
                M12=full(b / np.sqrt(n)),
                dx_norm=full(g.linear_two_phase_phase1_dx_norm(tau, e0, zt, r)),
            )
        if dt is not None:
            a = _euler_phase2_a(tau, e0, sig, dt)
            return TwoPhaseCurves(
                loss_bias=full(g.linear_two_phase_phase2_loss_bias(tau)),
                loss_var=full(g.euler_linear_loss_var(a, sig, dt)),
                M11=full(a),
                M12=full((zt * (1.0 - a) - r) / np.sqrt(n)),  # L_bias = 0: (r + b)/(1 − a) = ẑ
                dx_norm=full(g.linear_two_phase_phase2_dx_norm(tau, zt, r)),
            )
        b = g.linear_two_phase_phase2_b(tau, e0, sig, zt, r)
        return TwoPhaseCurves(
            loss_bias=full(g.linear_two_phase_phase2_loss_bias(tau)),
            loss_var=full(g.linear_two_phase_phase2_loss_var(tau, e0, sig)),
            M11=full(g.linear_two_phase_phase2_a(tau, e0, sig)),
            M12=full(b / np.sqrt(n)),
            dx_norm=full(g.linear_two_phase_phase2_dx_norm(tau, zt, r)),
        )


def _euler_phase2_a(tau: Any, eta0: Any, sigma: Any, dt: float) -> Any:
    """M₁₁ = a(τ) of the Euler-map phase-2 flow: root of τ(a) = τ on (1 − 1/dt, 0], bisection.

    τ(a) (derived) increases from 0 at a = 0 to ∞ as a → 1 − 1/dt; 200 halvings reach float64
    resolution of the bracket. Vectorised over the broadcast inputs.
    """
    from . import _generated as g

    tau, eta0, sigma = np.broadcast_arrays(tau, eta0, sigma)
    lo = np.full(tau.shape, 1.0 - 1.0 / dt)  # τ(lo) = ∞ > τ
    hi = np.zeros(tau.shape)  # τ(hi) = 0 ≤ τ
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        over = g.euler_two_phase_tau_of_a(mid, eta0, sigma, dt) > tau
        lo = np.where(over, mid, lo)
        hi = np.where(over, hi, mid)
    return 0.5 * (lo + hi)
