"""Shared test configuration.

Hypothesis profiles:

* ``ci`` (default): derandomised, few examples, no deadline — seconds per test.
* ``thorough``: many random examples, for long runs:
  ``pytest --hypothesis-profile=thorough``.
"""

from __future__ import annotations

import os

# Small LAPACK calls (SVDs of [samples, units] activity in validate's measures) run up to 10×
# slower with several OpenBLAS threads on a loaded 2-core machine; set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
