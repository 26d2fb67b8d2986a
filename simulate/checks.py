"""Argument checks shared by simulate's public functions (one-line errors naming the argument).

Numbers are accepted as Python or NumPy scalars and 0-d arrays (a sweep hands out
``np.int64``); bool, text and None are not numbers; every error is a ``ValueError`` of the form
``name=value is not allowed; ...``. JAX tracers pass through unchecked (their values are only
known at run time). Imports only numpy and jax's core types.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["array", "integer", "is_tracer", "prng_key", "real"]


def is_tracer(value: object) -> bool:
    """True for a JAX tracer (a value inside jit/grad/vmap, not known yet)."""
    import jax

    return isinstance(value, jax.core.Tracer)


def _scalar(value: object, name: str, allowed: str) -> np.ndarray:
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be {allowed}")
    try:
        a = np.asarray(value)
    except Exception:  # noqa: BLE001 - objects numpy cannot read
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be {allowed}") from None
    if a.ndim != 0 or a.dtype.kind not in "iuf":
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be {allowed}")
    return a


def integer(value: object, name: str, low: int, high: int | None = None) -> int:
    """An integer ≥ ``low`` (≤ ``high``) as a Python int."""
    allowed = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
    a = _scalar(value, name, allowed)
    if a.dtype.kind not in "iu" or int(a) < low or (high is not None and int(a) > high):
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be {allowed}")
    return int(a)


def real(value: Any, name: str, *, low: float | None = None, strict: bool = False) -> Any:
    """A finite real number ≥ ``low`` (> with ``strict``) as float; a tracer is returned as is."""
    if is_tracer(value):
        return value
    bound = "" if low is None else f" and {'>' if strict else '>='} {low:g}"
    v = float(_scalar(value, name, f"a finite real number{bound}"))
    if not math.isfinite(v) or (low is not None and (v <= low if strict else v < low)):
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be finite{bound}")
    return v


def array(value: Any, name: str) -> Any:
    """A numeric array (NumPy or JAX; a tracer passes): None, text and non-numeric objects
    are refused by name."""
    if (
        is_tracer(value)
        or hasattr(value, "dtype")
        and getattr(value, "ndim", None) is not None
        and np.dtype(value.dtype).kind in "biufc"
    ):
        return value
    if value is None or isinstance(value, (str, bytes)):
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be a numeric array")
    a = np.asarray(value)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{name} has dtype {a.dtype}; allowed: a numeric array")
    return a


def prng_key(value: Any, name: str) -> None:
    """Refuse anything but one JAX PRNG key: a typed key of shape () (``jax.random.key``) or a
    legacy ``uint32[2]`` key (``jax.random.PRNGKey``); tracers of those types pass."""
    import jax

    dtype, shape = getattr(value, "dtype", None), getattr(value, "shape", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        ok = shape == ()
    else:
        ok = dtype == np.uint32 and shape == (2,)
    if not ok:
        shown = repr(value) if dtype is None else f"an array of dtype {dtype} and shape {shape}"
        raise ValueError(
            f"{name}={shown} is not allowed; allowed: one PRNG key, jax.random.key(seed) "
            "or a uint32[2] jax.random.PRNGKey(seed)"
        )
