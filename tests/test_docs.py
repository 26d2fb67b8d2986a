"""The documentation site builds with warnings as errors and has a page per public name.

``mkdocs build --strict`` fails on any warning, broken cross-references included (mkdocs.yml,
pages generated from the code by docs/gen_pages.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings_handlers.python")
ROOT = Path(__file__).resolve().parent.parent


def test_site_builds_strictly_with_a_page_per_public_name(tmp_path: Path) -> None:
    env = dict(os.environ, DISABLE_MKDOCS_2_WARNING="true", NO_MKDOCS_2_WARNING="1")
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    import meanfield
    import simulate
    import validate

    for pkg in (meanfield, simulate, validate):
        for name in pkg.__all__:
            page = tmp_path / "site" / "api" / pkg.__name__ / name / "index.html"
            assert page.is_file(), f"no API page for {pkg.__name__}.{name}"
    assert (tmp_path / "site" / "commands" / "validate" / "index.html").is_file()
    assert (tmp_path / "site" / "theory" / "index.html").is_file()
