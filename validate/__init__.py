"""validate: compare meanfield predictions with simulate runs.

Data flows one way: ``meanfield`` (theory) <- ``validate`` -> ``simulate``.

Public API (re-exported here; see each module):

* :mod:`validate.stats` — the one comparison rule (``Comparison``, ``compare``,
  ``compare_estimate``, ``all_passed``, ``Z_MAX``, ``FINITE_SIZE_C``) and
  standard errors of correlated series (``block_se``, ``integrated_autocorr_time``).
* :mod:`validate.static` — static check of the theory (THEORY §5):
  ``StaticConfig``, ``run_static``, ``default_static_configs``.
* :mod:`validate.gd_scaling` — gradient descent across N (§4): ``GDScalingPlan``,
  ``run_gd_scaling``, ``analyse_gd_scaling``, ``default_gd_plans``, ``fit_power_law``.
* :mod:`validate.two_phase` — two-phase learning of a linear network (§3):
  ``TwoPhasePlan``, ``run_two_phase``, ``analyse_two_phase``, ``default_two_phase_plan``.
* figures: ``plot_static_clouds``, ``plot_static_histograms`` (static),
  ``plot_scaling`` (log-log vs N), ``plot_gd_learning``, ``plot_two_phase``
  (learning curves with theory).
* :mod:`validate.report` — ``write_report`` (report.md/.html/.json), ``Section``,
  ``run_metadata``, ``summary_table``, ``RULE_TEXT``.
* the main job without the command line: ``run_validate`` (what ``oblique
  validate`` runs) and ``plot_scaling_from_runs`` (``oblique plot scaling``).
* :mod:`validate.corrections` — the finite-dt / finite-N / per-network corrections grid.
* :mod:`validate.measures` and :mod:`validate.recordings` — aligned vs oblique measures on any
  activity array, and their use on recordings (ridge readout, lag search, subsampling).
* :mod:`validate.similarity` (CKA, SVCCA, Procrustes, MDS), :mod:`validate.fixed_points`,
  :mod:`validate.topology`, :mod:`validate.network_measures` and
  :mod:`validate.universality` — the dynamics toolkit of seeds 002/003;
  :mod:`validate.seed003` — seed 003's hypotheses on trained leaky rate networks.

Names are resolved lazily (PEP 562 ``__getattr__``), so ``import validate`` and
``oblique --help`` import neither numpy nor JAX; the first access of a name
imports its module.
"""

from __future__ import annotations

import importlib
from typing import Any

#: module -> the public names it contributes (a test checks they are that module's
#: ``__all__`` or a subset of it).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "stats": ("Z_MAX", "FINITE_SIZE_C", "SE_KINDS", "Comparison", "compare",
              "compare_estimate", "finite_size_bound", "integrated_autocorr_time",
              "block_se", "all_passed"),
    "static": ("StaticConfig", "StaticResult", "STATIC_QUANTITIES", "static_theory",
               "run_static", "default_static_configs"),
    "gd_scaling": ("GDScalingPlan", "GDScalingResult", "PowerLawFit", "fit_power_law",
                   "run_gd_scaling", "analyse_gd_scaling", "default_gd_plans"),
    "two_phase": ("TwoPhasePlan", "TwoPhaseResult", "run_two_phase", "analyse_two_phase",
                  "default_two_phase_plan"),
    "plots_static": ("plot_static_clouds", "plot_static_histograms"),
    "plots_scaling": ("plot_scaling",),
    "plots_learning": ("plot_gd_learning", "plot_two_phase"),
    "report": ("Section", "RULE_TEXT", "write_report", "run_metadata", "summary_table",
               "format_number"),
    "_cli": ("run_validate", "plot_scaling_from_runs", "EXPERIMENTS"),
    "corrections": ("CorrectionsConfig", "run_corrections", "corrections_rows", "headline"),
    "measures": ("readout_correlation", "dimension", "fit_dimension", "reconstruction_r2",
                 "dissimilarity", "noise_compression", "susceptibility", "regime_label",
                 "summarize"),
    "recordings": ("ridge_readout", "lag_search", "analyse_recording", "subsample_rho",
                   "synthetic_recording"),
    "similarity": ("linear_cka", "svcca", "procrustes_distance", "pairwise_distances",
                   "classical_mds"),
    "fixed_points": ("FixedPoints", "find_fixed_points", "linearise", "model_velocity",
                     "sample_initial_states"),
    "topology": ("transition_graph", "readout_order", "topology_distances",
                 "integration_modes", "fixed_point_census", "attractor_graph",
                 "attractor_distances", "merge_fixed_points"),
    "network_measures": ("subspace_angles", "node_centrality", "non_normality", "spectrum",
                         "predictive_information", "dca"),
    "universality": ("UniversalityPlan", "train_population", "analyse_task",
                     "cluster_statistic"),
    "_cli_universality": ("run_universality",),
    "seed003": ("Seed003Plan", "analyse_seed003_network", "participation_ratio", "run_seed003"),
    "_cli_seed003": ("run_seed003_report",),
}

_WHERE: dict[str, str] = {name: mod for mod, names in _EXPORTS.items() for name in names}

#: Explicit for static tools; a test checks it holds exactly the names of ``_WHERE``.
__all__ = [
    "Comparison",
    "CorrectionsConfig",
    "EXPERIMENTS",
    "FINITE_SIZE_C",
    "FixedPoints",
    "GDScalingPlan",
    "GDScalingResult",
    "PowerLawFit",
    "RULE_TEXT",
    "SE_KINDS",
    "STATIC_QUANTITIES",
    "Section",
    "Seed003Plan",
    "StaticConfig",
    "StaticResult",
    "TwoPhasePlan",
    "TwoPhaseResult",
    "UniversalityPlan",
    "Z_MAX",
    "all_passed",
    "analyse_gd_scaling",
    "analyse_recording",
    "analyse_seed003_network",
    "analyse_task",
    "analyse_two_phase",
    "attractor_distances",
    "attractor_graph",
    "block_se",
    "classical_mds",
    "cluster_statistic",
    "compare",
    "compare_estimate",
    "corrections_rows",
    "dca",
    "default_gd_plans",
    "default_static_configs",
    "default_two_phase_plan",
    "dimension",
    "dissimilarity",
    "find_fixed_points",
    "finite_size_bound",
    "fit_dimension",
    "fit_power_law",
    "fixed_point_census",
    "format_number",
    "headline",
    "integrated_autocorr_time",
    "integration_modes",
    "lag_search",
    "linear_cka",
    "linearise",
    "merge_fixed_points",
    "model_velocity",
    "node_centrality",
    "noise_compression",
    "non_normality",
    "pairwise_distances",
    "participation_ratio",
    "plot_gd_learning",
    "plot_scaling",
    "plot_scaling_from_runs",
    "plot_static_clouds",
    "plot_static_histograms",
    "plot_two_phase",
    "predictive_information",
    "procrustes_distance",
    "readout_correlation",
    "readout_order",
    "reconstruction_r2",
    "regime_label",
    "ridge_readout",
    "run_corrections",
    "run_gd_scaling",
    "run_metadata",
    "run_seed003",
    "run_seed003_report",
    "run_static",
    "run_two_phase",
    "run_universality",
    "run_validate",
    "sample_initial_states",
    "spectrum",
    "static_theory",
    "subsample_rho",
    "subspace_angles",
    "summarize",
    "summary_table",
    "susceptibility",
    "svcca",
    "synthetic_recording",
    "topology_distances",
    "train_population",
    "transition_graph",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # cache: later lookups skip __getattr__
        return value
    raise AttributeError(f"module 'validate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
