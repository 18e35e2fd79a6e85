"""The SNA as an editable Word document (DOCX), written from the SNA's own HTML with python-docx.

The partnership edits and publishes the SNA in Word, so the DOCX carries the same sections, headings, paragraphs,
lists and tables as the HTML, and each chart as a PNG picture (vl-convert renders the inline SVG) with its text
alternative as the picture's description and as a caption. Written from the rendered HTML, not from the analyses,
so that the two can never say different things. python-docx (python-openxml/python-docx) writes Office Open XML
(ECMA-376) without Word installed.
"""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import lxml.html
import vl_convert as vlc
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
PICTURE_WIDTH = Cm(16)  # A4 portrait, 2.5 cm margins


def _text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def write_docx(html: str, path: Path) -> Path:
    """Write ``html`` (an SNA page) to ``path`` as a DOCX; return the path."""
    svgs = _SVG.findall(html)  # kept as written: lxml's HTML parser would lower-case SVG's camelCase names
    numbers = itertools.count()
    marked = _SVG.sub(lambda _m: f'<img data-svg="{next(numbers)}">', html)
    root = lxml.html.fromstring(marked)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    title = root.findtext(".//title") or "Serious Violence Strategic Needs Assessment"
    doc.core_properties.title = " ".join(title.split())
    doc.core_properties.language = root.get("lang", "en-GB")
    body = root.find("body")
    if body is not None:
        _walk(doc, body, svgs)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _walk(doc: DocxDocument, el: lxml.html.HtmlElement, svgs: list[str]) -> None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        tag, cls = child.tag, child.get("class", "")
        if tag in ("script", "style", "footer") or "skip" in cls:
            continue
        if tag == "nav":
            doc.add_paragraph("Contents: use Word's References → Table of Contents to list the headings below.")
            continue
        if tag == "h1":
            doc.add_heading(_text(child), level=0)
        elif tag in ("h2", "h3", "h4", "h5", "h6"):  # h4–h6: the partnership's own headings (narrative.py)
            doc.add_heading(_text(child), level=int(tag[1]) - 1)
        elif tag in ("p", "pre"):
            doc.add_paragraph(_text(child), style="Intense Quote" if "notice" in cls or "missing" in cls else None)
        elif tag in ("ul", "ol"):
            for li in child.findall("li"):
                doc.add_paragraph(_text(li), style="List Bullet" if tag == "ul" else "List Number")
        elif tag == "table":
            _table(doc, child)
        elif tag == "img" and child.get("data-svg") is not None:
            _picture(doc, svgs[int(child.get("data-svg"))], child)
        elif tag == "figcaption":
            doc.add_paragraph(_text(child), style="Caption")
        else:
            _walk(doc, child, svgs)


def _picture(doc: DocxDocument, svg: str, img: lxml.html.HtmlElement) -> None:
    holder = img.getparent()
    alt = (holder.get("aria-label") if holder is not None else None) or ""
    png = vlc.svg_to_png(svg, scale=2)
    shape = doc.add_picture(io.BytesIO(png), width=PICTURE_WIDTH)
    shape._inline.docPr.set("descr", alt)  # the picture's alternative text (Word: Edit Alt Text)


def _table(doc: DocxDocument, table: lxml.html.HtmlElement) -> None:
    caption = table.find("caption")
    if caption is not None:
        doc.add_paragraph(_text(caption), style="Caption")
    rows = [r for r in table.iter("tr")]
    if not rows:
        return
    width = max(len(r.findall("th")) + len(r.findall("td")) for r in rows)
    out = doc.add_table(rows=0, cols=width)
    out.style = "Table Grid"
    for i, r in enumerate(rows):
        cells = [c for c in r if c.tag in ("th", "td")]
        row = out.add_row()
        for j, c in enumerate(cells[:width]):
            row.cells[j].text = _text(c)
            if c.tag == "th":
                for run in row.cells[j].paragraphs[0].runs:
                    run.bold = True
        if i == 0 and all(c.tag == "th" for c in cells):
            tr_pr = row._tr.get_or_add_trPr()  # repeat the header row on each page
            header = tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
            tr_pr.append(header)
