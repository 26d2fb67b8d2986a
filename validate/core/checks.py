"""Argument checks shared by the validate toolkit and experiments (one-line errors).

Every check raises a ``ValueError`` whose message names the argument, its value and what is
allowed, in the form ``name=value is not allowed; ...``. This module imports only numpy.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "array",
    "bad_value",
    "first_line",
    "fraction",
    "integer",
    "is_int",
    "real",
    "real_scalar",
]


def bad_value(name: str, value: object, allowed: str) -> ValueError:
    """The error for ``name=value``: ``"name=value is not allowed; allowed: <allowed>"``
    (returned, for the caller to raise)."""
    return ValueError(f"{name}={value!r} is not allowed; allowed: {allowed}")


def first_line(err: BaseException) -> str:
    """The first line of an exception's message, or its type name when it has none (the reason
    quoted in a one-line error)."""
    return str(err).splitlines()[0] if str(err) else type(err).__name__


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
    """An integer (Python or NumPy, or a 0-d integer array; not bool) in [low, high] as int;
    ValueError otherwise."""
    a = (
        None
        if isinstance(value, bool)
        else np.asarray(value)
        if isinstance(value, (int, np.integer, np.ndarray))
        else None
    )
    if a is None or a.ndim != 0 or a.dtype.kind not in "iu":
        raise ValueError(f"{name}={value!r} is not allowed; must be an integer >= {low}")
    v = int(a)
    if v < low or (high is not None and v > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name}={value!r} is not allowed; must be an integer {allowed}")
    return v


def real(
    value: object,
    name: str,
    *,
    low: float | None = None,
    strict: bool = False,
    allow_nan: bool = False,
) -> float:
    """A real number (Python/NumPy scalar or 0-d array; not bool, text or None), finite
    (NaN too with ``allow_nan``), ≥ ``low`` (> with ``strict``), as float; ValueError
    naming ``name`` otherwise."""
    bound = "" if low is None else f" {'>' if strict else '>='} {low:g}"
    v = real_scalar(value, name, f"a finite real number{bound}")
    if math.isnan(v) and allow_nan:
        return v
    if not math.isfinite(v) or (low is not None and (v <= low if strict else v < low)):
        raise ValueError(f"{name}={value!r} is not allowed; must be a finite real number{bound}")
    return v


def array(
    value: object,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    finite: bool = True,
    min_size: int = 1,
) -> np.ndarray:
    """``value`` as a float64 array; ValueError naming ``name`` for None, text, objects,
    complex numbers, the wrong number of dimensions, fewer than ``min_size`` entries or
    (with ``finite``) NaN/inf."""
    if value is None or isinstance(value, (str, bytes)):
        raise ValueError(f"{name}={value!r} is not allowed; must be a numeric array")
    try:
        a = np.asarray(value)
    except Exception as e:  # noqa: BLE001 - ragged lists and the like
        raise ValueError(f"{name} is not allowed: not an array ({e})") from None
    if a.dtype.kind not in "iuf":
        raise ValueError(f"{name} has dtype {a.dtype}; allowed: real numbers")
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    if ndims is not None and a.ndim not in ndims:
        want = " or ".join(str(d) for d in ndims)
        raise ValueError(f"{name} has shape {a.shape}; allowed: {want} dimension(s)")
    if a.size < min_size:
        raise ValueError(f"{name} has shape {a.shape}; allowed: at least {min_size} entries")
    a = a.astype(np.float64)
    if finite and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} has non-finite entries; allowed: finite values only")
    return a
