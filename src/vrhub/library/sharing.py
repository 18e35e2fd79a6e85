"""A partner organisation's side of the hub: upload under an agreement, read what came of it, withdraw, audit.

:class:`Sharing` is what a partner uploader's pages call (``Partnership.sharing(user)``): every method reads or
changes only the organisation's own data and writes its audit row, as the JSON API's uploads, datasets and audit
routes do (``vrhub.server.routers``), so a page and the API leave the same trail. The load itself is
``vrhub.governance.access.uploads.receive``: the same judging against the organisation's agreements and the same
loader as ``vrhub ingest``; a file's rows are accepted or quarantined with a reason, never dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from vrhub.domain.errors import AccessError, NotFound, UsageError, VrhubError
from vrhub.governance.access import agreements as agr
from vrhub.governance.access import uploads as hub_uploads
from vrhub.governance.access.scope import can_see, visible_datasets
from vrhub.ingest.progress import Progress
from vrhub.library.forms import FieldErrors, Problems
from vrhub.report.csv_safe import write_table
from vrhub.store import audit
from vrhub.store.catalogue import Dataset
from vrhub.store.catalogue.models import Agreement, Upload, User
from vrhub.store.revisions import Revision, revisions
from vrhub.store.workspace import Workspace

SUFFIXES = (".csv", ".xlsx", ".zip")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
CHUNK = 1 << 20
#: how the reason of a version withdrawn by a partner's uploader begins (only those may be restored from the page)
WITHDRAWN_BY = "withdrawn by "
#: the kinds a partner may name when a file's header does not say (the CLI's short names)
KIND_CHOICES = tuple(sorted(k for k, v in hub_uploads.KIND_NAMES.items() if k != v))


def clean_filename(name: str) -> str:
    """The file's own name (no folders), anything but letters, digits, '.', '_' and '-' replaced; a
    :class:`UsageError` unless it is a .csv, .xlsx or .zip file."""
    base = re.split(r"[/\\]", name)[-1].strip()
    cleaned = SAFE_NAME.sub("_", base)[:200].lstrip(".")
    if not cleaned.lower().endswith(SUFFIXES):
        raise UsageError(f"{name!r} is not a .csv, .xlsx or .zip file", "upload police.uk, ISTV or partner CSV or "
                         "Excel files, or a .zip of them")
    return cleaned


class NoOrganisation(AccessError):
    """The account belongs to no organisation, so it has no organisation's data to upload or see here."""

    http_status = 403


@dataclass(frozen=True)
class LoadReport:
    """What came of one upload: per file rows read = accepted + quarantined, supply warnings and coverage notes,
    the force-months it revised (and by how much), and its versions as they stand now (withdrawn or not)."""

    upload: Upload
    files: list[dict[str, Any]]
    datasets: list[Dataset]
    revisions: list[Revision]

    @property
    def report(self) -> dict[str, Any]:
        return self.upload.report or {}

    @property
    def rows_read(self) -> int:
        return sum(f["rows_read"] for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f["rows_accepted"] for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f["rows_quarantined"] for f in self.files)

    @property
    def supply_warnings(self) -> list[str]:
        """The supply check's warnings on the files' months (docs/methods/supply-check.md)."""
        return [str(w.get("message", w)) if isinstance(w, dict) else str(w)
                for f in self.files for w in f.get("supply_warnings", [])]

    @property
    def notes(self) -> list[str]:
        """Rows kept and flagged (no location, an area outside the geography, ...) and months a file covers without
        becoming the month's current version."""
        flagged = [str(w) for f in self.files for w in f.get("warnings", [])
                   if "were quarantined, not loaded" not in str(w)]  # the quarantine has its own table and page
        coverage = [str(i.get("message", i)) for f in self.files for i in f.get("coverage_issues", [])]
        return list(dict.fromkeys(flagged + coverage))

    @property
    def problem(self) -> str:
        """Why nothing (or not everything) was loaded: the refusal, the error, or the first file's error."""
        first = next((f["error"] for f in self.files if f.get("error")), "")
        return str(self.report.get("refused") or self.report.get("error") or first)

    @property
    def balanced(self) -> bool:
        """Rows read = accepted + quarantined, for every file (nothing lost)."""
        return all(f["rows_read"] == f["rows_accepted"] + f["rows_quarantined"] for f in self.files)


@dataclass(frozen=True)
class Quarantine:
    """A version's quarantined rows (each with its line in the file and why), ``shown`` of ``total``."""

    dataset: Dataset
    rows: list[dict[str, Any]]
    total: int
    columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stored:
    """A file received and kept (under the workspace's ``incoming`` folder) until :meth:`Sharing.load` loads it."""

    upload_id: str
    path: Path
    name: str
    sha256: str
    size: int
    agreement_id: int
    kind: str | None

    def discard(self) -> None:
        """Remove the kept copy (its own folder)."""
        shutil.rmtree(self.path.parent, ignore_errors=True)


class Sharing:
    """One partner uploader's view of the hub (``user`` belongs to the organisation whose data it reaches)."""

    def __init__(self, ws: Workspace, user: User, *, max_upload_bytes: int = 512 << 20,
                 today: dt.date | None = None) -> None:
        if user.partner_id is None:
            raise NoOrganisation(f"these pages show a partner organisation's own uploads and data, and the account "
                                 f"{user.username!r} belongs to no organisation",
                                 "analysts find the datasets they may see in the catalogue (/analyst); a partner's "
                                 "uploader asks the hub administrator to give the account its organisation")
        self.ws, self.user, self.limit = ws, user, max_upload_bytes
        self.today = today or dt.date.today()

    @property
    def partner_id(self) -> int:
        return self.user.partner_id  # type: ignore[return-value]

    def _audit(self, action: str, **kw: Any) -> None:
        audit.record(self.ws.catalogue, actor=self.user.username, actor_role=self.user.role, action=action,
                     partner_id=self.partner_id, **kw)

    # --- agreements -------------------------------------------------------------------------------------------
    def agreements(self) -> list[Agreement]:
        """The organisation's agreements, by name (in force or not: the page says which)."""
        return agr.agreements(self.ws.catalogue, self.partner_id)

    def agreements_in_force(self) -> list[Agreement]:
        return [a for a in self.agreements() if agr.in_force(a, self.today)]

    # --- uploading --------------------------------------------------------------------------------------------
    def upload(self, source: IO[bytes] | Iterable[bytes] | None, filename: str, *, agreement: str | None = None,
               kind: str | None = None) -> Upload:
        """Receive a file (a binary file object, or its bytes in chunks) sent as ``filename`` under the chosen
        ``agreement`` and load it: :meth:`store` then :meth:`load`, in one call."""
        return self.load(self.store(source, filename, agreement=agreement, kind=kind))

    def store(self, source: IO[bytes] | Iterable[bytes] | None, filename: str, *, agreement: str | None = None,
              kind: str | None = None) -> Stored:
        """Check the form and keep the file in the workspace's ``incoming`` folder, ready for :meth:`load` (the page
        answers at once and loads it as a job). Problems with the form (no file, a wrong type, too large, empty, no
        agreement chosen) raise :class:`FieldErrors` and are audited; nothing is kept then."""
        p = Problems()
        name = ""
        if source is None or not filename:
            p.add("file", "Choose a file to upload: a CSV, an Excel workbook (.xlsx) or a .zip of them")
        else:
            try:
                name = clean_filename(filename)
            except UsageError:
                p.add("file", "The selected file must be a CSV (.csv), an Excel workbook (.xlsx) or a .zip of them")
        in_force = {str(a.id): a for a in self.agreements_in_force()}
        if not in_force:
            p.add("agreement", "Your organisation has no data-sharing agreement in force: ask the hub administrator "
                  "to record one, then upload")
        elif not agreement and len(in_force) == 1:
            agreement = next(iter(in_force))
        elif agreement not in in_force:
            p.add("agreement", "Choose the agreement you are sharing this file under")
        if kind and kind not in hub_uploads.KIND_NAMES:
            p.add("kind", f"Choose a kind of data from the list ({', '.join(KIND_CHOICES)}), or leave it to be "
                  "read from the file's header")
        self._refuse_unless_ok(p, filename)
        upload_id = hub_uploads.new_upload_id()
        incoming = self.ws.home / "incoming"
        incoming.mkdir(exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{upload_id}-", dir=incoming))
        try:
            digest, size = self._copy(source, folder / name, name)  # type: ignore[arg-type]
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Stored(upload_id, folder / name, name, digest, size, int(agreement), kind or None)  # type: ignore

    def load(self, stored: Stored, progress: Progress | None = None) -> Upload:
        """Judge a stored file against the organisation's agreements and load it (``governance.access.uploads.
        receive``, reporting to ``progress``); the stored copy is removed afterwards, whatever happened. A file that
        may not load (no agreement covers it, another organisation's rows, unreadable) or fails is recorded with
        the reason, like a loaded one: the returned upload's ``status`` and ``report`` say which."""
        try:
            try:
                outcome = hub_uploads.receive(self.ws, self.user, stored.path, upload_id=stored.upload_id,
                                              filename=stored.name, sha256=stored.sha256, size=stored.size,
                                              kind=stored.kind, agreement_id=stored.agreement_id, progress=progress)
            except VrhubError:  # the whole upload could not be opened: recorded as failed, with the reason
                found = hub_uploads.get_upload(self.ws, stored.upload_id)
                if found is None:
                    raise
                return found
        finally:
            stored.discard()
        return outcome.upload

    def _refuse_unless_ok(self, p: Problems, filename: str) -> None:
        try:
            p.check()
        except FieldErrors as exc:
            self._audit("upload", outcome="refused", object_type="upload", object_id=(filename or "")[:200],
                        details={"reason": exc.message[:500]})
            raise

    def _copy(self, source: IO[bytes] | Iterable[bytes], path: Path, name: str) -> tuple[str, int]:
        """Write ``source`` to ``path`` under the size limit; its sha256 and size."""
        chunks = iter(lambda: source.read(CHUNK), b"") if hasattr(source, "read") else iter(source)
        digest, size = hashlib.sha256(), 0
        with open(path, "wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > self.limit:
                    p = Problems()
                    p.add("file", f"The selected file must be smaller than {self.limit / (1 << 20):,.0f} MB: split "
                          "it into smaller files (for example one month each)")
                    self._refuse_unless_ok(p, name)
                digest.update(chunk)
                f.write(chunk)
        if size == 0:
            p = Problems()
            p.add("file", "The selected file is empty: choose the file that holds your data")
            self._refuse_unless_ok(p, name)
        return digest.hexdigest(), size

    # --- what came of it --------------------------------------------------------------------------------------
    def uploads(self) -> list[Upload]:
        """The organisation's uploads, newest first."""
        found = hub_uploads.uploads(self.ws, self.partner_id)
        self._audit("read", object_type="uploads")
        return found[::-1]

    def load_report(self, upload_id: str) -> LoadReport:
        """One upload of the organisation with its load report, its versions and the revisions they made."""
        u = hub_uploads.get_upload(self.ws, upload_id)
        if u is None or u.partner_id != self.partner_id:
            self._audit("read", outcome="denied", object_type="upload", object_id=upload_id[:100])
            raise NotFound(f"no upload {upload_id!r} of your organisation", "choose one from your uploads")
        self._audit("read", object_type="upload", object_id=u.id, data_version=u.dataset_ids)
        report = u.report or {}
        files = [r for r in report.get("results", []) if isinstance(r, dict)]
        versions = [d for d in (self.ws.catalogue.get(i) for i in u.dataset_ids) if d is not None]
        ids = set(u.dataset_ids)
        changed = [r for kind in sorted({d.kind for d in versions}) for r in revisions(self.ws, kind)
                   if r.current in ids]
        return LoadReport(u, files, versions, changed)

    def datasets(self) -> list[Dataset]:
        """The organisation's dataset versions, withdrawn ones too, newest first."""
        found = visible_datasets(self.ws.catalogue, self.user, self.today, include_withdrawn=True)
        self._audit("read", object_type="datasets", data_version=[d.id for d in found])
        return found[::-1]

    def dataset(self, dataset_id: str, action: str = "read") -> Dataset:
        """One of the organisation's versions (a ``NotFound``, audited, for any other)."""
        d = self.ws.catalogue.get(dataset_id)
        if d is None or not can_see(self.ws.catalogue, self.user, d, self.today):
            self._audit(action, outcome="denied", object_type="dataset", object_id=dataset_id[:100])
            raise NotFound(f"no dataset {dataset_id!r} of your organisation", "choose one from your uploads")
        return d

    def quarantine(self, dataset_id: str, *, limit: int = 500) -> Quarantine:
        """The first ``limit`` quarantined rows of one of the organisation's versions, by line in the file."""
        d = self.dataset(dataset_id, "read")
        q = self.ws.engine().quarantine(dataset_id)
        total = int(q.count().to_pyarrow().as_py())
        t = q.order_by("_source_row").limit(limit).to_pyarrow()
        self._audit("read", object_type="quarantine", object_id=d.id, data_version=d.id,
                    details={"rows": t.num_rows, "format": "html"})
        return Quarantine(d, t.to_pylist(), total, t.column_names)

    def quarantine_csv(self, dataset_id: str) -> tuple[str, str]:
        """(file name, CSV text) of every quarantined row of a version, formula injection neutralised."""
        d = self.dataset(dataset_id, "export")
        t = self.ws.engine().quarantine(dataset_id).order_by("_source_row").to_pyarrow()
        self._audit("export", object_type="quarantine", object_id=d.id, data_version=d.id,
                    details={"rows": t.num_rows, "format": "csv"})
        buf = io.StringIO()
        write_table(buf, t)
        return f"{d.id}-quarantine.csv", buf.getvalue()

    # --- withdrawing ------------------------------------------------------------------------------------------
    def withdraw(self, dataset_id: str, reason: str | None) -> Dataset:
        """Stop the hub reading one of the organisation's versions (kept, and restorable: :meth:`restore`;
        where it had replaced an earlier version of the same force-month, that one is read again)."""
        d = self.dataset(dataset_id, "withdraw")
        p = Problems()
        why = p.text("reason", reason, "Enter why you are withdrawing this data (it is recorded with it)",
                     max_length=500)
        if d.withdrawn_at is not None:
            p.add("reason", f"This data was already withdrawn on {d.withdrawn_at:%d %B %Y}")
        try:
            p.check()
        except FieldErrors as exc:
            self._audit("withdraw", outcome="refused", object_type="dataset", object_id=d.id,
                        details={"reason": exc.message[:500]})
            raise
        done = self.ws.catalogue.withdraw(d.id, f"{WITHDRAWN_BY}{self.user.username}: {why}")
        self._audit("withdraw", object_type="dataset", object_id=d.id, data_version=d.id, details={"reason": why})
        return done

    def restorable(self, dataset_id: str) -> Dataset:
        """One of the organisation's versions that it may restore: withdrawn, and by one of its uploaders (a
        :class:`FieldErrors` otherwise: a version the hub withdrew, its retention ended or its upload lost, stays
        withdrawn; only the hub's operator decides about it). Audited when refused."""
        d = self.dataset(dataset_id, "restore")
        p = Problems()
        if d.withdrawn_at is None:
            p.add("confirm", "This data is not withdrawn: the hub reads it already")
        elif not (d.withdrawn_reason or "").startswith(WITHDRAWN_BY):
            p.add("confirm", f"This data was withdrawn by the hub ({d.withdrawn_reason}), not by your organisation: "
                  "only the hub administrator can restore it")
        try:
            p.check()
        except FieldErrors as exc:
            self._audit("restore", outcome="refused", object_type="dataset", object_id=d.id,
                        details={"reason": exc.message[:500]})
            raise
        return d

    def restore(self, dataset_id: str) -> Dataset:
        """Read a version the organisation withdrew again (``Catalogue.restore``, the call ``Partnership.restore`` and
        ``vrhub restore`` make); audited. The catalogue then reads it as it did before it was withdrawn."""
        d = self.restorable(dataset_id)
        done = self.ws.catalogue.restore(d.id)
        self._audit("restore", object_type="dataset", object_id=d.id, data_version=d.id,
                    details={"withdrawn_reason": d.withdrawn_reason})
        return done

    # --- the audit trail --------------------------------------------------------------------------------------
    def audit_trail(self, *, limit: int = 200) -> list[dict[str, Any]]:
        """The newest ``limit`` events about the organisation's data (its uploads; anyone's reads, exports and
        purges of it), newest first; the data versions each names limited to the organisation's own."""
        own = {d.id for d in self.ws.catalogue.datasets(include_withdrawn=True) if d.partner_id == self.partner_id}
        rows = [audit.to_json(e) for e in audit.latest(self.ws.catalogue, partner_id=self.partner_id, limit=limit)]
        for r in rows:
            r["data_version"] = ",".join(v for v in r["data_version"].split(",") if v in own)
        self._audit("read", object_type="audit_log", object_id=f"organisation {self.partner_id}",
                    details={"rows": len(rows), "format": "html"})
        return rows[::-1]
