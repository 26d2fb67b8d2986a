"""A fuzz of the public Python API of meanfield, simulate and the validate toolkit (issues 23,
27): every listed
function is called with a valid baseline, then with one argument at a time replaced by an edge
value that must be accepted (numpy integers, 0-d arrays) or by a bad value that must be refused
with an error naming the argument. A measurement script, not a test:

    python benchmarks/fuzz_api.py            # counts per package and outcome
    python benchmarks/fuzz_api.py --list     # every call that is not as it should be

Outcomes per call:
* ``ok``            — valid or edge input answered (finite output), or bad input refused by a
                      ValueError/TypeError whose message names the argument;
* ``unnamed error`` — bad input refused, but the message does not name the argument (or
                      another exception type, e.g. from deep inside numpy/jax);
* ``accepted bad``  — bad input answered without an error (silently clipped, ignored or NaN);
* ``refused valid`` — valid/edge input refused.
Run it on an old checkout with ``PYTHONPATH=<checkout> python benchmarks/fuzz_api.py`` to get
the before/after counts (functions missing there are skipped).
"""

from __future__ import annotations

import argparse
import importlib
import math
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

RNG = np.random.default_rng(0)
X = RNG.standard_normal((60, 6))
Y = X @ RNG.standard_normal((6, 5)) + 0.1 * RNG.standard_normal((60, 5))
W = RNG.standard_normal((8, 8)) / np.sqrt(8)

BAD_SCALAR = {"None": None, "text": "x", "bool": True, "nan": math.nan, "inf": math.inf}
#: argument kinds: "real" (any finite number), "pos" (> 0 or ≥ 0), "frac" (in (0, 1]), "int"
#: (an integer ≥ 1); a leading "opt-" makes None valid
D_MDS = np.linalg.norm(X[:8, None] - X[None, :8], axis=-1)
BAD_ARRAY = {
    "None": None,
    "text": "x",
    "empty": np.zeros((0,)),
    "nan": "NAN",
    "wrong rank": np.zeros((3, 3, 3, 3)),
}


def _flow(h: Any, u: Any) -> Any:
    """A 2-d flow with isolated zeros, for the fixed-point finder."""
    import jax.numpy as jnp

    return jnp.stack([h[0] - h[0] ** 3, -h[1]])


def _finite(out: Any) -> bool:
    """True when every number reachable in ``out`` is finite."""
    if isinstance(out, (bool, str)) or out is None:
        return True
    if isinstance(out, (int, float, complex, np.number)):
        return bool(np.isfinite(out))
    if isinstance(out, np.ndarray):
        return out.dtype.kind not in "fc" or bool(np.all(np.isfinite(out)))
    if hasattr(out, "_asdict"):
        return all(_finite(v) for v in out._asdict().values())
    if isinstance(out, (tuple, list)):
        return all(_finite(v) for v in out)
    try:
        arr = np.asarray(out)
        return arr.dtype.kind not in "fc" or bool(np.all(np.isfinite(arr)))
    except Exception:  # noqa: BLE001 - objects without a numeric view count as answered
        return True


def _call(fn: Callable, kwargs: dict[str, Any]) -> tuple[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "returned", fn(**kwargs)
        except (ValueError, TypeError) as e:
            return "error", e
        except Exception as e:  # noqa: BLE001 - a deep error is an outcome here
            return "deep", e


def _judge(bad: bool, name: str, status: str, out: Any) -> str:
    if not bad:
        return "ok" if status == "returned" and _finite(out) else "refused valid"
    if status == "returned":
        return "accepted bad"
    msg = str(out)
    return "ok" if status == "error" and name in msg else "unnamed error"


def _cases() -> list[tuple[str, str, Callable, dict[str, Any], dict[str, str]]]:
    """(package, label, function, baseline kwargs, {argument: 'scalar'|'int'|'array'})."""
    cases = []

    def add(pkg: str, module: str, name: str, base: dict[str, Any], args: dict[str, str]) -> None:
        try:
            fn = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            return
        cases.append((pkg, f"{module}.{name}", fn, base, args))

    sim = "validate.analysis.similarity"
    add("validate", sim, "linear_cka", {"XA": X, "XB": Y}, {"XA": "array", "XB": "array"})
    add(
        "validate",
        sim,
        "svcca",
        {"XA": X, "XB": Y, "keep": 0.99},
        {"XA": "array", "XB": "array", "keep": "frac"},
    )
    add("validate", sim, "procrustes_distance", {"XA": X, "XB": Y}, {"XA": "array", "XB": "array"})
    add(
        "validate",
        sim,
        "classical_mds",
        {"D": D_MDS, "n_components": 2},
        {"D": "array", "n_components": "int"},
    )
    nm = "validate.analysis.network_measures"
    add("validate", nm, "non_normality", {"W": W}, {"W": "array"})
    add("validate", nm, "spectrum", {"W": W}, {"W": "array"})
    add(
        "validate",
        nm,
        "subspace_angles",
        {"A": X[:8, :2], "B": Y[:8, :2]},
        {"A": "array", "B": "array"},
    )
    add("validate", nm, "lag_covariances", {"X": X, "max_lag": 3}, {"X": "array", "max_lag": "int"})
    add("validate", nm, "predictive_information", {"X": X, "T": 3}, {"X": "array", "T": "int"})
    add("validate", nm, "node_centrality", {"W": np.abs(W)}, {"W": "array"})
    me = "validate.analysis.measures"
    add(
        "validate",
        me,
        "readout_correlation",
        {"X": X, "w_out": np.ones(6)},
        {"X": "array", "w_out": "array"},
    )
    add(
        "validate", me, "dimension", {"X": X, "threshold": 0.9}, {"X": "array", "threshold": "frac"}
    )
    add("validate", me, "pca", {"X": X}, {"X": "array"})
    add("validate", me, "state_norm", {"X": X}, {"X": "array"})
    add("validate", me, "regime_label", {"rho": 0.1, "N": 64}, {"rho": "frac", "N": "int"})
    top = "validate.analysis.topology"
    add(
        "validate",
        top,
        "integration_modes",
        {"J": 0.5 * np.eye(4), "B": np.ones((4, 1)), "readout": np.ones(4), "horizon": 10},
        {"J": "array", "B": "array", "readout": "array", "horizon": "int"},
    )
    st = "validate.core.stats"
    add(
        "validate",
        st,
        "compare",
        {"quantity": "q", "theory": 1.0, "samples": [1.0, 1.1, 0.9], "se_kind": "seeds", "N": 64},
        {"theory": "real", "samples": "array", "N": "pos"},
    )
    add(
        "validate",
        st,
        "compare_estimate",
        {
            "quantity": "q",
            "theory": 1.0,
            "estimate": 1.05,
            "se": 0.1,
            "n": 5,
            "se_kind": "seeds",
            "N": 64,
        },
        {"estimate": "real", "se": "pos", "n": "int", "N": "pos"},
    )
    fits = "validate.core.fits"
    add(
        "validate",
        fits,
        "fit_power_law",
        {
            "N": np.repeat([32.0, 64, 128], 3),
            "q": np.repeat([1.0, 0.7, 0.5], 3) * (1 + 0.01 * RNG.standard_normal(9)),
        },
        {"N": "array", "q": "array"},
    )

    m = "meanfield"
    add("meanfield", m, "lambda_min", {"sigma": 0.5}, {"sigma": "pos", "g": "pos"})
    add(
        "meanfield",
        m,
        "fixed_point_norm",
        {"lambda_plus": 2.0, "sigma": 0.5},
        {"lambda_plus": "pos", "sigma": "pos", "dt": "opt-pos"},
    )
    add(
        "meanfield",
        m,
        "correlation",
        {"lambda_plus": 2.0, "sigma": 0.5, "N": 256},
        {"lambda_plus": "pos", "sigma": "pos", "N": "pos", "z_target": "pos"},
    )
    add(
        "meanfield",
        m,
        "loss_var",
        {"lambda_plus": 2.0, "lambda_minus": -2.0, "sigma": 0.5, "N": 256},
        {
            "lambda_plus": "pos",
            "lambda_minus": "real",
            "sigma": "pos",
            "N": "pos",
            "z_target": "pos",
            "dt": "opt-pos",
            "hermite_orders": "opt-int",
        },
    )
    add(
        "meanfield",
        m,
        "latent_covariance",
        {"lambda_plus": 2.0, "lambda_minus": -2.0, "sigma": 0.5, "N": 256},
        {
            "lambda_plus": "pos",
            "lambda_minus": "real",
            "sigma": "pos",
            "N": "pos",
            "theta_minus": "opt-real",
        },
    )
    add(
        "meanfield",
        m,
        "optimum",
        {"N": 256, "lambda_minus": -2.0},
        {"N": "pos", "lambda_minus": "real", "sigma": "pos", "z_target": "pos"},
    )
    add(
        "meanfield",
        m,
        "barrier",
        {"lambda_plus": 2.0, "sigma": 0.5, "N": 256},
        {"lambda_plus": "pos", "sigma": "pos", "N": "pos"},
    )
    add("meanfield", m, "mean_dphi", {"delta": 1.0}, {"delta": "pos"})
    add("meanfield", m, "mean_dphi3", {"delta": 1.0, "nonlinearity": "tanh"}, {"delta": "pos"})
    add(
        "meanfield",
        m,
        "lyapunov_2x2",
        {"A": -np.eye(2), "Q": np.eye(2)},
        {"A": "array", "Q": "array"},
    )
    add(
        "meanfield",
        m,
        "stein_2x2",
        {"A": -np.eye(2), "d": 1.0, "dt": 0.2},
        {"A": "array", "d": "pos", "dt": "pos"},
    )
    add(
        "meanfield",
        m,
        "bulk_state",
        {"lambda_plus": 2.0, "sigma": 0.5, "g": 0.5},
        {"lambda_plus": "pos", "sigma": "pos", "g": "pos"},
    )
    add(
        "meanfield",
        m,
        "bulk_latent_covariance",
        {"lambda_plus": 2.0, "lambda_minus": -2.0, "sigma": 0.5, "g": 0.5},
        {"lambda_plus": "pos", "lambda_minus": "real", "sigma": "pos", "g": "pos", "rho": "frac"},
    )
    add(
        "meanfield",
        m,
        "bulk_autocorrelation",
        {"lambda_plus": 2.0, "sigma": 0.5, "g": 0.5, "tau": np.linspace(0, 3, 4)},
        {"lambda_plus": "pos", "sigma": "pos", "g": "pos", "tau": "array"},
    )
    add(
        "meanfield",
        m,
        "quenched_fixed_point",
        {
            "U": np.linalg.qr(RNG.standard_normal((64, 2)))[0] * 8.0,
            "M": np.diag([2.0, -2.0]),
            "sigma": 0.5,
            "kappa0": np.array([1.0, 0.0]),
        },
        {"U": "array", "M": "array", "sigma": "pos", "kappa0": "array"},
    )
    hn = "meanfield.hermite_noise"
    add(
        "meanfield",
        hn,
        "drive_covariances",
        {"kappa_bar": np.array([1.0, 0.0]), "c0": 0.25, "orders": 3, "nl": "NL", "quadrature": 64},
        {"kappa_bar": "array", "c0": "pos", "orders": "int", "quadrature": "int"},
    )
    add(
        "meanfield",
        hn,
        "hermite_coefficients",
        {"a": np.array([0.0, 1.0]), "c0": 0.25, "orders": 3, "nl": "NL", "quadrature": 64},
        {"a": "array", "c0": "pos", "orders": "int", "quadrature": "int"},
    )
    fp = "validate.analysis.fixed_points"
    add(
        "validate",
        fp,
        "find_fixed_points",
        {"F": _flow, "initial_states": RNG.standard_normal((4, 2)), "steps": 20},
        {
            "initial_states": "array",
            "steps": "int",
            "learning_rate": "pos",
            "q_tol": "pos",
            "dedup_tol": "pos",
            "newton_steps": "int",
        },
    )
    add(
        "validate",
        fp,
        "sample_initial_states",
        {"trajectories": X, "n": 5},
        {"trajectories": "array", "n": "int", "noise_std": "pos"},
    )
    add("validate", fp, "linearise", {"F": _flow, "points": np.zeros((2, 2))}, {"points": "array"})
    add(
        "validate",
        me,
        "fit_dimension",
        {"X": X, "Z": Y[:, :2]},
        {"X": "array", "Z": "array", "threshold": "frac", "max_k": "opt-int"},
    )
    add(
        "validate",
        me,
        "dissimilarity",
        {"XA": X, "XB": Y, "n_pcs": 3},
        {"XA": "array", "XB": "array", "n_pcs": "int"},
    )
    add(
        "validate",
        me,
        "noise_compression",
        {"fluct": X, "w_out": np.ones(6), "n_random": 10},
        {"fluct": "array", "w_out": "array", "n_random": "int"},
    )
    add(
        "validate",
        me,
        "reconstruction_r2",
        {"X": X, "Z": Y[:, :2], "k": 2},
        {"X": "array", "Z": "array", "k": "int"},
    )
    add("validate", me, "readout_norm", {"w_out": np.ones(6)}, {"w_out": "array"})
    add(
        "validate",
        nm,
        "dca",
        {"X": X, "d": 2, "T": 2, "restarts": 1, "steps": 20, "polish": False},
        {
            "X": "array",
            "d": "int",
            "T": "int",
            "restarts": "int",
            "steps": "int",
            "learning_rate": "pos",
        },
    )
    add("validate", sim, "pairwise_distances", {"representations": [X, Y, X + 1]}, {"keep": "frac"})
    add(
        "validate",
        st,
        "compare_ratio",
        {
            "quantity": "r",
            "theory": 1.0,
            "numerators": [1.0, 1.1, 0.9],
            "denominators": [1.0, 1.0, 1.1],
            "N": 64,
        },
        {"theory": "real", "numerators": "array", "denominators": "array", "N": "pos"},
    )
    add("validate", st, "block_se", {"x": X[:, 0]}, {"x": "array"})
    add("validate", st, "integrated_autocorr_time", {"x": X[:, 0]}, {"x": "array"})
    add(
        "validate",
        top,
        "boundary_seeds",
        {"attractors": X[:3]},
        {"attractors": "array", "noise": "pos"},
    )

    add(
        "simulate",
        "simulate.losses",
        "masked_mse",
        {
            "z": np.ones((2, 3, 1), np.float32),
            "target": np.zeros((2, 3, 1), np.float32),
            "mask": np.ones((2, 3, 1), np.float32),
        },
        {"z": "array", "target": "array", "mask": "array"},
    )
    add(
        "simulate",
        "simulate.losses",
        "flipped_mean",
        {"values": np.ones((2, 3, 1), np.float32), "sign": np.ones(2, np.float32)},
        {"values": "array", "sign": "array"},
    )
    add(
        "simulate",
        "simulate.losses",
        "condition_mean",
        {
            "values": np.ones((4, 3), np.float32),
            "condition": np.array([0, 1, 1, 0]),
            "n_conditions": 2,
        },
        {"values": "array", "condition": "array", "n_conditions": "int"},
    )
    add(
        "simulate",
        "simulate.tasks",
        "get_task",
        {"name": "fixed_point", "dt": 0.2, "t_max": 10.0},
        {"dt": "pos", "sigma": "pos", "t_max": "pos", "target_amp": "real"},
    )
    add(
        "simulate",
        "simulate.config",
        "TrainConfig",
        {"task": "fixed_point", "N": 8, "batch": 32, "eval_batch": 8},
        {
            "N": "int",
            "sigma": "opt-pos",
            "dt": "opt-pos",
            "g": "pos",
            "rho_io": "real",
            "seeds": "int",
            "steps": "opt-int",
            "batch": "int",
            "eta0": "opt-pos",
            "record_every": "int",
            "checkpoint_every": "int",
            "eval_batch": "opt-int",
            "grad_clip": "opt-pos",
            "x0_noise": "opt-pos",
            "input_noise": "opt-pos",
        },
    )
    add(
        "simulate",
        "simulate.models",
        "make_low_rank",
        {"key": "KEY", "N": 8},
        {"N": "int", "rank": "int", "g": "pos"},
    )
    add(
        "simulate",
        "simulate.models",
        "make_rate_rnn",
        {"key": "KEY", "N": 8, "n_in": 1, "n_out": 1},
        {"N": "int", "g": "pos"},
    )
    add(
        "simulate",
        "simulate.dynamics",
        "simulate",
        {
            "model": "NET",
            "inputs": np.zeros((2, 5, 1), np.float32),
            "key": "KEY",
            "sigma": 0.5,
            "dt": 0.2,
        },
        {"inputs": "array", "sigma": "pos", "dt": "pos", "x0_noise": "pos"},
    )
    add(
        "simulate",
        "simulate.losses",
        "loss_split",
        {
            "z": np.ones((4, 5, 1), np.float32),
            "target": np.zeros((4, 5, 1), np.float32),
            "mask": np.ones((4, 5, 1), np.float32),
            "sign": np.ones(4, np.float32),
            "condition": np.array([0, 1, 1, 0]),
            "n_conditions": 2,
        },
        {"z": "array", "condition": "array", "n_conditions": "int"},
    )
    return cases


def _materialise(base: dict[str, Any]) -> dict[str, Any]:
    import jax

    out = dict(base)
    for k, v in base.items():
        if isinstance(v, str) and v == "KEY":
            out[k] = jax.random.key(0)
        elif isinstance(v, str) and v == "NL":
            from meanfield.nonlinearities import get_nonlinearity

            out[k] = get_nonlinearity("tanh")
        elif isinstance(v, str) and v == "NET":
            from simulate.models import make_low_rank

            out[k] = make_low_rank(jax.random.key(0), 8)
    return out


def run() -> list[tuple[str, str, str, str, str]]:
    """Every call: (package, function, argument, probe, outcome)."""
    results = []
    for pkg, label, fn, base, args in _cases():
        kw0 = _materialise(base)
        status, out = _call(fn, kw0)
        results.append((pkg, label, "-", "baseline", _judge(False, "-", status, out)))
        for arg, kind in args.items():
            value = kw0.get(arg, 1)
            probes: dict[str, tuple[Any, bool]] = {}
            optional = kind.startswith("opt-")
            kind = kind.removeprefix("opt-")
            if kind != "array":
                if value is None or isinstance(value, (bool, str)):
                    value = 1
                v = int(value) if kind == "int" else float(value)
                probes["np scalar"] = (np.int64(v) if kind == "int" else np.float64(v), False)
                probes["0-d array"] = (np.array(v), False)
                for tag, bad_value in BAD_SCALAR.items():
                    probes[tag] = (bad_value, not (optional and bad_value is None))
                if kind in ("pos", "frac", "int"):
                    probes["negative"] = (-1, True)
                if kind == "frac":
                    probes["above 1"] = (1.5, True)
                if kind == "int":
                    probes["fraction"] = (2.5, True)
            elif kind == "array":
                for tag, v in BAD_ARRAY.items():
                    if isinstance(v, str) and v == "NAN":
                        a = np.array(value, dtype=float, copy=True)
                        a.reshape(-1)[0] = np.nan
                        v = a
                    probes[tag] = (v, True)
            for tag, (v, bad) in probes.items():
                kw = dict(kw0)
                kw[arg] = v
                status, out = _call(fn, kw)
                results.append((pkg, label, arg, tag, _judge(bad, arg, status, out)))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", action="store_true", help="print every call that is not ok")
    args = ap.parse_args()
    results = run()
    counts = Counter((r[0], r[4]) for r in results)
    for pkg in ("meanfield", "simulate", "validate"):
        total = sum(v for (p, _), v in counts.items() if p == pkg)
        parts = ", ".join(
            f"{o}: {counts[(pkg, o)]}"
            for o in ("ok", "unnamed error", "accepted bad", "refused valid")
        )
        print(f"{pkg}: {total} calls — {parts}")
    if args.list:
        for r in results:
            if r[4] != "ok":
                print("  ", " | ".join(r))


if __name__ == "__main__":
    main()
