"""Batched closed-form solver of the 2×2 continuous Lyapunov equation.

For a 2×2 matrix A with tr A ≠ 0 and det A ≠ 0, and symmetric Q,

    X = −[det(A) Q + (A − tr(A) I) Q (A − tr(A) I)ᵀ] / (2 tr(A) det(A))

solves A X + X Aᵀ + Q = 0 (checked symbolically with sympy and numerically
against ``scipy.linalg.solve_continuous_lyapunov`` in
``tests/meanfield/test_fluctuations.py``). Note A − tr(A) I = −adj(A). The solution is
the stationary covariance of dy = A y dt + noise with covariance rate Q when
A is stable (tr A < 0 < det A). Used for Σ_A in THEORY §2.

Pure numpy arithmetic on the last two axes: batched over any leading axes,
no Python loop, and complex-safe (complex-step derivatives pass through).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks, _mat22


def _matrices_2x2(name: str, value: ArrayLike) -> NDArray:
    """``value`` as an array of 2×2 matrices (..., 2, 2), real or complex (complex steps);
    ValueError naming ``name`` for None, text or another shape (cheap: no scan of values)."""
    if value is None or isinstance(value, (str, bytes)):
        raise _checks.invalid(name, value, "an array of 2×2 matrices (..., 2, 2)")
    a = np.asarray(value)
    if a.dtype.kind not in "iufc" or a.ndim < 2 or a.shape[-2:] != (2, 2):
        raise _checks.invalid(
            name,
            f"array of shape {a.shape} and dtype {a.dtype}",
            "an array of 2×2 matrices (..., 2, 2)",
        )
    return a


def is_stable_2x2(A: ArrayLike) -> NDArray[np.bool_]:
    """True where every eigenvalue of the real 2×2 A has negative real part.

    For 2×2 real A: stable ⇔ tr A < 0 and det A > 0. Shape: A (..., 2, 2) → (...).
    """
    A = np.real(np.asarray(A))
    tr = A[..., 0, 0] + A[..., 1, 1]
    det = A[..., 0, 0] * A[..., 1, 1] - A[..., 0, 1] * A[..., 1, 0]
    return (tr < 0) & (det > 0)


def is_stable_map_2x2(A: ArrayLike, dt: float) -> NDArray[np.bool_]:
    """True where the Euler map B = I + dt·A of the real 2×2 A is a contraction in spectrum.

    Jury's conditions for a real 2×2 B: |det B| < 1 and |tr B| < 1 + det B
    (every eigenvalue of B strictly inside the unit circle). Shape: (..., 2, 2) → (...).
    Written in tr A and det A (det B = 1 + dt·tr A + dt²·det A, tr B = 2 + dt·tr A) so that
    nothing cancels as dt → 0: det A > 0, tr A + dt·det A < 0, dt·(tr A + dt·det A) > −2 and
    4 + 2dt·tr A + dt²·det A > 0. (Forming B first lost dt²·det A to rounding for dt ≲ 1e-8
    and refused valid steps.)
    """
    A = np.real(np.asarray(A))
    tr = A[..., 0, 0] + A[..., 1, 1]
    det = A[..., 0, 0] * A[..., 1, 1] - A[..., 0, 1] * A[..., 1, 0]
    s = tr + dt * det
    return (det > 0) & (s < 0) & (dt * s > -2) & (4 + 2 * dt * tr + dt * dt * det > 0)


def stein_2x2(A: ArrayLike, d: ArrayLike, dt: float) -> NDArray:
    """Solve Σ = BΣBᵀ + d·dt·I, B = I + dt·A, batched (the Euler map's Lyapunov equation).

    The formula is the sympy derivation's (``_generated.stein_2x2``, :mod:`meanfield.symbolic.euler`);
    as dt → 0 it tends to :func:`lyapunov_2x2` with Q = d·I.

    **Arguments** A: (..., 2, 2); d: noise covariance rate per latent axis (2σ² in THEORY §2),
    broadcast against A's leading axes; dt: Euler step.
    **Returns** Σ of shape (..., 2, 2).
    **Accuracy** 1e-12 relative to ‖Σ‖ against 40-digit mpmath for dt from 1e-8 to 1 and
    eigenvalue scales 1e-2 … 1e2 (measured worst 1.4e-13; tests/meanfield/test_accuracy_contract.py).
    """
    from . import _generated

    A = _matrices_2x2("A", A)
    _checks.check_real(d=d)
    dt_checked = _checks.check_dt(dt)
    if dt_checked is None:
        raise _checks.invalid("dt", dt, "an Euler step in (0, 2)")
    dt = dt_checked
    s11, s12, s22 = _generated.stein_2x2(
        A[..., 0, 0], A[..., 0, 1], A[..., 1, 0], A[..., 1, 1], d, dt
    )
    return np.stack([np.stack([s11, s12], -1), np.stack([s12, s22], -1)], -2)


def lyapunov_2x2(A: ArrayLike, Q: ArrayLike) -> NDArray:
    """Solve A X + X Aᵀ + Q = 0 for X, batched over leading axes.

    **Arguments**
    - A: (..., 2, 2) matrices (stable for X to be a covariance).
    - Q: (..., 2, 2) symmetric matrices, broadcast against A.

    **Returns** X with the broadcast shape (..., 2, 2). Entries are inf/NaN
    where tr A = 0 or det A = 0 (no unique solution).

    Example: ``lyapunov_2x2(-np.eye(2), 2 * np.eye(2))`` → identity.

    **Accuracy** backward error ‖AX + XAᵀ + Q‖ ≤ 1e-13(2‖A‖‖X‖ + ‖Q‖) for stable A over six
    decades of eigenvalue scale, non-normal or rotating; forward error ≤ 1e-11 relative to ‖X‖
    against 40-digit mpmath where cond(A) ≤ 1e6, growing with cond(A) beyond (5e-10 measured at
    1e11) — tests/meanfield/test_accuracy_contract.py.
    """
    A = _matrices_2x2("A", A)
    Q = _matrices_2x2("Q", Q)
    return _mat22.join(_mat22.lyapunov(_mat22.split(A), _mat22.split(Q)))
