r"""Representational similarity of networks: linear CKA, SVCCA, Procrustes, and MDS.

Seed 002 (*Universality and individuality*) compares the geometry of many trained networks by
the similarity of their activity on the same inputs. Every function here takes plain arrays of
activity, ``X`` of shape [S, N] (S samples = time × conditions stacked, the same samples in the
same order for both networks; N units, which may differ between the two networks) or [K, T, N]
(flattened to [K·T, N]). Everything is computed on mean-centred activity, in float64.

Measures (each with the invariances its tests check):

* :func:`linear_cka` — centred kernel alignment with linear kernels (Kornblith et al. 2019):
  CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) ∈ [0, 1]; invariant to orthogonal transforms and isotropic
  scaling of either representation, *not* to general invertible linear maps.
* :func:`svcca` — singular-vector CCA (Raghu et al. 2017): keep the leading singular vectors
  explaining ``keep`` of each representation's variance, then canonical correlations between the
  reduced representations (the singular values of U_Aᵀ U_B for the orthonormal left singular
  bases); mean correlation ∈ [0, 1]. Invariant to any invertible linear map when nothing is
  truncated (``keep=1``).
* :func:`procrustes_distance` — the angular orthogonal-Procrustes shape distance (Williams et al.
  2021): with X, Y centred and scaled to unit Frobenius norm (zero-padded to the same width),
  d = arccos ‖XᵀY‖_* ∈ [0, π/2] (‖·‖_* the nuclear norm, = max over orthogonal R of tr(RᵀXᵀY)).
  A metric (triangle inequality holds), invariant to orthogonal transforms and isotropic scaling.

Populations: :func:`pairwise_distances` fills the symmetric [P, P] matrix of 1 − CKA,
1 − mean SVCCA correlation or the Procrustes angle over P networks, and :func:`classical_mds`
embeds it (Torgerson's classical MDS: eigendecomposition of the double-centred squared distances;
closed form and exact for Euclidean distances, so no iterative SMACOF and no scikit-learn).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from jaxtyping import Float
from numpy.typing import ArrayLike

from meanfield._repr import concise_repr

from ..core import checks

__all__ = [
    "METRICS",
    "MDSEmbedding",
    "SVCCAResult",
    "as_samples",
    "classical_mds",
    "linear_cka",
    "pairwise_distances",
    "procrustes_distance",
    "svcca",
]

#: Distance names accepted by :func:`pairwise_distances`.
METRICS: tuple[str, ...] = ("cka", "svcca", "procrustes")


# ----------------------------------------------------------------------------- input checks
def as_samples(X: ArrayLike, name: str = "X") -> Float[np.ndarray, "S N"]:
    """``X`` as a float64 [S, N] array ([K, T, N] is flattened to [K·T, N]).

    Raises ValueError (naming ``name``) for other ranks, fewer than 2 samples, no units or
    non-finite entries.
    """
    a = checks.array(X, name, finite=False, min_size=0)
    if a.ndim == 3:
        a = a.reshape(-1, a.shape[-1])
    if a.ndim != 2:
        raise ValueError(f"{name} has shape {a.shape}; allowed: [S, N] or [K, T, N]")
    if a.shape[0] < 2 or a.shape[1] < 1:
        raise ValueError(f"{name} has shape {a.shape}; allowed: at least 2 samples and 1 unit")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} has non-finite entries; allowed: finite activity only")
    return a


def _pair(XA: ArrayLike, XB: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Centred [S, NA], [S, NB] copies of the two representations (same S required), each
    scaled to unit Frobenius norm (the measures are scale-invariant; this keeps them exact
    for data of any magnitude)."""
    A, B = as_samples(XA, "XA"), as_samples(XB, "XB")
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            f"XA has {A.shape[0]} samples and XB has {B.shape[0]}; allowed: the same samples "
            "(same inputs, same order) for both networks"
        )
    out = []
    for name, M in (("XA", A), ("XB", B)):
        # every measure here is invariant to an isotropic scale of each representation: bring
        # both to unit Frobenius norm (max-abs first, so 1e±300 data neither overflow nor
        # underflow when squared) before any Gram matrix or norm is formed
        M = M / np.max(np.abs(M)) if np.any(M) else M
        M = M - M.mean(axis=0)
        if not np.any(M):
            raise ValueError(f"{name} is constant over samples; allowed: activity with variance")
        M = M / np.max(np.abs(M))
        out.append(M / np.linalg.norm(M))
    return out[0], out[1]


# ----------------------------------------------------------------------------- measures
def linear_cka(XA: ArrayLike, XB: ArrayLike) -> float:
    """Linear centred kernel alignment of two representations of the same samples.

    CKA = ‖BᵀA‖²_F / (‖AᵀA‖_F ‖BᵀB‖_F) with A, B the centred activity [S, N_A], [S, N_B]
    (the HSIC form with linear kernels). 1 for representations equal up to an orthogonal
    transform and isotropic scaling; 0 for orthogonal column spaces.
    Cost O(S·(N_A + N_B)²) (feature-space form).
    """
    A, B = _pair(XA, XB)
    cross = np.linalg.norm(B.T @ A) ** 2
    return float(cross / (np.linalg.norm(A.T @ A) * np.linalg.norm(B.T @ B)))


def _check_keep(keep: float) -> float:
    """keep in (0, 1] (fraction of variance kept by the SVD step)."""
    return checks.fraction(keep, "keep")


def _leading_basis(M: np.ndarray, keep: float, max_dims: int | None) -> np.ndarray:
    """Orthonormal [S, k] basis of the leading left singular vectors of M that explain
    ``keep`` of its variance (k ≤ max_dims; singular values below float precision dropped)."""
    U, s, _ = np.linalg.svd(M, full_matrices=False)
    var = s**2
    rank = int(np.sum(s > s[0] * max(M.shape) * np.finfo(float).eps))
    frac = np.cumsum(var) / var.sum()
    k = int(np.searchsorted(frac, keep - 1e-12) + 1)
    k = min(k, rank)
    if max_dims is not None:
        k = min(k, max_dims)
    return U[:, :k]


class SVCCAResult(NamedTuple):
    """Outcome of :func:`svcca`.

    Attributes:
        mean: mean canonical correlation ∈ [0, 1].
        correlations: canonical correlations, descending [min(k_A, k_B)].
        dims: (k_A, k_B) singular directions kept for each representation.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    mean: float
    correlations: np.ndarray
    dims: tuple[int, int]


def svcca(
    XA: ArrayLike, XB: ArrayLike, *, keep: float = 0.99, max_dims: int | None = None
) -> SVCCAResult:
    """Singular-vector canonical correlation analysis of two representations.

    Each centred representation is reduced to its leading left singular vectors explaining
    ``keep`` of its variance (at most ``max_dims``); the canonical correlations of the reduced
    representations are the singular values of U_Aᵀ U_B (both orthonormal [S, k]).

    Arguments:
        XA, XB: activity [S, N_A], [S, N_B] (or [K, T, N]) on the same samples.
        keep: fraction of variance kept by the SVD step, in (0, 1] (default 0.99, seed 002).
        max_dims: optional cap on the directions kept (≥ 1).
    """
    keep = _check_keep(keep)
    if max_dims is not None and (
        isinstance(max_dims, bool) or not isinstance(max_dims, int) or max_dims < 1
    ):
        raise ValueError(
            f"max_dims={max_dims!r} is not allowed; max_dims must be None or an integer >= 1"
        )
    A, B = _pair(XA, XB)
    UA = _leading_basis(A, keep, max_dims)
    UB = _leading_basis(B, keep, max_dims)
    corr = np.clip(np.linalg.svd(UA.T @ UB, compute_uv=False), 0.0, 1.0)
    return SVCCAResult(float(corr.mean()), corr, (UA.shape[1], UB.shape[1]))


def procrustes_distance(XA: ArrayLike, XB: ArrayLike) -> float:
    """Angular orthogonal-Procrustes shape distance, radians in [0, π/2].

    With A, B centred, scaled to unit Frobenius norm and zero-padded to the same number of
    columns, d = arccos ‖AᵀB‖_* — the angle between A and its best orthogonal alignment to B
    (Williams et al. 2021). 0 iff B = c·A·R for an orthogonal R and c > 0; satisfies the
    triangle inequality.
    """
    A, B = _pair(XA, XB)
    A = A / np.linalg.norm(A)
    B = B / np.linalg.norm(B)
    nuclear = float(np.linalg.svd(A.T @ B, compute_uv=False).sum())
    return float(np.arccos(min(nuclear, 1.0)))


# ----------------------------------------------------------------------------- populations
def _distance(metric: str, A: np.ndarray, B: np.ndarray, keep: float) -> float:
    if metric == "cka":
        return 1.0 - linear_cka(A, B)
    if metric == "svcca":
        return 1.0 - svcca(A, B, keep=keep).mean
    return procrustes_distance(A, B)


def pairwise_distances(
    representations: Sequence[ArrayLike],
    metric: str = "cka",
    *,
    keep: float = 0.99,
    progress: bool = False,
) -> Float[np.ndarray, "P P"]:
    """Symmetric [P, P] matrix of distances between P networks' activity on the same samples.

    Arguments:
        representations: P ≥ 2 arrays [S, N_p] (or [K, T, N_p]), same S for all.
        metric: ``"cka"`` (1 − linear CKA), ``"svcca"`` (1 − mean SVCCA correlation with
            ``keep``) or ``"procrustes"`` (angular Procrustes distance, radians).
        progress: tqdm bar over the P(P − 1)/2 pairs.
    Zero diagonal; each pair is computed once.
    """
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} is not allowed; allowed: {', '.join(METRICS)}")
    keep = _check_keep(keep)
    reps = [as_samples(r, f"representations[{i}]") for i, r in enumerate(representations)]
    P = len(reps)
    if P < 2:
        raise ValueError(f"representations has {P} entries; allowed: at least 2 networks")
    S = {r.shape[0] for r in reps}
    if len(S) != 1:
        raise ValueError(
            f"representations have sample counts {sorted(S)}; allowed: the same "
            "samples for every network"
        )
    from tqdm.auto import tqdm

    pairs = [(i, j) for i in range(P) for j in range(i + 1, P)]
    D = np.zeros((P, P))
    for i, j in tqdm(pairs, desc=f"{metric} distances", disable=not progress):
        D[i, j] = D[j, i] = _distance(metric, reps[i], reps[j], keep)
    return D


class MDSEmbedding(NamedTuple):
    """Outcome of :func:`classical_mds`.

    Attributes:
        coords: [P, k] embedding (centred; axes ordered by eigenvalue).
        eigenvalues: all P eigenvalues of the double-centred Gram matrix, descending
            (negative ones signal non-Euclidean distances).
        explained: fraction of the positive eigenvalue mass carried by the k axes.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    coords: np.ndarray
    eigenvalues: np.ndarray
    explained: float


def classical_mds(D: ArrayLike, n_components: int = 2) -> MDSEmbedding:
    """Classical (Torgerson) multidimensional scaling of a distance matrix.

    G = −½ J D∘D J with J = I − 11ᵀ/P; coords = V_k √Λ_k from the k leading eigenpairs of G.
    For Euclidean distances of points in ≤ k dimensions the embedding reproduces D exactly.

    Arguments:
        D: symmetric [P, P] distances, zero diagonal, P ≥ 2.
        n_components: k, 1 ≤ k ≤ P.
    """
    D = checks.array(D, "D", finite=False, min_size=0)
    if D.ndim != 2 or D.shape[0] != D.shape[1] or D.shape[0] < 2:
        raise ValueError(f"D has shape {D.shape}; allowed: a square [P, P] matrix with P >= 2")
    if not np.all(np.isfinite(D)) or np.any(D < 0):
        raise ValueError("D has negative or non-finite entries; allowed: distances >= 0")
    scale = max(float(np.abs(D).max()), 1.0)
    if not np.allclose(D, D.T, atol=1e-12 * scale) or np.any(np.abs(np.diag(D)) > 1e-12 * scale):
        raise ValueError("D is not symmetric with a zero diagonal; allowed: a distance matrix")
    P = D.shape[0]
    n_components = checks.integer(n_components, "n_components", 1, P)
    J = np.eye(P) - 1.0 / P
    G = -0.5 * J @ (D**2) @ J
    w, V = np.linalg.eigh((G + G.T) / 2)
    order = np.argsort(w)[::-1]
    w, V = w[order], V[:, order]
    lead = np.clip(w[:n_components], 0.0, None)
    coords = V[:, :n_components] * np.sqrt(lead)
    positive = w[w > 0].sum()
    explained = float(lead.sum() / positive) if positive > 0 else 0.0
    return MDSEmbedding(coords, w, explained)
