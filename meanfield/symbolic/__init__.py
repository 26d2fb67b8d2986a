"""Symbolic derivation of the mean-field theory of noisy rank-2 networks (THEORY.md §2, §3).

Everything here is *derived* with sympy from the nonlinearity φ(x) = erf(αx), α = √π/2, and
from the model equations; nothing of THEORY.md's closed forms is typed in (the tests compare the
derived expressions with THEORY's printed ones as an independent check).

Pipeline of :func:`derive` (THEORY §2):

1. Gaussian averages ⟨φ'⟩(Δ), ⟨φ'''⟩(Δ) by sympy integration over N(0, Δ).
2. Reduced latent drift F(κ) = −κ + ⟨φ'⟩(‖κ‖² + c₀) M κ; at an eigenvector κ̄ of M
   (eigenvalue λ₊) F(κ̄) = (λ₊⟨φ'⟩ − 1)κ̄, so the fixed point condition λ₊⟨φ'⟩ = 1 is solved for
   ‖κ̄‖² and ‖κ̄‖² = 0 gives λ_min.
3. ρ with L_bias = 0 from z̄ = s√N ‖κ̄‖ρ = ẑ (s = 1 large, s = 1/√N small output weights).
4. Jacobian of F at κ̄ (checked to equal A = −I + ⟨φ'⟩M + q κ̄κ̄ᵀ, q = ⟨φ'''⟩/⟨φ'⟩), the
   2×2 Lyapunov equation A Σ + Σ Aᵀ + 2σ² I = 0 solved symbolically, the gain term v_orth (the
   response along v₊ to the O(1/√N) fluctuation of the orthogonal variance c₀, whose
   autocovariance is computed from the Ornstein–Uhlenbeck process), and Σ₁₁ for symmetric M in
   the eigenbasis rotated by a general angle θ₊, simplified with cos θ₊ = ρ.
5. Large-N asymptotics of the L_var optimum: :func:`large_n_scaling` (module
   :mod:`meanfield.symbolic.scaling`).

THEORY §3 (linear network, two-phase learning): the projected gradient flow on the 2×2 block
M = [[a, b/√N], [·, ·]] is set up from the stationary mean and Lyapunov covariance of the linear
network and solved with ``sympy.dsolve``.

Public API
----------
``derive()`` -> :class:`Derivation` (cached), ``large_n_scaling(out_scale)`` -> dict of
:class:`PowerLaw`, ``write_generated_module(path=None)`` writes ``meanfield/_generated.py``;
``python -m meanfield.symbolic`` does the same. Exported symbols: ``x, Delta, c0, lam_p, lam_m,
sigma, N, z, rho, theta, tau, eta0, rho_io_sqrtN, kappa1, kappa2, ALPHA``.

Modules: :mod:`~meanfield.symbolic.symbols` (symbols, :class:`Result`),
:mod:`~meanfield.symbolic.derive` (THEORY §2/§3), :mod:`~meanfield.symbolic.euler` (the
Euler–Maruyama map), :mod:`~meanfield.symbolic.hermite` (noise leaking through φ),
:mod:`~meanfield.symbolic.scaling` (large-N laws) and :mod:`~meanfield.symbolic.codegen` (prints
``meanfield/_generated.py``). Imports go one way: symbols ← derive ← {euler, hermite, scaling}
← codegen.
"""

from __future__ import annotations

from .codegen import write_generated_module
from .derive import Derivation, derive
from .scaling import PowerLaw, large_n_scaling
from .symbols import (
    ALPHA,
    Delta,
    N,
    Result,
    c0,
    eta0,
    kappa1,
    kappa2,
    lam_m,
    lam_p,
    rho,
    rho_io_sqrtN,
    sigma,
    tau,
    theta,
    x,
    z,
)

__all__ = [
    "ALPHA",
    "Delta",
    "Derivation",
    "N",
    "PowerLaw",
    "Result",
    "c0",
    "derive",
    "eta0",
    "kappa1",
    "kappa2",
    "lam_m",
    "lam_p",
    "large_n_scaling",
    "rho",
    "rho_io_sqrtN",
    "sigma",
    "tau",
    "theta",
    "write_generated_module",
    "x",
    "z",
]
