"""The SNA page's context: sources, charts, findings, recommendations, methods and data versions, from the
profile and the sections."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from vrhub.analysis.areas import Area
from vrhub.analysis.cohort import CITATION as CohortCitation
from vrhub.analysis.profile import Profile
from vrhub.domain.definitions import Definition
from vrhub.domain.labels import notice as notice_line
from vrhub.governance.registers import Governance
from vrhub.ingest.supply_check import ALL
from vrhub.report import charts
from vrhub.report.sna.area import LEVEL_WORDS, SnaShared, area_scope_note
from vrhub.report.sna.board import board_texts
from vrhub.report.sna.cost import cost_section
from vrhub.report.sna.findings import period_words, sourced_findings
from vrhub.report.sna.format import _imd_alt, _svg, _table
from vrhub.report.sna.narrative import narrative_for_page
from vrhub.report.sna.publication import Publication
from vrhub.report.sna.recommendations import apply_edits, edits_version, generate, load_edits
from vrhub.report.sna.sections import (
    CARDIFF_CAPTIONS,
    HOTSPOT_PERMUTATIONS,
    HOTSPOT_SEED,
    NEAR_REPEAT_PERMUTATIONS,
    _cardiff,
    _causes,
    _hotspots,
    _near_repeat,
    _partner_sections,
    _what_works,
)
from vrhub.store.workspace import Workspace
from vrhub.version import __version__

EXECUTIVE_ITEMS = 4  # findings and recommendations on the one-page executive summary (all of them in section 1)


def _context(ws: Workspace, p: Profile, d: Definition, gov: Governance, tables: dict[str, pa.Table], notice: str,
             pub: Publication, built_at: dt.datetime, today: dt.date,
             step: Callable[[str], None] = lambda _label: None, *, shared: SnaShared | None = None,
             area: Area | None = None, comparison: dict[str, Any] | None = None) -> dict[str, Any]:
    shared = shared or SnaShared()
    once = partial(_once, shared, p, pub)  # the partnership-wide parts: computed once per run, shared by areas
    step("charts")
    datasets = ws.catalogue.datasets()
    used = set(p.datasets)  # the cohort's education and youth justice versions are added below when it is shown
    sources = _sources(datasets, pub)
    # the profile's warnings (protected in a release), whole-feed ones only
    warnings = [w for w in p.supply_warnings if w["category"] == ALL]
    charts_out = _profile_charts(p, tables, notice)
    step("hot spots (police.uk)")
    hotspots = _hotspots(ws, d, p, notice, pub, shared=shared, area=area)
    if hotspots:
        charts_out.append(hotspots["chart"])
        if hotspots.get("rate_chart"):  # no hot spot reached significance: the rates, described, not tested
            charts_out.append(hotspots["rate_chart"])
    step("hot spots (ED attendances)")
    ed_hotspots = _hotspots(ws, d, p, notice, pub, source="ed_istv", shared=shared, area=area)
    if ed_hotspots:
        charts_out.append(ed_hotspots["chart"])
    step("near repeats (Knox)")
    near_repeat = once("near_repeat", lambda: _near_repeat(ws, d, p, pub))
    synthetic_kinds = {x.kind for x in datasets if x.synthetic}
    step("partners' data and the linked cohort")
    partner = _partner_sections(p, tables, notice, pub, synthetic_kinds)
    causes = once("causes", lambda: _causes(ws, p, pub))
    status = gov.status(today)
    red = [a for a in status if a["rag"] == "red"]
    works = once("works", lambda: _what_works(ws, today, pub))
    cardiff = once("cardiff", lambda: _cardiff(ws, p, pub))
    missing = _missing(p, near_repeat, causes, cardiff, works)
    cost = cost_section(tables, p.start, p.end, period_words(p.start, p.end), pub)
    finding_items = sourced_findings(p, sources, causes=causes, cost=cost)
    findings = [str(f) for f in finding_items]
    rec_items = apply_edits(generate(tables, headline=p.headline, warnings=warnings, red=red, causes=causes,
                                     services=works["services"], hotspots=hotspots), load_edits(ws.home))
    recs = [r.text for r in rec_items]
    narrative, narrative_versions = narrative_for_page(ws.home)
    edits = edits_version(ws.home)
    if edits:
        narrative_versions.append(edits)
    cap = [r for r in p.capability if r["kind"] in ("measure", "strand")]
    rebuild = (f"vrhub sna build --period {p.start:%Y-%m}..{p.end:%Y-%m} --out DIR"
               + (" --release" if pub.released else "") + " --pdf")
    methods = _methods(p, hotspots or ed_hotspots, near_repeat, works, causes, cost)
    if causes["result"] is not None:
        used |= set(causes["result"].datasets)
    versions = [{"id": x.id, "kind": x.kind, "file": Path(x.source_file).name if x.source_file else "",
                 "sha256": x.sha256[:16],
                 "received": x.received_at.strftime("%Y-%m-%d")} for x in datasets if x.id in used]
    ctx = {
        "title": f"Serious Violence Strategic Needs Assessment{f': {area.name}' if area else ''}, "
                 f"{p.start:%B %Y} to {p.end:%B %Y}",
        "area": area, "comparison": comparison,
        "area_scope": area_scope_note(p.area, p.level) if p.area else None,
        "partnership": gov.partnership, "members": gov.members, "board": gov.board, "strands": gov.strands,
        "actions": status, "notice": notice, "release": pub.released, "definition": d, "profile": p,
        "sources": sources, "warnings": warnings, "charts": charts_out, "findings": findings,
        "recommendations": recs, "missing": missing, "capability": cap, "methods": methods,
        "versions": versions, "rebuild": rebuild, "vrhub_version": __version__,
        "built_at": built_at.strftime("%Y-%m-%d %H:%M UTC"), "today": today,
        "what": _table(tables["what_by_category"], ["crime_type", "sv_status", "records"]),
        "register_sha256": gov.sha256, "works": works, "hotspots": hotspots, "cardiff": cardiff,
        "ed_hotspots": ed_hotspots, "near_repeat": near_repeat, "partner": partner, "causes": causes,
        "datasets_used": sorted(used), "cardiff_captions": CARDIFF_CAPTIONS,
        "synthetic": any(s["synthetic"] for s in sources), "demo": gov.demo,
        "executive": {"findings": finding_items[:EXECUTIVE_ITEMS], "recommendations": recs[:EXECUTIVE_ITEMS]},
        "finding_items": finding_items, "recommendation_items": rec_items, "cost": cost,
        "narrative": narrative, "narrative_versions": narrative_versions,
    }
    ctx["label"] = notice_line(demo=gov.demo, synthetic=ctx["synthetic"], what="strategy")
    ctx["how_to_fill"] = board_texts(ctx)  # commands and options leave the body for the appendix
    ctx["fingerprint"] = hashlib.sha256(repr(sorted(ctx["versions"], key=lambda v: v["id"])).encode()).hexdigest()[:16]
    return ctx


def _once(shared: SnaShared, p: Profile, pub: Publication, name: str, compute: Callable[[], Any]) -> Any:
    """A partnership-wide part of the page, computed once per (part, period, strand, draft or release) in a run."""
    return shared.part((name, p.start, p.end, p.strand, pub.released), compute)


def _sources(datasets: list[Any], pub: Publication) -> list[dict[str, Any]]:
    """One row per kind loaded: versions, partners, rows read / accepted / quarantined (published), coverage."""
    sources = []
    for kind in sorted({x.kind for x in datasets}):
        ds = [x for x in datasets if x.kind == kind]
        months = sorted({c.month for x in ds for c in x.coverage})
        sources.append({
            "kind": kind, "datasets": len(ds), "partners": sorted({x.partner.name for x in ds if x.partner}),
            "rows_read": pub.count(sum(x.rows_read for x in ds)),
            "rows_accepted": pub.count(sum(x.rows_accepted for x in ds)),
            "rows_quarantined": pub.count(sum(x.rows_quarantined for x in ds)),
            "coverage": f"{months[0]:%b %Y} to {months[-1]:%b %Y}" if months else "(reference data)",
            "synthetic": any(x.synthetic for x in ds),
        })
    return sources


def _profile_charts(p: Profile, tables: dict[str, pa.Table], notice: str) -> list[dict[str, Any]]:
    """The profile's charts (by month, by district, by deprivation decile), each with its text and table."""
    charts_out = []
    if "when_monthly" in tables:
        df = tables["when_monthly"].to_pandas()
        chart = charts.monthly_chart(df, "Recorded serious violence (definite and possible) by month", notice)
        charts_out.append({"id": "monthly", "svg": _svg(chart),
                           "alt": "Line chart of records per month; months with a supply warning are marked "
                                  "with an orange point. " + (p.trend.sentence("The series")),
                           "table": _table(tables["when_monthly"], ["month", "records", "supply_warning"])})
    if "where_by_area" in tables:
        wdf = tables["where_by_area"].to_pandas()
        if "rate_per_1000" in wdf:
            wdf = wdf.dropna(subset=["rate_per_1000"])
            wdf["rate_per_1000"] = wdf["rate_per_1000"].astype(float)
            level = p.level if p.level in LEVEL_WORDS else "district"
            chart = charts.bar_chart(wdf, "area_name", "rate_per_1000", "Rate per 1,000 residents by "
                                     + LEVEL_WORDS[level].removesuffix("s"), notice, "Records per 1,000 residents")
            top = wdf.sort_values("rate_per_1000", ascending=False).head(3)
            charts_out.append({"id": "districts", "svg": _svg(chart), "areas": LEVEL_WORDS[level],
                               "alt": "Bar chart of rates per 1,000 residents by "
                                      f"{LEVEL_WORDS[level].removesuffix('s')}; highest: "
                                      + ", ".join(f"{r.area_name} {r.rate_per_1000:.1f}" for r in top.itertuples()),
                               "table": _table(tables["where_by_area"],
                                               ["area_name", "records", "population", "rate_per_1000"])})
    if "by_imd_decile" in tables:
        ddf = tables["by_imd_decile"].to_pandas().dropna(subset=["rate_per_1000"])
        ddf["imd_decile"] = ddf["imd_decile"].astype(str)
        ddf["rate_per_1000"] = ddf["rate_per_1000"].astype(float)
        chart = charts.bar_chart(ddf, "imd_decile", "rate_per_1000", f"Rate per 1,000 by {p.deprivation or 'IMD'} "
                                 "decile (1 = most deprived)", notice, "Records per 1,000 residents")
        charts_out.append({"id": "imd", "svg": _svg(chart),
                           "alt": _imd_alt(ddf),
                           "table": _table(tables["by_imd_decile"])})
    return charts_out


def _missing(p: Profile, near_repeat: Any, causes: dict[str, Any], cardiff: Any, works: dict[str, Any]) -> list[str]:
    """What the SNA could not show, and why (a part without data is named, never silently left out)."""
    missing = []
    for s in p.sections.values():
        if not s.available:
            missing.append(f"{s.name.capitalize()}: " + " ".join(s.notes))
    if near_repeat is None:
        missing.append("Near-repeat analysis: police.uk gives months only, so day-level near-repeat bands cannot be "
                       "computed from it; dated partner data (ED, ambulance) are needed.")
    if causes["result"] is None:
        missing.append("Causes (risk and protective factors): only the deprivation gradient is available; partner data "
                       "on exclusions, youth justice and health are not loaded. " + causes["missing"])
    if cardiff is None:
        missing.append("Cardiff Model view: needs emergency department (ISTV) data for the period.")
    if not works["returns_loaded"]:
        missing.append("What works: no providers' returns are loaded, so outputs cannot be stated from data "
                       "(load them with 'vrhub services returns FILE').")
    if not any(e["result"] for e in works["evaluations"]):
        missing.append("What works: no local impact evaluation could be run for the commissioned services on the "
                       "loaded data (reasons in section 5); evidence bands shown are the YEF Toolkit's, not local "
                       "results.")
    return missing


def _methods(p: Profile, hotspots: Any, near_repeat: Any, works: dict[str, Any],
             causes: dict[str, Any], cost: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """The appendix's methods: what each part of the page computed, with its citation and documentation page."""
    methods = [
        ("Serious-violence definition", "The partnership's definition file, applied record by record; "
         "three-valued (definite / possible / not).", "docs/methods/serious-violence-definition.md"),
        ("Supply check", "Monthly counts per day against the median of the same series within 12 months; "
         "flagged below 60% or above 167%.", "docs/methods/supply-check.md"),
        ("Trend", p.trend.method + ". " + p.trend.citation, "docs/methods/trend-and-year-on-year.md"),
        ("Rates", f"Per 1,000 {p.population or 'residents (no population loaded)'}.", "docs/methods/profile.md"),
        ("Deprivation", f"{p.deprivation or 'English Indices of Deprivation'} (MHCLG), LSOA deciles.",
         "docs/sources/geography.md"),
        ("Geography", f"{p.vintage.vintage if p.vintage and p.vintage.vintage else 'The loaded'} LSOAs"
         + ("; records coded to other LSOAs assigned by the ONS best-fit lookup (an approximation)"
            if p.vintage and p.vintage.moved else "") + ".", "docs/sources/lsoa-lookup.md"),
        ("Disclosure control", "Counts 1–7 suppressed, others rounded to 5, secondary suppression "
         "(NHS Digital; OpenSAFELY; Hundepool et al. 2012).", "docs/methods/disclosure-control.md"),
    ]
    if hotspots:
        methods.append(("Hot spots", f"Getis-Ord Gi* on LSOAs, queen contiguity, {HOTSPOT_PERMUTATIONS:,} "
                        f"conditional permutations (seed {HOTSPOT_SEED}), Benjamini-Hochberg FDR 5% (Getis & Ord "
                        "1992; Ord & Getis 1995).", "docs/methods/gi-star.md"))
    if near_repeat:
        methods.append(("Near repeats", "Knox test on dated ED attendances at home-LSOA centroids, "
                        f"{NEAR_REPEAT_PERMUTATIONS} permutations (seed {HOTSPOT_SEED}); bands judged by p-values "
                        "adjusted for the number of bands, with a global max-T test (Westfall & Young 1993). "
                        + near_repeat["citation"],
                        "docs/methods/knox.md"))
    if any(e["result"] for e in works["evaluations"]):
        methods.append(("Impact evaluation", "Difference-in-differences, two-way fixed-effects Poisson; intervals, "
                        "event study and pre-trend test from placebo fits of the comparison areas, valid with few "
                        "treated areas (Wooldridge 1999; Conley & Taber 2011; Arkhangelsky et al. 2021).",
                        "docs/methods/difference-in-differences.md"))
    if causes["result"] is not None:
        methods.append(("Linked cohort risk factors", "Pupils' education records linked to youth justice records on "
                        "the keyed pseudonym; crude odds ratios with Woolf's logit 95% interval and odds ratios "
                        "adjusted for the other exposures by logistic regression (statsmodels). " + CohortCitation,
                        "docs/methods/cohort-risk-factors.md"))
    if cost:
        methods.append(("Cost of violence", "Recorded crimes by category × Home Office unit cost (Heeks et al. 2018, "
                        f"Table 1, 2015/16 prices) rebased to {cost['result'].price_year} with the GDP deflator; low "
                        "end: recorded crimes only (a floor); high end: × a stated factor for unrecorded crimes (a "
                        "planning assumption). Shown to two significant figures.", "docs/methods/cost-of-violence.md"))
    methods.append(("Value for money", "Home Office unit costs of crime (Heeks et al. 2018, 2015/16 prices) rebased "
                    "with HM Treasury GDP deflators; YEF Toolkit bands as labelled planning assumptions.",
                    "docs/methods/value-for-money.md"))
    return methods
