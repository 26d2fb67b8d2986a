"""Argument validation shared by the numeric mean-field functions.

Convention (used by every public function of :mod:`meanfield`):

* A **scalar call** (every numeric argument is a Python number or a 0-d array)
  with a value outside its allowed range raises :class:`ValueError` whose
  message names the parameter, its value and the allowed range
  (template :data:`INVALID`).
* An **array call** (at least one numeric argument has ``ndim >= 1``) never
  raises for out-of-range *values*: the result is NaN exactly at the
  infeasible entries and finite elsewhere; ``meanfield.feasible`` returns the
  mask. Nothing is clipped.
  :func:`errors` changes this for a block of code: ``"raise"`` raises the scalar
  call's ValueError for the first infeasible entry (and says how many there are),
  ``"warn"`` returns the NaNs and issues a RuntimeWarning naming the first one.
* A bad *choice* (unknown ``out_scale`` or ``nonlinearity``) is not a value
  and always raises.
* A bad *type* — a bool, a string, None, a complex or object array where a real number
  is expected — raises :class:`TypeError` naming the parameter (``N=True`` is not N=1,
  ``N="256"`` is not 256).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: The one error-message template of the package.
INVALID = "{name}={value} is out of range: {name} must be {allowed}{detail}"

#: Output-weight scales (THEORY §1) and the readout factor s of each.
OUT_SCALES: tuple[str, ...] = ("large", "small")


#: What array calls do with infeasible entries (see :func:`errors`).
ERROR_MODES: tuple[str, ...] = ("nan", "raise", "warn")
_ERROR_MODE: contextvars.ContextVar[str] = contextvars.ContextVar("meanfield_errors", default="nan")


@contextlib.contextmanager
def errors(mode: str) -> Iterator[None]:
    """Within the block, array calls of every meanfield function treat infeasible entries
    as ``mode`` says: ``"nan"`` (the default: NaN there, nothing raised), ``"raise"``
    (the scalar call's ValueError for the first infeasible entry, with the count) or
    ``"warn"`` (NaN there and a RuntimeWarning naming the first one). Thread- and
    async-safe (a context variable)::

        with meanfield.errors("raise"):
            meanfield.loss_var(lam_grid, -5.0, 1.0, 256)
    """
    check_choice("mode", mode, ERROR_MODES)
    token = _ERROR_MODE.set(mode)
    try:
        yield
    finally:
        _ERROR_MODE.reset(token)


_errors_mode = errors  # (the name ``errors`` is the keyword inside errors_option)


def errors_option(fn: Any) -> Any:
    """Give a public function an ``errors=`` keyword (None: the current mode, else one of
    :data:`ERROR_MODES`, applied to this call as :func:`errors` would)."""
    sig = inspect.signature(fn)
    param = inspect.Parameter("errors", inspect.Parameter.KEYWORD_ONLY, default=None)

    @functools.wraps(fn)
    def wrapper(*args: Any, errors: str | None = None, **kwargs: Any) -> Any:
        if errors is None:
            return fn(*args, **kwargs)
        with _errors_mode(errors):
            return fn(*args, **kwargs)

    params = list(sig.parameters.values())
    kw = [i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD]
    params.insert(kw[0] if kw else len(params), param)
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__doc__ = (fn.__doc__ or "") + (
        '\n\n    ``errors``: ``"nan"`` | ``"raise"`` | ``"warn"`` for the infeasible '
        "entries of an array call (default: the current :func:`meanfield.errors` mode, "
        '``"nan"``).\n'
    )
    return wrapper


def format_value(value: Any) -> str:
    """Short, exact-enough text for a scalar value in an error message."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return repr(int(value))
    arr = np.asarray(value)
    if arr.ndim == 0 and np.issubdtype(arr.dtype, np.complexfloating):
        return repr(complex(arr))
    if arr.ndim == 0 and np.issubdtype(arr.dtype, np.number):
        return repr(float(arr.real))
    return repr(value)


def invalid(name: str, value: Any, allowed: str, detail: str = "") -> ValueError:
    """Build the package's ValueError for ``name=value`` outside ``allowed``."""
    detail = f" ({detail})" if detail else ""
    return ValueError(
        INVALID.format(name=name, value=format_value(value), allowed=allowed, detail=detail)
    )


def _unwrap_0d(value: Any) -> Any:
    """The numpy scalar inside a 0-d array (a 0-d array is a number); anything else as is."""
    return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value


def check_dt(dt: Any) -> float | None:
    """``None`` (continuous time) or the Euler step as a float in (0, 2).

    0 < dt < 2 is where one isolated unit, x' = (1 − dt)x + noise, has a stationary state.
    """
    if dt is None:
        return None
    dt = _unwrap_0d(dt)  # Any: a number of any kind, checked below
    value: Any = dt
    if (
        isinstance(dt, (bool, np.bool_))
        or not np.isscalar(dt)
        or isinstance(dt, (str, bytes))
        or np.iscomplexobj(dt)
        or not np.isfinite(dt)
        or not 0 < value < 2
    ):
        raise invalid(
            "dt",
            dt,
            "None (continuous time) or a number in (0, 2)",
            "the Euler map of one unit needs |1 − dt| < 1",
        )
    return float(value)


#: largest |λ₊| accepted: λ₊² (and λ₊⁴ in the variance) must stay finite in float64
MAX_LAMBDA = 1e100

#: highest Hermite order accepted by ``hermite_orders=`` (He_n of higher order lose digits)
MAX_HERMITE_ORDER = 16


def check_hermite_orders(orders: Any) -> int | None:
    """``None`` or an int in [1, MAX_HERMITE_ORDER] (meanfield.hermite_noise)."""
    if orders is None:
        return None
    orders = _unwrap_0d(orders)
    if (
        isinstance(orders, bool)
        or not isinstance(orders, (int, np.integer))
        or not (1 <= orders <= MAX_HERMITE_ORDER)
    ):
        raise invalid("hermite_orders", orders, f"None or an integer in [1, {MAX_HERMITE_ORDER}]")
    return int(orders)


def check_choice(name: str, value: Any, choices: Iterable[str]) -> None:
    """Raise the package ValueError unless ``value`` is one of ``choices``."""
    choices = tuple(choices)
    if not (isinstance(value, str) and value in choices):
        allowed = "one of " + ", ".join(repr(c) for c in choices)
        raise invalid(name, value, allowed)


def out_scale_factor(out_scale: str, n: NDArray[np.float64]) -> NDArray[np.float64]:
    """Readout factor s of THEORY §2: 1 for large, 1/√N for small output weights."""
    check_choice("out_scale", out_scale, OUT_SCALES)
    return np.ones_like(n) if out_scale == "large" else 1.0 / np.sqrt(n)


def is_scalar_call(*values: Any) -> bool:
    """True when every numeric argument is 0-dimensional (see module docstring)."""
    return all(np.ndim(v) == 0 for v in values if v is not None)


def check_real(**values: Any) -> None:
    """TypeError naming the first value that is not a real number or array of them (a
    bool, text, None, a complex number, an object array)."""
    for name, value in values.items():
        kind = "U" if isinstance(value, (str, bytes)) else np.asarray(value).dtype.kind
        if kind not in "iuf":  # b(ool), U/S (text), O(bject: None, mixed), c(omplex), M/m
            of = "" if np.ndim(value) == 0 else f" of {np.asarray(value).dtype.name}"
            shown = repr(value) if len(repr(value)) <= 40 else f"<{type(value).__name__}>"
            raise TypeError(
                f"{name}={shown} has type {type(value).__name__}{of}; {name} "
                "must be a real number or array of real numbers"
            )


def as_float64(**values: ArrayLike) -> list[NDArray[np.float64]]:
    """Convert keyword arguments to broadcast float64 arrays (same order).

    Raises TypeError (:func:`check_real`) for something that is not a real number.
    """
    check_real(**values)
    out = []
    for name, value in values.items():
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise invalid(name, value, "a real number or array of real numbers") from None
        out.append(arr)
    return list(np.broadcast_arrays(*out)) if out else out


class Validity:
    """Accumulates the feasibility mask of a call, or raises in a scalar call.

    ``require(ok, name, value, allowed)``: in a scalar call, raise the package
    ValueError when ``ok`` is False; in an array call, AND it into :attr:`mask`.
    ``finish(result)`` puts NaN at the infeasible entries and turns a scalar
    call's 0-d result into a ``float``.
    """

    def __init__(self, scalar: bool, shape: tuple[int, ...]) -> None:
        self.scalar = scalar
        self.mask = np.ones(shape, dtype=bool)
        self._first: ValueError | None = None  # the scalar error of the first bad entry

    def require(self, ok: ArrayLike, name: str, value: Any, allowed: str, detail: str = "") -> None:
        ok = np.asarray(ok, dtype=bool)
        if self.scalar:
            if not bool(ok.all()):
                raise invalid(name, value, allowed, detail)
        else:
            ok = np.broadcast_to(ok, self.mask.shape)
            if self._first is None and not bool((ok | ~self.mask).all()):
                idx = np.unravel_index(int(np.argmax(~ok & self.mask)), self.mask.shape)
                v = np.asarray(value)
                try:
                    v = np.broadcast_to(v, self.mask.shape)[idx]
                except ValueError:  # a value of another shape: name it whole
                    pass
                self._first = invalid(name, v, allowed, detail)
            self.mask = self.mask & ok

    def finite(self, **values: NDArray[np.float64]) -> None:
        """Require each value to be finite."""
        for name, value in values.items():
            self.require(np.isfinite(value), name, value, "finite")

    def finish(self, result: NDArray, trailing: int = 0) -> Any:
        """Mask infeasible entries with NaN; scalar calls return float(s).

        ``trailing`` is the number of trailing result axes that are not batch
        axes (2 for a (..., 2, 2) covariance).
        """
        result = np.asarray(result, dtype=np.float64)
        if not self.scalar and self._first is not None:
            mode = _ERROR_MODE.get()
            n_bad = int((~self.mask).sum())
            count = f"{n_bad} of {self.mask.size} entries infeasible"
            if mode == "raise":
                raise ValueError(f"{self._first} [{count}; the first is named]")
            if mode == "warn":
                warnings.warn(
                    f"infeasible entries are NaN [{count}; first: {self._first}]",
                    RuntimeWarning,
                    stacklevel=3,
                )
        mask = self.mask.reshape(self.mask.shape + (1,) * trailing)
        result = np.where(mask, result, np.nan)
        if self.scalar and trailing == 0:
            return float(result)
        return result
