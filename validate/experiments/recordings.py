r"""The paper's experimental-data analysis on recordings read from files (seed 000, "Quantifying
aligned and oblique dynamics in experimental data"; THEORY.md §6, last paragraph).

For each recording and each of its outputs (:class:`~validate.core.recording.Recording`):

1. **the full data**: with the experimenter's decoder when the output has one (BCI: w_out is
   given, :func:`~validate.analysis.recordings.analyse_readout`), otherwise the ridge readout
   fitted at the delay that maximises the cross-validated R² over ±``max_delay_ms``
   (:func:`~validate.analysis.recordings.analyse_recording`): ρ, ρ√N, D_x,90, D_fit,90,
   D_fit,90/D_x,90, R², the delay and the regime;
2. **the spread over data points**: the same on ``subsets`` random subsets of ``fraction`` of
   the samples (the paper: 20 × 25 %; :func:`~validate.analysis.recordings.subsample_points`);
3. **the scaling with neurons**: ρ·√n against n, the readout refitted on random subsets of n
   units (:func:`~validate.analysis.recordings.subsample_rho`), and the slope p of
   ρ√n ∝ n^p (aligned 1/2, oblique 0).

There is no claim to judge: the regime of a recording is a measurement, reported as such.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..analysis.recordings import (
    PointSubsets,
    RecordingAnalysis,
    Subsampling,
    analyse_readout,
    analyse_recording,
    subsample_points,
    subsample_rho,
)
from ..core.checks import real
from ..core.recording import Recording

__all__ = [
    "OutputAnalysis",
    "RecordingsResult",
    "analyse_recordings",
    "default_sizes",
]


def default_sizes(N: int, count: int = 6) -> list[int]:
    """Subset sizes for the ρ√n-vs-n scaling: ``count`` sizes spaced geometrically from
    min(8, N/4) (at least 2) to N, distinct integers."""
    lo = max(2, min(8, N // 4))
    if N <= lo:
        return [max(1, N // 2), N] if N >= 2 else [N]
    return sorted({int(round(v)) for v in np.geomspace(lo, N, count)})


@dataclasses.dataclass(frozen=True)
class OutputAnalysis:
    """One output of one recording.

    Attributes:
        label: the recording's label. output: the output's name.
        decoder: True if the readout was the file's decoder (no regression).
        full: the measures on all samples. points: the spread over data-point subsets.
        neurons: the ρ√n-vs-n scaling (None if the recording has fewer than 4 units).
        delay_ms: the delay used (positive: activity leads the output).
    """

    label: str
    output: str
    decoder: bool
    full: RecordingAnalysis
    points: PointSubsets
    neurons: Subsampling | None
    delay_ms: float

    @property
    def bins(self) -> int:
        """Samples (activity, output pairs) of the full-data analysis."""
        return self.full.n_samples

    @property
    def units(self) -> int:
        """N, the recording's units."""
        return self.full.N

    def summary(self) -> dict[str, Any]:
        """The scalars (JSON-friendly), with the subset spreads (mean, sd)."""
        out: dict[str, Any] = {
            "label": self.label,
            "output": self.output,
            "readout": "decoder" if self.decoder else "ridge regression",
            "delay_ms": self.delay_ms,
            **{k: v for k, v in self.full.summary().items() if k != "lag"},
            "subsets": {k: list(v) for k, v in self.points.spread().items()},
            "subset_fraction": self.points.fraction,
            "subset_count": self.points.repeats,
        }
        if self.neurons is not None:
            out.update(
                {
                    "p": self.neurons.p,
                    "p_se": self.neurons.p_se,
                    "sizes": self.neurons.sizes.tolist(),
                    "rho_sqrt_n_by_size": self.neurons.rho_sqrt_n.tolist(),
                }
            )
        return out


@dataclasses.dataclass(frozen=True)
class RecordingsResult:
    """Every output of every recording, in order, and the recordings' own summaries."""

    outputs: list[OutputAnalysis]
    recordings: list[dict[str, Any]]


def _lags(rec: Recording, max_delay_ms: float) -> list[int] | None:
    L = int(math.floor(max_delay_ms / (rec.bin_width * 1e3) + 1e-9))
    if L == 0:
        return None
    limit = (rec.n_bins - 2) // 2
    if L > limit:
        raise ValueError(
            f"max_delay_ms={max_delay_ms:g} is not allowed for {rec.label}: {L} bins of "
            f"{rec.bin_width * 1e3:g} ms, but its trials have {rec.n_bins} bins; allowed "
            f"<= {limit * rec.bin_width * 1e3:g} ms"
        )
    return list(range(-L, L + 1))


def analyse_recordings(
    recordings: Sequence[Recording],
    outputs: Sequence[str] | None = None,
    *,
    max_delay_ms: float = 300.0,
    subsets: int = 20,
    fraction: float = 0.25,
    neuron_repeats: int = 20,
    sizes: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> RecordingsResult:
    r"""The paper's panels for each recording and output (module docstring).

    **Arguments**
      recordings: Recordings (from :func:`validate.analysis.nwb_files.read_nwb` or
        :func:`validate.analysis.decoder_files.read_decoder_file`).
      outputs: output names to analyse (None: every output of each recording; a name a
        recording lacks is an error listing its names).
      max_delay_ms: delays searched, ±this (ms, ≥ 0; 0: no search); not used for decoders,
        which read the activity of the same bin.
      subsets, fraction: data-point subsets (≥ 2) and their share of the samples, in (0, 1).
      neuron_repeats: random unit subsets per size (≥ 2). sizes: subset sizes (default
        :func:`default_sizes`). seed: integer ≥ 0 for every random draw.
      progress: tqdm bars. log: progress lines.

    **Returns** :class:`RecordingsResult`.
    """
    if not recordings or not all(isinstance(r, Recording) for r in recordings):
        raise ValueError("recordings must be a non-empty sequence of Recording objects")
    max_delay = real(max_delay_ms, "max_delay_ms", low=0.0)
    say = log or (lambda _m: None)
    jobs = []
    for rec in recordings:
        names = list(outputs) if outputs is not None else list(rec.output_names)
        for name in names:
            rec.output(name)  # the error lists the recording's outputs
            jobs.append((rec, name))
    done = []
    for rec, name in jobs:
        dec = rec.decoder(name) is not None
        say(f"[recordings] {rec.label}: {name} ({'decoder' if dec else 'ridge readout'})")
        if dec:
            full = analyse_readout(rec, name)
        else:
            full = analyse_recording(rec, name, lags=_lags(rec, max_delay))
        points = subsample_points(
            rec,
            name,
            fraction=fraction,
            repeats=subsets,
            seed=seed,
            lag=full.lag,
            progress=progress,
        )
        neurons = None
        if rec.n_units >= 4:
            neurons = subsample_rho(
                rec,
                name,
                sizes=list(sizes) if sizes is not None else default_sizes(rec.n_units),
                repeats=neuron_repeats,
                seed=seed,
                lag=full.lag,
                progress=progress,
            )
        done.append(
            OutputAnalysis(
                label=rec.label,
                output=name,
                decoder=dec,
                full=full,
                points=points,
                neurons=neurons,
                delay_ms=full.lag * rec.bin_width * 1e3,
            )
        )
    return RecordingsResult(outputs=done, recordings=[r.summary() for r in recordings])
