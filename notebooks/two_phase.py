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
# # Two-phase (noise-induced) learning in a linear network (THEORY.md §3)
#
# A linear network (W = 0 at the start, full N×N W trained by plain SGD) learns a constant
# output. Phase 1, at learning rate η₀/N, removes the bias through the input–output
# coupling M₁₂; phase 2, at η₀, builds negative feedback along the output (M₁₁ = a < 0)
# that lowers the output variance L_var = σ²/(1 − a). The simulated learning curves of L,
# L_bias, L_var, M₁₁, M₁₂ and ‖Δx̄‖ are compared with the closed forms of
# `meanfield.linear_two_phase`.
#
# `QUICK = True` trains a tiny network for a few steps (seconds; the curves barely start,
# the numbers test the plumbing). `QUICK = False` uses the quick defaults of
# `oblique validate` and shares its stored runs in `runs/`.

# %%
QUICK = True

# %%
import tempfile
from pathlib import Path

from IPython.display import Image, display

import validate

if QUICK:
    OUT = Path(tempfile.mkdtemp(prefix="oblique-two-phase-"))
    RUNS = OUT / "runs"
    plan = validate.TwoPhasePlan(N=16, phase1_steps=16, phase2_steps=16, seeds=2, record_every=2)
else:
    OUT, RUNS = Path("notebook-figures"), Path("runs")
    plan = validate.default_two_phase_plan(full=False)
OUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## Train (or load) and compare with the closed forms

# %%
result = validate.run_two_phase(plan, RUNS, progress=not QUICK)
print(validate.summary_table(result.rows))

# %% [markdown]
# ## Learning curves with the theory

# %%
figure = validate.plot_two_phase(result, OUT / "two_phase.png")
display(Image(filename=str(figure)))
