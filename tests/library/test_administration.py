"""The administrator's side in the library (``Partnership.administration``): every form problem is named by its field
at once, changes are made by the hub's own functions and audited with the API's action names, a token's secret is
given once, the audit chain verifies (and a recorded head that is not in it is reported), and the purge preview
lists what retention would withdraw without withdrawing it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from vrhub_testkit import istv_return, open_workspace

from vrhub.governance.access import accounts
from vrhub.library import Partnership
from vrhub.library.forms import FieldErrors
from vrhub.store import audit


@pytest.fixture
def hub(tmp_path: Path) -> Partnership:
    ws = open_workspace(tmp_path / "home")
    accounts.create_user(ws.catalogue, "root", "admin", password="a long enough password")
    accounts.create_user(ws.catalogue, "ana", "analyst")
    return Partnership(ws)


def admin(hub: Partnership):  # type: ignore[no-untyped-def]
    return hub.administration(accounts.user(hub.ws.catalogue, "root"))


def agreement_form(org_id: int, **kw: object) -> dict[str, object]:
    form: dict[str, object] = {"name": "ED returns", "organisation": str(org_id), "kinds": ["ed_istv"],
                               "purpose": "needs assessment", "lawful_basis": "UK GDPR Art. 6(1)(e)",
                               "retention_days": "30", "start_date": "2020-01-01", "end_date": "",
                               "fields_allowed": "", "analysts": ["ana"], "supplies_for": "SYN-TEST\n"}
    form.update(kw)
    return form


def test_an_agreement_form_names_every_bad_field_at_once(hub: Partnership) -> None:
    a = admin(hub)
    org = a.add_organisation("Medway NHS FT", "health")
    with pytest.raises(FieldErrors) as exc:
        a.add_agreement(agreement_form(org.id, name=" ", organisation="999", kinds=[], purpose="",
                                       retention_days="0", start_date="2024-13-01", analysts=["nobody"]))
    assert set(exc.value.fields) == {"name", "organisation", "kinds", "purpose", "retention_days", "start_date",
                                     "analysts"}
    with pytest.raises(FieldErrors) as exc:
        a.add_agreement(agreement_form(org.id, start_date="2024-02-01", end_date="2024-01-01",
                                       fields_allowed="site_code, shoe_size"))
    assert set(exc.value.fields) == {"end_date", "fields_allowed"} and "shoe_size" in exc.value.fields["fields_allowed"]
    made = a.add_agreement(agreement_form(org.id, fields_allowed=""))
    assert (made.kinds, made.retention_days, made.supplies_for, [u.username for u in made.analysts]) == \
        (["ed_istv"], 30, ["SYN-TEST"], ["ana"])
    with pytest.raises(FieldErrors) as exc:
        a.add_agreement(agreement_form(org.id))
    assert set(exc.value.fields) == {"name"}
    actions = [e.action for e in audit.events(hub.ws.catalogue)]
    assert actions.count("admin.agreement.add") == 1 and actions.count("admin.organisation.add") == 1


def test_users_and_organisations_refuse_duplicates_by_field(hub: Partnership) -> None:
    a = admin(hub)
    org = a.add_organisation("Kent Police", "police")
    with pytest.raises(FieldErrors) as exc:
        a.add_organisation("Kent Police")
    assert set(exc.value.fields) == {"name"}
    with pytest.raises(FieldErrors) as exc:
        a.add_user("up", "partner_uploader", password="short")
    assert set(exc.value.fields) == {"organisation", "password"}
    u = a.add_user("up", "partner_uploader", organisation=str(org.id), password="twelve chars ok")
    assert u.partner_id == org.id and accounts.authenticate(hub.ws.catalogue, "up", "twelve chars ok")
    with pytest.raises(FieldErrors) as exc:
        a.add_user("up", "analyst")
    assert set(exc.value.fields) == {"username"}
    assert not a.set_active("up", False).active


def test_a_token_is_shown_once_works_and_stops_when_revoked(hub: Partnership) -> None:
    a = admin(hub)
    with pytest.raises(FieldErrors) as exc:
        a.create_token("ghost", "", "9999")
    assert set(exc.value.fields) == {"username", "token_name", "days"}
    new = a.create_token("ana", "notebook", "30")
    assert accounts.user_for_token(hub.ws.catalogue, new.secret).username == "ana"
    assert all(new.secret not in str(audit.to_json(e)) for e in audit.events(hub.ws.catalogue))
    a.revoke_token(new.token.id)
    assert accounts.user_for_token(hub.ws.catalogue, new.secret) is None


def test_the_audit_chain_verifies_and_a_missing_recorded_head_is_reported(hub: Partnership) -> None:
    a = admin(hub)
    a.add_organisation("Kent Police")
    good = a.verify_audit()
    assert good.ok and good.rows == len(list(audit.events(hub.ws.catalogue))) - 1  # verify audits itself after
    assert good.head == audit.latest(hub.ws.catalogue, limit=2)[0].hash  # the head before verify's own row
    assert a.verify_audit(good.head).ok
    bad = a.verify_audit("f" * 64)
    assert not bad.ok and "not in the log" in bad.problem
    with pytest.raises(FieldErrors):
        a.verify_audit("not a hash")
    assert a.audit_log(limit=3)[0]["action"] == "audit.verify"  # newest first


def test_the_purge_preview_lists_expired_versions_and_changes_nothing(hub: Partnership) -> None:
    a = admin(hub)
    org = a.add_organisation("Medway NHS FT")
    a.add_user("ed", "partner_uploader", organisation=str(org.id))
    ag = a.add_agreement(agreement_form(org.id, retention_days="30"))
    s = hub.sharing(accounts.user(hub.ws.catalogue, "ed"))
    u = s.upload(io.BytesIO(istv_return()), "ed.csv", agreement=str(ag.id))
    assert u.status == "loaded"
    today = dt.date.today()
    assert a.purge_preview(today) == []
    later = a.purge_preview(today + dt.timedelta(days=31))
    assert [e.dataset_id for e in later] == u.dataset_ids and later[0].agreement == "ED returns"
    assert [d.id for d in hub.ws.catalogue.datasets()] == u.dataset_ids  # nothing withdrawn
