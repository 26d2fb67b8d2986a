"""validate.core: the bottom layer — statistics, the comparison rule, power-law fits, claims,
argument checks and the report writer. Imports neither meanfield nor simulate.

* :mod:`~validate.core.stats` — ``Comparison``, ``compare``, standard errors of correlated series
* :mod:`~validate.core.fits` — ``fit_power_law`` (q ≈ A·N^k)
* :mod:`~validate.core.claims` — ``Claim``, ``judge_claim`` and the claims table
* :mod:`~validate.core.checks` — one-line argument errors
* :mod:`~validate.core.report` — ``Section``, ``write_report`` (report.md/.html/.json)
"""
