"""Build the Strategic Needs Assessment (SNA) from the workspace, following the public-health approach.

Sections follow the Home Office *Serious Violence Duty: statutory guidance* (December 2022, chapter 3, the
strategic needs assessment) and the four steps: 1 summary of key findings and recommendations (generated from
the analyses' results); 2 the definition, partners and data sources with coverage, quality and supply
warnings; 3 the problem (who, what, where, when, why; hotspots; the Cardiff Model view); 4 causes; 5 what
works; 6 the strategy (strands, leads, action-plan status); 7 appendix (methods with citations, data versions,
definition hash, how to rebuild).

The HTML has no scripts and no external references: charts are inline SVG with a text alternative and the
table behind each chart. Two builds from the same workspace differ only in the build time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from vrhub.analysis.profile import build_profile
from vrhub.domain.definitions import Definition, load_definition
from vrhub.domain.periods import parse_period as parse_period  # the one period grammar
from vrhub.governance.store import in_force
from vrhub.report.sna.context import _context
from vrhub.report.sna.publication import Publication
from vrhub.store.workspace import Workspace

DRAFT = "analyst draft — unsuppressed"
<<<<<<< HEAD
EXECUTIVE_ITEMS = 4  # findings and recommendations on the one-page executive summary (all of them in section 1)
PDF_VARIANT = "pdf/ua-1"  # tagged PDF (ISO 14289-1): structure tree, document language and title, figures' alt text

# Commands of the vrhub CLI (a fixed list: the report layer does not import the CLI); text naming one is for the
# analyst and goes to the appendix's "how to fill the gaps", never before it.
CLI_COMMANDS = ("ingest", "geography", "strategy", "sna", "services", "evaluate", "fetch", "hub", "audit", "update",
                "datasets", "quarantine", "withdraw", "restore", "demo", "profile", "cardiff", "cohort", "synth",
                "value", "pseudonymise", "hotspots", "near-repeat", "serve")
_CLI = re.compile(r"'?\bvrhub (?:" + "|".join(CLI_COMMANDS) + r")\b|(?<![\w-])--[a-z][a-z-]+")


def plain(text: str, how: list[str]) -> str:
    """``text`` for a board reader: cut before the clause that names a command or an option (kept whole in ``how``,
    which the appendix lists). 'No education data is loaded: load some with 'vrhub ingest education PATH'' → 'No
    education data is loaded.'"""
    m = _CLI.search(text)
    if not m:
        return text
    if text not in how:
        how.append(text)
    opened, closed = text.rfind("(", 0, m.start()), text.find(")", m.end())
    if opened >= 0 and ")" not in text[opened:m.start()] and closed > 0:  # only the parenthesis' clause goes
        inner = text[opened + 1:m.start()]
        cut = max(inner.rfind(sep) for sep in (": ", "; ", ", or ", " — "))
        inner = inner[:cut].rstrip(" ,;:") if cut > 0 else ""
        rest = (f" ({inner})" if inner else "") + text[closed + 1:]
        return plain(text[:opened].rstrip() + rest, how)
    head = text[:m.start()]
    cut = max(head.rfind(sep) for sep in (" (", ": ", "; ", ", or ", " — "))
    head = (head[:cut] if cut > 0 else head).rstrip(" ,;:(")
    return head + ("" if head.endswith(".") else ".")
EXAMPLE = "2023-04..2024-03"


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """'2023-04..2024-03' → (first day of April 2023, first day of March 2024)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})", text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a period: write FROM..TO in months, e.g. 2023-04..2024-03")
    try:
        a, b = dt.date(int(m[1]), int(m[2]), 1), dt.date(int(m[3]), int(m[4]), 1)
    except ValueError as exc:
        raise ValueError(f"'{text}' has a month outside 01-12: write FROM..TO in months, e.g. {EXAMPLE}") from exc
    if b < a:
        raise ValueError(f"the period {text} ends before it starts: write the earlier month first, e.g. {EXAMPLE}")
    return a, b
=======
>>>>>>> main


@dataclass
class SnaResult:
    html: Path
    pdf: Path | None
    released: bool
    findings: list[str]
    missing: list[str] = field(default_factory=list)
    definition_sha256: str = ""
    datasets: list[str] = field(default_factory=list)
    label: str | None = None  # demo strategy and/or synthetic data: the first line of the report says so

    def to_json(self) -> dict[str, Any]:
        return {"notice": self.label, "html": str(self.html), "pdf": str(self.pdf) if self.pdf else None,
                "released": self.released,
                "findings": self.findings, "missing": self.missing, "definition_sha256": self.definition_sha256,
                "datasets": self.datasets}


@dataclass
class SnaInputs:
    """Everything the SNA shows, gathered once (:func:`gather_sna`): the analyses run (with their seeds), released
    when ``released``, and the page's context: findings, tables, and the charts as inline SVG with the table behind
    each. Rendering it (:func:`render_sna`) touches neither the workspace nor the disk."""

    context: dict[str, Any]
    released: bool
    start: dt.date
    end: dt.date
    definition_sha256: str

    @property
    def stem(self) -> str:
        """The file name the SNA is written under, without its suffix."""
        return f"sna_{self.start:%Y-%m}_{self.end:%Y-%m}{'_release' if self.released else '_draft'}"


@dataclass
class RenderedSna:
    """The SNA in memory: the HTML page, and the PDF's bytes when asked for."""

    html: str
    pdf: bytes | None
    stem: str
    released: bool = False
    datasets: list[str] = field(default_factory=list)  # the data versions the page shows


def gather_sna(
    ws: Workspace, *, start: dt.date | None = None, end: dt.date | None = None,
    definition: Definition | None = None, release: bool = False,
    built_at: dt.datetime | None = None, today: dt.date | None = None, vintage: int | None = None,
    imd_domain: str | None = None, on_step: Callable[[str], None] | None = None,
) -> SnaInputs:
    """Run every analysis the SNA shows and assemble the page's context (released with ``release``: the
    release step is applied here, once, to the profile and to each analysis the page shows)."""
    step = on_step or (lambda _label: None)  # progress: each stage named as it starts (the CLI draws a bar)
    definition = definition or load_definition()
    engine = ws.engine()
    step("the problem profile")
    profile = build_profile(engine, definition, start=start, end=end, level="district", vintage=vintage,
                            imd_domain=imd_domain)
    gov = in_force(ws)
    built_at = built_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = today or built_at.date()
    notice = DRAFT
    if release:
        from vrhub.report.release import release_profile

        step("disclosure control")
        profile, notice = release_profile(profile)  # tables, headline, summary and notes all protected
    tables = profile.tables()
    ctx = _context(ws, profile, definition, gov, tables, notice, Publication(release), built_at, today, step)
    return SnaInputs(ctx, release, profile.start, profile.end, definition.sha256)


def render_sna(inputs: SnaInputs, *, pdf: bool = False, on_step: Callable[[str], None] | None = None) -> RenderedSna:
    """The SNA's HTML (Jinja2) and, with ``pdf``, its PDF (WeasyPrint), in memory."""
    step = on_step or (lambda _label: None)
    step("writing the HTML")
    env = Environment(loader=PackageLoader("vrhub.report.sna", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
<<<<<<< HEAD
    env.filters["titled"] = titled_svg
    html = env.get_template("sna.html.j2").render(**ctx)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"sna_{profile.start:%Y-%m}_{profile.end:%Y-%m}{'_release' if release else '_draft'}"
    html_path = out / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = None
    if pdf:
        from weasyprint import HTML

        pdf_path = out / f"{stem}.pdf"
        HTML(string=html, base_url=str(out)).write_pdf(pdf_path, pdf_variant=PDF_VARIANT)
    return SnaResult(html_path, pdf_path, release, ctx["findings"], ctx["missing"], definition.sha256,
                     ctx["datasets_used"])


def titled_svg(svg: str, alt_text: str) -> Markup:
    """The inline SVG with its text alternative as its first ``<title>``: read by screen readers, and written by
    WeasyPrint as the tagged PDF figure's /Alt (PDF/UA-1 requires one on every figure)."""
    return Markup(re.sub(r"(<svg\b[^>]*>)", lambda m: f"{m[1]}<title>{escape(alt_text)}</title>", svg, count=1))


def _svg(chart: alt.Chart, ident: str | None = None) -> str:
    """Inline SVG of a chart. vl-convert numbers colour-legend gradients (``gradient_N``) by a counter that runs on
    through the process, so with ``ident`` they are renamed ``<ident>-gradient-<i>``: the same in every build, and
    unique on the page."""
    svg = vlc.vegalite_to_svg(chart.to_dict())
    svg = re.sub(r"<\?xml[^>]*>", "", svg)
    if ident:
        names: dict[str, str] = {}
        svg = re.sub(r"gradient_\d+", lambda m: names.setdefault(m[0], f"{ident}-gradient-{len(names)}"), svg)
    return svg


def _table(t: pa.Table, columns: list[str] | None = None, limit: int | None = None,
           blank: str = "") -> dict[str, Any]:
    """Rows as text; ``blank`` is written for an empty cell (``"[c]"`` in a release, where empty means suppressed) of
    a column that has values (a column with none is data not loaded, e.g. no police.uk beside ED: left empty)."""
    df = t.to_pandas()
    if columns:
        df = df[[c for c in columns if c in df.columns]]
    filled = [blank if df[c].notna().any() else "" for c in df.columns]
    if limit:
        df = df.head(limit)
    rows = [[_fmt(v) or b for v, b in zip(r, filled, strict=True)] for r in df.itertuples(index=False)]
    return {"columns": [c.replace("_", " ") for c in df.columns], "rows": rows}


def _imd_alt(ddf: pd.DataFrame) -> str:
    """The deprivation chart's text alternative, read from its data (not assumed to fall)."""
    first, last = ddf.iloc[0], ddf.iloc[-1]
    way = "falling" if first.rate_per_1000 > last.rate_per_1000 else "rising"
    return (f"Bar chart of rates per 1,000 residents by deprivation decile, {way} from {first.rate_per_1000:.1f} in "
            f"decile {first.imd_decile} (the most deprived of those shown) to {last.rate_per_1000:.1f} in decile "
            f"{last.imd_decile}.")


def _count(n: int, release: bool) -> str:
    """A row count for the sources table; in a release it passes the same disclosure rule as every other count."""
    if release:
        from vrhub.domain.disclosure import NHS_OPENSAFELY
        from vrhub.report.release import protect_count

        protected = protect_count(n, NHS_OPENSAFELY)
        return "[c]" if protected is None else f"{protected:,}"
    return f"{n:,}"


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "[c]" if v is pd.NA else ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, (dt.date, pd.Timestamp)):
        return v.strftime("%b %Y")
    return str(v)


def _context(ws: Workspace, p: Profile, d: Definition, gov: Governance, tables: dict[str, pa.Table], notice: str,
             release: bool, built_at: dt.datetime, today: dt.date) -> dict[str, Any]:
    datasets = ws.catalogue.datasets()
    used = set(p.datasets)  # the cohort's education and youth justice versions are added below when it is shown
    sources = []
    for kind in sorted({x.kind for x in datasets}):
        ds = [x for x in datasets if x.kind == kind]
        months = sorted({c.month for x in ds for c in x.coverage})
        sources.append({
            "kind": kind, "datasets": len(ds), "partners": sorted({x.partner.name for x in ds if x.partner}),
            "rows_read": _count(sum(x.rows_read for x in ds), release),
            "rows_accepted": _count(sum(x.rows_accepted for x in ds), release),
            "rows_quarantined": _count(sum(x.rows_quarantined for x in ds), release),
            "coverage": f"{months[0]:%b %Y} to {months[-1]:%b %Y}" if months else "(reference data)",
            "synthetic": any(x.synthetic for x in ds),
        })
    # the profile's warnings (protected in a release), whole-feed ones only
    warnings = [w for w in p.supply_warnings if w["category"] == ALL]
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
            chart = charts.bar_chart(wdf, "area_name", "rate_per_1000", "Rate per 1,000 residents by district",
                                     notice, "Records per 1,000 residents")
            top = wdf.sort_values("rate_per_1000", ascending=False).head(3)
            charts_out.append({"id": "districts", "svg": _svg(chart),
                               "alt": "Bar chart of rates per 1,000 residents by district; highest: "
                                      + ", ".join(f"{r.area_name} {r.rate_per_1000:.1f}" for r in top.itertuples()),
                               "table": _table(tables["where_by_area"],
                                               ["area_name", "records", "population", "rate_per_1000"])})
    if "by_imd_decile" in tables:
        ddf = tables["by_imd_decile"].to_pandas().dropna(subset=["rate_per_1000"])
        ddf["imd_decile"] = ddf["imd_decile"].astype(str)
        ddf["rate_per_1000"] = ddf["rate_per_1000"].astype(float)
        chart = charts.bar_chart(ddf, "imd_decile", "rate_per_1000", "Rate per 1,000 by IMD 2019 decile "
                                 "(1 = most deprived)", notice, "Records per 1,000 residents")
        charts_out.append({"id": "imd", "svg": _svg(chart),
                           "alt": _imd_alt(ddf),
                           "table": _table(tables["by_imd_decile"])})
    hotspots = _hotspots(ws, d, p, notice, release)
    if hotspots:
        charts_out.append(hotspots["chart"])
    ed_hotspots = _hotspots(ws, d, p, notice, release, source="ed_istv")
    if ed_hotspots:
        charts_out.append(ed_hotspots["chart"])
    near_repeat = _near_repeat(ws, d, p, release)
    synthetic_kinds = {x.kind for x in datasets if x.synthetic}
    partner = _partner_sections(p, tables, notice, release, synthetic_kinds)
    causes = _causes(ws, p, release)
    status = gov.status(today)
    red = [a for a in status if a["rag"] == "red"]
    missing = []
    for s in p.sections.values():
        if not s.available:
            missing.append(f"{s.name.capitalize()}: " + " ".join(s.notes))
    works = _what_works(ws, today, release)
    cardiff = _cardiff(ws, p, release)
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
    findings = list(p.summary) + ([causes["finding"]] if causes["finding"] else [])
    recs = []
    if warnings:
        months = sorted({dt.date.fromisoformat(w["month"] + "-01") for w in warnings})
        recs.append("Ask the data owners to re-supply " + ", ".join(f"{m:%B %Y}" for m in months)
                    + " before these months are used to judge change.")
    if p.headline["possible"] and not p.headline["definite"]:
        recs.append("Agree force-level crime data with Home Office offence codes and flags (weapon, domestic "
                    "abuse, victim age) so that serious violence can be counted, not only bounded by police.uk's "
                    "broad categories.")
    for a in red:
        recs.append(f"Board attention: action {a['id']} ({a['strand_label']}, {a['owner']}) is "
                    f"{'overdue' if a['overdue'] else a['status']}: {a['action']}.")
    if causes["recommendation"]:
        recs.append(causes["recommendation"])
    if "by_imd_decile" in tables:
        recs.append("Target prevention at the most deprived neighbourhoods, where recorded rates are highest.")
    cap = [r for r in p.capability if r["kind"] in ("measure", "strand")]
    rebuild = (f"vrhub sna build --period {p.start:%Y-%m}..{p.end:%Y-%m} --out DIR"
               + (" --release" if release else "") + " --pdf")
    methods = [
        ("Serious-violence definition", "The partnership's definition file, applied record by record; "
         "three-valued (definite / possible / not).", "docs/methods/serious-violence-definition.md"),
        ("Supply check", "Monthly counts per day against the median of the same series within 12 months; "
         "flagged below 60% or above 167%.", "docs/methods/supply-check.md"),
        ("Trend", p.trend.method + ". " + p.trend.citation, "docs/methods/trend-and-year-on-year.md"),
        ("Rates", "Per 1,000 residents, mid-2015 population (IMD 2019 denominators, MHCLG).",
         "docs/methods/profile.md"),
        ("Deprivation", "English Indices of Deprivation 2019 (MHCLG), LSOA deciles.", "docs/sources/geography.md"),
        ("Disclosure control", "Counts 1–7 suppressed, others rounded to 5, secondary suppression "
         "(NHS Digital; OpenSAFELY; Hundepool et al. 2012).", "docs/methods/disclosure-control.md"),
    ]
    if hotspots or ed_hotspots:
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
    methods.append(("Value for money", "Home Office unit costs of crime (Heeks et al. 2018, 2015/16 prices) rebased "
                    "with HM Treasury GDP deflators; YEF Toolkit bands as labelled planning assumptions.",
                    "docs/methods/value-for-money.md"))
    if causes["result"] is not None:
        used |= set(causes["result"].datasets)
    versions = [{"id": x.id, "kind": x.kind, "file": Path(x.source_file).name if x.source_file else "",
                 "sha256": x.sha256[:16],
                 "received": x.received_at.strftime("%Y-%m-%d")} for x in datasets if x.id in used]
    ctx = {
        "title": f"Serious Violence Strategic Needs Assessment, {p.start:%B %Y} to {p.end:%B %Y}",
        "partnership": gov.partnership, "members": gov.members, "board": gov.board, "strands": gov.strands,
        "actions": status, "notice": notice, "release": release, "definition": d, "profile": p,
        "sources": sources, "warnings": warnings, "charts": charts_out, "findings": findings,
        "recommendations": recs, "missing": missing, "capability": cap, "methods": methods,
        "versions": versions, "rebuild": rebuild, "vrhub_version": vrhub.__version__,
        "built_at": built_at.strftime("%Y-%m-%d %H:%M UTC"), "today": today,
        "what": _table(tables["what_by_category"], ["crime_type", "sv_status", "records"]),
        "register_sha256": gov.sha256, "works": works, "hotspots": hotspots, "cardiff": cardiff,
        "ed_hotspots": ed_hotspots, "near_repeat": near_repeat, "partner": partner, "causes": causes,
        "datasets_used": sorted(used), "cardiff_captions": CARDIFF_CAPTIONS,
        "synthetic": any(s["synthetic"] for s in sources),
        "executive": {"findings": findings[:EXECUTIVE_ITEMS], "recommendations": recs[:EXECUTIVE_ITEMS]},
    }
    ctx["how_to_fill"] = _board_texts(ctx)
    ctx["fingerprint"] = hashlib.sha256(repr(sorted(ctx["versions"], key=lambda v: v["id"])).encode()).hexdigest()[:16]
    return ctx


def _board_texts(ctx: dict[str, Any]) -> list[str]:
    """Rewrite, in place, every text shown before the appendix that names a command or an option (``plain``);
    return the full texts, which the appendix lists under "how to fill the gaps"."""
    how: list[str] = []
    ctx["missing"] = [plain(m, how) for m in ctx["missing"]]
    if ctx["causes"].get("missing"):
        ctx["causes"]["missing"] = plain(ctx["causes"]["missing"], how)
    for sv in ctx["works"]["services"]:
        sv["value"]["missing"] = [plain(m, how) for m in sv["value"]["missing"]]
        sv["value"]["sentence"] = plain(sv["value"]["sentence"], how)
    for part in ctx["partner"].values():
        part["notes"] = [plain(n, how) for n in part["notes"]]
        part["missing"] = [plain(n, how) for n in part["missing"]]
    if ctx["cardiff"]:
        ctx["cardiff"]["notes"] = [plain(n, how) for n in ctx["cardiff"]["notes"]]
    ctx["section_notes"] = [(s.name, [plain(n, how) for n in s.notes]) for s in ctx["profile"].sections.values()
                            if s.available and s.notes and s.name not in ("who", "why")]
    return how


HOTSPOT_SEED = 20240131  # fixed, so that two builds of the same workspace are identical
HOTSPOT_PERMUTATIONS = 9999


def _hotspots(ws: Workspace, d: Definition, p: Profile, notice: str, release: bool,
              source: str = "police_uk_street") -> dict[str, Any] | None:
    """Getis-Ord Gi* on LSOAs (conditional permutation, FDR 5%): a class map and its sentence.

    ``source="ed_istv"`` maps ED assault attendances by the patient's home LSOA (when ED data cover the period).
    """
    from vrhub.analysis.hotspots.run import ED_SOURCE, gather_incidents, run_gi_star
    from vrhub.report.maps import GI_STAR_CLASSES, choropleth

    try:
        incidents = gather_incidents(ws.engine(), d, start=p.start, end=p.end, strand=p.strand, source=source)
        if incidents.frame.empty:
            return None
        run = run_gi_star(ws.engine(), incidents, level="lsoa", permutations=HOTSPOT_PERMUTATIONS,
                          seed=HOTSPOT_SEED)
    except NoDataError:
        return None
    if release:  # through the release step: no class for an area whose count is suppressed, z withheld
        from vrhub.report.release import release as release_step

        run = release_step(run).result
    places = run.places.copy()
    counts = places["classification"].value_counts()
    hot, cold = int(counts.get("hot", 0)), int(counts.get("cold", 0))
    params = run.parameters
    ed = source == ED_SOURCE
    what = "ED assault attendances by the patient's home LSOA" if ed else "recorded serious violence"
    if hot or cold:
        sentence = (f"Getis-Ord Gi* finds {hot} hot-spot and {cold} cold-spot LSOAs of {what} at a 5% "
                    f"false-discovery rate ({params['permutations']:,} conditional permutations, queen contiguity).")
    else:
        sentence = (f"Getis-Ord Gi* finds no LSOA hot or cold spots of {what} at a 5% false-discovery rate "
                    f"({params['permutations']:,} conditional permutations, queen contiguity, "
                    f"{params['n_sites']:,} LSOAs): with {len(incidents.months)} months of data, local clusters "
                    "cannot be told apart from chance once testing a thousand areas is allowed for.")
    if ed and hot:
        order = "z" if "z" in places else "count"  # z is withheld in a release: the largest released counts
        top = places[places["classification"] == "hot"].sort_values(order, ascending=False).head(5)
        sentence += " Strongest hot spots: " + ", ".join(str(n) for n in top["name"]) + "."
    title = "Hot and cold spots of ED assault attendances (Gi*, home LSOAs)" if ed else \
        "Hot and cold spots (Gi*, LSOAs)"
    chart = choropleth(places, "classification", title=title, legend_title="Gi* class", notice=notice,
                       classes=GI_STAR_CLASSES, width=520, location_note=incidents.location_note)
    table = pa.table({"class": list(GI_STAR_CLASSES), "LSOAs": [int(counts.get(c, 0)) for c in GI_STAR_CLASSES]})
    return {"sentence": sentence, "parameters": params, "datasets": list(incidents.datasets),
            "chart": {"id": "ed_hotspots" if ed else "hotspots", "svg": _svg(chart), "table": _table(table),
                      "sentence": sentence,
                      "alt": "Map of Kent and Medway LSOAs coloured by Gi* class. " + sentence
                             + f" {incidents.location_note}."}}


NEAR_REPEAT_SPACE = [0.0, 0.0, 1000.0]  # same LSOA, then neighbouring centroids within 1 km
NEAR_REPEAT_DAYS = [0.0, 7.0, 14.0]
NEAR_REPEAT_PERMUTATIONS = 999


def _near_repeat(ws: Workspace, d: Definition, p: Profile, release: bool) -> dict[str, Any] | None:
    """Knox near-repeat test on dated ED attendances for the period (police.uk has months only: never run on it)."""
    from vrhub.analysis.hotspots.errors import HotspotInputError
    from vrhub.analysis.hotspots.run import ED_SOURCE, gather_incidents, run_near_repeat

    try:
        incidents = gather_incidents(ws.engine(), d, start=p.start, end=p.end, strand=p.strand, source=ED_SOURCE)
        if len(incidents.located) < 2:
            return None
        result = run_near_repeat(incidents, space_bands=NEAR_REPEAT_SPACE, time_bands=NEAR_REPEAT_DAYS,
                                 permutations=NEAR_REPEAT_PERMUTATIONS, seed=HOTSPOT_SEED)
    except (NoDataError, HotspotInputError):
        return None
    if release:  # pair counts withheld, ratios and p-values coarsened, the number of events protected
        from vrhub.report.release import release as release_step

        result = release_step(result).result
    frame = result.to_frame()
    inner = frame[(frame["space_band"] != frame["space_band"].iloc[-1]) & (frame["time_band"]
                                                                          != frame["time_band"].iloc[-1])]
    found = inner[(inner["p_adjusted"] <= 0.05) & (inner["knox_ratio"] > 1)]
    if len(found):
        sentence = ("ED assault attendances show a near-repeat pattern: " + "; ".join(
            f"{r.space_band} within {r.time_band} there are {r.knox_ratio:{'.2g' if release else '.2f'}} times "
            "the pairs chance would give "
            f"(p = {r.p_adjusted:.3f} allowing for the {len(inner)} bands tested)" for r in found.itertuples())
            + f". Knox test, {result.permutations} permutations. " + result.global_sentence())
    else:
        sentence = ("No near-repeat pattern in ED assault attendances: no space-time band closer than "
                    f"{NEAR_REPEAT_SPACE[-1]:,.0f} m and {NEAR_REPEAT_DAYS[-1]:.0f} days has more pairs than chance "
                    f"once the {len(inner)} bands tested are allowed for (Knox test, {result.permutations} "
                    "permutations). " + result.global_sentence())
    columns = ["space_band", "time_band", "knox_ratio", "p_value", "p_adjusted"] if release else \
        ["space_band", "time_band", "observed", "expected", "knox_ratio", "p_value", "p_adjusted"]
    shown = inner[columns].copy()
    if not release:
        shown["knox_ratio"] = shown["knox_ratio"].round(2)
    for col in ("p_value", "p_adjusted"):
        shown[col] = shown[col].map(lambda v: f"{v:.3f}")  # 0.001 with 999 permutations, not "0.00"
    if "expected" in shown:
        shown["expected"] = shown["expected"].round(1)
    return {"sentence": sentence, "table": _table(pa.Table.from_pandas(shown, preserve_index=False)),
            "note": f"{incidents.location_note}; times are the day of the assault (of arrival when the assault time "
                    "is blank). police.uk records carry the month only, so the near-repeat test is never run on "
                    "them.",
            "parameters": {"space_bands_m": NEAR_REPEAT_SPACE, "time_bands_days": NEAR_REPEAT_DAYS,
                           "permutations": result.permutations, "seed": result.seed},
            "citation": result.citation, "n_events": result.n_events}


def _cardiff(ws: Workspace, p: Profile, release: bool) -> dict[str, Any] | None:
    """The Cardiff Model view (ED assaults against police-recorded violence) when ED data cover the period."""
    from vrhub.analysis.cardiff import GEOCODED_NOTE, GEOCODED_TABLES, cardiff_view

    try:
        view = cardiff_view(ws.engine(), start=p.start, end=p.end)
    except NoDataError:
        return None
    if release:
        from vrhub.report.release import release as release_step

        view = release_step(view).result
    tables = {}
    for name, cols in (("ed_vs_police_by_district", ["district_name", "ed_assaults", "police_violence"]),
                       ("ed_location_type", None), ("ed_location_descriptions", None),
                       # with a gazetteer loaded (cardiff.GEOCODED_TABLES): incident places and the geocoding tally
                       ("ed_incident_places", ["place_name", "place_type", "incident_lsoa", "district_name",
                                               "ed_assaults", "police_violence", "no_police_record_in_lsoa"]),
                       ("ed_geocoding", ["outcome", "ed_assaults"])):
        if name in view.tables:
            df = view.tables[name]
            df = df[[c for c in (cols or df.columns) if c != "ed_synthetic"]]
            tables[name] = _table(pa.Table.from_pandas(df.astype(object).where(df.notna(), None),
                                                       preserve_index=False), limit=CARDIFF_ROWS,
                                  blank="[c]" if release else "")
            tables[name]["more"] = max(0, len(df) - CARDIFF_ROWS)
    geocoded = [n for n in GEOCODED_TABLES if n in view.tables]
    return {"summary": view.summary, "synthetic": view.synthetic, "tables": tables, "citation": view.citation,
            "notes": [n for n in view.notes if n != GEOCODED_NOTE], "datasets": view.ed_datasets,
            "geocoded_note": GEOCODED_NOTE if geocoded else None}


CARDIFF_ROWS = 15  # rows shown of each Cardiff table (the full tables: vrhub cardiff)
CARDIFF_CAPTIONS = {
    "ed_vs_police_by_district": "ED assault attendances (patient's home district) and police-recorded violence "
                                "(offence district)",
    "ed_location_type": "ED assaults by location type",
    "ed_location_descriptions": "Locations described to the ED (the places police data may not know)",
    "ed_incident_places": "ED assaults by incident place (free-text location geocoded against the gazetteer), beside "
                          "police-recorded violence in the place's LSOA",
    "ed_geocoding": "How the ED free-text locations were geocoded: attendances by outcome and matching rule",
}


def _what_works(ws: Workspace, today: dt.date, release: bool = False) -> dict[str, Any]:
    """The commissioned services in force, what their returns say they delivered, and contract alerts (each value
    sheet and evaluation through the release step in a release)."""
    from vrhub.analysis.value.sheet import value_sheet
    from vrhub.governance.commissioning import alerts, register_in_force
    from vrhub.governance.returns import returns_in_force
    from vrhub.governance.statements import service_report

    register = register_in_force(ws)
    returns = returns_in_force(ws)
    services = []
    evaluations = []
    for svc in register.services:
        sheet = value_sheet(ws, svc.key)
        if release:
            from vrhub.domain.disclosure import NHS_OPENSAFELY
            from vrhub.report.release.value import release_value_sheet

            sheet = release_value_sheet(sheet, NHS_OPENSAFELY)
        evaluations += _service_evaluations(ws, svc, release)
        report = service_report(returns, svc.key) if returns else None
        funding = svc.total_funding
        evidence = "; ".join(
            f"{e.yef_approach or e.crime_reduction_toolkit or ''}"
            + (f" (YEF band: {e.yef_band})" if e.yef_band else "") for e in svc.evidence) or "not recorded"
        services.append({
            "name": svc.name, "providers": ", ".join(svc.provider_names()), "ages": svc.ages(),
            "funding": f"£{funding:,.0f}" if funding else "not stated in the source",
            "contract": (f"{svc.contract_start:%b %Y} to {svc.contract_end:%b %Y}"
                         if svc.contract_start and svc.contract_end else "not stated in the source"),
            "evidence": evidence,
            "statements": [f"{st.text} (source: "
                           + ", ".join(f"{Path(f).name} row {r}" for f, r in st.sources[:4]) + ")"
                           for st in (report.statements if report else [])],
            "value": {"sentence": sheet["plain_english"], "missing": sheet["missing"],
                      "price_year": sheet["price_year"]},
        })
    return {"register": register.name or "commissioning register", "register_sha256": register.sha256,
            "services": services, "alerts": [a.message for a in alerts(register, today)],
            "returns_loaded": bool(returns), "evaluations": evaluations}


EVALUATION_SOURCES = (("police_uk_street", "police-recorded violence and sexual offences"),
                      ("ed_istv", "ED assault attendances (patients' home districts)"))


def _service_evaluations(ws: Workspace, svc: Any, release: bool = False) -> list[dict[str, Any]]:
    """Difference-in-differences of each loaded outcome in the service's districts from its contract start, or
    the reason it cannot be run on the loaded data (a row either way, so the SNA shows what was tried)."""
    from vrhub.analysis.evaluation.result import EvaluationInputError
    from vrhub.analysis.evaluation.workspace import evaluate_did
    from vrhub.store.geography import Geography

    engine = ws.engine()
    kinds = {x.kind for x in ws.catalogue.datasets()}
    rows: list[dict[str, Any]] = []
    if svc.contract_start is None or not svc.districts:
        return [{"service": svc.name, "outcome": "", "result": None,
                 "reason": "the register does not state " + ("its contract start" if svc.contract_start is None
                                                             else "its districts")
                           + ", so no comparison of before and after can be set up."}]
    try:
        lookup = Geography(engine).lsoa_lookup().to_pandas()
        known = {str(n).lower(): str(n) for n in lookup["district_name"].dropna().unique()}
    except NoDataError:
        known = {}
    treated = [known[x.lower()] for x in svc.districts if x.lower() in known]
    unknown = [x for x in svc.districts if x.lower() not in known]
    start = f"{svc.contract_start:%Y-%m}"
    for source, outcome in EVALUATION_SOURCES:
        if source not in kinds:
            continue
        row: dict[str, Any] = {"service": svc.name, "outcome": outcome, "result": None, "reason": ""}
        if not treated:
            row["reason"] = "none of its districts (" + ", ".join(svc.districts) + ") is a loaded district."
        else:
            try:
                ev = evaluate_did(engine, treated=treated, start=start, source=source)
                if release:
                    from vrhub.report.release import release as release_step

                    ev = release_step(ev).result
                e = ev.effect
                row["result"] = {"sentence": ev.plain_english(), "detected": e.detected,
                                 "estimate": e.percent_change, "ci": e.percent_ci}
                if unknown:
                    row["reason"] = ("Not a loaded district, so left out of the treated areas: "
                                     + ", ".join(unknown) + ".")
            except (EvaluationInputError, NoDataError) as exc:
                row["reason"] = f"not run: {exc.message}."
        rows.append(row)
    return rows


def no_data_message(exc: NoDataError) -> str:
    return f"{exc.message}. {exc.hint}"


# --- who, when (hour × weekday) and why from the partner feeds and stop and search --------------------------------
def _lower_first(text: str) -> str:
    """'Ambulance call-outs' → 'ambulance call-outs'; 'ED assault attendances' stays (an initialism)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _partner_caption(name: str) -> tuple[str, str | None]:
    """A table name of the profile → (its caption, the data kind it comes from)."""
    if name.startswith("who_stop_search_by_"):
        group = STOP_SEARCH_GROUPS.get(name.removeprefix("who_stop_search_by_"), "group")
        return (f"Stop and search in the area by {group}: who is searched (policing activity), not victims or "
                "offenders", STOP_SEARCH_KIND)
    for f in FEEDS:
        if name == f"when_{f.short}_hour_weekday":
            return (f"{f.label[0].upper()}{f.label[1:]} by hour of the day and weekday "
                    f"({(f.datetime or '').replace('_', ' ')})", f.kind)
        for col in f.who:
            if name == f"who_{f.short}_by_{col}":
                return f"{f.label[0].upper()}{f.label[1:]} by {f.whose} {col.replace('_', ' ')}", f.kind
        for col in f.why:
            if name == f"why_{f.short}_by_{col}":
                return f"{f.label[0].upper()}{f.label[1:]} by {col.replace('_', ' ')}", f.kind
    return name.replace("_", " "), None


def _band_key(label: str) -> tuple[int, str]:
    digits = re.match(r"\d+", str(label))
    return (int(digits[0]) if digits else 999, str(label))


def _shares(df: pd.DataFrame, category: str, count: str, n: int = 3) -> str:
    shown = df.dropna(subset=[count]).sort_values([count, category], ascending=[False, True], kind="stable").head(n)
    total = df[count].dropna().astype(float).sum()
    return ", ".join(f"{getattr(r, category)} {int(getattr(r, count)):,} ({getattr(r, count) / total:.0%})"
                     for r in shown.itertuples()) if total else "no records"


def _hour_weekday(df: pd.DataFrame, caption: str, notice: str, ident: str, release: bool) -> dict[str, Any]:
    """The hour × weekday heat map, its text alternative (read from its cells) and its table (weekdays × hours)."""
    chart = charts.heatmap_chart(df, caption, notice, list(WEEKDAYS), "Records")
    known = df.dropna(subset=["records"]).copy()
    known["records"] = known["records"].astype(int)
    top = known.sort_values(["records", "hour"], ascending=[False, True], kind="stable").head(3)
    by_day = known.groupby("weekday")["records"].sum().reindex(list(WEEKDAYS)).fillna(0)
    by_hour = known.groupby("hour")["records"].sum()
    alt_text = (f"Heat map of {_lower_first(caption)}: hours 00 to 23 across, Monday to Sunday down, darker "
                "for more records. Busiest cells: " + "; ".join(
                    f"{r.weekday} {int(r.hour):02d}:00–{int(r.hour):02d}:59 ({r.records:,})" for r in top.itertuples())
                + f". Busiest day {by_day.idxmax()} ({int(by_day.max()):,}); busiest hour "
                f"{int(by_hour.idxmax()):02d}:00 ({int(by_hour.max()):,} across the week)."
                + (" Suppressed cells are grey, named in the legend." if release and len(known) < len(df) else ""))
    wide = df.pivot_table(index="weekday", columns="hour", values="records", aggfunc="first", dropna=False)
    wide = wide.reindex(index=list(WEEKDAYS), columns=range(24))
    rows = [[day, *(("[c]" if release else "") if pd.isna(v) else f"{int(v):,}" for v in wide.loc[day])]
            for day in WEEKDAYS]
    return {"id": ident, "svg": _svg(chart, ident), "alt": alt_text, "wide": True,
            "table": {"columns": ["weekday", *(f"{h:02d}" for h in range(24))], "rows": rows}}


def _partner_sections(p: Profile, tables: dict[str, pa.Table], notice: str, release: bool,
                      synthetic_kinds: set[str]) -> dict[str, dict[str, Any]]:
    """Who, when (hour × weekday) and why: the profile's partner-feed and stop-and-search tables (released when the
    profile is), each with its caption, a chart for the ED age bands and each hour × weekday table, and whether its
    feed is synthetic; or, for a part with no such table, what is missing (the profile's own notes)."""
    out: dict[str, dict[str, Any]] = {}
    blank = "[c]" if release else ""
    for part, prefix in (("who", "who_"), ("when", "when_"), ("why", "why_")):
        section = p.sections[part]
        names = [n for n in section.tables if n.startswith(prefix) and (part != "when" or n.endswith("_hour_weekday"))]
        entries = []
        for name in names:
            caption, kind = _partner_caption(name)
            df = tables[name].to_pandas()
            entry: dict[str, Any] = {"id": name, "caption": caption, "synthetic": kind in synthetic_kinds,
                                     "chart": None}
            if part == "when":
                entry["chart"] = _hour_weekday(df, caption, notice, name, release)
                entry["table"] = entry["chart"]["table"]
            else:
                count = "searches" if "searches" in df else "records"
                dim = df.columns[0]
                if name == "who_ed_by_age_band":
                    order = sorted(df[dim].astype(str), key=_band_key)
                    cdf = df.dropna(subset=[count])
                    cdf[dim] = cdf[dim].astype(str)
                    cdf[count] = cdf[count].astype(float)
                    chart = charts.bar_chart(cdf, dim, count, caption, notice, "Attendances", order=order)
                    entry["chart"] = {"id": name, "svg": _svg(chart),
                                      "alt": f"Bar chart of {_lower_first(caption)}, youngest first; most: "
                                             + _shares(df, dim, count) + "."}
                shown = df.astype({count: "Int64"}) if df[count].isna().any() else df  # suppressed: [c], not 10.00
                entry["table"] = _table(pa.Table.from_pandas(shown, preserve_index=False), blank=blank)
                entry["sentence"] = f"Most: {_shares(df, dim, count)}."
            if entry["synthetic"] and entry["chart"]:
                entry["chart"]["alt"] = "Synthetic data. " + entry["chart"]["alt"]
            entries.append(entry)
        hour_note = "hour × weekday"
        notes = [n for n in section.notes if part != "when" or hour_note in n]
        out[part] = {"entries": entries, "notes": notes if entries and part != "when" else [],
                     "missing": [] if entries else [n for n in section.notes if part != "when" or hour_note in n]}
    return out


# --- causes: the linked cohort ------------------------------------------------------------------------------------
def _or_text(value: float, low: float, high: float, withheld: bool, significant: bool = False) -> str:
    """An odds ratio and its interval; ``significant``: released model estimates, already at 2 significant figures
    (shown so, not padded to two decimals); ``withheld``: a release, where a missing ratio was withheld."""
    if pd.isna(value):
        return "withheld (a count behind it is suppressed or small)" if withheld else "not estimable"
    if significant:
        return f"{value:.2g} ({low:.2g} to {high:.2g})"
    return f"{value:.2f} ({low:.2f} to {high:.2f})"


def _who_had(row: Any) -> str:
    return "boys had" if row["exposure"] == "male" else f"pupils {row['label'][0].lower()}{row['label'][1:]} had"


def _causes(ws: Workspace, p: Profile, release: bool) -> dict[str, Any]:
    """The linked cohort's odds ratios for the period (``cohort_risk_factors``), its key finding and recommendation,
    or what is missing when education or youth justice data are not loaded."""
    none: dict[str, Any] = {"result": None, "finding": None, "recommendation": None}
    try:
        r: CohortRiskFactors = cohort_risk_factors(ws.engine(), start=p.start, end=p.end)
    except NoDataError as exc:
        return none | {"missing": f"{exc.message[:1].upper()}{exc.message[1:]}: {exc.hint}."}
    if release:
        from vrhub.report.release import release as release_step

        r = release_step(r).result
    t = r.table
    rows = []
    for x in t.itertuples():
        rows.append([x.label, *(_fmt(None if pd.isna(v) else int(v)) or "[c]" for v in
                                (x.exposed, x.exposed_with_outcome, x.unexposed, x.unexposed_with_outcome)),
                     *("" if pd.isna(v) else f"{v:.1%}" for v in (x.risk_exposed, x.risk_unexposed)),
                     _or_text(x.crude_or, x.crude_or_low, x.crude_or_high, release),
                     _or_text(x.adjusted_or, x.adjusted_or_low, x.adjusted_or_high, release, significant=release)])
    columns = ["risk factor", "pupils with it", "with it and a violent offence", "pupils without it",
               "without it and a violent offence", "risk with", "risk without", "crude odds ratio (95% CI)",
               "adjusted odds ratio (95% CI)"]
    n = _fmt(r.population) if r.population is not None else "a few (suppressed)"
    cohort = f"{n} pupils" + (" (SYNTHETIC data, invented for testing and training)" if r.synthetic else "")
    clear = t[(t["adjusted_or_low"] > 1) | (t["adjusted_or_high"] < 1)].dropna(subset=["adjusted_or"])
    raised = clear[clear["adjusted_or"] > 1].sort_values(["adjusted_or", "exposure"], ascending=[False, True])
    if len(raised):
        top = raised.iloc[0]
        finding = (f"In the linked cohort of {cohort}, {_who_had(top)} {top['adjusted_or']:.1f} times the odds of a "
                   "violent youth justice offence, allowing for the other school factors (adjusted odds ratio, 95% CI "
                   f"{top['adjusted_or_low']:.1f} to {top['adjusted_or_high']:.1f}): an association, not a cause.")
        others = [f"{x['label'].lower()} {x['adjusted_or']:.1f}" for _, x in raised.iloc[1:].iterrows()]
        if others:
            finding += " Also raised: " + "; ".join(others) + "."
        recommendation = (f"Offer early support, with schools, to pupils who are {top['label'][0].lower()}"
                          f"{top['label'][1:]} (the strongest school risk factor in the linked cohort), and evaluate "
                          "it (section 5).") if top["exposure"] != "male" else None
    elif t["adjusted_or"].notna().any():
        finding = (f"In the linked cohort of {cohort}, no school factor's adjusted odds ratio of a violent youth "
                   "justice offence has a 95% confidence interval that excludes 1.")
        recommendation = None
    else:
        finding = (f"In the linked cohort of {cohort}, no adjusted odds ratio could be published"
                   + (" (a cell of every table is suppressed)." if release else " (the model could not be fitted)."))
        recommendation = None
    if r.synthetic and recommendation:
        recommendation = None  # invented data recommend nothing
    return {"result": r, "finding": finding, "recommendation": recommendation, "missing": None,
            "table": {"columns": columns, "rows": rows}, "population": n,
            "with_outcome": _fmt(r.with_outcome) if r.with_outcome is not None else "a few (suppressed)",
            "outside": (_fmt(r.offenders_not_in_education) if r.offenders_not_in_education is not None
                        else "a few (suppressed)"),
            "notes": r.notes, "synthetic": r.synthetic, "citation": r.citation,
            "offences": ", ".join(r.parameters["offence_types"]),
            "nc_years": f"{r.parameters['min_nc_year']} to {r.parameters['max_nc_year']}",
            "disclosure": r.disclosure}
=======
    html = env.get_template("sna.html.j2").render(**inputs.context)
    pdf_bytes = None
    if pdf:
        from weasyprint import HTML

        step("writing the PDF")
        pdf_bytes = HTML(string=html).write_pdf()
    return RenderedSna(html, pdf_bytes, inputs.stem, inputs.released, list(inputs.context["datasets_used"]))


def build_sna(
    ws: Workspace, *, start: dt.date | None = None, end: dt.date | None = None, out: Path,
    definition: Definition | None = None, release: bool = False, pdf: bool = False,
    built_at: dt.datetime | None = None, today: dt.date | None = None, vintage: int | None = None,
    imd_domain: str | None = None, on_step: Callable[[str], None] | None = None,
) -> SnaResult:
    """:func:`gather_sna`, :func:`render_sna`, and the files written to ``out``."""
    inputs = gather_sna(ws, start=start, end=end, definition=definition, release=release, built_at=built_at,
                        today=today, vintage=vintage, imd_domain=imd_domain, on_step=on_step)
    page = render_sna(inputs, pdf=pdf, on_step=on_step)
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / f"{page.stem}.html"
    html_path.write_text(page.html, encoding="utf-8")
    pdf_path = None
    if page.pdf is not None:
        pdf_path = out / f"{page.stem}.pdf"
        pdf_path.write_bytes(page.pdf)
    ctx = inputs.context
    return SnaResult(html_path, pdf_path, release, ctx["findings"], ctx["missing"], inputs.definition_sha256,
                     ctx["datasets_used"], ctx["label"])
>>>>>>> main
