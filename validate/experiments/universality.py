r"""The universality experiment of seed 002: geometry vs fixed-point topology across architectures.

Seed 002 trains populations of Vanilla, UGRNN, GRU and LSTM networks (relu or tanh) on the
3-bit flip-flop, the frequency-cued sine wave and context-dependent integration, and finds
that the *representational geometry* (SVCCA/CKA of the activity) differs systematically by
architecture and activation, while the *fixed-point topology* and the linearised dynamics
are shared ("individuality and universality"). This module reproduces that pipeline:

1. **train** every (task, architecture, activation) with ``simulate.train`` (all seeds of a
   configuration as one vmapped computation; runs stored under
   ``runs/universality/<task>-<arch>-<activation>-N<units>``, resumable);
2. **activity**: every trained network is driven, without noise, by one fixed evaluation
   batch per task (the same inputs for all networks, so representations are comparable);
   the hidden units h form the representation [trials·time, units];
3. **geometry**: pairwise SVCCA and linear-CKA distances (:mod:`validate.analysis.similarity`) and
   their classical MDS embeddings;
4. **topology**: fixed points at the task's static input (time-varying input dimensions set
   to zero: flip-flop u* = 0, CDI u* = context 1 with silent streams, sine u* = the middle
   frequency's cue) with :func:`validate.analysis.fixed_points.find_fixed_points`; the attractors
   (where the noise-free dynamics settle from the stable points and from ``probes``
   trajectory samples); with ``boundary_search`` a second search from the segments between
   attractor pairs (:func:`validate.analysis.topology.boundary_seeds` at :data:`BOUNDARY_FRACTIONS`),
   merged with the first. The
   default topology (``topology="attractors"``) compares the attractor escape matrices and
   saddle-link graphs (:func:`validate.analysis.topology.attractor_graph` /
   :func:`~validate.analysis.topology.attractor_distances`, attractors matched by readout); the
   all-points transition matrices of seed 002 (:func:`validate.analysis.topology.transition_graph`,
   readout-ordered, ``topology="points"``) and a size-invariant spectral distance of the
   link graphs are reported beside it. Networks with a non-modal count are listed, not
   dropped. Why attractors: in the quick flip-flop population the number of fixed points
   per network varied (15–22) because the finder samples saddles incompletely (converged,
   well-separated points, q ≲ 1e-15; 4–8 of the 12 index-1 saddles of the ideal cube found),
   so the all-points matrices had different sizes; the attractors (8 in every network once
   trajectory samples are relaxed) and, after the boundary search, the index-1 saddles
   between them are found reliably;
5. **linear analyses**: sine — the rotation angle per step |arg λ| of the leading complex
   eigenvalue at the fixed point of each frequency cue against the target ω (seed 002,
   Fig. 2f); CDI — modes needed to integrate a unit pulse on the relevant stream
   (:func:`validate.analysis.topology.integration_modes`, Fig. 3f);
6. **claim**: for each task and distance, the clustering ratio (mean distance between
   architectures / mean distance within an architecture) with a label-permutation p-value
   (:func:`cluster_statistic`). The seed's claim holds for a task when the geometry
   clusters by architecture (SVCCA p < α) and the topology does not (p ≥ α).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "BOUNDARY_FRACTIONS",
    "DIVERGED_MARKER",
    "BOUNDARY_NOISE",
    "TOPOLOGIES",
    "UNIVERSALITY_TASKS",
    "ClusterStatistic",
    "NetworkRecord",
    "TaskAnalysis",
    "UniversalityPlan",
    "analyse_task",
    "cluster_statistic",
    "static_input",
    "train_population",
]

#: Seed 002's three tasks (simulate task names).
UNIVERSALITY_TASKS: tuple[str, ...] = ("flip_flop_3bit", "sine_freq", "cdi")

#: Topologies :class:`UniversalityPlan` can compare by default (module docstring, step 4).
TOPOLOGIES: tuple[str, ...] = ("attractors", "points")

#: Where on the segment between two attractors the second saddle search starts, and the
#: noise added (per unit): three points per pair found all 12 index-1 saddles of the cube in
#: gated-relu networks where the midpoint alone found 9–11 (quick flip-flop population).
BOUNDARY_FRACTIONS: tuple[float, ...] = (0.3, 0.5, 0.7)
BOUNDARY_NOISE: float = 0.05


@dataclasses.dataclass(frozen=True)
class UniversalityPlan:
    """Settings of the experiment (see the presets :meth:`quick`, :meth:`full`, :meth:`tiny`).

    Attributes:
        tasks: task names (subset of :data:`UNIVERSALITY_TASKS`).
        archs: architectures (``simulate.ARCHITECTURES``); activations: ``"tanh"``/``"relu"``.
        units: hidden units N; seeds: networks per configuration (≥ 1).
        steps, batch, eta0: Adam training (lr = eta0, constant).
        t_max: trial length override in steps (``None``: the task's default, 100).
        eval_trials: trials per condition in the shared evaluation batch.
        fp_states, fp_steps, q_tol: fixed-point search (initial states, Adam steps,
            tolerance on q per unit).
        topology_trials: kicks per fixed point; sine_cues: frequency cues analysed.
        topology: the topology compared by default and used for the claim —
            ``"attractors"`` (escape and saddle-link matrices over the attractors,
            :func:`validate.analysis.topology.attractor_graph`) or ``"points"`` (seed 002's transition
            matrix over all fixed points, :func:`validate.analysis.topology.transition_graph`); the
            other is reported too.
        probes: trajectory samples relaxed to find attractors the finder missed (≥ 0).
        boundary_search: search saddles again from the segments between attractor pairs
            (:func:`validate.analysis.topology.boundary_seeds`), merged with the first search.
        topology_steps: updates per relaxation / after each kick (≥ 1).
        permutations, alpha: the clustering test.
        grad_clip: gradient-norm clipping of training (seed 002 clips; ``None``: off).
        seed: base seed.
    """

    tasks: tuple[str, ...] = UNIVERSALITY_TASKS
    archs: tuple[str, ...] = ("vanilla", "ugrnn", "gru", "lstm")
    activations: tuple[str, ...] = ("tanh", "relu")
    units: int = 32
    seeds: int = 2
    steps: int = 400
    batch: int = 32
    eta0: float = 0.01
    t_max: float | None = 50.0
    eval_trials: int = 1
    fp_states: int = 64
    fp_steps: int = 1000
    q_tol: float = 1e-10
    topology_trials: int = 20
    sine_cues: int = 4
    topology: str = "attractors"
    probes: int = 256
    boundary_search: bool = True
    topology_steps: int = 1000
    permutations: int = 2000
    alpha: float = 0.05
    grad_clip: float | None = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        from simulate.gated import ARCHITECTURES

        bad = [t for t in self.tasks if t not in UNIVERSALITY_TASKS]
        if not self.tasks or bad:
            raise ValueError(
                f"tasks={self.tasks!r} is not allowed; allowed: a non-empty "
                f"subset of {UNIVERSALITY_TASKS}"
            )
        if not self.archs or any(a not in ARCHITECTURES for a in self.archs):
            raise ValueError(
                f"archs={self.archs!r} is not allowed; allowed: a non-empty "
                f"subset of {ARCHITECTURES}"
            )
        if not self.activations or any(a not in ("tanh", "relu") for a in self.activations):
            raise ValueError(
                f"activations={self.activations!r} is not allowed; allowed: 'tanh', 'relu'"
            )
        for name, low in (
            ("units", 2),
            ("seeds", 1),
            ("steps", 1),
            ("batch", 1),
            ("eval_trials", 1),
            ("fp_states", 1),
            ("fp_steps", 1),
            ("topology_trials", 1),
            ("sine_cues", 1),
            ("permutations", 1),
            ("probes", 0),
            ("topology_steps", 1),
        ):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ValueError(f"{name}={v!r} is not allowed; {name} must be an integer >= {low}")
        if not isinstance(self.boundary_search, bool):
            raise ValueError(
                f"boundary_search={self.boundary_search!r} is not allowed; allowed: True, False"
            )
        if self.topology not in TOPOLOGIES:
            raise ValueError(
                f"topology={self.topology!r} is not allowed; allowed: {', '.join(TOPOLOGIES)}"
            )
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha={self.alpha!r} is not allowed; alpha must be in (0, 1)")

    @classmethod
    def quick(cls) -> UniversalityPlan:
        """CPU default: N = 32, 2 seeds, 400 Adam steps, 50-step trials."""
        return cls()

    @classmethod
    def full(cls) -> UniversalityPlan:
        """Closer to seed 002 (GPU): N = 128, 5 seeds, 5000 steps, 100-step trials, batch 64."""
        return cls(
            units=128,
            seeds=5,
            steps=5000,
            batch=64,
            t_max=None,
            fp_states=256,
            fp_steps=3000,
            topology_trials=100,
            sine_cues=8,
        )

    @classmethod
    def tiny(cls) -> UniversalityPlan:
        """Smoke test (seconds; numbers not meaningful)."""
        return cls(
            tasks=("flip_flop_3bit",),
            archs=("vanilla", "ugrnn"),
            activations=("tanh",),
            units=8,
            seeds=2,
            steps=4,
            batch=8,
            t_max=20.0,
            fp_states=8,
            fp_steps=50,
            topology_trials=4,
            permutations=50,
            q_tol=1e-4,
            probes=16,
            topology_steps=100,
        )

    def train_config(self, task: str, arch: str, activation: str) -> Any:
        """The ``simulate.TrainConfig`` of one configuration (no noise, as seed 002)."""
        from simulate import TrainConfig, get_task

        overrides: dict[str, Any] = {}
        if self.t_max is not None:
            overrides["t_max"] = float(self.t_max)
        t = get_task(task, **overrides)
        batch = t.batch_multiple * max(1, math.ceil(self.batch / t.batch_multiple))
        return TrainConfig(
            task=task,
            model=arch,
            nonlinearity=activation,
            N=self.units,
            seeds=self.seeds,
            seed=self.seed,
            steps=self.steps,
            batch=batch,
            optimizer="adam",
            eta0=self.eta0,
            lr_scaling="none",
            sigma=0.0,
            x0_noise=0.0,
            g=1.0,
            out_scale="large",
            record_every=max(1, self.steps // 10)
            if self.steps % max(1, self.steps // 10) == 0
            else 1,
            checkpoint_every=self.steps,
            task_overrides=overrides,
            grad_clip=self.grad_clip,
        )


class NetworkRecord(NamedTuple):
    """One trained network: its configuration labels, the model and its final loss."""

    task: str
    arch: str
    activation: str
    seed_index: int
    model: Any
    loss: float


#: File written into the run directory of a configuration whose training diverged
#: (``simulate.NonFiniteLossError``): later calls report it instead of retraining.
DIVERGED_MARKER = "diverged.txt"


def train_population(
    plan: UniversalityPlan,
    runs_dir: str | Path,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    executor: str = "inprocess",
    address: str | None = None,
) -> tuple[dict[str, list[NetworkRecord]], list[tuple[str, str, str, str]]]:
    """Train (or load / resume) every configuration.

    Configurations not yet finished are trained through :func:`simulate.run_configs`
    (``executor="inprocess"`` or ``"dask"`` with the scheduler ``address``; each writes its
    own run directory, so an interrupted population resumes).

    Returns (networks grouped by task, failed configurations as (task, arch, activation,
    error message)): a configuration whose training diverges (seed 002 could not train
    LSTM-relu either) is reported and left out of the analysis, not fatal; it leaves
    :data:`DIVERGED_MARKER` in its run directory, so later calls report it without
    retraining (delete the file to retry)."""
    import simulate

    root = Path(runs_dir) / "universality"
    combos = [
        (task, arch, act) for task in plan.tasks for arch in plan.archs for act in plan.activations
    ]
    paths = {c: root / f"{c[0]}-{c[1]}-{c[2]}-N{plan.units}" for c in combos}
    todo = []
    failed: list[tuple[str, str, str, str]] = []
    for c in combos:
        try:
            simulate.load(paths[c])
        except ValueError:
            marker = paths[c] / DIVERGED_MARKER
            if marker.exists():  # diverged before: report it, do not retrain every call
                failed.append(
                    (*c, f"{marker.read_text().strip()} (stored in {marker}; delete it to retry)")
                )
                if log is not None:
                    log(f"  universality {c[0]} {c[1]}/{c[2]}: diverged before (stored)")
                continue
            todo.append((plan.train_config(*c), paths[c]))
    if todo:
        t0 = time.perf_counter()
        results = simulate.run_configs(
            todo, executor=executor, address=address, progress=progress, on_error="collect"
        )
        errors = {
            str(p): r
            for (_, p), r in zip(todo, results, strict=True)
            if isinstance(r, BaseException)
        }
        if log is not None:
            log(
                f"  universality: trained {len(todo) - len(errors)} of {len(todo)} "
                f"configuration(s) with {executor} ({time.perf_counter() - t0:.1f} s)"
            )
        for c in combos:
            err = errors.get(str(paths[c]))
            if err is not None:
                failed.append((*c, f"{type(err).__name__}: {err}"))
                if isinstance(err, simulate.NonFiniteLossError):
                    paths[c].mkdir(parents=True, exist_ok=True)
                    text = f"{type(err).__name__}: {err}\n".encode()
                    simulate.atomic_write_bytes(
                        paths[c] / DIVERGED_MARKER, lambda fh, text=text: fh.write(text)
                    )
                if log is not None:
                    log(f"  universality {c[0]} {c[1]}/{c[2]}: FAILED ({type(err).__name__})")
    bad = {f[:3] for f in failed}
    out: dict[str, list[NetworkRecord]] = {t: [] for t in plan.tasks}
    for c in combos:
        if c in bad:
            continue
        run = simulate.load(paths[c])
        if log is not None and not todo:
            log(f"  universality {c[0]} {c[1]}/{c[2]}: loaded")
        loss = run.final("loss")
        for s in range(run.config.seeds):
            out[c[0]].append(NetworkRecord(c[0], c[1], c[2], s, run.model(s), float(loss[s])))
    return out, failed


def static_input(task: Any, which: int | None = None) -> np.ndarray:
    """The static input u* of seed 002 for fixed points (time-varying dimensions zero).

    flip-flop: 0; CDI: context 1 on, streams 0; sine: the cue of condition ``which``
    (default: the middle frequency).
    """
    if task.name == "flip_flop_3bit":
        return np.zeros(task.n_in)
    if task.name == "cdi":
        return np.array([0.0, 0.0, 1.0, 0.0])
    if task.name == "sine_freq":
        cues = np.asarray(task.static_inputs(), np.float64)[:, 0]
        j = len(cues) // 2 if which is None else which
        return np.array([cues[j]])
    raise ValueError(f"task {task.name!r} is not a seed-002 task; allowed: {UNIVERSALITY_TASKS}")


class ClusterStatistic(NamedTuple):
    """Clustering of a distance matrix by labels: ``ratio`` = mean between-label distance /
    mean within-label distance (> 1: clustered; 1 when all distances are 0), ``p_value`` of a
    label-permutation test (one-sided, (1 + #{ratio_perm ≥ ratio}) / (1 + permutations)),
    ``n`` items used."""

    ratio: float
    p_value: float
    n: int


def cluster_statistic(
    D: np.ndarray, labels: Sequence[str], *, permutations: int = 2000, seed: int = 0
) -> ClusterStatistic:
    """Permutation test of whether ``D`` [n, n] is smaller within ``labels`` than between.

    Networks not compared (NaN distances) are dropped first, the one with the most missing
    distances at a time, until every remaining pair has a distance; needs ≥ 2 labels with
    ≥ 2 items each (else ratio and p are NaN and the claim is undetermined).
    """
    D = np.asarray(D, np.float64)
    lab = np.asarray(list(labels))
    keep = np.arange(len(D))
    off = ~np.eye(len(D), dtype=bool)
    while keep.size:  # drop the network with the most missing distances until none is missing
        missing = (np.isnan(D[np.ix_(keep, keep)]) & off[np.ix_(keep, keep)]).sum(axis=1)
        if not missing.any():
            break
        keep = np.delete(keep, int(np.argmax(missing)))
    D, lab = D[np.ix_(keep, keep)], lab[keep]
    n = len(lab)
    counts = {v: int(np.sum(lab == v)) for v in set(lab.tolist())}
    if sum(c >= 2 for c in counts.values()) < 2:  # need ≥ 2 groups with ≥ 2 items each
        return ClusterStatistic(math.nan, math.nan, n)
    iu = np.triu_indices(n, 1)
    d = D[iu]

    def ratio(lbl: np.ndarray) -> float:
        same = (lbl[:, None] == lbl[None, :])[iu]
        if not same.any() or same.all():
            return math.nan
        between, within = d[~same].mean(), d[same].mean()
        if between == 0 and within == 0:  # all compared networks identical: no clustering
            return 1.0
        if within == 0:  # identical within every architecture, different between: perfect
            return math.inf
        return float(between / within)

    r0 = ratio(lab)
    rng = np.random.default_rng(seed)
    perm = np.array([ratio(rng.permutation(lab)) for _ in range(permutations)])
    p = (1 + np.sum(perm >= r0)) / (1 + permutations)
    return ClusterStatistic(r0, float(p), n)


class TaskAnalysis(NamedTuple):
    """Everything :func:`analyse_task` computes for one task (Q networks)."""

    task: str
    labels: list[tuple[str, str]]
    losses: np.ndarray
    svcca: np.ndarray
    cka: np.ndarray
    topology: Any  # the plan's default: AttractorComparison or TopologyComparison
    n_fixed: np.ndarray
    n_unstable: list[np.ndarray]
    best_q: np.ndarray
    clusters: dict[str, ClusterStatistic]
    sine: dict[str, np.ndarray]
    cdi_modes: np.ndarray
    topology_method: str = "attractors"
    topology_points: Any = None  # validate.analysis.topology.TopologyComparison (all fixed points)
    attractors: Any = None  # validate.analysis.topology.AttractorComparison
    census: Any = None  # list of validate.analysis.topology.FixedPointCensus, one per network
    attractor_graphs: Any = None  # list of validate.analysis.topology.AttractorGraph
    n_fixed_first: Any = None  # [Q] fixed points of the first search (before the boundary one)


def _eval_batch(plan: UniversalityPlan, task_name: str) -> Any:
    import jax

    from simulate import get_task

    overrides = {} if plan.t_max is None else {"t_max": float(plan.t_max)}
    task = get_task(task_name, **overrides)
    return task, task.sample(
        jax.random.key(10_000 + plan.seed), task.batch_multiple * plan.eval_trials
    )


def analyse_task(
    plan: UniversalityPlan, nets: Sequence[NetworkRecord], *, progress: bool = False
) -> TaskAnalysis:
    """Geometry, topology and linear analyses of one task's networks (module docstring)."""
    import jax
    import jax.numpy as jnp
    from tqdm.auto import tqdm

    from simulate import simulate as run_dynamics

    from ..analysis.fixed_points import find_fixed_points, sample_initial_states
    from ..analysis.similarity import pairwise_distances
    from ..analysis.topology import (
        _bucket,
        attractor_distances,
        attractor_graph,
        boundary_seeds,
        fixed_point_census,
        integration_modes,
        merge_fixed_points,
        readout_order,
        topology_distances,
        transition_graph,
    )

    if not nets:
        raise ValueError("nets is empty; allowed: at least 2 trained networks")
    task, batch = _eval_batch(plan, nets[0].task)
    reps, graphs, orders, n_fixed, n_unst, best_q = [], [], [], [], [], []
    att_graphs, census, n_first = [], [], []
    sine_lin, sine_w, sine_arch, cdi = [], [], [], []
    u_star = static_input(task)
    for net in tqdm(nets, desc=f"{task.name} networks", disable=not progress):
        m = net.model
        traj = run_dynamics(m, batch.inputs, key=jax.random.key(0), sigma=0.0)
        X = np.asarray(traj.x, np.float64)  # [B, T, state]
        reps.append(X[..., : m.units].reshape(-1, m.units))
        h0 = sample_initial_states(X, plan.fp_states, noise_std=0.1, seed=net.seed_index)
        fp = find_fixed_points(
            m.update, h0, u_star, kind="map", steps=plan.fp_steps, q_tol=plan.q_tol, reference=X
        )
        w_full = np.zeros((m.N, m.n_out))
        w_full[: m.units] = np.asarray(m.w_out, np.float64)
        probes = (
            sample_initial_states(X, plan.probes, seed=7919 + net.seed_index)
            if plan.probes
            else None
        )
        topo_kw = {
            "readout": w_full,
            "probes": probes,
            "trials": plan.topology_trials,
            "steps": plan.topology_steps,
            "seed": net.seed_index,
        }
        fp_all = fp
        n_first.append(fp.n_points)
        if plan.boundary_search:
            # attractors first (finder's stable points + relaxed probes), then a second
            # saddle search from the segments between them (module docstring, step 4)
            g0 = attractor_graph(m.update, fp, u_star, **{**topo_kw, "trials": 1})
            seeds = boundary_seeds(
                g0.attractors,
                fractions=BOUNDARY_FRACTIONS,
                noise=BOUNDARY_NOISE,
                seed=net.seed_index,
            )
            if len(seeds) > 4 * plan.fp_states:  # many attractors: a random subset of pairs
                rng = np.random.default_rng(net.seed_index)
                seeds = seeds[rng.choice(len(seeds), 4 * plan.fp_states, replace=False)]
            if len(seeds):
                # padded (repeats are merged as duplicates) to a power of two: one compiled
                # optimiser for all networks
                seeds = np.concatenate(
                    [seeds, np.repeat(seeds[:1], _bucket(len(seeds)) - len(seeds), axis=0)]
                )
                fp2 = find_fixed_points(
                    m.update,
                    seeds,
                    u_star,
                    kind="map",
                    steps=plan.fp_steps,
                    q_tol=plan.q_tol,
                    reference=X,
                )
                fp_all = merge_fixed_points(fp, fp2)
        best_q.append(fp_all.best_q)
        n_fixed.append(len(fp_all))
        n_unst.append(np.asarray(fp_all.n_unstable))
        census.append(fixed_point_census(fp_all))
        att_graphs.append(attractor_graph(m.update, fp_all, u_star, **topo_kw))
        tg = transition_graph(
            m.update,
            fp_all,
            u_star,
            readout=w_full,
            trials=plan.topology_trials,
            steps=plan.topology_steps,
            seed=net.seed_index,
        )
        graphs.append(tg.probabilities)
        orders.append(readout_order(fp_all.points, w_full) if len(fp_all) else np.zeros(0, int))
        if task.name == "sine_freq":
            cues = np.linspace(0, task.n_frequencies - 1, plan.sine_cues).round().astype(int)
            omegas = np.asarray(task.frequencies(), np.float64)
            for j in cues:
                uj = static_input(task, int(j))
                fpj = find_fixed_points(
                    m.update, h0, uj, kind="map", steps=plan.fp_steps, q_tol=plan.q_tol
                )
                if len(fpj):
                    lam = fpj.eigenvalues[0]
                    cplx = lam[np.abs(lam.imag) > 1e-9]
                    ang = float(np.abs(np.angle(cplx[0]))) if cplx.size else 0.0
                else:
                    ang = math.nan
                sine_lin.append(ang)
                sine_w.append(omegas[j])
                sine_arch.append(net.arch)
        if task.name == "cdi":
            if fp.n_points:
                J = fp.jacobians[0]
                h_star = jnp.asarray(fp.points[0], jnp.float32)
                B = np.asarray(
                    jax.jacfwd(lambda u, h=h_star, m=m: m.update(h, u))(
                        jnp.asarray(u_star, jnp.float32)
                    ),
                    np.float64,
                )
                res = integration_modes(J, B, w_full[:, 0], channel=0, horizon=task.n_steps)
                cdi.append(res.modes_needed)
            else:
                cdi.append(-1)
    labels = [(n.arch, n.activation) for n in nets]
    D_svcca = pairwise_distances(reps, "svcca")
    D_cka = pairwise_distances(reps, "cka")
    topo_pts = topology_distances(graphs, orders)
    topo_att = attractor_distances(att_graphs, match="readout")
    topo = topo_att if plan.topology == "attractors" else topo_pts
    other = "points" if plan.topology == "attractors" else "attractors"
    archs = [a for a, _ in labels]
    clusters = {
        name: cluster_statistic(D, archs, permutations=plan.permutations, seed=plan.seed)
        for name, D in (
            ("svcca", D_svcca),
            ("cka", D_cka),
            ("topology", topo.distances),
            (f"topology_{other}", (topo_pts if other == "points" else topo_att).distances),
            ("topology_spectral", topo_att.spectral),
        )
    }
    return TaskAnalysis(
        task=task.name,
        labels=labels,
        losses=np.array([n.loss for n in nets]),
        svcca=D_svcca,
        cka=D_cka,
        topology=topo,
        n_fixed=np.array(n_fixed),
        n_unstable=n_unst,
        best_q=np.array(best_q),
        clusters=clusters,
        sine={
            "linearised": np.array(sine_lin),
            "omega": np.array(sine_w),
            "arch": np.array(sine_arch),
        },
        cdi_modes=np.array(cdi),
        topology_method=plan.topology,
        topology_points=topo_pts,
        attractors=topo_att,
        census=census,
        attractor_graphs=att_graphs,
        n_fixed_first=np.array(n_first),
    )


def claim_holds(analysis: TaskAnalysis, alpha: float) -> bool | None:
    """Seed 002's claim for one task: SVCCA geometry clusters by architecture (p < α) and
    the topology does not (p ≥ α). ``None`` when either test is undefined."""
    g, t = analysis.clusters["svcca"], analysis.clusters["topology"]
    if not (math.isfinite(g.p_value) and math.isfinite(t.p_value)):
        return None
    return bool(g.p_value < alpha and t.p_value >= alpha)
