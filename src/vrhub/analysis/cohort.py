"""Linked cohort: how much more often pupils with school risk factors go on to violent youth justice offences.

Step 2 of the public-health approach ("what are the causes?"). Education records (suspensions, permanent
exclusions, persistent absence) and youth justice records are linked on the pseudonymised ``person_id`` that
both partners computed with the partnership key (docs/sources/pseudonymisation.md), through the Ibis engine seam.

- **Population**: every pupil in the education data whose national curriculum years in the period are all within
  ``min_nc_year``..``max_nc_year`` (default 6–11, ages 10–16; pupils with no NC year recorded are kept): children
  of youth justice age (10–17) for the whole period, so that every pupil has the same follow-up. Follow-up is
  assumed complete (a pupil who left the area during the period is counted as not offending).
- **Exposures** (per pupil, in the period): permanently excluded; suspended at least once; persistently absent
  (missing 10% or more of possible sessions) in any attendance record; male (when sex is recorded).
- **Outcome**: at least one youth justice offence of ``offence_types`` (default violence against the person,
  robbery, possession of weapons) in the period.

For each exposure: the 2×2 counts, risks, the crude odds ratio with its 95% CI (Woolf's logit interval,
statsmodels ``Table2x2``) and the odds ratio adjusted for the other exposures (logistic regression, statsmodels
``Logit``, Wald 95% CI). These are associations, not causes: exclusion and offending share causes (Ministry of
Justice and DfE, *Education, children's social care and offending*, 2022), and the period is not ordered (an
offence may precede an exclusion). The result is exact (analyst use); ``vrhub.report.release.release`` makes the
released version: each exposure's 2×2 table protected with its margins, crude odds ratios recomputed from the
released cells, and the adjusted model refitted to the released counts (its sufficient statistics, see
:func:`logit_from_sufficient`) and rounded. Method page: docs/methods/cohort-risk-factors.md.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd

from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine

CITATION = ("Woolf B. On estimating the relation between blood group and disease. Ann Hum Genet 1955;19:251-3 "
            "(logit CI of the odds ratio); Ministry of Justice and Department for Education, 'Education, "
            "children's social care and offending' (2022).")
VIOLENT_OFFENCE_TYPES = ("Violence against the person", "Robbery", "Possession of weapons")
EXPOSURES = {
    "permanent_exclusion": "Permanently excluded",
    "suspension": "Suspended at least once",
    "persistent_absence": "Persistently absent (10% or more of sessions missed)",
    "male": "Male",
}
COLUMNS = ("exposure", "label", "exposed", "exposed_with_outcome", "unexposed", "unexposed_with_outcome",
           "risk_exposed", "risk_unexposed", "crude_or", "crude_or_low", "crude_or_high", "adjusted_or",
           "adjusted_or_low", "adjusted_or_high")


@dataclass
class CohortRiskFactors:
    """Odds ratios of a violent youth justice offence by school risk factor, for one linked cohort.

    ``table`` has one row per exposure (``COLUMNS``); counts are nullable integers (``<NA>`` where suppressed on
    release), odds ratios floats (NaN where not estimable or withheld). ``population`` and ``with_outcome`` are
    the cohort's size and its pupils with the outcome (rounded on release, ``None`` if suppressed).

    ``patterns`` (exact results only; ``None`` once released) holds the adjusted model's data grouped by exposure
    pattern — one row per combination of the model's exposures with ``n`` pupils and ``y`` with the outcome — and
    ``residual_df`` the model's residual degrees of freedom: what a release needs to refit it.
    """

    table: pd.DataFrame
    population: int | None
    with_outcome: int | None
    offenders_not_in_education: int | None
    start: dt.date | None
    end: dt.date | None
    synthetic: bool
    released: bool
    datasets: list[str]
    notes: list[str]
    disclosure: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    citation: str = CITATION
    patterns: pd.DataFrame | None = None
    residual_df: int | None = None


def _window(t: ibis.Table, column: str, start: dt.date | None, end: dt.date | None) -> ibis.Table:
    """Rows from ``start`` to the end of ``end``'s month (``end`` is a month: an offence on the 20th of the last
    month is in the period)."""
    if start is not None:
        t = t.filter(t[column] >= start)
    if end is not None:
        t = t.filter(t[column] < (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1))
    return t


def _academic_year_start(day: dt.date | None) -> dt.date | None:
    """1 September on or before ``day``: attendance records are dated by their term's first month (autumn: September),
    so a period starting in October must still read that academic year's attendance."""
    if day is None:
        return None
    return dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def cohort_frame(engine: Engine, *, start: dt.date | None = None, end: dt.date | None = None,
                 offence_types: tuple[str, ...] = VIOLENT_OFFENCE_TYPES, min_nc_year: int = 6,
                 max_nc_year: int = 11) -> pd.DataFrame:
    """One row per pupil of the population: person_id, the exposures (bool) and ``outcome`` (bool)."""
    for kind, how in (("education", "vrhub ingest education PATH"),
                      ("youth_justice", "vrhub ingest youth-justice PATH")):
        if not engine.has(kind):
            raise NoDataError(f"no {kind.replace('_', ' ')} data is loaded", f"load some with '{how}' (synthetic: "
                              "'vrhub synth --load')")
    edu = _window(engine.table("education"), "month", _academic_year_start(start), end)
    pupils = edu.group_by("person_id").aggregate(
        permanent_exclusion=(edu.record_type == "permanent_exclusion").any(),
        suspension=(edu.record_type == "suspension").any(),
        persistent_absence=edu.persistent_absence.fill_null(False).any(),
        male=(edu.sex == "male").any(),
        sex_known=edu.sex.notnull().any(),
        min_nc=edu.nc_year.min(),
        max_nc=edu.nc_year.max(),
    )
    pupils = pupils.filter(pupils.max_nc.isnull() | ((pupils.min_nc >= min_nc_year) & (pupils.max_nc <= max_nc_year)))
    yj = _window(engine.table("youth_justice"), "offence_date", start, end)
    yj = yj.filter(yj.offence_type.isin(list(offence_types)))
    offenders = yj.select(yj.person_id.name("offender_id")).distinct()
    joined = pupils.left_join(offenders, pupils.person_id == offenders.offender_id)
    out = joined.select("person_id", "permanent_exclusion", "suspension", "persistent_absence", "male", "sex_known",
                        outcome=joined.offender_id.notnull()).to_pandas()
    for col in ("permanent_exclusion", "suspension", "persistent_absence", "male", "sex_known", "outcome"):
        out[col] = out[col].fillna(False).astype(bool)
    return out.sort_values("person_id", ignore_index=True)


def _crude(a: int, b: int, c: int, d: int) -> tuple[float, float, float]:
    """Odds ratio and Woolf 95% CI of exposed (a with outcome, b without) vs unexposed (c, d)."""
    from statsmodels.stats.contingency_tables import Table2x2

    if min(a, b, c, d) == 0:
        return (np.nan, np.nan, np.nan)
    t = Table2x2(np.array([[a, b], [c, d]]))
    lo, hi = t.oddsratio_confint()
    return float(t.oddsratio), float(lo), float(hi)


def _adjusted(frame: pd.DataFrame, exposures: list[str]
              ) -> tuple[dict[str, tuple[float, float, float]], str | None, list[str]]:
    """Odds ratios adjusted for the other exposures (logistic regression, statsmodels ``Logit``), the reason when
    the model cannot be fitted, and the exposures in the model."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    usable = [e for e in exposures if 0 < frame[e].sum() < len(frame)]
    if not usable or not 0 < frame["outcome"].sum() < len(frame):
        return {}, "the adjusted model needs pupils with and without the outcome and each exposure", []
    x = sm.add_constant(frame[usable].astype(float), has_constant="add")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            fit = sm.Logit(frame["outcome"].astype(float), x).fit(disp=0)
    except (np.linalg.LinAlgError, PerfectSeparationWarning, ValueError) as exc:
        return {}, f"the adjusted model could not be fitted ({exc})", []
    ci = np.exp(fit.conf_int())
    return ({e: (float(np.exp(fit.params[e])), float(ci.loc[e, 0]), float(ci.loc[e, 1])) for e in usable}, None,
            usable)


def exposure_patterns(frame: pd.DataFrame, exposures: list[str]) -> pd.DataFrame:
    """The adjusted model's data grouped by exposure pattern: one row per combination of ``exposures`` present,
    with ``n`` pupils and ``y`` of them with the outcome."""
    g = frame.groupby(exposures, sort=True)["outcome"].agg(n="size", y="sum").reset_index()
    g[exposures] = g[exposures].astype(bool)
    return g


def logit_from_sufficient(patterns: pd.DataFrame, exposures: list[str], totals: dict[str, float],
                          confidence_level: float = 0.95) -> dict[str, tuple[float, float, float]] | None:
    """Adjusted odds ratios (with Wald intervals) of a logistic regression given only its sufficient statistics.

    The log-likelihood of a logistic regression is ``β'T − Σ_p n_p log(1 + exp(x_p'β))`` with ``T = X'y``: the
    outcome total (``totals["outcome"]``) and, per exposure, the exposed pupils with the outcome
    (``totals[exposure]``); the data enter through ``T`` and the exposure patterns only (Cox & Snell, *Analysis of
    Binary Data*, 2nd ed., 1989, §2.1). With the exact ``T`` this equals ``Logit`` on the pupils; a release passes
    the released (rounded) counts, so the model carries nothing the released tables do not. Newton–Raphson;
    ``None`` when ``T`` is outside what the patterns can produce (no finite maximum).
    """
    from scipy import stats

    x = np.column_stack([np.ones(len(patterns)), patterns[exposures].to_numpy(float)])
    n = patterns["n"].to_numpy(float)
    t = np.array([totals["outcome"], *(totals[e] for e in exposures)], dtype=float)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(t[0] / max(n.sum() - t[0], 0.5)) if 0 < t[0] < n.sum() else 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x @ beta)))
        grad = t - x.T @ (n * p)
        hess = (x * (n * p * (1 - p))[:, None]).T @ x
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if not np.all(np.isfinite(beta)) or np.abs(beta).max() > 30:
            return None
        if np.abs(step).max() < 1e-10:
            break
    else:
        return None
    p = 1 / (1 + np.exp(-(x @ beta)))
    cov = np.linalg.inv((x * (n * p * (1 - p))[:, None]).T @ x)
    z = stats.norm.ppf(0.5 + confidence_level / 2)
    se = np.sqrt(np.diag(cov))
    return {e: (float(np.exp(beta[i + 1])), float(np.exp(beta[i + 1] - z * se[i + 1])),
                float(np.exp(beta[i + 1] + z * se[i + 1]))) for i, e in enumerate(exposures)}


def cohort_risk_factors(
    engine: Engine,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    offence_types: tuple[str, ...] = VIOLENT_OFFENCE_TYPES,
    min_nc_year: int = 6,
    max_nc_year: int = 11,
) -> CohortRiskFactors:
    """Crude and adjusted odds ratios of a violent youth justice offence by exclusion, suspension, persistent
    absence and sex, for pupils linked on pseudonym between the education and youth justice data (module docstring).
    The result is exact: pass it to ``vrhub.report.release.release`` before it leaves an analyst's hands.
    """
    frame = cohort_frame(engine, start=start, end=end, offence_types=offence_types, min_nc_year=min_nc_year,
                         max_nc_year=max_nc_year)
    if frame.empty:
        raise NoDataError("no pupils in the education data for this period and NC year",
                          "check the period, or widen min_nc_year..max_nc_year")
    offenders = _offenders_not_in_education(engine, frame, start, end, offence_types)
    found = [d for k in ("education", "youth_justice") for d in engine.datasets(k)]
    ids = [d.id for d in found]
    synthetic = any(d.synthetic for d in found)
    result = risk_factors_from_frame(frame, offenders_not_in_education=offenders, synthetic=synthetic, datasets=ids)
    result.start, result.end = start, end
    result.parameters.update({"offence_types": list(offence_types), "min_nc_year": min_nc_year,
                              "max_nc_year": max_nc_year})
    return result


def risk_factors_from_frame(frame: pd.DataFrame, *, offenders_not_in_education: int = 0, synthetic: bool = False,
                            datasets: list[str] | None = None) -> CohortRiskFactors:
    """The odds ratios of :func:`cohort_risk_factors` from a cohort frame (one row per pupil, as
    :func:`cohort_frame` returns: the exposures, ``sex_known`` and ``outcome``)."""
    notes = []
    exposures = [e for e in EXPOSURES if e != "male"]
    if frame["sex_known"].mean() >= 0.95:
        exposures.append("male")
    else:
        notes.append("sex is recorded for fewer than 95% of pupils: it is not used")
    rows = []
    for e in exposures:
        a = int((frame[e] & frame["outcome"]).sum())
        n1 = int(frame[e].sum())
        c = int((~frame[e] & frame["outcome"]).sum())
        n0 = len(frame) - n1
        rows.append({"exposure": e, "label": EXPOSURES[e], "exposed": n1, "exposed_with_outcome": a,
                     "unexposed": n0, "unexposed_with_outcome": c, **dict(zip(
                         ("crude_or", "crude_or_low", "crude_or_high"), _crude(a, n1 - a, c, n0 - c), strict=True))})
    adjusted, problem, in_model = _adjusted(frame, exposures)
    if problem:
        notes.append(problem)
    for r in rows:
        r["adjusted_or"], r["adjusted_or_low"], r["adjusted_or_high"] = adjusted.get(r["exposure"], (np.nan,) * 3)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in ("exposed", "exposed_with_outcome", "unexposed", "unexposed_with_outcome"):
        table[col] = table[col].astype("Int64")
    table["risk_exposed"] = (table["exposed_with_outcome"] / table["exposed"]).astype(float)
    table["risk_unexposed"] = (table["unexposed_with_outcome"] / table["unexposed"]).astype(float)
    notes.append("associations, not causes: exclusion, absence and offending share causes, and an offence in the "
                 "period may come before the exclusion")
    patterns = exposure_patterns(frame, in_model) if in_model else None
    return CohortRiskFactors(table, len(frame), int(frame["outcome"].sum()), offenders_not_in_education, None, None,
                             synthetic, False, list(datasets or []), notes, None,
                             {"exposures": exposures, "model_exposures": in_model, "rules": None},
                             patterns=patterns, residual_df=len(frame) - len(in_model) - 1 if in_model else None)


def _offenders_not_in_education(engine: Engine, frame: pd.DataFrame, start: dt.date | None, end: dt.date | None,
                                offence_types: tuple[str, ...]) -> int:
    """Children with a violent offence in the period who are not in the population (not linked, or too young)."""
    yj = _window(engine.table("youth_justice"), "offence_date", start, end)
    ids = set(yj.filter(yj.offence_type.isin(list(offence_types))).select("person_id").distinct()
              .to_pandas()["person_id"])
    return len(ids - set(frame["person_id"]))


