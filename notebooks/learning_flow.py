# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Where gradient descent goes: the mean-field learning flow (THEORY.md §4)
#
# A rank-2 erf network learns the §4 fixed-point task by training only its 2×2 coupling M
# (from M = 0, plain SGD). The fixed-point theory says where the L_var-optimal network *is*;
# `meanfield.learning_flow` says where SGD *goes*: it applies the same SGD (learning rate,
# steps, M₀) to the mean-field expected loss of one trial — the mean latent path κ(t) and the
# linear-noise covariance along it, with the exact Euler map — so one formula covers the early
# phase before a fixed point exists and the fixed-point phase.
#
# This notebook walks through one N: train a few seeds, run the flow (SGD and the continuous
# gradient flow), and compare the trajectories of λ±, ‖κ̄‖, ρ and L_var, and the end point with
# the optimum for the trained λ₋. `QUICK = True` trains a short run (seconds); `QUICK = False`
# the paper's 5000 steps at σ = 0.2 (a few minutes on a CPU).

# %%
QUICK = True

# %%
import io

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display

import meanfield
from simulate.config import TrainConfig
from simulate.training import train
from validate.core import stats
from validate.experiments.gd_scaling import flow_trial, learning_flow_of_run

N, SIGMA = 64, 0.2
overrides = {"sigma": SIGMA, "N": N, "seeds": 3, "record_every": 10}
if QUICK:
    overrides["steps"] = 300
config = TrainConfig.preset("gd_scaling", **overrides)
run = train(config, None, progress=False)  # in memory; pass a directory to keep the run
print(
    f"trained {config.seeds} seeds, N = {N}, σ = {SIGMA}, η = {config.eta0}, {config.steps} steps"
)

# %% [markdown]
# The flow with the training's own settings (`learning_flow_of_run` reads them from the
# config and refuses trainings it does not describe), and the continuous gradient flow
# (`optimizer="flow"`: classical Runge–Kutta steps of size η, the small-learning-rate limit).

# %%
flow = learning_flow_of_run(config, [N])[N]
continuous = meanfield.learning_flow(
    np.zeros((2, 2)),
    N,
    SIGMA,
    lr=config.eta0,
    steps=config.steps,
    optimizer="flow",
    trial=flow_trial(config),
    record_every=config.record_every,
)

rec = run.records
_, loss_var = stats.unbiased_loss_split(
    0.0, np.asarray(rec["loss_var"]), config.batch // config.make_task().n_conditions
)
eig = np.real(np.asarray(rec["eigvals"]))
sim = {
    "λ₊": eig[..., 0],
    "λ₋": eig[..., 1],
    "‖κ̄‖": np.asarray(rec["kappa_norm"]),
    "ρ": np.asarray(rec["rho"]),
    "L_var": loss_var,
}
pred = {
    "λ₊": "lambda_plus",
    "λ₋": "lambda_minus",
    "‖κ̄‖": "kappa_norm",
    "ρ": "rho",
    "L_var": "loss_var",
}

# %%
steps = np.asarray(run.steps)
fig, axes = plt.subplots(1, 4, figsize=(12, 2.8), layout="constrained")
panels = (("λ₊", "λ₋"), ("‖κ̄‖",), ("ρ",), ("L_var",))
for ax, names in zip(axes, panels, strict=True):
    for name in names:
        y = sim[name]
        m, se = y.mean(0), y.std(0, ddof=1) / np.sqrt(y.shape[0])
        ax.plot(steps, m, lw=1, label=f"{name} simulated")
        ax.fill_between(steps, m - se, m + se, alpha=0.3, lw=0)
        ax.plot(flow["steps"], flow[pred[name]], "k--", lw=1)
        ax.plot(continuous.step, getattr(continuous, pred[name]), ":", color="0.5", lw=1)
    ax.set_xlabel("SGD step")
    ax.set_title(" and ".join(names) + "  (dashed: flow, dotted: gradient flow)", fontsize=8)
png = io.BytesIO()
fig.savefig(png, format="png", dpi=110)  # a PNG under any backend (the tests run with Agg)
plt.close(fig)
display(Image(data=png.getvalue()))

# %% [markdown]
# The end of training (mean of the last 20 % of the records) against the flow's same window,
# and against the optimum of the fixed-point theory for each seed's trained λ₋
# (`meanfield.optimum`). Early in training (`QUICK`) λ₋ can still be ≥ 0, where the optimum
# does not exist ("—"); the flow follows the network all the way.


# %%
def tail(x: np.ndarray) -> np.ndarray:
    k = max(1, x.shape[-1] // 5)
    return x[..., -k:].mean(-1)


opt = meanfield.optimum(np.full(config.seeds, float(N)), eig[:, -1, 1], SIGMA)
optimum = {"λ₊": opt.lambda_plus, "‖κ̄‖": opt.kappa_norm, "ρ": opt.rho, "L_var": opt.loss_var}
print(f"{'':6} {'simulation':>18} {'flow':>9} {'optimum':>9}")
for name in ("λ₊", "‖κ̄‖", "ρ", "L_var"):
    s = tail(sim[name])
    best = np.asarray(optimum[name], float)
    best_text = f"{best[np.isfinite(best)].mean():9.4f}" if np.isfinite(best).any() else "—"
    print(
        f"{name:6} {s.mean():9.4f} ± {s.std(ddof=1) / np.sqrt(s.size):6.4f} "
        f"{tail(np.asarray(flow[pred[name]])):9.4f} {best_text:>9}"
    )
if not np.isfinite(np.asarray(opt.lambda_plus, float)).any():
    print(
        "no optimum: the trained λ₋ is still ≥ 0, where L_var has no finite minimiser in "
        "λ₊ (early in training, as in QUICK mode)"
    )
