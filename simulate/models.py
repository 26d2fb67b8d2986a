"""Rate-network models as equinox pytrees (THEORY.md §1, §2, §6).

Two models share one interface used by :mod:`simulate.dynamics`:

* :class:`LowRankRNN` — recurrent weights W = U M Uᵀ/N (+ fixed bulk W₀), THEORY §2, §4.
* :class:`RateRNN`    — full-rank W, THEORY §6.

Both map a batch of states ``x`` [B, N] to

    recurrent_drive(φ(x)) = W φ(x)     (row-wise, i.e. φ(X) Wᵀ for X = x [B, N])
    input_drive(u)        = W_in u     (u [B, n_in])
    readout(x)            = W_outᵀ x   (the readout reads x, not φ(x); THEORY §1)

Which arrays are *trained* is decided by the trainer (``TrainConfig.trainable``);
``LowRankRNN.U`` is additionally wrapped in ``jax.lax.stop_gradient`` inside the
forward pass, so its gradient is identically zero: U is fixed by construction.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from . import checks
from ._dtypes import resolve_dtype
from .config import FORMS
from .nonlinearities import check_nonlinearity, get_nonlinearity

__all__ = [
    "OUT_SCALES",
    "LowRankRNN",
    "RateRNN",
    "make_low_rank",
    "make_rate_rnn",
    "latents",
    "output_scale",
]

#: Allowed output-weight scales (THEORY §1): "large" ‖w_out‖ = O(1), "small" ‖w_out‖ = O(1/√N).
OUT_SCALES: tuple[str, ...] = ("large", "small")


def _check_out_scale(out_scale: str) -> str:
    if out_scale not in OUT_SCALES:
        raise ValueError(f"out_scale={out_scale!r} is not known; allowed values are {OUT_SCALES}")
    return out_scale


def _check_N(N: int) -> int:
    return checks.integer(N, "N", 2)


def _check_count(name: str, value: int, low: int = 1) -> int:
    return checks.integer(value, name, low)


def _check_g(g: float) -> float:
    return float(checks.real(g, "g", low=0.0))


def output_scale(N: int, out_scale: str) -> float:
    """The factor s of THEORY §2: s = 1 for ``"large"``, s = 1/√N for ``"small"``."""
    return 1.0 if _check_out_scale(out_scale) == "large" else 1.0 / math.sqrt(N)


class _RateNetwork(eqx.Module):
    """What both rate models share: input/output sizes, dtype and the readout z = w_outᵀ x
    (the readout reads the state x; THEORY §1). Subclasses have ``w_in`` [N, n_in] and
    ``w_out`` [N, n_out]."""

    w_in: eqx.AbstractVar[Float[Array, "N n_in"]]
    w_out: eqx.AbstractVar[Float[Array, "N n_out"]]

    @property
    def n_in(self) -> int:
        return self.w_in.shape[1]

    @property
    def n_out(self) -> int:
        return self.w_out.shape[1]

    @property
    def dtype(self) -> jnp.dtype:
        return self.w_out.dtype

    def readout(self, x: Float[Array, "*b N"]) -> Float[Array, "*b n_out"]:
        """z = w_outᵀ x for states x [..., N]."""
        return x @ self.w_out


class LowRankRNN(_RateNetwork):
    """Rank-R rate network, W = U M Uᵀ / N (+ W₀), THEORY §2.

    **Fields**
      U:     [N, R] fixed projection, orthogonal columns of norm √N. Never trained:
             the forward pass applies ``jax.lax.stop_gradient`` to it.
      M:     [R, R] latent coupling matrix (the trainable part in THEORY §4).
      w_in:  [N, n_in] input weights.
      w_out: [N, n_out] readout weights; z = w_outᵀ x.
      W0:    [N, N] fixed random bulk connectivity, or ``None`` (g = 0).
      nonlinearity: name of φ (static; see :mod:`simulate.nonlinearities`).

    The recurrent drive is computed as U (M (Uᵀ φ(x))) / N, O(N R) per state,
    never forming the N×N matrix U M Uᵀ.
    """

    U: Float[Array, "N R"]
    M: Float[Array, "R R"]
    w_in: Float[Array, "N n_in"]
    w_out: Float[Array, "N n_out"]
    W0: Float[Array, "N N"] | None
    nonlinearity: str = eqx.field(static=True, default="erf")

    @property
    def N(self) -> int:
        return self.U.shape[0]

    @property
    def rank(self) -> int:
        return self.U.shape[1]

    def phi(self, x: Float[Array, "*b N"]) -> Float[Array, "*b N"]:
        """φ(x) elementwise."""
        return get_nonlinearity(self.nonlinearity)(x)

    def recurrent_drive(self, r: Float[Array, "*b N"]) -> Float[Array, "*b N"]:
        """W r for rates r = φ(x) [..., N]: U (M (Uᵀ r)) / N (+ W₀ r)."""
        U = jax.lax.stop_gradient(self.U)
        drive = ((r @ U) @ self.M.T) @ U.T / self.N
        if self.W0 is not None:
            drive = drive + r @ self.W0.T
        return drive

    def input_drive(self, u: Float[Array, "*b n_in"]) -> Float[Array, "*b N"]:
        """W_in u for inputs u [..., n_in]."""
        return u @ self.w_in.T

    def latents(self, x: Float[Array, "*b N"]) -> Float[Array, "*b R"]:
        """κ = Uᵀ x / N (THEORY §2)."""
        return x @ jax.lax.stop_gradient(self.U) / self.N


class RateRNN(_RateNetwork):
    """Full-rank rate network (THEORY §6), in current or rate form.

    **Fields**
      W:     [N, N] recurrent weights (row i receives from column j).
      w_in:  [N, n_in] input weights.
      w_out: [N, n_out] readout weights; z = w_outᵀ x.
      b:     [N] bias, or ``None`` (no bias).
      nonlinearity: name of φ (static).
      form:  ``"current"`` (static, default): the state x is the synaptic current,
             ẋ = −x + W φ(x) + W_in u + b (THEORY §1). ``"rate"``: the state is the rate r
             of seed 003, ṙ = −r + φ(W r + W_in u + b) with the noise inside φ
             (:func:`simulate.dynamics.step`); the readout reads the state in both forms.
      leak_angle: θ of ``nonlinearity="leaky_relu"`` (static, radians, 0 ≤ θ < π/2).
      zero_diagonal: (static) no self-coupling: the diagonal of W is masked out of the
             recurrent drive, so its gradient is exactly zero and a zero diagonal stays
             zero under training (seed 003).
    """

    W: Float[Array, "N N"]
    w_in: Float[Array, "N n_in"]
    w_out: Float[Array, "N n_out"]
    b: Float[Array, " N"] | None = None
    nonlinearity: str = eqx.field(static=True, default="tanh")
    form: str = eqx.field(static=True, default="current")
    leak_angle: float = eqx.field(static=True, default=0.0)
    zero_diagonal: bool = eqx.field(static=True, default=False)

    @property
    def N(self) -> int:
        return self.W.shape[0]

    def phi(self, x: Float[Array, "*b N"]) -> Float[Array, "*b N"]:
        """φ(x) elementwise."""
        return get_nonlinearity(self.nonlinearity, self.leak_angle)(x)

    @property
    def W_effective(self) -> Float[Array, "N N"]:
        """W as the dynamics use it: with its diagonal masked to 0 when ``zero_diagonal``."""
        if not self.zero_diagonal:
            return self.W
        return self.W * (1.0 - jnp.eye(self.N, dtype=self.W.dtype))

    def recurrent_drive(self, r: Float[Array, "*b N"]) -> Float[Array, "*b N"]:
        """W r for rates r [..., N] (computed as r Wᵀ, one batched matmul)."""
        return r @ self.W_effective.T

    def input_drive(self, u: Float[Array, "*b n_in"]) -> Float[Array, "*b N"]:
        """W_in u (+ b) for inputs u [..., n_in]."""
        drive = u @ self.w_in.T
        return drive if self.b is None else drive + self.b


def latents(model: LowRankRNN, x: Float[Array, "*b N"]) -> Float[Array, "*b R"]:
    """Latent coordinates κ = Uᵀ x / N of states x [..., N] (THEORY §2); shape [..., R]."""
    if not isinstance(model, LowRankRNN):
        raise ValueError(
            f"latents need a LowRankRNN (it has U); got model of type {type(model).__name__}"
        )
    if x.shape[-1] != model.N:
        raise ValueError(f"x has last dimension {x.shape[-1]}, expected N={model.N}")
    return model.latents(x)


def _orthonormal_columns(
    key: PRNGKeyArray, N: int, n: int, dtype: jnp.dtype, against: Array | None = None
) -> Float[Array, "N n"]:
    """n orthonormal columns (unit norm) from the QR of a Gaussian N×n matrix.

    With ``against`` [N, k] (orthonormal), the Gaussian is first projected onto the
    orthogonal complement of its span so the new columns are orthogonal to it.
    """
    G = jax.random.normal(key, (N, n), dtype=dtype)
    if against is not None:
        G = G - against @ (against.T @ G)
    Q, Rm = jnp.linalg.qr(G)
    # Fix the sign ambiguity of QR so the result is a deterministic function of the Gaussian.
    return Q * jnp.where(jnp.diagonal(Rm) < 0, -1.0, 1.0).astype(dtype)


def make_low_rank(
    key: PRNGKeyArray,
    N: int,
    *,
    rank: int = 2,
    n_in: int = 1,
    n_out: int = 1,
    out_scale: str = "large",
    rho_io: float = 0.0,
    g: float = 0.0,
    M: Float[Array, "R R"] | None = None,
    U: Float[Array, "N R"] | None = None,
    nonlinearity: str = "erf",
    dtype: object = jnp.float32,
) -> LowRankRNN:
    """Build a rank-``rank`` network with the geometry of THEORY §2, §4.

    Let q₁, q₂, … be orthonormal vectors with u_k = √N q_k the columns of U
    (from the QR of a Gaussian N×R matrix, or given as ``U``); vectors beyond R
    are drawn orthogonal to U. Then

      w_out[:, k] = s · q_{k+1}                      (= s u_{k+1}/√N when k < R)
      w_in[:, j]  = √N (ρ_io q_{j+1} + sqrt(1 − ρ_io²) q_{n_out+j+1})

    with s = 1 (``"large"``) or 1/√N (``"small"``). For the default n_in = n_out = 1,
    rank 2: w_out = s u₁/√N, w_in = ρ_io u₁ + sqrt(1 − ρ_io²) u₂ (entries O(1)).
    W₀ ~ N(0, g²/N) entrywise, or ``None`` for g = 0. M defaults to zeros.

    **Arguments**
      key: PRNG key. N: number of units (≥ 2). rank: R, 1 ≤ R ≤ N.
      n_in, n_out: input/output counts (≥ 1; n_in + n_out ≤ N and R ≤ N).
      out_scale: ``"large"`` or ``"small"``. rho_io: input–output overlap, |ρ_io| ≤ 1.
      g: bulk gain ≥ 0. M: [R, R] or None. U: [N, R] with UᵀU/N = I, or None.
      nonlinearity: a name in ``NONLINEARITIES``. dtype: float32 or float64
      (float64 needs :func:`simulate.enable_float64` first).

    **Returns**
      A :class:`LowRankRNN`.

    >>> net = make_low_rank(jax.random.key(0), 64)
    >>> net.U.shape, net.M.shape, net.w_in.shape, net.w_out.shape
    ((64, 2), (2, 2), (64, 1), (64, 1))
    """
    N = _check_N(N)
    dt = resolve_dtype(dtype)
    check_nonlinearity(nonlinearity)
    if nonlinearity == "leaky_relu":
        raise ValueError(
            "nonlinearity='leaky_relu' is not allowed for a LowRankRNN; it is "
            "seed 003's rate-network option (make_rate_rnn)"
        )
    n_in = _check_count("n_in", n_in)
    n_out = _check_count("n_out", n_out)
    s = output_scale(N, out_scale)
    try:
        rank = checks.integer(rank, "rank", 1, N)
    except ValueError:
        raise ValueError(
            f"rank={rank!r} is not allowed; rank must be an integer in [1, N={N}]"
        ) from None
    rho_io = checks.real(rho_io, "rho_io")
    if abs(rho_io) > 1.0:
        raise ValueError(f"rho_io={rho_io!r} is not allowed; |rho_io| must be <= 1")
    g = _check_g(g)
    n_vec = max(rank, n_out + n_in)
    if n_vec > N:
        raise ValueError(
            f"n_in + n_out = {n_in + n_out} orthogonal vectors do not fit in N={N} dimensions; "
            f"n_in + n_out must be <= N"
        )
    U_arr = None
    if U is not None:
        U_arr = jnp.asarray(U, dtype=dt)
        if U_arr.shape != (N, rank):
            raise ValueError(f"U has shape {U_arr.shape}, expected (N, rank) = {(N, rank)}")
        err = float(jnp.max(jnp.abs(U_arr.T @ U_arr / N - jnp.eye(rank, dtype=dt))))
        tol = 1e-3 if dt == jnp.float32 else 1e-8
        if err > tol:
            raise ValueError(
                f"U must have orthogonal columns of norm sqrt(N) (UᵀU/N = I); "
                f"max |UᵀU/N − I| = {err:.3g} > {tol:g}"
            )
    if M is None:
        M_arr = jnp.zeros((rank, rank), dtype=dt)
    else:
        M_arr = jnp.asarray(M, dtype=dt)
        if M_arr.shape != (rank, rank):
            raise ValueError(f"M has shape {M_arr.shape}, expected (rank, rank) = {(rank, rank)}")
    U_arr, w_in, w_out, W0 = _low_rank_arrays(
        key,
        U_arr,
        N=N,
        rank=rank,
        n_in=n_in,
        n_out=n_out,
        s=s,
        rho_io=float(rho_io),
        g=float(g),
        dtype=dt,
    )
    return LowRankRNN(U=U_arr, M=M_arr, w_in=w_in, w_out=w_out, W0=W0, nonlinearity=nonlinearity)


@jax.jit(static_argnames=("N", "rank", "n_in", "n_out", "s", "rho_io", "g", "dtype"))
def _low_rank_arrays(
    key: PRNGKeyArray,
    U: Array | None,
    *,
    N: int,
    rank: int,
    n_in: int,
    n_out: int,
    s: float,
    rho_io: float,
    g: float,
    dtype: jnp.dtype,
) -> tuple[Array, Array, Array, Array | None]:
    """U, w_in, w_out, W₀ of :func:`make_low_rank` (one compiled computation)."""
    k_u, k_extra, k_bulk = jax.random.split(key, 3)
    n_vec = max(rank, n_out + n_in)
    if U is None:
        Q = _orthonormal_columns(k_u, N, n_vec, dtype)
        U = Q[:, :rank] * math.sqrt(N)
    else:
        Q = U / math.sqrt(N)
        if n_vec > rank:
            extra = _orthonormal_columns(k_extra, N, n_vec - rank, dtype, against=Q)
            Q = jnp.concatenate([Q, extra], axis=1)
    w_out = s * Q[:, :n_out]
    c = math.sqrt(1.0 - rho_io**2)
    w_in = math.sqrt(N) * (rho_io * Q[:, :n_in] + c * Q[:, n_out : n_out + n_in])
    W0 = g / math.sqrt(N) * jax.random.normal(k_bulk, (N, N), dtype=dtype) if g > 0 else None
    return U, w_in.astype(dtype), w_out.astype(dtype), W0


def make_rate_rnn(
    key: PRNGKeyArray,
    N: int,
    *,
    n_in: int,
    n_out: int,
    g: float = 1.5,
    out_scale: str = "large",
    nonlinearity: str = "tanh",
    dtype: object = jnp.float32,
    input_std: float = 1.0,
    bias_std: float = 0.0,
    form: str = "current",
    leak_angle: float = 0.0,
    zero_diagonal: bool = False,
) -> RateRNN:
    """Full-rank network with the initialisation of THEORY §6 (or seed 003's).

    W_in entries ~ N(0, input_std²) (THEORY §6: 1); W entries ~ N(0, g²/N), with a zero
    diagonal when ``zero_diagonal``; W_out entries ~ N(0, 1/N) (``"large"``, ‖w_out‖ = O(1))
    or N(0, 1/N²) (``"small"``, ‖w_out‖ = O(1/√N)); bias b ~ N(0, bias_std²), or ``None``
    when ``bias_std = 0``.

    Seed 003's leaky rate network is ``form="rate"``, ``nonlinearity="relu"`` (or
    ``"leaky_relu"`` with ``leak_angle``), g = 1, ``zero_diagonal=True`` and
    input_std = bias_std = 1/√3 (perception) or 1/2 (decision); see
    ``TrainConfig.preset("seed003")``.

    **Arguments**
      key: PRNG key. N: units (≥ 2). n_in, n_out: ≥ 1. g: ≥ 0.
      out_scale: ``"large"``/``"small"``. nonlinearity: a name in ``NONLINEARITIES``.
      dtype: float32 or float64 (float64 needs :func:`simulate.enable_float64`).
      input_std, bias_std: ≥ 0. form: ``"current"`` or ``"rate"`` (:class:`RateRNN`).
      leak_angle: θ of ``"leaky_relu"``, 0 ≤ θ < π/2 (0 for other nonlinearities).
      zero_diagonal: no self-coupling (kept so under training).

    >>> net = make_rate_rnn(jax.random.key(0), 32, n_in=2, n_out=1)
    >>> net.W.shape, net.w_in.shape, net.w_out.shape
    ((32, 32), (32, 2), (32, 1))
    """
    N = _check_N(N)
    dt = resolve_dtype(dtype)
    check_nonlinearity(nonlinearity)
    get_nonlinearity(nonlinearity, leak_angle)  # validates the angle for this name
    n_in = _check_count("n_in", n_in)
    n_out = _check_count("n_out", n_out)
    s = output_scale(N, out_scale)
    g = _check_g(g)
    for name, value in (("input_std", input_std), ("bias_std", bias_std)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (math.isfinite(value) and value >= 0)
        ):
            raise ValueError(f"{name}={value!r} is not allowed; {name} must be finite and >= 0")
    if form not in FORMS:
        raise ValueError(f"form={form!r} is not known; allowed values are {FORMS}")
    W, w_in, w_out, b = _rate_arrays(
        key,
        N=N,
        n_in=n_in,
        n_out=n_out,
        g=float(g),
        s=s,
        input_std=float(input_std),
        bias_std=float(bias_std),
        zero_diagonal=bool(zero_diagonal),
        dtype=dt,
    )
    return RateRNN(
        W=W,
        w_in=w_in,
        w_out=w_out,
        b=b,
        nonlinearity=nonlinearity,
        form=form,
        leak_angle=float(leak_angle),
        zero_diagonal=bool(zero_diagonal),
    )


@jax.jit(
    static_argnames=(
        "N",
        "n_in",
        "n_out",
        "g",
        "s",
        "input_std",
        "bias_std",
        "zero_diagonal",
        "dtype",
    )
)
def _rate_arrays(
    key: PRNGKeyArray,
    *,
    N: int,
    n_in: int,
    n_out: int,
    g: float,
    s: float,
    input_std: float,
    bias_std: float,
    zero_diagonal: bool,
    dtype: jnp.dtype,
) -> tuple[Array, Array, Array, Array | None]:
    """W, W_in, W_out, b of :func:`make_rate_rnn` (one compiled computation)."""
    k_w, k_in, k_out = jax.random.split(key, 3)
    W = g / math.sqrt(N) * jax.random.normal(k_w, (N, N), dtype=dtype)
    if zero_diagonal:
        W = W * (1.0 - jnp.eye(N, dtype=dtype))
    w_in = input_std * jax.random.normal(k_in, (N, n_in), dtype=dtype)
    w_out = s / math.sqrt(N) * jax.random.normal(k_out, (N, n_out), dtype=dtype)
    # the bias key is folded in (not split above) so the other arrays match older runs
    b = None
    if bias_std > 0:
        b = bias_std * jax.random.normal(jax.random.fold_in(key, 3), (N,), dtype=dtype)
    return W, w_in, w_out, b
