r"""Gradient descent on the rank-2 fixed-point task across N (THEORY.md §4).

Networks are trained with ``simulate.TrainConfig.preset("gd_scaling", sigma=σ)``
(only M trained from M = 0, large output weights) by ``simulate.sweep`` over N.
At the end of training, per seed:

* λ₋ = real part of the smaller eigenvalue of the trained M, λ₊ of the larger;
* the simulation values are the means over the last ``tail`` fraction of the
  recorded steps of the per-step records ``loss_var``, ``kappa_norm``, ``rho``
  (each record is a one-batch estimate; averaging over the tail lowers the noise);
* the theory is ``meanfield.optimum(N, λ₋, σ)``: λ₊*, ‖κ̄*‖, ρ*, L_var* for that
  seed's λ₋ (paired comparison: each seed has its own prediction).

Rows (``validate.stats.compare``, SE over seeds) for L_var, ‖κ̄‖, ρ and λ₊ at
every N. Power laws: ``log q = a + k log N`` fitted by least squares to the
per-seed simulation values (SE of k from the OLS residuals), beside the same fit
to the per-seed theory predictions over the same N (the effective theory exponent)
and the derived large-N exponent (``meanfield.large_n_scaling``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import stats

__all__ = [
    "GD_QUANTITIES",
    "GDScalingPlan",
    "GDScalingResult",
    "PowerLawFit",
    "fit_power_law",
    "gd_scaling_config",
    "run_gd_scaling",
    "analyse_gd_scaling",
    "derived_exponents",
]

#: Compared quantities: (name in tables, record name, Optimum field).
GD_QUANTITIES: tuple[tuple[str, str, str], ...] = (
    ("loss_var", "loss_var", "loss_var"),
    ("kappa_norm", "kappa_norm", "kappa_norm"),
    ("rho", "rho", "rho"),
    ("lambda_plus", "", "lambda_plus"),
)


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

    overrides: dict[str, Any] = dict(
        sigma=plan.sigma, seeds=plan.seeds, seed=plan.seed, N=int(plan.Ns[0]),
        record_every=plan.record_every,
    )
    if plan.steps is not None:
        overrides["steps"] = plan.steps
    cfg = TrainConfig.preset("gd_scaling", **overrides)
    every = cfg.record_every
    ckpt = max(every, (min(500, cfg.steps) // every) * every)
    return cfg.replace(checkpoint_every=ckpt)


@dataclasses.dataclass(frozen=True)
class PowerLawFit:
    """q ≈ A·N^k fitted by least squares on log q vs log N.

    exponent k, its standard error (OLS), prefactor A, n points used.
    """

    exponent: float
    exponent_se: float
    prefactor: float
    n: int


def fit_power_law(N: np.ndarray, q: np.ndarray) -> PowerLawFit:
    """Fit log q = log A + k log N (points with q > 0 and finite); SE of k from OLS residuals."""
    N = np.asarray(N, float).ravel()
    q = np.asarray(q, float).ravel()
    ok = np.isfinite(q) & (q > 0) & np.isfinite(N) & (N > 0)
    x, y = np.log(N[ok]), np.log(q[ok])
    n = int(ok.sum())
    if n < 2 or np.ptp(x) == 0:
        return PowerLawFit(math.nan, math.nan, math.nan, n)
    X = np.stack([np.ones_like(x), x], axis=1)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    if n > 2:
        resid = y - X @ coef
        s2 = float(resid @ resid) / (n - 2)
        cov = s2 * np.linalg.inv(X.T @ X)
        se = float(math.sqrt(cov[1, 1]))
    else:
        se = math.nan
    return PowerLawFit(float(coef[1]), se, float(math.exp(coef[0])), n)


def derived_exponents(out_scale: str = "large") -> dict[str, dict[str, float]]:
    """{quantity: {"limit", "prefactor", "exponent"}} of ``meanfield.large_n_scaling``
    as floats (NaN where meanfield does not provide them)."""
    try:
        import meanfield

        laws = meanfield.large_n_scaling(out_scale=out_scale)
    except Exception as err:  # noqa: BLE001 - reported, not hidden
        return {"_error": {"message": str(err)}}  # type: ignore[dict-item]
    out: dict[str, dict[str, float]] = {}
    for name, law in laws.items():
        vals = {}
        for field in ("limit", "prefactor", "exponent"):
            try:
                vals[field] = float(getattr(law, field))
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

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        return {
            "plan": dataclasses.asdict(self.plan),
            "Ns": self.Ns.tolist(),
            "lambda_minus": self.lambda_minus.tolist(),
            "sim": {k: v.tolist() for k, v in self.sim.items()},
            "theory": {k: v.tolist() for k, v in self.theory.items()},
            "fits": {
                q: {w: dataclasses.asdict(f) for w, f in d.items()} for q, d in self.fits.items()
            },
            "derived": self.derived,
            "rows": [r.to_dict() for r in self.rows],
        }


def _tail_mean(x: np.ndarray, tail: float) -> np.ndarray:
    """Mean over the last ``tail`` fraction of axis 1 (records) -> [seed, ...]."""
    n = x.shape[1]
    k = max(1, int(round(tail * n)))
    return x[:, n - k :].mean(axis=1)


def analyse_gd_scaling(runs: Sequence[Any], plan: GDScalingPlan) -> GDScalingResult:
    """Theory-vs-simulation analysis of finished runs (one per N) of ``plan``."""
    import meanfield

    runs = sorted(runs, key=lambda r: r.config.N)
    Ns = np.array([r.config.N for r in runs])
    sim: dict[str, list[np.ndarray]] = {q: [] for q, _, _ in GD_QUANTITIES}
    th: dict[str, list[np.ndarray]] = {q: [] for q, _, _ in GD_QUANTITIES}
    lam_minus = []
    curves: dict[int, dict[str, np.ndarray]] = {}
    for run in runs:
        rec = run.records
        ev = np.real(np.asarray(rec["eigvals"]))  # [seed, n_rec, 2], descending
        lm = ev[:, -1, -1]
        lam_minus.append(lm)
        opt = meanfield.optimum(
            np.full_like(lm, run.config.N, dtype=float), lm, plan.sigma, 1.0, "large"
        )
        for q, rec_name, opt_field in GD_QUANTITIES:
            value = ev[:, -1, 0] if rec_name == "" else _tail_mean(np.asarray(rec[rec_name]), plan.tail)
            sim[q].append(np.asarray(value, float))
            th[q].append(np.asarray(getattr(opt, opt_field), float))
        curves[int(run.config.N)] = {
            "steps": np.asarray(run.steps),
            "loss": np.asarray(rec["loss"]),
            "loss_bias": np.asarray(rec["loss_bias"]),
            "loss_var": np.asarray(rec["loss_var"]),
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
                    q, th_a[q][i], sim_a[q][i], se_kind="seeds", N=int(N),
                    experiment="gd-scaling", setting=f"σ={plan.sigma:g}, N={int(N)}",
                    note="paired: theory from each seed's trained λ₋",
                )
            )
    NN = np.broadcast_to(Ns[:, None], sim_a["loss_var"].shape)
    fits = {
        q: {"sim": fit_power_law(NN, sim_a[q]), "theory": fit_power_law(NN, th_a[q])}
        for q, _, _ in GD_QUANTITIES
    }
    return GDScalingResult(
        plan=plan, Ns=Ns, sim=sim_a, theory=th_a, lambda_minus=lam_minus_a, rows=rows,
        fits=fits, derived=derived_exponents("large"), curves=curves,
    )


def run_gd_scaling(plan: GDScalingPlan, runs_dir: str | Path, *, progress: bool = True) -> GDScalingResult:
    """Train (or load / resume) the sweep of ``plan`` under ``runs_dir/gd_scaling_<σ>/`` and analyse it."""
    from simulate.training import sweep

    cfg = gd_scaling_config(plan)
    name = f"gd_scaling_{plan.label()}_steps{cfg.steps}_seeds{cfg.seeds}_seed{cfg.seed}"
    runs = sweep(cfg, [int(n) for n in plan.Ns], Path(runs_dir) / name, progress=progress)
    return analyse_gd_scaling(runs, plan)
