"""meanfield: mean-field theory of noisy rank-2 rate networks (THEORY.md §2–§3).

Numeric functions (numpy float64, broadcasting over arrays):

* fixed point and bias: :func:`lambda_min`, :func:`fixed_point_norm`,
  :func:`correlation`, :func:`feasible`;
* fluctuations: :func:`latent_covariance`, :func:`loss_var`;
* the L_var-optimal solution: :func:`optimum` → :class:`Optimum` (also of the Euler-map and
  Hermite L_var, ``dt=`` / ``hermite_orders=``; ``Optimum.approximation`` names the theory);
* two-phase learning of a linear network: :func:`linear_two_phase` →
  :class:`TwoPhaseCurves`;
* where the fixed-point theory holds: :func:`barrier` → :class:`Barrier` (barrier between
  ±κ̄, the noise-to-barrier ratio D/ΔV that sizes the linear-noise approximation's neglected
  terms, the Kramers switching rate); the theory variants with their domains and neglected
  terms: :data:`VARIANTS` (:mod:`meanfield.variants`);
* random bulk g·χ (THEORY §7, dynamic mean-field theory): :func:`bulk_state` →
  :class:`BulkState` (c₀, c∞, ‖κ̄‖, the critical λ₊), :func:`bulk_autocorrelation` Δ(τ),
  :func:`bulk_lambda_min`; the latent covariance with the bulk's coloured drives (linear-noise
  approximation) :func:`bulk_latent_covariance`; ``g=`` on :func:`lambda_min`,
  :func:`fixed_point_norm`, :func:`correlation`, :func:`feasible`, :func:`latent_covariance`
  and :func:`loss_var`;
* Gaussian averages: :data:`NONLINEARITIES`, :func:`gaussian_mean`,
  :func:`mean_dphi`, :func:`mean_dphi3`; the 2×2 Lyapunov solver
  :func:`lyapunov_2x2` and its Euler-map (Stein) counterpart :func:`stein_2x2`.

Beyond the paper's theory (``latent_covariance`` / ``loss_var`` options):
``dt=`` predicts the simulated Euler–Maruyama map exactly (orthogonal variance σ²/(1 − dt/2),
Stein equation, the map's gain term), and ``hermite_orders=K`` adds the finite-N noise that
leaks through φ (:mod:`meanfield.hermite_noise`); :func:`quenched_fixed_point` /
:func:`quenched_outputs` give per-network (given-U) fixed points and the O(1) spread of oblique
mean outputs over networks (:mod:`meanfield.quenched`).

Bad input: scalar calls raise ValueError naming the parameter, its value and
the allowed range; array calls return NaN exactly at infeasible entries
(:func:`feasible` gives the mask); ``errors="raise"`` (or ``"warn"``) on a call, or
``with meanfield.errors("raise"):`` for a block, changes that. A bool or string where a number is expected is a TypeError
naming the parameter. See :mod:`meanfield._checks`.

Learning dynamics (JAX, loaded on first access): :func:`learning_flow` applies a training's
optimiser to the expected trial loss of M — the predicted gradient-descent trajectory of
THEORY §4 (:mod:`meanfield.learning_dynamics`, with :func:`expected_loss`,
:func:`fixed_point_trial`, :func:`constant_input_trial`).

The sympy derivation is available lazily as ``meanfield.symbolic`` and
``meanfield.large_n_scaling`` (imported on first access, so ``import
meanfield`` stays fast and never imports sympy or jax).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import Any

from ._checks import errors
from .bulk import BulkState, bulk_autocorrelation, bulk_lambda_min, bulk_state
from .bulk_fluctuations import bulk_latent_covariance
from .feasibility import feasible
from .fixed_point import correlation, fixed_point_norm, lambda_min
from .fluctuations import latent_covariance, loss_var
from .lyapunov import lyapunov_2x2, stein_2x2
from .nonlinearities import NONLINEARITIES, gaussian_mean, mean_dphi, mean_dphi3
from .optimum import Optimum, optimum
from .quenched import quenched_fixed_point, quenched_outputs
from .switching import Barrier, barrier
from .two_phase import TwoPhaseCurves, linear_two_phase
from .variants import VARIANTS, Variant

#: The package version, defined once in pyproject.toml (installed metadata).
__version__ = importlib.metadata.version("aligned-oblique")

__all__ = [
    "NONLINEARITIES",
    "VARIANTS",
    "Barrier",
    "BulkState",
    "Optimum",
    "TwoPhaseCurves",
    "Variant",
    "barrier",
    "bulk_autocorrelation",
    "bulk_lambda_min",
    "bulk_latent_covariance",
    "bulk_state",
    "constant_input_trial",
    "correlation",
    "errors",
    "expected_loss",
    "feasible",
    "fixed_point_trial",
    "fixed_point_norm",
    "gaussian_mean",
    "lambda_min",
    "large_n_scaling",
    "latent_covariance",
    "learning_flow",
    "linear_two_phase",
    "loss_var",
    "lyapunov_2x2",
    "mean_dphi",
    "mean_dphi3",
    "optimum",
    "quenched_fixed_point",
    "quenched_outputs",
    "stein_2x2",
    "symbolic",
]

_LAZY = {"symbolic", "large_n_scaling"}
#: Public names of :mod:`meanfield.learning_dynamics` (imports JAX, so loaded on first access).
_LAZY_FLOW = {"learning_flow", "expected_loss", "fixed_point_trial", "constant_input_trial"}


def __getattr__(name: str) -> Any:
    """Lazy attributes: ``symbolic`` (module), ``large_n_scaling`` (function) and the
    learning-dynamics functions of :mod:`meanfield.learning_dynamics`."""
    if name in _LAZY_FLOW:
        value = getattr(importlib.import_module(".learning_dynamics", __name__), name)
        globals()[name] = value
        return value
    if name in _LAZY:
        module = importlib.import_module(".symbolic", __name__)
        value = module if name == "symbolic" else module.large_n_scaling
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY | _LAZY_FLOW)
