"""validate: compare meanfield predictions with simulate runs.

Data flows one way: ``meanfield`` (theory) <- ``validate`` -> ``simulate``.

Layers, imports going down only (commands → reports → figures → experiments → analysis →
core; tests/validate/test_layers.py enforces it):

* ``validate.core`` — statistics, power-law fits, claims, argument checks, the report writer;
* ``validate.analysis`` — the toolkit for any activity (measures, recordings, similarity,
  fixed points, topology, network measures);
* ``validate.experiments`` — plan → simulate runs → result objects;
* ``validate.figures`` — result → PNG (the only matplotlib in validate);
* ``validate.reports`` — one module per command: run + draw + assemble the report sections;
* ``validate.commands`` — argparse only, one module per ``oblique`` sub-command.

Public API (re-exported here; see each module):

* :mod:`validate.core.stats` — the one comparison rule (``Comparison``, ``compare``,
  ``compare_estimate``, ``all_passed``, ``Z_MAX``, ``FINITE_SIZE_C``) and
  standard errors of correlated series (``block_se``, ``integrated_autocorr_time``).
* :mod:`validate.experiments.static` — static check of the theory (THEORY §5):
  ``StaticConfig``, ``run_static``, ``default_static_configs``.
* :mod:`validate.experiments.gd_scaling` — gradient descent across N (§4): ``GDScalingPlan``,
  ``run_gd_scaling``, ``analyse_gd_scaling``, ``default_gd_plans``; power laws
  (:mod:`validate.core.fits`): ``fit_power_law``, ``PowerLawFit``; claims
  (:mod:`validate.core.claims`): ``Claim``, ``judge_claim``, ``claims_table``, ….
* :mod:`validate.experiments.two_phase` — two-phase learning of a linear network (§3):
  ``TwoPhasePlan``, ``run_two_phase``, ``analyse_two_phase``, ``default_two_phase_plan``.
* figures: ``plot_static_clouds``, ``plot_static_histograms`` (static),
  ``plot_scaling`` (log-log vs N), ``plot_gd_learning``, ``plot_two_phase``
  (learning curves with theory).
* :mod:`validate.core.report` — ``write_report`` (report.md/.html/.json), ``Section``,
  ``run_metadata``, ``summary_table``, ``RULE_TEXT``.
* the main job without the command line: ``run_validate`` (what ``oblique
  validate`` runs) and ``plot_scaling_from_runs`` (``oblique plot scaling``).
* :mod:`validate.experiments.corrections` — the finite-dt / finite-N / per-network corrections grid.
* :mod:`validate.analysis.measures` and :mod:`validate.analysis.recordings` — aligned vs oblique measures on any
  activity array, and their use on recordings (ridge readout, lag search, subsampling, a given
  decoder); recordings from files: :class:`validate.core.recording.Recording`, ``read_nwb``
  (NWB, DANDI / NLB layout), ``read_decoder_file`` (BCI), ``analyse_recordings`` and
  ``run_recordings_report`` (what ``oblique recordings`` runs).
* :mod:`validate.analysis.similarity` (CKA, SVCCA, Procrustes, MDS), :mod:`validate.analysis.fixed_points`,
  :mod:`validate.analysis.topology`, :mod:`validate.analysis.network_measures` and
  :mod:`validate.experiments.universality` — the dynamics toolkit of seeds 002/003;
  :mod:`validate.experiments.seed003` — seed 003's hypotheses on trained leaky rate networks.

Names are resolved lazily (PEP 562 ``__getattr__``), so ``import validate`` and
``oblique --help`` import neither numpy nor JAX; the first access of a name
imports its module.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import Any

#: module -> the public names it contributes (a test checks they are that module's
#: ``__all__`` or a subset of it).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "core.stats": (
        "Z_MAX",
        "FINITE_SIZE_C",
        "SE_KINDS",
        "Comparison",
        "compare",
        "compare_estimate",
        "finite_size_bound",
        "integrated_autocorr_time",
        "block_se",
        "all_passed",
    ),
    "core.fits": ("PowerLawFit", "fit_power_law"),
    "core.claims": (
        "CLAIM_ALPHA",
        "Claim",
        "judge_claim",
        "claims_table",
        "claims_verdict",
        "claims_hold",
    ),
    "core.report": (
        "Section",
        "RULE_TEXT",
        "write_report",
        "run_metadata",
        "summary_table",
        "format_number",
    ),
    "analysis.measures": (
        "readout_correlation",
        "dimension",
        "fit_dimension",
        "reconstruction_r2",
        "dissimilarity",
        "noise_compression",
        "susceptibility",
        "regime_label",
        "summarize",
    ),
    "analysis.recordings": (
        "ridge_readout",
        "lag_search",
        "analyse_recording",
        "analyse_readout",
        "subsample_rho",
        "subsample_points",
        "synthetic_recording",
    ),
    "core.recording": ("Recording",),
    "analysis.nwb_files": ("read_nwb", "nwb_series_names"),
    "analysis.decoder_files": ("read_decoder_file",),
    "analysis.synthetic_files": (
        "write_synthetic_nwb",
        "write_synthetic_decoder_file",
        "expected_rho",
    ),
    "experiments.recordings": ("analyse_recordings",),
    "analysis.similarity": (
        "linear_cka",
        "svcca",
        "procrustes_distance",
        "pairwise_distances",
        "classical_mds",
    ),
    "analysis.fixed_points": (
        "FixedPoints",
        "find_fixed_points",
        "linearise",
        "model_velocity",
        "sample_initial_states",
    ),
    "analysis.topology": (
        "transition_graph",
        "readout_order",
        "topology_distances",
        "integration_modes",
        "fixed_point_census",
        "attractor_graph",
        "attractor_distances",
        "merge_fixed_points",
    ),
    "analysis.network_measures": (
        "subspace_angles",
        "node_centrality",
        "non_normality",
        "spectrum",
        "predictive_information",
        "dca",
    ),
    "experiments.static": (
        "StaticConfig",
        "StaticResult",
        "STATIC_QUANTITIES",
        "static_theory",
        "run_static",
        "default_static_configs",
    ),
    "experiments.gd_scaling": (
        "GDScalingPlan",
        "GDScalingResult",
        "run_gd_scaling",
        "analyse_gd_scaling",
        "default_gd_plans",
    ),
    "experiments.two_phase": (
        "TwoPhasePlan",
        "TwoPhaseResult",
        "run_two_phase",
        "analyse_two_phase",
        "default_two_phase_plan",
    ),
    "experiments.corrections": (
        "CorrectionsConfig",
        "run_corrections",
        "corrections_rows",
        "headline",
    ),
    "experiments.universality": (
        "UniversalityPlan",
        "train_population",
        "analyse_task",
        "cluster_statistic",
    ),
    "experiments.seed003": (
        "Seed003Plan",
        "analyse_seed003_network",
        "participation_ratio",
        "run_seed003",
    ),
    "figures.static": ("plot_static_clouds", "plot_static_histograms"),
    "figures.scaling": ("plot_scaling",),
    "figures.learning": ("plot_gd_learning", "plot_two_phase"),
    "reports.validate": ("run_validate", "plot_scaling_from_runs", "EXPERIMENTS"),
    "reports.universality": ("run_universality",),
    "reports.seed003": ("run_seed003_report",),
    "reports.recordings": ("read_recordings", "run_recordings_report"),
}

_WHERE: dict[str, str] = {name: mod for mod, names in _EXPORTS.items() for name in names}

#: Explicit for static tools; a test checks it holds exactly the names of ``_WHERE``.
#: The package version, defined once in pyproject.toml (installed metadata).
__version__ = importlib.metadata.version("aligned-oblique")

__all__ = [
    "CLAIM_ALPHA",
    "Claim",
    "Comparison",
    "CorrectionsConfig",
    "EXPERIMENTS",
    "FINITE_SIZE_C",
    "FixedPoints",
    "GDScalingPlan",
    "GDScalingResult",
    "PowerLawFit",
    "RULE_TEXT",
    "Recording",
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
    "analyse_readout",
    "analyse_recording",
    "analyse_recordings",
    "analyse_seed003_network",
    "analyse_task",
    "analyse_two_phase",
    "attractor_distances",
    "attractor_graph",
    "block_se",
    "claims_hold",
    "claims_table",
    "claims_verdict",
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
    "expected_rho",
    "find_fixed_points",
    "finite_size_bound",
    "fit_dimension",
    "fit_power_law",
    "fixed_point_census",
    "format_number",
    "headline",
    "integrated_autocorr_time",
    "integration_modes",
    "judge_claim",
    "lag_search",
    "linear_cka",
    "linearise",
    "merge_fixed_points",
    "model_velocity",
    "node_centrality",
    "noise_compression",
    "non_normality",
    "nwb_series_names",
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
    "read_decoder_file",
    "read_nwb",
    "read_recordings",
    "readout_correlation",
    "readout_order",
    "reconstruction_r2",
    "regime_label",
    "ridge_readout",
    "run_corrections",
    "run_gd_scaling",
    "run_metadata",
    "run_recordings_report",
    "run_seed003",
    "run_seed003_report",
    "run_static",
    "run_two_phase",
    "run_universality",
    "run_validate",
    "sample_initial_states",
    "spectrum",
    "static_theory",
    "subsample_points",
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
    "write_synthetic_decoder_file",
    "write_synthetic_nwb",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # cache: later lookups skip __getattr__
        return value
    raise AttributeError(f"module 'validate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
