"""Emerging hot spot analysis: how each location's Gi* hot/cold status changes over time.

1. Gi* z-scores and p-values for every location x period bin (:func:`~.gi_star.gi_star`). With
   ``global_window="entire_cube"`` (default, as ArcGIS Pro) the bins of all periods are analysed
   together: a bin's neighbourhood is its spatial neighbours and itself in the same period and the
   ``time_neighbourhood`` previous periods, compared with the mean of the whole cube. With
   ``global_window="time_slice"`` each period is analysed on its own (as sfhotspot), and
   ``time_neighbourhood`` must be 0.
2. A bin is a significant hot (cold) spot where z > 0 (< 0) and its p-value, Benjamini-Hochberg adjusted
   over all bins of the cube (``fdr=True``), is at most ``alpha``.
3. The Mann-Kendall test on each location's series of z-scores gives its trend.
4. Each location gets one pattern. ``scheme="arcgis"`` (after Esri, "How Emerging Hot Spot Analysis
   works", ArcGIS Pro), with ``T`` periods, ``share`` = 0.9 and "hot" meaning a significant hot bin:

   * *new hot spot*: the final bin is hot and no earlier bin was significant (hot or cold);
   * *consecutive hot spot*: a final run of at least two hot bins, no significant bin before the run,
     and fewer than ``share`` x T hot bins;
   * *intensifying* / *persistent* / *diminishing hot spot*: at least ``share`` x T hot bins including
     the final one, with a significant upward / no significant / a significant downward Mann-Kendall
     trend (at ``trend_alpha``);
   * *sporadic hot spot*: the final bin is hot, fewer than ``share`` x T hot bins, never a cold bin, and
     neither new nor consecutive;
   * *oscillating hot spot*: the final bin is hot, fewer than ``share`` x T hot bins, and at least one
     earlier cold bin;
   * *historical hot spot*: the final bin is not significant, and at least ``share`` x T bins were hot;
   * cold-spot patterns mirror these; otherwise *no pattern detected*.

   Choices where Esri's wording is silent: the final bin decides the side (a hot final bin gives a
   hot-spot pattern, a cold one a cold-spot pattern; a location whose final bin is significant is never
   historical); "new" and "consecutive" also exclude earlier bins of the other sign (those are
   oscillating), as in sfdep. Earlier ArcGIS releases and sfdep do not require a hot final bin for
   *sporadic*; current ArcGIS Pro does, and so do we.

   ``scheme="sfhotspot"`` applies the rules of ``sfhotspot::hotspot_classify`` (Ashby, R package) with
   its defaults ``hotspot_prop`` 0.1, ``persistent_prop`` 0.8, ``recent_prop`` 0.2: *persistent*
   (hot in at least 80% of periods), else *emerging* (hot in under 10% of older periods and in at least
   20% of recent ones), else *former* (hot in at least 10% of older periods and under 10% of recent
   ones), else *intermittent* (hot in at least 10% of periods); the same for cold; *mixed hot/coldspot*
   when both sides have a pattern; else *no pattern*. Recent periods are the last
   ``floor(recent_prop x T)`` (at least one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from vrhub.analysis.hotspots.errors import HotspotInputError
from vrhub.analysis.hotspots.fdr import benjamini_hochberg
from vrhub.analysis.hotspots.gi_star import GI_STAR_CITATION, gi_star, new_seed
from vrhub.analysis.hotspots.mann_kendall import MANN_KENDALL_CITATION, MannKendallResult, mann_kendall
from vrhub.analysis.hotspots.weights import as_spatial_weights

EMERGING_CITATION = (
    "Esri. How Emerging Hot Spot Analysis works. ArcGIS Pro documentation (Space Time Pattern Mining). "
    "Ashby, M.P.J. sfhotspot: Hot-Spot Analysis with Simple Features, R package (hotspot_classify). "
    + MANN_KENDALL_CITATION + " " + GI_STAR_CITATION
)

ARCGIS_PATTERNS = (
    "new hot spot", "consecutive hot spot", "intensifying hot spot", "persistent hot spot",
    "diminishing hot spot", "sporadic hot spot", "oscillating hot spot", "historical hot spot",
    "new cold spot", "consecutive cold spot", "intensifying cold spot", "persistent cold spot",
    "diminishing cold spot", "sporadic cold spot", "oscillating cold spot", "historical cold spot",
    "no pattern detected",
)


@dataclass(frozen=True, eq=False)
class EmergingHotspotResult:
    """One pattern per location, with the bin-level Gi* results and the trend test behind it."""

    ids: np.ndarray
    periods: tuple[Any, ...]
    pattern: np.ndarray
    z: np.ndarray
    p: np.ndarray
    q: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    trend: MannKendallResult
    scheme: str
    seed: int | None
    parameters: dict[str, Any]
    notes: tuple[str, ...] = ()
    citation: str = field(default=EMERGING_CITATION)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "id": self.ids,
                "pattern": self.pattern,
                "n_hot_periods": self.hot.sum(axis=1),
                "n_cold_periods": self.cold.sum(axis=1),
                "trend_tau": self.trend.tau,
                "trend_z": self.trend.z,
                "trend_p": self.trend.p,
            }
        )

    def counts(self) -> pd.Series:
        """Number of locations per pattern."""
        return pd.Series(self.pattern).value_counts()


def _trailing_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True at the end of each row."""
    return np.cumprod(flags[:, ::-1], axis=1).sum(axis=1)


def classify_arcgis(
    hot: np.ndarray,
    cold: np.ndarray,
    trend: MannKendallResult,
    *,
    share: float = 0.9,
    trend_alpha: float = 0.05,
) -> np.ndarray:
    """ArcGIS Pro emerging hot spot patterns from significant hot/cold bins ``(n, T)`` and trends."""
    n, t = hot.shape
    out = np.full(n, "no pattern detected", dtype=object)
    up = (trend.p <= trend_alpha) & (trend.s > 0)
    down = (trend.p <= trend_alpha) & (trend.s < 0)
    for side, same, other, rising, falling in (("hot", hot, cold, up, down), ("cold", cold, hot, down, up)):
        n_same = same.sum(axis=1)
        n_other = other.sum(axis=1)
        run = _trailing_run(same)
        last = same[:, -1]
        mostly = n_same >= share * t
        new = last & (n_same == 1) & (n_other == 0)
        consecutive = last & (run >= 2) & (n_same == run) & (n_other == 0) & ~mostly
        rules = [
            (new, "new"),
            (consecutive, "consecutive"),
            (last & mostly & rising, "intensifying"),
            (last & mostly & falling, "diminishing"),
            (last & mostly & ~rising & ~falling, "persistent"),
            (last & ~mostly & (n_other > 0), "oscillating"),
            (last & ~mostly & (n_other == 0) & ~new & ~consecutive, "sporadic"),
            (~hot[:, -1] & ~cold[:, -1] & mostly, "historical"),
        ]
        for mask, name in rules:
            out[mask & (out == "no pattern detected")] = f"{name} {side} spot"
    return out


def classify_sfhotspot(
    hot: np.ndarray,
    cold: np.ndarray,
    *,
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
) -> np.ndarray:
    """The classes of ``sfhotspot::hotspot_classify`` from significant hot/cold bins ``(n, T)``."""
    t = hot.shape[1]
    recent = max(1, int(np.floor(recent_prop * t)))
    if t - recent < 1:
        raise HotspotInputError("sfhotspot rules need at least one older period besides the recent ones.")

    def side(flags: np.ndarray, name: str) -> np.ndarray:
        prop = flags.mean(axis=1)
        recent_p = flags[:, -recent:].mean(axis=1)
        older_p = flags[:, :-recent].mean(axis=1)
        out = np.full(len(flags), "no pattern", dtype=object)
        rules = [
            (prop >= persistent_prop, f"persistent {name}"),
            ((older_p < hotspot_prop) & (recent_p >= recent_prop), f"emerging {name}"),
            ((older_p >= hotspot_prop) & (recent_p < hotspot_prop), f"former {name}"),
            (prop >= hotspot_prop, f"intermittent {name}"),
        ]
        for mask, label in rules:
            out[mask & (out == "no pattern")] = label
        return out

    h, c = side(hot, "hotspot"), side(cold, "coldspot")
    both = (h != "no pattern") & (c != "no pattern")
    return np.where(both, "mixed hot/coldspot", np.where(h != "no pattern", h, c))


def _space_time_weights(spatial: sp.csr_array, n_periods: int, lag: int) -> sp.csr_array:
    """Weights over bins ordered period by period: spatial neighbours and self, now and ``lag`` back."""
    n = spatial.shape[0]
    band = sp.csr_array(np.tril(np.triu(np.ones((n_periods, n_periods)), -lag)))
    star = sp.csr_array(spatial + sp.eye_array(n, format="csr"))
    full = sp.csr_array(sp.kron(band, star, format="csr"))
    full.setdiag(0)
    full.eliminate_zeros()
    return full


def emerging_hotspots(
    counts: Any,
    weights: Any,
    *,
    periods: Any = None,
    ids: Any = None,
    scheme: Literal["arcgis", "sfhotspot"] = "arcgis",
    global_window: Literal["entire_cube", "time_slice"] = "entire_cube",
    time_neighbourhood: int = 1,
    alpha: float = 0.05,
    fdr: bool = True,
    inference: Literal["analytic", "permutation"] = "analytic",
    permutations: int = 0,
    seed: int | None = None,
    share: float = 0.9,
    trend_alpha: float = 0.05,
) -> EmergingHotspotResult:
    """Classify each location's hot/cold spot history (ArcGIS Pro or sfhotspot rules; module docstring).

    ``counts``: ``(n_locations, n_periods)`` array or DataFrame (rows aligned with ``weights``; columns in
    time order, their labels become ``periods``). ``time_neighbourhood``: previous periods included in a
    bin's neighbourhood (ArcGIS "Neighborhood Time Step", default 1).
    """
    if isinstance(counts, pd.DataFrame):
        periods = tuple(counts.columns) if periods is None else tuple(periods)
        ids = counts.index.to_numpy() if ids is None else ids
        values = counts.to_numpy(dtype=float)
    else:
        values = np.asarray(counts, dtype=float)
    if values.ndim != 2:
        raise HotspotInputError(f"counts must be 2-D (locations x periods); got shape {values.shape}.")
    n, t = values.shape
    periods = tuple(range(t)) if periods is None else tuple(periods)
    if len(periods) != t:
        raise HotspotInputError(f"{len(periods)} period labels for {t} columns of counts.")
    if t < 3:
        raise HotspotInputError(
            "emerging hot spot analysis needs at least 3 periods for a trend test (10 or more is "
            f"better); got {t}."
        )
    w = as_spatial_weights(weights, ids=ids)
    if w.n != n:
        raise HotspotInputError(f"counts has {n} locations but the weights describe {w.n}; align them.")
    if global_window not in ("entire_cube", "time_slice"):
        raise HotspotInputError(
            f"global_window must be 'entire_cube' or 'time_slice'; got {global_window!r}."
        )
    if global_window == "time_slice" and time_neighbourhood:
        raise HotspotInputError(
            "global_window='time_slice' analyses each period alone: set time_neighbourhood=0."
        )
    if time_neighbourhood < 0 or time_neighbourhood >= t:
        raise HotspotInputError(
            f"time_neighbourhood must be between 0 and {t - 1}; got {time_neighbourhood}."
        )
    if permutations and seed is None:
        seed = new_seed()
    notes: list[str] = []

    if global_window == "entire_cube":
        cube = _space_time_weights(w.matrix, t, time_neighbourhood)
        res = gi_star(
            values.T.ravel(), cube, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr,
            inference=inference,
        )
        z = res.z.reshape(t, n).T
        p_used = res.p_perm if inference == "permutation" else res.p_analytic
        p = p_used.reshape(t, n).T
        notes.extend(res.notes)
    else:
        z = np.zeros((n, t))
        p = np.ones((n, t))
        rng = np.random.default_rng(seed)
        for j in range(t):
            if np.ptp(values[:, j]) == 0:
                notes.append(f"period {periods[j]!r} has the same count everywhere: no hot or cold spots.")
                continue
            res = gi_star(
                values[:, j], w, permutations=permutations, alpha=alpha, fdr=False, inference=inference,
                seed=int(rng.integers(2**63)) if permutations else None,
            )
            z[:, j] = res.z
            p[:, j] = res.p_perm if inference == "permutation" else res.p_analytic
    q = benjamini_hochberg(p) if fdr else p
    significant = (q <= alpha) & np.isfinite(z)
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    trend = mann_kendall(np.nan_to_num(z))

    if scheme == "arcgis":
        pattern = classify_arcgis(hot, cold, trend, share=share, trend_alpha=trend_alpha)
        best_p = mann_kendall(np.arange(t, dtype=float)[None, :]).p[0]
        if best_p > trend_alpha:
            notes.append(
                f"With {t} periods even a perfectly monotone series has Mann-Kendall p = {best_p:.3f} > "
                f"{trend_alpha}: no location can be intensifying or diminishing."
            )
    elif scheme == "sfhotspot":
        pattern = classify_sfhotspot(hot, cold)
    else:
        raise HotspotInputError(f"scheme must be 'arcgis' or 'sfhotspot'; got {scheme!r}.")
    if t < 10:
        notes.append(f"Only {t} periods: trends and the 90% rules are coarse (10 or more is better).")

    return EmergingHotspotResult(
        ids=np.arange(n) if w.ids is None else np.asarray(w.ids),
        periods=periods,
        pattern=pattern,
        z=z,
        p=p,
        q=q,
        hot=hot,
        cold=cold,
        trend=trend,
        scheme=scheme,
        seed=seed if permutations else None,
        parameters={
            "global_window": global_window,
            "time_neighbourhood": time_neighbourhood,
            "alpha": alpha,
            "fdr": "Benjamini-Hochberg over all bins" if fdr else "none",
            "inference": inference,
            "permutations": permutations,
            "share": share,
            "trend_alpha": trend_alpha,
            "trend_test": "Mann-Kendall on Gi* z-scores, continuity-corrected",
            "weights": w.method,
        },
        notes=tuple(notes),
    )
