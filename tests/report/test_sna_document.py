"""The SNA as a document a board reads: a tagged PDF (PDF/UA-1: structure tree, language, title, alternative text
on every figure), no page that holds only a heading, nothing running off the page, a contents list whose page
numbers are right, a one-page executive summary first, and no machine path, command or module name before the
appendix (draft and release).

The PDF checks read the files with PDF libraries (pikepdf for the structure, pypdfium2 for the text and its
position) and are each shown to fail on a small document built to break them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from vrhub.report.sna import SnaResult
from vrhub.report.sna.board import CLI_COMMANDS, plain

RUNNING = re.compile(r"Page \d+ of \d+")


def page_texts(pdf_path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    finally:
        pdf.close()


def headings_and_captions(html: str) -> list[str]:
    found = re.findall(r"<(h[1-6]|caption)\b[^>]*>(.*?)</\1>", html, re.S)
    return sorted({" ".join(re.sub(r"<[^>]+>", "", t).split()) for _, t in found}, key=len, reverse=True)


def heading_only_pages(pdf_path: Path, html: str, running: list[str]) -> list[int]:
    """Pages (1-based) whose text, without the running head and foot, is only headings and captions."""
    labels = [h for h in headings_and_captions(html) if h]
    bad = []
    for i, text in enumerate(page_texts(pdf_path), start=1):
        rest = RUNNING.sub("", text)
        for r in running:
            rest = rest.replace(r, "")
        for h in labels:
            rest = rest.replace(h, "")
        if len(re.sub(r"\W", "", rest)) < 40:
            bad.append(i)
    return bad


def text_off_page(pdf_path: Path) -> list[tuple[int, float]]:
    """(page, right edge) of each text run that ends outside the page's width or starts left of it."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    out = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            width = page.get_width()
            tp = page.get_textpage()
            for k in range(tp.count_rects()):
                left, _, right, _ = tp.get_rect(k)
                if right > width + 0.5 or left < -0.5:
                    out.append((i + 1, round(right, 1)))
    finally:
        pdf.close()
    return out


def figures(node: object, found: list[pikepdf.Dictionary]) -> list[pikepdf.Dictionary]:
    if isinstance(node, pikepdf.Array):
        for k in node:
            figures(k, found)
    elif isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == "/Figure":
            found.append(node)
        if "/K" in node:
            figures(node.K, found)
    return found


def html_of(r: SnaResult) -> str:
    return r.html.read_text(encoding="utf-8")


# --- PDF/UA: tagged, language, title, alternative text ---------------------------------------------------------
def test_pdf_is_tagged_with_language_title_and_figure_alt_text(sna_draft: SnaResult, sna_release: SnaResult):
    for r in (sna_draft, sna_release):
        html = html_of(r)
        with pikepdf.open(r.pdf) as pdf:  # type: ignore[arg-type]
            root = pdf.Root
            assert "/StructTreeRoot" in root and bool(root.MarkInfo.Marked)
            assert str(root.Lang) == "en-GB"
            title = re.search(r"<title>(.*?)</title>", html)[1]  # type: ignore[index]
            assert str(pdf.docinfo["/Title"]) == title.replace("&amp;", "&")
            assert bool(root.ViewerPreferences.DisplayDocTitle)
            assert pdf.open_metadata().get("pdfuaid:part") == "1"  # PDF/UA-1 identification (XMP)
            figs = figures(root.StructTreeRoot.K, [])
            charts = html.count('role="img"')
            assert len(figs) == charts == 5  # 3 charts, the hot-spot map and the rate map (no hot spot is significant)
            alts = [str(f.get("/Alt", "")) for f in figs]
            assert all(a.strip() for a in alts)
            assert any(a.startswith("Bar chart of rates per 1,000 residents by deprivation decile") for a in alts)


def test_untitled_svg_figure_has_no_alt(tmp_path: Path):
    """The check above can fail: an inline SVG without a <title> is tagged as a figure with no /Alt."""
    from weasyprint import HTML

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'
    HTML(string=f'<html lang="en-GB"><head><title>t</title></head><body><p>x</p>{svg}</body></html>').write_pdf(
        tmp_path / "f.pdf", pdf_variant="pdf/ua-1")
    with pikepdf.open(tmp_path / "f.pdf") as pdf:
        figs = figures(pdf.Root.StructTreeRoot.K, [])
        assert len(figs) == 1 and "/Alt" not in figs[0]


# --- layout ------------------------------------------------------------------------------------------------------
def test_no_page_holds_only_a_heading(sna_draft: SnaResult, sna_release: SnaResult):
    for r, running in ((sna_draft, ["analyst draft — unsuppressed"]),
                       (sna_release, [re.search(r'role="note">(.*?)</p>', html_of(sna_release))[1]])):  # type: ignore[index]
        assert heading_only_pages(r.pdf, html_of(r), running) == []  # type: ignore[arg-type]


def test_a_lone_heading_page_is_found(tmp_path: Path):
    from weasyprint import HTML

    html = ("<html><body><p>" + "Some words. " * 40 + "</p><h2 style='break-before: page'>Lonely</h2>"
            "<p style='break-before: page'>" + "More words. " * 40 + "</p></body></html>")
    HTML(string=html).write_pdf(tmp_path / "h.pdf")
    assert heading_only_pages(tmp_path / "h.pdf", html, []) == [2]


def test_no_text_runs_off_the_page(sna_draft: SnaResult, sna_release: SnaResult):
    for r in (sna_draft, sna_release):
        assert text_off_page(r.pdf) == []  # type: ignore[arg-type]


def test_text_off_the_page_is_found(tmp_path: Path):
    from weasyprint import HTML

    cells = "".join(f"<td style='white-space:nowrap'>column-{i}-with-a-long-unbreakable-value</td>" for i in range(8))
    HTML(string=f"<html><body><table><tr>{cells}</tr></table></body></html>").write_pdf(tmp_path / "w.pdf")
    assert text_off_page(tmp_path / "w.pdf")


def test_executive_summary_first_then_contents_with_right_page_numbers(sna_draft: SnaResult):
    html = html_of(sna_draft)
    texts = page_texts(sna_draft.pdf)  # type: ignore[arg-type]
    assert "Executive summary" in texts[0] and "Key findings" in texts[0]
    assert sna_draft.findings[0][:60] in texts[0] and "Contents" not in texts[0]
    assert "Contents" in texts[1]
    nav = html[html.index("<nav"):html.index("</nav>")]
    entries = re.findall(r'<a href="#([\w-]+)">(.*?)</a>', nav)
    assert len(entries) == 11
    for ident, label in entries:
        m = re.search(re.escape(label) + r" ?\.{3,} ?(\d+)", texts[1])
        assert m, label
        heading = re.search(rf'<h[23] id="(?:h-)?{ident}">(.*?)</h[23]>', html)[1]  # type: ignore[index]
        assert heading in texts[int(m[1]) - 1], (label, m[1])  # the section starts on the page the contents names
        assert heading not in " ".join(texts[2:int(m[1]) - 1])  # and not before it


# --- no machine path, command or module name before the appendix -------------------------------------------------
COMMAND = re.compile(r"\bvrhub (?:" + "|".join(CLI_COMMANDS) + r")\b")


def board_text(html: str) -> str:
    """The visible text before the appendix (no style sheet, no SVG)."""
    head = html[:html.index('id="appendix"')]
    head = re.sub(r"<(style|svg)\b.*?</\1>", " ", head, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", head).split())


def machine_text(text: str, home: Path) -> list[str]:
    found = re.findall(r"(?<![\w.])/(?:tmp|home|work|usr|var|opt|root|Users)/\S+", text)
    found += [m[0] for m in COMMAND.finditer(text)]
    found += re.findall(r"\bvrhub\.[a-z_]+", text) + re.findall(r"\bdocs/\S+", text)
    found += re.findall(r"(?<![\w-])--[a-z][a-z-]+", text)
    return found + ([str(home)] if str(home) in text else [])


def test_no_machine_path_command_or_module_before_the_appendix(kent_ws, sna_draft: SnaResult,
                                                                sna_release: SnaResult):
    home = kent_ws.ws.home
    for r in (sna_draft, sna_release):
        html = html_of(r)
        assert machine_text(board_text(html), home) == []
        texts = page_texts(r.pdf)  # type: ignore[arg-type]
        first_appendix = next(i for i, t in enumerate(texts) if "7. Appendix" in t and i > 1)
        assert machine_text(" ".join(texts[:first_appendix]), home) == []
        appendix = html[html.index('id="appendix"'):]
        assert "vrhub sna build --period" in appendix  # the commands are in the appendix's how to rebuild
    # and the check finds them
    assert machine_text("see vrhub cardiff and /tmp/x.csv, vrhub.report, docs/x.md, --pdf", home) == \
        ["/tmp/x.csv,", "vrhub cardiff", "vrhub.report", "docs/x.md,", "--pdf"]


@pytest.mark.parametrize("text, shown", [
    ("No education data is loaded: load some with 'vrhub ingest education PATH'", "No education data is loaded."),
    ("No participants: no providers' returns give young people reached or engaged (load them with 'vrhub services "
     "returns FILE', or give --participants N).", "No participants: no providers' returns give young people reached "
                                                  "or engaged."),
    ("The register links X to no band: the sheet gives scenarios, not the service's effect; give --effect-prior to "
     "plan with one.", "The register links X to no band: the sheet gives scenarios, not the service's effect."),
    ("X costs £5; cost per participant is not available (no participants given or returned: use --participants N)"
     "; no band.", "X costs £5; cost per participant is not available (no participants given or returned); no band."),
    ("Nothing to run here.", "Nothing to run here."),
])
def test_plain_cuts_the_clause_with_a_command(text: str, shown: str):
    how: list[str] = []
    assert plain(text, how) == shown
    assert how == ([] if text == shown else [text])


# --- the editable Word document ----------------------------------------------------------------------------------
def test_docx_has_every_section_heading_table_and_chart(sna_draft: SnaResult, tmp_path: Path):
    import docx

    from vrhub.report.sna.docx_export import write_docx

    html = html_of(sna_draft)
    path = write_docx(html, tmp_path / "sna.docx")
    d = docx.Document(str(path))
    body = html[html.index("</nav>"):]  # the contents list is Word's to make
    expected = [" ".join(re.sub(r"<[^>]+>", "", t).split())
                for t in re.findall(r"<h[2-4]\b[^>]*>(.*?)</h[2-4]>", html[:html.index("<nav")] + body, re.S)]
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert headings == expected
    assert [h for h in headings if re.match(r"\d\. ", h)] == [
        "1. Summary of key findings and recommendations", "2. Definition, partners and data",
        "3. The problem: who, what, where, when, why", "4. Causes: risk and protective factors", "5. What works",
        "6. The strategy and action plans", "7. Appendix: capability, methods, data versions, how to rebuild"]
    titles = [p.text for p in d.paragraphs if p.style.name == "Title"]
    assert titles == [re.search(r"<h1>(.*?)</h1>", html)[1]]  # type: ignore[index]
    assert len(d.tables) == html.count("<table")
    # a table's cells are the HTML table's: the what-by-category table's rows and its headline total
    what = next(t for t in d.tables if [c.text for c in t.rows[0].cells] == ["crime type", "sv status", "records"])
    assert sum(int(r.cells[2].text.replace(",", "")) for r in what.rows[1:] if r.cells[1].text == "possible") == \
        29_452
    pictures = d.inline_shapes
    assert len(pictures) == html.count('role="img"') == 5  # with the rate map
    alts = [p._inline.docPr.get("descr") for p in pictures]
    assert all(alts) and any(a.startswith("Bar chart of rates per 1,000 residents by district") for a in alts)
    assert d.core_properties.title.startswith("Serious Violence Strategic Needs Assessment")
