"""The published layouts of area-attribute files: which column holds the LSOA code, what each column is called,
and which vintage, edition and year a file describes.

Recognised as published (see docs/sources/): the MHCLG English Indices of Deprivation 2019 and 2025 files
(File 1, 2, 3, 6 and 7: ``LSOA code (2011)`` / ``LSOA code (2021)``, long domain headers), the derived IoD 2025
all-domains CSV (``lsoa21_code``, ``IMD_decile``, ``Housing_and_Services_rank`` …), the Nomis bulk Census 2021
tables (a title preamble, then ``mnemonic`` holding the code and ``2021 super output area - lower layer`` its
name; ``Aged 5 to 9 years`` …) and ONS mid-year population estimates by LSOA 2021 (one sheet per year,
``Mid-2022 LSOA 2021``; ``LSOA 2021 Code``, ``Total``, ``F0`` … ``F90``, ``M0`` … ``M90``, where 90 means 90 and
over). Long headers become short names; the published header of each is kept on the dataset.
"""

from __future__ import annotations

import re

# The LSOA code column, as each publisher names it; the group gives the vintage where the header carries it.
CODE_HEADERS = [
    re.compile(r"^lsoa code(?: \((?P<year>\d{4})\))?$"),  # IoD files: "LSOA code (2021)"
    re.compile(r"^lsoa (?P<year>\d{4}) code$"),  # ONS mid-year estimates: "LSOA 2021 Code"
    re.compile(r"^lsoa(?P<yy>\d{2}) ?(?:cd|code)$"),  # ONS lookups "LSOA21CD", derived files "lsoa21_code"
    re.compile(r"^mnemonic$"),  # Nomis bulk files: the code is the "mnemonic" beside the area's name
]
CODE_HEADERS_SHOWN = "'LSOA code (2021)', 'LSOA code (2011)', 'LSOA 2021 Code', 'LSOA21CD', 'lsoa21_code' or Nomis' " \
    "'mnemonic'"
NOMIS_NAME = re.compile(r"^(?P<year>\d{4}) super output area - lower layer$")

# (pattern on the normalised header, short name of the domain) — first match wins; sub-domains before domains.
DOMAINS = [
    (r"^(index of multiple deprivation|imd)\b", "imd"),
    (r"^income deprivation affecting children", "idaci"),
    (r"^income deprivation affecting older", "idaopi"),
    (r"^children and young people sub domain", "children_young_people"),
    (r"^adult skills sub domain", "adult_skills"),
    (r"^geographical barriers sub domain", "geographical_barriers"),
    (r"^wider barriers sub domain", "wider_barriers"),
    (r"^indoors sub domain", "indoors"),
    (r"^outdoors sub domain", "outdoors"),
    (r"^income\b", "income"),
    (r"^employment\b", "employment"),
    (r"^education\b", "education"),
    (r"^health\b", "health"),
    (r"^crime\b", "crime"),
    (r"^(barriers to housing|housing and services)", "barriers"),
    (r"^(living environment|environment)\b", "living_environment"),
]
IDS = [
    (r"^lsoa name\b|^lsoa \d{4} name$|^lsoa\d{2} ?nm$", "lsoa_name"),
    (r"^local authority district code\b|^lad \d{4} code$|^lad\d{2} ?cd$", "district_code"),
    (r"^local authority district name\b|^lad \d{4} name$|^lad\d{2} ?nm$", "district_name"),
]
TEXT_COLUMNS = frozenset({"lsoa_code", "lsoa_name", "district_code", "district_name"})
#: the IoD population denominators: (pattern, short name)
DENOMINATORS = [
    (r"^total population", "population_total"),
    (r"^working age population", "population_working_age"),
    (r"aged (\d+) ?- ?(\d+)", None),  # "Dependent Children aged 0-15", "Population aged 16-59" → population_0_15
    (r"aged (\d+) and over", None),  # "Older population aged 60 and over" → population_60_plus
]
AGE_BAND = [
    (re.compile(r"^aged (\d+) years? and under$"), lambda m: f"age_0_{m[1]}"),
    (re.compile(r"^aged under (\d+) years?$"), lambda m: f"age_0_{int(m[1]) - 1}"),
    (re.compile(r"^aged (\d+) to (\d+) years?$"), lambda m: f"age_{m[1]}_{m[2]}"),
    (re.compile(r"^aged (\d+) years? and over$"), lambda m: f"age_{m[1]}_plus"),
    (re.compile(r"^aged (\d+) years?$"), lambda m: f"age_{m[1]}_{m[1]}"),
    (re.compile(r"^(\d+)\+$"), lambda m: f"age_{m[1]}_plus"),  # older ONS estimates: "0", "1", ..., "90+"
    (re.compile(r"^(\d+)$"), lambda m: f"age_{m[1]}_{m[1]}"),
    (re.compile(r"^f(\d+)$"), lambda m: f"female_{m[1]}_plus" if m[1] == "90" else f"female_{m[1]}_{m[1]}"),
    (re.compile(r"^m(\d+)$"), lambda m: f"male_{m[1]}_plus" if m[1] == "90" else f"male_{m[1]}_{m[1]}"),
]


def normalise(header: str) -> str:
    """Lower case, no byte-order mark, underscores and hyphens as spaces, single spaces."""
    h = header.replace("\ufeff", "").lower().replace("_", " ").replace("-", " - ").replace("sub - domain", "sub domain")
    return re.sub(r"\s+", " ", h).strip()


def code_column(header: list[str]) -> tuple[int, int | None] | None:
    """(index, LSOA vintage or None) of the column holding LSOA codes, or None if the header has none."""
    norm = [normalise(h).replace(" - ", "-") for h in header]
    for i, h in enumerate(norm):
        for pattern in CODE_HEADERS:
            m = pattern.match(h)
            if not m:
                continue
            groups = m.groupdict()
            if groups.get("year"):
                return i, int(groups["year"])
            if groups.get("yy"):
                return i, 2000 + int(groups["yy"])
            if pattern.pattern == "^mnemonic$":
                named = [NOMIS_NAME.match(x.replace(" - ", " - ")) for x in (normalise(y) for y in header)]
                year = next((int(n["year"]) for n in named if n), None)
                if year is None:
                    continue  # a 'mnemonic' column of some other geography
                return i, year
            return i, None
    return None


def short_name(header: str) -> str:
    """The short column name of a published header (``imd_decile``, ``age_10_14``, ``population_total`` …)."""
    h = normalise(header)
    if code_column([header]) is not None:
        return "lsoa_code"
    if NOMIS_NAME.match(h):
        return "lsoa_name"
    for pattern, name in IDS:
        if re.search(pattern, h):
            return name
    if h in ("total", "all ages", "all persons", "all usual residents"):
        return "population_total"
    for pattern, fn in AGE_BAND:
        m = pattern.match(h)
        if m:
            return fn(m)
    measure = next((m for m in ("rank", "decile", "score") if re.search(rf"\b{m}\b", h)), None)
    if measure:
        for pattern, name in DOMAINS:
            if re.search(pattern, h):
                return f"{name}_{measure}"
    for pattern, name in DENOMINATORS:
        m = re.search(pattern, h)
        if m:
            if name:
                return name
            return f"population_{m[1]}_{m[2]}" if m.lastindex == 2 else f"population_{m[1]}_plus"
    return re.sub(r"[^a-z0-9]+", "_", h).strip("_")[:60] or "column"


def is_deprivation_column(name: str) -> bool:
    return bool(re.match(r"^[a-z_]+_(rank|decile|score)$", name)) and any(
        name.startswith(d + "_") for _, d in DOMAINS)


YEAR_IN_NAME = re.compile(r"(?:iod|imd)[ _-]?(?P<year>20\d{2})", re.I)


def edition_of(file_name: str, sheets: list[str], lsoa_vintage: int | None) -> tuple[int | None, str | None]:
    """The Indices of Deprivation edition (2019, 2025 …) from the file name or sheet, else from the LSOA vintage."""
    for text in [file_name, *sheets]:
        m = YEAR_IN_NAME.search(text)
        if m:
            return int(m["year"]), None
        m = re.match(r"^imd ?(?P<yy>\d{2})$", text.strip(), re.I)
        if m:
            return 2000 + int(m["yy"]), None
    if lsoa_vintage in (2011, 2021):
        edition = 2019 if lsoa_vintage == 2011 else 2025
        return edition, (f"the Indices of Deprivation edition is not in the file name: IoD {edition} was assumed from "
                         f"its {lsoa_vintage} LSOA codes")
    return None, None


def population_year(headers: list[str], sheet: str | None, preamble: list[str], file_name: str) -> int | None:
    """The year a population table describes: 'Mid-2022' in a sheet name, 'mid 2015' in a header, Nomis' 'Date'
    line, or 'census2021' in the file name."""
    if sheet:
        m = re.search(r"mid[- ]?(\d{4})", sheet, re.I)
        if m:
            return int(m[1])
    for h in headers:
        m = re.search(r"\bmid[- ]?(\d{4})\b", h, re.I)
        if m:
            return int(m[1])
    for line in preamble:
        m = re.match(r"^\s*date\s*:\s*,?\s*(\d{4})\b", line, re.I)
        if m:
            return int(m[1])
    m = re.search(r"census[ _-]?(\d{4})", file_name, re.I)
    return int(m[1]) if m else None


def population_source(year: int, sheet: str | None, preamble: list[str], file_name: str, edition: int | None) -> str:
    """A short statement of where a population comes from (shown beside every rate)."""
    text = " ".join([file_name, sheet or "", *preamble]).lower()
    if "census" in text or re.search(r"\bts\d{3}", text):
        return f"Census {year} usual residents (ONS)"
    if edition:
        return f"mid-{year} population, IoD {edition} denominators (MHCLG)"
    return f"ONS mid-{year} population estimates"
