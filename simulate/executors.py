r"""Running many training configurations: in this process, or on a Dask cluster.

One :class:`~simulate.config.TrainConfig` already trains all its seeds as one vmapped
computation on one device (:func:`simulate.train`). Populations that outgrow one device —
seed 002 trains thousands of networks over 96 configurations — spread *configurations*
across workers. This module does that through an existing engine instead of a home-made
scheduler:

* ``executor="inprocess"`` (default): one configuration after the other, here;
* ``executor="dask"``: each configuration is a task of a Dask ``distributed`` cluster
  (``pip install 'aligned-oblique[dask]'``). Pass the scheduler ``address``
  (``"tcp://host:8786"``) of a running cluster, or ``None`` to start a
  ``distributed.LocalCluster`` on this machine for the duration of the call.

Every job writes to its own run directory through :func:`simulate.train`, which is atomic
and resumable, so an interrupted sweep — whatever the executor — continues where it stopped
when run again: finished runs are loaded, unfinished ones resume from their checkpoint. The
workers need the package installed and a shared file system for the run directories.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .config import TrainConfig

__all__ = ["EXECUTORS", "run_configs"]

#: Accepted executor names.
EXECUTORS: tuple[str, ...] = ("inprocess", "dask")


def _train_job(config_json: str, path: str) -> str:
    """Worker side: train (or load/resume) one configuration; returns its run directory.

    A directory holding a run of another configuration is refused (``ValueError`` from
    :func:`simulate.runs.check_out`), never returned as this job's run."""
    from .config import TrainConfig
    from .training import train

    train(TrainConfig.from_json(config_json), path, progress=False)
    return path


def run_configs(
    jobs: Sequence[tuple[TrainConfig, str | Path]],
    *,
    executor: str = "inprocess",
    address: str | None = None,
    n_workers: int = 2,
    progress: bool = True,
    on_error: str = "raise",
) -> list[Path | BaseException]:
    """Train every ``(config, run directory)`` job; returns the run directories in order.

    Arguments:
        jobs: configurations and the directory each one trains into (distinct paths).
        executor: ``"inprocess"`` or ``"dask"`` (see the module docstring).
        address: Dask scheduler address; ``None`` → a temporary ``LocalCluster`` with
            ``n_workers`` single-threaded worker processes.
        progress: tqdm bar over finished jobs.
        on_error: ``"raise"`` (a job's exception propagates) or ``"collect"`` (its entry in
            the returned list is the exception, e.g. a
            :class:`~simulate.runs.NonFiniteLossError` of a diverging configuration, and the
            other jobs go on).

    Raises ValueError for an unknown executor, duplicate paths or non-TrainConfig jobs, and
    ModuleNotFoundError (with the install hint) when Dask is requested but not installed.
    Exceptions of a job (e.g. :class:`~simulate.runs.NonFiniteLossError`) propagate; the
    other jobs' finished runs stay on disk.
    """
    from tqdm.auto import tqdm

    if executor not in EXECUTORS:
        raise ValueError(f"executor={executor!r} is not allowed; allowed: {', '.join(EXECUTORS)}")
    items = [(cfg, str(Path(p))) for cfg, p in jobs]
    for cfg, _ in items:
        if not isinstance(cfg, TrainConfig):
            raise ValueError(
                f"job config of type {type(cfg).__name__} is not allowed; "
                "allowed: simulate.TrainConfig"
            )
    paths = [p for _, p in items]
    if len(set(paths)) != len(paths):
        raise ValueError("jobs have duplicate run directories; allowed: one directory per job")
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers={n_workers!r} is not allowed; must be an integer >= 1")
    if on_error not in ("raise", "collect"):
        raise ValueError(f"on_error={on_error!r} is not allowed; allowed: 'raise', 'collect'")
    results: list[Path | BaseException] = [Path(p) for p in paths]

    if executor == "inprocess":
        for i, (cfg, p) in enumerate(tqdm(items, desc="configurations", disable=not progress)):
            try:
                _train_job(cfg.to_json(), p)
            except Exception as err:  # noqa: BLE001 - collected for the caller by request
                if on_error == "raise":
                    raise
                results[i] = err
        return results

    try:
        import distributed
    except ModuleNotFoundError as err:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "executor='dask' needs Dask distributed: pip install 'aligned-oblique[dask]'"
        ) from err
    cluster = None
    if address is None:
        cluster = distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        address = cluster.scheduler_address
    try:
        with distributed.Client(address) as client:
            futures = [
                client.submit(_train_job, cfg.to_json(), p, pure=False, key=f"train-{i}")
                for i, (cfg, p) in enumerate(items)
            ]
            index = {f.key: i for i, f in enumerate(futures)}
            bar = tqdm(total=len(futures), desc="configurations (dask)", disable=not progress)
            for fut in distributed.as_completed(futures):
                try:
                    fut.result()  # re-raises a job's exception here
                except Exception as err:  # noqa: BLE001 - collected for the caller by request
                    if on_error == "raise":
                        raise
                    results[index[fut.key]] = err
                bar.update(1)
            bar.close()
    finally:
        if cluster is not None:
            cluster.close()
    return results
