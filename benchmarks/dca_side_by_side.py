"""validate's ``dca`` beside the original DCA package (Clark, Livezey & Bouchard) on the same data.

Runs both on (a) a trained seed-003 decision network's noisy trial activity [12 trials, 100
steps, 64 units] (the data of benchmarks/dca_restarts.py), (b) a smaller one (16 units, the
data of the restart test) and (c) a long stationary process with a known slow subspace, with 10 restarts each (the original: ``n_init=1`` with 10 seeds, so
that every restart is seen). Printed: each method's restart PIs, its best PI scored by *both*
estimators (ours: ``--estimator``, "windows" by default or "padded"; the original's: its own
cross-covariance estimator), and the principal angles between the two best subspaces.

The original package needs PyTorch, so it runs in a separate environment, never as a
dependency of this project: pass that environment's python, e.g.

    python3 -m venv /tmp/dcavenv
    /tmp/dcavenv/bin/pip install /path/to/torch-<version>+cpu-....whl dynamicalcomponentsanalysis
    python benchmarks/dca_side_by_side.py --original-python /tmp/dcavenv/bin/python

(the trained network is stored under --runs, default runs/dca_restarts_probe, and reused).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from validate.analysis.network_measures import dca, predictive_information

# The runner executed by the original package's environment: loads the data, runs the
# original DCA once per seed, and scores projections with the original's own estimator.
_RUNNER = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    from dca import DynamicalComponentsAnalysis
    from dca.cov_util import calc_cross_cov_mats_from_data, calc_pi_from_cross_cov_mats

    data = np.load(sys.argv[1])
    X, d, T, ours = data["X"], int(data["d"]), int(data["T"]), data["V_ours"]
    Xin = list(X) if X.ndim == 3 else X
    pis, Vs = [], []
    t0 = time.perf_counter()
    for seed in range(10):
        model = DynamicalComponentsAnalysis(d=d, T=T, n_init=1, rng_or_seed=seed)
        model.fit(Xin)
        Vs.append(np.asarray(model.coef_, float))
    wall = time.perf_counter() - t0
    ccm = calc_cross_cov_mats_from_data(Xin, 2 * T)
    pis = [float(calc_pi_from_cross_cov_mats(ccm, proj=V)) for V in Vs]
    best = int(np.argmax(pis))
    np.save(sys.argv[2], Vs[best])
    print(json.dumps({"pis": pis, "wall_s": wall,
                      "pi_of_ours": float(calc_pi_from_cross_cov_mats(ccm, proj=ours))}))
""")


def _probe_network(runs: str) -> np.ndarray:
    from simulate.training import train
    from validate.experiments.seed003 import _config, default_seed003_plan

    plan = dataclasses.replace(default_seed003_plan("quick", ("decision",)), steps=300, seeds=2)
    run = train(_config(plan, "decision", 0.0), runs, progress=False)
    return np.asarray(run.evaluation["final_noisy_x"][0])


def _small_network(runs: str) -> np.ndarray:
    """A smaller trained decision network (N = 16, 60 steps: the data of the restart test in
    tests/validate/analysis/test_network_measures.py)."""
    from simulate.training import train
    from validate.experiments.seed003 import _config, default_seed003_plan

    plan = dataclasses.replace(default_seed003_plan("tiny", ("decision",)), N=(16,), steps=60)
    run = train(_config(plan, "decision", 0.0), runs, progress=False)
    return np.asarray(run.evaluation["final_noisy_x"][0])


def _known_subspace(n: int = 20_000, seed: int = 0) -> np.ndarray:
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    slow = np.stack(
        [lfilter([1.0], [1.0, -a], rng.standard_normal(n)) for a in (0.95, 0.8, 0.6)], axis=1
    )
    latent = np.concatenate([slow / slow.std(axis=0), rng.standard_normal((n, 7))], axis=1)
    Q, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    return latent @ Q.T


def _angles(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    qa, _ = np.linalg.qr(A)
    qb, _ = np.linalg.qr(B)
    s = np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), -1.0, 1.0)
    return np.degrees(np.arccos(s))


def compare(
    name: str, X: np.ndarray, d: int, T: int, original_python: str, estimator: str = "windows"
) -> None:
    t0 = time.perf_counter()
    ours = dca(X, d, T=T, restarts=10, seed=0, estimator=estimator)
    wall = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        data, vout = Path(tmp) / "data.npz", Path(tmp) / "v.npy"
        np.savez(data, X=X, d=d, T=T, V_ours=ours.V)
        out = subprocess.run(
            [original_python, "-c", _RUNNER, str(data), str(vout)],
            capture_output=True,
            text=True,
            check=True,
        )
        orig = json.loads(out.stdout.strip().splitlines()[-1])
        V_orig = np.load(vout)
    print(f"\n== {name}: X {X.shape}, d = {d}, T = {T}")
    print(f"ours     restarts: {np.round(np.sort(ours.pi_runs), 4)}  ({wall:.1f} s)")
    print(
        f"original restarts: {np.round(np.sort(orig['pis']), 4)}  ({orig['wall_s']:.1f} s)"
        "  [scored by the original's estimator]"
    )
    print(
        f"best subspace of ours:     PI {ours.pi:.4f} (our estimator), "
        f"{orig['pi_of_ours']:.4f} (original's)"
    )
    print(
        f"best subspace of original: PI "
        f"{predictive_information(X, V_orig, T=T, estimator=estimator):.4f} "
        f"(our estimator), {max(orig['pis']):.4f} (original's)"
    )
    print(
        f"principal angles between the two best subspaces (°): "
        f"{np.round(_angles(ours.V, V_orig), 2)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--original-python",
        required=True,
        help="python of an environment with the original package (dca)",
    )
    ap.add_argument("--runs", default="runs/dca_restarts_probe")
    ap.add_argument(
        "--estimator",
        default="windows",
        choices=("windows", "padded"),
        help="our lag-covariance estimator (the original always uses its own)",
    )
    args = ap.parse_args()
    compare(
        "trained seed-003 decision network (trial activity)",
        _probe_network(args.runs),
        3,
        5,
        args.original_python,
        args.estimator,
    )
    compare(
        "small trained network (N = 16, trial activity)",
        _small_network(str(Path(args.runs).with_name(Path(args.runs).name + "_n16"))),
        3,
        5,
        args.original_python,
        args.estimator,
    )
    compare(
        "stationary: 3 slow AR(1) (a = 0.95, 0.8, 0.6) among 7 white",
        _known_subspace(),
        3,
        3,
        args.original_python,
        args.estimator,
    )


if __name__ == "__main__":
    sys.exit(main())
