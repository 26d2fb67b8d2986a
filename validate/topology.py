r"""Fixed-point topology and linear integration analysis (seed 002, §3 and Fig. 1f, 3f).

**Topology.** Two networks share a *topology* when their fixed points are connected in the
same way, whatever the geometry of their activity. Following seed 002: from every fixed point
(:func:`validate.fixed_points.find_fixed_points`), perturb the state by a small random kick
(``trials`` directions, norm ``perturbation``·√N), run the noise-free dynamics for ``steps``
updates, and record the stable fixed point the trajectory ends nearest to (within
``capture``·√N; otherwise "elsewhere"). The fraction of trials from point i that end at
stable point j is the transition probability T[i, j], the weighted adjacency matrix of a
directed graph (:class:`networkx.DiGraph`). Every trial of every point runs in one vmapped,
jitted ``lax.scan``.

To compare networks, fixed points are ordered lexicographically by their readout z = w_outᵀh
(:func:`readout_order`), so that "the same" point gets the same index in every network, and
the distance between two networks is the Euclidean (Frobenius) distance of their ordered
adjacency matrices (:func:`topology_distances`). Matrices of different sizes cannot be
compared this way: networks whose fixed-point count differs from the modal count over the
population are reported (indices returned), not silently dropped.

**Linear integration** (:func:`integration_modes`). Around a fixed point of a map,
δh_{t+1} ≈ J δh_t + B u_t with B = ∂F/∂u. The readout's response to a unit input pulse on
channel k summed over ``horizon`` steps is r = Σ_t w_outᵀ Jᵗ B e_k. Writing J = R Λ L (right
and left eigenvectors), each mode contributes w_outᵀ R_m λ_mᵗ L_m B e_k. Zeroing eigenvalues
from the smallest modulus up and recomputing r shows how many modes carry the integration
(seed 002, Fig. 3f: one mode with λ ≈ 1 for vanilla RNNs, more for gated ones).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .fixed_points import KINDS, FixedPoints, _check_positive

__all__ = [
    "IntegrationModes",
    "TopologyComparison",
    "TransitionGraph",
    "integration_modes",
    "readout_order",
    "topology_distances",
    "transition_graph",
]


class TransitionGraph(NamedTuple):
    """Outcome of :func:`transition_graph` (P fixed points, S of them stable).

    Attributes:
        probabilities: [P, P] T[i, j] = fraction of kicks from point i ending at point j
            (non-zero only in the columns of stable points); rows sum to 1 − ``elsewhere``.
        elsewhere: [P] fraction of kicks from each point that ended near no stable point.
        stable: [P] bool, from the linearisation.
        graph: :class:`networkx.DiGraph` with nodes 0..P−1 (attributes ``stable``,
            ``readout``) and an edge i → j of weight T[i, j] for every T[i, j] > 0.
        trials: kicks per point.
    """

    probabilities: np.ndarray
    elsewhere: np.ndarray
    stable: np.ndarray
    graph: Any
    trials: int


def _run_kicks(F: Callable, kind: str, starts: Any, u: Any, steps: int, dt: float) -> Any:
    """End states of the noise-free dynamics from ``starts`` [M, N] after ``steps`` updates."""
    import jax

    one = jax.vmap(lambda h: F(h, u))

    def body(h: Any, _: Any) -> tuple[Any, None]:
        return (one(h) if kind == "map" else h + dt * one(h)), None

    h, _ = jax.lax.scan(body, starts, None, length=steps)
    return h


def transition_graph(
    F: Callable[[Any, Any], Any],
    fixed_points: FixedPoints,
    inputs: ArrayLike | None = None,
    *,
    readout: ArrayLike | None = None,
    trials: int = 100,
    perturbation: float = 0.05,
    steps: int = 500,
    dt: float = 0.2,
    capture: float = 0.05,
    seed: int = 0,
) -> TransitionGraph:
    """Kick every fixed point ``trials`` times and record where the dynamics settle.

    Arguments:
        F: the update (``fixed_points.kind == "map"``) or velocity (``"flow"``, integrated
            with Euler steps of ``dt``) used to find the points.
        fixed_points: the points (with their stability) of one network at input ``inputs``.
        inputs: the static input u* [n_in] (``None`` → length 0).
        readout: w_out [N] or [N, n_out] for the node attribute ``readout`` (optional).
        trials: kicks per point (≥ 1); perturbation: kick norm / √N (> 0);
        steps: updates after the kick (≥ 1); capture: an end state within capture·√N of a
            stable point counts as arriving there (> 0); seed: kick directions.
    """
    import jax
    import jax.numpy as jnp
    import networkx as nx

    if not isinstance(fixed_points, FixedPoints):
        raise ValueError("fixed_points must be a validate.fixed_points.FixedPoints result")
    if fixed_points.kind not in KINDS:
        raise ValueError(f"fixed_points.kind={fixed_points.kind!r}; allowed: {KINDS}")
    _check_positive("trials", trials, integer=True)
    _check_positive("steps", steps, integer=True)
    for name, v in (("perturbation", perturbation), ("dt", dt), ("capture", capture)):
        _check_positive(name, v)
    P = len(fixed_points)
    stable = np.asarray(fixed_points.stable, bool)
    if P == 0:
        g = nx.DiGraph()
        return TransitionGraph(np.zeros((0, 0)), np.zeros(0), stable, g, trials)
    pts = np.asarray(fixed_points.points, np.float64)
    N = pts.shape[1]
    rng = np.random.default_rng(seed)
    d = rng.standard_normal((P, trials, N))
    d *= perturbation * math.sqrt(N) / np.linalg.norm(d, axis=-1, keepdims=True)
    starts = (pts[:, None, :] + d).reshape(P * trials, N)
    dtype = jnp.float64 if jax.config.read("jax_enable_x64") else jnp.float32
    u = jnp.zeros((0,), dtype) if inputs is None else jnp.asarray(inputs, dtype)
    run = _jitted_kicks()
    ends = np.asarray(run(F, fixed_points.kind, jnp.asarray(starts, dtype), u, steps,
                          jnp.asarray(dt, dtype)), np.float64).reshape(P, trials, N)
    T = np.zeros((P, P))
    idx_stable = np.flatnonzero(stable)
    if idx_stable.size:
        dist = np.linalg.norm(ends[:, :, None, :] - pts[idx_stable][None, None], axis=-1)
        nearest = np.argmin(dist, axis=-1)
        caught = np.min(dist, axis=-1) <= capture * math.sqrt(N)
        for k, j in enumerate(idx_stable):
            T[:, j] = np.mean(caught & (nearest == k), axis=1)
    elsewhere = 1.0 - T.sum(axis=1)

    g = nx.DiGraph()
    z = None if readout is None else pts @ np.asarray(readout, np.float64).reshape(N, -1)
    for i in range(P):
        g.add_node(i, stable=bool(stable[i]),
                   readout=None if z is None else z[i].tolist())
    for i, j in zip(*np.nonzero(T)):
        g.add_edge(int(i), int(j), weight=float(T[i, j]))
    return TransitionGraph(T, elsewhere, stable, g, trials)


_JIT: dict[str, Any] = {}


def _jitted_kicks() -> Callable:
    """``equinox.filter_jit`` of :func:`_run_kicks` (F's arrays traced, its code static)."""
    if "fn" not in _JIT:
        import equinox as eqx

        _JIT["fn"] = eqx.filter_jit(_run_kicks)
    return _JIT["fn"]


def readout_order(points: ArrayLike, readout: ArrayLike) -> np.ndarray:
    """Permutation sorting fixed points [P, N] lexicographically by their readout
    z = w_outᵀh (first output first; readout [N] or [N, n_out])."""
    pts = np.asarray(points, np.float64)
    w = np.asarray(readout, np.float64)
    if pts.ndim != 2 or w.shape[0] != pts.shape[1]:
        raise ValueError(f"points {pts.shape} and readout {w.shape} do not match; allowed: "
                         "points [P, N], readout [N] or [N, n_out]")
    z = pts @ w.reshape(pts.shape[1], -1)
    return np.lexsort(z.T[::-1]) if z.shape[0] else np.zeros(0, int)


class TopologyComparison(NamedTuple):
    """Outcome of :func:`topology_distances`.

    Attributes:
        distances: [Q, Q] Frobenius distances between the ordered adjacency matrices; NaN
            in the rows/columns of networks whose fixed-point count is not the modal one.
        modal_count: the most common number of fixed points.
        counts: [Q] fixed points per network.
        off_modal: indices of the networks with another count (reported, not compared).
    """

    distances: np.ndarray
    modal_count: int
    counts: np.ndarray
    off_modal: np.ndarray


def topology_distances(adjacencies: Sequence[ArrayLike],
                       orders: Sequence[ArrayLike] | None = None) -> TopologyComparison:
    """Distances between fixed-point topologies of Q networks.

    Arguments:
        adjacencies: Q square matrices T (:attr:`TransitionGraph.probabilities`).
        orders: optional permutations (:func:`readout_order`) applied to rows and columns.
    The modal count is the most common size (ties: the smaller size).
    """
    mats = [np.asarray(a, np.float64) for a in adjacencies]
    if len(mats) < 2:
        raise ValueError(f"adjacencies has {len(mats)} entries; allowed: at least 2 networks")
    for q, m in enumerate(mats):
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ValueError(f"adjacencies[{q}] has shape {m.shape}; allowed: square [P, P]")
    if orders is not None:
        if len(orders) != len(mats):
            raise ValueError(f"orders has {len(orders)} entries; allowed: one per network "
                             f"({len(mats)})")
        mats = [m[np.ix_(o, o)] for m, o in zip(mats, (np.asarray(o, int) for o in orders))]
    counts = np.array([m.shape[0] for m in mats])
    tally = Counter(counts.tolist())
    top = max(tally.values())
    modal = min(c for c, n in tally.items() if n == top)
    Q = len(mats)
    D = np.full((Q, Q), np.nan)
    ok = np.flatnonzero(counts == modal)
    for a in ok:
        for b in ok:
            D[a, b] = np.linalg.norm(mats[a] - mats[b])
    return TopologyComparison(D, int(modal), counts, np.flatnonzero(counts != modal))


class IntegrationModes(NamedTuple):
    """Outcome of :func:`integration_modes`.

    Attributes:
        full: the summed readout response of the full linearisation.
        kept: [N + 1] response with the m largest-|λ| modes kept (m = 0 … N).
        modes_needed: smallest m whose response is within ``tolerance`` × |full| of full.
        eigenvalues: [N] eigenvalues of J sorted by decreasing modulus.
    """

    full: float
    kept: np.ndarray
    modes_needed: int
    eigenvalues: np.ndarray


def integration_modes(J: ArrayLike, B: ArrayLike, readout: ArrayLike, *, channel: int = 0,
                      horizon: int = 100, tolerance: float = 0.1) -> IntegrationModes:
    """How many linear modes carry the integrated response to a unit input (see module doc).

    Arguments:
        J: [N, N] Jacobian of the map at a fixed point (∂F/∂h).
        B: [N, n_in] input Jacobian ∂F/∂u. readout: w_out [N].
        channel: input channel k; horizon: steps summed (≥ 1);
        tolerance: relative accuracy defining ``modes_needed`` (in (0, 1)).
    r_m = Σ_{t<horizon} Σ_{modes kept} (w_outᵀR_i)(L_i B e_k) λ_iᵗ (real part), with the
    geometric sum in closed form.
    """
    J = np.asarray(J, np.float64)
    B = np.asarray(B, np.float64)
    w = np.asarray(readout, np.float64).reshape(-1)
    N = J.shape[0]
    if J.shape != (N, N) or B.ndim != 2 or B.shape[0] != N or w.shape != (N,):
        raise ValueError(f"J {J.shape}, B {B.shape}, readout {w.shape} do not match; allowed: "
                         "J [N, N], B [N, n_in], readout [N]")
    _check_positive("horizon", horizon, integer=True)
    if not 0 <= channel < B.shape[1]:
        raise ValueError(f"channel={channel!r} is not allowed; allowed: 0 … {B.shape[1] - 1}")
    if not (isinstance(tolerance, (int, float)) and 0 < tolerance < 1):
        raise ValueError(f"tolerance={tolerance!r} is not allowed; allowed: in (0, 1)")
    lam, R = np.linalg.eig(J)
    order = np.argsort(-np.abs(lam), kind="stable")
    lam, R = lam[order], R[:, order]
    L = np.linalg.inv(R)
    weight = (w @ R) * (L @ B[:, channel])  # per-mode gain
    with np.errstate(divide="ignore", invalid="ignore"):
        geo = np.where(np.isclose(lam, 1.0), float(horizon),
                       (1 - lam**horizon) / (1 - lam))
    contrib = (weight * geo).real
    kept = np.concatenate([[0.0], np.cumsum(contrib)])
    full = float(kept[-1])
    ok = np.abs(kept - full) <= tolerance * max(abs(full), np.finfo(float).tiny)
    needed = int(np.argmax(ok))
    return IntegrationModes(full, kept, needed, lam)
