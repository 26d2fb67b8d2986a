"""validate.analysis: the analysis toolkit for any activity array, recording or trained network.

* :mod:`~validate.analysis.measures` — aligned vs oblique measures (ρ, dimensions, …)
* :mod:`~validate.analysis.recordings` — the measures on recordings (ridge readout, lags, subsets)
* :mod:`~validate.analysis.similarity` — CKA, SVCCA, Procrustes, MDS
* :mod:`~validate.analysis.fixed_points` — fixed and slow points, linearisations
* :mod:`~validate.analysis.topology` — fixed-point and attractor graphs and their distances
* :mod:`~validate.analysis.network_measures` — connectivity measures, predictive information, DCA

Builds on :mod:`validate.core` only (and ``simulate`` for model dynamics).
"""
