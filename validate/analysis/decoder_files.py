r"""Read a brain–computer-interface (BCI) decoder file into a
:class:`~validate.core.recording.Recording` whose output carries the experimenter's decoder.

In BCI experiments the output (cursor velocity) is made from the activity by weights the
experimenter chose, so w_out is known and nothing is fitted (the paper's BCI branch, THEORY §6
last paragraph; :func:`validate.analysis.recordings.analyse_readout`). A decoder file holds

* ``activity``: ``[T, N]`` or ``[K, T, N]`` binned activity (e.g. spikes/s);
* ``output``: ``[T]``, ``[T, d]`` or ``[K, T, d]`` the decoded output (NaN marks a gap);
* ``decoder``: ``[N, d]`` (or ``[N]``) the decoder's weights; ``intercept``: ``[d]`` (optional);
* ``bin_width``: seconds per bin (optional if ``bin_ms`` is given).

The array names are options (MATLAB files from labs rarely agree). Formats, by suffix:
``.npz`` (``numpy.load``), ``.mat`` v5 and earlier (``scipy.io.loadmat``) and ``.mat`` v7.3
(HDF5, read with h5py — the optional extra ``recordings``; MATLAB stores arrays column-major,
so every array read from a v7.3 file is transposed back to MATLAB's index order). Shapes
are never guessed: a decoder of the wrong shape is an error that states both shapes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.checks import first_line, real
from ..core.recording import Recording

__all__ = ["DECODER_SUFFIXES", "read_decoder_file"]

_HDF5 = b"\x89HDF\r\n\x1a\n"

#: File suffixes :func:`read_decoder_file` reads.
DECODER_SUFFIXES: tuple[str, ...] = (".npz", ".mat")


def _load(path: Path) -> tuple[dict[str, np.ndarray], str]:
    """Arrays by name and the format read."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in DECODER_SUFFIXES:
        raise ValueError(
            f"{path}: suffix {suffix or '(none)'} is not a decoder file; allowed: "
            f"{', '.join(DECODER_SUFFIXES)}"
        )
    if suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as f:
                return {k: np.asarray(f[k]) for k in f.files}, "npz"
        except Exception as err:  # noqa: BLE001 - zipfile/numpy raise many kinds for bad files
            raise ValueError(f"{path}: not a readable .npz file ({first_line(err)})") from None
    with open(path, "rb") as fh:
        head = fh.read(520)
    # MATLAB v7.3 is HDF5 behind a 512-byte header (the signature at 0 or 512)
    if _HDF5 not in (head[:8], head[512:520]):
        import scipy.io

        try:
            raw = scipy.io.loadmat(str(path))
        except Exception as err:  # noqa: BLE001
            raise ValueError(f"{path}: not a readable .mat file ({first_line(err)})") from None
        return {k: np.asarray(v) for k, v in raw.items() if not k.startswith("__")}, "mat v5"
    try:
        import h5py
    except ImportError:
        raise OSError(
            "reading MATLAB v7.3 files needs the optional extra: pip install -e '.[recordings]'"
        ) from None
    try:
        with h5py.File(path, "r") as f:
            return {k: np.asarray(f[k]).T for k in f if isinstance(f[k], h5py.Dataset)}, "mat v7.3"
    except Exception as err:  # noqa: BLE001
        raise ValueError(f"{path}: not a readable MATLAB v7.3 file ({first_line(err)})") from None


def read_decoder_file(
    path: str | Path,
    *,
    activity: str = "activity",
    output: str = "output",
    decoder: str = "decoder",
    intercept: str | None = "intercept",
    bin_ms: float | None = None,
    output_name: str | None = None,
    label: str | None = None,
) -> Recording:
    r"""Activity, decoded output and the decoder of a BCI session as a Recording.

    **Arguments**
      path: ``.npz`` or ``.mat`` file. activity, output, decoder, intercept: the names of those
      arrays in the file (``intercept`` optional: a missing one means the analysis uses the best
      constant). bin_ms: bin width in ms (None: the file's ``bin_width`` in seconds).
      output_name: the output's name in the Recording (default: the ``output`` array's name).
      label: name in tables and legends (default: the file's stem).

    **Returns** :class:`~validate.core.recording.Recording` with one output and its decoder.
    """
    path = Path(path)
    arrays, fmt = _load(path)
    have = ", ".join(sorted(arrays)) or "none"
    for opt, key in (("activity", activity), ("output", output), ("decoder", decoder)):
        if key not in arrays:
            raise ValueError(f"{opt}={key!r}: {path} has no array of that name; it has: {have}")
    x = np.asarray(arrays[activity], dtype=np.float64)
    y = np.asarray(arrays[output], dtype=np.float64)
    w = np.asarray(arrays[decoder], dtype=np.float64)
    b = (
        np.asarray(arrays[intercept], dtype=np.float64).reshape(-1)
        if intercept is not None and intercept in arrays
        else None
    )
    if x.ndim not in (2, 3):
        raise ValueError(
            f"{path}: activity {activity!r} has shape {x.shape}; allowed: [T, N] or [K, T, N]"
        )
    N = x.shape[-1]
    if y.ndim == x.ndim - 1:
        y = y[..., None]
    if y.shape[:-1] != x.shape[:-1]:
        raise ValueError(
            f"{path}: output {output!r} has shape {np.asarray(arrays[output]).shape}; allowed: "
            f"the activity's leading axes {x.shape[:-1]} followed by d outputs"
        )
    d = y.shape[-1]
    w = w.reshape(-1, 1) if w.ndim == 1 else w
    if w.shape != (N, d):
        raise ValueError(
            f"{path}: decoder {decoder!r} has shape {np.asarray(arrays[decoder]).shape}; "
            f"allowed: ({N}, {d}) — N = {N} units by d = {d} outputs"
        )
    if bin_ms is not None:
        bw = real(bin_ms, "bin_ms", low=0.0, strict=True) / 1e3
    elif "bin_width" in arrays and np.asarray(arrays["bin_width"]).size == 1:
        bw = float(np.asarray(arrays["bin_width"], dtype=np.float64).reshape(-1)[0])
    else:
        raise ValueError(
            f"bin_ms=None is not allowed: {path} has no scalar 'bin_width' (s); pass bin_ms"
        )
    name = output_name or output
    return Recording(
        activity=x,
        outputs={name: y if y.ndim == 3 else y[None]},
        bin_width=bw,
        decoders={name: (w, b)},
        label=label if label is not None else path.stem,
        provenance={
            "file": str(path),
            "reader": f"decoder file ({fmt})",
            "arrays": {"activity": activity, "output": output, "decoder": decoder},
            "intercept": intercept if b is not None else None,
        },
    )
