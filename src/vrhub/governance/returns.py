"""Providers' periodic returns: what each commissioned service delivered in a period (sessions, workshops,
schools, young people reached, surveys, ...), read from CSV.

One row per (service, provider, period, measure)::

    service,provider,period_start,period_end,measure,value,qualifier,note
    young-peoples-prevention-service,St Giles Trust,2023-09-01,2024-07-31,workshops,46,,

Every row is checked and either accepted or set aside with its reasons (file, row and field named), never
dropped: rows read = rows accepted + rows set aside. ``qualifier`` keeps the wording of a return that gives a
floor rather than a count ("more than" 2,000). With a register, the service and provider must be in it.

Loading the same bytes again changes nothing (the file's sha256 is recorded, :func:`save_returns`). When a
provider sends a corrected return for the same service, provider, period and measure, the newest loaded value
is the one in force (:func:`returns_in_force`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vrhub.domain.errors import SourceError
from vrhub.governance.commissioning import Register
from vrhub.store.catalogue.models import ReturnRow, ReturnsFile
from vrhub.store.workspace import Workspace

REQUIRED = ("service", "provider", "period_start", "period_end", "measure", "value")
OPTIONAL = ("qualifier", "note")
QUALIFIERS = ("", "more than", "at least", "about")
MEASURES: dict[str, str] = {
    "sessions": "sessions",
    "workshops": "workshops",
    "workshops_professional": "workshops in professional settings",
    "assemblies": "assemblies",
    "schools_primary": "primary schools",
    "schools_secondary": "secondary schools",
    "young_people_reached": "young people reached",
    "young_people_engaged": "young people engaged",
    "referrals": "referrals",
    "mentoring_1to1": "one-to-one mentoring sessions",
    "qualifications": "qualifications gained",
    "surveys_completed": "surveys completed",
    "surveys_agree_or_strongly_agree": "surveys agreeing or strongly agreeing",
}


@dataclass(frozen=True)
class Return:
    """One accepted return row; ``row`` is its line in ``source_file`` (the header is line 1)."""

    service: str
    provider: str
    period_start: dt.date
    period_end: dt.date
    measure: str
    value: int
    qualifier: str = ""
    note: str = ""
    source_file: str = ""
    row: int = 0

    @property
    def key(self) -> tuple[str, str, dt.date, dt.date, str]:
        return (self.service, self.provider, self.period_start, self.period_end, self.measure)

    @property
    def synthetic(self) -> bool:
        """Invented by ``vrhub synth``: its note starts ``SYNTHETIC`` (every synthetic row's does)."""
        return self.note.upper().startswith("SYNTHETIC")


@dataclass(frozen=True)
class SetAside:
    """A row that could not be accepted, with every reason, kept as it was read."""

    row: int
    values: dict[str, str]
    reasons: tuple[str, ...]


@dataclass
class ReturnsLoad:
    """The outcome of reading one returns file: accepted rows, rows set aside, and the file's sha256."""

    source_file: str
    sha256: str
    rows_read: int
    accepted: list[Return] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [r for s in self.set_aside for r in s.reasons]

    def to_json(self) -> dict[str, Any]:
        return {"source_file": self.source_file, "sha256": self.sha256, "rows_read": self.rows_read,
                "rows_accepted": len(self.accepted), "rows_set_aside": len(self.set_aside),
                "set_aside": [asdict(s) for s in self.set_aside]}


def read_returns(path: Path, register: Register | None = None) -> ReturnsLoad:
    """Read and check a returns CSV; a file that cannot be read at all raises :class:`SourceError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot be read ({exc})", "check the path") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), "is not UTF-8 text", "save it from the spreadsheet as CSV UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceError(str(path), f"missing column(s) {', '.join(missing)}",
                          f"the header must have {', '.join(REQUIRED)} (and optionally {', '.join(OPTIONAL)})")
    reader.fieldnames = header
    load = ReturnsLoad(str(path), hashlib.sha256(data).hexdigest(), 0)
    seen: dict[tuple[str, str, dt.date, dt.date, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        load.rows_read += 1
        values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        reasons: list[str] = []
        got = _check_row(values, f"{path}, row {line}", register, reasons)
        if got is not None and not reasons:
            ret = Return(**got, source_file=str(path), row=line)
            if ret.key in seen:
                reasons.append(f"{path}, row {line}: repeats row {seen[ret.key]} (same service, provider, period "
                               "and measure): keep one of them")
            else:
                seen[ret.key] = line
                load.accepted.append(ret)
                continue
        load.set_aside.append(SetAside(line, values, tuple(reasons)))
    return load


def _check_row(v: dict[str, str], where: str, register: Register | None, reasons: list[str]) -> dict | None:
    for col in ("service", "provider", "measure"):
        if not v.get(col):
            reasons.append(f"{where}, {col}: missing")
    service = None
    if register is not None and v.get("service"):
        service = register.service(v["service"])
        if service is None:
            known = ", ".join(s.key for s in register.services)
            reasons.append(f"{where}, service: '{v['service']}' is not in the register ({known})")
        elif v.get("provider") and v["provider"] not in service.provider_names():
            reasons.append(f"{where}, provider: '{v['provider']}' does not deliver {service.name} "
                           f"(providers: {', '.join(service.provider_names())})")
    if v.get("measure") and v["measure"] not in MEASURES:
        reasons.append(f"{where}, measure: '{v['measure']}' is not a known measure ({', '.join(MEASURES)})")
    start = _date(v.get("period_start"), f"{where}, period_start", reasons)
    end = _date(v.get("period_end"), f"{where}, period_end", reasons)
    if start and end and end < start:
        reasons.append(f"{where}, period_end: {end} is before period_start {start}")
    value = _count(v.get("value"), f"{where}, value", reasons)
    qualifier = v.get("qualifier", "").lower()
    if qualifier not in QUALIFIERS:
        reasons.append(f"{where}, qualifier: '{v['qualifier']}' is not one of {', '.join(q for q in QUALIFIERS if q)} "
                       "(or leave it empty)")
    if reasons or start is None or end is None or value is None:
        return None
    return {"service": service.key if service else v["service"], "provider": v["provider"], "period_start": start,
            "period_end": end, "measure": v["measure"], "value": value, "qualifier": qualifier,
            "note": v.get("note", "")}


def _date(value: str | None, where: str, reasons: list[str]) -> dt.date | None:
    if not value:
        reasons.append(f"{where}: missing (write YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        reasons.append(f"{where}: '{value}' is not a date (write YYYY-MM-DD)")
        return None


def _count(value: str | None, where: str, reasons: list[str]) -> int | None:
    text = (value or "").replace(",", "")
    if not text:
        reasons.append(f"{where}: missing (write a whole number, e.g. 46)")
        return None
    if not text.isdigit():
        reasons.append(f"{where}: '{value}' is not a whole number of 0 or more (write e.g. 46; put 'more than' "
                       "in the qualifier column)")
        return None
    return int(text)


def save_returns(ws: Workspace, load: ReturnsLoad, register_sha256: str = "") -> tuple[str, bool]:
    """Record a returns file and its accepted rows; returns (sha256, created). The same bytes again create
    nothing."""
    with ws.catalogue.session() as s:
        if s.scalar(select(ReturnsFile).where(ReturnsFile.sha256 == load.sha256)) is not None:
            return load.sha256, False
        f = ReturnsFile(sha256=load.sha256, source_file=load.source_file, register_sha256=register_sha256,
                        rows_read=load.rows_read, rows_accepted=len(load.accepted),
                        rows_set_aside=len(load.set_aside), set_aside=[_jsonable(asdict(x)) for x in load.set_aside])
        f.rows = [ReturnRow(row=r.row, service=r.service, provider=r.provider, period_start=r.period_start,
                            period_end=r.period_end, measure=r.measure, value=r.value, qualifier=r.qualifier,
                            note=r.note) for r in load.accepted]
        s.add(f)
    return load.sha256, True


def returns_in_force(ws: Workspace, service: str | None = None) -> list[Return]:
    """Every stored return, the newest loaded value for each (service, provider, period, measure)."""
    q = select(ReturnRow, ReturnsFile.source_file).join(ReturnsFile).order_by(ReturnsFile.loaded_at, ReturnsFile.id,
                                                                               ReturnRow.row)
    if service is not None:
        q = q.where(ReturnRow.service == service)
    latest: dict[tuple[str, str, dt.date, dt.date, str], Return] = {}
    with ws.catalogue.session() as s:
        for r, source in s.execute(q):
            ret = Return(r.service, r.provider, r.period_start, r.period_end, r.measure, r.value, r.qualifier,
                         r.note, source, r.row)
            latest[ret.key] = ret
    return sorted(latest.values(), key=lambda r: (r.service, r.provider, r.period_start, r.measure))


def loaded_files(ws: Workspace) -> list[dict[str, Any]]:
    """The returns files loaded, oldest first, with their row counts and rows set aside."""
    with ws.catalogue.session() as s:
        return [{"source_file": f.source_file, "sha256": f.sha256, "loaded_at": f.loaded_at.isoformat(),
                 "rows_read": f.rows_read, "rows_accepted": f.rows_accepted, "rows_set_aside": f.rows_set_aside,
                 "set_aside": f.set_aside}
                for f in s.scalars(select(ReturnsFile).order_by(ReturnsFile.loaded_at, ReturnsFile.id))]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj
