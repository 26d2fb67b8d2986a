"""Runs on disk: a run is a directory, written atomically, resumable, never silently replaced.

Layout of a run directory::

    config.json        TrainConfig.to_json() — written first; enough to re-run the run
    checkpoint.npz     while training: step, params, optimiser state, PRNG keys, records so far
    params_init.npz    the initial networks (all leaves of the model pytree, leading seed axis)
    params_final.npz   the trained networks (same names)
    records.npz        records [seed, n_rec, ...] and ``_steps`` [n_rec]
    evaluation.npz     evaluation trajectories (see :func:`simulate.training.evaluate`)
    run.json           written last: marks the run finished (steps, backend, wall time)

Every file is written to a temporary file in the same directory, flushed, fsync'ed and
renamed over the target with ``os.replace`` (atomic on POSIX), so a run killed at any
moment leaves either the old or the new version of each file, never a torn one. Model
pytrees are flattened with ``jax.tree_util``; each array leaf is stored under its
attribute path (``M``, ``w_in``, …; optimiser state leaves under their ``keystr`` path).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import TrainConfig

__all__ = ["NonFiniteLossError", "Run", "RunDirectory", "atomic_write_bytes", "load"]

_CONFIG, _CKPT, _RUN = "config.json", "checkpoint.npz", "run.json"
_INIT, _FINAL, _RECORDS, _EVAL = (
    "params_init.npz", "params_final.npz", "records.npz", "evaluation.npz"
)
_TMP_SUFFIX = ".tmp"


class NonFiniteLossError(FloatingPointError):
    """A loss became NaN or ±inf; ``step`` and ``seed_index`` say where first."""

    def __init__(self, message: str, *, step: int, seed_index: int) -> None:
        super().__init__(message)
        self.step = step
        self.seed_index = seed_index


# ----------------------------------------------------------------------------- atomic I/O
def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, write: Any) -> None:
    """Write a file atomically: ``write(fileobj)`` into a temporary file in the same
    directory, flush + fsync, then ``os.replace`` it over ``path``. The file gets the
    permissions of the process umask (0644 under the usual 022), not mkstemp's 0600."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; use the process umask
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # pragma: no cover - not all file systems allow this
        pass


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    atomic_write_bytes(path, lambda fh: np.savez(fh, **arrays))


def _save_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, lambda fh: fh.write(text.encode()))


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


# ----------------------------------------------------------------------------- pytrees
def _leaf_name(path: tuple) -> str:
    import jax

    return jax.tree_util.keystr(path).lstrip(".")


def flatten_tree(tree: Any, prefix: str = "") -> dict[str, np.ndarray]:
    """Array leaves of a pytree as ``{prefix + path: np.ndarray}`` (stable names)."""
    import jax

    leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
    return {prefix + _leaf_name(p): np.asarray(v) for p, v in leaves}


def unflatten_tree(template: Any, arrays: dict[str, np.ndarray], prefix: str = "") -> Any:
    """Inverse of :func:`flatten_tree`: the template's structure with the stored leaves."""
    import jax
    import jax.numpy as jnp

    paths, treedef = jax.tree_util.tree_flatten_with_path(template)
    leaves = []
    for p, ref in paths:
        name = prefix + _leaf_name(p)
        if name not in arrays:
            raise ValueError(f"stored arrays lack leaf {name!r}; found {sorted(arrays)}")
        a = arrays[name]
        if tuple(a.shape) != tuple(np.shape(ref)) or a.dtype != np.asarray(ref).dtype:
            raise ValueError(f"stored leaf {name!r} has shape {a.shape} {a.dtype}, expected "
                             f"{np.shape(ref)} {np.asarray(ref).dtype}")
        leaves.append(jnp.asarray(a))
    return jax.tree_util.tree_unflatten(treedef, leaves)


# ----------------------------------------------------------------------------- Run
@dataclass
class Run:
    """A trained (or loaded) run.

    **Attributes**
      config: the :class:`TrainConfig`.
      path: the run directory, or ``None`` for an in-memory run.
      steps: [n_rec] step index of each record (0, k, 2k, …; parameters before that step).
      records: name → array [seed, n_rec, ...] (see :mod:`simulate.training`).
      params: the trained model pytree, leading seed axis on every array.
      init_params: the initial model pytree (same layout).
      evaluation: name → array, evaluation trajectories before/after training.
      info: metadata (backend, wall time of the last session, …).
    """

    config: TrainConfig
    path: Path | None
    steps: np.ndarray
    records: dict[str, np.ndarray]
    params: Any
    init_params: Any
    evaluation: dict[str, np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_seeds(self) -> int:
        return self.config.seeds

    def final(self, name: str) -> np.ndarray:
        """The last record of ``name`` for every seed, shape [seed, ...]."""
        if name not in self.records:
            raise ValueError(f"record name={name!r} is not known; allowed: {sorted(self.records)}")
        return self.records[name][:, -1]

    def model(self, seed_index: int, which: str = "final") -> Any:
        """The network of one seed (``which`` = ``"final"`` or ``"init"``)."""
        import jax

        if which not in ("final", "init"):
            raise ValueError(f"which={which!r} is not allowed; allowed: 'final', 'init'")
        if not 0 <= seed_index < self.n_seeds:
            raise ValueError(f"seed_index={seed_index} is not in [0, {self.n_seeds})")
        tree = self.params if which == "final" else self.init_params
        return jax.tree_util.tree_map(lambda a: a[seed_index], tree)


def load(path: str | Path) -> Run:
    """Load a finished run directory (``ValueError`` if it is not one)."""
    path = Path(path)
    if not (path / _RUN).exists():
        what = "an unfinished run (resume it with train())" if (path / _CONFIG).exists() \
            else "not a run directory"
        raise ValueError(f"path={str(path)!r} is {what}; allowed: a finished run directory "
                         f"(with {_RUN})")
    from .build import init_models

    config = TrainConfig.from_json((path / _CONFIG).read_text())
    if config.dtype == "float64":
        from ._dtypes import enable_float64

        enable_float64()
    template = init_models(config)
    recs = _load_npz(path / _RECORDS)
    steps = recs.pop("_steps")
    return Run(
        config=config,
        path=path,
        steps=steps,
        records=recs,
        params=unflatten_tree(template, _load_npz(path / _FINAL)),
        init_params=unflatten_tree(template, _load_npz(path / _INIT)),
        evaluation=_load_npz(path / _EVAL),
        info=json.loads((path / _RUN).read_text()),
    )


# ----------------------------------------------------------------------------- directory
class RunDirectory:
    """The on-disk side of :func:`simulate.training.train` for one run directory.

    Creating it claims the directory for ``config``: a new or empty directory gets
    ``config.json``; a directory holding another config, or other files, is refused
    with ``ValueError``.
    """

    def __init__(self, path: str | Path, config: TrainConfig) -> None:
        self.path = Path(path)
        self.config = config
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"out={str(self.path)!r} exists and is not a directory")
        self.path.mkdir(parents=True, exist_ok=True)
        cfg_file = self.path / _CONFIG
        if cfg_file.exists():
            try:
                old = TrainConfig.from_json(cfg_file.read_text()).to_dict()
            except (ValueError, TypeError) as err:
                raise ValueError(f"{cfg_file} holds an unreadable config ({err}); refusing to "
                                 "overwrite it — use another directory") from err
            new = config.to_dict()
            if old != new:
                diff = ", ".join(f"{k}: {old.get(k)!r} (stored) vs {new.get(k)!r} (requested)"
                                 for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k))
                raise ValueError(
                    f"out={str(self.path)!r} already holds a run with a different config "
                    f"({diff}); refusing to overwrite it — use another directory"
                )
        else:
            others = [p.name for p in self.path.iterdir()  # (our torn temp files aside)
                      if not (p.name.startswith(".") and p.name.endswith(_TMP_SUFFIX))]
            if others:
                raise ValueError(
                    f"out={str(self.path)!r} is not empty and holds no {_CONFIG} "
                    f"({sorted(others)[:5]}); refusing to write a run there"
                )
            _save_text(cfg_file, config.to_json() + "\n")
        # temporary files of a killed process (its torn writes), only in our own directory
        for stale in self.path.glob(f".*{_TMP_SUFFIX}"):
            stale.unlink(missing_ok=True)

    # -- finished runs
    def load_finished(self) -> Run | None:
        return load(self.path) if (self.path / _RUN).exists() else None

    def save_finished(self, run: Run) -> Run:
        """Write params, records, evaluation, then ``run.json``; drop the checkpoint."""
        _save_npz(self.path / _FINAL, flatten_tree(run.params))
        recs = dict(run.records)
        recs["_steps"] = np.asarray(run.steps)
        _save_npz(self.path / _RECORDS, recs)
        _save_npz(self.path / _EVAL, run.evaluation)
        info = dict(run.info, steps=int(self.config.steps))
        _save_text(self.path / _RUN, json.dumps(info, indent=2, sort_keys=True) + "\n")
        (self.path / _CKPT).unlink(missing_ok=True)
        run.path = self.path
        run.info = info
        return run

    def save_init(self, init: Any) -> None:
        _save_npz(self.path / _INIT, flatten_tree(init))

    # -- checkpoints
    def save_checkpoint(self, step: int, params: Any, opt_state: Any, step_keys: Any,
                        records: dict[str, np.ndarray]) -> None:
        """Atomically store everything needed to continue from ``step``."""
        import jax

        arrays = {"step": np.asarray(step, np.int64),
                  "key_data": np.asarray(jax.random.key_data(step_keys))}
        arrays.update(flatten_tree(params, "param__"))
        arrays.update({f"opt__{i:04d}": np.asarray(v)
                       for i, v in enumerate(jax.tree_util.tree_leaves(opt_state))})
        arrays.update({f"rec__{k}": v for k, v in records.items()})
        _save_npz(self.path / _CKPT, arrays)

    def load_checkpoint(self, params: Any, opt_state: Any, step_keys: Any
                        ) -> tuple[int, Any, Any, dict[str, np.ndarray]] | None:
        """(step, params, opt_state, records) of the last checkpoint, or ``None``.

        ``params`` and ``opt_state`` are templates (fresh initial values) giving the
        structure; the stored PRNG keys must equal ``step_keys`` (they are a pure
        function of the config).
        """
        import jax
        import jax.numpy as jnp

        if not (self.path / _CKPT).exists():
            return None
        z = _load_npz(self.path / _CKPT)
        if not np.array_equal(z["key_data"], np.asarray(jax.random.key_data(step_keys))):
            raise ValueError(f"checkpoint in {self.path} was made with other PRNG keys than "
                             "this config derives; refusing to resume from it")
        new_params = unflatten_tree(params, z, "param__")
        leaves, treedef = jax.tree_util.tree_flatten(opt_state)
        stored = [z[f"opt__{i:04d}"] for i in range(len(leaves))]
        for ref, a in zip(leaves, stored):
            if np.shape(ref) != a.shape:
                raise ValueError(f"checkpoint optimiser state in {self.path} does not match "
                                 "this config")
        new_opt = jax.tree_util.tree_unflatten(treedef, [jnp.asarray(a) for a in stored])
        records = {k[len("rec__"):]: v for k, v in z.items() if k.startswith("rec__")}
        return int(z["step"]), new_params, new_opt, records
