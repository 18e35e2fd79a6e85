"""Personal identifiers: validate and normalise them before hashing, and find them left in clear.

Two jobs, both pure (no keys, no files):

* **Normalisation** turns each identifier into one canonical text, so that two partners who hold the same
  person in different spellings compute the same keyed pseudonym (``vrhub.ingest.pseudonymise``). Each
  ``normalise_*`` function returns a ``Normalised``: the canonical text, or ``None`` with the problem
  (``None`` and no problem means the cell was empty). The problem never contains the value.
* **Detection** (``detect_identifiers_in_clear``) looks at a sample of a table's cells and reports columns
  that still hold NHS numbers, full postcodes, e-mail addresses, phone numbers, or names next to dates
  of birth, so that the store can refuse them. Pseudonyms (64 hex digits) are never flagged.

Sources:
- NHS number, modulus 11: NHS Data Dictionary, "NHS Number" (check digit algorithm).
- UPN: Department for Education, "Unique Pupil Numbers (UPN): guidance for schools and local
  authorities", check letter annex; UK Government Data Standards Catalogue, "Unique Pupil Number" v2.0 (2004).
- PNC id: no public Home Office specification; canonical form and check character as in the Ministry of
  Justice's open-source ``hmpps-person-record`` (``PNCIdentifier.kt``): 23-letter alphabet
  ``ZABCDEFGHJKLMNPQRTUVWXY`` indexed by (two-digit year followed by the 7-digit serial) mod 23.
- Postcode: BS 7666 pattern (Cabinet Office, Government Data Standards Catalogue, ``PostCodeType``).
- Age in whole years: the Family Law Reform Act 1969 s.9 rule (an age is attained at the start of the
  anniversary of birth); someone born on 29 February reaches it on 1 March in other years.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

# ---------------------------------------------------------------------------------------------------------
# common


class Normalised(NamedTuple):
    """A canonical identifier text, or ``None`` with the problem (no problem: the cell was empty)."""

    value: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def missing(self) -> bool:
        return self.value is None and self.problem is None


EMPTY = Normalised(None, None)

PSEUDONYM_RE = re.compile(r"[0-9a-fA-F]{64}")


def is_pseudonym(value: object) -> bool:
    """True for a 64-hex-digit text: the shape of an HMAC-SHA256 pseudonym."""
    return isinstance(value, str) and PSEUDONYM_RE.fullmatch(value.strip()) is not None


def cell_text(value: object) -> str:
    """A cell as text: ``None`` → ``""``; whole floats lose ``.0`` (NHS numbers read by spreadsheets);
    dates become ISO 8601 (with the time only when it is not midnight); other text is stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------------------------------------------------
# NHS number (NHS Data Dictionary, modulus 11)

_NHS_SEPARATORS = re.compile(r"[\s\-]")


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for the first nine digits; ``None`` when it would be 10 (no valid number).

    Weights 10 down to 2; check = 11 − (weighted sum mod 11); 11 becomes 0.
    """
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("an NHS number stem is exactly nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise_nhs_number(value: object) -> Normalised:
    """Ten digits with spaces and hyphens removed, if the modulus-11 check digit is right.

    Numbers whose ten digits are all the same (``0000000000``, ``1111111111``) pass the check but are
    placeholders, and are reported as such.
    """
    text = _NHS_SEPARATORS.sub("", cell_text(value))
    if not text:
        return EMPTY
    if len(text) != 10 or not text.isdigit():
        return Normalised(None, "not 10 digits")
    if len(set(text)) == 1:
        return Normalised(None, "placeholder (all ten digits the same)")
    check = nhs_check_digit(text[:9])
    if check is None:
        return Normalised(None, "no valid check digit exists for these nine digits (modulus 11)")
    if check != int(text[9]):
        return Normalised(None, "check digit is wrong (modulus 11)")
    return Normalised(text)


def is_valid_nhs_number(value: object) -> bool:
    return normalise_nhs_number(value).ok


# ---------------------------------------------------------------------------------------------------------
# Unique Pupil Number (DfE)

#: A=0 … Z=22, without I, O and S (DfE UPN guidance).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_RE = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")


def upn_check_letter(body: str) -> str:
    """The check letter (character 1) for characters 2–13 of a UPN.

    Character *n* is weighted *n* (2 … 13); a temporary UPN's final letter counts as its position in
    ``UPN_LETTERS``; the sum mod 23 indexes ``UPN_LETTERS``.
    """
    if len(body) != 12 or not body[:11].isdigit():
        raise ValueError("a UPN body is 11 digits and a final digit or letter")
    total = 0
    for weight, char in enumerate(body, start=2):
        if char.isdigit():
            total += weight * int(char)
        elif char in UPN_LETTERS:
            total += weight * UPN_LETTERS.index(char)
        else:
            raise ValueError("I, O and S are not used in a UPN")
    return UPN_LETTERS[total % 23]


def normalise_upn(value: object) -> Normalised:
    """A 13-character UPN, upper-cased with spaces removed, if its check letter is right."""
    text = re.sub(r"\s", "", cell_text(value)).upper()
    if not text:
        return EMPTY
    if not _UPN_RE.fullmatch(text):
        return Normalised(None, "not a letter, 11 digits and a final digit or letter")
    if text[12].isalpha() and text[12] not in UPN_LETTERS:
        return Normalised(None, "final letter of a temporary UPN cannot be I, O or S")
    if upn_check_letter(text[1:]) != text[0]:
        return Normalised(None, "check letter is wrong (modulus 23)")
    return Normalised(text)


# ---------------------------------------------------------------------------------------------------------
# Police National Computer id

#: Z=0, A=1 … Y=22, without I, O and S (MoJ hmpps-person-record, PNCIdentifier.kt).
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_PNC_WITH_SLASH = re.compile(r"(?P<year>\d{2}|\d{4})/(?P<serial>\d{1,7})(?P<check>[A-Z])")
_PNC_LONG = re.compile(r"(?P<year>\d{4})(?P<serial>\d{7})(?P<check>[A-Z])")
_PNC_SHORT = re.compile(r"(?P<year>\d{2})(?P<serial>\d{1,7})(?P<check>[A-Z])")


def pnc_check_letter(year: str, serial: str) -> str:
    """The PNC check character: ``PNC_LETTERS[int(YY + 7-digit serial) mod 23]``."""
    return PNC_LETTERS[int(year[-2:] + serial.zfill(7)) % 23]


def normalise_pnc_id(value: object) -> Normalised:
    """A PNC id as ``YY/NNNNNNNC``: two-digit year, serial zero-padded to seven digits, check letter.

    Accepts ``18/123456A``, ``2018/0123456A``, ``20180123456A`` and ``18123456A``. The canonical form
    keeps only the two-digit year: the check character uses only those digits, and expanding them to four
    would depend on today's date, so that the same id could give a different pseudonym next year.
    """
    text = re.sub(r"\s", "", cell_text(value)).upper()
    if not text:
        return EMPTY
    if "/" in text:
        match = _PNC_WITH_SLASH.fullmatch(text)
    elif len(text) == 12:
        match = _PNC_LONG.fullmatch(text)
    else:
        match = _PNC_SHORT.fullmatch(text)
    if match is None:
        return Normalised(None, "not a PNC id (YY/NNNNNNNC or YYYY/NNNNNNNC)")
    year, serial, check = match["year"], match["serial"].zfill(7), match["check"]
    if len(year) == 4 and year[:2] not in ("19", "20"):
        return Normalised(None, "year is not 19xx or 20xx")
    if pnc_check_letter(year, serial) != check:
        return Normalised(None, "check character is wrong (modulus 23)")
    return Normalised(f"{year[-2:]}/{serial}{check}")


# ---------------------------------------------------------------------------------------------------------
# names

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master", "sir", "dame", "prof", "rev"})
_LETTER_FOLDS = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "œ": "oe", "þ": "th",
                               "ı": "i", "ŀ": "l"})
_DROPPED_IN_NAMES = str.maketrans("", "", "'’‘`ʼ.")
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def fold_name(text: str) -> list[str]:
    """The words of a name: diacritics removed (NFKD), case-folded, apostrophes and dots dropped
    (``O'Brien`` → ``obrien``), every other non-letter (hyphen, comma, digit) a word break."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        text = "".join(c for c in text if not unicodedata.combining(c)).translate(_LETTER_FOLDS)
    return _NOT_LETTERS.sub(" ", text.translate(_DROPPED_IN_NAMES)).split()


def split_full_name(value: object) -> tuple[str, str]:
    """(given names, family name) of a one-column name.

    ``Family, Given`` when there is a comma; else ``FAMILY Given`` when only the first word is in capitals
    (the police habit); else the last word is the family name (``John Paul Smith``).
    """
    text = cell_text(value)
    if "," in text:
        family, _, given = text.partition(",")
        return given.strip(), family.strip()
    words = text.split()
    if len(words) < 2:
        return "", text
    first_is_caps = words[0].isupper() and len(words[0]) > 1 and words[0].casefold() not in _TITLES
    if first_is_caps and not all(w.isupper() for w in words[1:]):
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]


def normalise_person_name(given: object, family: object) -> Normalised:
    """``first-given-name|family-name`` for matching: the first given name only (after titles), and all
    family-name words joined (``Smith-Jones`` and ``Smith Jones`` → ``smithjones``).

    So ``Smith, John`` (full name), ``john  smith``, ``JOHN SMITH`` and given ``John Paul`` with family
    ``Smith`` are the same name; ``Jon``/``John``, typing errors, or a changed family name are not.
    """
    given_words = [w for w in fold_name(cell_text(given)) if w not in _TITLES]
    family_words = fold_name(cell_text(family))
    if not cell_text(given) and not cell_text(family):
        return EMPTY
    if not given_words:
        return Normalised(None, "no given name")
    if not family_words:
        return Normalised(None, "no family name")
    return Normalised(f"{given_words[0]}|{''.join(family_words)}")


def normalise_full_name(value: object) -> Normalised:
    """``normalise_person_name`` of a one-column name split by ``split_full_name``."""
    if not cell_text(value):
        return EMPTY
    given, family = split_full_name(value)
    if not given:
        return Normalised(None, "one word only: cannot tell the given name from the family name")
    return normalise_person_name(given, family)


def normalise_address(value: object) -> Normalised:
    """An address for hashing (only when the user asks to keep a pseudonym of it): diacritics removed,
    case-folded, punctuation a space, spaces collapsed (``12, High St.`` → ``12 high st``). Abbreviations
    are not expanded: ``St`` and ``Street`` differ."""
    text = unicodedata.normalize("NFKD", cell_text(value)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_LETTER_FOLDS)
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return Normalised(" ".join(words)) if words else EMPTY


def normalise_text(value: object) -> Normalised:
    """Any other identifier the user names (a case number, a local client id): spaces collapsed and
    case-folded, nothing else changed."""
    text = " ".join(cell_text(value).split()).casefold()
    return Normalised(text) if text else EMPTY


# ---------------------------------------------------------------------------------------------------------
# dates

_MONTHS = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for name in names}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_DATE = re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}")
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_UK_DATE = re.compile(rf"(?P<d>\d{{1,2}})[-/. ](?P<m>\d{{1,2}})[-/. ](?P<y>\d{{4}}|\d{{2}}){_TIME}")
_NAMED_MONTH_DATE = re.compile(
    rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[-/ ]+(?P<m>[A-Za-z]{{3,9}})[-/ ,]+(?P<y>\d{{4}}|\d{{2}}){_TIME}")


def parse_uk_date(value: object, *, pivot_year: int | None = None) -> date | None:
    """A date from a cell, reading UK (day-first) forms; ``None`` when it is not a date.

    Accepts date and datetime objects, ``yyyy-mm-dd`` (also with ``/`` or ``.``, and with a time after),
    ``yyyymmdd`` (NHS CCYYMMDD), ``dd/mm/yyyy``, ``dd-mm-yy``, ``dd.mm.yyyy`` and ``12 Mar 2008`` or
    ``12-MAR-08``. Never month-first (``03/12/2008`` is 3 December). A two-digit year ``yy`` is 20yy when
    that is not after ``pivot_year`` (default: this year), else 19yy.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    month_names = False
    match = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text) or _UK_DATE.fullmatch(text)
    if match is None:
        match = _NAMED_MONTH_DATE.fullmatch(text)
        month_names = True
    if match is None:
        return None
    if month_names:
        month = _MONTHS.get(match["m"].casefold())
        if month is None:
            return None
    else:
        month = int(match["m"])
    year = int(match["y"])
    if len(match["y"]) == 2:
        pivot = date.today().year if pivot_year is None else pivot_year
        year += 2000 if 2000 + year <= pivot else 1900
    try:
        return date(year, month, int(match["d"]))
    except ValueError:
        return None


def normalise_date_of_birth(value: object, *, today: date | None = None) -> Normalised:
    """An ISO 8601 date of birth (``yyyy-mm-dd``), read by ``parse_uk_date`` with ``today``'s year as the
    two-digit-year pivot; dates after ``today`` or before 1900 are reported."""
    today = today or date.today()
    if not cell_text(value):
        return EMPTY
    born = parse_uk_date(value, pivot_year=today.year)
    if born is None:
        return Normalised(None, "not a date in a UK format (dd/mm/yyyy, yyyy-mm-dd, …)")
    if born > today:
        return Normalised(None, "date of birth is in the future")
    if born.year < 1900:
        return Normalised(None, "date of birth is before 1900")
    return Normalised(born.isoformat())


def age_in_whole_years(born: date, on: date) -> int:
    """Completed years of age on a date (birthday reached at the start of its anniversary)."""
    if on < born:
        raise ValueError("the date is before the date of birth")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# ---------------------------------------------------------------------------------------------------------
# postcodes (BS 7666)

_OUTWARD = r"(?:[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]))"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
#: the outward and inward codes as regular-expression text that both Python's ``re`` and RE2 (Arrow) read
OUTWARD_PATTERN, INWARD_PATTERN = _OUTWARD, _INWARD
FULL_POSTCODE_RE = re.compile(rf"(?:GIR 0AA|{_OUTWARD} {_INWARD})")
OUTWARD_CODE_RE = re.compile(rf"(?:GIR|{_OUTWARD})")
#: a full postcode anywhere in a text (e.g. an address), any case, with or without its space
POSTCODE_IN_TEXT_RE = re.compile(rf"(?<![A-Z0-9])(?:GIR ?0AA|{_OUTWARD} ?{_INWARD})(?![A-Z0-9])",
                                 re.IGNORECASE)


def normalise_postcode(value: object) -> Normalised:
    """A full postcode, upper-cased, with one space before the inward code (``me14  1xx`` → ``ME14 1XX``)."""
    text = re.sub(r"\s", "", cell_text(value)).upper()
    if not text:
        return EMPTY
    spaced = f"{text[:-3]} {text[-3:]}"
    if len(text) < 5 or not FULL_POSTCODE_RE.fullmatch(spaced):
        return Normalised(None, "not a full UK postcode")
    return Normalised(spaced)


def postcode_district(value: object) -> Normalised:
    """The postcode district (outward code, ``ME14``) of a full postcode, or of a cell that already holds
    only a district."""
    full = normalise_postcode(value)
    if full.ok:
        return Normalised(full.value.split(" ")[0])  # type: ignore[union-attr]
    text = re.sub(r"\s", "", cell_text(value)).upper()
    if OUTWARD_CODE_RE.fullmatch(text):
        return Normalised(text)
    return full if full.missing else Normalised(None, "not a UK postcode or postcode district")


# ---------------------------------------------------------------------------------------------------------
# detection of identifiers in clear

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE_RE = re.compile(r"(?:\+44|0044|0)[1-37-9]\d{8,9}")
_PHONE_SEPARATORS = re.compile(r"[\s().\-]")
_NAME_VALUE_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*(?:,?\s+[^\W\d_]+(?:['’\-][^\W\d_]+)*){0,3},?")
_PERSON_PREFIXES = ("client", "person", "patient", "child", "pupil", "student", "victim", "offender",
                    "suspect", "young_person", "individual", "subject", "service_user", "mother", "father")
_NAME_HEADER_RE = re.compile(
    r"(?:^|_)(?:fore_?names?|first_?names?|given_?names?|sur_?names?|last_?names?|family_?names?"
    r"|full_?names?|middle_?names?|christian_?names?)(?:$|_)"
    rf"|^name$|^(?:{'|'.join(_PERSON_PREFIXES)})_?name$")
_DOB_HEADER_RE = re.compile(r"(?:^|_)(?:dob|d_o_b|date_of_birth|birth_?date|date_born|birth_?day)(?:$|_)")
_OUTPUT_SUFFIXES = ("_pseudonym", "_district", "_basis")

#: Frequent given and family names in England and Wales (a recognisable share of a column, not a register).
_COMMON_NAMES_TEXT = """
oliver george harry jack jacob noah charlie muhammad mohammed thomas oscar william james leo alfie henry
joshua freddie archie ethan isaac alexander joseph edward samuel max daniel arthur lucas logan theo
harrison benjamin mason sebastian finley adam dylan zachary riley teddy theodore david elijah jake toby
louie reuben arlo hugo michael john paul mark andrew peter richard robert christopher matthew stephen
ryan liam kyle connor callum jordan tyler kieran nathan aaron luke jamie ben sam tom joe dan kevin gary
olivia amelia isla ava emily isabella mia poppy ella lily sophia grace evie freya charlotte sophie
jessica ruby daisy alice florence chloe ivy phoebe sienna willow matilda rosie evelyn harper millie
emma sarah hannah laura rebecca lucy katie amy megan lauren jade chelsea aisha fatima zara maryam
susan karen helen claire nicola joanne lisa michelle tracey julie
smith jones williams taylor brown davies evans wilson johnson roberts robinson thompson wright walker
white edwards hughes green hall lewis harris clarke patel jackson wood turner martin cooper hill ward
morris moore clark king baker morgan allen scott phillips watson davis parker price bennett young
griffiths mitchell kelly cook carter richardson bailey collins bell shaw murphy miller cox richards khan
marshall anderson simpson ellis adams singh begum wilkinson foster chapman powell webb rogers gray
hunt hussain campbell matthews owen palmer holmes mills barnes knight lloyd butler russell barker
fisher stevens jenkins murray dixon harvey ahmed ali akhtar iqbal rahman kaur nowak kowalski
"""
COMMON_NAMES = frozenset(_COMMON_NAMES_TEXT.split())


@dataclass(frozen=True)
class Finding:
    """A column that looks like it holds personal identifiers in clear. Never carries the values."""

    column: str
    pattern: str
    share: float
    cells_checked: int
    advice: str
    related_column: str | None = None

    @property
    def message(self) -> str:
        pair = f" (next to dates of birth in '{self.related_column}')" if self.related_column else ""
        return (f"column '{self.column}' looks like {_PATTERN_WORDS[self.pattern]} in clear{pair}: "
                f"{self.share:.0%} of {self.cells_checked} sampled non-empty cells. {self.advice}")


_RUN = "run `vrhub pseudonymise --key-file KEY IN OUT` on the partner's side before uploading"
_PATTERN_WORDS = {
    "nhs_number": "NHS numbers",
    "full_postcode": "full postcodes",
    "email": "e-mail addresses",
    "phone_number": "phone numbers",
    "name_with_date_of_birth": "personal names",
    "person_name": "personal names",
    "date_of_birth": "dates of birth",
    "declared_identifier_in_clear": "a declared identifier column",
}
_ADVICE = {
    "nhs_number": f"Declare it as the NHS number column and {_RUN}.",
    "full_postcode": f"Declare it as a postcode column (kept as the district only) and {_RUN}.",
    "email": f"Remove the column, or declare it as a column to remove or pseudonymise, and {_RUN}.",
    "phone_number": f"Remove the column, or declare it as a column to remove or pseudonymise, and {_RUN}.",
    "name_with_date_of_birth": f"Declare the name and date-of-birth columns and {_RUN}.",
    "person_name": f"Declare the name column(s) and {_RUN}.",
    "date_of_birth": f"Declare it as the date-of-birth column (replaced by an age if you ask) and {_RUN}.",
    "declared_identifier_in_clear": f"Values that are not 64-hex-digit pseudonyms were found: {_RUN}.",
}


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_")


def _is_output_column(header: str) -> bool:
    return _header_key(header).endswith(_OUTPUT_SUFFIXES)


def looks_like_name_header(header: str) -> bool:
    """A header for a person's name (``Surname``, ``first_name``, ``Client Name``), not ``school_name``."""
    return not _is_output_column(header) and _NAME_HEADER_RE.search(_header_key(header)) is not None


def looks_like_dob_header(header: str) -> bool:
    """A header for a date of birth (``DOB``, ``Date of birth``, ``birth_date``)."""
    return not _is_output_column(header) and _DOB_HEADER_RE.search(_header_key(header)) is not None


def _column_samples(table: Any, sample_size: int) -> dict[str, list[object]]:
    """Sample values per column of a mapping of columns, a pyarrow Table/RecordBatch or a pandas DataFrame."""
    if hasattr(table, "column_names") and hasattr(table, "slice"):  # pyarrow
        part = table.slice(0, sample_size)
        return {name: part.column(name).to_pylist() for name in part.column_names}
    if hasattr(table, "columns") and hasattr(table, "iloc"):  # pandas
        part = table.iloc[:sample_size]
        return {str(name): part[name].tolist() for name in part.columns}
    if isinstance(table, Mapping):
        return {str(k): list(itertools.islice(v, sample_size)) for k, v in table.items()}
    raise TypeError("detect_identifiers_in_clear needs a mapping of column → values, a pyarrow Table "
                    "or a pandas DataFrame")


def _share(cells: list[str], test: Any) -> float:
    return sum(1 for c in cells if not is_pseudonym(c) and test(c)) / len(cells) if cells else 0.0


def _is_phone(cell: str) -> bool:
    return _PHONE_RE.fullmatch(_PHONE_SEPARATORS.sub("", cell)) is not None


def _name_shaped(cell: str) -> bool:
    return len(cell) <= 60 and _NAME_VALUE_RE.fullmatch(cell) is not None


def _values_look_like_names(cells: list[str], threshold: float) -> float:
    """Share of name-shaped cells when enough of them contain a common given or family name, else 0."""
    shaped = [c for c in cells if _name_shaped(c)]
    if not cells or len(shaped) / len(cells) < threshold:
        return 0.0
    known = sum(1 for c in shaped if any(w in COMMON_NAMES for w in fold_name(c)))
    return len(shaped) / len(cells) if known / len(cells) >= 0.3 else 0.0


def _dates_look_like_births(cells: list[str], threshold: float) -> float:
    """Share of date cells when the dates are all in the past and their middle 80% spans ten years or
    more (births), unlike the event dates of one load; else 0."""
    parsed = sorted(d for d in (parse_uk_date(c) for c in cells) if d is not None)
    if not cells or len(parsed) / len(cells) <= threshold:
        return 0.0
    n = len(parsed)
    low, high = parsed[int(0.1 * (n - 1))], parsed[int(0.9 * (n - 1))]
    if high.year - low.year >= 10 and parsed[-1] <= date.today():
        return n / len(cells)
    return 0.0


def detect_identifiers_in_clear(
    table: Any,
    *,
    declared_identifier_columns: Iterable[str] = (),
    sample_size: int = 1000,
    threshold: float = 0.5,
) -> list[Finding]:
    """Columns of ``table`` that still hold personal identifiers in clear, judged on the first
    ``sample_size`` rows.

    A column is flagged when more than ``threshold`` of its sampled non-empty cells are NHS numbers (ten
    digits passing modulus 11), contain a full postcode (BS 7666; a district alone is fine), an e-mail
    address, or are UK phone numbers; when it looks like personal names (by header, or by values shaped
    like names with common names among them) next to a column of dates of birth; when its header says it
    is a person's name and its values look like names; or when its header says date of birth and its
    values are dates. Every column in ``declared_identifier_columns`` must hold only 64-hex-digit
    pseudonyms or empty cells. Cells that are pseudonyms never count as a match.
    """
    samples = _column_samples(table, sample_size)
    cells_by_column = {name: [cell_text(v) for v in values] for name, values in samples.items()}
    findings: list[Finding] = []

    def add(column: str, pattern: str, share: float, related: str | None = None) -> None:
        n = sum(1 for c in cells_by_column[column] if c)
        findings.append(Finding(column, pattern, round(share, 4), n, _ADVICE[pattern], related))

    for column in declared_identifier_columns:
        cells = [c for c in cells_by_column.get(column, []) if c]
        clear = sum(1 for c in cells if not is_pseudonym(c))
        if clear:
            add(column, "declared_identifier_in_clear", clear / len(cells))

    name_columns: dict[str, tuple[float, bool]] = {}  # share, named so by its header
    dob_columns: dict[str, float] = {}
    for column, all_cells in cells_by_column.items():
        cells = [c for c in all_cells if c]
        if not cells:
            continue
        for pattern, test in (("nhs_number", is_valid_nhs_number),
                              ("full_postcode", lambda c: POSTCODE_IN_TEXT_RE.search(c) is not None),
                              ("email", lambda c: _EMAIL_RE.search(c) is not None),
                              ("phone_number", _is_phone)):
            share = _share(cells, test)
            if share > threshold:
                add(column, pattern, share)
        if looks_like_name_header(column):
            shaped = _share(cells, _name_shaped)
            if shaped > threshold:
                name_columns[column] = (shaped, True)
        else:
            by_values = _values_look_like_names(cells, threshold)
            if by_values > threshold:
                name_columns[column] = (by_values, False)
        if looks_like_dob_header(column):
            date_share = _share(cells, lambda c: parse_uk_date(c) is not None)
            if date_share > threshold:
                dob_columns[column] = date_share
                add(column, "date_of_birth", date_share)
        elif column not in name_columns and not _is_output_column(column):
            births = _dates_look_like_births(cells, threshold)
            if births > threshold:
                dob_columns[column] = births
    dob = max(dob_columns, key=lambda c: dob_columns[c]) if dob_columns else None
    for column, (share, by_header) in name_columns.items():
        if dob is not None:
            add(column, "name_with_date_of_birth", share, related=dob)
        elif by_header:
            add(column, "person_name", share)
    return findings
