"""What every experiment command shares: the size flags and the mode they select."""

from __future__ import annotations

import argparse
from typing import Any


def add_size_flags(parser: Any, full_help: str) -> None:
    """``--full`` (paper scale) and the hidden ``--quick-tiny`` (smoke tests), exclusive."""
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help=full_help)
    size.add_argument("--quick-tiny", action="store_true", help=argparse.SUPPRESS)


def mode_of(args: argparse.Namespace) -> str:
    """``"full"``, ``"tiny"`` or ``"quick"`` from the size flags."""
    return "full" if args.full else "tiny" if args.quick_tiny else "quick"
