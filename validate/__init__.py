"""validate: compare meanfield predictions with simulate runs.

Data flows one way: ``meanfield`` (theory) <- ``validate`` -> ``simulate``.
"""

__all__: list[str] = []
