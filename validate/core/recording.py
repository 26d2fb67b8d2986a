r"""A recording as the analysis sees it: binned activity, named behavioural outputs, trials.

:class:`Recording` is what the file readers return
(:func:`validate.analysis.nwb_files.read_nwb`, :func:`validate.analysis.decoder_files.read_decoder_file`)
and what every recording analysis (:mod:`validate.analysis.recordings`) and its figures take
in place of arrays (THEORY.md §6, last paragraph: ρ, D_x,90, D_fit,90 of recorded activity).

Shapes and units
----------------
* ``activity``: ``[K, T, N]`` float64 — K trials (or conditions, after averaging; K = 1 for one
  continuous series) of T bins of width ``bin_width`` seconds, N units. Units of the file
  (spikes/s for binned spike trains). Always finite.
* ``outputs``: name → ``[K, T, d]`` float64, the same bins. **NaN marks a gap** (a bin with no
  behavioural sample, or one holding a NaN sample in the file): the analysis drops every
  (activity, output) pair that touches a gap and never interpolates across it; ``gaps`` counts
  the gap bins per output.
* ``decoders``: name → (w ``[N, d]``, intercept ``[d]``), the experimenter's readout of that
  output (brain–computer-interface data): analysed as given, with no regression.
* ``trial_ids``: ``[K]`` the trial number or the condition value of each row.
* ``provenance``: JSON-friendly facts on where the numbers came from (file, reader, options,
  counts of dropped trials), copied into reports.

This module imports only numpy (and :mod:`validate.core.checks`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from .checks import real

__all__ = ["Recording"]


@dataclasses.dataclass(frozen=True)
class Recording:
    """Binned activity with named outputs (see the module docstring for shapes and units).

    Attributes:
        activity: ``[K, T, N]`` finite activity (e.g. spikes/s).
        outputs: name → ``[K, T, d]`` behaviour; NaN marks a gap bin.
        bin_width: seconds per bin (> 0).
        trial_ids: ``[K]`` trial numbers or condition values.
        unit_names: N names of the units (default ``"0" … "N-1"``).
        decoders: name → (w ``[N, d]``, intercept ``[d]`` or None): a given readout of that
            output (None: the analysis uses the best constant).
        label: short name for tables and legends (default: the file's stem).
        provenance: where the numbers came from (file, reader, options, dropped trials).
    """

    activity: np.ndarray
    outputs: Mapping[str, np.ndarray]
    bin_width: float
    trial_ids: np.ndarray | None = None
    unit_names: tuple[str, ...] = ()
    decoders: Mapping[str, tuple[np.ndarray, np.ndarray | None]] = dataclasses.field(
        default_factory=dict
    )
    label: str = "recording"
    provenance: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        x = np.asarray(self.activity, dtype=np.float64)
        if x.ndim == 2:
            x = x[None]
        if x.ndim != 3 or min(x.shape) < 1 or x.shape[1] < 2:
            raise ValueError(
                f"activity has shape {np.shape(self.activity)}; allowed: [K, T, N] or [T, N] "
                "with >= 1 trial, >= 2 bins and >= 1 unit"
            )
        if not np.all(np.isfinite(x)):
            bad = int(x.size - np.count_nonzero(np.isfinite(x)))
            raise ValueError(f"activity has {bad} non-finite entries; activity must be finite")
        K, T, N = x.shape
        bw = real(self.bin_width, "bin_width", low=0.0, strict=True)
        if not isinstance(self.outputs, Mapping) or len(self.outputs) == 0:
            raise ValueError("outputs is empty; a recording needs >= 1 named output")
        outs: dict[str, np.ndarray] = {}
        for name, value in self.outputs.items():
            y = np.asarray(value, dtype=np.float64)
            if K == 1 and y.ndim in (1, 2) and y.shape[0] == T:
                y = y.reshape(1, T, -1)  # [T] or [T, d] of a single trial
            if y.ndim == x.ndim - 1:
                y = y[..., None]
            if y.ndim != 3 or y.shape[:2] != (K, T) or y.shape[2] < 1:
                raise ValueError(
                    f"output {name!r} has shape {np.shape(value)}; allowed: [K, T, d] with "
                    f"K, T = {K}, {T} of the activity (or [K, T] for d = 1)"
                )
            if np.any(np.isinf(y)):
                raise ValueError(f"output {name!r} has infinite entries; allowed: finite or NaN")
            if np.all(np.isnan(y)):
                raise ValueError(
                    f"output {name!r} is a gap (NaN) in every bin; no sample to analyse"
                )
            outs[str(name)] = y
        ids = np.arange(K) if self.trial_ids is None else np.asarray(self.trial_ids)
        if ids.shape != (K,):
            raise ValueError(f"trial_ids has shape {ids.shape}; allowed: one id per trial ({K},)")
        names = tuple(str(v) for v in self.unit_names) or tuple(str(i) for i in range(N))
        if len(names) != N:
            raise ValueError(f"unit_names has {len(names)} entries; allowed: one per unit ({N})")
        decoders: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        for name, pair in dict(self.decoders).items():
            if name not in outs:
                raise ValueError(
                    f"decoder {name!r} has no output of that name; outputs: {', '.join(outs)}"
                )
            w = np.asarray(pair[0], dtype=np.float64)
            w = w[:, None] if w.ndim == 1 else w
            d = outs[name].shape[-1]
            b = None if pair[1] is None else np.asarray(pair[1], dtype=np.float64).reshape(-1)
            if w.shape != (N, d) or (b is not None and b.shape != (d,)):
                raise ValueError(
                    f"decoder {name!r} has weights {w.shape} and intercept "
                    f"{None if b is None else b.shape}; allowed: "
                    f"({N}, {d}) and ({d},) for {N} units and the output's {d} dimensions"
                )
            if not (np.all(np.isfinite(w)) and (b is None or np.all(np.isfinite(b)))):
                raise ValueError(f"decoder {name!r} has non-finite weights; must be finite")
            decoders[name] = (w, b)
        object.__setattr__(self, "activity", x)
        object.__setattr__(self, "outputs", outs)
        object.__setattr__(self, "bin_width", bw)
        object.__setattr__(self, "trial_ids", ids)
        object.__setattr__(self, "unit_names", names)
        object.__setattr__(self, "decoders", decoders)
        object.__setattr__(self, "provenance", dict(self.provenance))

    def __repr__(self) -> str:
        K, T, N = self.activity.shape
        outs = ", ".join(f"{k} {v.shape[-1]}d" for k, v in self.outputs.items())
        dec = f", decoders: {', '.join(self.decoders)}" if self.decoders else ""
        return (
            f"Recording({self.label!r}: {K} trials × {T} bins of {self.bin_width * 1e3:g} ms × "
            f"{N} units; outputs: {outs}{dec})"
        )

    @property
    def n_trials(self) -> int:
        """K, the number of trials (or conditions)."""
        return int(self.activity.shape[0])

    @property
    def n_bins(self) -> int:
        """T, bins per trial."""
        return int(self.activity.shape[1])

    @property
    def n_units(self) -> int:
        """N, the number of units."""
        return int(self.activity.shape[2])

    @property
    def gaps(self) -> dict[str, int]:
        """Output name → number of gap bins (a NaN in any of its dimensions)."""
        return {
            k: int(np.count_nonzero(np.any(np.isnan(y), axis=-1))) for k, y in self.outputs.items()
        }

    @property
    def output_names(self) -> tuple[str, ...]:
        """Names of the outputs, in file order."""
        return tuple(self.outputs)

    def output(self, name: str | None = None) -> np.ndarray:
        """The ``[K, T, d]`` output ``name`` (None: the only one); ValueError listing the names."""
        if name is None:
            if len(self.outputs) != 1:
                raise ValueError(
                    f"output=None is not allowed with {len(self.outputs)} outputs; "
                    f"name one of: {', '.join(self.outputs)}"
                )
            return next(iter(self.outputs.values()))
        if name not in self.outputs:
            raise ValueError(
                f"output={name!r} is not in this recording; it has: {', '.join(self.outputs)}"
            )
        return self.outputs[name]

    def decoder(self, name: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The experimenter's readout (w ``[N, d]``, intercept ``[d]`` or None) of output
        ``name``, or None when it has to be fitted."""
        self.output(name)
        return self.decoders.get(name)

    def summary(self) -> dict[str, Any]:
        """Sizes, outputs, gaps and provenance (JSON-friendly), for reports."""
        return {
            "label": self.label,
            "trials": self.n_trials,
            "bins_per_trial": self.n_bins,
            "units": self.n_units,
            "bin_width_s": self.bin_width,
            "outputs": {k: int(v.shape[-1]) for k, v in self.outputs.items()},
            "gap_bins": dict(self.gaps),
            "decoders": sorted(self.decoders),
            "provenance": dict(self.provenance),
        }
