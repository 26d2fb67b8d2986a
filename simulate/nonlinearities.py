"""Single-neuron nonlinearities φ by name (THEORY.md §1, §2).

The names are the same as ``meanfield.NONLINEARITIES`` so that a configuration
string means the same function in theory and simulation.

* ``"erf"``:    φ(x) = erf(α x), α = √π/2, so that φ'(0) = 1 (THEORY §2 reference).
* ``"tanh"``:   φ(x) = tanh(x).
* ``"relu"``:   φ(x) = max(x, 0).
* ``"linear"``: φ(x) = x.
"""

from __future__ import annotations

import math
from typing import Callable

import jax.numpy as jnp
import jax.scipy.special as jsp
from jaxtyping import Array

__all__ = ["NONLINEARITIES", "ERF_ALPHA", "get_nonlinearity", "check_nonlinearity"]

#: Slope factor of the reference nonlinearity φ(x) = erf(α x); α = √π/2 gives φ'(0) = 1.
ERF_ALPHA: float = math.sqrt(math.pi) / 2.0


def _erf(x: Array) -> Array:
    return jsp.erf(ERF_ALPHA * x)


def _relu(x: Array) -> Array:
    return jnp.maximum(x, 0)


def _linear(x: Array) -> Array:
    return x


_FUNCTIONS: dict[str, Callable[[Array], Array]] = {
    "erf": _erf,
    "tanh": jnp.tanh,
    "relu": _relu,
    "linear": _linear,
}

#: Allowed nonlinearity names (same order and spelling as ``meanfield.NONLINEARITIES``).
NONLINEARITIES: tuple[str, ...] = tuple(_FUNCTIONS)


def check_nonlinearity(name: str) -> str:
    """Return ``name`` if it names a nonlinearity, else raise ``ValueError`` listing the names."""
    if not isinstance(name, str) or name not in _FUNCTIONS:
        raise ValueError(
            f"nonlinearity={name!r} is not known; allowed values are {', '.join(NONLINEARITIES)}"
        )
    return name


def get_nonlinearity(name: str) -> Callable[[Array], Array]:
    """The elementwise function φ called ``name`` (one of :data:`NONLINEARITIES`).

    **Arguments**
      name: ``"erf"``, ``"tanh"``, ``"relu"`` or ``"linear"``.

    **Returns**
      A function mapping an array to an array of the same shape and dtype.

    >>> get_nonlinearity("linear")(jnp.ones(3)).shape
    (3,)
    """
    return _FUNCTIONS[check_nonlinearity(name)]
