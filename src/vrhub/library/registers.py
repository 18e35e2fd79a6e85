"""The registers a partnership keeps up to date between loads: the action plans of the strategy's strands and the
commissioned services' contracts, edited one entry at a time (``Partnership.registers(user)``).

An edit makes a new version of the register in the catalogue, as ``vrhub strategy load`` and ``vrhub services
import`` do (the newest is in force and every SNA records which it read); the version's origin says it was edited
on the hub, by whom and when, and the edit is audited. RAG stays derived from status and dates
(``vrhub.governance.registers``), never typed. Content already recorded (an edit undone) is made current again
rather than duplicated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select

from vrhub.domain.errors import NotFound
from vrhub.governance import store as gov_store
from vrhub.governance.commissioning import Register, Service, alerts, register_in_force, save_register_version
from vrhub.governance.registers import STATUSES, Governance
from vrhub.library.forms import Problems
from vrhub.store import audit
from vrhub.store.catalogue.models import CommissioningVersion, GovernanceVersion, User
from vrhub.store.workspace import Workspace


class Registers:
    """Action plans and the services register, read and edited by ``user``."""

    def __init__(self, ws: Workspace, user: User, *, today: dt.date | None = None) -> None:
        self.ws, self.user = ws, user
        self.today = today or dt.date.today()

    def _origin(self, origin: str) -> str:
        base = origin.split(" (edited on the hub")[0]
        return f"{base} (edited on the hub by {self.user.username} on {self.today.isoformat()})"

    def _make_current(self, model: type[Any], sha256: str) -> None:
        """The version with ``sha256`` becomes the newest (an edit that returns to earlier content)."""
        with self.ws.catalogue.session() as s:
            row = s.scalar(select(model).where(model.sha256 == sha256))
            row.loaded_at = dt.datetime.now(dt.UTC)

    # --- action plans -----------------------------------------------------------------------------------------
    def governance(self) -> Governance:
        return gov_store.in_force(self.ws)

    def actions(self) -> list[dict[str, Any]]:
        """Every action with its strand, board lead, RAG and whether it is overdue, worst first."""
        return self.governance().status(self.today)

    def action(self, action_id: str) -> dict[str, Any]:
        found = next((a for a in self.actions() if a["id"] == action_id), None)
        if found is None:
            raise NotFound(f"no action {action_id!r} in the action plans", "choose one from the list of actions")
        return found

    def update_action(self, action_id: str, *, status: str | None, evidence: str | None, due: str | None) -> Governance:
        """Change an action's status, evidence and due date; the register's new version is in force."""
        self.action(action_id)
        p = Problems()
        if status not in STATUSES:
            p.add("status", f"Choose the action's status ({', '.join(STATUSES)})")
        when = p.date("due", due, "Enter the date the action is due")
        text = (evidence or "").strip()
        if len(text) > 2000:
            p.add("evidence", "Enter at most 2,000 characters of evidence")
        p.check()
        gov = self.governance()
        actions = [dataclasses.replace(a, status=status, evidence=text, due=when, updated=self.today)
                   if a.id == action_id else a for a in gov.actions]
        new = dataclasses.replace(gov, actions=actions, origin=self._origin(gov.origin))
        sha, created = gov_store.save_to_catalogue(self.ws, new)
        if not created:
            self._make_current(GovernanceVersion, sha)
        audit.record(self.ws.catalogue, actor=self.user.username, actor_role=self.user.role,
                     action="registers.action.change", object_type="action", object_id=action_id,
                     details={"status": status, "due": when.isoformat() if when else None, "register": sha})
        return new

    # --- services ---------------------------------------------------------------------------------------------
    def register(self) -> Register:
        return register_in_force(self.ws)

    def services(self) -> list[Service]:
        return list(self.register().services)

    def alerts(self) -> list[Any]:
        """Contracts ending and extension decisions due (``governance.commissioning.alerts``)."""
        return alerts(self.register(), self.today)

    def service(self, key: str) -> Service:
        found = self.register().service(key)
        if found is None:
            raise NotFound(f"no service {key!r} in the register", "choose one from the services register")
        return found

    def update_service(self, key: str, *, contract_end: str | None, extension_decision_due: str | None,
                       extension_options: str | None) -> Register:
        """Change a service's contract end, extension decision date and extension options (the dates a
        commissioner keeps up to date); the register's new version is in force."""
        old = self.service(key)
        p = Problems()
        end = p.date("contract_end", contract_end, "Enter the date the contract ends", required=False)
        decide = p.date("extension_decision_due", extension_decision_due,
                        "Enter the date the extension must be decided by", required=False)
        if old.contract_start and end and end < old.contract_start:
            p.add("contract_end", f"The contract end must be after its start ({old.contract_start:%-d %B %Y})")
        if end and decide and decide > end:
            p.add("extension_decision_due", "The extension decision must be due on or before the contract ends")
        options = (extension_options or "").strip()
        if len(options) > 500:
            p.add("extension_options", "Enter at most 500 characters")
        p.check()
        reg = self.register()
        changed = dataclasses.replace(old, contract_end=end, extension_decision_due=decide,
                                      extension_options=options or None)
        new = Register([changed if s.key == key else s for s in reg.services], self._origin(reg.origin), reg.name)
        sha, created = save_register_version(self.ws, new)
        if not created:
            self._make_current(CommissioningVersion, sha)
        audit.record(self.ws.catalogue, actor=self.user.username, actor_role=self.user.role,
                     action="registers.service.change", object_type="service", object_id=key,
                     details={"contract_end": end.isoformat() if end else None,
                              "extension_decision_due": decide.isoformat() if decide else None, "register": sha})
        return new
