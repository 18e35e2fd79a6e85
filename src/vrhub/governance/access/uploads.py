"""Receive a partner's file under a data-sharing agreement and load it with the same loader as the CLI.

Order of events, so that the hub keeps its promises even if the process dies at any point:

1. The upload's record is written (``received``) while the process holds a lock on the received file, which
   the operating system releases if the process dies (``reconcile`` tells a live load from a dead one by it).
2. Every member of the upload is read with the loader's own steps, storing nothing (``vrhub.ingest.preflight``):
   archives (a workbook inside a zip too), worksheets, title rows, blank lines and header blocks above the table.
   The whole upload is refused, and nothing of it loaded, if any member cannot be read or classified, is of a
   kind no agreement in force covers for the organisation, has a field (or a column feeding no field) outside
   the agreement's ``fields_allowed``, or has rows that belong to another organisation (a force, trust, ED site
   or service that is neither the uploader's organisation nor named in the agreement's ``supplies_for``).
3. The record becomes ``loading`` with the agreements it loads under, and an ``upload.start`` audit row is written:
   both exist before anything is published.
4. ``vrhub.ingest.loader.ingest`` loads it exactly as ``vrhub ingest`` does (quarantine, de-duplication, atomic
   publication); the record gets the load report and the versions made, and an ``upload`` audit row.

A process killed during step 4 leaves a ``loading`` record whose lock nobody holds; ``reconcile`` (run when the hub
starts) attaches the versions it published to it, so that they are accounted for and purged with its agreement.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vrhub.domain.errors import UsageError, VrhubError
from vrhub.governance.access.accounts import organisation
from vrhub.governance.access.agreements import covering, foreign_units, supplier_units
from vrhub.governance.access.errors import AccessError, AgreementMissing, NotOwner, Unreadable
from vrhub.ingest import registry
from vrhub.ingest.loader import IngestReport, ingest
from vrhub.ingest.preflight import Scan, scan
from vrhub.ingest.progress import Progress
from vrhub.store import audit
from vrhub.store.catalogue import Catalogue
from vrhub.store.catalogue.models import Agreement, Upload, User
from vrhub.store.geography import Geography
from vrhub.store.workspace import Workspace

#: every partner feed a file can be uploaded as: the same sources as ``vrhub ingest``
SOURCES = registry.sources(uploads=True)
#: the names a client may give for ``kind`` (the CLI's short names and the canonical kind names)
KIND_NAMES = registry.kind_names(uploads=True)
#: the statuses of an upload whose load has not finished (or whose process died before it finished)
UNFINISHED = ("received", "loading")


def new_upload_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(6)


@dataclass
class UploadOutcome:
    upload: Upload
    refused: AccessError | None = None  # AgreementMissing / NotOwner (403) or Unreadable (422): nothing loaded


# --- paths never leave the server ---------------------------------------------------------------------------
def public_text(text: str, ws: Workspace, path: Path, filename: str) -> str:
    """``text`` with the received file's path replaced by the name it was sent as, and any other path inside the
    workspace (the lake, its staging folders) replaced by "(the hub's storage)"."""
    text = text.replace(str(path), filename)
    for home in dict.fromkeys((str(ws.home), str(ws.home.resolve()))):
        text = re.sub(re.escape(home) + r"[^\s'\"),;]*", "(the hub's storage)", text)
    return text


# --- judging an upload before anything is loaded ------------------------------------------------------------
def judge(catalogue: Catalogue, partner_id: int, found: Scan, today: dt.date, *, agreement_id: int | None = None
          ) -> dict[str, Agreement]:
    """The agreement each kind of the upload loads under (``agreement_id``: the one the uploader chose, for every
    kind); raises the refusal (naming every member's problem at once) when the upload may not load:
    ``Unreadable``, ``AgreementMissing`` or ``NotOwner``."""
    org = organisation(catalogue, partner_id).name
    if not found.members:
        skipped = "; ".join(f"{s.display} ({s.reason})" for s in found.skipped) or "it is empty"
        raise Unreadable(f"no data file was found in the upload: {skipped}",
                         "upload police.uk, ISTV or partner CSV/XLSX files, or a .zip of them")
    unreadable, refused, foreign = [], [], []
    hints: list[str] = []
    chosen: dict[str, Agreement] = {}
    for m in found.members:
        if m.error or m.kind is None:
            unreadable.append(f"{m.error or m.display + ': cannot be classified'} (nothing of the upload was loaded)")
            hints.append(m.hint)
            continue
        try:
            chosen[m.kind] = chosen.get(m.kind) or covering(catalogue, partner_id, m.kind, today, only=agreement_id)
        except AgreementMissing as exc:
            refused.append(f"{m.display}: {exc.message}")
            hints.append(exc.hint)
            continue
        a = chosen[m.kind]
        if a.fields_allowed:
            extra = sorted(set(m.fields) - set(a.fields_allowed))
            if extra or m.unmapped:
                refused.append(f"{m.display}: agreement {a.name!r} does not allow the field(s) "
                               f"{', '.join(extra + [repr(c) for c in m.unmapped])} of {m.kind} "
                               f"(it allows {', '.join(sorted(a.fields_allowed))})")
                hints.append("remove those columns from the file before uploading, or ask the hub administrator "
                             "to amend the agreement")
        units = supplier_units(catalogue, partner_id, m.kind, today)
        bad = foreign_units(m.owners, units)
        if bad:
            rows = sum(n for o, n in m.owners.items() if o in bad)
            foreign.append(f"{m.display}: {rows:,} row(s) belong to {', '.join(bad)}, not to {org}: an upload may "
                           f"hold only its organisation's rows (or those of a unit its agreement names: "
                           f"{', '.join(units)})")
            hints.append(f"send only {org}'s rows; if {org} supplies {', '.join(bad)}'s data, ask the hub "
                         f"administrator to name it in the agreement (--supplies-for)")
    hint = "; ".join(dict.fromkeys(h for h in hints if h))
    if unreadable:
        raise Unreadable("; ".join(unreadable + refused + foreign), hint)
    if refused:
        raise AgreementMissing(org, sorted({m.kind for m in found.members if m.kind}), "; ".join(refused + foreign),
                               hint)
    if foreign:
        raise NotOwner(org, sorted(chosen), "; ".join(foreign), hint)
    return chosen


# --- receiving ----------------------------------------------------------------------------------------------
def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def holding(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the received file while it is judged and loaded (released by the operating
    system if the process dies); see :func:`still_loading`."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: reconcile falls back to the age of the upload
        yield
        return
    with open(path, "rb") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def still_loading(ws: Workspace, upload: Upload, *, stale_after: dt.timedelta = dt.timedelta(hours=24)) -> bool:
    """Whether a live process is still judging or loading ``upload`` (it holds the lock on the received file)."""
    rel = (upload.report or {}).get("incoming")
    path = ws.home / rel if rel else None
    if path is None or not path.is_file():
        return False  # the received file is gone: its process ended (it removes it) or the sweep did
    try:
        import fcntl
    except ImportError:
        return dt.datetime.now(dt.UTC) - upload.received_at < stale_after
    with open(path, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def receive(ws: Workspace, uploader: User, path: Path, *, upload_id: str, filename: str, sha256: str, size: int,
            kind: str | None = None, today: dt.date | None = None, agreement_id: int | None = None,
            progress: Progress | None = None) -> UploadOutcome:
    """Judge ``path`` (a file or archive received for ``uploader``'s organisation; under ``agreement_id`` when the
    uploader chose one) and, if it may load, load it (reporting to ``progress``, as ``vrhub ingest`` does);
    every step is recorded (the upload's record, its audit rows) before the next. Raises ``ValueError`` for a bad
    ``kind`` and ``VrhubError`` when the upload as a whole cannot be opened (both audited, nothing loaded)."""
    today = today or dt.date.today()
    if uploader.partner_id is None:
        raise UsageError(f"user {uploader.username!r} belongs to no organisation and cannot upload")
    kind_name = KIND_NAMES.get(kind, kind) if kind else None
    if kind_name is not None and kind_name not in KIND_NAMES.values():
        raise UsageError(f"unknown kind {kind!r}: use one of {', '.join(sorted(KIND_NAMES))}")
    upload = Upload(id=upload_id, partner_id=uploader.partner_id, user_id=uploader.id, filename=filename,
                    sha256=sha256, size=size, received_at=dt.datetime.now(dt.UTC), status="received",
                    dataset_ids=[], report={"worker": _worker(), "incoming": _relative(ws, path)})
    details = {"filename": filename, "sha256": sha256, "bytes": size}
    with holding(path):
        save(ws, upload)
        try:
            chosen = judge(ws.catalogue, uploader.partner_id, scan([path], SOURCES, kind=kind_name), today,
                           agreement_id=agreement_id)
        except AccessError as refusal:
            message, hint = public_text(refusal.message, ws, path, filename), refusal.hint
            _finish(ws, uploader, upload, "refused", {"refused": message, "what_to_do": hint},
                    details | {"reason": message[:500]})
            refusal.message = message
            return UploadOutcome(upload, refusal)
        except VrhubError as exc:  # the upload as a whole cannot be opened (a damaged archive, a zip bomb)
            message = public_text(exc.message, ws, path, filename)
            _finish(ws, uploader, upload, "failed", {"error": message, "what_to_do": exc.hint},
                    details | {"error": message[:500]})
            raise VrhubError(message, exc.hint) from exc
        upload.agreement_id = chosen[min(chosen)].id
        upload.status = "loading"
        upload.report = {**upload.report, "agreements": {k: a.id for k, a in sorted(chosen.items())}}
        save(ws, upload)
        audit.record(ws.catalogue, actor=uploader.username, actor_role=uploader.role, action="upload.start",
                     outcome="started", object_type="upload", object_id=upload.id, partner_id=upload.partner_id,
                     details=details | {"agreements": upload.report["agreements"]})
        org = uploader.partner.name if uploader.partner else str(uploader.partner_id)
        try:
            known = Geography(ws.engine()).known_lsoa_codes()
            report = ingest(ws, [path], SOURCES, partner=org, kind=kind_name, known_lsoas=known, progress=progress)
        except Exception as exc:
            message = public_text(str(exc), ws, path, filename)
            _finish(ws, uploader, upload, "failed", {"error": message}, details | {"error": message[:500]})
            raise
        _finish(ws, uploader, upload, *_loaded(ws, report, path, filename), details)
    return UploadOutcome(upload)


def _loaded(ws: Workspace, report: IngestReport, path: Path, filename: str) -> tuple[str, dict[str, Any]]:
    """The upload's status and load report (paths replaced by the name the file was sent as)."""
    results = [r.to_json() for r in report.results]
    for r in results:  # people know the file by the name they sent, never the server's own paths
        r["source_file"] = public_text(r["source_file"], ws, path, filename)
        r["error"] = public_text(r["error"], ws, path, filename) if r["error"] else r["error"]
        r["warnings"] = [public_text(w, ws, path, filename) for w in r["warnings"]]
    out: dict[str, Any] = {
        "results": results,
        "skipped": [{"file": public_text(s.display, ws, path, filename), "reason": s.reason} for s in report.skipped],
        "rows_read": sum(r["rows_read"] for r in results),
        "rows_accepted": sum(r["rows_accepted"] for r in results),
        "rows_quarantined": sum(r["rows_quarantined"] for r in results)}
    if not results:
        out["error"] = f"{filename}: no data file was found in the upload"
    out["dataset_ids"] = sorted({r["dataset_id"] or r["duplicate_of"] for r in results
                                 if (r["dataset_id"] or r["duplicate_of"]) and not r["error"]})
    return ("loaded" if report.ok and results else "failed"), out


def _finish(ws: Workspace, uploader: User, upload: Upload, status: str, report: dict[str, Any],
            details: dict[str, Any]) -> None:
    """Record the upload's end (status, report, versions) and audit it."""
    upload.dataset_ids = report.pop("dataset_ids", upload.dataset_ids)
    upload.status = status
    upload.report = {**upload.report, **report}
    save(ws, upload)
    audit.record(ws.catalogue, actor=uploader.username, actor_role=uploader.role, action="upload",
                 outcome="ok" if status == "loaded" else status, object_type="upload", object_id=upload.id,
                 partner_id=upload.partner_id, data_version=upload.dataset_ids,
                 details=details | {"agreement_id": upload.agreement_id})


def _relative(ws: Workspace, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ws.home.resolve()))
    except ValueError:
        return str(path)


def save(ws: Workspace, upload: Upload) -> None:
    """Write the upload's record (insert or update)."""
    with ws.catalogue.session() as s:
        s.merge(upload)


def uploads(ws: Workspace, partner_id: int | None = None) -> list[Upload]:
    with ws.catalogue.session() as s:
        q = select(Upload).order_by(Upload.received_at, Upload.id)
        if partner_id is not None:
            q = q.where(Upload.partner_id == partner_id)
        return list(s.scalars(q))


def get_upload(ws: Workspace, upload_id: str) -> Upload | None:
    with ws.catalogue.session() as s:
        return s.get(Upload, upload_id)


#: what of an upload's report its organisation sees (the worker and the server's folder are the hub's own)
PRIVATE_REPORT_KEYS = ("worker", "incoming")


def to_json(u: Upload) -> dict[str, Any]:
    return {"upload_id": u.id, "organisation_id": u.partner_id, "filename": u.filename, "sha256": u.sha256,
            "size": u.size, "received_at": u.received_at.isoformat() if u.received_at else None, "status": u.status,
            "agreement_id": u.agreement_id, "dataset_ids": u.dataset_ids,
            "report": {k: v for k, v in (u.report or {}).items() if k not in PRIVATE_REPORT_KEYS}}
