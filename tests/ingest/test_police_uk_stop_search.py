"""police.uk stop and search: the real Metropolitan Police files (three months) and hand-made bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from vrhub_testkit import MET_STOP_SEARCH_ZIP, csv_bytes, police_uk_ingest

from vrhub.ingest.police_uk.stop_search import parse_instant, uk_month
from vrhub.store.workspace import Workspace

HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
          "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search",
          "Outcome", "Outcome linked to object of search", "Removal of more than just outer clothing"]


def search(**overrides: str) -> dict[str, str]:
    row = {"Type": "Person search", "Date": "2018-10-05T14:00:00+00:00", "Part of a policing operation": "False",
           "Policing operation": "", "Latitude": "51.5", "Longitude": "-0.1", "Gender": "Male", "Age range": "18-24",
           "Self-defined ethnicity": "", "Officer-defined ethnicity": "", "Legislation": "Misuse of Drugs Act 1971",
           "Object of search": "Controlled drugs", "Outcome": "A no further action disposal",
           "Outcome linked to object of search": "", "Removal of more than just outer clothing": ""}
    row.update({k.replace("_", " "): v for k, v in overrides.items()})
    return row


@pytest.fixture(scope="module")
def met(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from vrhub_testkit import open_workspace

    ws = open_workspace(tmp_path_factory.mktemp("met") / "home")
    return ws, police_uk_ingest(ws, [MET_STOP_SEARCH_ZIP])


def met_rows() -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(MET_STOP_SEARCH_ZIP) as zf:
        return {n.split("/")[0]: list(csv.DictReader(io.StringIO(zf.read(n).decode("utf-8-sig"), newline="")))
                for n in zf.namelist()}


def test_every_row_of_the_met_files_is_accounted_for(met) -> None:  # type: ignore[no-untyped-def]
    _, report = met
    rows = met_rows()
    assert report.ok and len(report.results) == 3
    for r in report.results:
        m = r.source_file.split("!")[1][:7]
        assert r.kind == "police_uk_stop_search"
        assert r.rows_accepted + r.rows_quarantined == r.rows_read == len(rows[m])
    assert sum(r.rows_read for r in report.results) == sum(len(v) for v in rows.values()) == 43_371


def test_months_are_uk_local_months_and_the_force_comes_from_the_file_name(met) -> None:  # type: ignore[no-untyped-def]
    ws, report = met
    # police.uk puts each search in the file of its UK local month: so must we, for every row
    for r in report.results:
        m = r.source_file.split("!")[1][:7]
        d = ws.catalogue.get(r.dataset_id)
        assert [(c.force, c.month.strftime("%Y-%m"), c.rows) for c in d.coverage] == \
            [("metropolitan", m, r.rows_accepted)]
    oct_id = report.results[0].dataset_id
    t = ws.engine().table("police_uk_stop_search", dataset_ids=[oct_id]).to_pyarrow()
    first = dt.datetime(2018, 9, 30, 23, 1, tzinfo=dt.UTC)  # 00:01 BST on 1 October
    hits = [i for i, v in enumerate(t.column("occurred_at").to_pylist()) if v == first]
    assert hits, "the 2018-09-30T23:01:00+00:00 search is loaded"
    assert {t.column("month")[i].as_py() for i in hits} == {dt.date(2018, 10, 1)}
    assert t.column("source_row")[hits[0]].as_py() == 2
    late_sept_utc = sum(1 for row in met_rows()["2018-10"] if row["Date"].startswith("2018-09-30T23"))
    assert late_sept_utc == 16  # all in October's file, and in October's coverage above


def test_uk_month_across_both_clock_changes() -> None:
    text = pa.array(["2018-09-30T23:01:00+00:00", "2018-10-31T23:30:00+00:00", "2019-03-31T23:30:00+00:00",
                     "2018-12-31T23:59:59+00:00", "2018-10-01T00:30:00+01:00"])
    instants, bad = parse_instant(text)
    assert not any(bad.to_pylist())
    # Oct → 00:01 BST 1 Oct; 31 Oct 23:30 GMT is still October; 31 Mar 23:30 UTC is 00:30 BST 1 April
    assert uk_month(instants).to_pylist() == [dt.date(2018, 10, 1), dt.date(2018, 10, 1), dt.date(2019, 4, 1),
                                              dt.date(2018, 12, 1), dt.date(2018, 10, 1)]


def test_force_option_overrides_the_file_name(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "searches.csv"
    p.write_bytes(csv_bytes(HEADER, [search()]))
    r = police_uk_ingest(ws, [p], options={"force": "Kent Police"}).results[0]
    assert r.ok and [c.force for c in ws.catalogue.get(r.dataset_id).coverage] == ["Kent Police"]
    p2 = tmp_path / "2018-10-kent-stop-and-search.csv"
    p2.write_bytes(csv_bytes(HEADER, [search(), search()]))
    r2 = police_uk_ingest(ws, [p2]).results[0]
    assert [c.force for c in ws.catalogue.get(r2.dataset_id).coverage] == ["kent"]


def test_bad_searches_are_quarantined_with_the_field(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        search(),                                                    # 2 good
        search(Type="Strip search"),                                 # 3
        search(Date="05/10/2018 14:00"),                             # 4
        search(Date="2018-10-05T14:00:00"),                          # 5 no UTC offset
        search(**{"Part of a policing operation": "maybe"}),         # 6
        search(Latitude="0.1", Longitude="51.5"),                    # 7 swapped
        search(Latitude="", Longitude=""),                           # 8 accepted, no location
    ]
    p = tmp_path / "2018-10-metropolitan-stop-and-search.csv"
    p.write_bytes(csv_bytes(HEADER, rows))
    r = police_uk_ingest(ws, [p]).results[0]
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (7, 2, 5)
    q = ws.engine().quarantine(r.dataset_id).order_by("_source_row").to_pyarrow().to_pylist()
    problems = {x["_source_row"]: x["_problems"] for x in q}
    assert problems[3] == "Type: 'Strip search' is not a police.uk search type"
    assert problems[4].startswith("Date: '05/10/2018 14:00' is not an ISO 8601 date-time with offset")
    assert problems[5].startswith("Date: '2018-10-05T14:00:00' is not an ISO 8601")
    assert problems[6] == "Part of a policing operation: 'maybe' is not True or False"
    assert problems[7].endswith("(are longitude and latitude swapped?)")
    assert r.flags == {"no_location": 1}
