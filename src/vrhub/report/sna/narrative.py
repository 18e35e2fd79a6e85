"""The partnership's own words in the SNA: one Markdown file per section, kept in the workspace.

The statutory guidance expects the strategic needs assessment to be the partnership's document, not a data dump
(Home Office, *Serious Violence Duty: statutory guidance*, December 2022, chapter 3). vrhub writes the numbers; the
partnership writes, for each section, what they mean locally. Each section's words live in
``<home>/sna/narrative/<section>.md``. The first build creates the files with guidance for the writer in Markdown
comments (``<!-- ... -->``): what the board expects in that section. Comments are never shown; a file holding only
its guidance is an unwritten section.

Rendering uses markdown-it-py (executablebooks/markdown-it-py; a CommonMark parser, already installed as a
dependency of Rich) with raw HTML turned off, so whatever the file holds, the page gets escaped text: no script,
no style, no element vrhub did not write. Images are turned off too (an image URL would make the page reach the
network). Links pass markdown-it's own link check, which refuses ``javascript:``, ``vbscript:``, ``file:`` and
``data:`` URLs.

The SHA-256 of each file's bytes goes into the SNA's data-versions appendix, so the words a board signed off can be
matched to the files they came from.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from vrhub.domain.errors import UsageError

NARRATIVE_DIR = Path("sna") / "narrative"
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class NarrativeSection:
    """One section the partnership writes for: its file name (``key``), the heading it sits under, and the guidance
    the file starts with."""

    key: str
    title: str
    guidance: str


#: The sections in page order (the SNA's sections 1–6; the appendix is vrhub's own).
SECTIONS: tuple[NarrativeSection, ...] = (
    NarrativeSection("summary", "Summary of key findings and recommendations",
                     "The board's reading of the findings in two or three paragraphs: what has changed since the last "
                     "assessment, what the partnership is most concerned about, and the priorities it sets for the "
                     "year. Say which recommendations the board accepts, and who leads each."),
    NarrativeSection("definition", "Definition, partners and data",
                     "Why the partnership defines serious violence as it does (the local pattern, the strands). Which "
                     "partners shared data, which did not yet, and what the partnership is doing about the gaps "
                     "(data-sharing agreements, supply problems)."),
    NarrativeSection("problem", "The problem: who, what, where, when, why",
                     "What the figures mean locally: the places, groups and times the partners recognise from their "
                     "own work, and anything the data miss (unreported violence, recent events). Keep numbers to "
                     "those in the tables: counts of 1 to 7 people or crimes must not be published."),
    NarrativeSection("causes", "Causes: risk and protective factors",
                     "The risk and protective factors the partners see (exclusion, exploitation, adverse childhood "
                     "experiences, substance misuse, deprivation) and the local evidence for them, including what "
                     "young people and communities said."),
    NarrativeSection("works", "What works",
                     "Which services the partnership will keep, grow, change or stop, and why: the evidence (YEF "
                     "Toolkit, local evaluations, providers' returns) and value for money."),
    NarrativeSection("strategy", "The strategy and action plans",
                     "How the strategy answers this assessment: the priorities by strand, who leads, how progress will "
                     "be measured, and when the board will next review it."),
)
_BY_KEY = {s.key: s for s in SECTIONS}


def section(key: str) -> NarrativeSection:
    """The narrative section ``key``; an unknown key is a usage error naming the known ones."""
    if key not in _BY_KEY:
        raise UsageError(f"no SNA narrative section {key!r}", f"use one of: {', '.join(_BY_KEY)}")
    return _BY_KEY[key]


def narrative_path(home: Path, key: str) -> Path:
    return Path(home) / NARRATIVE_DIR / f"{section(key).key}.md"


def template(s: NarrativeSection) -> str:
    """A new section file: the guidance as a comment (not rendered), then room for the partnership's words."""
    return (f"<!-- {s.title}\n\n{s.guidance}\n\nWrite below this comment, in Markdown (headings, lists, **bold**, "
            "links). Text inside these comment marks is guidance and is never shown in the SNA. -->\n\n")


def ensure_narrative(home: Path) -> list[Path]:
    """Create each missing section file with its guidance (an existing file is never touched); return the paths of
    every section, in page order."""
    paths = []
    for s in SECTIONS:
        p = narrative_path(home, s.key)
        if not p.exists():
            _write(p, template(s))
        paths.append(p)
    return paths


def read_narrative(home: Path, key: str) -> str:
    """The text of section ``key``'s file (created with its guidance if missing)."""
    p = narrative_path(home, key)
    if not p.exists():
        _write(p, template(section(key)))
    return p.read_text(encoding="utf-8")


def save_narrative(home: Path, key: str, text: str) -> Path:
    """Replace section ``key``'s words with ``text`` (atomically: a reader sees the old file or the new one, never
    half of one); return the file's path."""
    p = narrative_path(home, key)
    _write(p, text)
    return p


def written(text: str) -> str:
    """The partnership's words: ``text`` without its guidance comments, stripped ("" for an unwritten section)."""
    return _COMMENT.sub("", text).strip()


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["replacements", "smartquotes"])
    md.disable("image")
    return md


def render_markdown(text: str) -> Markup:
    """``text`` (Markdown) as safe HTML: guidance comments dropped, raw HTML escaped, images off. Headings are moved
    moved so that the highest one is level 4: the partnership's words sit inside vrhub's section headings."""
    html = _markdown().render(written(text))
    levels = [int(n) for n in re.findall(r"<h([1-6])>", html)]
    shift = 4 - min(levels) if levels else 0  # the top heading the partnership used becomes h4, the rest follow
    html = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}>", html)
    return Markup(html)  # markdown-it output with html disabled: every input character is escaped


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def narrative_for_page(home: Path) -> tuple[dict[str, Markup], list[dict[str, str]]]:
    """Each section's words as HTML (sections with none left out), and one row per file for the data-versions
    appendix: section, file name, SHA-256 (first 16 hex digits) and whether it holds any words yet."""
    html: dict[str, Markup] = {}
    versions = []
    for s, p in zip(SECTIONS, ensure_narrative(home), strict=True):
        text = p.read_text(encoding="utf-8")
        if written(text):
            html[s.key] = render_markdown(text)
        versions.append({"section": s.title, "file": f"{s.key}.md", "sha256": file_sha256(p)[:16],
                         "state": "written" if written(text) else "guidance only"})
    return html, versions


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
