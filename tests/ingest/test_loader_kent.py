"""The real Kent data (five months of police.uk street crime) as a zip, a folder and single files.

Every count is checked against an independent count of the same bytes with Python's csv module.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter

import pyarrow.compute as pc
from vrhub_testkit import (
    KENT,
    KENT_MONTHS,
    KENT_ROWS,
    KENT_ZIP,
    kent_files,
    lake_folders,
    open_workspace,
    police_uk_ingest,
)


def independent_rows() -> dict[str, list[dict[str, str]]]:
    """Every data row of each month's CSV inside the zip, read with the csv module."""
    out = {}
    with zipfile.ZipFile(KENT_ZIP) as zf:
        for name in zf.namelist():
            text = zf.read(name).decode("utf-8-sig")
            out[name.split("/")[0]] = list(csv.DictReader(io.StringIO(text, newline="")))
    return out


def test_the_zip_loads_every_row(kent_ws) -> None:  # type: ignore[no-untyped-def]
    rows = independent_rows()
    results = kent_ws.report.results
    assert [r.source_file.split("!")[1] for r in results] == [f"{m}/{m}-kent-street.csv" for m in KENT_MONTHS]
    assert sum(r.rows_read for r in results) == KENT_ROWS == sum(len(v) for v in rows.values())
    for r in results:
        month = r.source_file.split("!")[1][:7]
        assert r.error is None and r.duplicate_of is None
        assert r.rows_accepted + r.rows_quarantined == r.rows_read == len(rows[month])
        assert r.rows_quarantined == 0  # the published files are clean
        ds = kent_ws.ws.catalogue.get(r.dataset_id)
        assert [(c.force, c.month.strftime("%Y-%m"), c.rows) for c in ds.coverage] == \
            [("Kent Police", month, len(rows[month]))]
    t = kent_ws.ws.engine().table("police_uk_street")
    by_month = {r["month"].strftime("%Y-%m"): r["n"] for r in t.group_by("month").agg(n=t.count()).to_pyarrow()
                .to_pylist()}
    assert by_month == {m: len(v) for m, v in rows.items()}


def test_accepted_rows_keep_their_values_and_lines(kent_ws) -> None:  # type: ignore[no-untyped-def]
    """Spot-check: each accepted row of December carries the crime type and LSOA of its line in the file."""
    rows = independent_rows()["2018-12"]
    r = next(r for r in kent_ws.report.results if "2018-12" in r.source_file)
    t = kent_ws.ws.engine().table("police_uk_street", dataset_ids=[r.dataset_id]).to_pyarrow()
    got = dict(zip(t.column("source_row").to_pylist(),
                   zip(t.column("crime_type").to_pylist(), t.column("lsoa_code").to_pylist(), strict=True),
                   strict=True))
    expected = {i + 2: (row["Crime type"], row["LSOA code"] or None) for i, row in enumerate(rows)}
    assert got == expected
    assert Counter(t.column("crime_type").to_pylist()) == Counter(row["Crime type"] for row in rows)


def test_no_location_and_outside_lsoas_are_accepted_and_flagged(kent_ws) -> None:  # type: ignore[no-untyped-def]
    rows = [row for month in independent_rows().values() for row in month]
    lsoas = set()
    for f in (KENT / "boundaries" / "lsoa2011").glob("*.json"):
        lsoas |= {feat["properties"]["LSOA11CD"] for feat in json.loads(f.read_text())["features"]}
    no_location = sum(1 for row in rows if not row["Longitude"])
    outside = sum(1 for row in rows if row["LSOA code"] and row["LSOA code"] not in lsoas)
    assert (no_location, outside) == (1_418, 91)  # as counted here; none of them is quarantined
    flags = Counter()
    for r in kent_ws.report.results:
        flags.update(r.flags)
    assert flags == {"no_location": no_location, "lsoa_outside_geography": outside}
    t = kent_ws.ws.engine().table("police_uk_street").to_pyarrow()
    assert pc.sum(pc.invert(t.column("has_location"))).as_py() == no_location


def test_a_folder_and_single_files_load_the_same_rows_as_the_zip(kent_ws, kent_csv_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    zip_ids = [r.dataset_id for r in kent_ws.report.results]
    folder_ws = open_workspace(tmp_path / "folder")
    folder = police_uk_ingest(folder_ws, [kent_csv_dir])
    files_ws = open_workspace(tmp_path / "files")
    files = police_uk_ingest(files_ws, kent_files(kent_csv_dir))
    for report in (folder, files):
        assert report.ok and report.skipped == []
        assert sum(r.rows_read for r in report.results) == KENT_ROWS
        assert all(r.rows_accepted + r.rows_quarantined == r.rows_read for r in report.results)
        # content-addressed: the same bytes give the same dataset, whichever way they arrived
        assert [r.dataset_id for r in report.results] == zip_ids
        assert [r.rows_read for r in report.results] == [r.rows_read for r in kent_ws.report.results]
    # the same file twice: nothing new is created and the first dataset is named
    before = (len(folder_ws.catalogue.datasets()), lake_folders(folder_ws))
    again = police_uk_ingest(folder_ws, [KENT_ZIP])
    assert [r.duplicate_of for r in again.results] == zip_ids
    assert [r.rows_read for r in again.results] == [r.rows_read for r in folder.results]
    assert all(r.ok for r in again.results)
    rerun = police_uk_ingest(folder_ws, [kent_csv_dir])  # re-running a whole ingest is safe
    assert [r.duplicate_of for r in rerun.results] == zip_ids
    assert (len(folder_ws.catalogue.datasets()), lake_folders(folder_ws)) == before
    assert folder_ws.engine().table("police_uk_street").count().to_pyarrow().as_py() == KENT_ROWS
    dec = next(r for r in rerun.results if "2018-12" in r.source_file)
    assert any(w["category"] == "(all categories)" for w in dec.supply_warnings)
