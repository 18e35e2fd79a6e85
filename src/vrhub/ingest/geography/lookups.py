"""Lookups between area vintages: the ONS LSOA 2011 → LSOA 2021 (→ LAD) lookup, as published.

ONS publishes the lookup as a CSV (UTF-8 with a byte-order mark) with one row per 2011 LSOA: ``ObjectId,
LSOA11CD, LSOA11NM, LSOA21CD, LSOA21NM, LAD22CD, LAD22NM, LAD22NMW`` (best fit, version 2). The *best-fit*
lookup assigns each 2011 LSOA to one 2021 LSOA (the one holding most of its population), so a 2021 LSOA made
only by splitting a 2011 one is never a target: it is an approximation, and every output that uses it says so.
An *exact-fit* lookup has a change indicator (``CHGIND``: U unchanged, S split, M merged, X irregular) and may
list a 2011 LSOA several times; vrhub stores either and records which (``method``).

Stored as an ``area_lookup`` dataset: ``from_code, from_name, to_code, to_name, district_code, district_name``
and ``change`` (the indicator, if any). Rows whose codes are not LSOA codes are quarantined with the reason.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pyarrow as pa

from vrhub.domain.errors import SourceError, VrhubError
from vrhub.domain.geography_codes import level_of
from vrhub.ingest.files import SourceFile
from vrhub.ingest.geography.common import publish_table
from vrhub.ingest.loader import LoadResult, _duplicate
from vrhub.store.workspace import Workspace

CODE = re.compile(r"^(?P<level>LSOA|MSOA|WD|LAD)(?P<yy>\d{2})CD$", re.I)
LEVELS = {"lsoa": "lsoa", "msoa": "msoa", "wd": "ward", "lad": "district"}


def lookup_columns(header: list[str]) -> tuple[str, str] | None:
    """The (from, to) code columns of a lookup between two vintages of one level, e.g. (LSOA11CD, LSOA21CD)."""
    found = [(h.replace("\ufeff", "").strip(), CODE.match(h.replace("\ufeff", "").strip())) for h in header]
    codes = [(h, m["level"].lower(), int(m["yy"])) for h, m in found if m]
    for level in ("lsoa", "msoa", "wd"):
        same = sorted((yy, h) for h, lv, yy in codes if lv == level)
        if len(same) >= 2 and same[0][0] != same[-1][0]:
            return same[0][1], same[-1][1]
    return None


def is_lookup(header: list[str]) -> bool:
    return lookup_columns(header) is not None


def read_header(file: SourceFile) -> list[str]:
    with file.open() as f:
        first = f.read(64 * 1024)
    text = first.decode("utf-8-sig", errors="replace")
    return next(csv.reader(io.StringIO(text, newline="")), [])


def load_lookup(ws: Workspace, path: str | Path | SourceFile) -> LoadResult:
    """Load a lookup between two vintages of a level (LSOA 2011 → 2021) as an ``area_lookup`` dataset."""
    file = path if isinstance(path, SourceFile) else SourceFile(Path(path).absolute())
    result = LoadResult(source_file=file.display)
    try:
        sha = result.sha256 = file.sha256()
        existing = ws.catalogue.by_sha256(sha)
        if existing is not None:
            return _duplicate(result, existing)
        with file.open() as f:
            text = f.read().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header = [h.strip() for h in rows[0]] if rows else []
        cols = lookup_columns(header)
        if cols is None:
            raise SourceError(file.display, "no pair of code columns of two vintages (e.g. LSOA11CD and LSOA21CD)",
                              "give the ONS lookup file as published")
        data, quarantine, attrs = _parse(header, rows[1:], cols, file)
        result.warnings += attrs.pop("notes")
        return publish_table(ws, file, sha, "area_lookup", result, data, quarantine, attrs)
    except VrhubError as exc:
        result.error = str(exc)
    except (OSError, UnicodeError) as exc:
        result.error = f"{file.display}: could not be read ({exc})\n  What to do: check the file and try again"
    return result


def _parse(header: list[str], rows: list[list[str]], cols: tuple[str, str], file: SourceFile,
           ) -> tuple[pa.Table, pa.Table, dict]:
    src, dst = cols
    idx = {h: i for i, h in enumerate(header)}
    m_src, m_dst = CODE.match(src), CODE.match(dst)
    assert m_src and m_dst
    level = LEVELS[m_src["level"].lower()]
    district = next((h for h in header if re.match(r"^LAD\d{2}CD$", h, re.I)), None)
    district_name = district[:-2] + "NM" if district and district[:-2] + "NM" in idx else None
    change = next((h for h in header if h.upper() in ("CHGIND", "CHNGIND")), None)

    def col(name: str | None) -> int | None:
        return idx.get(name) if name else None

    wanted = {"from_code": col(src), "from_name": col(src[:-2] + "NM"), "to_code": col(dst),
              "to_name": col(dst[:-2] + "NM"), "district_code": col(district), "district_name": col(district_name),
              "change": col(change)}
    values: dict[str, list] = {k: [] for k in wanted}
    bad: list[tuple[int, str, str]] = []
    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        problems = []
        if len(row) != len(header):
            problems.append(f"row has {len(row)} fields, the header has {len(header)}")
        else:
            for name, key in ((src, "from_code"), (dst, "to_code")):
                code = row[wanted[key]].strip()  # type: ignore[index]
                if level_of(code) != level:
                    problems.append(f"{name}: '{code}' is not a {level} code")
        if problems:
            bad.append((line, "; ".join(problems), ",".join(row)[:2000]))
            continue
        for key, i in wanted.items():
            values[key].append(row[i].strip() or None if i is not None else None)
    data = pa.table({k: pa.array(v, pa.string()) for k, v in values.items()})
    quarantine = pa.table({
        "_source_row": pa.array([b[0] for b in bad], pa.int64()),
        "_problems": pa.array([b[1] for b in bad], pa.string()),
        "_raw_text": pa.array([b[2] for b in bad], pa.string()),
    })
    method = "exact fit" if change or re.search(r"exact", file.name, re.I) else "best fit"
    notes = []
    if method == "best fit" and not re.search(r"best", file.name, re.I):
        notes.append("the lookup has one row per source area and no change indicator: read as a best-fit lookup")
    attrs = {"level": level, "from_vintage": 2000 + int(m_src["yy"]), "to_vintage": 2000 + int(m_dst["yy"]),
             "from_field": src, "to_field": dst, "method": method, "district_field": district,
             "district_vintage": 2000 + int(district[3:5]) if district else None, "notes": notes}
    return data, quarantine, attrs
