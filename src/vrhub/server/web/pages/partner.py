"""The partner uploader's pages (each route takes exactly one ``page_require(Permission.X)``, the permission of
the API operation it performs): upload under an agreement (with a progress bar when JavaScript runs), the load
report, quarantined rows and their CSV, the organisation's data and withdrawing a version, and the audit trail of
its data. Every page calls :class:`vrhub.library.sharing.Sharing`; nothing is decided here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from vrhub.domain.kinds import KINDS
from vrhub.governance.access import Permission
from vrhub.library.forms import FieldErrors
from vrhub.library.sharing import KIND_CHOICES, Sharing
from vrhub.server.dependencies import Hub, Principal, get_hub
from vrhub.server.routers.analysis import forget_profiles
from vrhub.server.web import work
from vrhub.server.web.auth import page_require
from vrhub.server.web.render import flash, render

router = APIRouter(include_in_schema=False)
LABELS = {k: v.label for k, v in KINDS.items()}
#: the page upload's path (its body is limited by ``max_upload_bytes``, not the small limit of other requests)
UPLOAD_PATH = "/partner/upload"


def sharing(hub: Hub, principal: Principal) -> Sharing:
    return Sharing(hub.ws, principal.user, max_upload_bytes=hub.settings.max_upload_bytes)


def _home(request: Request, s: Sharing, *, status_code: int = 200, **ctx: Any) -> Response:
    return render(request, "partner/home.html", status_code=status_code, agreements=s.agreements_in_force(),
                  uploads=s.uploads(), labels=LABELS, kind_choices=KIND_CHOICES,
                  organisation=s.user.partner.name if s.user.partner else "",
                  max_mb=f"{s.limit / (1 << 20):,.0f}", **ctx)


@router.get("/partner")
def home(request: Request, hub: Hub = Depends(get_hub),
         principal: Principal = Depends(page_require(Permission.UPLOADS_READ))) -> Response:
    """Upload a file, and the organisation's uploads."""
    return _home(request, sharing(hub, principal))


@router.post(UPLOAD_PATH)
async def upload(request: Request, hub: Hub = Depends(get_hub),
                 principal: Principal = Depends(page_require(Permission.UPLOAD))) -> Response:
    """Receive the form's file and keep it (``Sharing.store``), then answer at once with the job that loads it
    (``/jobs/{id}``: stage and progress, then the load report); or the form again with what to correct."""
    from fastapi.concurrency import run_in_threadpool

    form = await request.form()
    file = form.get("file")
    s = sharing(hub, principal)
    chosen, kind = str(form.get("agreement") or ""), str(form.get("kind") or "")
    has_file = isinstance(file, UploadFile) and bool(file.filename)
    try:
        stored = await run_in_threadpool(s.store, file.file if has_file else None,  # type: ignore[union-attr]
                                         file.filename if has_file else "", agreement=chosen or None,  # type: ignore
                                         kind=kind or None)
    except FieldErrors as exc:
        return _home(request, s, status_code=400, errors=exc.fields, chosen=chosen, kind=kind)
    finally:
        await form.close()
    job = work.upload_job(request, principal, s, stored)
    return RedirectResponse(f"/jobs/{job.id}?back=/partner", status_code=303)


@router.get("/partner/uploads/{upload_id}")
def load_report(upload_id: str, request: Request, hub: Hub = Depends(get_hub),
                principal: Principal = Depends(page_require(Permission.UPLOADS_READ))) -> Response:
    """What came of one upload: rows read = accepted + quarantined, supply warnings, revisions, versions."""
    s = sharing(hub, principal)
    report = s.load_report(upload_id)
    names = {a.id: a.name for a in s.agreements()}
    used = sorted({names.get(i, str(i)) for i in (report.report.get("agreements") or {}).values()}
                  or ({names.get(report.upload.agreement_id, "")} - {""}))
    return render(request, "partner/upload.html", r=report, labels=LABELS, agreement_names=used)


@router.get("/partner/datasets")
def datasets(request: Request, hub: Hub = Depends(get_hub),
             principal: Principal = Depends(page_require(Permission.DATASETS_READ))) -> Response:
    """The organisation's data versions, with their quarantine and a way to withdraw each."""
    s = sharing(hub, principal)
    return render(request, "partner/datasets.html", datasets=s.datasets(), labels=LABELS,
                  organisation=s.user.partner.name if s.user.partner else "")


@router.get("/partner/datasets/{dataset_id}/quarantine")
def quarantine(dataset_id: str, request: Request, hub: Hub = Depends(get_hub),
               principal: Principal = Depends(page_require(Permission.QUARANTINE_READ))) -> Response:
    """A version's quarantined rows, each with its line in the file and why."""
    q = sharing(hub, principal).quarantine(dataset_id)
    back = request.headers.get("referer", "")
    return render(request, "partner/quarantine.html", q=q,
                  back=back if back.startswith(str(request.base_url)) else "/partner/datasets")


@router.get("/partner/datasets/{dataset_id}/quarantine.csv")
def quarantine_csv(dataset_id: str, hub: Hub = Depends(get_hub),
                   principal: Principal = Depends(page_require(Permission.QUARANTINE_READ))) -> Response:
    """Every quarantined row of a version as CSV (cells a spreadsheet would run as a formula neutralised)."""
    name, text = sharing(hub, principal).quarantine_csv(dataset_id)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/partner/datasets/{dataset_id}/withdraw")
def withdraw_form(dataset_id: str, request: Request, hub: Hub = Depends(get_hub),
                  principal: Principal = Depends(page_require(Permission.DATASETS_WITHDRAW))) -> Response:
    """Ask why before withdrawing a version."""
    d = sharing(hub, principal).dataset(dataset_id)
    return render(request, "partner/withdraw.html", d=d)


@router.post("/partner/datasets/{dataset_id}/withdraw")
async def withdraw(dataset_id: str, request: Request, hub: Hub = Depends(get_hub),
                   principal: Principal = Depends(page_require(Permission.DATASETS_WITHDRAW))) -> Response:
    """Withdraw a version of the organisation's (recorded with the reason and audited)."""
    form = await request.form()
    reason = str(form.get("reason") or "")
    s = sharing(hub, principal)
    try:
        d = s.withdraw(dataset_id, reason)
    except FieldErrors as exc:
        return render(request, "partner/withdraw.html", status_code=400, d=s.dataset(dataset_id),
                      errors=exc.fields, reason=reason)
    forget_profiles(hub)
    return flash(RedirectResponse("/partner/datasets", status_code=303),
                 f"Withdrawn: {d.source_file} ({d.id}) is no longer read.")


@router.get("/partner/datasets/{dataset_id}/restore")
def restore_form(dataset_id: str, request: Request, hub: Hub = Depends(get_hub),
                 principal: Principal = Depends(page_require(Permission.DATASETS_WITHDRAW))) -> Response:
    """Confirm before restoring a version the organisation withdrew (or say why it cannot be restored)."""
    s = sharing(hub, principal)
    try:
        d, errors = s.restorable(dataset_id), None
    except FieldErrors as exc:
        d, errors = s.dataset(dataset_id), exc.fields
    return render(request, "partner/restore.html", status_code=400 if errors else 200, d=d, errors=errors)


@router.post("/partner/datasets/{dataset_id}/restore")
async def restore(dataset_id: str, request: Request, hub: Hub = Depends(get_hub),
                  principal: Principal = Depends(page_require(Permission.DATASETS_WITHDRAW))) -> Response:
    """Restore a version the organisation withdrew (``Partnership.restore``, audited): the hub reads it again."""
    s = sharing(hub, principal)
    try:
        d = s.restore(dataset_id)
    except FieldErrors as exc:
        return render(request, "partner/restore.html", status_code=400, d=s.dataset(dataset_id), errors=exc.fields)
    forget_profiles(hub)
    return flash(RedirectResponse("/partner/datasets", status_code=303),
                 f"Restored: {d.source_file} ({d.id}) is read again.")


@router.get("/partner/audit")
def audit_trail(request: Request, hub: Hub = Depends(get_hub),
                principal: Principal = Depends(page_require(Permission.AUDIT_READ_OWN))) -> Response:
    """The audit trail of the organisation's data."""
    s = sharing(hub, principal)
    return render(request, "partner/audit.html", rows=s.audit_trail(),
                  organisation=s.user.partner.name if s.user.partner else "")
