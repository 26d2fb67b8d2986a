"""Shared matplotlib defaults for the validation figures (publication-quality, readable at column width)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from meanfield.plots import STYLE as _BASE_STYLE

__all__ = ["STYLE", "figure", "save"]

#: rcParams used by every figure of ``validate``: the package style of :mod:`meanfield.plots`
#: plus screen/saving defaults.
STYLE: dict[str, Any] = {
    **_BASE_STYLE,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


def figure(
    nrows: int = 1, ncols: int = 1, *, width: float = 7.0, height: float = 2.6, **kw: Any
) -> tuple[Any, Any]:
    """``plt.subplots`` with :data:`STYLE` applied; returns (fig, axes array)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(cast(Any, STYLE))  # rc keys are Literal-typed
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows), squeeze=False, **kw)
    return fig, axes


def save(fig: Any, path: str | Path) -> Path:
    """Save ``fig`` to ``path`` (parents created) and close it; returns the path."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
