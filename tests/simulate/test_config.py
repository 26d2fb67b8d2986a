"""TrainConfig (simulate.config): validation, presets, JSON round trip; export lists; CLI
presets. No training here (fast): runs are tested in test_training.py / test_runs.py."""

from __future__ import annotations

import dataclasses
import importlib
import json
import math

import pytest

import simulate
from simulate.config import PRESETS, TrainConfig
from simulate.tasks import TASK_NAMES, get_task

# ---------------------------------------------------------------- JSON round trip
ROUND_TRIP = [
    TrainConfig(),
    TrainConfig.preset("gd_scaling", N=128, seeds=5, sigma=0.2),
    TrainConfig.preset("two_phase"),
    TrainConfig.preset("regimes", task="cycling", out_scale="small", N=64),
    TrainConfig(
        task="sine",
        model="rate",
        N=32,
        nonlinearity="tanh",
        optimizer="adam",
        eta0=0.05,
        lr_scaling="1/N",
        task_overrides={"t_max": 24.0},
        steps=10,
        record_every=5,
        checkpoint_every=5,
        dtype="float64",
        trainable=["W", "w_out"],
    ),
    TrainConfig(
        task="linear_constant",
        model="rate",
        init="two_phase",
        N=16,
        phases=[[4, "1/N"], [6, 2.5]],
        rho_io=-0.5,
        rho_io_scaling="1/sqrtN",
    ),
    TrainConfig.preset(
        "seed003",
        task="decision",
        nonlinearity="leaky_relu",
        leak_angle=0.4,
        task_overrides={"levels": [0.1, 0.9]},
        batch=4,
    ),
]


@pytest.mark.parametrize("cfg", ROUND_TRIP, ids=lambda c: f"{c.task}-{c.model}")
def test_json_round_trip_and_complete(cfg: TrainConfig) -> None:
    text = cfg.to_json()
    back = TrainConfig.from_json(text)
    assert back == cfg
    assert back.to_json() == text
    data = json.loads(text)
    # complete: every field stored, and concrete (no None left to the task's defaults,
    # so a later change of a default cannot change what the stored config means)
    assert set(data) == {f.name for f in dataclasses.fields(TrainConfig)}
    # (``phases`` = None is a value: one constant learning rate; ``grad_clip`` = None: no
    # clipping)
    assert all(v is not None for k, v in data.items() if k not in ("phases", "grad_clip")), data
    # hashable (it is a static argument of jitted code)
    hash(back)


def test_from_dict_rejects_unknown_fields() -> None:
    data = TrainConfig().to_dict()
    data["learning_rate"] = 0.1
    with pytest.raises(ValueError, match="learning_rate"):
        TrainConfig.from_dict(data)


# ---------------------------------------------------------------- defaults and presets
def test_defaults_come_from_the_task() -> None:
    task = get_task("cycling")
    cfg = TrainConfig(task="cycling", model="rate", N=32, lr_scaling="1/N")
    assert cfg.sigma == task.sigma and cfg.x0_noise == task.x0_noise
    assert cfg.steps == task.train_steps and cfg.eta0 == task.eta0_for("large")
    assert cfg.eval_batch % task.batch_multiple == 0 and cfg.eval_batch >= 8
    assert cfg.schedule() == [(cfg.steps, cfg.eta0 / 32)]  # THEORY §6: η₀/N


def test_preset_gd_scaling_settings() -> None:
    # THEORY §4: (σ = 1, η = 0.005, 2000 steps) and (σ = 0.2, η = 0.01, 5000 steps)
    for sigma, eta, steps in ((1.0, 0.005, 2000), (0.2, 0.01, 5000)):
        cfg = TrainConfig.preset("gd_scaling", sigma=sigma, N=256)
        assert (cfg.sigma, cfg.eta0, cfg.steps) == (sigma, eta, steps)
        assert (cfg.model, cfg.rank, cfg.nonlinearity, cfg.out_scale) == (
            "low_rank",
            2,
            "erf",
            "large",
        )
        assert cfg.trainable == ("M",) and cfg.init == "zero_M" and cfg.g == 0.0
        assert cfg.optimizer == "sgd" and cfg.batch == 32 and cfg.rho_io == 0.0
        assert cfg.schedule() == [(steps, eta)]
    with pytest.raises(ValueError, match="sigma"):
        TrainConfig.preset("gd_scaling", sigma=0.5)
    cfg = TrainConfig.preset("gd_scaling", sigma=0.5, eta0=0.002, steps=10)
    assert (cfg.eta0, cfg.steps) == (0.002, 10)


def test_preset_two_phase_schedule() -> None:
    # THEORY §3: 1000 steps at η₀/N then 5000 at η₀, η₀ = 0.002, N = 256, ρ_io = −0.5/√N
    cfg = TrainConfig.preset("two_phase")
    assert cfg.N == 256 and cfg.steps == 6000
    assert cfg.schedule() == [(1000, 0.002 / 256), (5000, 0.002)]
    assert math.isclose(cfg.effective_rho_io, -0.5 / 16)
    assert cfg.trainable == ("W",) and cfg.nonlinearity == "linear" and cfg.sigma == 1.0


def test_preset_regimes() -> None:
    cfg = TrainConfig.preset("regimes", task="cycling", out_scale="small")
    task = get_task("cycling")
    assert cfg.N == 512 and cfg.optimizer == "adam" and cfg.nonlinearity == "tanh"
    assert cfg.schedule() == [(cfg.steps, task.eta0_for("small") / 512)]
    assert set(cfg.trainable) == {"W", "w_in", "w_out"} and cfg.x0_noise == 1.0


def test_preset_seed003() -> None:
    # seed 003: τ = 100 ms units, Δt = 10 ms, relu rate form, zero diagonal, only W trained
    p = TrainConfig.preset("seed003")
    assert (p.task, p.N, p.model, p.form, p.nonlinearity) == (
        "perception",
        128,
        "rate",
        "rate",
        "relu",
    )
    assert (p.dt, p.g, p.sigma, p.eta0, p.optimizer) == (0.1, 1.0, 0.01, 0.001, "adam")
    assert p.zero_diagonal and p.trainable == ("W",) and p.seeds == 10
    assert p.input_std == p.bias_std == pytest.approx(1 / math.sqrt(3))
    assert p.input_noise == get_task("perception").input_noise > 0
    d = TrainConfig.preset("seed003", task="decision")
    assert (d.N, d.input_std, d.bias_std, d.input_noise) == (256, 0.5, 0.5, 0.0)
    with pytest.raises(ValueError, match="task='cycling'"):
        TrainConfig.preset("seed003", task="cycling")


def test_replace_revalidates() -> None:
    cfg = TrainConfig.preset("gd_scaling", steps=20, record_every=2, checkpoint_every=10)
    assert cfg.replace(N=32).N == 32
    with pytest.raises(ValueError, match="record_every"):
        cfg.replace(record_every=3)


# ---------------------------------------------------------------- bad input → ValueError
BAD = [
    ("task", dict(task="no_such_task")),
    ("nonlinearity", dict(nonlinearity="sigmoid")),
    ("N", dict(N=1)),
    ("N", dict(N=2.5)),
    ("dt", dict(dt=0.0)),
    ("dt", dict(dt=-0.1)),
    ("dt", dict(dt=float("nan"))),
    ("batch", dict(batch=3)),  # fixed_point: batch_multiple = 2
    ("batch", dict(batch=0)),
    ("record_every", dict(steps=10, record_every=3)),
    ("record_every", dict(record_every=0)),
    ("checkpoint_every", dict(steps=10, record_every=2, checkpoint_every=3)),
    ("steps", dict(steps=0)),
    ("seeds", dict(seeds=0)),
    ("seed", dict(seed=-1)),
    ("sigma", dict(sigma=-1.0)),
    ("x0_noise", dict(x0_noise=-0.1)),
    ("eta0", dict(eta0=0.0)),
    ("model", dict(model="lstm")),
    ("rank", dict(N=4, rank=5)),
    ("init", dict(init="random")),  # not a low-rank init
    ("trainable", dict(trainable=("U",))),
    ("trainable", dict(trainable=("M", "M"))),
    ("optimizer", dict(optimizer="rmsprop")),
    ("lr_scaling", dict(lr_scaling="1/N2")),
    ("out_scale", dict(out_scale="medium")),
    ("rho_io", dict(rho_io=1.5)),
    ("g", dict(g=-1.0)),
    ("dtype", dict(dtype="float16")),
    ("steps", dict(steps=10, phases=((4, "1/N"), (5, "none")))),
    ("phases", dict(phases=((0, "none"),))),
    ("task_overrides", dict(task_overrides={"no_such_field": 1})),
    ("eval_batch", dict(eval_batch=3)),
    ("nonlinearity", dict(nonlinearity="leaky_relu")),  # low_rank: rate-model option only
    (
        "leak_angle",
        dict(model="rate", init="random", nonlinearity="leaky_relu", leak_angle=math.pi / 2),
    ),
    ("leak_angle", dict(model="rate", init="random", nonlinearity="leaky_relu", leak_angle=-0.1)),
    ("leak_angle", dict(model="rate", init="random", nonlinearity="relu", leak_angle=0.3)),
    ("form", dict(model="rate", init="random", form="voltage")),
    ("form", dict(form="rate")),  # low_rank has no rate form
    ("zero_diagonal", dict(zero_diagonal=True)),
    ("bias_std", dict(model="rate", init="random", bias_std=-1.0)),
    ("input_std", dict(model="rate", init="random", input_std=float("inf"))),
    ("input_noise", dict(input_noise=-0.5)),
]


@pytest.mark.parametrize("name,kwargs", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_input_names_the_parameter(name: str, kwargs: dict) -> None:
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        TrainConfig(**kwargs)


def test_unknown_preset() -> None:
    with pytest.raises(ValueError, match="name='nope'"):
        TrainConfig.preset("nope")


# ---------------------------------------------------------------- package surface
def test_export_lists_match_module_all() -> None:
    for mod, names in simulate._EXPORTS.items():
        module = importlib.import_module(f"simulate.{mod}")
        assert sorted(module.__all__) == sorted(names), mod
        for n in names:
            assert getattr(simulate, n) is getattr(module, n)


def test_cli_presets_match_config() -> None:
    from simulate import _cli

    assert _cli._PRESETS == PRESETS
    assert "fixed_point" in TASK_NAMES


def test_numpy_numbers_are_numbers_and_seeds_are_range_checked():
    """np.int64 from a sweep and 0-d arrays are accepted (and stored as Python numbers, so
    the JSON round trip holds); 2**32 would give seed 0's keys and is refused; 2.7 is never
    truncated to an integer."""
    import numpy as np

    from simulate.training import sweep

    base = TrainConfig.preset("gd_scaling", N=16)
    c = TrainConfig.preset("gd_scaling", N=np.int64(16), seeds=np.array(2), sigma=np.float64(1.0))
    assert (c.N, c.seeds) == (16, 2) and type(c.N) is int and type(c.sigma) is float
    assert TrainConfig.from_json(c.to_json()) == c
    with pytest.raises(
        ValueError,
        match=r"^seed=4294967296 is not allowed; allowed: an integer "
        r"in \[0, 2\*\*32\)",
    ):
        base.replace(seed=2**32)
    with pytest.raises(ValueError, match=r"^N=True is not allowed"):
        base.replace(N=np.bool_(True))
    with pytest.raises(ValueError, match=r"^N=2\.7 is not allowed"):
        sweep(base, [2.7], "unused-directory", progress=False)


def test_settings_are_never_ignored():
    """dt comes from the task unless given (seed 002's tasks are discrete-time, dt = 1: they
    used to get 0.2 and 5× the steps); a task_overrides dt that disagrees with dt, rho_io for
    a model that has no input–output overlap and dt ≥ 2 for a continuous-time model are
    errors naming the field."""
    from simulate.tasks import get_task

    assert TrainConfig(task="flip_flop_3bit", N=8, model="gru", nonlinearity="tanh").dt == 1.0
    assert TrainConfig(task="fixed_point", N=8).dt == get_task("fixed_point").dt == 0.2
    cfg = TrainConfig(task="flip_flop_3bit", N=8, model="gru", nonlinearity="tanh")
    assert cfg.make_task().n_steps == get_task("flip_flop_3bit").n_steps
    assert TrainConfig(task="fixed_point", N=8, task_overrides={"dt": 0.5}).dt == 0.5
    assert TrainConfig(task="fixed_point", N=8, dt=0.5, task_overrides={"dt": 0.5}).dt == 0.5
    with pytest.raises(ValueError, match=r"^task_overrides=\{'dt': 0\.5\} is not allowed"):
        TrainConfig(task="fixed_point", N=8, dt=0.2, task_overrides={"dt": 0.5})
    with pytest.raises(ValueError, match=r"^rho_io=0\.5 is not allowed; .*model='rate'"):
        TrainConfig(task="fixed_point", N=8, model="rate", rho_io=0.5)
    assert (
        TrainConfig(task="fixed_point", N=8, model="rate", init="two_phase", rho_io=0.5).rho_io
        == 0.5
    )
    with pytest.raises(ValueError, match=r"^dt=2\.0 is not allowed"):
        TrainConfig(task="fixed_point", N=8, dt=2.0)
