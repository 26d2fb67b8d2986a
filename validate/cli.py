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

Exit codes (the same for every sub-command; :data:`EXIT_CODES`): 0 done and every claim
holds, 1 done and a claim failed, 2 bad input or usage (a diverged training run included:
its learning rate is bad input), 3 environment (a file or directory that cannot be written
or read, a full disk, a corrupt run file, a run directory locked by another process),
4 internal error (a bug), 130 interrupted.
Errors print one line, ``oblique <command>: error: <what>``, never a traceback unless
``oblique --debug …`` is given.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import warnings
from collections.abc import Callable, Sequence

from .commands import COMMAND_MODULES

#: Modules that contribute sub-commands, in the order they appear in ``--help``.
_COMMAND_MODULES = ("meanfield._cli", "simulate._cli", *COMMAND_MODULES)

#: Exit codes of every sub-command.
EXIT_CODES: dict[int, str] = {
    0: "done; every claim holds",
    1: "done; a claim failed (a scientific result, see the report)",
    2: "bad input or usage",
    3: "environment: a file or directory that cannot be written or read, a full disk, a "
    "corrupt run file, or a run directory locked by another process",
    4: "internal error (a bug: rerun with --debug and report the traceback)",
    130: "interrupted (stored runs are kept; rerun the same command to resume)",
}

#: Negative numbers in any float notation (argparse's own pattern misses "-1e-3", which it
#: then reads as an option).
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-inf$|^-nan$")


class ObliqueParser(argparse.ArgumentParser):
    """argparse with negative numbers in scientific notation read as values (sub-parsers are
    of the same class)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._negative_number_matcher = _NEGATIVE_NUMBER


def build_parser() -> argparse.ArgumentParser:
    """Build the full ``oblique`` argument parser."""
    parser = ObliqueParser(
        prog="oblique",
        description=(
            "Aligned and oblique dynamics in noisy recurrent networks: "
            "mean-field theory, training, and validation."
        ),
        epilog="exit codes: " + "; ".join(f"{k} {v}" for k, v in EXIT_CODES.items()),
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an error instead of one line"
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
    """Run ``oblique``; returns the process exit status (:data:`EXIT_CODES`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        if args.command == "plot":
            parser.parse_args(["plot", "--help"])
        parser.print_help()
        return 2
    name = " ".join(x for x in ("oblique", args.command, getattr(args, "plot_target", None)) if x)
    formatwarning = warnings.formatwarning
    if not args.debug:  # warnings as one line each, like errors (restored on return)
        warnings.formatwarning = lambda message, category, *rest, **kw: (
            f"{name}: warning: {message}\n"
        )
    try:
        return _run_handler(handler, args, name)
    finally:
        warnings.formatwarning = formatwarning


def _run_handler(
    handler: Callable[[argparse.Namespace], int | None], args: argparse.Namespace, name: str
) -> int:
    """Call ``handler``; map what it raises to one line and an exit code."""
    try:
        status = handler(args)
    except KeyboardInterrupt:
        print(
            f"{name}: interrupted; stored runs are kept, rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    except OSError as err:
        if args.debug:
            raise
        if err.strerror is None:  # our own (RunLockedError, RunFileError): says what to do
            print(f"{name}: error: {err}", file=sys.stderr)
            return 3
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        print(
            f"{name}: error: {err.strerror}{where}; check that the path exists, is "
            "writable and has free space",
            file=sys.stderr,
        )
        return 3
    except (ValueError, TypeError) as err:
        if args.debug:
            raise
        print(
            f"{name}: error: {str(err).splitlines()[0] if str(err) else type(err).__name__}",
            file=sys.stderr,
        )
        return 2
    except Exception as err:  # noqa: BLE001 - one line for users, the traceback with --debug
        if args.debug:
            raise
        print(
            f"{name}: error: internal error ({type(err).__name__}: {err}); rerun with "
            "oblique --debug to see the traceback",
            file=sys.stderr,
        )
        return 4
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
