"""Pseudonymisation at source: the partner's tool behind ``vrhub pseudonymise --key-file KEY IN OUT``.

It needs no vrhub workspace. It reads a CSV or XLSX file as a stream, replaces the declared identifier
columns, and writes a CSV:

* ``person_id``: HMAC-SHA256 under the partnership's key of the best identifier the row has, in this
  order: NHS number → name + date of birth → UPN → PNC id (``person_id_basis`` says which; ``none`` and an
  empty ``person_id`` when the row has none of them valid);
* NHS number, UPN, PNC id and any extra column the user names → ``<column>_pseudonym``;
* names → one ``name_dob_pseudonym`` (or ``name_pseudonym`` without a date of birth); date of birth →
  removed, or ``age_at_<date column>`` in whole years; postcode → ``<column>_district`` (outward code);
  address → removed (or ``<column>_pseudonym`` if asked); columns to remove → removed;
* every other column unchanged.

The pseudonym of a canonical identifier is ``HMAC-SHA256(key, "vrhub-pseudonym-v1|<kind>|<canonical>")``
in lower-case hex (RFC 2104, FIPS 180-4), so any partner holding the key gets the same value for the
same person, and the same computation can be written in SQL or R. Canonical forms are in
``vrhub.domain.identifiers`` and ``docs/sources/pseudonymisation.md``.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import os
import re
import secrets
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vrhub.domain import identifiers as ids
from vrhub.domain.errors import KeyFileError as KeyFileError
from vrhub.domain.errors import (  # re-exported: the tree is in domain.errors
    PseudonymisationError as PseudonymisationError,
)

MIN_KEY_BYTES = 32
MAX_KEY_FILE_BYTES = 4096
DOMAIN_TAG = "vrhub-pseudonym-v1"
CITATION = ("HMAC: Krawczyk, Bellare & Canetti, RFC 2104 (1997), with SHA-256 (NIST FIPS 180-4); "
            "ICO draft guidance on anonymisation and pseudonymisation (2021-22), chapter on "
            "pseudonymisation; identifier rules: see "
            "vrhub.domain.identifiers")
_MAKE_A_KEY = ("make one with 'vrhub pseudonymise-key PATH' (a private folder, not beside the data), then give "
               "--key-file PATH; share the same key securely with every partner who must link to your data")
DETECTION_SAMPLE_ROWS = 1000


# ---------------------------------------------------------------------------------------------------------
# keys


@dataclass(frozen=True)
class PseudonymKey:
    """The partnership's secret. Its bytes never appear in ``repr``, reports or messages."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_BYTES:
            raise KeyFileError(f"the key is {len(self.secret)} bytes; at least {MIN_KEY_BYTES} random bytes "
                               "are needed", _MAKE_A_KEY)
        if len(set(self.secret)) < 8:
            raise KeyFileError("the key is not random (fewer than 8 different byte values)", _MAKE_A_KEY)
        object.__setattr__(self, "_base", hmac.new(self.secret, digestmod=hashlib.sha256))

    def pseudonym(self, kind: str, canonical: str) -> str:
        """``HMAC-SHA256(key, "vrhub-pseudonym-v1|kind|canonical")`` as 64 lower-case hex digits."""
        mac = self._base.copy()  # type: ignore[attr-defined]
        mac.update(f"{DOMAIN_TAG}|{kind}|{canonical}".encode())
        return mac.hexdigest()

    @property
    def fingerprint(self) -> str:
        """16 hex digits that partners compare to check they hold the same key (reveals nothing of it)."""
        return self.pseudonym("key-fingerprint", "")[:16]


def parse_key(content: bytes) -> PseudonymKey:
    """The key in a key file's bytes.

    Text of hex digits (``openssl rand -hex 32``) or base64 (``openssl rand -base64 32``, standard or URL
    alphabet), surrounding whitespace ignored; otherwise the raw bytes. Text that is neither hex nor
    base64 (a passphrase) is refused: a key must be random bytes, at least 32 of them.
    """
    text = content.strip()
    if text and re.fullmatch(rb"[0-9a-fA-F]+", text) and len(text) % 2 == 0:
        return PseudonymKey(bytes.fromhex(text.decode()))
    if text and re.fullmatch(rb"[A-Za-z0-9+/_-]+={0,2}", text) and len(text) % 4 == 0:
        try:
            return PseudonymKey(base64.b64decode(text.replace(b"-", b"+").replace(b"_", b"/"), validate=True))
        except binascii.Error:
            pass
    if content and all(32 <= b < 127 or b in b"\t\r\n" for b in content):
        raise KeyFileError("the key file holds text that is neither hex nor base64 (a passphrase?)",
                           _MAKE_A_KEY)
    return PseudonymKey(content)


def load_key(path: str | os.PathLike[str]) -> PseudonymKey:
    """Read and check a key file (see ``parse_key``)."""
    path = Path(path)
    if not path.is_file():
        raise KeyFileError(f"no key file at {path}", _MAKE_A_KEY)
    size = path.stat().st_size
    if size > MAX_KEY_FILE_BYTES:
        raise KeyFileError(f"{path} is {size} bytes: too large for a key file",
                           "check the order of the arguments: KEY comes before IN and OUT")
    return parse_key(path.read_bytes())


def generate_key(path: str | os.PathLike[str]) -> Path:
    """Write a new key: 32 random bytes (``secrets``) as 64 hex digits, readable by the owner only (0600).

    Refuses to overwrite an existing file: a lost or replaced key breaks linkage with every file already
    pseudonymised.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise KeyFileError(f"the folder {path.parent} does not exist",
                           "create it first (a folder readable by you only, away from the data)")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; a key is never overwritten",
                           "choose another file name, or keep using the existing key") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, (secrets.token_hex(MIN_KEY_BYTES) + "\n").encode())
    finally:
        os.close(fd)
    return path


def key_location_problems(key_file: Path, input_path: Path,
                          output_path: Path) -> tuple[str | None, list[str]]:
    """(refusal, warnings) about where the key is kept.

    Refused: a key file in the output's folder (it would travel with the pseudonymised data) or that is
    the input or output file. Warned: a key anywhere below the output's folder, in the input's folder, or
    readable by other users.
    """
    key = key_file.resolve()
    out_dir = output_path.resolve().parent
    warnings: list[str] = []
    if key in (input_path.resolve(), output_path.resolve()):
        return "the key file is the input or output file", warnings
    if key.parent == out_dir:
        return (f"the key file is in the output's folder ({out_dir}); keys never sit beside the data",
                warnings)
    if out_dir in key.parents:
        warnings.append("the key file is inside a sub-folder of the output's folder: keep it elsewhere")
    if key.parent == input_path.resolve().parent:
        warnings.append("the key file is in the input's folder: keep it away from the data")
    if os.name == "posix" and key.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(f"other users can read the key file: run `chmod 600 {key_file}`")
    return None, warnings


# ---------------------------------------------------------------------------------------------------------
# which columns hold what


def _tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class IdentifierColumns:
    """The input columns holding identifiers, by role (header names exactly as in the file)."""

    nhs_number: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    full_name: str | None = None
    date_of_birth: str | None = None
    upn: str | None = None
    pnc_id: str | None = None
    postcode: tuple[str, ...] = ()
    address: tuple[str, ...] = ()
    pseudonymise: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    age_at: str | None = None
    pseudonymise_address: bool = False
    linkage: bool = False
    sex: str | None = None

    def __post_init__(self) -> None:
        for name in ("postcode", "address", "pseudonymise", "remove"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))

    def roles(self) -> list[tuple[str, str]]:
        """(role, column) for every declared identifier column (``age_at`` is read, not replaced)."""
        single = [(r, getattr(self, r)) for r in ("nhs_number", "given_name", "family_name", "full_name",
                                                   "date_of_birth", "upn", "pnc_id")]
        multi = [(r, c) for r in ("postcode", "address", "pseudonymise", "remove") for c in getattr(self, r)]
        return [(r, c) for r, c in single + multi if c]

    @classmethod
    def guess(cls, header: Sequence[str]) -> IdentifierColumns:
        """Roles guessed from common header names (``NHS Number``, ``Surname``, ``DOB``, ``Post Code``, …).
        Show the guess to the user: a column it misses passes through in clear."""
        found: dict[str, Any] = {"postcode": [], "address": [], "remove": []}
        for column in header:
            key = re.sub(r"[^a-z0-9]+", "_", column.casefold()).strip("_")
            role = _GUESSES.get(key)
            if role is None:
                if _POSTCODE_HEADER.fullmatch(key):
                    role = "postcode"
                elif _ADDRESS_HEADER.fullmatch(key):
                    role = "address"
                elif _REMOVE_HEADER.fullmatch(key):
                    role = "remove"
            if role in ("postcode", "address", "remove"):
                found[role].append(column)
            elif role and role not in found:
                found[role] = column
        return cls(**found)


_POSTCODE_HEADER = re.compile(r"(?:home_|address_)?post_?codes?|postal_?code")
_ADDRESS_HEADER = re.compile(
    r"(?:home_)?addr(?:ess)?(?:_?line)?(?:_?\d)?|street(?:_name)?|house_(?:name|number)")
_REMOVE_HEADER = re.compile(
    r"e_?mail(?:_address)?|middle_?names?|(?:tele)?phone(?:_number)?|mobile(?:_number)?")
_GUESSES = {
    **dict.fromkeys(["nhs", "nhs_no", "nhs_number", "nhsnumber", "nhs_num"], "nhs_number"),
    **dict.fromkeys(["forename", "forenames", "first_name", "firstname", "first_names", "given_name",
                     "given_names", "christian_name"], "given_name"),
    **dict.fromkeys(["surname", "last_name", "lastname", "family_name"], "family_name"),
    **dict.fromkeys(["name", "full_name", "fullname", "person_name", "client_name", "patient_name",
                     "child_name", "pupil_name", "young_person_name"], "full_name"),
    **dict.fromkeys(["dob", "d_o_b", "date_of_birth", "birth_date", "birthdate"], "date_of_birth"),
    **dict.fromkeys(["upn", "unique_pupil_number", "pupil_upn"], "upn"),
    **dict.fromkeys(["pnc", "pnc_id", "pncid", "pnc_number", "pnc_no"], "pnc_id"),
}


# ---------------------------------------------------------------------------------------------------------
# the report


@dataclass
class InvalidValues:
    """Cells of one column that could not be normalised: counts by reason and the first row numbers."""

    column: str
    count: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    first_rows: list[int] = field(default_factory=list)


@dataclass
class PseudonymisationReport:
    """What was done to a file. Row numbers count the header as row 1, as a spreadsheet shows them.
    It never contains an identifier value or the key."""

    input: str
    output: str
    rows_processed: int
    blank_rows_skipped: int
    columns: dict[str, str]
    output_columns: list[str]
    person_id_basis: dict[str, int]
    invalid: list[InvalidValues]
    warnings: list[str]
    key_fingerprint: str
    parameters: dict[str, Any]
    citation: str = CITATION

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)

    def to_text(self) -> str:
        lines = [f"Pseudonymised {self.input} → {self.output}",
                 f"  rows processed: {self.rows_processed}"
                 + (f" (blank rows skipped: {self.blank_rows_skipped})" if self.blank_rows_skipped else ""),
                 f"  key fingerprint: {self.key_fingerprint}",
                 "  columns:"]
        lines += [f"    {column}: {action}" for column, action in self.columns.items()]
        lines.append("  person_id basis: " + ", ".join(f"{b} {n}" for b, n in self.person_id_basis.items()))
        for bad in self.invalid:
            reasons = "; ".join(f"{r} ({n})" for r, n in bad.reasons.items())
            more = "…" if bad.count > len(bad.first_rows) else ""
            lines.append(f"  invalid in '{bad.column}': {bad.count} — {reasons}; rows "
                         f"{', '.join(map(str, bad.first_rows))}{more}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# the row transformer


class Pseudonymiser:
    """Turns rows of one header into pseudonymised rows, and keeps the counts for the report.

    ``today`` is the reference for dates of birth (not in the future; two-digit years) and is recorded.
    """

    def __init__(self, header: Sequence[str], columns: IdentifierColumns, key: PseudonymKey, *,
                 today: date | None = None, rows_listed: int = 20) -> None:
        self.header = [str(h) for h in header]
        self.columns = columns
        self.key = key
        self.today = today or date.today()
        self.rows_listed = rows_listed
        self.rows = 0
        self.basis: Counter[str] = Counter()
        self._invalid: dict[str, InvalidValues] = {}
        self._index = self._check_columns()
        self.actions: dict[str, str] = {}
        self._steps: list[tuple[str, int]] = []  # (step, input index)
        self.output_header = ["person_id", "person_id_basis"]
        self._plan()

    # -- setup ---------------------------------------------------------------------------------------------

    def _check_columns(self) -> dict[str, int]:
        c = self.columns
        dupes = sorted({h for h in self.header if self.header.count(h) > 1})
        if dupes:
            raise PseudonymisationError(f"the header repeats column(s) {dupes}",
                                        "give every column its own name")
        index = {h: i for i, h in enumerate(self.header)}
        declared = c.roles() + ([("age_at", c.age_at)] if c.age_at else [])
        if not c.roles():
            raise PseudonymisationError(
                "no identifier column was declared",
                "name the columns that hold identifiers (or guess them from the header)")
        missing = [col for _, col in declared if col not in index]
        if missing:
            near = {m: h for m in missing for h in self.header
                    if h.casefold().strip() == m.casefold().strip()}
            hint = ("; ".join(f"'{m}' → did you mean '{near[m]}'?" for m in near)
                    or f"the columns are {self.header}")
            raise PseudonymisationError(f"column(s) {missing} are not in the file's header", hint)
        seen = Counter(col for _, col in c.roles())
        twice = sorted(col for col, n in seen.items() if n > 1)
        if twice:
            raise PseudonymisationError(f"column(s) {twice} are declared for more than one role",
                                        "declare each column once")
        if bool(c.given_name) != bool(c.family_name):
            raise PseudonymisationError("a given-name column needs a family-name column, and the reverse",
                                        "declare both, or declare one full-name column instead")
        if c.full_name and c.given_name:
            raise PseudonymisationError("declare either a full-name column or given- and family-name columns",
                                        "drop one of the two")
        if c.age_at and not c.date_of_birth:
            raise PseudonymisationError("an age needs a date-of-birth column",
                                        "declare the date-of-birth column")
        if c.linkage and not (c.full_name or c.given_name):
            raise PseudonymisationError("linkage encodings need the name column(s)",
                                        "declare the given- and family-name columns, or the full-name column")
        if c.sex and c.sex not in index:
            raise PseudonymisationError(f"the sex column '{c.sex}' is not in the file's header",
                                        f"the columns are {self.header}")
        return index

    def _plan(self) -> None:
        c = self.columns
        role_of = {col: role for role, col in c.roles()}
        name_cols = [x for x in (c.full_name, c.given_name, c.family_name) if x]
        names_kind = "name_dob" if c.date_of_birth else "name"
        for i, column in enumerate(self.header):
            role = role_of.get(column)
            if role is None:
                self._emit("copy", i, column, None)
            elif role in ("nhs_number", "upn", "pnc_id", "pseudonymise"):
                self._emit(role, i, f"{column}_pseudonym", "replaced by a keyed pseudonym")
            elif role in ("full_name", "given_name", "family_name"):
                if column == next(h for h in self.header if h in name_cols):
                    what = "name and date of birth" if c.date_of_birth else "name"
                    self._emit("names", i, f"{names_kind}_pseudonym",
                               f"replaced by a keyed pseudonym of {what}")
                else:
                    self.actions[column] = f"removed (in {names_kind}_pseudonym)"
            elif role == "date_of_birth":
                if c.age_at:
                    self._emit("age", i, f"age_at_{c.age_at}", f"removed; age in whole years at '{c.age_at}'")
                else:
                    self.actions[column] = "removed"
            elif role == "postcode":
                self._emit("district", i, f"{column}_district", "replaced by the postcode district")
            elif role == "address" and c.pseudonymise_address:
                self._emit("address", i, f"{column}_pseudonym", "replaced by a keyed pseudonym")
            else:
                self.actions[column] = "removed"
        if c.linkage:
            from vrhub.ingest.linkage_encoding import LINKAGE_COLUMNS, LinkageEncoder

            self._linkage = LinkageEncoder(self.key)
            self.output_header += list(LINKAGE_COLUMNS)
            self.actions["(linkage)"] = ("names, date of birth, sex and postcode sector → keyed hashes, phonetic "
                                         "codes and a Bloom filter (lk_* columns)")
        clash = sorted({h for h in self.output_header if self.output_header.count(h) > 1})
        if clash:
            raise PseudonymisationError(f"output column name(s) {clash} would occur twice",
                                        "rename the input column(s) that already use these names")

    def _emit(self, step: str, index: int, out_name: str, action: str | None) -> None:
        self._steps.append((step, index))
        self.output_header.append(out_name)
        if action:
            self.actions[self.header[index]] = f"{action} → {out_name}"

    # -- rows ----------------------------------------------------------------------------------------------

    def _note(self, column: str | None, result: ids.Normalised, row_number: int) -> str | None:
        if result.problem and column:
            bad = self._invalid.setdefault(column, InvalidValues(column))
            bad.count += 1
            bad.reasons[result.problem] = bad.reasons.get(result.problem, 0) + 1
            if len(bad.first_rows) < self.rows_listed:
                bad.first_rows.append(row_number)
        return result.value

    def transform(self, row: Sequence[object], row_number: int) -> list[str]:
        """One output row. ``row_number`` is used only in the report."""
        c = self.columns
        if len(row) > len(self.header):
            if any(ids.cell_text(v) for v in row[len(self.header):]):
                raise PseudonymisationError(
                    f"row {row_number} has {len(row)} cells but the header has {len(self.header)}",
                    "fix the row, or give the extra cells a header")
            row = row[: len(self.header)]
        cells = list(row) + [None] * (len(self.header) - len(row))
        self.rows += 1

        def get(column: str | None) -> object:
            return cells[self._index[column]] if column else None

        def norm(column: str | None, fn: Any, **kw: Any) -> str | None:
            return self._note(column, fn(get(column), **kw), row_number) if column else None

        nhs = norm(c.nhs_number, ids.normalise_nhs_number)
        upn = norm(c.upn, ids.normalise_upn)
        pnc = norm(c.pnc_id, ids.normalise_pnc_id)
        dob = norm(c.date_of_birth, ids.normalise_date_of_birth, today=self.today)
        if c.full_name:
            name = norm(c.full_name, ids.normalise_full_name)
            split = ids.split_full_name(get(c.full_name))
        elif c.given_name:
            result = ids.normalise_person_name(get(c.given_name), get(c.family_name))
            blamed = c.given_name if result.problem == "no given name" else c.family_name
            name = self._note(blamed, result, row_number)
            split = (get(c.given_name), get(c.family_name))
        else:
            name, split = None, ("", "")

        if nhs:
            basis, person = "nhs_number", self.key.pseudonym("nhs_number", nhs)
        elif name and dob:
            basis, person = "name_dob", self.key.pseudonym("name_dob", f"{name}|{dob}")
        elif upn:
            basis, person = "upn", self.key.pseudonym("upn", upn)
        elif pnc:
            basis, person = "pnc_id", self.key.pseudonym("pnc_id", pnc)
        else:
            basis, person = "none", ""
        self.basis[basis] += 1

        out = [person, basis]
        for step, i in self._steps:
            value = cells[i]
            if step == "copy":
                out.append(ids.cell_text(value))
            elif step in ("nhs_number", "upn", "pnc_id"):
                canonical = {"nhs_number": nhs, "upn": upn, "pnc_id": pnc}[step]
                out.append(self.key.pseudonym(step, canonical) if canonical else "")
            elif step == "names":
                if name and (dob or not c.date_of_birth):
                    canonical = f"{name}|{dob}" if c.date_of_birth else name
                    out.append(self.key.pseudonym("name_dob" if c.date_of_birth else "name", canonical))
                else:
                    out.append("")
            elif step == "age":
                out.append(self._age(dob, cells[self._index[c.age_at]], row_number))  # type: ignore[index]
            elif step == "district":
                out.append(self._note(self.header[i], ids.postcode_district(value), row_number) or "")
            elif step == "address":
                canonical = ids.normalise_address(value).value
                out.append(self.key.pseudonym("address", canonical) if canonical else "")
            else:  # "pseudonymise": any other column the user named
                canonical = ids.normalise_text(value).value
                out.append(self.key.pseudonym("text", canonical) if canonical else "")
        if c.linkage:
            out += self._linkage.encode(split[0], split[1], dob, get(c.sex),
                                        get(c.postcode[0]) if c.postcode else None)
        return out

    def _age(self, dob: str | None, event: object, row_number: int) -> str:
        if not dob or not ids.cell_text(event):
            return ""
        on = ids.parse_uk_date(event, pivot_year=self.today.year)
        if on is None:
            self._note(self.columns.age_at, ids.Normalised(None, "not a date"), row_number)
            return ""
        born = date.fromisoformat(dob)
        if on < born:
            self._note(self.columns.age_at, ids.Normalised(None, "before the date of birth"), row_number)
            return ""
        return str(ids.age_in_whole_years(born, on))

    @property
    def invalid(self) -> list[InvalidValues]:
        return list(self._invalid.values())


def pseudonymise_rows(header: Sequence[str], rows: Iterable[Sequence[object]], columns: IdentifierColumns,
                      key: PseudonymKey, *, today: date | None = None) -> Iterator[list[str]]:
    """The output header, then each pseudonymised row (rows numbered from 2, the header being row 1)."""
    worker = Pseudonymiser(header, columns, key, today=today)
    yield worker.output_header
    for number, row in enumerate(rows, start=2):
        yield worker.transform(row, number)


# ---------------------------------------------------------------------------------------------------------
# files


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, newline="", encoding=encoding) as handle:
        yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)


def _xlsx_rows(path: Path, sheet: str | None, warnings: list[str]) -> Iterator[tuple[int, list[object]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is None:
            ws = book.worksheets[0]
            if len(book.worksheets) > 1:
                warnings.append(f"read only the first sheet, '{ws.title}', of {len(book.worksheets)}")
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise PseudonymisationError(f"{path} has no sheet '{sheet}'", f"the sheets are {book.sheetnames}")
        ws.reset_dimensions()  # read every row, whatever size the file claims
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        book.close()


def _read(path: Path, sheet: str | None, encoding: str, delimiter: str,
          warnings: list[str]) -> Iterator[tuple[int, list[Any]]]:
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, sheet, warnings)
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_rows(path, encoding, "\t" if suffix == ".tsv" and delimiter == "," else delimiter)
    raise PseudonymisationError(f"{path} is neither CSV nor XLSX",
                                "save the data as CSV (UTF-8) or as an Excel .xlsx workbook")


def _header(first: list[Any]) -> list[str]:
    names = [ids.cell_text(v) for v in first]
    while names and not names[-1]:
        names.pop()
    return [n or f"column_{i + 1}" for i, n in enumerate(names)]


def pseudonymise_file(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    *,
    key_file: str | os.PathLike[str],
    columns: IdentifierColumns | None = None,
    sheet: str | None = None,
    today: date | None = None,
    overwrite: bool = False,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    rows_listed: int = 20,
    linkage: bool = False,
    sex: str | None = None,
) -> PseudonymisationReport:
    """Pseudonymise a CSV or XLSX file into a CSV file, streaming (one row in memory at a time).

    ``columns=None`` guesses the roles from the header (``IdentifierColumns.guess``); the report shows
    what was done to every column. The output appears only when complete (written beside it under a
    temporary name, then renamed). ``linkage=True`` adds the ``lk_*`` linkage
    encodings (:mod:`vrhub.ingest.linkage_encoding`), with ``sex`` the column holding sex. After writing, the first
    rows of the output are checked with ``detect_identifiers_in_clear`` and anything still in clear is reported as a
    warning.
    """
    source, target, key_path = Path(input_path), Path(output_path), Path(key_file)
    key = load_key(key_path)
    if not source.is_file():
        raise PseudonymisationError(f"no input file at {source}", "check the path")
    if target.suffix.casefold() != ".csv":
        raise PseudonymisationError(f"the output {target} must be a .csv file", "name it OUT.csv")
    if not target.parent.is_dir():
        raise PseudonymisationError(f"the output folder {target.parent} does not exist", "create it first")
    if target.exists() and not overwrite:
        raise PseudonymisationError(f"{target} already exists", "choose another name, or allow overwriting")
    if target.exists() and target.resolve() == source.resolve():
        raise PseudonymisationError("the output would overwrite the input", "write to another file")
    refusal, warnings = key_location_problems(key_path, source, target)
    if refusal:
        raise KeyFileError(refusal, "move the key file to a folder of its own, away from the data")

    rows = _read(source, sheet, encoding, delimiter, warnings)
    blank = 0
    sample: list[list[str]] = []
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            try:
                _, first = next(rows)
            except StopIteration:
                raise PseudonymisationError(f"{source} is empty",
                                            "export the data with a header row") from None
            header = _header(first)
            chosen = columns or IdentifierColumns.guess(header)
            if linkage or sex:
                from dataclasses import replace

                chosen = replace(chosen, linkage=linkage or chosen.linkage, sex=sex or chosen.sex)
            worker = Pseudonymiser(header, chosen, key, today=today, rows_listed=rows_listed)
            writer.writerow(worker.output_header)
            for number, row in rows:
                if not row or all(v is None for v in row):
                    blank += 1
                    continue
                out = worker.transform(row, number)
                writer.writerow(out)
                if len(sample) < DETECTION_SAMPLE_ROWS:
                    sample.append(out)
        os.replace(partial, target)
    except UnicodeDecodeError as exc:
        Path(partial).unlink(missing_ok=True)
        raise PseudonymisationError(f"{source} is not {encoding} text ({exc.reason})",
                                    "save it as 'CSV UTF-8', or give its encoding (e.g. cp1252)") from None
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise

    table = {name: [r[i] for r in sample] for i, name in enumerate(worker.output_header)}
    warnings += [f.message for f in ids.detect_identifiers_in_clear(table)]
    return PseudonymisationReport(
        input=str(source), output=str(target), rows_processed=worker.rows, blank_rows_skipped=blank,
        columns=worker.actions, output_columns=worker.output_header, person_id_basis=dict(worker.basis),
        invalid=worker.invalid, warnings=warnings, key_fingerprint=key.fingerprint,
        parameters={"columns": [[role, col] for role, col in worker.columns.roles()],
                    "age_at": worker.columns.age_at,
                    "pseudonymise_address": worker.columns.pseudonymise_address,
                    "linkage": worker.columns.linkage, "sex": worker.columns.sex,
                    "today": worker.today.isoformat(), "sheet": sheet, "encoding": encoding,
                    "delimiter": delimiter,
                    "hmac": f"HMAC-SHA256, message '{DOMAIN_TAG}|<kind>|<canonical>'"},
    )
