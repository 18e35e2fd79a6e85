"""What the partner feeds with people in them share: column aliases, coverage, and pseudonymised person ids.

Person identifiers never enter the store in clear (docs/sources/pseudonymisation.md). A partner source is
``person_level``: the loader scans every row of its files with :class:`vrhub.ingest.identifier_guard.IdentifierGuard`
and refuses a file **whole**, before anything of it is stored (not even in the quarantine), when any row holds an
identifier in clear (an NHS number, a full postcode, an e-mail address, a value under a name or date-of-birth
header, names next to dates of birth on the first rows) or a person id that is not a pseudonym (64 hex digits, the
shape of ``vrhub pseudonymise``'s HMAC-SHA256). The message names the file, the column and the lines, never the
values.

A missing person id is a row-level problem (the row is quarantined: there is nothing to leak).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from vrhub.ingest.files import SourceFile
from vrhub.ingest.police_uk.location import force_month_coverage
from vrhub.ingest.source import Checked, Source
from vrhub.ingest.source import code_key as _key
from vrhub.ingest.validate import Checks
from vrhub.ingest.xlsx_stream import XLSX_SUFFIXES


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


class PartnerSource(AliasedSource):
    """A partner feed about people: every row is scanned for identifiers in clear (``person_level``)."""

    suffixes = (".csv", *XLSX_SUFFIXES)  # partners export CSV or Excel; the loader reads both the same way
    person_level = True
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
        return dict(options) | {"source_file": file}

    def person_ids(self, c: Checks, label: str) -> pa.Array:
        """The person id column, trimmed and lower-cased; a missing one quarantines its row. (That every present
        id is a pseudonym was checked on every row before: ``vrhub.ingest.identifier_guard``.)"""
        assert self.person_column
        c.required(self.person_column, label)
        return pc.utf8_lower(pc.utf8_trim_whitespace(c.column(self.person_column)))
