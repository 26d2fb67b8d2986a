"""Finite-N noise leaking through the nonlinearity: a Hermite linear-noise approximation.

THEORY.md §2 keeps two sources of latent fluctuations: the projected private noise (covariance
rate 2σ² for δκ̃ = √N(κ − κ̄)) and the gain term v_orth (the orthogonal variance modulating ⟨φ'⟩,
along v₊ only). In a simulated network the activity orthogonal to U, η = P⊥x (an O(1)-per-unit
Ornstein–Uhlenbeck process with variance c₀ and unit rate), also reaches κ through
Uᵀφ(Uκ̄ + η)/N. Expanding φ(a + η) in Hermite polynomials of η/√c₀,

    φ(a + η) = Σ_n h_n(a) He_n(η/√c₀),    h_n(a) = E_η[φ(a + η) He_n(η/√c₀)]/n!,

each order n ≥ 1 gives a zero-mean latent drive ζ_n = (1/N)Σ_i u_i h_n(u_i·κ̄) He_n(η_i/√c₀) whose
√N-scaled version ξ_n is, to second order, an OU process with rate n (He_n of an OU process
has autocorrelation e^{−n|t|}) and stationary covariance

    D_n = n!·E_u[uuᵀ h_n(u·κ̄)²]                          (n ≥ 2)
    D_1 = c₀·(E_u[uuᵀ g²] − E_u[uuᵀ g]²),  g = h_1/√c₀      (η ⊥ U removes the common part)

with u ~ N(0, I₂). Because u enters only through u·κ̄, E_u[uuᵀ f(u·κ̄)] = k̂k̂ᵀE[s²f(‖κ̄‖s)] +
(I − k̂k̂ᵀ)E[f(‖κ̄‖s)] with s ~ N(0, 1): everything is a 2-D Gauss–Hermite quadrature over (s, η)
for any φ. For φ = erf(√π/2 x) both h_n and D_n are derived in closed form with sympy
(:mod:`meanfield.symbolic.hermite`: h_n = c₀^{n/2}/n!·E[φ⁽ⁿ⁾(a + η)] is a Gaussian times a
polynomial, D_n a Gaussian integral of its square; printed as ``_generated.erf_hermite_*``), and
``method="auto"`` uses them; tanh and callables use the quadrature (``method="quadrature"`` forces
it for erf too; tests/meanfield/test_hermite_noise.py checks that both agree to float precision). The drives enter the latent dynamics through M: dδκ̃ = (Aδκ̃ + MΣ_nξ_n)dt + √2σ dB.
The order-2 drive contains the paper's v_orth term (its projection on the common mode), so this
route replaces v_orth rather than adding to it.

Stationary covariance (the drives are mutually uncorrelated, Hermite orthogonality):
* continuous time: C_n = Cov(δκ̃, ξ_n) = −(A − nI)⁻¹ M D_n and
  AΣ + ΣAᵀ + 2σ²I + Σ_n (M C_nᵀ + C_n Mᵀ) = 0 (:func:`meanfield.lyapunov.lyapunov_2x2`);
* Euler map (dt): ξ_n is AR(1) with coefficient a_n = (1 − dt)ⁿ, B = I + dt·A,
  C_n = a_n dt (I − a_n B)⁻¹ M D_n and Σ = BΣBᵀ + Q with
  Q = 2σ²dt I + Σ_n [dt² M D_n Mᵀ + dt(B C_n Mᵀ + M C_nᵀ Bᵀ)] (:func:`stein_2x2_general`).
Tests check both against the full augmented (2 + 2K)-dimensional Lyapunov equations solved by
scipy, and against simulations (validate's static experiment).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.polynomial.hermite_e import hermeval
from numpy.typing import NDArray

from . import _checks
from .lyapunov import lyapunov_2x2
from .nonlinearities import Nonlinearity, normal_nodes

__all__ = [
    "DEFAULT_QUADRATURE",
    "METHODS",
    "drive_covariances",
    "hermite_coefficients",
    "leak_covariance",
    "stein_2x2_general",
]

#: Gauss–Hermite nodes per dimension (s and η) of the quadrature route (tanh, callables). For
#: erf, 64 nodes give h_n to ~1e-14, but the s-integral of D_n only to ~1e-5 absolute at
#: ‖κ̄‖ ≈ 4 (the integrand e^{−2β²‖κ̄‖²s²}·poly is narrow; measured against the closed forms),
#: so the quadrature route is approximate at large ‖κ̄‖ (e.g. λ₋ ≪ 0 optima)
DEFAULT_QUADRATURE = 64

#: ``method=`` choices: closed forms for erf where available ("auto"), or always quadrature
METHODS: tuple[str, ...] = ("auto", "closed_form", "quadrature")


def has_closed_forms(nl: Nonlinearity) -> bool:
    """True for the named erf, whose Hermite coefficients, drives and η-averages are derived in
    closed form; every other φ (tanh, callables, even one named erf) takes the quadrature
    route and its domain c₀ ≤ ``QUADRATURE_MAX_C0``."""
    return nl.name == "erf" and nl.closed_form


def _use_closed_form(nl: Nonlinearity, orders: int, method: str) -> bool:
    """Validate ``orders``/``method``; True where the derived erf closed forms are used."""
    _checks.check_choice("method", method, METHODS)
    if _checks.check_hermite_orders(orders) is None:
        raise _checks.invalid("orders", orders, f"an integer in [1, {_checks.MAX_HERMITE_ORDER}]")
    closed = has_closed_forms(nl)
    if method == "closed_form" and not closed:
        raise _checks.invalid(
            "method",
            method,
            "'auto' or 'quadrature' for this nonlinearity",
            f"closed forms are derived for erf only, not {nl.name!r}",
        )
    return closed and method != "quadrature"


def _as_num(x: Any) -> NDArray:
    """float64 array, or complex128 for complex input (complex-step derivatives pass through)."""
    x = np.asarray(x)
    return x.astype(np.result_type(x.dtype, np.float64))


def _checked(name: str, x: Any) -> NDArray:
    """A numeric array (real, or complex for complex steps); ValueError naming ``name`` for
    None, text, bool or NaN/inf (every entry is a point of the theory here)."""
    if x is None or isinstance(x, (str, bytes, bool)):
        raise _checks.invalid(name, x, "a number or array of numbers")
    a = np.asarray(x)
    if a.dtype.kind not in "iufc":
        raise _checks.invalid(name, x, "a number or array of numbers")
    if a.size == 0 or not np.all(np.isfinite(a)):
        raise _checks.invalid(
            name, f"array of shape {a.shape} with non-finite or no entries", "finite numbers"
        )
    return _as_num(a)


def _checked_c0(c0: Any) -> NDArray:
    c = _checked("c0", c0)
    if np.any(np.real(c) <= 0):
        raise _checks.invalid("c0", c0, "> 0 (the orthogonal variance)")
    return c


def _check_quadrature(quadrature: Any) -> None:
    quadrature = _checks._unwrap_0d(quadrature)
    if (
        isinstance(quadrature, (bool, np.bool_))
        or not isinstance(quadrature, (int, np.integer))
        or quadrature < 2
    ):
        raise _checks.invalid("quadrature", quadrature, "an integer >= 2 (Gauss–Hermite nodes)")


#: Most Gauss–Hermite nodes of the inner (η) average
INNER_MAX_NODES = 4000

#: Largest orthogonal variance c₀ of the quadrature route (tanh, callables): up to it the
#: 80·c₀ inner nodes (≤ ``INNER_MAX_NODES``) resolve φ's unit-width transition to 1e-8; beyond
#: it the error grows fast (tanh, measured against mpmath: 1e-7 at c₀ = 100, 2e-3 at 400,
#: 5e-2 at 1000), so larger c₀ is refused by name instead of returning a plausible wrong number
QUADRATURE_MAX_C0 = 50.0


def quadrature_c0_ok(c0: Any) -> NDArray[np.bool_]:
    """Mask of the orthogonal variances inside the quadrature route's domain (c₀ ≤ 50)."""
    return np.real(np.asarray(c0)) <= QUADRATURE_MAX_C0


def _check_quadrature_c0(c0: Any) -> None:
    if not np.all(quadrature_c0_ok(c0)):
        raise _checks.invalid(  # names the largest offending value
            "c0",
            np.max(np.real(np.asarray(c0))),
            f"<= {QUADRATURE_MAX_C0:g} for the quadrature route (tanh, callables)",
            "beyond it the η-average no longer reaches 1e-8 (see QUADRATURE_MAX_C0)",
        )


def _inner_nodes(quadrature: int, c0: Any) -> int:
    """Nodes for E_η over η = √c₀·x: at least ``quadrature``, and 80·c₀ so that φ's transition
    (width ~1 in η, 1/√c₀ in x) spans several nodes (spacing ≈ π/√(2q) near x = 0): with a
    fixed 64 nodes the drives were 3 % off at c₀ = 25."""
    c = np.real(np.asarray(c0)).astype(np.float64)
    c_max = float(np.max(c[np.isfinite(c)])) if np.any(np.isfinite(c)) else 1.0
    return int(min(max(quadrature, math.ceil(80.0 * c_max)), INNER_MAX_NODES))


def hermite_coefficients(
    a: Any,
    c0: Any,
    orders: int,
    nl: Nonlinearity,
    quadrature: int = DEFAULT_QUADRATURE,
    method: str = "auto",
) -> NDArray:
    """h_n(a) = E_η[φ(a + η) He_n(η/√c₀)]/n!, η ~ N(0, c₀), for n = 1..orders.

    **Arguments** a: points (any shape); c0: orthogonal variance, broadcast against ``a``;
    orders: highest order K in [1, 16]; nl: the nonlinearity (needs ``nl.phi``);
    method: "auto" (erf: derived closed form ``_generated.erf_hermite_coefficients``, others:
    Gauss–Hermite with at least ``quadrature`` nodes, 80·c₀ when more), "closed_form" (erf
    only) or "quadrature".
    **Returns** array of shape (K, *broadcast shape).
    Accuracy (quadrature, against mpmath): 1e-8 relative with an absolute floor of 1e-13 (the
    rounding of an η-average of an O(1) φ) for a ∈ [−50, 50], c₀ ∈ [1e-2, 50]; the quadrature
    route refuses c₀ > 50 (``QUADRATURE_MAX_C0``) by name.
    """
    closed = _use_closed_form(nl, orders, method)
    _check_quadrature(quadrature)
    a, c0 = np.broadcast_arrays(_checked("a", a), _checked_c0(c0))
    if closed:
        from . import _generated

        return np.stack(_generated.erf_hermite_coefficients(a, c0)[:orders])
    _check_quadrature_c0(c0)
    x, w = normal_nodes(_inner_nodes(quadrature, c0))
    assert nl.phi is not None, f"nonlinearity {nl.name!r} has no φ for the quadrature route"
    vals = nl.phi(a[..., None] + np.sqrt(c0)[..., None] * x)  # (..., q)
    out = []
    for n in range(1, orders + 1):
        he = hermeval(x, [0] * n + [1])
        out.append((vals * (w * he)).sum(-1) / math.factorial(n))
    return np.stack(out)


def drive_covariances(
    kappa_bar: Any,
    c0: Any,
    orders: int,
    nl: Nonlinearity,
    quadrature: int = DEFAULT_QUADRATURE,
    method: str = "auto",
) -> NDArray:
    """D_n, n = 1..orders: stationary covariances of the √N-scaled Hermite drives.

    **Arguments** kappa_bar: (..., 2) fixed points; c0: (...) orthogonal variances;
    orders, nl, quadrature, method: as in :func:`hermite_coefficients` (erf, "auto": the derived
    ``_generated.erf_hermite_drive_par`` / ``_perp``).
    **Returns** (K, ..., 2, 2).
    Accuracy: closed forms (erf) to rounding; the quadrature route agrees with them to 1e-9
    relative for ‖κ̄‖ ∈ [0.3, 40], c₀ ≤ 49 (tests/meanfield/test_hermite_noise.py, ``far_out``);
    below ‖κ̄‖ = 0.3 the order-1 drive, O(‖κ̄‖⁴), is a difference E[g²] − E[g]² and keeps an
    absolute error ≤ 1e-15 of the largest drive (3e-8 of itself at ‖κ̄‖ = 0.05, c₀ = 49).
    Refuses c₀ > 50 by name (``QUADRATURE_MAX_C0``).
    """
    closed = _use_closed_form(nl, orders, method)
    _check_quadrature(quadrature)
    kappa_bar = _checked("kappa_bar", kappa_bar)
    if kappa_bar.ndim < 1 or kappa_bar.shape[-1] != 2:
        raise _checks.invalid(
            "kappa_bar", f"array of shape {kappa_bar.shape}", "fixed points of shape (..., 2)"
        )
    ksq = (kappa_bar * kappa_bar).sum(-1)
    knorm = np.sqrt(ksq)  # not |·|: analytic for complex steps
    khat = kappa_bar / knorm[..., None]
    P = khat[..., :, None] * khat[..., None, :]
    O = np.eye(2) - P
    c0 = _checked_c0(c0)
    if closed:
        from . import _generated

        par = np.stack(_generated.erf_hermite_drive_par(ksq, c0)[:orders])
        perp = np.stack(_generated.erf_hermite_drive_perp(ksq, c0)[:orders])
        return par[..., None, None] * P + perp[..., None, None] * O
    _check_quadrature_c0(c0)
    knorm, c0 = np.broadcast_arrays(knorm, c0)
    s, ws = _outer_grid(knorm, c0)  # (..., n) each
    q = _inner_nodes(quadrature, c0)
    # chunks over the batch keep the (batch, n, q) evaluation of φ below ~8e6 numbers
    flat = int(np.prod(knorm.shape)) if knorm.ndim else 1
    step = max(1, int(8e6 // (s.shape[-1] * q)))
    kf, cf, sf = knorm.reshape(flat), c0.reshape(flat), s.reshape(flat, -1)
    h = np.concatenate(
        [
            hermite_coefficients(
                kf[i : i + step, None] * sf[i : i + step],
                cf[i : i + step, None],
                orders,
                nl,
                quadrature,
                "quadrature",
            )
            for i in range(0, flat, step)
        ],
        axis=1,
    ).reshape((orders,) + s.shape)  # (K, ..., n)
    s2 = s * s
    mats = []
    for i in range(orders):
        n = i + 1
        hn = h[i]
        if n == 1:
            g = hn / np.sqrt(c0)[..., None]
            par = (ws * s2 * g * g).sum(-1) - (ws * s2 * g).sum(-1) ** 2
            perp = (ws * g * g).sum(-1) - (ws * g).sum(-1) ** 2
            scale = c0
        else:
            par = (ws * s2 * hn * hn).sum(-1)
            perp = (ws * hn * hn).sum(-1)
            scale = math.factorial(n)
        mats.append(
            np.asarray(scale)[..., None, None]
            * (par[..., None, None] * P + perp[..., None, None] * O)
        )
    return np.stack(mats)


#: Most nodes of the outer (u·κ̄) grid: 160‖κ̄‖/√(c₀ + ½) grows with ‖κ̄‖; capped here
OUTER_MAX_NODES = 20001


def _outer_grid(knorm: Any, c0: Any) -> tuple[NDArray, NDArray]:
    """Nodes s and weights (Σ = 1 per point) for E_s[f(‖κ̄‖s)], s ~ N(0, 1), all of shape
    (..., n): the trapezoidal rule in a = ‖κ̄‖s on [−10‖κ̄‖, 10‖κ̄‖] with a step of a quarter
    of min(‖κ̄‖, √(c₀ + ½)) or finer — the Hermite coefficients vary on the scale of the
    η-smoothed φ, √(c₀ + ½) or more, so the rule resolves them however far out κ̄ lies
    (fixed Gauss–Hermite nodes in s did not: 90–100 % wrong from ‖κ̄‖ ≈ 4 on). Geometric
    convergence for analytic φ, as in :func:`meanfield.nonlinearities.gaussian_mean`; the
    nodes use Re ‖κ̄‖ only, so the result stays analytic (complex-step derivatives)."""
    k_re = np.real(knorm).astype(np.float64)
    c_re = np.real(c0).astype(np.float64)
    scale = np.minimum(k_re, np.sqrt(c_re + 0.5))
    n_needed = 2.0 * 10.0 * k_re / (0.25 * scale)
    finite = np.isfinite(n_needed)
    n = int(np.max(n_needed[finite])) if np.any(finite) else 129
    n = int(min(max(n, 129), OUTER_MAX_NODES)) | 1  # odd: a = 0 is a node
    grid = np.linspace(-1.0, 1.0, n)
    a = (10.0 * k_re)[..., None] * grid  # real nodes
    k2 = (knorm * knorm)[..., None]
    w = np.exp(-(a * a) / (2.0 * k2))
    w = w / w.sum(-1, keepdims=True)
    return a / knorm[..., None], w


def stein_2x2_general(B: Any, Q: Any) -> NDArray:
    """Solve Σ = BΣBᵀ + Q for 2×2 B and symmetric Q, batched (vec trick, (I − B⊗B)vec Σ = vec Q).

    **Arguments** B, Q: (..., 2, 2). **Returns** Σ (..., 2, 2); inf/NaN where 1 − μᵢμⱼ = 0.
    """
    B = np.asarray(B)
    Q = np.asarray(Q)
    shape = np.broadcast_shapes(B.shape[:-2], Q.shape[:-2])
    B = np.broadcast_to(B, shape + (2, 2))
    Q = np.broadcast_to(Q, shape + (2, 2))
    kron = np.einsum("...ij,...kl->...ikjl", B, B).reshape(shape + (4, 4))
    vec = np.linalg.solve(np.eye(4) - kron, Q.reshape(shape + (4, 1)))
    return vec.reshape(shape + (2, 2))


def leak_covariance(
    A: Any,
    M: Any,
    kappa_bar: Any,
    sigma: Any,
    c0: Any,
    dt: float | None,
    orders: int,
    nl: Nonlinearity,
    quadrature: int = DEFAULT_QUADRATURE,
    method: str = "auto",
) -> NDArray:
    """Σ of δκ̃ with the private noise and the Hermite drives of orders 1..K (module docstring).

    **Arguments** A: (..., 2, 2) fluctuation matrix; M: (..., 2, 2) coupling matrix; kappa_bar:
    (..., 2); sigma, c0: (...); dt: None (continuous time) or the Euler step; orders: K ≥ 1;
    quadrature, method: as in :func:`drive_covariances`.
    **Returns** Σ (..., 2, 2) (no v_orth term: order 2 contains it).
    """
    A = np.asarray(A)
    M = np.asarray(M)
    s2 = np.asarray(sigma, float) ** 2
    D = drive_covariances(kappa_bar, c0, orders, nl, quadrature, method)
    Mt = np.swapaxes(M, -1, -2)
    eye = np.eye(2)
    if dt is None:
        Q = 2.0 * s2[..., None, None] * eye
        for i in range(orders):
            n = i + 1
            C = -np.linalg.solve(A - n * eye, M @ D[i])
            Q = Q + M @ np.swapaxes(C, -1, -2) + C @ Mt
        return lyapunov_2x2(A, Q)
    Bm = eye + dt * A
    Bt = np.swapaxes(Bm, -1, -2)
    Q = 2.0 * dt * s2[..., None, None] * eye
    for i in range(orders):
        a_n = (1.0 - dt) ** (i + 1)
        C = a_n * dt * np.linalg.solve(eye - a_n * Bm, M @ D[i])
        Q = Q + dt * dt * M @ D[i] @ Mt + dt * (Bm @ C @ Mt + M @ np.swapaxes(C, -1, -2) @ Bt)
    return stein_2x2_general(Bm, Q)
