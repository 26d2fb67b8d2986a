"""The README's Python example runs as written (in a temporary directory; its training run
is 500 steps of 5 networks at N = 128, ~10 s here; ``large_n_scaling`` is cached from
tests/meanfield/test_large_n.py when the whole suite runs)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_readme_python_example_runs_as_written(tmp_path, monkeypatch) -> None:
    blocks = _python_blocks(README.read_text())
    assert blocks, "README.md has no ```python block"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    # what the example promises
    assert (tmp_path / "runs" / "gd128" / "run.json").exists()
    assert namespace["run"].records["loss_var"].shape[0] == 5
    assert namespace["X"].shape == (8, 200, 128)
    fp = namespace["fp"]
    assert fp.points.shape[1] == 128 and np.all(np.isfinite(fp.q))
    assert "\n" not in repr(fp)  # the concise repr
