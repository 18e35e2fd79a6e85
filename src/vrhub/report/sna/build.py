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

from vrhub.analysis.areas import Area
from vrhub.analysis.profile import build_profile
from vrhub.domain.definitions import Definition, load_definition
from vrhub.domain.periods import parse_period as parse_period  # the one period grammar
from vrhub.governance.store import in_force
from vrhub.report.sna.area import SnaShared, area_level, comparison
from vrhub.report.sna.board import titled_svg
from vrhub.report.sna.context import _context
from vrhub.report.sna.publication import Publication
from vrhub.store.workspace import Workspace

DRAFT = "analyst draft — unsuppressed"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF (ISO 14289-1): structure tree, document language and title, figures' alt text


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
    docx: Path | None = None  # the editable Word document, when asked for

    def to_json(self) -> dict[str, Any]:
        return {"notice": self.label, "html": str(self.html), "pdf": str(self.pdf) if self.pdf else None,
                "docx": str(self.docx) if self.docx else None,
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
    area: Area | None = None

    @property
    def stem(self) -> str:
        """The file name the SNA is written under, without its suffix (an area SNA's begins with the area's code)."""
        where = f"{self.area.slug}_" if self.area else ""
        return f"sna_{where}{self.start:%Y-%m}_{self.end:%Y-%m}{'_release' if self.released else '_draft'}"


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
    area: Area | None = None, shared: SnaShared | None = None,
) -> SnaInputs:
    """Run every analysis the SNA shows and assemble the page's context (released with ``release``: the
    release step is applied here, once, to the profile and to each analysis the page shows).

    With ``area`` (:mod:`vrhub.analysis.areas`) the SNA is that local area's, with the partnership's figures beside
    it (:mod:`vrhub.report.sna.area`); ``shared`` carries the partnership-wide parts from one area's SNA to the next
    so that a run over many areas computes them once."""
    step = on_step or (lambda _label: None)  # progress: each stage named as it starts (the CLI draws a bar)
    definition = definition or load_definition()
    engine = ws.engine()
    shared = shared or SnaShared()
    step("the problem profile")
    level = "district" if area is None else area_level(ws, area)
    profile = build_profile(engine, definition, start=start, end=end, level=level, vintage=vintage,
                            imd_domain=imd_domain, area=area)
    compare = None
    if area is not None:
        if shared.whole is None:
            shared.whole = build_profile(engine, definition, start=start, end=end, level="district",
                                         vintage=vintage, imd_domain=imd_domain)
        partnership = in_force(ws).partnership
        compare = comparison(profile, shared.whole, str(partnership.get("area") or partnership.get("name")),
                             Publication(release))
    gov = in_force(ws)
    built_at = built_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = today or built_at.date()
    notice = DRAFT
    if release:
        from vrhub.report.release import release_profile

        step("disclosure control")
        profile, notice = release_profile(profile)  # tables, headline, summary and notes all protected
    tables = profile.tables()
    ctx = _context(ws, profile, definition, gov, tables, notice, Publication(release), built_at, today, step,
                   shared=shared, area=area, comparison=compare)
    return SnaInputs(ctx, release, profile.start, profile.end, definition.sha256, area)


def render_sna(inputs: SnaInputs, *, pdf: bool = False, on_step: Callable[[str], None] | None = None) -> RenderedSna:
    """The SNA's HTML (Jinja2) and, with ``pdf``, its PDF (WeasyPrint), in memory."""
    step = on_step or (lambda _label: None)
    step("writing the HTML")
    env = Environment(loader=PackageLoader("vrhub.report.sna", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["titled"] = titled_svg
    html = env.get_template("sna.html.j2").render(**inputs.context)
    pdf_bytes = None
    if pdf:
        from weasyprint import HTML

        step("writing the PDF")
        pdf_bytes = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedSna(html, pdf_bytes, inputs.stem, inputs.released, list(inputs.context["datasets_used"]))


def build_sna(
    ws: Workspace, *, start: dt.date | None = None, end: dt.date | None = None, out: Path,
    definition: Definition | None = None, release: bool = False, pdf: bool = False,
    built_at: dt.datetime | None = None, today: dt.date | None = None, vintage: int | None = None,
    imd_domain: str | None = None, on_step: Callable[[str], None] | None = None, docx: bool = False,
    area: Area | None = None, shared: SnaShared | None = None,
) -> SnaResult:
    """:func:`gather_sna`, :func:`render_sna`, and the files written to ``out`` (with ``docx``, also an editable Word
    document of the same page: :func:`vrhub.report.sna.docx_export.write_docx`)."""
    inputs = gather_sna(ws, start=start, end=end, definition=definition, release=release, built_at=built_at,
                        today=today, vintage=vintage, imd_domain=imd_domain, on_step=on_step, area=area,
                        shared=shared)
    page = render_sna(inputs, pdf=pdf, on_step=on_step)
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / f"{page.stem}.html"
    html_path.write_text(page.html, encoding="utf-8")
    pdf_path = None
    if page.pdf is not None:
        pdf_path = out / f"{page.stem}.pdf"
        pdf_path.write_bytes(page.pdf)
    docx_path = None
    if docx:
        from vrhub.report.sna.docx_export import write_docx

        if on_step:
            on_step("writing the Word document")
        docx_path = write_docx(page.html, out / f"{page.stem}.docx")
    ctx = inputs.context
    return SnaResult(html_path, pdf_path, release, ctx["findings"], ctx["missing"], inputs.definition_sha256,
                     ctx["datasets_used"], ctx["label"], docx_path)
