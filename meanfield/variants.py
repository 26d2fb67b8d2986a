"""The theory variants of this package, each with its domain and the terms it neglects.

A *variant* is one way of evaluating the fixed-point theory of THEORY §2 (the same functions,
:func:`meanfield.loss_var` & co., with different options). Each declares what it neglects,
so that a comparison with simulation knows which misses are the variant's own model error
and which are failures (:mod:`validate.core.stats`, :mod:`validate.core.verdict`):

==================  ==========================  =============================================
variant             options                     neglects (relative size)
==================  ==========================  =============================================
``paper``           continuous time, v_orth     the Euler step, O(dt); the noise leaking
                                                through φ, O(1) in Σ (does not vanish as
                                                N → ∞); the linear-noise terms, O(D/ΔV)
``dt``              ``dt=`` (Euler map)         the leak through φ, O(1); O(D/ΔV)
``Hermite``         ``hermite_orders=``         the Euler step, O(dt); O(D/ΔV)
``dt + Hermite``    both (the best variant)     O(D/ΔV) (and Hermite orders above K, ≪ 1 %)
``quenched``        per-network U, Euler c₀     O(D/ΔV)
==================  ==========================  =============================================

D/ΔV is the noise-to-barrier ratio of :func:`meanfield.switching.barrier` (D = σ²/N, ΔV the
barrier between ±κ̄): the first neglected order of the small-noise (linear-noise) expansion,
shared by every variant. It is the declared model error (``tolerance``) of a comparison,
and the domain of every variant is D/ΔV ≤ :data:`meanfield.switching.MAX_NOISE_TO_BARRIER`
(0.1): closer to λ_min the barrier is too low for a fixed-point statistic (trials switch
between ±κ̄, at the Kramers rate of :func:`meanfield.switching.barrier`).

``dt + Hermite`` (with ``quenched`` for per-network quantities) is the package's *best*
variant: its claims are predictions, whose failure is a failure of the package; the others
are reported as findings about the paper's theory.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .switching import MAX_NOISE_TO_BARRIER, barrier

__all__ = ["BEST", "VARIANTS", "Variant", "domain_reason", "noise_to_barrier"]


class Variant(NamedTuple):
    """One theory variant (module docstring).

    Attributes:
        name: id used in reports. euler: evaluates the Euler map (``dt=``).
        hermite: adds the leak through φ (``hermite_orders=``). quenched: per-network U.
        neglects: the neglected terms, in words, with their relative size.
        best: the package's own prediction (its claims decide the exit status).
    """

    name: str
    euler: bool
    hermite: bool
    quenched: bool
    neglects: str
    best: bool


#: Every variant, the paper's first.
VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            "paper",
            False,
            False,
            False,
            "the Euler step O(dt), the noise leaking through φ O(1), linear-noise terms O(D/ΔV)",
            False,
        ),
        Variant("dt", True, False, False, "the noise leaking through φ O(1), O(D/ΔV)", False),
        Variant("Hermite", False, True, False, "the Euler step O(dt), O(D/ΔV)", False),
        Variant("dt + Hermite", True, True, False, "linear-noise terms O(D/ΔV)", True),
        Variant("quenched", True, False, True, "linear-noise terms O(D/ΔV)", True),
    )
}
#: The package's best variant for network-averaged quantities.
BEST: str = "dt + Hermite"


def noise_to_barrier(
    lambda_plus: ArrayLike, sigma: ArrayLike, N: ArrayLike, *, dt: float | None = None
) -> NDArray[np.float64]:
    """D/ΔV at the simulated point (erf; NaN without a fixed point): the declared relative
    model error of every variant at that point."""
    return np.asarray(barrier(lambda_plus, sigma, N, dt=dt).noise_to_barrier)


def domain_reason(
    ratio: float, *, switched: float | None = None, max_switched: float = 0.01
) -> str:
    """Why a point is outside every fixed-point variant's domain, or "".

    ``ratio``: its D/ΔV (:func:`noise_to_barrier`; NaN without a fixed point). Predicted:
    D/ΔV > MAX_NOISE_TO_BARRIER (or no fixed point). Detected (when ``switched``, the largest
    fraction of samples on the mirror side in the simulation, is given): more than
    ``max_switched`` of the samples switched basin.
    """
    ratio = float(ratio)
    if not np.isfinite(ratio):
        return "no fixed point (λ₊ ≤ λ_min)"
    if ratio > MAX_NOISE_TO_BARRIER:
        return (
            f"predicted: noise/barrier D/ΔV = {ratio:.2g} > {MAX_NOISE_TO_BARRIER:g} "
            "(trials switch between ±κ̄)"
        )
    if switched is not None and switched > max_switched:
        return f"detected: {switched:.1%} of samples switched to the mirror fixed point"
    return ""
