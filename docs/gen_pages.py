"""Generate the documentation pages that come from the code (run by mkdocs-gen-files).

* ``index.md`` and ``verified.md`` from README.md (getting started; what `oblique validate`
  verified), so the site and the README never disagree;
* ``commands/<name>.md``: one page per ``oblique`` sub-command, its ``--help`` text (options
  and defaults) and the exit codes, from the argparse parser itself;
* ``api/<package>/<name>.md``: one page per public name of ``meanfield``, ``simulate`` and
  ``validate`` (their ``__all__``), rendered from the docstring by mkdocstrings;
* ``notebooks/<name>.md``: each example notebook (quick mode). With ``DOCS_EXECUTE=1`` the
  notebooks are executed (nbclient, ~10–60 s each) and their printed output and figures are
  part of the page; without it (the strict build of the test suite, which executes the
  notebooks in tests/test_notebooks.py already) the pages show the code and text only.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PACKAGES = ("meanfield", "simulate", "validate")
VERIFIED = "## What `oblique validate` shows"


def _readme_pages() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(VERIFIED)
    end = text.find("\n## ", start + len(VERIFIED))
    verified = text[start:end] if end > 0 else text[start:]
    rest = text[:start] + (text[end:] if end > 0 else "")
    with mkdocs_gen_files.open("index.md", "w") as f:
        f.write(rest)
    with mkdocs_gen_files.open("verified.md", "w") as f:
        f.write("# What the package verified\n\n")
        f.write(
            "From the README (the quick-mode report measured at this version; "
            "`oblique validate` writes the full tables to `oblique-report/`).\n\n"
        )
        f.write(verified.replace(VERIFIED, "## What `oblique validate` shows", 1))


def _subcommands(parser) -> list[tuple[str, object]]:
    import argparse

    out = []
    for action in parser._actions:  # argparse has no public accessor for sub-parsers
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _subcommands(sub)
                out += [(f"{name} {n}", p) for n, p in nested] if nested else [(name, sub)]
    return out


def _command_pages() -> None:
    from validate.cli import EXIT_CODES, build_parser

    parser = build_parser()
    codes = "\n".join(f"| {k} | {v} |" for k, v in EXIT_CODES.items())
    index = [
        "# Commands\n",
        "Every sub-command of `oblique` exits with the same codes:\n",
        "| code | meaning |",
        "| --- | --- |",
        codes,
        "",
        "| command | page |",
        "| --- | --- |",
    ]
    for name, sub in _subcommands(parser):
        slug = name.replace(" ", "-")
        help_text = sub.format_help()
        with mkdocs_gen_files.open(f"commands/{slug}.md", "w") as f:
            f.write(f"# oblique {name}\n\n```text\n{help_text}```\n\n")
            f.write(
                "Exit codes (all commands): "
                + "; ".join(f"{k} {v}" for k, v in EXIT_CODES.items())
                + ".\n"
            )
        index.append(f"| `oblique {name}` | [{slug}]({slug}.md) |")
    with mkdocs_gen_files.open("commands/index.md", "w") as f:
        f.write("\n".join(index) + "\n")


def _defining_path(package: str, name: str) -> str:
    pkg = importlib.import_module(package)
    obj = getattr(pkg, name)
    if inspect.ismodule(obj):
        return obj.__name__
    module, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and module.startswith(package) and qual == name:
        return f"{module}.{name}"
    for mod_name, mod in sorted(sys.modules.items()):  # constants: the module that exports it
        if mod_name.startswith(package + ".") and name in getattr(mod, "__all__", ()):
            if getattr(mod, name, None) is obj:
                return f"{mod_name}.{name}"
    return f"{package}.{name}"


def _theory_links() -> dict[str, tuple[str, str]]:
    """Identifier → (heading, anchor) of the theory-map section that links to it, so each API
    page links back to the equations it implements."""
    from markdown.extensions.toc import slugify

    out: dict[str, tuple[str, str]] = {}
    heading = ""
    for line in (ROOT / "docs" / "theory.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        for ident in re.findall(r"\]\[([\w.]+)\]", line):
            out.setdefault(ident, (heading, slugify(heading, "-")))
    return out


def _api_pages() -> None:
    links = _theory_links()
    index = ["# API reference\n", "Every public name (the packages' `__all__`), one page each.\n"]
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        summary = (inspect.getdoc(pkg) or "").split("\n\n")[0]
        index += [f"## `{package}`\n", summary + "\n"]
        for name in sorted(pkg.__all__):
            path = _defining_path(package, name)
            with mkdocs_gen_files.open(f"api/{package}/{name}.md", "w") as f:
                f.write(f"# `{package}.{name}`\n\n::: {path}\n")
                link = links.get(path) or links.get(f"{package}.{name}")
                if link is not None:
                    heading, anchor = link
                    f.write(f"\nTheory: [{heading}](../../theory.md#{anchor}).\n")
            index.append(f"- [`{package}.{name}`]({package}/{name}.md)")
        index.append("")
    with mkdocs_gen_files.open("api/index.md", "w") as f:
        f.write("\n".join(index) + "\n")


def _notebook_pages() -> None:
    import os

    import nbformat

    execute = os.environ.get("DOCS_EXECUTE") == "1"
    for ipynb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(ipynb, as_version=4)
        if execute:
            import tempfile

            import nbclient

            with tempfile.TemporaryDirectory() as tmp:  # quick mode writes nothing here
                nbclient.NotebookClient(
                    nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp}}
                ).execute()
        parts = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                parts.append(cell.source)
                continue
            parts.append(f"```python\n{cell.source}\n```")
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    parts.append(f"```text\n{out['text'].rstrip()}\n```")
                elif "image/png" in out.get("data", {}):
                    png = out["data"]["image/png"].replace("\n", "")
                    parts.append(f"![figure](data:image/png;base64,{png})")
        note = (
            ""
            if execute
            else (
                "*Code and text only; `DOCS_EXECUTE=1 mkdocs build` renders the outputs "
                "(the test suite executes every notebook).*\n\n"
            )
        )
        with mkdocs_gen_files.open(f"notebooks/{ipynb.stem}.md", "w") as f:
            f.write(note + "\n\n".join(parts) + "\n")


_readme_pages()
_command_pages()
_api_pages()
_notebook_pages()
