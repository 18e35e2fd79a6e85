"""Impact evaluation on the workspace's own data: an area × month panel of police-recorded violence or ED assaults.

:func:`violence_panel` counts police.uk street-level crimes of the chosen types (default: "Violence and
sexual offences"), or with ``source="ed_istv"`` emergency-department assault attendances (NHS ISB 1594
returns, counted by the patient's home LSOA), by area (district or LSOA, from the workspace's LSOA lookup) and
month, fills the months an area recorded nothing with 0, and adds each area's residents (the newest population
loaded for the LSOA vintage) and IMD decile (a district's is the population-weighted mean of its LSOAs' deciles). The
``evaluate_*`` functions check the months loaded against what each design needs, run the design from
:mod:`vrhub.analysis.evaluation` and pass the dataset version ids they read as ``data_versions``.

Minimum pre-period lengths are this module's choices, stricter than the designs' arithmetic minimums:
difference-in-differences 6 months (enough leads for a pre-trend test worth reading); interrupted time series
12 months before and 3 after (a full year to estimate seasonality; Wagner et al. 2002, J Clin Pharm Ther
27:299-309, recommend 12 points either side); synthetic control 12 months (the fit before the start is the
method's only check; Abadie 2021, J Econ Lit 59:391-425).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.evaluation.difference_in_differences import DidResult, difference_in_differences
from vrhub.analysis.evaluation.interrupted_time_series import ItsResult, interrupted_time_series
from vrhub.analysis.evaluation.matching import MatchResult, match_comparison_areas, pre_period_rates
from vrhub.analysis.evaluation.result import EffectEstimate, EvaluationInputError
from vrhub.analysis.evaluation.survey_change import paired_t_change, wilcoxon_change
from vrhub.analysis.evaluation.synthetic_control import SyntheticControlResult, synthetic_control
from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine
from vrhub.store.geography import Geography

VIOLENCE = ("Violence and sexual offences",)
LEVELS = ("district", "lsoa")
POLICE = "police_uk_street"
ED = "ed_istv"
#: Outcome sources: kind → (what is counted, how to load it).
SOURCES = {POLICE: ("police.uk street-level crimes", "'vrhub ingest police-uk PATH'"),
           ED: ("ED assault attendances (ISTV)", "'vrhub ingest istv PATH' (or 'vrhub synth --load')")}
MIN_PRE = {"did": 6, "its": 12, "synth": 12}
MIN_POST = {"did": 1, "its": 3, "synth": 1}
DESIGN_NAMES = {"did": "difference-in-differences", "its": "an interrupted time series",
                "synth": "a synthetic control"}


@dataclass(frozen=True)
class ViolencePanel:
    """Counts by area and month, with residents and IMD decile per area, and the dataset versions read."""

    data: pd.DataFrame  # area, area_name, month ('YYYY-MM'), count, population, imd_decile
    level: str
    crime_types: tuple[str, ...]
    months: tuple[str, ...]
    data_versions: tuple[str, ...]
    district_of: dict[str, str] = field(default_factory=dict)  # LSOA code -> district code (lsoa level)
    notes: tuple[str, ...] = ()
    source: str = POLICE

    @property
    def has_population(self) -> bool:
        return bool(self.data["population"].notna().all() and (self.data["population"] > 0).all())

    @property
    def area_names(self) -> dict[str, str]:
        return dict(zip(self.data["area"], self.data["area_name"], strict=False))

    def series(self, area: str) -> pd.DataFrame:
        return self.data[self.data["area"] == area].reset_index(drop=True)

    def resolve(self, names: Sequence[str], districts: pd.DataFrame | None = None) -> list[str]:
        """Area codes for names or codes (case-insensitive); at LSOA level a district name gives its LSOAs."""
        names_by_code = self.area_names
        by_key: dict[str, list[str]] = {}
        for code, name in names_by_code.items():
            by_key.setdefault(code.lower(), []).append(code)
            by_key.setdefault(str(name).lower(), []).append(code)
        if districts is not None:
            lsoas_of: dict[str, list[str]] = {}
            for c, d in self.district_of.items():
                if c in names_by_code:
                    lsoas_of.setdefault(str(d), []).append(c)
            for code, name in zip(districts["district_code"], districts["district_name"], strict=True):
                for key in (str(code).lower(), str(name).lower()):
                    by_key.setdefault(key, []).extend(lsoas_of.get(str(code), []))
        out: list[str] = []
        unknown = []
        for n in names:
            codes = by_key.get(n.strip().lower())
            if codes:
                out.extend(c for c in codes if c not in out)
            else:
                unknown.append(n)
        if unknown:
            examples = ", ".join(sorted({str(v) for v in names_by_code.values()})[:8])
            raise EvaluationInputError(
                f"no {self.level} called {', '.join(repr(u) for u in unknown)} in the loaded geography",
                f"use a {self.level} name or code, e.g. {examples}",
            )
        return out


def violence_panel(
    engine: Engine, *, level: str = "district", crime_types: Sequence[str] = VIOLENCE, source: str = POLICE,
    vintage: int | None = None,
) -> ViolencePanel:
    """Build the area × month panel of police-recorded crimes of ``crime_types`` (or, with ``source="ed_istv"``,
    of ED assault attendances by home LSOA; ``crime_types`` is then not used) from the workspace.

    police.uk records coded to an older LSOA vintage than ``vintage`` (default: the newest loaded) are brought onto
    it with the ONS best-fit lookup (:func:`vrhub.analysis.scope.on_vintage`) and a note counts them."""
    if level not in LEVELS:
        raise EvaluationInputError(f"unknown level {level!r}", f"use one of: {', '.join(LEVELS)}")
    if source not in SOURCES:
        raise EvaluationInputError(f"unknown source {source!r}", f"use one of: {', '.join(SOURCES)}")
    geo = Geography(engine)
    t = engine.table(source)
    months_seen = t.select(t.month).distinct().to_pandas()["month"]
    versions = sorted(t.select(t.dataset_id).distinct().to_pandas()["dataset_id"].astype(str))
    if source == ED:
        f = t.select(lsoa_code=t.home_lsoa, month=t.month)
        crime_types = ()
    else:
        f = t.filter(t.crime_type.isin(list(crime_types)))
    vnotes: list[str] = []
    if source != ED:
        from vrhub.analysis.scope import on_vintage

        f, scope = on_vintage(engine, f, vintage)
        vintage = scope.vintage
        vnotes = scope.notes
    counts = f.group_by([f.lsoa_code, f.month]).agg(count=f.count()).to_pandas()
    lookup = geo.lsoa_lookup(vintage).to_pandas()
    months = sorted({pd.Timestamp(m).strftime("%Y-%m") for m in months_seen})
    _check_contiguous(months, source)

    lsoa = lookup[["lsoa_code", "lsoa_name", "district_code", "district_name"]].copy()
    try:
        pop = geo.attributes("population", vintage=vintage).to_pandas()[["lsoa_code", "population_total"]]
        lsoa = lsoa.merge(pop, on="lsoa_code", how="left")
    except NoDataError:
        lsoa["population_total"] = np.nan
    try:
        dep = geo.attributes("deprivation", vintage=vintage).to_pandas()
        lsoa = lsoa.merge(dep[["lsoa_code", "imd_decile"]], on="lsoa_code", how="left") if "imd_decile" in dep \
            else lsoa.assign(imd_decile=np.nan)
    except NoDataError:
        lsoa["imd_decile"] = np.nan
    code_col, name_col = ("district_code", "district_name") if level == "district" else ("lsoa_code", "lsoa_name")
    lsoa = lsoa[lsoa[code_col].notna()]
    areas = _area_attributes(lsoa, code_col, name_col)

    counts["month"] = pd.to_datetime(counts["month"]).dt.strftime("%Y-%m")
    counts = counts.merge(lsoa[list(dict.fromkeys(["lsoa_code", code_col]))], on="lsoa_code", how="left")
    outside = int(counts.loc[counts[code_col].isna(), "count"].sum())
    agg = counts.dropna(subset=[code_col]).groupby([code_col, "month"])["count"].sum()
    grid = pd.MultiIndex.from_product([areas.index, months], names=[code_col, "month"])
    full = agg.reindex(grid, fill_value=0).rename("count").reset_index().rename(columns={code_col: "area"})
    data = full.merge(areas, left_on="area", right_index=True, how="left")
    data["count"] = data["count"].astype(int)
    notes = list(vnotes)
    if outside:
        what = "ED attendance(s) with no home LSOA" if source == ED else "crime(s) with no location"
        notes.append(f"{outside:,} {what} or outside the loaded geography are not in the panel.")
    if data["population"].isna().any():
        notes.append("No population for some areas: counts are compared without a population offset.")
    district_of = dict(zip(lsoa["lsoa_code"], lsoa["district_code"], strict=False)) if level == "lsoa" else {}
    return ViolencePanel(
        data=data[["area", "area_name", "month", "count", "population", "imd_decile"]],
        level=level,
        crime_types=tuple(crime_types),
        months=tuple(months),
        data_versions=tuple(versions),
        district_of=district_of,
        notes=tuple(notes),
        source=source,
    )


def _area_attributes(lsoa: pd.DataFrame, code_col: str, name_col: str) -> pd.DataFrame:
    """Per area: name, residents (sum over LSOAs) and IMD decile (population-weighted mean over LSOAs)."""
    df = lsoa.copy()
    w = df["population_total"].astype(float)
    df["w"] = w.where(w.notna(), 1.0)
    df["wd"] = df["imd_decile"].astype(float) * df["w"]
    g = df.groupby(code_col)
    out = pd.DataFrame({
        "area_name": g[name_col].first(),
        "population": g["population_total"].sum(min_count=1).astype(float),
        "imd_decile": g["wd"].sum(min_count=1) / g["w"].sum(),
    })
    if df["population_total"].isna().any():
        out["population"] = np.nan
    return out


def _check_contiguous(months: list[str], source: str = POLICE) -> None:
    what, load = SOURCES[source]
    if not months:
        raise NoDataError(f"no {what} are loaded", f"load some with {load}")
    full = pd.period_range(months[0], months[-1], freq="M").strftime("%Y-%m").tolist()
    missing = sorted(set(full) - set(months))
    if missing:
        raise EvaluationInputError(
            f"months are missing from the loaded {what}: {', '.join(missing[:6])}"
            + (" …" if len(missing) > 6 else ""),
            f"load the missing months with {load} (a gap would count as none)",
        )


def parse_start(start: str) -> str:
    """``'2018-01'`` (or ``'2018-1'``) as ``'2018-01'``; anything else is refused."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", str(start).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise EvaluationInputError(f"{start!r} is not a month", "write the start month as YYYY-MM, e.g. 2019-01")
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def check_months(panel: ViolencePanel, start: str, design: str) -> tuple[int, int]:
    """(months before, months from) the start; refuses when the design's minimums are not met."""
    s = parse_start(start)
    first, last = panel.months[0], panel.months[-1]
    n_pre = sum(m < s for m in panel.months)
    n_post = sum(m >= s for m in panel.months)
    need_pre, need_post = MIN_PRE[design], MIN_POST[design]
    if n_pre < need_pre or n_post < need_post:
        data = "police.uk" if panel.source == POLICE else "ED"
        raise EvaluationInputError(
            f"{DESIGN_NAMES[design]} needs at least {need_pre} pre-period months and {need_post} from the start; "
            f"the workspace has {n_pre} before and {n_post} from {s} ({data} data {first} to {last})",
            f"load more months with {SOURCES[panel.source][1]}, or choose a start month with "
            f"at least {need_pre} loaded months before it",
        )
    return n_pre, n_post


@dataclass(frozen=True)
class WorkspaceEvaluation:
    """A design's result on the workspace panel, with the panel's description and any matching."""

    design: str
    result: DidResult | ItsResult | SyntheticControlResult
    level: str
    crime_types: tuple[str, ...]
    start: str
    months: tuple[str, str]
    treated: tuple[str, ...]
    match: MatchResult | None = None
    notes: tuple[str, ...] = ()

    @property
    def effect(self) -> EffectEstimate:
        return self.result.effect

    def plain_english(self) -> str:
        text = self.result.plain_english()
        return text if self.match is None else self.match.plain_english() + " " + text

    def to_dict(self) -> dict[str, Any]:
        out = {"design": self.design, "level": self.level, "crime_types": list(self.crime_types),
               "start": self.start, "months": {"from": self.months[0], "to": self.months[1]},
               "treated": list(self.treated), "notes": list(self.notes)} | self.result.to_dict()
        if self.match is not None:
            out["matching"] = {"pairs": self.match.pairs.to_dict(orient="records"),
                               "balance": self.match.balance.to_dict(orient="records"),
                               "balanced": self.match.balanced, "plain_english": self.match.plain_english()}
        out["plain_english"] = self.plain_english()
        return out


def _label(panel: ViolencePanel, codes: Sequence[str], start: str) -> str:
    names = panel.area_names
    shown = ", ".join(str(names.get(c, c)) for c in codes[:3]) + (f" and {len(codes) - 3} more" if len(codes) > 3
                                                                  else "")
    return f"the intervention in {shown} from {start}"


def _districts(engine: Engine) -> pd.DataFrame:
    lk = Geography(engine).lsoa_lookup().to_pandas()
    return lk[["district_code", "district_name"]].dropna().drop_duplicates()


def evaluate_did(
    engine: Engine, *, treated: Sequence[str], start: str, comparison: Sequence[str] | None = None,
    match: int | None = None, level: str = "district", crime_types: Sequence[str] = VIOLENCE, source: str = POLICE,
    vintage: int | None = None,
    on_step: Callable[[str], None] | None = None,
) -> WorkspaceEvaluation:
    """Difference-in-differences of police-recorded violence (or ED assaults, ``source="ed_istv"``) in
    ``treated`` areas from ``start``.

    Comparison areas: ``comparison`` if given; else ``match`` nearest areas per treated area on pre-period
    rate and IMD decile; else every other area (at LSOA level, outside the treated areas' districts).
    """
    step = on_step or _no_step
    step("counting the area × month panel")
    panel = violence_panel(engine, level=level, crime_types=crime_types, source=source, vintage=vintage)
    s = parse_start(start)
    check_months(panel, s, "did")
    districts = _districts(engine) if level == "lsoa" else None
    treated_codes = panel.resolve(treated, districts)
    treated_districts = {panel.district_of.get(c) for c in treated_codes}
    exclude = [c for c, d in panel.district_of.items() if d in treated_districts and c not in treated_codes]
    comparison_codes: list[str] | None = None
    matched = None
    if comparison:
        comparison_codes = panel.resolve(comparison, districts)
    elif match:
        pop_col = "population" if panel.has_population else None
        rates = pre_period_rates(panel.data, start=s, area_col="area", period_col="month", outcome_col="count",
                                 population_col=pop_col)
        features = rates.to_frame().join(panel.data.groupby("area")["imd_decile"].first())
        if features["imd_decile"].isna().any():
            raise EvaluationInputError("no IMD decile for some areas, so areas cannot be matched",
                                       "load the IMD files with 'vrhub geography load PATH', or use --comparison")
        matched = match_comparison_areas(features, treated_codes, n_per_treated=match, exclude=exclude)
        comparison_codes = list(matched.comparison_areas)
    elif exclude:
        comparison_codes = [a for a in panel.area_names if a not in set(treated_codes) | set(exclude)]
    step("fitting the difference-in-differences model")
    result = difference_in_differences(
        panel.data, treated_areas=treated_codes, start=s, comparison_areas=comparison_codes, area_col="area",
        period_col="month", outcome_col="count", population_col="population" if panel.has_population else None,
        data_versions=panel.data_versions, intervention_label=_label(panel, treated_codes, s),
        outcome_label=_outcome_label(panel),
    )
    return WorkspaceEvaluation("difference-in-differences", result, level, panel.crime_types, s,
                               (panel.months[0], panel.months[-1]), tuple(treated_codes), matched, panel.notes)


def evaluate_its(
    engine: Engine, *, area: str, start: str, level: str = "district", crime_types: Sequence[str] = VIOLENCE,
    source: str = POLICE, vintage: int | None = None,
    on_step: Callable[[str], None] | None = None,
) -> WorkspaceEvaluation:
    """Interrupted time series of police-recorded violence (or ED assaults) in one area (at LSOA level, a
    district's LSOAs summed) from ``start``."""
    step = on_step or _no_step
    step("counting the area × month panel")
    panel = violence_panel(engine, level=level, crime_types=crime_types, source=source, vintage=vintage)
    s = parse_start(start)
    check_months(panel, s, "its")
    codes = panel.resolve([area], _districts(engine) if level == "lsoa" else None)
    rows = panel.data[panel.data["area"].isin(codes)]
    series = rows.groupby("month", as_index=False).agg(count=("count", "sum"), population=("population", "sum"))
    step("fitting the segmented regression")
    result = interrupted_time_series(
        series, start=s, period_col="month", outcome_col="count",
        population_col="population" if panel.has_population else None, data_versions=panel.data_versions,
        intervention_label=_label(panel, codes, s), outcome_label=_outcome_label(panel),
    )
    return WorkspaceEvaluation("interrupted time series", result, level, panel.crime_types, s,
                               (panel.months[0], panel.months[-1]), tuple(codes), None, panel.notes)


def evaluate_synth(
    engine: Engine, *, treated: str, start: str, level: str = "district", crime_types: Sequence[str] = VIOLENCE,
    source: str = POLICE, confidence_level: float = 0.95, vintage: int | None = None,
    on_step: Callable[[str], None] | None = None,
) -> WorkspaceEvaluation:
    """Synthetic control of the monthly rate per 1,000 residents in one area from ``start``; donors are the
    other areas (IMD decile added as a predictor when loaded). The placebo test's smallest p-value is
    1 / (number of areas): with 13 districts a 95% interval is never bounded, a 90% one can be."""
    step = on_step or _no_step
    step("counting the area × month panel")
    panel = violence_panel(engine, level=level, crime_types=crime_types, source=source, vintage=vintage)
    s = parse_start(start)
    check_months(panel, s, "synth")
    codes = panel.resolve([treated])
    if len(codes) != 1:
        raise EvaluationInputError(f"{treated!r} names {len(codes)} areas", "name one area for a synthetic control")
    df = panel.data.copy()
    df["rate"] = df["count"] / df["population"] * 1000.0 if panel.has_population else df["count"].astype(float)
    cov = df.groupby("area")[["imd_decile"]].first()
    covariates = None if cov["imd_decile"].isna().any() else cov
    step("fitting the synthetic control and its placebo runs")
    result = synthetic_control(
        df, treated_area=codes[0], start=s, area_col="area", period_col="month", outcome_col="rate",
        covariates=covariates, data_versions=panel.data_versions, intervention_label=_label(panel, codes, s),
        confidence_level=confidence_level,
        outcome_label=_outcome_label(panel) + (" per 1,000 residents" if panel.has_population else ""),
    )
    return WorkspaceEvaluation("synthetic control", result, level, panel.crime_types, s,
                               (panel.months[0], panel.months[-1]), tuple(codes), None, panel.notes)


def _no_step(label: str) -> None:
    """The default ``on_step``: progress goes nowhere unless a caller shows it."""


def _outcome_label(panel: ViolencePanel) -> str:
    if panel.source == ED:
        return "ED assault attendances (patients' home areas)"
    if panel.crime_types == VIOLENCE:
        return "police-recorded violent and sexual offences"
    return "police-recorded " + ", ".join(c.lower() for c in panel.crime_types)


@dataclass(frozen=True)
class SurveyEvaluation:
    """Paired before/after survey scores: the paired t test and the Wilcoxon signed-rank test."""

    source: str
    n_rows: int
    paired_t: EffectEstimate
    wilcoxon: EffectEstimate

    def plain_english(self) -> str:
        return self.paired_t.plain_english()

    def to_dict(self) -> dict[str, Any]:
        return {"design": "paired before/after survey", "source": self.source, "rows": self.n_rows,
                "paired_t": self.paired_t.to_dict(), "wilcoxon": self.wilcoxon.to_dict(),
                "plain_english": self.plain_english()}


def evaluate_survey(path: Path, *, intervention_label: str = "the programme") -> SurveyEvaluation:
    """Read a CSV with columns ``id, before, after`` (one row per person) and test the change.

    Blank cells are left out pairwise by the tests; the file's sha256 is the data version.
    """
    raw = path.read_bytes()
    version = f"sha256:{hashlib.sha256(raw).hexdigest()}"
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    cols = {c.strip().lower() for c in (rows[0].keys() if rows else [])}
    if not {"id", "before", "after"} <= cols:
        raise EvaluationInputError(f"{path} needs the columns id, before, after (it has {sorted(cols) or 'none'})",
                                   "write one row per person: id,before,after")
    before, after, bad = [], [], []
    for i, r in enumerate(rows, start=2):
        r = {k.strip().lower(): (v or "").strip() for k, v in r.items() if k}
        try:
            before.append(float(r["before"]) if r["before"] else float("nan"))
            after.append(float(r["after"]) if r["after"] else float("nan"))
        except ValueError:
            bad.append(i)
    if bad:
        raise EvaluationInputError(f"{path}: before/after are not numbers on line(s) {bad[:10]}",
                                   "write scores as numbers and leave a cell blank when a person did not answer")
    kw = {"data_versions": (version,), "intervention_label": intervention_label}
    return SurveyEvaluation(str(path), len(rows), paired_t_change(before, after, **kw),
                            wilcoxon_change(before, after, **kw))
