"""Training configuration: one frozen, validated, JSON-serialisable dataclass.

A :class:`TrainConfig` fully describes a training run (THEORY.md §3, §4, §6): the task,
the network, the optimiser and its learning-rate schedule, the number of seeds trained
together, and what is recorded and checkpointed. ``config.json`` of a run directory is
``TrainConfig.to_json()``; re-running ``TrainConfig.from_json(text)`` reproduces the run.

Fields left at ``None`` (``eta0``, ``sigma``, ``x0_noise``, ``steps``, ``trainable``,
``eval_batch``) are filled in ``__post_init__`` from the task's paper settings
(:class:`simulate.tasks.Task`: ``eta0_for(out_scale)``, ``sigma``, ``x0_noise``,
``train_steps``) or the model's defaults, so a stored config is always concrete.

Learning rate (THEORY §3, §6): the step size of phase p is

    lr_p = eta0 · scale_p,     scale_p = 1/N ("1/N"), 1 ("none"), or a float multiplier,

with one phase ``(steps, lr_scaling)`` unless ``phases`` is given.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any, cast

__all__ = [
    "FORMS",
    "GATED_MODELS",
    "INITS",
    "LR_SCALINGS",
    "MODELS",
    "OPTIMIZERS",
    "PRESETS",
    "RHO_IO_SCALINGS",
    "TRAINABLE",
    "TrainConfig",
]

#: Continuous-time rate models (THEORY §2, §6) and the discrete-time gated architectures of
#: seed 002 (:mod:`simulate.gated`).
GATED_MODELS: tuple[str, ...] = ("vanilla", "ugrnn", "gru", "lstm")
MODELS: tuple[str, ...] = ("low_rank", "rate") + GATED_MODELS
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")
LR_SCALINGS: tuple[str, ...] = ("none", "1/N")
INITS: tuple[str, ...] = ("random", "zero_M", "zero_W", "two_phase")
# ``init=None`` → "zero_M" for low rank, "random" for rate.
RHO_IO_SCALINGS: tuple[str, ...] = ("none", "1/sqrtN")
DTYPE_NAMES: tuple[str, ...] = ("float32", "float64")
#: Parameters that may be trained, per model (U and W0 of the low-rank model are fixed).
_GATED_ARRAYS: tuple[str, ...] = ("W_h", "W_x", "b", "w_out", "b_out")
TRAINABLE: dict[str, tuple[str, ...]] = {
    "low_rank": ("M", "w_in", "w_out"),
    "rate": ("W", "w_in", "w_out"),
    **{m: _GATED_ARRAYS for m in GATED_MODELS},
}
_DEFAULT_TRAINABLE: dict[str, tuple[str, ...]] = {
    "low_rank": ("M",),
    "rate": ("W", "w_in", "w_out"),
    **{m: _GATED_ARRAYS for m in GATED_MODELS},
}
#: Which inits make sense for which model.
_INITS_FOR: dict[str, tuple[str, ...]] = {
    "low_rank": ("zero_M",),
    "rate": ("random", "zero_W", "two_phase"),
    **{m: ("random",) for m in GATED_MODELS},
}
PRESETS: tuple[str, ...] = ("gd_scaling", "two_phase", "regimes", "seed003")
#: State variable of the rate model (:class:`simulate.models.RateRNN`).
FORMS: tuple[str, ...] = ("current", "rate")
#: Seed 003's per-task settings: N, the std of the input weights and biases, and our batch
#: (a multiple of the task's conditions: 4 for perception, 12 for decision).
_SEED003: dict[str, tuple[int, float, int]] = {
    "perception": (128, 1.0 / math.sqrt(3.0), 32),
    "decision": (256, 0.5, 48),
}

#: THEORY §4: the two (σ, η, steps) settings of the gradient-descent scaling experiment.
_GD_SCALING_SETTINGS: dict[float, tuple[float, int]] = {1.0: (0.005, 2000), 0.2: (0.01, 5000)}


def _bad(name: str, value: object, allowed: str) -> ValueError:
    return ValueError(f"{name}={value!r} is not allowed; allowed: {allowed}")


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_int(name: str, value: object, low: int) -> None:
    if not _is_int(value) or value < low:  # type: ignore[operator]
        raise _bad(name, value, f"an integer >= {low}")


def _check_real(name: str, value: object, *, low: float, strict: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        v = float(cast(float, value))
        ok = math.isfinite(v) and (v > low if strict else v >= low)
    if not ok:
        raise _bad(name, value, f"a finite number {'>' if strict else '>='} {low}")


def _freeze(value: Any) -> Any:
    """Lists (from JSON) → tuples, recursively, so the config stays hashable."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run (validated on construction).

    **Fields**
      task: a name in ``simulate.tasks.TASK_NAMES``.
      N: number of units (≥ 2).
      model: ``"low_rank"`` (W = U M Uᵀ/N, THEORY §2), ``"rate"`` (full rank, §6), or a
        discrete-time architecture of seed 002, ``"vanilla"``, ``"ugrnn"``, ``"gru"``,
        ``"lstm"`` (:mod:`simulate.gated`; N = hidden units, φ = ``"tanh"`` or ``"relu"``,
        ``dt`` only sets the task's time grid, σ is additive state noise per update).
      rank: R of the low-rank model (1 ≤ R ≤ N; ignored by ``"rate"``).
      nonlinearity: ``"erf"``, ``"tanh"``, ``"relu"`` or ``"linear"``.
      out_scale: ``"large"`` (‖w_out‖ = O(1)) or ``"small"`` (O(1/√N)), THEORY §1.
      sigma: hidden noise σ ≥ 0 (THEORY §1); ``None`` → the task's paper value.
      dt: Euler step > 0 (passed to the task too, so its time grid matches); ``None`` → the
        task's own dt (0.2 for the paper's continuous-time tasks, 1 for seed 002's
        discrete-time ones, …), or ``task_overrides["dt"]`` if given (both given and
        different is an error).
      g: random bulk gain ≥ 0 (W₀ for low rank, W ~ N(0, g²/N) for rate).
      rho_io: input–output overlap ρ_io, |ρ_io| ≤ 1 after scaling (see ``rho_io_scaling``);
        only ``model="low_rank"`` and ``init="two_phase"`` use it (elsewhere ≠ 0 is an error).
      rho_io_scaling: ``"none"`` or ``"1/sqrtN"`` (the effective overlap is rho_io/√N,
        as in THEORY §3 where ρ_io = −0.5/√N).
      trainable: names of trained arrays (low rank: M, w_in, w_out; rate: W, w_in, w_out);
        ``None`` → (M,) for low rank, (W, w_in, w_out) for rate.
      optimizer: ``"sgd"`` or ``"adam"`` (optax).
      eta0: learning-rate numerator > 0; ``None`` → ``task.eta0_for(out_scale)`` (Table 1).
      lr_scaling: ``"none"`` (lr = eta0) or ``"1/N"`` (lr = eta0/N, THEORY §6).
      phases: optional piecewise-constant schedule ``((steps, scaling), ...)`` with scaling
        ``"none"``, ``"1/N"`` or a float multiplier of eta0 (THEORY §3:
        ``((1000, "1/N"), (5000, "none"))``); the phase steps must add up to ``steps``.
        When given, ``lr_scaling`` is not used.
      steps: number of training steps (≥ 1); ``None`` → ``task.train_steps`` (or the sum
        of the phases).
      batch: trials per step, a multiple of ``task.batch_multiple``.
      seeds: number of independent networks trained together (one vmapped computation).
      seed: base seed; seed index s uses ``fold_in(key(seed), s)``.
      record_every: record every k-th step (k ≥ 1, divides ``steps``).
      checkpoint_every: checkpoint (and host-side chunk) every K steps, K a multiple of
        ``record_every``.
      dtype: ``"float32"`` or ``"float64"``.
      x0_noise: std of the initial state ≥ 0; ``None`` → the task's paper value.
      init: ``"zero_M"`` (low rank: M = 0, the only low-rank init; THEORY §4),
        ``"random"`` (rate: THEORY §6 init), ``"zero_W"`` (rate, W = 0) or
        ``"two_phase"`` (rate, THEORY §3: W = 0, w_out = w₁ of unit norm,
        w_in = √N(ρ_io w₁ + sqrt(1 − ρ_io²) w₂)).
      task_overrides: task fields to change (``get_task(task, **task_overrides)``),
        stored as a sorted tuple of (name, value) pairs; a dict is accepted.
      eval_batch: trials of the stored evaluation trajectories; ``None`` → the smallest
        multiple of ``task.batch_multiple`` that is ≥ 8.
      input_noise: std of Gaussian noise added to every input channel at every step
        (``simulate(..., input_noise=)``, not scaled by dt), ≥ 0; ``None`` → the task's value.
      form: ``"current"`` (THEORY §1) or ``"rate"`` (seed 003: the state is the rate,
        ṙ = −r + φ(W r + W_in u + b + noise)); model ``"rate"`` only.
      leak_angle: θ of ``nonlinearity="leaky_relu"`` (radians, 0 ≤ θ < π/2; 0: relu,
        π/4: linear); must be 0 for other nonlinearities.
      zero_diagonal: no self-coupling in W, kept at zero during training (model ``"rate"``).
      input_std: std of the input weights W_in (model ``"rate"``, init ``"random"`` or
        ``"zero_W"``; THEORY §6: 1).
      bias_std: std of a random bias b (model ``"rate"``); 0 → no bias.
      grad_clip: clip each seed's gradient to this global norm before the optimiser
        (``optax.clip_by_global_norm``; seed 002 searched 0.1–10); ``None`` → no clipping.

    **Example**
    >>> cfg = TrainConfig(task="fixed_point", N=64, seeds=5, steps=2000)
    >>> TrainConfig.from_json(cfg.to_json()) == cfg
    True
    """

    task: str = "fixed_point"
    N: int = 64
    model: str = "low_rank"
    rank: int = 2
    nonlinearity: str = "erf"
    out_scale: str = "large"
    sigma: float | None = None
    dt: float | None = None
    g: float = 0.0
    rho_io: float = 0.0
    rho_io_scaling: str = "none"
    trainable: tuple[str, ...] | None = None
    optimizer: str = "sgd"
    eta0: float | None = None
    lr_scaling: str = "none"
    phases: tuple[tuple[int, str | float], ...] | None = None
    steps: int | None = None
    batch: int = 32
    seeds: int = 1
    seed: int = 0
    record_every: int = 1
    checkpoint_every: int = 500
    dtype: str = "float32"
    x0_noise: float | None = None
    init: str | None = None
    task_overrides: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    eval_batch: int | None = None
    grad_clip: float | None = None
    input_noise: float | None = None
    form: str = "current"
    leak_angle: float = 0.0
    zero_diagonal: bool = False
    input_std: float = 1.0
    bias_std: float = 0.0

    # ------------------------------------------------------------------ validation
    def __post_init__(self) -> None:
        from .nonlinearities import NONLINEARITIES, check_leak_angle
        from .tasks import TASK_NAMES

        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        # numpy scalars and 0-d arrays (np.int64(4) from a sweep, …) are numbers too
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0:
                kind = v.dtype.kind
                if kind in "iu":
                    put(f.name, int(v))
                elif kind == "f":
                    put(f.name, float(v))
                elif kind == "b":
                    put(f.name, bool(v))
        # normalise containers (JSON lists, dicts) next
        overrides = self.task_overrides
        if isinstance(overrides, dict):
            overrides = tuple(sorted(overrides.items()))
        overrides = tuple((str(k), _freeze(v)) for k, v in _freeze(overrides))
        put("task_overrides", overrides)
        if self.trainable is not None:
            tr = (self.trainable,) if isinstance(self.trainable, str) else tuple(self.trainable)
            put("trainable", tr)
        if self.phases is not None:
            put("phases", _freeze(self.phases))

        if self.task not in TASK_NAMES:
            raise _bad("task", self.task, ", ".join(TASK_NAMES))
        _check_int("N", self.N, 2)
        if self.model not in MODELS:
            raise _bad("model", self.model, ", ".join(MODELS))
        _check_int("rank", self.rank, 1)
        if self.model == "low_rank" and self.rank > self.N:
            raise _bad("rank", self.rank, f"an integer in [1, N={self.N}]")
        if self.nonlinearity not in NONLINEARITIES:
            raise _bad("nonlinearity", self.nonlinearity, ", ".join(NONLINEARITIES))
        if self.model in GATED_MODELS and self.nonlinearity not in ("tanh", "relu"):
            raise _bad(
                "nonlinearity",
                self.nonlinearity,
                f"'tanh', 'relu' for model={self.model!r} (seed 002)",
            )
        if self.nonlinearity == "leaky_relu" and self.model != "rate":
            raise _bad(
                "nonlinearity",
                self.nonlinearity,
                f"{', '.join(n for n in NONLINEARITIES if n != 'leaky_relu')} for "
                f"model={self.model!r} ('leaky_relu' needs model='rate')",
            )
        if self.nonlinearity == "leaky_relu":
            check_leak_angle(self.leak_angle)
        elif self.leak_angle != 0:
            raise _bad(
                "leak_angle",
                self.leak_angle,
                f"0 for nonlinearity={self.nonlinearity!r} (only 'leaky_relu' has one)",
            )
        if self.form not in FORMS:
            raise _bad("form", self.form, ", ".join(FORMS))
        if not isinstance(self.zero_diagonal, bool):
            raise _bad("zero_diagonal", self.zero_diagonal, "True or False")
        _check_real("input_std", self.input_std, low=0.0)
        _check_real("bias_std", self.bias_std, low=0.0)
        if self.model != "rate":
            for name, default in (
                ("form", "current"),
                ("zero_diagonal", False),
                ("input_std", 1.0),
                ("bias_std", 0.0),
            ):
                if getattr(self, name) != default:
                    raise _bad(
                        name,
                        getattr(self, name),
                        f"{default!r} for model={self.model!r} (only model='rate' has this option)",
                    )
        if self.out_scale not in ("large", "small"):
            raise _bad("out_scale", self.out_scale, "'large', 'small'")
        task_dt = dict(self.task_overrides).get("dt")
        if self.dt is None:
            from .tasks import _REGISTRY

            put(
                "dt",
                task_dt
                if task_dt is not None
                else next(
                    f.default for f in dataclasses.fields(_REGISTRY[self.task]) if f.name == "dt"
                ),
            )
        elif task_dt is not None and task_dt != self.dt:
            raise _bad(
                "task_overrides",
                dict(self.task_overrides),
                f"no 'dt' entry, or one equal to dt={self.dt!r} (the simulator's step "
                "and the task's time grid must agree)",
            )
        _check_real("dt", self.dt, low=0.0, strict=True)
        if self.model not in GATED_MODELS and cast(float, self.dt) >= 2:
            raise _bad(
                "dt",
                self.dt,
                f"in (0, 2) for model={self.model!r} (the Euler map of "
                "the leak is unstable at dt ≥ 2)",
            )
        _check_real("g", self.g, low=0.0)
        if self.rho_io_scaling not in RHO_IO_SCALINGS:
            raise _bad("rho_io_scaling", self.rho_io_scaling, ", ".join(RHO_IO_SCALINGS))
        if not (
            isinstance(self.rho_io, (int, float))
            and not isinstance(self.rho_io, bool)
            and math.isfinite(self.rho_io)
        ):
            raise _bad("rho_io", self.rho_io, "a finite number")
        if abs(self.effective_rho_io) > 1:
            raise _bad(
                "rho_io",
                self.rho_io,
                f"|effective rho_io| <= 1 (rho_io_scaling={self.rho_io_scaling!r})",
            )
        if self.optimizer not in OPTIMIZERS:
            raise _bad("optimizer", self.optimizer, ", ".join(OPTIMIZERS))
        if self.lr_scaling not in LR_SCALINGS:
            raise _bad("lr_scaling", self.lr_scaling, ", ".join(LR_SCALINGS))
        if self.dtype not in DTYPE_NAMES:
            raise _bad("dtype", self.dtype, ", ".join(DTYPE_NAMES))
        if self.init is None:
            put("init", "zero_M" if self.model == "low_rank" else "random")
        if self.rho_io != 0 and not (self.model == "low_rank" or self.init == "two_phase"):
            raise _bad(
                "rho_io",
                self.rho_io,
                f"0 for model={self.model!r}, init={self.init!r} (only the low-rank "
                "model and init='two_phase' have an input–output overlap)",
            )
        if self.init not in INITS:
            raise _bad("init", self.init, ", ".join(INITS))
        if self.init not in _INITS_FOR[self.model]:
            raise _bad(
                "init", self.init, f"{', '.join(_INITS_FOR[self.model])} for model={self.model!r}"
            )
        _check_int("seeds", self.seeds, 1)
        _check_int("seed", self.seed, 0)
        if self.seed >= 2**32:  # the PRNG key holds 32 bits: 2**32 would repeat seed 0
            raise _bad("seed", self.seed, "an integer in [0, 2**32)")

        # the task: its paper settings fill the None fields
        try:
            task = self.make_task()
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"task_overrides={dict(self.task_overrides)!r} for task "
                f"{self.task!r} are not valid: {err}"
            ) from err
        if self.sigma is None:
            put("sigma", float(task.sigma))
        _check_real("sigma", self.sigma, low=0.0)
        if self.x0_noise is None:
            put("x0_noise", float(task.x0_noise))
        _check_real("x0_noise", self.x0_noise, low=0.0)
        if self.input_noise is None:
            put("input_noise", float(task.input_noise))
        _check_real("input_noise", self.input_noise, low=0.0)
        if self.eta0 is None:
            eta0 = task.eta0_for(self.out_scale)
            if eta0 is None:
                raise ValueError(
                    f"eta0=None and task {self.task!r} has no paper learning rate; "
                    "allowed: a finite number > 0"
                )
            put("eta0", float(eta0))
        _check_real("eta0", self.eta0, low=0.0, strict=True)
        if self.grad_clip is not None:
            _check_real("grad_clip", self.grad_clip, low=0.0, strict=True)

        if self.trainable is None:
            put("trainable", _DEFAULT_TRAINABLE[self.model])
        allowed = TRAINABLE[self.model]
        if (
            not self.trainable
            or any(t not in allowed for t in self.trainable)
            or len(set(self.trainable)) != len(self.trainable)
        ):
            raise _bad(
                "trainable",
                self.trainable,
                f"distinct names among {', '.join(allowed)} for model={self.model!r}",
            )

        if self.phases is not None:
            self._check_phases()
            total = sum(int(s) for s, _ in self.phases)
            if self.steps is None:
                put("steps", total)
            elif self.steps != total:
                raise _bad("steps", self.steps, f"the sum of the phase steps, {total}")
        if self.steps is None:
            put("steps", int(task.train_steps))
        _check_int("steps", self.steps, 1)
        _check_int("record_every", self.record_every, 1)
        if cast(int, self.steps) % self.record_every:
            raise _bad("record_every", self.record_every, f"a divisor of steps={self.steps}")
        _check_int("checkpoint_every", self.checkpoint_every, 1)
        if self.checkpoint_every % self.record_every:
            raise _bad(
                "checkpoint_every",
                self.checkpoint_every,
                f"a multiple of record_every={self.record_every}",
            )

        _check_int("batch", self.batch, 1)
        if self.batch % task.batch_multiple:
            raise _bad(
                "batch",
                self.batch,
                f"a multiple of {task.batch_multiple} (batch_multiple of task "
                f"{self.task!r}: every condition equally often)",
            )
        if self.eval_batch is None:
            m = task.batch_multiple
            put("eval_batch", m * max(1, math.ceil(8 / m)))
        _check_int("eval_batch", self.eval_batch, 1)
        if self.eval_batch % task.batch_multiple:
            raise _bad(
                "eval_batch",
                self.eval_batch,
                f"a multiple of {task.batch_multiple} (batch_multiple of {self.task!r})",
            )

        if self.model == "low_rank" and max(self.rank, task.n_in + task.n_out) > self.N:
            raise _bad(
                "N", self.N, f">= n_in + n_out = {task.n_in + task.n_out} for the low-rank geometry"
            )
        if self.init == "two_phase" and task.n_in + task.n_out > self.N:
            raise _bad(
                "N", self.N, f">= n_in + n_out = {task.n_in + task.n_out} for init='two_phase'"
            )

    def _check_phases(self) -> None:
        phases = self.phases
        assert phases is not None
        ok = isinstance(phases, tuple) and len(phases) >= 1
        for ph in phases if ok else ():
            if not (isinstance(ph, tuple) and len(ph) == 2 and _is_int(ph[0]) and ph[0] >= 1):
                ok = False
                break
            sc = ph[1]
            if isinstance(sc, str):
                ok = ok and sc in LR_SCALINGS
            else:
                ok = (
                    ok
                    and isinstance(sc, (int, float))
                    and not isinstance(sc, bool)
                    and (math.isfinite(sc) and sc > 0)
                )
        if not ok:
            raise _bad(
                "phases",
                phases,
                "a non-empty sequence of (steps >= 1, scaling) with scaling 'none', "
                "'1/N' or a finite multiplier > 0",
            )

    # ------------------------------------------------------------------ derived
    @property
    def effective_rho_io(self) -> float:
        """ρ_io used to build the network: rho_io, or rho_io/√N for ``"1/sqrtN"``."""
        if self.rho_io_scaling == "1/sqrtN":
            return float(self.rho_io) / math.sqrt(self.N)
        return float(self.rho_io)

    def make_task(self) -> Any:  # simulate.tasks.Task (imported lazily)
        """The task object, ``get_task(task, dt=dt, **task_overrides)``."""
        from .tasks import get_task

        overrides = dict(self.task_overrides)
        overrides.setdefault("dt", self.dt)
        return get_task(self.task, **overrides)

    def _scale(self, scaling: str | float) -> float:
        if scaling == "1/N":
            return 1.0 / self.N
        if scaling == "none":
            return 1.0
        return float(scaling)

    def schedule(self) -> list[tuple[int, float]]:
        """The learning-rate schedule as ``[(steps, lr), ...]`` (THEORY §3, §6)."""
        assert self.eta0 is not None and self.steps is not None
        if self.phases is None:
            return [(int(self.steps), float(self.eta0) * self._scale(self.lr_scaling))]
        return [(int(s), float(self.eta0) * self._scale(sc)) for s, sc in self.phases]

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with ``changes`` (validated again)."""
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples as lists, task_overrides as a dict)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = dict(v) if f.name == "task_overrides" else _thaw(v)
        out["task_overrides"] = {k: _thaw(v) for k, v in out["task_overrides"].items()}
        return out

    def to_json(self) -> str:
        """JSON text (sorted keys, indented); ``from_json(to_json())`` equals ``self``."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s) {unknown}; allowed: {sorted(names)}")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    # ------------------------------------------------------------------ presets
    @classmethod
    def preset(cls, name: str, **overrides: Any) -> TrainConfig:
        """Configurations of the paper's experiments; ``overrides`` replace any field.

        * ``"gd_scaling"`` (THEORY §4): rank-2 erf network, only M trained from M = 0,
          g = 0, large output weights, ρ_io = 0, SGD, batch 32, fixed-point task.
          ``sigma=1.0`` → η = 0.005, 2000 steps; ``sigma=0.2`` → η = 0.01, 5000 steps
          (other σ need explicit ``eta0`` and ``steps``).
        * ``"two_phase"`` (THEORY §3): linear full-rank net, N = 256, W = 0 trained alone,
          w_out = w₁, w_in = √N(ρ_io w₁ + …) with ρ_io = −0.5/√N, σ = 1, SGD batch 32,
          1000 steps at η₀/N then 5000 at η₀, η₀ = 0.002, constant-input task.
        * ``"regimes"`` (THEORY §6): tanh rate net, N = 512, g = 1.5, W, w_in, w_out trained
          with Adam at lr = η₀/N (η₀ of the task's Table 1 column for ``out_scale``),
          batch 32, x₀ noise 1.0; σ and steps are the task's paper values (Table 1's
          "activation noise" number is used as σ of THEORY §1: 0.2, Mante 0.05).
          Pass ``task=`` (default ``"cycling"`` when available) and ``out_scale=``.
        * ``"seed003"`` (seed 003, leaky rate network): ``task="perception"`` (default,
          N = 128) or ``"decision"`` (N = 256); rate form ṙ = −r + φ(W r + W_in u + b + noise)
          with τ = 100 ms as the time unit and Δt = 10 ms (dt = 0.1), relu, W ~ N(0, 1/N)
          with a zero diagonal kept at zero, W_out from the same distribution
          (``out_scale="large"``), W_in and b ~ N(0, s²) with s = 1/√3 (perception) or 1/2
          (decision), only W trained, Adam at lr = 0.001, σ = 0.01, 10 networks, x₀ = 0;
          ours: batch 32 (perception) / 48 (decision), records every 20 steps.
          The seed's "variance 1/√N" for W is read as std 1/√N (variance 1/N): with std
          N^(−1/4) the relu network's gain g = N^(1/4) ≈ 3.4 diverges. Pass
          ``nonlinearity="leaky_relu", leak_angle=θ`` for the leaky variant.
        """
        if name == "gd_scaling":
            sigma = float(overrides.get("sigma", 1.0))
            if not (math.isfinite(sigma) and sigma >= 0):  # the range first, then the preset
                raise ValueError(f"sigma={sigma!r} is not allowed; allowed: a finite number >= 0")
            base: dict[str, Any] = dict(
                task="fixed_point",
                model="low_rank",
                rank=2,
                nonlinearity="erf",
                out_scale="large",
                g=0.0,
                rho_io=0.0,
                trainable=("M",),
                init="zero_M",
                optimizer="sgd",
                lr_scaling="none",
                batch=32,
                sigma=sigma,
                x0_noise=0.0,
            )
            if sigma in _GD_SCALING_SETTINGS:
                base["eta0"], base["steps"] = _GD_SCALING_SETTINGS[sigma]
            elif "eta0" not in overrides or "steps" not in overrides:
                raise ValueError(
                    f"sigma={sigma!r} has no paper setting in preset 'gd_scaling'; allowed: "
                    f"{sorted(_GD_SCALING_SETTINGS)} or give eta0= and steps= explicitly"
                )
        elif name == "two_phase":
            base = dict(
                task="linear_constant",
                N=256,
                model="rate",
                nonlinearity="linear",
                out_scale="large",
                g=0.0,
                rho_io=-0.5,
                rho_io_scaling="1/sqrtN",
                trainable=("W",),
                init="two_phase",
                optimizer="sgd",
                eta0=0.002,
                phases=((1000, "1/N"), (5000, "none")),
                batch=32,
                sigma=1.0,
                x0_noise=0.0,
            )
        elif name == "regimes":
            from .tasks import TASK_NAMES

            default_task = "cycling" if "cycling" in TASK_NAMES else TASK_NAMES[0]
            base = dict(
                task=default_task,
                N=512,
                model="rate",
                nonlinearity="tanh",
                g=1.5,
                out_scale="large",
                trainable=("W", "w_in", "w_out"),
                init="random",
                optimizer="adam",
                lr_scaling="1/N",
                batch=32,
                x0_noise=1.0,
            )
        elif name == "seed003":
            task = overrides.get("task", "perception")
            if task not in _SEED003:
                raise _bad("task", task, f"{', '.join(_SEED003)} for preset 'seed003'")
            N, std, batch = _SEED003[task]
            base = dict(
                task=task,
                N=N,
                model="rate",
                form="rate",
                nonlinearity="relu",
                g=1.0,
                dt=0.1,
                out_scale="large",
                zero_diagonal=True,
                input_std=std,
                bias_std=std,
                trainable=("W",),
                init="random",
                optimizer="adam",
                eta0=0.001,
                lr_scaling="none",
                sigma=0.01,
                x0_noise=0.0,
                seeds=10,
                batch=batch,
                record_every=20,
            )
        else:
            raise _bad("name", name, ", ".join(PRESETS))
        base.update(overrides)
        if "phases" in overrides and "steps" not in overrides:
            base.pop("steps", None)
        return cls(**base)
