"""Mutation score of the core modules (issue 19): how many deliberately planted bugs the tests
catch, per module. Not part of CI (minutes to hours on 2 cores); the README quotes its output.

    python benchmarks/mutation_score.py [--family meanfield simulate validate] [--workdir DIR]
                                        [--max-children 2] [--report-only | --rerun-survivors]

For each family the script copies the project into ``WORKDIR/<family>`` (default
``.mutation/``, git-ignored), writes a ``[tool.mutmut]`` table there that mutates only the
family's core modules and runs only the family's tests, and runs ``mutmut run`` (mutmut ≥ 3.8,
in the ``dev`` extra). mutmut rewrites each function into trampolined variants, records which
tests reach which function, and for every mutant runs those tests in a forked child; a mutant
is *killed* when a test fails. The score per module is killed / (all mutants − the listed
equivalent ones); "no tests" (a function no test reaches) and timeouts count as not killed.

Equivalent mutants (the program's behaviour does not change, so no test can kill them) are
listed in ``EQUIVALENT`` with the reason; ``mutmut show <name>`` in the work directory prints a
mutant's diff, and ``--survivors`` lists the survivors per module.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Core modules per family (issue 19) and the tests that guard them
FAMILIES: dict[str, dict[str, list[str]]] = {
    "meanfield": {
        "modules": [
            "meanfield/fixed_point.py",
            "meanfield/fluctuations.py",
            "meanfield/latent_geometry.py",
            "meanfield/hermite_noise.py",
            "meanfield/two_phase.py",
            "meanfield/optimum.py",
        ],
        # every meanfield test file but four slow ones (large_n, learning_dynamics, symbolic,
        # accuracy_contract: 27-70 s each on 2 cores), and the bulk files without their five
        # tests of 9-42 s (simulations and option sweeps): a surviving mutant runs every
        # selected test that reaches its function, up to 107 s with the whole folder,
        # ~10 s with these. Kills by the left-out tests are not counted, so the score is a
        # lower bound.
        "tests": [
            f"tests/meanfield/test_{name}.py"
            for name in (
                "bulk",
                "bulk_fluctuations",
                "cli",
                "errors",
                "finite_dt",
                "fixed_point",
                "fluctuations",
                "hermite_noise",
                "mat22",
                "nonlinearities",
                "optimum",
                "plots",
                "quenched",
                "repr",
                "switching",
                "two_phase",
            )
        ],
        "deselect": [
            "tests/meanfield/test_bulk_fluctuations.py::"
            "test_bulk_loss_var_passes_every_option_through",
            "tests/meanfield/test_bulk_fluctuations.py::"
            "test_v_minus_variance_matches_simulated_networks",
            "tests/meanfield/test_bulk_fluctuations.py::test_tanh_small_g_is_the_g_zero_theory",
            "tests/meanfield/test_bulk.py::test_dmft_matches_simulated_bulk_networks",
            "tests/meanfield/test_bulk.py::test_every_returned_point_solves_the_equations",
        ],
    },
    # each mutant runs the tests that reach its function: the mirrors of the modules only
    # (all of tests/simulate/ is 5 minutes on 2 cores, per mutant)
    "simulate": {
        "modules": ["simulate/dynamics.py", "simulate/losses.py"],
        # test_gated: the gated branch of dynamics.step
        "tests": [
            "tests/simulate/test_dynamics.py",
            "tests/simulate/test_losses.py",
            "tests/simulate/test_gated.py",
        ],
    },
    "training": {
        "modules": ["simulate/training.py"],
        # test_gated trains a gated model (the gated records); test_runs' resume tests are
        # left out: 14 s each per surviving mutant
        "tests": ["tests/simulate/test_training.py", "tests/simulate/test_gated.py"],
    },
    "validate": {
        "modules": [
            "validate/core/stats.py",
            "validate/core/claims.py",
            "validate/core/verdict.py",
        ],
        # claims and verdict have their own core tests (test_claims, test_verdict); the
        # experiments' tests are too slow to run per mutant on 2 cores
        "tests": ["tests/validate/core/"],
    },
}

#: Families whose tests run JAX (their mutmut workers must not be forked after JAX loaded)
JAX_FAMILIES = ("simulate", "training")

_BISECT = "one more bisection step, or > for >= in its test: the interval is at rounding already"
_SIGN = (
    "only the sign of the slope is used (bracketing, bisection): a positive factor changes nothing"
)
_EDGE = (
    "lower bracket end at the Euler map's stability edge: below it the Stein continuation "
    "of L_var falls to −∞ at the pole (slope < 0), so the bisection reaches the same "
    "minimiser from any start below; the guard only matters against rounding noise of "
    "the slope at κ̄² ~ 1e-7 (tests/meanfield/test_optimum.py checks the result)"
)
_BROADCAST = "as_float64 returns the inputs broadcast to one shape: any one of them gives it"
_FLOAT = "the value is float64 on every path already (astype/asarray with None keeps it)"
_MARGIN = (
    "outer-grid extent or node count inside the rule's margin (Gaussian weight beyond "
    "10 sd < 1e-22, ≥ 4 nodes per scale): the drives move ≤ 1e-15 relative (measured)"
)

_ZIP = "zip of two sequences built with the same length: strict=True never triggers"
_HN = "meanfield.hermite_noise.x_"
_INT_PROMOTED = (
    "only integer inputs keep an integer dtype, and the first float operation they meet "
    "promotes them: float and complex inputs are unchanged"
)
_DTYPE_NONE = "astype(None) is astype(float64)"
_FL = "meanfield.fluctuations.x__covariance_checked__mutmut_"
_PATH = (
    "the safeguarded Newton–bisection root of ‖κ̄‖² then takes another path (a different "
    "first bracket or guess, a damped or reversed Newton step that falls back to bisection, "
    "a later stop) to the same root: the tests compare it with brentq to 1e-11 and it passes; "
    "only the number of iterations changes"
)
_FILL = (
    "the fill value at entries already masked as infeasible: their result is NaN whatever "
    "is computed there, later requires ignore them, and errstate keeps them silent"
)
_DTYPE = "np.array of a list of Python floats is float64 with or without dtype=float"
_SIGN_ONLY = "copysign uses only the sign, and sign(s/x) = sign(s·x)"

_IAT = "validate.core.stats.x_integrated_autocorr_time__mutmut_"
_RATIO_ONLY = "ρ = acov/var is a ratio: a common factor or a longer zero padding cancels"
_VAR0 = "only differs where var = 0, and the last where() returns 1 there either way"

_ST = "validate.core.stats."

#: Mutants that cannot change behaviour (or not beyond rounding), with the reason
EQUIVALENT: dict[str, str] = {
    **{
        f"{_ST}x__judge__mutmut_{i}": "every caller of _judge passes tolerance and domain: "
        "the defaults are never used"
        for i in (1, 2)
    },
    **{f"{_ST}x_compare__mutmut_{i}": "finite=None is falsy like False" for i in (10, 34)},
    f"{_ST}x_compare__mutmut_56": "too_short is passed through bool(): None is False",
    f"{_ST}x_compare__mutmut_66": "block_se's axis defaults to 0",
    f"{_ST}x_compare__mutmut_76": "the note joins only truthy parts: None and '' alike",
    **{
        f"{_ST}x_compare__mutmut_{i}": "< vs <= between an integer count and a multiple of a "
        "continuous τ̂: equality has measure zero"
        for i in (78, 84)
    },
    f"{_ST}x_compare__mutmut_97": "np.std(ddof=1) of one sample is NaN already (with a "
    "warning): the guard only silences it",
    **{
        f"{_ST}x_unbiased_loss_split__mutmut_{i}": "the result is float64 for any numeric "
        "input: a division by B − 1 follows"
        for i in (10, 12, 15, 17)
    },
    **{f"{_IAT}{i}": _RATIO_ONLY for i in (34, 39, 49, 51, 54)},
    **{f"{_IAT}{i}": "np.errstate only silences warnings" for i in (61, 62, 63, 64)},
    **{f"{_IAT}{i}": _VAR0 for i in (76, 85, 87, 88, 145)},
    **{
        f"{_IAT}{i}": "n >= 2 is checked on entry: the branch for n <= 1 is unreachable, and "
        "at n = 2 the one window gives τ = 1 + 2ρ(1) = 0, clipped to 1 like the ones"
        for i in (125, 128, 129, 130, 131)
    },
    **{
        f"{_IAT}{i}": "the fallback window is dead code: the biased autocorrelations of a "
        "centred series sum to −1/2, so τ(n − 1) = 0 and the last window always qualifies "
        "(a constant series ends as τ = 1 either way)"
        for i in (110, 121, 122)
    },
    **{
        f"validate.core.stats.x_compare_ratio__mutmut_{i}": "finite=None is falsy like False"
        for i in (9, 22)
    },
    f"{_IAT}107": "W > 5τ vs W >= 5τ: equality of an integer with a continuous estimate has "
    "measure zero",
    f"{_IAT}27": "numpy reads any negative reshape size as 'the rest' (-2 like -1)",
    **{
        f"validate.core.stats.x_compare_ratio__mutmut_{i}": "np.cov's default ddof is n − 1 "
        "already (bias=False)"
        for i in (78, 81)
    },
    **{f"validate.core.claims.x_claims_console__mutmut_{i}": _ZIP for i in (18, 21, 22)},
    **{f"validate.core.verdict.xǁVerdictǁconsole__mutmut_{i}": _ZIP for i in (20, 23, 25)},
    **{f"validate.core.verdict.xǁVerdictǁhtml__mutmut_{i}": _ZIP for i in (14, 17, 18)},
    **{
        f"validate.core.verdict.x_judge__mutmut_{i}": _DTYPE
        for i in (43, 45, 48, 50, 55, 57, 74, 76, 78, 80)
    },
    **{
        f"validate.core.claims.x_finite_values__mutmut_{i}": "np.isfinite and the means are "
        "the same for int and float arrays (the only inputs are numbers)"
        for i in (3, 5)
    },
    "validate.core.verdict.x_judge__mutmut_26": "the sort index of an unknown variant only has "
    "to exceed the five known ones (0-4): 99 or 100 order alike",
    "validate.core.verdict.x_judge__mutmut_62": "a row with non-finite rel_err then counts as a "
    "size, but fit_power_law skips non-finite values, and one valid size gives NaN either way",
    "validate.core.verdict.x_judge__mutmut_65": "fit_power_law skips q <= 0 itself, so a row of "
    "zero error never enters the fit either way; excluding rel_err == 1 exactly has measure zero",
    "validate.core.verdict.xǁVerdictǁconsole__mutmut_8": "the table starts with 'claim' and ends "
    "with an evidence text, neither with whitespace: lstrip and rstrip both do nothing",
    "validate.core.claims.x_judge_claim__mutmut_177": "t > t_crit vs t >= t_crit: equality of a "
    "continuous statistic with a quantile has measure zero",
    "validate.core.claims.x_judge_claim__mutmut_181": "reached only when se is not > 0: a finite "
    "se is then 0, and value is finite whenever se is (both from the same finite samples)",
    "validate.core.claims.x_judge_claim__mutmut_193": _SIGN_ONLY,
    "validate.core.claims.x_judge_claim__mutmut_211": "t is ±inf or 0 in that branch: t > 1 and "
    "t > 0 agree",
    **{
        f"simulate.dynamics.x_simulate__mutmut_{i}": "positive=None is falsy like False "
        "(passed on as strict=)"
        for i in (85, 95, 105)
    },
    **{
        f"simulate.losses.x_masked_mse__mutmut_{i}": "zip's strict=None or omitted is the "
        "strict=False written there"
        for i in (36, 39)
    },
    **{
        f"simulate.losses.x_condition_mean__mutmut_{i}": "only changes conditions with zero "
        "total weight, where the sum 0 is divided by a nonzero number: 0 either way"
        for i in (79, 90)
    },
    "simulate.losses.x__check_condition__mutmut_5": "'XXiuXX' still contains i and u, and no "
    "numpy dtype kind is X",
    **{
        f"simulate.losses.x__masked_mean__mutmut_{i}": "only changes the empty-mask branch, "
        "where Σ m·sq = 0 is divided by a nonzero number and the outer where() returns 0 "
        "anyway (value and gradient both 0)"
        for i in (9, 22)
    },
    **{
        f"simulate.training.x_{f}__mutmut_2": "sign ∈ {+1, −1} exactly (the tasks draw it so): "
        "x / sign = x · sign bit for bit"
        for f in ("_gated_records", "_rate_records")
    },
    **{
        f"simulate.training.x__eigvals_sorted__mutmut_{i}": "numpy's default axis is −1 (numpy "
        "≥ 2; on numpy 1.26, which pyproject allows, take_along_axis needs the axis: the "
        "suite runs on current numpy)"
        for i in (12, 22)
    },
    "simulate.training.x__rate_records__mutmut_28": "record='x' is simulate's default",
    **{
        f"simulate.training.x__train__mutmut_{i}": "the first-bad-step counter's dtype: "
        "int32 or JAX's default int (int32, int64 in 64-bit mode) hold the same step numbers"
        for i in (65, 68)
    },
    **{
        f"simulate.training.x__train__mutmut_{i}": "−1 and −2 both mean 'no bad step': every "
        "use is bad < 0 or bad >= 0"
        for i in (70, 145)
    },
    **{
        f"simulate.training.x__train__mutmut_{i}": "the name in _resolved's message for "
        "steps: TrainConfig always resolves steps, so the message cannot be reached"
        for i in (73, 76, 77)
    },
    **{
        f"simulate.training.xǁ_Trainerǁforward__mutmut_{i}": "the name in _resolved's message "
        "for σ, dt, x0_noise or input_noise: TrainConfig resolves them, so the message "
        "cannot be reached"
        for i in (25, 28, 29, 31, 34, 35, 37, 40, 41, 43, 46, 47)
    },
    **{
        f"simulate.training.x_trainable_filter__mutmut_{i}": "the name in _resolved's "
        "message for trainable: TrainConfig resolves it, so the message cannot be reached"
        for i in (10, 13, 14)
    },
    **{
        f"simulate.training.xǁ_Trainerǁchunk__mutmut_{i}": "the steps without records: "
        "with_records None is falsy like False, and True only computes records that are "
        "thrown away"
        for i in (8, 11)
    },
    "simulate.training.xǁ_Trainerǁchunk__mutmut_91": "the block scan runs only when k > 1, "
    "so k >= 1 is true there as well",
    **{
        f"simulate.training.x__jit_chunk__mutmut_{i}": "jnp.asarray of a Python int without a "
        "dtype is weakly typed: t0 + int32 steps stays int32, also in 64-bit mode"
        for i in (22, 24)
    },
    "simulate.training.x__window__mutmut_12": "astype(None) is JAX's default float: "
    "float32 like the masks (and in 64-bit mode flipped_mean takes the window in the "
    "values' dtype)",
    "simulate.training.xǁ_Trainerǁchunk__mutmut_48": "init is read only by the records, "
    "which the inner steps do not take",
    **{
        f"simulate.training.xǁ_Trainerǁchunk__mutmut_{i}": "which of the two scans runs: "
        "both give the same steps and records (a test checks record_every = 2 against 1); "
        "the choice only saves compile time"
        for i in (131, 132, 133, 134, 135, 136)
    },
    **{
        f"simulate.training.xǁ_Trainerǁseed_step__mutmut_{i}": "identity, scale_by_adam and "
        "clip_by_global_norm do not read the parameters passed to update()"
        for i in (51, 54)
    },
    "simulate.training.xǁ_Trainerǁseed_step__mutmut_73": "rec is replaced whenever records "
    "are taken; without records it is thrown away (None or {})",
    "simulate.training.x__lr_table__mutmut_3": "phase bounds are whole step counts below 2²⁴: "
    "exact in float32, and searchsorted compares the same numbers",
    **{
        f"simulate.training.x__structure_key__mutmut_{i}": "the number of phases under "
        "another key name is the same information in the key"
        for i in (4, 5)
    },
    **{
        f"simulate.training.x__structure_key__mutmut_{i}": "to_dict's key order is the "
        "dataclass field order, the same for every config: sorted or not, equal configs "
        "give equal keys and different ones different keys"
        for i in (7, 9, 10)
    },
    "simulate.training.x__train__mutmut_105": "n_blocks = n / k is a whole float (k divides "
    "n): arange of 5.0 and of 5 give the same steps (one extra compilation)",
    "simulate.training.x__train__mutmut_180": "t <= steps also writes a checkpoint after the "
    "last step, which save_finished deletes right after: the same files in the end",
    **{
        f"simulate.training.x__rate_records__mutmut_{i}": "the name in _resolved's message "
        "for tr.x: simulate(record='x') always returns x, so the message cannot be reached"
        for i in (45, 48, 49)
    },
    **{f"{_HN}_as_num__mutmut_{i}": _INT_PROMOTED for i in (5, 7)},
    f"{_HN}_checked__mutmut_1": "the dtype check below refuses None (object), text (U/S) "
    "and bool (b) with the same message",
    f"{_HN}_checked__mutmut_14": "'XXiufcXX' still contains i, u, f and c, and no numpy "
    "dtype kind is X",
    f"{_HN}_inner_nodes__mutmut_2": _DTYPE_NONE,
    **{
        f"{_HN}_inner_nodes__mutmut_{i}": "c₀ is checked finite on entry: the branch for "
        "'no finite c₀' is unreachable"
        for i in (7, 13)
    },
    f"{_HN}_inner_nodes__mutmut_25": "81 instead of 80 nodes per unit c₀: the inner rule is "
    "converged (drives move 2.8e-14 relative at c₀ = 10 and 40, measured)",
    **{
        f"{_HN}_drive_parts__mutmut_{i}": "every caller passes method: the default is never used"
        for i in (1, 2)
    },
    f"{_HN}_drive_parts__mutmut_76": "np.prod of the empty shape is 1 already",
    **{
        f"{_HN}_drive_parts__mutmut_{i}": "the chunk size of the batch loop only: every "
        "point is computed once with the same arithmetic"
        for i in (71, 85, 87, 88, 89)
    },
    f"{_HN}_use_closed_form__mutmut_12": "reached only when orders is None (other bad orders "
    "are refused by check_hermite_orders first): the value named is None either way",
    f"{_HN}_drive_parts__mutmut_100": "numpy reads any negative reshape size as 'the rest'",
    f"{_HN}_drive_parts__mutmut_118": "erf with method='quadrature' would take its inner "
    "coefficients from the closed form instead of the converged η-rule (they agree to "
    "~1e-14); for every other φ 'auto' is the quadrature route",
    f"{_HN}_stein_from_difference__mutmut_27": "FQFᵀ is symmetric (Q is a covariance): its "
    "entries 1 and 2 are equal",
    **{
        f"{_HN}leak_covariance__mutmut_{i}": "A and M are float arrays in every call: the "
        "result type of the inputs is float64 or complex128 already"
        for i in (73, 75)
    },
    f"{_HN}leak_covariance__mutmut_32": "at n = BLOCK exactly, one block of all points is the "
    "unblocked call",
    **{
        f"{_HN}leak_covariance__mutmut_{i}": "the blocks then overlap or cover more than one "
        "block: every row still receives its own point's value (speed only)"
        for i in (82, 84, 85, 86, 87)
    },
    **{f"{_HN}_leak_block__mutmut_{i}": _INT_PROMOTED for i in (8, 10)},
    **{
        f"{_HN}_leak_block__mutmut_{i}": _ZIP for i in (117, 120, 129, 230, 233, 242, 252, 255, 266)
    },
    **{
        f"{_FL}{i}": "ρ is a correlation in [0, 1] wherever the mask is still set (ρ > 1 is "
        "refused before): clipping to any interval containing [−1, 1] does nothing there"
        for i in (36, 37, 42, 43, 61, 62, 67, 68)
    },
    f"{_FL}55": "|sin| > bound vs ≥ bound: equality with a continuous value has measure zero",
    f"{_FL}76": "σ is replaced by 1 at masked entries just before, and a valid σ is finite "
    "with a finite square: nothing there can warn",
    **{f"{_FL}{i}": _FILL for i in (91, 112, 120, 128, 129, 145, 156)},
    "meanfield.fluctuations.x__prepare__mutmut_38": _BROADCAST,
    **{
        f"meanfield.fixed_point.x__solve_kappa_sq__mutmut_{i}": _PATH
        for i in (15, 16, 18, 28, 42, 49, 50, 76, 88, 90, 91, 92, 93, 94, 97, 108, 109, 110, 111)
    },
    **{
        f"meanfield.fixed_point.x__solve_kappa_sq__mutmut_{i}": "< vs <= (or > vs >=) "
        "against 0 or a tolerance: equality with a continuous value has measure zero"
        for i in (23, 46, 62, 71, 121)
    },
    **{
        f"meanfield.fixed_point.x__solve_kappa_sq__mutmut_{i}": "errstate around g/dg with "
        "dg = λ₊⟨φ‴⟩/2 < 0 for every sigmoid here: there is no division by zero to silence"
        for i in (79, 80, 81, 82)
    },
    "meanfield.fixed_point.x__validate_correlation__mutmut_43": _FILL,
    **{
        f"meanfield.fixed_point.x__correlation_checked__mutmut_{i}": _FILL for i in (28, 43, 51, 59)
    },
    "meanfield.fixed_point.x__correlation_checked__mutmut_109": "ρ < 1 vs ρ <= 1 in a scalar "
    "call: ρ = 1 exactly has measure zero",
    **{f"meanfield.two_phase.x__euler_phase2_a__mutmut_{i}": _BISECT for i in (20, 34)},
    **{f"meanfield.optimum.x__slope__mutmut_{i}": _SIGN for i in (1, 8)},
    **{
        f"meanfield.optimum.x__u_stable__mutmut_{i}": _EDGE for i in (9, 15, 17, 18, 30, 36, 41, 42)
    },
    **{
        f"meanfield.fixed_point.x__bulk_correlation__mutmut_{i}": _BROADCAST
        for i in (33, 34, 35, 36, 37)
    },
    **{f"meanfield.fixed_point.x__bulk_correlation__mutmut_{i}": _FLOAT for i in (116, 118)},
    "meanfield.fixed_point.x__bulk_correlation__mutmut_14": "the key naming g in a later type check: g's type is checked (and named) before it",
    "meanfield.fixed_point.x__bulk_correlation__mutmut_130": "ρ > 1 vs ρ ≥ 1 at the feasibility edge: equality has measure zero",
    **{f"meanfield.hermite_noise.x__outer_grid__mutmut_{i}": _FLOAT for i in (2, 5)},
    **{
        f"meanfield.hermite_noise.x__outer_grid__mutmut_{i}": _MARGIN
        for i in (14, 19, 20, 21, 27, 31, 43, 44, 53, 54, 58)
    },
}

#: Files and folders the copies need (the rest of the checkout is left out)
COPY = [
    "meanfield",
    "simulate",
    "validate",
    "tests",
    "benchmarks",
    "notebooks",
    "pyproject.toml",
    "README.md",
]

#: mutmut's exit codes of a mutant run (mutmut.stats.status_by_exit_code): 1 and 3 kill
KILLED = {1, 3}
STATUS = {
    0: "survived",
    None: "not checked",
    33: "no tests",
    5: "no tests",
    34: "skipped",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "hung (killed)",
    37: "type check",
}


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def _write_config(dest: Path, family: str) -> None:
    """The project's pyproject.toml in ``dest``, with the family's ``[tool.mutmut]`` table
    appended (written afresh on every run, so a re-run picks up a grown test selection)."""
    spec = FAMILIES[family]
    package = spec["modules"][0].split("/")[0]
    # everything copied except the mutated package and what mutmut copies itself
    others = [
        f"{n}/" if (ROOT / n).is_dir() else n
        for n in COPY
        if n not in (package, "tests", "pyproject.toml")
    ]
    table = (
        "\n[tool.mutmut]\n"
        f"source_paths = {_toml_list([package + '/'])}\n"
        f"only_mutate = {_toml_list(spec['modules'])}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(spec['tests'])}\n"
        f"{_deselect_line(family)}\n"
        f"also_copy = {_toml_list(others)}\n"
        "use_git_change_detection = false\n"
        # fork workers from a clean server, not from the process that ran every test: tests
        # that use JAX leave XLA threads there, and workers forked from it deadlocked
        'process_isolation = "forkserver"\n'
        # and for the JAX families let the server import nothing: with the default warm-up
        # ("collect") the server imports the test modules, hence JAX, before forking, and
        # every JAX worker forked from it deadlocked (0 of 546 simulate mutants in 3
        # minutes). Each worker then imports JAX itself (~1 s more per mutant). The numpy
        # families keep the warm-up: their workers start with everything imported.
        f'forkserver_warmup = "{"none" if family in JAX_FAMILIES else "collect"}"\n'
    )
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (dest / "pyproject.toml").write_text(text + table, encoding="utf-8")


def prepare(family: str, workdir: Path) -> Path:
    """A fresh copy of the project for ``family`` with its mutmut configuration."""
    dest = workdir / family
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(
                src,
                dest / name,
                ignore=shutil.ignore_patterns(
                    "__pycache__", "*.pyc", ".ipynb_checkpoints", "mutants"
                ),
            )
        elif src.exists():
            shutil.copy2(src, dest / name)
    _write_config(dest, family)
    _add_retrace_fixture(dest)
    return dest


#: Appended to the copy's tests/conftest.py (never to the project's): while mutmut records which
#: tests reach which function (MUTANT_UNDER_TEST = "stats"), every test starts with empty JAX
#: caches. A jitted function is traced (and its Python, hence mutmut's trampoline, runs) only
#: on a cache miss, so without this a test that calls an already compiled function with the
#: same shapes is not recorded as reaching it, and its mutants are never run against that test
#: (seen: test_empty_mask_gives_zero was not selected for ``_masked_mean``, whose "empty mask
#: gives 1" mutant then survived). The persistent compilation cache keeps the re-traces cheap.
RETRACE_FIXTURE = """

import sys

import pytest as _mutation_pytest


@_mutation_pytest.fixture(autouse=True)
def _mutation_stats_retrace():
    if os.environ.get("MUTANT_UNDER_TEST") == "stats" and "jax" in sys.modules:
        sys.modules["jax"].clear_caches()
    yield
"""


def _add_retrace_fixture(dest: Path) -> None:
    conftest = dest / "tests" / "conftest.py"
    text = conftest.read_text(encoding="utf-8")
    if "_mutation_stats_retrace" not in text:
        conftest.write_text(text + RETRACE_FIXTURE, encoding="utf-8")


def _deselect_line(family: str) -> str:
    """``pytest_add_cli_args`` of the family: ``--deselect`` for each slow test left out."""
    args: list[str] = []
    for node in FAMILIES[family].get("deselect", []):
        args += ["--deselect", node]
    return f"pytest_add_cli_args = {_toml_list(args)}"


def refresh_tests(dest: Path, family: str) -> None:
    """Copy the checkout's current tests (and benchmarks, whose references they import) into
    an existing work directory, for a re-run of its survivors, with the configuration
    written again from :data:`FAMILIES` (the test selection may have grown since the run)."""
    _write_config(dest, family)
    for name in ("tests", "benchmarks"):
        shutil.copytree(
            ROOT / name,
            dest / name,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    _add_retrace_fixture(dest)
    # the record of which tests reach which function is redone, so that new tests are run
    # against the survivors (mutmut otherwise reuses the old record and never runs them)
    (dest / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)


def run(dest: Path, max_children: int, mutants: list[str] | None = None) -> int:
    # the interpreter running this script, so the dev extra's mutmut is found without a PATH;
    # one BLAS/OpenMP thread per worker: the workers are forked, and a thread pool inherited
    # across fork can deadlock a worker (seen here: futex waits until mutmut's timeout)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    # JAX's persistent compilation cache, shared by all workers: a mutant recompiles only the
    # programs its mutation changes (the cache key is the compiled HLO, so a mutant never gets
    # the original's executable). Measured on tests/simulate/test_dynamics.py: 57 s with a
    # cold cache, 18 s warm; every fresh worker otherwise recompiled everything.
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(dest.parent / "jax-cache"))
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "-1")
    return subprocess.call(
        [
            sys.executable,
            "-m",
            "mutmut",
            "run",
            "--max-children",
            str(max_children),
            *(mutants or []),
        ],
        cwd=dest,
        env=env,
    )


def scores(family: str, dest: Path) -> dict[str, dict[str, object]]:
    """Per module: counts by status, the score, and the survivors."""
    out: dict[str, dict[str, object]] = {}
    for module in FAMILIES[family]["modules"]:
        meta = dest / "mutants" / (module + ".meta")
        if not meta.exists():
            out[module] = {"missing": True}
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts: Counter[str] = Counter()
        survivors = []
        equivalent = 0
        for name, code in codes.items():
            if name in EQUIVALENT and code in KILLED:
                # a test tells it apart, so it is not equivalent: the list is wrong (or stale
                # after the module changed); count the kill and say so
                print(f"listed as equivalent but killed (fix EQUIVALENT): {name}", file=sys.stderr)
            elif name in EQUIVALENT:
                equivalent += 1
                continue
            if code in KILLED:
                counts["killed"] += 1
            else:
                status = STATUS.get(code, f"exit {code}")
                counts[status] += 1
                survivors.append(name)
        total = sum(counts.values())
        out[module] = {
            "counts": dict(counts),
            "equivalent": equivalent,
            "total": total,
            "score": counts["killed"] / total if total else float("nan"),
            "survivors": sorted(survivors),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", nargs="+", choices=sorted(FAMILIES), default=sorted(FAMILIES))
    ap.add_argument("--workdir", type=Path, default=ROOT / ".mutation")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="read the results of an earlier run in WORKDIR, do not run",
    )
    ap.add_argument("--survivors", action="store_true", help="list surviving mutants")
    ap.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="copy the current tests into WORKDIR and re-run only the mutants that "
        "survived there (killed mutants stay killed: tests were only added)",
    )
    args = ap.parse_args()
    if args.max_children < 1:
        sys.exit(f"--max-children={args.max_children} is out of range: at least 1")
    rows = []
    for family in args.family:
        dest = args.workdir / family
        if args.rerun_survivors:
            changed = [
                m
                for m in FAMILIES[family]["modules"]
                if (dest / m).read_bytes() != (ROOT / m).read_bytes()
            ]
            if changed:
                # the survivors are mutants of the old code: a re-run would test the new tests
                # against the old module (and fail where the new tests rely on the change)
                sys.exit(
                    f"{', '.join(changed)} changed since the run in {dest}: run the family "
                    "afresh (without --rerun-survivors)"
                )
            refresh_tests(dest, family)
            names = [n for r in scores(family, dest).values() for n in r.get("survivors", [])]
            if names:
                run(dest, args.max_children, names)
        elif not args.report_only:
            dest = prepare(family, args.workdir)
            run(dest, args.max_children)
        for module, r in scores(family, dest).items():
            rows.append((module, r))
    print(f"{'module':34s} {'killed':>7s} {'of':>5s} {'score':>7s}  not killed (by status)")
    for module, r in rows:
        if r.get("missing"):
            print(f"{module:34s}   (no results in the work directory)")
            continue
        c = dict(r["counts"])  # type: ignore[arg-type]
        killed = c.pop("killed", 0)
        rest = ", ".join(f"{k} {v}" for k, v in sorted(c.items())) or "-"
        eq = f"; {r['equivalent']} equivalent excluded" if r["equivalent"] else ""
        print(f"{module:34s} {killed:7d} {r['total']:5d} {r['score']:7.1%}  {rest}{eq}")
        if args.survivors:
            for name in r["survivors"]:  # type: ignore[union-attr]
                print(f"    {name}")


if __name__ == "__main__":
    main()
