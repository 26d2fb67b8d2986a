r"""Gradient descent on the rank-2 fixed-point task across N (THEORY.md §4).

Networks are trained with ``simulate.TrainConfig.preset("gd_scaling", sigma=σ)``
(only M trained from M = 0, large output weights) by ``simulate.sweep`` over N.
At the end of training, per seed:

* λ₋ = real part of the smaller eigenvalue of the trained M, λ₊ of the larger;
* the simulation values are the means over the last ``tail`` fraction of the
  recorded steps of the per-step records ``loss_var``, ``kappa_norm``, ``rho``
  (each record is a one-batch estimate; averaging over the tail lowers the noise);
  ``loss_var`` is made unbiased for the population variance with
  :func:`validate.core.stats.unbiased_loss_split` (factor B/(B−1), B = trials per condition);
* the theory is ``meanfield.optimum(N, λ₋, σ)``: λ₊*, ‖κ̄*‖, ρ*, L_var* for that
  seed's λ₋ (paired comparison: each seed has its own prediction).

Rows (``validate.core.stats.compare``, SE over seeds) for L_var, ‖κ̄‖, ρ and λ₊ at
every N, plus L_var against the theory of each seed's trained M itself
(:func:`trained_m_loss_var`, THEORY §2 and meanfield's Euler-map + leaked-noise
extension), which tells a network away from the optimum from a theory error. Power laws: ``log q = a + k log N`` fitted by least squares to the
per-seed simulation values (SE of k from the OLS residuals), beside the same fit
to the per-seed theory predictions over the same N (the effective theory exponent)
and the derived large-N exponent (``meanfield.large_n_scaling``). The fitted exponents
are compared too (``compare_estimate``: sim exponent vs the effective theory exponent
over the same N, SE = the two OLS SEs in quadrature, N = the largest size).

THEORY §4 expects the small-noise setting (σ = 0.2) to fail the ‖κ̄‖ rows: trained
networks keep the O(1) ‖κ̄‖ of early learning while the optimum shrinks with N.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..core import stats
from ..core.fits import PowerLawFit, fit_power_law

__all__ = [
    "FLOW_QUANTITIES",
    "FLOW_WINDOWS",
    "GD_QUANTITIES",
    "TRAINED_M_THEORIES",
    "GDScalingPlan",
    "GDScalingResult",
    "analyse_gd_scaling",
    "default_gd_plans",
    "derived_exponents",
    "flow_trial",
    "gd_scaling_config",
    "learning_flow_of_run",
    "run_gd_scaling",
    "trained_m_loss_var",
]

#: Compared quantities: (name in tables, record name, Optimum field).
GD_QUANTITIES: tuple[tuple[str, str, str], ...] = (
    ("loss_var", "loss_var", "loss_var"),
    ("kappa_norm", "kappa_norm", "kappa_norm"),
    ("rho", "rho", "rho"),
    ("lambda_plus", "", "lambda_plus"),
)


#: Extra L_var rows: theory of the trained M itself (quantity suffix, meanfield options).
#: They separate "is the trained network at the optimum?" from "does the theory describe
#: the trained network?" (Euler step and leaked noise as in validate.experiments.static).
TRAINED_M_THEORIES: tuple[tuple[str, dict[str, Any]], ...] = (
    (" (trained M)", {}),
    (" (trained M, Euler dt + Hermite)", {"dt": None, "hermite_orders": 8}),
)

#: Quantities compared with the mean-field learning flow (record names; λ₊ from ``eigvals``).
FLOW_QUANTITIES: tuple[str, ...] = ("lambda_plus", "kappa_norm", "rho", "loss_var")
#: Record windows compared with the flow: (label, first fraction, last fraction of the records).
FLOW_WINDOWS: tuple[tuple[str, float, float], ...] = (("mid-training", 0.4, 0.6), ("end", 0.8, 1.0))

#: Sizes of the quick (CPU) plans.
QUICK_NS: tuple[int, ...] = (32, 64, 128)
#: Scale of the relative error of an N-exponent row: 1/2, the gap between the aligned (ρ ~ N⁰)
#: and oblique (ρ ~ N^(−1/2)) regimes (THEORY §2). Relative to |theory| instead, an exponent
#: near 0 (‖κ̄‖ at σ = 0.2, L_var) could never be judged. Regression dof = points − 2.
EXPONENT_SCALE: float = 0.5
#: Seeds of the quick plans: 6, so that t with 5 degrees of freedom at the claims' Holm level
#: can see a 10 % miss of λ₊, ρ and L_var (with 3 seeds almost every row was undetermined).
QUICK_SEEDS: int = 6
#: Steps of the quick σ = 0.2 plan (the paper's 5000 do not fit the CPU budget).
QUICK_STEPS_SMALL_NOISE: int = 2000


@dataclasses.dataclass(frozen=True)
class GDScalingPlan:
    """One noise setting of THEORY §4.

    Attributes:
        sigma: noise σ (1.0 or 0.2 have paper learning rates and step counts).
        Ns: network sizes.
        seeds: seeds per size (vmapped).
        steps: training steps, ``None`` = the paper's (2000 for σ = 1, 5000 for σ = 0.2).
        record_every: record interval (must divide ``steps``).
        tail: fraction of the records averaged at the end (0 < tail ≤ 1).
        seed: base seed.
    """

    sigma: float = 1.0
    Ns: tuple[int, ...] = (32, 64, 128)
    seeds: int = 3
    steps: int | None = None
    record_every: int = 10
    tail: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma) and self.sigma > 0):
            raise ValueError(f"sigma={self.sigma!r} is not allowed; sigma must be > 0")
        if len(self.Ns) < 1 or any(int(n) < 4 for n in self.Ns):
            raise ValueError(f"Ns={self.Ns!r} is not allowed; need one or more sizes >= 4")
        if not (0 < self.tail <= 1):
            raise ValueError(f"tail={self.tail!r} is not allowed; tail must be in (0, 1]")
        if self.seeds < 2:
            raise ValueError(f"seeds={self.seeds!r} is not allowed; need >= 2 for an SE")

    def label(self) -> str:
        return f"sigma{self.sigma:g}"


def gd_scaling_config(plan: GDScalingPlan) -> Any:
    """The ``simulate.TrainConfig`` of ``plan`` (N set by the sweep)."""
    from simulate.config import TrainConfig

    overrides: dict[str, Any] = {
        "sigma": plan.sigma,
        "seeds": plan.seeds,
        "seed": plan.seed,
        "N": int(plan.Ns[0]),
        "record_every": plan.record_every,
    }
    if plan.steps is not None:
        overrides["steps"] = plan.steps
    cfg = TrainConfig.preset("gd_scaling", **overrides)
    every = cfg.record_every
    ckpt = max(every, (min(500, cast(int, cfg.steps)) // every) * every)
    return cfg.replace(checkpoint_every=ckpt)


def derived_exponents(
    out_scale: str = "large", values: dict[str, float] | None = None
) -> dict[str, dict[str, float]]:
    """{quantity: {"limit", "prefactor", "exponent"}} of ``meanfield.large_n_scaling``
    as floats. Symbolic limits/prefactors are evaluated at ``values`` (symbol name ->
    value, e.g. ``{"lambda_m": -1.9, "sigma": 1.0, "z": 1.0}``, the symbols of
    :mod:`meanfield.symbolic`); NaN where that is not
    possible. If meanfield cannot provide the laws, ``{"_error": {"message": ...}}``."""
    try:
        import meanfield

        laws = meanfield.large_n_scaling(out_scale=out_scale)
    except Exception as err:  # noqa: BLE001 - reported, not hidden
        return {"_error": {"message": f"{type(err).__name__}: {err}"}}  # type: ignore[dict-item]
    out: dict[str, dict[str, float]] = {}
    for name, law in laws.items():
        vals = {}
        for field in ("limit", "prefactor", "exponent"):
            expr: Any = getattr(law, field, math.nan)
            try:
                if values and hasattr(expr, "free_symbols"):
                    expr = expr.subs(
                        {sym: values[sym.name] for sym in expr.free_symbols if sym.name in values}
                    )
                vals[field] = float(expr)
            except (TypeError, ValueError, AttributeError):
                vals[field] = math.nan
        out[name] = vals
    return out


@dataclasses.dataclass
class GDScalingResult:
    """Outcome of :func:`analyse_gd_scaling`.

    Attributes:
        plan: the :class:`GDScalingPlan`.
        Ns: sizes [n_N].
        sim: quantity -> per-seed simulation values [n_N, seeds].
        theory: quantity -> per-seed theory values [n_N, seeds].
        lambda_minus: [n_N, seeds] trained λ₋ (real part).
        rows: comparison rows.
        fits: quantity -> {"sim": PowerLawFit, "theory": PowerLawFit}.
        derived: derived large-N laws (see :func:`derived_exponents`).
        curves: N -> {"steps", "loss", "loss_bias", "loss_var", "eigvals"} learning curves
            [seeds, n_rec] (eigvals real parts [seeds, n_rec, 2]).
        flow: N -> the mean-field learning flow's records at the same steps
            (:func:`learning_flow_of_run`; "lambda_plus", "lambda_minus", "kappa_norm", "rho",
            "loss_bias", "loss_var" [n_rec]); empty when not computed.
        flow_fits: quantity -> {"sim", "flow"} power laws of the end-of-training values.
        flow_end: quantity -> [n_N] the flow's mean over the same last ``plan.tail`` of the
            records as the simulation's ``sim`` values (empty when the flow is not computed).
    """

    plan: GDScalingPlan
    Ns: np.ndarray
    sim: dict[str, np.ndarray]
    theory: dict[str, np.ndarray]
    lambda_minus: np.ndarray
    rows: list[stats.Comparison]
    fits: dict[str, dict[str, PowerLawFit]]
    derived: dict[str, dict[str, float]]
    curves: dict[int, dict[str, np.ndarray]]
    flow: dict[int, dict[str, np.ndarray]] = dataclasses.field(default_factory=dict)
    flow_fits: dict[str, dict[str, PowerLawFit]] = dataclasses.field(default_factory=dict)
    flow_end: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary (strict JSON: non-finite numbers become ``None``)."""
        return stats.jsonable(
            {
                "plan": dataclasses.asdict(self.plan),
                "Ns": self.Ns.tolist(),
                "lambda_minus": self.lambda_minus.tolist(),
                "sim": {k: v.tolist() for k, v in self.sim.items()},
                "theory": {k: v.tolist() for k, v in self.theory.items()},
                "fits": {
                    q: {w: dataclasses.asdict(f) for w, f in d.items()}
                    for q, d in self.fits.items()
                },
                "derived": self.derived,
                "flow": {
                    str(n): {k: v.tolist() for k, v in d.items()} for n, d in self.flow.items()
                },
                "flow_fits": {
                    q: {w: dataclasses.asdict(f) for w, f in d.items()}
                    for q, d in self.flow_fits.items()
                },
                "rows": [r.to_dict() for r in self.rows],
            }
        )  # type: ignore[return-value]


def trained_m_loss_var(
    M: np.ndarray,
    N: int,
    sigma: float,
    dt: float | None = None,
    hermite_orders: int | None = None,
) -> np.ndarray:
    """THEORY §2 L_var of the *trained* coupling matrices M [seeds, 2, 2] (no optimisation).

    Per seed: λ₊ ≥ λ₋ = real parts of the eigenvalues of M; the angle between the
    eigenvectors v₊, v₋ of the trained M is kept, v₊ placed at θ₊ = arccos ρ of
    L_bias = 0 (``meanfield.loss_var`` with ``theta_minus``). ``dt``/``hermite_orders``
    select meanfield's Euler-map / leaked-noise extension. NaN where infeasible
    (e.g. λ₊ ≤ λ_min or complex eigenvalues). Returns [seeds].
    """
    import meanfield

    M = np.asarray(M, dtype=float)
    w, V = np.linalg.eig(M)
    out = np.full(M.shape[0], np.nan)
    for s in range(M.shape[0]):  # a handful of 2×2 matrices (seeds), not a hot loop
        if np.any(np.abs(np.imag(w[s])) > 1e-9):
            continue
        order = np.argsort(-np.real(w[s]))
        lp, lm = np.real(w[s][order])
        vp, vm = np.real(V[s][:, order[0]]), np.real(V[s][:, order[1]])
        th_p, th_m = math.atan2(vp[1], vp[0]), math.atan2(vm[1], vm[0])
        rho = meanfield.correlation(np.array([lp]), sigma, N, 1.0, "large", dt=dt)
        theta_minus = np.arccos(np.minimum(rho, 1.0)) + (th_m - th_p)
        # reflection u₂ → −u₂ maps the trained v₊ into θ₊ ∈ [0, π/2] when it is below u₁
        if math.sin(th_p) * math.cos(th_p) < 0:
            theta_minus = np.arccos(np.minimum(rho, 1.0)) - (th_m - th_p)
        out[s] = float(
            np.asarray(
                meanfield.loss_var(
                    np.array([lp]),
                    np.array([lm]),
                    sigma,
                    N,
                    theta_minus=theta_minus,
                    dt=dt,
                    hermite_orders=hermite_orders,
                )
            )[0]
        )
    return out


def flow_trial(config: Any) -> Any:
    """The latent trial (``meanfield.learning_dynamics.Trial``) of a training config's task.

    Built from the task's own noise-free condition arrays (sign +1): latent drive
    v_t = u_t · (ρ_io, sqrt(1 − ρ_io²)) (``simulate.make_low_rank``'s w_in, n_in = 1), target,
    mask, and the κ̄ window from the first masked step (as the training records). THEORY §4.
    """
    import jax

    from meanfield.learning_dynamics import Trial

    task = config.make_task()
    batch = task.sample(jax.random.key(0), task.batch_multiple)
    if batch.inputs.shape[-1] != 1 or batch.targets.shape[-1] != 1:
        raise ValueError(
            f"task={config.task!r} has {batch.inputs.shape[-1]} inputs and "
            f"{batch.targets.shape[-1]} outputs; the flow needs one of each"
        )
    b = int(np.flatnonzero(np.asarray(batch.sign) > 0)[0])
    u = np.asarray(batch.inputs[b, :, 0], float)
    rho = float(config.effective_rho_io)
    mask = np.asarray(batch.mask[b, :, 0], float)
    first = int(np.flatnonzero(mask > 0)[0])
    window = (np.arange(mask.size) >= first).astype(float)
    return Trial(
        float(config.dt),
        u[:, None] * np.array([rho, math.sqrt(1 - rho**2)]),
        np.asarray(batch.targets[b, :, 0], float),
        mask,
        window,
        name=str(config.task),
    )


def learning_flow_of_run(config: Any, Ns: Sequence[int]) -> dict[int, dict[str, np.ndarray]]:
    """``meanfield.learning_flow`` for the training of ``config`` at each N (THEORY §4).

    The same optimiser (SGD), learning rate, steps, record steps, trial, σ and output scale
    as the simulated training, from the same M₀ = 0; records of the pre-update M as the
    training's. Raises ValueError for configs the flow does not describe (not a rank-2 model
    with only M trained from zero by SGD at a constant learning rate, g > 0, x₀ noise).
    """
    import meanfield

    wrong = [
        (name, getattr(config, name), want)
        for name, want in (
            ("model", "low_rank"),
            ("rank", 2),
            ("trainable", ("M",)),
            ("init", "zero_M"),
            ("optimizer", "sgd"),
            ("lr_scaling", "none"),
            ("phases", None),
            ("g", 0.0),
            ("x0_noise", 0.0),
        )
        if getattr(config, name) != want
    ]
    if wrong:
        name, value, want = wrong[0]
        raise ValueError(
            f"{name}={value!r} is not described by the learning flow; allowed: {want!r}"
        )
    trial = flow_trial(config)
    flow = meanfield.learning_flow(
        np.zeros((len(Ns), 2, 2)),
        np.asarray(Ns, float),
        float(config.sigma),
        lr=float(config.eta0),
        steps=int(config.steps),
        record_every=int(config.record_every),
        trial=trial,
        nonlinearity=str(config.nonlinearity),
        out_scale=str(config.out_scale),
    )
    names = ("lambda_plus", "lambda_minus", "kappa_norm", "rho", "loss_bias", "loss_var")
    return {
        int(N): {"steps": flow.step, "M": flow.M[i], **{k: getattr(flow, k)[i] for k in names}}
        for i, N in enumerate(Ns)
    }


def _window_mean(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Mean over the records [lo·n, hi·n) of the last axis (the last record at least)."""
    n = x.shape[-1]
    a = min(int(round(lo * n)), n - 1)
    b = max(int(round(hi * n)), a + 1)
    return x[..., a:b].mean(axis=-1)


def _flow_rows(
    sim_curves: dict[str, np.ndarray],
    flow: dict[str, np.ndarray],
    N: int,
    plan: GDScalingPlan,
    dt: float,
) -> list[stats.Comparison]:
    """Rows: the simulated records (per seed, window means) against the flow's same-window
    means. L_var rows carry as tolerance the flow's declared neglected term that meanfield
    can size: the noise leaking through φ beyond the gain modulation (relative Hermite
    correction of the stationary Euler L_var at the flow's M; 0 where no fixed point)."""
    rows = []
    for label, lo, hi in FLOW_WINDOWS:
        tol = 0.0
        M_flow = flow["M"][min(int(round(hi * len(flow["steps"]))) - 1, len(flow["steps"]) - 1)]
        base = trained_m_loss_var(M_flow[None], N, plan.sigma, dt=dt)[0]
        leak = trained_m_loss_var(M_flow[None], N, plan.sigma, dt=dt, hermite_orders=8)[0]
        if np.isfinite(base) and np.isfinite(leak) and base > 0:
            tol = abs(leak / base - 1.0)
        for q in FLOW_QUANTITIES:
            sim = _window_mean(np.asarray(sim_curves[q], float), lo, hi)
            th = float(_window_mean(np.asarray(flow[q], float), lo, hi))
            rows.append(
                stats.compare(
                    f"{q} ({label})",
                    th,
                    sim,
                    se_kind="seeds",
                    N=N,
                    experiment="gd-scaling",
                    setting=f"σ={plan.sigma:g}, N={N}, steps {lo:.0%}–{hi:.0%}",
                    tolerance=tol if q == "loss_var" else 0.0,
                    note="mean-field learning flow (meanfield.learning_flow), same SGD from M = 0; "
                    "window means of the records",
                )
            )
    return rows


def _tail_mean(x: np.ndarray, tail: float) -> np.ndarray:
    """Mean over the last ``tail`` fraction of axis 1 (records) -> [seed, ...]."""
    n = x.shape[1]
    k = max(1, int(round(tail * n)))
    return x[:, n - k :].mean(axis=1)


def analyse_gd_scaling(
    runs: Sequence[Any], plan: GDScalingPlan, *, derived: bool = True, flow: bool = True
) -> GDScalingResult:
    """Theory-vs-simulation analysis of finished runs (one per N) of ``plan``.

    ``flow`` (default) adds the mean-field learning flow (:func:`learning_flow_of_run`): its
    trajectory, rows per N at the :data:`FLOW_WINDOWS` and the end-of-training exponents of
    ‖κ̄‖ and ρ (claim :data:`CLAIM_FLOW`, the package's prediction).

    ``derived=False`` skips :func:`derived_exponents` (``meanfield.large_n_scaling`` runs
    the sympy derivation, ~30 s once per process) and leaves ``result.derived`` empty.
    """
    import meanfield

    runs = sorted(runs, key=lambda r: r.config.N)
    Ns = np.array([r.config.N for r in runs])
    sim: dict[str, list[np.ndarray]] = {q: [] for q, _, _ in GD_QUANTITIES}
    th: dict[str, list[np.ndarray]] = {q: [] for q, _, _ in GD_QUANTITIES}
    lam_minus = []
    curves: dict[int, dict[str, np.ndarray]] = {}
    for run in runs:
        rec = run.records
        task = run.config.make_task()
        _, lv_unbiased = stats.unbiased_loss_split(
            0.0, np.asarray(rec["loss_var"]), run.config.batch // task.n_conditions
        )
        ev = np.real(np.asarray(rec["eigvals"]))  # [seed, n_rec, 2], descending
        lm = ev[:, -1, -1]
        lam_minus.append(lm)
        opt = meanfield.optimum(
            np.full_like(lm, run.config.N, dtype=float), lm, plan.sigma, 1.0, "large"
        )
        for q, rec_name, opt_field in GD_QUANTITIES:
            if rec_name == "":
                value = ev[:, -1, 0]
            elif rec_name == "loss_var":
                value = _tail_mean(lv_unbiased, plan.tail)
            else:
                value = _tail_mean(np.asarray(rec[rec_name]), plan.tail)
            sim[q].append(np.asarray(value, float))
            th[q].append(np.asarray(getattr(opt, opt_field), float))
        M_end = np.asarray(rec["M"], float)[:, -1]
        lv_tail = _tail_mean(lv_unbiased, plan.tail)
        for suffix, kw in TRAINED_M_THEORIES:
            if "dt" in kw:
                kw = dict(kw, dt=float(run.config.dt))
            key = "loss_var" + suffix
            sim.setdefault(key, []).append(lv_tail)
            th.setdefault(key, []).append(
                trained_m_loss_var(M_end, int(run.config.N), plan.sigma, **kw)
            )
        curves[int(run.config.N)] = {
            "steps": np.asarray(run.steps),
            "loss": np.asarray(rec["loss"]),
            "loss_bias": np.asarray(rec["loss_bias"]),
            "loss_var": lv_unbiased,
            "eigvals": ev,
            "kappa_norm": np.asarray(rec["kappa_norm"]),
            "rho": np.asarray(rec["rho"]),
        }
    sim_a = {q: np.stack(v) for q, v in sim.items()}
    th_a = {q: np.stack(v) for q, v in th.items()}
    lam_minus_a = np.stack(lam_minus)
    rows = []
    for i, N in enumerate(Ns):
        for q, _, _ in GD_QUANTITIES:
            rows.append(
                stats.compare(
                    q,
                    th_a[q][i],
                    sim_a[q][i],
                    se_kind="seeds",
                    N=int(N),
                    experiment="gd-scaling",
                    setting=f"σ={plan.sigma:g}, N={int(N)}",
                    note="paired: theory from each seed's trained λ₋",
                )
            )
        for suffix, _ in TRAINED_M_THEORIES:
            q = "loss_var" + suffix
            rows.append(
                stats.compare(
                    q,
                    th_a[q][i],
                    sim_a[q][i],
                    se_kind="seeds",
                    N=int(N),
                    experiment="gd-scaling",
                    setting=f"σ={plan.sigma:g}, N={int(N)}",
                    note="paired: theory of each seed's trained M (not the optimum)",
                )
            )
    NN = np.broadcast_to(Ns[:, None], sim_a["loss_var"].shape)
    fits = {
        q: {"sim": fit_power_law(NN, sim_a[q]), "theory": fit_power_law(NN, th_a[q])}
        for q, _, _ in GD_QUANTITIES
    }
    if len(Ns) >= 2:
        for q, _, _ in GD_QUANTITIES:
            fs, ft = fits[q]["sim"], fits[q]["theory"]
            se = (
                math.hypot(fs.exponent_se, ft.exponent_se)
                if np.isfinite(ft.exponent_se)
                else fs.exponent_se
            )
            rows.append(
                stats.compare_estimate(
                    f"exponent of {q}",
                    ft.exponent,
                    fs.exponent,
                    se,
                    fs.n,
                    se_kind="seeds",
                    scale=EXPONENT_SCALE,
                    dof=max(fs.n - 2, 1),
                    N=int(Ns.max()),
                    experiment="gd-scaling",
                    setting=f"σ={plan.sigma:g}, N={int(Ns.min())}..{int(Ns.max())}",
                    note="log-log OLS slope over seeds×N; theory = same fit to the "
                    "per-seed optimum predictions",
                )
            )
    laws = (
        derived_exponents(
            "large", {"lambda_m": float(np.mean(lam_minus_a)), "sigma": plan.sigma, "z": 1.0}
        )
        if derived
        else {}
    )
    rows = _tag_rows(rows, Ns, sim_a["lambda_plus"], plan.sigma, float(runs[0].config.dt))
    flow_curves: dict[int, dict[str, np.ndarray]] = {}
    flow_fits: dict[str, dict[str, PowerLawFit]] = {}
    if flow:
        flow_curves = learning_flow_of_run(runs[0].config, [int(n) for n in Ns])
        flow_rows, flow_fits = _flow_comparison(
            curves, flow_curves, Ns, plan, float(runs[0].config.dt)
        )
        rows += flow_rows
    flow_end = {
        q: np.array([_tail_mean(flow_curves[int(n)][q][None, :], plan.tail)[0] for n in Ns])
        for q, _, _ in GD_QUANTITIES
        if flow_curves
    }
    return GDScalingResult(
        plan=plan,
        Ns=Ns,
        sim=sim_a,
        theory=th_a,
        lambda_minus=lam_minus_a,
        rows=rows,
        fits=fits,
        derived=laws,
        curves=curves,
        flow=flow_curves,
        flow_fits=flow_fits,
        flow_end=flow_end,
    )


def _flow_comparison(
    curves: dict[int, dict[str, np.ndarray]],
    flow: dict[int, dict[str, np.ndarray]],
    Ns: np.ndarray,
    plan: GDScalingPlan,
    dt: float,
) -> tuple[list[stats.Comparison], dict[str, dict[str, PowerLawFit]]]:
    """Flow rows per N and window, and the end-of-training N-exponents of ‖κ̄‖ and ρ:
    simulation (per-seed end-window means) against the flow (same windows)."""
    rows: list[stats.Comparison] = []
    end_label, lo, hi = FLOW_WINDOWS[-1]
    sim_end: dict[str, list[np.ndarray]] = {"kappa_norm": [], "rho": []}
    flow_end: dict[str, list[float]] = {"kappa_norm": [], "rho": []}
    for N in (int(n) for n in Ns):
        c = curves[N]
        sim_curves = {
            "lambda_plus": np.asarray(c["eigvals"])[..., 0],
            "kappa_norm": c["kappa_norm"],
            "rho": c["rho"],
            "loss_var": c["loss_var"],
        }
        rows += _flow_rows(sim_curves, flow[N], N, plan, dt)
        for q in sim_end:
            sim_end[q].append(_window_mean(np.asarray(sim_curves[q], float), lo, hi))
            flow_end[q].append(float(_window_mean(np.asarray(flow[N][q], float), lo, hi)))
    fits: dict[str, dict[str, PowerLawFit]] = {}
    if len(Ns) >= 2:
        for q in sim_end:
            sim_q = np.stack(sim_end[q])
            NN = np.broadcast_to(Ns[:, None], sim_q.shape)
            fs = fit_power_law(NN, sim_q)
            ff = fit_power_law(np.asarray(Ns, float), np.asarray(flow_end[q]))
            fits[q] = {"sim": fs, "flow": ff}
            rows.append(
                stats.compare_estimate(
                    f"exponent of {q} (flow, {end_label})",
                    ff.exponent,
                    fs.exponent,
                    fs.exponent_se,
                    fs.n,
                    se_kind="seeds",
                    N=int(Ns.max()),
                    scale=EXPONENT_SCALE,
                    dof=max(fs.n - 2, 1),
                    experiment="gd-scaling",
                    setting=f"σ={plan.sigma:g}, N={int(Ns.min())}..{int(Ns.max())}",
                    note="log-log OLS slope of the per-seed end-window means; flow = the same fit "
                    "to the flow's values (deterministic)",
                )
            )
    rows = [r.tagged(claim=CLAIM_FLOW, variant="learning flow", role="prediction") for r in rows]
    return rows, fits


#: Claims of the gd-scaling rows.
CLAIM_OPTIMUM = "GD ends at the L_var optimum (paper, §4)"
CLAIM_EXPONENTS = "N-exponents at the end of GD = the optimum's (paper, §4)"
CLAIM_TRAINED_M = "L_var of a given M (trained networks)"
CLAIM_FLOW = "GD follows the mean-field learning flow (package, THEORY §4)"


def _tag_rows(
    rows: list[stats.Comparison], Ns: np.ndarray, lambda_plus: np.ndarray, sigma: float, dt: float
) -> list[stats.Comparison]:
    """Claim, variant and role of every row; the L_var rows of the trained M get the
    variants' model error D/ΔV at the seeds' trained λ₊ (the largest over seeds) as tolerance
    and the domain D/ΔV ≤ 0.1 (:mod:`meanfield.variants`). The optimum and exponent rows
    test the paper's hypothesis that GD reaches the optimum: findings."""
    from meanfield.variants import domain_reason, noise_to_barrier

    worst: dict[int, tuple[float, str]] = {}
    for i, N in enumerate(Ns):
        ratios = noise_to_barrier(lambda_plus[i], sigma, float(N), dt=dt)
        s = int(np.nanargmax(ratios)) if np.any(np.isfinite(ratios)) else 0
        worst[int(N)] = (
            float(np.nanmax(ratios)) if np.any(np.isfinite(ratios)) else 0.0,
            domain_reason(ratios[s]),
        )
    out = []
    for r in rows:
        if r.quantity.startswith("exponent of"):
            out.append(r.tagged(claim=CLAIM_EXPONENTS, variant="paper", role="finding"))
        elif r.quantity in {q for q, _, _ in GD_QUANTITIES}:
            out.append(r.tagged(claim=CLAIM_OPTIMUM, variant="paper", role="finding"))
        else:
            tol, reason = worst[int(r.N)]
            best = "Hermite" in r.quantity
            out.append(
                r.tagged(
                    claim=CLAIM_TRAINED_M,
                    variant="dt + Hermite" if best else "paper",
                    role="prediction" if best else "finding",
                    tolerance=tol,
                    domain=reason,
                )
            )
    return out


def default_gd_plans(full: bool = False) -> list[GDScalingPlan]:
    """Both noise settings of THEORY §4 (σ = 1 and σ = 0.2), paper η and steps.

    ``full``: N ∈ {64, 128, 256, 512, 1024}, 8 seeds (GPU-friendly).
    Quick (2-core CPU): QUICK_NS sizes, QUICK_SEEDS seeds, the paper's steps for σ = 1 and
    QUICK_STEPS_SMALL_NOISE steps for σ = 0.2 (see the module constants).
    """
    if full:
        Ns = (64, 128, 256, 512, 1024)
        return [
            GDScalingPlan(sigma=1.0, Ns=Ns, seeds=8, record_every=10),
            GDScalingPlan(sigma=0.2, Ns=Ns, seeds=8, record_every=10),
        ]
    return [
        GDScalingPlan(sigma=1.0, Ns=QUICK_NS, seeds=QUICK_SEEDS, steps=None, record_every=10),
        GDScalingPlan(
            sigma=0.2,
            Ns=QUICK_NS,
            seeds=QUICK_SEEDS,
            steps=QUICK_STEPS_SMALL_NOISE,
            record_every=10,
        ),
    ]


def run_gd_scaling(
    plan: GDScalingPlan, runs_dir: str | Path, progress: bool = True
) -> GDScalingResult:
    """Train (or load / resume) the sweep of ``plan`` under ``runs_dir/gd_scaling_<σ>/`` and analyse it."""
    from simulate.training import sweep

    cfg = gd_scaling_config(plan)
    name = f"gd_scaling_{plan.label()}_steps{cfg.steps}_seeds{cfg.seeds}_seed{cfg.seed}"
    runs = sweep(cfg, [int(n) for n in plan.Ns], Path(runs_dir) / name, progress=progress)
    return analyse_gd_scaling(runs, plan)
