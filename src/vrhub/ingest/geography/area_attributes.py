"""Area attributes by LSOA: population and the English Indices of Deprivation, from the government files.

Reads the MHCLG files as published: ``File_1`` (xlsx, sheet "IMD2019"), ``File_2`` (CSV, UTF-8 with BOM,
CRLF: ranks and deciles of the IMD and its seven domains) and ``File_6`` (CSV: mid-2015 population, with
thousands separators such as "1,296"), and any CSV/XLSX laid out the same way (an LSOA code column, an
optional LSOA name and district code/name, then numeric columns). Long government headers become short
column names (``imd_rank``, ``income_decile``, ``population_total`` …); the mapping is recorded on the
dataset. Rows whose LSOA code or numbers are malformed are quarantined with the reason.
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

# (pattern on the lower-cased header, short name) — first match wins.
DOMAINS = [
    ("index of multiple deprivation", "imd"),
    ("income deprivation affecting children", "idaci"),
    ("income deprivation affecting older", "idaopi"),
    ("income", "income"),
    ("employment", "employment"),
    ("education", "education"),
    ("health", "health"),
    ("crime", "crime"),
    ("barriers", "barriers"),
    ("living environment", "living_environment"),
]
POPULATION = [
    ("total population", "population_total"),
    ("dependent children aged 0-15", "population_0_15"),
    ("population aged 16-59", "population_16_59"),
    ("older population aged 60", "population_60_plus"),
    ("working age population", "population_working_age"),
]
IDS = [
    ("lsoa code", "lsoa_code"),
    ("lsoa name", "lsoa_name"),
    ("local authority district code", "district_code"),
    ("local authority district name", "district_name"),
]


def short_name(header: str) -> str:
    h = header.lower().replace("\ufeff", "").strip()
    for pat, name in IDS + POPULATION:
        if h.startswith(pat):
            return name
    measure = "rank" if " rank" in h else "decile" if " decile" in h else "score" if " score" in h else None
    if measure:
        for pat, name in DOMAINS:
            if h.startswith(pat):
                return f"{name}_{measure}"
    return re.sub(r"[^a-z0-9]+", "_", h).strip("_")[:60] or "column"


def _read_rows(file: SourceFile) -> tuple[list[str], list[list[str]]]:
    suffix = file.path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(file.path, read_only=True, data_only=True)
        sheet = next((wb[n] for n in wb.sheetnames if n.upper().startswith("IMD")), None) or wb.worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        wb.close()
        header_at = next((i for i, r in enumerate(rows) if any("lsoa code" in c.lower() for c in r)), None)
        if header_at is None:
            raise SourceError(file.display, "no header row with an 'LSOA code' column was found in the workbook",
                              "check this is an IMD/population workbook with one row per LSOA")
        return rows[header_at], rows[header_at + 1:]
    with file.open() as f:
        data = f.read()
    if not data:
        raise SourceError(file.display, "the file is empty", "check the download")
    text = data.decode("utf-8-sig", errors="strict") if data[:3] == b"\xef\xbb\xbf" else data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise SourceError(file.display, "the file has no header", "check the download")
    return rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]


def load_area_attributes(ws: Workspace, path: str | Path, *, table: str | None = None) -> LoadResult:
    """Load one population / deprivation file as an ``area_attributes`` dataset."""
    file = SourceFile(Path(path).absolute())
    result = LoadResult(source_file=file.display)
    try:
        sha = result.sha256 = file.sha256()
        existing = ws.catalogue.by_sha256(sha)
        if existing is not None:
            return _duplicate(result, existing)
        header, rows = _read_rows(file)
        names = [short_name(h) for h in header]
        if "lsoa_code" not in names:
            raise SourceError(file.display, "no 'LSOA code' column", "the file needs one row per LSOA with its code")
        text_cols = {"lsoa_code", "lsoa_name", "district_code", "district_name"}
        numeric = [i for i, n in enumerate(names) if n not in text_cols]
        values: dict[str, list] = {n: [] for n in names}
        bad_rows: list[tuple[int, str, str]] = []
        for line, row in enumerate(rows, start=2):
            problems = []
            if len(row) != len(header):
                problems.append(f"row has {len(row)} fields, the header has {len(header)}")
            else:
                code = row[names.index("lsoa_code")].strip()
                if level_of(code) != "lsoa":
                    problems.append(f"{header[names.index('lsoa_code')]}: '{code}' is not an LSOA code")
                parsed = {}
                for i in numeric:
                    raw = row[i].strip().replace(",", "")
                    try:
                        parsed[i] = float(raw) if raw else None
                    except ValueError:
                        problems.append(f"{header[i]}: '{row[i]}' is not a number")
            if problems:
                bad_rows.append((line, "; ".join(problems), ",".join(row)[:2000]))
                continue
            for i, n in enumerate(names):
                if i in parsed:
                    v = parsed[i]
                    values[n].append(int(v) if v is not None and v.is_integer() else v)
                else:
                    values[n].append(row[i].strip() or None)
        columns = {}
        for i, n in enumerate(names):
            if i in numeric:
                is_int = all(v is None or isinstance(v, int) for v in values[n])
                columns[n] = pa.array(values[n], pa.int64() if is_int else pa.float64())
            else:
                columns[n] = pa.array(values[n], pa.string())
        data = pa.table(columns)
        quarantine = pa.table({
            "_source_row": pa.array([b[0] for b in bad_rows], pa.int64()),
            "_problems": pa.array([b[1] for b in bad_rows], pa.string()),
            "_raw_text": pa.array([b[2] for b in bad_rows], pa.string()),
        })
        table_name = table or _table_name(names)
        attributes = {"table": table_name, "columns": dict(zip(names, header, strict=True))}
        return publish_table(ws, file, sha, "area_attributes", result, data, quarantine, attributes)
    except VrhubError as exc:
        result.error = str(exc)
    except (OSError, UnicodeError) as exc:
        result.error = f"{file.display}: could not be read ({exc})\n  What to do: check the file and try again"
    return result


def _table_name(names: list[str]) -> str:
    if any(n.startswith("population_") for n in names):
        return "population"
    if any(n.startswith("imd_") for n in names):
        return "deprivation"
    return "attributes"
