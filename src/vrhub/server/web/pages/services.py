"""The analyst's "what works" pages: the commissioned services, and one page per service with its outputs and
outcomes, the impact evaluation of each loaded outcome from its contract start (a chart and its table) and its value
for money. Each route takes one ``page_require(Permission.PROFILE_READ)``: the permission of the analyses the
page runs (as hot spots and the profile); a role that may not see exact figures gets the released ones.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vrhub.domain.errors import UsageError
from vrhub.governance.access import NotFound, Permission
from vrhub.server.dependencies import Principal, record
from vrhub.server.web import service_work
from vrhub.server.web.auth import page_require
from vrhub.server.web.render import render
from vrhub.server.web.work import hub_of

router = APIRouter(include_in_schema=False)


@router.get("/analyst/services", response_class=HTMLResponse)
def services(request: Request, _: Principal = Depends(page_require(Permission.PROFILE_READ))) -> HTMLResponse:
    """The services register in force, each service linking to its page."""
    return render(request, "analyst/services.html", register=service_work.services(request))


@router.get("/analyst/services/{key}", response_class=HTMLResponse)
def service(request: Request, key: str,
            principal: Principal = Depends(page_require(Permission.PROFILE_READ))) -> HTMLResponse:
    """One service: outputs, the evaluation and the value for money (a job; its page until it is done)."""
    register = service_work.services(request)
    svc = register.service(key)
    if svc is None:
        raise NotFound(f"there is no service {key!r} in the register", "choose one from the list of services")
    query = {k: v for k, v in request.query_params.items() if k in service_work.VALUE_FIELDS}
    try:
        options = service_work.value_options(query)
    except UsageError as exc:
        return render(request, "analyst/service.html", status_code=422, svc=svc, form=query, view=None,
                      figures=[], priors=service_work.EFFECT_PRIORS,
                      errors=[{"href": "#participants", "text": f"{exc.message}. {exc.hint}"}])
    job = service_work.outcomes_job(request, principal, svc.key, options)
    here = f"/analyst/services/{quote(svc.key)}" + (f"?{urlencode(query)}" if query else "")
    if job.status != "done":
        return render(request, "analyst/job.html", job=job, back=here, result_url=here,
                      refresh_url=f"/jobs/{job.id}?back={quote(here, safe='/')}")
    view = job.result
    record(hub_of(request), principal, "query", object_type="service_outcomes", object_id=f"{svc.key} (web)",
           data_version=[d for e in view.evaluations if e.result for d in e.result.datasets],
           details={"released": view.released, **options})
    figures = [(e, service_work.evaluation_figures(e)) for e in view.evaluations]
    return render(request, "analyst/service.html", svc=svc, form=query, view=view, figures=figures,
                  priors=service_work.EFFECT_PRIORS, errors=[])
