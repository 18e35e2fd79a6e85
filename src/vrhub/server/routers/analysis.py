"""The problem profile and the SNA, over the JSON API.

Who gets the exact output and who the released one is decided by one library function,
``vrhub.governance.access.scope.release_decision``, from every data version the output read (police.uk, ED,
ambulance, youth justice, education ...): an analyst named, for each kind, on agreements with every organisation
whose data it read gets the exact version, marked "unsuppressed — analyst use only"; everyone else the released
one (``vrhub.report.release.release_profile``: disclosure control of tables, headline, notes and summary, exactly
as ``vrhub profile --release``).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from vrhub.analysis.profile import Profile
from vrhub.analysis.profile.build import LEVELS
from vrhub.domain.definitions.loader import shipped_definitions
from vrhub.domain.errors import PeriodError
from vrhub.domain.periods import parse_month
from vrhub.governance.access import Permission
from vrhub.governance.access.scope import ReleaseDecision, current_partner_datasets, release_decision
from vrhub.library import Partnership, Result
from vrhub.report.csv_safe import write_table
from vrhub.report.profile_files import ANALYST_MARKER
from vrhub.server.dependencies import Hub, Principal, get_hub, http_error, record, require

router = APIRouter(tags=["analysis"])
_GUARD = threading.Lock()  # guards the cache and the build locks (held only for dictionary look-ups, never a build)
_BUILDING: dict[Any, threading.Lock] = {}  # one lock per question: its answer is built by one request at a time
_LATEST = "latest"  # cache key prefix: the newest answer built for a question, whatever data versions it read


def jsonable(value: Any) -> Any:
    """Arrow/pandas values as JSON: NaN and infinities become null, dates ISO 8601."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _month(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_month(text)
    except PeriodError as exc:
        raise http_error(422, f"{name}: {exc}", "write months as YYYY-MM") from exc


def _shipped(name: str) -> None:
    """Refuse a definition that is not shipped: a request must never name a file on the server (the library
    loads the definition by name)."""
    if name not in shipped_definitions():
        raise http_error(422, f"there is no shipped definition {name!r}", "use one of: " +
                         ", ".join(shipped_definitions()))


def decide(hub: Hub, principal: Principal, dataset_ids: list[str]) -> ReleaseDecision:
    """Exact or released for this principal, from the data versions an output read."""
    return release_decision(hub.ws.catalogue, principal.user, dataset_ids, dt.date.today())


def forget_profiles(hub: Hub) -> None:
    """Empty the profile cache (after an upload: the next profile reads the new data versions). The newest answer
    to each question is kept, to be given while uploads are being loaded (:func:`_cached`)."""
    with _GUARD:
        for k in [k for k in hub.cache if not (isinstance(k, tuple) and k and k[0] == _LATEST)]:
            del hub.cache[k]


@contextmanager
def loading(hub: Hub) -> Iterator[None]:
    """While an upload is being loaded: readers are given the last complete profile (see :func:`_cached`)."""
    with _GUARD:
        hub.uploads_loading += 1
    try:
        yield
    finally:
        with _GUARD:
            hub.uploads_loading -= 1


def _cached(hub: Hub, question: tuple[Any, ...], versions: tuple[Any, ...], build: Any) -> tuple[Any, Any]:
    """``(versions read, answer)`` to ``question`` on the data ``versions``: from the cache, or built once.

    While uploads are being loaded (each one changes the data versions) or another request is building the answer,
    a reader is not made to wait: it is given the newest answer already built for the same question, which names
    the data versions it read, and the answer on the new versions is built in a background thread (one build per
    question at a time). Before, one lock was held for every build and every look-up, so under a stream of uploads
    every read queued behind every rebuild (p50 0.85 s, p99 3.1 s). With no upload loading and no earlier answer,
    the request builds the answer itself and waits for it: a read after an upload has finished sees its data.
    """
    key = (question, versions)
    with _GUARD:
        if key in hub.cache:
            return versions, hub.cache[key]
        lock = _BUILDING.setdefault(question, threading.Lock())
        latest = hub.cache.get((_LATEST, question))
        busy = hub.uploads_loading > 0 or lock.locked()

    def build_and_keep() -> tuple[Any, Any]:
        with _GUARD:
            if key in hub.cache:
                return versions, hub.cache[key]
        value = build()
        with _GUARD:
            while len(hub.cache) >= max(hub.settings.profile_cache, 1) * 2:  # each question: its answer and latest
                hub.cache.pop(next(iter(hub.cache)))
            hub.cache[key] = value
            hub.cache[(_LATEST, question)] = (versions, value)  # builds of a question run one at a time, in order
        return versions, value

    if latest is not None and busy:
        def background() -> None:
            if lock.acquire(blocking=False):  # one build per question; a later read starts the next one
                try:
                    build_and_keep()
                except Exception:  # the next read builds it again, and reports its error
                    pass
                finally:
                    lock.release()

        threading.Thread(target=background, name="vrhub-profile-build", daemon=True).start()
        return latest  # type: ignore[no-any-return]
    with lock:
        return build_and_keep()


def profile_for(hub: Hub, principal: Principal, *, start: dt.date | None, end: dt.date | None, level: str,
                strand: str | None, definition: str) -> tuple[Profile, str, ReleaseDecision]:
    """The profile as this principal may see it (exact or released) and its notice, decided from the data versions
    the exact profile read; both are cached by parameters and the data versions current when they were built."""
    if level not in LEVELS:
        raise http_error(422, f"unknown level {level!r}", f"use one of {', '.join(LEVELS)}")
    if start and end and start > end:
        raise http_error(422, "from is after to", "swap them")
    versions = tuple(sorted(d.id for d in hub.ws.catalogue.datasets()))
    question = (start, end, level, strand, definition)
    _shipped(definition)
    read, exact = _cached(hub, (*question, False), versions, lambda: Partnership(hub.ws).profile(
        (start, end), level=level, strand=strand, definition=definition).value)
    decision = decide(hub, principal, exact.datasets)
    if not decision.released:
        return exact, ANALYST_MARKER, decision

    def release():  # type: ignore[no-untyped-def]
        released = Result("profile", exact).release()  # the one release step, through the library
        return released.value, released.statement

    _, (released, notice) = _cached(hub, (*question, True), read, release)
    return released, notice, decision


@router.get("/api/profile")
def profile(
    start: str | None = Query(None, alias="from", description="First month, YYYY-MM (default: the first loaded)"),
    end: str | None = Query(None, alias="to", description="Last month, YYYY-MM (default: the last loaded)"),
    level: str = "district", strand: str | None = None, definition: str = "kent_and_medway",
    hub: Hub = Depends(get_hub), principal: Principal = Depends(require(Permission.PROFILE_READ)),
) -> dict[str, Any]:
    """The problem profile (who, what, where, when, why) with its tables as lists of rows."""
    p, notice, decision = profile_for(hub, principal, start=_month(start, "from"), end=_month(end, "to"),
                                      level=level, strand=strand, definition=definition)
    record(hub, principal, "query", object_type="profile", object_id=f"{p.start:%Y-%m}..{p.end:%Y-%m} {level}",
           data_version=p.datasets, details={"released": decision.released, "strand": strand})
    body = {"notice": notice, "released": decision.released,
            "period": {"from": f"{p.start:%Y-%m}", "to": f"{p.end:%Y-%m}"},
            "level": level, "strand": strand, "headline": p.headline, "summary": p.summary,
            "definition": p.definition, "datasets": p.datasets,
            "tables": {n: t.to_pylist() for n, t in p.tables().items()}}
    if decision.why:
        body["why_released"] = decision.why
    return jsonable(body)


@router.get("/api/profile/tables/{table}")
def profile_table(
    table: str,
    start: str | None = Query(None, alias="from"), end: str | None = Query(None, alias="to"),
    level: str = "district", strand: str | None = None, definition: str = "kent_and_medway",
    format: Literal["csv", "json"] = "csv",
    hub: Hub = Depends(get_hub), principal: Principal = Depends(require(Permission.PROFILE_READ)),
) -> Response:
    """One profile table to download (CSV, its first line the notice; formula injection neutralised)."""
    p, notice, decision = profile_for(hub, principal, start=_month(start, "from"), end=_month(end, "to"),
                                      level=level, strand=strand, definition=definition)
    released = decision.released
    tables = p.tables()
    if table not in tables:
        raise http_error(404, f"the profile has no table {table!r}", "its tables: " + ", ".join(tables))
    record(hub, principal, "export", object_type="profile_table", object_id=table, data_version=p.datasets,
           details={"released": released, "format": format})
    if format == "json":
        import json

        return Response(json.dumps(jsonable({"notice": notice, "rows": tables[table].to_pylist()})),
                        media_type="application/json")
    buf = io.StringIO()
    buf.write(f"# {notice}\n")
    write_table(buf, tables[table])
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{table}.csv"'})


@router.get("/api/sna", response_class=HTMLResponse)
def sna(
    period: str | None = Query(None, description="FROM..TO in months, e.g. 2023-04..2024-03 (default: all)"),
    definition: str = "kent_and_medway",
    hub: Hub = Depends(get_hub), principal: Principal = Depends(require(Permission.SNA_READ)),
) -> HTMLResponse:
    """Build the Strategic Needs Assessment and return it as one self-contained HTML page (released for board
    viewers)."""
    from vrhub.report.sna import parse_period

    months = None
    if period:
        try:
            months = parse_period(period).months
        except PeriodError as exc:
            raise http_error(422, f"period: {exc}", "write FROM..TO, e.g. 2023-04..2024-03") from exc
    _shipped(definition)
    # The SNA reads many kinds (police.uk, ED, ambulance, youth justice, education): decided on every current
    # partner version it may read, and checked again on the versions the exact SNA did read. Built in memory.
    released = decide(hub, principal, current_partner_datasets(hub.ws.catalogue)).released
    library = Partnership(hub.ws)
    page = library.sna_page(months, definition=definition, release=released)
    if not released and decide(hub, principal, page.datasets).released:
        released = True
        page = library.sna_page(months, definition=definition, release=True)
    record(hub, principal, "query", object_type="sna", object_id=period or "all", data_version=page.datasets,
           details={"released": released})
    return HTMLResponse(page.html)
