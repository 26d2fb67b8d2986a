r"""Measures of the aligned and oblique regimes on plain activity arrays (THEORY.md §1, §6).

Every function takes NumPy arrays (JAX arrays are accepted through ``np.asarray``) and
computes in float64, so the same code applies to trained networks and to recordings.
This module imports neither JAX nor ``simulate``.

Shapes
------
* Activity ``X``: ``[S, N]`` (S samples = time points × conditions stacked, N neurons)
  or ``[K, T, N]`` (K conditions/trials × T time steps), flattened to ``[K·T, N]``
  by :func:`flatten_samples`. Units: those of the state x (the readout reads x, §1).
* Output weights ``w_out``: ``[N]`` (one output) or ``[N, d]`` (d outputs).
* Outputs ``Z``: ``[S]``, ``[S, d]`` or ``[K, T, d]`` (same samples as X).

The measures (THEORY §6)
------------------------
* :func:`readout_correlation` — ρ = ‖X w_out‖_F / (‖w_out‖_F ‖X‖_F), the Frobenius
  version of §1's ρ = |w_outᵀ x̄| / (‖w_out‖ ‖x̄‖); :func:`readout_norm`, :func:`state_norm`.
* :func:`pca`, :func:`dimension` — D_x,90; :func:`fit_dimension`,
  :func:`reconstruction_r2` — D_fit,90 and the R² of k-PC reconstructions.
* :func:`dissimilarity` — rotation-invariant distance between two learners.
* :func:`noise_compression` — variance of fluctuations along w_out over random directions.
* :func:`susceptibility` — ratio of areas under loss-vs-kick-amplitude curves.
* :func:`regime_label` — "aligned" / "oblique" from ρ and N.
* :func:`summarize` — the readout and dimension measures of one network as a dict;
  :func:`measures_table` — a Markdown table of such a dict.

Cost: a few thin SVDs of the ``[S, N]`` activity per call (O(S·N²)). Under heavy CPU load,
multithreaded OpenBLAS can be ~50× slower on such small matrices than one thread; set
``OPENBLAS_NUM_THREADS=1`` (before NumPy is imported) when many processes share few cores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, NamedTuple

import numpy as np
from jaxtyping import Float
from numpy.typing import ArrayLike

from meanfield._repr import concise_repr

from ..core.checks import array, fraction, integer, real_scalar

__all__ = [
    "DISSIMILARITY_METHODS",
    "PCA",
    "FitDimension",
    "NoiseCompression",
    "dimension",
    "dissimilarity",
    "fit_dimension",
    "flatten_samples",
    "measures_table",
    "noise_compression",
    "pca",
    "readout_correlation",
    "readout_norm",
    "reconstruction_r2",
    "regime_label",
    "state_norm",
    "summarize",
    "susceptibility",
]

#: Methods accepted by :func:`dissimilarity`.
DISSIMILARITY_METHODS: tuple[str, ...] = ("procrustes", "cca")

_EPS = np.finfo(np.float64).eps


# --------------------------------------------------------------------------- input checks
def _shape(a: np.ndarray) -> tuple[int, ...]:
    return tuple(int(n) for n in a.shape)


def _finite(a: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(a)):
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        raise ValueError(
            f"{name} has {bad} non-finite entries (NaN or inf); all entries must be finite"
        )


def flatten_samples(X: ArrayLike, *, name: str = "X") -> Float[np.ndarray, "S N"]:
    """Activity as a float64 ``[S, N]`` matrix.

    **Arguments**
      X: ``[S, N]`` or ``[K, T, N]`` (flattened row-major to ``[K·T, N]``: all T time steps of
      condition 0, then condition 1, …). Any array-like (NumPy, JAX).
      name: the argument name used in error messages.

    **Returns** float64 ``[S, N]`` (a copy only when the input is not already float64).

    **Raises** ValueError if X is not 2-D or 3-D, has no samples or neurons, or non-finite entries.
    """
    a = array(X, name, finite=False, min_size=0)
    if a.ndim not in (2, 3):
        raise ValueError(
            f"{name} has shape {_shape(a)} (ndim {a.ndim}); allowed: [S, N] or [K, T, N]"
        )
    a = a.reshape(-1, a.shape[-1])
    if a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"{name} has shape {_shape(a)} after flattening; need S >= 1 and N >= 1")
    _finite(a, name)
    return a


def _weights(w_out: Float[np.ndarray, " ..."], N: int, name: str = "w_out") -> np.ndarray:
    w = array(w_out, name, finite=False, min_size=0)
    if w.ndim == 1:
        w = w[:, None]
    if w.ndim != 2 or w.shape[0] != N or w.shape[1] < 1:
        raise ValueError(
            f"{name} has shape {_shape(np.asarray(w_out))}; allowed: [N] or [N, d] with N = {N} "
            "(the number of neurons of the activity) and d >= 1"
        )
    _finite(w, name)
    if not np.any(w):
        raise ValueError(f"{name} is all zeros; its norm must be > 0")
    return w


def _outputs(Z: Float[np.ndarray, " ..."], S: int, name: str = "Z") -> np.ndarray:
    z = array(Z, name, finite=False, min_size=0)
    if z.ndim == 1:
        z = z[:, None]
    elif z.ndim == 3:
        z = z.reshape(-1, z.shape[-1])
    if z.ndim != 2 or z.shape[0] != S or z.shape[1] < 1:
        raise ValueError(
            f"{name} has shape {_shape(np.asarray(Z))}; allowed: [S], [S, d] or [K, T, d] "
            f"with the same S = {S} samples as the activity"
        )
    _finite(z, name)
    return z


def _reached(curve: np.ndarray, target: float) -> int:
    """Smallest k ≥ 1 with curve[k-1] ≥ target, allowing float rounding of the cumulative
    sums (64 ε relative): exact spectra such as 9 equal PCs of 10 reach 0.9 at k = 9."""
    ok = np.nonzero(curve >= target - 64 * _EPS * max(1.0, abs(target)))[0]
    return int(ok[0]) + 1 if ok.size else int(curve.size)


# --------------------------------------------------------------------------- correlation
def readout_correlation(
    w_out: Float[np.ndarray, " N *d"], X: Float[np.ndarray, "*S N"], *, per_output: bool = False
) -> float | Float[np.ndarray, " d"]:
    r"""Correlation ρ between the readout and the activity (THEORY §1, §6).

    ρ = ‖X w_out‖_F / (‖w_out‖_F ‖X‖_F), the Frobenius version over time and conditions of
    ρ = |w_outᵀ x̄| / (‖w_out‖ ‖x̄‖). X is **not** mean-centred: pass the trial-averaged
    (condition-averaged) activity x̄. ρ ∈ [0, 1]; ρ = O(1) in the aligned regime and
    O(N^{-1/2}) in the oblique one (a random direction gives E ρ² = 1/N exactly).
    Equals ``simulate.losses.correlation`` (tested) without importing JAX.

    **Arguments**
      w_out: ``[N]`` or ``[N, d]``. X: ``[S, N]`` or ``[K, T, N]``.
      per_output: if True, ρ_j = ‖X w_j‖ / (‖w_j‖ ‖X‖_F) for each output column j.

    **Returns** float ρ (dimensionless), or ``[d]`` array if ``per_output``.

    **Example** ``readout_correlation(np.ones(3), np.eye(3))`` → 1/√3.
    """
    x = flatten_samples(X)
    w = _weights(w_out, x.shape[1])
    if not np.any(x):
        raise ValueError("X is all zeros; its Frobenius norm must be > 0")
    # ρ is invariant to the scale of X and of w_out: divide both by their largest entry first,
    # so that no norm or product over- or underflows (data of any magnitude, 1e±300)
    x = x / np.max(np.abs(x))
    w = w / np.max(np.abs(w))
    x_norm = np.linalg.norm(x)
    xw = x @ w  # [S, d]
    if per_output:
        w_norms = np.linalg.norm(w, axis=0)
        if np.any(w_norms == 0):
            raise ValueError(
                f"w_out has all-zero output columns {np.nonzero(w_norms == 0)[0].tolist()}; "
                "per_output needs every column norm > 0"
            )
        return np.linalg.norm(xw, axis=0) / (w_norms * x_norm)
    return float(np.linalg.norm(xw) / (np.linalg.norm(w) * x_norm))


def readout_norm(w_out: Float[np.ndarray, " N *d"]) -> float:
    """‖w_out‖_F (THEORY §1): O(1) for large output weights, O(N^{-1/2}) for small ones.

    **Arguments** w_out: ``[N]`` or ``[N, d]``. **Returns** float (units of output / state).
    """
    w = array(w_out, "w_out", finite=False, min_size=0)
    if w.ndim not in (1, 2) or w.size == 0:
        raise ValueError(f"w_out has shape {_shape(w)}; allowed: [N] or [N, d] with N, d >= 1")
    _finite(w, "w_out")
    return float(np.linalg.norm(w))


def state_norm(X: Float[np.ndarray, "*S N"]) -> float:
    """‖x‖ as the root-mean-square over samples of the state norm, ‖X‖_F / √S (THEORY §1, §6):
    O(√N) when each unit is O(1). **Arguments** X: ``[S, N]`` or ``[K, T, N]``.
    **Returns** float (units of x)."""
    x = flatten_samples(X)
    return float(np.linalg.norm(x) / math.sqrt(x.shape[0]))


# --------------------------------------------------------------------------- PCA and dimensions
class PCA(NamedTuple):
    """Principal components of activity (THEORY §6).

    * ``components``: ``[N, k]``, orthonormal columns, ordered by decreasing variance,
      k = min(S, N); sign fixed so that each column's largest-magnitude entry is positive.
    * ``explained_variance``: ``[k]`` variance along each component (units of x²):
      s²/(S − 1) for centred PCA, the second moment s²/S without centring.
    * ``ratio``: ``[k]`` explained_variance / its sum (sums to 1).
    * ``mean``: ``[N]`` the subtracted mean (zeros if ``center=False``).
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    components: Float[np.ndarray, "N k"]
    explained_variance: Float[np.ndarray, " k"]
    ratio: Float[np.ndarray, " k"]
    mean: Float[np.ndarray, " N"]

    def scores(
        self, X: Float[np.ndarray, "*S N"], k: int | None = None
    ) -> Float[np.ndarray, "S k"]:
        """Projection of (X − mean) on the first k components (all if None): ``[S, k]``."""
        x = flatten_samples(X)
        comps = self.components if k is None else self.components[:, :k]
        return (x - self.mean) @ comps


def _svd(x: np.ndarray, center: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mean [N], U [S, k], s [k], V [N, k]) of the (centred) activity, deterministic signs."""
    mean = x.mean(axis=0) if center else np.zeros(x.shape[1])
    u, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    v = vt.T
    idx = np.argmax(np.abs(v), axis=0)
    signs = np.sign(v[idx, np.arange(v.shape[1])])
    signs[signs == 0] = 1.0
    return mean, u * signs, s, v * signs


def pca(X: Float[np.ndarray, "*S N"], *, center: bool = True) -> PCA:
    """Principal component analysis of activity X (THEORY §6), by SVD in float64.

    **Arguments**
      X: ``[S, N]`` or ``[K, T, N]``. center: subtract the mean over samples (default True).

    **Returns** :class:`PCA` (components ``[N, k]``, explained_variance ``[k]``, ratio ``[k]``,
    mean ``[N]``), k = min(S, N).

    **Raises** ValueError if X has zero variance (or, with ``center``, fewer than 2 samples).
    """
    x = flatten_samples(X)
    S = x.shape[0]
    if center and S < 2:
        raise ValueError(f"X has S={S} samples; centred PCA needs S >= 2")
    mean, _, s, v = _svd(x, center)
    with np.errstate(over="ignore", under="ignore"):  # the variance itself may be out of range
        var = s**2 / (S - 1 if center else S)
    if not np.any(s > 0):
        raise ValueError("X has zero variance (all samples equal); PCA is undefined")
    rel = (s / s.max()) ** 2  # the ratio from normalised values: exact at any data scale
    return PCA(components=v, explained_variance=var, ratio=rel / rel.sum(), mean=mean)


def dimension(X: Float[np.ndarray, "*S N"], *, threshold: float = 0.9) -> int:
    """D_x,90: the number of leading PCs that explain ``threshold`` of X's variance (THEORY §6).

    Smallest k with Σ_{i≤k} ratio_i ≥ threshold (centred PCA of :func:`pca`).

    **Arguments** X: ``[S, N]`` or ``[K, T, N]``. threshold: fraction in (0, 1] (default 0.9).

    **Returns** int in [1, min(S, N)].
    """
    thr = fraction(threshold, "threshold")
    return _dimension_from_s(_svd(flatten_samples(X), center=True)[2], thr)


def _dimension_from_s(s: np.ndarray, thr: float) -> int:
    """D from the singular values s of the centred activity (ratio_i = s_i²/Σ s²)."""
    if not np.any(s > 0):
        raise ValueError("X has zero variance (all samples equal); PCA is undefined")
    var = (s / s.max()) ** 2  # normalised first: no underflow for tiny data
    return _reached(np.cumsum(var / var.sum()), thr)


class FitDimension(NamedTuple):
    """Result of :func:`fit_dimension` (THEORY §6).

    * ``D_fit``: smallest k whose k-PC reconstruction reaches threshold × ``r2_full``.
    * ``r2_by_k``: ``[max_k]``, R² of the reconstruction from the first k = 1 … max_k PCs.
    * ``r2_full``: R² of the least-squares fit from the full activity.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    D_fit: int
    r2_by_k: Float[np.ndarray, " k"]
    r2_full: float


def _r2_curve(
    x: np.ndarray, z: np.ndarray, svd: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """R²(k) for k = 1 … min(S, N) of least squares (with intercept) of z on the first k PC
    scores of x. The centred scores are mutually orthogonal, so each PC adds its own share:
    R²(k) = Σ_{i≤k} ‖u_iᵀ z_c‖² / ‖z_c‖²_F (u_i unit left singular vectors). Numerically
    null PCs (s_i ≤ max(S, N)·ε·s_max, the matrix-rank tolerance) add nothing. ``svd``:
    (U, s) of the centred x when already computed."""
    u, s = _svd(x, center=True)[1:3] if svd is None else svd
    zc = z - z.mean(axis=0)
    ss_tot = float(np.sum(zc**2))
    if ss_tot == 0:
        raise ValueError("Z is constant over samples (zero variance); R² is undefined")
    tol = max(x.shape) * _EPS * (s[0] if s.size else 0.0)
    share = np.sum((u.T @ zc) ** 2, axis=1) / ss_tot  # [k]
    share[s <= tol] = 0.0
    # cumulative rounding can exceed 1 by a few ε; R² of a least-squares fit is ≤ 1
    return np.minimum(np.cumsum(share), 1.0)


def fit_dimension(
    X: Float[np.ndarray, "*S N"],
    Z: Float[np.ndarray, "*S d"],
    *,
    threshold: float = 0.9,
    max_k: int | None = None,
) -> FitDimension:
    r"""D_fit,90: number of leading PCs of X needed to reconstruct the outputs Z (THEORY §6).

    For k = 1, 2, …: least squares of Z on the first k PC scores of X, with an intercept;
    R²(k) = 1 − SS_res/SS_tot pooled over outputs (sums over samples and outputs, i.e.
    the variance-weighted R² of multi-output regression). ``r2_full`` is the R² of the fit
    on all of X (= R² on all PCs). D_fit is the smallest k with R²(k) ≥ threshold·r2_full.
    In-sample R²: with S ≤ N the full fit is exact (r2_full = 1); for recordings regularise
    or subsample upstream (validate.analysis.recordings).

    **Arguments**
      X: ``[S, N]`` or ``[K, T, N]``. Z: ``[S]``, ``[S, d]`` or ``[K, T, d]`` (same samples).
      threshold: fraction in (0, 1] (default 0.9).
      max_k: length of the returned ``r2_by_k`` (default min(S, N)); D_fit is searched over
      all k regardless.

    **Returns** :class:`FitDimension` (D_fit int ≥ 1, r2_by_k ``[max_k]``, r2_full float).

    **Raises** ValueError on bad shapes, a constant Z, or Z without any linear relation to X.
    """
    x = flatten_samples(X)
    z = _outputs(Z, x.shape[0])
    thr = fraction(threshold, "threshold")
    if x.shape[0] < 2:
        raise ValueError(f"X has S={x.shape[0]} samples; the regression needs S >= 2")
    kmax = min(x.shape)
    k_out = kmax if max_k is None else integer(max_k, "max_k", 1, kmax)
    return _fit_dimension(x, z, thr, k_out)


def _fit_dimension(
    x: np.ndarray,
    z: np.ndarray,
    thr: float,
    k_out: int,
    svd: tuple[np.ndarray, np.ndarray] | None = None,
) -> FitDimension:
    curve = _r2_curve(x, z, svd)
    r2_full = float(curve[-1])
    if r2_full <= 0:
        raise ValueError(
            "Z has no linear relation to X (R² of the full activity is 0); D_fit undefined"
        )
    return FitDimension(
        D_fit=_reached(curve, thr * r2_full), r2_by_k=curve[:k_out].copy(), r2_full=r2_full
    )


def reconstruction_r2(X: Float[np.ndarray, "*S N"], Z: Float[np.ndarray, "*S d"], k: int) -> float:
    """R² of the outputs Z reconstructed from the first k PCs of X (THEORY §6; e.g. k = 2).

    Least squares with intercept on the first k PC scores, R² pooled over outputs (as in
    :func:`fit_dimension`). **Arguments** X ``[S, N]``/``[K, T, N]``, Z ``[S]``/``[S, d]``/
    ``[K, T, d]``, k in [0, min(S, N)] (k = 0 gives 0). **Returns** float in [0, 1].
    """
    x = flatten_samples(X)
    z = _outputs(Z, x.shape[0])
    kk = integer(k, "k", 0, min(x.shape))
    if x.shape[0] < 2:
        raise ValueError(f"X has S={x.shape[0]} samples; the regression needs S >= 2")
    return 0.0 if kk == 0 else float(_r2_curve(x, z)[kk - 1])


# --------------------------------------------------------------------------- dissimilarity
def _leading_scores(x: np.ndarray, k: int) -> np.ndarray:
    """Centred activity projected on its first k PCs: scores [S, k] (= U_k s_k)."""
    _, u, s, _ = _svd(x, center=True)
    return u[:, :k] * s[:k]


def dissimilarity(
    XA: Float[np.ndarray, "*S NA"],
    XB: Float[np.ndarray, "*S NB"],
    *,
    n_pcs: int = 10,
    method: Literal["procrustes", "cca"] = "procrustes",
) -> float:
    r"""Rotation-invariant distance in [0, 1] between two learners' trajectories (THEORY §6).

    Both activities are on the same S samples (same conditions and times, stacked the same
    way); their neuron counts may differ. Each is centred and projected on its own first
    k = ``n_pcs`` principal components, giving scores A, B ∈ R^{S×k}; the distance between
    the score matrices is computed by :mod:`validate.analysis.similarity` (one implementation):

    * ``"procrustes"`` (default): the angular orthogonal-Procrustes shape distance of
      Williams et al. (2021), θ = arccos ‖ÂᵀB̂‖_* (Â, B̂ scaled to unit Frobenius norm,
      ‖·‖_* the nuclear norm = max over orthogonal R of tr(RᵀÂᵀB̂)), returned as 2θ/π ∈ [0, 1]
      (:func:`validate.analysis.similarity.procrustes_distance`). A metric; invariant to rotations,
      reflections and permutations of neurons (they only rotate the PC scores) and to overall
      scale; 0 iff the leading trajectories agree up to rotation and scale; 1 for orthogonal
      (unrelated) trajectories.
    * ``"cca"``: 1 − mean canonical correlation of A and B
      (:func:`validate.analysis.similarity.svcca` with ``keep=1``: nothing dropped but numerically null
      directions). Invariant to any invertible linear map of the scores.

    Why Procrustes is the default: it weighs each direction by its variance, so the dominant
    dynamics decide the distance, whereas CCA gives the k-th (possibly noise-dominated) PC the
    same weight as the first and calls two learners identical whenever their k-PC spaces
    coincide, however differently the variance is distributed. Restricting both to the
    leading PCs keeps them from comparing noise dimensions (the paper compares learners on
    their leading dynamics); ``n_pcs`` sets how many.

    **Arguments**
      XA, XB: ``[S, NA]``, ``[S, NB]`` (or ``[K, T, N]``), same S.
      n_pcs: k in [1, min(S − 1, NA, NB)]. method: ``"procrustes"`` or ``"cca"``.

    **Returns** float in [0, 1] (dimensionless).
    """
    from . import similarity

    a = flatten_samples(XA, name="XA")
    b = flatten_samples(XB, name="XB")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"XA has S={a.shape[0]} samples but XB has S={b.shape[0]}; "
            "both must cover the same samples"
        )
    if method not in DISSIMILARITY_METHODS:
        raise ValueError(
            f"method={method!r} is not allowed; must be one of {DISSIMILARITY_METHODS}"
        )
    kmax = min(a.shape[0] - 1, a.shape[1], b.shape[1])
    if kmax < 1:
        raise ValueError(f"XA, XB have shapes {_shape(a)}, {_shape(b)}; need S >= 2 samples")
    k = integer(n_pcs, "n_pcs", 1, kmax)
    sa, sb = _leading_scores(a, k), _leading_scores(b, k)
    if not np.any(sa) or not np.any(sb):
        raise ValueError("XA or XB has zero variance; dissimilarity is undefined")
    if method == "procrustes":
        return float(min(1.0, similarity.procrustes_distance(sa, sb) / (math.pi / 2)))
    return float(min(1.0, max(0.0, 1.0 - similarity.svcca(sa, sb, keep=1.0).mean)))


# --------------------------------------------------------------------------- noise compression
class NoiseCompression(NamedTuple):
    """Result of :func:`noise_compression` (THEORY §6).

    * ``ratio``: var_out / mean(var_random); < 1 means fluctuations along the readout are
      suppressed, 1 means neither compression nor expansion.
    * ``se``: Monte-Carlo standard error of ``ratio`` from the finite number of random
      directions (delta method; it does not include the sampling error of the fluctuations).
    * ``var_out``: variance along the readout (units of x²).
    * ``var_random``: ``[n_random]`` variance along each random unit direction.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    ratio: float
    se: float
    var_out: float
    var_random: Float[np.ndarray, " n_random"]


def noise_compression(
    fluct: Float[np.ndarray, "*S N"],
    w_out: Float[np.ndarray, " N *d"],
    *,
    n_random: int = 100,
    seed: int = 0,
) -> NoiseCompression:
    r"""Noise compression: variance of trial-to-trial fluctuations along the readout divided by
    the mean variance along random directions (THEORY §6; paper's noise-suppression figure).

    ``fluct`` are fluctuations δx = x − (condition mean at the same time), already centred by
    the caller; the variance along a unit vector u is the second moment mean_s (δx_s·u)².
    Along the readout: the mean of uᵀCu over unit vectors u uniformly distributed in
    span(w_out) (C = δXᵀδX/S), which is exactly tr(QᵀCQ)/d with Q an orthonormal basis of the
    span (d = rank of w_out; for one output, the variance along ŵ_out). The paper samples 100
    such combinations; the exact average replaces that sampling. Random directions: n_random
    vectors uniform on the unit sphere of R^N (normalised Gaussians, ``seed``); their
    expected variance is tr(C)/N.

    **Arguments**
      fluct: ``[S, N]`` or ``[K, T, N]``. w_out: ``[N]`` or ``[N, d]``.
      n_random: number of random directions, >= 2. seed: NumPy seed for the directions.

    **Returns** :class:`NoiseCompression` (ratio, se, var_out, var_random ``[n_random]``).
    """
    x = flatten_samples(fluct, name="fluct")
    N = x.shape[1]
    w = _weights(w_out, N)
    n = integer(n_random, "n_random", 2)
    s_seed = integer(seed, "seed", 0)
    q, r = np.linalg.qr(w)
    diag = np.abs(np.diag(r))
    q = q[:, diag > max(w.shape) * _EPS * diag.max()]
    var_out = float(np.mean((x @ q) ** 2))  # = tr(QᵀCQ)/d: mean over samples and columns
    g = np.random.default_rng(s_seed).standard_normal((N, n))
    g /= np.linalg.norm(g, axis=0)
    var_random = np.mean((x @ g) ** 2, axis=0)  # [n]
    mean_r = float(var_random.mean())
    if mean_r <= 0:
        raise ValueError(
            "fluct has zero variance along all random directions; the ratio is undefined"
        )
    ratio = var_out / mean_r
    se = ratio * float(var_random.std(ddof=1)) / (math.sqrt(n) * mean_r)
    return NoiseCompression(
        ratio=float(ratio), se=float(se), var_out=var_out, var_random=var_random
    )


# --------------------------------------------------------------------------- perturbations
def susceptibility(
    amplitudes: Float[np.ndarray, " A"],
    loss_out: Float[np.ndarray, " A *R"],
    loss_pc: Float[np.ndarray, " A *R"],
) -> float:
    r"""Relative susceptibility to kicks along w_out vs the top-2 PCs (THEORY §6).

    The caller kicks the state at time t_p by Δx·u (u a unit vector in span(w_out), resp. in
    the span of the two leading PCs) for each amplitude Δx and measures the later loss.
    Definition used here:

        AUC_dir = ∫₀^{Δmax} (L_dir(Δx) − L_dir(0)) dΔx      (trapezoid rule on the given grid)
        susceptibility = AUC_out / AUC_pc

    The loss at amplitude 0 (the unperturbed loss; each curve's own first entry) is
    subtracted so that only the loss *caused* by the kick counts. > 1: the network is more
    sensitive to kicks along the readout than along its dominant activity (aligned); < 1:
    kicks along w_out are corrected (oblique, negative feedback). NaN when AUC_pc ≤ 0 (no
    measurable response to PC kicks; the ratio is undefined).

    **Arguments**
      amplitudes: ``[A]``, A >= 2, strictly increasing, starting at 0 (units of x).
      loss_out, loss_pc: ``[A]`` losses, or ``[A, R]`` (R repeats, e.g. kick times and random
      directions in the span) averaged over the trailing axes first.

    **Returns** float (dimensionless), or NaN as above.
    """
    amp = np.asarray(amplitudes, dtype=np.float64)
    if amp.ndim != 1 or amp.size < 2:
        raise ValueError(f"amplitudes has shape {_shape(amp)}; allowed: [A] with A >= 2")
    _finite(amp, "amplitudes")
    if amp[0] != 0 or np.any(np.diff(amp) <= 0):
        raise ValueError(
            f"amplitudes={amp.tolist()} is not allowed; must start at 0 and be strictly increasing"
        )
    curves = []
    for name, loss in (("loss_out", loss_out), ("loss_pc", loss_pc)):
        l = np.asarray(loss, dtype=np.float64)
        if l.ndim < 1 or l.shape[0] != amp.size or l.size == 0:
            raise ValueError(
                f"{name} has shape {_shape(l)}; allowed: [A] or [A, ...] with A = {amp.size}"
            )
        _finite(l, name)
        l = l.reshape(amp.size, -1).mean(axis=1)
        curves.append(l - l[0])
    auc_out, auc_pc = (float(np.trapezoid(c, amp)) for c in curves)
    return auc_out / auc_pc if auc_pc > 0 else float("nan")


# --------------------------------------------------------------------------- regime label
def regime_label(rho: float, N: int, *, threshold: float = 1.0) -> Literal["aligned", "oblique"]:
    r"""Regime from the readout correlation ρ of a network (or recording) with N neurons.

    Rule: **oblique** iff ρ < threshold · N^{-1/4}, else **aligned**.

    Justification (THEORY §1): aligned dynamics have ρ = O(1); oblique dynamics have
    ρ = O(N^{-1/2}), the level of a random direction (E ρ² = 1/N exactly for a uniformly
    random readout). N^{-1/4} is the geometric mean of these two scales, i.e. the midpoint
    on the log scale where the paper plots ρ. For any fixed constants a, c with
    ρ_aligned = a and ρ_oblique = c/√N, ρ_aligned·N^{1/4} = a N^{1/4} → ∞ and
    ρ_oblique·N^{1/4} = c N^{-1/4} → 0, so the rule classifies both correctly for large N,
    and it is the boundary that is equally far (in factors) from both scalings at every N.
    Equivalently: oblique iff ρ√N (ρ in units of the chance level) < threshold · N^{1/4}.
    ``threshold`` (> 0, default 1) moves the boundary by a constant factor.

    **Arguments** rho: in [0, 1]. N: neurons, integer >= 1. threshold: positive float.

    **Returns** ``"aligned"`` or ``"oblique"``.
    """
    r = real_scalar(rho, "rho", "a number in [0, 1]")
    if not (0.0 <= r <= 1.0 + 64 * _EPS):
        raise ValueError(f"rho={rho!r} is not allowed; must be in [0, 1]")
    n = integer(N, "N", 1)
    thr = real_scalar(threshold, "threshold", "a finite number > 0")
    if not (math.isfinite(thr) and thr > 0):
        raise ValueError(f"threshold={threshold!r} is not allowed; must be a finite number > 0")
    return "oblique" if r < thr * n**-0.25 else "aligned"


# --------------------------------------------------------------------------- summary
def summarize(
    w_out: Float[np.ndarray, " N *d"],
    X: Float[np.ndarray, "*S N"],
    Z: Float[np.ndarray, "*S d"] | None = None,
    *,
    threshold: float = 0.9,
    n_reconstruct: int = 2,
) -> dict[str, float | int | str]:
    """The readout and dimension measures of one network or recording (THEORY §6).

    **Arguments**
      w_out: ``[N]`` or ``[N, d]``. X: trial-averaged activity ``[S, N]`` or ``[K, T, N]``.
      Z: outputs on the same samples; default X @ w_out (a network's readout of its state, §1).
      threshold: variance / R² fraction for D_x and D_fit (default 0.9).
      n_reconstruct: k of the reported k-PC reconstruction R² (default 2).

    **Returns** dict with ``N``, ``rho`` (:func:`readout_correlation`), ``rho_sqrt_N``,
    ``w_norm`` (:func:`readout_norm`), ``x_norm`` (:func:`state_norm`), ``D_x``
    (:func:`dimension`), ``D_fit``, ``r2_full``, ``r2_k`` (R² from the first
    ``n_reconstruct`` PCs, :func:`fit_dimension`), ``D_fit_over_D_x`` and ``label``
    (:func:`regime_label` with its default threshold). Feed it to :func:`measures_table`.
    """
    x = flatten_samples(X)
    w = _weights(w_out, x.shape[1])
    z = x @ w if Z is None else _outputs(Z, x.shape[0])
    N = x.shape[1]
    thr = fraction(threshold, "threshold")
    k = integer(n_reconstruct, "n_reconstruct", 1, min(x.shape))
    if x.shape[0] < 2:
        raise ValueError(f"X has S={x.shape[0]} samples; the measures need S >= 2")
    rho = float(readout_correlation(w, x))  # one output column: a scalar
    _, u, s, _ = _svd(x, center=True)  # one SVD for D_x and D_fit
    fd = _fit_dimension(x, z, thr, min(x.shape), (u, s))
    d_x = _dimension_from_s(s, thr)
    return {
        "N": N,
        "rho": rho,
        "rho_sqrt_N": rho * math.sqrt(N),
        "w_norm": readout_norm(w),
        "x_norm": state_norm(x),
        "D_x": d_x,
        "D_fit": fd.D_fit,
        "D_fit_over_D_x": fd.D_fit / d_x,
        "r2_full": fd.r2_full,
        "r2_k": float(fd.r2_by_k[k - 1]),
        "label": regime_label(min(rho, 1.0), N),
    }


# --------------------------------------------------------------------------- table
def measures_table(values: Mapping[str, object], *, digits: int = 4) -> str:
    """Markdown table ``| measure | value |`` of named measures (for reports).

    Floats use ``validate.core.report.format_number``; arrays are shown as lists; other values
    with ``str``. **Returns** the table as a string (ends with a newline).
    """
    from ..core.report import format_number  # local import: report is heavier than this module

    if not isinstance(values, Mapping):
        raise ValueError(
            f"values has type {type(values).__name__}; must be a mapping name -> value"
        )
    lines = ["| measure | value |", "|---|---|"]
    for name, value in values.items():
        if isinstance(value, (bool, str)):
            text = str(value)
        elif isinstance(value, (int, np.integer)):
            text = str(int(value))
        elif isinstance(value, (float, np.floating)):
            text = format_number(float(value), digits)
        elif isinstance(value, (np.ndarray, list, tuple)):
            arr = np.asarray(value, dtype=float).ravel()
            text = "[" + ", ".join(format_number(float(v), digits) for v in arr) + "]"
        else:
            text = str(value)
        lines.append(f"| {name} | {text} |")
    return "\n".join(lines) + "\n"
