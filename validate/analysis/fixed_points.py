r"""Fixed and slow points of trained networks, and their linearisations (seeds 002 and 003).

For a network with update F at a constant input u*, fixed points are zeros of the *speed*

* continuous-time networks (``kind="flow"``, :mod:`simulate`'s rate networks, THEORY §1):
  q(h) = ½‖ḣ‖²/N with ḣ = −h + W φ(h) + W_in u* (the noise-free drift);
* discrete-time networks (``kind="map"``, h_t = F(h_{t−1}, x_t)): q(h) = ½‖F(h, u*) − h‖²/N.

q is divided by N so that one tolerance serves every network size (a per-unit mean square).
Minimising q from many initial states (sampled along trajectories, plus noise) finds fixed
points (q = 0) and slow points (small local minima of q) — the method of Sussillo & Barak
(2013) used by seed 002. All initial states are optimised together in **one** jitted,
vmapped ``lax.scan`` (optax Adam with an exponentially decaying rate), followed by
vectorised Levenberg–Marquardt steps on ḣ = 0 that are kept only where they lower q (Newton's
method near a true fixed point, polishing it to the dtype's rounding level; a damped descent
that leaves slow points alone), in a ``lax.while_loop`` that ends once every point has converged
or stalled. The inner solve (JᵀJ + μI)δ = Jᵀr is either dense (J by ``jax.jacfwd``, O(N³))
or matrix-free conjugate gradients on J v / Jᵀw products (O(N²) per product); F stays any
traceable function, nothing is special-cased. That is ``method="adam-lm"``, the default up to
N = :data:`AUTO_CG_MAX_N`. Above it the default is ``method="lbfgs-newton"``: a batched L-BFGS on
q (one evaluation per iteration, Armijo steps) in the working dtype, then float64 Newton steps
with dense LU solves of J δ = ḣ (``jax.enable_x64`` inside the call, so float32 work still ends
at float64 precision) on the points whose q fell below ``newton_below``. At N = 512 it
converged 18 % of 256 starts against ``"adam-lm"``'s 12 %, at 1.7 against 0.4 converged points
per second (``python benchmarks/bench_fixed_points.py --sizes 512 --compare-methods``, one run);
at N = 128 it converges more (49 % against 38 %) but ``"adam-lm"`` is faster per converged
point (66 against 48 per second), hence the switch above N = 256. Then:

1. keep points with q ≤ ``q_tol`` (default 1e-12 per unit, i.e. a residual speed of
   ~1.4·10⁻⁶ per unit; reachable in float32 for O(1) activity);
2. drop outliers — points farther from every reference trajectory sample than
   ``outlier_factor`` × the RMS radius of the trajectories (when ``reference`` is given);
3. merge duplicates closer than ``dedup_tol`` × max(√N, ‖h‖) (Euclidean; √N makes the tolerance
   per unit, ‖h‖ relative for points far from the origin);
4. linearise: Jacobian J = ∂F/∂h (or ∂ḣ/∂h) by ``jax.jacfwd``, eigenvalues, right eigenvectors
   R and left eigenvectors L = R⁻¹ (rows; L R = I, the non-normal decomposition), stability
   (flow: all Re λ < 0; map: all |λ| < 1) and the number of unstable modes.

When nothing passes, the result is empty (zero points) and carries the best q found, so a
population sweep can report it instead of failing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from jaxtyping import Float
from numpy.typing import ArrayLike

from meanfield._repr import concise_repr

from ..core import checks

__all__ = [
    "AUTO_CG_MAX_N",
    "KINDS",
    "LM_PATIENCE",
    "METHODS",
    "NEWTON_PATIENCE",
    "NEWTON_STEP_LENGTHS",
    "SOLVERS",
    "FixedPoints",
    "find_fixed_points",
    "linearise",
    "model_velocity",
    "sample_initial_states",
]

#: Accepted ``kind`` values: continuous-time flow or discrete-time map.
KINDS: tuple[str, ...] = ("flow", "map")


class FixedPoints(NamedTuple):
    """Fixed/slow points found by :func:`find_fixed_points` (P points, N units).

    Attributes:
        points: [P, N] states.
        q: [P] speeds q(h) (per unit, see module docstring).
        jacobians: [P, N, N] ∂F/∂h (map) or ∂ḣ/∂h (flow) at each point.
        eigenvalues: [P, N] complex, sorted by decreasing real part (flow) or modulus (map).
        right: [P, N, N] right eigenvectors (columns), same order.
        left: [P, N, N] left eigenvectors (rows) = right⁻¹, so left @ right = I.
        stable: [P] bool. n_unstable: [P] number of unstable modes.
        kind: ``"flow"`` or ``"map"``.
        best_q: smallest q over all candidates (also when P = 0).
        n_candidates: number of initial states optimised.
        n_below_tol, n_outliers: candidates under ``q_tol``; of those, dropped as outliers.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    points: np.ndarray
    q: np.ndarray
    jacobians: np.ndarray
    eigenvalues: np.ndarray
    right: np.ndarray
    left: np.ndarray
    stable: np.ndarray
    n_unstable: np.ndarray
    kind: str
    best_q: float
    n_candidates: int
    n_below_tol: int
    n_outliers: int

    def __len__(self) -> int:
        """Number of fixed points kept (not the number of fields)."""
        return int(self.points.shape[0])

    @property
    def n_points(self) -> int:
        """Number of fixed points kept (same as ``len``)."""
        return int(self.points.shape[0])

    @property
    def empty(self) -> bool:
        """True when no point passed the tolerance (see :attr:`best_q`)."""
        return self.points.shape[0] == 0


def _make_fixed_points(cls: type, iterable: Any) -> FixedPoints:
    # NamedTuple._make checks len(result) against the field count; FixedPoints.__len__
    # counts points, so build the tuple directly (``_replace`` goes through ``_make``)
    return tuple.__new__(cls, tuple(iterable))


FixedPoints._make = classmethod(_make_fixed_points)  # type: ignore[assignment]


def model_velocity(model: Any) -> Callable[[Any, Any], Any]:
    """The noise-free drift ḣ(h, u) [N] of a :mod:`simulate` rate network (THEORY §1).

    Built from ``simulate.dynamics.step`` with dt = 1, σ = 0 (ḣ = step − h), so the formula
    lives in one place. ``h`` is [N], ``u`` is [n_in].
    """
    import jax.numpy as jnp

    from simulate.dynamics import step

    def velocity(h: Any, u: Any) -> Any:
        x = h[None, :]
        nxt = step(model, x, u[None, :], jnp.zeros_like(x), dt=1.0, sigma=0.0)
        return nxt[0] - h

    return velocity


def sample_initial_states(
    trajectories: ArrayLike, n: int, *, noise_std: float = 0.0, seed: int = 0
) -> Float[np.ndarray, "n N"]:
    """``n`` states drawn uniformly (with replacement) from ``trajectories`` [..., N], plus
    isotropic Gaussian noise of std ``noise_std`` per unit."""
    X = checks.array(trajectories, "trajectories", finite=False, min_size=0)
    if X.ndim < 2:
        raise ValueError(f"trajectories has shape {X.shape}; allowed: [..., N] with samples")
    X = X.reshape(-1, X.shape[-1])
    n = checks.integer(n, "n", 1)
    noise_std = checks.real(noise_std, "noise_std", low=0.0)
    if not np.all(np.isfinite(X)):
        raise ValueError("trajectories has non-finite entries; allowed: finite activity")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, X.shape[0], size=n)
    return X[idx] + noise_std * rng.standard_normal((n, X.shape[1]))


def _check_positive(
    name: str, value: Any, *, integer: bool = False, allow_zero: bool = False
) -> Any:
    """``value`` as int (``integer``) or float, > 0 (≥ 0 with ``allow_zero``); numpy scalars
    and 0-d arrays accepted; ValueError naming ``name`` otherwise."""
    try:
        v = checks.integer(value, name, 0) if integer else checks.real(value, name, low=0.0)
    except ValueError:
        v = None
    if v is None or (v == 0 and not allow_zero):
        kind = "an integer" if integer else "a finite number"
        raise ValueError(
            f"{name}={value!r} is not allowed; {name} must be {kind} "
            f"{'>= 0' if allow_zero else '> 0'}"
        )
    return v


def _residual_fn(F: Callable, kind: str) -> Callable:
    """r(h, u): F(h, u) − h for maps, ḣ(h, u) for flows."""
    if kind == "map":
        return lambda h, u: F(h, u) - h
    return F


def _speed_fn(F: Callable, kind: str, u: Any) -> Callable:
    """q(h) = ½‖r(h, u)‖²/N of one state h [N] (the per-unit speed of the module docstring)."""
    import jax.numpy as jnp

    resid = _residual_fn(F, kind)

    def q_one(h: Any) -> Any:
        r = resid(h, u)
        return 0.5 * jnp.sum(r * r) / h.shape[-1]

    return q_one


def _q_stop(q_tol: float, dtype: Any) -> float:
    """Where polishing stops: the dtype's rounding level, never looser than q_tol·1e-2. Per
    unit a residual of 64 ulps, q = ½(64 ε)² — 1e-28 in float64, i.e. Newton goes on to machine
    precision instead of stopping at q ≤ 1e-14 (locations then only good to ~1e-8)."""
    return min(1e-2 * q_tol, 0.5 * (64.0 * float(np.finfo(dtype).eps)) ** 2)


#: Fixed-point methods (see :func:`find_fixed_points`): first stage and polish.
METHODS: tuple[str, ...] = ("auto", "adam-lm", "lbfgs-newton")

#: Levenberg–Marquardt inner solvers (see :func:`find_fixed_points`).
SOLVERS: tuple[str, ...] = ("auto", "dense", "cg")

#: ``solver="auto"`` uses matrix-free CG up to this N and dense solves above it (measured in
#: benchmarks/bench_fixed_points.py at N = 128 and 512 only, the threshold lies between: at
#: N = 128 CG is twice as fast at the same converged fraction; at N = 512 even 250 CG iterations
#: per step do not resolve the ill-conditioned JᵀJ (1 % converged vs 12 % for dense solves)).
AUTO_CG_MAX_N = 256

#: A point leaves the Levenberg–Marquardt loop when q has not halved within this many steps
#: (stalled at a slow point, or at the float round-off floor).
LM_PATIENCE = 8


def _cg(matvec: Callable, b: Any, iters: int, rtol: Any) -> Any:
    """Conjugate gradients for A x = b (A symmetric positive definite, given by ``matvec``)
    from x = 0, stopping when ‖b − A x‖ ≤ rtol·‖b‖ or after ``iters`` iterations. One point
    ([N]); vmapped by the caller (a batched ``while_loop`` runs until every point stops)."""
    import jax
    import jax.numpy as jnp

    rr0 = b @ b
    stop = rtol * rtol * rr0

    def cond(c: Any) -> Any:
        i, _, _, _, rr = c
        return (i < iters) & (rr > stop)

    def body(c: Any) -> Any:
        i, x, r, p, rr = c
        Ap = matvec(p)
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = r @ r
        return i + 1, x, r, r + (rr_new / rr) * p, rr_new

    return jax.lax.while_loop(cond, body, (0, jnp.zeros_like(b), b, b, rr0))[1]


def _optimise_impl(
    F: Callable,
    kind: str,
    h0: Any,
    u: Any,
    steps: int,
    learning_rate: Any,
    decay: Any,
    newton_steps: int,
    solver: str = "dense",
    cg_iters: int = 80,
    cg_tol: Any = 0.03,
    q_stop: Any = 0.0,
) -> tuple[Any, Any]:
    """Adam on q for all initial states at once, then guarded Levenberg–Marquardt polishing
    (dense or matrix-free CG inner solve) with an early exit once every point has converged
    (q ≤ q_stop) or stalled."""
    import jax
    import jax.numpy as jnp
    import optax

    resid = _residual_fn(F, kind)
    q_one = _speed_fn(F, kind, u)
    N = h0.shape[-1]

    # lr_t = learning_rate · decay^(t/steps), written out so that both stay traced arguments
    opt = optax.chain(
        optax.scale_by_adam(),
        optax.scale_by_schedule(lambda t: -learning_rate * decay ** (t / steps)),
    )
    grad_all = jax.vmap(jax.grad(q_one))

    def body(carry: Any, _: Any) -> tuple[Any, None]:
        h, state = carry
        g = grad_all(h)
        upd, state = opt.update(g, state, h)
        return (optax.apply_updates(h, upd), state), None

    (h, _), _ = jax.lax.scan(body, (h0, opt.init(h0)), None, length=steps)
    q_all = jax.vmap(q_one)
    if newton_steps == 0:
        return h, q_all(h)

    def dense_step(h: Any, mu: Any, active: Any) -> Any:
        # δ = (JᵀJ + μ s I)⁻¹ Jᵀr with s = tr(JᵀJ)/N; J [N, N] formed by jacfwd (N³)
        del active  # the dense solve costs the same either way; the caller drops frozen steps

        def f(x: Any) -> Any:
            return resid(x, u)

        r, J = f(h), jax.jacfwd(f)(h)
        JtJ = J.T @ J
        scale = jnp.trace(JtJ) / N
        return jnp.linalg.solve(JtJ + (mu * scale) * jnp.eye(N, dtype=h.dtype), J.T @ r)

    def cg_step(h: Any, mu: Any, active: Any) -> Any:
        # the same δ, matrix-free: CG on (JᵀJ + μ s I) δ = Jᵀr with products J v (jvp) and
        # Jᵀw (transposed jvp), O(N²) each; s = ‖J g‖²/‖g‖² (Rayleigh quotient of JᵀJ
        # along the gradient g = Jᵀr) stands in for the trace, which needs J itself
        r, jvp = jax.linearize(lambda x: resid(x, u), h)
        vjp = jax.linear_transpose(jvp, h)
        g = jnp.where(active, vjp(r)[0], 0.0)  # frozen points: b = 0 ends their CG at once
        Jg = jvp(g)
        scale = (Jg @ Jg) / jnp.maximum(g @ g, jnp.finfo(h.dtype).tiny)
        lam = mu * scale
        return _cg(lambda v: vjp(jvp(v))[0] + lam * v, g, cg_iters, cg_tol)

    step_all = jax.vmap(cg_step if solver == "cg" else dense_step)

    def active_of(q: Any, stall: Any) -> Any:
        return (q > q_stop) & (stall < LM_PATIENCE)

    def lm_cond(c: Any) -> Any:
        k, _, _, q, _, stall = c
        return (k < newton_steps) & jnp.any(active_of(q, stall))

    def lm(c: Any) -> Any:
        # Levenberg–Marquardt on r(h) = 0 per point, accepted only where it lowers q (then
        # μ ← μ/3, else μ ← 4μ); at a true fixed point this is Newton's method (μ → 0), at a
        # slow point it stays a damped descent on q. Points that converged (q ≤ q_stop) or
        # stalled (q not halved within LM_PATIENCE steps) are frozen; the loop ends when all are.
        k, h, mu, q, q_ref, stall = c
        active = active_of(q, stall)
        cand = h - step_all(h, mu, active)
        q_new = q_all(cand)
        better = active & jnp.isfinite(q_new) & (q_new < q)
        h = jnp.where(better[:, None], cand, h)
        q = jnp.where(better, q_new, q)
        mu = jnp.clip(jnp.where(better, mu / 3.0, mu * 4.0), 1e-12, 1e12)
        halved = q < 0.5 * q_ref
        q_ref = jnp.where(halved, q, q_ref)
        stall = jnp.where(halved, 0, stall + 1)
        return k + 1, h, mu, q, q_ref, stall

    q = q_all(h)
    mu0 = jnp.full(h.shape[:1], 1e-3, h.dtype)
    init = (0, h, mu0, q, q, jnp.zeros(h.shape[:1], jnp.int32))
    _, h, _, q, _, _ = jax.lax.while_loop(lm_cond, lm, init)
    return h, q


#: A point leaves the float64 Newton loop of ``"lbfgs-newton"`` when q has not dropped to a
#: quarter (‖ḣ‖ halved) for this many steps in a row: slow points improve a little at every
#: damped step without converging; near a root Newton's q falls by orders of magnitude.
#: Measured at N = 512 (256 starts, ≤ 30 steps): patience 2, 4, 8 and none converged 38, 45,
#: 50 and 62 starts with the Newton stage taking ≈ 4, 4, 12 and 27 s; 4 gives the most
#: converged points per second of the whole call (slow points stay longest without a limit).
NEWTON_PATIENCE = 4

#: Step lengths tried per float64 Newton step of the ``"lbfgs-newton"`` method, all at once,
#: the one with the smallest q kept: 1, ½, …, 2⁻¹².
NEWTON_STEP_LENGTHS: tuple[float, ...] = tuple(2.0**-k for k in range(13))


def _lbfgs_impl(
    F: Callable, kind: str, h0: Any, u: Any, steps: int, memory: int
) -> tuple[Any, Any]:
    """Batched L-BFGS on q for all initial states at once (one jitted ``lax.scan``).

    Per start: a ring of ``memory`` (s, y) pairs and the two-loop recursion. **One** value
    and gradient per iteration: the step is tried at length t and taken when it meets Armijo's
    condition (then t ← 1, and the pair is stored when sᵀy > 0); otherwise the start stays
    and t ← t/4. (A Wolfe line search needs several evaluations per iteration, and vmapped it
    runs until the slowest start is done: optax's zoom search did not finish 1000 iterations
    for 256 starts at N = 512 in 10 minutes.) Returns (h [P, N], q [P])."""
    import jax
    import jax.numpy as jnp

    P, N = h0.shape
    M = memory
    value_grad = jax.vmap(jax.value_and_grad(_speed_fn(F, kind, u)))

    def direction(g: Any, S: Any, Y: Any, rho: Any, k: Any) -> Any:
        order = (k - 1 - jnp.arange(M)) % M  # newest pair first
        valid = jnp.arange(M) < jnp.minimum(k, M)

        def back(q: Any, i: Any) -> tuple[Any, Any]:
            j = order[i]
            a = jnp.where(valid[i], rho[j] * (S[j] @ q), 0.0)
            return q - a * Y[j], a

        q, alphas = jax.lax.scan(back, g, jnp.arange(M))
        new = order[0]
        yy = Y[new] @ Y[new]
        gamma = jnp.where((k > 0) & (yy > 0), (S[new] @ Y[new]) / jnp.where(yy > 0, yy, 1.0), 1.0)

        def forward(r: Any, i: Any) -> tuple[Any, None]:
            j = order[i]
            b = jnp.where(valid[i], rho[j] * (Y[j] @ r), 0.0)
            return r + jnp.where(valid[i], alphas[i] - b, 0.0) * S[j], None

        r, _ = jax.lax.scan(forward, gamma * q, jnp.arange(M)[::-1])
        return -r

    rows = jnp.arange(P)

    def body(c: Any, _: Any) -> tuple[Any, None]:
        h, f, g, S, Y, rho, k, t = c
        d = jax.vmap(direction)(g, S, Y, rho, k)
        slope = jnp.sum(d * g, axis=1)
        uphill = ~(slope < 0)  # not a descent direction (or NaN): steepest descent this once
        d = jnp.where(uphill[:, None], -g, d)
        slope = jnp.where(uphill, -jnp.sum(g * g, axis=1), slope)
        h_new = h + t[:, None] * d
        f_new, g_new = value_grad(h_new)
        take = jnp.isfinite(f_new) & (f_new <= f + 1e-4 * t * slope)
        s, y = h_new - h, g_new - g
        sy = jnp.sum(s * y, axis=1)
        store = take & (sy > 0)
        slot = k % M
        S = S.at[rows, slot].set(jnp.where(store[:, None], s, S[rows, slot]))
        Y = Y.at[rows, slot].set(jnp.where(store[:, None], y, Y[rows, slot]))
        inv = 1.0 / jnp.where(store, sy, 1.0)
        rho = rho.at[rows, slot].set(jnp.where(store, inv, rho[rows, slot]))
        h = jnp.where(take[:, None], h_new, h)
        f = jnp.where(take, f_new, f)
        g = jnp.where(take[:, None], g_new, g)
        t = jnp.where(take, jnp.ones_like(t), 0.25 * t)
        return (h, f, g, S, Y, rho, k + store, t), None

    f, g = value_grad(h0)
    S = jnp.zeros((P, M, N), h0.dtype)
    init = (h0, f, g, S, S, jnp.zeros((P, M), h0.dtype), jnp.zeros(P, jnp.int32), jnp.ones_like(f))
    (h, f, *_), _ = jax.lax.scan(body, init, None, length=steps)
    return h, f


def _newton_step_impl(F: Callable, kind: str, h: Any, u: Any) -> tuple[Any, Any]:
    """One damped Newton step on r(h) = 0 for a batch of points h [C, N] (call inside
    ``jax.enable_x64`` with float64 h): δ = J⁻¹r by a dense LU of J = ∂r/∂h [N, N]
    (``jax.jacfwd``; no normal equations, whose condition number is κ(J)²), then the step
    length from :data:`NEWTON_STEP_LENGTHS` with the smallest q. Returns the candidate
    (h [C, N], q [C]); the caller keeps it only where q decreased."""
    import jax
    import jax.numpy as jnp

    resid = _residual_fn(F, kind)
    q_one = _speed_fn(F, kind, u)
    lengths = jnp.asarray(NEWTON_STEP_LENGTHS, h.dtype)

    def step_one(x: Any) -> Any:
        r, J = resid(x, u), jax.jacfwd(lambda y: resid(y, u))(x)
        return jnp.linalg.solve(J, r)

    delta = jax.vmap(step_one)(h)
    cand = h[:, None, :] - lengths[None, :, None] * delta[:, None, :]  # [C, L, N]
    qc = jax.vmap(jax.vmap(q_one))(cand)
    qc = jnp.where(jnp.isfinite(qc), qc, jnp.inf)
    best = jnp.argmin(qc, axis=1)
    return cand[jnp.arange(h.shape[0]), best], qc[jnp.arange(h.shape[0]), best]


def find_fixed_points(
    F: Callable[[Any, Any], Any],
    initial_states: ArrayLike,
    inputs: ArrayLike | None = None,
    *,
    kind: str = "flow",
    reference: ArrayLike | None = None,
    method: str = "auto",
    steps: int | None = None,
    learning_rate: float = 5e-2,
    decay: float = 0.1,
    newton_steps: int = 30,
    q_tol: float = 1e-12,
    dedup_tol: float = 1e-3,
    outlier_factor: float = 10.0,
    jit: bool = True,
    solver: str = "auto",
    cg_iters: int = 80,
    cg_tol: float = 0.03,
    lbfgs_memory: int = 10,
    newton_below: float = 1e-7,
    chunk: int = 16,
) -> FixedPoints:
    """Find fixed and slow points of F from many initial states at once (see module docstring).

    Arguments:
        F: ``F(h [N], u [n_in]) -> [N]``: the next state (``kind="map"``) or the velocity ḣ
            (``kind="flow"``; :func:`model_velocity` builds it for :mod:`simulate` networks).
            Must be traceable by JAX.
        initial_states: [P, N] starting states (:func:`sample_initial_states`).
        inputs: the constant input u* [n_in] (time-varying input dimensions set to zero by the
            caller); ``None`` → a length-0 vector.
        reference: trajectory samples [..., N] for the outlier test; ``None`` → no test.
        method: ``"adam-lm"`` (Adam, then Levenberg–Marquardt in the working dtype, all
            points in one call), ``"lbfgs-newton"`` (batched L-BFGS in the working dtype, then
            float64 Newton with dense LU solves on the points whose q fell below
            ``newton_below``, in chunks of ``chunk``; see :data:`METHODS`) or ``"auto"``:
            ``"lbfgs-newton"`` for N > :data:`AUTO_CG_MAX_N`, else ``"adam-lm"`` (the
            figures behind the switch are in the module docstring).
        steps: first-stage steps (≥ 1); ``None`` → 300 Adam steps or 2000 L-BFGS iterations.
        learning_rate: initial Adam rate (> 0), multiplied by ``decay``
            over the run (exponential decay, 0 < decay ≤ 1). Adam only brings the states
            into the basins of the zeros; the defaults (300, 0.05, 0.1; formerly 2000, 0.01,
            0.01) converge as many points at N = 128 as the old ones in a seventh of the steps
            (benchmarks/bench_fixed_points.py).
        lbfgs_memory: (s, y) pairs kept per start by L-BFGS (≥ 1).
        newton_below: ``"lbfgs-newton"`` polishes the points with q < newton_below after
            L-BFGS (> 0; the others are slow points or far from a root, where Newton stalls);
            chunk: points per float64 Newton call (≥ 1; each holds chunk Jacobians [N, N];
            the active points are regrouped after every step).
        newton_steps: at most this many Levenberg–Marquardt (``"adam-lm"``) or Newton
            (``"lbfgs-newton"``) steps after the first stage (≥ 0; a step is
            kept only where it lowers q). The loop stops early once every point has
            reached the dtype's rounding level (q ≤ min(q_tol·1e-2, ½(64 ε)²)) or has
            stalled (q not halved within :data:`LM_PATIENCE` LM steps, or not quartered
            within :data:`NEWTON_PATIENCE` Newton steps). Precision of the
            locations: machine precision in float64 on a well-conditioned root (a test pins
            ≤ 90 ε on an exact root set; the former stop at q ≤ 1e-14 left ~2·10⁻⁸).
        solver: ``"adam-lm"``'s Levenberg–Marquardt inner solve of (JᵀJ + μI)δ = Jᵀr: ``"dense"`` forms J
            [N, N] by ``jax.jacfwd`` and solves directly (O(N³) per point and step);
            ``"cg"`` is matrix-free, conjugate gradients with J v and Jᵀw products
            (``jax.linearize`` and its transpose, O(N²) each); ``"auto"`` → ``"cg"`` for
            N ≤ :data:`AUTO_CG_MAX_N`, else ``"dense"``.
        cg_iters: most CG iterations per step (≥ 1); cg_tol: CG stops when the residual of
            the normal equations falls below cg_tol × ‖Jᵀr‖ (0 < cg_tol < 1), an inexact
            Newton step. Defaults (80, 0.03): fewer iterations or a looser tolerance converged
            markedly fewer points at N = 128 (50 iterations at 0.01, 40 steps: 25 % instead of
            38 %).
        q_tol: keep points with q ≤ q_tol (per-unit mean square speed, > 0).
        dedup_tol: merge points closer than dedup_tol·max(√N, ‖h‖) (> 0).
        outlier_factor: drop points farther than this × the RMS radius of ``reference`` from
            every reference sample (> 0).
        jit: compile the optimisation (False only for debugging).

    Returns:
        :class:`FixedPoints`, sorted by q; empty (with ``best_q``) when none passes.
    """
    import jax
    import jax.numpy as jnp

    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not allowed; allowed: {', '.join(KINDS)}")
    if not callable(F):
        raise ValueError(f"F={F!r} is not allowed; F must be a callable F(h, u)")
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not allowed; allowed: {', '.join(METHODS)}")
    if steps is not None:
        steps = _check_positive("steps", steps, integer=True)
    lbfgs_memory = _check_positive("lbfgs_memory", lbfgs_memory, integer=True)
    chunk = _check_positive("chunk", chunk, integer=True)
    newton_below = _check_positive("newton_below", newton_below)
    newton_steps = _check_positive("newton_steps", newton_steps, integer=True, allow_zero=True)
    learning_rate, q_tol, dedup_tol, outlier_factor = (
        _check_positive(name, v)
        for name, v in (
            ("learning_rate", learning_rate),
            ("q_tol", q_tol),
            ("dedup_tol", dedup_tol),
            ("outlier_factor", outlier_factor),
        )
    )
    if not (isinstance(decay, (int, float)) and 0 < decay <= 1):
        raise ValueError(f"decay={decay!r} is not allowed; decay must be in (0, 1]")
    if solver not in SOLVERS:
        raise ValueError(f"solver={solver!r} is not allowed; allowed: {', '.join(SOLVERS)}")
    cg_iters = _check_positive("cg_iters", cg_iters, integer=True)
    if not (isinstance(cg_tol, (int, float)) and not isinstance(cg_tol, bool) and 0 < cg_tol < 1):
        raise ValueError(f"cg_tol={cg_tol!r} is not allowed; cg_tol must be in (0, 1)")
    h0 = checks.array(initial_states, "initial_states", finite=False, min_size=0)
    if h0.ndim != 2 or h0.shape[0] < 1 or h0.shape[1] < 1:
        raise ValueError(f"initial_states has shape {h0.shape}; allowed: [P, N] with P, N >= 1")
    if not np.all(np.isfinite(h0)):
        raise ValueError("initial_states has non-finite entries; allowed: finite states")
    dtype = jnp.float64 if jax.config.read("jax_enable_x64") else jnp.float32
    u = jnp.zeros((0,), dtype) if inputs is None else jnp.asarray(inputs, dtype)
    if u.ndim != 1:
        raise ValueError(f"inputs has shape {tuple(u.shape)}; allowed: a vector [n_in]")
    P, N = h0.shape

    if method == "auto":
        method = "lbfgs-newton" if N > AUTO_CG_MAX_N else "adam-lm"
    if method == "lbfgs-newton":
        h, q = _lbfgs_newton(
            F,
            kind,
            jnp.asarray(h0, dtype),
            u,
            steps or 2000,
            lbfgs_memory,
            newton_steps,
            q_tol,
            newton_below,
            chunk,
            jit,
        )
    else:
        h, q = _adam_lm(
            F,
            kind,
            jnp.asarray(h0, dtype),
            u,
            steps or 300,
            learning_rate,
            decay,
            newton_steps,
            solver,
            cg_iters,
            cg_tol,
            q_tol,
            jit,
        )
    return _select(F, kind, h, q, u, reference, q_tol, dedup_tol, outlier_factor)


def _adam_lm(
    F: Callable,
    kind: str,
    h0: Any,
    u: Any,
    steps: int,
    learning_rate: float,
    decay: float,
    newton_steps: int,
    solver: str,
    cg_iters: int,
    cg_tol: float,
    q_tol: float,
    jit: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``"adam-lm"`` method: (h [P, N], q [P]) as float64 numpy arrays."""
    import jax.numpy as jnp

    dtype = h0.dtype
    N = h0.shape[-1]
    run = _jitted("adam-lm", _optimise_impl) if jit else _optimise_impl
    if solver == "auto":
        solver = "cg" if N <= AUTO_CG_MAX_N else "dense"
    q_stop = _q_stop(q_tol, dtype)
    h, q = run(
        F,
        kind,
        h0,
        u,
        steps,
        jnp.asarray(learning_rate, dtype),
        jnp.asarray(decay, dtype),
        newton_steps,
        solver,
        cg_iters,
        jnp.asarray(cg_tol, dtype),
        jnp.asarray(q_stop, dtype),
    )
    return np.asarray(h, dtype=np.float64), np.asarray(q, dtype=np.float64)


def _lbfgs_newton(
    F: Callable,
    kind: str,
    h0: Any,
    u: Any,
    steps: int,
    memory: int,
    newton_steps: int,
    q_tol: float,
    newton_below: float,
    chunk: int,
    jit: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``"lbfgs-newton"`` method: (h [P, N], q [P]) as float64 numpy arrays."""
    import jax
    import jax.numpy as jnp

    first = _jitted("lbfgs", _lbfgs_impl) if jit else _lbfgs_impl
    newton_step = _jitted("newton", _newton_step_impl) if jit else _newton_step_impl
    h, q = first(F, kind, h0, u, steps, memory)
    h = np.asarray(h, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    active = np.isfinite(q) & (q < newton_below)
    if newton_steps == 0 or not active.any():
        return h, q
    q_stop = _q_stop(q_tol, np.float64)
    with jax.enable_x64(True):
        u64 = jnp.asarray(u, jnp.float64)
        q[active] = np.asarray(jax.vmap(_speed_fn(F, kind, u64))(jnp.asarray(h[active])))
        active &= q > q_stop
        stall = np.zeros(q.shape, int)
        # the active points in chunks of one size for the whole loop (one compilation): at most
        # ``chunk``, else the power of two ≥ the number of points; a short chunk is padded with
        # repeats of its first point, whose results are dropped
        size = min(chunk, 1 << (int(active.sum()) - 1).bit_length())
        for _ in range(newton_steps):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            for start in range(0, idx.size, size):
                part = idx[start : start + size]
                batch = np.concatenate([part, np.full(size - part.size, part[0])])
                hb, qb = newton_step(F, kind, jnp.asarray(h[batch]), u64)
                hb, qb = np.asarray(hb)[: part.size], np.asarray(qb)[: part.size]
                better = qb < q[part]
                # Newton near a root at least quarters q per step; a point that does not for
                # NEWTON_PATIENCE steps in a row is at a slow point: it leaves the set
                quartered = qb < 0.25 * q[part]
                h[part[better]] = hb[better]
                stall[part] = np.where(quartered, 0, stall[part] + 1)
                q[part[better]] = qb[better]
                active[part] = better & (stall[part] < NEWTON_PATIENCE) & (q[part] > q_stop)
    return h, q


def _select(
    F: Callable,
    kind: str,
    h: np.ndarray,
    q: np.ndarray,
    u: Any,
    reference: Any,
    q_tol: float,
    dedup_tol: float,
    outlier_factor: float,
) -> FixedPoints:
    """Tolerance cut, outlier test, deduplication and linearisation of the optimised
    candidates h [P, N] with speeds q [P] (see the module docstring)."""
    P, N = h.shape
    finite = np.isfinite(q)
    best_q = float(q[finite].min()) if finite.any() else math.inf
    keep = finite & (q <= q_tol)
    n_below = int(keep.sum())
    n_out = 0
    if reference is not None and keep.any():
        ref = np.asarray(reference, dtype=np.float64).reshape(-1, N)
        radius = math.sqrt(float(np.mean(np.sum((ref - ref.mean(0)) ** 2, axis=1))))
        near = _nearest_distance(h[keep], ref)
        ok = near <= outlier_factor * max(radius, np.finfo(float).tiny)
        n_out = int((~ok).sum())
        idx = np.flatnonzero(keep)
        keep[idx[~ok]] = False
    idx = np.flatnonzero(keep)
    idx = idx[np.argsort(q[idx], kind="stable")]
    chosen: list[int] = []
    # per unit, and relative for points far out (RMS > 1: the dtype's rounding of a point
    # grows with its size, so an absolute tolerance would report one point twice)
    scale = np.maximum(math.sqrt(N), np.linalg.norm(h, axis=1))
    for i in idx:  # greedy, best q first; P after the tolerance cut is small
        if all(np.linalg.norm(h[i] - h[j]) > dedup_tol * max(scale[i], scale[j]) for j in chosen):
            chosen.append(int(i))
    pts = h[chosen]
    lin = linearise(F, pts, u, kind=kind) if chosen else _empty_linearisation(N)
    jacobians, eigenvalues, right, left, stable, n_unstable = lin
    return FixedPoints(
        pts,
        q[chosen],
        jacobians,
        eigenvalues,
        right,
        left,
        stable,
        n_unstable,
        kind=kind,
        best_q=best_q,
        n_candidates=P,
        n_below_tol=n_below,
        n_outliers=n_out,
    )


def _nearest_distance(points: np.ndarray, ref: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Distance of each point [P, N] to its nearest reference sample [S, N] (chunked)."""
    best = np.full(points.shape[0], np.inf)
    p2 = np.sum(points**2, axis=1)[:, None]
    for s in range(0, ref.shape[0], chunk):
        r = ref[s : s + chunk]
        d2 = p2 + np.sum(r**2, axis=1)[None, :] - 2.0 * points @ r.T
        best = np.minimum(best, np.sqrt(np.clip(d2.min(axis=1), 0.0, None)))
    return best


def _empty_linearisation(N: int) -> tuple[np.ndarray, ...]:
    return (
        np.zeros((0, N, N)),
        np.zeros((0, N), complex),
        np.zeros((0, N, N), complex),
        np.zeros((0, N, N), complex),
        np.zeros(0, bool),
        np.zeros(0, int),
    )


def linearise(
    F: Callable[[Any, Any], Any],
    points: ArrayLike,
    inputs: ArrayLike | None = None,
    *,
    kind: str = "flow",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Jacobians and eigen-decompositions of F at ``points`` [P, N] (P ≥ 1).

    Returns (jacobians [P, N, N], eigenvalues [P, N], right [P, N, N], left [P, N, N],
    stable [P], n_unstable [P]); see :class:`FixedPoints`. J = ∂F/∂h for maps (stable:
    |λ| < 1) and ∂ḣ/∂h for flows (stable: Re λ < 0); eigenvalues sorted by decreasing real
    part (flow) or modulus (map); left = right⁻¹ (batched; defective J gives huge entries).
    """
    import jax
    import jax.numpy as jnp

    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not allowed; allowed: {', '.join(KINDS)}")
    pts = checks.array(points, "points", min_size=0)
    if pts.ndim != 2 or pts.shape[0] < 1:
        raise ValueError(f"points has shape {pts.shape}; allowed: [P, N] with P >= 1")
    dtype = jnp.float64 if jax.config.read("jax_enable_x64") else jnp.float32
    u = jnp.zeros((0,), dtype) if inputs is None else jnp.asarray(inputs, dtype)
    J = np.asarray(
        jax.vmap(jax.jacfwd(lambda h: F(h, u)))(jnp.asarray(pts, dtype)), dtype=np.float64
    )
    w, R = np.linalg.eig(J)
    key = np.abs(w) if kind == "map" else w.real
    order = np.argsort(-key, axis=1, kind="stable")
    w = np.take_along_axis(w, order, axis=1)
    R = np.take_along_axis(R, order[:, None, :], axis=2)
    L = np.linalg.inv(R)
    unstable = (np.abs(w) >= 1.0) if kind == "map" else (w.real >= 0.0)
    n_unstable = unstable.sum(axis=1)
    return J, w, R, L, n_unstable == 0, n_unstable


_JIT_CACHE: dict[str, Any] = {}


def _jitted(name: str, impl: Callable) -> Callable:
    """``equinox.filter_jit`` of a stage (:func:`_optimise_impl`, :func:`_lbfgs_impl`,
    the float64 Newton step :func:`_newton_step_impl`), one per ``name``: arrays (states, input, rates, and the arrays
    inside F when F is an equinox module or bound method such as ``GatedRNN.update``) are
    traced; F's code, ``kind`` and the integer and string options are static. A plain
    closure F is hashed by identity: reuse the same callable (one :func:`model_velocity` per
    network) to avoid recompiling."""
    if name not in _JIT_CACHE:
        import equinox as eqx

        _JIT_CACHE[name] = eqx.filter_jit(impl)
    return _JIT_CACHE[name]
