"""Gaussian averages ⟨φ'⟩(Δ) and ⟨φ'''⟩(Δ) of the nonlinearities (THEORY §2).

⟨·⟩ is the mean over x ~ N(0, Δ). The mean-field theory needs two averages:
⟨φ'⟩, the gain in dκ/dt = −κ + ⟨φ'⟩ M κ, and ⟨φ'''⟩ = 2 d⟨φ'⟩/dΔ (heat
equation of the Gaussian), which enters the linearisation through
q = ⟨φ'''⟩/⟨φ'⟩.

How each nonlinearity is averaged:

* ``"erf"``, φ(x) = erf(√π/2 x): closed forms from the sympy derivation,
  ``meanfield._generated.erf_mean_dphi`` / ``erf_mean_dphi3``.
* ``"tanh"``: φ' = 1 − tanh², φ''' = (1 − tanh²)(6 tanh² − 2) averaged by
  :func:`gaussian_mean`.
* ``"relu"``: φ' = Θ(x) so ⟨φ'⟩ = 1/2 for every Δ; φ''' = δ'(x) is a
  distribution, and Gaussian integration by parts gives
  ⟨φ'''⟩ = ⟨φ'(x)(x² − Δ)⟩/Δ² = (Δ/2 − Δ/2)/Δ² = 0 (equivalently
  2 d⟨φ'⟩/dΔ = 0). Because ⟨φ'⟩ does not depend on Δ, λ⟨φ'⟩ = 1 has no
  isolated nonzero fixed point (λ₊ = 2 exactly and ‖κ̄‖ undetermined): the
  fixed-point and fluctuation functions raise a ValueError for relu.
* ``"linear"``: ⟨φ'⟩ = 1, ⟨φ'''⟩ = 0; same degeneracy as relu (λ₊ = 1).
* a **callable** φ (vectorised numpy function of real arrays): derivatives are
  never formed. Gaussian integration by parts (Hermite polynomials) gives
  ⟨φ'⟩ = ⟨φ(x) x⟩/Δ and ⟨φ'''⟩ = ⟨φ(x)(x³ − 3Δx)⟩/Δ³, averaged by
  :func:`gaussian_mean`. This needs only φ, is exact for the exact average,
  and needs Δ > 0 (σ > 0); for Δ ≪ 1 about log10(1/Δ) digits of ⟨φ'''⟩
  are lost to cancellation. φ must be smooth (analytic near the real axis)
  for the quadrature to converge geometrically.

Quadrature rule. The brief asked for Gauss–Hermite. Measured against
``scipy.integrate.quad`` for tanh, Gauss–Hermite on ⟨sech²⟩ needs 320 nodes
for 4e-11 at Δ = 4 and still errs by 4e-7 with 320 nodes at Δ = 10 (the
integrand is narrow compared with the Gaussian, and Gauss–Hermite spreads
its nodes over the Gaussian). :func:`gaussian_mean` therefore uses the
trapezoidal rule on a truncated real line, which converges geometrically
(error ∝ exp(−2π d/h) for an integrand analytic in the strip |Im x| < d) and
reaches 1e-10 with a fixed, small number of nodes for every Δ (tested in
``tests/meanfield/test_nonlinearities.py``). The nodes depend only on Re Δ, so the
averages are analytic in Δ (complex-step derivatives work, used by
:func:`meanfield.optimum`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks

#: Names accepted by every ``nonlinearity=`` argument (or pass a callable φ).
NONLINEARITIES: tuple[str, ...] = ("erf", "tanh", "relu", "linear")

NonlinearitySpec = str | Callable[[NDArray[np.float64]], NDArray[np.float64]]

#: Nodes of the trapezoidal rule: for tanh (half-width ≤ 20, step ≤ 0.25)
#: 161 nodes give errors below 1e-13 for all Δ (tests/meanfield/test_nonlinearities.py).
TANH_NODES = 161
#: Default nodes for a user callable (half-width 10√Δ, no decay assumed).
CALLABLE_NODES = 401
_GAUSS_CUT = 10.0  # truncate the Gaussian at 10 standard deviations (e^-50)


def gaussian_mean(
    f: Callable[[NDArray[np.float64]], NDArray],
    delta: ArrayLike,
    *,
    n_nodes: int = CALLABLE_NODES,
    half_width: float | None = None,
) -> NDArray:
    """⟨f(x)⟩ for x ~ N(0, Δ), by the trapezoidal rule on [−L, L].

    L = 10√(Re Δ), capped at ``half_width`` when f itself decays (then L need
    not grow with Δ). Nodes are x_j = L(2j/(n−1) − 1); the Gaussian density
    enters the weights, so the result is analytic in Δ (complex Δ is allowed;
    the nodes use Re Δ only). At Δ = 0 the result is f(0).

    **Arguments**
    - f: vectorised function of a real array (called once on shape (..., n)).
    - delta: variance(s) Δ ≥ 0, any shape.
    - n_nodes: number of nodes n (odd keeps x = 0 as a node).
    - half_width: optional cap on L (use when f decays, e.g. tanh' ~ e^{-2|x|}).

    **Returns** ⟨f⟩ with the shape of ``delta``.

    Example: ``gaussian_mean(lambda x: x**2, 2.0)`` ≈ 2.0.

    **Accuracy** a fixed grid, no error estimate: the error falls geometrically with
    ``n_nodes`` for f analytic in a strip around the real axis and smooth on the scale of
    the step 20√Δ/n (then ~1e-14 at the defaults), but nothing is guaranteed for an arbitrary
    f. :func:`refined_gaussian_mean` halves the step until two results agree to 1e-11 (NaN
    when its node cap is reached first) — what :func:`mean_dphi` uses for callables.
    """
    delta = np.asarray(delta)
    d_re = np.real(delta).astype(np.float64)
    positive = d_re > 0
    width = _GAUSS_CUT * np.sqrt(np.where(positive, d_re, 1.0))
    if half_width is not None:
        width = np.minimum(width, half_width)
    grid = np.linspace(-1.0, 1.0, n_nodes)
    x = width[..., None] * grid  # (..., n)
    h = (2.0 * width / (n_nodes - 1))[..., None]
    safe_delta = np.where(positive, delta, 1.0)[..., None]
    weights = h * np.exp(-(x * x) / (2.0 * safe_delta)) / np.sqrt(2.0 * np.pi * safe_delta)
    values = np.asarray(f(x))
    total = np.sum(values * weights, axis=-1)
    if np.any(~positive):
        total = np.where(positive, total, np.asarray(f(np.zeros_like(d_re))))
    return total


def normal_nodes(q: int) -> tuple[NDArray, NDArray]:
    """Gauss–Hermite nodes x [q] and weights w [q] (Σw = 1) for the mean over N(0, 1).

    numpy's ``hermegauss`` (the more accurate of the two here) up to q = 300; above, where
    its weights overflow (NaN from q = 371 on), scipy's ``roots_hermitenorm`` (asymptotic
    formulas, finite at every q)."""
    q = int(q)
    if q <= 300:
        from numpy.polynomial.hermite_e import hermegauss

        x, w = hermegauss(q)
    else:
        from scipy.special import roots_hermitenorm

        x, w = roots_hermitenorm(q)
    return x, w / w.sum()


def _tanh_dphi(x: NDArray) -> NDArray:
    t = np.tanh(x)
    return 1.0 - t * t


def _tanh_dphi3(x: NDArray) -> NDArray:
    t = np.tanh(x)
    return (1.0 - t * t) * (6.0 * t * t - 2.0)


@dataclass(frozen=True)
class Nonlinearity:
    """Gaussian averages of one nonlinearity (see the module docstring).

    ``mean_dphi(Δ)`` = ⟨φ'⟩, ``mean_dphi3(Δ)`` = ⟨φ'''⟩ (broadcasting,
    complex-Δ safe). ``isolated_fixed_point`` is False where ⟨φ'⟩ does not
    depend on Δ (relu, linear), so that λ⟨φ'⟩ = 1 fixes λ but not ‖κ̄‖.
    ``needs_positive_delta`` is True for callables (Hermite route divides by Δ).
    """

    name: str
    mean_dphi: Callable[[Any], Any] = field(repr=False)
    mean_dphi3: Callable[[Any], Any] = field(repr=False)
    isolated_fixed_point: bool = True
    needs_positive_delta: bool = False
    closed_form: bool = False
    #: φ itself (vectorised numpy), for quadratures over φ (meanfield.hermite_noise)
    phi: Callable[[Any], Any] | None = field(default=None, repr=False)


def _erf() -> Nonlinearity:
    from scipy.special import erf

    from . import _generated

    alpha = float(np.sqrt(np.pi) / 2)
    return Nonlinearity(
        "erf",
        _generated.erf_mean_dphi,
        _generated.erf_mean_dphi3,
        closed_form=True,
        phi=lambda x: erf(alpha * x),
    )


def _tanh_mean_dphi3(d: Any) -> Any:
    """The average of φ''' for tanh. Directly for Δ ≤ 1; above, by Gaussian integration by
    parts, (⟨φ'x²⟩ − Δ⟨φ'⟩)/Δ²: ∫φ''' dx = 0, so the direct sum is a difference of
    O(Δ^{-1/2}) terms that must cancel to O(Δ^{-3/2}) and lost every digit by Δ ~ 1e12
    (70 % off); the by-parts form has no such cancellation (its leading term is −⟨φ'⟩/Δ)."""
    d = np.asarray(d)
    kw: dict[str, Any] = {"n_nodes": TANH_NODES, "half_width": 20.0}
    direct = gaussian_mean(_tanh_dphi3, d, **kw)
    big = np.real(d) > 1.0
    if not np.any(big):
        return direct
    dd = np.where(big, d, 2.0)
    by_parts = (
        gaussian_mean(lambda x: _tanh_dphi(x) * x * x, dd, **kw)
        - dd * gaussian_mean(_tanh_dphi, dd, **kw)
    ) / (dd * dd)
    return np.where(big, by_parts, direct)


def _tanh() -> Nonlinearity:
    return Nonlinearity(
        "tanh",
        lambda d: gaussian_mean(_tanh_dphi, d, n_nodes=TANH_NODES, half_width=20.0),
        _tanh_mean_dphi3,
        phi=np.tanh,
    )


def _constant(name: str, value: float) -> Nonlinearity:
    def mean_dphi(d: Any) -> Any:
        return np.full(np.shape(d), value) + 0.0 * np.asarray(d)

    def mean_dphi3(d: Any) -> Any:
        return 0.0 * np.asarray(d)

    return Nonlinearity(name, mean_dphi, mean_dphi3, isolated_fixed_point=False)


#: Most trapezoid nodes for a user callable (refinement stops here; unconverged → NaN)
CALLABLE_MAX_NODES = 2**17 + 1
#: Relative agreement of two successive refinements that counts as converged
CALLABLE_RTOL = 1e-11


def refined_gaussian_mean(
    f: Callable[[NDArray[np.float64]], NDArray],
    delta: ArrayLike,
    *,
    n_nodes: int = CALLABLE_NODES,
    max_nodes: int = CALLABLE_MAX_NODES,
    rtol: float = CALLABLE_RTOL,
) -> NDArray:
    """:func:`gaussian_mean` with the step halved until two successive results agree to
    ``rtol`` (relative, or absolute against the integral of |f|) at every Δ; NaN where
    ``max_nodes`` is reached first. For a user φ nothing is known about where it varies: a fixed
    401-node grid was ~2e-4 off at large Δ (the step, 0.05√Δ, no longer resolves φ), and the
    refinement error estimate is what makes the answer trustworthy."""
    d = np.asarray(delta)
    n = int(n_nodes) | 1
    prev = gaussian_mean(f, d, n_nodes=n)
    scale = np.abs(gaussian_mean(lambda x: np.abs(f(x)), np.real(d), n_nodes=n))
    done = np.zeros(np.shape(prev), dtype=bool)
    while True:
        n = 2 * n - 1
        if n > max_nodes:
            return np.where(done, prev, np.nan)
        cur = gaussian_mean(f, d, n_nodes=n)
        done = np.abs(cur - prev) <= rtol * np.maximum(np.abs(cur), scale)
        prev = cur
        if np.all(done):
            return cur


def _callable(phi: Callable[[NDArray], NDArray], n_nodes: int = CALLABLE_NODES) -> Nonlinearity:
    def mean_dphi(d: Any) -> Any:
        d = np.asarray(d)
        return refined_gaussian_mean(lambda x: phi(x) * x, d, n_nodes=n_nodes) / d

    def mean_dphi3(d: Any) -> Any:
        d = np.asarray(d)
        return (
            refined_gaussian_mean(lambda x: phi(x) * x**3, d, n_nodes=n_nodes)
            - 3.0 * d * refined_gaussian_mean(lambda x: phi(x) * x, d, n_nodes=n_nodes)
        ) / d**3

    name = getattr(phi, "__name__", "callable")
    return Nonlinearity(name, mean_dphi, mean_dphi3, needs_positive_delta=True, phi=phi)


def get_nonlinearity(spec: NonlinearitySpec | Nonlinearity) -> Nonlinearity:
    """Resolve a ``nonlinearity=`` argument (a name, a callable φ, or a Nonlinearity)."""
    if isinstance(spec, Nonlinearity):
        return spec
    if callable(spec):
        return _callable(spec)
    _checks.check_choice("nonlinearity", spec, NONLINEARITIES + ("<callable φ>",))
    if spec == "erf":
        return _erf()
    if spec == "tanh":
        return _tanh()
    if spec == "relu":
        return _constant("relu", 0.5)
    return _constant("linear", 1.0)


def _require_converged(valid: _checks.Validity, out: Any, d: NDArray) -> None:
    """A NaN average at a valid Δ: the callable's quadrature did not converge."""
    valid.require(
        np.isfinite(out),
        "delta",
        d,
        f"small enough for the quadrature of a callable φ to converge within "
        f"{CALLABLE_MAX_NODES} nodes",
        "pass a named nonlinearity, or rescale φ",
    )


def _check_delta(delta: ArrayLike, nl: Nonlinearity) -> tuple[_checks.Validity, NDArray]:
    scalar = _checks.is_scalar_call(delta)
    (d,) = _checks.as_float64(delta=delta)
    valid = _checks.Validity(scalar, d.shape)
    valid.finite(delta=d)
    if nl.needs_positive_delta:
        valid.require(d > 0, "delta", d, "> 0", "a callable φ is averaged via ⟨φ x⟩/Δ")
    else:
        valid.require(d >= 0, "delta", d, ">= 0 (a variance)")
    return valid, d


@_checks.errors_option
def mean_dphi(delta: ArrayLike, nonlinearity: NonlinearitySpec = "erf") -> Any:
    """⟨φ'⟩ over N(0, Δ) (THEORY §2). Broadcasts; NaN / ValueError for Δ < 0.

    Accuracy (benchmarks/accuracy_contract.py, against mpmath): erf 1e-12 relative (closed
    form), tanh 1e-10 for Δ ∈ [0, 1e12], a callable 1e-9 for Δ up to ~1e6 (refined until two
    refinements agree to 1e-11; beyond the node cap ``delta`` is named)."""
    nl = get_nonlinearity(nonlinearity)
    valid, d = _check_delta(delta, nl)
    with np.errstate(all="ignore"):
        out = nl.mean_dphi(np.where(valid.mask, d, 1.0))
    _require_converged(valid, out, d)
    return valid.finish(out)


@_checks.errors_option
def mean_dphi3(delta: ArrayLike, nonlinearity: NonlinearitySpec = "erf") -> Any:
    """⟨φ'''⟩ over N(0, Δ) (THEORY §2). Broadcasts; NaN / ValueError for Δ < 0.

    Accuracy: as :func:`mean_dphi` (a callable: 1e-8; tanh uses integration by parts above
    Δ = 1, so the O(Δ^{-3/2}) value keeps its digits up to Δ = 1e12)."""
    nl = get_nonlinearity(nonlinearity)
    valid, d = _check_delta(delta, nl)
    with np.errstate(all="ignore"):
        out = nl.mean_dphi3(np.where(valid.mask, d, 1.0))
    _require_converged(valid, out, d)
    return valid.finish(out)
