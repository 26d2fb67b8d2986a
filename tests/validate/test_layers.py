"""The package layout: imports flow one way, between packages and between validate's layers.

Rules (README "Layout"):

* across packages: validate → {meanfield, simulate}; meanfield and simulate never import
  each other or validate;
* inside validate, imports go down only:
  commands → reports → figures → experiments → analysis → core (same layer allowed);
  ``validate.core`` imports neither meanfield nor simulate;
* no import circles among the project's modules;
* every import counts, also one hidden inside a function (a lazy import that dodges a circle
  is still a circle in the design); only ``if TYPE_CHECKING:`` blocks are exempt;
* ``oblique --help`` imports no JAX, and validate's command modules import no numpy.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("meanfield", "simulate", "validate")
#: validate's layers, bottom first; a module may import its own layer and those below.
LAYERS = ("core", "analysis", "experiments", "figures", "reports", "commands")


# ----------------------------------------------------------------------------- the checker
def project_sources(root: Path = REPO) -> dict[str, str]:
    """module name → source, for every module of the three packages under ``root``."""
    out = {}
    for pkg in PACKAGES:
        for f in sorted((root / pkg).rglob("*.py")):
            parts = f.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = f.read_text(encoding="utf-8")
    return out


def _is_package(name: str, sources: Mapping[str, str]) -> bool:
    return any(other.startswith(name + ".") for other in sources)


def imports_of(name: str, source: str, sources: Mapping[str, str]) -> set[str]:
    """The project modules that module ``name`` imports anywhere (TYPE_CHECKING blocks aside)."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for b in node.body for n in ast.walk(b)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                if not _is_package(name, sources):
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            candidates = [prefix] + [f"{prefix}.{a.name}" for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c in sources and c != name}
    # a module importing its own package's __init__ is not a dependency we judge
    return {m for m in found if not name.startswith(m + ".")}


def _layer(name: str) -> int | None:
    parts = name.split(".")
    if parts[0] != "validate" or len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


def layer_violations(sources: Mapping[str, str]) -> list[str]:
    """Every import that breaks the rules of the module docstring, as readable lines."""
    bad = []
    for name, source in sources.items():
        pkg = name.split(".")[0]
        for target in sorted(imports_of(name, source, sources)):
            tpkg = target.split(".")[0]
            if pkg != tpkg and pkg in ("meanfield", "simulate"):
                bad.append(f"{name} imports {target}: {pkg} imports no other package")
                continue
            if name.startswith("validate.core") and tpkg in ("meanfield", "simulate"):
                bad.append(f"{name} imports {target}: validate.core imports neither")
                continue
            lo, hi = _layer(name), _layer(target)
            if lo is not None and hi is not None and hi > lo:
                bad.append(
                    f"{name} imports {target}: {LAYERS[lo]} may not import the "
                    f"{LAYERS[hi]} layer above it"
                )
            if (
                pkg == "validate"
                and tpkg == "validate"
                and lo is not None
                and hi is None
                and target != "validate"
            ):
                bad.append(f"{name} imports {target}: a layer imports only layers")
    return bad


def import_circles(sources: Mapping[str, str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    edges = {m: imports_of(m, s, sources) for m, s in sources.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sources:
        if v not in index:
            visit(v)
    return out


# ----------------------------------------------------------------------------- the project
def test_the_project_keeps_its_layers() -> None:
    assert layer_violations(project_sources()) == []


def test_the_project_has_no_import_circles() -> None:
    assert import_circles(project_sources()) == []


def test_every_validate_module_lives_in_a_layer() -> None:
    top = {"validate", "validate.cli", "validate.__main__"}
    stray = [
        m
        for m in project_sources()
        if m.startswith("validate") and m not in top and _layer(m) is None
    ]
    assert stray == []


# ----------------------------------------------------------------------------- the checker fails
def _with(sources: dict[str, str], name: str, line: str) -> dict[str, str]:
    changed = dict(sources)
    changed[name] = changed[name] + "\n" + textwrap.dedent(line) + "\n"
    return changed


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        ("validate.core.stats", "from ..reports import validate", "core may not import"),
        (
            "validate.analysis.measures",
            "def f():\n    from ..experiments import static\n    return static",
            "analysis may not import the experiments",
        ),
        (
            "validate.experiments.static",
            "from ..figures import static as fig",
            "experiments may not import the figures",
        ),
        ("validate.core.fits", "import simulate.config", "validate.core imports neither"),
        ("meanfield.optimum", "import simulate.losses", "meanfield imports no other package"),
        ("simulate.losses", "from validate.core import stats", "simulate imports no other package"),
    ],
)
def test_an_upward_import_is_caught(module: str, line: str, expected: str) -> None:
    bad = layer_violations(_with(project_sources(), module, line))
    assert any(module in b and expected in b for b in bad), bad


def test_a_lazy_circle_is_caught() -> None:
    sources = _with(
        project_sources(),
        "validate.core.fits",
        "def f():\n    from . import claims\n    return claims",
    )
    sources = _with(sources, "validate.core.claims", "from . import fits")
    assert ["validate.core.claims", "validate.core.fits"] in import_circles(sources)


def test_a_type_checking_import_is_exempt() -> None:
    sources = _with(
        project_sources(),
        "validate.core.stats",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..reports import validate",
    )
    assert layer_violations(sources) == []


# ----------------------------------------------------------------------------- cheap commands
def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return set(out.stdout.split())


def test_oblique_help_imports_no_jax() -> None:
    mods = _modules_after("from validate.cli import build_parser\nbuild_parser()")
    assert "jax" not in mods and "validate.experiments" not in mods


def test_the_command_modules_import_no_numpy() -> None:
    mods = _modules_after(
        "import validate.cli\n"
        + "\n".join(
            f"import {m}" for m in __import__("validate.commands", fromlist=["x"]).COMMAND_MODULES
        )
    )
    assert not {"numpy", "jax", "matplotlib"} & mods


def test_public_names_come_from_public_modules() -> None:
    import validate

    where = validate._WHERE
    assert set(where) == set(validate.__all__)
    assert all(
        not any(part.startswith("_") for part in mod.split(".")) for mod in where.values()
    ), sorted(set(where.values()))
