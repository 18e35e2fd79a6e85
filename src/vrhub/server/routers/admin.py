"""Administration: organisations, users, data-sharing agreements and API tokens (every change audited; a change
that fails is audited by the error handler). Disabling the last administrator who can sign in, or revoking their
last token, is refused (409): nobody could administer the hub afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from vrhub.governance.access import Permission
from vrhub.governance.access import accounts as acc
from vrhub.governance.access import agreements as agr
from vrhub.server.dependencies import Hub, Principal, get_hub, record, require

router = APIRouter(prefix="/api/admin", tags=["administration"])
ADMIN = Depends(require(Permission.ADMIN))


class NewOrganisation(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    sector: str | None = Field(None, max_length=50)


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    role: str
    organisation: str | None = None
    password: str | None = Field(None, max_length=1024)
    display_name: str = Field("", max_length=200)


class UserChange(BaseModel):
    active: bool


class NewAgreement(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    organisation: str
    kinds: list[str]
    purpose: str
    lawful_basis: str
    retention_days: int = Field(ge=1, le=36_500)
    start_date: dt.date
    end_date: dt.date | None = None
    fields_allowed: list[str] = []
    analysts: list[str] = []
    supplies_for: list[str] = Field([], description="forces, trusts, ED sites or services (as the rows name them) "
                                    "whose rows the organisation may upload under it, besides its own")


class NewToken(BaseModel):
    username: str
    name: str = Field(min_length=1, max_length=200)
    days: int = Field(365, ge=1, description="days until it expires (at most the hub's token_max_days)")


def org_json(p: Any) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "sector": p.sector}


def user_json(u: Any) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "organisation_id": u.partner_id, "active": u.active, "has_password": bool(u.password_hash)}


def agreement_json(a: Any) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "organisation_id": a.partner_id, "kinds": a.kinds, "purpose": a.purpose,
            "lawful_basis": a.lawful_basis, "fields_allowed": a.fields_allowed, "supplies_for": a.supplies_for,
            "retention_days": a.retention_days,
            "start_date": a.start_date.isoformat(), "end_date": a.end_date.isoformat() if a.end_date else None,
            "analysts": [u.username for u in a.analysts]}


def token_json(t: Any) -> dict[str, Any]:
    return {"id": t.id, "user_id": t.user_id, "name": t.name, "prefix": t.prefix,
            "created_at": t.created_at.isoformat() if t.created_at else None,
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}


@router.get("/organisations")
def list_organisations(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every organisation (partner)."""
    record(hub, principal, "read", object_type="organisations")
    return [org_json(p) for p in hub.ws.catalogue.partners()]


@router.post("/organisations", status_code=201)
def add_organisation(body: NewOrganisation, hub: Hub = Depends(get_hub), principal: Principal = ADMIN
                     ) -> dict[str, Any]:
    """Register an organisation."""
    p = acc.create_organisation(hub.ws.catalogue, body.name, body.sector)
    record(hub, principal, "admin.organisation.add", object_type="organisation", object_id=str(p.id),
           partner_id=p.id, details={"name": p.name, "sector": p.sector})
    return org_json(p)


@router.get("/users")
def list_users(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every user (never a password hash)."""
    record(hub, principal, "read", object_type="users")
    return [user_json(u) for u in acc.users(hub.ws.catalogue)]


@router.post("/users", status_code=201)
def add_user(body: NewUser, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Add a user with a role (partner uploaders belong to an organisation)."""
    u = acc.create_user(hub.ws.catalogue, body.username, body.role, password=body.password,
                        organisation_name=body.organisation, display_name=body.display_name)
    record(hub, principal, "admin.user.add", object_type="user", object_id=u.username, partner_id=u.partner_id,
           details={"role": u.role})
    return user_json(u)


@router.patch("/users/{username}")
def change_user(username: str, body: UserChange, hub: Hub = Depends(get_hub), principal: Principal = ADMIN
                ) -> dict[str, Any]:
    """Disable (ends their sessions) or re-enable a user."""
    u = acc.set_active(hub.ws.catalogue, username, body.active)
    record(hub, principal, "admin.user.change", object_type="user", object_id=u.username, partner_id=u.partner_id,
           details={"active": body.active})
    return user_json(u)


@router.get("/agreements")
def list_agreements(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every data-sharing agreement."""
    record(hub, principal, "read", object_type="agreements")
    return [agreement_json(a) for a in agr.agreements(hub.ws.catalogue)]


@router.post("/agreements", status_code=201)
def add_agreement(body: NewAgreement, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Record a data-sharing agreement."""
    a = agr.create_agreement(
        hub.ws.catalogue, body.name, organisation_name=body.organisation, kinds=body.kinds, purpose=body.purpose,
        lawful_basis=body.lawful_basis, retention_days=body.retention_days, start=body.start_date,
        end=body.end_date, fields_allowed=body.fields_allowed, analysts=body.analysts, supplies_for=body.supplies_for)
    record(hub, principal, "admin.agreement.add", object_type="agreement", object_id=a.name, partner_id=a.partner_id,
           details=agreement_json(a))
    return agreement_json(a)


@router.get("/tokens")
def list_tokens(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every API token (its prefix only: the token itself is never stored)."""
    record(hub, principal, "read", object_type="tokens")
    return [token_json(t) for t in acc.tokens(hub.ws.catalogue)]


@router.post("/tokens", status_code=201)
def add_token(body: NewToken, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Make an API token for a user; the response is the only time the token is shown."""
    new = acc.create_token(hub.ws.catalogue, body.username, body.name, days=body.days,
                           max_days=hub.settings.token_max_days)
    u = acc.user(hub.ws.catalogue, body.username)
    record(hub, principal, "admin.token.add", object_type="token", object_id=str(new.token.id),
           partner_id=u.partner_id, details={"user": body.username, "name": body.name, "prefix": new.token.prefix})
    return {**token_json(new.token), "token": new.secret}


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Revoke an API token (it stops working at once)."""
    t = acc.revoke_token(hub.ws.catalogue, token_id)
    record(hub, principal, "admin.token.revoke", object_type="token", object_id=str(t.id))
    return token_json(t)
