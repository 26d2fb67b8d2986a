"""What ``oblique recordings`` recovers from synthetic NWB files with known answers (issue 24).

    python benchmarks/recordings_round_trip.py [--seeds 3] [--N 32] [--trials 40]
                                               [--spiking regular|poisson] [--gain-hz 50]

For each regime and seed: write an NLB-layout NWB file (validate.analysis.synthetic_files),
read it back aligned to ``move_onset_time`` and run the same analysis as the command
(validate.experiments.recordings.analyse_recordings: delay search ±40 ms, 20 subsets of 25 %
of the data points, 20 unit subsets per size). Prints ρ (aligned) or ρ√N (oblique) against
expected_rho, D_fit,90/D_x,90, and p against expected_slope, per seed and as mean ± sd.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from validate.analysis.nwb_files import read_nwb
from validate.analysis.recordings import analyse_readout, expected_slope
from validate.analysis.synthetic_files import expected_rho, write_synthetic_nwb
from validate.experiments.recordings import analyse_recordings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--N", type=int, default=32)
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--spiking", choices=("regular", "poisson"), default="regular")
    ap.add_argument("--gain-hz", type=float, default=50.0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("aligned", "oblique"):
            key = "rho" if kind == "aligned" else "rho_sqrt_n"
            rows = []
            for seed in range(args.seeds):
                path = Path(tmp) / f"{kind}-{seed}.nwb"
                truth = write_synthetic_nwb(
                    path,
                    kind,
                    N=args.N,
                    trials=args.trials,
                    trial_bins=25,
                    gain_hz=args.gain_hz,
                    spiking=args.spiking,
                    seed=seed,
                )
                rec = read_nwb(path, "hand_vel", align="move_onset_time", window_ms=(-250.0, 250.0))
                o = analyse_recordings([rec], max_delay_ms=40.0).outputs[0]
                assert o.neurons is not None
                e_key = expected_rho(truth)
                e_p = expected_slope(truth, o.neurons.sizes.tolist())
                val = o.full.rho if kind == "aligned" else o.full.rho_sqrt_n
                rows.append((val, e_key, o.full.ratio, o.full.D_fit, o.full.D_x, o.neurons.p, e_p))
                # this population's own ideal readout (w_true) on the same activity, and the
                # full-data sampling sd from the subsets (× √(f/(1 − f)))
                ideal = analyse_readout(rec, "hand_vel", truth["w_true"]).rho
                sd = o.points.spread()["rho"][1] * (0.25 / 0.75) ** 0.5
                print(
                    f"{kind:8s} seed {seed}: ρ fitted {o.full.rho:.4f} vs this population's "
                    f"ideal readout {ideal:.4f} (z = {(o.full.rho - ideal) / sd:+.1f}); "
                    f"{key} = {val:.3f} (expected {e_key:.3f}), "
                    f"D_fit/D_x = {o.full.D_fit}/{o.full.D_x} = {o.full.ratio:.2f}, "
                    f"p = {o.neurons.p:.3f} ± {o.neurons.p_se:.3f} (expected {e_p:.3f}), "
                    f"regime {o.full.regime}, R² (CV) {o.full.r2_cv:.3f}"
                )
            a = np.array(rows)
            print(
                f"{kind:8s} mean ± sd over {args.seeds} seeds: {key} {a[:, 0].mean():.3f} ± "
                f"{a[:, 0].std(ddof=1):.3f} (expected {a[:, 1].mean():.3f}); D_fit/D_x "
                f"{a[:, 2].mean():.2f} ± {a[:, 2].std(ddof=1):.2f}; p {a[:, 5].mean():.3f} ± "
                f"{a[:, 5].std(ddof=1):.3f} (expected {a[:, 6].mean():.3f})"
            )
    print(f"wall time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
