"""The ``oblique`` sub-commands of :mod:`validate`: one thin module per command.

Each module holds only argparse: ``register(subparsers, plot_targets)`` adds its
sub-command and a handler that imports the matching :mod:`validate.reports` module when it
runs, so that building the parser (``oblique --help``) imports neither numpy nor JAX
(tested). The work — run, draw, assemble the report — is in :mod:`validate.reports`.

* :mod:`~validate.commands.validate` — ``oblique validate``
* :mod:`~validate.commands.plot_scaling` — ``oblique plot scaling``
* :mod:`~validate.commands.regimes` — ``oblique regimes``
* :mod:`~validate.commands.universality` — ``oblique universality``
* :mod:`~validate.commands.seed003` — ``oblique seed003``
* :mod:`~validate.commands.recordings` — ``oblique recordings``
"""

#: The command modules, in the order they appear in ``oblique --help``.
COMMAND_MODULES: tuple[str, ...] = (
    "validate.commands.validate",
    "validate.commands.plot_scaling",
    "validate.commands.regimes",
    "validate.commands.universality",
    "validate.commands.seed003",
    "validate.commands.recordings",
)
