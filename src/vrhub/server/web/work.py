"""What the analyst pages ask of the library, as jobs and caches keyed by the workspace's data version.

Route handlers call these and render what they return; nothing here knows HTML. Each function that starts work
returns a :class:`~vrhub.server.web.jobs.Job`: done at once when the same parameters were asked before on the same
data (the cache), or running on a worker (the page then shows its progress). Who sees exact figures is decided as
the JSON API decides it (``vrhub.governance.access.scope.release_decision`` through ``routers.analysis``): an
analyst named on the agreements of every organisation whose data an output read sees them exact, everyone else the
released copy; the audience is part of each job's key.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from vrhub.domain.errors import UsageError
from vrhub.domain.periods import parse_month
from vrhub.governance.access import Permission, released_only
from vrhub.governance.access.scope import current_partner_datasets
from vrhub.library import Partnership, Result
from vrhub.library.sharing import Sharing, Stored
from vrhub.server.dependencies import Hub, Principal
from vrhub.server.routers.analysis import _cached, decide, forget_profiles, loading, profile_for
from vrhub.server.web.jobs import Job, JobProgress, JobRunner

_RUNNER = threading.Lock()
LEVELS = ("district", "ward", "msoa", "lsoa", "area")


def runner(request: Request) -> JobRunner:
    """The app's job runner (one per app, made on first use)."""
    state = request.app.state
    with _RUNNER:
        if getattr(state, "jobs", None) is None:
            state.jobs = JobRunner()
        return state.jobs  # type: ignore[no-any-return]


def hub_of(request: Request) -> Hub:
    return request.app.state.hub  # type: ignore[no-any-return]


def audience(principal: Principal) -> str:
    """Whose figures a job holds: every released-only role shares the released ones; each analyst has their own
    (the exact profile underneath is still built once, in the hub's profile cache)."""
    return "released" if released_only(principal.role) else f"analyst:{principal.name}"


@dataclass(frozen=True)
class ProfileAsk:
    """The explorer's parameters, checked."""

    start: dt.date | None
    end: dt.date | None
    level: str
    strand: str | None
    source: str

    @classmethod
    def read(cls, start: str | None, end: str | None, level: str, strand: str | None, source: str) -> ProfileAsk:
        try:
            lo = parse_month(start) if start else None
            hi = parse_month(end) if end else None
        except Exception as exc:
            raise UsageError(f"a month cannot be read: {exc}", "write months as YYYY-MM, e.g. 2025-01") from exc
        if lo and hi and lo > hi:
            raise UsageError("the first month is after the last", "swap them")
        if level not in LEVELS:
            raise UsageError(f"unknown area level {level!r}", f"use one of {', '.join(LEVELS)}")
        return cls(lo, hi, level, strand or None, source or "police_uk")

    def parameters(self) -> dict[str, Any]:
        return {"from": f"{self.start:%Y-%m}" if self.start else None, "to": f"{self.end:%Y-%m}" if self.end else
                None, "level": self.level, "strand": self.strand}

    def query(self, **extra: str) -> str:
        from urllib.parse import urlencode

        values = {"from": f"{self.start:%Y-%m}" if self.start else "", "to": f"{self.end:%Y-%m}" if self.end else "",
                  "level": self.level, "strand": self.strand or "", "source": self.source, **extra}
        return urlencode({k: v for k, v in values.items() if v})


def profile_job(request: Request, principal: Principal, ask: ProfileAsk) -> Job:
    """The profile for ``ask`` as this principal may see it: ``(profile, notice, released)`` when done."""
    hub = hub_of(request)

    def work(progress: JobProgress) -> tuple[Any, str, bool]:
        progress("building the profile")
        p, notice, decision = profile_for(hub, principal, start=ask.start, end=ask.end, level=ask.level,
                                          strand=ask.strand, definition="kent_and_medway")
        return p, notice, decision.released

    return runner(request).submit("profile", work, parameters=ask.parameters(), data_version=data_version(hub),
                                  owner=principal.name, role=principal.role, permission=Permission.PROFILE_READ,
                                  title="The problem profile", audience=audience(principal), stages=1)


def explorer_view(hub: Hub, job: Job, source: str) -> Any:
    """The explorer's view of a finished profile job for ``source``, made once (charts' specs included) and kept
    with the hub's cached profiles: a second visitor's page only renders it."""
    from vrhub.library.explore import explore

    profile, notice, released = job.result

    # routers.analysis._cached(hub, question, versions, build) -> (versions read, answer); the job fixes the data
    return _cached(hub, ("web:explorer", job.id, source), (),
                   lambda: explore(profile, notice, released=released, source=source))[1]


def strands(hub: Hub) -> list[str]:
    """The strands of the partnership's definition (read once)."""
    return _cached(hub, ("web:strands",), (data_version(hub),),  # type: ignore[no-any-return]
                   lambda: list(Partnership(hub.ws).definition().strands))[1]


def data_version(hub: Hub) -> str:
    return hub.ws.catalogue.data_version()


def catalogue(hub: Hub) -> Any:
    """The catalogue view, built once per data version (it reads every kind's supply series)."""
    # routers.analysis._cached(hub, question, versions, build) -> (versions read, answer)
    return _cached(hub, ("web:catalogue",), (data_version(hub),), lambda: Partnership(hub.ws).catalogue())[1]


def boundaries(hub: Hub, level: str) -> dict[str, Any]:
    """The areas of ``level`` as GeoJSON, once per data version."""
    from vrhub.library.explore import boundaries_geojson

    return _cached(hub, ("web:boundaries", level), (data_version(hub),),  # type: ignore[no-any-return]
                   lambda: boundaries_geojson(Partnership(hub.ws).engine, level))[1]


def released_for(hub: Hub, principal: Principal, dataset_ids: list[str]) -> bool:
    return decide(hub, principal, dataset_ids).released


# --- the SNA --------------------------------------------------------------------------------------------------
SNA_STAGES = 9


def sna_job(request: Request, principal: Principal, period: str | None) -> Job:
    """Build the SNA (HTML and PDF in memory) for ``period`` as this principal may see it; released when any
    current partner data it may read is not theirs to see exact (as ``GET /api/sna`` decides)."""
    from vrhub.report.sna import parse_period

    hub = hub_of(request)
    months = parse_period(period).months if period else None
    released = released_for(hub, principal, current_partner_datasets(hub.ws.catalogue))

    def work(progress: JobProgress) -> Any:
        library = Partnership(hub.ws)
        page = library.sna_page(months, release=released, pdf=True, on_step=progress)
        if not released and released_for(hub, principal, page.datasets):
            page = library.sna_page(months, release=True, pdf=True, on_step=progress)
        return page

    return runner(request).submit("sna", work, parameters={"period": period or "all", "narrative": narrative_version(
        hub)}, data_version=data_version(hub), owner=principal.name, role=principal.role,
        permission=Permission.SNA_READ, title="The Strategic Needs Assessment", stages=SNA_STAGES,
        audience="released" if released else audience(principal))


def board_sna_job(request: Request, principal: Principal) -> Job:
    """The board's SNA: every loaded month, always released (``sna_page(release=True)``, the one release step: no
    count from 1 to 7 reaches the board), built once per data version and narrative and shared by every user of the
    role that asked (the role is in the key: a job is seen by its owner's role only)."""
    hub = hub_of(request)

    def work(progress: JobProgress) -> Any:
        return Partnership(hub.ws).sna_page(None, release=True, pdf=True, on_step=progress)

    return runner(request).submit("board_sna", work, parameters={"period": "all", "narrative": narrative_version(hub)},
                                  data_version=data_version(hub), owner=principal.name, role=principal.role,
                                  permission=Permission.SNA_READ, title="The released Strategic Needs Assessment",
                                  stages=SNA_STAGES, audience=f"released:{principal.role}")


def narrative_version(hub: Hub) -> str:
    """A hash of the partnership's words in the narrative files, guidance comments left out (the SNA's words change
    the SNA: a new version rebuilds it; the first build, which writes the files with their guidance, does not)."""
    import hashlib

    from vrhub.report.sna import narrative

    h = hashlib.sha256()
    for s in narrative.SECTIONS:
        h.update(s.key.encode() + b"\0" + narrative.written(narrative.read_narrative(hub.ws.home, s.key)).encode())
    return h.hexdigest()[:12]


# --- hot spots ------------------------------------------------------------------------------------------------
def _point_job(request: Request, principal: Principal, verb: str, title: str, options: dict[str, Any]) -> Job:
    """A point-pattern analysis as a job: the library's ``Partnership.<verb>`` (``hotspots`` or ``near_repeat``, a
    job kind of the same name) with ``options``; released for a principal who may not see it exact."""
    hub = hub_of(request)

    def work(progress: JobProgress) -> tuple[Result[Any], bool]:
        result = getattr(Partnership(hub.ws), verb)(on_step=progress, **options)
        released = released_for(hub, principal, result.datasets)
        return (result.release() if released else result), released

    return runner(request).submit(verb, work, parameters=options, data_version=data_version(hub),
                                  owner=principal.name, role=principal.role, permission=Permission.PROFILE_READ,
                                  title=title, audience=audience(principal), stages=2)


def hotspots_job(request: Request, principal: Principal, options: dict[str, Any]) -> Job:
    """Hot spots (``Partnership.hotspots``) with ``options``."""
    return _point_job(request, principal, "hotspots", f"Hot spots ({options.get('method', 'gistar')})", options)


def near_repeat_job(request: Request, principal: Principal, options: dict[str, Any]) -> Job:
    """The Knox near-repeat test (``Partnership.near_repeat``) with ``options``."""
    return _point_job(request, principal, "near_repeat", "Near repeats (Knox test)", options)


# --- uploads ----------------------------------------------------------------------------------------------------
def upload_job(request: Request, principal: Principal, sharing: Sharing, stored: Stored) -> Job:
    """Load a stored upload (``Sharing.load``) on a worker: the page answers at once with the job's page. The load
    waits for one of the hub's upload slots (the API's ``uploads_at_once``: a thread semaphore taken here, in the
    worker thread, never across an await), counts as an upload loading for readers (``routers.analysis.loading``)
    and empties the profile cache when done. Private: only the uploader sees the job."""
    hub = hub_of(request)

    def work(progress: JobProgress) -> str:
        progress("waiting for a free upload slot")

        def load() -> str:
            progress("checking the file against the agreement and loading it")
            with loading(hub):
                u = sharing.load(stored, progress)
            forget_profiles(hub)  # profiles built before this upload read other data versions
            return u.id

        try:
            return hub.in_an_upload_slot(load)
        finally:
            stored.discard()  # removed by load; here too, should the slot never have been reached

    return runner(request).submit("upload", work, parameters={"upload": stored.upload_id},
                                  data_version=data_version(hub), owner=principal.name, role=principal.role,
                                  permission=Permission.UPLOAD, title=f"Loading {stored.name}", private=True)


def sna_bytes(page: Any, fmt: str) -> bytes:
    """A built SNA (``RenderedSna``) as the bytes of ``fmt``: its HTML, its PDF, or a DOCX written from its HTML
    (``report.sna.docx_export``: the same sections, tables and charts, editable in Word)."""
    if fmt == "html":
        return page.html.encode("utf-8")  # type: ignore[no-any-return]
    if fmt == "pdf":
        return page.pdf  # type: ignore[no-any-return]
    import tempfile
    from pathlib import Path

    from vrhub.report.sna.docx_export import write_docx

    with tempfile.TemporaryDirectory(prefix="vrhub-docx-") as tmp:
        return write_docx(page.html, Path(tmp) / f"{page.stem}.docx").read_bytes()


def safe_back(url: str | None) -> str:
    """A page of this hub to go back to (never another site: a path starting with one '/')."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/analyst"
    return url


def result_url(job: Job, back: str) -> str:
    """Where a finished job's result is shown."""
    if job.kind in ("hotspots", "near_repeat"):
        return f"/analyst/hotspots/{job.id}"
    if job.kind == "sna":
        return f"/analyst/sna#sna-{job.id}"
    if job.kind == "board_sna":
        return f"/board/sna/{job.id}"
    if job.kind == "upload":
        return f"/partner/uploads/{job.parameters['upload']}"
    return back
