"""Partner uploads: stream a file (CSV, XLSX or zip, sent as its own type or as bytes) to a temporary file under a
size limit, and hand it to the library (``vrhub.governance.access.uploads.receive``), which judges every member
against the organisation's agreements, loads it with the CLI's loader and audits each step. Refusals made here
(wrong type, too large, empty) are audited here."""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
from typing import Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from vrhub.domain.errors import UsageError, VrhubError
from vrhub.governance.access import AgreementMissing, Permission
from vrhub.governance.access import uploads as hub_uploads
from vrhub.library import Partnership
from vrhub.library.sharing import SUFFIXES, clean_filename
from vrhub.server.dependencies import Hub, Principal, get_hub, http_error, record, require
from vrhub.server.errors import error_body
from vrhub.server.routers.analysis import forget_profiles, loading

router = APIRouter(tags=["uploads"])
#: the file types the sources read, by the name's suffix, and the Content-Types each may be sent as
#: (application/octet-stream, "just bytes", for any of them: the file is then classified by its content)
TYPES = {".csv": ("text/csv", "application/csv", "application/vnd.ms-excel"),
         ".zip": ("application/zip", "application/x-zip-compressed"),
         ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)}
ANY_TYPE = "application/octet-stream"


def safe_filename(name: str) -> str:
    """The file's own name (no folders), with anything but letters, digits, '.', '_' and '-' replaced (the library's
    ``clean_filename``, as the upload page uses it); 415 unless it is a .csv, .xlsx or .zip file."""
    try:
        return clean_filename(name)
    except UsageError as exc:
        raise http_error(415, exc.message, "upload police.uk, ISTV or partner CSV or Excel files, or a .zip of them, "
                         "and give the file's name in ?filename=") from None


def content_type_problem(name: str, content_type: str | None) -> str | None:
    """Why a body sent as ``content_type`` cannot be the file ``name`` (None when it can)."""
    media = (content_type or "").split(";")[0].strip().lower()
    allowed = TYPES[next(x for x in SUFFIXES if name.lower().endswith(x))]
    if media == ANY_TYPE or media in allowed:
        return None
    return (f"a {name.rsplit('.', 1)[-1]} file is sent as {ANY_TYPE} or {', '.join(allowed)}, not "
            f"{media or 'no Content-Type'}")


BODY = {"requestBody": {"required": True, "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                      for t in dict.fromkeys((ANY_TYPE, *sum(TYPES.values(), ())))}}}


def _refuse(hub: Hub, principal: Principal, status: int, reason: str, message: str, what_to_do: str,
            **details: Any) -> Exception:
    record(hub, principal, "upload", outcome="refused", object_type="upload", object_id=details.pop("name", ""),
           partner_id=principal.partner_id, details={"reason": reason, **details})
    return http_error(status, message, what_to_do, audited=True)


@router.post("/api/uploads", status_code=201, openapi_extra=BODY)
async def upload(
    request: Request,
    filename: str = Query(..., min_length=1, max_length=300, description="The file's name, e.g. "
                          "2024-01-kent-street.csv, an ISTV return .xlsx, or a police.uk download .zip"),
    kind: str | None = Query(None, description="street | outcomes | stop-search | istv | ambulance | "
                                            "youth-justice | education (default: from the header)"),
    hub: Hub = Depends(get_hub),
    principal: Principal = Depends(require(Permission.UPLOAD)),
) -> JSONResponse:
    """Upload one file as the body (``Content-Type: application/octet-stream``, or the file's own type). Every
    member of it is read before anything is loaded: refused whole (403) when a member's kind is not covered by
    an agreement in force for your organisation, has fields the agreement does not allow, or has rows of another
    organisation; (422) when a member cannot be read or classified. Otherwise loaded; the load report returned."""
    try:
        name = safe_filename(filename)
    except HTTPException as exc:
        raise _refuse(hub, principal, 415, "not a file type the sources read", exc.detail["message"],
                      exc.detail["what_to_do"], name=filename[:200]) from None
    problem = content_type_problem(name, request.headers.get("content-type"))
    if problem:
        raise _refuse(hub, principal, 415, "wrong Content-Type", f"{name}: {problem}",
                      f"send the file with 'Content-Type: {ANY_TYPE}' (or its own type)", name=name,
                      content_type=request.headers.get("content-type", "")[:100])
    limit = hub.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _refuse(hub, principal, 413, "too large", f"the upload is {int(declared):,} bytes; the limit is "
                      f"{limit:,}", "split the data into smaller files (e.g. one month each)", name=name,
                      bytes=int(declared))
    upload_id = hub_uploads.new_upload_id()
    incoming = hub.ws.home / "incoming"
    incoming.mkdir(exist_ok=True)
    folder = tempfile.mkdtemp(prefix=f"{upload_id}-", dir=incoming)
    try:
        path = (incoming / folder / name)
        digest, size = hashlib.sha256(), 0
        with open(path, "wb") as f:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _refuse(hub, principal, 413, "too large", f"the upload is larger than the limit of "
                                  f"{limit:,} bytes", "split the data into smaller files (e.g. one month each)",
                                  name=upload_id, filename=name)
                digest.update(chunk)
                f.write(chunk)
        if size == 0:
            raise _refuse(hub, principal, 422, "empty", "the upload is empty",
                          "send the file's bytes as the request body", name=upload_id, filename=name)
        receive = functools.partial(hub_uploads.receive, hub.ws, principal.user, path, upload_id=upload_id,
                                    filename=name, sha256=digest.hexdigest(), size=size, kind=kind)
        try:
            with loading(hub):
                outcome = await anyio.to_thread.run_sync(functools.partial(hub.in_an_upload_slot, receive))
        except (VrhubError, ValueError) as exc:  # the whole upload cannot be read (e.g. a zip bomb): audited
            message = hub_uploads.public_text(exc.message if isinstance(exc, VrhubError) else str(exc), hub.ws,
                                              path, name)
            hint = exc.hint if isinstance(exc, VrhubError) else "correct the request and send it again"
            if isinstance(exc, ValueError):  # refused before a record was made: audit it here
                record(hub, principal, "upload", outcome="failed", object_type="upload", object_id=upload_id,
                       partner_id=principal.partner_id, details={"filename": name, "error": message[:500]})
            raise http_error(422, message, hint, audited=True) from exc
    finally:
        shutil.rmtree(incoming / folder, ignore_errors=True)
    u = outcome.upload
    if outcome.refused is not None:
        status = 403 if isinstance(outcome.refused, AgreementMissing) else 422
        raise http_error(status, outcome.refused.message, outcome.refused.hint, audited=True)
    forget_profiles(hub)  # profiles built before this upload read other data versions
    if u.status != "loaded":
        first = next((r["error"] for r in u.report.get("results", []) if r["error"]), u.report.get("error", ""))
        return JSONResponse(error_body(422, f"the upload could not be loaded: {first}", "correct the file as the "
                                       "report says and upload it again", upload=hub_uploads.to_json(u)), 422)
    return JSONResponse(hub_uploads.to_json(u), status_code=201)


@router.get("/api/uploads")
def list_uploads(hub: Hub = Depends(get_hub),
                 principal: Principal = Depends(require(Permission.UPLOADS_READ))) -> list[dict[str, Any]]:
    """Your organisation's uploads, oldest first, without their reports."""
    found = Partnership(hub.ws).viewer(principal.user).uploads()
    return [{k: v for k, v in hub_uploads.to_json(u).items() if k != "report"} for u in found]


@router.get("/api/uploads/{upload_id}")
def get_upload(upload_id: str, hub: Hub = Depends(get_hub),
               principal: Principal = Depends(require(Permission.UPLOADS_READ))) -> dict[str, Any]:
    """One upload of your organisation, with its load report (rows read = accepted + quarantined, per file)."""
    return hub_uploads.to_json(Partnership(hub.ws).viewer(principal.user).upload(upload_id))
