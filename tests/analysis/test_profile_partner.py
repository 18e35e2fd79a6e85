"""The profile's who / when / why from a partner feed (synthetic ED returns), against counts from the files.

The expected numbers are computed with the csv module from the ISTV files as the generator wrote them; the
profile reads them through the ISTV source, the lake and the definition.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

import pytest
from vrhub_testkit import KENT, STREET_HEADER, csv_bytes, open_workspace, police_uk_ingest, street_row

from vrhub.analysis.profile import build_profile
from vrhub.analysis.profile.partner import WEEKDAYS
from vrhub.domain.definitions import load_definition
from vrhub.ingest.geography import load_geography
from vrhub.report.release import release_profile
from vrhub.synth.ed import ingest_synthetic_ed


def arrival(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M" if text[4] == "-" else "%d/%m/%Y %H:%M")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("partner-profile")
    ws = open_workspace(root / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    # three months of ED returns; police.uk rows for two of them (the profile's period is the police months)
    made, report = ingest_synthetic_ed(ws, root / "returns", seed=5, start="2023-01", months=3, scale=0.3)
    assert report.ok
    street = root / "police" / "2023-01-kent-street.csv"
    street.parent.mkdir(parents=True)
    rows = [street_row(**{"Crime ID": f"p{i}", "Month": ("2023-01", "2023-02")[i % 2],
                          "Crime type": "Violence and sexual offences"}) for i in range(40)]
    street.write_bytes(csv_bytes(STREET_HEADER, rows))
    assert police_uk_ingest(ws, [street], partner="Kent Police").ok
    ed = [r for p in made.paths for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    in_period = [r for r in ed if arrival(r["Arrival date time"]) < dt.datetime(2023, 3, 1)]
    assert 0 < len(in_period) < len(ed)
    return ws, in_period


@pytest.fixture(scope="module")
def profile(loaded):  # type: ignore[no-untyped-def]
    return build_profile(loaded[0].engine(), load_definition("kent_and_medway"))


def test_hour_weekday_comes_from_ed_arrivals_in_the_profile_period(loaded, profile) -> None:  # type: ignore[no-untyped-def]
    ed = loaded[1]
    when = profile.sections["when"]
    t = when.tables["when_ed_hour_weekday"].to_pylist()
    assert len(t) == 7 * 24
    expected = Counter((WEEKDAYS[arrival(r["Arrival date time"]).weekday()], arrival(r["Arrival date time"]).hour)
                       for r in ed)
    assert {(r["weekday"], r["hour"]): r["records"] for r in t if r["records"]} == dict(expected)
    assert not any(n.startswith("hour × weekday tables need") for n in when.notes)
    assert any("SYNTHETIC" in n for n in when.notes)


def test_who_by_age_band_and_sex_match_the_files(loaded, profile) -> None:  # type: ignore[no-untyped-def]
    ed = loaded[1]
    who = profile.sections["who"]
    assert who.available
    ages = {r["age_band"]: r["records"] for r in who.tables["who_ed_by_age_band"].to_pylist()}
    assert ages == dict(Counter(r["Age band"] or "not stated" for r in ed))
    sexes = who.tables["who_ed_by_sex"].to_pylist()
    assert sum(r["records"] for r in sexes) == len(ed)
    assert sum(r["share"] for r in sexes) == pytest.approx(1, abs=1e-3)
    assert not any(n.startswith("no loaded source with victim") for n in who.notes)


def test_why_tables_add_up_and_the_ed_datasets_are_recorded(loaded, profile) -> None:  # type: ignore[no-untyped-def]
    ws, ed = loaded
    why = profile.sections["why"]
    assert why.available
    for name in ("why_ed_by_assault_location_type", "why_ed_by_assault_method"):
        assert sum(r["records"] for r in why.tables[name].to_pylist()) == len(ed)
    by_month = {d.id: {c.month for c in d.coverage} for d in ws.catalogue.datasets("ed_istv")}
    read = {i for i, months in by_month.items() if max(months) < dt.date(2023, 3, 1)}
    assert read and read < set(by_month)
    assert read <= set(profile.datasets) and not (set(by_month) - read) & set(profile.datasets)


def test_a_strand_filters_the_partner_feed_too(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, ed = loaded
    p = build_profile(ws.engine(), load_definition("kent_and_medway"), strand="serious_youth_violence")
    ages = {r["age_band"]: r["records"] for r in p.sections["who"].tables["who_ed_by_age_band"].to_pylist()}
    young = Counter(r["Age band"] for r in ed if r["Age band"] in ("0-9", "10-17", "18-24"))
    # victims aged 0-25: whole bands up to 24 are in; "25-34" straddles the limit (possible), older bands are out
    assert {k: v for k, v in ages.items() if k in young} == dict(young)
    assert not {"35-44", "45-54", "55-64", "65+"} & set(ages)


def test_release_protects_the_partner_tables(profile) -> None:  # type: ignore[no-untyped-def]
    released, statement = release_profile(profile)
    assert statement.startswith("released")
    for name in ("who_ed_by_age_band", "when_ed_hour_weekday", "why_ed_by_assault_method"):
        counts = [r["records"] for r in released.tables()[name].to_pylist()]
        assert all(c is None or (c % 5 == 0 and not 1 <= c <= 7) for c in counts), name
    hw = [r["records"] for r in released.tables()["when_ed_hour_weekday"].to_pylist()]
    assert None in hw  # a 7 × 24 table of a few hundred arrivals has small cells: they must be suppressed


def test_a_partner_feed_with_a_missing_site_month_carries_the_supply_warning(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A site that sent nothing for a month (a gap in supply) is named in the partner tables' notes."""
    ws = open_workspace(tmp_path / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    made, _ = ingest_synthetic_ed(ws, tmp_path / "returns", seed=3, start="2023-01", months=6, scale=0.3)
    gap_site = made.paths[0].name[len("istv-synthetic-"):-len("-2023-01.csv")]  # istv-synthetic-<site>-<month>.csv
    street = tmp_path / "police" / "2023-01-kent-street.csv"
    street.parent.mkdir(parents=True)
    street.write_bytes(csv_bytes(STREET_HEADER, [street_row(**{"Crime ID": f"p{i}", "Month": f"2023-0{1 + i % 6}"})
                                                 for i in range(60)]))
    assert police_uk_ingest(ws, [street], partner="Kent Police").ok
    clean = build_profile(ws.engine(), load_definition("kent_and_medway"))
    gap = f"2023-03 {gap_site} no data (a gap)"
    assert not any(gap in n for n in clean.sections["when"].notes)
    march = next(d for d in ws.catalogue.datasets("ed_istv")
                 if gap_site in d.source_file and any(c.month == dt.date(2023, 3, 1) for c in d.coverage))
    ws.catalogue.withdraw(march.id, reason="test: the site's March return is missing")
    p = build_profile(ws.engine(), load_definition("kent_and_medway"))
    for section in ("who", "when", "why"):
        notes = [n for n in p.sections[section].notes if n.startswith("supply warning for ED")]
        assert len(notes) == 1 and gap in notes[0], p.sections[section].notes
        assert "rows" not in notes[0] and "expected from" not in notes[0]  # no counts: a released profile keeps it
