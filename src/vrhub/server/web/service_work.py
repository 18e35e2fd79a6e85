"""What the analyst's service pages ask of the library: the register's services, and one service's outputs,
impact evaluation and value for money (``Partnership.service_outcomes``) as a job cached by data version.

Who sees exact figures is decided as for the SNA (``web.work.sna_job``): released when any current partner data
the principal may read is not theirs to see exact; the audience is part of the job's key. Nothing here knows HTML:
:func:`evaluation_figures` picks from a result the figures the page prints, the event-study chart's Vega-Lite spec
(``analysis.evaluation.charts.event_study_chart``, the chart the CLI and the SNA draw) and its table.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request

from vrhub.domain.errors import UsageError
from vrhub.governance.access import Permission
from vrhub.governance.access.scope import current_partner_datasets
from vrhub.library import Partnership
from vrhub.library.service_outcomes import OutcomeEvaluation, ServiceOutcomes
from vrhub.server.dependencies import Principal
from vrhub.server.web.jobs import Job, JobProgress
from vrhub.server.web.work import audience, data_version, hub_of, released_for, runner

#: the value-for-money options a page may set, and how each is read from the query string
VALUE_FIELDS: dict[str, type] = {"year": str, "effect_prior": str, "participants": int, "baseline_offences": float,
                                 "baseline_category": str, "seed": int}
EFFECT_PRIORS = ("", "high", "moderate", "low", "mentoring")


def services(request: Request) -> Any:
    """The services register in force (cheap: read on each request)."""
    return Partnership(hub_of(request).ws).services()


def value_options(query: dict[str, str]) -> dict[str, Any]:
    """The value sheet's options from a page's query string (blank ones left to the library's defaults)."""
    options: dict[str, Any] = {}
    for name, kind in VALUE_FIELDS.items():
        text = (query.get(name) or "").strip()
        if not text:
            continue
        try:
            value = kind(text)
        except ValueError as exc:
            raise UsageError(f"{name.replace('_', ' ')} {text!r} is not a number",
                             "give a whole number of participants and a number of baseline offences") from exc
        if kind is not str and (not math.isfinite(value) or value < (1 if name == "participants" else 0)):
            raise UsageError(f"{name.replace('_', ' ')} must be a positive number", "e.g. 200")
        if name == "effect_prior" and value not in EFFECT_PRIORS:
            raise UsageError(f"unknown effect prior {value!r}", "use high, moderate, low or mentoring")
        options[name] = value
    return options


def outcomes_job(request: Request, principal: Principal, service: str, options: dict[str, Any]) -> Job:
    """``Partnership.service_outcomes`` for ``service`` as this principal may see it (a :class:`ServiceOutcomes`
    when done)."""
    hub = hub_of(request)
    released = released_for(hub, principal, current_partner_datasets(hub.ws.catalogue))

    def work(progress: JobProgress) -> ServiceOutcomes:
        return Partnership(hub.ws).service_outcomes(service, release=released, value_options=options,
                                                    on_step=progress)

    return runner(request).submit("service", work, parameters={"service": service, **options},
                                  data_version=data_version(hub), owner=principal.name, role=principal.role,
                                  permission=Permission.PROFILE_READ, title=f"Impact and value: {service}",
                                  audience="released" if released else audience(principal), stages=4)


def evaluation_figures(ev: OutcomeEvaluation) -> dict[str, Any] | None:
    """The figures of one evaluation the page prints (as the result holds them: the released copy's when
    released), its chart spec and its table rows; ``None`` when it was not run."""
    if ev.result is None:
        return None
    value = ev.result.value
    effect = value.effect
    pct = effect.percent_ci
    figures: dict[str, Any] = {
        "sentence": value.plain_english(), "method": effect.method, "estimate": effect.estimate,
        "ci_low": effect.ci_low, "ci_high": effect.ci_high, "p_value": effect.p_value,
        "percent": effect.percent_change, "percent_ci": pct, "confidence": round(effect.confidence_level * 100),
        "scale": effect.scale, "detected": effect.detected, "period": value.months, "start": value.start,
        "treated": list(value.treated), "notes": [*value.notes, *effect.notes],
        "assumptions": [(a.name, a.passed, a.detail) for a in effect.assumptions], "citation": effect.citation,
        "datasets": list(ev.result.datasets), "released": ev.result.released, "statement": ev.result.statement,
        "synthetic": bool(ev.result.context.get("synthetic")), "chart": None, "rows": []}
    study = getattr(value.result, "event_study", None)
    if study is not None and len(study.table):
        from vrhub.analysis.evaluation.charts import event_study_chart

        spec = event_study_chart(study, title=f"{ev.outcome}: treated minus comparison areas").to_dict()
        spec.pop("$schema", None)
        spec["width"] = "container"  # the figure's half column, not the 520 px the SNA's page draws
        figures["chart"] = spec
        col, lo, hi = (("percent_change", "percent_ci_low", "percent_ci_high") if study.scale == "ratio"
                       else ("estimate", "ci_low", "ci_high"))
        figures["rows"] = [[int(r["event_time"]), _round(r[col]), _round(r[lo]), _round(r[hi])]
                           for r in study.table.to_dict(orient="records")]
    return figures


def _round(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 1)
