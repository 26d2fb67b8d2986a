r"""Recording files with known answers: an NWB file in the Neural Latents Benchmark layout and a
BCI decoder file, both made from :func:`validate.analysis.recordings.synthetic_recording`.

They exercise the readers (:mod:`validate.analysis.nwb_files`,
:mod:`validate.analysis.decoder_files`) and ``oblique recordings`` end to end without a
download, and show what the analysis recovers from spikes.

Spikes from rates
-----------------
The synthetic activity x(t) ``[T, N]`` (one bin = ``bin_ms``) is turned into firing rates
r_i(t) = r₀ + g·x_i(t) with the gain g = ``gain_hz`` (spikes/s per unit of x) and the offset
r₀ = 4·g·sd(x), so a rate is negative with probability ≈ 3·10⁻⁵ per bin; those are set to 0 and
counted (``truth["clipped_bins"]``). Two ways to draw spikes:

* ``"poisson"``: counts Poisson(r·Δ), each spike placed uniformly in its bin (away from the
  edges by 1 % of a bin, so bin membership is exact). Read back at the same bins without
  smoothing, the activity is counts/Δ = r₀ + g·x + noise of variance r̄/Δ, i.e. in units of x
  independent noise of variance r̄/(g²Δ) per neuron (r̄ the mean rate);
* ``"regular"``: a spike whenever the integrated rate ∫r dt plus a random phase (uniform, one
  per unit) crosses an integer (a perfect integrator firing at rate r). Counts differ from
  r·Δ by a difference of two fractional parts: noise of variance 1/6 counts² per bin, i.e.
  1/(6 (gΔ)²) in units of x — small enough at gΔ ≥ 1 that the synthetic regime is recoverable
  from a few thousand bins, which Poisson noise at realistic rates does not allow.

The noise variance in units of x is ``truth["spike_noise_var"]``; :func:`expected_rho` adds
it to the synthetic observation noise.
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .recordings import synthetic_recording

__all__ = ["expected_rho", "write_synthetic_decoder_file", "write_synthetic_nwb"]

#: Behaviour samples per bin in the synthetic NWB file (1 kHz at 20 ms bins).
SAMPLES_PER_BIN = 20


def write_synthetic_nwb(
    path: str | Path,
    kind: Literal["aligned", "oblique"] = "aligned",
    *,
    N: int = 32,
    trials: int = 60,
    trial_bins: int = 25,
    d: int = 2,
    bin_ms: float = 20.0,
    gain_hz: float = 40.0,
    noise: float = 0.1,
    tau: float = 5.0,
    conditions: int = 4,
    gap_bins: tuple[int, int] | None = None,
    spiking: Literal["poisson", "regular"] = "poisson",
    seed: int = 0,
) -> dict[str, Any]:
    r"""Write an NWB file in the NLB layout from a synthetic recording; returns its truth.

    Layout: ``units`` (spike times, s), ``processing/behavior/hand_vel`` (d columns sampled
    :data:`SAMPLES_PER_BIN` times per bin, timestamps in s; piecewise constant over each bin, so
    the bin mean is the synthetic value), and a ``trials`` table with ``start_time``,
    ``stop_time``, ``move_onset_time`` (start + 250 ms) and ``condition`` (trial mod
    ``conditions``). Trials are consecutive, ``trial_bins`` bins each: reading with
    ``align="move_onset_time"`` and ``window_ms=(-250, trial_bins·bin_ms − 250)`` returns them
    bin for bin. ``gap_bins`` = (start, stop) sets those bins of the behaviour to NaN.

    **Returns** truth: that of :func:`synthetic_recording` plus ``counts`` ``[T, N]``,
    ``rates`` ``[T, N]`` (Hz), ``X`` and ``Y`` (the synthetic arrays), ``gain_hz``, ``r0``,
    ``clipped_bins``, ``poisson_var`` (Poisson noise variance per neuron in units of x),
    ``bin_ms``, ``trial_bins``, ``trials``.
    """
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    T = trials * trial_bins
    X, Y, truth = synthetic_recording(kind, N=N, T=T, d=d, noise=noise, seed=seed, tau=tau)
    truth["noise"] = noise
    rng = np.random.default_rng([seed, 1])
    bw = bin_ms / 1e3
    r0 = 4.0 * gain_hz * float(X.std())
    rates = r0 + gain_hz * X
    clipped = int(np.count_nonzero(rates < 0))
    rates = np.maximum(rates, 0.0)
    if spiking == "poisson":
        counts = rng.poisson(rates * bw)
        spike_bins = [np.repeat(np.arange(T), counts[:, i]) for i in range(N)]
        spike_times = [(b + rng.uniform(0.01, 0.99, b.size)) * bw for b in spike_bins]
        noise_var = float(rates.mean()) / (gain_hz**2 * bw)
    elif spiking == "regular":
        # a spike whenever the integrated rate plus a random phase crosses an integer
        cum = np.concatenate([np.zeros((1, N)), np.cumsum(rates * bw, axis=0)])  # [T+1, N]
        phase = rng.uniform(0.0, 1.0, N)
        edges = np.arange(T + 1) * bw
        counts = np.diff(np.floor(cum + phase), axis=0).astype(np.int64)
        spike_times = []
        for i in range(N):
            m = np.arange(1, int(np.floor(cum[-1, i] + phase[i])) + 1) - phase[i]
            spike_times.append(np.interp(m, cum[:, i], edges))
        noise_var = 1.0 / (6.0 * (gain_hz * bw) ** 2)
    else:
        raise ValueError(f"spiking={spiking!r} is not allowed; allowed: poisson, regular")
    nwb = NWBFile(
        session_description=f"synthetic {kind} recording (validate.analysis.synthetic_files)",
        identifier=f"synthetic-{kind}-{seed}",
        session_start_time=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    )
    for i in range(N):
        nwb.add_unit(spike_times=np.sort(spike_times[i]))
    beh = nwb.create_processing_module("behavior", "synthetic behaviour")
    y = np.array(Y, dtype=np.float64)
    if gap_bins is not None:
        y[gap_bins[0] : gap_bins[1]] = np.nan
    t = (np.arange(T * SAMPLES_PER_BIN) + 0.5) * (bw / SAMPLES_PER_BIN)
    beh.add(
        TimeSeries(
            name="hand_vel",
            data=np.repeat(y, SAMPLES_PER_BIN, axis=0),
            timestamps=t,
            unit="a.u.",
        )
    )
    nwb.add_trial_column("move_onset_time", "event to align to (s)")
    nwb.add_trial_column("condition", "condition index")
    for k in range(trials):
        start = k * trial_bins * bw
        nwb.add_trial(
            start_time=start,
            stop_time=start + trial_bins * bw,
            move_onset_time=start + 0.25,
            condition=k % conditions,
        )
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    truth.update(
        {
            "counts": counts,
            "rates": rates,
            "X": X,
            "Y": Y,
            "gain_hz": gain_hz,
            "r0": r0,
            "clipped_bins": clipped,
            "spike_noise_var": noise_var,
            "bin_ms": bin_ms,
            "trial_bins": trial_bins,
            "trials": trials,
        }
    )
    return truth


def expected_rho(truth: dict[str, Any]) -> float:
    r"""ρ (aligned) or ρ·√N (oblique) expected for the activity read back from a synthetic NWB
    file: :func:`synthetic_recording`'s N, T → ∞ limit with the observation noise variance
    noise² raised by the spike-count variance ``truth["spike_noise_var"]`` (module docstring);
    for aligned data times the leading finite-N factor 1/√(1 + (k − 1)/N) of a readout that must
    cancel the other k − 1 latent modes (:mod:`validate.analysis.recordings`, effect (a)). The
    neglected terms are O(N²/T) (the fitted readout's noise) and, for oblique data, the chance
    correlations of effect (b)."""
    lam = np.asarray(truth["latent_variance"], dtype=np.float64)
    noise2 = float(truth["noise"]) ** 2 + float(truth["spike_noise_var"])
    d = int(truth["d"])
    if truth["kind"] == "aligned":
        limit = d / (float(np.sum(1.0 / lam[:d])) * (float(lam.sum()) + noise2))
        return math.sqrt(limit / (1.0 + (lam.size - 1) / int(truth["N"])))
    return math.sqrt((1.0 + noise2) / (float(lam.sum()) + 1.0 + noise2))


def write_synthetic_decoder_file(
    path: str | Path,
    kind: Literal["aligned", "oblique"] = "aligned",
    *,
    N: int = 64,
    T: int = 2000,
    d: int = 2,
    bin_ms: float = 20.0,
    seed: int = 0,
) -> dict[str, Any]:
    r"""Write a BCI decoder file (``.npz`` or ``.mat`` v5 by the suffix) whose decoder is the
    synthetic recording's true readout ``w_true`` (aligned: the dominant modes; oblique: a
    low-variance direction) and whose output is that decoder applied to the activity plus
    0.05 white noise. Arrays: ``activity`` ``[T, N]``, ``output`` ``[T, d]``, ``decoder``
    ``[N, d]``, ``intercept`` ``[d]``, ``bin_width`` (s).

    **Returns** truth of :func:`synthetic_recording` plus ``X``, ``output``, ``decoder``,
    ``intercept`` and ``rho`` (the decoder's exact ρ on the activity).
    """
    from .measures import readout_correlation

    X, _, truth = synthetic_recording(kind, N=N, T=T, d=d, seed=seed)
    rng = np.random.default_rng([seed, 2])
    w = np.asarray(truth["w_true"], dtype=np.float64)
    b = rng.standard_normal(d)
    out = X @ w + b + 0.05 * rng.standard_normal((T, d))
    arrays = {"activity": X, "output": out, "decoder": w, "intercept": b, "bin_width": bin_ms / 1e3}
    path = Path(path)
    if path.suffix.lower() == ".mat":
        import scipy.io

        scipy.io.savemat(str(path), arrays)
    else:
        np.savez(path, **arrays)  # type: ignore[arg-type]
    truth.update(
        {
            "X": X,
            "output": out,
            "decoder": w,
            "intercept": b,
            "rho": float(readout_correlation(w, X - X.mean(axis=0))),
        }
    )
    return truth
