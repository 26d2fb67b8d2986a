"""validate.figures: one module per experiment, result → PNG; the only matplotlib in validate.

Every module draws with :mod:`validate.figures.style` (Agg backend, PNG at dpi 150).
"""
