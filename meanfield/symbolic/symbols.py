"""Symbols, the :class:`Result` container and small helpers of the derivation (THEORY §2, §3).

Every module of :mod:`meanfield.symbolic` builds on these; this one imports only sympy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

__all__ = [
    "ALPHA",
    "Delta",
    "N",
    "Result",
    "c0",
    "eta0",
    "kappa1",
    "kappa2",
    "lam_m",
    "lam_p",
    "rho",
    "rho_io_sqrtN",
    "sigma",
    "tau",
    "theta",
    "x",
    "z",
]

# ----------------------------------------------------------------------------- symbols
#: integration variable (preactivation)
x = sp.Symbol("x", real=True)
#: variance of the Gaussian field, Δ = ‖κ‖² + c₀
Delta = sp.Symbol("Delta", positive=True)
#: variance of the activity orthogonal to U (c₀ = σ² without random bulk)
c0 = sp.Symbol("c_0", positive=True)
#: eigenvalue of M carrying the fixed point, λ₊
lam_p = sp.Symbol("lambda_p", positive=True)
#: other eigenvalue of M, λ₋
lam_m = sp.Symbol("lambda_m", real=True)
#: private-noise amplitude σ
sigma = sp.Symbol("sigma", positive=True)
#: number of neurons
N = sp.Symbol("N", positive=True)
#: target output ẑ
z = sp.Symbol("z", positive=True)
#: correlation ρ = cos θ₊ between readout and fixed point
rho = sp.Symbol("rho", positive=True)
#: angle θ₊ of v₊ to the readout axis u₁
theta = sp.Symbol("theta", real=True)
#: latent coordinates κ = Uᵀx/N
kappa1, kappa2 = sp.symbols("kappa_1 kappa_2", real=True)
#: THEORY §3: learning step within a phase, learning-rate numerator, ρ_io·√N
tau = sp.Symbol("tau", nonnegative=True)
eta0 = sp.Symbol("eta_0", positive=True)
rho_io_sqrtN = sp.Symbol("r_io", real=True)
#: α = √π/2 so that φ'(0) = 1 for φ = erf(αx)
ALPHA = sp.sqrt(sp.pi) / 2

# private helper symbols
_K = sp.Symbol("K", real=True)  # ‖κ̄‖²
_a, _b = sp.symbols("a b", real=True)  # §3: M11 and √N·M12


# ----------------------------------------------------------------------------- containers
@dataclass(frozen=True)
class Result:
    """One derived quantity.

    ``expr`` is the sympy expression, ``args`` the ordered symbols that the compiled
    functions ``numpy``/``jax`` take (``arg_names`` are the names used in the generated numpy
    module), ``doc`` says what it is and where in THEORY.md it comes from.
    """

    name: str
    expr: Any
    args: tuple[sp.Symbol, ...]
    arg_names: tuple[str, ...]
    doc: str
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def latex(self) -> str:
        """LaTeX of ``expr``."""
        return sp.latex(self.expr)

    @property
    def numpy(self) -> Callable[..., Any]:
        """``expr`` compiled with ``sympy.lambdify(args, expr, "numpy")`` (argument order ``args``)."""
        if "numpy" not in self._cache:
            self._cache["numpy"] = sp.lambdify(self.args, self.expr, modules="numpy")
        return self._cache["numpy"]

    @property
    def jax(self) -> Callable[..., Any]:
        """``expr`` compiled for ``jax.numpy`` (imports jax on first use only)."""
        if "jax" not in self._cache:
            import jax  # noqa: F401  (fail early with a clear ImportError)

            self._cache["jax"] = sp.lambdify(self.args, self.expr, modules="jax")
        return self._cache["jax"]

    def __call__(self, *values: Any) -> Any:
        """Evaluate the numpy function."""
        return self.numpy(*values)


def _result(name: str, expr: Any, args: tuple, names: tuple, doc: str) -> Result:
    return Result(name, expr, tuple(args), tuple(names), doc)


# ----------------------------------------------------------------------------- step 1
def _gaussian_average(f: sp.Expr, var: sp.Expr) -> sp.Expr:
    """⟨f(x)⟩ over x ~ N(0, var), by sympy integration."""
    density = sp.exp(-(x**2) / (2 * var)) / sp.sqrt(2 * sp.pi * var)
    return sp.simplify(sp.integrate(sp.expand(f * density), (x, -sp.oo, sp.oo)))


def _unit(t: sp.Symbol) -> sp.Matrix:
    return sp.Matrix([sp.cos(t), sp.sin(t)])
