"""Single-neuron nonlinearities φ by name (THEORY.md §1, §2).

The names are the same as ``meanfield.NONLINEARITIES`` so that a configuration
string means the same function in theory and simulation.

* ``"erf"``:    φ(x) = erf(α x), α = √π/2, so that φ'(0) = 1 (THEORY §2 reference).
* ``"tanh"``:   φ(x) = tanh(x).
* ``"relu"``:   φ(x) = max(x, 0).
* ``"linear"``: φ(x) = x.
* ``"leaky_relu"``: φ_θ(x) = x for x ≥ 0, tan(θ)·x for x < 0 (seed 003, Fig. 5): the angle θ
  of the negative branch with the x-axis (radians, 0 ≤ θ < π/2, ``leak_angle``) interpolates
  from relu (θ = 0) to linear (θ = π/4). Simulation only: like relu and linear it is
  piecewise linear, so the mean-field fixed point of THEORY §2 is degenerate
  (⟨φ'⟩ = (1 + tan θ)/2 for every Δ), and ``meanfield`` does not list it.

The first four names are ``meanfield.NONLINEARITIES``; :data:`NONLINEARITIES` adds
``"leaky_relu"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax.numpy as jnp
import jax.scipy.special as jsp
from jaxtyping import Array

__all__ = [
    "NONLINEARITIES",
    "ERF_ALPHA",
    "check_leak_angle",
    "check_nonlinearity",
    "get_nonlinearity",
    "leaky_relu",
]

#: Slope factor of the reference nonlinearity φ(x) = erf(α x); α = √π/2 gives φ'(0) = 1.
ERF_ALPHA: float = math.sqrt(math.pi) / 2.0


def _erf(x: Array) -> Array:
    return jsp.erf(ERF_ALPHA * x)


def _relu(x: Array) -> Array:
    return jnp.maximum(x, 0)


def _linear(x: Array) -> Array:
    return x


def leaky_relu(x: Array, leak_angle: float = 0.0) -> Array:
    """φ_θ(x) = x for x ≥ 0 and tan(θ)·x for x < 0, θ = ``leak_angle`` (seed 003, Fig. 5).

    θ = 0 is relu, θ = π/4 the identity. ``x``: any shape; returns the same shape.
    """
    return jnp.where(x >= 0, x, math.tan(check_leak_angle(leak_angle)) * x)


def check_leak_angle(leak_angle: float) -> float:
    """Return θ as a float if 0 ≤ θ < π/2, else raise ``ValueError`` naming the range."""
    ok = isinstance(leak_angle, (int, float)) and not isinstance(leak_angle, bool)
    if not ok or not math.isfinite(leak_angle) or not 0.0 <= leak_angle < math.pi / 2:
        raise ValueError(
            f"leak_angle={leak_angle!r} is not allowed; the angle of leaky_relu's negative "
            "branch must be in [0, pi/2) radians (0: relu, pi/4: linear)"
        )
    return float(leak_angle)


_FUNCTIONS: dict[str, Callable[[Array], Array]] = {
    "erf": _erf,
    "tanh": jnp.tanh,
    "relu": _relu,
    "linear": _linear,
    "leaky_relu": leaky_relu,
}

#: Allowed nonlinearity names: ``meanfield.NONLINEARITIES`` (same order and spelling), then
#: the simulation-only ``"leaky_relu"``.
NONLINEARITIES: tuple[str, ...] = tuple(_FUNCTIONS)


def check_nonlinearity(name: str) -> str:
    """Return ``name`` if it names a nonlinearity, else raise ``ValueError`` listing the names."""
    if not isinstance(name, str) or name not in _FUNCTIONS:
        raise ValueError(
            f"nonlinearity={name!r} is not known; allowed values are {', '.join(NONLINEARITIES)}"
        )
    return name


def get_nonlinearity(name: str, leak_angle: float = 0.0) -> Callable[[Array], Array]:
    """The elementwise function φ called ``name`` (one of :data:`NONLINEARITIES`).

    **Arguments**
      name: ``"erf"``, ``"tanh"``, ``"relu"``, ``"linear"`` or ``"leaky_relu"``.
      leak_angle: θ of ``"leaky_relu"`` in radians, 0 ≤ θ < π/2; must be 0 for the others.

    **Returns**
      A function mapping an array to an array of the same shape and dtype.

    >>> get_nonlinearity("linear")(jnp.ones(3)).shape
    (3,)
    """
    check_nonlinearity(name)
    if name == "leaky_relu":
        theta = check_leak_angle(leak_angle)
        return lambda x: leaky_relu(x, theta)
    if leak_angle != 0.0:
        raise ValueError(
            f"leak_angle={leak_angle!r} is not allowed for nonlinearity={name!r}; "
            "only 'leaky_relu' has an angle (allowed here: 0)"
        )
    return _FUNCTIONS[name]
