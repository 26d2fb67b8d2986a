"""The THEORY §2/§3 derivation: from the Gaussian averages of erf to the closed-form L_var and the
two-phase learning curves of a linear network (see :mod:`meanfield.symbolic` for the pipeline).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import sympy as sp

from .symbols import (
    _K,
    ALPHA,
    Delta,
    N,
    Result,
    _a,
    _b,
    _gaussian_average,
    _result,
    _unit,
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

__all__ = ["Derivation", "derive"]


class Derivation(NamedTuple):
    """All results of :func:`derive` (each a :class:`Result`, plus consistency checks)."""

    mean_dphi: Result
    mean_dphi3: Result
    gain_curvature: Result
    latent_drift: Result
    jacobian: Result
    lambda_min: Result
    kappa_norm_sq: Result
    rho_large: Result
    rho_small: Result
    fluctuation_matrix: Result
    lyapunov_2x2: Result
    v_orth: Result
    v_orth_general: Result
    sigma11_symmetric: Result
    loss_var_large: Result
    loss_var_small: Result
    two_phase: dict
    checks: dict


# ----------------------------------------------------------------------------- derive
@functools.lru_cache(maxsize=1)
def derive() -> Derivation:
    """Run the whole THEORY §2/§3 derivation (~30–45 s of CPU; lru_cached per process).

    Returns a :class:`Derivation`; every field except ``two_phase`` (dict name -> Result) and
    ``checks`` (dict name -> bool, all must be True) is a :class:`Result`.
    """
    checks: dict[str, bool] = {}
    phi = sp.erf(ALPHA * x)

    # --- 1. Gaussian averages (THEORY §2 "Reference nonlinearity")
    m1 = _gaussian_average(sp.diff(phi, x), Delta)
    m3 = _gaussian_average(sp.diff(phi, x, 3), Delta)
    q_of_delta = sp.simplify(m3 / m1)
    # Stein / heat-equation identity d⟨φ'⟩/dΔ = ⟨φ'''⟩/2, used below for the Jacobian
    checks["heat_equation"] = sp.simplify(sp.diff(m1, Delta) - m3 / 2) == 0

    def g(delta: sp.Expr) -> sp.Expr:
        return m1.subs(Delta, delta)

    # --- 2. latent dynamics and fixed point
    m11, m12, m21, m22 = sp.symbols("m_11 m_12 m_21 m_22", real=True)
    Mgen = sp.Matrix([[m11, m12], [m21, m22]])
    kap = sp.Matrix([kappa1, kappa2])
    drift = -kap + g(kappa1**2 + kappa2**2 + c0) * Mgen * kap
    jac = drift.jacobian(kap)

    # M with eigenvectors v± = (cos θ±, sin θ±), eigenvalues λ±; κ̄ = k v₊
    th_p, th_m = sp.symbols("theta_p theta_m", real=True)
    k = sp.Symbol("k", positive=True)
    V = sp.Matrix.hstack(_unit(th_p), _unit(th_m))
    M_eig = V * sp.diag(lam_p, lam_m) * V.inv()
    kbar = k * _unit(th_p)
    on_eig = {m11: M_eig[0, 0], m12: M_eig[0, 1], m21: M_eig[1, 0], m22: M_eig[1, 1]}
    on_eig_point = {**on_eig, kappa1: kbar[0], kappa2: kbar[1]}
    drift_at = drift.subs(on_eig_point)
    gk = sp.simplify(g(k**2 + c0))
    # F(κ̄) = (λ₊⟨φ'⟩ − 1) κ̄  -> the fixed point condition is λ₊⟨φ'⟩(‖κ̄‖² + c₀) = 1
    checks["drift_on_eigenvector"] = sp.simplify(
        sp.trigsimp(drift_at - (lam_p * gk - 1) * kbar)
    ) == sp.zeros(2, 1)
    sol_K = sp.solve(sp.Eq(lam_p * g(_K + c0), 1), _K)
    assert len(sol_K) == 1, sol_K
    K_c0 = sp.simplify(sol_K[0])  # ‖κ̄‖² as function of (λ₊, c₀)
    sol_lmin = [s for s in sp.solve(sp.Eq(K_c0, 0), lam_p) if s.is_positive is not False]
    assert len(sol_lmin) == 1, sol_lmin
    lmin_c0 = sp.simplify(sol_lmin[0])
    K_sig = sp.simplify(K_c0.subs(c0, sigma**2))
    lmin_sig = sp.simplify(lmin_c0.subs(c0, sigma**2))

    # --- 3. ρ for L_bias = 0: z̄ = s√N κ̄₁ = s√N ‖κ̄‖ ρ = ẑ
    s_out = sp.Symbol("s", positive=True)
    sol_rho = sp.solve(sp.Eq(s_out * sp.sqrt(N) * sp.sqrt(K_sig) * rho, z), rho)
    assert len(sol_rho) == 1
    rho_s = sol_rho[0]
    rho_large = sp.simplify(rho_s.subs(s_out, 1))
    rho_small = sp.simplify(rho_s.subs(s_out, 1 / sp.sqrt(N)))
    checks["rho_small_N_independent"] = N not in rho_small.free_symbols

    # --- 4a. Jacobian at κ̄ vs A = −I + ⟨φ'⟩M + q κ̄κ̄ᵀ
    fixed = {c0: sp.Symbol("c_0", positive=True)}  # keep c₀ general here
    del fixed
    jac_at = jac.subs(on_eig_point)
    q_at = q_of_delta.subs(Delta, k**2 + c0)
    A_form = -sp.eye(2) + gk * M_eig + q_at * kbar * kbar.T
    diffA = (jac_at - A_form).applyfunc(lambda e: sp.simplify(sp.trigsimp(e)))
    # holds once λ₊⟨φ'⟩ = 1 (Mκ̄ = λ₊κ̄ enters through 2⟨φ'⟩' M κ̄ κ̄ᵀ = λ₊⟨φ'''⟩ κ̄κ̄ᵀ)
    at_fp = {k: sp.sqrt(K_c0)}
    checks["jacobian_is_A"] = diffA.subs(at_fp).applyfunc(sp.simplify) == sp.zeros(2, 2)
    # v₊ is a right eigenvector of A with eigenvalue γ = q‖κ̄‖² (uses λ₊⟨φ'⟩ = 1)
    gamma_c0 = sp.simplify((q_at * k**2).subs(at_fp))
    Av = (A_form * _unit(th_p)).subs(at_fp)
    checks["v_plus_eigvec_of_A"] = (Av - gamma_c0 * _unit(th_p)).applyfunc(
        lambda e: sp.simplify(sp.trigsimp(e))
    ) == sp.zeros(2, 1)

    # --- 4b. Lyapunov A Σ + Σ Aᵀ + d I = 0 for a general 2×2 A (closed form)
    a11, a12, a21, a22, dd = sp.symbols("a_11 a_12 a_21 a_22 d", real=True)
    s11, s12, s22 = sp.symbols("s_11 s_12 s_22", real=True)
    Agen = sp.Matrix([[a11, a12], [a21, a22]])
    Sgen = sp.Matrix([[s11, s12], [s12, s22]])
    lyap_eq = Agen * Sgen + Sgen * Agen.T + dd * sp.eye(2)
    lyap = sp.solve([lyap_eq[0, 0], lyap_eq[0, 1], lyap_eq[1, 1]], [s11, s12, s22], dict=True)[0]
    lyap_vec = sp.Matrix([sp.factor(lyap[s11]), sp.factor(lyap[s12]), sp.factor(lyap[s22])])

    # --- 4c. gain term: orthogonal variance ĉ = c₀ + δc/√N drives κ along ∂F/∂c₀ at κ̄
    forcing = sp.diff(drift, c0).subs(on_eig_point)
    coupling = sp.simplify(sp.trigsimp((forcing.T * _unit(th_p))[0]))  # component along v₊
    checks["gain_forcing_along_v_plus"] = (forcing - coupling * _unit(th_p)).applyfunc(
        lambda e: sp.simplify(sp.trigsimp(e))
    ) == sp.zeros(2, 1)
    coupling = sp.simplify(coupling.subs(at_fp))
    # autocovariance of √N(ĉ − c₀): Cov(x_t², x_0²) for a unit-rate OU with variance c₀
    t, u, v = sp.symbols("t u v", positive=True)
    xi0, xi1 = sp.symbols("xi_0 xi_1", real=True)
    x0 = sp.sqrt(c0) * xi0
    xt = sp.exp(-t) * x0 + sp.sqrt(c0 * (1 - sp.exp(-2 * t))) * xi1
    std = lambda e, var: sp.integrate(  # noqa: E731
        e * sp.exp(-(var**2) / 2) / sp.sqrt(2 * sp.pi), (var, -sp.oo, sp.oo)
    )
    autocov = sp.simplify(std(std(sp.expand(xt**2 * x0**2), xi0), xi1) - c0**2)
    # response y along v₊: dy/dt = γ y + coupling·δc  ->  Var y = coupling² ∬ e^{γ(u+v)} C(u−v)
    gam = sp.Symbol("gamma", negative=True)
    inner = sp.integrate(sp.exp(gam * (u + v)) * autocov.subs(t, u - v), (v, 0, u))
    var_y = sp.simplify(2 * sp.integrate(sp.expand(inner), (u, 0, sp.oo)))
    v_orth_c0 = sp.simplify((coupling**2 * var_y).subs(gam, gamma_c0))
    v_orth_sig = sp.simplify(v_orth_c0.subs(c0, sigma**2))
    v_orth_sig = sp.factor(sp.simplify(v_orth_sig.subs(lam_p, lam_p)))
    # the same for any φ: the coupling along v₊ is (q/2)‖κ̄‖ (heat equation + λ₊⟨φ'⟩ = 1), so
    # coupling² = γ²/(4‖κ̄‖²) and v_orth depends on φ only through γ = q‖κ̄‖² and ‖κ̄‖²
    checks["coupling_is_gamma_over_2k"] = sp.simplify(coupling**2 - gamma_c0**2 / (4 * K_c0)) == 0
    v_orth_gen = sp.simplify(gam**2 / (4 * _K) * var_y)
    if isinstance(v_orth_gen, sp.Piecewise):  # integration splits off γ = −2; both agree there
        generic, special = v_orth_gen.args[0][0], v_orth_gen.args[-1][0]
        checks["v_orth_general_continuous"] = (
            sp.simplify(generic.subs(gam, -2) - special.subs(gam, -2)) == 0
        )
        v_orth_gen = generic
    v_orth_gen = sp.factor(v_orth_gen)
    checks["v_orth_general_matches_erf"] = (
        sp.simplify(v_orth_gen.subs({gam: gamma_c0, _K: K_c0}) - v_orth_c0) == 0
    )

    # --- 4d. symmetric M: θ₋ = θ₊ + π/2, general θ₊ = θ; Σ = Σ_A + v_orth v₊v₊ᵀ
    R = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
    M_sym = R * sp.diag(lam_p, lam_m) * R.T
    kb_sym = k * _unit(theta)
    A_sym = -sp.eye(2) + gk * M_sym + q_at * kb_sym * kb_sym.T
    checks["symmetric_M_is_special_case"] = (
        M_eig.subs({th_p: theta, th_m: theta + sp.pi / 2}) - M_sym
    ).applyfunc(lambda e: sp.simplify(sp.trigsimp(e))) == sp.zeros(2, 2)
    sub_A = {a11: A_sym[0, 0], a12: A_sym[0, 1], a21: A_sym[1, 0], a22: A_sym[1, 1]}
    sigA11 = lyap[s11].subs(sub_A).subs(dd, 2 * sigma**2)
    sig11 = sigA11 + v_orth_c0 * sp.cos(theta) ** 2
    sig11 = sig11.subs(k, sp.sqrt(K_c0)).subs(c0, sigma**2)
    sig11 = sp.simplify(sp.trigsimp(sp.simplify(sig11)))
    sig11 = sig11.subs(sp.sin(theta) ** 2, 1 - rho**2).subs(sp.cos(theta) ** 2, rho**2)
    sig11 = sp.simplify(sig11.subs(sp.cos(theta), rho))
    checks["sigma11_depends_on_rho_only"] = theta not in sig11.free_symbols
    sig11 = sp.factor(sp.simplify(sig11))

    # fluctuation matrix of the symmetric case, at the fixed point (for display/numerics)
    A_sym_fp = A_sym.subs(k, sp.sqrt(K_c0)).subs(c0, sigma**2).applyfunc(sp.simplify)

    # loss L_var = s² Σ₁₁ with ρ from L_bias = 0
    loss_large = sig11.subs(rho, rho_large)
    loss_small = sig11.subs(rho, rho_small) / N

    # --- THEORY §3
    two_phase = _derive_two_phase(lyap)

    return Derivation(
        mean_dphi=_result(
            "erf_mean_dphi",
            m1,
            (Delta,),
            ("delta",),
            "⟨φ'⟩ over N(0, Δ), φ = erf(√π/2 x) (THEORY §2)",
        ),
        mean_dphi3=_result(
            "erf_mean_dphi3", m3, (Delta,), ("delta",), "⟨φ'''⟩ over N(0, Δ) (THEORY §2)"
        ),
        gain_curvature=_result(
            "erf_gain_curvature",
            q_of_delta,
            (Delta,),
            ("delta",),
            "q(Δ) = ⟨φ'''⟩/⟨φ'⟩ (THEORY §2; q = −2α²/λ₊² at the fixed point)",
        ),
        latent_drift=_result(
            "latent_drift",
            drift,
            (kappa1, kappa2, m11, m12, m21, m22, c0),
            ("kappa1", "kappa2", "m11", "m12", "m21", "m22", "c0"),
            "F(κ) = −κ + ⟨φ'⟩(‖κ‖² + c₀) M κ, shape (2, 1) (THEORY §2)",
        ),
        jacobian=_result(
            "latent_jacobian",
            jac,
            (kappa1, kappa2, m11, m12, m21, m22, c0),
            ("kappa1", "kappa2", "m11", "m12", "m21", "m22", "c0"),
            "∂F/∂κ, shape (2, 2); equals A at the fixed point (checks['jacobian_is_A'])",
        ),
        lambda_min=_result(
            "erf_lambda_min",
            lmin_sig,
            (sigma,),
            ("sigma",),
            "smallest λ₊ with a nonzero fixed point, c₀ = σ² (THEORY §2)",
        ),
        kappa_norm_sq=_result(
            "erf_kappa_norm_sq",
            K_sig,
            (lam_p, sigma),
            ("lambda_plus", "sigma"),
            "‖κ̄‖² from λ₊⟨φ'⟩(‖κ̄‖² + σ²) = 1 (THEORY §2)",
        ),
        rho_large=_result(
            "rho_large",
            rho_large,
            (lam_p, sigma, N, z),
            ("lambda_plus", "sigma", "N", "z_target"),
            "ρ with L_bias = 0 for large output weights, s = 1 (THEORY §2)",
        ),
        rho_small=_result(
            "rho_small",
            rho_small,
            (lam_p, sigma, z),
            ("lambda_plus", "sigma", "z_target"),
            "ρ with L_bias = 0 for small output weights, s = 1/√N (THEORY §2)",
        ),
        fluctuation_matrix=_result(
            "erf_fluctuation_matrix_symmetric",
            A_sym_fp,
            (lam_p, lam_m, sigma, theta),
            ("lambda_plus", "lambda_minus", "sigma", "theta"),
            "A = −I + ⟨φ'⟩M + qκ̄κ̄ᵀ at the fixed point, symmetric M rotated by θ₊ (THEORY §2)",
        ),
        lyapunov_2x2=_result(
            "lyapunov_2x2",
            lyap_vec,
            (a11, a12, a21, a22, dd),
            ("a11", "a12", "a21", "a22", "d"),
            "(Σ₁₁, Σ₁₂, Σ₂₂) solving A Σ + Σ Aᵀ + d I = 0 (d = 2σ² in THEORY §2)",
        ),
        v_orth=_result(
            "erf_v_orth",
            v_orth_sig,
            (lam_p, sigma),
            ("lambda_plus", "sigma"),
            "gain term along v₊, c₀ = σ² (THEORY §2)",
        ),
        v_orth_general=_result(
            "v_orth_general",
            v_orth_gen,
            (gam, _K, c0),
            ("gamma", "kappa_sq", "c0"),
            "gain term along v₊ for any φ, from γ = q‖κ̄‖² < 0, ‖κ̄‖² and c₀ (THEORY §2)",
        ),
        sigma11_symmetric=_result(
            "erf_sigma11_symmetric",
            sig11,
            (lam_p, lam_m, sigma, rho),
            ("lambda_plus", "lambda_minus", "sigma", "rho"),
            "Σ₁₁ of √N(κ − κ̄) for symmetric M, = L_var for s = 1 (THEORY §2)",
        ),
        loss_var_large=_result(
            "erf_loss_var_large",
            loss_large,
            (lam_p, lam_m, sigma, N, z),
            ("lambda_plus", "lambda_minus", "sigma", "N", "z_target"),
            "L_var = Σ₁₁ at ρ = rho_large, symmetric M (THEORY §2)",
        ),
        loss_var_small=_result(
            "erf_loss_var_small",
            loss_small,
            (lam_p, lam_m, sigma, N, z),
            ("lambda_plus", "lambda_minus", "sigma", "N", "z_target"),
            "L_var = Σ₁₁/N at ρ = rho_small, symmetric M (THEORY §2)",
        ),
        two_phase=two_phase,
        checks=checks,
    )


# ----------------------------------------------------------------------------- THEORY §3
def _derive_two_phase(lyap: dict) -> dict[str, Result]:
    """Two-phase learning of a linear network (THEORY §3), derived on the (w₁, w₂) block.

    W restricted to span(w₁, w₂) is [[a, b/√N], [0, 0]] (M₁₁ = a, M₁₂ = b/√N); the input is
    w_in = √N(ρ_io w₁ + √(1 − ρ_io²) w₂) with ρ_io = r/√N, the readout w₁. The stationary mean
    x̄ = (I − W)⁻¹ w_in gives z̄ = w₁ᵀx̄, L_bias = (z̄ − ẑ)²; the Lyapunov covariance of
    dx = −(I − W)x dt + √2σ dB gives L_var = Σ₁₁. Gradient flow per SGD step on the block:
    phase 1 (η = η₀/N, W = 0 at start) acts on M₁₂ through L_bias (a stays O(1/N));
    phase 2 (η = η₀) keeps L_bias = 0 (b quasi-static) and lowers L_var through a.
    All limits are N → ∞ at fixed r, τ.
    """
    a, b = _a, _b
    Msub = sp.Symbol("M_12", real=True)
    r = rho_io_sqrtN
    W = sp.Matrix([[a, Msub], [0, 0]])
    w_in = sp.sqrt(N) * sp.Matrix([r / sp.sqrt(N), sp.sqrt(1 - r**2 / N)])
    xbar = (sp.eye(2) - W).inv() * w_in
    zbar = sp.simplify(xbar[0])
    loss_bias = (zbar - z) ** 2
    A_lin = -sp.eye(2) + W
    a11, a12, a21, a22, dd = sp.symbols("a_11 a_12 a_21 a_22 d", real=True)
    s11 = [key for key in lyap if key.name == "s_11"][0]
    loss_var = lyap[s11].subs(
        {a11: A_lin[0, 0], a12: A_lin[0, 1], a21: A_lin[1, 0], a22: A_lin[1, 1], dd: 2 * sigma**2}
    )
    to_b = {Msub: b / sp.sqrt(N)}

    # phase 1: db/dτ = √N · dM₁₂/dτ = −√N (η₀/N) ∂L_bias/∂M₁₂ at a = 0, N → ∞
    rhs1 = sp.limit(
        sp.simplify((-sp.sqrt(N) * eta0 / N * sp.diff(loss_bias, Msub)).subs(to_b).subs(a, 0)),
        N,
        sp.oo,
    )
    bf = sp.Function("b")
    sol1 = sp.dsolve(sp.Eq(bf(tau).diff(tau), rhs1.subs(b, bf(tau))), bf(tau), ics={bf(0): 0})
    # expanded, b = ẑ − r − (ẑ − r)e^{−2η₀τ} stays finite for large τ (no e^{+2η₀τ}·e^{−2η₀τ})
    b1 = sp.expand(sp.simplify(sol1.rhs))
    checks_b1 = sp.simplify(b1.diff(tau) - rhs1.subs(b, b1)) == 0 and b1.subs(tau, 0) == 0
    assert checks_b1, b1
    zbar_lim = lambda e: sp.limit(sp.simplify(e.subs(to_b)), N, sp.oo)  # noqa: E731
    lb1 = sp.simplify(zbar_lim(loss_bias.subs(a, 0)).subs(b, b1))
    lv1 = sp.simplify(zbar_lim(loss_var.subs(a, 0)).subs(b, b1))
    dx1 = zbar_lim(sp.sqrt(((xbar - w_in).subs(a, 0).T * (xbar - w_in).subs(a, 0))[0]))
    dx1 = sp.expand(sp.simplify(dx1).subs(b, b1))

    # phase 2: da/dτ = −η₀ ∂L_var/∂a (b keeps L_bias = 0), a(0) = 0
    lv2_a = sp.simplify(zbar_lim(loss_var))  # σ²/(1 − a) after N → ∞
    af = sp.Function("a")
    rhs2 = sp.simplify(-eta0 * sp.diff(lv2_a, a))
    # separable: implicit solution G(a) = C1 + f(τ); fix C1 by a(0) = 0, then solve for a on the
    # stable branch a < 1 (L_var = σ²/(1 − a) needs 1 − a > 0): write a = 1 − y with y > 0.
    implicit = sp.dsolve(
        sp.Eq(af(tau).diff(tau), rhs2.subs(a, af(tau))), af(tau), hint="separable", simplify=False
    )
    C1 = sp.Symbol("C1")
    c1 = sp.solve((implicit.lhs - implicit.rhs).subs(af(tau), 0).subs(tau, 0), C1)
    assert len(c1) == 1, c1
    y = sp.Symbol("y", positive=True)
    roots = sp.solve((implicit.lhs - implicit.rhs).subs(C1, c1[0]).subs(af(tau), 1 - y), y)
    assert len(roots) == 1, roots
    a2 = sp.simplify(1 - roots[0])
    checks_a2 = sp.simplify(sp.diff(a2, tau) - rhs2.subs(a, a2)) == 0 and a2.subs(tau, 0) == 0
    assert checks_a2, a2
    # b from L_bias = 0: z̄(a, b) = ẑ
    sol_b = sp.solve(sp.Eq(zbar_lim(zbar), z), b)
    assert len(sol_b) == 1
    b2 = sp.simplify(sol_b[0].subs(a, a2))
    lb2 = sp.simplify(zbar_lim(loss_bias).subs(b, sol_b[0]))
    lv2 = sp.simplify(lv2_a.subs(a, a2))
    dxv = xbar - w_in
    dx2 = sp.simplify(zbar_lim(sp.sqrt((dxv.T * dxv)[0])).subs(b, sol_b[0]))
    args1 = (tau, eta0, z, r)
    names1 = ("tau", "eta0", "z_target", "rho_io_sqrtN")
    args2 = (tau, eta0, sigma, z, r)
    names2 = ("tau", "eta0", "sigma", "z_target", "rho_io_sqrtN")
    pre = "linear_two_phase_"
    return {
        "phase1_b": _result(
            pre + "phase1_b",
            b1,
            args1,
            names1,
            "phase 1: b(τ) = √N M₁₂ (THEORY §3), dsolve of the bias gradient flow",
        ),
        "phase1_loss_bias": _result(
            pre + "phase1_loss_bias", lb1, args1, names1, "phase 1: L_bias(τ) (THEORY §3)"
        ),
        "phase1_loss_var": _result(
            pre + "phase1_loss_var",
            lv1,
            (tau, sigma),
            ("tau", "sigma"),
            "phase 1: L_var (N → ∞) (THEORY §3)",
        ),
        "phase1_dx_norm": _result(
            pre + "phase1_dx_norm", dx1, args1, names1, "phase 1: ‖Δx̄‖ (THEORY §3)"
        ),
        "phase2_a": _result(
            pre + "phase2_a",
            a2,
            (tau, eta0, sigma),
            ("tau", "eta0", "sigma"),
            "phase 2: a(τ) = M₁₁, dsolve of da/dτ = −η₀ ∂L_var/∂a (THEORY §3)",
        ),
        "phase2_b": _result(
            pre + "phase2_b",
            b2,
            args2,
            names2,
            "phase 2: b = √N M₁₂ keeping L_bias = 0 (THEORY §3)",
        ),
        "phase2_loss_bias": _result(
            pre + "phase2_loss_bias", lb2, (tau,), ("tau",), "phase 2: L_bias = 0 (THEORY §3)"
        ),
        "phase2_loss_var": _result(
            pre + "phase2_loss_var",
            lv2,
            (tau, eta0, sigma),
            ("tau", "eta0", "sigma"),
            "phase 2: L_var(τ) (THEORY §3)",
        ),
        "phase2_dx_norm": _result(
            pre + "phase2_dx_norm",
            dx2,
            (tau, z, r),
            ("tau", "z_target", "rho_io_sqrtN"),
            "phase 2: ‖Δx̄‖ (THEORY §3)",
        ),
    }
