"""validate.experiments: plan → simulate runs → result objects (no matplotlib, no report).

Theory vs simulation: :mod:`~validate.experiments.static` (THEORY §5),
:mod:`~validate.experiments.gd_scaling` (§4), :mod:`~validate.experiments.two_phase` (§3),
:mod:`~validate.experiments.corrections` (finite dt, finite N, per network).
Paper claims: :mod:`~validate.experiments.regimes` (§6) with
:mod:`~validate.experiments.sine_solutions` and :mod:`~validate.experiments.rho_scaling`,
:mod:`~validate.experiments.universality` (seed 002), :mod:`~validate.experiments.seed003`.
"""
