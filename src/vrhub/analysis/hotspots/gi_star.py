"""Getis-Ord local Gi* hot spots with analytic and conditional-permutation inference and FDR control.

``G_i* = sum_j w_ij y_j / sum_j y_j`` with ``j`` running over all sites including ``i`` (Getis & Ord
1992). Its standardised form (Ord & Getis 1995, eq. 14 with ``x̄`` and ``s`` over all ``n`` sites) is::

    z_i = (sum_j w_ij y_j - x̄ W_i) / (s * sqrt((n S1_i - W_i^2) / (n - 1)))
    W_i = sum_j w_ij,  S1_i = sum_j w_ij^2,  s^2 = sum_j y_j^2 / n - x̄^2

For binary weights this is exactly esda's ``G_Local(y, w, transform="B", star=True).Zs``. Analytic
p-values are two-sided normal: ``2 * (1 - Phi(|z|))`` (esda's ``p_norm`` is the one-sided ``1 - Phi(|z|)``).
Permutation inference holds ``y_i`` fixed and shuffles the rest (Anselin 1995), see
:mod:`vrhub.analysis.hotspots.conditional_permutation`. Sites are then called hot or cold where the
Benjamini-Hochberg adjusted p-value is at most ``alpha`` (on by default; ``fdr=False`` compares raw
p-values with ``alpha``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import ndtr  # the normal tail as scipy.stats.norm.sf computes it, without importing stats (~1 s)

from vrhub.analysis.hotspots.conditional_permutation import conditional_permutation_counts
from vrhub.analysis.hotspots.errors import HotspotInputError
from vrhub.analysis.hotspots.fdr import BH_CITATION, benjamini_hochberg
from vrhub.analysis.hotspots.weights import SpatialWeights, as_spatial_weights

GI_STAR_CITATION = (
    "Getis, A. & Ord, J.K. (1992). The analysis of spatial association by use of distance statistics. "
    "Geographical Analysis 24(3), 189-206. Ord, J.K. & Getis, A. (1995). Local spatial autocorrelation "
    "statistics: distributional issues and an application. Geographical Analysis 27(4), 286-306. "
    "Conditional randomisation: Anselin, L. (1995). Local indicators of spatial association - LISA. "
    "Geographical Analysis 27(2), 93-115. " + BH_CITATION
)

HOT, COLD, NOT_SIGNIFICANT = "hot", "cold", "not significant"


def new_seed() -> int:
    """A fresh random seed (recorded in results so any run can be repeated)."""
    return int(np.random.SeedSequence().entropy % (2**63))


@dataclass(frozen=True, eq=False)
class GiStarResult:
    """Gi* for every site, with the parameters that produced it.

    ``p_perm`` is two-sided: ``min(1, 2 * (min(#sim >= obs, #sim <= obs) + 1) / (R + 1))``;
    ``p_perm_greater``/``p_perm_lesser`` are the one-sided pseudo p-values ``(#sim >= obs + 1)/(R + 1)``
    and ``(#sim <= obs + 1)/(R + 1)`` (as esda's ``alternative="greater"``/``"lesser"``). ``q`` is the
    p-value used for classification after Benjamini-Hochberg adjustment (or unadjusted with ``fdr=False``).
    """

    ids: np.ndarray
    values: np.ndarray
    g: np.ndarray
    expected_g: np.ndarray
    z: np.ndarray
    p_analytic: np.ndarray
    p_perm: np.ndarray | None
    p_perm_greater: np.ndarray | None
    p_perm_lesser: np.ndarray | None
    q: np.ndarray
    classification: np.ndarray
    inference: str
    alpha: float
    fdr: bool
    permutations: int
    seed: int | None
    parameters: dict[str, Any]
    notes: tuple[str, ...] = ()
    citation: str = field(default=GI_STAR_CITATION)

    @property
    def n_hot(self) -> int:
        return int((self.classification == HOT).sum())

    @property
    def n_cold(self) -> int:
        return int((self.classification == COLD).sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per site: id, value, Gi*, z, p-values, q and the hot/cold class."""
        frame = pd.DataFrame(
            {
                "id": self.ids,
                "value": self.values,
                "gi_star": self.g,
                "z": self.z,
                "p_analytic": self.p_analytic,
            }
        )
        if self.p_perm is not None:
            frame["p_perm"] = self.p_perm
            frame["p_perm_greater"] = self.p_perm_greater
            frame["p_perm_lesser"] = self.p_perm_lesser
        frame["q"] = self.q
        frame["classification"] = self.classification
        return frame


def _self_weights(w: SpatialWeights, self_weight: float | np.ndarray | None) -> np.ndarray:
    if self_weight is not None:
        sw = np.broadcast_to(np.asarray(self_weight, dtype=float), (w.n,)).copy()
    elif w.self_weights is not None:
        sw = np.asarray(w.self_weights, dtype=float)
    elif w.is_binary or w.matrix.nnz == 0:
        sw = np.ones(w.n)
    else:  # esda's rule for non-binary weights without a diagonal: the row's largest weight
        sw = w.matrix.max(axis=1).toarray().ravel()
        sw[sw == 0] = 1.0
    if (sw <= 0).any():
        raise HotspotInputError("Gi* needs a positive self-weight for every site (the 'star'); got <= 0.")
    return sw


def _describe_self_weight(w: SpatialWeights, self_weight: float | np.ndarray | None) -> str:
    if self_weight is not None:
        return str(self_weight) if np.ndim(self_weight) == 0 else "given per site"
    if w.self_weights is not None:
        return "diagonal of the weights"
    return "1" if w.is_binary else "row maximum"


def gi_star(
    values: Any,
    weights: Any,
    *,
    permutations: int = 9999,
    seed: int | None = None,
    alpha: float = 0.05,
    fdr: bool = True,
    inference: Literal["permutation", "analytic"] | None = None,
    self_weight: float | np.ndarray | None = None,
    ids: Any = None,
) -> GiStarResult:
    """Local Getis-Ord Gi* with Benjamini-Hochberg FDR control (on by default).

    ``values``: one number per site (e.g. counts per LSOA or grid cell), aligned with ``weights``
    (:class:`SpatialWeights`, a scipy sparse matrix or a libpysal ``W``/``Graph``). Self-weights: the
    weights' own diagonal if it has one, else 1 for binary weights (else the row maximum, as esda).
    ``inference`` chooses the p-values that drive the classes: ``"permutation"`` (the default when
    ``permutations > 0``) or ``"analytic"`` (normal approximation, as ArcGIS Hot Spot Analysis; the
    default when ``permutations == 0``). Both kinds of p-value are reported whenever ``permutations > 0``.
    Why 9,999 permutations by default: under FDR control a permutation p-value cannot go below
    ``2 / (R + 1)``, and with 999 permutations Benjamini-Hochberg over 1,000+ sites can rarely call any
    site significant (``notes`` says when). The analytic approximation is liberal for sparse counts
    (mostly-empty grid cells): see docs/methods/gi-star.md.
    """
    w = as_spatial_weights(weights, ids=ids)
    y = np.asarray(values, dtype=float).ravel()
    if len(y) != w.n:
        raise HotspotInputError(
            f"values has {len(y)} entries but the weights describe {w.n} sites; align them (same order)."
        )
    if not np.isfinite(y).all():
        raise HotspotInputError("values has missing or infinite entries; fill zeros for empty areas first.")
    if inference is None:
        inference = "permutation" if permutations > 0 else "analytic"
    if not 0 < alpha < 1:
        raise HotspotInputError(f"alpha must be between 0 and 1; got {alpha!r}.")
    if permutations < 0:
        raise HotspotInputError(f"permutations must be 0 or more; got {permutations!r}.")
    if inference not in ("permutation", "analytic"):
        raise HotspotInputError(f"inference must be 'permutation' or 'analytic'; got {inference!r}.")
    if inference == "permutation" and permutations == 0:
        raise HotspotInputError("inference='permutation' needs permutations > 0 (999 is usual).")
    n = len(y)
    total = y.sum()
    mean = total / n
    s2 = (y * y).sum() / n - mean * mean
    if n < 3 or s2 <= 1e-15 * max(1.0, mean * mean):
        raise HotspotInputError(
            "Gi* is undefined when every site has the same value (or there are fewer than 3 sites); "
            "check the counts were joined to the right areas."
        )

    offdiag = w.matrix
    sw = _self_weights(w, self_weight)
    lag_others = offdiag @ y
    lag = lag_others + sw * y
    w_row = np.asarray(offdiag.sum(axis=1)).ravel() + sw
    s1_row = np.asarray(offdiag.multiply(offdiag).sum(axis=1)).ravel() + sw * sw
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = np.sqrt(s2) * np.sqrt((n * s1_row - w_row**2) / (n - 1))
        z = (lag - mean * w_row) / denom
        g = lag / total if total != 0 else np.full(n, np.nan)
        expected_g = w_row / n
    p_analytic = 2.0 * ndtr(-np.abs(z))

    notes: list[str] = []
    if len(w.islands):
        notes.append(f"{len(w.islands)} site(s) have no neighbours; their Gi* uses their own value only.")
    p_perm = p_greater = p_lesser = None
    if permutations > 0:
        if seed is None:
            seed = new_seed()
        rng = np.random.default_rng(seed)
        counts = conditional_permutation_counts(y, sp.csr_array(offdiag), lag_others, permutations, rng)
        p_greater = (counts.greater_equal + 1) / (permutations + 1)
        p_lesser = (counts.less_equal + 1) / (permutations + 1)
        p_perm = np.minimum(1.0, 2.0 * np.minimum(p_greater, p_lesser))
    else:
        seed = None

    p_used = p_perm if inference == "permutation" else p_analytic
    q = benjamini_hochberg(p_used) if fdr else p_used.copy()
    significant = (q <= alpha) & np.isfinite(z) & (z != 0)
    classification = np.full(n, NOT_SIGNIFICANT, dtype=object)
    classification[significant & (z > 0)] = HOT
    classification[significant & (z < 0)] = COLD

    if inference == "permutation":
        q_analytic = benjamini_hochberg(p_analytic) if fdr else p_analytic
        n_analytic = int(((q_analytic <= alpha) & np.isfinite(z) & (z != 0)).sum())
        if n_analytic != int(significant.sum()):
            notes.append(
                f"The normal approximation (inference='analytic') would call {n_analytic:,} site(s) significant "
                f"against {int(significant.sum()):,} by permutation; it is unreliable for skewed or sparse counts."
            )
    if inference == "permutation" and fdr:
        p_min = 2.0 / (permutations + 1)
        needed = int(np.ceil(p_min * n / alpha))
        if needed > 1:
            notes.append(
                f"With {permutations} permutations the smallest two-sided p is {p_min:.4f}; at FDR {alpha} "
                f"over {n:,} sites, Benjamini-Hochberg can only call sites significant if at least "
                f"{needed:,} of them reach it. More permutations lower the floor (cost grows linearly)."
            )

    return GiStarResult(
        ids=np.arange(n) if w.ids is None else np.asarray(w.ids),
        values=y,
        g=g,
        expected_g=expected_g,
        z=z,
        p_analytic=p_analytic,
        p_perm=p_perm,
        p_perm_greater=p_greater,
        p_perm_lesser=p_lesser,
        q=q,
        classification=classification,
        inference=inference,
        alpha=alpha,
        fdr=fdr,
        permutations=permutations,
        seed=seed,
        parameters={
            "weights": w.method,
            "weights_parameters": dict(w.parameters),
            "n_sites": n,
            "self_weight": _describe_self_weight(w, self_weight),
            "alternative": "two-sided",
            "multiple_testing": "Benjamini-Hochberg FDR" if fdr else "none",
            "tie_rule": "simulated lags equal to the observed lag count as at least as extreme",
        },
        notes=tuple(notes),
    )
