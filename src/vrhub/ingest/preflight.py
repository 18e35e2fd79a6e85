"""Read an input as the loader would, storing nothing: what each member is, which fields it has, whose rows.

The hub decides whether an upload may load *before* anything of it is stored. To decide on what will really be
loaded, this module uses the loader's own steps on every member of the input: ``discover`` (files, folders and
zip archives, with the same suffixes as the sources, so a workbook inside an archive is a member like any other),
``read_heads`` and ``locate_table`` (title rows, blank lines and header blocks above the table, one table per
workbook), ``map_columns``, the source's ``context`` (which refuses identifiers in clear) and, for every row,
the source's ``check`` and ``coverage``: the force, trust, ED site or service that each accepted row belongs to,
as it will be recorded. A member that cannot be read or classified carries the loader's message.

Reading twice costs a second pass over the file (the checks are vectorised, see ``benchmarks/hub.py``); in
return an upload is judged whole on exactly the rows the loader will accept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from vrhub.domain.errors import SourceError, VrhubError
from vrhub.ingest.csv_stream import NeedsCarefulRead
from vrhub.ingest.files import Skipped, SourceFile, discover
from vrhub.ingest.layout import Layout, read_heads, table_batches
from vrhub.ingest.source import Source
from vrhub.ingest.table_locator import locate_table
from vrhub.ingest.xlsx_stream import XLSX_SUFFIXES, is_xlsx


@dataclass
class Member:
    """One file (or archive member, or worksheet) of an input, read without storing anything."""

    display: str
    kind: str | None = None
    label: str = ""
    fields: list[str] = field(default_factory=list)  # canonical fields the file's columns feed
    unmapped: list[str] = field(default_factory=list)  # the file's columns that feed no canonical field
    owners: dict[str, int] = field(default_factory=dict)  # force / trust / site / service → accepted rows
    rows: int = 0  # data rows read (accepted or not)
    error: str | None = None  # why it cannot be read or classified (the loader's message) ...
    hint: str = ""  # ... and what to do


@dataclass
class Scan:
    """Every member of an input, and what was deliberately not read (with the reason, as the loader says)."""

    members: list[Member]
    skipped: list[Skipped]


def scan(paths: Iterable[str | Path], sources: Sequence[Source], *, kind: str | None = None,
         options: dict[str, Any] | None = None) -> Scan:
    """Classify and read every member of ``paths`` with the loader's steps; nothing is stored.

    Raises ``SourceError`` when the input as a whole cannot be opened (a damaged archive, a zip bomb).
    """
    suffixes = tuple(dict.fromkeys(x for s in sources for x in s.suffixes))
    files, skipped = discover(paths, suffixes)
    return Scan([_member(f, sources, kind, options or {}) for f in files], skipped)


def _member(file: SourceFile, sources: Sequence[Source], kind: str | None, options: dict[str, Any]) -> Member:
    m = Member(file.display)
    try:
        if is_xlsx(file) and not any(x in s.suffixes for s in sources for x in XLSX_SUFFIXES):
            raise SourceError(file.display, "this is not a CSV text file: it looks like an Excel workbook (.xlsx)",
                              "export or download the data as CSV and load that file")
        source, layout = locate_table(read_heads(file, options.get("sheet")), file, sources, kind)
        if layout.sheet is not None:
            file = dataclasses.replace(file, sheet=layout.sheet)
            m.display = file.display
        m.kind, m.label = source.kind, source.label
        mapping = source.map_columns(layout.columns, file)
        m.fields = sorted(mapping)
        m.unmapped = [h for h in dict.fromkeys(layout.columns) if h not in mapping.values()]
        ctx = source.context(file, options) | {"dataset_id": "preflight"}
        if layout.sheet is not None:
            ctx["sheet"] = layout.sheet
        if layout.header_row != 1:
            ctx["header_row"] = layout.header_row
        m.rows, m.owners = _read_rows(file, layout, mapping, source, ctx)
    except VrhubError as exc:
        m.error, m.hint = exc.message, exc.hint
    except (OSError, pa.ArrowException, UnicodeError) as exc:
        m.error = f"{file.display}: could not be read ({exc})"
        m.hint = "check the file is complete and readable, then send it again"
    return m


def _read_rows(file: SourceFile, layout: Layout, mapping: dict[str, str], source: Source, ctx: dict[str, Any],
               ) -> tuple[int, dict[str, int]]:
    """Rows read and accepted rows per owner, with the loader's fallbacks (careful reader, then Windows-1252)."""
    attempts = [(False, layout.encoding), (True, layout.encoding)]
    if layout.encoding == "utf-8":
        attempts += [(False, "cp1252"), (True, "cp1252")]
    last: Exception | None = None
    for careful, encoding in attempts:
        try:
            rows, owners = 0, {}
            for batch in table_batches(file, dataclasses.replace(layout, encoding=encoding), careful=careful):
                renamed = pa.table({canon: batch.table.column(h) for canon, h in mapping.items()})
                checked = source.check(renamed, batch.lines, ctx)
                rows += batch.table.num_rows + len(batch.bad)
                for r in source.coverage(checked.accepted).to_pylist():
                    owners[r["force"]] = owners.get(r["force"], 0) + r["rows"]
            return rows, owners
        except (NeedsCarefulRead, UnicodeError) as exc:
            last = exc
    raise SourceError(file.display, f"cannot be parsed as CSV ({last})",
                      "open it in a text editor to check it is a CSV file")
