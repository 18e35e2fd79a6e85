"""What every source (feed) module provides: its header, its canonical schema, and its row checks.

A source turns a batch of the file's columns (strings, as read) into accepted canonical rows and a
problem text per row. The loader (``vrhub.ingest.loader``) does everything else the same way for every
source: hashing, de-duplication, streaming, quarantine, atomic publication and provenance.
"""

from __future__ import annotations

import difflib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from vrhub.domain.errors import ColumnsError, SourceError
from vrhub.ingest.files import SourceFile


@dataclass(frozen=True)
class Column:
    """A column of a source file: its header as published and the canonical field it feeds."""

    header: str
    name: str
    required: bool = True


def code_key(text: str) -> str:
    """Spelling-insensitive key of a code or value: lower case, every run of non-alphanumerics one space."""
    return re.sub(r"[^a-z0-9+]+", " ", text.casefold()).strip()


def normalise_header(h: str) -> str:
    return re.sub(r"[\s_]+", " ", h.replace("\ufeff", "")).strip().casefold()


def repeated_headers(header: list[str]) -> dict[str, list[int]]:
    """Headers that occur more than once (spelling-insensitively, as columns are matched), each with its 1-based
    column numbers."""
    where: dict[str, list[int]] = {}
    for i, h in enumerate(header, start=1):
        if h.strip():
            where.setdefault(normalise_header(h), []).append(i)
    return {k: v for k, v in where.items() if len(v) > 1}


@dataclass
class Checked:
    """The result of checking one batch: accepted rows and, per input row, its problems (or null)."""

    accepted: pa.Table
    problems: pa.Array  # one per input row; null = accepted
    notes: dict[str, int] = field(default_factory=dict)  # counts of flagged-but-accepted conditions


class Source(ABC):
    """One kind of input file."""

    kind: ClassVar[str]
    label: ClassVar[str]
    schema: ClassVar[pa.Schema]
    columns: ClassVar[tuple[Column, ...]]
    signature: ClassVar[tuple[str, ...]]  # headers that only this kind has
    name_pattern: ClassVar[re.Pattern[str] | None] = None
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)  # file types found in folders and archives
    # Code lists of coded fields: canonical field -> {accepted spelling (normalised by ``code_key``): code}.
    codes: ClassVar[dict[str, dict[str, str]]] = {}
    #: rows are about people: every row is scanned for identifiers in clear (``vrhub.ingest.identifier_guard``),
    #: and the quarantine keeps no raw text of rows that do not split into the header's columns
    person_level: ClassVar[bool] = False
    #: canonical fields of free text: identifiers in them are removed, not refused
    free_text: ClassVar[tuple[str, ...]] = ()
    #: canonical fields of reference numbers (an incident number): judged by their share of NHS check-digit passes
    reference_columns: ClassVar[tuple[str, ...]] = ()
    #: canonical field of the pseudonymised person id, if any (every value must be a pseudonym)
    person_column: ClassVar[str | None] = None
    #: further canonical fields that hold pseudonymised person ids (a force extract's victim and suspect ids): where
    #: present, every value must already be a keyed hash (64 hex digits), else the file is refused whole
    pseudonym_columns: ClassVar[tuple[str, ...]] = ()
    #: the file's own headers of further columns declared to hold pseudonyms (a mapping's ``identifiers``)
    identifier_headers: tuple[str, ...] = ()
    note: ClassVar[str | None] = None  # what the load of every file of this layout tells the user

    def canonical_column(self, header: str) -> str | None:
        """The canonical name of the column a header (or a header-block label) feeds, if any."""
        norm = normalise_header(header)
        return next((c.name for c in self.columns if normalise_header(c.header) == norm), None)

    @property
    def schema_version(self) -> int:
        return int(self.schema.metadata[b"schema_version"])

    def score(self, header: list[str], file: SourceFile) -> int:
        """How well a header (and file name) fits this source: 0 = not at all."""
        have = {normalise_header(h) for h in header}
        sig = sum(normalise_header(s) in have for s in self.signature)
        if sig < len(self.signature):
            sig = 0
        name = 1 if self.name_pattern and self.name_pattern.search(file.name) else 0
        return sig * 10 + name

    def map_columns(self, header: list[str], file: SourceFile) -> dict[str, str]:
        """Map canonical names to the file's headers; raise ColumnsError naming every missing column."""
        by_norm = {normalise_header(h): h for h in header}
        mapping: dict[str, str] = {}
        missing: list[str] = []
        for col in self.columns:
            found = by_norm.get(normalise_header(col.header))
            if found is not None:
                mapping[col.name] = found
            elif col.required:
                missing.append(col.header)
        self._refuse_repeated(header, mapping, file)
        if missing:
            known = {normalise_header(c.header) for c in self.columns}
            unknown = [h for h in header if normalise_header(h) not in known]
            suggestions = {}
            for m in missing:
                near = difflib.get_close_matches(m, unknown, n=1, cutoff=0.6)
                if near:
                    suggestions[m] = near[0]
            raise ColumnsError(
                file.display, missing, suggestions,
                f"a {self.label} file needs the columns " + ", ".join(c.header for c in self.columns if c.required)
                + "; rename the column(s) in the file, or check this is the right kind of file",
            )
        return mapping

    @staticmethod
    def _refuse_repeated(header: list[str], mapping: dict[str, str], file: SourceFile) -> None:
        """Refuse a header that has a column vrhub reads more than once (two 'Month' columns): which one holds the
        right values cannot be known. Repeated columns vrhub does not read are left alone."""
        read = {normalise_header(h) for h in mapping.values()}
        repeated = [(header[cols[0] - 1], cols) for h, cols in repeated_headers(header).items() if h in read]
        if repeated:
            raise SourceError(
                file.display, "the header has " + "; ".join(
                    f"the column '{name}' {len(cols)} times (columns {', '.join(map(str, cols))})"
                    for name, cols in repeated) + ": vrhub cannot tell which one to read",
                "keep one column of each name (the one with the right values): remove or rename the others, then "
                "load the file again")

    def context(self, file: SourceFile, options: dict[str, Any]) -> dict[str, Any]:
        """Per-file facts the checks need (e.g. the force named in the file name)."""
        return dict(options)

    @abstractmethod
    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        """Check a batch whose columns are already renamed to canonical names (strings)."""

    @abstractmethod
    def coverage(self, accepted: pa.Table) -> pa.Table:
        """Rows per (force, month) in accepted rows: columns force (string), month (date32), rows (int64)."""
