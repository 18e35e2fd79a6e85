"""Direct identifiers in every cell of a batch: vectorised masks and free-text redaction.

``vrhub.domain.identifiers.detect_identifiers_in_clear`` judges whole columns on a sample; this module looks at
**every cell**, cheaply enough to run on every row of every person-level file: each pattern is one RE2 pass of
Arrow's ``match_substring_regex`` over the column, and only the few cells that match the shape of an NHS number
are checked in Python (their modulus-11 check digit). A value is never returned, only masks and counts.

What is found (``PATTERNS``):

- ``nhs_number``: ten digits, written together or grouped 3-3-4 by spaces or hyphens, not part of a longer run of
  letters or digits, whose modulus-11 check digit is right (NHS Data Dictionary, "NHS Number"); ten equal digits
  are placeholders and do not count. About 1 in 11 random ten-digit numbers passes the check (one stem in 11 has
  no valid check digit; otherwise one last digit in 10 fits), which is why a column of reference numbers is judged
  by its share of passes, not by one cell (``vrhub.ingest.identifier_guard``).
- ``full_postcode``: a full UK postcode (BS 7666 pattern: outward and inward code, with or without the space, any
  case); a postcode district alone (``ME14``) does not match.
- ``email``: an e-mail address.

Free text (``redact_free_text``) also loses UK phone numbers, a date written after "DOB"/"date of birth"/"born",
and a name written after a title (``Mr Smith``): each replaced by a bracketed label such as
``[NHS number removed]``. This is a best effort on text people type: names without a title are not found.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.identifiers import INWARD_PATTERN as _INWARD
from vrhub.domain.identifiers import OUTWARD_PATTERN as _OUTWARD
from vrhub.domain.identifiers import normalise_nhs_number

#: RE2 patterns (Arrow's regex engine has no look-behind: a boundary is matched as a character or an edge).
_EDGE_L = r"(?:^|[^0-9A-Za-z])"
_EDGE_R = r"(?:$|[^0-9A-Za-z])"
NHS_SHAPE = r"[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4}"
NHS_CANDIDATE_RE2 = _EDGE_L + NHS_SHAPE + _EDGE_R
FULL_POSTCODE_RE2 = "(?i)" + _EDGE_L + f"(?:GIR ?0AA|{_OUTWARD} ?{_INWARD})" + _EDGE_R
EMAIL_RE2 = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
_PHONE_RE2 = r"(?:\+44 ?|\b0)[0-9]{2,4} ?[0-9]{3,4} ?[0-9]{3,4}\b"
_DOB_RE2 = (r"(?i)\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?)\s*[:\-]?\s*"
            r"[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4}")
_TITLED_NAME_RE2 = r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? +[A-Z][A-Za-z'’\-]+"

PATTERNS = {
    "nhs_number": "an NHS number (valid modulus-11 check digit)",
    "full_postcode": "a full postcode",
    "email": "an e-mail address",
}

#: Free-text redactions, applied in this order: (label, RE2 pattern, replacement).
REDACTIONS: tuple[tuple[str, str, str], ...] = (
    ("email", EMAIL_RE2, "[e-mail removed]"),
    ("date_of_birth", _DOB_RE2, "[date of birth removed]"),
    ("full_postcode", r"(?i)\b(?:GIR ?0AA|" + _OUTWARD + " ?" + _INWARD + r")\b", "[postcode removed]"),
    ("phone_number", _PHONE_RE2, "[phone number removed]"),
    ("name", _TITLED_NAME_RE2, "[name removed]"),
)
NHS_REPLACEMENT = "[NHS number removed]"
#: a cell can lose something only if it matches this (a first pass over free text)
_ANY_REDACTION = "|".join(f"(?:{p})" for p in (NHS_SHAPE, *(r for _, r, _ in REDACTIONS)))


def _text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values if pa.types.is_string(values.type) or pa.types.is_large_string(values.type) \
        else pc.cast(values, pa.string())


def _python_nhs_numbers(cell: str) -> list[tuple[int, int]]:
    """Spans of the valid NHS numbers in one cell (the regex shape, then the check digit)."""
    import re

    spans = []
    for m in re.finditer(r"(?<![0-9A-Za-z])" + NHS_SHAPE + r"(?![0-9A-Za-z])", cell):
        if normalise_nhs_number(m.group(0)).ok:
            spans.append(m.span())
    return spans


def nhs_number_shape_mask(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True where a cell holds something shaped like an NHS number (ten digits, 3-3-4), check digit not tested."""
    return pc.fill_null(pc.match_substring_regex(_text(values), NHS_CANDIDATE_RE2), False)


def nhs_number_mask(values: pa.Array | pa.ChunkedArray, shape: pa.Array | None = None) -> pa.Array:
    """True where a cell holds a valid NHS number (shape and modulus-11 check digit)."""
    text = _text(values)
    shape = nhs_number_shape_mask(text) if shape is None else shape
    if not pc.any(shape).as_py():
        return shape
    idx = pc.indices_nonzero(shape).to_pylist()
    cells = pc.take(text, pa.array(idx, pa.int64())).to_pylist()
    hits = [i for i, cell in zip(idx, cells, strict=True) if _python_nhs_numbers(cell)]
    out = [False] * len(text)
    for i in hits:
        out[i] = True
    return pa.array(out, pa.bool_())


def full_postcode_mask(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True where a cell contains a full UK postcode."""
    return pc.fill_null(pc.match_substring_regex(_text(values), FULL_POSTCODE_RE2), False)


def email_mask(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True where a cell contains an e-mail address."""
    return pc.fill_null(pc.match_substring_regex(_text(values), EMAIL_RE2), False)


MASKS = {"nhs_number": nhs_number_mask, "full_postcode": full_postcode_mask, "email": email_mask}
#: a cheap first pass: a cell can hold one of ``MASKS`` only if it has an inward-code shape (a digit and two
#: letters), an ``@`` or the shape of an NHS number; most cells of most columns have none
CANDIDATE_RE2 = r"[0-9][A-Za-z]{2}|@|" + NHS_SHAPE


def find_identifiers(values: pa.Array | pa.ChunkedArray) -> dict[str, np.ndarray]:
    """Row positions of the cells holding each kind of identifier of ``MASKS`` (only kinds found are keys).

    One RE2 pass (``CANDIDATE_RE2``) over the distinct values picks the few cells that could hold any; only those are
    tested pattern by pattern, so a column without identifiers costs one pass."""
    text = _text(values)
    encoded = pc.dictionary_encode(text)  # codes, dates and areas repeat: test each distinct value once
    distinct = pc.fill_null(pc.match_substring_regex(encoded.dictionary, CANDIDATE_RE2), False)
    if not pc.any(distinct).as_py():
        return {}
    candidate = pc.fill_null(distinct.take(encoded.indices), False)
    where = np.flatnonzero(candidate.to_numpy(zero_copy_only=False))
    subset = pc.filter(text, candidate)
    found = {}
    for kind, mask_of in MASKS.items():
        mask = mask_of(subset).to_numpy(zero_copy_only=False)
        if mask.any():
            found[kind] = where[mask]
    return found


def redact_free_text(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, dict[str, int]]:
    """Free text with direct identifiers replaced by labels, and how many cells lost each kind.

    NHS numbers first (checked digit by digit, so an order or reference number that fails the check is kept), then
    ``REDACTIONS`` in order. Cells without any are returned unchanged.
    """
    text = _text(values)
    counts: dict[str, int] = {}
    if not pc.any(pc.fill_null(pc.match_substring_regex(text, _ANY_REDACTION), False)).as_py():
        return text, counts
    nhs = nhs_number_mask(text)
    if pc.any(nhs).as_py():
        counts["nhs_number"] = pc.sum(nhs).as_py()
        cells = text.to_pylist()
        for i in pc.indices_nonzero(nhs).to_pylist():
            cell = cells[i]
            for start, end in reversed(_python_nhs_numbers(cell)):
                cell = cell[:start] + NHS_REPLACEMENT + cell[end:]
            cells[i] = cell
        text = pa.array(cells, pa.string())
    for label, pattern, replacement in REDACTIONS:
        hit = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        n = pc.sum(hit).as_py() or 0
        if n:
            counts[label] = counts.get(label, 0) + n
            text = pc.replace_substring_regex(text, pattern, replacement)
    return text, counts
