"""The SNA as the board reads it: no command, option, module name or machine path before the appendix, and every
chart's text alternative inside its SVG (for screen readers and the tagged PDF).

An analysis attaches to a gap the command that would fill it ("No education data is loaded: load some with 'vrhub
ingest education PATH'"). For a board that clause is noise; for the analyst it is the next step. :func:`plain` cuts
it from the text shown in the body and keeps the whole text for the appendix's "how to fill the gaps".
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

# Commands of the vrhub CLI (a fixed list: the report layer does not import the CLI).
CLI_COMMANDS = ("ingest", "geography", "strategy", "sna", "services", "evaluate", "fetch", "hub", "audit", "update",
                "datasets", "quarantine", "withdraw", "restore", "demo", "profile", "cardiff", "cohort", "synth",
                "value", "pseudonymise", "hotspots", "near-repeat", "serve", "linkage", "force")
_CLI = re.compile(r"'?\bvrhub (?:" + "|".join(CLI_COMMANDS) + r")\b|(?<![\w-])--[a-z][a-z-]+")
_SEPARATORS = (" (", ": ", "; ", ", or ", " — ")


def plain(text: str, how: list[str]) -> str:
    """``text`` for a board reader: the clause that names a command or an option is cut (the whole text is added to
    ``how``, which the appendix lists).

    Inside parentheses only the parenthesis' clause goes ("(no participants given: use --participants N)" →
    "(no participants given)"); otherwise the text ends before the clause ("No education data is loaded: load
    some with 'vrhub ingest education PATH'" → "No education data is loaded.").
    """
    m = _CLI.search(text)
    if not m:
        return text
    if text not in how:
        how.append(text)
    opened, closed = text.rfind("(", 0, m.start()), text.find(")", m.end())
    if opened >= 0 and ")" not in text[opened:m.start()] and closed > 0:
        inner = text[opened + 1:m.start()]
        cut = max(inner.rfind(sep) for sep in _SEPARATORS[1:])
        inner = inner[:cut].rstrip(" ,;:") if cut > 0 else ""
        return plain(text[:opened].rstrip() + (f" ({inner})" if inner else "") + text[closed + 1:], how)
    head = text[:m.start()]
    cut = max(head.rfind(sep) for sep in _SEPARATORS)
    head = (head[:cut] if cut > 0 else head).rstrip(" ,;:(")
    return head + ("" if head.endswith(".") else ".")


def board_texts(ctx: dict[str, Any]) -> list[str]:
    """Rewrite, in place, every text of the SNA's context shown before the appendix that names a command or an
    option (:func:`plain`); return the full texts, for the appendix's "how to fill the gaps"."""
    how: list[str] = []
    ctx["board_label"] = plain(ctx["label"], how) if ctx.get("label") else ctx.get("label")
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


def titled_svg(svg: str, alt_text: str) -> Markup:
    """The inline SVG with its text alternative as its first ``<title>``: read by screen readers, and written by
    WeasyPrint as the tagged PDF figure's /Alt (PDF/UA-1 requires one on every figure)."""
    return Markup(re.sub(r"(<svg\b[^>]*>)", lambda m: f"{m[1]}<title>{escape(alt_text)}</title>", svg, count=1))
