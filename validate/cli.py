"""The ``oblique`` command line.

One entry point with sub-commands. Each package registers its own
sub-commands through a ``register(subparsers, plot_targets)`` function: meanfield and
simulate in their private ``_cli`` modules, validate in one thin module per command
(:mod:`validate.commands`).
Registration must stay cheap: the heavy imports (JAX, sympy derivations)
happen inside the command handlers, never at ``oblique --help`` time.

Sub-commands (as packages land):

* ``oblique predict``            theory numbers (meanfield)
* ``oblique plot theory``        theory figures (meanfield)
* ``oblique train``              train networks (simulate)
* ``oblique validate``           theory vs simulation report (validate)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .commands import COMMAND_MODULES

#: Modules that contribute sub-commands, in the order they appear in ``--help``.
_COMMAND_MODULES = ("meanfield._cli", "simulate._cli", *COMMAND_MODULES)


def build_parser() -> argparse.ArgumentParser:
    """Build the full ``oblique`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="oblique",
        description=(
            "Aligned and oblique dynamics in noisy recurrent networks: "
            "mean-field theory, training, and validation."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # ``plot`` is shared: each package adds its own ``plot <what>`` target.
    plot = subparsers.add_parser("plot", help="draw figures (theory, scaling, ...)")
    plot_targets = plot.add_subparsers(dest="plot_target", metavar="WHAT")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:  # a package without commands yet
            if err.name == name:
                continue
            raise
        module.register(subparsers, plot_targets)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``oblique``; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        if args.command == "plot":
            parser.parse_args(["plot", "--help"])
        parser.print_help()
        return 2
    status = handler(args)
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
