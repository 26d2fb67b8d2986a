"""Figures that cannot be drawn never kill a report.

A report section draws its figures through one :class:`Figures` collector: a figure function
that raises (a degenerate distance matrix, an empty result, …) is skipped, and the section's
text gets one line ``figure skipped: <file>: <reason>`` instead. The section's rows, tables,
summary and verdict are computed before and do not depend on the figures, so a skipped figure
never changes the exit status.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.checks import first_line

__all__ = ["Figures"]


class Figures:
    """Collects the PNG paths of a report section; records the figures it had to skip.

    ``draw(fn, *args, **kwargs)`` calls ``fn`` (a :mod:`validate.figures` function returning a
    path or a list of paths) and keeps what it returns; if ``fn`` raises, nothing is kept and
    a note naming the figure (its path argument, else the function) and the error is recorded.
    """

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.skipped: list[str] = []

    def draw(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            out = fn(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - any drawing failure is reported, not raised
            name = next(
                (Path(a).name for a in args if isinstance(a, (str, Path))),
                getattr(fn, "__name__", "figure"),
            )
            self.skipped.append(f"figure skipped: {name}: {first_line(err)}")
            return
        self.paths.extend(out if isinstance(out, list) else [out])

    def note(self) -> str:
        """``""``, or the skipped-figure lines as a paragraph to append to the section text."""
        return "\n\n" + "\n".join(self.skipped) if self.skipped else ""
