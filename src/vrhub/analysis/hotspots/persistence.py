"""Persistence of top places: how much of this year's concentration sits in last year's top places.

Crime concentrates in few places (the "law of crime concentration", Weisburd 2015) and those places
tend to stay on top (Sherman, Gartin & Buerger 1989; Weisburd et al. 2004). Given counts per place for
two periods, the top places of each period are the ``top_n`` places, or the top ``top_share`` of
places, by count (places with zero incidents are never top). Persistence is the share of this period's
incidents in its top places that occurred in places that were also top places last period.

Ties at the cut-off are broken by place id (ascending) so the result is reproducible; the number of
places tied at the cut-off is reported so a reader can judge how much the choice matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.hotspots.errors import HotspotInputError

PERSISTENCE_CITATION = (
    "Weisburd, D. (2015). The law of crime concentration and the criminology of place. Criminology "
    "53(2), 133-157. Sherman, L.W., Gartin, P.R. & Buerger, M.E. (1989). Hot spots of predatory crime: "
    "routine activities and the criminology of place. Criminology 27(1), 27-56."
)


@dataclass(frozen=True, eq=False)
class PersistenceResult:
    """Top places in each period and how much of this period's top-place volume persisted."""

    persistence_share: float
    place_overlap_share: float
    top_this: tuple[Any, ...]
    top_last: tuple[Any, ...]
    persistent_places: tuple[Any, ...]
    incidents_in_top_this: float
    incidents_in_persistent: float
    concentration_this: float
    concentration_last: float
    n_places: int
    n_top: int
    tied_at_cutoff_this: int
    tied_at_cutoff_last: int
    parameters: dict[str, Any]
    citation: str = field(default=PERSISTENCE_CITATION)

    def to_frame(self) -> pd.DataFrame:
        """One row per place that was top in either period."""
        places = sorted(set(self.top_this) | set(self.top_last), key=str)
        return pd.DataFrame(
            {
                "place": places,
                "top_this_period": [p in set(self.top_this) for p in places],
                "top_last_period": [p in set(self.top_last) for p in places],
            }
        )


def _top(counts: pd.Series, k: int) -> tuple[list[Any], int]:
    positive = counts[counts > 0]
    ranked = positive.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    chosen = ranked.iloc[:k]
    if len(chosen) == 0:
        return [], 0
    cutoff = chosen.iloc[-1]
    crosses = len(ranked) > k and ranked.iloc[k] == cutoff  # a tied place was left out
    tied = int((positive == cutoff).sum()) if crosses else 0
    return list(chosen.index), tied


def persistence_of_top_places(
    this_period: pd.Series,
    last_period: pd.Series,
    *,
    top_n: int | None = None,
    top_share: float | None = None,
) -> PersistenceResult:
    """Share of this period's top-place incidents that fell in places also top last period.

    ``this_period``/``last_period``: counts indexed by place (e.g. LSOA code or grid cell id); places
    missing from one period count as 0 there. Give exactly one of ``top_n`` (a number of places) or
    ``top_share`` (a fraction of all places, e.g. 0.05 for the top 5%, rounded up).
    """
    if (top_n is None) == (top_share is None):
        raise HotspotInputError("give exactly one of top_n (number of places) or top_share (e.g. 0.05).")
    this = pd.Series(this_period, dtype=float)
    last = pd.Series(last_period, dtype=float)
    if this.index.has_duplicates or last.index.has_duplicates:
        raise HotspotInputError("each place must appear once per period; aggregate duplicates first.")
    if (this < 0).any() or (last < 0).any() or this.isna().any() or last.isna().any():
        raise HotspotInputError("counts must be non-negative numbers with no missing values.")
    places = this.index.union(last.index)
    this = this.reindex(places, fill_value=0.0)
    last = last.reindex(places, fill_value=0.0)
    n_places = len(places)
    if top_share is not None:
        if not 0 < top_share <= 1:
            raise HotspotInputError(f"top_share must be in (0, 1]; got {top_share!r}.")
        k = int(np.ceil(top_share * n_places))
    else:
        if int(top_n) < 1:
            raise HotspotInputError(f"top_n must be at least 1; got {top_n!r}.")
        k = int(top_n)
    top_this, tied_this = _top(this, k)
    top_last, tied_last = _top(last, k)
    if not top_this:
        raise HotspotInputError("no place has any incidents this period: nothing to compare.")
    persistent = [p for p in top_this if p in set(top_last)]
    in_top = float(this[top_this].sum())
    in_persistent = float(this[persistent].sum())
    return PersistenceResult(
        persistence_share=in_persistent / in_top,
        place_overlap_share=len(persistent) / len(top_this),
        top_this=tuple(top_this),
        top_last=tuple(top_last),
        persistent_places=tuple(persistent),
        incidents_in_top_this=in_top,
        incidents_in_persistent=in_persistent,
        concentration_this=in_top / float(this.sum()),
        concentration_last=float(last[top_last].sum()) / float(last.sum()) if last.sum() > 0 else float("nan"),
        n_places=n_places,
        n_top=k,
        tied_at_cutoff_this=tied_this,
        tied_at_cutoff_last=tied_last,
        parameters={"top_n": top_n, "top_share": top_share, "tie_break": "place id ascending"},
    )
