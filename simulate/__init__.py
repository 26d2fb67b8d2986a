"""simulate: JAX rate networks, the papers' tasks, and training that never loses a run.

Public API (all re-exported here; see each module for details):

* :mod:`simulate.nonlinearities` — φ by name (THEORY §1, §2).
* :mod:`simulate.models` — ``LowRankRNN``, ``RateRNN`` and their constructors (§2, §6).
* :mod:`simulate.gated` — seed 002's discrete-time Vanilla, UGRNN, GRU and LSTM (``GatedRNN``).
* :mod:`simulate.prng` — JAX's threefry unrolled for CPUs (same draws, faster on a CPU).
* :mod:`simulate.dynamics` — Euler–Maruyama ``simulate`` (§1).
* :mod:`simulate.losses` — masked MSE and its bias/variance split (§1).
* :mod:`simulate.tasks` — the papers' tasks (§3, §4, §6, Table 1).
* :mod:`simulate.config` — ``TrainConfig`` and presets.
* :mod:`simulate.build` — ``init_models``, ``seed_keys`` (the initial networks of a run).
* :mod:`simulate.training` — ``train``, ``sweep`` (all seeds as one vmapped computation).
* :mod:`simulate.runs` — ``Run``, ``load`` (atomic, resumable run directories).
* :mod:`simulate.executors` — ``run_configs``: many configurations in-process or on Dask.

Names are resolved lazily (PEP 562 ``__getattr__``): ``import simulate`` does not import
JAX, so the ``oblique`` command line stays fast; the first access of a name imports its
module. ``from simulate import *`` and ``simulate.train`` work as usual.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import Any

#: module → the public names it contributes (each equals that module's ``__all__``;
#: tests/simulate/test_config.py checks they stay in sync).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "nonlinearities": (
        "NONLINEARITIES",
        "ERF_ALPHA",
        "check_leak_angle",
        "check_nonlinearity",
        "get_nonlinearity",
        "leaky_relu",
    ),
    "models": (
        "OUT_SCALES",
        "LowRankRNN",
        "RateRNN",
        "make_low_rank",
        "make_rate_rnn",
        "latents",
        "output_scale",
    ),
    "gated": ("ARCHITECTURES", "GATES", "GatedRNN", "make_gated_rnn"),
    "prng": ("FAST_THREEFRY", "fast_key", "threefry2x32_bits"),
    "dynamics": ("RECORDS", "Trajectory", "step", "simulate", "euler_stationary_variance"),
    "losses": (
        "LossSplit",
        "loss_split",
        "masked_mse",
        "condition_mean",
        "flipped_mean",
        "correlation",
    ),
    "tasks": (
        "TASK_NAMES",
        "BitFlipFlopTask",
        "ComplexSineTask",
        "ContextIntegrationTask",
        "CyclingTask",
        "DecisionTask",
        "FixedPointTask",
        "FlipFlopTask",
        "FrequencySineTask",
        "LinearConstantTask",
        "ManteTask",
        "PerceptionTask",
        "RomoTask",
        "SineTask",
        "Task",
        "TaskBatch",
        "get_task",
    ),
    "_dtypes": ("DTYPES", "enable_float64", "float64_enabled", "resolve_dtype"),
    "config": (
        "FORMS",
        "GATED_MODELS",
        "INITS",
        "LR_SCALINGS",
        "MODELS",
        "OPTIMIZERS",
        "PRESETS",
        "RHO_IO_SCALINGS",
        "TRAINABLE",
        "TrainConfig",
    ),
    "build": ("init_models", "seed_keys"),
    "training": (
        "GATED_RECORDS",
        "LOW_RANK_RECORDS",
        "RATE_RECORDS",
        "evaluate",
        "check_sweep_out",
        "make_optimizer",
        "sweep",
        "train",
        "trainable_filter",
    ),
    "executors": ("EXECUTORS", "run_configs"),
    "runs": (
        "NonFiniteLossError",
        "Run",
        "RunDirectory",
        "RunFileError",
        "RunLockedError",
        "atomic_write_bytes",
        "check_out",
        "load",
        "load_arrays",
        "load_cache",
        "save_arrays",
    ),
}

_WHERE: dict[str, str] = {name: mod for mod, names in _EXPORTS.items() for name in names}

#: The package version, defined once in pyproject.toml (installed metadata).
__version__ = importlib.metadata.version("aligned-oblique")

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # cache: later lookups skip __getattr__
        return value
    raise AttributeError(f"module 'simulate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
