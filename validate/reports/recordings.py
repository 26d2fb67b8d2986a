r"""The report of ``oblique recordings``: read files, analyse, draw, assemble.

:func:`read_recordings` turns files into :class:`~validate.core.recording.Recording` objects
by suffix (``.nwb``: :func:`validate.analysis.nwb_files.read_nwb`; ``.npz``/``.mat``:
:func:`validate.analysis.decoder_files.read_decoder_file`); :func:`run_recordings_report` runs
:func:`validate.experiments.recordings.analyse_recordings` on them and writes
``report.md/.html/.json`` with the paper's panels (``recordings_panels.png``) and the scaling
with neurons (``recordings_scaling.png``) into ``out_dir``. The command line is
:mod:`validate.commands.recordings`.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..analysis.decoder_files import DECODER_SUFFIXES, read_decoder_file
from ..analysis.nwb_files import read_nwb
from ..analysis.recordings import GUIDE_SLOPES
from ..core.checks import real
from ..core.recording import Recording
from ..core.report import Section, run_metadata, write_report
from ..core.report import format_short as _fmt
from ..experiments.recordings import RecordingsResult, analyse_recordings
from ..figures.recordings import plot_recording_panels, plot_subsampling
from .figure_guard import Figures
from .progress import progress_logger

__all__ = ["read_recordings", "recordings_section", "run_recordings_report"]


def read_recordings(
    files: Sequence[str | Path],
    *,
    outputs: Sequence[str] | None = None,
    bin_ms: float = 20.0,
    smooth_ms: float = 0.0,
    align: str | None = None,
    window_ms: tuple[float, float] | None = None,
    condition: str | None = None,
    arrays: tuple[str, str, str] = ("activity", "output", "decoder"),
    decoder_bin_ms: float | None = None,
) -> list[Recording]:
    """One Recording per file, the reader chosen by the suffix (module docstring); the NWB
    options go to :func:`~validate.analysis.nwb_files.read_nwb`, ``arrays`` (activity, output,
    decoder names) and ``decoder_bin_ms`` to
    :func:`~validate.analysis.decoder_files.read_decoder_file` (``outputs`` does not apply to
    decoder files: a warning says so)."""
    if not files:
        raise ValueError("files is empty; name >= 1 recording file")
    # the NWB options are checked whatever the files (read_nwb checks them again per file):
    # a bad value is refused even when only decoder files are given
    real(bin_ms, "bin_ms", low=0.0, strict=True)
    real(smooth_ms, "smooth_ms", low=0.0)
    recs = []
    labels: dict[str, int] = {}
    for f in files:
        path = Path(f)
        suffix = path.suffix.lower()
        stem = path.stem
        labels[stem] = labels.get(stem, 0) + 1
        label = stem if labels[stem] == 1 else f"{stem} ({labels[stem]})"
        if suffix == ".nwb":
            recs.append(
                read_nwb(
                    path,
                    outputs,
                    bin_ms=bin_ms,
                    smooth_ms=smooth_ms,
                    align=align,
                    window_ms=window_ms,
                    condition=condition,
                    label=label,
                )
            )
        elif suffix in DECODER_SUFFIXES:
            rec = read_decoder_file(
                path,
                activity=arrays[0],
                output=arrays[1],
                decoder=arrays[2],
                bin_ms=decoder_bin_ms,
                label=label,
            )
            if outputs is not None:  # said, not silently ignored
                warnings.warn(
                    f"outputs={list(outputs)!r} selects NWB series; {path.name} is a decoder "
                    f"file whose output is the array {arrays[1]!r} (set by arrays=)",
                    stacklevel=2,
                )
            recs.append(rec)
        else:
            raise ValueError(
                f"{path}: suffix {suffix or '(none)'} is not a recording file; allowed: .nwb, "
                + ", ".join(DECODER_SUFFIXES)
            )
    return recs


def _table(result: RecordingsResult) -> tuple[str, list[str], list[list[str]]]:
    header = [
        "recording",
        "output",
        "readout",
        "N",
        "samples",
        "delay (ms)",
        "ρ",
        "ρ√N",
        "regime",
        "D_x,90",
        "D_fit,90",
        "D_fit/D_x",
        "R² (CV)",
        "ρ over subsets",
        "D_fit/D_x over subsets",
        "p (ρ√n ∝ n^p)",
    ]
    body = []
    for o in result.outputs:
        sp = o.points.spread()
        r2 = _fmt(o.full.r2) + ("" if o.decoder else f" ({_fmt(o.full.r2_cv)})")
        p = f"{_fmt(o.neurons.p)} ± {_fmt(o.neurons.p_se)}" if o.neurons is not None else "–"
        body.append(
            [
                o.label,
                o.output,
                "decoder" if o.decoder else "ridge",
                str(o.units),
                str(o.bins),
                f"{o.delay_ms:g}",
                _fmt(o.full.rho),
                _fmt(o.full.rho_sqrt_n),
                o.full.regime,
                str(o.full.D_x),
                str(o.full.D_fit),
                _fmt(o.full.ratio),
                r2,
                f"{_fmt(sp['rho'][0])} ± {_fmt(sp['rho'][1])}",
                f"{_fmt(sp['ratio'][0])} ± {_fmt(sp['ratio'][1])}",
                p,
            ]
        )
    return (
        "Per recording and output: the full data, the spread (mean ± sd) over the random "
        "subsets of data points, and the slope p of ρ√n against the number of units n",
        header,
        body,
    )


def recordings_section(result: RecordingsResult, out_dir: str | Path) -> Section:
    """The report :class:`~validate.core.report.Section`: table and the two figures."""
    out_dir = Path(out_dir)
    figs = Figures()
    figs.draw(plot_recording_panels, result, out_dir / "recordings_panels.png")
    scal = [o for o in result.outputs if o.neurons is not None]
    if scal:
        figs.draw(
            plot_subsampling,
            [o.neurons for o in scal],
            out_dir / "recordings_scaling.png",
            labels=[f"{o.label}: {o.output}" for o in scal],
        )
    first = result.outputs[0].points
    guides = ", ".join(f"{p:g}" for p in GUIDE_SLOPES)
    text = (
        "Aligned or oblique dynamics in recorded activity (THEORY §6, last paragraph; the "
        "paper's analysis of experimental data). For each output the readout is the file's "
        "decoder when it has one (brain–computer interface: w_out given, no regression), "
        "otherwise a ridge readout fitted at the delay with the best cross-validated R². "
        "ρ is the correlation between w_out and the mean-centred activity (a random readout "
        "has ρ ≈ 1/√N; aligned dynamics have ρ = O(1)); D_fit,90/D_x,90 compares the PCs "
        "needed for 90 % of the output's R² with those for 90 % of the activity's variance. "
        f"Spread: {first.repeats} random subsets of {first.fraction:.0%} of the data points. "
        f"Scaling: ρ√n against n for the readout refitted on random subsets of n units, slope "
        f"p (guides {guides}: aligned 1/2, oblique 0). The regime is a measurement, not a "
        "claim: no row is judged."
    )
    return Section(
        name="recordings",
        title="Recordings: aligned or oblique",
        rows=[],
        figures=figs.paths,
        text=text + figs.note(),
        summary={
            "recordings": result.recordings,
            "outputs": [o.summary() for o in result.outputs],
        },
        tables=[_table(result)],
        verdict=True,
    )


def run_recordings_report(
    files: Sequence[str | Path],
    *,
    out_dir: str | Path = "oblique-recordings",
    read_options: dict[str, Any] | None = None,
    outputs: Sequence[str] | None = None,
    max_delay_ms: float = 300.0,
    subsets: int = 20,
    fraction: float = 0.25,
    neuron_repeats: int = 20,
    sizes: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = True,
    command: str | None = None,
    stream: Any = None,
) -> tuple[Path, RecordingsResult]:
    """Read ``files``, analyse every output, write the report; returns (report.md, result).
    ``read_options`` go to :func:`read_recordings`; the rest to
    :func:`~validate.experiments.recordings.analyse_recordings`."""
    stream = sys.stderr if stream is None else stream
    log = progress_logger(progress, stream)
    t0 = time.perf_counter()
    recs = read_recordings(files, outputs=outputs, **(read_options or {}))
    for r in recs:
        log(f"[recordings] read {r!r}")
        gaps = {k: v for k, v in r.gaps.items() if v}
        if gaps:
            log(f"[recordings] {r.label}: gap bins dropped: {gaps}")
    result = analyse_recordings(
        recs,
        None,
        max_delay_ms=max_delay_ms,
        subsets=subsets,
        fraction=fraction,
        neuron_repeats=neuron_repeats,
        sizes=sizes,
        seed=seed,
        progress=progress,
        log=log,
    )
    out_dir = Path(out_dir)
    sec = recordings_section(result, out_dir)
    sec.wall_time_s = time.perf_counter() - t0
    meta = run_metadata(
        command=command,
        wall_time_s=sec.wall_time_s,
        files=[str(f) for f in files],
        read_options=dict(read_options or {}),
        max_delay_ms=max_delay_ms,
        subsets=subsets,
        fraction=fraction,
        neuron_repeats=neuron_repeats,
        seed=seed,
    )
    path = write_report([sec], out_dir, title="Recordings: aligned and oblique dynamics", meta=meta)
    return path, result
