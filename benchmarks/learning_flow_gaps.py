"""What the mean-field learning flow does not capture (THEORY §4, issue 16): minibatch gradient
noise and finite N. A measurement script, not a test.

    python benchmarks/learning_flow_gaps.py --sigma 1.0 --N 64 256 --batches 32 128 --seeds 6

Trains the §4 networks (``TrainConfig.preset("gd_scaling")``: rank-2 erf, only M trained from
0 by SGD, the paper's η and steps) at each N and batch size in memory, and compares the end of
training (mean of the records over the last 20 % of steps, per seed) with
``meanfield.learning_flow`` run with the same SGD. The flow follows the *expected* gradient, so
its prediction does not depend on the batch: a gap that changes with the batch is minibatch
noise (SGD's diffusion around the flow, ∝ lr/batch); a gap that changes with N at a fixed batch
is finite-N (the flow is the N → ∞ mean path with O(1) fluctuations). Prints, per (N, batch)
and quantity, simulation − flow as a relative gap ± its SE over seeds, and the wall time.
(About 2 min for the defaults on 2 CPU cores.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulate.config import TrainConfig
from simulate.training import train
from validate.core import stats
from validate.experiments.gd_scaling import FLOW_QUANTITIES, _window_mean, learning_flow_of_run


def _sim_curves(run, config) -> dict[str, np.ndarray]:
    rec = run.records
    task = config.make_task()
    _, lv = stats.unbiased_loss_split(
        0.0, np.asarray(rec["loss_var"]), config.batch // task.n_conditions
    )
    return {
        "lambda_plus": np.real(np.asarray(rec["eigvals"]))[..., 0],
        "kappa_norm": np.asarray(rec["kappa_norm"]),
        "rho": np.asarray(rec["rho"]),
        "loss_var": lv,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sigma", type=float, default=1.0)
    ap.add_argument("--N", type=int, nargs="+", default=[64, 256])
    ap.add_argument("--batches", type=int, nargs="+", default=[32, 128])
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=None, help="default: the paper's")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(
        f"σ = {args.sigma:g}; end of training = mean of the last 20 % of the records; "
        f"gap = simulation/flow − 1 (mean ± SE over {args.seeds} seeds)"
    )
    print(f"{'N':>5} {'batch':>5} " + " ".join(f"{q:>18}" for q in FLOW_QUANTITIES) + "   time")
    for N in args.N:
        for batch in args.batches:
            over = {
                "sigma": args.sigma,
                "N": N,
                "batch": batch,
                "seeds": args.seeds,
                "seed": args.seed,
                "record_every": 10,
            }
            if args.steps is not None:
                over["steps"] = args.steps
            config = TrainConfig.preset("gd_scaling", **over)
            t0 = time.perf_counter()
            run = train(config, None, progress=False)
            wall = time.perf_counter() - t0
            flow = learning_flow_of_run(config, [N])[N]
            sim = _sim_curves(run, config)
            cells = []
            for q in FLOW_QUANTITIES:
                s = _window_mean(sim[q], 0.8, 1.0)
                f = float(_window_mean(np.asarray(flow[q]), 0.8, 1.0))
                gap = s / f - 1
                cells.append(f"{gap.mean():+8.2%} ± {gap.std(ddof=1) / np.sqrt(gap.size):6.2%}")
            print(f"{N:>5} {batch:>5} " + " ".join(f"{c:>18}" for c in cells) + f" {wall:5.0f} s")


if __name__ == "__main__":
    main()
