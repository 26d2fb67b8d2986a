"""Runs on disk: a run is a directory, written atomically, resumable, never silently replaced.

Layout of a run directory::

    config.json        TrainConfig.to_json() — written first; enough to re-run the run
    checkpoint.npz     while training: step, params, optimiser state, PRNG keys, records so far
    params_init.npz    the initial networks (all leaves of the model pytree, leading seed axis)
    params_final.npz   the trained networks (same names)
    records.npz        records [seed, n_rec, ...] and ``_steps`` [n_rec]
    evaluation.npz     evaluation trajectories (see :func:`simulate.training.evaluate`)
    run.json           written last: marks the run finished (steps, backend, wall time)
    checkpoint.prev.npz the checkpoint before ``checkpoint.npz`` (a fallback if that one is bad)
    failed.json        written when training failed (non-finite loss): step, seed, message
    .lock, .owner.json the run directory's lock and its holder (PID, host, since when)
    .archive/<time>/   the files of an unfinished run set aside by ``restart=True``

Every file is written to a temporary file in the same directory, flushed, fsync'ed and
renamed over the target with ``os.replace`` (atomic on POSIX), so a run killed at any
moment leaves either the old or the new version of each file, never a torn one. Model
pytrees are flattened with ``jax.tree_util``; each array leaf is stored under its
attribute path (``M``, ``w_in``, …; optimiser state leaves under their ``keystr`` path).

Every ``.npz`` carries a SHA-256 of its arrays (``__sha256__``: names, dtypes, shapes and
bytes), verified on load; a file that fails it, is truncated, or holds pickled objects
(loaded with ``allow_pickle=False``) raises :class:`RunFileError` naming the file. A bad
``checkpoint.npz`` falls back to ``checkpoint.prev.npz``; training never continues from
a state that fails its checksum. One process at a time writes a run directory: a second
one gets :class:`RunLockedError` naming the holder's PID; the lock of a killed process is
released by the kernel and taken over.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import socket
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from .config import TrainConfig

__all__ = [
    "NonFiniteLossError",
    "Run",
    "RunDirectory",
    "RunFileError",
    "RunLockedError",
    "atomic_write_bytes",
    "check_out",
    "load",
    "load_arrays",
    "load_cache",
    "save_arrays",
]

_CONFIG, _CKPT, _RUN = "config.json", "checkpoint.npz", "run.json"
_CKPT_PREV, _FAILED = "checkpoint.prev.npz", "failed.json"
_LOCK, _OWNER, _ARCHIVE = ".lock", ".owner.json", ".archive"
_SUM = "__sha256__"
_INIT, _FINAL, _RECORDS, _EVAL = (
    "params_init.npz",
    "params_final.npz",
    "records.npz",
    "evaluation.npz",
)
_TMP_SUFFIX = ".tmp"


class NonFiniteLossError(FloatingPointError):
    """A loss became NaN or ±inf; ``step`` and ``seed_index`` say where first."""

    def __init__(self, message: str, *, step: int, seed_index: int) -> None:
        super().__init__(message)
        self.step = step
        self.seed_index = seed_index


class RunFileError(OSError):
    """A stored run file cannot be used: truncated, failing its checksum, not an ``.npz``,
    or holding pickled objects. The message names the file (exit 3 in ``oblique``)."""


class RunLockedError(OSError):
    """Another live process holds the run directory's lock (exit 3 in ``oblique``)."""


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


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 (hex) over the names, dtypes, shapes and bytes of ``arrays`` (sorted)."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_arrays(path: str | Path, arrays: dict[str, np.ndarray]) -> str:
    """Store ``arrays`` in ``path`` (``.npz``) atomically, with their SHA-256 checksum
    (returned, hex)."""
    path = Path(path)
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    if _SUM in arrays:
        raise ValueError(f"array name {_SUM!r} is reserved for the checksum")
    digest = _checksum(arrays)
    arrays[_SUM] = np.asarray(digest)
    atomic_write_bytes(path, lambda fh: np.savez(fh, **cast(Any, arrays)))
    return digest


def _save_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, lambda fh: fh.write(text.encode()))


def load_arrays(path: str | Path, expect: str | None = None) -> dict[str, np.ndarray]:
    """The arrays of ``path``, checksum verified; :class:`RunFileError` if unusable
    (``FileNotFoundError`` / ``PermissionError`` pass through unchanged) or, with
    ``expect`` (a SHA-256 recorded elsewhere), if the file is another one than recorded."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except ValueError as err:
        if "Object arrays" in str(err):
            raise RunFileError(
                f"{path} holds a pickled object array; refusing to load it "
                "(allow_pickle=False: run files hold numbers only)"
            ) from None
        raise RunFileError(
            f"{path} is not a readable .npz file (truncated or corrupt: {err})"
        ) from None
    except (EOFError, zipfile.BadZipFile, zlib.error, KeyError) as err:
        raise RunFileError(
            f"{path} is truncated or corrupt ({type(err).__name__}: {err})"
        ) from None
    stored = arrays.pop(_SUM, None)
    stored = None if stored is None else str(stored)
    if stored is not None and stored != (computed := _checksum(arrays)):
        raise RunFileError(
            f"{path} fails its SHA-256 checksum (stored {stored[:12]}…, "
            f"computed {computed[:12]}…); the file is corrupt"
        )
    if expect is not None and stored != expect:
        raise RunFileError(
            f"{path} is not the file this run wrote (its SHA-256 differs from "
            f"the one recorded in {_RUN}); it was replaced after training"
        )
    return arrays


def load_cache(path: str | Path) -> dict[str, np.ndarray] | None:
    """:func:`load_arrays` for a cache that can be recomputed: ``None`` (with a
    RuntimeWarning naming the file) where the file fails its checks."""
    try:
        return load_arrays(path)
    except RunFileError as err:
        warnings.warn(f"{err}; recomputing it", RuntimeWarning, stacklevel=2)
        return None


def _stored_checksum(path: Path) -> str | None:
    """The ``__sha256__`` entry of an ``.npz`` (read alone), or ``None``."""
    with np.load(path, allow_pickle=False) as z:
        return str(z[_SUM]) if _SUM in z.files else None


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
            raise ValueError(
                f"stored leaf {name!r} has shape {a.shape} {a.dtype}, expected "
                f"{np.shape(ref)} {np.asarray(ref).dtype}"
            )
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

    def __repr__(self) -> str:
        """One line: the configuration's headline, record names, final loss, the path."""
        c = self.config
        loss = ""
        if "loss" in self.records and np.size(self.records["loss"]):
            last = np.asarray(self.records["loss"], float)[:, -1]
            loss = f", final loss mean {np.nanmean(last):.4g} over {last.size} seeds"
        return (
            f"Run({c.model} {c.task} N={c.N}, seeds={c.seeds}, steps={c.steps}, "
            f"records={sorted(self.records)}{loss}, path={str(self.path) if self.path else None!r})"
        )

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
    """Load a finished run directory (``ValueError`` if it is not one).

    :class:`RunFileError` if a file is corrupt, if ``config.json`` was edited after
    training (the message lists the fields that differ from the trained config recorded
    in ``run.json``), or if an array file is not the one the run wrote.
    """
    path = Path(path)
    if not (path / _RUN).exists():
        what = (
            "an unfinished run (resume it with train())"
            if (path / _CONFIG).exists()
            else "not a run directory"
        )
        raise ValueError(
            f"path={str(path)!r} is {what}; allowed: a finished run directory (with {_RUN})"
        )
    from .build import init_models

    config = TrainConfig.from_json((path / _CONFIG).read_text())
    info = json.loads((path / _RUN).read_text())
    trained = info.get("config")
    if trained is not None and trained != config.to_dict():
        diff = _config_diff(trained, config.to_dict(), "trained", _CONFIG)
        raise RunFileError(
            f"{path / _CONFIG} was edited after training ({diff}); the stored "
            f"arrays belong to the trained config — restore {_CONFIG} or "
            "retrain in another directory"
        )
    files = info.get("files", {})
    if config.dtype == "float64":
        from ._dtypes import enable_float64

        enable_float64()
    template = init_models(config)
    recs = load_arrays(path / _RECORDS, files.get(_RECORDS))
    steps = recs.pop("_steps")
    return Run(
        config=config,
        path=path,
        steps=steps,
        records=recs,
        params=unflatten_tree(template, load_arrays(path / _FINAL, files.get(_FINAL))),
        init_params=unflatten_tree(template, load_arrays(path / _INIT, files.get(_INIT))),
        evaluation=load_arrays(path / _EVAL, files.get(_EVAL)),
        info=info,
    )


# ----------------------------------------------------------------------------- directory
def _config_diff(a: dict[str, Any], b: dict[str, Any], a_label: str, b_label: str) -> str:
    """``"k: a (a_label) vs b (b_label), …"`` over the fields where two config dicts differ."""
    return ", ".join(
        f"{k}: {a.get(k)!r} ({a_label}) vs {b.get(k)!r} ({b_label})"
        for k in sorted(set(a) | set(b))
        if a.get(k) != b.get(k)
    )


def _ours(name: str) -> bool:
    """Hidden bookkeeping files of a run directory (lock, owner, archive, torn temp files)."""
    return name in (_LOCK, _OWNER, _ARCHIVE) or (
        name.startswith(".") and name.endswith(_TMP_SUFFIX)
    )


def check_out(path: str | Path, config: TrainConfig, *, restart: bool = False) -> str:
    """Whether ``path`` may hold the run of ``config``, without writing anything.

    **Returns** ``"new"`` (missing or empty directory), ``"resume"`` (same config, not
    finished), ``"finished"`` (same config, finished: it will be loaded) or ``"restart"``
    (``restart=True`` on an unfinished run: its files will be archived).

    **Raises** ``ValueError`` naming the reason: not a directory, a non-empty directory
    without ``config.json``, an unreadable or different stored config (the message says
    whether ``restart=True`` / ``--restart`` applies), ``restart=True`` on a finished run.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"out={str(path)!r} exists and is not a directory")
    if not path.exists():
        return "new"
    cfg_file, finished = path / _CONFIG, (path / _RUN).exists()
    if not cfg_file.exists():
        others = sorted(p.name for p in path.iterdir() if not _ours(p.name))
        if others:
            raise ValueError(
                f"out={str(path)!r} is not empty and holds no {_CONFIG} "
                f"({others[:5]}); refusing to write a run there — use another "
                "directory"
            )
        return "new"
    if restart:
        if finished:
            raise ValueError(
                f"out={str(path)!r} holds a finished run; restart only archives "
                "unfinished (failed or interrupted) runs — use another directory"
            )
        return "restart"
    hint = (
        "use another directory"
        if finished
        else "use another directory, or restart (oblique train --restart, train(restart=True)) "
        f"to move the unfinished run's files to {_ARCHIVE}/ and start anew"
    )
    try:
        old = TrainConfig.from_json(cfg_file.read_text()).to_dict()
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"{cfg_file} holds an unreadable config ({err}); refusing to overwrite it — {hint}"
        ) from err
    new = config.to_dict()
    if old != new:
        diff = _config_diff(old, new, "stored", "requested")
        failed = " failed" if (path / _FAILED).exists() else ""
        raise ValueError(
            f"out={str(path)!r} already holds a{failed} run with a different "
            f"config ({diff}); refusing to overwrite it — {hint}"
        )
    return "finished" if finished else "resume"


def _read_owner(path: Path) -> dict[str, Any]:
    """The holder record ``.owner.json`` of a run directory ({} if missing or unreadable)."""
    try:
        return json.loads((path / _OWNER).read_text())
    except (OSError, ValueError):
        return {}


class RunDirectory:
    """The on-disk side of :func:`simulate.training.train` for one run directory.

    Creating it takes the directory's lock (:class:`RunLockedError` if another live process
    holds it) and claims the directory for ``config`` (:func:`check_out`): a new or empty
    directory gets ``config.json``; ``restart=True`` first moves an unfinished run's files
    to ``.archive/<UTC time>/``. Use it as a context manager, or call :meth:`close`, to
    release the lock (it is also released when the object is collected or the process
    dies).
    """

    def __init__(self, path: str | Path, config: TrainConfig, *, restart: bool = False) -> None:
        from filelock import FileLock, Timeout

        self.path = Path(path)
        self.config = config
        check_out(self.path, config, restart=restart)  # refuse before creating anything
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path / _LOCK), timeout=0)
        owner_file = self.path / _OWNER
        try:
            self._lock.acquire()
        except Timeout:
            owner = _read_owner(self.path)
            who = (
                f"process {owner.get('pid', '?')} on {owner.get('host', '?')} "
                f"(since {owner.get('since', '?')})"
            )
            raise RunLockedError(
                f"run directory {self.path} is in use by {who}; wait for it "
                "to finish or stop that process, then run again"
            ) from None
        try:
            self.took_over = None
            if owner_file.exists():  # the holder died without releasing: the kernel did
                old = _read_owner(self.path)
                if old.get("pid") != os.getpid() or old.get("host") != socket.gethostname():
                    self.took_over = old
                    warnings.warn(
                        f"run directory {self.path}: took over the lock of process "
                        f"{old.get('pid', '?')}, which ended without releasing it",
                        RuntimeWarning,
                        stacklevel=2,
                    )
            since = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            _save_text(
                owner_file,
                json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": since})
                + "\n",
            )
            if check_out(self.path, config, restart=restart) == "restart":  # under the lock
                self._archive()
            # temporary files of a killed process (its torn writes), only in our own directory
            for stale in self.path.glob(f".*{_TMP_SUFFIX}"):
                stale.unlink(missing_ok=True)
            if not (self.path / _CONFIG).exists():
                _save_text(self.path / _CONFIG, config.to_json() + "\n")
        except BaseException:
            self.close()
            raise

    def _archive(self) -> Path:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        dest = self.path / _ARCHIVE / stamp
        dest.mkdir(parents=True)
        for p in self.path.iterdir():
            if not _ours(p.name):
                shutil.move(str(p), dest / p.name)
        return dest

    # -- lock
    def close(self) -> None:
        """Release the lock (idempotent)."""
        lock = getattr(self, "_lock", None)
        if lock is not None and lock.is_locked:
            (self.path / _OWNER).unlink(missing_ok=True)
            lock.release(force=True)

    def __enter__(self) -> RunDirectory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def record_failure(self, err: NonFiniteLossError) -> None:
        """Write ``failed.json`` (step, seed index, message): the run did not finish."""
        _save_text(
            self.path / _FAILED,
            json.dumps(
                {"step": err.step, "seed_index": err.seed_index, "message": str(err)}, indent=2
            )
            + "\n",
        )

    # -- finished runs
    def load_finished(self) -> Run | None:
        return load(self.path) if (self.path / _RUN).exists() else None

    def save_finished(self, run: Run) -> Run:
        """Write params, records, evaluation, then ``run.json`` (recording the config and
        the SHA-256 of each array file: :func:`load` checks both); drop the checkpoints."""
        files = {
            _INIT: _stored_checksum(self.path / _INIT),
            _FINAL: save_arrays(self.path / _FINAL, flatten_tree(run.params)),
        }
        recs = dict(run.records)
        recs["_steps"] = np.asarray(run.steps)
        files[_RECORDS] = save_arrays(self.path / _RECORDS, recs)
        files[_EVAL] = save_arrays(self.path / _EVAL, run.evaluation)
        # the run's identity: the config it was trained with and the files it wrote
        info = dict(
            run.info,
            steps=int(cast(int, self.config.steps)),
            config=self.config.to_dict(),
            files=files,
        )
        _save_text(self.path / _RUN, json.dumps(info, indent=2, sort_keys=True) + "\n")
        for name in (_CKPT, _CKPT_PREV, _FAILED):
            (self.path / name).unlink(missing_ok=True)
        run.path = self.path
        run.info = info
        return run

    def save_init(self, init: Any) -> None:
        save_arrays(self.path / _INIT, flatten_tree(init))

    # -- checkpoints
    def save_checkpoint(
        self, step: int, params: Any, opt_state: Any, step_keys: Any, records: dict[str, np.ndarray]
    ) -> None:
        """Atomically store everything needed to continue from ``step``."""
        import jax

        arrays = {
            "step": np.asarray(step, np.int64),
            "key_data": np.asarray(jax.random.key_data(step_keys)),
        }
        arrays.update(flatten_tree(params, "param__"))
        arrays.update(
            {
                f"opt__{i:04d}": np.asarray(v)
                for i, v in enumerate(jax.tree_util.tree_leaves(opt_state))
            }
        )
        arrays.update({f"rec__{k}": v for k, v in records.items()})
        if (self.path / _CKPT).exists():  # keep the previous one as a fallback
            os.replace(self.path / _CKPT, self.path / _CKPT_PREV)
        save_arrays(self.path / _CKPT, arrays)

    def load_checkpoint(
        self, params: Any, opt_state: Any, step_keys: Any
    ) -> tuple[int, Any, Any, dict[str, np.ndarray]] | None:
        """(step, params, opt_state, records) of the last good checkpoint, or ``None``.

        ``params`` and ``opt_state`` are templates (fresh initial values) giving the
        structure; the stored PRNG keys must equal ``step_keys`` (they are a pure
        function of the config). A ``checkpoint.npz`` that is truncated or fails its
        checksum is renamed ``checkpoint.npz.corrupt`` (a warning names it) and
        ``checkpoint.prev.npz`` is used; if no checkpoint file is good,
        :class:`RunFileError` names them all.
        """
        import jax
        import jax.numpy as jnp

        candidates = [self.path / n for n in (_CKPT, _CKPT_PREV) if (self.path / n).exists()]
        if not candidates:
            return None
        problems = []
        for f in candidates:
            try:
                z = load_arrays(f)
                break
            except RunFileError as err:
                problems.append(str(err))
                bad = f.with_name(f.name + ".corrupt")
                os.replace(f, bad)
                warnings.warn(
                    f"{err}; moved it to {bad.name} and fell back to the previous checkpoint",
                    RuntimeWarning,
                    stacklevel=2,
                )
        else:
            raise RunFileError(
                "no usable checkpoint in "
                + str(self.path)
                + ": "
                + "; ".join(problems)
                + " — restart the run (--restart)"
            )
        if not np.array_equal(z["key_data"], np.asarray(jax.random.key_data(step_keys))):
            raise ValueError(
                f"checkpoint in {self.path} was made with other PRNG keys than "
                "this config derives; refusing to resume from it"
            )
        new_params = unflatten_tree(params, z, "param__")
        leaves, treedef = jax.tree_util.tree_flatten(opt_state)
        stored = [z[f"opt__{i:04d}"] for i in range(len(leaves))]
        for ref, a in zip(leaves, stored, strict=True):
            if np.shape(ref) != a.shape:
                raise ValueError(
                    f"checkpoint optimiser state in {self.path} does not match this config"
                )
        new_opt = jax.tree_util.tree_unflatten(treedef, [jnp.asarray(a) for a in stored])
        records = {k[len("rec__") :]: v for k, v in z.items() if k.startswith("rec__")}
        return int(z["step"]), new_params, new_opt, records
