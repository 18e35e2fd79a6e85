"""What the partner feeds with people in them share: column aliases, and refusing identifiers in clear.

Person identifiers never enter the store in clear (docs/sources/pseudonymisation.md). A partner file is refused
**whole**, before anything of it is stored (not even in the quarantine, which keeps rows as sent), when:

- its first rows hold identifiers in clear in any column (NHS numbers, full postcodes, e-mail addresses, phone
  numbers, names next to dates of birth, dates of birth): :func:`vrhub.domain.identifiers.detect_identifiers_in_clear`
  on the first ``SAMPLE_ROWS`` rows, with the person id column declared as an identifier column;
- any row's person id is not a pseudonym (64 hex digits, the shape of ``vrhub pseudonymise``'s HMAC-SHA256):
  checked on every row, so a clear id on line 90,000 stops the load too. The message names the file, the column
  and the lines, never the values.

A missing person id is a row-level problem (the row is quarantined: there is nothing to leak).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.errors import SourceError
from vrhub.domain.identifiers import PSEUDONYM_RE, detect_identifiers_in_clear
from vrhub.ingest.csv_stream import NeedsCarefulRead
from vrhub.ingest.files import SourceFile
from vrhub.ingest.istv import _key
from vrhub.ingest.police_uk.location import force_month_coverage
from vrhub.ingest.source import Checked, Source
from vrhub.ingest.validate import Checks
from vrhub.ingest.xlsx_stream import XLSX_SUFFIXES

SAMPLE_ROWS = 1000
PSEUDONYMISE = ("run `vrhub pseudonymise --key-file KEY IN OUT` on the partner's side "
                "(docs/sources/pseudonymisation.md) and load its output; nothing of this file was stored")
LINES_SHOWN = 10


class AliasedSource(Source):
    """A source whose columns may also be spelled as in ``aliases`` (keys in the spelling-insensitive form)."""

    aliases: ClassVar[dict[str, str]] = {}

    def _canonical_header(self, header: list[str]) -> list[str]:
        own = {_key(c.header): c.header for c in self.columns}
        return [own.get(_key(h)) or self.aliases.get(_key(h)) or h for h in header]

    def score(self, header: list[str], file: SourceFile) -> int:
        return super().score(self._canonical_header(header), file)

    def map_columns(self, header: list[str], file: SourceFile) -> dict[str, str]:
        canon = self._canonical_header(header)
        back = dict(zip(canon, header, strict=True))
        return {name: back[h] for name, h in super().map_columns(canon, file).items()}


def sample(file: SourceFile, source: Source, rows: int = SAMPLE_ROWS) -> pa.Table:
    """The first ``rows`` data rows of a CSV file or worksheet, as strings under the file's own header: found the
    way the loader finds the table (below title rows and a header block; on ``file.sheet`` of a workbook)."""
    import dataclasses

    from vrhub.ingest.layout import read_heads, table_batches
    from vrhub.ingest.loader import locate_table

    _, layout = locate_table(read_heads(file, file.sheet), file, [source], source.kind)
    for careful, lay in ((False, layout), (True, layout), (True, dataclasses.replace(layout, encoding="cp1252"))):
        try:
            for batch in table_batches(file, lay, careful=careful):
                return batch.table.slice(0, rows)
            return pa.table({h: pa.array([], pa.string()) for h in dict.fromkeys(layout.columns)})
        except (NeedsCarefulRead, UnicodeError):
            continue
    raise SourceError(file.display, "cannot be read as CSV", "open it in a text editor to check it is a CSV file")


class PartnerSource(AliasedSource):
    """A partner feed: refused whole when its first rows hold identifiers in clear (and, with ``person_column``
    set, when any row's person id is not a pseudonym)."""

    suffixes = (".csv", *XLSX_SUFFIXES)  # partners export CSV or Excel; the loader reads both the same way
    person_column: ClassVar[str | None] = None  # canonical name of the pseudonymised person id, if any
    force_column: ClassVar[str]  # canonical column naming the partner unit of coverage (service, school)

    def with_optional(self, table: pa.Table) -> pa.Table:
        """``table`` with an all-null column for every optional column the file does not have."""
        for col in self.columns:
            if col.name not in table.column_names:
                table = table.append_column(col.name, pa.nulls(table.num_rows, pa.string()))
        return table

    def accept(self, columns: dict[str, pa.Array], problems: pa.Array, lines: Any, ctx: dict[str, Any]) -> Checked:
        """The canonical rows (with provenance) of the rows that have no problem."""
        n = len(problems)
        out = pa.table(columns | {"dataset_id": pa.array([ctx["dataset_id"]] * n, pa.string()),
                                  "source_row": pa.array(lines, pa.int64())})
        return Checked(out.filter(pc.is_null(problems)).cast(self.schema), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        return force_month_coverage(accepted.column(self.force_column), accepted.column("month"))

    def context(self, file: SourceFile, options: dict[str, Any]) -> dict[str, Any]:
        head = sample(file, self)
        declared = []
        if self.person_column:
            header = head.column_names
            mapping = self.map_columns(header, file)
            declared = [mapping[self.person_column]] if self.person_column in mapping else []
        findings = detect_identifiers_in_clear(head, declared_identifier_columns=declared)
        if findings:
            raise SourceError(file.display, "identifiers in clear: " + " ".join(f.message for f in findings),
                              PSEUDONYMISE)
        return dict(options) | {"source_file": file}

    def person_ids(self, c: Checks, lines: Any, ctx: dict[str, Any], label: str) -> pa.Array:
        """The person id column, lower-cased; raises ``SourceError`` (nothing loaded) if any is not a pseudonym."""
        assert self.person_column
        c.required(self.person_column, label)
        pid = pc.utf8_lower(pc.utf8_trim_whitespace(c.column(self.person_column)))
        clear = pc.fill_null(pc.invert(pc.match_substring_regex(pid, f"^{PSEUDONYM_RE.pattern}$")), False)
        n = pc.sum(clear).as_py() or 0
        if n:
            bad = [int(x) for x in pa.array(lines).filter(clear).to_pylist()[:LINES_SHOWN]]
            file = ctx.get("source_file")
            raise SourceError(
                file.display if isinstance(file, SourceFile) else "the file",
                f"'{label}' is not a pseudonym (64 hex digits) on {n:,} line(s) of this part of the file, e.g. line(s) "
                f"{', '.join(map(str, bad))}: it may be an identifier in clear (the values are not shown)",
                PSEUDONYMISE)
        return pid
