"""Progress lines of the experiment commands (on stderr by default)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["progress_logger"]


def progress_logger(progress: bool, stream: Any) -> Callable[[str], None]:
    """``log(msg)``: print ``msg`` to ``stream`` (flushed) when ``progress`` is on, else nothing
    (the progress lines of every ``oblique`` experiment command)."""

    def log(msg: str) -> None:
        if progress:
            print(msg, file=stream, flush=True)

    return log
