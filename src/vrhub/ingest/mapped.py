"""The generic mapped source: any partner CSV or XLSX, with a small mapping file, loaded as a canonical kind.

A partner's export rarely has vrhub's column names or codes. A mapping file (YAML or TOML) says which canonical
kind the file feeds and how (example: ``vrhub/data/mappings/ed-istv-example.yaml``)::

    target: ed_istv                      # the canonical kind (vrhub.ingest.mapped.targets() lists them)
    columns:                             # canonical field (or the target's header) -> the partner's column
      arrival: Arrival DT
      assault_method: Weapon
    constants:                           # canonical field -> one value for every row (optional)
      site_code: SYN-XYZ
    values:                              # canonical field -> {the partner's value: the canonical code}
      assault_method: {Stab: knife_or_sharp_object, Punch: body_part}
    date_formats:                        # canonical field -> strptime format of the partner's column
      arrival: "%d.%m.%Y %H.%M"
    identifiers: [Patient ref]           # partner columns that hold pseudonymised identifiers
    unmapped_values: refuse              # or: quarantine (rows with a value that has no code)

:func:`check_mapping` validates the mapping against the target and against each file's header **and values
before anything is loaded**, and returns every problem at once: unknown target fields, missing columns (with the
nearest header), required fields unmapped, codes the target does not have, values with no code (with how many
rows and the first row), bad date formats, identifier columns still in clear. Only a file with no problem is
loaded, by the ordinary loader through :class:`MappedSource`, which converts each row (value maps, date formats,
constants) and hands it to the target source's own checks: each row is accepted or quarantined with the reason,
naming the partner's column. Docs: docs/sources/mapped.md.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from vrhub.domain.errors import MappingError as MappingError  # re-exported: the tree is in domain.errors
from vrhub.domain.errors import SourceError, VrhubError
from vrhub.domain.identifiers import detect_identifiers_in_clear
from vrhub.ingest.files import SourceFile, discover
from vrhub.ingest.layout import Layout, read_heads, table_batches
from vrhub.ingest.source import Checked, Column, Source, code_key, normalise_header
from vrhub.ingest.table_locator import locate_table
from vrhub.ingest.validate import Checks, by_distinct_value
from vrhub.ingest.xlsx_stream import XLSX_SUFFIXES

KEYS = {"target", "columns", "constants", "values", "date_formats", "identifiers", "unmapped_values", "partner",
        "sheet", "description"}
SHOWN_VALUES = 10


def targets() -> dict[str, Source]:
    """Every canonical source a mapping can feed, by kind."""
    from vrhub.ingest import registry  # the one registry of sources (it imports this module's neighbours)

    out: dict[str, Source] = {}
    for s in registry.sources(mapped=True):
        out.setdefault(s.kind, s)
    return out


@dataclass
class Mapping:
    """A parsed mapping file (fields are canonical field names of ``target``)."""

    path: Path
    target: Source
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)
    unmapped_values: str = "refuse"
    partner: str | None = None
    sheet: str | None = None
    sha256: str = ""

    def partner_column(self, name: str) -> str:
        return self.columns[name]


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise MappingError([f"{path}: cannot be read as {'TOML' if path.suffix.lower() == '.toml' else 'YAML'} "
                            f"({exc})"], "correct the syntax (an example: vrhub/data/mappings/ed-istv-example.yaml)"
                           ) from exc
    if not isinstance(data, dict):
        raise MappingError([f"{path}: is not a mapping of keys (target, columns, …)"],
                           "start from the example vrhub/data/mappings/ed-istv-example.yaml")
    return data


def load_mapping(path: str | Path) -> Mapping:
    """Parse and check a mapping file against its target; raise ``MappingError`` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise MappingError([f"{path}: no such mapping file"], "check the path given to --mapping")
    data = _read(path)
    problems: list[str] = []
    where = str(path)
    for k in sorted(set(data) - KEYS):
        problems.append(f"{where}: unknown key '{k}' (keys: {', '.join(sorted(KEYS))})")
    known = targets()
    target = known.get(str(data.get("target", "")))
    if target is None:
        problems.append(f"{where}: target {data.get('target')!r} is not a canonical kind (targets: "
                        f"{', '.join(sorted(known))})")
        raise MappingError(problems, "set 'target' to one of the kinds listed")
    fields = {c.name: c for c in target.columns}
    by_header = {normalise_header(c.header): c.name for c in target.columns}

    def field_name(key: str, section: str) -> str | None:
        if key in fields:
            return key
        if normalise_header(key) in by_header:
            return by_header[normalise_header(key)]
        near = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
        problems.append(f"{where}: {section}: '{key}' is not a field of {target.kind}"
                        + (f" (did you mean '{near[0]}'?)" if near else "")
                        + f"; fields: {', '.join(fields)}")
        return None

    def section(name: str) -> dict[str, Any]:
        v = data.get(name) or {}
        if not isinstance(v, dict):
            problems.append(f"{where}: '{name}' must be a table of field: value")
            return {}
        return v

    columns: dict[str, str] = {}
    for k, v in section("columns").items():
        f = field_name(str(k), "columns")
        if f is not None:
            if not isinstance(v, str) or not v.strip():
                problems.append(f"{where}: columns: '{k}' must name one column of the partner's file")
            else:
                columns[f] = v.strip()
    constants = {}
    for k, v in section("constants").items():
        f = field_name(str(k), "constants")
        if f is not None:
            constants[f] = str(v)
            if f in columns:
                problems.append(f"{where}: '{f}' is both a column and a constant: keep one")
    for c in target.columns:
        if c.required and c.name not in columns and c.name not in constants:
            problems.append(f"{where}: required field '{c.name}' ({c.header}) of {target.kind} is not mapped: add "
                            f"it under 'columns' (or 'constants')")
    values: dict[str, dict[str, str]] = {}
    for k, v in section("values").items():
        f = field_name(str(k), "values")
        if f is None:
            continue
        if not isinstance(v, dict):
            problems.append(f"{where}: values: '{k}' must be a table of partner value: code")
            continue
        if f not in columns:
            problems.append(f"{where}: values: '{f}' has a value map but is not mapped to a column")
        codes = target.codes.get(f)
        values[f] = {}
        for pv, code in v.items():
            code_s = str(code)
            if codes is not None and code_key(code_s) not in codes:
                problems.append(f"{where}: values: {f}: '{pv}' → '{code_s}' is not a code of {target.kind} {f} "
                                f"(codes: {', '.join(dict.fromkeys(codes.values()))})")
            values[f][code_key(str(pv))] = code_s
    date_formats = {}
    for k, v in section("date_formats").items():
        f = field_name(str(k), "date_formats")
        if f is None:
            continue
        if f not in columns:
            problems.append(f"{where}: date_formats: '{f}' has a format but is not mapped to a column")
        if not isinstance(v, str) or "%" not in v:
            problems.append(f"{where}: date_formats: '{f}': {v!r} is not a strptime format (e.g. '%d.%m.%Y %H:%M')")
        else:
            date_formats[f] = v
    identifiers = data.get("identifiers") or []
    if not isinstance(identifiers, list) or not all(isinstance(i, str) for i in identifiers):
        problems.append(f"{where}: 'identifiers' must be a list of the partner's column names")
        identifiers = []
    policy = str(data.get("unmapped_values", "refuse"))
    if policy not in ("refuse", "quarantine"):
        problems.append(f"{where}: unmapped_values must be 'refuse' or 'quarantine', not {policy!r}")
    if problems:
        raise MappingError(problems, "correct the mapping file and run the command again (nothing was loaded)")
    return Mapping(path, target, columns, constants, values, date_formats, list(identifiers), policy,
                   data.get("partner"), data.get("sheet"), hashlib.sha256(path.read_bytes()).hexdigest())


def _iso_format(fmt: str) -> str:
    """The ISO 8601 form every vrhub source reads, for values parsed with ``fmt``."""
    has_time = any(d in fmt for d in ("%H", "%I", "%M", "%S"))
    if has_time:
        return "%Y-%m-%d %H:%M:%S"
    return "%Y-%m-%d" if "%d" in fmt or "%j" in fmt else "%Y-%m"


class MappedSource(Source):
    """A partner file read through a ``Mapping`` into the target kind; the target's checks then run unchanged."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        t = mapping.target
        self.kind = t.kind  # type: ignore[misc]
        self.label = f"{t.label}, mapped by {mapping.path.name}"  # type: ignore[misc]
        self.schema = t.schema  # type: ignore[misc]
        self.columns = tuple(Column(col, name) for name, col in mapping.columns.items())  # type: ignore[misc]
        self.signature = tuple(mapping.columns.values())  # type: ignore[misc]
        self.suffixes = (".csv", *XLSX_SUFFIXES)  # type: ignore[misc]
        # what the target says about people in its rows holds for the mapped file too (identifier_guard)
        self.person_level = t.person_level  # type: ignore[misc]
        self.free_text = t.free_text  # type: ignore[misc]
        self.reference_columns = t.reference_columns  # type: ignore[misc]
        self.person_column = t.person_column  # type: ignore[misc]
        self.pseudonym_columns = t.pseudonym_columns  # type: ignore[misc]
        self.identifier_headers = tuple(mapping.identifiers)
        self.locates_force = getattr(t, "locates_force", False)

    @property
    def schema_version(self) -> int:
        return self.mapping.target.schema_version

    def context(self, file: SourceFile, options: dict[str, Any]) -> dict[str, Any]:
        return self.mapping.target.context(file, options) | {
            "mapping_file": self.mapping.path.name, "mapping_sha256": self.mapping.sha256}

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        m = self.mapping
        n = table.num_rows
        c = Checks(table)
        cols: dict[str, pa.Array] = {}
        explained: dict[str, pa.Array] = {}  # field -> rows whose value our own check rejected (and named)
        for name, col in m.columns.items():
            raw = values = c.column(name)
            if name in m.values:
                values = self._map_values(c, name, col, values)
            if name in m.date_formats:
                values = self._dates(c, col, values, m.date_formats[name])
            cols[name] = values
            explained[name] = pc.and_(pc.is_valid(raw), pc.is_null(values))
        for name, value in m.constants.items():
            cols[name] = pa.array([value] * n, pa.string())
        target = m.target.check(pa.table(cols), lines, ctx)
        theirs = self._name_columns(target.problems, explained)
        mine = c.problems()
        ok_theirs = pc.is_null(target.problems)
        accepted = target.accepted.filter(pc.is_null(mine).filter(ok_theirs))
        parts = [pc.fill_null(mine, ""), pc.fill_null(theirs, "")]
        joined = pc.binary_join_element_wise(*parts, "; ")
        joined = pc.replace_substring_regex(pc.replace_substring_regex(joined, r"^; ", ""), r"; $", "")
        problems = pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)
        return Checked(accepted, problems, target.notes)

    def _map_values(self, c: Checks, name: str, col: str, values: pa.Array) -> pa.Array:
        vmap = self.mapping.values[name]
        codes = self.mapping.target.codes.get(name)

        def fn(distinct: pa.Array) -> pa.Array:
            out = []
            for v in distinct.to_pylist():
                k = code_key(v) if v is not None else None
                out.append(None if k is None else vmap.get(k, v if codes is not None and k in codes else None))
            return pa.array(out, pa.string())

        mapped = by_distinct_value(values, fn)
        c.flag(pc.and_(pc.is_valid(values), pc.is_null(mapped)), f"Column '{col}'",
               f"has no code in the mapping {self.mapping.path.name} (values.{name})", values)
        return mapped

    def _dates(self, c: Checks, col: str, values: pa.Array, fmt: str) -> pa.Array:
        def fn(distinct: pa.Array) -> pa.Array:
            ts = pc.strptime(pc.utf8_trim_whitespace(distinct), format=fmt, unit="s", error_is_null=True)
            return pc.strftime(ts, format=_iso_format(fmt))

        iso = by_distinct_value(values, fn)
        c.flag(pc.and_(pc.is_valid(values), pc.is_null(iso)), f"Column '{col}'",
               f"does not match the date format '{fmt}' of the mapping", values)
        return iso

    def _name_columns(self, problems: pa.Array, explained: dict[str, pa.Array]) -> pa.Array:
        """The target names its own headers ('Arrival date time: …'): add the partner's column to each; drop its
        'is missing' where the mapping's own check already said what was wrong with the value."""
        by_name = {c.name: c.header for c in self.mapping.target.columns}
        for name, col in self.mapping.columns.items():
            label = by_name[name]
            missing = f"{label}: is missing"
            dropped = pc.replace_substring_regex(problems, re.escape(missing) + "(; )?", "")
            problems = pc.if_else(pc.fill_null(explained[name], False), dropped, problems)
            if normalise_header(label) != normalise_header(col):
                problems = pc.replace_substring(problems, f"{label}: ", f"{label} (column '{col}'): ")
        problems = pc.replace_substring_regex(problems, r"; $", "")
        return pc.if_else(pc.equal(problems, ""), pa.scalar(None, pa.string()), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        return self.mapping.target.coverage(accepted)


# ---------------------------------------------------------------------------------------------------------
# checking files against a mapping, before anything is loaded


def check_mapping(mapping: Mapping, paths: Iterable[str | Path]) -> list[str]:
    """Every problem of ``paths`` against ``mapping`` (missing columns, values with no code, identifiers in clear),
    each naming the file (and sheet), the column and the value; empty when all can be loaded."""
    source = MappedSource(mapping)
    files, _ = discover(paths, source.suffixes)
    problems: list[str] = []
    for file in files:
        try:
            problems += _check_file(mapping, source, file, locate_table)
        except VrhubError as exc:
            problems.append(str(exc).replace("\n  What to do: ", " — "))
    return problems


def _check_file(mapping: Mapping, source: MappedSource, file: SourceFile, locate: Any) -> list[str]:
    problems: list[str] = []
    heads = read_heads(file, mapping.sheet)
    try:
        _, layout = locate(heads, file, [source], source.kind)
    except SourceError as exc:
        return [str(exc).replace("\n  What to do: ", " — ")]
    if layout.sheet is not None:
        file = SourceFile(file.path, file.member, layout.sheet)
    have = {normalise_header(h): h for h in layout.columns}
    missing = [(name, col) for name, col in mapping.columns.items() if normalise_header(col) not in have]
    for name, col in missing:
        near = difflib.get_close_matches(col, layout.columns, n=1, cutoff=0.6)
        problems.append(f"{file.display}: column '{col}' (for {name}) is not in the header on row {layout.header_row}"
                        + (f" (found '{near[0]}' instead?)" if near else ""))
    for col in mapping.identifiers:
        if normalise_header(col) not in have:
            problems.append(f"{file.display}: identifier column '{col}' is not in the header")
    if missing:
        return problems
    problems += _check_values(mapping, file, layout, have)
    return problems


def _check_values(mapping: Mapping, file: SourceFile, layout: Layout, have: dict[str, str]) -> list[str]:
    problems: list[str] = []
    unmapped: dict[str, dict[str, list[int]]] = {}  # field -> value -> [count, first row]
    sample: dict[str, list[str | None]] = {have[normalise_header(c)]: [] for c in mapping.identifiers}
    encoding = layout.encoding
    for attempt in ("utf-8", "cp1252"):
        try:
            for batch in table_batches(file, dataclasses.replace(layout, encoding=encoding), careful=True):
                t = batch.table
                for name, vmap in mapping.values.items():
                    col = have[normalise_header(mapping.columns[name])]
                    codes = mapping.target.codes.get(name)
                    for v, line in zip(t.column(col).to_pylist(), batch.lines.tolist(), strict=True):
                        if v is None:
                            continue
                        k = code_key(v)
                        if k in vmap or (codes is not None and k in codes):
                            continue
                        entry = unmapped.setdefault(name, {}).setdefault(v, [0, line])
                        entry[0] += 1
                for col, cells in sample.items():
                    if len(cells) < 1000:
                        cells += t.column(col).to_pylist()[: 1000 - len(cells)]
            break
        except UnicodeError:
            if attempt == "cp1252" or encoding != "utf-8":
                raise
            encoding = "cp1252"
            unmapped.clear()
            for cells in sample.values():
                cells.clear()
    if mapping.unmapped_values == "refuse":
        for name, found in unmapped.items():
            col = mapping.columns[name]
            shown = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[:SHOWN_VALUES]
            problems.append(
                f"{file.display}: column '{col}' ({name}) has {len(found)} value(s) with no code in the mapping: "
                + ", ".join(f"'{v}' ({c} row(s), first row {r})" for v, (c, r) in shown)
                + (" …" if len(found) > SHOWN_VALUES else "")
                + f"; add them under values.{name}")
    if sample:
        for f in detect_identifiers_in_clear(sample, declared_identifier_columns=list(sample)):
            problems.append(f"{file.display}: {f.message}")
    return problems


def mapped_sources(mapping: Mapping) -> Sequence[Source]:
    """The sources to give the loader for files of this mapping."""
    return (MappedSource(mapping),)


def example_mapping() -> Path:
    """The shipped example mapping (a fictional trust's ED export → ed_istv)."""
    return Path(__file__).resolve().parent.parent / "data" / "mappings" / "ed-istv-example.yaml"


