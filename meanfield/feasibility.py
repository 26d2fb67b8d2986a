"""Where the mean-field theory has a solution: the feasibility mask (THEORY §2).

:func:`feasible` combines the fixed-point conditions of :mod:`meanfield.fixed_point`
(λ₊ > λ_min, ρ ≤ 1) with, when λ₋ is given, the stability conditions of
:mod:`meanfield.fluctuations`; it lives apart from both so that neither imports the other
back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .fixed_point import _bulk_correlation, _bulk_g, _correlation_checked, _require_isolated
from .fluctuations import _bulk_covariance, _covariance_checked
from .nonlinearities import NonlinearitySpec, get_nonlinearity

__all__ = ["feasible"]


def feasible(
    lambda_plus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike = 1.0,
    out_scale: str = "large",
    nonlinearity: NonlinearitySpec = "erf",
    *,
    lambda_minus: ArrayLike | None = None,
    theta_minus: ArrayLike | None = None,
    dt: float | None = None,
    g: ArrayLike = 0.0,
    hermite_orders: int | None = None,
) -> NDArray[np.bool_]:
    """Boolean mask of the parameter points where the theory has a solution.

    True where the inputs are finite and in range, a fixed point exists
    (λ₊ > λ_min), and ρ = ẑ/(s√N‖κ̄‖) ≤ 1. With ``lambda_minus`` (and
    optionally ``theta_minus``) it also requires the fixed point to be stable
    (every eigenvalue of A with negative real part), i.e. exactly the
    entries where :func:`meanfield.latent_covariance` is finite.
    ``dt`` and ``hermite_orders`` as in :func:`meanfield.latent_covariance` (the Hermite
    quadrature route of tanh and callables also needs σ²/(1 − dt/2) ≤ 50). ``g`` > 0: with a random bulk (THEORY §7),
    the entries where :func:`meanfield.correlation` (or, with ``lambda_minus``,
    :func:`meanfield.latent_covariance`) with that ``g`` is finite.
    Never raises for values (always an array, even for scalars).
    **Accuracy** exact as a mask: True exactly where the corresponding call returns a finite
    value (hypothesis over the whole domain, tests/meanfield/test_accuracy_contract.py).
    """
    dt = _checks.check_dt(dt)
    if _bulk_g(g, dt):
        return _bulk_feasible(
            lambda_plus, sigma, N, z_target, out_scale, nonlinearity, lambda_minus, theta_minus, g
        )
    if lambda_minus is not None:
        values = dict(
            lambda_plus=lambda_plus,
            lambda_minus=lambda_minus,
            sigma=sigma,
            N=N,
            z_target=z_target,
        )
        if theta_minus is not None:
            values["theta_minus"] = theta_minus
        arrays = _checks.as_float64(**values)
        valid = _checks.Validity(False, arrays[0].shape)
        lam5, lam_m5, sig5, n5, zt5 = arrays[:5]
        _covariance_checked(
            valid,
            lam5,
            lam_m5,
            sig5,
            n5,
            zt5,
            out_scale,
            arrays[5] if theta_minus is not None else None,
            get_nonlinearity(nonlinearity),
            dt,
            _checks.check_hermite_orders(hermite_orders),
        )
        return valid.mask
    nl = get_nonlinearity(nonlinearity)
    _require_isolated(nl)
    _checks.check_choice("out_scale", out_scale, _checks.OUT_SCALES)
    lam, sig, n, zt = _checks.as_float64(
        lambda_plus=lambda_plus, sigma=sigma, N=N, z_target=z_target
    )
    valid = _checks.Validity(False, lam.shape)
    _correlation_checked(valid, lam, sig, n, zt, out_scale, nl, dt)
    return valid.mask


def _bulk_feasible(
    lambda_plus: ArrayLike,
    sigma: ArrayLike,
    N: ArrayLike,
    z_target: ArrayLike,
    out_scale: str,
    nonlinearity: NonlinearitySpec,
    lambda_minus: ArrayLike | None,
    theta_minus: ArrayLike | None,
    g: ArrayLike,
) -> NDArray[np.bool_]:
    """The g > 0 mask: array-mode calls (never raising for values) of the bulk routes."""
    one: list[Any] = [
        np.atleast_1d(np.asarray(v, dtype=float)) if v is not None else None
        for v in (lambda_plus, sigma, N, z_target, g, lambda_minus, theta_minus)
    ]
    lam, sig, n, zt, gg, lam_m, theta = one
    with _checks._errors_mode("nan"):
        if lam_m is None:
            valid, rho, _ = _bulk_correlation(lam, sig, n, zt, out_scale, nonlinearity, gg)
            mask = valid.mask & np.isfinite(rho)
        else:
            sig_mat, _, valid = _bulk_covariance(
                lam, lam_m, sig, n, zt, out_scale, theta, nonlinearity, gg, None, "adiabatic"
            )
            mask = valid.mask & np.isfinite(sig_mat).all(axis=(-1, -2))
    shape = np.broadcast_shapes(
        *(
            np.shape(v)
            for v in (lambda_plus, sigma, N, z_target, g, lambda_minus, theta_minus)
            if v is not None
        )
    )
    return mask.reshape(shape)
