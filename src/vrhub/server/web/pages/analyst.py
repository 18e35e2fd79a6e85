"""The analyst role's pages (each route takes exactly one ``page_require(Permission.X)``, the permission of the
API operation it shows): the catalogue, the profile explorer with its map and area pages, hot spots and near
repeats, the SNA with its downloads, and the job pages long work reports on. What each page shows comes from the
library (``vrhub.library``) through ``web.work``; handlers only read parameters and render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from vrhub.domain.errors import UsageError
from vrhub.governance.access import NotFound, Permission
from vrhub.library.explore import area_figures
from vrhub.server.dependencies import Principal, record
from vrhub.server.web import work
from vrhub.server.web.auth import page_require
from vrhub.server.web.jobs import Job
from vrhub.server.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/analyst", response_class=HTMLResponse)
def home(request: Request, principal: Principal = Depends(page_require(Permission.DATASETS_READ))) -> HTMLResponse:
    """The analyst's pages, and the jobs they have started."""
    return render(request, "analyst/home.html", jobs=work.runner(request).jobs(principal.role)[:10])


@router.get("/analyst/catalogue", response_class=HTMLResponse)
def catalogue(request: Request, _: Principal = Depends(page_require(Permission.DATASETS_READ))) -> HTMLResponse:
    """Every dataset version with its provenance; the supplier × month coverage grid with supply warnings."""
    return render(request, "analyst/catalogue.html", view=work.catalogue(work.hub_of(request)))


def _ask(start: str | None, end: str | None, level: str, strand: str | None, source: str) -> work.ProfileAsk:
    return work.ProfileAsk.read(start, end, level, strand, source)


@router.get("/analyst/explorer", response_class=HTMLResponse)
def explorer(
    request: Request, start: str | None = Query(None, alias="from"), end: str | None = Query(None, alias="to"),
    level: str = "district", strand: str | None = None, source: str = "police_uk",
    principal: Principal = Depends(page_require(Permission.PROFILE_READ)),
) -> HTMLResponse:
    """The problem profile by period, strand, source and area level: charts, tables and a map."""
    strands = work.strands(work.hub_of(request))
    form = {"from": start or "", "to": end or "", "level": level, "strand": strand or "", "source": source}
    try:
        ask = _ask(start, end, level, strand, source)
    except UsageError as exc:
        return render(request, "analyst/explorer.html", status_code=422, form=form, strands=strands, levels=work.LEVELS,
                      errors=[{"href": "#from", "text": f"{exc.message}. {exc.hint}"}], view=None, job=None)
    job = work.profile_job(request, principal, ask)
    view = None
    if job.status == "done":
        profile, _notice, released = job.result
        view = work.explorer_view(work.hub_of(request), job, ask.source)
        record(work.hub_of(request), principal, "query", object_type="profile", data_version=profile.datasets,
               object_id=f"{profile.start:%Y-%m}..{profile.end:%Y-%m} {ask.level} (web)",
               details={"released": released, "strand": ask.strand})
    return render(request, "analyst/explorer.html", form=form, strands=strands, levels=work.LEVELS, view=view,
                  job=job, ask=ask, errors=[], here=f"/analyst/explorer?{ask.query()}")


@router.get("/analyst/explorer/map.geojson")
def explorer_map(
    request: Request, start: str | None = Query(None, alias="from"), end: str | None = Query(None, alias="to"),
    level: str = "district", strand: str | None = None,
    principal: Principal = Depends(page_require(Permission.PROFILE_READ)),
) -> Response:
    """The areas of the explorer's level with their figures (as this principal may see them), for the map."""
    ask = _ask(start, end, level, strand, "police_uk")
    job = work.profile_job(request, principal, ask)
    if job.status != "done":
        return JSONResponse({"message": "the profile is still being built", "job": job.id}, status_code=409)
    profile = job.result[0]
    rows = {str(r["area_code"]): r for r in profile.tables().get("where_by_area", []).to_pylist()} \
        if "where_by_area" in profile.tables() else {}
    geo = work.boundaries(work.hub_of(request), ask.level)
    features = []
    for f in geo["features"]:
        r = rows.get(f["id"], {})
        props = {**f["properties"], "records": r.get("records"), "rate_per_1000": r.get("rate_per_1000"),
                 "href": f"/analyst/explorer/area/{f['id']}?{ask.query()}"}
        features.append({**f, "properties": props})
    return JSONResponse({"type": "FeatureCollection", "features": features})


@router.get("/analyst/explorer/area/{code}", response_class=HTMLResponse)
def explorer_area(
    request: Request, code: str, start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"), level: str = "district", strand: str | None = None,
    source: str = "police_uk", principal: Principal = Depends(page_require(Permission.PROFILE_READ)),
) -> HTMLResponse:
    """One area's figures: the whole page, or (asked by htmx from the map) just the panel."""
    ask = _ask(start, end, level, strand, source)
    job = work.profile_job(request, principal, ask)
    if job.status != "done":
        return render(request, "analyst/job.html", job=job, back=f"/analyst/explorer?{ask.query()}")
    profile, notice, _released = job.result
    fig = area_figures(profile, code)
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "analyst/area_panel.html" if partial else "analyst/area.html",
                  status_code=200 if fig else 404, fig=fig, code=code, notice=notice, profile=profile,
                  back=f"/analyst/explorer?{ask.query()}")


# --- jobs -------------------------------------------------------------------------------------------------------
def _job_or_404(request: Request, principal: Principal, job_id: str) -> Job:
    job = work.runner(request).get(job_id, principal.role, principal.name)
    if job is None:
        raise NotFound(f"there is no job {job_id!r} you can see", "jobs are kept in memory only: start it again")
    return job


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str,
             principal: Principal = Depends(page_require(Permission.SIGNED_IN))) -> Response:
    """A job's status and progress; the whole page (which refreshes itself with JavaScript off), or (htmx poll) just
    the panel, or, once it is done, (htmx) a redirect to its result; a finished upload's page goes straight to its
    load report, the board's SNA to the SNA. Visible only to users of the owner's role holding the job's permission."""
    job = _job_or_404(request, principal, job_id)
    back = work.safe_back(request.query_params.get("back"))
    links = {"back": back, "result_url": work.result_url(job, back),
             "refresh_url": f"/jobs/{job.id}?back={quote(back, safe='/')}"}
    if request.headers.get("HX-Request") == "true":
        response = render(request, "analyst/job_panel.html", job=job, **links)
        if job.status == "done":
            response.headers["HX-Redirect"] = links["result_url"]
        return response
    if job.status == "done" and job.kind in ("upload", "board_sna"):  # no page of its own to choose from
        return RedirectResponse(links["result_url"], status_code=303)
    return render(request, "analyst/job.html", job=job, **links)


# --- hot spots and near repeats -----------------------------------------------------------------------------------
HOTSPOT_DEFAULTS: dict[str, Any] = {"method": "gistar", "level": "lsoa", "permutations": 99, "source":
                                    "police_uk_street", "period": None, "seed": 1}


@router.get("/analyst/hotspots", response_class=HTMLResponse)
def hotspots(request: Request, principal: Principal = Depends(page_require(Permission.PROFILE_READ))) -> HTMLResponse:
    """The hot-spot and near-repeat forms, and the jobs run from them."""
    jobs = [j for j in work.runner(request).jobs(principal.role) if j.kind in ("hotspots", "near_repeat")]
    return render(request, "analyst/hotspots.html", jobs=jobs, form=HOTSPOT_DEFAULTS, errors=[])


@router.post("/analyst/hotspots", response_class=HTMLResponse)
def run_hotspots(
    request: Request, method: str = Form("gistar"), period: str = Form(""), permutations: int = Form(99),
    source: str = Form("police_uk_street"), seed: int = Form(1),
    principal: Principal = Depends(page_require(Permission.PROFILE_READ)),
) -> Response:
    """Start (or find, when asked before on the same data) a hot-spot job; go to its page."""
    options = {"method": method, "period": period or None, "permutations": min(max(permutations, 0), 9999),
               "source": source, "seed": seed, "level": "lsoa"}
    job = work.hotspots_job(request, principal, options)
    return RedirectResponse(f"/jobs/{job.id}?back=/analyst/hotspots", status_code=303)


@router.post("/analyst/near-repeat", response_class=HTMLResponse)
def run_near_repeat(
    request: Request, period: str = Form(""), source: str = Form("ed_istv"), space: str = Form("0,500,1000"),
    time: str = Form("0,7,14"), permutations: int = Form(99), seed: int = Form(1),
    principal: Principal = Depends(page_require(Permission.PROFILE_READ)),
) -> Response:
    """Start a Knox near-repeat job; go to its page."""
    try:
        space_bands = [float(x) for x in space.split(",") if x.strip()]
        time_bands = [float(x) for x in time.split(",") if x.strip()]
    except ValueError as exc:
        raise UsageError("bands are numbers separated by commas", "e.g. 0,500,1000 metres and 0,7,14 days") from exc
    options = {"period": period or None, "source": source, "space_bands": space_bands, "time_bands": time_bands,
               "permutations": min(max(permutations, 0), 9999), "seed": seed}
    job = work.near_repeat_job(request, principal, options)
    return RedirectResponse(f"/jobs/{job.id}?back=/analyst/hotspots", status_code=303)


@router.get("/analyst/hotspots/{job_id}", response_class=HTMLResponse)
def hotspot_result(request: Request, job_id: str,
                   principal: Principal = Depends(page_require(Permission.PROFILE_READ))) -> HTMLResponse:
    """A finished hot-spot or near-repeat job: its map and table, or its Knox table."""
    from vrhub.library.hotspot_view import hotspot_view

    job = _job_or_404(request, principal, job_id)
    if job.status != "done":
        return render(request, "analyst/job.html", job=job, back="/analyst/hotspots")
    result, released = job.result
    return render(request, "analyst/hotspot_result.html", job=job, view=hotspot_view(result, released))


@router.get("/analyst/hotspots/{job_id}/map.geojson")
def hotspot_map(request: Request, job_id: str,
                principal: Principal = Depends(page_require(Permission.PROFILE_READ))) -> Response:
    """A finished hot-spot job's places as GeoJSON (released figures for a principal who may not see them exact)."""
    from vrhub.library.hotspot_view import hotspot_geojson

    job = _job_or_404(request, principal, job_id)
    if job.status != "done" or job.kind != "hotspots":
        return JSONResponse({"message": "no map for this job"}, status_code=409)
    return JSONResponse(hotspot_geojson(job.result[0]))


# --- the SNA ----------------------------------------------------------------------------------------------------
@router.get("/analyst/sna", response_class=HTMLResponse)
def sna(request: Request, principal: Principal = Depends(page_require(Permission.SNA_READ))) -> HTMLResponse:
    """Build the SNA (a job), the builds already made, and their downloads."""
    jobs = [j for j in work.runner(request).jobs(principal.role) if j.kind == "sna"]
    return render(request, "analyst/sna.html", jobs=jobs, errors=[])


@router.post("/analyst/sna", response_class=HTMLResponse)
def build_sna(request: Request, period: str = Form(""),
              principal: Principal = Depends(page_require(Permission.SNA_READ))) -> Response:
    """Start (or find) the SNA build for ``period``; go to its job page."""
    job = work.sna_job(request, principal, period.strip() or None)
    return RedirectResponse(f"/jobs/{job.id}?back=/analyst/sna", status_code=303)


SNA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@router.get("/analyst/sna/{job_id}/download.{fmt}")
def sna_download(request: Request, job_id: str, fmt: str,
                 principal: Principal = Depends(page_require(Permission.SNA_READ))) -> Response:
    """A built SNA as HTML, PDF or an editable Word document (DOCX), as an attachment."""
    job = _job_or_404(request, principal, job_id)
    if job.kind != "sna" or job.status != "done" or fmt not in SNA_TYPES:
        raise UsageError("this SNA is not built (or the format is not html, pdf or docx)", "build it first")
    page = job.result
    body = work.sna_bytes(page, fmt)
    record(work.hub_of(request), principal, "export", object_type="sna", object_id=f"{page.stem}.{fmt}",
           data_version=page.datasets, details={"released": page.released, "format": fmt})
    return Response(body, media_type=SNA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{page.stem}.{fmt}"'})
