r"""Read a Neurodata Without Borders (NWB) file into a :class:`~validate.core.recording.Recording`.

The layout is that of the DANDI archive and the Neural Latents Benchmark (NLB: MC_Maze
DANDI:000128, MC_RTT 000129, Area2_Bump 000127, DMFC_RSG 000130): spike times per unit in the
``units`` table, behaviour as ``TimeSeries`` (e.g. ``processing/behavior/hand_vel``), trials in
the ``trials`` table with event-time columns (``move_onset_time``) and condition columns
(``trial_type``). Needs the optional extra: ``pip install -e '.[recordings]'`` (pynwb, h5py);
nothing is imported until a file is read.

What :func:`read_nwb` does, in order
------------------------------------
1. **Bins** of ``bin_ms`` milliseconds: one continuous series (K = 1) over the span every asked
   behaviour series covers, or, with ``align``, one window ``window_ms`` around each trial's
   ``align`` time (K trials; trials whose align time is NaN are dropped and counted).
2. **Spike counts** per unit and bin (left-closed bins [t_j, t_{j+1})), divided by the bin
   width: spikes/s. With ``smooth_ms`` > 0 the counts are convolved with a Gaussian of that
   standard deviation (``scipy.ndimage.gaussian_filter1d``, truncated at 4 sd) computed on a
   window padded by 4 sd on both sides, so no bin sees an edge of the window.
3. **Behaviour** per bin: the mean of the series' samples whose time falls in the bin. A bin
   with no sample, or with any NaN sample, is a gap (NaN): the analysis drops it, nothing is
   interpolated across it; the Recording counts gap bins per output.
4. Optionally, the **average over trials of each condition** (``condition`` column: the
   paper's trial-conditioned averages, e.g. for the cycling task); behaviour is averaged over
   the trials that have a sample in that bin.

Every problem with the file is a one-line ``ValueError`` naming what is wrong (no units table,
an output name the file lacks — with the names it has —, timestamps that do not match the
data, an empty trials table, an unreadable or truncated file).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.checks import first_line, real
from ..core.recording import Recording

__all__ = ["DEFAULT_WINDOW_MS", "read_nwb", "nwb_series_names"]

#: Default window around the align time (ms): the NLB MC_Maze convention (−250, 450).
DEFAULT_WINDOW_MS: tuple[float, float] = (-250.0, 450.0)
#: The processing module whose series are the default outputs.
BEHAVIOUR_MODULE = "behavior"

_EXTRA = "reading NWB files needs the optional extra: pip install -e '.[recordings]' (pynwb, h5py)"


def _pynwb() -> Any:
    try:
        import pynwb
    except ImportError:  # an environment problem: exit 3 in the CLI
        raise OSError(_EXTRA) from None
    return pynwb


def _series_index(nwb: Any, pynwb: Any) -> dict[str, list[Any]]:
    """Every TimeSeries in the file by name (and by ``module/name``), units excluded."""
    index: dict[str, list[Any]] = {}
    for obj in nwb.objects.values():
        if isinstance(obj, pynwb.TimeSeries):
            index.setdefault(obj.name, []).append(obj)
            parent = getattr(obj, "parent", None)
            while parent is not None and not isinstance(parent, pynwb.base.ProcessingModule):
                parent = getattr(parent, "parent", None)
            if parent is not None:
                index.setdefault(f"{parent.name}/{obj.name}", []).append(obj)
    return index


def nwb_series_names(path: str | Path) -> list[str]:
    """Names of the TimeSeries in an NWB file (the possible ``outputs`` of :func:`read_nwb`)."""
    with _open(Path(path)) as nwb:
        return sorted(k for k in _series_index(nwb, _pynwb()) if "/" not in k)


class _open:
    """Context manager: the file's NWBFile; unreadable files are a ValueError naming them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.io: Any = None

    def __enter__(self) -> Any:
        pynwb = _pynwb()
        if not self.path.is_file():
            raise ValueError(f"{self.path}: no such file")
        try:
            self.io = pynwb.NWBHDF5IO(str(self.path), "r")
            return self.io.read()
        except Exception as err:  # noqa: BLE001 - h5py/hdmf raise many kinds for a bad file
            if self.io is not None:
                self.io.close()
            raise ValueError(
                f"{self.path}: not a readable NWB file (truncated or not HDF5/NWB: "
                f"{first_line(err)})"
            ) from None

    def __exit__(self, *exc: object) -> None:
        if self.io is not None:
            self.io.close()


def _spike_times(nwb: Any, path: Path) -> tuple[list[np.ndarray], list[str]]:
    units = nwb.units
    if units is None or len(units) == 0 or "spike_times" not in units.colnames:
        raise ValueError(
            f"{path}: the file has no units table with spike times (nwb.units); a recording "
            "needs spike times per unit"
        )
    col = units["spike_times"]
    try:  # one read of the flat array, split at the index (fast for large files)
        flat = np.asarray(col.target.data[:], dtype=np.float64)
        ends = np.asarray(col.data[:], dtype=np.int64)
        spikes = np.split(flat, ends[:-1])
    except AttributeError:
        spikes = [np.asarray(s, dtype=np.float64) for s in col[:]]
    names = [str(i) for i in units.id[:]]
    for i, s in enumerate(spikes):
        if s.size and (not np.all(np.isfinite(s)) or np.any(np.diff(s) < 0)):
            raise ValueError(
                f"{path}: unit {names[i]} has spike times that are not finite and sorted"
            )
    return spikes, names


def _behaviour(series: Any, name: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(times [n], data [n, d]) of a TimeSeries, checked."""
    data = np.asarray(series.data[:], dtype=np.float64)
    if data.ndim == 0 or data.shape[0] < 2:
        raise ValueError(f"{path}: output {name!r} has fewer than 2 samples")
    data = data.reshape(data.shape[0], -1)
    ts = series.timestamps
    if ts is not None:
        if hasattr(ts, "timestamps"):  # timestamps linked from another series
            ts = ts.timestamps
        t = np.asarray(ts[:], dtype=np.float64)
    elif series.rate is not None:
        t = float(series.starting_time or 0.0) + np.arange(data.shape[0]) / float(series.rate)
    else:
        raise ValueError(f"{path}: output {name!r} has neither timestamps nor a rate")
    if t.shape != (data.shape[0],):
        raise ValueError(
            f"{path}: output {name!r} has {t.size} timestamps for {data.shape[0]} samples; "
            "timestamps and data must match one to one"
        )
    if not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise ValueError(
            f"{path}: output {name!r} has timestamps that are not finite and strictly increasing"
        )
    return t, data


def _bin_means(t: np.ndarray, data: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Mean of the samples in each bin [e_j, e_{j+1}) of every row of ``edges`` [K, T+1]:
    ``[K, T, d]``; NaN for a bin with no sample or any NaN sample (a gap)."""
    nan = np.isnan(data)
    ref = np.nanmean(data, axis=0) if not nan.all() else np.zeros(data.shape[1])
    filled = np.where(nan, 0.0, data - ref)  # centred: cumulative sums lose no digits
    cs = np.concatenate([np.zeros((1, data.shape[1])), np.cumsum(filled, axis=0)])
    cn = np.concatenate([np.zeros((1, data.shape[1]), int), np.cumsum(nan, axis=0)])
    pos = np.searchsorted(t, edges, side="left")  # [K, T+1]
    lo, hi = pos[:, :-1], pos[:, 1:]
    count = (hi - lo)[..., None]
    total = cs[hi] - cs[lo]
    bad = (count == 0) | ((cn[hi] - cn[lo]) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count + ref
    return np.where(bad, np.nan, mean)


def _rates(
    spikes: list[np.ndarray], starts: np.ndarray, T: int, bw: float, smooth_bins: float
) -> np.ndarray:
    """Spikes/s ``[K, T, N]`` in bins of ``bw`` s starting at ``starts`` [K], Gaussian-smoothed
    by ``smooth_bins`` sd (bins) on a window padded by 4 sd."""
    pad = int(math.ceil(4.0 * smooth_bins)) if smooth_bins > 0 else 0
    edges = starts[:, None] + (np.arange(-pad, T + pad + 1) * bw)[None, :]
    counts = np.empty((starts.size, T + 2 * pad, len(spikes)))
    for i, s in enumerate(spikes):
        pos = np.searchsorted(s, edges, side="left")
        counts[:, :, i] = pos[:, 1:] - pos[:, :-1]
    if pad:
        from scipy.ndimage import gaussian_filter1d

        counts = gaussian_filter1d(counts, smooth_bins, axis=1, mode="constant", truncate=4.0)
        counts = counts[:, pad : pad + T]
    return counts / bw


def read_nwb(
    path: str | Path,
    outputs: Sequence[str] | str | None = None,
    *,
    bin_ms: float = 20.0,
    smooth_ms: float = 0.0,
    align: str | None = None,
    window_ms: tuple[float, float] | None = None,
    condition: str | None = None,
    label: str | None = None,
) -> Recording:
    r"""Binned spike rates and behaviour of an NWB file (DANDI / NLB layout) as a Recording.

    **Arguments**
      path: the ``.nwb`` file.
      outputs: names of behaviour TimeSeries (``"hand_vel"``, or ``"behavior/hand_vel"`` when a
        name occurs in several modules); None: every series of the ``behavior`` processing
        module. A missing name is an error that lists the names the file has.
      bin_ms: bin width (ms, > 0). smooth_ms: Gaussian sd (ms, ≥ 0; 0 = plain counts).
      align: a column of the trials table holding event times (s), e.g. ``"move_onset_time"``;
        None: one continuous series over the span every output covers.
      window_ms: (start, stop) around the align time (ms; default :data:`DEFAULT_WINDOW_MS`).
      condition: a trials-table column: average the trials of each value (needs ``align``).
      label: name in tables and legends (default: the file's stem).

    **Returns** :class:`~validate.core.recording.Recording` with activity ``[K, T, N]``
    (spikes/s), outputs ``[K, T, d]`` (NaN gaps), ``trial_ids`` the trial ids or condition
    values, and provenance (file, options, trials used and dropped, session identifier).
    """
    path = Path(path)
    bw_ms = real(bin_ms, "bin_ms", low=0.0, strict=True)
    sm_ms = real(smooth_ms, "smooth_ms", low=0.0)
    bw = bw_ms / 1e3
    if condition is not None and align is None:
        raise ValueError(
            f"condition={condition!r} is not allowed without align; averaging over trials "
            "needs trials aligned to an event (align=COLUMN)"
        )
    if window_ms is not None and align is None:
        raise ValueError("window_ms is not allowed without align; it is relative to the event")
    if align is not None:
        w = DEFAULT_WINDOW_MS if window_ms is None else tuple(window_ms)
        if len(w) != 2 or not all(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, bool)
            and math.isfinite(float(v))
            for v in w
        ):
            raise ValueError(f"window_ms={window_ms!r} is not allowed; allowed: (start, stop) ms")
        w0, w1 = float(w[0]), float(w[1])
        T = int(math.floor((w1 - w0) / bw_ms + 1e-9))
        if T < 2:
            raise ValueError(
                f"window_ms={window_ms!r} is not allowed; with bin_ms={bin_ms!r} it must hold "
                ">= 2 bins (stop - start >= 2 bin_ms)"
            )
    cond: np.ndarray | None = None
    pynwb = _pynwb()
    with _open(path) as nwb:
        index = _series_index(nwb, pynwb)
        plain = sorted(k for k in index if "/" not in k)
        if outputs is None:
            names = sorted(
                k.split("/", 1)[1] for k in index if k.startswith(BEHAVIOUR_MODULE + "/")
            )
            if not names:
                raise ValueError(
                    f"{path}: outputs=None needs a '{BEHAVIOUR_MODULE}' processing module with "
                    f"time series; name the outputs, the file has: {', '.join(plain) or 'none'}"
                )
            names = [f"{BEHAVIOUR_MODULE}/{n}" for n in names]
        else:
            names = [outputs] if isinstance(outputs, str) else list(outputs)
            if not names:
                raise ValueError("outputs=[] is not allowed; name >= 1 behaviour series")
        series = {}
        for name in names:
            found = index.get(name, [])
            if len(found) != 1:
                what = "has no time series" if not found else "has several time series"
                raise ValueError(
                    f"{path}: output {name!r}: the file {what} of that name; it has: "
                    f"{', '.join(plain) or 'none'} (use module/name when a name repeats)"
                )
            key = name.split("/", 1)[-1]
            series[key] = _behaviour(found[0], name, path)
        spikes, unit_names = _spike_times(nwb, path)
        provenance: dict[str, Any] = {
            "file": str(path),
            "reader": "nwb",
            "identifier": str(getattr(nwb, "identifier", "")),
            "session_description": str(getattr(nwb, "session_description", "")),
            "bin_ms": bw_ms,
            "smooth_ms": sm_ms,
            "outputs": list(series),
        }
        if align is None:
            t0 = max(t[0] for t, _ in series.values())
            t1 = min(t[-1] for t, _ in series.values())
            T = int(math.floor((t1 - t0) / bw + 1e-9))
            if T < 2:
                raise ValueError(
                    f"{path}: the outputs overlap for {max(t1 - t0, 0.0) * 1e3:.3g} ms; "
                    f"need >= 2 bins of {bw_ms:g} ms"
                )
            starts = np.array([t0])
            ids: np.ndarray = np.array([0])
            provenance.update({"mode": "continuous", "start_s": float(t0), "bins": T})
        else:
            trials = nwb.trials
            if trials is None or len(trials) == 0:
                raise ValueError(
                    f"{path}: the trials table is empty or missing; run without align to "
                    "analyse the continuous recording"
                )
            cols = list(trials.colnames)
            for opt, col in (("align", align), ("condition", condition)):
                if col is not None and col not in cols:
                    raise ValueError(
                        f"{opt}={col!r}: the trials table has no such column; it has: "
                        f"{', '.join(cols)}"
                    )
            event = np.asarray(trials[align][:], dtype=np.float64)
            keep = np.isfinite(event)
            if not keep.any():
                raise ValueError(f"align={align!r}: every trial has a NaN event time")
            starts = event[keep] + w0 / 1e3
            ids = np.asarray(trials.id[:])[keep]
            cond = np.asarray(trials[condition][:])[keep] if condition is not None else None
            provenance.update(
                {
                    "mode": "aligned",
                    "align": align,
                    "window_ms": [w0, w1],
                    "trials_used": int(keep.sum()),
                    "trials_dropped_nan_event": int((~keep).sum()),
                }
            )
    X = _rates(spikes, starts, T, bw, sm_ms / bw_ms)
    edges = starts[:, None] + (np.arange(T + 1) * bw)[None, :]
    Y = {k: _bin_means(t, data, edges) for k, (t, data) in series.items()}
    if align is not None and cond is not None:
        values, first = np.unique(cond, return_index=True)
        values = values[np.argsort(first)]
        members = [cond == v for v in values]
        X = np.stack([X[m].mean(axis=0) for m in members])
        Y = {k: np.stack([_nanmean0(y[m]) for m in members]) for k, y in Y.items()}
        ids = values
        provenance.update(
            {
                "condition": condition,
                "conditions": int(values.size),
                "trials_per_condition": [int(m.sum()) for m in members],
            }
        )
    return Recording(
        activity=X,
        outputs=Y,
        bin_width=bw,
        trial_ids=ids,
        unit_names=tuple(unit_names),
        label=label if label is not None else path.stem,
        provenance=provenance,
    )


def _nanmean0(y: np.ndarray) -> np.ndarray:
    """Mean over axis 0 of the finite entries; NaN where none (no warning)."""
    n = np.sum(np.isfinite(y), axis=0)
    s = np.nansum(y, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)
