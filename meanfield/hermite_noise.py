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

from . import _checks, _mat22
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
    par, perp, khat = _drive_parts(kappa_bar, c0, orders, nl, quadrature, method)
    P = khat[..., :, None] * khat[..., None, :]
    O = np.eye(2) - P
    return par[..., None, None] * P + perp[..., None, None] * O


def _drive_parts(
    kappa_bar: Any,
    c0: Any,
    orders: int,
    nl: Nonlinearity,
    quadrature: int = DEFAULT_QUADRATURE,
    method: str = "auto",
) -> tuple[NDArray, NDArray, NDArray]:
    """(par (K, ...), perp (K, ...), k̂ (..., 2)) with D_n = par_n k̂k̂ᵀ + perp_n (I − k̂k̂ᵀ): the
    drives of :func:`drive_covariances` by their two scalar parts."""
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
    c0 = _checked_c0(c0)
    if closed:
        from . import _generated

        par = np.stack(_generated.erf_hermite_drive_par(ksq, c0)[:orders])
        perp = np.stack(_generated.erf_hermite_drive_perp(ksq, c0)[:orders])
        return par, perp, khat
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
    pars, perps = [], []
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
        pars.append(np.asarray(scale) * par)
        perps.append(np.asarray(scale) * perp)
    return np.stack(pars), np.stack(perps), khat


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
    """Solve Σ = BΣBᵀ + Q for 2×2 B and symmetric Q, batched.

    Through the Cayley transform of :func:`_stein_from_difference` with B − I and B + I.

    **Arguments** B, Q: (..., 2, 2). **Returns** Σ (..., 2, 2); inf/NaN where B has an
    eigenvalue −1 or 1 − μᵢμⱼ = 0 (no unique solution).
    """
    b00, b01, b10, b11 = _mat22.split(B)
    Bm1 = (b00 - 1.0, b01, b10, b11 - 1.0)
    Bp1 = (b00 + 1.0, b01, b10, b11 + 1.0)
    return _mat22.join(_stein_from_difference(Bm1, Bp1, _mat22.split(Q)))


def _stein_from_difference(Bm1: _mat22.Mat, Bp1: _mat22.Mat, Q: _mat22.Mat) -> _mat22.Mat:
    """Σ = BΣBᵀ + Q from B − I and B + I (given separately, so that B − I = dt·A keeps its
    digits for small dt): with F = (B + I)⁻¹, A_c = (B − I)F and Q_c = 2FQFᵀ, the Stein
    equation is A_cΣ + ΣA_cᵀ + Q_c = 0 (multiply Σ − BΣBᵀ = Q by F on the left and Fᵀ on the
    right; B = (I + A_c)(I − A_c)⁻¹), solved by the Lyapunov formula of
    :func:`meanfield.lyapunov.lyapunov_2x2`. Entry-wise 2×2 algebra (:mod:`meanfield._mat22`)."""
    F = _mat22.inv(Bp1)
    A_c = _mat22.mul(Bm1, F)
    FQFt = _mat22.mul(_mat22.mul(F, Q), _mat22.transpose(F))
    return _mat22.lyapunov(A_c, (2.0 * FQFt[0], 2.0 * FQFt[1], 2.0 * FQFt[2], 2.0 * FQFt[3]))


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

    Evaluated in blocks of :data:`BLOCK` points (the batch flattened): every step is
    elementwise over the points, and blocks keep its temporaries in cache (10⁶ points at once
    spent most of the time allocating and faulting in fresh memory).
    """
    A = np.asarray(A)
    M = np.asarray(M)
    kb = np.asarray(kappa_bar)
    sig = np.asarray(sigma)
    c = np.asarray(c0)
    shape = np.broadcast_shapes(A.shape[:-2], M.shape[:-2], kb.shape[:-1], sig.shape, c.shape)
    n = math.prod(shape)
    if n <= BLOCK:
        return _leak_block(A, M, kb, sig, c, dt, orders, nl, quadrature, method)
    flat = [
        np.broadcast_to(x, shape + tail).reshape((n,) + tail)
        for x, tail in ((A, (2, 2)), (M, (2, 2)), (kb, (2,)), (sig, ()), (c, ()))
    ]
    out = np.empty((n, 2, 2), dtype=np.result_type(*flat, np.float64))
    a_f, m_f, k_f, s_f, c_f = flat
    for i in range(0, n, BLOCK):
        j = slice(i, i + BLOCK)
        out[j] = _leak_block(
            a_f[j], m_f[j], k_f[j], s_f[j], c_f[j], dt, orders, nl, quadrature, method
        )
    return out.reshape(shape + (2, 2))


#: Points per block of :func:`leak_covariance` (temporaries of 2¹⁴ float64 = 128 kB stay in cache)
BLOCK = 2**14


def _leak_block(
    A: Any,
    M: Any,
    kappa_bar: Any,
    sigma: Any,
    c0: Any,
    dt: float | None,
    orders: int,
    nl: Nonlinearity,
    quadrature: int,
    method: str,
) -> NDArray:
    """:func:`leak_covariance` on one block of points."""
    A = np.asarray(A)
    M = np.asarray(M)
    s2 = np.asarray(sigma, float) ** 2
    par, perp, khat = _drive_parts(kappa_bar, c0, orders, nl, quadrature, method)
    mul = _mat22.mul
    # M D_n Mᵀ = par_n XP + perp_n XO with XP = (Mk̂)(Mk̂)ᵀ and XO = MMᵀ − XP; every
    # order-dependent 2×2 inverse is adj/det with adj a combination of I and A (or B), so the
    # sum over orders runs on scalar arrays; 2×2 algebra entry-wise (meanfield._mat22)
    Am = _mat22.split(A)
    Mm = _mat22.split(M)
    m00, m01, m10, m11 = Mm
    k0, k1 = khat[..., 0], khat[..., 1]
    v0, v1 = m00 * k0 + m01 * k1, m10 * k0 + m11 * k1
    XP = (v0 * v0, v0 * v1, v0 * v1, v1 * v1)
    XO = _mat22.combine(1.0, mul(Mm, _mat22.transpose(Mm)), -1.0, XP)
    a, b, c, d = Am
    trA = a + d
    if dt is None:
        # C_n Mᵀ = −(A − nI)⁻¹ X_n, (A − nI)⁻¹ = ((trA − n)I − A)/det(A − nI):
        # Σ_n C_n Mᵀ = (cP XP + cO XO) + A (gP XP + gO XO)
        detA = _mat22.det(Am)
        cP = cO = gP = gO = 0.0
        for i in range(orders):
            n = i + 1
            w = -1.0 / (detA - n * trA + n * n)
            cP = cP + w * (trA - n) * par[i]
            cO = cO + w * (trA - n) * perp[i]
            gP = gP - w * par[i]
            gO = gO - w * perp[i]
        G = mul(Am, _mat22.combine(gP, XP, gO, XO))
        Y = tuple(x + g for x, g in zip(_mat22.combine(cP, XP, cO, XO), G, strict=True))
        Q = _sym(Y, 2.0 * np.asarray(s2))
        return _mat22.join(_mat22.lyapunov(Am, Q))
    # Euler map: Y_n = dt B C_n Mᵀ = a_n dt² B(I − a_n B)⁻¹ X_n with
    # B(I − a_n B)⁻¹ = ((1 − a_n trB) B + a_n B²)/det(I − a_n B), so
    # Σ_n Y_n = B[(c1 XP + c2 XO) + B(c3 XP + c4 XO)]
    dA = (dt * a, dt * b, dt * c, dt * d)
    Bm = (1.0 + dA[0], dA[1], dA[2], 1.0 + dA[3])
    trB = 2.0 + dt * trA
    detB = _mat22.det(Bm)
    c1 = c2 = c3 = c4 = 0.0
    sP = sO = 0.0
    for i in range(orders):
        a_n = (1.0 - dt) ** (i + 1)
        alpha = 1.0 - a_n * trB
        w = a_n * dt * dt / (1.0 - a_n * trB + a_n * a_n * detB)
        c1 = c1 + (w * alpha) * par[i]
        c2 = c2 + (w * alpha) * perp[i]
        c3 = c3 + (w * a_n) * par[i]
        c4 = c4 + (w * a_n) * perp[i]
        sP = sP + par[i]
        sO = sO + perp[i]
    inner = mul(Bm, _mat22.combine(c3, XP, c4, XO))
    Y = mul(Bm, tuple(x + y for x, y in zip(_mat22.combine(c1, XP, c2, XO), inner, strict=True)))
    half = 0.5 * dt * dt  # dt² M D_n Mᵀ is symmetric: half of it in Y, Y + Yᵀ doubles it
    Y = tuple(y + x for y, x in zip(Y, _mat22.combine(half * sP, XP, half * sO, XO), strict=True))
    Q = _sym(Y, 2.0 * dt * np.asarray(s2))
    Bp1 = (2.0 + dA[0], dA[1], dA[2], 2.0 + dA[3])
    return _mat22.join(_stein_from_difference(dA, Bp1, Q))


def _sym(Y: tuple[Any, ...], noise: Any) -> _mat22.Mat:
    """Y + Yᵀ + noise·I by entries."""
    y00, y01, y10, y11 = Y
    off = y01 + y10
    return (2.0 * y00 + noise, off, off, 2.0 * y11 + noise)
