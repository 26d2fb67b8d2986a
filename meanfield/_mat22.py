"""Batched 2×2 matrix algebra written out entry by entry (private).

NumPy's ``@`` and ``linalg.solve`` on stacks of 2×2 matrices pay a per-matrix overhead, and even
elementwise work on (…, 2, 2) arrays walks strided memory; at 10⁶ matrices that dominates. Here a
2×2 matrix is a tuple of its four entries (a, b, c, d) = [[a, b], [c, d]], each an array over the
batch, so every operation is a few contiguous elementwise products. Complex-safe (complex steps
pass through). :func:`split` and :func:`join` convert from and to (…, 2, 2) arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["combine", "det", "inv", "join", "lyapunov", "mul", "split", "transpose"]

#: A 2×2 matrix by its entries (a, b, c, d) = [[a, b], [c, d]], each broadcastable
Mat = tuple[Any, Any, Any, Any]


def split(X: Any) -> Mat:
    """(…, 2, 2) array → its four entries (contiguous copies)."""
    X = np.asarray(X)
    # np.array copies into C order and keeps 0-d entries 0-d (ascontiguousarray makes them 1-d)
    return tuple(np.array(X[..., i, j]) for i in (0, 1) for j in (0, 1))  # type: ignore[return-value]


def join(X: Mat) -> NDArray:
    """Four entries → the (…, 2, 2) array."""
    a, b, c, d = np.broadcast_arrays(*X)
    return np.stack([np.stack([a, b], -1), np.stack([c, d], -1)], -2)


def mul(X: Mat, Y: Mat) -> Mat:
    """X Y."""
    a, b, c, d = X
    e, f, g, h = Y
    return (a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h)


def transpose(X: Mat) -> Mat:
    """Xᵀ."""
    return (X[0], X[2], X[1], X[3])


def det(X: Mat) -> Any:
    """det X."""
    return X[0] * X[3] - X[1] * X[2]


def combine(p: Any, X: Mat, o: Any, Z: Mat) -> Mat:
    """p·X + o·Z for scalar arrays p, o."""
    return (p * X[0] + o * Z[0], p * X[1] + o * Z[1], p * X[2] + o * Z[2], p * X[3] + o * Z[3])


def inv(X: Mat) -> Mat:
    """X⁻¹ = adj(X)/det(X); inf/NaN where det X = 0."""
    a, b, c, d = X
    with np.errstate(divide="ignore", invalid="ignore"):
        r = 1.0 / det(X)
    return (d * r, -b * r, -c * r, a * r)


def lyapunov(A: Mat, Q: Mat) -> Mat:
    """X solving A X + X Aᵀ + Q = 0: X = −[det(A) Q + B Q Bᵀ]/(2 tr(A) det(A)), B = A − tr(A) I
    (:func:`meanfield.lyapunov.lyapunov_2x2` states the formula, its derivation and accuracy)."""
    a, b, c, d = A
    tr = a + d
    dA = det(A)
    B = (-d, b, c, -a)  # A − tr(A) I
    BQBt = mul(mul(B, Q), transpose(B))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = -1.0 / (2.0 * tr * dA)
    q0, q1, q2, q3 = ((dA * q + s) * r for q, s in zip(Q, BQBt, strict=True))
    return (q0, q1, q2, q3)
