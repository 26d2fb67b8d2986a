r"""Mean-field learning dynamics: where gradient descent on M goes (THEORY.md §2–§4).

The fixed-point theory (THEORY §2) says where the L_var-optimal network *is*; this module
predicts the whole training trajectory of a rank-2 network whose 2×2 coupling M is trained
(THEORY §4: U fixed, only M trained). It does so by applying the simulated training's
optimiser, learning rate and number of steps to the **expected loss of one trial** of the
task, computed by the mean-field theory of the simulated Euler–Maruyama map — with no
stationarity assumption, so one formula covers the early phase before a fixed point
exists (the pulse's transient decays, κ̄ ≈ 0), the transition, and the fixed-point phase.

**The expected loss of a trial** (large N, linear-noise approximation). The state after
step t is x_{t+1} = x_t + dt(−x_t + U M Uᵀφ(x_t)/N + w_in u_t) + sqrt(2σ²dt) ξ_t with
x_0 = 0. Write x = U κ + x_⊥ with κ = Uᵀx/N and ĉ = ‖x_⊥‖²/N. Then (THEORY §2, Gaussian
integration by parts over the units) Uᵀφ(x)/N ≈ ⟨φ'⟩(Δ) κ with Δ = ‖κ‖² + ĉ, and

* mean path (N → ∞), per step:
  κ_{t+1} = κ_t + dt(−κ_t + ⟨φ'⟩(Δ_t) M κ_t + v_t),   c_{t+1} = (1 − dt)² c_t + 2σ²dt,
  Δ_t = ‖κ_t‖² + c_t, where v_t = Uᵀw_in u_t/N is the input's latent drive;
* fluctuations y = (√N δκ, √N(ĉ − c)), a 3-vector, to first order:
  y_{t+1} = A_t y_t + noise, with
  A_t = [[(1 − dt)I + dt(⟨φ'⟩M + 2⟨φ'⟩' M κ_t κ_tᵀ), dt ⟨φ'⟩' M κ_t], [0, (1 − dt)²]]
  (⟨φ'⟩' = d⟨φ'⟩/dΔ), and independent noise of covariance diag(2σ²dt, 2σ²dt,
  8(1 − dt)²σ²dt c_t + 8σ⁴dt²) (the latent projection of ξ_t; the fluctuation of ĉ, whose
  x_⊥ is an exact Ornstein–Uhlenbeck map since the recurrent drive lies in span U). The
  covariance S_{t+1} = A_t S_t A_tᵀ + D_t starts at S_0 = 0. The second block is the
  gain modulation of THEORY §2 (the v_orth term) in time-dependent form.
* output z = s√N κ₁ (s = 1 for large output weights, 1/√N for small): per step
  z̄_t = s√N κ_{t+1,1}, Var z_t = s² S_{t+1,11}; L_bias and L_var are their masked means,
  exactly as the simulation's loss (mean over masked steps of (z − ẑ)²; its expectation is
  L_bias + L_var with the population variance).

In the stationary limit of a constant M with an attracting fixed point, κ_t → κ̄ and S → the
Euler-map covariance of :func:`meanfield.latent_covariance` with ``dt=`` (THEORY §2 with the
finite-dt corrections) — a test checks it against that independent route.

**Neglected** (what the flow cannot capture, stated by order): the finite-N shift of the
mean (κ at O(1/N), so z̄ at O(1/√N)) and the per-network (quenched) spread of U's empirical
moments (z̄ at O(1) for oblique outputs, :func:`meanfield.quenched_outputs`) — training
absorbs it into M at O(1/√N); the noise that leaks through φ beyond the gain modulation
(:mod:`meanfield.hermite_noise`, a few % of L_var at σ = 1); corrections beyond linear
noise (relative O(σ²/N)-sized terms in the loss, larger near a saddle-node); and the
minibatch noise of the stochastic gradient (the flow follows the expected gradient; the
simulated M diffuses around it with variance ∝ lr/batch).

This module imports JAX; ``import meanfield`` does not load it (``meanfield.learning_flow``
is a lazy attribute). Computations run in float64 (``jax.enable_x64`` inside the calls).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from . import _checks

__all__ = [
    "FLOW_NONLINEARITIES",
    "LearningFlow",
    "Trial",
    "TrialLoss",
    "constant_input_trial",
    "expected_loss",
    "fixed_point_trial",
    "learning_flow",
]

#: Nonlinearities the flow supports (THEORY §2: erf is the reference; tanh by quadrature).
FLOW_NONLINEARITIES: tuple[str, ...] = ("erf", "tanh", "linear")
#: Trapezoid rule of the tanh averages over a standard normal x ∈ [−12, 12] with step 0.04:
#: exponentially convergent for the analytic sech² (poles at |Im x| = π/(2√Δ)), error
#: ~exp(−2π·π/(2√Δ)/0.04) < 1e-12 for Δ ≤ 50 (test: against mpmath).
_TANH_STEP = 0.04
_TANH_HALF_WIDTH = 12.0
_ALPHA_SQ = math.pi / 4.0  # α² of φ(x) = erf(α x), α = √π/2


@dataclasses.dataclass(frozen=True)
class Trial:
    """One trial of a task in latent coordinates (the condition with sign +1).

    **Fields** (T = number of Euler steps)
      dt: Euler step (0 < dt < 2).
      drive: [T, 2] latent input drive v_t = Uᵀ w_in u_t / N of step t.
      target: [T] target ẑ_t of the output after step t.
      mask: [T] 1 where the loss is evaluated, 0 elsewhere (at least one 1).
      window: [T] 1 on the steps averaged into the recorded κ̄ (simulate's records: from the
        first masked step to the end of the trial).
      name: a label.
    """

    dt: float
    drive: np.ndarray
    target: np.ndarray
    mask: np.ndarray
    window: np.ndarray
    name: str = "trial"

    def __post_init__(self) -> None:
        _checks.check_real(dt=self.dt)
        if not (np.ndim(self.dt) == 0 and 0 < float(self.dt) < 2):
            raise _checks.invalid(
                "dt", self.dt, "a number in (0, 2)", "the Euler map of one unit needs |1 − dt| < 1"
            )
        T = len(self.target)
        for field, shape in (("drive", (T, 2)), ("target", (T,)), ("mask", (T,)), ("window", (T,))):
            arr = np.asarray(getattr(self, field), dtype=float)
            if arr.shape != shape or not np.all(np.isfinite(arr)):
                raise _checks.invalid(
                    field, f"<array of shape {arr.shape}>", f"finite, shape {shape}"
                )
            object.__setattr__(self, field, arr)
        if not self.mask.sum() > 0:
            raise _checks.invalid("mask", "<no evaluated step>", "1 on at least one step")


def _steps(duration: float, dt: float, name: str) -> int:
    k = round(duration / dt)
    if k < 0 or not math.isclose(k * dt, duration, rel_tol=1e-9, abs_tol=1e-12):
        raise _checks.invalid(name, duration, f"a non-negative multiple of dt={dt!r}")
    return k


def _task_trial(
    name: str,
    input_steps: Callable[[int], np.ndarray],
    *,
    dt: float,
    t_max: float,
    t_target: float,
    target_dt: float,
    z_target: float,
    rho_io: float,
) -> Trial:
    """A one-input task trial on simulate's time grid: input u_t = ``input_steps(n)`` [n] along
    w_in (latent direction (ρ_io, sqrt(1 − ρ_io²))), target ``z_target`` from ``t_target`` on,
    evaluated every ``target_dt``; the κ̄ window starts at the first evaluated step."""
    if not -1 <= rho_io <= 1:
        raise _checks.invalid("rho_io", rho_io, "in [-1, 1]")
    n = _steps(t_max, dt, "t_max")
    start = _steps(t_target, dt, "t_target")
    every = _steps(target_dt, dt, "target_dt")
    if every < 1:
        raise _checks.invalid("target_dt", target_dt, f"a positive multiple of dt={dt!r}")
    if not 0 <= start < n:
        raise _checks.invalid("t_target", t_target, f"in [0, t_max={t_max!r})")
    idx = np.arange(n)
    on = idx >= start
    drive = input_steps(n)[:, None] * np.array([rho_io, math.sqrt(1 - rho_io**2)])
    return Trial(
        dt,
        drive,
        np.where(on, z_target, 0.0),
        (on & (idx % every == 0)).astype(float),
        on.astype(float),
        name=name,
    )


def fixed_point_trial(
    *,
    dt: float = 0.2,
    t_max: float = 10.0,
    t_target: float = 2.0,
    target_dt: float = 1.0,
    z_target: float = 1.0,
    rho_io: float = 0.0,
) -> Trial:
    """The §4 fixed-point pulse task (``simulate``'s ``fixed_point`` task) in latent form.

    A one-step pulse of amplitude 1/dt at t = 0 along w_in = √N(ρ_io q₁ + sqrt(1 − ρ_io²) q₂)
    (latent drive (ρ_io, sqrt(1 − ρ_io²))/dt at step 0), target ``z_target`` for t ≥ t_target,
    evaluated every ``target_dt``. THEORY §4; defaults are the paper's.
    """

    def pulse(n: int) -> np.ndarray:
        return np.where(np.arange(n) == 0, 1.0 / dt, 0.0)

    return _task_trial(
        "fixed_point",
        pulse,
        dt=dt,
        t_max=t_max,
        t_target=t_target,
        target_dt=target_dt,
        z_target=z_target,
        rho_io=rho_io,
    )


def constant_input_trial(
    *,
    rho_io: float,
    dt: float = 0.2,
    t_max: float = 20.0,
    t_target: float = 15.0,
    target_dt: float = 1.0,
    z_target: float = 1.0,
) -> Trial:
    """The §3 constant-input task (``simulate``'s ``linear_constant``) in latent form.

    Constant input 1 along w_in = √N(ρ_io w₁ + sqrt(1 − ρ_io²) w₂): latent drive
    (ρ_io, sqrt(1 − ρ_io²)) at every step; target ``z_target`` on [t_target, t_max), evaluated
    every ``target_dt``. For §3 pass ρ_io = −0.5/√N. THEORY §3.
    """
    return _task_trial(
        "constant_input",
        np.ones,
        dt=dt,
        t_max=t_max,
        t_target=t_target,
        target_dt=target_dt,
        z_target=z_target,
        rho_io=rho_io,
    )


# ----------------------------------------------------------------------------- gains
def _smoothed(f: Callable[[jax.Array], jax.Array]) -> Callable[[jax.Array], jax.Array]:
    """Δ ↦ E f(√Δ x), x ~ N(0, 1), by the trapezoid rule, differentiable at Δ = 0 too.

    Its derivative is the heat-equation identity d/dΔ E f(√Δ x) = E f''(√Δ x) / 2 (a
    custom JVP, so no derivative of √Δ, which is infinite at Δ = 0, is ever taken).
    """
    x = np.arange(-_TANH_HALF_WIDTH, _TANH_HALF_WIDTH + _TANH_STEP / 2, _TANH_STEP)
    w = _TANH_STEP * np.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    f2 = jnp.vectorize(jax.grad(jax.grad(f)))

    @jax.custom_jvp
    def mean(d: jax.Array) -> jax.Array:
        # numpy nodes, converted when traced (inside jax.enable_x64: float64, not float32)
        return jnp.sum(jnp.asarray(w) * f(jnp.sqrt(d) * jnp.asarray(x)))

    @mean.defjvp
    def _mean_jvp(primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> Any:
        (d,), (dd,) = primals, tangents
        return mean(d), 0.5 * _smoothed(f2)(d) * dd

    return mean


def _gain(nonlinearity: str) -> Callable[[jax.Array], jax.Array]:
    """⟨φ'⟩(Δ) as a JAX function (differentiable; ⟨φ'⟩' by autodiff)."""
    if nonlinearity == "erf":
        return lambda d: (1.0 + 2.0 * _ALPHA_SQ * d) ** -0.5
    if nonlinearity == "linear":
        return lambda d: jnp.ones_like(d)
    if nonlinearity == "tanh":
        return _smoothed(lambda y: 1.0 - jnp.tanh(y) ** 2)
    _checks.check_choice("nonlinearity", nonlinearity, FLOW_NONLINEARITIES)
    raise AssertionError("unreachable")


class TrialLoss(NamedTuple):
    """Expected loss of one trial and its mean path (float64 JAX arrays).

    loss_bias, loss_var: scalars (masked means of (z̄ − ẑ)² and Var z).
    kappa: [T, 2] mean latent state after each step. z_var: [T] Var z after each step.
    kappa_bar: [2] mean of κ over the trial's window (as ``simulate``'s records).
    """

    loss_bias: jax.Array
    loss_var: jax.Array
    kappa: jax.Array
    z_var: jax.Array
    kappa_bar: jax.Array


def _trial_loss(
    M: jax.Array,
    N: jax.Array,
    sigma: jax.Array,
    s: jax.Array,
    trial: Trial,
    gain: Callable[[jax.Array], jax.Array],
) -> TrialLoss:
    dt = trial.dt
    dgain = jax.grad(gain)
    a_perp = (1.0 - dt) ** 2
    eye = jnp.eye(2)

    def body(carry: Any, v: jax.Array) -> Any:
        kappa, c, S = carry
        delta = kappa @ kappa + c
        g, gp = gain(delta), dgain(delta)
        Mk = M @ kappa
        J = (1.0 - dt) * eye + dt * (g * M + 2.0 * gp * jnp.outer(Mk, kappa))
        A = jnp.zeros((3, 3)).at[:2, :2].set(J).at[:2, 2].set(dt * gp * Mk).at[2, 2].set(a_perp)
        noise_e = 8.0 * a_perp * sigma**2 * dt * c + 8.0 * sigma**4 * dt**2
        D = jnp.diag(jnp.stack([2.0 * sigma**2 * dt, 2.0 * sigma**2 * dt, noise_e]))
        kappa_next = kappa + dt * (-kappa + g * Mk + v)
        c_next = a_perp * c + 2.0 * sigma**2 * dt
        S_next = A @ S @ A.T + D
        return (kappa_next, c_next, S_next), (kappa_next, S_next[0, 0])

    init = (jnp.zeros(2), jnp.zeros(()), jnp.zeros((3, 3)))
    _, (kappa, s11) = jax.lax.scan(body, init, jnp.asarray(trial.drive))
    mask = jnp.asarray(trial.mask)
    window = jnp.asarray(trial.window)
    z_mean = s * jnp.sqrt(N) * kappa[:, 0]
    z_var = s**2 * s11
    norm = jnp.sum(mask)
    loss_bias = jnp.sum(mask * (z_mean - jnp.asarray(trial.target)) ** 2) / norm
    loss_var = jnp.sum(mask * z_var) / norm
    kappa_bar = jnp.sum(window[:, None] * kappa, axis=0) / jnp.sum(window)
    return TrialLoss(loss_bias, loss_var, kappa, z_var, kappa_bar)


def _check_positive(name: str, value: Any, *, strict: bool) -> None:
    """The package's TypeError/ValueError (meanfield._checks) unless ``value`` is a finite
    real number or array with every entry > 0 (``strict``) or ≥ 0."""
    _checks.check_real(**{name: value})
    arr = np.asarray(value, dtype=float)
    if not (np.all(np.isfinite(arr)) and np.all(arr > 0 if strict else arr >= 0)):
        raise _checks.invalid(name, value, "finite and > 0" if strict else "finite and ≥ 0")


def _check_m(M: Any, name: str) -> np.ndarray:
    _checks.check_real(**{name: M})
    arr = np.asarray(M, dtype=float)
    if arr.ndim < 2 or arr.shape[-2:] != (2, 2) or not np.all(np.isfinite(arr)):
        raise _checks.invalid(name, f"<array of shape {arr.shape}>", "finite, shape [..., 2, 2]")
    return arr


def expected_loss(
    M: Any,
    N: Any,
    sigma: float,
    *,
    trial: Trial | None = None,
    nonlinearity: str = "erf",
    out_scale: str = "large",
) -> TrialLoss:
    """Expected loss of one trial of a rank-2 network with coupling M (module docstring).

    **Arguments**
      M: [2, 2] coupling (any real matrix). N: number of units (> 0; a real number).
      sigma: noise σ ≥ 0. trial: :class:`Trial` (default :func:`fixed_point_trial`).
      nonlinearity: one of :data:`FLOW_NONLINEARITIES`. out_scale: ``"large"`` / ``"small"``.

    **Returns** :class:`TrialLoss` (float64). Differentiable in M (``jax.grad`` through
    :func:`jax.lax.scan`). THEORY §2, §4.
    """
    M = _check_m(M, "M")
    if M.shape != (2, 2):
        raise _checks.invalid(
            "M", f"<array of shape {M.shape}>", "shape (2, 2) (learning_flow batches)"
        )
    _check_positive("N", N, strict=True)
    _check_positive("sigma", sigma, strict=False)
    trial = fixed_point_trial() if trial is None else trial
    gain = _gain(nonlinearity)
    s = _checks.out_scale_factor(out_scale, np.asarray(N, dtype=float))
    with jax.enable_x64(True):
        Nj = jnp.asarray(N, jnp.float64)
        return _trial_loss(
            jnp.asarray(M),
            Nj,
            jnp.asarray(sigma, jnp.float64),
            jnp.asarray(s, jnp.float64),
            trial,
            gain,
        )


class LearningFlow(NamedTuple):
    """Predicted training trajectory (numpy float64; leading dims = the broadcast batch).

    Records at steps 0, k, 2k, … (``record_every`` = k) of the parameters *before* that
    step's update, as ``simulate``'s records. Shapes: ``step`` [R]; ``M`` [..., R, 2, 2];
    the others [..., R].

    lambda_plus, lambda_minus: real parts of M's eigenvalues (larger, smaller).
    kappa_norm: ‖κ̄‖ (κ̄ = mean path over the trial's window). rho: |κ̄₁|/‖κ̄‖ (THEORY §2,
    ρ = cos θ₊; NaN where κ̄ = 0). loss_bias, loss_var, loss: the expected trial losses.
    M_end: [..., 2, 2] the coupling after the last update (to continue with another schedule).
    """

    step: np.ndarray
    M: np.ndarray
    lambda_plus: np.ndarray
    lambda_minus: np.ndarray
    kappa_norm: np.ndarray
    rho: np.ndarray
    loss_bias: np.ndarray
    loss_var: np.ndarray
    loss: np.ndarray
    M_end: np.ndarray


def _optimizer(optimizer: Any, lr: float) -> optax.GradientTransformation | None:
    if optimizer == "sgd":
        return optax.sgd(lr)
    if optimizer == "adam":
        return optax.adam(lr)
    if optimizer == "flow":
        return None
    if isinstance(optimizer, optax.GradientTransformation):
        return optimizer
    raise _checks.invalid(
        "optimizer", optimizer, "'sgd', 'adam', 'flow' or an optax.GradientTransformation"
    )


def _eig_real(M: jax.Array) -> tuple[jax.Array, jax.Array]:
    half_tr = 0.5 * (M[0, 0] + M[1, 1])
    det = M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]
    disc = half_tr**2 - det
    root = jnp.sqrt(jnp.maximum(disc, 0.0))  # complex pair: equal real parts
    return half_tr + root, half_tr - root


def learning_flow(
    M0: Any,
    N: Any,
    sigma: float,
    *,
    lr: float,
    steps: int,
    optimizer: Any = "sgd",
    trial: Trial | None = None,
    nonlinearity: str = "erf",
    out_scale: str = "large",
    record_every: int = 1,
) -> LearningFlow:
    """Gradient descent on the expected trial loss of M: the predicted training trajectory.

    Applies the simulated training's optimiser to L(M) = L_bias(M) + L_var(M) of
    :func:`expected_loss` (module docstring), ``steps`` times, from ``M0``.
    ``optimizer="flow"`` integrates the continuous gradient flow dM/dτ = −∇L (τ = lr·step)
    with classical Runge–Kutta steps of size ``lr`` — the small-learning-rate limit of SGD.

    **Arguments**
      M0: [..., 2, 2] initial couplings (§4: zeros). N: number of units, scalar or array;
        M0[..., :, :] and N broadcast to one batch (vectorised with ``jax.vmap``).
      sigma: noise σ ≥ 0. lr: learning rate > 0. steps: number of updates ≥ 1.
      optimizer: ``"sgd"`` (THEORY §3–§4), ``"adam"``, ``"flow"``, or any
        ``optax.GradientTransformation`` (schedules included; ``lr`` then only sizes
        nothing and is still checked).
      trial: :class:`Trial` (default :func:`fixed_point_trial`, THEORY §4).
      nonlinearity: one of :data:`FLOW_NONLINEARITIES`. out_scale: ``"large"``/``"small"``.
      record_every: k ≥ 1 with steps % k == 0; records at 0, k, …, steps − k (as simulate).

    **Returns** :class:`LearningFlow`. Cost: one scan over the trial per step (≈ 50 steps
    for §4), a few ms per thousand updates and batch entry on a CPU.
    """
    M0 = _check_m(M0, "M0")
    _check_positive("N", N, strict=True)
    _check_positive("sigma", sigma, strict=False)
    _check_positive("lr", lr, strict=True)
    if not (isinstance(steps, (int, np.integer)) and not isinstance(steps, bool) and steps >= 1):
        raise _checks.invalid("steps", steps, "an integer ≥ 1")
    if not (
        isinstance(record_every, (int, np.integer))
        and record_every >= 1
        and steps % record_every == 0
    ):
        raise _checks.invalid(
            "record_every", record_every, f"an integer ≥ 1 dividing steps={steps}"
        )
    trial = fixed_point_trial() if trial is None else trial
    gain = _gain(nonlinearity)
    opt = _optimizer(optimizer, float(lr))
    batch_shape = np.broadcast_shapes(M0.shape[:-2], np.shape(N))
    M0b = np.broadcast_to(M0, batch_shape + (2, 2)).reshape(-1, 2, 2)
    Nb = np.broadcast_to(np.asarray(N, float), batch_shape).reshape(-1)
    n_rec = steps // record_every

    with jax.enable_x64(True):
        s_all = jnp.asarray(_checks.out_scale_factor(out_scale, Nb))

        def one(M_init: jax.Array, n: jax.Array, s: jax.Array) -> Any:
            def loss(M: jax.Array) -> tuple[jax.Array, TrialLoss]:
                out = _trial_loss(M, n, jnp.asarray(sigma, jnp.float64), s, trial, gain)
                return out.loss_bias + out.loss_var, out

            grad = jax.grad(loss, has_aux=True)

            def record(M: jax.Array, out: TrialLoss) -> dict[str, jax.Array]:
                lp, lm = _eig_real(M)
                kn = jnp.linalg.norm(out.kappa_bar)
                return {
                    "M": M,
                    "lambda_plus": lp,
                    "lambda_minus": lm,
                    "kappa_norm": kn,
                    "rho": jnp.abs(out.kappa_bar[0]) / kn,
                    "loss_bias": out.loss_bias,
                    "loss_var": out.loss_var,
                    "loss": out.loss_bias + out.loss_var,
                }

            def update(M: jax.Array, opt_state: Any) -> tuple[jax.Array, Any, TrialLoss]:
                g, out = grad(M)
                if opt is None:  # RK4 on dM/dτ = −∇L, step lr
                    h = float(lr)
                    k2 = grad(M - 0.5 * h * g)[0]
                    k3 = grad(M - 0.5 * h * k2)[0]
                    k4 = grad(M - h * k3)[0]
                    return M - h * (g + 2 * k2 + 2 * k3 + k4) / 6.0, opt_state, out
                upd, opt_state = opt.update(g, opt_state, M)
                return optax.apply_updates(M, upd), opt_state, out

            def block(carry: Any, _: Any) -> Any:
                M, opt_state = carry
                M_rec = M
                M, opt_state, out = update(M, opt_state)
                rec = record(M_rec, out)

                def inner(c: Any, _: Any) -> Any:
                    m, st = c
                    m, st, _ = update(m, st)
                    return (m, st), None

                (M, opt_state), _ = jax.lax.scan(
                    inner, (M, opt_state), None, length=record_every - 1
                )
                return (M, opt_state), rec

            state0 = None if opt is None else opt.init(M_init)
            (M_last, _), recs = jax.lax.scan(block, (M_init, state0), None, length=n_rec)
            return dict(recs, M_end=M_last)

        recs = jax.jit(jax.vmap(one))(jnp.asarray(M0b), jnp.asarray(Nb), s_all)
        recs = {k: np.asarray(v) for k, v in recs.items()}

    def shaped(v: np.ndarray) -> np.ndarray:
        return v.reshape(batch_shape + v.shape[1:])

    return LearningFlow(
        step=np.arange(n_rec) * record_every,
        **{
            k: shaped(recs[k])
            for k in (
                "M",
                "lambda_plus",
                "lambda_minus",
                "kappa_norm",
                "rho",
                "loss_bias",
                "loss_var",
                "loss",
                "M_end",
            )
        },
    )
