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
# # Static check of the mean-field theory (THEORY.md §5)
#
# A rank-2 erf network with a *given* symmetric coupling matrix M (nothing trained) is
# simulated around its fixed point ±x̄. The stationary statistics — ‖κ̄‖, the correlation ρ
# between readout and activity, the mean output, L_var and the latent covariance Σ of
# √N(κ − κ̄) — are compared with the mean-field theory of §2 through the one comparison
# rule of `validate.core.stats`. The figures are the latent clouds with the readout direction
# and the output histograms (what `oblique validate` puts in its report).
#
# `QUICK = True` runs one small configuration in seconds (its numbers test the plumbing,
# not the theory: at N = 64 and short runs the finite-N and Euler-step corrections are
# large). `QUICK = False` runs the defaults of `oblique validate` (§5: N = 256 and 1024,
# λ₊ ∈ {1.7, 1.9, 2.6}, λ₋ = −5, σ = 1, ẑ = 1).

# %%
QUICK = True

# %%
import tempfile
from pathlib import Path

from IPython.display import Image, display

import validate

OUT = Path(tempfile.mkdtemp(prefix="oblique-static-")) if QUICK else Path("notebook-figures")
OUT.mkdir(parents=True, exist_ok=True)

if QUICK:
    configs = [
        validate.StaticConfig(
            N=64, lambda_plus=2.6, networks=4, trials=4, t_max=30.0, t_discard=10.0
        )
    ]
else:
    configs = validate.default_static_configs(full=False)

# %% [markdown]
# ## Theory against simulation
# One row per quantity and configuration: theory, simulation mean ± standard error over
# independent networks, z-score, relative error, the finite-size bound and the verdict.

# %%
print(validate.RULE_TEXT)
results = [validate.run_static(cfg) for cfg in configs]
for res in results:
    print()
    print(validate.summary_table(res.rows))

# %% [markdown]
# ## Latent clouds and output histograms

# %%
clouds = validate.plot_static_clouds(results, OUT / "static_clouds.png")
hists = validate.plot_static_histograms(results, OUT / "static_histograms.png")
display(Image(filename=str(clouds)))
display(Image(filename=str(hists)))
