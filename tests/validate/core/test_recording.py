"""validate.core.recording: the Recording container checks its shapes and names its outputs."""

from __future__ import annotations

import numpy as np
import pytest

from validate.core.recording import Recording


def test_shapes_gaps_and_names() -> None:
    y = np.zeros((2, 5, 1))
    y[1, 2] = np.nan
    rec = Recording(np.ones((2, 5, 3)), {"vel": y, "pos": np.zeros((2, 5))}, 0.01)
    assert (rec.n_trials, rec.n_bins, rec.n_units) == (2, 5, 3)
    assert rec.gaps == {"vel": 1, "pos": 0}
    assert rec.output("pos").shape == (2, 5, 1)
    assert rec.unit_names == ("0", "1", "2")
    with pytest.raises(ValueError, match="it has: vel, pos"):
        rec.output("acc")
    with pytest.raises(ValueError, match="name one of: vel, pos"):
        rec.output()
    assert rec.decoder("vel") is None


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"activity": np.ones((5,))}, "activity has shape"),
        ({"activity": np.full((5, 2), np.nan)}, "non-finite"),
        ({"bin_width": 0.0}, "bin_width=0.0"),
        ({"outputs": {}}, "outputs is empty"),
        ({"outputs": {"v": np.ones((4, 1))}}, "output 'v' has shape"),
        ({"outputs": {"v": np.full((5, 1), np.nan)}}, "gap"),
        ({"decoders": {"v": (np.ones((3, 1)), None)}}, r"allowed: \(2, 1\)"),
        ({"decoders": {"w": (np.ones((2, 1)), None)}}, "no output of that name"),
        ({"unit_names": ("a",)}, "unit_names has 1"),
    ],
)
def test_bad_parts_are_refused_by_name(kwargs: dict, words: str) -> None:
    args = {"activity": np.ones((5, 2)), "outputs": {"v": np.ones(5)}, "bin_width": 0.02}
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        Recording(**args)
