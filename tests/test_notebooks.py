"""The notebooks in ``notebooks/`` run in quick mode and stay paired with their ``.py``.

Each notebook is executed with nbclient on the ``python3`` kernel (jupyter_client
starts it with this interpreter, i.e. the venv) with ``QUICK = True`` as
committed. The test is skipped, with the reason, only when no such kernel is
installed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ("static_check", "gd_scaling", "two_phase", "regimes", "learning_flow")
KERNEL = "python3"
#: Generous wall-clock guard per notebook (the target is < 30 s on an idle 2-core CPU;
#: the guard only catches a notebook that left quick mode, not a slow shared machine).
TIMEOUT_S = 300


def _kernel_available() -> str | None:
    """None if the python3 kernel can be started, else the reason it cannot."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError as err:  # pragma: no cover - jupyter_client comes with nbclient
        return f"jupyter_client is not installed ({err})"
    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        return f"no Jupyter kernel named {KERNEL!r} is installed (pip install ipykernel)"
    return None


def _code_sources(nb) -> list[str]:
    return [c.source.strip() for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_paired_with_its_py(name: str) -> None:
    py, ipynb = NOTEBOOKS / f"{name}.py", NOTEBOOKS / f"{name}.ipynb"
    assert py.is_file() and ipynb.is_file()
    from_py = jupytext.read(py)
    stored = nbformat.read(ipynb, as_version=4)
    assert _code_sources(from_py) == _code_sources(stored), (
        f"{ipynb.name} is out of date: run `jupytext --sync notebooks/{name}.py`"
    )
    assert [c.cell_type for c in from_py.cells] == [c.cell_type for c in stored.cells]
    assert "QUICK = True" in _code_sources(stored)  # quick mode as committed


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_in_quick_mode(name: str, tmp_path: Path) -> None:
    reason = _kernel_available()
    if reason is not None:
        pytest.skip(reason)
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    env_backend = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"  # the kernel inherits the environment
    try:
        t0 = time.perf_counter()
        nbclient.NotebookClient(
            nb,
            timeout=TIMEOUT_S,
            kernel_name=KERNEL,
            resources={"metadata": {"path": str(tmp_path)}},  # run in a scratch directory
        ).execute()
        wall = time.perf_counter() - t0
    finally:
        if env_backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backend
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [
        o
        for o in outputs
        if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
    ]
    assert images, f"{name} displayed no figure"
    assert wall < TIMEOUT_S
    assert not list(tmp_path.iterdir()), "quick mode must not write into the working directory"
