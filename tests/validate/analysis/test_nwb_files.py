"""validate.analysis.nwb_files: NWB files in the NLB layout read back exactly; broken files give
one-line errors naming what is wrong."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")

from validate.analysis.nwb_files import nwb_series_names, read_nwb  # noqa: E402
from validate.analysis.synthetic_files import write_synthetic_nwb  # noqa: E402

BIN = 20.0


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("nwb") / "small.nwb"
    truth = write_synthetic_nwb(
        path, "aligned", N=12, trials=8, trial_bins=10, gain_hz=5.0, gap_bins=(13, 17), seed=3
    )
    return path, truth


def _window(truth: dict) -> tuple[float, float]:
    return (-250.0, truth["trial_bins"] * BIN - 250.0)


def test_aligned_trials_are_the_written_bins(small: tuple[Path, dict]) -> None:
    path, truth = small
    rec = read_nwb(path, "hand_vel", align="move_onset_time", window_ms=_window(truth))
    K, T, N = rec.activity.shape
    assert (K, T, N) == (truth["trials"], truth["trial_bins"], 12)
    # spike counts exactly (Poisson spikes placed inside their bins)
    np.testing.assert_array_equal(rec.activity.reshape(-1, N) * (BIN / 1e3), truth["counts"])
    y = rec.output("hand_vel").reshape(-1, 2)
    gap = np.zeros(K * T, bool)
    gap[13:17] = True
    assert np.all(np.isnan(y[gap])) and rec.gaps["hand_vel"] == 4
    np.testing.assert_allclose(y[~gap], truth["Y"][~gap], rtol=0, atol=1e-12)
    assert rec.provenance["trials_used"] == truth["trials"]


def test_continuous_series_and_default_outputs(small: tuple[Path, dict]) -> None:
    path, truth = small
    rec = read_nwb(path)  # every series of processing/behavior, no alignment
    assert rec.output_names == ("hand_vel",) and rec.n_trials == 1
    # bins start at the first behaviour sample (half a sample after 0): reference counts by
    # np.histogram of the spike times as stored
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        spikes = [np.asarray(s) for s in nwb.units["spike_times"][:]]
        t0 = float(nwb.processing["behavior"]["hand_vel"].timestamps[0])
    edges = t0 + np.arange(rec.n_bins + 1) * (BIN / 1e3)
    ref = np.stack([np.histogram(s, edges)[0] for s in spikes], axis=1)
    np.testing.assert_array_equal(rec.activity[0] * (BIN / 1e3), ref)
    assert rec.n_bins == int(
        (truth["trials"] * truth["trial_bins"] * BIN / 1e3 - 2 * t0) / (BIN / 1e3)
    )
    assert nwb_series_names(path) == ["hand_vel"]


def test_condition_average_is_the_mean_over_trials(small: tuple[Path, dict]) -> None:
    path, truth = small
    w = _window(truth)
    single = read_nwb(path, "hand_vel", align="move_onset_time", window_ms=w)
    avg = read_nwb(path, "hand_vel", align="move_onset_time", window_ms=w, condition="condition")
    cond = np.arange(truth["trials"]) % 4
    assert avg.n_trials == 4 and list(avg.trial_ids) == [0, 1, 2, 3]
    for c in range(4):
        np.testing.assert_allclose(avg.activity[c], single.activity[cond == c].mean(axis=0))
        y = single.output("hand_vel")[cond == c]
        expect = np.nanmean(np.where(np.isnan(y), np.nan, y), axis=0)
        np.testing.assert_allclose(avg.output("hand_vel")[c], expect)


def test_smoothing_is_a_gaussian_filter_of_the_counts(small: tuple[Path, dict]) -> None:
    from scipy.ndimage import gaussian_filter1d

    path, truth = small
    w = _window(truth)
    rec = read_nwb(path, "hand_vel", align="move_onset_time", window_ms=w, smooth_ms=40.0)
    counts = truth["counts"].astype(float)  # consecutive trials: one long series
    # spikes beyond the written span do not exist, so a zero-padded filter is the reference
    ref = gaussian_filter1d(counts, 2.0, axis=0, mode="constant", truncate=4.0) / (BIN / 1e3)
    np.testing.assert_allclose(rec.activity.reshape(-1, 12), ref, rtol=1e-12, atol=1e-9)


def test_rate_and_starting_time_series(tmp_path: Path) -> None:
    nwb = _empty()
    nwb.add_unit(spike_times=np.array([0.005, 0.025, 0.027, 0.061]))
    beh = nwb.create_processing_module("behavior", "b")
    beh.add(
        pynwb.TimeSeries(name="x", data=np.arange(100.0), starting_time=0.0, rate=1000.0, unit="a")
    )
    path = _write(nwb, tmp_path / "rate.nwb")
    rec = read_nwb(path, "x", bin_ms=20.0)
    np.testing.assert_array_equal(rec.activity[0, :, 0] * 0.02, [1, 2, 0, 1][: rec.n_bins])
    np.testing.assert_allclose(rec.output("x")[0, :, 0], [9.5, 29.5, 49.5, 69.5][: rec.n_bins])


def _empty() -> pynwb.NWBFile:
    return pynwb.NWBFile(
        session_description="t",
        identifier="t",
        session_start_time=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    )


def _write(nwb: pynwb.NWBFile, path: Path) -> Path:
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def _behaviour(nwb: pynwb.NWBFile, n: int = 200, timestamps: np.ndarray | None = None) -> None:
    beh = nwb.create_processing_module("behavior", "b")
    t = np.arange(n) * 1e-3 if timestamps is None else timestamps
    beh.add(pynwb.TimeSeries(name="hand_vel", data=np.ones((n, 2)), timestamps=t, unit="a"))


def broken_no_units(tmp_path: Path) -> Path:
    nwb = _empty()
    _behaviour(nwb)
    return _write(nwb, tmp_path / "no_units.nwb")


def broken_timestamps(tmp_path: Path) -> Path:
    import h5py

    nwb = _empty()
    nwb.add_unit(spike_times=[0.01])
    _behaviour(nwb, 200)
    path = _write(nwb, tmp_path / "timestamps.nwb")
    with h5py.File(path, "r+") as f:  # pynwb refuses to write it: cut the timestamps after
        key = "processing/behavior/hand_vel/timestamps"
        attrs = dict(f[key].attrs)
        del f[key]
        f.create_dataset(key, data=np.arange(150) * 1e-3)  # 150 timestamps for 200 samples
        f[key].attrs.update(attrs)
    return path


def broken_trials(tmp_path: Path) -> Path:
    nwb = _empty()
    nwb.add_unit(spike_times=[0.01])
    _behaviour(nwb)
    return _write(nwb, tmp_path / "no_trials.nwb")


def broken_truncated(tmp_path: Path, small: tuple[Path, dict]) -> Path:
    data = small[0].read_bytes()
    path = tmp_path / "truncated.nwb"
    path.write_bytes(data[: len(data) // 3])
    return path


BROKEN = {
    "no units": (broken_no_units, {"outputs": "hand_vel"}, "no units table"),
    "missing output": (broken_trials, {"outputs": "cursor_vel"}, "it has: hand_vel"),
    "misaligned timestamps": (broken_timestamps, {"outputs": "hand_vel"}, "150 timestamps for 200"),
    "empty trials": (
        broken_trials,
        {"outputs": "hand_vel", "align": "go"},
        "trials table is empty",
    ),
    "truncated": (broken_truncated, {}, "not a readable NWB file"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_a_one_line_error_naming_the_problem(
    case: str, tmp_path: Path, small: tuple[Path, dict]
) -> None:
    make, kwargs, words = BROKEN[case]
    path = make(tmp_path, small) if make is broken_truncated else make(tmp_path)
    with pytest.raises(ValueError, match=words) as err:
        read_nwb(path, **kwargs)
    assert "\n" not in str(err.value)


def test_a_missing_trials_column_lists_the_columns(small: tuple[Path, dict]) -> None:
    with pytest.raises(ValueError, match="it has: start_time, stop_time, move_onset_time"):
        read_nwb(small[0], "hand_vel", align="go_cue_time")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"bin_ms": 0}, "bin_ms=0"),
        ({"smooth_ms": -1.0}, "smooth_ms=-1.0"),
        ({"condition": "condition"}, "without align"),
        ({"align": "move_onset_time", "window_ms": (0, 10)}, ">= 2 bins"),
    ],
)
def test_bad_options_are_refused_by_name(
    small: tuple[Path, dict], kwargs: dict, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        read_nwb(small[0], "hand_vel", **kwargs)
