"""Tasks: pure functions of a PRNG key and a batch size -> inputs, targets, loss mask, labels.

Every task is a frozen dataclass (hashable, so it can be a static argument of ``jax.jit``)
whose :meth:`Task.sample` builds a :class:`TaskBatch` with ``jax.numpy``/``jax.random`` only,
vectorised over trials and time (no Python loop over either).

Conventions shared by all tasks
-------------------------------
* Time grid: index ``t`` of the time axis is time ``t * dt`` (``t = 0 .. n_steps - 1``,
  ``n_steps = round(t_max / dt)``). The simulator (``simulate.dynamics.simulate``) drives step
  ``t`` with ``inputs[:, t]`` and compares the state after that step with ``targets[:, t]``.
* Durations are in task time units and must be integer multiples of ``dt`` (``ValueError``
  otherwise); an epoch ``[a, b)`` covers the step indices ``round(a/dt) .. round(b/dt) - 1``.
  Random durations ``U(a, b)`` of Table 1 are drawn uniformly from the ``dt`` grid
  ``{a, a + dt, …, b}``.
* Epochs follow one another: fixation ``t_fix``, stimulus ``t_stim``, (stimulus delay
  ``t_sd`` and second stimulus, Romo), decision delay ``t_delay`` counted from the end of the
  stimulus, decision ``t_dec``.
* Loss mask: 1 where the loss is evaluated, else 0 (float, same shape as ``targets``).
  Table 1 of the main paper (seed ``000_…``) evaluates targets on a grid of spacing
  ``target_dt`` ("target time step": 1.0 for most tasks, i.e. every 5th step at
  ``dt = 0.2``); the grid is absolute (times that are integer multiples of ``target_dt``).
  Outside the decision epochs the output is free (mask 0, target 0).
* Conditions (THEORY.md §1, loss split): ``condition[b]`` labels trials whose noise-free
  inputs and targets are identical *within the batch* (after multiplying by ``sign``), so the
  condition average z̄ of the bias/variance split is meaningful. Each task builds its
  ``n_conditions`` condition arrays and trial ``b`` gets ``condition = b % n_conditions``;
  hence ``batch`` must be a multiple of ``batch_multiple`` (every condition, and for mirror
  tasks every sign, equally often; ``ValueError`` otherwise).
  Tasks with continuous parameters or random event times (flip-flop, Mante, Romo) draw
  their ``conditions_per_batch`` parameter sets afresh from the key for every batch, from
  finite grids (coherence / amplitude sets, times on the ``dt`` grid), with the main factors
  (context, sign of the answer) balanced exactly; each set is repeated
  ``batch / conditions_per_batch`` times. The label thus means "same trial within this
  batch", not "same trial across batches".
* ``sign[b] = ±1`` maps mirror-image trials onto one condition: in mirror tasks (only
  ``fixed_point``, where the whole input flips and the network is odd) trial ``b`` has inputs
  and targets ``sign[b]`` times those of its condition. ``sign = 1`` for all other tasks.
* No input noise is added here: tasks are noise-free; input and hidden noise are the
  simulator's job (``simulate(..., input_noise=, sigma=)``).

Paper settings carried along (for the training code; not used by ``sample``): ``eta0``
(learning-rate numerator: Adam ``lr = eta0 / N`` in THEORY §6 / Table 1 for large output
weights, the plain SGD step of THEORY §3/§4), ``eta0_small`` (Table 1's value for small
output weights where it differs; see :meth:`Task.eta0_for`), ``sigma`` (hidden noise σ of
THEORY §1), ``x0_noise`` (initial-state noise σ_init), ``input_noise`` (input noise std, for the
simulator) and ``train_steps`` (Table 1 "epochs").
For Table 1 the "activation noise 2σ_noise" column (0.2; Mante 0.05) is taken as our σ, as
THEORY §6 states (σ_noise = 0.2, Mante 0.05).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray

__all__ = [
    "TASK_NAMES",
    "BitFlipFlopTask",
    "ComplexSineTask",
    "ContextIntegrationTask",
    "CyclingTask",
    "DecisionTask",
    "FixedPointTask",
    "FlipFlopTask",
    "FrequencySineTask",
    "LinearConstantTask",
    "ManteTask",
    "PerceptionTask",
    "RomoTask",
    "SineTask",
    "Task",
    "TaskBatch",
    "get_task",
]

_REL_GRID_TOL = 1e-6

ConditionArrays = tuple[
    Float[Array, "K time n_in"], Float[Array, "K time n_out"], Float[Array, "K time n_out"]
]


class TaskBatch(NamedTuple):
    """One batch of trials.

    Attributes:
        inputs: ``[batch, n_steps, n_in]`` input u(t) (THEORY §1), float32.
        targets: ``[batch, n_steps, n_out]`` target ẑ(t), float32 (only entries with
            ``mask == 1`` enter the loss; the others are 0 or the held value).
        mask: ``[batch, n_steps, n_out]`` float32 0/1, 1 where the loss is evaluated.
        condition: ``[batch]`` int32 label in ``[0, n_conditions)``; equal labels mean
            identical noise-free inputs and targets within this batch after the sign flip.
        sign: ``[batch]`` float32 ±1 mirror-image flip (1 where the task has no mirror symmetry).
    """

    inputs: Float[Array, "batch time n_in"]
    targets: Float[Array, "batch time n_out"]
    mask: Float[Array, "batch time n_out"]
    condition: Int[Array, " batch"]
    sign: Float[Array, " batch"]


def _steps(duration: float, dt: float, what: str) -> int:
    """Number of ``dt`` steps in ``duration`` (must be on the grid), ``ValueError`` otherwise."""
    if not (isinstance(duration, (int, float)) and math.isfinite(duration) and duration >= 0):
        raise ValueError(f"{what}={duration!r} must be a finite number >= 0")
    n = round(duration / dt)
    if abs(n * dt - duration) > _REL_GRID_TOL * max(1.0, abs(duration)):
        raise ValueError(
            f"{what}={duration!r} is not a multiple of dt={dt!r}; allowed: integer multiples of dt"
        )
    return int(n)


def _require_positive(value: object, name: str) -> None:
    if not (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    ):
        raise ValueError(f"{name}={value!r} must be a finite number > 0")


def _require_finite(value: object, name: str) -> None:
    if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value)):
        raise ValueError(f"{name}={value!r} must be a finite number")


def _require_int(value: object, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name}={value!r} must be an integer >= {low}")


def _window(idx: Int[Array, " T"], start: Array, stop: Array) -> Bool[Array, "... T"]:
    """``start <= idx < stop`` broadcast as ``[..., T]`` (start/stop of shape ``[...]``)."""
    start = jnp.asarray(start)[..., None]
    stop = jnp.asarray(stop)[..., None]
    return (idx >= start) & (idx < stop)


@dataclass(frozen=True)
class Task:
    """Base class of all tasks (see the module docstring for the shared conventions).

    Subclasses set the class attributes ``name``, ``n_in``, ``n_out``, ``mirror`` and their
    parameter fields, and implement :meth:`_conditions` (the ``n_conditions`` noise-free
    condition arrays). ``n_steps``, ``n_conditions`` and ``batch_multiple`` are derived.

    Attributes:
        dt: simulation time step (THEORY §1), default 0.2.
        t_max: trial duration T (task time units).
        eta0: learning-rate numerator (Table 1 for large output weights / THEORY §3–4),
            or None if the sources give none.
        eta0_small: Table 1's learning rate for small output weights where it differs
            (None: same as ``eta0``); :meth:`eta0_for` picks the right one.
        sigma: hidden noise σ recommended by the paper (THEORY §1 convention).
        x0_noise: std of the initial state recommended by the paper.
        input_noise: std of the input noise recommended by the paper (added by the
            simulator, ``simulate(..., input_noise=)``; 0 for all but seed 003's perception).
        train_steps: number of training steps used by the paper.
        target_dt: spacing of the evaluated target points (mask grid).
        target_amp: target amplitude.
    """

    name: ClassVar[str] = "task"
    n_in: ClassVar[int] = 1
    n_out: ClassVar[int] = 1
    mirror: ClassVar[bool] = False

    dt: float = 0.2
    t_max: float = 10.0
    eta0: float | None = None
    eta0_small: float | None = None
    sigma: float = 0.2
    x0_noise: float = 1.0
    input_noise: float = 0.0
    train_steps: int = 1000
    target_dt: float = 1.0
    target_amp: float = 1.0

    def __post_init__(self) -> None:
        _require_positive(self.dt, "dt")
        _require_positive(self.t_max, "t_max")
        for name in ("eta0", "eta0_small"):
            if getattr(self, name) is not None:
                _require_positive(getattr(self, name), name)
        for name in ("sigma", "x0_noise", "input_noise"):
            value = getattr(self, name)
            if isinstance(value, bool) or not (
                isinstance(value, (int, float)) and math.isfinite(value) and value >= 0
            ):
                raise ValueError(f"{name}={value!r} must be a finite number >= 0")
        _require_int(self.train_steps, "train_steps", 1)
        _require_positive(self.target_dt, "target_dt")
        _require_finite(self.target_amp, "target_amp")
        _steps(self.t_max, self.dt, "t_max")
        if self.steps(self.target_dt, "target_dt") < 1:
            raise ValueError(f"target_dt={self.target_dt!r} must be >= dt={self.dt!r}")
        self._validate()

    # --- to be specialised -------------------------------------------------------------
    def _validate(self) -> None:
        """Task-specific parameter checks (ValueError naming the parameter)."""

    @property
    def n_conditions(self) -> int:
        """Number of distinct condition labels in a batch."""
        return 1

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        """Noise-free ``(inputs, targets, mask)`` of each condition, ``[n_conditions, T, ·]``."""
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------
    @property
    def n_steps(self) -> int:
        """Number of time steps, ``round(t_max / dt)``."""
        return _steps(self.t_max, self.dt, "t_max")

    @property
    def batch_multiple(self) -> int:
        """``batch`` must be a multiple of this: ``n_conditions`` (× 2 for mirror tasks)."""
        return self.n_conditions * (2 if self.mirror else 1)

    def steps(self, duration: float, what: str) -> int:
        """``duration`` (task time) in steps of ``dt``; ``ValueError`` if off the grid."""
        return _steps(duration, self.dt, what)

    def times(self) -> Float[Array, " time"]:
        """Times ``t·dt`` of the steps (float32), ``[n_steps]``."""
        return self.time_index().astype(jnp.float32) * self.dt

    def time_index(self) -> Int[Array, " time"]:
        """Step indices ``0 .. n_steps - 1`` (int32)."""
        return jnp.arange(self.n_steps, dtype=jnp.int32)

    def target_grid(self) -> Bool[Array, " time"]:
        """True on steps whose time is an integer multiple of ``target_dt``."""
        return self.time_index() % self.steps(self.target_dt, "target_dt") == 0

    def eta0_for(self, out_scale: str) -> float | None:
        """Learning-rate numerator for output scale ``"large"`` (oblique) or ``"small"``."""
        if out_scale not in ("large", "small"):
            raise ValueError(f"out_scale={out_scale!r}; allowed: 'large', 'small'")
        if out_scale == "small" and self.eta0_small is not None:
            return self.eta0_small
        return self.eta0

    def check_batch(self, batch: int) -> None:
        """``ValueError`` unless ``batch`` is a positive multiple of ``batch_multiple``."""
        if isinstance(batch, bool) or not isinstance(batch, int) or batch <= 0:
            raise ValueError(f"batch={batch!r} must be a positive integer")
        if batch % self.batch_multiple:
            raise ValueError(
                f"batch={batch} must be a multiple of batch_multiple={self.batch_multiple} "
                f"for task {self.name!r} (every condition equally often)"
            )

    def sample(self, key: PRNGKeyArray, batch: int) -> TaskBatch:
        """Draw ``batch`` trials.

        Arguments:
            key: JAX PRNG key (only tasks with random draws use it).
            batch: number of trials, a positive multiple of ``batch_multiple``; must be
                static under ``jax.jit``.

        Returns:
            :class:`TaskBatch`; arrays of shape ``[batch, n_steps, ·]`` (float32) and labels
            ``condition = b % n_conditions``; for mirror tasks ``sign = +1`` on the first
            ``n_conditions`` trials of every block of ``2·n_conditions``, −1 on the rest.

        Example:
            >>> task = get_task("fixed_point")
            >>> batch = task.sample(jax.random.key(0), 32)
            >>> batch.inputs.shape, task.n_steps
            ((32, 50, 1), 50)
        """
        self.check_batch(batch)
        inputs_c, targets_c, mask_c = self._conditions(key)
        b = jnp.arange(batch, dtype=jnp.int32)
        condition = b % self.n_conditions
        if self.mirror:
            sign = jnp.where((b // self.n_conditions) % 2 == 0, 1.0, -1.0).astype(jnp.float32)
        else:
            sign = jnp.ones((batch,), jnp.float32)
        s = sign[:, None, None]
        return TaskBatch(
            inputs=(s * inputs_c[condition]).astype(jnp.float32),
            targets=(s * targets_c[condition]).astype(jnp.float32),
            mask=mask_c[condition].astype(jnp.float32),
            condition=condition,
            sign=sign,
        )


def _check_order(task: Task, **bounds: float) -> None:
    """``ValueError`` unless the named epochs fit into ``t_max`` (sum given as ``total``)."""
    total = bounds.pop("total")
    if total > task.t_max + _REL_GRID_TOL:
        detail = ", ".join(f"{k}={v!r}" for k, v in bounds.items())
        raise ValueError(
            f"epochs ({detail}) need {total!r} time units but t_max={task.t_max!r}; "
            f"allowed: a sum <= t_max"
        )


# ---------------------------------------------------------------------------------------
# THEORY §4: rank-2 fixed-point task
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FixedPointTask(Task):
    """Fixed-point pulse task of THEORY.md §4.

    One input, one output, ``t_max = 10``, ``dt = 0.2`` (50 steps). A one-step input pulse of
    amplitude ``±1/dt`` at ``t = 0`` (integrated input ±1), target ``±target_amp`` (ẑ = 1) for
    ``t ≥ t_target = 2``; the loss is evaluated every ``target_dt = 1`` (every 5th step:
    times 2, 3, …, 9).

    The two raw conditions (+ and −) are mirror images (odd φ, input flips): ONE condition
    label and ``sign = ±1``; ``batch_multiple = 2``.

    Paper settings: σ = 1, plain SGD η = 0.005, 2000 steps, x₀ = 0 (the second setting of §4
    is σ = 0.2, η = 0.01, 5000 steps — pass them as overrides).
    """

    name: ClassVar[str] = "fixed_point"
    mirror: ClassVar[bool] = True

    t_max: float = 10.0
    eta0: float | None = 0.005
    sigma: float = 1.0
    x0_noise: float = 0.0
    train_steps: int = 2000
    t_target: float = 2.0

    def _validate(self) -> None:
        if not self.steps(self.t_target, "t_target") < self.n_steps:
            raise ValueError(f"t_target={self.t_target!r} must lie in [0, t_max={self.t_max}))")

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task
        idx = self.time_index()
        on = idx >= self.steps(self.t_target, "t_target")
        inputs = jnp.where(idx == 0, 1.0 / self.dt, 0.0)
        targets = jnp.where(on, self.target_amp, 0.0)
        mask = on & self.target_grid()
        return inputs[None, :, None], targets[None, :, None], mask[None, :, None]


# ---------------------------------------------------------------------------------------
# THEORY §3: linear network, constant input
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinearConstantTask(Task):
    """Constant-input task of THEORY.md §3 (two-phase learning in a linear network).

    One input, constant ``u = input_amp = 1`` during the whole trial ``[0, t_max = 20)``
    (100 steps at dt = 0.2); target ``target_amp`` (ẑ = 1) on ``t ∈ [t_target, t_max) =
    [15, 20)``, evaluated at every step there (``target_dt = dt``: 25 steps). One condition,
    no mirror symmetry.

    Paper settings: σ = 1, plain SGD with η₀ = 0.002 (phase 1 at η₀/N for 1000 steps, phase
    2 at η₀ for 5000 steps: ``train_steps = 6000``), x₀ = 0.
    """

    name: ClassVar[str] = "linear_constant"

    t_max: float = 20.0
    eta0: float | None = 0.002
    sigma: float = 1.0
    x0_noise: float = 0.0
    train_steps: int = 6000
    target_dt: float = 0.2
    t_target: float = 15.0
    input_amp: float = 1.0

    def _validate(self) -> None:
        if not self.steps(self.t_target, "t_target") < self.n_steps:
            raise ValueError(f"t_target={self.t_target!r} must lie in [0, t_max={self.t_max}))")
        _require_finite(self.input_amp, "input_amp")

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task
        idx = self.time_index()
        on = idx >= self.steps(self.t_target, "t_target")
        inputs = jnp.full((self.n_steps,), self.input_amp, jnp.float32)
        targets = jnp.where(on, self.target_amp, 0.0)
        mask = on & self.target_grid()
        return inputs[None, :, None], targets[None, :, None], mask[None, :, None]


# ---------------------------------------------------------------------------------------
# THEORY §6: simple sine task ("different solutions" figure)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SineTask(Task):
    """Simple sine task of the "different solutions" figure (seed 000_…, THEORY §6).

    The seed gives only "target on t ∈ [1, 21]" (N = 512, with/without noise); the rest is
    our documented choice: one input carrying a pulse of amplitude ``input_amp = 1`` on
    ``[0, t_pulse = 1)`` that starts the oscillation, one output with target
    ``target_amp · sin(2π (t − t_on) / period)`` on ``t ∈ [t_on, t_off] = [1, 21]`` (both ends
    included), ``period = 10`` (two cycles), evaluated every ``target_dt = 1`` (21 points, the
    figure's target dots). ``t_max = 30`` leaves room for the extrapolation the figure shows
    (free output, mask 0, after t = 21). One condition, no mirror symmetry. The seed gives no
    learning rate: ``eta0 = None``.
    """

    name: ClassVar[str] = "sine"

    t_max: float = 30.0
    eta0: float | None = None
    train_steps: int = 1000
    t_pulse: float = 1.0
    input_amp: float = 1.0
    t_on: float = 1.0
    t_off: float = 21.0
    period: float = 10.0

    def _validate(self) -> None:
        _require_positive(self.period, "period")
        _require_finite(self.input_amp, "input_amp")
        self.steps(self.t_pulse, "t_pulse")
        if not (self.steps(self.t_on, "t_on") <= self.steps(self.t_off, "t_off") < self.n_steps):
            raise ValueError(
                f"t_on={self.t_on!r} <= t_off={self.t_off!r} < t_max={self.t_max!r} required"
            )

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task
        idx = self.time_index()
        on = self.steps(self.t_on, "t_on")
        off = self.steps(self.t_off, "t_off")
        window = (idx >= on) & (idx <= off)
        inputs = jnp.where(idx < self.steps(self.t_pulse, "t_pulse"), self.input_amp, 0.0)
        phase = 2 * jnp.pi * (self.times() - on * self.dt) / self.period
        targets = jnp.where(window, self.target_amp * jnp.sin(phase), 0.0)
        mask = window & self.target_grid()
        return inputs[None, :, None], targets[None, :, None], mask[None, :, None]


# ---------------------------------------------------------------------------------------
# Table 1: cycling (Russo et al. 2018)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CyclingTask(Task):
    """Cycling task (Russo et al. 2018; Table 1 column "Cycling" of seed 000_…).

    Two inputs, two outputs, ``T = 72``. Condition 0 (clockwise): a pulse of amplitude
    ``input_amp = 1`` on input 0 during ``[t_fix, t_fix + t_stim) = [0, 1)``; condition 1
    (anticlockwise): the same pulse on input 1. After the decision delay ``t_delay = 1`` the
    outputs rotate from ``t_on = t_fix + t_stim + t_delay = 2`` to ``T``::

        z₁ = target_amp · sin(ω (t − t_on)),   z₂ = ±target_amp · cos(ω (t − t_on))

    (+ clockwise, − anticlockwise; z₁ is the same sine wave in both, as in the perturbation
    figure), ``ω = 2π / period``, evaluated every ``target_dt = 1``.

    Choices (the seed is silent or inconsistent): Table 1 lists t_fix 0, t_stim 1,
    t_delay 1, t_dec 71, which add up to 73 > T = 72; we keep T = 72 and the delay, so the
    decision epoch is [2, 72) (70 time units). ``period = 10`` gives 7 cycles, like the
    7-cycle condition of Russo et al. Two conditions, no mirror symmetry (the two rotations
    are not related by a global sign flip), ``batch_multiple = 2``.

    Table 1: η₀ = 0.02 (both output scales), σ = 0.2, σ_init = 1, 1000 epochs.
    """

    name: ClassVar[str] = "cycling"
    n_in: ClassVar[int] = 2
    n_out: ClassVar[int] = 2

    t_max: float = 72.0
    eta0: float | None = 0.02
    train_steps: int = 1000
    t_fix: float = 0.0
    t_stim: float = 1.0
    t_delay: float = 1.0
    input_amp: float = 1.0
    period: float = 10.0

    @property
    def n_conditions(self) -> int:
        return 2

    def _validate(self) -> None:
        _require_positive(self.period, "period")
        _require_finite(self.input_amp, "input_amp")
        _require_positive(self.t_stim, "t_stim")
        total = sum(
            self.steps(v, k)
            for k, v in (("t_fix", self.t_fix), ("t_stim", self.t_stim), ("t_delay", self.t_delay))
        )
        if total >= self.n_steps:
            raise ValueError(
                f"t_fix + t_stim + t_delay = {total * self.dt!r} leaves no decision epoch "
                f"before t_max={self.t_max!r}"
            )

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task
        idx = self.time_index()
        fix = self.steps(self.t_fix, "t_fix")
        stim = self.steps(self.t_stim, "t_stim")
        on = fix + stim + self.steps(self.t_delay, "t_delay")
        pulse = ((idx >= fix) & (idx < fix + stim)) * self.input_amp  # [T]
        eye = jnp.eye(2, dtype=jnp.float32)  # condition c pulses input c
        inputs = eye[:, None, :] * pulse[None, :, None]  # [2, T, 2]
        window = idx >= on
        phase = 2 * jnp.pi * (self.times() - on * self.dt) / self.period
        direction = jnp.array([1.0, -1.0], jnp.float32)  # clockwise, anticlockwise
        z1 = jnp.broadcast_to(jnp.sin(phase), (2, self.n_steps))
        z2 = direction[:, None] * jnp.cos(phase)[None, :]
        targets = self.target_amp * jnp.stack([z1, z2], axis=-1) * window[None, :, None]
        mask = jnp.broadcast_to((window & self.target_grid())[None, :, None], targets.shape)
        return inputs, targets, mask


# ---------------------------------------------------------------------------------------
# Table 1: 3-bit flip-flop (Sussillo & Barak 2013)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlipFlopTask(Task):
    """3-bit flip-flop (Sussillo & Barak 2013; Table 1 column "Flip-flop" of seed 000_…).

    ``n_bits = 3`` inputs and outputs, ``T = 25``. Pulse events: the first at
    ``t_fix ~ U(0, 1)``; event k+1 follows event k after ``t_stim + t_delay + t_sd`` with
    ``t_stim = 1``, ``t_delay = 2``, ``t_sd ~ U(3, 10)`` (Table 1: stimulus delay U(3, 10),
    decision duration = t_sd). Each pulse lasts ``t_stim`` with amplitude ``±input_amp``.
    The first event pulses all bits (each with a random sign) so every bit is defined; every
    later event pulses one random bit with a random sign. Target of bit i: ``target_amp`` ×
    the sign of the last pulse on input i, taking effect ``t_stim + t_delay`` after its onset.
    Mask (grid ``target_dt = 1``): 1 from the first target onward, except on a bit during
    its own pulse and decision delay (where old or new value would both be defensible).

    Conditions (our choice, see the module docstring): each batch draws
    ``conditions_per_batch = 8`` event sequences from the key (timings on the dt grid,
    channels and signs uniform), each used by ``batch / 8`` trials (4 at batch 32), so the
    bias/variance split compares trials with identical input sequences while training still
    sees fresh sequences every step. No mirror symmetry flag (all-sign flips are as likely,
    but they are simply other sequences).

    Table 1: η₀ = 0.01 (large output weights) / 0.005 (small), σ = 0.2, 4000 epochs.
    """

    name: ClassVar[str] = "flip_flop"
    n_in: ClassVar[int] = 3
    n_out: ClassVar[int] = 3

    t_max: float = 25.0
    eta0: float | None = 0.01
    eta0_small: float | None = 0.005
    train_steps: int = 4000
    t_fix_min: float = 0.0
    t_fix_max: float = 1.0
    t_stim: float = 1.0
    t_delay: float = 2.0
    t_sd_min: float = 3.0
    t_sd_max: float = 10.0
    input_amp: float = 1.0
    conditions_per_batch: int = 8

    @property
    def n_conditions(self) -> int:
        return self.conditions_per_batch

    @property
    def n_events(self) -> int:
        """Largest number of pulse events that can start within the trial (static)."""
        fix_min = self.steps(self.t_fix_min, "t_fix_min")
        gap = sum(
            self.steps(v, k)
            for k, v in (
                ("t_stim", self.t_stim),
                ("t_delay", self.t_delay),
                ("t_sd_min", self.t_sd_min),
            )
        )
        return 1 + max(0, (self.n_steps - 1 - fix_min) // gap)

    def _validate(self) -> None:
        _require_int(self.conditions_per_batch, "conditions_per_batch", 1)
        _require_finite(self.input_amp, "input_amp")
        _require_positive(self.t_stim, "t_stim")
        if self.steps(self.t_fix_min, "t_fix_min") > self.steps(self.t_fix_max, "t_fix_max"):
            raise ValueError(f"t_fix_min={self.t_fix_min!r} > t_fix_max={self.t_fix_max!r}")
        if self.steps(self.t_sd_min, "t_sd_min") > self.steps(self.t_sd_max, "t_sd_max"):
            raise ValueError(f"t_sd_min={self.t_sd_min!r} > t_sd_max={self.t_sd_max!r}")
        self.steps(self.t_delay, "t_delay")
        _check_order(
            self,
            t_fix_max=self.t_fix_max,
            t_stim=self.t_stim,
            t_delay=self.t_delay,
            total=self.t_fix_max + self.t_stim + self.t_delay + self.dt,
        )

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        K, E, n = self.n_conditions, self.n_events, self.n_in
        stim = self.steps(self.t_stim, "t_stim")
        settle = stim + self.steps(self.t_delay, "t_delay")
        k_fix, k_sd, k_ch, k_sign = jax.random.split(key, 4)
        fix = jax.random.randint(
            k_fix,
            (K, 1),
            self.steps(self.t_fix_min, "t_fix_min"),
            self.steps(self.t_fix_max, "t_fix_max") + 1,
        )
        sd = jax.random.randint(
            k_sd,
            (K, E - 1),
            self.steps(self.t_sd_min, "t_sd_min"),
            self.steps(self.t_sd_max, "t_sd_max") + 1,
        )
        onset = fix + jnp.concatenate(
            [jnp.zeros((K, 1), sd.dtype), jnp.cumsum(settle + sd, axis=1)], axis=1
        )  # [K, E] step of each pulse onset
        channel = jax.random.randint(k_ch, (K, E), 0, n)
        first = (jnp.arange(E) == 0)[None, :, None]
        hits = first | (channel[..., None] == jnp.arange(n))  # [K, E, n] bits set by event
        signs = jax.random.rademacher(k_sign, (K, E, n)).astype(jnp.float32)

        idx = self.time_index()
        pulse = _window(idx, onset, onset + stim)  # [K, E, T]
        inputs = jnp.einsum("ket,ken->ktn", pulse.astype(jnp.float32), hits * signs)
        effective = (idx >= (onset + settle)[..., None])[..., None] & hits[:, :, None, :]
        # index of the last effective event per (condition, time, bit); -1 if none yet
        last = jnp.max(jnp.where(effective, jnp.arange(E)[None, :, None, None], -1), axis=1)
        held = jnp.take_along_axis(
            jnp.swapaxes(signs, 1, 2)[:, None, :, :],  # [K, 1, n, E]
            jnp.clip(last, 0, E - 1)[..., None],  # [K, T, n, 1]
            axis=-1,
        )[..., 0]
        targets = self.target_amp * jnp.where(last >= 0, held, 0.0)
        switching = jnp.any(
            _window(idx, onset, onset + settle)[..., None] & hits[:, :, None, :], axis=1
        )  # [K, T, n]
        started = (idx >= (onset[:, 0] + settle)[:, None])[..., None]  # [K, T, 1]
        mask = started & ~switching & self.target_grid()[None, :, None]
        return self.input_amp * inputs, targets, mask.astype(jnp.float32)


# ---------------------------------------------------------------------------------------
# Table 1: context-dependent integration (Mante et al. 2013)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ManteTask(Task):
    """Context-dependent integration (Mante et al. 2013; Table 1 column "Mante", seed 000_…).

    Four inputs: 0 = motion coherence, 1 = colour coherence (constant during the stimulus
    epoch ``[t_fix, t_fix + t_stim) = [3, 23)``), 2/3 = context cue (1 on the input of the
    relevant modality during fixation and stimulus, ``[0, 23)``). One output: target
    ``target_amp · sign(coherence of the relevant modality)`` in the decision epoch
    ``[t_fix + t_stim + t_delay, + t_dec) = [28, 48)``, evaluated every ``target_dt = 1``.

    Coherences come from the finite set ``±coherences`` (default ±{1/8, 1/4, 1/2, 1}).
    Conditions (our choice, see the module docstring): ``conditions_per_batch = 8``
    parameter sets per batch, drawn from the key with context ``c % 2`` and answer sign
    ``+`` for ``(c // 2) % 2 == 0`` balanced exactly, and the magnitudes of both coherences
    and the sign of the irrelevant one uniform. No mirror symmetry (the context input does
    not flip). The seed lists no input noise; add it in the simulator if wanted.

    Table 1: η₀ = 0.02 (large output weights) / 0.002 (small), σ = 0.05, 4000 epochs.
    """

    name: ClassVar[str] = "mante"
    n_in: ClassVar[int] = 4
    n_out: ClassVar[int] = 1

    t_max: float = 48.0
    eta0: float | None = 0.02
    eta0_small: float | None = 0.002
    sigma: float = 0.05
    train_steps: int = 4000
    t_fix: float = 3.0
    t_stim: float = 20.0
    t_delay: float = 5.0
    t_dec: float = 20.0
    coherences: tuple[float, ...] = (0.125, 0.25, 0.5, 1.0)
    context_amp: float = 1.0
    conditions_per_batch: int = 8

    @property
    def n_conditions(self) -> int:
        return self.conditions_per_batch

    def _validate(self) -> None:
        _require_int(self.conditions_per_batch, "conditions_per_batch", 4)
        if self.conditions_per_batch % 4:
            raise ValueError(
                f"conditions_per_batch={self.conditions_per_batch!r} must be a multiple of 4 "
                f"(2 contexts x 2 answer signs)"
            )
        if not (isinstance(self.coherences, tuple) and len(self.coherences) >= 1):
            raise ValueError(f"coherences={self.coherences!r} must be a non-empty tuple")
        for c in self.coherences:
            _require_positive(c, "coherences entry")
        _require_finite(self.context_amp, "context_amp")
        _require_positive(self.t_stim, "t_stim")
        _require_positive(self.t_dec, "t_dec")
        for k, v in (("t_fix", self.t_fix), ("t_delay", self.t_delay)):
            self.steps(v, k)
        _check_order(
            self,
            t_fix=self.t_fix,
            t_stim=self.t_stim,
            t_delay=self.t_delay,
            t_dec=self.t_dec,
            total=self.t_fix + self.t_stim + self.t_delay + self.t_dec,
        )

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        K = self.n_conditions
        c = jnp.arange(K)
        context = c % 2  # 0: motion relevant, 1: colour relevant
        answer = jnp.where((c // 2) % 2 == 0, 1.0, -1.0)
        k_mag, k_sign = jax.random.split(key)
        mags = jnp.asarray(self.coherences, jnp.float32)
        mag = mags[jax.random.randint(k_mag, (K, 2), 0, len(self.coherences))]  # [K, 2]
        other = jax.random.rademacher(k_sign, (K,)).astype(jnp.float32)
        relevant = jax.nn.one_hot(context, 2, dtype=jnp.float32)  # [K, 2]
        coh = mag * (relevant * answer[:, None] + (1 - relevant) * other[:, None])

        idx = self.time_index()
        fix = self.steps(self.t_fix, "t_fix")
        stim_end = fix + self.steps(self.t_stim, "t_stim")
        dec = stim_end + self.steps(self.t_delay, "t_delay")
        dec_end = dec + self.steps(self.t_dec, "t_dec")
        stim = ((idx >= fix) & (idx < stim_end)).astype(jnp.float32)  # [T]
        cue = (idx < stim_end).astype(jnp.float32)
        inputs = jnp.concatenate(
            [
                coh[:, None, :] * stim[None, :, None],
                self.context_amp * relevant[:, None, :] * cue[None, :, None],
            ],
            axis=-1,
        )  # [K, T, 4]
        window = (idx >= dec) & (idx < dec_end)
        targets = self.target_amp * answer[:, None, None] * window[None, :, None]
        mask = jnp.broadcast_to((window & self.target_grid())[None, :, None], targets.shape)
        return inputs, targets, mask.astype(jnp.float32)


# ---------------------------------------------------------------------------------------
# Table 1: parametric working memory (Romo et al. 1999)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RomoTask(Task):
    """Parametric working memory (Romo et al. 1999; Table 1 column "Romo", seed 000_…).

    One input, one output, ``T = 29``. Fixation ``t_fix ~ U(1, 3)``; stimulus f₁ (input of
    amplitude f₁ for ``t_stim = 1``); delay ``t_sd ~ U(2, 12)``; stimulus f₂ for ``t_stim``;
    decision delay ``t_delay = 4``; decision epoch ``t_dec = 8`` with target
    ``target_amp · sign(f₁ − f₂)``, evaluated every ``target_dt = 1``. The longest trial
    (3 + 1 + 12 + 1 + 4 + 8) fills T = 29; in shorter ones the rest is free (mask 0).

    Frequencies are input amplitudes from the finite set ``amplitudes`` (default
    0.5, 0.75, …, 1.5; f₁ ≠ f₂, a one-output version: output sign, not two outputs).
    Conditions (our choice, see the module docstring): ``conditions_per_batch = 8``
    parameter sets per batch drawn from the key (an unordered pair of distinct amplitudes,
    the two timings), with ``f₁ > f₂`` for even labels and ``f₁ < f₂`` for odd ones (answer
    balanced exactly). No mirror symmetry.

    Table 1: η₀ = 0.01 (large output weights) / 0.005 (small), σ = 0.2, 6000 epochs.
    """

    name: ClassVar[str] = "romo"

    t_max: float = 29.0
    eta0: float | None = 0.01
    eta0_small: float | None = 0.005
    train_steps: int = 6000
    t_fix_min: float = 1.0
    t_fix_max: float = 3.0
    t_stim: float = 1.0
    t_sd_min: float = 2.0
    t_sd_max: float = 12.0
    t_delay: float = 4.0
    t_dec: float = 8.0
    amplitudes: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5)
    conditions_per_batch: int = 8

    @property
    def n_conditions(self) -> int:
        return self.conditions_per_batch

    def _validate(self) -> None:
        _require_int(self.conditions_per_batch, "conditions_per_batch", 2)
        if self.conditions_per_batch % 2:
            raise ValueError(
                f"conditions_per_batch={self.conditions_per_batch!r} must be even "
                f"(answer sign balanced)"
            )
        if not (isinstance(self.amplitudes, tuple) and len(set(self.amplitudes)) >= 2):
            raise ValueError(
                f"amplitudes={self.amplitudes!r} must be a tuple of >= 2 distinct values"
            )
        for a in self.amplitudes:
            _require_finite(a, "amplitudes entry")
        _require_positive(self.t_stim, "t_stim")
        _require_positive(self.t_dec, "t_dec")
        self.steps(self.t_delay, "t_delay")
        if self.steps(self.t_fix_min, "t_fix_min") > self.steps(self.t_fix_max, "t_fix_max"):
            raise ValueError(f"t_fix_min={self.t_fix_min!r} > t_fix_max={self.t_fix_max!r}")
        if self.steps(self.t_sd_min, "t_sd_min") > self.steps(self.t_sd_max, "t_sd_max"):
            raise ValueError(f"t_sd_min={self.t_sd_min!r} > t_sd_max={self.t_sd_max!r}")
        _check_order(
            self,
            t_fix_max=self.t_fix_max,
            t_stim=self.t_stim,
            t_sd_max=self.t_sd_max,
            t_delay=self.t_delay,
            t_dec=self.t_dec,
            total=self.t_fix_max + 2 * self.t_stim + self.t_sd_max + self.t_delay + self.t_dec,
        )

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        K = self.n_conditions
        levels = jnp.asarray(sorted(set(self.amplitudes)), jnp.float32)
        L = levels.shape[0]
        k_fix, k_sd, k_i, k_d = jax.random.split(key, 4)
        fix = jax.random.randint(
            k_fix,
            (K,),
            self.steps(self.t_fix_min, "t_fix_min"),
            self.steps(self.t_fix_max, "t_fix_max") + 1,
        )
        sd = jax.random.randint(
            k_sd,
            (K,),
            self.steps(self.t_sd_min, "t_sd_min"),
            self.steps(self.t_sd_max, "t_sd_max") + 1,
        )
        i = jax.random.randint(k_i, (K,), 0, L)
        j = (i + jax.random.randint(k_d, (K,), 1, L)) % L  # uniform over ordered pairs i != j
        hi, lo = levels[jnp.maximum(i, j)], levels[jnp.minimum(i, j)]
        larger_first = jnp.arange(K) % 2 == 0
        f1 = jnp.where(larger_first, hi, lo)
        f2 = jnp.where(larger_first, lo, hi)

        idx = self.time_index()
        stim = self.steps(self.t_stim, "t_stim")
        on2 = fix + stim + sd
        dec = on2 + stim + self.steps(self.t_delay, "t_delay")
        dec_end = dec + self.steps(self.t_dec, "t_dec")
        inputs = (
            f1[:, None] * _window(idx, fix, fix + stim)
            + f2[:, None] * _window(idx, on2, on2 + stim)
        )[..., None]
        window = _window(idx, dec, dec_end)  # [K, T]
        answer = jnp.sign(f1 - f2)
        targets = (self.target_amp * answer[:, None] * window)[..., None]
        mask = (window & self.target_grid()[None, :])[..., None]
        return inputs, targets, mask.astype(jnp.float32)


# ---------------------------------------------------------------------------------------
# Table 1: complex sine
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComplexSineTask(Task):
    """Complex sine (Table 1 column "Complex sine" of seed 000_…).

    One input, one output, ``T = 50``, no fixation or delay, stimulus and decision epochs
    both the whole trial, targets at every step (``target_dt = 0.2``), from Table 1. The
    waveform and the input coding are our documented choice (the seed does not give them):
    condition c has a constant input ``u_c = ω_c / max(ω)`` during the whole trial, and the
    target is the two-harmonic wave ::

        ẑ(t) = target_amp · Σ_k harmonics[k] · sin((k + 1) ω_c t),   harmonics = (1, 0.5)

    with angular frequencies ``ω_c ∈ frequencies = (0.3, 0.4, 0.5, 0.6)`` (periods
    ≈ 21 … 10, i.e. 2.4–4.8 cycles of the fundamental per trial). ``n_conditions =
    len(frequencies)``, no mirror symmetry.

    Table 1: η₀ = 0.005 (both output scales), σ = 0.2, 6000 epochs.
    """

    name: ClassVar[str] = "complex_sine"

    t_max: float = 50.0
    eta0: float | None = 0.005
    train_steps: int = 6000
    target_dt: float = 0.2
    frequencies: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6)
    harmonics: tuple[float, ...] = (1.0, 0.5)

    @property
    def n_conditions(self) -> int:
        return len(self.frequencies)

    def _validate(self) -> None:
        for name in ("frequencies", "harmonics"):
            value = getattr(self, name)
            if not (isinstance(value, tuple) and len(value) >= 1):
                raise ValueError(f"{name}={value!r} must be a non-empty tuple")
        for f in self.frequencies:
            _require_positive(f, "frequencies entry")
        for h in self.harmonics:
            _require_finite(h, "harmonics entry")

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task
        omega = jnp.asarray(self.frequencies, jnp.float32)  # [K]
        amps = jnp.asarray(self.harmonics, jnp.float32)  # [H]
        k = jnp.arange(1, amps.shape[0] + 1, dtype=jnp.float32)
        t = self.times()
        phase = omega[:, None, None] * k[None, None, :] * t[None, :, None]  # [K, T, H]
        targets = self.target_amp * jnp.sum(amps * jnp.sin(phase), axis=-1)[..., None]
        inputs = jnp.broadcast_to(
            (omega / jnp.max(omega))[:, None, None], (omega.shape[0], self.n_steps, 1)
        )
        mask = jnp.broadcast_to(self.target_grid()[None, :, None], targets.shape)
        return inputs, targets, mask.astype(jnp.float32)


# ---------------------------------------------------------------------------------------
# Seed 002 (Maheswaranathan et al. 2019): discrete-time tasks, one update per step
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Seed002Task(Task):
    """Shared defaults of seed 002's discrete-time tasks: ``dt = 1`` (one network update per
    step), 100 steps, no hidden or initial-state noise (seed 002 trains noise-free), 20 000
    training iterations, and ``eta0 = 0.01`` as our Adam default (the seed searched SGD with
    momentum)."""

    dt: float = 1.0
    t_max: float = 100.0
    eta0: float | None = 0.01
    sigma: float = 0.0
    x0_noise: float = 0.0
    train_steps: int = 20000


@dataclass(frozen=True)
class BitFlipFlopTask(_Seed002Task):
    """3-bit flip-flop of seed 002 (discrete time: ``dt = 1``, one network update per step).

    ``n_bits = 3`` inputs and outputs, ``t_max = 100`` steps. At every step each input bit
    independently receives a pulse of amplitude ±``input_amp`` (sign uniform) with
    probability ``p_flip = 0.05``, lasting one step. Target of bit i: ``target_amp`` × the
    sign of the last pulse on input i so far (including the current step); before the first
    pulse on a bit its target is 0 and masked out. Evaluated at every step
    (``target_dt = 1``).

    Conditions: ``conditions_per_batch = 8`` pulse sequences drawn from the key per batch
    (as :class:`FlipFlopTask`). Seed 002 trains without noise (σ = 0, x₀ = 0) with SGD +
    momentum for 20 000 iterations at batch 64; ``eta0 = 0.01`` is our default for Adam.
    """

    name: ClassVar[str] = "flip_flop_3bit"
    n_in: ClassVar[int] = 3
    n_out: ClassVar[int] = 3

    p_flip: float = 0.05
    input_amp: float = 1.0
    conditions_per_batch: int = 8

    @property
    def n_conditions(self) -> int:
        return self.conditions_per_batch

    def _validate(self) -> None:
        _require_int(self.conditions_per_batch, "conditions_per_batch", 1)
        _require_finite(self.input_amp, "input_amp")
        if not (isinstance(self.p_flip, (int, float)) and 0 < self.p_flip <= 1):
            raise ValueError(f"p_flip={self.p_flip!r} must be in (0, 1]")

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        K, T, n = self.n_conditions, self.n_steps, self.n_in
        k_hit, k_sign = jax.random.split(key)
        hit = jax.random.bernoulli(k_hit, self.p_flip, (K, T, n))
        signs = jax.random.rademacher(k_sign, (K, T, n)).astype(jnp.float32)
        pulses = jnp.where(hit, signs, 0.0)
        # last pulse so far: index of the latest hit (−1 before the first), then its sign
        t_idx = jnp.where(hit, jnp.arange(T)[None, :, None], -1)
        last = jax.lax.cummax(t_idx, axis=1)
        held = jnp.take_along_axis(signs, jnp.clip(last, 0, T - 1), axis=1)
        targets = self.target_amp * jnp.where(last >= 0, held, 0.0)
        mask = (last >= 0) & self.target_grid()[None, :, None]
        return self.input_amp * pulses, targets, mask.astype(jnp.float32)


@dataclass(frozen=True)
class FrequencySineTask(_Seed002Task):
    """Frequency-cued sine wave of seed 002 (after Sussillo & Barak 2013), ``dt = 1``.

    Condition j of ``n_frequencies`` gets the static input u_j = j/n_frequencies + 0.25 and
    the target ``target_amp · sin(ω_j t)`` with ω_j = ω_min + (ω_max − ω_min)·j/(n − 1)
    (rad per step; defaults 0.1 … 0.6, the frequency proportional to the input as in the
    seed, whose exact numbers are not in its text). Evaluated at every step of
    ``t_max = 100``. For fixed points the static input is the condition's u_j.
    """

    name: ClassVar[str] = "sine_freq"
    n_in: ClassVar[int] = 1
    n_out: ClassVar[int] = 1

    n_frequencies: int = 16
    omega_min: float = 0.1
    omega_max: float = 0.6

    @property
    def n_conditions(self) -> int:
        return self.n_frequencies

    def _validate(self) -> None:
        _require_int(self.n_frequencies, "n_frequencies", 2)
        _require_positive(self.omega_min, "omega_min")
        if not (isinstance(self.omega_max, (int, float)) and self.omega_max > self.omega_min):
            raise ValueError(f"omega_max={self.omega_max!r} must be > omega_min={self.omega_min!r}")

    def static_inputs(self) -> Float[Array, "K 1"]:
        """The static input u_j of each condition, ``[n_frequencies, 1]``."""
        j = jnp.arange(self.n_frequencies, dtype=jnp.float32)
        return (j / self.n_frequencies + 0.25)[:, None]

    def frequencies(self) -> Float[Array, " K"]:
        """ω_j in radians per time unit, ``[n_frequencies]``."""
        j = jnp.arange(self.n_frequencies, dtype=jnp.float32)
        return self.omega_min + (self.omega_max - self.omega_min) * j / (self.n_frequencies - 1)

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task
        K, T = self.n_conditions, self.n_steps
        inputs = jnp.broadcast_to(self.static_inputs()[:, None, :], (K, T, 1))
        targets = self.target_amp * jnp.sin(self.frequencies()[:, None] * self.times()[None, :])
        mask = jnp.broadcast_to(self.target_grid()[None, :, None], (K, T, 1))
        return inputs, targets[..., None], mask.astype(jnp.float32)


@dataclass(frozen=True)
class ContextIntegrationTask(_Seed002Task):
    """Context-dependent integration (CDI) of seed 002 (after Mante et al. 2013), ``dt = 1``.

    Four inputs: 0, 1 = two noisy evidence streams b_k + ``stream_noise``·ξ_t (b_k uniform
    in ±``bias_max``, ξ_t ~ N(0, 1) per step), 2, 3 = one-hot context (static, 1 on the
    relevant stream). One output: ``target_amp`` · sign(b of the relevant stream) on the
    last ``t_dec`` steps of ``t_max = 100``, evaluated there at every step. The stream noise
    is part of the task (it is the evidence to integrate), so trials of one condition share
    it. For fixed points the static input is the context (streams set to 0).

    Conditions: ``conditions_per_batch = 8`` draws per batch, context and answer sign
    balanced exactly (as :class:`ManteTask`).
    """

    name: ClassVar[str] = "cdi"
    n_in: ClassVar[int] = 4
    n_out: ClassVar[int] = 1

    bias_max: float = 0.1875
    stream_noise: float = 1.0
    t_dec: float = 10.0
    conditions_per_batch: int = 8

    @property
    def n_conditions(self) -> int:
        return self.conditions_per_batch

    def _validate(self) -> None:
        _require_int(self.conditions_per_batch, "conditions_per_batch", 4)
        if self.conditions_per_batch % 4:
            raise ValueError(
                f"conditions_per_batch={self.conditions_per_batch!r} must be a "
                "multiple of 4 (2 contexts x 2 answer signs)"
            )
        _require_positive(self.bias_max, "bias_max")
        if not (isinstance(self.stream_noise, (int, float)) and self.stream_noise >= 0):
            raise ValueError(f"stream_noise={self.stream_noise!r} must be >= 0")
        _require_positive(self.t_dec, "t_dec")
        if self.steps(self.t_dec, "t_dec") > self.n_steps:
            raise ValueError(f"t_dec={self.t_dec!r} must be <= t_max={self.t_max!r}")

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        K, T = self.n_conditions, self.n_steps
        c = jnp.arange(K)
        context = c % 2
        answer = jnp.where((c // 2) % 2 == 0, 1.0, -1.0)
        k_mag, k_other, k_noise = jax.random.split(key, 3)
        mag = jax.random.uniform(k_mag, (K, 2), minval=0.0, maxval=self.bias_max)
        other = jax.random.rademacher(k_other, (K,)).astype(jnp.float32)
        relevant = jax.nn.one_hot(context, 2, dtype=jnp.float32)
        bias = mag * (relevant * answer[:, None] + (1 - relevant) * other[:, None])
        streams = bias[:, None, :] + self.stream_noise * jax.random.normal(k_noise, (K, T, 2))
        ctx = jnp.broadcast_to(relevant[:, None, :], (K, T, 2))
        inputs = jnp.concatenate([streams, ctx], axis=-1)
        window = self.time_index() >= self.n_steps - self.steps(self.t_dec, "t_dec")
        targets = self.target_amp * answer[:, None, None] * window[None, :, None]
        mask = jnp.broadcast_to((window & self.target_grid())[None, :, None], targets.shape)
        return inputs, targets, mask.astype(jnp.float32)


# ---------------------------------------------------------------------------------------
# Seed 003 (leaky rate networks): perception and decision, time in units of τ = 100 ms
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Seed003Task(Task):
    """Shared defaults of seed 003's tasks: time in units of τ = 100 ms, ``dt = 0.1``
    (Δt = 10 ms), ``t_max = 10`` (1 s), the loss on every step (``target_dt = dt``) from
    ``t_settle`` after each input onset, Adam lr ``eta0 = 0.001``, hidden noise σ = 0.01, x₀ = 0.
    The seed does not give trial lengths, settling times or step counts; these are ours."""

    dt: float = 0.1
    t_max: float = 10.0
    eta0: float | None = 0.001
    sigma: float = 0.01
    x0_noise: float = 0.0
    train_steps: int = 2000
    target_dt: float = 0.1
    t_settle: float = 1.0

    def _check_levels(self) -> None:
        levels = getattr(self, "levels", ())
        if not (
            isinstance(levels, tuple)
            and len(levels) >= 2
            and all(isinstance(v, (int, float)) and math.isfinite(v) for v in levels)
            and len(set(levels)) == len(levels)
        ):
            raise ValueError(f"levels={levels!r} must be a tuple of >= 2 distinct finite numbers")

    def _check_settle(self) -> int:
        _require_finite(self.t_settle, "t_settle")
        n = self.steps(self.t_settle, "t_settle")
        if n >= self.n_steps:
            raise ValueError(f"t_settle={self.t_settle!r} must be < t_max={self.t_max!r}")
        return n


@dataclass(frozen=True)
class PerceptionTask(_Seed003Task):
    """Perception task of seed 003: input ``levels[k]`` → output ``responses[k]``.

    One input, one output. Defaults: 0.8 → 0.5 and 0.5 → 0.8, input noise 0.1 per step
    (``input_noise``, added by the simulator; the seed says "noisy" without a value).
    With ``switch=True`` (default; seed 003 Fig. 3 switches the input between 0.5 and 0.8)
    the input level may change at ``t_switch``: one condition per (first, second) level
    pair, K = len(levels)²; with ``switch=False`` the level is held, K = len(levels).
    The target follows the current level's response; the loss is evaluated on every step
    except the ``t_settle`` after the onset and after a switch (the network's response
    time, τ = 1 time unit). :meth:`static_inputs` gives the levels for fixed points.
    """

    name: ClassVar[str] = "perception"
    n_in: ClassVar[int] = 1
    n_out: ClassVar[int] = 1

    input_noise: float = 0.1
    levels: tuple[float, ...] = (0.8, 0.5)
    responses: tuple[float, ...] = (0.5, 0.8)
    switch: bool = True
    t_switch: float = 5.0

    @property
    def n_conditions(self) -> int:
        return len(self.levels) ** (2 if self.switch else 1)

    def _validate(self) -> None:
        self._check_levels()
        if not (
            isinstance(self.responses, tuple)
            and len(self.responses) == len(self.levels)
            and all(isinstance(v, (int, float)) and math.isfinite(v) for v in self.responses)
        ):
            raise ValueError(
                f"responses={self.responses!r} must be a tuple of finite numbers, "
                f"one per level (len(levels) = {len(self.levels)})"
            )
        if not isinstance(self.switch, bool):
            raise ValueError(f"switch={self.switch!r} must be True or False")
        settle = self._check_settle()
        if self.switch:
            _require_positive(self.t_switch, "t_switch")
            k = self.steps(self.t_switch, "t_switch")
            if not settle < k < self.n_steps - settle:
                raise ValueError(
                    f"t_switch={self.t_switch!r} must leave t_settle="
                    f"{self.t_settle!r} before it and before t_max={self.t_max!r}"
                )

    def static_inputs(self) -> Float[Array, "L 1"]:
        """The input levels, ``[len(levels), 1]`` (static inputs for fixed points)."""
        return jnp.asarray(self.levels, jnp.float32)[:, None]

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task (the input noise is the simulator's)
        L, T = len(self.levels), self.n_steps
        c = jnp.arange(self.n_conditions)
        first, second = (c // L, c % L) if self.switch else (c, c)
        idx = self.time_index()
        k = self.steps(self.t_switch, "t_switch") if self.switch else T
        which = jnp.where(idx[None, :] < k, first[:, None], second[:, None])  # [K, T]
        inputs = jnp.asarray(self.levels, jnp.float32)[which][..., None]
        targets = self.target_amp * jnp.asarray(self.responses, jnp.float32)[which][..., None]
        settle = self.steps(self.t_settle, "t_settle")
        free = (idx < settle)[None, :]
        if self.switch:
            free = free | ((first != second)[:, None] & (idx >= k) & (idx < k + settle))
        mask = (~free & self.target_grid()[None, :])[..., None]
        return inputs, targets, jnp.broadcast_to(mask, targets.shape).astype(jnp.float32)


@dataclass(frozen=True)
class DecisionTask(_Seed003Task):
    """Decision task of seed 003: which of two static inputs is larger.

    Two inputs (u₁, u₂) held for the trial, every ordered pair of distinct ``levels``
    (K = L(L − 1) conditions); one output with target ``target_amp`` when u₂ > u₁ and
    −``target_amp`` when u₁ > u₂ (seed 003 Fig. 1: the output goes from high to low as
    u₁ − u₂ goes from negative to positive; the seed gives no target values). Evaluated on
    every step after ``t_settle``. :meth:`static_inputs` gives the pairs for fixed points.
    """

    name: ClassVar[str] = "decision"
    n_in: ClassVar[int] = 2
    n_out: ClassVar[int] = 1

    levels: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)

    @property
    def n_conditions(self) -> int:
        return len(self.levels) * (len(self.levels) - 1)

    def _validate(self) -> None:
        self._check_levels()
        self._check_settle()

    def static_inputs(self) -> Float[Array, "K 2"]:
        """The (u₁, u₂) of every condition, ``[n_conditions, 2]``."""
        pairs = [(a, b) for a in self.levels for b in self.levels if a != b]  # static
        return jnp.asarray(pairs, jnp.float32)

    def _conditions(self, key: PRNGKeyArray) -> ConditionArrays:
        del key  # deterministic task
        K, T = self.n_conditions, self.n_steps
        u = self.static_inputs()
        inputs = jnp.broadcast_to(u[:, None, :], (K, T, 2))
        answer = jnp.where(u[:, 1] > u[:, 0], 1.0, -1.0)
        targets = jnp.broadcast_to(self.target_amp * answer[:, None, None], (K, T, 1))
        keep = (self.time_index() >= self.steps(self.t_settle, "t_settle")) & self.target_grid()
        mask = jnp.broadcast_to(keep[None, :, None], (K, T, 1))
        return inputs, targets, mask.astype(jnp.float32)


# ---------------------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------------------
_REGISTRY: dict[str, type[Task]] = {
    cls.name: cls
    for cls in (
        FixedPointTask,
        LinearConstantTask,
        SineTask,
        CyclingTask,
        FlipFlopTask,
        ManteTask,
        RomoTask,
        ComplexSineTask,
        BitFlipFlopTask,
        FrequencySineTask,
        ContextIntegrationTask,
        PerceptionTask,
        DecisionTask,
    )
}

TASK_NAMES: tuple[str, ...] = tuple(_REGISTRY)


def get_task(name: str, **overrides: object) -> Task:
    """Build the task ``name`` with its paper defaults, replacing the fields in ``overrides``.

    Arguments:
        name: one of :data:`TASK_NAMES`.
        **overrides: task fields to change (e.g. ``dt=0.1``, ``target_amp=2.0``); list
            values are converted to tuples (so JSON round trips work).

    Returns:
        The frozen :class:`Task` instance.

    Raises:
        ValueError: unknown ``name`` or override field (the message lists the allowed ones),
            or an invalid parameter value.

    Example:
        >>> get_task("fixed_point", sigma=0.2, eta0=0.01, train_steps=5000).n_steps
        50
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown task name={name!r}; allowed: {', '.join(TASK_NAMES)}")
    cls = _REGISTRY[name]
    allowed = tuple(f.name for f in dataclasses.fields(cls))
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown override(s) {unknown} for task {name!r}; allowed: {', '.join(allowed)}"
        )
    values = {k: tuple(v) if isinstance(v, list) else _plain(v) for k, v in overrides.items()}
    return cls(**values)  # type: ignore[arg-type]


def _plain(value: object) -> object:
    """NumPy scalars and 0-d arrays as Python numbers (a sweep hands out np.float64); the task
    stays hashable and JSON-serialisable."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        kind = value.dtype.kind  # type: ignore[attr-defined]
        if kind in "iu":
            return int(value)  # type: ignore[call-overload]
        if kind == "f":
            return float(value)  # type: ignore[arg-type]
    return value
