"""Random bulk (THEORY §7): the latent covariance Σ = N·Cov_t(κ) of simulated rank-2 + bulk
networks against meanfield.bulk_latent_covariance, for every variant of
validate.experiments.bulk.LATENT_VARIANTS (adiabatic / frozen variance response, g = 0 theory)
— long runs that resolve the v₊ component, beyond the quick report. A measurement script.

    python benchmarks/bulk_latent.py --N 1024 --t-max 1500 --networks 24 --g 0.9 1.5

(about 2 min per g for those settings on 2 CPU cores; erf, σ = 0.5, λ₊ = 2, λ₋ = −2,
Euler dt = 0.02; each network is compared with the theory at its own λ_eff = 1/⟨φ'⟩(v)).
Prints, per g, variant and component, the mean relative error ± its SE over networks.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from validate.experiments.bulk import LATENT_VARIANTS, BulkConfig, latent_theory, simulate_bulk


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--N", type=int, default=1024)
    ap.add_argument("--t-max", type=float, default=1500.0)
    ap.add_argument("--networks", type=int, default=24)
    ap.add_argument("--g", type=float, nargs="+", default=[0.9, 1.5])
    ap.add_argument("--sigma", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for g in args.g:
        t0 = time.time()
        p = simulate_bulk(
            BulkConfig(
                N=args.N,
                g=g,
                sigma=args.sigma,
                lambda_plus=2.0,
                networks=args.networks,
                t_max=args.t_max,
                seed=args.seed,
            )
        )
        for name in LATENT_VARIANTS:
            th = latent_theory(p, name)
            for label, i in (("Σ₊₊", 0), ("Σ₋₋", 1)):
                rel = p.latent_cov[:, i, i] / th[:, i, i] - 1.0
                print(
                    f"g={g:g} {name:34s} {label}: simulated {p.latent_cov[:, i, i].mean():.4f}"
                    f"  theory {th[:, i, i].mean():.4f}  rel. error {rel.mean():+.3f} ± "
                    f"{rel.std(ddof=1) / np.sqrt(rel.size):.3f}"
                )
        print(f"g={g:g}: {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
