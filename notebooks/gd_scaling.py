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
# # Gradient descent on the rank-2 fixed-point task across N (THEORY.md §4)
#
# Rank-2 erf networks with large output weights learn a fixed point (only M is trained,
# from M = 0, by SGD). At the end of training each seed's λ₋ gives the mean-field
# optimum of §2 — λ₊*, ‖κ̄*‖, ρ*, L_var* — which is compared with the trained networks
# (paired, standard error over seeds), and power laws in N are fitted to both.
# The paper reports that with small noise the trained networks keep an O(1) ‖κ̄‖ from
# early learning while the theory optimum shrinks with N.
#
# `QUICK = True` trains one tiny size for a few steps (seconds; the numbers test the
# plumbing, not the theory: the networks are far from converged). `QUICK = False` uses
# the quick defaults of `oblique validate` and shares its stored runs in `runs/`
# (finished runs are loaded, interrupted ones resume).

# %%
QUICK = True

# %%
import tempfile
from pathlib import Path

from IPython.display import Image, display

import validate

if QUICK:
    OUT = Path(tempfile.mkdtemp(prefix="oblique-gd-"))
    RUNS = OUT / "runs"
    plans = [
        validate.GDScalingPlan(sigma=1.0, Ns=(16,), seeds=2, steps=20, record_every=10, tail=0.5)
    ]
else:
    OUT, RUNS = Path("notebook-figures"), Path("runs")
    plans = validate.default_gd_plans(full=False)
OUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## Train (or load) and compare with the theory
# `simulate.sweep` trains one resumable run directory per N (all seeds as one vmapped
# computation); `validate.analyse_gd_scaling` compares the end of training with the theory.
# `validate.run_gd_scaling(plan, RUNS)` does both, in the run directories `oblique validate`
# uses, and adds the derived large-N laws; quick mode skips their sympy derivation
# (~45 s of CPU, `derived=False`).

# %%
from simulate import sweep
from validate.experiments.gd_scaling import gd_scaling_config

results = []
for plan in plans:
    if QUICK:
        runs = sweep(
            gd_scaling_config(plan), list(plan.Ns), RUNS / f"gd_{plan.label()}", progress=False
        )
        results.append(validate.analyse_gd_scaling(runs, plan, derived=False))
    else:
        results.append(validate.run_gd_scaling(plan, RUNS))
for res in results:
    print(f"σ = {res.plan.sigma:g}")
    print(validate.summary_table(res.rows))
    for q, fits in res.fits.items():
        sim, th = fits["sim"], fits["theory"]
        print(
            f"  {q}: simulation exponent {sim.exponent:.3g} ± {sim.exponent_se:.2g}, "
            f"theory (same N) {th.exponent:.3g}"
        )

# %% [markdown]
# ## Scaling with N (log-log) and learning curves

# %%
scaling = validate.plot_scaling(results, OUT / "gd_scaling.png")
display(Image(filename=str(scaling)))
for res in results:
    learning = validate.plot_gd_learning(res, OUT / f"gd_learning_{res.plan.label()}.png")
    display(Image(filename=str(learning)))
