"""Fuzz tests (hypothesis) of every sub-command's argument parser and of
``TrainConfig.from_json``: random options, strings, numbers and JSON give a usage exit
(argparse's 0 for --help, 2 otherwise), ValueError or TypeError — never another exception.

Handlers are not run (they would train or write reports), except ``oblique predict``,
whose handler is pure arithmetic: its exit status must be 0 or 2 and its error one line.
``TrainConfig.preset`` with the parsed ``train`` options is the train handler's validation
step, run here on every parsed example."""

from __future__ import annotations

import argparse
import contextlib
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulate._cli import _overrides
from simulate.config import TrainConfig
from validate.cli import build_parser, main

PARSER = build_parser()


def _subparsers(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    out = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out[prefix + (name,)] = sub
                out.update(_subparsers(sub, prefix + (name,)))
    return out


COMMANDS = _subparsers(PARSER)
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["-1e-3", "1e300", "-0", "nan", "-inf", "1_000", "0x10", "", " ", "--"]),
)


def _tokens(sub: argparse.ArgumentParser) -> st.SearchStrategy[list[str]]:
    options = [s for a in sub._actions for s in a.option_strings if s not in ("-h", "--help")]
    choices = [
        c
        for a in sub._actions
        if a.choices and not isinstance(a, argparse._SubParsersAction)
        for c in a.choices
    ]
    token = st.one_of(
        st.sampled_from(options or ["--x"]),
        NUMBERS,
        st.sampled_from(choices or ["x"]),
        st.text(max_size=12),
    )
    return st.lists(token, max_size=8)


def _parse(argv: list[str]) -> argparse.Namespace | int:
    """The namespace, or argparse's exit status (stdout/stderr swallowed)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            return PARSER.parse_args(argv)
        except SystemExit as exit_:
            return int(exit_.code or 0)


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_parser_only_exits_with_usage_codes(command, data) -> None:
    argv = [*command, *data.draw(_tokens(COMMANDS[command]))]
    result = _parse(argv)
    if isinstance(result, int):
        assert result in (0, 2), argv
        return
    if command == ("train",):  # the handler's validation step, before anything is written
        try:
            TrainConfig.preset(result.preset, **_overrides(result))
        except (ValueError, TypeError):
            pass


PREDICT = COMMANDS[("predict",)]


@settings(max_examples=60, deadline=None)
@given(tokens=_tokens(PREDICT))
def test_predict_runs_to_0_or_2_with_one_line(tokens) -> None:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            status = main(["predict", *tokens])
        except SystemExit as exit_:  # argparse
            status = int(exit_.code or 0)
    assert status in (0, 2), (tokens, err.getvalue())
    if status == 2 and "usage:" not in err.getvalue():
        lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("oblique predict: error: "), lines


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
VALID = TrainConfig.preset("gd_scaling", N=16, seeds=2, steps=20).to_dict()


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=40), JSON.map(json.dumps)))
def test_from_json_of_random_text_and_json_is_value_or_type_error(text) -> None:
    try:
        TrainConfig.from_json(text)
    except (ValueError, TypeError):
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(sorted(VALID)), JSON, min_size=1, max_size=3),
    st.lists(st.sampled_from(sorted(VALID)), max_size=2),
)
def test_from_json_of_a_mutated_config_is_value_or_type_error(changes, dropped) -> None:
    d = dict(VALID, **changes)
    for k in dropped:
        d.pop(k, None)
    try:
        config = TrainConfig.from_json(json.dumps(d))
    except (ValueError, TypeError):
        return
    assert TrainConfig.from_json(config.to_json()) == config  # what is accepted round-trips
