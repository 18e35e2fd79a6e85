"""Partner uploads: stream a file (CSV or zip) to a temporary file under a size limit, check it against the
organisation's agreements, load it with the CLI's loader, and keep its load report."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from vrhub.domain.errors import VrhubError
from vrhub.governance.access import Permission
from vrhub.governance.access import uploads as hub_uploads
from vrhub.server.dependencies import Hub, Principal, get_hub, http_error, record, require
from vrhub.server.errors import error_body
from vrhub.server.routers.analysis import forget_profiles

router = APIRouter(tags=["uploads"])
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
SUFFIXES = (".csv", ".zip")


def safe_filename(name: str) -> str:
    """The file's own name (no folders), with anything but letters, digits, '.', '_' and '-' replaced."""
    base = re.split(r"[/\\]", name)[-1].strip()
    cleaned = SAFE_NAME.sub("_", base)[:200].lstrip(".")
    if not cleaned.lower().endswith(SUFFIXES):
        raise http_error(415, f"{name!r} is not a .csv or .zip file", "upload police.uk or ISTV CSV files, or a .zip "
                         "of them, and give the file's name in ?filename=")
    return cleaned


BODY = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


@router.post("/api/uploads", status_code=201, openapi_extra=BODY)
async def upload(
    request: Request,
    filename: str = Query(..., min_length=1, max_length=300, description="The file's name, e.g. "
                          "2024-01-kent-street.csv or a police.uk download .zip"),
    kind: str | None = Query(None, description="street | outcomes | stop-search | istv | ambulance | "
                                            "youth-justice | education (default: from the header)"),
    hub: Hub = Depends(get_hub),
    principal: Principal = Depends(require(Permission.UPLOAD)),
) -> JSONResponse:
    """Upload one file as the body (``Content-Type: application/octet-stream``). Refused (403) when no agreement
    in force covers the file's kind for your organisation; otherwise loaded, and the load report returned."""
    name = safe_filename(filename)
    limit = hub.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        record(hub, principal, "upload", outcome="refused", object_type="upload", object_id=name,
               partner_id=principal.partner_id, details={"reason": "too large", "bytes": int(declared)})
        raise http_error(413, f"the upload is {int(declared):,} bytes; the limit is {limit:,}",
                         "split the data into smaller files (e.g. one month each)")
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
                    record(hub, principal, "upload", outcome="refused", object_type="upload", object_id=upload_id,
                           partner_id=principal.partner_id, details={"reason": "too large", "filename": name})
                    raise http_error(413, f"the upload is larger than the limit of {limit:,} bytes",
                                     "split the data into smaller files (e.g. one month each)")
                digest.update(chunk)
                f.write(chunk)
        if size == 0:
            raise http_error(422, "the upload is empty", "send the file's bytes as the request body")
        try:
            outcome = await run_in_threadpool(
                hub_uploads.receive, hub.ws, principal.user, path, upload_id=upload_id, filename=name,
                sha256=digest.hexdigest(), size=size, kind=kind)
        except (VrhubError, ValueError) as exc:  # the whole upload cannot be read (e.g. a zip bomb): say so, audit it
            message = (exc.message if isinstance(exc, VrhubError) else str(exc)).replace(str(path), name)
            hint = exc.hint if isinstance(exc, VrhubError) else "correct the request and send it again"
            record(hub, principal, "upload", outcome="failed", object_type="upload", object_id=upload_id,
                   partner_id=principal.partner_id, details={"filename": name, "bytes": size, "error": message[:500]})
            raise http_error(422, message, hint) from exc
    finally:
        shutil.rmtree(incoming / folder, ignore_errors=True)
    u = outcome.upload
    record(hub, principal, "upload", outcome="ok" if u.status == "loaded" else u.status, object_type="upload",
           object_id=u.id, partner_id=u.partner_id, data_version=u.dataset_ids,
           details={"filename": name, "sha256": u.sha256, "bytes": size, "agreement_id": u.agreement_id})
    if outcome.refused is not None:
        raise http_error(403, outcome.refused.message, outcome.refused.hint)
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
    found = hub_uploads.uploads(hub.ws, principal.partner_id if principal.partner_id is not None else -1)
    record(hub, principal, "read", object_type="uploads", partner_id=principal.partner_id)
    return [{k: v for k, v in hub_uploads.to_json(u).items() if k != "report"} for u in found]


@router.get("/api/uploads/{upload_id}")
def get_upload(upload_id: str, hub: Hub = Depends(get_hub),
               principal: Principal = Depends(require(Permission.UPLOADS_READ))) -> dict[str, Any]:
    """One upload of your organisation, with its load report (rows read = accepted + quarantined, per file)."""
    u = hub_uploads.get_upload(hub.ws, upload_id)
    if u is None or u.partner_id != principal.partner_id:
        record(hub, principal, "read", outcome="denied", object_type="upload", object_id=upload_id)
        raise http_error(404, f"no upload {upload_id!r} of your organisation", "list yours with GET /api/uploads")
    record(hub, principal, "read", object_type="upload", object_id=u.id, partner_id=u.partner_id,
           data_version=u.dataset_ids)
    return hub_uploads.to_json(u)
