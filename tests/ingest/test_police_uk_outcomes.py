"""police.uk outcomes files, built here in the published format (synthetic crimes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vrhub_testkit import OUTCOMES_HEADER, csv_bytes, police_uk_ingest

from vrhub.store.workspace import Workspace


def outcome(**overrides: str) -> dict[str, str]:
    row = {"Crime ID": "a" * 64, "Month": "2018-11", "Reported by": "Kent Police", "Falls within": "Kent Police",
           "Longitude": "0.522", "Latitude": "51.272", "Location": "On or near High Street",
           "LSOA code": "E01024000", "LSOA name": "Maidstone 001A",
           "Outcome type": "Investigation complete; no suspect identified"}
    row.update({k.replace("_", " "): v for k, v in overrides.items()})
    return row


def test_an_outcomes_file_loads_as_outcomes(ws: Workspace, tmp_path: Path) -> None:
    rows = [outcome(**{"Crime ID": f"{i:064x}"}) for i in range(40)]
    rows += [outcome(Month="2018-10", **{"Outcome type": "Offender given a caution"})] * 3
    p = tmp_path / "2018-11-kent-outcomes.csv"
    p.write_bytes(csv_bytes(OUTCOMES_HEADER, rows, newline="\r\n"))
    report = police_uk_ingest(ws, [p])
    [r] = report.results
    assert (r.kind, r.rows_read, r.rows_accepted, r.rows_quarantined) == ("police_uk_outcomes", 43, 43, 0)
    cov = [(c.force, c.month, c.rows) for c in ws.catalogue.get(r.dataset_id).coverage]
    assert cov == [("Kent Police", dt.date(2018, 10, 1), 3), ("Kent Police", dt.date(2018, 11, 1), 40)]
    t = ws.engine().table("police_uk_outcomes").order_by("source_row").to_pyarrow()
    assert t.column("crime_id").to_pylist()[:2] == [f"{0:064x}", f"{1:064x}"]
    assert t.column("outcome_type").to_pylist()[-1] == "Offender given a caution"
    assert t.column("lsoa_vintage").to_pylist()[0] == 2011


def test_outcomes_without_crime_id_or_outcome_are_quarantined(ws: Workspace, tmp_path: Path) -> None:
    rows = [outcome(), outcome(**{"Crime ID": ""}), outcome(**{"Outcome type": ""}), outcome(Month="11/2018")]
    p = tmp_path / "2018-11-kent-outcomes.csv"
    p.write_bytes(csv_bytes(OUTCOMES_HEADER, rows))
    [r] = police_uk_ingest(ws, [p]).results
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (4, 1, 3)
    q = ws.engine().quarantine(r.dataset_id).order_by("_source_row").to_pyarrow().to_pylist()
    assert [(x["_source_row"], x["_problems"]) for x in q] == [
        (3, "Crime ID: is missing"), (4, "Outcome type: is missing"),
        (5, "Month: '11/2018' is not a month in the form YYYY-MM")]


def test_outcomes_and_street_files_in_one_call(ws: Workspace, tmp_path: Path) -> None:
    from vrhub_testkit import STREET_HEADER, street_row

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "2018-11-kent-outcomes.csv").write_bytes(csv_bytes(OUTCOMES_HEADER, [outcome()]))
    (tmp_path / "in" / "2018-11-kent-street.csv").write_bytes(csv_bytes(STREET_HEADER, [street_row(Month="2018-11")]))
    report = police_uk_ingest(ws, [tmp_path / "in"])
    assert [r.kind for r in report.results] == ["police_uk_outcomes", "police_uk_street"]
    assert {d.kind for d in ws.catalogue.datasets()} == {"police_uk_outcomes", "police_uk_street"}
