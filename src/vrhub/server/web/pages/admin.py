"""The administrator's pages (each route takes exactly one ``page_require(Permission.X)``, the permission of the
API operation it performs): organisations, users, data-sharing agreements, API tokens (a new token is shown once),
the audit log with its verification, a purge preview; and the registers (action plans, the services' contracts),
which the roles that own them edit (``Permission.ACTIONS_EDIT``, ``SERVICES_EDIT``: analysts and administrators).
Every page calls :mod:`vrhub.library.administration` or :mod:`vrhub.library.registers`; nothing is decided here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from vrhub.governance.access import Permission
from vrhub.governance.registers import STATUSES
from vrhub.library.administration import (
    ROLE_LABELS,
    SECTORS,
    Administration,
    kind_fields,
    kind_labels,
    token_state,
)
from vrhub.library.forms import FieldErrors
from vrhub.library.registers import Registers
from vrhub.server.dependencies import Hub, Principal, get_hub
from vrhub.server.web.auth import page_require
from vrhub.server.web.render import flash, render

router = APIRouter(include_in_schema=False)
ADMIN = Permission.ADMIN


def administration(hub: Hub, principal: Principal) -> Administration:
    return Administration(hub.ws, principal.user, token_max_days=hub.settings.token_max_days)


def registers(hub: Hub, principal: Principal) -> Registers:
    return Registers(hub.ws, principal.user)


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form: each field's value, and lists for the fields a form sends more than once."""
    form = await request.form()
    return {k: (form.getlist(k) if k in ("kinds", "analysts") else str(form.get(k) or "")) for k in form}


def done(url: str, message: str) -> Response:
    return flash(RedirectResponse(url, status_code=303), message)


@router.get("/admin")
def home(request: Request, hub: Hub = Depends(get_hub),
         principal: Principal = Depends(page_require(ADMIN))) -> Response:
    """The administrator's task list: what there is, and where to change it."""
    a = administration(hub, principal)
    counts = {"organisations": len(a.organisations()), "users": len(a.users()), "agreements": len(a.agreements()),
              "tokens": sum(1 for t in a.tokens() if t.revoked_at is None)}
    return render(request, "admin/home.html", counts=counts, expiring=len(a.purge_preview()))


# --- organisations -------------------------------------------------------------------------------------------
def _organisations(request: Request, a: Administration, status_code: int = 200, **ctx: Any) -> Response:
    return render(request, "admin/organisations.html", status_code=status_code, organisations=a.organisations(),
                  sectors=SECTORS, **ctx)


@router.get("/admin/organisations")
def organisations(request: Request, hub: Hub = Depends(get_hub),
                  principal: Principal = Depends(page_require(ADMIN))) -> Response:
    return _organisations(request, administration(hub, principal))


@router.post("/admin/organisations")
async def add_organisation(request: Request, hub: Hub = Depends(get_hub),
                           principal: Principal = Depends(page_require(ADMIN))) -> Response:
    form, a = await form_of(request), administration(hub, principal)
    try:
        org = a.add_organisation(form.get("name"), form.get("sector"))
    except FieldErrors as exc:
        return _organisations(request, a, 400, errors=exc.fields, form=form)
    return done("/admin/organisations", f"Organisation added: {org.name}.")


# --- users ---------------------------------------------------------------------------------------------------
def _users(request: Request, a: Administration, status_code: int = 200, **ctx: Any) -> Response:
    return render(request, "admin/users.html", status_code=status_code, users=a.users(),
                  organisations=a.organisations(), roles=ROLE_LABELS, **ctx)


@router.get("/admin/users")
def users(request: Request, hub: Hub = Depends(get_hub),
          principal: Principal = Depends(page_require(ADMIN))) -> Response:
    return _users(request, administration(hub, principal))


@router.post("/admin/users")
async def add_user(request: Request, hub: Hub = Depends(get_hub),
                   principal: Principal = Depends(page_require(ADMIN))) -> Response:
    form, a = await form_of(request), administration(hub, principal)
    try:
        u = a.add_user(form.get("username"), form.get("role"), organisation=form.get("organisation"),
                       password=form.get("password"), display_name=form.get("display_name"))
    except FieldErrors as exc:
        return _users(request, a, 400, errors=exc.fields, form={k: v for k, v in form.items() if k != "password"})
    return done("/admin/users", f"User added: {u.username} ({ROLE_LABELS[u.role].lower()}).")


@router.post("/admin/users/{username}/active")
async def set_active(username: str, request: Request, hub: Hub = Depends(get_hub),
                     principal: Principal = Depends(page_require(ADMIN))) -> Response:
    form = await form_of(request)
    u = administration(hub, principal).set_active(username, form.get("active") == "true")
    return done("/admin/users", f"{u.username} is {'enabled' if u.active else 'disabled (their sessions ended)'}.")


# --- agreements ----------------------------------------------------------------------------------------------
@router.get("/admin/agreements")
def agreements(request: Request, hub: Hub = Depends(get_hub),
               principal: Principal = Depends(page_require(ADMIN))) -> Response:
    return render(request, "admin/agreements.html", agreements=administration(hub, principal).agreements(),
                  labels=kind_labels())


def _new_agreement(request: Request, a: Administration, status_code: int = 200, **ctx: Any) -> Response:
    kinds = kind_labels()
    return render(request, "admin/agreement_new.html", status_code=status_code, organisations=a.organisations(),
                  kinds=kinds, fields_by_kind={k: kind_fields([k]) for k in kinds},
                  analysts=[u for u in a.users() if u.role == "analyst"], **ctx)


@router.get("/admin/agreements/new")
def new_agreement(request: Request, hub: Hub = Depends(get_hub),
                  principal: Principal = Depends(page_require(ADMIN))) -> Response:
    return _new_agreement(request, administration(hub, principal), form={"retention_days": "365"})


@router.post("/admin/agreements")
async def add_agreement(request: Request, hub: Hub = Depends(get_hub),
                        principal: Principal = Depends(page_require(ADMIN))) -> Response:
    form, a = await form_of(request), administration(hub, principal)
    try:
        made = a.add_agreement(form)
    except FieldErrors as exc:
        return _new_agreement(request, a, 400, errors=exc.fields, form=form)
    return done("/admin/agreements", f"Agreement recorded: {made.name}. Its organisation can upload under it now.")


# --- tokens --------------------------------------------------------------------------------------------------
def _tokens(request: Request, a: Administration, status_code: int = 200, **ctx: Any) -> Response:
    return render(request, "admin/tokens.html", status_code=status_code, tokens=a.tokens(), users=a.users(),
                  max_days=a.token_max_days, token_state=token_state, **ctx)


@router.get("/admin/tokens")
def tokens(request: Request, hub: Hub = Depends(get_hub),
           principal: Principal = Depends(page_require(ADMIN))) -> Response:
    return _tokens(request, administration(hub, principal), form={"days": "90"})


@router.post("/admin/tokens")
async def add_token(request: Request, hub: Hub = Depends(get_hub),
                    principal: Principal = Depends(page_require(ADMIN))) -> Response:
    form, a = await form_of(request), administration(hub, principal)
    try:
        new = a.create_token(form.get("username"), form.get("token_name"), form.get("days"))
    except FieldErrors as exc:
        return _tokens(request, a, 400, errors=exc.fields, form=form)
    return _tokens(request, a, new=new, form={"days": "90"})  # the only time the secret is shown: not a redirect


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke_token(token_id: str, hub: Hub = Depends(get_hub),
                       principal: Principal = Depends(page_require(ADMIN))) -> Response:
    t = administration(hub, principal).revoke_token(token_id)
    return done("/admin/tokens", f"Token {t.prefix}… revoked: it stopped working at once.")


# --- audit and retention -------------------------------------------------------------------------------------
@router.get("/admin/audit")
def audit_log(request: Request, expect_head: str = "", verify: str = "", hub: Hub = Depends(get_hub),
              principal: Principal = Depends(page_require(Permission.AUDIT_READ_ALL))) -> Response:
    """The newest events of the whole log; with ``verify``, the chain recomputed (and a recorded head checked)."""
    a = administration(hub, principal)
    checked, errors = None, None
    if verify:
        try:
            checked = a.verify_audit(expect_head)
        except FieldErrors as exc:
            errors = exc.fields
    return render(request, "admin/audit.html", status_code=400 if errors else 200, rows=a.audit_log(),
                  checked=checked, errors=errors, expect_head=expect_head)


@router.get("/admin/purge")
def purge_preview(request: Request, hub: Hub = Depends(get_hub),
                  principal: Principal = Depends(page_require(ADMIN))) -> Response:
    """What the retention purge would withdraw today (nothing is changed: ``vrhub hub purge`` does it)."""
    return render(request, "admin/purge.html", expired=administration(hub, principal).purge_preview())


# --- registers -----------------------------------------------------------------------------------------------
@router.get("/registers/actions")
def actions(request: Request, hub: Hub = Depends(get_hub),
            principal: Principal = Depends(page_require(Permission.ACTIONS_EDIT))) -> Response:
    r = registers(hub, principal)
    return render(request, "admin/actions.html", actions=r.actions(), origin=r.governance().origin)


@router.get("/registers/actions/{action_id}")
def action_form(action_id: str, request: Request, hub: Hub = Depends(get_hub),
                principal: Principal = Depends(page_require(Permission.ACTIONS_EDIT))) -> Response:
    a = registers(hub, principal).action(action_id)
    return render(request, "admin/action_edit.html", a=a, statuses=STATUSES,
                  form={"status": a["status"], "evidence": a["evidence"], "due": a["due"].isoformat()})


@router.post("/registers/actions/{action_id}")
async def update_action(action_id: str, request: Request, hub: Hub = Depends(get_hub),
                        principal: Principal = Depends(page_require(Permission.ACTIONS_EDIT))) -> Response:
    form, r = await form_of(request), registers(hub, principal)
    try:
        r.update_action(action_id, status=form.get("status"), evidence=form.get("evidence"), due=form.get("due"))
    except FieldErrors as exc:
        return render(request, "admin/action_edit.html", status_code=400, a=r.action(action_id), statuses=STATUSES,
                      form=form, errors=exc.fields)
    return done("/registers/actions", f"Action {action_id} updated; its RAG follows from its status and dates.")


@router.get("/registers/services")
def services(request: Request, hub: Hub = Depends(get_hub),
             principal: Principal = Depends(page_require(Permission.SERVICES_EDIT))) -> Response:
    r = registers(hub, principal)
    return render(request, "admin/services.html", services=r.services(), alerts=r.alerts())


@router.get("/registers/services/{key}")
def service_form(key: str, request: Request, hub: Hub = Depends(get_hub),
                 principal: Principal = Depends(page_require(Permission.SERVICES_EDIT))) -> Response:
    s = registers(hub, principal).service(key)
    form = {"contract_end": s.contract_end.isoformat() if s.contract_end else "",
            "extension_decision_due": s.extension_decision_due.isoformat() if s.extension_decision_due else "",
            "extension_options": s.extension_options or ""}
    return render(request, "admin/service_edit.html", s=s, form=form)


@router.post("/registers/services/{key}")
async def update_service(key: str, request: Request, hub: Hub = Depends(get_hub),
                         principal: Principal = Depends(page_require(Permission.SERVICES_EDIT))) -> Response:
    form, r = await form_of(request), registers(hub, principal)
    try:
        r.update_service(key, contract_end=form.get("contract_end"),
                         extension_decision_due=form.get("extension_decision_due"),
                         extension_options=form.get("extension_options"))
    except FieldErrors as exc:
        return render(request, "admin/service_edit.html", status_code=400, s=r.service(key), form=form,
                      errors=exc.fields)
    return done("/registers/services", f"Service {key} updated.")
