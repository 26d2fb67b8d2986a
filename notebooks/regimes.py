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
# # Aligned and oblique dynamics on the cycling task (THEORY.md §6)
#
# Two families of full-rank tanh networks learn the cycling task (two context pulses, two
# outputs rotating clockwise or anticlockwise; seed `000_…` Table 1): with **small** output
# weights (‖w_out‖ = O(1/√N)) and with **large** ones (‖w_out‖ = O(1)), both trained with
# hidden noise σ = 0.2 by Adam at η₀/N. THEORY §1 predicts that the small readout forces
# the activity to align with it (correlation ρ = O(1), *aligned*), while the large readout
# can read a small component of large, unrelated activity (ρ = O(1/√N), *oblique*).
#
# `validate.experiments.regimes` trains both regimes (`simulate.train`, resumable run directories),
# measures each network (`validate.analysis.measures`: ρ, norms, D_x,90 and D_fit,90, noise
# compression, susceptibility to kicks, dissimilarity between seeds) and tests the paper's
# claims with a one-sided t test.
#
# `QUICK = True` trains tiny networks for a few steps (seconds; the regimes have not formed
# yet, the numbers only show the pipeline). `QUICK = False` uses the quick defaults of
# `oblique regimes` (N = 128, 2 seeds, 500 steps) and shares its stored runs in `runs/`.

# %%
QUICK = True

# %%
import tempfile
from pathlib import Path

from IPython.display import Image, display

from validate.core.claims import claims_table, claims_verdict
from validate.experiments import regimes

if QUICK:
    OUT = Path(tempfile.mkdtemp(prefix="oblique-regimes-"))
    RUNS = OUT / "runs"
    plan = regimes.RegimesPlan(
        tasks=("cycling",),
        N=16,
        seeds=2,
        steps=(("cycling", 20),),
        record_every=1,
        checkpoint_every=20,
        eval_trials=8,
        amplitudes=(0.0, 1.0, 2.0),
        kick_fractions=(0.3,),
        kick_dirs=2,
        kick_conditions=2,
        n_pcs=4,
        n_random=20,
    )
else:
    OUT, RUNS = Path("notebook-figures"), Path("runs")
    plan = regimes.default_regimes_plan("quick", ("cycling",))
OUT.mkdir(parents=True, exist_ok=True)
print(plan.label())

# %% [markdown]
# ## Train both regimes (or load the stored runs) and measure every network

# %%
result = regimes.run_regimes(plan, RUNS, progress=not QUICK, log=print)

# %% [markdown]
# ## Measures per regime
#
# ρ√N is the correlation in units of a random readout's (chance level ≈ 1); the label
# boundary of `measures.regime_label` is ρ = N^(−1/4). Noise compression < 1 means the
# trial-to-trial fluctuations along w_out are smaller than along random directions;
# susceptibility < 1 means kicks along w_out hurt less than kicks along the top-2 PCs.

# %%
for m in result.networks:
    print(
        f"{m.regime:8s} seed {m.seed_index}: ρ = {m.rho:.3f} (ρ√N = {m.rho_sqrt_n:.2f}), "
        f"‖w_out‖ = {m.w_out_norm:.3f}, D_x,90 = {m.D_x}, D_fit,90 = {m.D_fit}, "
        f"noise compression = {m.compression:.2f}, susceptibility = {m.susceptibility:.2f}, "
        f"label: {m.label}"
    )
print("dissimilarity between seeds:", result.dissimilarity)

# %% [markdown]
# ## The claims of the paper, one row each
#
# With one task the unit of the t test is the seed, so two seeds give at most a weak test
# (and the dissimilarity, one pair per regime, is `n/a`).

# %%
caption, header, rows = claims_table(result.claims)
print(caption)
for row in [header, *rows]:
    print(" | ".join(str(c) for c in row))
print("claims:", claims_verdict(result.claims))

# %% [markdown]
# ## Figures: norms, dimensions, dissimilarity, perturbations, noise compression

# %%
from validate.figures import regimes as plots_regimes

for path in plots_regimes.plot_all(result, OUT):
    display(Image(filename=str(path)))
