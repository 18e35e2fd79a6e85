"""The synthetic force extract and the force-data profile: the planted signals (a night-time-economy cluster in three
Maidstone LSOAs, a rise in knife-enabled youth violence in Thanet, 12 victims of 6 crimes each) are recovered, a
null run (no signals) shows none of them, repeat victimisation matches a hand count, and the who tables as released
survive a differencing attack that tables protected one at a time do not."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from vrhub_testkit import KENT, KENT_ZIP, open_workspace, police_uk_ingest

from vrhub.analysis.profile.force import (
    AGE_LABELS,
    ETHNIC_LABELS,
    SEX_LABELS,
    WHO_DIMS,
    ForceProfile,
    force_profile,
    released_who,
    repeats,
    who_views_of,
)
from vrhub.domain.definitions import load_definition
from vrhub.domain.disclosure import NHS_OPENSAFELY
from vrhub.domain.disclosure.audit import audit
from vrhub.domain.errors import NoDataError
from vrhub.ingest.force_crime import SOURCES
from vrhub.ingest.loader import ingest
from vrhub.store.workspace import Workspace
from vrhub.synth.force_crime import (
    REPEAT_TIMES,
    REPEAT_VICTIMS,
    ForceCrimeSynthResult,
    generate_force_crime,
    ingest_synthetic_force_crime,
    street_records,
)


@dataclass
class Made:
    ws: Workspace
    made: ForceCrimeSynthResult
    profile: ForceProfile
    null_ws: Workspace
    null: ForceCrimeSynthResult
    null_profile: ForceProfile


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """Kent's police.uk records (2018-10 to 2019-02) with the synthetic extract loaded; and a null extract (no
    signals, same crimes) in a workspace of its own."""
    from vrhub.ingest.geography import load_geography
    from vrhub.store.geography import Geography

    home = tmp_path_factory.mktemp("force")
    ws = open_workspace(home / "ws")
    load_geography(ws, [KENT / "boundaries", KENT / "imd2019"])
    police_uk_ingest(ws, [KENT_ZIP], partner="Kent Police", known_lsoas=Geography(ws.engine()).known_lsoa_codes())
    made, report = ingest_synthetic_force_crime(ws, home / "synthetic")
    assert report.ok and [(r.rows_read, r.rows_quarantined) for r in report.results] == [(made.rows, 0)]
    null = generate_force_crime(street_records(ws.engine()), home / "null", signals=False)
    null_ws = open_workspace(home / "null-ws")
    assert ingest(null_ws, [null.path], SOURCES, kind="force_crime", synthetic=True).ok
    definition = load_definition()
    return Made(ws, made, force_profile(ws.engine(), definition), null_ws, null,
                force_profile(null_ws.engine(), definition))


def _rows(path: Path) -> pd.DataFrame:
    """The generated file read independently of vrhub's source (plain csv module)."""
    with path.open(encoding="utf-8", newline="") as f:
        df = pd.DataFrame(list(csv.DictReader(f)))
    df["when"] = pd.to_datetime(df["Committed to"].where(df["Committed to"] != "", df["Committed from"]),
                                format="%d/%m/%Y %H:%M")
    df["month"] = pd.to_datetime(df["Recorded date"], format="%d/%m/%Y %H:%M").dt.to_period("M")
    return df


def test_the_extract_is_the_real_police_uk_crimes_marked_synthetic(force: Made) -> None:
    # Violence and sexual offences, robbery and possession of weapons with an LSOA, Kent 2018-10 to 2019-02
    assert force.made.rows == 28_663 and force.profile.synthetic
    assert [d.synthetic for d in force.ws.catalogue.datasets("force_crime")] == [True]
    assert "SYNTHETIC" in " ".join(force.profile.notes)
    assert force.made.months == tuple(dt.date(y, m, 1) for y, m in ((2018, 10), (2018, 11), (2018, 12), (2019, 1),
                                                                      (2019, 2)))


def test_the_nte_cluster_is_recovered_and_absent_from_the_null_run(force: Made) -> None:
    top = force.profile.tables["why_force_nte_by_lsoa"].to_pylist()
    assert len(force.made.nte_lsoas) == 3 and {r["lsoa_code"] for r in top[:3]} == set(force.made.nte_lsoas)
    df = _rows(force.made.path)
    nte = df[df["LSOA code"].isin(force.made.nte_lsoas) & (df["Night-time economy"] == "Y")]
    weekend_night = nte["when"].apply(lambda t: (t.weekday() == 4 and t.hour >= 22) or t.weekday() == 5
                                      or (t.weekday() == 6 and t.hour < 3))
    assert weekend_night.mean() > 0.9
    null_top = force.null_profile.tables["why_force_nte_by_lsoa"].to_pylist()
    assert force.null.nte_lsoas == () and null_top[0]["records"] < top[2]["records"]


def _thanet_youth_knife(path: Path) -> tuple[float, float]:
    """Knife-flagged crimes against victims under 25 in Thanet, last month over first month; and elsewhere."""
    df = _rows(path)
    df = df[df["Victim age"] != ""]
    hit = (df["Knife or sharp instrument"] == "Y") & (df["Victim age"].astype(int) < 25) & \
        ~df["Offence code"].isin(["10A", "10B", "10C", "10D", "90"])
    thanet = df["LSOA code"].isin(THANET)
    months = sorted(df["month"].unique())

    def ratio(mask: pd.Series) -> float:
        per = df[hit & mask].groupby("month").size().reindex(months, fill_value=0)
        return per.iloc[-1] / per.iloc[0]

    return ratio(thanet), ratio(~thanet)


THANET: list[str] = []


def test_the_thanet_knife_rise_among_youths_is_recovered_and_absent_from_the_null_run(force: Made) -> None:
    THANET[:] = force.made.knife_lsoas
    assert len(THANET) == 84  # Thanet's 2011 LSOAs with such crimes in these months
    thanet, elsewhere = _thanet_youth_knife(force.made.path)
    assert thanet > 3 and elsewhere < 1.5
    null_thanet, _ = _thanet_youth_knife(force.null.path)
    assert null_thanet < 1.5
    # the success measure (knife-enabled serious violence, victims under 25) rises with it
    m = pd.DataFrame(force.profile.tables["measures_force_by_month"].to_pylist())
    u25 = m[m["measure"] == "knife_enabled_serious_violence_u25"].sort_values("month")["records"].to_list()
    assert u25[-1] > 1.5 * u25[0]


def test_the_repeat_victims_are_recovered_and_absent_from_the_null_run(force: Made) -> None:
    dist = {r["crimes_per_person"]: r for r in force.profile.tables["who_force_repeat_victims"].to_pylist()}
    assert dist["6+"]["people"] == REPEAT_VICTIMS and dist["6+"]["crimes"] == REPEAT_VICTIMS * REPEAT_TIMES
    t = force.ws.engine().table("force_crime")
    t = t.filter(t.victim_id.notnull())
    per = t.group_by("victim_id").agg(n=t.count()).filter(lambda x: x.n >= 6).to_pyarrow()
    assert set(per.column("victim_id").to_pylist()) == set(force.made.repeat_victims)
    null = {r["crimes_per_person"]: r for r in force.null_profile.tables["who_force_repeat_victims"].to_pylist()}
    assert null["6+"]["people"] == 0 and null["3-5"]["people"] == 0


def test_repeat_victimisation_within_365_days_by_hand() -> None:
    day = pd.Timestamp("2025-01-01")
    df = pd.DataFrame({
        "victim_id": ["a", "a", "a", "b", "b", "c", None],
        "crime_ref": ["1", "2", "3", "4", "5", "6", "7"],
        "committed_mid": [day, day + pd.Timedelta(days=200), day + pd.Timedelta(days=601), day,
                          day + pd.Timedelta(days=366), day, day]})
    r = repeats(df, "victim")
    # a: 2nd crime 200 days after the 1st (repeat); 3rd 401 days after the 2nd (not); b: 366 days apart (not)
    assert (r.people, r.repeat_people, r.crimes, r.crimes_against_repeat) == (3, 1, 6, 2)
    assert {x["crimes_per_person"]: x["people"] for x in r.distribution.to_pylist()} == {"1": 1, "2": 1, "3-5": 1,
                                                                                         "6+": 0}


def test_who_counts_match_an_independent_count(force: Made) -> None:
    p = force.profile
    sexes = {r["sex"]: r["records"] for r in p.tables["who_force_victims_by_sex"].to_pylist()}
    t = force.ws.engine().table("force_crime")
    from vrhub.analysis.classify import classify

    c = classify(t, load_definition(), "force_crime")
    c = c.filter(c.is_serious_violence & c.victim_sex.notnull())
    got = c.group_by("victim_sex").agg(n=c.count())
    assert {r["victim_sex"]: r["n"] for r in got.to_pyarrow().to_pylist()} == {k: v for k, v in sexes.items() if v}
    cube = p.who["victim"]
    assert cube["records"].sum() == sum(sexes.values())
    ages = {r["age_band"]: r["records"] for r in p.tables["who_force_victims_by_age_band"].to_pylist()}
    assert cube.groupby("age_band")["records"].sum().to_dict() == ages


def _small_cube() -> pd.DataFrame:
    """A who cube with small cells (few young and few older victims), as a month or a strand gives."""
    rng = np.random.default_rng(7)
    idx = pd.MultiIndex.from_product([AGE_LABELS, SEX_LABELS, ETHNIC_LABELS], names=list(WHO_DIMS))
    lam = {"0-9": 0.2, "10-17": 3, "18-24": 6, "25-34": 6, "35-44": 4, "45-54": 2, "55-64": 0.6, "65+": 0.3,
           "not stated": 0.1}
    sex = {"female": 1.0, "male": 1.2, "not stated": 0.05}
    eth = {"White": 5.0, "Mixed": 0.2, "Asian": 0.4, "Black": 0.3, "Other": 0.1, "not stated": 0.3}
    counts = [rng.poisson(lam[a] * sex[s] * eth[e]) for a, s, e in idx]
    return pd.DataFrame({"records": counts}, index=idx).reset_index()


WHO_VIEW_DIMS = (["age_band"], ["sex"], ["age_band", "sex"], ["ethnic_group"])


def test_the_released_who_views_survive_a_differencing_attack(force: Made) -> None:
    for cube in (force.profile.who["victim"], force.profile.who["suspect"], _small_cube()):
        views = list(who_views_of(cube).values())
        report = audit(views, NHS_OPENSAFELY, dims=["age_band", "sex", "ethnic_group"], value="records")
        assert report.safe, report.recovered
    assert len(report.cells) > 0  # the small cube had cells to protect, and the attack ran on them
    assert released_who(force.profile, "victim")["by_sex"]["records"].notna().all()


def test_separately_protected_who_tables_give_suppressed_cells_away() -> None:
    """The same views with only the small cells of each hidden, and exact margins: an attacker subtracting the
    published cells from the totals recovers them (the attack the joint protection prevents)."""
    cube = _small_cube()
    views = []
    for dims in WHO_VIEW_DIMS:
        v = cube.groupby(dims)["records"].sum().reset_index()
        total = {d: "Total" for d in dims}
        v = pd.concat([v, pd.DataFrame([total | {"records": v["records"].sum()}])], ignore_index=True)
        v["records"] = v["records"].astype(object).where(~v["records"].between(1, 7), pd.NA)
        views.append(v)
    report = audit(views, dataclasses.replace(NHS_OPENSAFELY, rounding_base=1),
                   dims=["age_band", "sex", "ethnic_group"], value="records")
    assert not report.safe


def test_no_force_data_and_no_serious_violence_give_nothing(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "empty")
    with pytest.raises(NoDataError, match="no force crime records are loaded"):
        force_profile(ws.engine(), load_definition())
    path = tmp_path / "force-crime-burglary.csv"
    path.write_text("Crime reference,Force,Offence code,Committed from,Recorded date\n"
                    "B1,SYN-Kent Police,28E,01/03/2025 10:00,01/03/2025 12:00\n", encoding="utf-8")
    assert ingest(ws, [path], SOURCES, kind="force_crime", synthetic=True).ok
    p = force_profile(ws.engine(), load_definition())
    assert p.records == 0 and p.tables == {} and p.who == {} and "no force crime records in scope" in p.notes[0]


def test_tables_are_arrow(force: Made) -> None:
    assert all(isinstance(t, pa.Table) for t in force.profile.tables.values())


def test_the_problem_profile_fills_who_when_why_from_force_data_and_releases_them(force: Made) -> None:
    from vrhub.analysis.profile.build import build_profile
    from vrhub.report.release.profile import release_profile

    p = build_profile(force.ws.engine(), load_definition())
    for part, name in (("who", "who_force_victims_by_age_band"), ("when", "when_force_hour_weekday"),
                       ("why", "why_force_flags"), ("what", "measures_force_by_month")):
        assert p.sections[part].available and name in p.sections[part].tables, part
    assert any("SYNTHETIC" in n for n in p.sections["who"].notes)
    assert not any(n.startswith("police.uk street data has no domestic-abuse") for n in p.sections["why"].notes)
    measures = {r["key"]: r for r in p.capability if r["kind"] == "measure" and r["source"] == "force_crime"}
    assert measures["knife_enabled_serious_violence"]["status"] == "yes"
    sv = {r["source"]: r["status"] for r in p.capability if r["kind"] == "serious_violence"}
    assert sv["force_crime"] == "yes" and sv["police_uk_street"] == "partial"  # definite over possible
    released, _ = release_profile(p)
    views = [released.sections["who"].tables[f"who_force_victims_by_{d}"].to_pandas()
             for d in ("age_band", "sex", "ethnic_group")]
    views.append(released.sections["who"].tables["who_force_victims_by_age_band_sex"].to_pandas())
    for v in views:
        ok = v["records"].dropna()
        assert ((ok == 0) | (ok % 5 == 0)).all()  # rounded to 5
    exact = {r["sex"]: r["records"] for r in p.sections["who"].tables["who_force_victims_by_sex"].to_pylist()}
    shown = {r["sex"]: r["records"] for r in released.sections["who"].tables["who_force_victims_by_sex"].to_pylist()}
    assert all(abs(shown[k] - exact[k]) <= 2 for k in exact if shown[k] is not None)
    assert "cube_force_victims" not in released.tables()
    # the headline: the force's definite count beside police.uk's possible one, rounded when released
    assert p.headline["force_definite"] == force.profile.crimes == 15_687
    assert any(line.startswith("The force's own crime records give 15,687 crimes") and "SYNTHETIC" in line
               for line in p.summary)
    assert released.headline["force_definite"] == 15_685
    assert any("give 15,685 crimes" in line for line in released.summary)


def test_knox_and_emerging_hot_spots_read_force_crime_records(force: Made) -> None:
    from vrhub.analysis.hotspots.run import gather_incidents, run_emerging, run_near_repeat

    inc = gather_incidents(force.ws.engine(), load_definition(), source="force_crime", possible=False)
    assert len(inc.frame) == force.profile.records  # one event per crime in scope, the same as the profile
    assert inc.frame["time"].notna().all() and inc.scope.startswith("force crime records")
    knox = run_near_repeat(inc, space_bands=[0, 200, 400], time_bands=[0, 7, 14], permutations=19, seed=1)
    assert knox.n_events == len(inc.located)
    emerging = run_emerging(force.ws.engine(), inc)
    assert emerging.incidents.source == "force_crime" and len(emerging.places) > 0


def test_victim_rates_per_1000_use_census_2021_by_age(force: Made, tmp_path: Path) -> None:
    """Rates per 1,000 residents of the same age band, checked against the Nomis file read by hand (England and
    Wales: no boundaries are loaded, so every LSOA of the file counts)."""
    import io
    import zipfile

    from vrhub.data import kent
    from vrhub.ingest.geography import load_geography

    census = kent() / "geography2021" / "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip"
    ws = open_workspace(tmp_path / "ws")
    assert ingest(ws, [force.null.path], SOURCES, kind="force_crime", synthetic=True).ok
    assert all(r.ok for r in load_geography(ws, [census]))
    p = force_profile(ws.engine(), load_definition())
    rates = {r["age_band"]: r for r in p.tables["who_force_victims_by_age_band"].to_pylist()}
    with zipfile.ZipFile(census) as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = next(r for r in rows if r and r[0].startswith("2021 super output area"))
    body = [r for r in rows[rows.index(header) + 1:] if len(r) == len(header) and r[1].startswith(("E01", "W01"))]
    col = {h: i for i, h in enumerate(header)}

    def total(name: str) -> float:
        return sum(float(r[col[name]]) for r in body)

    # 18-24: ages 18-19 are 2 of the 5 years of the 15-19 band (spread evenly), plus all of 20-24
    pop_18_24 = 0.4 * total("Aged 15 to 19 years") + total("Aged 20 to 24 years")
    assert rates["18-24"]["population"] == pytest.approx(pop_18_24)
    assert rates["18-24"]["rate_per_1000"] == pytest.approx(rates["18-24"]["records"] / pop_18_24 * 1000, abs=5e-4)
    pop_65 = sum(total(h) for h in header if h.startswith("Aged") and int(h.split()[1]) >= 65)
    assert rates["65+"]["population"] == pytest.approx(pop_65)
    assert any("Census 2021" in n for n in p.notes)


def test_a_crime_with_two_victims_counts_once_as_a_crime_and_twice_as_victims(tmp_path: Path) -> None:
    from vrhub.analysis.hotspots.run import gather_incidents

    v1, v2 = (hashlib.sha256(x).hexdigest() for x in (b"v1", b"v2"))
    path = tmp_path / "force-crime-two-victims.csv"
    path.write_text("Crime reference,Force,Offence code,Committed from,Recorded date,Longitude,Latitude,Victim ID,"
                    "Victim age,Victim sex,Knife or sharp instrument\n"
                    f"K1,SYN-Kent Police,5D,01/03/2025 22:00,02/03/2025 09:00,0.52,51.27,{v1},17,M,Y\n"
                    f"K1,SYN-Kent Police,5D,01/03/2025 22:00,02/03/2025 09:00,0.52,51.27,{v2},19,F,Y\n"
                    f"K2,SYN-Kent Police,8N,05/03/2025 22:00,06/03/2025 09:00,0.52,51.27,{v1},17,M,N\n",
                    encoding="utf-8")
    ws = open_workspace(tmp_path / "ws")
    assert ingest(ws, [path], SOURCES, kind="force_crime", synthetic=True).ok
    p = force_profile(ws.engine(), load_definition())
    assert (p.records, p.crimes) == (3, 2)
    weapons = {r["what"]: r["records"] for r in p.tables["what_force_weapons"].to_pylist()}
    assert weapons["knife or sharp instrument"] == 1
    assert sum(p.tables["when_force_hour_weekday"].column("records").to_pylist()) == 2
    assert {r["sex"]: r["records"] for r in p.tables["who_force_victims_by_sex"].to_pylist()} == \
        {"female": 1, "male": 2, "not stated": 0}
    assert (p.repeats["victim"].people, p.repeats["victim"].repeat_people) == (2, 1)  # v1 again 4 days later
    assert len(gather_incidents(ws.engine(), load_definition(), source="force_crime").frame) == 2


def test_offence_group_rates_per_1000_residents(force: Made) -> None:
    from vrhub.store.geography import Geography

    rows = force.profile.tables["what_force_by_offence_group"].to_pylist()
    residents = Geography(force.ws.engine()).population().total  # IoD 2019 mid-2015 denominators, Kent and Medway
    assert residents == pytest.approx(1_795_251)  # the published Kent + Medway total (shared data README)
    for r in rows:
        assert r["rate_per_1000"] == pytest.approx(r["records"] * 1000 / 1_795_251, abs=5e-4)
