r"""Aligned vs oblique analysis of neural recordings (THEORY.md §1 and §6, last paragraph).

A recording has no output weights: they are fitted. Given activity ``X`` and behaviour ``Y``
(hand velocity, cursor position, EMG, …) this module

1. fits a linear readout ŷ(t + lag) = w_outᵀ x(t) + b by ridge regression
   (:func:`ridge_readout`; the penalty chosen by cross-validation over contiguous blocks of
   time or whole trials), optionally searching the lag (:func:`lag_search`);
2. computes the measures of :mod:`validate.analysis.measures` on the fitted readout
   (:func:`analyse_recording`): the correlation ρ between w_out and the activity, D_x,90,
   D_fit,90 and D_fit,90 / D_x,90, and the regime label;
3. refits the readout on random subsets of n neurons and follows ρ·√n as n grows
   (:func:`subsample_rho`, figure :func:`validate.figures.recordings.plot_subsampling`);
4. generates synthetic recordings with known answers (:func:`synthetic_recording`).

Shapes and conventions
----------------------
* ``X``: ``[T, N]`` (T time bins, N neurons) or ``[K, T, N]`` (K trials of T bins each).
  Units: firing rate (or whatever the recording measures); only differences matter.
* ``Y``: ``[T]``, ``[T, d]`` or ``[K, T, d]`` (d behavioural variables, the same bins).
* ``lag`` (integer, in time bins): **positive lag = activity leads behaviour**, i.e. the
  readout predicts Y(t + lag) from X(t). Lags are applied inside each trial, never across
  trial boundaries; the first/last ``|lag|`` bins of each trial are dropped.
* Samples are the (trial, time) pairs that remain, stacked trial after trial: S of them.
* Centring: the readout has an intercept, so it reads only the fluctuations of X about its
  mean over samples. All measures are therefore computed on the **mean-centred** activity
  X − x̄ (for trial-averaged data pass condition averages as the trials; the mean subtracted
  is the mean over conditions and time). This is what ρ of THEORY §1 means for a readout with
  a bias: for firing rates, the uncentred ρ would mostly measure the mean rate vector.

Ridge regression and its cross-validation
-----------------------------------------
w_out(α) = argmin_w ‖Y_c − X_c w‖²_F + α‖w‖²_F on centred data (X_c, Y_c):
w = V diag(1/(e + α)) Vᵀ X_cᵀ Y_c with X_cᵀX_c = V diag(e) Vᵀ (e = s², s the singular values of
X_c); the intercept is b = ȳ − x̄ᵀ w. α = 0 is ordinary least squares through the SVD of X_c (the
minimum-norm solution when X_c is rank deficient; singular values below the matrix-rank tolerance
max(S, N)·ε·s_max are dropped); α > 0 uses the eigendecomposition of the N×N Gram matrix, faster
for S ≫ N. α has units of x²·samples; the default grid is c·10^{-6 … 3} (19 values) with
c = ‖X_c‖²_F / N (S times the mean variance of a neuron), so the grid scales with the data. Cross-validation: ``folds`` contiguous blocks (whole trials when there are
at least ``folds`` trials, otherwise contiguous blocks of the stacked samples), each block
predicted by the fit on the others; the score is the pooled out-of-fold R² (one minus the sum of
squared prediction errors over all samples and outputs divided by the total sum of squares about
the mean). Blocks are contiguous in time, so a test sample is never surrounded by training samples
(no interleaving leakage of autocorrelated data); the lag is applied before splitting, so no
training pair contains a bin of a test pair. α maximising the CV R² is refitted on all samples; a
warning is issued if it is the largest of the grid (the smallest, 10⁻⁶ of the variance per neuron,
is least squares for practical purposes and a legitimate optimum when S ≫ N).

Subsampling (the paper's ρ vs N figure)
---------------------------------------
For each size n, ``repeats`` random subsets of n neurons; on each the readout is refitted and
ρ_n = ρ(w_n, X_S) computed. A random direction has E ρ² = 1/n, so ρ·√n is ρ in units of chance.
With p defined by **ρ·√n ∝ n^p** (equivalently ρ ∝ n^{p − 1/2}):

* aligned: the readout lives in the dominant PCs, ρ = O(1) ⇒ ρ√n ∝ n^{1/2}, **p = 1/2**;
* oblique: the readout is as correlated with the activity as a random direction,
  ρ = O(n^{-1/2}) ⇒ ρ√n flat, **p = 0**; p = 1/4 is the geometric midpoint, drawn as a guide.

p is the least-squares slope of log(ρ_n √n) on log n over all subsets drawn (pooled), its SE the
OLS standard error from the residuals (:func:`validate.core.fits.fit_power_law`). At n = N every
subset is the full population, so that size contributes one draw. Draws whose refitted readout
has a cross-validated R² ≤ 0 (it does not predict the behaviour; its direction is chance
correlation) are excluded and counted. The SE treats the draws as independent; they are not
(subsets of one population overlap, heavily for n near N), so it measures the spread over random subsets of *this* population and understates the spread of p
between populations: on :func:`synthetic_recording` (N = 64 and 128, sizes 16 … N, 6
populations each) the standard deviation of p over independent populations was 1.5–2× the
mean p_se, for both kinds. Compare recordings (or seeds) by their spread, not by p_se.

Known finite-size effects, both derived for :func:`synthetic_recording` and visible at small n:
(a) aligned: a readout of one of k latent modes from n neurons must cancel the other k − 1
modes through the non-orthogonal loadings, lowering ρ_n² by the factor ≈ 1/(1 + (k − 1)/n)
(inverse of the sample Gram matrix of ±1 loadings), so the fitted p exceeds 1/2 slightly;
(b) oblique: chance correlations between behaviour and the large shared modes over T_eff
effectively independent samples put weight on them, raising ρ_n²·n by ≈ k_shared·N/(T_eff·n),
so p falls slightly below 0 unless T_eff ≫ N (T_eff = T·(1 − φ²)/(1 + φ²) for two independent
AR(1) signals of coefficient φ: the variance of their sample correlation is 1/T_eff).
:func:`expected_slope` returns p with both leading corrections for a synthetic recording.
Small subsets also give readouts with R² near 0 (the top panel of the figure): trust the slope
only over sizes where the readout predicts the behaviour.

Loading real data
-----------------
Every function here also takes a :class:`~validate.core.recording.Recording` as ``X`` and the
name of one of its outputs as ``Y``. Recordings come from files through
:func:`validate.analysis.nwb_files.read_nwb` (NWB in the DANDI / Neural Latents Benchmark
layout: spike times binned and smoothed, behaviour by name, trials aligned and optionally
averaged per condition; ``pip install -e '.[recordings]'``) and
:func:`validate.analysis.decoder_files.read_decoder_file` (BCI sessions whose decoder is w_out:
:func:`analyse_readout`); ``oblique recordings FILE…`` runs the whole analysis on them::

    from validate import read_nwb, analyse_recording, subsample_rho
    rec = read_nwb("sub-Jenkins_ses-full_desc-train_behavior+ecephys.nwb", "hand_vel",
                   align="move_onset_time", window_ms=(-250, 450), smooth_ms=50)
    res = analyse_recording(rec, "hand_vel", lags=range(-10, 11))   # ±200 ms at 20 ms bins
    sub = subsample_rho(rec, "hand_vel", sizes=[16, 32, 64, 128], lag=res.lag)

Gaps (NaN) in the behaviour are dropped pair by pair (:func:`_pairs`), never interpolated.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
from jaxtyping import Float
from numpy.typing import ArrayLike

from meanfield._repr import concise_repr

from ..core.fits import PowerLawFit, fit_power_law
from ..core.recording import Recording
from . import measures

__all__ = [
    "GUIDE_SLOPES",
    "SYNTHETIC_KINDS",
    "POINT_MEASURES",
    "LagSearch",
    "PointSubsets",
    "Readout",
    "RecordingAnalysis",
    "Subsampling",
    "analyse_readout",
    "analyse_recording",
    "default_alphas",
    "expected_slope",
    "lag_search",
    "ridge_readout",
    "subsample_points",
    "subsample_rho",
    "synthetic_recording",
]

#: Slopes p of ρ·√n ∝ n^p drawn as guides: aligned 1/2, midpoint 1/4, oblique 0.
GUIDE_SLOPES: tuple[float, ...] = (0.5, 0.25, 0.0)
#: Kinds accepted by :func:`synthetic_recording`.
SYNTHETIC_KINDS: tuple[str, ...] = ("aligned", "oblique")

_EPS = np.finfo(np.float64).eps
#: Exponents of the default α grid, relative to ‖X_c‖²_F / N (see the module docstring).
_ALPHA_EXPONENTS = np.linspace(-6.0, 3.0, 19)


# ----------------------------------------------------------------------------- input checks
def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_int(value: Any, name: str, low: int, high: int | None = None) -> int:
    if not _is_int(value) or int(value) < low or (high is not None and int(value) > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be an integer {allowed}")
    return int(value)


def _check_alpha(alpha: Any) -> float | None:
    if alpha is None:
        return None
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, (int, float, np.integer, np.floating))
        or not math.isfinite(float(alpha))
        or float(alpha) < 0
    ):
        raise ValueError(
            f"alpha={alpha!r} is not allowed; alpha must be None (cross-validated) "
            "or a finite number >= 0"
        )
    return float(alpha)


def _check_alphas(alphas: Any) -> np.ndarray | None:
    if alphas is None:
        return None
    a = np.asarray(alphas, dtype=np.float64).ravel()
    if a.size < 1 or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(
            f"alphas={np.asarray(alphas).tolist()!r} is not allowed; alphas must be a "
            "non-empty sequence of finite numbers >= 0"
        )
    return np.unique(a)


def _as_trials(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X as float64 [K, T, N] and Y as [K, T, d]; ValueError naming the bad argument.

    X may be a :class:`~validate.core.recording.Recording`, Y then the name of one of its
    outputs (None: its only output). Y may hold NaN (a gap: :func:`_pairs` drops every pair
    touching one); X must be finite.
    """
    if isinstance(X, Recording):
        if Y is not None and not isinstance(Y, str):
            raise ValueError(
                f"Y={type(Y).__name__} is not allowed with a Recording; name one of its "
                f"outputs: {', '.join(X.output_names)}"
            )
        return X.activity, X.output(Y)
    x = np.asarray(X, dtype=np.float64)
    y = np.asarray(Y, dtype=np.float64)
    if x.ndim not in (2, 3):
        raise ValueError(f"X has shape {tuple(x.shape)}; allowed: [T, N] or [K, T, N]")
    if y.ndim == x.ndim - 1:
        y = y[..., None]
    if y.ndim != x.ndim or y.shape[:-1] != x.shape[:-1] or y.shape[-1] < 1:
        raise ValueError(
            f"Y has shape {tuple(np.asarray(Y).shape)}; allowed: the leading axes of X "
            f"{tuple(x.shape[:-1])} followed by d >= 1 behavioural variables (or none for d = 1)"
        )
    if x.ndim == 2:
        x, y = x[None], y[None]
    K, T, N = x.shape
    if K < 1 or T < 2 or N < 1:
        raise ValueError(
            f"X has shape {tuple(np.asarray(X).shape)}; need >= 1 trial, "
            ">= 2 time bins and >= 1 neuron"
        )
    if not np.all(np.isfinite(x)):
        bad = int(x.size - np.count_nonzero(np.isfinite(x)))
        raise ValueError(f"X has {bad} non-finite entries (NaN or inf); all entries must be finite")
    if np.any(np.isinf(y)) or np.all(np.isnan(y)):
        raise ValueError(
            "Y has infinite entries or no finite bin; allowed: finite values, NaN for a gap"
        )
    return x, y


def _window(T: int, lags: Sequence[int]) -> tuple[int, int]:
    """Bins [lo, hi) of X usable by every lag in ``lags`` (X[t] with Y[t + lag])."""
    lo = max(0, -min(lags))
    hi = T - max(0, max(lags))
    return lo, hi


def _check_lags(lags: Iterable[int], T: int, name: str = "lags") -> list[int]:
    try:
        out = list(lags)
    except TypeError:
        raise ValueError(
            f"{name}={lags!r} is not allowed; {name} must be a sequence of integers (time bins)"
        ) from None
    if len(out) < 1 or not all(_is_int(v) for v in out):
        raise ValueError(
            f"{name}={out!r} is not allowed; {name} must be a non-empty sequence of "
            "integers (time bins)"
        )
    out = [int(v) for v in out]
    lo, hi = _window(T, out)
    if hi - lo < 2:
        raise ValueError(
            f"{name}={out!r} is not allowed; with T={T} bins per trial every lag "
            f"must satisfy |lag| <= T - 2 jointly (max(lag, 0) - min(lag, 0) <= {T - 2})"
        )
    return out


def _check_lag(lag: Any, T: int) -> int:
    if not _is_int(lag) or abs(int(lag)) > T - 2:
        raise ValueError(
            f"lag={lag!r} is not allowed; lag must be an integer number of bins in "
            f"[{-(T - 2)}, {T - 2}] (T={T} bins per trial)"
        )
    return int(lag)


def _pairs(
    x3: np.ndarray, y3: np.ndarray, lag: int, window: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X [S, N], Y [S, d], trial index [S]) pairing X[k, t] with Y[k, t + lag]; pairs whose Y
    bin is a gap (any NaN) are dropped, never interpolated. ValueError if fewer than 2 remain."""
    K, T, _ = x3.shape
    lo, hi = window if window is not None else _window(T, [lag])
    xs = x3[:, lo:hi].reshape(-1, x3.shape[-1])
    ys = y3[:, lo + lag : hi + lag].reshape(-1, y3.shape[-1])
    trial = np.repeat(np.arange(K), hi - lo)
    keep = ~np.any(np.isnan(ys), axis=1)
    if not keep.all():
        xs, ys, trial = xs[keep], ys[keep], trial[keep]
    if xs.shape[0] < 2:
        raise ValueError(
            f"Y has {int(np.count_nonzero(~keep))} gap (NaN) bins among the {keep.size} pairs "
            f"at lag {lag}; fewer than 2 pairs remain to fit"
        )
    return xs, ys, trial


# ----------------------------------------------------------------------------- ridge core
def _shrink(e: np.ndarray, alpha: float, tol: float) -> np.ndarray:
    """Filter 1/(e + α) on the Gram eigenvalues e = s²; for α = 0 the pseudo-inverse 1/e above
    ``tol``, else 0."""
    if alpha > 0:
        return 1.0 / (np.maximum(e, 0.0) + alpha)
    out = np.zeros_like(e)
    keep = e > tol
    out[keep] = 1.0 / e[keep]
    return out


def _eig(gram: np.ndarray, S: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(e descending, V, rank tolerance on e) of a symmetric PSD Gram matrix. The tolerance is the
    eigenvalue rounding level max(S, N)·ε·e_max (the Gram route squares the condition number)."""
    e, v = np.linalg.eigh(gram)
    e, v = e[::-1], v[:, ::-1]
    tol = max(S, gram.shape[0]) * _EPS * (float(e[0]) if e.size else 0.0)
    return e, v, tol


def _fold_ids(trial: np.ndarray, folds: int) -> np.ndarray:
    """Contiguous fold index per sample: whole trials if there are >= folds trials (counting
    only trials with a sample left: gaps can empty a trial)."""
    _, trial = np.unique(trial, return_inverse=True)
    K = int(trial.max()) + 1
    S = trial.size
    if K >= folds:
        return (trial * folds) // K
    return (np.arange(S) * folds) // S


class _Design:
    """Per-fold sufficient statistics of paired samples (X [S, N], Y [S, d]) for ridge regression.

    Both are centred by their global means first (so the per-fold mean corrections below are small
    and lose no digits), then for each fold f: n_f, Σx, Σy, G_f = XᵀX, C_f = XᵀY, Q_f = YᵀY. The
    training statistics of a fold are the totals minus the fold's; every CV fit then costs one
    N×N eigendecomposition, and the out-of-fold error follows from the test fold's statistics:
    SSE = tr Q_t − 2 tr(wᵀ C_t) + tr(wᵀ G_t w) with everything centred at the training means.
    A subset of neurons is a sub-block (:meth:`subset`), so :func:`subsample_rho` never
    recomputes the S·N² products.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, fold: np.ndarray, folds: int) -> None:
        self.x_mean = x.mean(axis=0)
        self.y_mean = y.mean(axis=0)
        xc = x - self.x_mean
        yc = y - self.y_mean
        self.S = int(x.shape[0])
        self.folds = folds
        blocks = [fold == f for f in range(folds)]
        self.n = np.array([float(b.sum()) for b in blocks])
        self.sx = np.stack([xc[b].sum(axis=0) for b in blocks])
        self.sy = np.stack([yc[b].sum(axis=0) for b in blocks])
        self.G = np.stack([xc[b].T @ xc[b] for b in blocks])
        self.C = np.stack([xc[b].T @ yc[b] for b in blocks])
        self.Q = np.stack([yc[b].T @ yc[b] for b in blocks])

    def subset(self, idx: np.ndarray) -> _Design:
        new = object.__new__(_Design)
        new.__dict__.update(self.__dict__)
        new.x_mean = self.x_mean[idx]
        new.sx = self.sx[:, idx]
        new.G = self.G[:, idx][:, :, idx]
        new.C = self.C[:, idx]
        return new

    def _centred(
        self, keep: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(n, x̄, ȳ, G_c, C_c, Q_c) of the samples of the folds in ``keep``, centred at their mean."""
        n = float(self.n[keep].sum())
        xm = self.sx[keep].sum(axis=0) / n
        ym = self.sy[keep].sum(axis=0) / n
        G = self.G[keep].sum(axis=0) - n * np.outer(xm, xm)
        C = self.C[keep].sum(axis=0) - n * np.outer(xm, ym)
        Q = self.Q[keep].sum(axis=0) - n * np.outer(ym, ym)
        return n, xm, ym, G, C, Q

    def ss_tot(self) -> float:
        return float(np.trace(self._centred(np.ones(self.folds, bool))[5]))

    def cv_curve(self, alphas: np.ndarray) -> np.ndarray:
        """Pooled out-of-fold R² [A] for each α."""
        sse = np.zeros(alphas.size)
        for f in range(self.folds):
            train = np.arange(self.folds) != f
            n_tr = float(self.n[train].sum())
            if self.n[f] < 1 or n_tr < 2:
                raise ValueError(
                    f"folds={self.folds} is not allowed for S={self.S} samples; every "
                    "fold needs >= 1 test and >= 2 training samples"
                )
            _, xm, ym, G, C, _ = self._centred(train)
            e, v, tol = _eig(G, int(n_tr))
            b = v.T @ C  # [N, d]
            # test fold about the training means
            n_t, sx, sy = self.n[f], self.sx[f], self.sy[f]
            Gt = self.G[f] - np.outer(sx, xm) - np.outer(xm, sx) + n_t * np.outer(xm, xm)
            Ct = self.C[f] - np.outer(sx, ym) - np.outer(xm, sy) + n_t * np.outer(xm, ym)
            Qt = self.Q[f] - np.outer(sy, ym) - np.outer(ym, sy) + n_t * np.outer(ym, ym)
            Gt, Ct = v.T @ Gt @ v, v.T @ Ct
            for i, alpha in enumerate(alphas):
                z = _shrink(e, float(alpha), tol)[:, None] * b  # coefficients in the V basis
                sse[i] += np.trace(Qt) - 2.0 * np.sum(z * Ct) + np.sum(z * (Gt @ z))
        return 1.0 - sse / self.ss_tot()

    def coef(self, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        """(w [N, d], intercept [d]) of the ridge fit on all samples."""
        _, xm, ym, G, C, _ = self._centred(np.ones(self.folds, bool))
        e, v, tol = _eig(G, self.S)
        w = v @ (_shrink(e, alpha, tol)[:, None] * (v.T @ C))
        return w, self.y_mean + ym - (self.x_mean + xm) @ w


def _lstsq(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least squares (α = 0) through the SVD of the centred X: minimum-norm w, singular values
    below max(S, N)·ε·s_max dropped (the matrix-rank tolerance). Returns (w [N, d], b [d])."""
    xm, ym = x.mean(axis=0), y.mean(axis=0)
    u, s, vt = np.linalg.svd(x - xm, full_matrices=False)
    tol = max(x.shape) * _EPS * (s[0] if s.size else 0.0)
    inv = np.zeros_like(s)
    inv[s > tol] = 1.0 / s[s > tol]
    w = vt.T @ (inv[:, None] * (u.T @ (y - ym)))
    return w, ym - xm @ w


def _r2(y: np.ndarray, pred: np.ndarray) -> float:
    """Pooled R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over samples and outputs."""
    ss_tot = float(np.sum((y - y.mean(axis=0)) ** 2))
    return 1.0 - float(np.sum((y - pred) ** 2)) / ss_tot


def _grid(e_total: float, N: int) -> np.ndarray:
    return (e_total / N) * 10.0**_ALPHA_EXPONENTS


def default_alphas(X: ArrayLike) -> Float[np.ndarray, " A"]:
    """Default ridge grid for activity X ``[S, N]``/``[K, T, N]``: c·10^{-6 … 3} (19 values),
    c = ‖X − x̄‖²_F / N (units of x²·samples; see the module docstring)."""
    x = measures.flatten_samples(X)
    c = float(np.sum((x - x.mean(axis=0)) ** 2))
    if c <= 0:
        raise ValueError("X has zero variance (all samples equal); no readout can be fitted")
    return _grid(c, x.shape[1])


@dataclasses.dataclass(frozen=True)
class Readout:
    """A fitted linear readout ŷ(t + lag) = x(t)ᵀ w + intercept (:func:`ridge_readout`).

    Attributes:
        w: ``[N, d]`` output weights (units of behaviour / activity).
        intercept: ``[d]``.
        alpha: ridge penalty used (units of x²·samples; 0 = least squares).
        lag: time bins; positive = activity leads behaviour.
        r2: in-sample pooled R² on the S samples of the fit.
        r2_cv: pooled out-of-fold R² at ``alpha`` (contiguous folds; NaN if ``folds=None``).
        alphas: ``[A]`` grid searched (None if α was given).
        cv_r2: ``[A]`` out-of-fold R² along ``alphas`` (None if α was given).
        n_samples: S, the (trial, time) pairs used.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    w: Float[np.ndarray, "N d"]
    intercept: Float[np.ndarray, " d"]
    alpha: float
    lag: int
    r2: float
    r2_cv: float
    alphas: Float[np.ndarray, " A"] | None
    cv_r2: Float[np.ndarray, " A"] | None
    n_samples: int

    def predict(self, X: ArrayLike) -> Float[np.ndarray, "S d"]:
        """ŷ for activity ``[S, N]`` or ``[K, T, N]`` (flattened): ``[S, d]``; row s predicts the
        behaviour ``lag`` bins after sample s."""
        x = measures.flatten_samples(X)
        if x.shape[1] != self.w.shape[0]:
            raise ValueError(f"X has N={x.shape[1]} neurons; this readout has N={self.w.shape[0]}")
        return x @ self.w + self.intercept


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    trial: np.ndarray,
    *,
    alpha: float | None,
    alphas: np.ndarray | None,
    folds: int | None,
    lag: int,
    design: _Design | None = None,
) -> Readout:
    """Ridge readout on paired samples (the work of :func:`ridge_readout`); ``design`` may carry
    precomputed statistics of exactly these samples and folds (:func:`subsample_rho`)."""
    if alpha is None and folds is None:
        raise ValueError(
            "folds=None is not allowed with alpha=None; cross-validation needs folds >= 2"
        )
    if design is None:
        fold = _fold_ids(trial, folds) if folds is not None else np.zeros(trial.size, int)
        design = _Design(x, y, fold, folds if folds is not None else 1)
    if design.ss_tot() <= 0:
        raise ValueError("Y is constant over the samples (zero variance); R² is undefined")
    e_total = float(np.trace(design.G.sum(axis=0)))
    if e_total <= 0:
        raise ValueError("X has zero variance (all samples equal); no readout can be fitted")
    grid = None
    curve = None
    if alpha is None:
        grid = alphas if alphas is not None else _grid(e_total, x.shape[1])
        curve = design.cv_curve(grid)
        best = int(np.argmax(curve))
        alpha = float(grid[best])
        if grid.size > 1 and best == grid.size - 1:
            warnings.warn(
                f"cross-validated alpha={alpha:.3g} is the largest of the grid "
                f"[{grid[0]:.3g}, {grid[-1]:.3g}]: the readout barely predicts Y "
                f"(CV R² = {curve[best]:.3g}); pass a wider alphas= to go on",
                stacklevel=3,
            )
        r2_cv = float(curve[best])
    elif folds is not None:
        r2_cv = float(design.cv_curve(np.array([alpha]))[0])
    else:
        r2_cv = math.nan
    w, intercept = _lstsq(x, y) if alpha == 0 else design.coef(alpha)
    r2 = _r2(y, x @ w + intercept)
    return Readout(
        w=w,
        intercept=intercept,
        alpha=float(alpha),
        lag=int(lag),
        r2=r2,
        r2_cv=r2_cv,
        alphas=grid,
        cv_r2=curve,
        n_samples=int(x.shape[0]),
    )


def _check_folds(folds: Any, allow_none: bool = True) -> int | None:
    if folds is None and allow_none:
        return None
    return _check_int(folds, "folds", 2)


def ridge_readout(
    X: Float[np.ndarray, "*K T N"] | Recording,
    Y: Float[np.ndarray, "*K T *d"] | str | None,
    *,
    alpha: float | None = None,
    lag: int = 0,
    alphas: ArrayLike | None = None,
    folds: int | None = 5,
) -> Readout:
    r"""Fit output weights from activity to behaviour by ridge regression (THEORY §6, recordings).

    Minimises ‖Y_c − X_c w‖²_F + α‖w‖²_F over the samples pairing X(t) with Y(t + lag) (centred;
    the intercept is fitted separately, unpenalised). See the module docstring for the solver,
    the α grid and the contiguous cross-validation.

    **Arguments**
      X: ``[T, N]`` or ``[K, T, N]`` activity, or a :class:`~validate.core.recording.Recording`.
      Y: ``[T]``, ``[T, d]`` or ``[K, T, d]`` (NaN marks a gap: pairs touching one are dropped),
      or the name of one of the Recording's outputs (None: its only output).
      alpha: penalty ≥ 0 (0 = least squares, minimum norm) or None to pick it by
      cross-validation over ``alphas`` (default :func:`default_alphas`).
      lag: bins, positive = activity leads behaviour, |lag| ≤ T − 2.
      folds: number of contiguous CV folds (≥ 2), or None to skip CV when α is given.

    **Returns** :class:`Readout` (w ``[N, d]``, intercept ``[d]``, α, lag, R², CV R², …).

    **Example** ``ridge_readout(X, Y, alpha=0.0)`` is ``np.linalg.lstsq`` of Y on [X, 1].
    """
    x3, y3 = _as_trials(X, Y)
    lag = _check_lag(lag, x3.shape[1])
    a = _check_alpha(alpha)
    grid = _check_alphas(alphas)
    f = _check_folds(folds)
    x, y, trial = _pairs(x3, y3, lag)
    return _fit(x, y, trial, alpha=a, alphas=grid, folds=f, lag=lag)


@dataclasses.dataclass(frozen=True)
class LagSearch:
    """Result of :func:`lag_search`.

    Attributes:
        best_lag: lag (bins) with the largest cross-validated R²; positive = activity leads.
        lags: ``[L]`` lags tried (bins). r2_cv: ``[L]`` out-of-fold R² per lag.
        alphas: ``[L]`` penalty used at each lag.
        window: (lo, hi): the bins of X used for every lag (the same samples for all lags).
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    best_lag: int
    lags: np.ndarray
    r2_cv: np.ndarray
    alphas: np.ndarray
    window: tuple[int, int]


def lag_search(
    X: Float[np.ndarray, "*K T N"] | Recording,
    Y: Float[np.ndarray, "*K T *d"] | str | None,
    lags: Iterable[int],
    *,
    alpha: float | None = None,
    alphas: ArrayLike | None = None,
    folds: int = 5,
    progress: bool = False,
) -> LagSearch:
    r"""Choose the delay between activity and behaviour by cross-validated R².

    For each lag, the ridge readout predicting Y(t + lag) from X(t) (positive lag = activity
    leads behaviour) is scored by its pooled out-of-fold R² (α cross-validated per lag when
    ``alpha`` is None). All lags use the same bins of X — those for which every lag has its
    Y bin inside the trial — so their scores are on the same samples.

    **Arguments**
      X, Y: as in :func:`ridge_readout`. lags: integers (bins). alpha, alphas, folds: as in
      :func:`ridge_readout` (folds ≥ 2 here). progress: tqdm bar over lags.

    **Returns** :class:`LagSearch` (best_lag, lags ``[L]``, r2_cv ``[L]``, alphas ``[L]``).
    """
    from tqdm.auto import tqdm

    x3, y3 = _as_trials(X, Y)
    lag_list = _check_lags(lags, x3.shape[1])
    a = _check_alpha(alpha)
    grid = _check_alphas(alphas)
    f = _check_folds(folds, allow_none=False)
    window = _window(x3.shape[1], lag_list)
    r2 = np.empty(len(lag_list))
    used = np.empty(len(lag_list))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grid-edge warnings per lag are noise here
        for i, lag in enumerate(tqdm(lag_list, desc="lags", disable=not progress)):
            x, y, trial = _pairs(x3, y3, lag, window)
            fit = _fit(x, y, trial, alpha=a, alphas=grid, folds=f, lag=lag)
            r2[i], used[i] = fit.r2_cv, fit.alpha
    best = int(np.argmax(r2))
    return LagSearch(
        best_lag=lag_list[best], lags=np.asarray(lag_list), r2_cv=r2, alphas=used, window=window
    )


# ----------------------------------------------------------------------------- measures
@dataclasses.dataclass(frozen=True)
class RecordingAnalysis:
    """Result of :func:`analyse_recording` (THEORY §6 measures on a fitted readout).

    Attributes:
        rho: ρ(w_out, X − x̄), Frobenius over samples and outputs (dimensionless).
        rho_per_output: ``[d]`` ρ of each output's weight column.
        rho_sqrt_n: ρ·√N, ρ in units of a random direction's (E ρ² = 1/N).
        D_x: D_x,90, PCs explaining ``threshold`` of the activity variance.
        D_fit: D_fit,90, leading PCs whose scores reconstruct the readout's output ŷ with
            ``threshold`` of the full R² (:func:`validate.analysis.measures.fit_dimension`).
        ratio: D_fit / D_x.
        r2_2pc: R² of ŷ reconstructed from the first 2 PCs.
        r2: in-sample R² of the readout for the behaviour; r2_cv: out-of-fold R².
        lag: bins used (positive = activity leads); alpha: ridge penalty.
        N: neurons. n_samples: (trial, time) pairs S.
        w_norm: ‖w_out‖_F (behaviour units / activity units). x_norm: RMS ‖x − x̄‖ over samples.
        regime: :func:`validate.analysis.measures.regime_label` of (ρ, N).
        readout: the :class:`Readout`. lag_search: the :class:`LagSearch` or None.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    rho: float
    rho_per_output: np.ndarray
    rho_sqrt_n: float
    D_x: int
    D_fit: int
    ratio: float
    r2_2pc: float
    r2: float
    r2_cv: float
    lag: int
    alpha: float
    N: int
    n_samples: int
    w_norm: float
    x_norm: float
    regime: str
    readout: Readout
    lag_search: LagSearch | None

    def summary(self) -> dict[str, float | int | str]:
        """The scalar fields as a dict (for tables and JSON)."""
        keys = (
            "rho",
            "rho_sqrt_n",
            "D_x",
            "D_fit",
            "ratio",
            "r2_2pc",
            "r2",
            "r2_cv",
            "lag",
            "alpha",
            "N",
            "n_samples",
            "w_norm",
            "x_norm",
            "regime",
        )
        return {k: getattr(self, k) for k in keys}


def analyse_recording(
    X: Float[np.ndarray, "*K T N"] | Recording,
    Y: Float[np.ndarray, "*K T *d"] | str | None,
    *,
    lags: Iterable[int] | None = None,
    threshold: float = 0.9,
    alpha: float | None = None,
    alphas: ArrayLike | None = None,
    folds: int = 5,
) -> RecordingAnalysis:
    r"""ρ, D_x,90, D_fit,90 / D_x,90 and the regime of a recording (THEORY §6, last paragraph).

    Steps: optional :func:`lag_search` over ``lags`` (else lag 0); :func:`ridge_readout` at that
    lag; then, on the centred activity X_c of the paired samples, ρ =
    ``measures.readout_correlation(w, X_c)``, D_x = ``measures.dimension(X_c)``, and D_fit from
    ``measures.fit_dimension(X_c, ŷ)`` with ŷ = X_c w the readout's output — as for a network,
    whose D_fit reconstructs its own output z = w_outᵀx. For α = 0 this D_fit equals that of the
    behaviour Y itself (the least-squares projections on nested PC spans coincide); for α > 0 it is
    the D_fit of the regularised readout, which does not count noise fitted in low-variance PCs.

    Caveat (measured on :func:`synthetic_recording`): the fitted w also fits behaviour noise
    through the low-variance directions of X; those components add to ‖w‖ but hardly to ‖X w‖,
    so ρ of the fitted readout is biased low relative to the true readout's. Ridge shrinks them,
    but the CV R² is flat in α there, so the size of the bias depends on where in the flat
    region α lands: for aligned data (N = 128, T = 2000, noise 0.1) ρ_fit/ρ_true was 0.98–0.99
    for 5 of 6 populations and 0.86 for one; at N = 64, T = 1000 one of 6 had 0.68. It grows
    like N²/T (noise-fit norm ∝ N/T against a true norm ∝ 1/N) and can push aligned data toward
    the oblique side; check ``readout.cv_r2`` and compare with a larger fixed ``alpha``.

    **Arguments**
      X: ``[T, N]``/``[K, T, N]``. Y: ``[T]``/``[T, d]``/``[K, T, d]``. lags: bins to search (None:
      lag 0). threshold: fraction in (0, 1] for D_x and D_fit. alpha, alphas, folds: see
      :func:`ridge_readout`.

    **Returns** :class:`RecordingAnalysis`.
    """
    x3, y3 = _as_trials(X, Y)
    thr = _check_threshold(threshold)
    search = None
    lag = 0
    if lags is not None:
        search = lag_search(x3, y3, lags, alpha=alpha, alphas=alphas, folds=folds)
        lag = search.best_lag
    readout = ridge_readout(x3, y3, alpha=alpha, lag=lag, alphas=alphas, folds=folds)
    x, _, _ = _pairs(x3, y3, lag)
    return _analysis(x, readout, thr, search)


def _check_threshold(threshold: Any) -> float:
    thr = (
        float(threshold)
        if isinstance(threshold, (int, float, np.integer, np.floating))
        and not isinstance(threshold, bool)
        else math.nan
    )
    if not 0 < thr <= 1:
        raise ValueError(f"threshold={threshold!r} is not allowed; threshold must be in (0, 1]")
    return thr


def _analysis(
    x: np.ndarray, readout: Readout, thr: float, search: LagSearch | None
) -> RecordingAnalysis:
    """The measures of ``readout`` on the paired activity ``x`` ``[S, N]`` (centred here)."""
    xc = x - x.mean(axis=0)
    y_hat = xc @ readout.w
    N = int(x.shape[1])
    rho = measures.readout_correlation(readout.w, xc)
    per = np.atleast_1d(measures.readout_correlation(readout.w, xc, per_output=True))
    D_x = measures.dimension(xc, threshold=thr)
    fit = measures.fit_dimension(xc, y_hat, threshold=thr, max_k=min(2, *xc.shape))
    r2_2pc = measures.reconstruction_r2(xc, y_hat, min(2, *xc.shape))
    return RecordingAnalysis(
        rho=float(rho),
        rho_per_output=per,
        rho_sqrt_n=float(rho) * math.sqrt(N),
        D_x=int(D_x),
        D_fit=int(fit.D_fit),
        ratio=fit.D_fit / D_x,
        r2_2pc=float(r2_2pc),
        r2=readout.r2,
        r2_cv=readout.r2_cv,
        lag=readout.lag,
        alpha=readout.alpha,
        N=N,
        n_samples=int(x.shape[0]),
        w_norm=measures.readout_norm(readout.w),
        x_norm=measures.state_norm(xc),
        regime=measures.regime_label(min(float(rho), 1.0), N),
        readout=readout,
        lag_search=search,
    )


def _decoder_args(X: Any, Y: Any, w: Any, intercept: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """(w [N, d], intercept [d] or None) of a given readout: ``w``, else the Recording's
    decoder of output Y; a given ``intercept`` replaces the decoder's."""
    if w is None:
        if not isinstance(X, Recording):
            raise ValueError("w=None is not allowed with arrays; pass the decoder weights [N, d]")
        dec = X.decoder(Y) if Y is not None else None
        if dec is None:
            raise ValueError(
                f"w=None is not allowed: output {Y!r} has no decoder in this recording "
                f"(decoders: {', '.join(X.decoders) or 'none'}); pass w or fit one with "
                "analyse_recording"
            )
        w_arr, b = dec
    else:
        w_arr = np.asarray(w, dtype=np.float64)
        w_arr = w_arr[:, None] if w_arr.ndim == 1 else w_arr
        if w_arr.ndim != 2 or not np.all(np.isfinite(w_arr)):
            raise ValueError(f"w has shape {w_arr.shape}; allowed: finite [N, d] or [N]")
        b = None
    if intercept is not None:
        b = np.asarray(intercept, dtype=np.float64).reshape(-1)
        if b.shape != (w_arr.shape[1],) or not np.all(np.isfinite(b)):
            raise ValueError(
                f"intercept has shape {np.shape(intercept)}; allowed: finite ({w_arr.shape[1]},)"
            )
    return w_arr, b


def _check_decoder_shape(w: np.ndarray, N: int, d: int) -> None:
    """ValueError unless the given readout is [N, d] for N units and d output dimensions."""
    if w.shape != (N, d):
        raise ValueError(
            f"w has shape {w.shape}; allowed: ({N}, {d}) for {N} units and {d} output dimensions"
        )


def _given_readout(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray | None, lag: int
) -> Readout:
    """A :class:`Readout` for given weights on paired samples: R² of its output for Y (the
    intercept, if not given, is the best constant ȳ − x̄ᵀw); no α, no cross-validation."""
    if b is None:
        b = y.mean(axis=0) - x.mean(axis=0) @ w
    return Readout(
        w=w,
        intercept=b,
        alpha=math.nan,
        lag=lag,
        r2=_r2(y, x @ w + b),
        r2_cv=math.nan,
        alphas=None,
        cv_r2=None,
        n_samples=int(x.shape[0]),
    )


def analyse_readout(
    X: Float[np.ndarray, "*K T N"] | Recording,
    Y: Float[np.ndarray, "*K T *d"] | str | None,
    w: Float[np.ndarray, "N d"] | None = None,
    *,
    intercept: Float[np.ndarray, " d"] | None = None,
    lag: int = 0,
    threshold: float = 0.9,
) -> RecordingAnalysis:
    r"""The measures of a **given** readout (a brain–computer interface's decoder, THEORY §6):
    no regression — the paper's BCI branch, where the experimenter's decoder is w_out.

    ρ(w, X − x̄), D_x,90, D_fit,90 of the decoder's output ŷ = (X − x̄) w, as in
    :func:`analyse_recording`; R² is that of ŷ + b for the recorded output Y(t + lag) (for a BCI
    session close to 1 unless the cursor is smoothed or assisted), ``r2_cv`` and ``alpha`` are NaN.

    **Arguments**
      X: ``[T, N]``/``[K, T, N]`` activity, or a :class:`~validate.core.recording.Recording`.
      Y: behaviour as in :func:`ridge_readout`, or the output name of the Recording.
      w: ``[N, d]`` decoder weights (None: the Recording's decoder of output Y).
      intercept: ``[d]`` (None: the Recording's, else the best constant ȳ − x̄ᵀw).
      lag: bins, positive = activity leads. threshold: fraction in (0, 1] for D_x and D_fit.

    **Returns** :class:`RecordingAnalysis` (``readout.alpha`` NaN: given, not fitted).
    """
    w_arr, b = _decoder_args(X, Y, w, intercept)
    x3, y3 = _as_trials(X, Y)
    thr = _check_threshold(threshold)
    lag = _check_lag(lag, x3.shape[1])
    _check_decoder_shape(w_arr, x3.shape[-1], y3.shape[-1])
    x, y, _ = _pairs(x3, y3, lag)
    return _analysis(x, _given_readout(x, y, w_arr, b, lag), thr, None)


# ----------------------------------------------------------------------------- subsampling
@dataclasses.dataclass(frozen=True)
class Subsampling:
    """Result of :func:`subsample_rho` (ρ·√n under random subsampling of neurons).

    Attributes:
        sizes: ``[S]`` subset sizes n (increasing).
        rho: ``[S, R]`` ρ of the refitted readout on each subset (NaN where no draw — at n = N only
            the first entry, the full population — or where the draw is ``excluded``).
        r2_cv: ``[S, R]`` cross-validated R² of each refitted readout, excluded draws included
            (NaN only where there is no draw).
        rho_sqrt_n: ``[S]`` mean over draws of ρ·√n. rho_sqrt_n_se: ``[S]`` its SE (sd/√draws;
            0 for a single draw).
        r2_mean, r2_se: ``[S]`` the same for the CV R² (the quality of fit).
        p: fitted slope of log(ρ√n) vs log n (ρ√n ∝ n^p; aligned 1/2, oblique 0).
        p_se: OLS standard error of p (spread over random subsets of this population).
        fit: the :class:`validate.core.fits.PowerLawFit` (exponent p, prefactor, points).
        N: neurons in the recording. lag: bins used. repeats: R. seed: NumPy seed.
        excluded: ``[S]`` draws per size whose readout had CV R² ≤ 0 (it predicts the behaviour
            no better than its mean, so its direction is fitted noise): ρ left NaN, not fitted.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    sizes: np.ndarray
    rho: np.ndarray
    r2_cv: np.ndarray
    rho_sqrt_n: np.ndarray
    rho_sqrt_n_se: np.ndarray
    r2_mean: np.ndarray
    r2_se: np.ndarray
    p: float
    p_se: float
    fit: PowerLawFit
    N: int
    lag: int
    repeats: int
    seed: int
    excluded: np.ndarray

    @property
    def rho_slope(self) -> float:
        """Slope of log ρ vs log n, p − 1/2 (aligned 0, oblique −1/2)."""
        return self.p - 0.5


def _mean_se(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.sum(np.isfinite(a), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(a, axis=1) / np.maximum(n, 1), np.nan)
        sd = np.array([np.nanstd(r, ddof=1) if k > 1 else 0.0 for r, k in zip(a, n, strict=True)])
        return mean, sd / np.sqrt(n)


def subsample_rho(
    X: Float[np.ndarray, "*K T N"] | Recording,
    Y: Float[np.ndarray, "*K T *d"] | str | None,
    sizes: Sequence[int],
    *,
    repeats: int = 20,
    seed: int = 0,
    lag: int = 0,
    alpha: float | None = None,
    alphas: ArrayLike | None = None,
    folds: int = 5,
    progress: bool = True,
) -> Subsampling:
    r"""ρ·√n for random subsets of n neurons, the readout refitted on each (THEORY §6, last
    paragraph; the paper's ρ-vs-N figure for recordings).

    For each n in ``sizes``, ``repeats`` subsets of n distinct neurons drawn uniformly
    (``np.random.default_rng(seed)``); on each the ridge readout (α cross-validated unless given)
    is refitted at ``lag`` and ρ(w_n, X_S − x̄_S) computed. Draws whose readout has a
    cross-validated R² ≤ 0 are excluded (counted in ``excluded``): such a w — typically at the
    top of the α grid, w ∝ X_cᵀY_c — is the direction of chance correlations, which the
    large-variance modes dominate, and its ρ says nothing about how the behaviour is read out
    (on oblique synthetic data such draws at n = 8 of 128 gave ρ√n ≈ 1.5 instead of 0.25).
    The slope p of log(ρ√n) on log n (pooled over the draws kept, OLS) is 1/2 for aligned and
    0 for oblique dynamics; see the module docstring for the definition and the meaning of its SE.

    **Arguments**
      X, Y: as in :func:`ridge_readout`. sizes: ≥ 2 distinct integers in [1, N]. repeats: R ≥ 2.
      seed: integer ≥ 0. lag, alpha, alphas, folds: as in :func:`ridge_readout`.
      progress: tqdm bar over the fits.

    **Returns** :class:`Subsampling`.
    """
    from tqdm.auto import tqdm

    x3, y3 = _as_trials(X, Y)
    N = x3.shape[-1]
    try:
        size_list = sorted({int(n) for n in sizes}) if all(_is_int(n) for n in sizes) else []
    except TypeError:
        size_list = []
    if len(size_list) < 2 or size_list[0] < 1 or size_list[-1] > N:
        raise ValueError(
            f"sizes={sizes!r} is not allowed; sizes must hold >= 2 distinct integers "
            f"in [1, N] with N = {N} neurons"
        )
    R = _check_int(repeats, "repeats", 2)
    s = _check_int(seed, "seed", 0)
    lag = _check_lag(lag, x3.shape[1])
    a = _check_alpha(alpha)
    grid = _check_alphas(alphas)
    f = _check_folds(folds, allow_none=False)
    assert f is not None  # allow_none=False
    x, y, trial = _pairs(x3, y3, lag)
    design = _Design(x, y, _fold_ids(trial, f), f)  # sub-blocks of it serve every subset
    rng = np.random.default_rng(s)
    rho = np.full((len(size_list), R), np.nan)
    r2 = np.full((len(size_list), R), np.nan)
    excluded = np.zeros(len(size_list), dtype=int)
    jobs = [(i, r) for i, n in enumerate(size_list) for r in range(1 if n == N else R)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grid-edge warnings on small subsets are expected
        for i, r in tqdm(jobs, desc="subsets", disable=not progress):
            n = size_list[i]
            idx = np.sort(rng.choice(N, size=n, replace=False)) if n < N else np.arange(N)
            xs = x[:, idx]
            if float(np.sum((xs - xs.mean(axis=0)) ** 2)) == 0:
                continue  # a subset of silent neurons: no readout, no draw
            fit = _fit(
                xs, y, trial, alpha=a, alphas=grid, folds=f, lag=lag, design=design.subset(idx)
            )
            r2[i, r] = fit.r2_cv
            if not fit.r2_cv > 0 or not np.any(fit.w):
                excluded[i] += 1  # no readout: it predicts Y no better than its mean
                continue
            rho[i, r] = measures.readout_correlation(fit.w, xs - xs.mean(axis=0))
    sizes_arr = np.asarray(size_list)
    rsn = rho * np.sqrt(sizes_arr)[:, None]
    m, se = _mean_se(rsn)
    r2m, r2se = _mean_se(r2)
    ok = np.isfinite(rsn)
    pl = fit_power_law(np.broadcast_to(sizes_arr[:, None], rsn.shape)[ok], rsn[ok])
    return Subsampling(
        sizes=sizes_arr,
        rho=rho,
        r2_cv=r2,
        rho_sqrt_n=m,
        rho_sqrt_n_se=se,
        r2_mean=r2m,
        r2_se=r2se,
        p=pl.exponent,
        p_se=pl.exponent_se,
        fit=pl,
        N=N,
        lag=lag,
        repeats=R,
        seed=s,
        excluded=excluded,
    )


# ----------------------------------------------------------------------------- data points
#: The measures of :class:`RecordingAnalysis` that :func:`subsample_points` keeps per subset.
POINT_MEASURES: tuple[str, ...] = ("rho", "rho_sqrt_n", "D_x", "D_fit", "ratio", "r2", "r2_cv")


@dataclasses.dataclass(frozen=True)
class PointSubsets:
    """Result of :func:`subsample_points`: the measures on random subsets of the data points
    (the paper's violins: 20 subsets of 25 % of the samples of each data set).

    Attributes:
        rho, rho_sqrt_n, D_x, D_fit, ratio, r2, r2_cv: ``[R]`` each measure of
            :class:`RecordingAnalysis` on each subset (the readout refitted on the subset, or
            the given decoder; ``r2_cv`` NaN for a decoder).
        fraction: share of the paired samples in each subset. n_samples: samples per subset.
        repeats: R. seed: NumPy seed. lag: bins used. decoder: True if the readout was given.
    """

    def __repr__(self) -> str:
        return concise_repr(self)

    rho: np.ndarray
    rho_sqrt_n: np.ndarray
    D_x: np.ndarray
    D_fit: np.ndarray
    ratio: np.ndarray
    r2: np.ndarray
    r2_cv: np.ndarray
    fraction: float
    n_samples: int
    repeats: int
    seed: int
    lag: int
    decoder: bool

    def spread(self) -> dict[str, tuple[float, float]]:
        """(mean, sd) over subsets of each measure (sd with ddof = 1)."""
        out = {}
        for k in POINT_MEASURES:
            v = np.asarray(getattr(self, k), dtype=float)
            v = v[np.isfinite(v)]
            out[k] = (
                float(v.mean()) if v.size else math.nan,
                float(v.std(ddof=1)) if v.size > 1 else math.nan,
            )
        return out


def subsample_points(
    X: Float[np.ndarray, "*K T N"] | Recording,
    Y: Float[np.ndarray, "*K T *d"] | str | None,
    *,
    fraction: float = 0.25,
    repeats: int = 20,
    seed: int = 0,
    lag: int = 0,
    w: Float[np.ndarray, "N d"] | None = None,
    intercept: Float[np.ndarray, " d"] | None = None,
    alpha: float | None = None,
    alphas: ArrayLike | None = None,
    folds: int = 5,
    threshold: float = 0.9,
    progress: bool = False,
) -> PointSubsets:
    r"""ρ, D_x,90, D_fit,90/D_x,90 and R² on random subsets of the data points (THEORY §6; the
    paper's violins for recordings: 20 subsets of 25 % of the data points per data set).

    The paired samples (X(t), Y(t + lag)), gaps dropped, are drawn without replacement
    (``round(fraction·S)`` of S, ``np.random.default_rng(seed)``) and kept in time order; on
    each subset the ridge readout is refitted (α cross-validated over ``folds`` contiguous
    blocks of the subset unless ``alpha`` is given) — or, with ``w`` (or a Recording whose
    output Y has a decoder), the given readout is used as is — and the measures of
    :func:`analyse_recording` computed. The spread over subsets shows how much each measure
    depends on the particular samples; it is not the sampling error of the full-data value,
    which is smaller (about √fraction of the subset sd for independent samples).

    **Arguments**
      X, Y: as in :func:`ridge_readout` (or a Recording and an output name).
      fraction: share of samples per subset, in (0, 1). repeats: R ≥ 2. seed: integer ≥ 0.
      lag: bins. w, intercept: a given readout (see :func:`analyse_readout`); None: refit,
      unless the Recording has a decoder for Y. alpha, alphas, folds: as in
      :func:`ridge_readout`. threshold: for D_x and D_fit. progress: tqdm bar over subsets.

    **Returns** :class:`PointSubsets`.
    """
    from tqdm.auto import tqdm

    given = w is not None or (
        isinstance(X, Recording) and isinstance(Y, str) and X.decoder(Y) is not None
    )
    wb = _decoder_args(X, Y, w, intercept) if given else None
    x3, y3 = _as_trials(X, Y)
    frac = (
        float(fraction)
        if isinstance(fraction, (int, float, np.integer, np.floating))
        and not isinstance(fraction, bool)
        else math.nan
    )
    if not 0 < frac < 1:
        raise ValueError(f"fraction={fraction!r} is not allowed; fraction must be in (0, 1)")
    R = _check_int(repeats, "repeats", 2)
    s = _check_int(seed, "seed", 0)
    lag = _check_lag(lag, x3.shape[1])
    thr = _check_threshold(threshold)
    a = _check_alpha(alpha)
    grid = _check_alphas(alphas)
    f = _check_folds(folds, allow_none=False)
    assert f is not None  # allow_none=False
    x, y, trial = _pairs(x3, y3, lag)
    S = x.shape[0]
    n = int(round(frac * S))
    if n < max(4, f if wb is None else 2):
        raise ValueError(
            f"fraction={fraction!r} is not allowed: {n} of {S} samples per subset; "
            f"need >= {max(4, f if wb is None else 2)}"
        )
    if wb is not None:
        _check_decoder_shape(wb[0], x.shape[1], y.shape[1])
    rng = np.random.default_rng(s)
    out = {k: np.full(R, np.nan) for k in POINT_MEASURES}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grid-edge warnings on small subsets are expected
        for r in tqdm(range(R), desc="data-point subsets", disable=not progress):
            idx = np.sort(rng.choice(S, size=n, replace=False))
            xs, ys = x[idx], y[idx]
            if wb is not None:
                readout = _given_readout(xs, ys, wb[0], wb[1], lag)
            else:
                # folds of whole trials if the subset spans enough of them, else contiguous
                readout = _fit(xs, ys, trial[idx], alpha=a, alphas=grid, folds=f, lag=lag)
            res = _analysis(xs, readout, thr, None)
            for k in POINT_MEASURES:
                out[k][r] = getattr(res, k)
    return PointSubsets(
        **out,
        fraction=frac,
        n_samples=n,
        repeats=R,
        seed=s,
        lag=lag,
        decoder=wb is not None,
    )


# ----------------------------------------------------------------------------- synthetic data
def _smooth(rng: np.random.Generator, T: int, m: int, tau: float) -> np.ndarray:
    """[T, m] independent stationary AR(1) processes, unit variance, correlation time τ bins:
    y₀ ~ N(0, 1), y_t = φ y_{t−1} + √(1 − φ²) ε_t with φ = e^{−1/τ} (a loop over T of vector
    steps: cheaper here than importing scipy.signal)."""
    phi = math.exp(-1.0 / tau)
    c = math.sqrt(1.0 - phi**2)
    out = rng.standard_normal((T, m))
    out[1:] *= c
    for t in range(1, T):
        out[t] += phi * out[t - 1]
    return out


def expected_slope(truth: dict[str, Any], sizes: Sequence[int]) -> float:
    r"""Expected p (ρ·√n ∝ n^p) of :func:`subsample_rho` on a :func:`synthetic_recording` over
    ``sizes``, with the leading finite-size corrections of the module docstring:

    * aligned: ρ_n² ∝ 1/(1 + (k − 1)/n) (k = d + 2 latent modes), p = 1/2 + slope of
      −½ log(1 + (k − 1)/n);
    * oblique: ρ_n²·n ∝ 1 + k_s·N/(T_eff·n) (k_s = 3 shared modes), p = slope of
      ½ log(1 + k_s N/(T_eff n)).

    The slope is the least-squares slope on log n over the given sizes (one point each; the
    subsampling fit pools draws, so its weights differ slightly when sizes have different numbers
    of draws — a second-order difference). **Arguments** truth: the dict returned by
    :func:`synthetic_recording`; sizes: ≥ 2 distinct sizes. **Returns** float.
    """
    n = np.asarray(sorted({int(v) for v in sizes}), dtype=np.float64)
    if n.size < 2 or np.any(n < 1):
        raise ValueError(f"sizes={list(sizes)!r} is not allowed; need >= 2 distinct sizes >= 1")
    if truth.get("kind") == "aligned":
        k = int(truth["d"]) + 2
        y, p0 = -0.5 * np.log1p((k - 1) / n), 0.5
    elif truth.get("kind") == "oblique":
        k_s = int(np.size(truth["latent_variance"]))
        y, p0 = 0.5 * np.log1p(k_s * float(truth["N"]) / (float(truth["T_eff"]) * n)), 0.0
    else:
        raise ValueError(
            f"truth['kind']={truth.get('kind')!r} is not allowed; allowed: "
            f"{', '.join(SYNTHETIC_KINDS)}"
        )
    return p0 + float(np.polyfit(np.log(n), y, 1)[0])


def _limit_dimension(lam: np.ndarray, isotropic: float, threshold: float = 0.9) -> int | None:
    """D_x,90 for N → ∞ of shared variances λ over a per-neuron isotropic variance: the
    smallest k with Σ_{j<k} λ_j ≥ threshold·(Σλ + isotropic); None if the shared modes never
    reach it (then D_x grows with N)."""
    frac = np.cumsum(lam) / (lam.sum() + isotropic)
    hit = np.nonzero(frac >= threshold)[0]
    return int(hit[0]) + 1 if hit.size else None


def synthetic_recording(
    kind: Literal["aligned", "oblique"] = "aligned",
    N: int = 128,
    T: int = 2000,
    d: int = 2,
    noise: float = 0.1,
    seed: int = 0,
    *,
    lag: int = 0,
    tau: float = 5.0,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    r"""Synthetic activity and behaviour with a known regime (for tests and documentation).

    All latent signals are independent stationary AR(1) processes with unit variance and
    correlation time ``tau`` bins. Loadings U ``[N, k]`` have random ±1 entries, so each neuron's
    activity is O(1), ‖x‖ = O(√N) (THEORY §1), and — unlike Gaussian loadings — every neuron has
    exactly the same variance: random subsets then differ only in the geometry of their loadings,
    not in their mean variance, which removes a Jensen bias of ρ_n·√n at small n (the average of
    1/√(mean variance) over subsets exceeds its value for the full population).

    * ``"aligned"``: k = d + 2 latents a(t) with variances λ = 4·2^{-j} (j = 0 … k−1),
      x(t) = U diag(√λ) a(t) + noise; behaviour y_j(t) = a_j(t), j < d — it reads the d
      **dominant** PCs. The ρ of the ideal readout tends, for N, T → ∞, to
      ρ_∞ = √( d / (Σ_{j<d} λ_j⁻¹ · (Σ_j λ_j + noise²)) ), independent of N: p = 1/2.
    * ``"oblique"``: 3 shared latents with variances (8, 5, 3) (Σ = 16, 94 % of the variance)
      plus N private unit-variance processes ξ(t) (one per neuron): x = U diag(√λ) a + ξ + noise;
      behaviour y = W_trueᵀ ξ with W_true ``[N, d]`` orthonormal columns orthogonal to U — it reads
      a low-variance direction, while the large-variance dynamics are orthogonal to it. The ideal
      readout has ρ·√N → √((1 + noise²)/(16 + 1 + noise²)) (a random direction in the isotropic
      private space), so ρ = O(N^{-1/2}); refitted on n-neuron subsets it stays in the private
      space, ρ_n·√n keeps that value: p = 0.

    Both add independent white observation noise of std ``noise`` to every neuron and to every
    (unit-variance) behaviour channel. ``lag`` (bins): behaviour follows the activity by ``lag``,
    y(t + lag) = f(x(t)) (positive = activity leads).

    **Arguments**
      kind: ``"aligned"`` or ``"oblique"``. N: neurons ≥ 2·(d + 3). T: bins ≥ 20. d: outputs ≥ 1.
      noise: std ≥ 0. seed: integer ≥ 0. lag: integer, |lag| < T. tau: correlation time > 0 (bins).

    **Returns** (X ``[T, N]``, Y ``[T, d]``, truth) with truth keys: ``kind``, ``p`` (expected
    slope of ρ√n), ``lag``, ``w_true`` ``[N, d]`` (the noise-free readout: y(t+lag) =
    w_trueᵀ(x(t) − noise), minimum norm for aligned), ``rho_limit`` (aligned: ρ_∞) or
    ``rho_sqrt_n_limit`` (oblique), ``latent_variance`` (λ), ``D_x`` (the N, T → ∞ value: smallest
    k with Σ_{j<k} λ_j ≥ 0.9 of the total variance per neuron, None if never) and ``D_fit`` (aligned:
    d; oblique: None — it grows with N, since the behaviour lives in the isotropic private space),
    and ``N``, ``T``, ``d``, ``T_eff`` = T(1 − φ²)/(1 + φ²), φ = e^{−1/τ} (independent samples
    for a correlation between two of the signals; used by :func:`expected_slope`).
    """
    if kind not in SYNTHETIC_KINDS:
        raise ValueError(f"kind={kind!r} is not allowed; allowed: {', '.join(SYNTHETIC_KINDS)}")
    d = _check_int(d, "d", 1)
    N = _check_int(N, "N", 2 * (d + 3))
    T = _check_int(T, "T", 20)
    s = _check_int(seed, "seed", 0)
    lag = _check_int(lag, "lag", -(T - 1), T - 1)
    for name, v in (("noise", noise), ("tau", tau)):
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float, np.integer, np.floating))
            or not math.isfinite(float(v))
            or (float(v) < 0 if name == "noise" else float(v) <= 0)
        ):
            allowed = ">= 0" if name == "noise" else "> 0"
            raise ValueError(
                f"{name}={v!r} is not allowed; {name} must be a finite number {allowed}"
            )
    noise, tau = float(noise), float(tau)
    rng = np.random.default_rng(s)
    L = T + abs(lag)
    if kind == "aligned":
        k = d + 2
        lam = 4.0 * 2.0 ** -np.arange(k)
        U = rng.choice([-1.0, 1.0], size=(N, k))
        a = _smooth(rng, L, k, tau)
        mix = U * np.sqrt(lam)  # [N, k]
        Xb = a @ mix.T
        Fb = a[:, :d]
        w_true = np.linalg.pinv(mix.T)[:, :d]  # min-norm w with mixᵀ w = e_j
        truth: dict[str, Any] = {
            "rho_limit": math.sqrt(d / (np.sum(1.0 / lam[:d]) * (lam.sum() + noise**2))),
            "D_x": _limit_dimension(lam, noise**2),
            "D_fit": d,
        }
    else:
        lam = np.array([8.0, 5.0, 3.0])
        U = rng.choice([-1.0, 1.0], size=(N, lam.size))
        G = rng.standard_normal((N, d))
        Q, _ = np.linalg.qr(U)
        G -= Q @ (Q.T @ G)  # orthogonal to the shared loadings
        W, _ = np.linalg.qr(G)  # [N, d] orthonormal
        a = _smooth(rng, L, lam.size, tau)
        xi = _smooth(rng, L, N, tau)
        Xb = a @ (U * np.sqrt(lam)).T + xi
        Fb = xi @ W
        w_true = W
        truth = {
            "rho_sqrt_n_limit": math.sqrt((1.0 + noise**2) / (lam.sum() + 1.0 + noise**2)),
            "D_x": _limit_dimension(lam, 1.0 + noise**2),
            "D_fit": None,
        }
    if lag >= 0:
        X, Y = Xb[lag:], Fb[:T]
    else:
        X, Y = Xb[:T], Fb[-lag:]
    X = X + noise * rng.standard_normal(X.shape)
    Y = Y + noise * rng.standard_normal(Y.shape)
    phi = math.exp(-1.0 / tau)
    truth.update(
        {
            "kind": kind,
            "p": 0.5 if kind == "aligned" else 0.0,
            "lag": lag,
            "w_true": w_true,
            "latent_variance": lam,
            "N": N,
            "T": T,
            "d": d,
            "T_eff": T * (1.0 - phi**2) / (1.0 + phi**2),
        }
    )
    return X, Y, truth
