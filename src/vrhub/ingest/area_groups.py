"""The partnership's named areas: community safety partnerships (CSPs) and ward groups, read from ``areas.csv``.

A local-area SNA (``vrhub sna build --area``) runs on one district, ward or LSOA by its ONS code, or on a named
group of them defined in the workspace's ``areas.csv`` (docs/sources/areas.md). One row per member:

  area, name, member

``area`` is the group's id (letters, digits, ``-`` and ``_``; what ``--area`` takes, any case), ``name`` its
name on the page (the same on every row of the group), and ``member`` an ONS code of a district (E06/E07/E08/E09/
W06), electoral ward (E05/W05) or LSOA (E01/W01) that belongs to it. A CSP that covers two districts is two rows;
a ward group is one row per ward. Every problem is reported at once, naming the file, row (as a spreadsheet
numbers it: the header is row 1), field and what to do; the good rows of a file with problems are not used
(an area missing one member would give a wrong SNA), so the whole file must be fixed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from vrhub.domain.errors import SourceError
from vrhub.domain.geography_codes import level_of

FILE_NAME = "areas.csv"
COLUMNS = ("area", "name", "member")
AREA_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class AreaGroup:
    """A named group of ONS areas: a CSP, a ward group."""

    id: str
    name: str
    members: tuple[str, ...]  # ONS codes (district, ward or LSOA), in file order


def read_area_groups(path: Path) -> dict[str, AreaGroup]:
    """The groups of ``path`` by lower-case id ({} when the file does not exist). Raises
    :class:`~vrhub.domain.errors.SourceError` listing every
    problem (row, field, value, what to do) when any row is bad."""
    if not path.exists():
        return {}
    problems: list[str] = []
    groups: dict[str, tuple[str, list[str]]] = {}
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise SourceError(str(path), f"row 1 (the header) has no column {', '.join(missing)}",
                                "the header must be: area,name,member (docs/sources/areas.md)")
        reader.fieldnames = header
        for row_no, row in enumerate(reader, start=2):
            area, name, member = ((row.get(c) or "").strip() for c in COLUMNS)
            if not (area or name or member):
                continue  # a blank line
            where = f"{path.name} row {row_no}"
            if not AREA_ID.match(area):
                problems.append(f"{where}, field 'area': {area!r} is not an id (use 1–40 letters, digits, - or _)")
                continue
            if not name:
                problems.append(f"{where}, field 'name': empty (give the area's name as it should appear)")
            if level_of(member) not in ("district", "ward", "lsoa"):
                problems.append(f"{where}, field 'member': {member!r} is not an ONS district (E06/E07), ward (E05) "
                                "or LSOA (E01) code")
                continue
            key = area.lower()
            have = groups.setdefault(key, (name, []))
            if name and have[0] and name != have[0]:
                problems.append(f"{where}, field 'name': {name!r} differs from {have[0]!r} given for area {area!r} "
                                "above (one name per area)")
            if member in have[1]:
                problems.append(f"{where}, field 'member': {member} is listed twice for area {area!r}")
            else:
                have[1].append(member)
    if problems:
        raise SourceError(str(path), f"{len(problems)} problem(s): " + "; ".join(problems),
                            "correct these rows and run again (docs/sources/areas.md)")
    return {k: AreaGroup(k, name, tuple(members)) for k, (name, members) in groups.items()}
