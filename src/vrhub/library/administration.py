"""The hub administrator's side: organisations, users, data-sharing agreements, API tokens, the audit log with its
verification, and a preview of what the retention purge would withdraw.

:class:`Administration` is what the administrator's pages call (``Partnership.administration(user)``). Each change
of a form is checked field by field first (:class:`~vrhub.library.forms.FieldErrors`, every problem at once),
then made by one of the plain verbs (:meth:`Administration.register_organisation`, ``register_user``,
``set_active``, ``record_agreement``, ``issue_token``, ``revoke_token``) that ``vrhub hub ...`` and the JSON API
call directly, with arguments already typed. The verbs are the only place a change is audited, so the action names
(``admin.organisation.add``, ``admin.user.add``, ``admin.user.change``, ``admin.agreement.add``,
``admin.token.add``, ``admin.token.revoke``) and their details are the same whichever door was used. What an
agreement records follows the ICO's *Data sharing code of practice* (2021): the parties, purpose, lawful basis,
the data items shared, retention, and who may access the data.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from typing import Any, Protocol

from vrhub.domain.errors import Conflict, NotFound
from vrhub.domain.kinds import KINDS
from vrhub.governance.access import Role
from vrhub.governance.access import accounts as acc
from vrhub.governance.access import agreements as agr
from vrhub.governance.access.purge import Expired, purge
from vrhub.governance.access.reconcile import Reconciled, reconcile
from vrhub.library.forms import FieldErrors, Problems, lines
from vrhub.store import audit
from vrhub.store.catalogue import Partner
from vrhub.store.catalogue.models import Agreement, ApiToken, User
from vrhub.store.workspace import Workspace

SECTORS = ("police", "local authority", "health", "emergency department", "ambulance", "youth justice", "probation",
           "fire and rescue", "education", "voluntary sector", "other")
ROLE_LABELS = {Role.PARTNER_UPLOADER.value: "Partner uploader", Role.ANALYST.value: "Analyst",
               Role.BOARD_VIEWER.value: "Board viewer", Role.ADMIN.value: "Administrator"}


class Actor(Protocol):
    """Who administers: a hub ``User``, or the :class:`Operator` at the command line."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class Operator:
    """The person at the hub's own command line (``vrhub hub ...``): audited as ``cli:<operating-system user>``
    with the administrator's role; they hold the workspace itself, so no hub account is needed."""

    username: str
    role: str = Role.ADMIN.value

    @classmethod
    def at_console(cls) -> Operator:
        try:
            return cls(f"cli:{getpass.getuser()}")
        except Exception:  # no user name in this environment (getpass raises OSError or KeyError)
            return cls("cli")


def kind_labels() -> dict[str, str]:
    """The dataset kinds a partner can share under an agreement, with their labels."""
    return {k: KINDS[k].label for k in agr.SHAREABLE}


def kind_fields(kinds: list[str]) -> list[str]:
    """The canonical fields of ``kinds`` (what an agreement's "fields allowed" may name)."""
    return sorted({f.name for k in kinds if k in KINDS and KINDS[k].schema is not None
                   for f in KINDS[k].schema})  # type: ignore[union-attr]


class Administration:
    """One administrator's view of the hub.

    ``audit_reads=False`` leaves the lists (organisations, users, agreements, tokens) out of the audit log: the
    command line's operator reads the catalogue's own database, so an event would record nothing they could not
    read without it. Every change is audited whatever the door.
    """

    def __init__(self, ws: Workspace, user: Actor, *, token_max_days: int = acc.MAX_TOKEN_DAYS,
                 audit_reads: bool = True) -> None:
        self.ws, self.user, self.token_max_days, self.audit_reads = ws, user, token_max_days, audit_reads

    @property
    def catalogue(self):  # type: ignore[no-untyped-def]
        return self.ws.catalogue

    def _audit(self, action: str, **kw: Any) -> None:
        if action == "read" and not self.audit_reads:
            return
        audit.record(self.catalogue, actor=self.user.username, actor_role=self.user.role, action=action, **kw)

    # --- organisations ----------------------------------------------------------------------------------------
    def organisations(self) -> list[Partner]:
        self._audit("read", object_type="organisations")
        return sorted(self.catalogue.partners(), key=lambda p: p.name.lower())

    def add_organisation(self, name: str | None, sector: str | None = None) -> Partner:
        p = Problems()
        name = p.text("name", name, "Enter the organisation's name")
        if sector and sector not in SECTORS:
            p.add("sector", f"Choose a sector from the list ({', '.join(SECTORS)})")
        p.check()
        try:
            return self.register_organisation(name, sector or None)
        except Conflict:
            raise FieldErrors({"name": f"An organisation named {name!r} already exists: enter another name"}) from None

    def register_organisation(self, name: str, sector: str | None = None) -> Partner:
        """Register an organisation (``vrhub.governance.access.accounts.create_organisation``), audited."""
        org = acc.create_organisation(self.catalogue, name, sector)
        self._audit("admin.organisation.add", object_type="organisation", object_id=str(org.id), partner_id=org.id,
                    details={"name": org.name, "sector": org.sector})
        return org

    # --- users ------------------------------------------------------------------------------------------------
    def users(self) -> list[User]:
        self._audit("read", object_type="users")
        return acc.users(self.catalogue)

    def add_user(self, username: str | None, role: str | None, *, organisation: str | None = None,
                 password: str | None = None, display_name: str | None = None) -> User:
        p = Problems()
        username = p.text("username", username, "Enter a user name")
        if role not in ROLE_LABELS:
            p.add("role", "Choose the user's role")
        orgs = {str(o.id): o.name for o in self.catalogue.partners()}
        if organisation and organisation not in orgs:
            p.add("organisation", "Choose an organisation from the list")
        elif role == Role.PARTNER_UPLOADER and not organisation:
            p.add("organisation", "Choose the organisation a partner uploader uploads for")
        if password and len(password) < acc.MIN_PASSWORD:
            p.add("password", f"Enter a password of at least {acc.MIN_PASSWORD} characters, or leave it empty for a "
                  "user who signs in with single sign-on or a token")
        p.check()
        try:
            return self.register_user(username, str(role), password=password or None,
                                      organisation=orgs.get(organisation or ""),
                                      display_name=(display_name or "")[:200])
        except Conflict:
            raise FieldErrors({"username": f"A user named {username!r} already exists: enter another user name"}
                              ) from None

    def register_user(self, username: str, role: str, *, organisation: str | None = None, password: str | None = None,
                      display_name: str = "") -> User:
        """Add a user with a role (``accounts.create_user``: the password is kept as an Argon2 hash), audited;
        ``organisation`` is its name."""
        u = acc.create_user(self.catalogue, username, role, password=password, organisation_name=organisation,
                            display_name=display_name)
        self._audit("admin.user.add", object_type="user", object_id=u.username, partner_id=u.partner_id,
                    details={"role": u.role})
        return u

    def set_active(self, username: str, active: bool) -> User:
        """Disable (ending their sessions) or re-enable a user; a ``Conflict`` if nobody could administer after."""
        u = acc.set_active(self.catalogue, username, active)
        self._audit("admin.user.change", object_type="user", object_id=u.username, partner_id=u.partner_id,
                    details={"active": active})
        return u

    # --- agreements -------------------------------------------------------------------------------------------
    def agreements(self) -> list[Agreement]:
        self._audit("read", object_type="agreements")
        return agr.agreements(self.catalogue)

    def add_agreement(self, form: dict[str, Any]) -> Agreement:
        """Record an agreement from a form's fields (strings; ``kinds`` and ``analysts`` lists; ``fields_allowed``
        and ``supplies_for`` one per line or comma-separated)."""
        p = Problems()
        name = p.text("name", form.get("name"), "Enter a name for the agreement")
        orgs = {str(o.id): o.name for o in self.catalogue.partners()}
        org = form.get("organisation") or ""
        if org not in orgs:
            p.add("organisation", "Choose the organisation that shares the data")
        kinds = [k for k in form.get("kinds") or [] if k]
        if not kinds or any(k not in agr.SHAREABLE for k in kinds):
            p.add("kinds", "Select at least one kind of data the agreement covers")
        purpose = p.text("purpose", form.get("purpose"), "Enter the purpose of the sharing", max_length=2000)
        basis = p.text("lawful_basis", form.get("lawful_basis"), "Enter the lawful basis, for example UK GDPR "
                       "Art. 6(1)(e) and the Serious Violence Duty", max_length=2000)
        retention = p.integer("retention_days", form.get("retention_days"), "Enter how many days the data are kept",
                              low=1, high=36_500)
        start = p.date("start_date", form.get("start_date"), "Enter the date the agreement starts")
        end = p.date("end_date", form.get("end_date"), "Enter the date the agreement ends", required=False)
        if start and end and end < start:
            p.add("end_date", "The end date must be the same as or after the start date")
        allowed = lines(form.get("fields_allowed"))
        unknown = [f for f in allowed if f not in kind_fields(kinds)]
        if unknown and kinds:
            p.add("fields_allowed", f"Enter only fields of the kinds chosen ({', '.join(unknown)} are not): "
                  f"{', '.join(kind_fields(kinds))}")
        analysts = [a for a in form.get("analysts") or [] if a]
        named = {u.username for u in acc.users(self.catalogue) if u.role == Role.ANALYST}
        if any(a not in named for a in analysts):
            p.add("analysts", "Select analysts from the list")
        if name and name in {a.name for a in agr.agreements(self.catalogue)}:
            p.add("name", f"An agreement named {name!r} already exists: enter another name")
        p.check()
        assert retention is not None and start is not None  # p.check() raised otherwise
        try:
            return self.record_agreement(name, organisation=orgs[org], kinds=kinds, purpose=purpose,
                                         lawful_basis=basis, retention_days=retention, start=start, end=end,
                                         fields_allowed=allowed, analysts=analysts,
                                         supplies_for=lines(form.get("supplies_for")))
        except Conflict:
            raise FieldErrors({"name": f"An agreement named {name!r} already exists: enter another name"}) from None

    def record_agreement(self, name: str, *, organisation: str, kinds: list[str], purpose: str, lawful_basis: str,
                         retention_days: int, start: dt.date, end: dt.date | None = None,
                         fields_allowed: list[str] | None = None, analysts: list[str] | None = None,
                         supplies_for: list[str] | None = None) -> Agreement:
        """Record a data-sharing agreement (``agreements.create_agreement``), audited with all it records
        (:func:`agreement_json`)."""
        a = agr.create_agreement(self.catalogue, name, organisation_name=organisation, kinds=kinds, purpose=purpose,
                                 lawful_basis=lawful_basis, retention_days=retention_days, start=start, end=end,
                                 fields_allowed=fields_allowed or [], analysts=analysts or [],
                                 supplies_for=supplies_for or [])
        self._audit("admin.agreement.add", object_type="agreement", object_id=a.name, partner_id=a.partner_id,
                    details=agreement_json(a))
        return a

    # --- tokens -----------------------------------------------------------------------------------------------
    def tokens(self) -> list[ApiToken]:
        self._audit("read", object_type="tokens")
        return acc.tokens(self.catalogue)

    def create_token(self, username: str | None, name: str | None, days: str | None) -> acc.NewToken:
        """Make an API token; the secret is in the result only (shown once, never stored)."""
        p = Problems()
        if not username or username not in {u.username for u in acc.users(self.catalogue)}:
            p.add("username", "Choose the user the token is for")
        label = p.text("token_name", name, "Enter a name for the token, for example what will use it")
        n = p.integer("days", days, "Enter how many days the token lasts", low=1, high=self.token_max_days)
        p.check()
        assert username is not None and n is not None  # p.check() raised otherwise
        return self.issue_token(username, label, n)

    def issue_token(self, username: str, name: str, days: int) -> acc.NewToken:
        """Make an API token for ``username`` lasting ``days`` (at most ``token_max_days``), audited by its id and
        prefix; the secret is in the result only."""
        new = acc.create_token(self.catalogue, username, name, days=days, max_days=self.token_max_days)
        u = acc.user(self.catalogue, username)
        self._audit("admin.token.add", object_type="token", object_id=str(new.token.id), partner_id=u.partner_id,
                    details={"user": username, "name": name, "prefix": new.token.prefix})
        return new

    def revoke_token(self, token_id: str | int) -> ApiToken:
        if not str(token_id).isdigit():
            raise NotFound(f"no API token {token_id!r}", "choose one from the list of tokens")
        t = acc.revoke_token(self.catalogue, int(token_id))
        self._audit("admin.token.revoke", object_type="token", object_id=str(t.id))
        return t

    # --- audit and retention ----------------------------------------------------------------------------------
    def audit_log(self, *, limit: int = 200, organisation: str | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` events of the whole log (or only those about ``organisation``'s data, by name),
        newest first, each with its hash and the previous one's."""
        pid = acc.organisation(self.catalogue, organisation).id if organisation else None
        rows = [audit.to_json(e) for e in audit.latest(self.catalogue, partner_id=pid, limit=limit)]
        self._audit("read", object_type="audit_log", object_id="all" if pid is None else f"organisation {pid}",
                    partner_id=pid, details={"rows": len(rows), "format": "html"})
        return rows[::-1]

    def verify_audit(self, expect_head: str | None = None) -> audit.Verification:
        """Recompute the whole hash chain (``vrhub.store.audit.verify``); with ``expect_head``, also check that a
        head hash recorded earlier is still in it (rows cut off the end show only so). Audited as ``audit.verify``
        unless reads are not audited (the command line: a row added after the check would move the head it
        reports and writes to its head file)."""
        head = (expect_head or "").strip().lower() or None
        if head is not None and (len(head) != 64 or any(c not in "0123456789abcdef" for c in head)):
            raise FieldErrors({"expect_head": "Enter the head hash as it was recorded: 64 characters, 0-9 and a-f"})
        found = audit.verify(self.catalogue, expect_head=head)
        if self.audit_reads:
            self._audit("audit.verify", outcome="ok" if found.ok else "failed", object_type="audit_log",
                        object_id="all", details={"rows": found.rows, "head": found.head, "bad_id": found.bad_id})
        return found

    def purge_preview(self, on: dt.date | None = None) -> list[Expired]:
        """What the retention purge would withdraw on ``on`` (default today): nothing is changed."""
        found = purge(self.ws, today=on or dt.date.today(), actor=self.user.username, dry_run=True)
        self._audit("read", object_type="purge_preview", data_version=[e.dataset_id for e in found],
                    details={"on": (on or dt.date.today()).isoformat(), "versions": len(found)})
        return found

    def purge(self, on: dt.date | None = None) -> list[Expired]:
        """Withdraw the versions past their agreement's retention on ``on`` (default today); each purge is
        audited by ``vrhub.governance.access.purge``."""
        return purge(self.ws, today=on, actor=self.user.username, dry_run=False)

    def reconcile(self) -> list[Reconciled]:
        """Account for versions a hub stopped mid-load published (``vrhub.governance.access.reconcile``)."""
        return reconcile(self.ws, actor=self.user.username)


def token_state(t: ApiToken, now: dt.datetime | None = None) -> str:
    """``revoked``, ``expired`` or ``active`` (a token past the hub's ``token_max_days`` is refused when used)."""
    if t.revoked_at is not None:
        return "revoked"
    if t.expires_at is not None and t.expires_at <= (now or dt.datetime.now(dt.UTC)):
        return "expired"
    return "active"


def agreement_json(a: Agreement) -> dict[str, Any]:
    """An agreement as the audit log and the API record it."""
    return {"id": a.id, "name": a.name, "organisation_id": a.partner_id, "kinds": a.kinds, "purpose": a.purpose,
            "lawful_basis": a.lawful_basis, "fields_allowed": a.fields_allowed, "supplies_for": a.supplies_for,
            "retention_days": a.retention_days,
            "start_date": a.start_date.isoformat(), "end_date": a.end_date.isoformat() if a.end_date else None,
            "analysts": [u.username for u in a.analysts]}

