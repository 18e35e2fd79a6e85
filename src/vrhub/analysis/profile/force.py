"""What, who, when and why of serious violence from force crime records, with repeat victimisation and the Home
Office success measures.

Records are the force's crimes (``force_crime``, docs/sources/force-crime.md) classified by the partnership's
definition (:mod:`vrhub.analysis.classify`): a crime is in scope when the definition says it is serious violence (or
in the strand asked for) — by offence code and flag, so *definite*, never police.uk's *possible*. The parts:

- **What**: crimes by ONS offence group and sub-group and by Home Office offence code; knife-enabled and
  firearm-enabled counts; the LSOAs with most crimes (repeat locations).
- **Who**: victims and suspects by age band, sex and broad ethnic group (the 18+1 codes' first letter). Released,
  the age band, sex and age band × sex tables are views of one table protected once (secondary suppression across
  its margins), and the ethnic group table is protected on its own, sharing only the grand total: no view can be
  subtracted from another to reveal a suppressed cell (a differencing attack; Hundepool et al., *Statistical
  Disclosure Control*, 2012, ch. 4 and 5; :func:`who_views_of`). The exact count cube (age band × sex × ethnic
  group) stays with the analyst. Rates per 1,000 residents of the same age band use the loaded Census 2021
  population (:mod:`vrhub.store.population`); by sex and ethnicity only counts are given (no population by those
  groups is loaded).
- **Repeat victimisation**: a person (victim pseudonym) victimised again within ``REPEAT_DAYS`` (365) days of an
  earlier crime, as in the Home Office/College of Policing definition of repeat victims (within 12 months); the
  distribution of crimes per person; the same for suspects (repeat suspects).
- **When**: hour × weekday of each crime's committed midpoint, leaving out (and counting) windows over 24 hours,
  whose midpoint says little about the hour.
- **Why**: the flags alone (count and share) and in pairs (domestic abuse × alcohol …); night-time economy crimes by
  hour and by LSOA.
- **Success measures**: the Home Office VRU measures force data can give (knife-enabled serious violence; homicide,
  non-domestic; each for victims under 25) by month, from the measure columns of the classification; their
  definitions and citations are the definition file's (``[measures]``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd
import pyarrow as pa

from vrhub.analysis.classify import classify
from vrhub.analysis.profile.partner import NOT_STATED, SYNTHETIC_MARK, WEEKDAYS
from vrhub.domain.definitions import Definition
from vrhub.domain.disclosure import NHS_OPENSAFELY, DisclosureRules, protect_long
from vrhub.domain.errors import NoDataError
from vrhub.domain.schemas import FORCE_CRIME_FLAGS
from vrhub.store.engine import Engine

KIND = "force_crime"
REPEAT_DAYS = 365
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-9", 0, 9), ("10-17", 10, 17), ("18-24", 18, 24), ("25-34", 25, 34), ("35-44", 35, 44), ("45-54", 45, 54),
    ("55-64", 55, 64), ("65+", 65, None))
AGE_LABELS = (*(b[0] for b in AGE_BANDS), NOT_STATED)
SEX_LABELS = ("female", "male", NOT_STATED)
ETHNIC_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"}
ETHNIC_LABELS = (*ETHNIC_GROUPS.values(), NOT_STATED)
WHO_DIMS = ("age_band", "sex", "ethnic_group")
FLAG_WORDS = {f: f.removesuffix("_flag").replace("_", " ") for f in FORCE_CRIME_FLAGS}


@dataclass
class RepeatResult:
    """Repeat victimisation (or offending) of one role within ``window_days``."""

    role: str
    people: int
    repeat_people: int
    crimes: int
    crimes_against_repeat: int
    window_days: int
    distribution: pa.Table  # crimes_per_person (1, 2, 3-5, 6+), people, crimes

    @property
    def share_of_crimes(self) -> float | None:
        return self.crimes_against_repeat / self.crimes if self.crimes else None


@dataclass
class ForceProfile:
    """The force-data profile of one period: exact tables for analysts, and the who cubes for release."""

    start: dt.date
    end: dt.date
    strand: str | None
    synthetic: bool
    datasets: list[str]
    records: int  # rows in scope (a crime x victim extract has several per crime)
    crimes: int = 0  # crimes in scope (distinct crime references)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    who: dict[str, pd.DataFrame] = field(default_factory=dict)  # role -> exact long cube (WHO_DIMS, records)
    repeats: dict[str, RepeatResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def mark(self) -> str:
        return f" ({SYNTHETIC_MARK})" if self.synthetic else ""


def _age_band(age: pd.Series) -> pd.Series:
    out = pd.Series(NOT_STATED, index=age.index, dtype=object)
    for label, lo, hi in AGE_BANDS:
        inside = (age >= lo) & (age <= (hi if hi is not None else 200))
        out[inside.fillna(False).astype(bool)] = label
    return out


def _who_frame(df: pd.DataFrame, role: str) -> pd.DataFrame:
    """One row per crime with a ``role`` (victim or suspect) recorded: its age band, sex and broad ethnic group."""
    have = df[df[f"{role}_id"].notna() | df[f"{role}_age"].notna() | df[f"{role}_sex"].notna()]
    sex = have[f"{role}_sex"].where(have[f"{role}_sex"].isin(["female", "male"]), NOT_STATED)
    eth = have[f"{role}_ethnicity"].fillna("NS").str[0].map(ETHNIC_GROUPS).fillna(NOT_STATED)
    return pd.DataFrame({"age_band": _age_band(have[f"{role}_age"]).to_numpy(), "sex": sex.to_numpy(),
                         "ethnic_group": eth.to_numpy()})


def who_cube(frame: pd.DataFrame) -> pd.DataFrame:
    """The exact count cube (age band × sex × ethnic group → records) of a who frame, every combination listed."""
    idx = pd.MultiIndex.from_product([AGE_LABELS, SEX_LABELS, ETHNIC_LABELS], names=list(WHO_DIMS))
    counts = frame.groupby(list(WHO_DIMS)).size().reindex(idx, fill_value=0)
    return counts.rename("records").reset_index()


def who_views_of(cube: pd.DataFrame, rules: DisclosureRules = NHS_OPENSAFELY) -> dict[str, pd.DataFrame]:
    """The published who views of an exact cube (``WHO_DIMS`` and ``records``): age band × sex with both margins,
    protected together as one table, and ethnic group, protected as one table; the two share only the grand total,
    which both publish the same. An attacker subtracting any view from another finds nothing (the tests attack them
    together with ``vrhub.domain.disclosure.audit``)."""
    age_sex = cube.groupby(["age_band", "sex"], as_index=False)["records"].sum()
    ethnic = cube.groupby(["ethnic_group"], as_index=False)["records"].sum()
    a = protect_long(age_sex, ["age_band", "sex"], "records", rules,
                     categories={"age_band": AGE_LABELS, "sex": SEX_LABELS})
    b = protect_long(ethnic, ["ethnic_group"], "records", rules, categories={"ethnic_group": ETHNIC_LABELS})
    return {"by_age_band": a.view("age_band"), "by_sex": a.view("sex"), "by_age_band_sex": a.view("age_band", "sex"),
            "by_ethnic_group": b.view("ethnic_group")}


def released_who(profile: ForceProfile, role: str, rules: DisclosureRules = NHS_OPENSAFELY) -> dict[str, pd.DataFrame]:
    """The who views of ``role`` as a release publishes them (:func:`who_views_of`)."""
    return who_views_of(profile.who[role], rules)


def repeats(df: pd.DataFrame, role: str, window_days: int = REPEAT_DAYS) -> RepeatResult:
    """People of ``role`` with a crime within ``window_days`` of an earlier one (by committed midpoint)."""
    d = df[df[f"{role}_id"].notna()][[f"{role}_id", "committed_mid", "crime_ref"]]
    d = d.drop_duplicates([f"{role}_id", "crime_ref"]).sort_values([f"{role}_id", "committed_mid"])
    gap = d.groupby(f"{role}_id")["committed_mid"].diff()
    repeat_crime = gap.notna() & (gap <= pd.Timedelta(days=window_days))
    # a crime is "against a repeat" if it or the next crime of the same person is within the window
    nxt = d.groupby(f"{role}_id")["committed_mid"].diff(-1).abs()
    involved = repeat_crime | (nxt.notna() & (nxt <= pd.Timedelta(days=window_days)))
    per_person = d.groupby(f"{role}_id").size()
    repeat_people = d.loc[repeat_crime, f"{role}_id"].nunique()
    buckets = pd.cut(per_person, [0, 1, 2, 5, 10**9], labels=["1", "2", "3-5", "6+"])
    dist = (pd.DataFrame({"crimes_per_person": buckets, "crimes": per_person})
            .groupby("crimes_per_person", observed=False)
            .agg(people=("crimes", "size"), crimes=("crimes", "sum")).reset_index())
    dist["crimes_per_person"] = dist["crimes_per_person"].astype(str)
    return RepeatResult(role, int(per_person.size), int(repeat_people), len(d), int(involved.sum()),
                        window_days, pa.Table.from_pandas(dist, preserve_index=False))


def _counts(df: pd.DataFrame, cols: list[str]) -> pa.Table:
    g = df.groupby(cols, dropna=False).size().rename("records").reset_index()
    g = g.sort_values(["records", *cols], ascending=[False, *([True] * len(cols))])
    return pa.Table.from_pandas(g.reset_index(drop=True), preserve_index=False)


def _rates(counts: pd.Series, engine: Engine) -> tuple[pd.DataFrame, list[str]]:
    """Victims per 1,000 residents of the same age band (all loaded LSOAs), where the population allows."""
    from vrhub.store.geography import Geography

    out = pd.DataFrame({"age_band": list(counts.index), "records": counts.to_numpy()})
    try:
        geo = Geography(engine)
        pops, notes = [], []
        for _label, lo, hi in AGE_BANDS:
            p = geo.population((lo, hi))
            pops.append(p.total)
            notes += [n for n in p.notes if n not in notes]
        source = p.label.split(", ", 1)[-1]
    except NoDataError as exc:
        return out, [f"rates per 1,000 by age need population by age, which is not loaded ({exc.message}): "
                     "counts are shown"]
    pop = dict(zip([b[0] for b in AGE_BANDS], pops, strict=True))
    out["population"] = out["age_band"].map(pop)
    out["rate_per_1000"] = (out["records"] / out["population"] * 1000).round(3)
    return out, [f"rates per 1,000 residents of the same age band ({source}, all loaded LSOAs)", *notes]


def _residents(engine: Engine) -> tuple[float | None, str]:
    """All residents of the loaded LSOAs (the newest population loaded) and its source, or (None, '')."""
    from vrhub.store.geography import Geography

    try:
        pop = Geography(engine).population()
    except NoDataError:
        return None, ""
    return pop.total or None, pop.label


def _hour_weekday(ts: pd.Series) -> pa.Table:
    got = ts.groupby([ts.dt.dayofweek, ts.dt.hour]).size()
    rows = [{"weekday": WEEKDAYS[d], "hour": h, "records": int(got.get((d, h), 0))}
            for d in range(7) for h in range(24)]
    return pa.Table.from_pylist(rows)


def force_profile(engine: Engine, definition: Definition, *, start: dt.date | None = None,
                  end: dt.date | None = None, strand: str | None = None) -> ForceProfile:
    """Profile the force crime records in scope of ``definition`` (or ``strand``) from ``start`` to ``end``
    (months; default every loaded month). Raises :class:`NoDataError` when no force crime records are loaded."""
    if not engine.has(KIND):
        raise NoDataError("no force crime records are loaded",
                          "load them with 'vrhub ingest force-crime PATH --partner FORCE' (or run 'vrhub demo')")
    raw = engine.table(KIND)
    span = raw.aggregate(lo=raw.month.min(), hi=raw.month.max()).to_pyarrow().to_pylist()[0]
    t = classify(raw, definition, KIND)
    flag = t[f"strand_{strand}"] if strand else t.is_serious_violence
    start = (start or span["lo"]).replace(day=1)
    end = (end or span["hi"]).replace(day=1)
    t = t.filter((t.month >= start) & (t.month <= end) & flag.fill_null(False))
    measures = [c for c in t.columns if c.startswith("measure_")]
    keep = ["crime_ref", "dataset_id", "month", "ho_offence_code", "offence_description", "offence_group",
            "offence_subgroup", "committed_mid", "window_hours", "lsoa_code", *FORCE_CRIME_FLAGS,
            *(f"{r}_{k}" for r in ("victim", "suspect") for k in ("id", "age", "sex", "ethnicity")), *measures]
    df = t.select(*keep).to_pyarrow().to_pandas()
    datasets = sorted(df["dataset_id"].unique().tolist())
    synthetic = engine.synthetic(datasets, KIND)
    p = ForceProfile(start, end, strand, synthetic, datasets, len(df))
    if df.empty:
        p.notes.append(f"no force crime records in scope from {start:%Y-%m} to {end:%Y-%m}"
                       + (f" in strand {strand}" if strand else ""))
        return p
    crimes = df.drop_duplicates("crime_ref")
    p.crimes = len(crimes)
    # --- what
    groups = _counts(crimes, ["offence_group", "offence_subgroup"])
    residents, source = _residents(engine)
    if residents:
        groups = groups.append_column("population", pa.array([residents] * groups.num_rows, pa.float64()))
        groups = groups.append_column("rate_per_1000", pa.array(
            [round(n * 1000 / residents, 3) for n in groups.column("records").to_pylist()], pa.float64()))
        p.notes.append(f"rates per 1,000 residents of the loaded area ({source})")
    p.tables["what_force_by_offence_group"] = groups
    p.tables["what_force_by_offence_code"] = _counts(crimes, ["ho_offence_code", "offence_description"])
    weapons = [{"what": "knife or sharp instrument", "records": int(crimes["knife_flag"].fillna(False).sum())},
               {"what": "firearm", "records": int(crimes["firearm_flag"].fillna(False).sum())}]
    p.tables["what_force_weapons"] = pa.Table.from_pylist(weapons)
    located = crimes[crimes["lsoa_code"].notna()]
    top = located.groupby("lsoa_code").size().rename("records").sort_values(ascending=False).head(10)
    p.tables["what_force_repeat_locations"] = pa.Table.from_pandas(top.reset_index(), preserve_index=False)
    # --- who
    for role in ("victim", "suspect"):
        frame = _who_frame(df, role)
        p.who[role] = who_cube(frame)
        for dim in WHO_DIMS:
            counts = frame.groupby(dim).size()
            labels = {"age_band": AGE_LABELS, "sex": SEX_LABELS, "ethnic_group": ETHNIC_LABELS}[dim]
            counts = counts.reindex(labels, fill_value=0)
            if dim == "age_band" and role == "victim":
                table, notes = _rates(counts, engine)
                p.notes += notes
            else:
                table = pd.DataFrame({dim: list(counts.index), "records": counts.to_numpy()})
            p.tables[f"who_force_{role}s_by_{dim}"] = pa.Table.from_pandas(table, preserve_index=False)
        p.repeats[role] = repeats(df, role)
        p.tables[f"who_force_repeat_{role}s"] = p.repeats[role].distribution
    # --- when
    short = crimes[crimes["window_hours"] <= 24]
    p.tables["when_force_hour_weekday"] = _hour_weekday(short["committed_mid"])
    wide = int((crimes["window_hours"] > 24).sum())
    p.notes.append(f"hour × weekday from the midpoint of each crime's committed window{p.mark}; {wide:,} of "
                   f"{len(crimes):,} crimes had a window over 24 hours and are left out of it")
    # --- why
    flags = crimes[list(FORCE_CRIME_FLAGS)].fillna(False).astype(bool)
    p.tables["why_force_flags"] = pa.Table.from_pylist([
        {"flag": FLAG_WORDS[f], "records": int(flags[f].sum())} for f in FORCE_CRIME_FLAGS])
    pairs = [{"flags": f"{FLAG_WORDS[a]} × {FLAG_WORDS[b]}", "records": int((flags[a] & flags[b]).sum())}
             for a, b in combinations(FORCE_CRIME_FLAGS, 2)]
    p.tables["why_force_flag_pairs"] = pa.Table.from_pylist(sorted(pairs, key=lambda r: -r["records"]))
    nte = crimes[flags["nte_flag"].to_numpy()]
    p.tables["why_force_nte_by_hour"] = pa.Table.from_pylist(
        [{"hour": h, "records": int(v)} for h, v in
         nte["committed_mid"].dt.hour.value_counts().reindex(range(24), fill_value=0).items()])
    nte_lsoa = nte[nte["lsoa_code"].notna()].groupby("lsoa_code").size().rename("records")
    p.tables["why_force_nte_by_lsoa"] = pa.Table.from_pandas(
        nte_lsoa.sort_values(ascending=False).head(10).reset_index(), preserve_index=False)
    # --- success measures
    rows = []
    by_month = crimes.groupby("month")
    for m in measures:
        if crimes[m].isna().all():  # no recipe of this measure reads force crime records
            continue
        for month, g in by_month:
            rows.append({"measure": m.removeprefix("measure_"), "month": month,
                         "records": int(g[m].fillna(False).astype(bool).sum())})
    p.tables["measures_force_by_month"] = pa.Table.from_pylist(rows)
    p.notes.append(f"force crime records{p.mark}: {len(crimes):,} crimes of serious violence"
                   + (f" (strand {strand})" if strand else "") + f", {start:%Y-%m} to {end:%Y-%m}, classified by "
                   "Home Office offence code and flag (definite)")
    return p
