r"""Static check of the mean-field theory (THEORY.md §5).

A rank-2 network with *given* M (nothing trained) is simulated around its
fixed point and the stationary statistics are compared with THEORY §2:

* geometry: ‖κ̄‖ = ``meanfield.fixed_point_norm``, θ₊ = arccos ρ with
  ρ = ``meanfield.correlation`` (L_bias = 0), v₊ = (cos θ₊, sin θ₊); v₋ at
  θ₋ (symmetric M: θ₋ = θ₊ + π/2); M = V diag(λ₊, λ₋) V⁻¹, V = [v₊ v₋];
* simulation: ``networks`` independent draws of U (``simulate.make_low_rank``),
  each with ``trials`` trials, half started at +x̄ = U κ̄ and half at −x̄
  (‖x̄‖ = √N ‖κ̄‖), no input, Euler–Maruyama step ``dt`` for t ∈ (0, t_max];
  samples with t < t_discard are dropped; mirror trials are sign-flipped;
* per network: κ̄ (mean latent), ‖κ̄‖, ρ = |κ̄₁|/‖κ̄‖ (the correlation of w_out ∝ u₁
  with x̄ = U κ̄; the mean of x orthogonal to U is zero because the only drive
  there is noise), mean output z̄, L_var = mean (z − z̄)², and the latent
  covariance Σ = N·Cov(κ) (of δκ̃ = √N(κ − κ̄)) pooled over trials and time;
* theory: ẑ for the mean output, ``meanfield.loss_var`` and
  ``meanfield.latent_covariance``.

Standard errors are over independent networks (``se_kind="seeds"``): the
quenched randomness of U shifts the finite-N fixed point by O(N^{-1/2}) in a
random direction, which moves the oblique mean output √N κ̄₁ by O(1); the
theory describes the average over networks, so the network is the sampling
unit and every row's SE includes that spread.

Known, not corrected in the THEORY §2 rows (reported, see :mod:`validate.core.stats`):
the Euler step inflates the variance of a mode decaying at rate r by 1/(1 − dt·r/2)
(for the fast v₋ mode, r = 1 − λ₋/λ₊ ≈ 3.6 at λ₋ = −5, ≈ 1.6 at dt = 0.2) and the
orthogonal variance c₀ by 1/(1 − dt/2) (which shrinks ‖κ̄‖ near λ_min); and the
orthogonal activity's O(N^{-1/2}) fluctuations of Uᵀφ(x)/N, fed back through M, add
variance that grows like λ₋² and does not vanish with N or dt. A second set of rows
(suffix :data:`EXTENDED_SUFFIX`) compares the same estimates with meanfield's
prediction for the simulated map including both (``dt=``, ``hermite_orders=``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np
from jaxtyping import Float

from ..core import stats

__all__ = [
    "EXTENDED_QUANTITIES",
    "EXTENDED_SUFFIX",
    "STATIC_QUANTITIES",
    "StaticConfig",
    "StaticResult",
    "default_static_configs",
    "network_keys",
    "run_static",
    "simulate_static",
    "static_estimates",
    "static_geometry",
    "static_result",
    "static_rows",
    "static_theory",
    "static_theory_extended",
]

#: Quantities compared by :func:`static_rows`, in table order.
STATIC_QUANTITIES: tuple[str, ...] = (
    "kappa_norm",
    "rho",
    "mean_output",
    "loss_var",
    "Sigma11",
    "Sigma12",
    "Sigma22",
)

#: Quantities also compared with the extended theory (:func:`static_theory_extended`).
EXTENDED_QUANTITIES: tuple[str, ...] = ("kappa_norm", "loss_var", "Sigma11", "Sigma12", "Sigma22")
#: Suffix of the extended-theory rows' quantity names.
EXTENDED_SUFFIX: str = " [Euler dt + Hermite]"


@dataclasses.dataclass(frozen=True)
class StaticConfig:
    """Parameters of one static check (THEORY §5).

    Attributes:
        N: network size (≥ 8).
        sigma: noise σ (> 0).
        z_target: target output ẑ (> 0).
        lambda_plus: eigenvalue λ₊ of M along the fixed point (> λ_min(σ)).
        lambda_minus: the other eigenvalue λ₋ (< λ₊).
        theta_minus: angle of v₋ in the (u₁, u₂) plane, radians; ``None`` = symmetric
            M (θ₋ = θ₊ + π/2).
        out_scale: ``"large"`` or ``"small"`` output weights.
        nonlinearity: φ name (``"erf"`` for the closed forms).
        networks: number of independent U draws (≥ 2; sets the SE).
        trials: trials per network (even: half start at +x̄, half at −x̄).
        t_max: simulated time (time units of the leak).
        t_discard: transient dropped at the start (time units).
        dt: Euler–Maruyama step.
        seed: base PRNG seed.
        hermite_orders: Hermite orders K of the extended theory rows (see
            :func:`static_theory_extended`).
    """

    N: int = 256
    sigma: float = 1.0
    z_target: float = 1.0
    lambda_plus: float = 1.9
    lambda_minus: float = -5.0
    theta_minus: float | None = None
    out_scale: str = "large"
    nonlinearity: str = "erf"
    networks: int = 16
    trials: int = 16
    t_max: float = 100.0
    t_discard: float = 20.0
    dt: float = 0.2
    seed: int = 0
    hermite_orders: int = 8

    def __post_init__(self) -> None:
        def bad(name: str, allowed: str) -> ValueError:
            return ValueError(
                f"{name}={getattr(self, name)!r} is not allowed; {name} must be {allowed}"
            )

        if isinstance(self.N, bool) or not isinstance(self.N, int) or self.N < 8:
            raise bad("N", "an integer >= 8")
        for name in ("sigma", "z_target", "dt", "t_max"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise bad(name, "a finite number > 0")
        if not (math.isfinite(self.lambda_plus) and math.isfinite(self.lambda_minus)):
            raise bad("lambda_plus", "finite (and lambda_minus finite)")
        if not self.lambda_minus < self.lambda_plus:
            raise bad("lambda_minus", f"< lambda_plus={self.lambda_plus!r}")
        if self.theta_minus is not None and not math.isfinite(self.theta_minus):
            raise bad("theta_minus", "finite or None")
        if self.out_scale not in ("large", "small"):
            raise bad("out_scale", "'large' or 'small'")
        if (
            isinstance(self.networks, bool)
            or not isinstance(self.networks, int)
            or self.networks < 2
        ):
            raise bad("networks", "an integer >= 2")
        if not isinstance(self.trials, int) or self.trials < 2 or self.trials % 2:
            raise bad("trials", "an even integer >= 2")
        if not (0 <= self.t_discard < self.t_max):
            raise bad("t_discard", f"in [0, t_max={self.t_max!r})")
        if not 0 < self.dt < 1:
            raise bad("dt", "in (0, 1)")
        if (
            isinstance(self.hermite_orders, bool)
            or not isinstance(self.hermite_orders, int)
            or self.hermite_orders < 1
        ):
            raise bad("hermite_orders", "an integer >= 1")
        if self.n_kept < 2:
            raise bad("t_max", "long enough to keep at least 2 steps after t_discard")

    @property
    def n_steps(self) -> int:
        """Number of Euler steps, round(t_max/dt)."""
        return int(round(self.t_max / self.dt))

    @property
    def first_kept(self) -> int:
        """Index of the first kept step (entry t is time (t+1)·dt)."""
        return int(math.ceil(self.t_discard / self.dt - 1e-9)) - 1 if self.t_discard > 0 else 0

    @property
    def n_kept(self) -> int:
        """Number of kept time steps per trial."""
        return self.n_steps - max(self.first_kept, 0)

    def label(self) -> str:
        """Short text for tables (N, λ₊, λ₋, θ₋, dt)."""
        th = "sym" if self.theta_minus is None else f"{self.theta_minus:.3g}"
        return (
            f"N={self.N}, σ={self.sigma:g}, λ₊={self.lambda_plus:g}, "
            f"λ₋={self.lambda_minus:g}, θ₋={th}, dt={self.dt:g}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass
class StaticResult:
    """Outcome of :func:`run_static`.

    Attributes:
        config: the :class:`StaticConfig`.
        theory: dict quantity -> theory value (plus ``"kappa_bar"`` [2], ``"Sigma"`` [2,2],
            ``"theta_plus"``, ``"M"`` [2,2]).
        estimates: dict quantity -> per-network estimates [networks]
            (plus ``"kappa_bar"`` [networks, 2], ``"Sigma"`` [networks, 2, 2]).
        rows: list of :class:`validate.core.stats.Comparison`.
        cloud: sign-flipped latents of network 0, [trials, kept steps (every ``stride``), 2].
        outputs: sign-flipped outputs of network 0, [trials, kept steps (every ``stride``)].
        switched: fraction of samples on the mirror side of the fixed point
            (κ·v₊ < 0), per network [networks] (trials that jumped basins).
        theory_extended: :func:`static_theory_extended` values (empty if not computed).
    """

    config: StaticConfig
    theory: dict[str, Any]
    estimates: dict[str, np.ndarray]
    rows: list[stats.Comparison]
    cloud: np.ndarray
    outputs: np.ndarray
    switched: np.ndarray
    theory_extended: dict[str, Any] = dataclasses.field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary (no samples; non-finite numbers become ``None``)."""
        return stats.jsonable(
            {  # type: ignore[return-value]
                "config": self.config.to_dict(),
                "theory": self.theory,
                "theory_extended": self.theory_extended,
                "switched_fraction": self.switched,
                "rows": [r.to_dict() for r in self.rows],
            }
        )


def static_geometry(
    lambda_plus: float,
    lambda_minus: float,
    sigma: float,
    N: int,
    z_target: float = 1.0,
    out_scale: str = "large",
    theta_minus: float | None = None,
    nonlinearity: str = "erf",
) -> dict[str, Any]:
    """Fixed point and coupling matrix of THEORY §2 with L_bias = 0.

    Returns a dict with ``"kappa_norm"`` ‖κ̄‖, ``"rho"`` ρ, ``"theta_plus"``
    θ₊ = arccos ρ, ``"theta_minus"`` (θ₊ + π/2 when ``None``), ``"v_plus"``,
    ``"v_minus"`` [2], ``"kappa_bar"`` = ‖κ̄‖ v₊ [2] and ``"M"`` =
    V diag(λ₊, λ₋) V⁻¹ [2, 2] (V = [v₊ v₋]).
    Raises ValueError when the point is infeasible (no fixed point or ρ > 1) or
    v₋ ∥ v₊.
    """
    import meanfield

    mask = np.asarray(meanfield.feasible(lambda_plus, sigma, N, z_target, out_scale, nonlinearity))
    if not bool(mask):
        raise ValueError(
            f"lambda_plus={lambda_plus!r} is infeasible for sigma={sigma!r}, N={N!r}, "
            f"z_target={z_target!r}, out_scale={out_scale!r}: need lambda_plus > "
            f"lambda_min={float(meanfield.lambda_min(sigma, nonlinearity)):.4g} and rho <= 1"
        )
    kn = float(meanfield.fixed_point_norm(lambda_plus, sigma, nonlinearity))
    rho = float(meanfield.correlation(lambda_plus, sigma, N, z_target, out_scale, nonlinearity))
    th_p = math.acos(min(rho, 1.0))
    th_m = th_p + math.pi / 2 if theta_minus is None else float(theta_minus)
    v_p = np.array([math.cos(th_p), math.sin(th_p)])
    v_m = np.array([math.cos(th_m), math.sin(th_m)])
    V = np.stack([v_p, v_m], axis=1)
    det = float(np.linalg.det(V))
    if abs(det) < 1e-6:
        raise ValueError(
            f"theta_minus={theta_minus!r} makes v₋ parallel to v₊ (θ₊={th_p:.4g}); "
            "allowed: any angle not ≡ θ₊ mod π"
        )
    M = V @ np.diag([lambda_plus, lambda_minus]) @ np.linalg.inv(V)
    return {
        "kappa_norm": kn,
        "rho": rho,
        "theta_plus": th_p,
        "theta_minus": th_m,
        "v_plus": v_p,
        "v_minus": v_m,
        "kappa_bar": kn * v_p,
        "M": M,
    }


def static_theory(cfg: StaticConfig) -> dict[str, Any]:
    """Theory values of :data:`STATIC_QUANTITIES` for ``cfg`` (THEORY §2).

    mean_output = ẑ (L_bias = 0 by construction), loss_var = ``meanfield.loss_var``,
    Σ = ``meanfield.latent_covariance`` (of δκ̃ = √N(κ − κ̄), (u₁, u₂) basis).
    """
    import meanfield

    geo = static_geometry(
        cfg.lambda_plus,
        cfg.lambda_minus,
        cfg.sigma,
        cfg.N,
        cfg.z_target,
        cfg.out_scale,
        cfg.theta_minus,
        cfg.nonlinearity,
    )
    kwargs = {
        "z_target": cfg.z_target,
        "out_scale": cfg.out_scale,
        "theta_minus": cfg.theta_minus,
        "nonlinearity": cfg.nonlinearity,
    }
    Sigma = np.asarray(
        meanfield.latent_covariance(cfg.lambda_plus, cfg.lambda_minus, cfg.sigma, cfg.N, **kwargs),
        dtype=float,
    )
    lvar = float(meanfield.loss_var(cfg.lambda_plus, cfg.lambda_minus, cfg.sigma, cfg.N, **kwargs))
    return {
        "kappa_norm": geo["kappa_norm"],
        "rho": geo["rho"],
        "mean_output": float(cfg.z_target),
        "loss_var": lvar,
        "Sigma11": float(Sigma[0, 0]),
        "Sigma12": float(Sigma[0, 1]),
        "Sigma22": float(Sigma[1, 1]),
        "Sigma": Sigma,
        "kappa_bar": geo["kappa_bar"],
        "theta_plus": geo["theta_plus"],
        "theta_minus": geo["theta_minus"],
        "v_plus": geo["v_plus"],
        "M": geo["M"],
    }


def static_theory_extended(cfg: StaticConfig, *, continuous: bool = False) -> dict[str, Any]:
    """Beyond THEORY §2: meanfield's prediction for the *simulated* Euler map
    (``continuous=True``: the same in continuous time, ``dt=None``, keeping the leak).

    ``dt=cfg.dt`` (orthogonal variance σ²/(1 − dt/2), Stein equation of the map) and
    ``hermite_orders=cfg.hermite_orders`` (finite-N noise leaking through φ, fed back by M;
    :mod:`meanfield.hermite_noise`). Returns :data:`EXTENDED_QUANTITIES` and ``"Sigma"``.
    meanfield places v₊ at θ₊ = arccos ρ of the map's own L_bias = 0 point, while the
    simulated M keeps the continuous-time θ₊; the two differ by O(ρ²) ≪ the SE for large
    output weights (ρ = O(N^{-1/2})).
    """
    import meanfield

    kwargs: dict[str, Any] = {
        "z_target": cfg.z_target,
        "out_scale": cfg.out_scale,
        "theta_minus": cfg.theta_minus,
        "nonlinearity": cfg.nonlinearity,
        "dt": None if continuous else cfg.dt,
        "hermite_orders": cfg.hermite_orders,
    }
    Sigma = np.asarray(
        meanfield.latent_covariance(cfg.lambda_plus, cfg.lambda_minus, cfg.sigma, cfg.N, **kwargs),
        dtype=float,
    )
    lvar = float(meanfield.loss_var(cfg.lambda_plus, cfg.lambda_minus, cfg.sigma, cfg.N, **kwargs))
    kn = float(
        meanfield.fixed_point_norm(cfg.lambda_plus, cfg.sigma, cfg.nonlinearity, dt=kwargs["dt"])
    )
    return {
        "kappa_norm": kn,
        "loss_var": lvar,
        "Sigma11": float(Sigma[0, 0]),
        "Sigma12": float(Sigma[0, 1]),
        "Sigma22": float(Sigma[1, 1]),
        "Sigma": Sigma,
    }


def network_keys(cfg: StaticConfig) -> tuple[Any, Any]:
    """(network keys [networks], simulation keys [networks]) of :func:`simulate_static`:
    network i has U from ``simulate.make_low_rank(network_keys[i], N, …)``. The one place the
    key scheme lives (``validate.experiments.corrections.network_U`` regenerates U from it)."""
    import jax

    k_net, k_sim = jax.random.split(jax.random.key(cfg.seed))
    return jax.random.split(k_net, cfg.networks), jax.random.split(k_sim, cfg.networks)


def simulate_static(
    cfg: StaticConfig, theory: dict[str, Any] | None = None
) -> tuple[Float[np.ndarray, "nets trials T 2"], Float[np.ndarray, "nets trials T"]]:
    """Simulate ``cfg`` (see module docstring); returns sign-flipped kept samples.

    Returns:
        latents κ·sign [networks, trials, n_kept, 2] and outputs z·sign
        [networks, trials, n_kept] (numpy float64 copies of the float32 run).
    All networks are simulated in one vmapped, jitted scan (``simulate.simulate``); the
    compiled function is cached per (N, networks, trials, steps, dt, φ, output scale),
    with M, κ̄ and σ as traced arguments, so repeated calls at other λ or σ do not recompile.
    """
    import jax.numpy as jnp

    th = static_theory(cfg) if theory is None else theory
    net_keys, sim_keys = network_keys(cfg)
    lat, z = _static_jit()(
        net_keys,
        sim_keys,
        jnp.asarray(th["M"], jnp.float32),
        jnp.asarray(th["kappa_bar"], jnp.float32),
        jnp.asarray(cfg.sigma, jnp.float32),
        N=cfg.N,
        out_scale=cfg.out_scale,
        nonlinearity=cfg.nonlinearity,
        trials=cfg.trials,
        n_steps=cfg.n_steps,
        first=max(cfg.first_kept, 0),
        dt=float(cfg.dt),
    )
    return np.asarray(lat, dtype=np.float64), np.asarray(z, dtype=np.float64)


def _static_batch_impl(
    net_keys: Any,
    sim_keys: Any,
    M: Any,
    kbar: Any,
    sigma: Any,
    *,
    N: int,
    out_scale: str,
    nonlinearity: str,
    trials: int,
    n_steps: int,
    first: int,
    dt: float,
) -> tuple[Any, Any]:
    """All networks of :func:`simulate_static` (keys [networks], M [2,2], κ̄ [2], σ [])."""
    import jax
    import jax.numpy as jnp

    from simulate.dynamics import simulate as run_dynamics
    from simulate.models import make_low_rank

    sign = jnp.where(jnp.arange(trials) < trials // 2, 1.0, -1.0).astype(jnp.float32)
    inputs = jnp.zeros((trials, n_steps, 1), jnp.float32)

    def one(net_key: Any, sim_key: Any) -> tuple[Any, Any]:
        net = make_low_rank(net_key, N, out_scale=out_scale, M=M, nonlinearity=nonlinearity)
        x0 = sign[:, None] * (net.U @ kbar)[None, :]
        traj = run_dynamics(net, inputs, key=sim_key, sigma=sigma, dt=dt, x0=x0, record="latent")
        assert traj.x is not None  # record="latent" stores κ
        lat = traj.x[:, first:, :] * sign[:, None, None]
        z = traj.z[:, first:, 0] * sign[:, None]
        return lat, z

    return jax.vmap(one)(net_keys, sim_keys)


@functools.cache
def _static_jit() -> Any:
    """``jax.jit`` of :func:`_static_batch_impl` (made on first use: importing this
    module does not import JAX)."""
    import jax

    return jax.jit(
        _static_batch_impl,
        static_argnames=("N", "out_scale", "nonlinearity", "trials", "n_steps", "first", "dt"),
    )


def static_estimates(
    latents: Float[np.ndarray, "nets trials T 2"],
    outputs: Float[np.ndarray, "nets trials T"],
    N: int,
) -> dict[str, np.ndarray]:
    """Per-network estimates of :data:`STATIC_QUANTITIES` from sign-flipped samples.

    κ̄ = mean over trials and time; ‖κ̄‖; ρ = |κ̄₁|/‖κ̄‖ (per network; the row uses the ratio
    of the network means, :func:`static_rows`); z̄ = mean output; L_var and Σ = N·Cov(κ)
    pooled over trials and time, centred at κ̄ and corrected for that centring.

    Centring (issue 26). For n = K·T stationary samples with a common mean, the mean square
    about the sample mean has E[S₀] = C − Var(κ̄) (C the stationary covariance) — low by
    ≈ C·τ/(K T) for correlated samples, which a ddof of 1 (C/(K T)) does not remove. The K
    trials are independent, so Var(κ̄) = V_T/K with V_T the covariance of one trial's mean,
    and the covariance of the K trial means (ddof 1) is unbiased for V_T. Hence
    ``S₀ + Cov(trial means)/K`` is unbiased for C with no autocorrelation time estimated
    (same for the output: L_var). Returns arrays with leading axis [networks].
    """
    kbar = latents.mean(axis=(1, 2))  # [nets, 2]
    knorm = np.linalg.norm(kbar, axis=-1)
    K = latents.shape[1]
    d = latents - kbar[:, None, None, :]
    n = latents.shape[1] * latents.shape[2]
    tm = latents.mean(axis=2) - kbar[:, None, :]  # trial means about κ̄ [nets, K, 2]
    var_mean = np.einsum("bki,bkj->bij", tm, tm) / (K - 1) / K if K >= 2 else 0.0
    Sigma = N * (np.einsum("btsi,btsj->bij", d, d) / n + var_mean)
    zbar = outputs.mean(axis=(1, 2))
    zt = outputs.mean(axis=2) - zbar[:, None]
    lvar = ((outputs - zbar[:, None, None]) ** 2).mean(axis=(1, 2))
    if K >= 2:
        lvar = lvar + (zt**2).sum(axis=1) / (K - 1) / K
    return {
        "kappa_bar": kbar,
        "kappa_norm": knorm,
        "rho": np.abs(kbar[:, 0]) / knorm,
        "mean_output": zbar,
        "loss_var": lvar,
        "Sigma": Sigma,
        "Sigma11": Sigma[:, 0, 0],
        "Sigma12": Sigma[:, 0, 1],
        "Sigma22": Sigma[:, 1, 1],
    }


def static_rows(
    cfg: StaticConfig,
    theory: dict[str, Any],
    estimates: dict[str, np.ndarray],
    quantities: tuple[str, ...] = STATIC_QUANTITIES,
    suffix: str = "",
    note: str = "",
) -> list[stats.Comparison]:
    """One :class:`~validate.core.stats.Comparison` per quantity (SE over networks).

    Σ₁₂ is judged relative to sqrt(Σ₁₁Σ₂₂) (its natural scale; the theory Σ₁₂ can be ~0).
    ρ is the ratio of the network means |E κ̄₁|/E‖κ̄‖ (:func:`validate.core.stats.compare_ratio`;
    the mean of per-network ratios is biased upward when κ̄₁ spreads across networks).
    ``suffix`` is appended to the quantity names (used for the extended-theory rows).
    """
    rows = []
    for q in quantities:
        scale = None
        row_note = note
        if q == "Sigma12":
            scale = math.sqrt(abs(theory["Sigma11"] * theory["Sigma22"]))
            row_note = "; ".join(x for x in (note, "rel. to sqrt(Σ11 Σ22)") if x)
        if q == "rho":
            # ρ = |E κ̄₁| / E‖κ̄‖ over networks: a ratio of means, not a mean of ratios
            k1 = np.asarray(estimates["kappa_bar"], dtype=float)[:, 0]
            k1 = k1 * (1.0 if k1.mean() >= 0 else -1.0)
            rows.append(
                stats.compare_ratio(
                    q + suffix,
                    theory[q],
                    k1,
                    estimates["kappa_norm"],
                    N=cfg.N,
                    experiment="static",
                    setting=cfg.label(),
                    note=row_note,
                )
            )
            continue
        rows.append(
            stats.compare(
                q + suffix,
                theory[q],
                estimates[q],
                se_kind="seeds",
                N=cfg.N,
                scale=scale,
                experiment="static",
                setting=cfg.label(),
                note=row_note,
            )
        )
    return rows


def static_result(
    cfg: StaticConfig,
    estimates: dict[str, np.ndarray],
    cloud: np.ndarray,
    outputs: np.ndarray,
    switched: np.ndarray,
    *,
    extended_rows: bool = True,
    theory: dict[str, Any] | None = None,
) -> StaticResult:
    """Theory and rows for stored per-network ``estimates`` (e.g. a cache of a simulation).

    Rows: :data:`STATIC_QUANTITIES` against THEORY §2 (continuous time, the paper's
    theory), then, if ``extended_rows``, :data:`EXTENDED_QUANTITIES` against
    :func:`static_theory_extended` (names suffixed :data:`EXTENDED_SUFFIX`), which
    separates the Euler-step and leaked-noise effects from the theory's own error.
    """
    theory = static_theory(cfg) if theory is None else theory
    rows = static_rows(cfg, theory, estimates)
    extended: dict[str, Any] = {}
    if extended_rows:
        extended = static_theory_extended(cfg)
        rows += static_rows(
            cfg,
            extended,
            estimates,
            EXTENDED_QUANTITIES,
            EXTENDED_SUFFIX,
            note=f"beyond THEORY §2: Euler map dt={cfg.dt:g}, Hermite orders 1..{cfg.hermite_orders}",
        )
    from .theory_variants import tag_fixed_point_rows

    def key_of(row: stats.Comparison) -> tuple[str, str]:
        if row.quantity.endswith(EXTENDED_SUFFIX):
            return row.quantity[: -len(EXTENDED_SUFFIX)], "dt + Hermite"
        return row.quantity, "paper"

    rows = tag_fixed_point_rows(
        rows,
        key_of,
        lambda_plus=cfg.lambda_plus,
        sigma=cfg.sigma,
        N=cfg.N,
        dt=cfg.dt,
        switched=float(np.max(switched)),
    )
    return StaticResult(
        config=cfg,
        theory=theory,
        estimates=estimates,
        rows=rows,
        cloud=cloud,
        outputs=outputs,
        switched=np.asarray(switched),
        theory_extended=extended,
    )


def run_static(cfg: StaticConfig, *, stride: int = 5, extended_rows: bool = True) -> StaticResult:
    """Simulate ``cfg`` and compare with the theory (:func:`static_result` makes the rows).

    ``stride`` thins the stored cloud/outputs of network 0 (for figures only);
    ``result.estimates``, ``.cloud``, ``.outputs`` and ``.switched`` are all a cache needs
    to rebuild the result with :func:`static_result` without simulating again.
    """
    theory = static_theory(cfg)
    lat, z = simulate_static(cfg, theory)
    est = static_estimates(lat, z, cfg.N)
    switched = (np.einsum("btsi,i->bts", lat, theory["v_plus"]) < 0).mean(axis=(1, 2))
    return static_result(
        cfg,
        est,
        lat[0, :, ::stride, :],
        z[0, :, ::stride],
        switched,
        extended_rows=extended_rows,
        theory=theory,
    )


#: Sizes of the static grid (quick and full): N from 64 to 2048 for the convergence in N.
STATIC_NS: tuple[int, ...] = (64, 256, 1024, 2048)
#: λ₊ of THEORY §5.
STATIC_LAMBDA_PLUS: tuple[float, ...] = (1.7, 1.9, 2.6)
#: Small steps at which the THEORY §5 point N = 256, λ₊ = 2.6 is also simulated, so that the
#: continuous-time theories can be judged at dt → 0 (:mod:`validate.experiments.dt_extrapolation`).
STATIC_SMALL_DTS: tuple[float, ...] = (0.1, 0.05, 0.025)


def default_static_configs(full: bool = False) -> list[StaticConfig]:
    """THEORY §5 settings: σ = 1, ẑ = 1, λ₋ = −5, λ₊ ∈ {1.7, 1.9, 2.6}, symmetric M, dt = 0.2, at
    N ∈ :data:`STATIC_NS` (the finite-N convergence of each claim), plus N = 256, λ₊ = 2.6 at the
    steps :data:`STATIC_SMALL_DTS` (dt → 0). ``full`` uses more networks and trials.

    Quick mode uses 32 networks × 16 trials: enough for the L_var and ‖κ̄‖ rows to detect a
    5 % error of the prediction (SE ≈ 0.8 % of L_var, Student critical value 4.6 with 31
    degrees of freedom; tests/validate/experiments/test_static.py checks it)."""
    nets, trials = (64, 32) if full else (32, 16)
    points = [(N, lp, 0.2) for N in STATIC_NS for lp in STATIC_LAMBDA_PLUS]
    points += [(256, 2.6, dt) for dt in STATIC_SMALL_DTS]
    return [
        StaticConfig(N=N, lambda_plus=lp, dt=dt, networks=nets, trials=trials, seed=i)
        for i, (N, lp, dt) in enumerate(points)
    ]
