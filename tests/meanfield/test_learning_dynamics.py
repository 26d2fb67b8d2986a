"""meanfield.learning_dynamics: the mean-field learning flow (THEORY §2–§4).

Independent routes: the stationary Euler-map theory (meanfield.fixed_point_norm /
latent_covariance with dt=, a Stein equation — not the scan of this module), the sympy closed
forms of the linear two-phase learning (meanfield.linear_two_phase, THEORY §3) whose neglected
terms are O(1/N), and central finite differences for the JAX gradient.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import meanfield
from meanfield.learning_dynamics import Trial, constant_input_trial, expected_loss, learning_flow


def test_import_meanfield_loads_no_jax_until_the_flow_is_used() -> None:
    code = (
        "import sys, meanfield; assert 'jax' not in sys.modules; "
        "f = meanfield.learning_flow; assert 'jax' in sys.modules; print(f.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "learning_flow"


def _symmetric_m(lp: float, lm: float, theta: float) -> tuple[np.ndarray, np.ndarray]:
    vp = np.array([math.cos(theta), math.sin(theta)])
    vm = np.array([-vp[1], vp[0]])
    return lp * np.outer(vp, vp) + lm * np.outer(vm, vm), vp


@pytest.mark.parametrize(("dt", "nonlinearity"), [(0.2, "erf"), (0.05, "erf"), (0.2, "tanh")])
def test_long_trial_reaches_the_stationary_euler_theory(dt: float, nonlinearity: str) -> None:
    """After a long trial the mean path sits at the Euler map's fixed point and Var z equals
    the stationary Stein covariance with the gain term (to rounding: both are exact for the
    linear-noise map)."""
    lp, lm, sigma, N = 2.0, -1.0, 0.5, 100.0
    rho = float(meanfield.correlation(lp, sigma, N, 1.0, "large", nonlinearity, dt=dt))
    M, vp = _symmetric_m(lp, lm, math.acos(rho))
    norm = float(meanfield.fixed_point_norm(lp, sigma, nonlinearity, dt=dt))
    T = round(400 / dt)  # slowest relaxation (tanh, along v₊) ≈ 0.1 per unit time
    drive = np.zeros((T, 2))
    drive[0] = vp * norm / dt  # start at the fixed point's side
    last = np.zeros(T)
    last[-1] = 1.0
    out = expected_loss(
        M, N, sigma, trial=Trial(dt, drive, np.zeros(T), last, last), nonlinearity=nonlinearity
    )
    np.testing.assert_allclose(np.asarray(out.kappa[-1]), norm * vp, rtol=1e-9)
    sigma_11 = meanfield.latent_covariance(lp, lm, sigma, N, nonlinearity=nonlinearity, dt=dt)[0, 0]
    assert float(out.z_var[-1]) == pytest.approx(float(sigma_11), rel=1e-9)


_LOSS_FNS: dict = {}


def _loss_and_grad(nonlinearity: str):  # one jitted function per φ (σ and M are arguments)
    import jax

    from meanfield import learning_dynamics as ld

    if nonlinearity not in _LOSS_FNS:
        trial, gain = ld.fixed_point_trial(), ld._gain(nonlinearity)

        def total(m, sigma):
            out = ld._trial_loss(
                m, jax.numpy.asarray(64.0), sigma, jax.numpy.asarray(1.0), trial, gain
            )
            return out.loss_bias + out.loss_var

        _LOSS_FNS[nonlinearity] = (jax.jit(total), jax.jit(jax.grad(total)))
    return _LOSS_FNS[nonlinearity]


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.floats(-2.5, 2.5), min_size=4, max_size=4),
    st.sampled_from(["erf", "tanh"]),
    st.floats(0.2, 1.0),
)
def test_gradient_matches_central_differences(
    entries: list[float], nonlinearity: str, sigma: float
) -> None:
    """jax.grad through the scan (with the custom JVP of the tanh averages) = Richardson-
    extrapolated central differences (truncation O(h⁴) ~ 1e-16 of the loss's scale, rounding
    ~1e-16·L/h ~ 1e-12·L: both far below 1e-6 of the gradient's scale)."""
    import jax

    M = np.array(entries).reshape(2, 2)
    with jax.enable_x64(True):
        loss, grad_fn = _loss_and_grad(nonlinearity)
        s = jax.numpy.asarray(sigma, jax.numpy.float64)
        grad = np.asarray(grad_fn(jax.numpy.asarray(M), s))

        def central(h: float) -> np.ndarray:
            out = np.zeros((2, 2))
            for i in range(2):
                for j in range(2):
                    e = np.zeros((2, 2))
                    e[i, j] = h
                    out[i, j] = (
                        float(loss(jax.numpy.asarray(M + e), s))
                        - float(loss(jax.numpy.asarray(M - e), s))
                    ) / (2 * h)
            return out

        fd = (4 * central(5e-5) - central(1e-4)) / 3  # Richardson: truncation O(h⁴)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())


def _phase1_b_error(N: int) -> float:
    trial = constant_input_trial(rho_io=-0.5 / math.sqrt(N))
    flow = learning_flow(
        np.zeros((2, 2)),
        N,
        1.0,
        lr=0.002 / N,
        steps=1000,
        optimizer="flow",
        trial=trial,
        nonlinearity="linear",
        record_every=250,
    )
    closed = meanfield.linear_two_phase(flow.step, 1, 0.002, 1.0, 1.0, -0.5, N, dt=0.2)
    return float(np.max(np.abs(flow.M[1:, 0, 1] / np.asarray(closed.M12)[1:] - 1)))


def test_linear_flow_reproduces_phase_one_closed_form_to_order_one_over_n() -> None:
    """THEORY §3 phase 1 (η = η₀/N): the closed form b(τ) neglects O(1/N) terms (L_var's pull,
    c = sqrt(1 − ρ_io²)); the continuous flow's error must fall 4× when N grows 4×."""
    e1, e4 = _phase1_b_error(1024), _phase1_b_error(4096)
    assert 3.5 < e1 / e4 < 4.5
    assert e4 < 1e-3


def _phase2_a_error(N: int) -> float:
    trial = constant_input_trial(rho_io=-0.5 / math.sqrt(N))
    f1 = learning_flow(
        np.zeros((2, 2)),
        N,
        1.0,
        lr=0.002 / N,
        steps=1000,
        optimizer="flow",
        trial=trial,
        nonlinearity="linear",
        record_every=1000,
    )
    k = max(1, N // 512)  # RK4 step ≤ 2.78/(largest Hessian eigenvalue): halve η at N = 1024
    f2 = learning_flow(
        f1.M_end,
        N,
        1.0,
        lr=0.002 / k,
        steps=250 * k,
        optimizer="flow",
        trial=trial,
        nonlinearity="linear",
        record_every=250 * k,
    )
    closed = meanfield.linear_two_phase(250.0, 2, 0.002, 1.0, 1.0, -0.5, N, dt=0.2)
    return abs(float(f2.M_end[0, 0]) / float(closed.M11) - 1)


def test_linear_flow_reproduces_phase_two_closed_form_to_order_one_over_n() -> None:
    """THEORY §3 phase 2: a(τ) = M₁₁ of the Euler-map closed form neglects M₂₁, M₂₂ = O(1/N)."""
    e1, e4 = _phase2_a_error(256), _phase2_a_error(1024)
    assert 3.0 < e1 / e4 < 5.0
    assert e4 < 5e-3


def test_flow_is_vectorised_over_n_and_initial_conditions() -> None:
    M0 = np.stack([np.zeros((2, 2)), 0.3 * np.eye(2)])[:, None]  # [2, 1, 2, 2]
    Ns = np.array([32.0, 128.0])  # broadcasts to [2, 2]
    flow = learning_flow(M0, Ns, 0.5, lr=0.01, steps=20, record_every=5)
    assert flow.M.shape == (2, 2, 4, 2, 2) and flow.rho.shape == (2, 2, 4)
    one = learning_flow(0.3 * np.eye(2), 32.0, 0.5, lr=0.01, steps=20, record_every=5)
    np.testing.assert_allclose(flow.lambda_plus[1, 0], one.lambda_plus, rtol=1e-12)
    np.testing.assert_allclose(flow.M_end[1, 0], one.M_end, rtol=1e-12)


def test_sgd_steps_lower_the_expected_loss_and_approach_the_flow() -> None:
    flow = learning_flow(np.zeros((2, 2)), 64.0, 1.0, lr=0.005, steps=200, record_every=10)
    assert np.all(np.diff(flow.loss) < 0)  # small steps on a smooth loss: monotone descent
    fine = learning_flow(np.zeros((2, 2)), 64.0, 1.0, lr=0.0005, steps=2000, record_every=100)
    cont = learning_flow(
        np.zeros((2, 2)), 64.0, 1.0, lr=0.005, steps=200, optimizer="flow", record_every=10
    )
    # SGD differs from the gradient flow by O(lr): 10× smaller lr → ~10× closer
    far = np.abs(flow.M_end - cont.M_end).max()
    near = np.abs(fine.M_end - cont.M_end).max()
    assert 5 < far / near < 20


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sigma": -1.0}, "sigma=-1.0 is out of range: sigma must be finite and ≥ 0"),
        ({"N": 0.0}, "N=0.0 is out of range: N must be finite and > 0"),
        ({"lr": 0.0}, "lr=0.0 is out of range: lr must be finite and > 0"),
        ({"steps": 0}, "steps=0 is out of range: steps must be an integer ≥ 1"),
        (
            {"record_every": 3},
            "record_every=3 is out of range: record_every must be an integer ≥ 1 dividing steps=10",
        ),
        ({"optimizer": "rmsprop"}, "optimizer='rmsprop' is out of range: optimizer must be 'sgd'"),
        (
            {"nonlinearity": "relu"},
            "nonlinearity='relu' is out of range: nonlinearity must be one of",
        ),
        ({"out_scale": "huge"}, "out_scale='huge' is out of range: out_scale must be one of"),
        (
            {"M0": np.zeros(3)},
            "M0='<array of shape (3,)>' is out of range: M0 must be finite, shape [..., 2, 2]",
        ),
    ],
)
def test_bad_input_is_refused_by_name(kwargs: dict, message: str) -> None:
    args = {"M0": np.zeros((2, 2)), "N": 64.0, "sigma": 1.0, "lr": 0.01, "steps": 10}
    args.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        learning_flow(args.pop("M0"), args.pop("N"), args.pop("sigma"), **args)


def test_trial_and_task_builders_refuse_bad_values() -> None:
    with pytest.raises(
        ValueError, match=r"dt=2.5 is out of range: dt must be a number in \(0, 2\)"
    ):
        Trial(2.5, np.zeros((3, 2)), np.zeros(3), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="mask=.*no evaluated step.* mask must be 1 on at least"):
        Trial(0.2, np.zeros((3, 2)), np.zeros(3), np.zeros(3), np.ones(3))
    with pytest.raises(
        ValueError, match=r"rho_io=2.0 is out of range: rho_io must be in \[-1, 1\]"
    ):
        constant_input_trial(rho_io=2.0)
    # target_dt below dt would evaluate no grid (a zero modulus): refused by name
    with pytest.raises(ValueError, match="target_dt=0.1 is out of range"):
        constant_input_trial(rho_io=0.0, target_dt=0.1)
    with pytest.raises(TypeError, match="sigma=True has type bool"):
        learning_flow(np.zeros((2, 2)), 64.0, True, lr=0.01, steps=10)
