"""Administration: organisations, users, data-sharing agreements and API tokens (every change audited; a change
that fails is audited by the error handler). Each route is one call of the library's
:class:`~vrhub.library.administration.Administration`, as ``vrhub hub ...`` and the web administrator's pages are,
so the three leave the same audit rows. Disabling the last administrator who can sign in, or revoking their
last token, is refused (409): nobody could administer the hub afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from vrhub.governance.access import Permission
from vrhub.library import Partnership
from vrhub.library.administration import Administration, agreement_json
from vrhub.server.dependencies import Hub, Principal, get_hub, require

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


def token_json(t: Any) -> dict[str, Any]:
    return {"id": t.id, "user_id": t.user_id, "name": t.name, "prefix": t.prefix,
            "created_at": t.created_at.isoformat() if t.created_at else None,
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}


def administration(hub: Hub, principal: Principal) -> Administration:
    """The library's administrator side for the signed-in administrator."""
    return Partnership(hub.ws).administration(principal.user, token_max_days=hub.settings.token_max_days)


@router.get("/organisations")
def list_organisations(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every organisation (partner)."""
    return [org_json(p) for p in administration(hub, principal).organisations()]


@router.post("/organisations", status_code=201)
def add_organisation(body: NewOrganisation, hub: Hub = Depends(get_hub), principal: Principal = ADMIN
                     ) -> dict[str, Any]:
    """Register an organisation."""
    return org_json(administration(hub, principal).register_organisation(body.name, body.sector))


@router.get("/users")
def list_users(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every user (never a password hash)."""
    return [user_json(u) for u in administration(hub, principal).users()]


@router.post("/users", status_code=201)
def add_user(body: NewUser, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Add a user with a role (partner uploaders belong to an organisation)."""
    return user_json(administration(hub, principal).register_user(
        body.username, body.role, password=body.password, organisation=body.organisation,
        display_name=body.display_name))


@router.patch("/users/{username}")
def change_user(username: str, body: UserChange, hub: Hub = Depends(get_hub), principal: Principal = ADMIN
                ) -> dict[str, Any]:
    """Disable (ends their sessions) or re-enable a user."""
    return user_json(administration(hub, principal).set_active(username, body.active))


@router.get("/agreements")
def list_agreements(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every data-sharing agreement."""
    return [agreement_json(a) for a in administration(hub, principal).agreements()]


@router.post("/agreements", status_code=201)
def add_agreement(body: NewAgreement, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Record a data-sharing agreement."""
    return agreement_json(administration(hub, principal).record_agreement(
        body.name, organisation=body.organisation, kinds=body.kinds, purpose=body.purpose,
        lawful_basis=body.lawful_basis, retention_days=body.retention_days, start=body.start_date, end=body.end_date,
        fields_allowed=body.fields_allowed, analysts=body.analysts, supplies_for=body.supplies_for))


@router.get("/tokens")
def list_tokens(hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> list[dict[str, Any]]:
    """Every API token (its prefix only: the token itself is never stored)."""
    return [token_json(t) for t in administration(hub, principal).tokens()]


@router.post("/tokens", status_code=201)
def add_token(body: NewToken, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Make an API token for a user; the response is the only time the token is shown."""
    new = administration(hub, principal).issue_token(body.username, body.name, body.days)
    return {**token_json(new.token), "token": new.secret}


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, hub: Hub = Depends(get_hub), principal: Principal = ADMIN) -> dict[str, Any]:
    """Revoke an API token (it stops working at once)."""
    return token_json(administration(hub, principal).revoke_token(token_id))
