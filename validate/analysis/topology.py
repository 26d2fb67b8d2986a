r"""Fixed-point topology, attractor topology and linear integration (seed 002, §3, Fig. 1f, 3f).

**Topology.** Two networks share a *topology* when their fixed points are connected in the
same way, whatever the geometry of their activity. Following seed 002: from every fixed point
(:func:`validate.analysis.fixed_points.find_fixed_points`), perturb the state by a small random kick
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

**Topology over attractors** (:func:`attractor_graph`, :func:`attractor_distances`; the
default of the universality experiment). The all-points matrices above need every network to
yield the same number of fixed points, and the number found is not a property of the network:
in the quick flip-flop population (N = 32, 64 starting states) every point found was converged
(q ≲ 1e-15 per unit) and well separated (nearest neighbour ≥ 0.05·√N; one pair at 0.012·√N),
yet counts ranged 15–22 because the finder, started from trajectory samples, reached only
6–8 of the 8 attractors and 4–8 of the 12 index-1 saddles of the ideal cube (census by
:func:`fixed_point_census`). The computation of a memory task lives in its attractors and in
how they are connected, so the comparable object is built on attractors only:

* *attractors*: the states where the noise-free dynamics settle (speed ≤ ``settle_tol`` per
  unit) when started from the stable fixed points **and** from trajectory samples
  (``probes``), merged within capture·√N. Relaxation finds every attractor the trajectories
  visit, whether or not the q-minimiser reached it (all 8 in each quick flip-flop network);
* *escape matrix* E [S, S]: fraction of ``trials`` kicks from attractor a ending at b (seed
  002's transition probabilities, restricted to attractors);
* *saddle links* K [S, S]: a saddle with one unstable mode (index 1) lies on the boundary of
  two basins, and its kicks split between the two attractors it separates; K[a, b] = 1 when
  some index-1 saddle sends ≥ ``min_fraction`` of its kicks to both a and b. K is binary, so
  it does not depend on how many duplicate or extra saddles were found, only on which
  attractor pairs are connected (size S, whatever the number of saddles). Saddles of higher
  index are left out: they sit where several basins meet, and whether the finder happened to
  reach one would add or remove "diagonal" links. :func:`boundary_seeds` restarts the finder
  from the segments between attractor pairs to reach the saddles trajectories rarely visit;
* *distance* between two networks with the same number S of attractors:
  √(‖E_a − ΠE_bΠᵀ‖²_F + ‖K_a − ΠK_bΠᵀ‖²_F), Π the matching of attractors. By default
  (``match="readout"``) attractors are matched by what the network reports there (the
  assignment minimising Σ‖z_a − z_b‖, Hungarian algorithm) — for a memory task, an attractor
  *is* its stored value; ``match="permutation"`` minimises over all relabellings instead (a
  readout-blind graph comparison, S ≤ 8). Networks whose S is not the modal one are
  reported (``off_modal``), never silently dropped;
* *size-invariant distance* for every network (``spectral``): the 1-Wasserstein distance
  between the eigenvalue distributions of the normalised Laplacians I − D^{-1/2}KD^{-1/2}.
  The spectrum lies in [0, 2] for any S and is invariant to relabelling, so networks with
  different attractor counts can still be placed; identical graphs give 0, but different
  graphs can share a spectrum (cospectral graphs), so it is a pseudo-distance, reported
  beside the matched one rather than replacing it.

**Linear integration** (:func:`integration_modes`). Around a fixed point of a map,
δh_{t+1} ≈ J δh_t + B u_t with B = ∂F/∂u. The readout's response to a unit input pulse on
channel k summed over ``horizon`` steps is r = Σ_t w_outᵀ Jᵗ B e_k. Writing J = R Λ L (right
and left eigenvectors), each mode contributes w_outᵀ R_m λ_mᵗ L_m B e_k. Zeroing eigenvalues
from the smallest modulus up and recomputing r shows how many modes carry the integration
(seed 002, Fig. 3f: one mode with λ ≈ 1 for vanilla RNNs, more for gated ones). The summed
response itself is computed without any eigendecomposition (Σ_{t<H} Jᵗ by binary doubling), and
modes are split by spectral projectors: eigenvalues that are ill-conditioned and close (a
defective or nearly defective J, e.g. a Jordan block) form one cluster whose invariant
subspace comes from a reordered Schur form and a Sylvester equation, so the split stays exact
where R is singular; such a cluster is kept or dropped as a whole.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from meanfield._repr import concise_repr

from ..core import checks
from .fixed_points import KINDS, FixedPoints, _check_positive

__all__ = [
    "MATCHES",
    "AttractorComparison",
    "AttractorGraph",
    "FixedPointCensus",
    "IntegrationModes",
    "TopologyComparison",
    "TransitionGraph",
    "attractor_distances",
    "attractor_graph",
    "boundary_seeds",
    "fixed_point_census",
    "integration_modes",
    "merge_fixed_points",
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

    def __repr__(self) -> str:
        return concise_repr(self)

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
        raise ValueError("fixed_points must be a validate.analysis.fixed_points.FixedPoints result")
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
    ends = np.asarray(
        run(F, fixed_points.kind, jnp.asarray(starts, dtype), u, steps, jnp.asarray(dt, dtype)),
        np.float64,
    ).reshape(P, trials, N)
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
        g.add_node(i, stable=bool(stable[i]), readout=None if z is None else z[i].tolist())
    for i, j in zip(*np.nonzero(T), strict=True):
        g.add_edge(int(i), int(j), weight=float(T[i, j]))
    return TransitionGraph(T, elsewhere, stable, g, trials)


_JIT: dict[str, Any] = {}


def _bucket(n: int) -> int:
    """Smallest power of two ≥ max(n, 8): batch sizes padded to it share compiled code."""
    return max(8, 1 << (max(n, 1) - 1).bit_length())


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
        raise ValueError(
            f"points {pts.shape} and readout {w.shape} do not match; allowed: "
            "points [P, N], readout [N] or [N, n_out]"
        )
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

    def __repr__(self) -> str:
        return concise_repr(self)

    distances: np.ndarray
    modal_count: int
    counts: np.ndarray
    off_modal: np.ndarray


def topology_distances(
    adjacencies: Sequence[ArrayLike], orders: Sequence[ArrayLike] | None = None
) -> TopologyComparison:
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
            raise ValueError(
                f"orders has {len(orders)} entries; allowed: one per network ({len(mats)})"
            )
        mats = [
            m[np.ix_(o, o)] for m, o in zip(mats, (np.asarray(o, int) for o in orders), strict=True)
        ]
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


class FixedPointCensus(NamedTuple):
    """Where a fixed-point count comes from (:func:`fixed_point_census`; P points, N units).

    Attributes:
        n_points: P. n_stable: stable points. n_index1: points with exactly one unstable
            mode (the saddles between two basins). n_index_more: ≥ 2 unstable modes.
        log10_q: [3] min, median, max of log10 q over the points (q per unit, see
            :mod:`validate.analysis.fixed_points`); NaN when P = 0.
        nearest: [P] distance / √N from each point to its nearest other point (NaN if P < 2).
        nearest_stable: [n_stable] the same among stable points only.
        max_modulus: [P] largest |λ| (map) or Re λ (flow) of the Jacobian at each point.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    n_points: int
    n_stable: int
    n_index1: int
    n_index_more: int
    log10_q: np.ndarray
    nearest: np.ndarray
    nearest_stable: np.ndarray
    max_modulus: np.ndarray


def _nearest_other(points: np.ndarray) -> np.ndarray:
    P, N = points.shape
    if P < 2:
        return np.full(P, np.nan)
    D = np.linalg.norm(points[:, None] - points[None], axis=-1) / math.sqrt(N)
    D[np.diag_indices(P)] = np.inf
    return D.min(axis=1)


def fixed_point_census(fixed_points: FixedPoints) -> FixedPointCensus:
    """Break a fixed-point count down by stability, index, speed q and spacing.

    Used to find out whether counts that differ between networks come from their attractors
    (stable points), from saddles, or from near-duplicates (small ``nearest``) and slow
    points (large q)."""
    if not isinstance(fixed_points, FixedPoints):
        raise ValueError("fixed_points must be a validate.analysis.fixed_points.FixedPoints result")
    pts = np.asarray(fixed_points.points, np.float64)
    stable = np.asarray(fixed_points.stable, bool)
    n_unst = np.asarray(fixed_points.n_unstable, int)
    q = np.asarray(fixed_points.q, np.float64)
    lq = np.log10(np.maximum(q, np.finfo(float).tiny)) if q.size else np.full(1, np.nan)
    lam = np.asarray(fixed_points.eigenvalues)
    top = (
        (np.abs(lam[:, 0]) if fixed_points.kind == "map" else lam[:, 0].real)
        if len(pts)
        else np.zeros(0)
    )
    return FixedPointCensus(
        n_points=len(pts),
        n_stable=int(stable.sum()),
        n_index1=int(np.sum(n_unst == 1)),
        n_index_more=int(np.sum(n_unst >= 2)),
        log10_q=np.array([lq.min(), np.median(lq), lq.max()]),
        nearest=_nearest_other(pts),
        nearest_stable=_nearest_other(pts[stable]),
        max_modulus=np.asarray(top, np.float64),
    )


class AttractorGraph(NamedTuple):
    """Topology over attractors (:func:`attractor_graph`; S attractors, N units).

    Attributes:
        attractors: [S, N] states where the noise-free dynamics settle, started from the
            stable fixed points and from the ``probes`` (ends closer than capture·√N are one
            attractor).
        readout: [S, n_out] z = w_outᵀh of each attractor (empty [S, 0] without a readout).
        escape: [S, S] E[a, b] = fraction of kicks from attractor a that end at attractor b
            (diagonal: returns; rows sum to 1 − the kicks ending elsewhere).
        links: [S, S] symmetric 0/1, zero diagonal: K[a, b] = 1 when some saddle with at most
            ``max_index`` unstable modes sends ≥ ``min_fraction`` of its kicks to a and to b.
        saddle_outcomes: [n_saddles, S] fraction of each used saddle's kicks ending at each
            attractor. saddles: [n_saddles] their indices in the fixed points.
        membership: [P] attractor where each stable fixed point settles (−1: unstable, or it
            did not settle).
        from_probes: [S] bool, attractors reached only from probes (missed by the finder).
        elsewhere: fraction of all kicks (attractors and saddles) ending near no attractor.
        unsettled: fraction of relaxed starts (stable points and probes) still moving after
            ``steps`` updates (speed > ``settle_tol``): not counted as attractors.
        trials: kicks per point.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    attractors: np.ndarray
    readout: np.ndarray
    escape: np.ndarray
    links: np.ndarray
    saddle_outcomes: np.ndarray
    saddles: np.ndarray
    membership: np.ndarray
    from_probes: np.ndarray
    elsewhere: float
    unsettled: float
    trials: int

    @property
    def n_attractors(self) -> int:
        """S, the number of distinct attractors."""
        return int(self.attractors.shape[0])


def attractor_graph(
    F: Callable[[Any, Any], Any],
    fixed_points: FixedPoints,
    inputs: ArrayLike | None = None,
    *,
    readout: ArrayLike | None = None,
    probes: ArrayLike | None = None,
    trials: int = 100,
    perturbation: float = 0.05,
    steps: int = 1000,
    dt: float = 0.2,
    capture: float = 0.05,
    settle_tol: float = 1e-3,
    max_index: int = 1,
    min_fraction: float = 0.1,
    seed: int = 0,
) -> AttractorGraph:
    """Attractors of a network and how its saddles connect them (module docstring).

    Arguments:
        F, fixed_points, inputs, trials, perturbation, dt, capture, seed: as in
            :func:`transition_graph` (kicks of norm perturbation·√N, noise-free updates of
            ``F``, capture radius capture·√N).
        readout: w_out [N] or [N, n_out]; gives each attractor its readout (needed by
            :func:`attractor_distances` with ``match="readout"``).
        probes: extra states [M, N] (e.g. trajectory samples) relaxed with the stable points
            to find attractors the fixed-point finder missed; ``None``: none.
        steps: updates in each relaxation and after each kick (≥ 1).
        settle_tol: a relaxed state is at an attractor when its speed per unit,
            ‖F(h) − h‖/√N (map) or ‖ḣ‖/√N (flow), is ≤ settle_tol (> 0).
        max_index: saddles with 1 … max_index unstable modes are kicked (≥ 1; default 1:
            the index-1 saddles, whose stable manifolds separate two basins).
        min_fraction: a saddle links the attractors that receive at least this fraction of
            its kicks (in (0, 1]; default 0.1, i.e. ≥ 2 of 20 kicks, above a single stray).
    """
    import jax
    import jax.numpy as jnp

    if not isinstance(fixed_points, FixedPoints):
        raise ValueError("fixed_points must be a validate.analysis.fixed_points.FixedPoints result")
    if fixed_points.kind not in KINDS:
        raise ValueError(f"fixed_points.kind={fixed_points.kind!r}; allowed: {KINDS}")
    _check_positive("trials", trials, integer=True)
    _check_positive("steps", steps, integer=True)
    _check_positive("max_index", max_index, integer=True)
    for name, v in (
        ("perturbation", perturbation),
        ("dt", dt),
        ("capture", capture),
        ("settle_tol", settle_tol),
    ):
        _check_positive(name, v)
    if not (isinstance(min_fraction, (int, float)) and 0 < min_fraction <= 1):
        raise ValueError(f"min_fraction={min_fraction!r} is not allowed; allowed: in (0, 1]")
    pts = np.asarray(fixed_points.points, np.float64)
    P, N = pts.shape
    probe = np.zeros((0, N)) if probes is None else np.asarray(probes, np.float64)
    if probe.ndim != 2 or probe.shape[1] != N:
        raise ValueError(f"probes has shape {probe.shape}; allowed: [M, N] with N = {N}")
    stable = np.asarray(fixed_points.stable, bool)
    n_unst = np.asarray(fixed_points.n_unstable, int)
    w = None if readout is None else np.asarray(readout, np.float64).reshape(N, -1)
    idx_st = np.flatnonzero(stable)
    idx_st = idx_st[np.argsort(np.asarray(fixed_points.q)[idx_st], kind="stable")]
    idx_sad = np.flatnonzero((n_unst >= 1) & (n_unst <= max_index))
    dtype = jnp.float64 if jax.config.read("jax_enable_x64") else jnp.float32
    u = jnp.zeros((0,), dtype) if inputs is None else jnp.asarray(inputs, dtype)
    run = _jitted_kicks()
    kind = fixed_points.kind

    def relax(states: np.ndarray) -> np.ndarray:
        n = states.shape[0]
        if n == 0:
            return np.zeros((0, N))
        # pad to a power of two (repeating the first state) so that networks with different
        # numbers of points reuse one compiled scan instead of compiling one each
        padded = np.concatenate([states, np.repeat(states[:1], _bucket(n) - n, axis=0)])
        return np.asarray(
            run(F, kind, jnp.asarray(padded, dtype), u, steps, jnp.asarray(dt, dtype)), np.float64
        )[:n]

    # 1. attractors: where the stable points (best q first) and the probes settle
    starts = np.concatenate([pts[idx_st], probe])
    rest = relax(starts)
    if rest.shape[0]:
        vel = np.asarray(jax.vmap(lambda h: F(h, u))(jnp.asarray(rest, dtype)), np.float64)
        speed = np.linalg.norm(vel - rest if kind == "map" else vel, axis=1) / math.sqrt(N)
        settled = np.isfinite(speed) & (speed <= settle_tol)
    else:
        settled = np.zeros(0, bool)
    radius = capture * math.sqrt(N)
    att: list[np.ndarray] = []
    origin: list[bool] = []
    member = np.full(P, -1)
    for k in np.flatnonzero(settled):
        d = [np.linalg.norm(rest[k] - a) for a in att]
        if d and min(d) <= radius:
            j = int(np.argmin(d))
        else:
            j = len(att)
            att.append(rest[k])
            origin.append(bool(k >= idx_st.size))
        if k < idx_st.size:
            member[idx_st[k]] = j
    S = len(att)
    A = np.array(att).reshape(S, N)
    unsettled = float(1.0 - settled.mean()) if settled.size else 0.0
    n_out = 0 if w is None else w.shape[1]
    z = np.zeros((S, n_out)) if w is None else A @ w
    # 2. kicks from every attractor and every used saddle
    kicked = np.concatenate([A, pts[idx_sad]])
    M = kicked.shape[0]
    if M == 0 or S == 0:
        return AttractorGraph(
            A,
            z,
            np.zeros((S, S)),
            np.zeros((S, S)),
            np.zeros((idx_sad.size, S)),
            idx_sad,
            member,
            np.array(origin, bool),
            1.0 if M else 0.0,
            unsettled,
            trials,
        )
    rng = np.random.default_rng(seed)
    kicks = rng.standard_normal((M, trials, N))
    kicks *= perturbation * math.sqrt(N) / np.linalg.norm(kicks, axis=-1, keepdims=True)
    ends = relax((kicked[:, None, :] + kicks).reshape(-1, N)).reshape(M, trials, N)
    dist = np.linalg.norm(ends[:, :, None, :] - A[None, None], axis=-1)
    nearest = np.argmin(dist, axis=-1)
    caught = np.min(dist, axis=-1) <= radius
    frac = np.stack([np.mean(caught & (nearest == b), axis=1) for b in range(S)], axis=1)
    E, outcomes = frac[:S], frac[S:]
    K = np.zeros((S, S))
    for row in outcomes:
        hit = np.flatnonzero(row >= min_fraction)
        K[np.ix_(hit, hit)] = 1.0
    np.fill_diagonal(K, 0.0)
    return AttractorGraph(
        A,
        z,
        E,
        K,
        outcomes,
        idx_sad,
        member,
        np.array(origin, bool),
        float(1.0 - np.mean(caught)),
        unsettled,
        trials,
    )


class AttractorComparison(NamedTuple):
    """Outcome of :func:`attractor_distances` (Q networks).

    Attributes:
        distances: [Q, Q] matched distance √(‖E_a − ΠE_bΠᵀ‖² + ‖K_a − ΠK_bΠᵀ‖²)
            (escape E and link K matrices, Π the attractor matching); NaN in the rows and
            columns of networks whose attractor count is not the modal one. With modal
            count 0 the compared networks all have the empty graph: distance 0 among them.
        spectral: [Q, Q] size-invariant distance for every network: the 1-Wasserstein
            distance between the eigenvalue distributions of the normalised Laplacians of
            the link graphs K (permutation invariant; 0 between two networks without an
            attractor, NaN between a network without and one with attractors).
        modal_count: the most common number of attractors (ties: the smaller; 0 counts).
        counts: [Q] attractors per network.
        off_modal: indices of networks with another count (reported, compared only by
            ``spectral``).
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    distances: np.ndarray
    spectral: np.ndarray
    modal_count: int
    counts: np.ndarray
    off_modal: np.ndarray


#: Accepted ``match`` values of :func:`attractor_distances`.
MATCHES: tuple[str, ...] = ("readout", "permutation")

#: Largest attractor count for ``match="permutation"`` (S! permutations are tried).
MAX_PERMUTATION_SIZE = 8


def _laplacian_spectrum(K: np.ndarray) -> np.ndarray:
    """Eigenvalues of the normalised Laplacian I − D^{-1/2} K D^{-1/2} (isolated nodes: 0),
    all in [0, 2]."""
    deg = K.sum(axis=1)
    inv = np.where(deg > 0, 1.0 / np.sqrt(np.where(deg > 0, deg, 1.0)), 0.0)
    L = np.diag((deg > 0).astype(float)) - inv[:, None] * K * inv[None, :]
    return np.linalg.eigvalsh(L)


def _matched_distance(
    Ea: np.ndarray, Ka: np.ndarray, Eb: np.ndarray, Kb: np.ndarray, perms: np.ndarray
) -> float:
    """min over the rows of ``perms`` [M, S] of √(‖Ea − Eb[π][:, π]‖² + ‖Ka − Kb[π][:, π]‖²)."""
    r, c = perms[:, :, None], perms[:, None, :]
    cost = np.sum((Ea[None] - Eb[r, c]) ** 2, axis=(1, 2)) + np.sum(
        (Ka[None] - Kb[r, c]) ** 2, axis=(1, 2)
    )
    return float(np.sqrt(cost.min()))


def attractor_distances(
    graphs: Sequence[AttractorGraph], *, match: str = "readout"
) -> AttractorComparison:
    """Distances between the attractor topologies of Q networks (module docstring).

    Arguments:
        graphs: Q results of :func:`attractor_graph`.
        match: how attractor b of one network is identified with attractor a of another:
            ``"readout"`` — the assignment minimising the summed readout distance ‖z_a − z_b‖
            (Hungarian algorithm; attractors are the task's memories, named by what the
            network reports there); ``"permutation"`` — the relabelling minimising the
            distance itself (a pure graph comparison, blind to the readout; S ≤ 8).
    """
    import itertools

    from scipy.optimize import linear_sum_assignment
    from scipy.stats import wasserstein_distance

    if match not in MATCHES:
        raise ValueError(f"match={match!r} is not allowed; allowed: {', '.join(MATCHES)}")
    gs = list(graphs)
    if len(gs) < 2:
        raise ValueError(f"graphs has {len(gs)} entries; allowed: at least 2 networks")
    for q, g in enumerate(gs):
        if not isinstance(g, AttractorGraph):
            raise ValueError(f"graphs[{q}] is a {type(g).__name__}; allowed: AttractorGraph")
    counts = np.array([g.n_attractors for g in gs])
    tally = Counter(counts.tolist())
    top = max(tally.values())
    modal = min(c for c, n in tally.items() if n == top)
    if (
        match == "readout"
        and modal > 0
        and any(g.readout.shape[1] == 0 for g, c in zip(gs, counts, strict=True) if c == modal)
    ):
        raise ValueError(
            "match='readout' needs attractor_graph(..., readout=w_out); "
            "allowed without a readout: match='permutation'"
        )
    if match == "permutation" and modal > MAX_PERMUTATION_SIZE:
        raise ValueError(
            f"match='permutation' with {modal} attractors; allowed: at most "
            f"{MAX_PERMUTATION_SIZE} (use match='readout')"
        )
    Q = len(gs)
    D = np.full((Q, Q), np.nan)
    # networks of the modal count are compared; with modal count 0 they all have the empty
    # graph (no attractor), and two empty graphs are the same topology: distance 0
    ok = np.flatnonzero(counts == modal)
    perms_all = (
        np.array(list(itertools.permutations(range(modal))), int).reshape(-1, modal)
        if match == "permutation" and modal > 0
        else np.zeros((1, 0), int)
    )
    for i, a in enumerate(ok):
        D[a, a] = 0.0
        for b in ok[i + 1 :]:
            ga, gb = gs[a], gs[b]
            if match == "readout":
                cost = np.linalg.norm(ga.readout[:, None] - gb.readout[None], axis=-1)
                _, col = linear_sum_assignment(cost)
                perms = col[None]
            else:
                perms = perms_all
            D[a, b] = D[b, a] = _matched_distance(ga.escape, ga.links, gb.escape, gb.links, perms)
    spec = [_laplacian_spectrum(g.links) if g.n_attractors else None for g in gs]
    Dsp = np.full((Q, Q), np.nan)
    for qa in range(Q):
        for qb in range(qa, Q):
            sa, sb = spec[qa], spec[qb]
            if sa is not None and sb is not None:
                Dsp[qa, qb] = Dsp[qb, qa] = wasserstein_distance(sa, sb)
            elif sa is None and sb is None:  # two empty graphs: equal
                Dsp[qa, qb] = Dsp[qb, qa] = 0.0
    return AttractorComparison(D, Dsp, int(modal), counts, np.flatnonzero(counts != modal))


class IntegrationModes(NamedTuple):
    """Outcome of :func:`integration_modes`.

    Attributes:
        full: the summed readout response of the full linearisation.
        kept: [N + 1] response with the m largest-|λ| modes kept (m = 0 … N).
        modes_needed: smallest m whose response is within ``tolerance`` × |full| of full.
        eigenvalues: [N] eigenvalues of J sorted by decreasing modulus.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    full: float
    kept: np.ndarray
    modes_needed: int
    eigenvalues: np.ndarray


def integration_modes(
    J: ArrayLike,
    B: ArrayLike,
    readout: ArrayLike,
    *,
    channel: int = 0,
    horizon: int = 100,
    tolerance: float = 0.1,
) -> IntegrationModes:
    """How many linear modes carry the integrated response to a unit input (see module doc).

    Arguments:
        J: [N, N] Jacobian of the map at a fixed point (∂F/∂h).
        B: [N, n_in] input Jacobian ∂F/∂u. readout: w_out [N].
        channel: input channel k; horizon: steps summed (≥ 1);
        tolerance: relative accuracy defining ``modes_needed`` (in (0, 1)).
    r_m = Σ_{t<horizon} Σ_{modes kept} (w_outᵀR_i)(L_i B e_k) λ_iᵗ (real part), with the
    geometric sum in closed form.
    """
    J = checks.array(J, "J", ndim=2)
    B = checks.array(B, "B", ndim=2)
    w = checks.array(readout, "readout").reshape(-1)
    N = J.shape[0]
    if J.shape != (N, N) or B.ndim != 2 or B.shape[0] != N or w.shape != (N,):
        raise ValueError(
            f"J {J.shape}, B {B.shape}, readout {w.shape} do not match; allowed: "
            "J [N, N], B [N, n_in], readout [N]"
        )
    horizon = checks.integer(horizon, "horizon", 1)
    channel = checks.integer(channel, "channel", 0)
    if not 0 <= channel < B.shape[1]:
        raise ValueError(f"channel={channel!r} is not allowed; allowed: 0 … {B.shape[1] - 1}")
    if not (isinstance(tolerance, (int, float)) and 0 < tolerance < 1):
        raise ValueError(f"tolerance={tolerance!r} is not allowed; allowed: in (0, 1)")
    g = _power_sum(J, int(horizon)) @ B[:, channel]  # Σ_{t<H} Jᵗ B e_k, exact
    full = float(w @ g)
    lam, clusters, contrib = _cluster_contributions(J, w, g)
    kept = np.zeros(N + 1)
    pos = 0
    for members, c in zip(clusters, contrib, strict=True):
        kept[pos + 1 : pos + len(members) + 1] = kept[pos]  # a cluster is not split
        pos += len(members)
        kept[pos] = kept[pos - len(members)] + c
    kept[-1] = full  # the sum of the projections is the identity: equal up to rounding
    ok = np.abs(kept - full) <= tolerance * max(abs(full), np.finfo(float).tiny)
    needed = int(np.argmax(ok))
    return IntegrationModes(full, kept, needed, lam)


def _power_sum(J: np.ndarray, H: int) -> np.ndarray:
    """Σ_{t<H} Jᵗ by binary doubling (S_{2h} = S_h + JʰS_h, S_{h+1} = S_h + Jʰ)."""
    S = np.zeros_like(J)
    P = np.eye(J.shape[0])
    for bit in bin(H)[2:]:
        S = S + P @ S
        P = P @ P
        if bit == "1":
            S = S + P
            P = P @ J
    return S


def _cluster_contributions(
    J: np.ndarray, w: np.ndarray, g: np.ndarray
) -> tuple[np.ndarray, list[list[int]], list[float]]:
    """Eigenvalues (cluster order), clusters (positions in that order, by decreasing |λ|)
    and each cluster's contribution Re wᵀ P_c g (P_c its spectral projector; module
    docstring)."""
    import scipy.linalg

    lam, VL, VR = scipy.linalg.eig(J, left=True, right=True)
    order = np.argsort(-np.abs(lam), kind="stable")
    lam, VL, VR = lam[order], VL[:, order], VR[:, order]
    N = lam.size
    norm_j = max(float(np.linalg.norm(J, 2)), np.finfo(float).tiny)
    overlap = np.abs(np.einsum("ij,ij->j", VL.conj(), VR))  # unit vectors: 1/κ(λᵢ)
    s = np.maximum(overlap, np.finfo(float).eps)
    # λᵢ, λⱼ are indistinguishable when closer than their perturbation bound 1e3·ε‖J‖/s,
    # capped at 1 % of ‖J‖ (a Jordan block of size k spreads as ε^{1/k})
    tol = np.minimum(1e3 * np.finfo(float).eps * norm_j / np.minimum.outer(s, s), 1e-2 * norm_j)
    close = np.abs(lam[:, None] - lam[None, :]) <= tol
    parent = list(range(N))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(close, 1)), strict=True):
        parent[find(int(i))] = find(int(j))
    groups: dict[int, list[int]] = {}
    for i in range(N):
        groups.setdefault(find(i), []).append(i)
    clusters = sorted(groups.values(), key=min)
    contrib = []
    for members in clusters:
        if len(members) == N:
            contrib.append(float((w @ g).real))
        elif len(members) == 1 and overlap[members[0]] > 1e-8:
            i = members[0]
            c = (w @ VR[:, i]) * (VL[:, i].conj() @ g) / (VL[:, i].conj() @ VR[:, i])
            contrib.append(float(c.real))
        else:
            radius = float(tol[np.ix_(members, members)].max())
            contrib.append(_cluster_projection(J, lam[members], radius, len(members), w, g))
    positions, pos = [], 0
    for m in clusters:
        positions.append(list(range(pos, pos + len(m))))
        pos += len(m)
    return lam[[i for m in clusters for i in m]], positions, contrib


def _cluster_projection(
    J: np.ndarray, centre: np.ndarray, radius: float, k: int, w: np.ndarray, g: np.ndarray
) -> float:
    """Re wᵀ P g for the spectral projector P onto the invariant subspace of the k
    eigenvalues within ``radius`` of ``centre``: a Schur form with them first,
    T₁₁X − XT₂₂ = −T₁₂, P = Z₁(Z₁ᴴ − X Z₂ᴴ)."""
    import scipy.linalg

    r = 2.0 * radius + 1e-12 * max(1.0, float(np.max(np.abs(centre))))

    def select(x: complex) -> bool:
        return bool(np.min(np.abs(x - centre)) <= r)

    T, Z, sdim = scipy.linalg.schur(J.astype(complex), output="complex", sort=select)
    if sdim != k:
        raise ValueError(
            f"J has a cluster of {k} eigenvalues near {complex(centre[0]):.6g} "
            f"that the Schur reordering splits into {sdim}; allowed: a J whose "
            "eigenvalue clusters are resolvable in float64"
        )
    X = scipy.linalg.solve_sylvester(T[:k, :k], -T[k:, k:], -T[:k, k:])
    Z1, Z2 = Z[:, :k], Z[:, k:]
    return float((w @ (Z1 @ (Z1.conj().T @ g - X @ (Z2.conj().T @ g)))).real)


def boundary_seeds(
    attractors: ArrayLike, *, fractions: Sequence[float] = (0.5,), noise: float = 0.0, seed: int = 0
) -> np.ndarray:
    """Starting states for a saddle search between attractors: the points
    (1 − f)·a + f·b on the segment between every pair of attractors [S, N], for each f in
    ``fractions`` (each in (0, 1)), plus Gaussian noise of std ``noise`` per unit.

    A saddle separating the basins of a and b lies on their common boundary, which every
    path from a to b crosses; q-minimisation (:func:`validate.analysis.fixed_points.find_fixed_points`)
    from the segment therefore reaches the saddles that trajectory samples rarely visit.
    Returns [S(S−1)/2 · len(fractions), N] (empty for S < 2)."""
    A = checks.array(attractors, "attractors", min_size=0)
    if A.ndim != 2:
        raise ValueError(f"attractors has shape {A.shape}; allowed: [S, N]")
    fr = np.asarray(list(fractions), np.float64)
    if fr.size == 0 or np.any(~((fr > 0) & (fr < 1))):
        raise ValueError(f"fractions={list(fractions)!r} is not allowed; allowed: values in (0, 1)")
    noise = _check_positive("noise", noise, allow_zero=True)
    i, j = np.triu_indices(A.shape[0], 1)
    pts = (1 - fr)[None, :, None] * A[i][:, None] + fr[None, :, None] * A[j][:, None]
    pts = pts.reshape(-1, A.shape[1])
    return pts + noise * np.random.default_rng(seed).standard_normal(pts.shape)


def merge_fixed_points(*results: FixedPoints, dedup_tol: float = 1e-3) -> FixedPoints:
    """One :class:`FixedPoints` from several searches of the same network and input: all
    points, best q first, with points closer than dedup_tol·√N to a better one dropped
    (the rule of :func:`validate.analysis.fixed_points.find_fixed_points`); counters are summed,
    ``best_q`` is the minimum."""
    if not results or not all(isinstance(r, FixedPoints) for r in results):
        raise ValueError("results must be one or more validate.analysis.fixed_points.FixedPoints")
    kinds = {r.kind for r in results}
    Ns = {r.points.shape[1] for r in results}
    if len(kinds) != 1 or len(Ns) != 1:
        raise ValueError(
            f"results have kinds {sorted(kinds)} and sizes {sorted(Ns)}; "
            "allowed: one kind and one N"
        )
    _check_positive("dedup_tol", dedup_tol)
    N = Ns.pop()
    cat = {
        f: np.concatenate([getattr(r, f) for r in results])
        for f in (
            "points",
            "q",
            "jacobians",
            "eigenvalues",
            "right",
            "left",
            "stable",
            "n_unstable",
        )
    }
    tol = dedup_tol * math.sqrt(N)
    chosen: list[int] = []
    for i in np.argsort(cat["q"], kind="stable"):
        if all(np.linalg.norm(cat["points"][i] - cat["points"][j]) > tol for j in chosen):
            chosen.append(int(i))
    sel = np.array(chosen, int)
    return FixedPoints(
        **{f: v[sel] for f, v in cat.items()},
        kind=kinds.pop(),
        best_q=min(r.best_q for r in results),
        n_candidates=sum(r.n_candidates for r in results),
        n_below_tol=sum(r.n_below_tol for r in results),
        n_outliers=sum(r.n_outliers for r in results),
    )
