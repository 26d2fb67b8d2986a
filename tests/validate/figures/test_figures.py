"""Figures of validate (static, scaling, learning curves): files exist, are PNG, axes labelled.

Results come from the analysis functions applied to records built from the theory (no
training), plus one tiny static simulation, so the figures are drawn from real result
objects in seconds.
"""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

import meanfield
from validate.experiments.gd_scaling import GDScalingPlan, analyse_gd_scaling, gd_scaling_config
from validate.experiments.static import StaticConfig, run_static
from validate.experiments.two_phase import (
    TwoPhasePlan,
    analyse_two_phase,
    two_phase_config,
    two_phase_theory,
)
from validate.figures.learning import plot_gd_learning, plot_two_phase
from validate.figures.scaling import plot_scaling
from validate.figures.static import plot_static_clouds, plot_static_histograms

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _gd_result(sigma: float):
    plan = GDScalingPlan(sigma=sigma, Ns=(32, 64, 128), seeds=2, steps=100, record_every=10)
    cfg0 = gd_scaling_config(plan)
    n_rec = cfg0.steps // cfg0.record_every
    lam = np.array([-1.5, -2.0])
    runs = []
    for N in plan.Ns:
        opt = meanfield.optimum(np.full(2, float(N)), lam, sigma)
        ramp = np.linspace(0.1, 1.0, n_rec)[None, :]  # curves that approach the optimum
        ev = np.zeros((2, n_rec, 2), complex)
        ev[..., 0] = np.asarray(opt.lambda_plus)[:, None] * ramp
        ev[..., 1] = lam[:, None] * ramp
        lv = np.asarray(opt.loss_var)[:, None] * (2 - ramp)
        recs = {
            "eigvals": ev,
            "loss_var": lv,
            "loss_bias": 0.5 * (1 - ramp) + 0 * lv,
            "loss": lv + 0.5 * (1 - ramp),
            "kappa_norm": np.asarray(opt.kappa_norm)[:, None] * ramp,
            "rho": np.asarray(opt.rho)[:, None] * np.ones_like(ramp),
            "M": np.broadcast_to(np.diag([2.0, -1.5]), (2, n_rec, 2, 2)).copy(),
        }
        runs.append(
            SimpleNamespace(
                config=cfg0.replace(N=N), steps=np.arange(n_rec) * cfg0.record_every, records=recs
            )
        )
    res = analyse_gd_scaling(runs, plan, derived=False)  # no sympy derivation in this test
    # stand-in derived laws so that the derived-exponent guide lines are drawn too
    res.derived = {
        "kappa_norm": {"limit": 0.0, "prefactor": 1.0, "exponent": -1 / 6},
        "rho": {"limit": 0.0, "prefactor": 1.0, "exponent": -1 / 3},
        "loss_var": {"limit": 0.3, "prefactor": 1.0, "exponent": -1 / 3},
    }
    return res


@pytest.fixture(scope="module")
def gd_results():
    return [_gd_result(1.0), _gd_result(0.2)]


@pytest.fixture(scope="module")
def two_phase_result():
    plan = TwoPhasePlan(seeds=2)
    cfg = two_phase_config(plan)
    steps = np.arange(0, plan.phase1_steps + plan.phase2_steps, plan.record_every)
    th = two_phase_theory(plan, steps)
    noise = 1 + 0.05 * np.random.default_rng(0).standard_normal((2, steps.size))
    M = np.zeros((2, steps.size, 2, 2))
    M[..., 0, 0], M[..., 0, 1] = th["M11"] * noise, th["M12"] * noise
    recs = {
        "loss": th["loss"] * noise,
        "loss_bias": th["loss_bias"] * noise,
        "loss_var": th["loss_var"] * noise,
        "M_proj": M,
        "dx_bar_norm": th["dx_norm"] * noise,
    }
    return analyse_two_phase(SimpleNamespace(config=cfg, steps=steps, records=recs), plan)


@pytest.fixture(scope="module")
def static_results():
    # same simulation shape as tests/validate/experiments/test_properties.py (shared compilation)
    sim = {"networks": 8, "trials": 8, "t_max": 30.0, "t_discard": 10.0, "dt": 0.05, "N": 128}
    return [
        run_static(StaticConfig(lambda_plus=lp, **sim), extended_rows=False) for lp in (1.9, 2.6)
    ]


def _check_png(path, tmp_path) -> None:
    assert path.parent == tmp_path and path.suffix == ".png"
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000


@pytest.fixture(autouse=True)
def _labelled_axes(monkeypatch):
    """Every saved figure must have x and y labels on each visible axis."""
    from validate.figures import style as plots_style

    original = plots_style.save

    def checking_save(fig, path):
        for ax in fig.axes:
            if ax.get_visible():
                assert ax.get_xlabel() and ax.get_ylabel(), f"unlabelled axis in {path}"
        return original(fig, path)

    for module in (
        "validate.figures.static",
        "validate.figures.scaling",
        "validate.figures.learning",
    ):
        monkeypatch.setattr(f"{module}.save", checking_save)


def test_scaling_plot(gd_results, tmp_path) -> None:
    _check_png(plot_scaling(gd_results, tmp_path / "scaling.png"), tmp_path)
    with pytest.raises(ValueError, match="results"):
        plot_scaling([], tmp_path / "empty.png")


def test_gd_learning_plot(gd_results, tmp_path) -> None:
    _check_png(plot_gd_learning(gd_results[0], tmp_path / "gd.png"), tmp_path)


def test_two_phase_plot(two_phase_result, tmp_path) -> None:
    _check_png(plot_two_phase(two_phase_result, tmp_path / "two_phase.png"), tmp_path)


def test_static_plots(static_results, tmp_path) -> None:
    _check_png(plot_static_clouds(static_results, tmp_path / "clouds.png"), tmp_path)
    _check_png(plot_static_histograms(static_results, tmp_path / "hist.png"), tmp_path)


def test_backend_is_non_interactive() -> None:
    assert matplotlib.get_backend().lower() == "agg"
