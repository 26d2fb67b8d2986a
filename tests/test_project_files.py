"""Project files users expect agree with the package: one version (pyproject.toml, read back
from the installed metadata), cited in CITATION.cff and released in CHANGELOG.md."""

from __future__ import annotations

import re
from pathlib import Path

import meanfield
import simulate
import validate

ROOT = Path(__file__).resolve().parent.parent


def test_one_version_everywhere() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # no tomllib on 3.10
    version = re.search(r'^version = "([^"]+)"$', pyproject, re.M).group(1)
    assert meanfield.__version__ == simulate.__version__ == validate.__version__ == version
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(version)}$", cff, re.M), "CITATION.cff version"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {version}" in changelog, "CHANGELOG.md has no section for this version"
