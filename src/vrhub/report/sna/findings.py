"""Key findings a board can cite: each one names the data it comes from and the period it covers.

The profile's findings (``vrhub.analysis.profile.build.summarise``) are sentences about the numbers; the SNA adds to
each its source (the feed and the partner that supplied it, and the population or deprivation index a rate uses) and
its period, as a statistical release does ("Police-recorded violence, police.uk, Jan–Dec 2025"; UK Statistics
Authority, *Code of Practice for Statistics*, 2022, principle V3: clarity and insight).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from vrhub.analysis.profile import Profile

FEEDS = {"police_uk_street": "police.uk street-level crime", "force_crime": "force crime records",
         "ed_istv": "emergency department assault attendances (ISTV)", "ambulance": "ambulance assault calls",
         "education": "education records", "youth_justice": "youth justice records"}


@dataclass(frozen=True)
class Finding:
    text: str
    source: str
    period: str

    def __str__(self) -> str:
        return f"{self.text} Source: {self.source}, {self.period}."


def period_words(start: dt.date, end: dt.date) -> str:
    """"Jan–Dec 2025", "Oct 2018–Feb 2019", "Mar 2025"."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    if start.year == end.year:
        return f"{start:%b}–{end:%b %Y}"
    return f"{start:%b %Y}–{end:%b %Y}"


def feed(kind: str, sources: list[dict[str, Any]]) -> str:
    """A feed's name with the partners that supplied it ("police.uk street-level crime (Kent Police)")."""
    name = FEEDS.get(kind, kind.replace("_", " "))
    partners = next((s["partners"] for s in sources if s["kind"] == kind), [])
    synthetic = any(s["synthetic"] for s in sources if s["kind"] == kind)
    return name + (f" ({', '.join(partners)})" if partners else "") + (", synthetic" if synthetic else "")


def sourced_findings(p: Profile, sources: list[dict[str, Any]], *, causes: dict[str, Any] | None = None,
                     cost: dict[str, Any] | None = None) -> list[Finding]:
    """The profile's findings, then the cohort's and the cost's, each with its source and period."""
    period = period_words(p.start, p.end)
    police = feed("police_uk_street", sources)
    out = []
    for line in p.summary:
        src = police
        if line.startswith("The highest rate"):
            src = f"{police}; population: {p.population or 'residents'}"
        elif line.startswith("The rate in the most deprived"):
            src = f"{police}; {p.deprivation or 'English Indices of Deprivation'} (MHCLG)"
        elif line.startswith("Areas are"):
            src = f"{police}; ONS LSOA best-fit lookup"
        elif line.startswith("The force's own crime records"):
            src = feed("force_crime", sources)
        out.append(Finding(line, src, period))
    if causes and causes.get("finding"):
        out.append(Finding(causes["finding"], f"{feed('education', sources)} linked to "
                           f"{feed('youth_justice', sources)}", period))
    if cost:
        kind = "force_crime" if cost["source"].startswith("force") else "police_uk_street"
        out.append(Finding(cost["sentence"], f"{feed(kind, sources)}; Home Office unit costs of crime "
                           "(Heeks et al. 2018)", period))
    return out
