"""validate.analysis.decoder_files: BCI decoder files (.npz, .mat v5, .mat v7.3) read exactly;
the decoder is analysed as given (its ρ is the exact ρ of the written weights)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from validate.analysis.decoder_files import read_decoder_file
from validate.analysis.recordings import analyse_readout
from validate.analysis.synthetic_files import write_synthetic_decoder_file


@pytest.mark.parametrize("suffix", [".npz", ".mat"])
@pytest.mark.parametrize("kind", ["aligned", "oblique"])
def test_round_trip_gives_the_decoders_rho(tmp_path: Path, suffix: str, kind: str) -> None:
    path = tmp_path / f"bci{suffix}"
    truth = write_synthetic_decoder_file(path, kind, N=24, T=300, seed=2)
    rec = read_decoder_file(path)
    np.testing.assert_array_equal(rec.activity[0], truth["X"])
    w, b = rec.decoder("output")
    np.testing.assert_array_equal(w, truth["decoder"])
    np.testing.assert_array_equal(b, truth["intercept"])
    res = analyse_readout(rec, "output")
    assert res.rho == pytest.approx(truth["rho"], rel=1e-12)
    assert res.regime == kind
    assert res.r2 > 0.99  # the output is the decoder's, up to 0.05 noise


@pytest.mark.parametrize("header", [True, False])
def test_matlab_v73_is_read_in_matlab_index_order(tmp_path: Path, header: bool) -> None:
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(0)
    X, w = rng.standard_normal((50, 6)), rng.standard_normal((6, 2))
    path = tmp_path / "v73.mat"
    # MATLAB writes column-major (HDF5 sees the transpose) after a 512-byte text header
    with h5py.File(path, "w", userblock_size=512 if header else 0) as f:
        f["activity"] = X.T
        f["output"] = (X @ w).T
        f["decoder"] = w.T
        f["bin_width"] = np.array([[0.05]])
    if header:
        with open(path, "r+b") as fh:
            fh.write(b"MATLAB 7.3 MAT-file, Platform: GLNXA64")
    rec = read_decoder_file(path)
    np.testing.assert_array_equal(rec.activity[0], X)
    np.testing.assert_array_equal(rec.decoder("output")[0], w)
    assert rec.bin_width == 0.05


@pytest.mark.parametrize(
    ("arrays", "kwargs", "words"),
    [
        ({"activity": np.ones((10, 3)), "output": np.ones(10)}, {}, "it has: activity, output"),
        (
            {"activity": np.ones((10, 3)), "output": np.ones((10, 2)), "decoder": np.ones((2, 3))},
            {"bin_ms": 10},
            r"allowed: \(3, 2\)",
        ),
        (
            {"activity": np.ones((10, 3)), "output": np.ones((9, 2)), "decoder": np.ones((3, 2))},
            {"bin_ms": 10},
            "leading axes",
        ),
        (
            {"activity": np.ones((10, 3)), "output": np.ones(10), "decoder": np.ones(3)},
            {},
            "no scalar 'bin_width'",
        ),
    ],
)
def test_bad_files_are_refused_by_name(
    tmp_path: Path, arrays: dict, kwargs: dict, words: str
) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=words):
        read_decoder_file(path, **kwargs)


def test_a_truncated_or_unknown_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.npz"
    write_synthetic_decoder_file(path, "aligned", N=12, T=50)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a readable .npz"):
        read_decoder_file(path)
    with pytest.raises(ValueError, match="suffix .txt"):
        (tmp_path / "a.txt").write_text("x")
        read_decoder_file(tmp_path / "a.txt")
