"""validate.reports: one module per command — run the experiments, draw, assemble the sections.

* :mod:`~validate.reports.validate` — ``oblique validate`` and ``oblique plot scaling``
* :mod:`~validate.reports.regimes` — ``oblique regimes``
* :mod:`~validate.reports.universality` — ``oblique universality``
* :mod:`~validate.reports.seed003` — ``oblique seed003``
* :mod:`~validate.reports.progress` — their progress lines
"""
