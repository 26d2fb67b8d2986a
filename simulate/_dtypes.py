"""Floating-point precision: float32 by default, float64 on request.

JAX silently truncates float64 arrays to float32 unless 64-bit mode is on.
Call :func:`enable_float64` (which runs ``jax.config.update("jax_enable_x64", True)``)
*before* creating any arrays if you want double precision; models built with
``dtype=jnp.float64`` then simulate in float64 throughout (the simulation uses
the dtype of the model's arrays).
"""

from __future__ import annotations

from typing import Any, cast

import jax
import numpy as np

__all__ = ["DTYPES", "enable_float64", "float64_enabled", "resolve_dtype"]

#: Floating dtypes accepted by the model constructors (by name).
DTYPES: tuple[str, ...] = ("float32", "float64")


def enable_float64() -> None:
    """Switch JAX to 64-bit mode (``jax_enable_x64``). Needed for float64 simulations."""
    jax.config.update("jax_enable_x64", True)


def float64_enabled() -> bool:
    """Whether JAX's 64-bit mode is on."""
    return bool(jax.config.read("jax_enable_x64"))


def resolve_dtype(dtype: object) -> np.dtype:
    """Turn ``"float32"``/``"float64"``/``jnp.float32``/``jnp.float64`` into a numpy dtype.

    Raises ``ValueError`` for anything else, and for float64 while JAX's 64-bit
    mode is off (it would silently become float32).
    """
    try:
        dt = np.dtype(cast(Any, dtype))  # any object: np.dtype raises TypeError if unknown
    except TypeError as err:
        raise ValueError(f"dtype={dtype!r} is not known; allowed values are {DTYPES}") from err
    if dt.name not in DTYPES:
        raise ValueError(f"dtype={dtype!r} is not allowed; allowed values are {DTYPES}")
    if dt == np.float64 and not float64_enabled():
        raise ValueError(
            "dtype=float64 requested but JAX 64-bit mode is off; call "
            "simulate.enable_float64() (jax.config.update('jax_enable_x64', True)) first"
        )
    return dt
