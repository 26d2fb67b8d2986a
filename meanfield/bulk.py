"""Random bulk connectivity g > 0: the dynamic mean-field theory of THEORY.md §7.

W = g·χ + U M Uᵀ/N, χᵢⱼ ~ N(0, 1/N), private noise σ. The input of a unit is x = κ·u + η,
with η a stationary Gaussian process of autocorrelation Δ(τ), Δ(0) = c₀, Δ(∞) = c∞. With
v = σ_x² = ‖κ̄‖² + c₀ (the total input variance) and K = ‖κ̄‖², two inputs of one unit at
lag τ have covariance y = K + Δ(τ); C_φ(y; v) = ⟨φ(x_a)φ(x_b)⟩ and
I_φ(y; v) = ∫₀^y C_φ (= C_Φ(y) − C_Φ(0), Φ' = φ). The theory's equations:

1. motion: Δ̈ = Δ − g²·C_φ(K + Δ; v) for τ > 0, Δ̇(0⁺) = −σ² (the white noise's kink);
2. rest at ∞:  c∞ = g²·C_φ(K + c∞; v)  — the smallest root (a maximum of the potential
   V(Δ) = −Δ²/2 + g²·I_φ(K + Δ; v), which the "particle" Δ approaches as τ → ∞);
3. energy between τ = 0⁺ and ∞:  σ⁴ − (c₀² − c∞²) + 2g²·(I_φ(K + c₀; v) − I_φ(K + c∞; v)) = 0;
4. fixed point (§2 with the total variance): λ₊⟨φ'⟩(v) = 1, K = v − c₀ ≥ 0.

Above the critical λ_c(g, σ) = 1/⟨φ'⟩(c_b) — c_b the c₀ of the state without a fixed point
(K = 0, c∞ = 0, v = c₀: σ⁴ − c₀² + 2g²·I_φ(c₀; c₀) = 0) — the fixed point exists, v is set by
λ₊ alone, and (2)–(3) give c₀, c∞; below it κ̄ = 0 and the bulk state (noisy for g < 1,
chaotic for g > 1) sets v = c_b. g = 0 gives c₀ = σ², c∞ = 0 (THEORY §2).

Kernels: for erf the closed forms derived in :mod:`meanfield.symbolic.bulk` (generated code);
for tanh a 2-d trapezoid rule in the standard-normal variables (Φ = log cosh; see
``_Kernels._nodes`` for the spacing that keeps it at ~1e-14). The solvers are vectorised:
Newton from 0 for c∞ (monotone from the left on the convex h(c) = g²C_φ − c), bisection on
c₀ for (3); every returned point carries the residual of (2) and (3) (``BulkState.residual``).
Domain: σ > 0, g ≥ 0, erf or tanh, continuous time (no ``dt`` yet).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from ._repr import concise_repr
from .nonlinearities import NonlinearitySpec, get_nonlinearity

__all__ = ["BulkState", "bulk_autocorrelation", "bulk_lambda_min", "bulk_state"]

_BISECT = 200  # bisection steps: stops at floating-point resolution long before
_NEWTON = 100


class BulkState(NamedTuple):
    """The stationary DMFT state of a rank-2 + bulk network (THEORY §7); arrays of the
    broadcast shape of the arguments (floats for a scalar call).

    **Fields**
      c0: Δ(0), the equal-time variance of the orthogonal input η.
      c_inf: Δ(∞) ≤ c0, its static (quenched) part.
      kappa_norm: ‖κ̄‖ (0 below the critical λ₊).
      sigma_x2: v = ‖κ̄‖² + c0, the total input variance.
      lambda_c: the critical λ₊(g, σ) above which the fixed point exists.
      fixed_point: True where λ₊ > λ_c.
      residual: max |residual| of the rest and energy equations at the returned point.
    """

    c0: Any
    c_inf: Any
    kappa_norm: Any
    sigma_x2: Any
    lambda_c: Any
    fixed_point: Any
    residual: Any

    def __repr__(self) -> str:
        return concise_repr(self)


# ----------------------------------------------------------------------------- kernels
class _Kernels:
    """C_φ, ∂C_φ/∂y, I_φ and ⟨φ'⟩ of one nonlinearity (y, v broadcast; 0 ≤ y ≤ v)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.nl = get_nonlinearity(name)

    @staticmethod
    def _nodes(v: NDArray) -> tuple[NDArray, NDArray]:
        """Trapezoid nodes and Gaussian weights on z ∈ [−10, 10] (exponentially accurate for
        tanh, whose poles lie at distance π/(2√v) from the real z axis: spacing
        h = min(0.1, 0.3/√v) keeps the error below ~e^{−π²/(h√v)} ≈ 1e-14)."""
        vmax = float(np.nanmax(v)) if np.size(v) else 1.0
        h = min(0.1, 0.3 / np.sqrt(max(vmax, 1e-12)))
        z = np.arange(-10.0, 10.0 + h / 2, h)
        return z, h * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)

    def mean_dphi(self, v: NDArray) -> NDArray:
        return self.nl.mean_dphi(v)

    def _pair(self, f: Any, y: NDArray, v: NDArray, *, squared_mean: bool = True) -> NDArray:
        """Σ_i w_i (Σ_j w_j f(√y z_i + √(v−y) z_j))²: ⟨f(x_a)f(x_b)⟩ at covariance y."""
        y, v = np.broadcast_arrays(np.asarray(y, float), np.asarray(v, float))
        z, w = self._nodes(v)
        yf, vf = y.ravel(), v.ravel()
        out = np.empty(yf.shape)
        chunk = max(1, 2**22 // (z.size * z.size))  # ≤ 32 MB per temporary array
        for i in range(0, yf.size, chunk):
            sl = slice(i, i + chunk)
            a = np.sqrt(np.maximum(yf[sl], 0.0))[:, None, None] * z[:, None]
            b = np.sqrt(np.maximum(vf[sl] - yf[sl], 0.0))[:, None, None] * z[None, :]
            inner = np.sum(f(a + b) * w[None, :], axis=-1)
            out[sl] = np.sum(inner * inner * w, axis=-1)
        return out.reshape(y.shape)

    def C(self, y: NDArray, v: NDArray) -> NDArray:
        if self.name == "erf":
            from . import _generated

            return _generated.erf_bulk_C_phi(y, v)
        return self._pair(np.tanh, y, v)

    def dC(self, y: NDArray, v: NDArray) -> NDArray:
        if self.name == "erf":
            from . import _generated

            return _generated.erf_bulk_dC_phi(y, v)
        return self._pair(lambda x: 1.0 - np.tanh(x) ** 2, y, v)

    def I(self, y: NDArray, v: NDArray) -> NDArray:  # noqa: E743 - the theory's name
        if self.name == "erf":
            from . import _generated

            return _generated.erf_bulk_I_phi(y, v)

        def logcosh(x: NDArray) -> NDArray:
            return np.logaddexp(x, -x) - np.log(2.0)

        return self._pair(logcosh, y, v) - self._pair(logcosh, np.zeros_like(y), v)


def _kernels(nonlinearity: NonlinearitySpec) -> _Kernels:
    name = nonlinearity if isinstance(nonlinearity, str) else getattr(nonlinearity, "name", None)
    if name not in ("erf", "tanh"):
        raise _checks.invalid(
            "nonlinearity",
            nonlinearity if isinstance(nonlinearity, str) else name,
            "'erf' or 'tanh' when g > 0",
            "the bulk kernels C_φ, I_φ are derived for these two",
        )
    return _Kernels(name)


# ----------------------------------------------------------------------------- solvers
def _c_inf(K: NDArray, c0: NDArray, v: NDArray, g2: NDArray, ker: _Kernels) -> NDArray:
    """Smallest root of h(c) = g²C_φ(K + c; v) − c in [0, c0]; NaN where there is none.

    h is convex (∂²C_φ/∂y² = ⟨φ''φ''⟩ ≥ 0) with h(0) ≥ 0, so Newton from c = 0 increases
    monotonically to the smallest root while h' < 0; h' ≥ 0 with h > 0 means no root.
    """
    c = np.zeros_like(c0)
    ok = np.ones(c.shape, dtype=bool)
    for _ in range(_NEWTON):
        h = g2 * ker.C(K + c, v) - c
        dh = g2 * ker.dC(K + c, v) - 1.0
        stuck = (dh >= 0) & (h > 0)
        ok &= ~stuck
        step = np.where(ok & (dh < 0), -h / np.where(dh < 0, dh, -1.0), 0.0)
        c = c + step
        # quadratic convergence: a step below 1e-13·c means the next one is at rounding level
        if np.all((np.abs(step) <= 1e-13 * np.maximum(c, 1e-300)) | ~ok | ~np.isfinite(c)):
            break
    h = g2 * ker.C(K + c, v) - c  # one last Newton step at the converged point
    dh = g2 * ker.dC(K + c, v) - 1.0
    c = np.where(ok & (dh < 0), c - h / np.where(dh < 0, dh, -1.0), c)
    ok &= c <= c0 * (1 + 1e-12)
    return np.where(ok, c, np.nan)


def _energy(
    c0: NDArray, cinf: NDArray, K: NDArray, v: NDArray, s4: NDArray, g2: NDArray, ker: _Kernels
) -> NDArray:
    """Left-hand side of the energy equation (3)."""
    return s4 - (c0 * c0 - cinf * cinf) + 2.0 * g2 * (ker.I(K + c0, v) - ker.I(K + cinf, v))


def _bisect(f: Any, lo: NDArray, hi: NDArray) -> NDArray:
    """Vectorised bisection for f(lo) > 0 ≥ f(hi) (NaN f counts as > 0: c0 too small)."""
    for _ in range(_BISECT):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        pos = ~(fm <= 0)
        lo, hi = np.where(pos, mid, lo), np.where(pos, hi, mid)
        if np.all((hi - lo <= 4e-16 * np.abs(hi)) | ~np.isfinite(hi - lo)):
            break
    return 0.5 * (lo + hi)


def _bulk_only(s4: NDArray, g2: NDArray, ker: _Kernels) -> NDArray:
    """c_b: the c₀ of the state without fixed point (K = 0, c∞ = 0, v = c₀)."""
    hi = g2 + np.sqrt(g2 * g2 + s4) + 1.0  # |C_φ| ≤ 1: the energy is < 0 beyond

    def energy(c: NDArray) -> NDArray:
        return s4 - c * c + 2.0 * g2 * ker.I(c, c)

    return _bisect(energy, np.zeros_like(hi), hi)


def _critical(s4: NDArray, g2: NDArray, ker: _Kernels) -> tuple[NDArray, NDArray]:
    """(c_b, λ_c): the bulk state without fixed point and the critical λ₊ = 1/⟨φ'⟩(c_b)."""
    cb = _bulk_only(s4, g2, ker)
    return cb, 1.0 / ker.mean_dphi(cb)


def _sigma_x2(lam: NDArray, ker: _Kernels) -> NDArray:
    """v with λ₊⟨φ'⟩(v) = 1 (the fixed-point condition with the total variance)."""
    if ker.name == "erf":  # ‖κ̄‖² of THEORY §2 at c₀ = 0 is the total variance
        from . import _generated

        return _generated.erf_kappa_norm_sq(lam, np.zeros_like(lam))
    # λ⟨φ'⟩(v) − 1 decreases from λ − 1 > 0 at v = 0 (⟨φ'⟩(0) = 1 for tanh) and is < 0 at
    # v_hi: ⟨φ'⟩(v) ≤ √(2/(πv)) for tanh
    hi = 2.0 * lam * lam / np.pi * 4.0 + 10.0
    return _bisect(lambda vv: lam * ker.mean_dphi(vv) - 1.0, np.zeros_like(hi), hi)


def _solve(lam: NDArray, sig: NDArray, g: NDArray, ker: _Kernels) -> BulkState:
    s4, g2 = sig**4, g * g
    cb, lam_c = _critical(s4, g2, ker)
    above = lam > lam_c
    v = np.where(above, _sigma_x2(np.where(above, lam, 2.0 * lam_c), ker), cb)

    def energy(c0: NDArray) -> NDArray:
        K = np.maximum(v - c0, 0.0)
        cinf = _c_inf(K, c0, v, g2, ker)
        return _energy(c0, cinf, K, v, s4, g2, ker)

    # (bulk_lambda_min asks below λ_c everywhere: no fixed-point branch to solve)
    c0_fp = _bisect(energy, np.zeros_like(v), v) if np.any(above) else v
    c0 = np.where(above, c0_fp, cb)
    K = np.where(above, np.maximum(v - c0, 0.0), 0.0)
    cinf = np.where(above, _c_inf(K, c0, v, g2, ker), 0.0)
    # the state without fixed point needs c∞ = 0 to be a maximum of V: g²⟨φ'⟩²(c_b) ≤ 1
    stable0 = above | (g2 * ker.mean_dphi(cb) ** 2 <= 1.0 + 1e-12)
    rest = g2 * ker.C(K + cinf, v) - cinf
    en = _energy(c0, cinf, K, v, s4, g2, ker)
    scale = np.maximum(c0 * c0 + s4, 1e-300)
    residual = np.maximum(np.abs(rest) / np.maximum(c0, 1e-300), np.abs(en) / scale)
    bad = ~stable0 | ~np.isfinite(residual) | (cinf > c0 * (1 + 1e-12))
    nan = np.nan
    return BulkState(
        c0=np.where(bad, nan, c0),
        c_inf=np.where(bad, nan, cinf),
        kappa_norm=np.where(bad, nan, np.sqrt(K)),
        sigma_x2=np.where(bad, nan, v),
        lambda_c=lam_c,
        fixed_point=above,
        residual=np.where(bad, nan, residual),
    )


def _inputs(
    lambda_plus: ArrayLike, sigma: ArrayLike, g: ArrayLike
) -> tuple[_checks.Validity, NDArray, NDArray, NDArray]:
    lam, sig, gg = _checks.as_float64(lambda_plus=lambda_plus, sigma=sigma, g=g)
    valid = _checks.Validity(_checks.is_scalar_call(lambda_plus, sigma, g), lam.shape)
    valid.finite(lambda_plus=lam, sigma=sig, g=gg)
    valid.require(lam > 0, "lambda_plus", lam, "> 0")
    valid.require(lam <= _checks.MAX_LAMBDA, "lambda_plus", lam, f"<= {_checks.MAX_LAMBDA:g}")
    valid.require(sig > 0, "sigma", sig, "> 0 (the bulk theory needs the noise's kink)")
    valid.require(gg >= 0, "g", gg, ">= 0 (the bulk gain)")
    m = valid.mask
    return valid, np.where(m, lam, 2.0), np.where(m, sig, 1.0), np.where(m, gg, 0.5)


# Simpson grid of the autocorrelation curve: u = 14 s², s uniform, dense near τ = 0 where the
# kinetic energy can change fast (small σ, large g), 0.007 apart at the far end
_U = 14.0 * np.linspace(0.0, 1.0, 4001) ** 2


def _delta_curve(
    st: BulkState, sigma: Any, g: Any, ker: _Kernels
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Δ(τ) of the states ``st`` (shape S) on the grid D = c∞ + (c₀ − c∞)e^{−u}, u ∈ ``_U``.

    Energy conservation gives dτ/du = (c₀ − c∞)e^{−u}/√(2(E₀ − V(D))), V(D) = −D²/2 +
    g²I_φ(K + D; v), E₀ = σ⁴/2 + V(c₀) = V(c∞); the kinetic energy E₀ − V(D) is the
    difference itself before the fastest point and the integral of the force
    D − g²C_φ(K + D; v) from c∞ after it. τ(u) by cumulative Simpson, after the start's
    near-singular part (kinetic energy linear in u) is integrated in closed form. Beyond the
    last point Δ − c∞ decays as e^{−kτ}, k = √(−V''(c∞)) = √(1 − g²∂C_φ(K + c∞)).

    **Returns** D, dτ/du, τ — each S + (len(_U),) — and k (S).
    """
    from scipy.integrate import cumulative_simpson

    c0, ci = np.asarray(st.c0, float), np.asarray(st.c_inf, float)
    K, v = np.asarray(st.kappa_norm, float) ** 2, np.asarray(st.sigma_x2, float)
    g2 = np.asarray(g, float) ** 2
    s4 = np.asarray(sigma, float) ** 4
    c0_, ci_, K_, v_, g2_ = (np.asarray(a)[..., None] for a in (c0, ci, K, v, g2))
    excess = (c0_ - ci_) * np.exp(-_U)  # D − c∞ = −dD/du, kept apart from c∞'s rounding
    D = ci_ + excess

    def V(d: NDArray) -> NDArray:
        return -0.5 * d * d + g2_ * ker.I(K_ + d, v_)

    k = np.sqrt(np.maximum(1.0 - g2 * ker.dC(K + ci, v), 0.0))
    with np.errstate(all="ignore"):
        # kinetic energy E₀ − V(D) = ∫_{c∞}^{D} (x − g²C_φ(K + x; v)) dx (zero at the top c∞),
        # integrated in u from the far end, where it is ½k²(D − c∞)² to O((D − c∞)³): the
        # difference E₀ − V(D) of two O(c₀²) numbers lost the tail to the kernels' rounding
        # (1e-11 relative for erf's I_φ; dτ/du then jumped and τ(u) was not monotone at g = 1)
        # Before the fastest point E₀ − V(D) directly (its rounding is negligible against
        # the kinetic energy there), after it the integral from c∞; the two differ by the
        # state's energy residual, negligible against the largest kinetic energy
        force = D - g2_ * ker.C(K_ + D, v_)
        q = force * excess  # d(kinetic)/du = −q
        kin_end = 0.5 * (k[..., None] * (D[..., -1:] - ci_)) ** 2
        tail = (
            kin_end + cumulative_simpson(q[..., ::-1], x=-_U[::-1], initial=0.0, axis=-1)[..., ::-1]
        )
        kin0 = s4[..., None] / 2.0  # the kinetic energy at c₀
        head = kin0 + V(c0_) - V(D)  # exact energy, as the motion from c₀ has
        fastest = np.argmax(tail, axis=-1)[..., None]
        kinetic = np.where(np.arange(_U.size) <= fastest, head, tail)
        tiny = np.finfo(float).tiny
        dtau = excess / np.sqrt(2.0 * np.maximum(kinetic, tiny))
        # the start: kinetic ≈ σ⁴/2 + κ₁u (κ₁ = V'(c₀)(c₀ − c∞), taken ≥ 0) varies on the
        # scale u ~ σ⁴/κ₁, below the grid's resolution for small σ and large g (τ was then
        # 5e-5 off). Its part f₀ = (c₀ − c∞)/√(2(σ⁴/2 + κ₁u)) is integrated exactly,
        # Simpson gets the smooth rest.
        k1 = np.maximum((-c0_ + g2_ * ker.C(K_ + c0_, v_)) * (c0_ - ci_), 0.0)
        root0, root = np.sqrt(kin0), np.sqrt(kin0 + k1 * _U)
        f0 = (c0_ - ci_) / np.sqrt(2.0) / root
        F0 = (c0_ - ci_) * np.sqrt(2.0) * _U / (root + root0)
    taus = cumulative_simpson(dtau - f0, x=_U, initial=0.0, axis=-1) + F0
    return D, dtau, taus, k


# ----------------------------------------------------------------------------- public API
@_checks.errors_option
def bulk_state(
    lambda_plus: ArrayLike, sigma: ArrayLike, g: ArrayLike, nonlinearity: NonlinearitySpec = "erf"
) -> BulkState:
    """The stationary DMFT state (c₀, c∞, ‖κ̄‖, σ_x², λ_c) of THEORY §7.

    **Arguments** lambda_plus: λ₊ > 0 (any shape); sigma: noise σ > 0; g: bulk gain ≥ 0;
    nonlinearity: ``"erf"`` or ``"tanh"``. Broadcasts.

    **Returns** :class:`BulkState`. Scalar calls raise ValueError naming the parameter
    out of range, or (``"no stationary solution"``) where the state without fixed point
    would need c∞ > 0 (a frozen state this theory does not cover); array calls give NaN
    there (``meanfield.errors`` changes that).

    Example: ``bulk_state(2.0, 0.5, 0.9).c_inf`` — the quenched variance the bulk feeds back.

    **Accuracy** every returned point solves the rest, energy and fixed-point equations to
    |residual| < 1e-10 (``residual`` reports it; tests/meanfield/test_bulk.py over g ∈
    [0.3, 2.5], σ ∈ [0.1, 1]); erf kernels are closed forms, tanh's a 2-d trapezoid at ~1e-14.
    """
    ker = _kernels(nonlinearity)
    valid, lam, sig, gg = _inputs(lambda_plus, sigma, g)
    with np.errstate(all="ignore"):
        st = _solve(lam, sig, gg, ker)
    valid.require(
        np.isfinite(st.c0),
        "g",
        gg,
        "a value with a stationary solution",
        "no stationary solution of the DMFT found here (c∞ of the state without "
        "fixed point would not be a maximum of the potential)",
    )
    out = {
        f: valid.finish(np.asarray(getattr(st, f), float))
        for f in BulkState._fields
        if f != "fixed_point"
    }
    fp = np.asarray(st.fixed_point) & valid.mask
    out["fixed_point"] = bool(fp) if valid.scalar else fp
    return BulkState(**out)


def bulk_lambda_min(sigma: ArrayLike, g: ArrayLike, nonlinearity: NonlinearitySpec = "erf") -> Any:
    """λ_c(g, σ) = 1/⟨φ'⟩(c_b): the smallest λ₊ with a nonzero fixed point (THEORY §7).
    g = 0 gives :func:`meanfield.lambda_min` (c_b = σ²). Broadcasts. Accuracy: as
    :func:`bulk_state` (c_b by bisection to floating-point resolution)."""
    st = bulk_state(
        np.ones(np.broadcast_shapes(np.shape(sigma), np.shape(g)))
        if not _checks.is_scalar_call(sigma, g)
        else 1.0,
        sigma,
        g,
        nonlinearity,
    )
    return st.lambda_c


def bulk_autocorrelation(
    lambda_plus: float,
    sigma: float,
    g: float,
    tau: ArrayLike,
    nonlinearity: NonlinearitySpec = "erf",
) -> NDArray[np.float64]:
    """Δ(τ) [len(tau)] of the orthogonal input for one parameter point (THEORY §7).

    From energy conservation, τ(Δ) = ∫_Δ^{c₀} dD / √(2(E₀ − V(D))) with
    V(D) = −D²/2 + g²I_φ(K + D; v) and E₀ = σ⁴/2 + V(c₀); the substitution
    D = c∞ + (c₀ − c∞)e^{−u} makes the integrand smooth (cumulative Simpson on 4001 points in
    u up to u = 14, dense near u = 0; between them u(τ) is a cubic Hermite interpolant with
    the exact slope), and beyond it Δ − c∞ decays as e^{−kτ}, k = √(−V''(c∞)), matched there.
    g = 0 gives σ²e^{−τ}. ``tau`` ≥ 0, any 1-d grid.

    **Accuracy** Δ(τ) − c∞ to 1e-8 relative of itself (down to 0.005(c₀ − c∞)) against an
    independent nested adaptive quadrature of τ(Δ) (measured worst 2e-10 over 40 points,
    σ ∈ [1e-2, 3], g ∈ [0.05, 3], λ₊ ∈ [1, 10]; tests/meanfield/test_accuracy_contract.py),
    and monotone everywhere, the edge of chaos g = 1 included.
    """
    for name, value in (("lambda_plus", lambda_plus), ("sigma", sigma), ("g", g)):
        if np.ndim(value) != 0:
            raise _checks.invalid(name, value, "a scalar (one parameter point per call)")
    (t,) = _checks.as_float64(tau=tau)
    if t.ndim != 1 or not np.all(np.isfinite(t)) or np.any(t < 0):
        raise _checks.invalid("tau", f"array of shape {t.shape}", "a 1-d grid of finite τ >= 0")
    from scipy.interpolate import CubicHermiteSpline

    st = bulk_state(lambda_plus, sigma, g, nonlinearity)
    ker = _kernels(nonlinearity)
    c0, ci = float(st.c0), float(st.c_inf)
    D, dtau, taus, k = _delta_curve(st, float(sigma), float(g), ker)
    # u(τ) between the nodes: cubic Hermite with the known slope du/dτ = 1/(dτ/du) — linear
    # interpolation was 1e-6 c₀ off where the motion starts slowly (small σ, large g)
    inner = t <= taus[-1]
    out = np.empty_like(t)
    out[inner] = ci + (c0 - ci) * np.exp(-CubicHermiteSpline(taus, _U, 1.0 / dtau)(t[inner]))
    tail = ~inner
    out[tail] = ci + (D[-1] - ci) * np.exp(-k * (t[tail] - taus[-1]))
    return out
