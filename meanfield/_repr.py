"""Concise ``repr`` for result objects: shapes and headline numbers, never full arrays.

``concise_repr(obj)`` works for NamedTuples and dataclasses: each field is shown as its
value when it is a scalar, short string or a sequence of at most four numbers, and as
``<dtype[shape] min…max>`` when it is a larger array (NaNs counted). Classes opt in with
``def __repr__(self): return concise_repr(self)``; ``validate`` uses the same function for its result types.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

__all__ = ["concise_repr", "short_value"]

_MAX_ITEMS = 4
_MAX_TEXT = 60


def short_value(value: Any) -> str:
    """One value in a few characters (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, float, np.generic)):
        return f"{value:.4g}" if isinstance(value, (float, np.floating)) else repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= _MAX_TEXT else value[: _MAX_TEXT - 1] + "…")
    if _is_record(value):
        return concise_repr(value)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        a = np.asarray(value)
        if a.ndim == 0:
            return short_value(a.item())
        shape = "×".join(str(n) for n in a.shape)
        text = f"<{a.dtype}[{shape}]"
        if a.size and a.dtype.kind in "iuf":
            finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
            if finite.size:
                text += f" {finite.min():.4g}…{finite.max():.4g}"
            if finite.size < a.size:
                text += f", {a.size - finite.size} non-finite"
        return text + ">"
    if isinstance(value, (list, tuple)):
        if len(value) <= _MAX_ITEMS and all(isinstance(v, (int, float, np.number)) for v in value):
            return repr(type(value)(short_value(v) for v in value)).replace("'", "")
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, dict):
        keys = list(value)[:_MAX_ITEMS]
        more = ", …" if len(value) > _MAX_ITEMS else ""
        return "{" + ", ".join(f"{k!r}: {short_value(value[k])}" for k in keys) + more + "}"
    text = repr(value)
    return text if len(text) <= _MAX_TEXT else f"<{type(value).__name__}>"


def _is_record(obj: Any) -> bool:
    return (isinstance(obj, tuple) and hasattr(obj, "_fields")) or (
        dataclasses.is_dataclass(obj) and not isinstance(obj, type)
    )


def concise_repr(obj: Any) -> str:
    """``Name(field=short, …)`` of a NamedTuple or dataclass instance."""
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        items = [(f, getattr(obj, f)) for f in obj._fields]
    else:
        items = [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.repr]
    return f"{type(obj).__name__}(" + ", ".join(f"{k}={short_value(v)}" for k, v in items) + ")"
