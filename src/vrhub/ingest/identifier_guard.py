"""Keep direct identifiers out of the store: every row of a person-level file is scanned as it streams.

Person identifiers never enter the store in clear (docs/sources/pseudonymisation.md). For a source whose rows are
about people (``Source.person_level``: ED returns, ambulance, youth justice, education, and any mapped file that
feeds one of them) the loader passes **every batch** through an :class:`IdentifierGuard` before checking it:

1. On the first batch, :func:`vrhub.domain.identifiers.detect_identifiers_in_clear` judges each column on its first
   1,000 rows (names beside dates of birth, phone numbers, … by their share of the column).
2. On every batch, every cell of every column, used by vrhub or not, is scanned
   (:mod:`vrhub.domain.identifier_scan`): an NHS number with a valid check digit, a full postcode or an e-mail
   address anywhere; any value in a column whose header says it is a person's name or date of birth; a value that is
   not a 64-hex-digit pseudonym in a declared identifier column.

Any of these **refuses the file whole**: ``SourceError`` names the file, the column, the first line (row of a sheet)
and how many lines, never the value; the loader then discards the staging folder, so nothing of the file is stored,
not even in the quarantine. Two exceptions:

- **Free-text fields** the source declares (``Source.free_text``: the ISTV assault method and location
  descriptions) are redacted instead (:func:`vrhub.domain.identifier_scan.redact_free_text`), and the load notes say
  how many cells lost what, and from which line.
- **Reference-number columns** (``Source.reference_columns``: an ambulance incident number) may hold ten-digit
  numbers; about 1 in 11 random ones passes the NHS check digit. Such a column refuses the file only when its
  passes are too many to be chance: a binomial tail probability below one in a million against the 1-in-11 rate
  (on its first 1,000 rows, a column that is mostly NHS numbers is also caught by step 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.errors import SourceError
from vrhub.domain.identifier_scan import (
    PATTERNS,
    find_identifiers,
    nhs_number_mask,
    nhs_number_shape_mask,
    redact_free_text,
)
from vrhub.domain.identifiers import (
    PSEUDONYM_RE,
    detect_identifiers_in_clear,
    looks_like_dob_header,
    looks_like_name_header,
)
from vrhub.ingest.files import SourceFile

SAMPLE_ROWS = 1000
LINES_SHOWN = 5
#: a random ten-digit number passes the NHS modulus-11 check with probability 1/11
RANDOM_PASS_RATE = 1 / 11
REFERENCE_P_VALUE = 1e-6
PSEUDONYMISE = ("run `vrhub pseudonymise --key-file KEY IN OUT` on the partner's side "
                "(docs/sources/pseudonymisation.md) and load its output; a column vrhub does not use can simply be "
                "removed before sending. Nothing of this file was stored")
_REDACTED_WORDS = {"nhs_number": "NHS number(s)", "full_postcode": "full postcode(s)", "email": "e-mail address(es)",
                   "phone_number": "phone number(s)", "date_of_birth": "date(s) of birth", "name": "titled name(s)"}


@dataclass
class _Redacted:
    counts: dict[str, int] = field(default_factory=dict)
    first_line: int | None = None


def _non_blank(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    text = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if not pa.types.is_string(text.type):
        text = pc.cast(text, pa.string())
    return pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(text)), 0), False)


def _binomial_tail(passed: int, shaped: int) -> float:
    """P(X ≥ passed) for X ~ Binomial(shaped, 1/11): that many check-digit passes by chance."""
    from scipy.stats import binom

    return float(binom.sf(passed - 1, shaped, RANDOM_PASS_RATE))


class IdentifierGuard:
    """Scan the batches of one person-level file; raise ``SourceError`` on an identifier in clear.

    ``mapping`` is the source's canonical field → the file's header. ``scan`` returns the batch with free-text
    columns redacted; ``finish`` (after the last batch) judges reference columns and returns the load notes.
    """

    def __init__(self, file: SourceFile, source: Any, mapping: dict[str, str]) -> None:
        self.file = file
        self.free_text = {mapping[n] for n in getattr(source, "free_text", ()) if n in mapping}
        self.reference = {mapping[n] for n in getattr(source, "reference_columns", ()) if n in mapping}
        person = getattr(source, "person_column", None)
        declared = [mapping[person]] if person and person in mapping else []
        declared += [mapping[n] for n in getattr(source, "pseudonym_columns", ()) if n in mapping]
        self.declared = [*declared, *getattr(source, "identifier_headers", ())]
        self._sampled = False
        self._redacted: dict[str, _Redacted] = {}
        self._reference_counts = {h: [0, 0] for h in self.reference}  # header -> [ten-digit values, check passes]

    @property
    def where(self) -> str:
        return "row" if self.file.sheet is not None else "line"

    def scan(self, table: pa.Table, lines: np.ndarray) -> pa.Table:
        """Refuse the file if ``table`` holds identifiers in clear; return it with free text redacted."""
        if not self._sampled:
            self._sampled = True
            findings = detect_identifiers_in_clear(table.slice(0, SAMPLE_ROWS),
                                                   declared_identifier_columns=self.declared)
            if findings:
                raise SourceError(self.file.display, "identifiers in clear: " + " ".join(f.message for f in findings),
                                  PSEUDONYMISE)
        problems: list[str] = []
        for name in table.column_names:
            values = table.column(name)
            if name in self.free_text:
                table = self._redact(table, name, lines)
                continue
            problems += self._scan_column(name, values, lines)
        if problems:
            raise SourceError(self.file.display, "identifiers in clear (the values are not shown): "
                              + "; ".join(problems), PSEUDONYMISE)
        return table

    def scan_raw(self, bad: Sequence[Any]) -> None:
        """Refuse the file if the raw text of a row that did not split into columns holds an identifier in clear
        (such text is never stored for a person-level file, but the file is refused as for any other row)."""
        if not bad:
            return
        text = pa.array([b.text for b in bad], pa.string())
        lines = np.array([b.line or 0 for b in bad], dtype=np.int64)
        problems = [f"{PATTERNS[pattern]} in a row that does not split into the header's columns, on "
                    + self._lines_text(lines, rows) for pattern, rows in find_identifiers(text).items()]
        if problems:
            raise SourceError(self.file.display, "identifiers in clear (the values are not shown): "
                              + "; ".join(problems), PSEUDONYMISE)

    def finish(self) -> list[str]:
        """Judge the reference columns over the whole file; return the notes on what free text lost."""
        for header, (shaped, passed) in self._reference_counts.items():
            if passed and _binomial_tail(passed, shaped) < REFERENCE_P_VALUE:
                raise SourceError(
                    self.file.display,
                    f"identifiers in clear: column '{header}' looks like NHS numbers: {passed:,} of its {shaped:,} "
                    "ten-digit values pass the NHS modulus-11 check digit (about 1 in 11 would by chance; the values "
                    "are not shown)", PSEUDONYMISE)
        notes = []
        for header, r in self._redacted.items():
            what = ", ".join(f"{n:,} {_REDACTED_WORDS[k]}" for k, n in r.counts.items())
            notes.append(f"free text in column '{header}' held identifiers, removed before storing: {what} (first on "
                         f"{self.where} {r.first_line}); ask the partner to keep them out of free text")
        return notes

    def _lines_text(self, lines: np.ndarray, where: pa.Array | np.ndarray) -> str:
        """The first lines (rows) of a mask or of an array of row positions, and how many more."""
        if isinstance(where, np.ndarray) and where.dtype != bool:
            hit = np.asarray(lines)[where]
        else:
            mask = where if isinstance(where, np.ndarray) else where.to_numpy(zero_copy_only=False)
            hit = np.asarray(lines)[np.asarray(mask, dtype=bool)]
        shown = ", ".join(str(int(x)) for x in hit[:LINES_SHOWN])
        more = f" and {len(hit) - LINES_SHOWN:,} more in this part of the file" if len(hit) > LINES_SHOWN else ""
        return f"{self.where}(s) {shown}{more}"

    def _scan_column(self, name: str, values: pa.ChunkedArray, lines: np.ndarray) -> list[str]:
        found: list[str] = []
        if values.null_count == len(values):
            return found
        by_header = looks_like_name_header(name) or looks_like_dob_header(name)
        if name in self.declared or by_header:
            present = _non_blank(values)
            if name in self.declared:
                text = pc.utf8_trim_whitespace(values.combine_chunks())
                clear = pc.and_(present, pc.invert(pc.fill_null(
                    pc.match_substring_regex(text, f"^{PSEUDONYM_RE.pattern}$"), False)))
                if pc.any(clear).as_py():
                    found.append(f"column '{name}' is declared to hold pseudonyms (64 hex digits) but does not on "
                                 + self._lines_text(lines, clear))
                return found
            if pc.any(present).as_py():
                what = "a person's name" if looks_like_name_header(name) else "a date of birth"
                found.append(f"column '{name}' holds {what} (by its header) on " + self._lines_text(lines, present))
        if name in self.reference:
            shape = nhs_number_shape_mask(values)
            counts = self._reference_counts[name]
            counts[0] += pc.sum(shape).as_py() or 0
            counts[1] += pc.sum(nhs_number_mask(values, shape)).as_py() or 0
        for pattern, rows in find_identifiers(values).items():
            if pattern == "nhs_number" and name in self.reference:
                continue  # judged by its share over the whole file (``finish``)
            found.append(f"{PATTERNS[pattern]} in column '{name}' on " + self._lines_text(lines, rows))
        return found

    def _redact(self, table: pa.Table, name: str, lines: np.ndarray) -> pa.Table:
        redacted, counts = redact_free_text(table.column(name))
        if not counts:
            return table
        entry = self._redacted.setdefault(name, _Redacted())
        for k, n in counts.items():
            entry.counts[k] = entry.counts.get(k, 0) + n
        if entry.first_line is None:
            changed = pc.fill_null(pc.not_equal(table.column(name).combine_chunks(), redacted), False)
            entry.first_line = int(np.asarray(lines)[pc.index(changed, True).as_py()])
        return table.set_column(table.column_names.index(name), name, redacted)
