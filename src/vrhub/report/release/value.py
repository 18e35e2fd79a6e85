"""The release of a value-for-money sheet (the SNA's "what works" section).

Participants counted from providers' returns are a count of young people (statistics rule "count"): protected, and
the cost per participant recomputed from the released number ("ratio"). A number given by the user
(``--participants``) is not data about people and is left as given. The sheet's sentences are written again with
the released figures.
"""

from __future__ import annotations

from typing import Any

from vrhub.analysis.value.prices import format_gbp
from vrhub.domain.disclosure import DisclosureRules
from vrhub.report.release.core import protect_count

GIVEN = "given with --participants"


def release_value_sheet(sheet: dict[str, Any], rules: DisclosureRules) -> dict[str, Any]:
    """The sheet as it may leave (module docstring); the analyst's sheet is not changed."""
    out = dict(sheet)
    exact = sheet.get("participants")
    if exact is None or sheet.get("participants_source") == GIVEN:
        return out
    shown = protect_count(exact, rules)
    cost = sheet.get("programme_cost")
    cpp = None if not shown or cost is None else cost / shown
    out["participants"], out["cost_per_participant"] = shown, cpp
    words = "a few (suppressed)" if shown is None else f"{shown:,}"
    swaps = [(f"for each of {exact:,} participants", f"for each of {words} participants"),
             (f"Participants: {exact:,} young people", f"Participants: {words} young people")]
    if sheet.get("cost_per_participant") is not None:
        swaps.insert(0, (f"{format_gbp(sheet['cost_per_participant'])} for each of",
                         f"{format_gbp(cpp)} for each of" if cpp is not None else "for each of"))
    for key in ("plain_english",):
        text = str(out.get(key) or "")
        for old, new in swaps:
            text = text.replace(old, new)
        out[key] = text
    out["assumptions"] = [_swap(a, swaps) for a in sheet.get("assumptions", [])]
    out["released"] = True
    return out


def _swap(text: str, swaps: list[tuple[str, str]]) -> str:
    for old, new in swaps:
        text = text.replace(old, new)
    return text
