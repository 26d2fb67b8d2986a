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


class TwoPhaseCurves(NamedTuple):
    """THEORY §3 learning curves, each of the broadcast shape of the inputs.

    loss_bias: L_bias(τ); loss_var: L_var(τ); M11: M₁₁ = a(τ);
    M12: M₁₂ = b(τ)/√N; dx_norm: ‖Δx̄‖ = ‖x̄(τ) − x̄(0)‖.
    """

    loss_bias: Any
    loss_var: Any
    M11: Any
    M12: Any
    dx_norm: Any


def linear_two_phase(
    steps: ArrayLike,
    phase: int,
    eta0: ArrayLike = 0.002,
    sigma: ArrayLike = 1.0,
    z_target: ArrayLike = 1.0,
    rho_io_sqrtN: ArrayLike = -0.5,
    N: ArrayLike = 256,
) -> TwoPhaseCurves:
    """Learning curves of THEORY §3 at step count(s) τ = ``steps`` within ``phase``.

    **Arguments**
    - steps: τ ≥ 0, SGD steps since the start of the phase (any shape).
    - phase: 1 (η = η₀/N, bias removal) or 2 (η = η₀, variance reduction).
    - eta0: η₀ > 0; sigma: σ ≥ 0; z_target: ẑ; rho_io_sqrtN: ρ_io√N.
    - N: only converts b to M₁₂ = b/√N (N ≥ 1); the other curves are the
      N → ∞ limits and do not depend on N.

    **Returns** :class:`TwoPhaseCurves`, arrays of the broadcast shape
    (floats for a scalar call); NaN at invalid entries of array calls.

    Example: ``linear_two_phase(np.arange(1000), phase=1)``.
    """
    from . import _generated as g

    if phase not in (1, 2):
        raise _checks.invalid("phase", phase, "1 or 2")
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
            return TwoPhaseCurves(
                loss_bias=full(g.linear_two_phase_phase1_loss_bias(tau, e0, zt, r)),
                loss_var=full(g.linear_two_phase_phase1_loss_var(tau, sig)),
                M11=full(np.zeros(shape)),
                M12=full(b / np.sqrt(n)),
                dx_norm=full(g.linear_two_phase_phase1_dx_norm(tau, e0, zt, r)),
            )
        b = g.linear_two_phase_phase2_b(tau, e0, sig, zt, r)
        return TwoPhaseCurves(
            loss_bias=full(g.linear_two_phase_phase2_loss_bias(tau)),
            loss_var=full(g.linear_two_phase_phase2_loss_var(tau, e0, sig)),
            M11=full(g.linear_two_phase_phase2_a(tau, e0, sig)),
            M12=full(b / np.sqrt(n)),
            dx_norm=full(g.linear_two_phase_phase2_dx_norm(tau, zt, r)),
        )
