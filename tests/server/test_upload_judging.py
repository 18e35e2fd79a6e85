"""Every member of an upload is judged before anything of it is stored (issue 12, items 1, 5 and 16).

Kent Police holds a street-crime agreement only. Whatever shape its upload takes (a title line or a blank line
above the header, a youth justice file, a workbook inside a zip), a kind outside its agreements refuses the whole
upload, and so does a member that cannot be classified, a column outside the agreement's fields, rows of another
organisation, or a body sent as a type the sources do not read. Nothing is stored; the refusal is recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import openpyxl
import pytest
from vrhub_hubkit import street_csv
from vrhub_testkit import STREET_HEADER, csv_bytes, street_row

from vrhub.governance.access import agreements
from vrhub.governance.access.uploads import uploads
from vrhub.store import audit

ISTV_HEADER = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time",
               "Assault date time", "Assault method", "Assault location type", "Age band", "Sex"]
ISTV_ROW = ["01/01/2023", "31/01/2023", "SYN-TEST", "06/01/2023 23:40", "06/01/2023 23:05", "Knife", "Pub", "18-24",
            "M"]
YJ_HEADER = ["Person ID", "Youth justice service", "Age", "Offence date", "Offence type"]
YJ_ROW = [hashlib.sha256(b"synthetic child").hexdigest(), "Kent", "15", "01/02/2023", "Robbery"]


def lines(*rows: list[str]) -> bytes:
    return "".join(",".join(r) + "\n" for r in rows).encode()


def istv_workbook() -> bytes:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["ISTV return, January 2023"])
    sheet.append(ISTV_HEADER)
    sheet.append(ISTV_ROW)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zipped(**members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name.replace("__", "/"), data)
    return buf.getvalue()


def stored(world) -> set[str]:  # type: ignore[no-untyped-def]
    return {d.id for d in world.ws.catalogue.datasets(include_withdrawn=True)}


# (filename, body): each is an upload Kent Police's street-only agreement does not cover
OUTSIDE = {
    "istv-title-line": ("ed-2023-01.csv", lines(["ISTV return, Medway Maritime Hospital"], ISTV_HEADER, ISTV_ROW)),
    "istv-blank-line": ("ed-2023-01.csv", lines([""], ISTV_HEADER, ISTV_ROW)),
    "youth-justice": ("yjs-2023-02.csv", lines(["Kent YJS offences, February 2023"], YJ_HEADER, YJ_ROW)),
    "xlsx-in-zip": ("returns.zip", zipped(**{"ed__istv-jan.xlsx": istv_workbook()})),
    "beside-a-street-file": ("download.zip", zipped(**{"2018-12__2018-12-kent-street.csv":
                                                       street_csv("2018-12", crime_id="z"),
                                                       "ed__ed-2023-01.csv": lines([""], ISTV_HEADER, ISTV_ROW)})),
}


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_an_upload_outside_every_agreement_is_refused_whole_whatever_its_shape(sqlite_world, case: str) -> None:  # type: ignore[no-untyped-def]
    filename, body = OUTSIDE[case]
    before = stored(sqlite_world)
    r = sqlite_world.upload("uploader_a", body, filename=filename)
    assert r.status_code == 403, r.text
    err = r.json()["error"]
    assert "no data-sharing agreement" in err["message"] and "Kent Police" in err["message"]
    assert ("youth_justice" if case == "youth-justice" else "ed_istv") in err["message"]
    assert str(sqlite_world.ws.home) not in r.text
    assert stored(sqlite_world) == before  # nothing loaded, not even the street file beside it
    last = uploads(sqlite_world.ws)[-1]
    assert (last.status, last.dataset_ids) == ("refused", [])
    events = list(audit.events(sqlite_world.ws.catalogue))
    assert (events[-1].action, events[-1].outcome) == ("upload", "refused")
    assert not any(e.action == "upload.start" and e.object_id == last.id for e in events)


def test_a_member_that_cannot_be_classified_refuses_the_whole_upload(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    before = stored(sqlite_world)
    body = zipped(**{"2018-12__2018-12-kent-street.csv": street_csv("2018-12", crime_id="y"),
                     "notes__staff-rota.csv": lines(["Name", "Shift", "Ward"], ["A", "night", "3"])})
    r = sqlite_world.upload("uploader_a", body, filename="download.zip")
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert "download.zip!notes/staff-rota.csv" in message and "does not look like any of" in message
    assert "nothing of the upload was loaded" in message
    assert stored(sqlite_world) == before
    assert uploads(sqlite_world.ws)[-1].status == "refused"


def test_the_agreements_fields_limit_what_is_stored_and_quarantined(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    """A column outside the agreement's fields (here one that feeds no field at all, so on main it was kept in the
    quarantine as sent) refuses the upload, naming it; a file with the allowed columns only loads."""
    cat = sqlite_world.ws.catalogue
    allowed = ["crime_id", "month", "reported_by", "falls_within", "longitude", "latitude", "location", "lsoa_code",
               "lsoa_name", "crime_type", "last_outcome_category", "context"]
    agreements.create_agreement(cat, "Medway street (limited)", organisation_name="Medway Council",
                                kinds=["police_uk_street"], purpose="p", lawful_basis="b", retention_days=30,
                                start=dt.date(2021, 1, 1), fields_allowed=allowed)
    header = [*STREET_HEADER, "Suspect name"]
    rows = [street_row(Month="2018-12", Falls_within="Medway Council", **{"Suspect name": "A. Synthetic"}),
            street_row(Month="not a month", Falls_within="Medway Council", **{"Suspect name": "B. Synthetic"})]
    before = stored(sqlite_world)
    r = sqlite_world.upload("uploader_b", csv_bytes(header, rows))
    assert r.status_code == 403, r.text
    assert "'Suspect name'" in r.json()["error"]["message"] and "does not allow" in r.json()["error"]["message"]
    assert stored(sqlite_world) == before
    ok = sqlite_world.upload("uploader_b", csv_bytes(STREET_HEADER, [{k: v for k, v in r_.items()
                                                                       if k != "Suspect name"} for r_ in rows]))
    assert ok.status_code == 201, ok.text
    q = sqlite_world.ws.engine().quarantine(ok.json()["dataset_ids"][0]).to_pyarrow()
    assert q.num_rows == 1 and "Suspect name" not in q.column_names


def test_one_organisations_upload_cannot_replace_anothers_rows(world) -> None:  # type: ignore[no-untyped-def]
    """Medway Council sends rows 'Falls within: Kent Police' for a month Kent Police supplied: refused (SQLite and
    PostgreSQL), and the profile still reads Kent Police's version. Named as a supplier for Kent Police in an
    agreement, Medway may send them."""
    kent_month = "2018-10"  # the fixture's Kent Police upload
    before = stored(world)
    r = world.upload("uploader_b", street_csv(kent_month, crime_id="medway", Falls_within="Kent Police"))
    assert r.status_code == 403, r.text
    err = r.json()["error"]
    assert "belong to Kent Police, not to Medway Council" in err["message"] and "--supplies-for" in err["what_to_do"]
    assert stored(world) == before
    p = world.client.get("/api/profile", headers=world.as_("analyst")).json()
    assert world.datasets["a"] in p["datasets"] and len(p["datasets"]) == 2
    agreements.create_agreement(world.ws.catalogue, "Medway forwards Kent Police data",
                                organisation_name="Medway Council",
                                kinds=["police_uk_street"], purpose="p", lawful_basis="b", retention_days=30,
                                start=dt.date(2021, 1, 1), supplies_for=["Kent Police"])
    again = world.upload("uploader_b", street_csv("2018-12", crime_id="medway", Falls_within="Kent Police"))
    assert again.status_code == 201, again.text


@pytest.mark.parametrize(("filename", "content_type", "status"), [
    ("2018-12-kent-street.csv", "text/html", 415),
    ("2018-12-kent-street.csv", "application/json", 415),
    ("2018-12-kent-street.csv", "multipart/form-data; boundary=x", 415),
    ("2018-12-kent-street.csv", None, 415),
    ("2018-12-kent-street.csv", "application/zip", 415),
    ("2018-12-kent-street.csv", "text/csv; charset=utf-8", 201),
    ("2018-12-kent-street.csv", "application/octet-stream", 201),
])
def test_only_the_types_the_sources_read_are_accepted(sqlite_world, filename: str, content_type: str | None,  # type: ignore[no-untyped-def]
                                                      status: int) -> None:
    headers = sqlite_world.as_("uploader_a")
    if content_type is not None:
        headers["Content-Type"] = content_type
    before = stored(sqlite_world)
    r = sqlite_world.client.post("/api/uploads", params={"filename": filename},
                                 content=street_csv("2018-12", crime_id="ct"), headers=headers)
    assert r.status_code == status, r.text
    if status == 415:
        assert stored(sqlite_world) == before
        last = list(audit.events(sqlite_world.ws.catalogue))[-1]
        assert (last.action, last.outcome, last.details["reason"]) == ("upload", "refused", "wrong Content-Type")
