"""Argument checks shared by the validate toolkit and experiments (one-line errors).

Every check raises a ``ValueError`` whose message names the argument, its value and what is
allowed, in the form ``name=value is not allowed; ...``. This module imports only numpy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bad_value", "fraction", "integer", "is_int", "real_scalar"]


def bad_value(name: str, value: object, allowed: str) -> ValueError:
    """The error for ``name=value``: ``"name=value is not allowed; allowed: <allowed>"``
    (returned, for the caller to raise)."""
    return ValueError(f"{name}={value!r} is not allowed; allowed: {allowed}")


def is_int(value: object) -> bool:
    """True for a Python ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def real_scalar(value: object, name: str, allowed: str) -> float:
    """A real scalar (Python or NumPy number, 0-d array) as float; ValueError otherwise."""
    a = np.asarray(value) if not isinstance(value, bool) else None
    if a is None or a.ndim != 0 or a.dtype.kind not in "iuf":
        raise ValueError(f"{name}={value!r} is not allowed; must be {allowed}")
    return float(a)


def fraction(value: float, name: str) -> float:
    """A real number in (0, 1] as float; ValueError otherwise."""
    v = real_scalar(value, name, "a number in (0, 1]")
    if not (0.0 < v <= 1.0):
        raise ValueError(f"{name}={value!r} is not allowed; must be in (0, 1]")
    return v


def integer(value: int, name: str, low: int, high: int | None = None) -> int:
    """An integer (Python or NumPy, not bool) in [low, high] as int; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}={value!r} is not allowed; must be an integer >= {low}")
    v = int(value)
    if v < low or (high is not None and v > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name}={value!r} is not allowed; must be an integer {allowed}")
    return v
