"""The release of a hot-spot run (``vrhub hotspots --release``, the SNA's maps).

- The count per area or grid cell is protected as a one-way table *with its total* (suppress 1–7, round to 5,
  secondary suppression so the total cannot give a suppressed area back); the total published anywhere (the
  run's ``n_incidents_counted``, the number of points of a kernel density) is that protected total, never the exact
  one.
- An area whose count is suppressed shows no class, pattern, density or rate (statistics rule "classification").
- z-scores, p-values, q-values, expected counts and month tallies are withheld ("test_statistic",
  "fitted_value"); densities are coarsened to 2 significant figures ("density"); rates are recomputed from the
  released counts ("rate").
- Notes that state counts of records ("826 record(s) have no LSOA…") are written again with the counts protected.
"""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pandas as pd

from vrhub.analysis.hotspots.run import HotspotRun
from vrhub.domain.disclosure import DisclosureRules, coarsen, protect_series
from vrhub.report.release.core import Released, protect_count, protect_text, statement

#: columns never released: they are functions of exact small counts
ANALYST_ONLY = ("z", "p", "q", "expected_count", "n_hot_months", "n_cold_months")
#: result columns per method that an area with a suppressed count does not show
SHOWN_WITH_COUNT = ("classification", "pattern", "density_per_km2", "rate_per_1000", "z", "p", "q",
                    "expected_count", "n_hot_months", "n_cold_months")
#: parameters that are counts of records (protected); other counts in parameters are of areas or cells
COUNT_PARAMETERS = ("n_incidents_counted", "n_points")


def release_hotspots(run: HotspotRun, rules: DisclosureRules) -> Released[HotspotRun]:
    """The run as it may leave (module docstring). ``places["count"]`` holds the published counts (NaN where
    suppressed); the method's own result object is replaced by one that keeps only its citation."""
    places = run.places.reset_index(drop=True).copy()
    counts = pd.Series(places["count"].to_numpy(), index=places["id"].astype(str).to_numpy())
    protected = protect_series(counts, rules)
    published = protected.series(totals=False).astype("Float64").astype(float)
    total = protected.series().get(protected.total_label)
    hidden = published.isna().to_numpy()
    places["count"] = published.to_numpy()
    for col in SHOWN_WITH_COUNT:
        if col in places:
            places[col] = places[col].astype(object)
            places.loc[hidden, col] = None
    places = places.drop(columns=[c for c in ANALYST_ONLY if c in places])
    for col in ("density_per_km2", "rate_per_1000"):
        if col in places:
            places[col] = [None if v is None or pd.isna(v) else coarsen(float(v)) if col == "density_per_km2"
                           else round(float(v), 2) for v in places[col]]
    parameters = dict(run.parameters)
    if "n_incidents_counted" in parameters:
        parameters["n_incidents_counted"] = None if pd.isna(total) else int(total)
    if "n_points" in parameters:
        parameters["n_points"] = protect_count(parameters["n_points"], rules)
    released = dataclasses.replace(
        run, places=places, parameters=parameters, notes=tuple(protect_text(n, rules) for n in run.notes),
        result=types.SimpleNamespace(citation=run.citation),
        incidents=run.incidents.without_records(tuple(protect_text(n, rules) for n in run.incidents.notes)))
    return Released(released, statement(rules, protected.statement))


def suppressed_areas(run: HotspotRun) -> int:
    """How many areas of a released run show no count."""
    return int(np.isnan(pd.to_numeric(run.places["count"], errors="coerce").to_numpy(float)).sum())
