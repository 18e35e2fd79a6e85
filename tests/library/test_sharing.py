"""The partner's side of the hub in the library (``Partnership.sharing``): an ED return is uploaded under a chosen
agreement, its load report balances (read = accepted + quarantined), the quarantined rows are the file's bad lines
with their reasons and come out as CSV, form problems name their field, withdrawing is audited, and the audit trail
holds only the organisation's own data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from vrhub_testkit import ISTV_BAD, istv_return, open_workspace

from vrhub.domain.errors import NotFound
from vrhub.governance.access import accounts, agreements
from vrhub.library import Partnership
from vrhub.library.forms import FieldErrors
from vrhub.store import audit

COMMON = {"purpose": "serious violence needs assessment", "lawful_basis": "UK GDPR Art. 6(1)(e); PCSC Act 2022 s.13",
          "retention_days": 365, "start": dt.date(2020, 1, 1)}


@pytest.fixture
def hub(tmp_path: Path) -> Partnership:
    ws = open_workspace(tmp_path / "home")
    cat = ws.catalogue
    accounts.create_organisation(cat, "Medway NHS FT", "health")
    accounts.create_organisation(cat, "Kent Police", "police")
    accounts.create_user(cat, "ed", "partner_uploader", organisation_name="Medway NHS FT")
    accounts.create_user(cat, "police", "partner_uploader", organisation_name="Kent Police")
    agreements.create_agreement(cat, "Medway ED returns", organisation_name="Medway NHS FT", kinds=["ed_istv"],
                                supplies_for=["SYN-TEST"], **COMMON)  # type: ignore[arg-type]
    agreements.create_agreement(cat, "Medway street crime", organisation_name="Medway NHS FT",
                                kinds=["police_uk_street"], **COMMON)  # type: ignore[arg-type]
    return Partnership(ws)


def desk(hub: Partnership, who: str = "ed", **kw: object):  # type: ignore[no-untyped-def]
    return hub.sharing(accounts.user(hub.ws.catalogue, who), **kw)


def agreement_id(hub: Partnership, name: str) -> str:
    return str(agreements.agreement(hub.ws.catalogue, name).id)


def test_an_ed_return_loads_and_its_report_balances_with_the_bad_lines_quarantined(hub: Partnership) -> None:
    s = desk(hub)
    data = istv_return(good=5)
    u = s.upload(io.BytesIO(data), "ed-return-2023-01.csv", agreement=agreement_id(hub, "Medway ED returns"))
    assert u.status == "loaded", u.report
    r = s.load_report(u.id)
    n_lines = data.decode().count("\n") - 1  # independent count: data lines of the file
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (n_lines, 5, len(ISTV_BAD))
    assert r.balanced and len(r.datasets) == 1 and r.revisions == []
    q = s.quarantine(r.datasets[0].id)
    assert q.total == len(ISTV_BAD)
    assert {row["_source_row"] for row in q.rows} == set(ISTV_BAD)
    for row in q.rows:
        assert ISTV_BAD[row["_source_row"]] in row["_problems"].lower(), row
    name, text = s.quarantine_csv(r.datasets[0].id)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert name.endswith("-quarantine.csv") and sorted(int(x["_source_row"]) for x in rows) == sorted(ISTV_BAD)
    assert [x.id for x in s.uploads()] == [u.id]


def test_the_chosen_agreement_must_cover_the_file(hub: Partnership) -> None:
    """An ED return sent under the street-crime agreement is refused whole, naming the agreement chosen."""
    s = desk(hub)
    u = s.upload(io.BytesIO(istv_return()), "ed.csv", agreement=agreement_id(hub, "Medway street crime"))
    assert u.status == "refused" and u.dataset_ids == []
    r = s.load_report(u.id)
    assert "Medway street crime" in r.problem and "ed_istv" in r.problem
    assert hub.ws.catalogue.datasets() == []


def test_form_problems_name_their_fields_at_once_and_are_audited(hub: Partnership) -> None:
    s = desk(hub)
    with pytest.raises(FieldErrors) as exc:
        s.upload(io.BytesIO(b"x"), "notes.docx", agreement="", kind="nonsense")
    assert set(exc.value.fields) == {"file", "agreement", "kind"}
    with pytest.raises(FieldErrors) as exc:
        s.upload(None, "", agreement=agreement_id(hub, "Medway ED returns"))
    assert set(exc.value.fields) == {"file"}
    with pytest.raises(FieldErrors) as exc:
        s.upload(io.BytesIO(b""), "empty.csv", agreement=agreement_id(hub, "Medway ED returns"))
    assert "empty" in exc.value.fields["file"]
    small = desk(hub, max_upload_bytes=100)
    with pytest.raises(FieldErrors) as exc:
        small.upload(io.BytesIO(istv_return()), "big.csv", agreement=agreement_id(hub, "Medway ED returns"))
    assert "smaller" in exc.value.fields["file"]
    refused = [e for e in audit.events(hub.ws.catalogue) if e.action == "upload" and e.outcome == "refused"]
    assert len(refused) == 4 and not list(hub.ws.home.joinpath("incoming").iterdir())


def test_another_organisation_cannot_reach_the_upload_or_its_quarantine(hub: Partnership) -> None:
    s = desk(hub)
    u = s.upload(io.BytesIO(istv_return()), "ed.csv", agreement=agreement_id(hub, "Medway ED returns"))
    other = desk(hub, "police")
    with pytest.raises(NotFound):
        other.load_report(u.id)
    with pytest.raises(NotFound):
        other.quarantine(u.dataset_ids[0])
    with pytest.raises(NotFound):
        other.withdraw(u.dataset_ids[0], "not mine")
    assert other.datasets() == [] and other.uploads() == []
    assert not [e for e in other.audit_trail() if e["object_id"] == u.id and e["action"] == "upload"]
    assert not [e for e in other.audit_trail() if u.dataset_ids[0] in e["data_version"]]


def test_withdrawing_needs_a_reason_and_is_recorded(hub: Partnership) -> None:
    s = desk(hub)
    u = s.upload(io.BytesIO(istv_return()), "ed.csv", agreement=agreement_id(hub, "Medway ED returns"))
    ds = u.dataset_ids[0]
    with pytest.raises(FieldErrors) as exc:
        s.withdraw(ds, "  ")
    assert set(exc.value.fields) == {"reason"}
    d = s.withdraw(ds, "wrong month exported")
    assert d.withdrawn_at is not None and "wrong month exported" in d.withdrawn_reason
    assert hub.ws.catalogue.datasets() == []  # no longer read
    with pytest.raises(FieldErrors):
        s.withdraw(ds, "again")
    trail = s.audit_trail()
    assert [e["outcome"] for e in trail if e["action"] == "withdraw"] == ["refused", "ok", "refused"]  # newest first
    assert any(e["action"] == "upload" and ds in e["data_version"] for e in trail)


def test_a_partner_restores_what_it_withdrew_but_not_what_the_hub_withdrew(hub: Partnership) -> None:
    s = desk(hub)
    u = s.upload(io.BytesIO(istv_return()), "ed.csv", agreement=agreement_id(hub, "Medway ED returns"))
    ds = u.dataset_ids[0]
    with pytest.raises(FieldErrors, match="not withdrawn"):
        s.restore(ds)
    s.withdraw(ds, "wrong month exported")
    assert hub.ws.catalogue.datasets() == []
    with pytest.raises(NotFound):
        desk(hub, "police").restore(ds)  # another organisation's version
    d = s.restore(ds)
    assert d.withdrawn_at is None and [x.id for x in hub.ws.catalogue.datasets()] == [ds]  # read again
    hub.ws.catalogue.withdraw(ds, "retention period of agreement 'Medway ED returns' ended on 2024-01-01")
    with pytest.raises(FieldErrors, match="withdrawn by the hub"):
        s.restore(ds)
    assert hub.ws.catalogue.datasets() == []
    outcomes = [e["outcome"] for e in s.audit_trail() if e["action"] == "restore"]
    assert outcomes == ["refused", "ok", "refused"]  # newest first (the other's denial: its own trail)
