r"""Measures of trained connectivity and of predictable dynamics (seed 003's hypotheses).

Seed 003 compares rate networks before and after training with:

* :func:`subspace_angles` — principal angles between subspaces (e.g. a latent space of the
  activity and the readout vector), via ``scipy.linalg.subspace_angles``, in radians,
  descending;
* :func:`node_centrality` — eigenvector or PageRank centrality of the weighted directed
  graph of |W| (edge j → i of weight |W_ij|, networkx); training that "switches the most and
  least important nodes" shows as an L-shaped scatter of initial vs final centralities;
* :func:`non_normality` — Henrici's departure from normality from the Schur form
  W = Q T Qᴴ: ‖strictly upper part of T‖ (2-norm by default, as the seed; Frobenius on
  request), 0 for normal matrices;
* :func:`spectrum` — eigenvalues sorted by decreasing modulus (before/after plots);
* :func:`predictive_information` and :func:`dca` — Gaussian predictive information
  between the past and the future window of length T of a projection of the activity, and
  Dynamical Components Analysis (Clark et al. 2019), which finds the d-dimensional
  orthonormal projection that maximises it.

DCA here is our own implementation, not the ``dynamicalcomponentsanalysis`` package: that
package requires PyTorch, pandas, h5py and scikit-learn, which is far too heavy for one
objective. The objective is the published one: for a stationary Gaussian process with
lag covariances C_k = Cov(x_{t+k}, x_t), the block-Toeplitz covariance Σ_{2T}(V) of 2T
consecutive projected samples gives

    PI_T(V) = log det Σ_T(V) − ½ log det Σ_{2T}(V)          (nats)

(the mutual information between T past and T future samples). ``dca`` maximises it over
V with orthonormal columns (V = QR-orthonormalised free parameters; several random restarts:
optax Adam, one jitted, vmapped computation, brings each near an optimum, then each is polished
to convergence by L-BFGS in float64, as the original package's optimiser does), within the
directions in which the activity varies (:func:`live_basis`) and in *whitened* coordinates
there (lag-0 covariance I: PI depends only on the span of V, so the optimum is the same, and
the conditioning no longer follows the activity's variance spectrum, which spans seven
decades on trained networks). On a trained seed-003 network (``python
benchmarks/dca_restarts.py RUN_DIR padded``) whitened Adam alone (300 steps) left 10 restarts
14.3–18.4 nats apart (10 % within 99 % of the best); polished, 9 reach 18.670 and one 18.501. The lag covariances come from the
published DCA estimator by default (within-trial windows, block-Toeplitz averaging, a
spectrum shift where that is indefinite; :func:`lag_covariances`), with which this ``dca``
and the original package agree on stationary and on trial data
(benchmarks/dca_side_by_side.py); ``estimator="padded"`` is positive semi-definite without a
shift. Each restart's final PI is evaluated in float64 and only where both determinants are
positive.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from meanfield._repr import concise_repr

from ..core import checks

__all__ = [
    "CENTRALITIES",
    "DCAResult",
    "ESTIMATORS",
    "dca",
    "lag_covariances",
    "live_basis",
    "node_centrality",
    "non_normality",
    "predictive_information",
    "spectrum",
    "subspace_angles",
]

#: Centrality measures of :func:`node_centrality`.
CENTRALITIES: tuple[str, ...] = ("eigenvector", "pagerank")


def _square(W: ArrayLike, name: str = "W") -> np.ndarray:
    A = checks.array(W, name, finite=False, min_size=0)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] < 1:
        raise ValueError(f"{name} has shape {A.shape}; allowed: a square [N, N] matrix")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} has non-finite entries; allowed: finite weights")
    return A


def subspace_angles(A: ArrayLike, B: ArrayLike) -> np.ndarray:
    """Principal angles (radians, descending) between span(A) and span(B).

    A: [N, a], B: [N, b] (a vector [N] is one direction). π/2 = orthogonal subspaces.
    """
    import scipy.linalg

    a = checks.array(A, "A", ndim=(1, 2))
    b = checks.array(B, "B", ndim=(1, 2))
    a = a[:, None] if a.ndim == 1 else a
    b = b[:, None] if b.ndim == 1 else b
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(f"A {a.shape} and B {b.shape} do not match; allowed: [N, a] and [N, b]")
    return scipy.linalg.subspace_angles(a, b)


def node_centrality(W: ArrayLike, kind: str = "eigenvector") -> np.ndarray:
    """Centrality [N] of each unit in the directed graph of |W| (edge j → i, weight |W_ij|).

    ``kind``: ``"eigenvector"`` (networkx ``eigenvector_centrality_numpy``, in-edges; unit
    2-norm) or ``"pagerank"`` (damping 0.85; sums to 1).
    """
    import networkx as nx

    if kind not in CENTRALITIES:
        raise ValueError(f"kind={kind!r} is not allowed; allowed: {', '.join(CENTRALITIES)}")
    A = np.abs(_square(W))
    # networkx reads A[i, j] as an edge i → j; W_ij is the weight from j to i: transpose
    g = nx.from_numpy_array(A.T, create_using=nx.DiGraph)
    if kind == "pagerank":
        c = nx.pagerank(g, weight="weight")
    else:
        c = nx.eigenvector_centrality_numpy(g, weight="weight")
    return np.array([c[i] for i in range(A.shape[0])])


def non_normality(W: ArrayLike, norm: str = "2") -> float:
    """‖strictly upper-triangular part of the (complex) Schur form of W‖.

    ``norm``: ``"2"`` (spectral norm, the seed's choice) or ``"fro"`` (Frobenius; Henrici's
    departure from normality, √(‖W‖²_F − Σ|λ|²)). 0 for normal W. The Frobenius value is the
    same for every Schur form; the spectral one depends on the order of the eigenvalues along
    the diagonal (LAPACK's order is an accident of the QR iteration: relabelling the units
    changed it by ~3 %), so the Schur form is put in a canonical order first — eigenvalues by
    decreasing real part, then imaginary part (LAPACK ``ztrexc`` swaps, O(N³)) — which makes
    the value a function of W up to unitary similarity (for distinct eigenvalues).
    """
    import scipy.linalg

    if norm not in ("2", "fro"):
        raise ValueError(f"norm={norm!r} is not allowed; allowed: '2', 'fro'")
    T, Z = scipy.linalg.schur(_square(W), output="complex")
    if norm == "2":
        T = _canonical_schur(T, Z)
    upper = np.triu(T, k=1)
    return float(np.linalg.norm(upper, 2 if norm == "2" else "fro"))


def _canonical_schur(T: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """The complex Schur form T reordered so that its diagonal runs by decreasing real part,
    ties by decreasing imaginary part (selection sort by ``ztrexc`` moves)."""
    from scipy.linalg import lapack

    T = np.array(T, dtype=complex, order="F")
    Z = np.array(Z, dtype=complex, order="F")
    # real parts within 1e-9·max|λ| count as equal (a conjugate pair's are equal only up to
    # rounding), so that ties fall to the imaginary part
    tol = 1e-9 * max(float(np.max(np.abs(np.diag(T)))), np.finfo(float).tiny)
    for k in range(T.shape[0] - 1):
        d = np.diag(T)[k:]
        top = np.flatnonzero(d.real >= d.real.max() - tol)
        j = k + int(top[np.argmax(d.imag[top])])
        if j != k:
            T, Z, info = lapack.ztrexc(T, Z, j + 1, k + 1, wantq=0)
            if info != 0:
                raise ValueError(f"W: the Schur reordering failed (LAPACK info {info})")
    return T


def spectrum(W: ArrayLike) -> np.ndarray:
    """Eigenvalues of W [N], complex, sorted by decreasing modulus."""
    lam = np.linalg.eigvals(_square(W))
    return lam[np.argsort(-np.abs(lam), kind="stable")]


# ----------------------------------------------------------------------------- DCA
#: Directions of the activity covariance with eigenvalue below this fraction of the largest are
#: treated as constant (silent or duplicated units): they carry no information and would make
#: every determinant of DCA zero.
RANK_TOL: float = 1e-10


#: Lag-covariance estimators of :func:`lag_covariances`.
ESTIMATORS: tuple[str, ...] = ("windows", "padded")
#: Smallest eigenvalue the "windows" estimator leaves in Σ_L after its spectrum shift (the
#: original package's choice, in the activity's units squared).
RECTIFY_EPS: float = 1e-6


def lag_covariances(X: ArrayLike, max_lag: int, estimator: str = "windows") -> np.ndarray:
    """C_k = Cov(x_{t+k}, x_t) for k = 0 … max_lag, [max_lag + 1, N, N].

    X: one long trajectory [T, N] or trials [K, T, N]; means removed per unit over all
    samples. Needs T > max_lag + 1 (``"padded"``) or T ≥ max_lag + 1 (``"windows"``).

    ``estimator="windows"`` (default; the published DCA estimator, as in the original
    package): the sample covariance (ddof 1) of all windows of L = max_lag + 1 consecutive
    samples *within* a trial, averaged along its block diagonals into block-Toeplitz form;
    C_k = Σ_i Σ_windows a_{s+i+k} a_{s+i}ᵀ / ((n_windows − 1)(L − k)). Averaging can make Σ_L
    indefinite; then the spectrum of Σ_L is shifted so that its smallest eigenvalue is
    :data:`RECTIFY_EPS` (C₀ += (−λ_min + ε) I, i.e. white noise of that variance added to
    every unit; here within the directions where the activity varies, :func:`live_basis`, so
    that constant and duplicated units stay constant). The shift is a data-dependent ridge: on
    a trained seed-003 network's trials it was 1.3 (activity variance up to ~300), which hides
    the directions of smaller variance from DCA. With it, ``dca`` and the original package
    agree on trial data (benchmarks/dca_side_by_side.py).

    ``estimator="padded"``: C_k = Σ_trials Σ_t a_{t+k} a_tᵀ / (K·T), dividing by the whole
    trial length rather than by the T − k pairs at lag k: the lag-k covariance of each trial
    padded with zeros beyond its ends, so every block-Toeplitz Σ_L is positive semi-definite
    without a shift (a sum of outer products). The price is a shrinkage of C_k by (T − k)/T
    and structure at the trial ends; on trained-network trials DCA with it finds predictable
    directions of tiny variance (PI 18.7 nats where the windows estimator gives 6.9).

    The per-lag unbiased 1/(K·(T − k)) is neither: on trial-shaped data it gives an
    indefinite Σ_2T (issue 18 measured 43–46 negative eigenvalues of 270), and DCA then
    climbs estimator artefacts.
    """
    A = checks.array(X, "X", finite=False, min_size=0)
    if A.ndim == 2:
        A = A[None]
    if A.ndim != 3:
        raise ValueError(f"X has shape {np.shape(X)}; allowed: [T, N] or [K, T, N]")
    max_lag = checks.integer(max_lag, "max_lag", 0)
    if estimator not in ESTIMATORS:
        raise ValueError(
            f"estimator={estimator!r} is not allowed; allowed: {', '.join(map(repr, ESTIMATORS))}"
        )
    K, T, N = A.shape
    L = max_lag + 1
    if estimator == "padded" and T <= L:
        raise ValueError(f"X has {T} time steps; allowed: more than max_lag + 1 = {L}")
    if estimator == "windows" and (T < L or K * (T - L + 1) < 2):
        raise ValueError(
            f"X has {K} trial(s) of {T} time steps; allowed: at least two windows "
            f"of max_lag + 1 = {L} steps (T >= {L}, and T > {L} for one trial)"
        )
    if not np.all(np.isfinite(A)):
        raise ValueError("X has non-finite entries; allowed: finite activity")
    A = A - A.reshape(-1, N).mean(axis=0)
    C = np.empty((L, N, N))
    if estimator == "padded":
        for k in range(L):  # max_lag + 1 ≤ 2T_window matmuls, not a hot loop
            C[k] = np.einsum("ktn,ktm->nm", A[:, k:], A[:, : T - k]) / (K * T)
        return C
    n_windows = K * (T - L + 1)
    t = np.arange(T)
    for k in range(L):
        # weight of the pair (t + k, t): the number of window positions i ∈ [0, L − 1 − k]
        # with window start s = t − i ∈ [0, T − L]
        tk = t[: T - k]
        w = (np.minimum(L - 1 - k, tk) - np.maximum(0, tk - (T - L)) + 1).clip(min=0)
        C[k] = np.einsum(
            "t,ktn,ktm->nm", w.astype(float), A[:, k:], A[:, : T - k], optimize=True
        ) / ((n_windows - 1) * (L - k))
    C[0] = 0.5 * (C[0] + C[0].T)
    # the shift acts within the directions where the activity varies: constant and duplicated
    # units stay constant (and are refused by name downstream) instead of becoming white noise
    B = live_basis(C[0])
    if B.shape[1]:
        Cb = np.einsum("ni,knm,mj->kij", B, C, B, optimize=True)
        lam_min = float(np.linalg.eigvalsh(_block_toeplitz_np(Cb, L))[0])
        if lam_min <= 0:
            C[0] += (RECTIFY_EPS - lam_min) * (B @ B.T)
    return C


def live_basis(C0: ArrayLike) -> np.ndarray:
    """Orthonormal basis [N, r] of the directions in which the activity varies: eigenvectors
    of the lag-0 covariance with eigenvalue > :data:`RANK_TOL` × the largest (constant and
    duplicated units span none of them)."""
    w, U = np.linalg.eigh(np.asarray(C0, np.float64))
    keep = (
        w > RANK_TOL * max(float(w.max()), 0.0)
        if w.size and w.max() > 0
        else np.zeros(w.shape, bool)
    )
    return U[:, keep][:, ::-1]


def _unit_scale(X: ArrayLike) -> np.ndarray:
    """X / max|X|: PI and DCA are invariant to the scale of the activity, and this keeps the
    lag covariances and their determinants finite for data of any magnitude (1e±300)."""
    A = checks.array(X, "X", finite=False, min_size=0)
    top = float(np.max(np.abs(A))) if A.size and np.all(np.isfinite(A)) else 0.0
    return A / top if top > 0 else A


def _block_toeplitz(C: Any, length: int) -> Any:
    """[length·d, length·d] covariance of ``length`` consecutive samples from C [L, d, d]."""
    import jax.numpy as jnp

    d = C.shape[-1]
    rows = []
    for i in range(length):  # static, small (2T blocks): builds the traced matrix once
        row = [C[i - j] if i >= j else jnp.swapaxes(C[j - i], -1, -2) for j in range(length)]
        rows.append(jnp.concatenate(row, axis=-1))
    return jnp.concatenate(rows, axis=-2).reshape(length * d, length * d)


def _pi_of_projection(C: Any, V: Any, T: int) -> Any:
    """PI_T of the projection V [N, d] given C [2T, N, N] (JAX, differentiable)."""
    import jax.numpy as jnp

    Cp = jnp.einsum("ni,knm,mj->kij", V, C, V)
    _, ld_T = jnp.linalg.slogdet(_block_toeplitz(Cp[:T], T))
    _, ld_2T = jnp.linalg.slogdet(_block_toeplitz(Cp, 2 * T))
    return ld_T - 0.5 * ld_2T


def predictive_information(
    X: ArrayLike, V: ArrayLike | None = None, *, T: int = 5, estimator: str = "windows"
) -> float:
    """Gaussian PI_T (nats) of the activity projected on V [N, d] (``None`` → all directions in
    which X varies, :func:`live_basis`).

    PI_T = log det Σ_T − ½ log det Σ_2T from the lag covariances of X (module docstring);
    0 for white noise, large for slow, predictable dynamics. Both determinants must be
    positive: a V reaching into a direction where X is constant (a silent or duplicated
    unit) is refused by name instead of returning ±∞ or NaN.
    """
    T = checks.integer(T, "T", 1)
    C = lag_covariances(_unit_scale(X), 2 * T - 1, estimator)
    N = C.shape[-1]
    if V is None:
        Q = live_basis(C[0])
        if Q.shape[1] == 0:
            raise ValueError("X is constant; allowed: activity that varies in some unit")
    else:
        Vm = np.asarray(V, np.float64)
        if Vm.ndim == 1:
            Vm = Vm[:, None]
        if Vm.ndim != 2 or Vm.shape[0] != N:
            raise ValueError(f"V has shape {Vm.shape}; allowed: [N={N}, d]")
        Q, _ = np.linalg.qr(Vm)
    pi = _pi_or_nan(C, Q, T)
    if math.isnan(pi):
        raise ValueError(
            "V projects onto directions in which X is constant (Σ_T or Σ_2T is "
            "singular); allowed: V within the span of the activity "
            "(validate.analysis.network_measures.live_basis)"
        )
    return pi


def _block_toeplitz_np(C: np.ndarray, length: int) -> np.ndarray:
    """numpy twin of :func:`_block_toeplitz` (float64, for the final evaluation)."""
    d = C.shape[-1]
    rows = [
        np.concatenate([C[i - j] if i >= j else C[j - i].T for j in range(length)], axis=1)
        for i in range(length)
    ]
    return np.concatenate(rows, axis=0).reshape(length * d, length * d)


class DCAResult(NamedTuple):
    """Outcome of :func:`dca`: ``V`` [N, d] orthonormal, ``pi`` its PI_T (nats), ``pi_runs``
    the PI of each restart."""

    def __repr__(self) -> str:
        return concise_repr(self)

    V: np.ndarray
    pi: float
    pi_runs: np.ndarray


def dca(
    X: ArrayLike,
    d: int,
    *,
    T: int = 5,
    restarts: int = 5,
    steps: int = 500,
    learning_rate: float = 0.05,
    seed: int = 0,
    polish: bool = True,
    polish_steps: int = 5000,
    estimator: str = "windows",
) -> DCAResult:
    """Dynamical Components Analysis: the d-dim projection maximising PI_T (module doc).

    Arguments:
        X: activity [T_total, N] or [K, T_total, N]. d: 1 ≤ d ≤ N.
        T: window length (≥ 1). restarts: random initial projections optimised together.
        steps, learning_rate: Adam on the free matrix whose QR factor is V.
        polish: then run L-BFGS in float64 from each restart to convergence (gradient norm
            1e-10 or ``polish_steps`` iterations); False keeps Adam's result (faster,
            restarts may stop short of the optimum).
        estimator: lag-covariance estimator, :func:`lag_covariances` (``"windows"``, the
            original package's, or ``"padded"``).
    """
    import jax.numpy as jnp

    d, T, restarts, steps, polish_steps = (
        checks.integer(v, name, 1)
        for name, v in (
            ("d", d),
            ("T", T),
            ("restarts", restarts),
            ("steps", steps),
            ("polish_steps", polish_steps),
        )
    )
    learning_rate = checks.real(learning_rate, "learning_rate", low=0.0, strict=True)
    C = lag_covariances(_unit_scale(X), 2 * T - 1, estimator)
    N = C.shape[-1]
    if d > N:
        raise ValueError(f"d={d!r} is not allowed; d must be <= N={N}")
    # optimise within the directions where the activity varies (silent, constant or
    # duplicated units add directions of zero variance: every determinant would vanish)
    B = live_basis(C[0])
    r = B.shape[1]
    if d > r:
        raise ValueError(
            f"d={d!r} is not allowed; d must be <= {r}, the number of directions "
            f"in which X varies ({N - r} of the N={N} unit directions are constant "
            "or duplicated)"
        )
    # whitened coordinates: PI_T(V) depends only on span(V), and {span of V'} in whitened
    # coordinates is the same set of subspaces, so the optimum is the same — but the lag-0
    # covariance is I there, which conditions the problem (trained networks' activity spans
    # seven decades of variance; without whitening L-BFGS crawled for thousands of steps)
    lam0, E0 = np.linalg.eigh(np.einsum("ni,nm,mj->ij", B, C[0], B, optimize=True))
    Wh = B @ (E0 / np.sqrt(lam0)) @ E0.T  # [N, r]: B C₀^{-1/2} within the live space
    Cr = np.einsum("ni,knm,mj->kij", Wh, C, Wh, optimize=True)
    Cj = jnp.asarray(Cr)
    run = _dca_runner(T, steps, float(learning_rate))
    M0 = jnp.asarray(np.random.default_rng(seed).standard_normal((restarts, r, d)))
    Vs, _ = run(Cj, M0)
    Vs = np.asarray(Vs, np.float64)
    if polish:  # from Adam's point, or from the random start where Adam left the PD region
        starts = [
            V if math.isfinite(_pi_or_nan(Cr, V, T)) else np.linalg.qr(M)[0]
            for V, M in zip(Vs, np.asarray(M0, np.float64), strict=True)
        ]
        Vs = np.stack([_polish(Cr, V, T, polish_steps) for V in starts])
    # final PI of every restart in float64 (refused projections give NaN)
    Vfull = np.stack([np.linalg.qr(Wh @ V)[0] for V in Vs])  # back to unit coordinates
    pis = np.array([_pi_or_nan(C, V, T) for V in Vfull])
    if not np.any(np.isfinite(pis)):
        raise ValueError(
            "no DCA restart reached a projection with positive-definite "
            "covariances; allowed: activity with at least d varying directions"
        )
    best = int(np.nanargmax(pis))
    return DCAResult(Vfull[best], float(pis[best]), pis)


def _pi_or_nan(C: np.ndarray, V: np.ndarray, T: int) -> float:
    """PI_T (float64) of the projection V [N, d] given C [2T, N, N], NaN unless both
    block-Toeplitz covariances are positive definite."""
    Cp = np.einsum("ni,knm,mj->kij", V, C, V, optimize=True)
    out = []
    for L in (T, 2 * T):
        sign, ld = np.linalg.slogdet(_block_toeplitz_np(Cp, L))
        if not (sign > 0 and np.isfinite(ld)):
            return math.nan
        out.append(ld)
    return float(out[0] - 0.5 * out[1])


def _x64() -> Any:
    """JAX's float64 context manager (``jax.enable_x64`` from jax 0.5 on)."""
    import jax

    if callable(getattr(jax, "enable_x64", None)):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # type: ignore[attr-defined]  # pragma: no cover - older jax

    return enable_x64()


def _orthonormal(M: Any) -> Any:
    """The Q factor of M [r, d] with the signs that make diag R positive (JAX; a smooth
    parametrisation of V by the free matrix M)."""
    import jax.numpy as jnp

    Q, R = jnp.linalg.qr(M)
    return Q * jnp.sign(jnp.diagonal(R))[None, :]


@functools.lru_cache(maxsize=16)
def _pi_value_and_grad(T: int) -> Any:
    """Jitted (−PI_T, gradient) of the free matrix M [r, d] (V = QR factor of M); traced and
    called inside :func:`_x64` only, so it runs in float64."""
    import jax

    return jax.jit(jax.value_and_grad(lambda M, C: -_pi_of_projection(C, _orthonormal(M), T)))


def _polish(C: np.ndarray, V0: np.ndarray, T: int, max_steps: int) -> np.ndarray:
    """L-BFGS (scipy) in float64 on −PI_T from V0 [r, d]; returns the orthonormal optimum."""
    import jax.numpy as jnp
    from scipy.optimize import minimize

    r, d = V0.shape
    with _x64():
        f = _pi_value_and_grad(T)
        Cj = jnp.asarray(C, jnp.float64)

        def fun(m: np.ndarray) -> tuple[float, np.ndarray]:
            v, g = f(jnp.asarray(m.reshape(r, d), jnp.float64), Cj)
            v, g = float(v), np.asarray(g, np.float64).ravel()
            if not (math.isfinite(v) and np.all(np.isfinite(g))):
                return math.inf, np.zeros_like(m)  # outside the PD region: line search backs off
            return v, g

        out = minimize(
            fun,
            np.asarray(V0, np.float64).ravel(),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": int(max_steps), "gtol": 1e-10},
        )
    Q, R = np.linalg.qr(out.x.reshape(r, d))
    return Q * np.sign(np.diagonal(R))[None, :]


@functools.lru_cache(maxsize=16)
def _dca_runner(T: int, steps: int, learning_rate: float) -> Any:
    """The jitted DCA optimisation for (T, steps, learning_rate), built once per process so
    that repeated :func:`dca` calls with the same shapes reuse one compilation."""
    import jax
    import optax

    opt = optax.adam(learning_rate)

    @jax.jit
    def run(C: Any, M0: Any) -> Any:
        def loss(M: Any) -> Any:
            return -_pi_of_projection(C, _orthonormal(M), T)

        def body(carry: Any, _: Any) -> tuple[Any, None]:
            M, state = carry
            g = jax.vmap(jax.grad(loss))(M)
            upd, state = opt.update(g, state, M)
            return (optax.apply_updates(M, upd), state), None

        (M, _), _ = jax.lax.scan(body, (M0, opt.init(M0)), None, length=steps)
        return jax.vmap(_orthonormal)(M), -jax.vmap(loss)(M)

    return run
