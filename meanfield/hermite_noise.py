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
for any φ. The drives enter the latent dynamics through M: dδκ̃ = (Aδκ̃ + MΣ_nξ_n)dt + √2σ dB.
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
from numpy.polynomial.hermite_e import hermegauss, hermeval
from numpy.typing import NDArray

from .lyapunov import lyapunov_2x2
from .nonlinearities import Nonlinearity

__all__ = ["DEFAULT_QUADRATURE", "hermite_coefficients", "drive_covariances", "leak_covariance",
           "stein_2x2_general"]

#: Gauss–Hermite nodes per dimension (s and η); h_n of order ≤ 12 are smooth, 64 nodes are
#: exact to ~1e-12 for erf (tests compare with the closed form)
DEFAULT_QUADRATURE = 64


def _nodes(q: int) -> tuple[NDArray, NDArray]:
    x, w = hermegauss(q)
    return x, w / w.sum()


def hermite_coefficients(
    a: Any, c0: Any, orders: int, nl: Nonlinearity, quadrature: int = DEFAULT_QUADRATURE
) -> NDArray:
    """h_n(a) = E_η[φ(a + η) He_n(η/√c₀)]/n!, η ~ N(0, c₀), for n = 1..orders.

    **Arguments** a: points (any shape); c0: orthogonal variance, broadcast against ``a``;
    orders: highest order K ≥ 1; nl: the nonlinearity (needs ``nl.phi``).
    **Returns** array of shape (K, *broadcast shape).
    """
    x, w = _nodes(quadrature)
    a, c0 = np.broadcast_arrays(np.asarray(a, float), np.asarray(c0, float))
    vals = nl.phi(a[..., None] + np.sqrt(c0)[..., None] * x)  # (..., q)
    out = []
    for n in range(1, orders + 1):
        he = hermeval(x, [0] * n + [1])
        out.append((vals * (w * he)).sum(-1) / math.factorial(n))
    return np.stack(out)


def drive_covariances(
    kappa_bar: Any, c0: Any, orders: int, nl: Nonlinearity, quadrature: int = DEFAULT_QUADRATURE
) -> NDArray:
    """D_n, n = 1..orders: stationary covariances of the √N-scaled Hermite drives.

    **Arguments** kappa_bar: (..., 2) fixed points; c0: (...) orthogonal variances.
    **Returns** (K, ..., 2, 2).
    """
    kappa_bar = np.asarray(kappa_bar, float)
    knorm = np.linalg.norm(kappa_bar, axis=-1)
    khat = kappa_bar / knorm[..., None]
    P = khat[..., :, None] * khat[..., None, :]
    O = np.eye(2) - P
    s, ws = _nodes(quadrature)
    h = hermite_coefficients(knorm[..., None] * s, np.asarray(c0, float)[..., None], orders, nl,
                             quadrature)  # (K, ..., q)
    s2 = s * s
    mats = []
    for i in range(orders):
        n = i + 1
        hn = h[i]
        if n == 1:
            g = hn / np.sqrt(np.asarray(c0, float))[..., None]
            par = (ws * s2 * g * g).sum(-1) - (ws * s2 * g).sum(-1) ** 2
            perp = (ws * g * g).sum(-1) - (ws * g).sum(-1) ** 2
            scale = np.asarray(c0, float)
        else:
            par = (ws * s2 * hn * hn).sum(-1)
            perp = (ws * hn * hn).sum(-1)
            scale = math.factorial(n)
        mats.append(np.asarray(scale)[..., None, None]
                    * (par[..., None, None] * P + perp[..., None, None] * O))
    return np.stack(mats)


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
    A: Any, M: Any, kappa_bar: Any, sigma: Any, c0: Any, dt: float | None, orders: int,
    nl: Nonlinearity, quadrature: int = DEFAULT_QUADRATURE,
) -> NDArray:
    """Σ of δκ̃ with the private noise and the Hermite drives of orders 1..K (module docstring).

    **Arguments** A: (..., 2, 2) fluctuation matrix; M: (..., 2, 2) coupling matrix; kappa_bar:
    (..., 2); sigma, c0: (...); dt: None (continuous time) or the Euler step; orders: K ≥ 1.
    **Returns** Σ (..., 2, 2) (no v_orth term: order 2 contains it).
    """
    A = np.asarray(A)
    M = np.asarray(M)
    s2 = np.asarray(sigma, float) ** 2
    D = drive_covariances(kappa_bar, c0, orders, nl, quadrature)
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
