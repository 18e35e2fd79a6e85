"""Editing the action plans and the services register one entry at a time (``Partnership.registers``): the edit is
a new version in force (what the SNA then reads), RAG follows the new status and dates, every bad field is named
at once, undoing an edit makes the earlier content current again, and each edit is audited. Who may edit is the
permission model's: analysts (the VRU team) and administrators, never partners or board viewers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from vrhub_testkit import open_workspace

from vrhub.governance import store as gov_store
from vrhub.governance.access import Permission, accounts, allowed
from vrhub.governance.commissioning import register_in_force
from vrhub.governance.registers import load_governance
from vrhub.library import Partnership
from vrhub.library.forms import FieldErrors
from vrhub.store import audit

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def regs(tmp_path: Path):  # type: ignore[no-untyped-def]
    ws = open_workspace(tmp_path / "home")
    accounts.create_user(ws.catalogue, "ana", "analyst")
    return Partnership(ws).registers(accounts.user(ws.catalogue, "ana"), today=TODAY)


def test_an_action_edit_is_a_new_version_in_force_with_its_rag_derived(regs) -> None:  # type: ignore[no-untyped-def]
    first = load_governance().actions[0]
    due = (TODAY + dt.timedelta(days=90)).isoformat()
    regs.update_action(first.id, status="off track", evidence="venue lost", due=due)
    now = gov_store.in_force(regs.ws)
    edited = next(a for a in now.actions if a.id == first.id)
    assert (edited.status, edited.evidence, edited.due, edited.updated) == ("off track", "venue lost",
                                                                            TODAY + dt.timedelta(days=90), TODAY)
    assert edited.rag(TODAY) == "red" and regs.action(first.id)["rag"] == "red"  # off track is red, whatever the date
    assert now.demo and "edited on the hub by ana" in now.origin
    regs.update_action(first.id, status="complete", evidence="done", due=due)
    assert regs.action(first.id)["rag"] == "green"
    regs.update_action(first.id, status="off track", evidence="venue lost", due=due)  # back to earlier content
    assert next(a for a in gov_store.in_force(regs.ws).actions if a.id == first.id).status == "off track"
    assert [e.object_id for e in audit.events(regs.ws.catalogue) if e.action == "registers.action.change"] == \
        [first.id] * 3


def test_an_action_form_names_every_bad_field(regs) -> None:  # type: ignore[no-untyped-def]
    first = load_governance().actions[0]
    with pytest.raises(FieldErrors) as exc:
        regs.update_action(first.id, status="fine", evidence="x" * 2001, due="31/12/2025")
    assert set(exc.value.fields) == {"status", "evidence", "due"}


def test_a_service_contract_edit_is_in_force_and_checked(regs) -> None:  # type: ignore[no-untyped-def]
    s = next(x for x in register_in_force(regs.ws).services if x.contract_start)
    with pytest.raises(FieldErrors) as exc:
        regs.update_service(s.key, contract_end=(s.contract_start - dt.timedelta(days=1)).isoformat(),
                            extension_decision_due="2099-01-01", extension_options="")
    assert set(exc.value.fields) == {"contract_end", "extension_decision_due"}
    end = s.contract_start + dt.timedelta(days=800)
    regs.update_service(s.key, contract_end=end.isoformat(), extension_decision_due="",
                        extension_options="one year, at the PCC's discretion")
    now = register_in_force(regs.ws).service(s.key)
    assert (now.contract_end, now.extension_decision_due, now.extension_options) == \
        (end, None, "one year, at the PCC's discretion")
    assert [x.key for x in register_in_force(regs.ws).services] == [x.key for x in regs.services()]


def test_only_the_owning_roles_may_edit_the_registers() -> None:
    for permission in (Permission.ACTIONS_EDIT, Permission.SERVICES_EDIT):
        assert [r for r in ("partner_uploader", "analyst", "board_viewer", "admin") if allowed(r, permission)] == \
            ["analyst", "admin"]
    assert [r for r in ("partner_uploader", "analyst", "board_viewer", "admin")
            if allowed(r, Permission.DATASETS_WITHDRAW)] == ["partner_uploader"]
