"""Home Office offence codes: the classifications of the Home Office Counting Rules for Recorded Crime.

``offence_codes.csv`` beside this module lists 90 codes with their description, the ONS offence group and
sub-group they are published under, and the police.uk category the same crime appears as on data.police.uk.
Sources: Home Office, *Counting Rules for Recorded Crime* (annual; the April 2024 edition), whose offence
classifications the police record; Home Office, *Police recorded crime and outcomes open data tables*, whose
"Offence code" column writes sub-classifications as ``4.1`` where the Counting Rules write ``4/1``; ONS, *Crime in
England and Wales: user guide*, for the offence groups; data.police.uk "About" page for the police.uk categories.
Descriptions are shortened. The list covers the violent, sexual, robbery, weapon, acquisitive, damage, drug and
public order classifications a force extract commonly carries; a partnership that meets another code adds a row.

Codes are compared in :func:`vrhub.domain.definitions.model.normalise_code` form: trimmed, upper case, ``/`` as ``.``
(so ``4/1``, ``4.1`` and `` 4.1 `` are the same code).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vrhub.domain.definitions.model import normalise_code

CSV_PATH = Path(__file__).with_name("offence_codes.csv")
CITATION = ("Home Office, Counting Rules for Recorded Crime (April 2024), offence classifications; Home Office, "
            "Police recorded crime and outcomes open data tables (offence codes); ONS, Crime in England and Wales: "
            "user guide (offence groups)")


@dataclass(frozen=True)
class OffenceCode:
    """One Home Office offence classification."""

    code: str
    description: str
    offence_group: str
    offence_subgroup: str
    police_uk_category: str


@cache
def offence_codes() -> dict[str, OffenceCode]:
    """Every known code (normalised) → its classification, in the file's order."""
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        rows = [OffenceCode(**r) for r in csv.DictReader(f)]
    return {normalise_code(r.code): r for r in rows}


def lookup(code: str) -> OffenceCode | None:
    """The classification of ``code`` in any spelling (``4/1``, ``4.1``, ``8n``), or None if it is not listed."""
    return offence_codes().get(normalise_code(code))


def normalise_offence_code(value: str) -> str | None:
    """The canonical spelling of a Home Office offence code: also strips zero padding (``008N`` → ``8N``,
    ``004/01`` → ``4.1``) and a leading ``HO`` / ``HOC``; None when the result is not a listed code."""
    text = normalise_code(value).replace(" ", "")
    for prefix in ("HOCR", "HOC", "HO"):
        if text.startswith(prefix) and len(text) > len(prefix) and text[len(prefix)].isdigit():
            text = text[len(prefix):]
            break
    if text in offence_codes():
        return text
    head, dot, tail = text.partition(".")
    stripped = head.lstrip("0") + (dot + tail.lstrip("0") if dot else "")
    return stripped if stripped in offence_codes() else None
