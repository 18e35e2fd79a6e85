"""Area attributes by LSOA: population and the English Indices of Deprivation, from the files as published.

Reads the MHCLG Indices of Deprivation files (2019 and 2025: File 1, 2, 3, 6 and 7, workbook or CSV, and the
derived IoD 2025 all-domains CSV), the Nomis bulk Census 2021 tables and ONS mid-year population estimates by
LSOA (one sheet per year), and any CSV/XLSX laid out the same way: a column of LSOA codes, optionally the LSOA
name and the district code and name, then numeric columns (``attribute_layouts``). Long headers become short
names (``imd_rank``, ``crime_decile``, ``age_10_14``, ``population_total`` …); the mapping is recorded on the
dataset with the LSOA vintage, the IoD edition, the population year(s) and the source. Rows whose LSOA code or
numbers are malformed are quarantined with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from vrhub.domain.age_bands import is_population_column
from vrhub.domain.errors import SourceError, VrhubError
from vrhub.domain.geography_codes import level_of
from vrhub.ingest.files import SourceFile
from vrhub.ingest.geography.attribute_layouts import (
    TEXT_COLUMNS,
    edition_of,
    is_deprivation_column,
    population_source,
    population_year,
    short_name,
)
from vrhub.ingest.geography.attribute_tables import RawTable, read_tables
from vrhub.ingest.geography.common import publish_table
from vrhub.ingest.loader import LoadResult, _duplicate
from vrhub.store.workspace import Workspace


def load_area_attributes(ws: Workspace, path: str | Path | SourceFile, *, table: str | None = None,
                         vintage: int | None = None, year: int | None = None) -> LoadResult:
    """Load one population / deprivation file as an ``area_attributes`` dataset.

    ``vintage`` (LSOA 2011 or 2021) and ``year`` (of a population) override what the file says about itself.
    """
    file = path if isinstance(path, SourceFile) else SourceFile(Path(path).absolute())
    result = LoadResult(source_file=file.display)
    try:
        sha = result.sha256 = file.sha256()
        existing = ws.catalogue.by_sha256(sha)
        if existing is not None:
            return _duplicate(result, existing)
        raw = read_tables(file)
        data, quarantine, attributes = _parse(file, raw, vintage, year, result.warnings)
        if table:
            attributes["table"], attributes["tables"] = table, [table]
        return publish_table(ws, file, sha, "area_attributes", result, data, quarantine, attributes)
    except VrhubError as exc:
        result.error = str(exc)
    except (OSError, UnicodeError) as exc:
        result.error = f"{file.display}: could not be read ({exc})\n  What to do: check the file and try again"
    return result


def _parse(file: SourceFile, raw: list[RawTable], vintage: int | None, year: int | None, notes: list[str],
           ) -> tuple[pa.Table, pa.Table, dict]:
    first = raw[0]
    names = [short_name(h) for h in first.header]
    names[first.code_index] = "lsoa_code"
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise SourceError(file.display, f"several columns would be called {', '.join(dup)} "
                          f"(headers: {', '.join(first.header)})", "rename the repeated columns and load again")
    lsoa_vintage = vintage or first.lsoa_vintage
    if lsoa_vintage is None:
        raise SourceError(file.display, f"the LSOA vintage (2011 or 2021) cannot be read from the header "
                          f"'{first.header[first.code_index]}'", "give it with --vintage 2011 or --vintage 2021")
    tables = [t for t, test in (("deprivation", is_deprivation_column), ("population", is_population_column))
              if any(test(n) for n in names)] or ["attributes"]
    edition, assumed = edition_of(file.name, [t.sheet or "" for t in raw], lsoa_vintage)
    if "deprivation" not in tables and assumed:
        edition = None  # a population file is an IoD denominator only when it says so
    elif assumed:
        notes.append(assumed)
    years: list[int] = []
    values: dict[str, list] = {n: [] for n in names}
    year_values: list[int | None] = []
    bad: list[tuple[int, str, str]] = []
    for t in raw:
        these = [short_name(h) for h in t.header]
        these[t.code_index] = "lsoa_code"
        if these != names:
            raise SourceError(file.display, f"sheet '{t.sheet}' has other columns than sheet '{first.sheet}'",
                              "load the sheets as separate files")
        t_year = year or (population_year(t.header, t.sheet, t.preamble, file.name) if "population" in tables
                          else None)
        if "population" in tables and t_year is None:
            raise SourceError(file.display, "the year of the population cannot be read from the sheet name, the "
                              "headers, the title lines or the file name", "give it with --year, e.g. --year 2022")
        if t_year is not None and t_year not in years:
            years.append(t_year)
        n_before = len(values["lsoa_code"])
        _parse_rows(t, names, values, bad)
        year_values += [t_year] * (len(values["lsoa_code"]) - n_before)
    columns = {}
    for n in names:
        if n in TEXT_COLUMNS:
            columns[n] = pa.array(values[n], pa.string())
        else:
            is_int = all(v is None or isinstance(v, int) for v in values[n])
            columns[n] = pa.array(values[n], pa.int64() if is_int else pa.float64())
    if "population" in tables:
        columns["year"] = pa.array(year_values, pa.int16())
    data = pa.table(columns)
    quarantine = pa.table({
        "_source_row": pa.array([b[0] for b in bad], pa.int64()),
        "_problems": pa.array([b[1] for b in bad], pa.string()),
        "_raw_text": pa.array([b[2] for b in bad], pa.string()),
    })
    source = (population_source(years[0], first.sheet, first.preamble, file.name, edition) if years
              else f"English Indices of Deprivation {edition} (MHCLG)" if edition else file.name)
    attributes = {
        "table": tables[0], "tables": tables, "columns": dict(zip(names, first.header, strict=True)),
        "lsoa_vintage": lsoa_vintage, "source": source,
        "sheets": [t.sheet for t in raw if t.sheet], "title": first.preamble[:3],
    }
    if edition:
        attributes["edition"] = edition
    if years:
        attributes["years"] = sorted(years)
        attributes["sources"] = {str(y): population_source(y, t.sheet, t.preamble, file.name, edition)
                                 for y, t in zip(years, raw, strict=False)}
    return data, quarantine, attributes


def _parse_rows(t: RawTable, names: list[str], values: dict[str, list], bad: list[tuple[int, str, str]]) -> None:
    where = f"sheet '{t.sheet}' " if t.sheet else ""
    numeric = [i for i, n in enumerate(names) if n not in TEXT_COLUMNS]
    for line, row in t.rows:
        problems = []
        parsed: dict[int, float | None] = {}
        if len(row) != len(t.header):
            problems.append(f"{where}row has {len(row)} fields, the header has {len(t.header)}")
        else:
            code = row[t.code_index].strip()
            if level_of(code) != "lsoa":
                problems.append(f"{t.header[t.code_index]}: '{code}' is not an LSOA code")
            for i in numeric:
                raw = row[i].strip().replace(",", "")
                try:
                    parsed[i] = float(raw) if raw else None
                except ValueError:
                    problems.append(f"{t.header[i]}: '{row[i]}' is not a number")
        if problems:
            bad.append((line, "; ".join(problems), ",".join(row)[:2000]))
            continue
        for i, n in enumerate(names):
            if i in parsed:
                v = parsed[i]
                values[n].append(int(v) if v is not None and v.is_integer() else v)
            else:
                values[n].append(row[i].strip() or None)
