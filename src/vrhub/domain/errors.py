"""Every exception vrhub raises on purpose, in one tree (after httpx's ``_exceptions.py``).

    VrhubError                      every error vrhub raises on purpose; the message ends with what to do next
    ├── UsageError                  a request that cannot be answered as given (an option, a parameter)
    │   ├── PeriodError             a period that cannot be read, or that ends before it starts
    │   └── HotspotInputError       an input a hot-spot method cannot analyse as given
    │       ├── UnprojectedCoordinatesError   longitude/latitude where metres are needed
    │       └── TimeResolutionError           time bands finer than the data's time resolution
    ├── WorkspaceError              the workspace or catalogue cannot be opened or is inconsistent
    │   └── DiskFullError           the disk (or the database) is full: the load stops, its staging folder removed
    ├── SourceError                 a whole input file cannot be read (not CSV, empty, missing columns, ...)
    │   └── ColumnsError            the header lacks required columns (names them and the nearest match)
    ├── MappingError                a mapping file, or a file checked against it, has problems (lists every one)
    ├── PseudonymisationError       a file cannot be pseudonymised as asked (columns, paths, format)
    │   └── KeyFileError            the key file is missing, too short, not random-looking, or beside the data
    ├── FetchError                  police.uk could not be reached, or answered with an error after the retries
    ├── GeographyError              a boundary or area-attribute file cannot be used
    ├── NoDataError                 an analysis needs data that is not loaded
    ├── DefinitionError             a definition cannot be read, or breaks the rules (lists every problem)
    ├── DisclosureError             disclosure control cannot be applied as asked
    │   ├── DisclosureRulesError    a rules configuration is invalid (lists every problem at once)
    │   ├── DisclosureInputError    a table handed in for protection cannot be protected as given
    │   ├── SuppressedRateError     a rate was asked for where its count is suppressed (rules say "raise")
    │   └── AuditInputError         published tables cannot be audited (inconsistent or malformed)
    ├── ValueInputError             inputs to a value-for-money calculation that cannot be used
    │   └── PriceYearMismatchError  two amounts in different price years combined without rebasing
    ├── EvaluationInputError        data or settings an evaluation cannot use
    ├── RegisterError               the governance register has problems (lists every one)
    ├── CommissioningError          the commissioning register has problems (lists every one)
    └── AccessError                 an account, token or agreement problem (the hub)
        ├── NotFound                an organisation, user, agreement or token that does not exist
        ├── Conflict                a name already taken, or a change that would lock everyone out
        ├── AgreementMissing        an upload no data-sharing agreement in force covers (names what is missing)
        │   └── NotOwner            an upload with rows of another organisation (force, trust, site, service)
        └── Unreadable              an upload with a member that cannot be read or classified (nothing loaded)

Each class carries ``exit_code`` (what the command line exits with, mapped in ``vrhub.cli.errors``) and
``http_status`` (what the hub answers, mapped in ``vrhub.server.errors``), so a new error is mapped once, here.
None derives from ``ValueError``: a caller catches ``VrhubError`` (or one branch), never a built-in.

Row-level problems are never exceptions: they go to the quarantine with a reason. The modules that raise
these errors re-export them under their old names (``vrhub.analysis.hotspots.errors`` and so on).
"""

from __future__ import annotations

from dataclasses import dataclass


class VrhubError(Exception):
    """Base class. ``hint`` says what the user can do next."""

    exit_code: int = 1
    http_status: int = 422

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}\n  What to do: {hint}" if hint else message)


# --- requests that cannot be answered as given ------------------------------------------------------------------
class UsageError(VrhubError):
    """A parameter that cannot be used as given. ``option`` names the command-line option, when one is known;
    the command line shows it as a usage error (exit 2), the hub as 422."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "", option: str | None = None) -> None:
        self.option = option
        super().__init__(message, hint)


class PeriodError(UsageError):
    """A period that cannot be read, or that ends before it starts (see ``vrhub.domain.periods``)."""


class HotspotInputError(UsageError):
    """An input to a hotspot method cannot be analysed as given."""


class UnprojectedCoordinatesError(HotspotInputError):
    """Coordinates are longitude/latitude degrees where distances in metres are needed."""


class TimeResolutionError(HotspotInputError):
    """The requested time bands are finer than the time resolution of the data."""


# --- the workspace and its inputs ---------------------------------------------------------------------------------
class WorkspaceError(VrhubError):
    pass


class DiskFullError(WorkspaceError):
    """No space left where the workspace writes (the lake's staging folder or the catalogue database)."""


class SourceError(VrhubError):
    """A file that cannot be loaded at all. ``file`` names it."""

    def __init__(self, file: str, message: str, hint: str = "") -> None:
        self.file = file
        super().__init__(f"{file}: {message}", hint)


class ColumnsError(SourceError):
    def __init__(self, file: str, missing: list[str], suggestions: dict[str, str], hint: str = "") -> None:
        self.missing = missing
        self.suggestions = suggestions
        parts = []
        for col in missing:
            near = suggestions.get(col)
            parts.append(f"'{col}'" + (f" (found '{near}' instead?)" if near else ""))
        super().__init__(file, "missing required column(s): " + ", ".join(parts), hint)


class MappingError(VrhubError):
    """The mapping file, or a file checked against it, has problems: ``problems`` lists every one."""

    def __init__(self, problems: list[str], hint: str) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) with the mapping:\n  - " + "\n  - ".join(problems), hint)


class PseudonymisationError(VrhubError):
    """The file cannot be pseudonymised as asked (columns, paths, format)."""


class KeyFileError(PseudonymisationError):
    """The key file is missing, too short, not random-looking, or kept beside the data."""


class FetchError(VrhubError):
    """police.uk could not be reached, or answered with an error after the retries."""


class GeographyError(VrhubError):
    pass


class NoDataError(VrhubError):
    http_status = 404


# --- definitions --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One problem of a definition file: the file, the key path inside it (``sources.ed_istv.rules[2].match``)
    and what to do."""

    file: str
    path: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}" + (f" -> {self.fix}" if self.fix else "")


class DefinitionError(VrhubError):
    """A definition that cannot be used. ``problems`` holds every problem found, not just the first."""

    def __init__(self, message: str, hint: str = "", problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            listing = "\n".join(f"  {i}. {p}" for i, p in enumerate(self.problems, 1))
            message = f"{message}\n{listing}"
        super().__init__(message, hint)


# --- disclosure control -------------------------------------------------------------------------------------------
class DisclosureError(VrhubError):
    """Disclosure control cannot be applied as asked."""


class DisclosureRulesError(DisclosureError):
    """Invalid rules. ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"disclosure rules are invalid ({len(self.problems)} problem(s)):\n{listing}",
            "fix every listed setting (see docs/methods/disclosure-control.md for the fields), "
            "or start from a preset such as {'preset': 'nhs-opensafely'}",
        )


class DisclosureInputError(DisclosureError):
    pass


class SuppressedRateError(DisclosureError):
    pass


class AuditInputError(DisclosureError):
    pass


# --- analyses -----------------------------------------------------------------------------------------------------
class ValueInputError(VrhubError):
    """Inputs to a value-for-money calculation that cannot be used (the message says what to do)."""


class PriceYearMismatchError(ValueInputError):
    """Two amounts in different price years were combined without rebasing."""


class EvaluationInputError(VrhubError):
    """The data or settings given to an evaluation cannot be used (the message says why and what to do)."""


# --- governance and the hub -------------------------------------------------------------------------------------
class RegisterError(VrhubError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the governance register has problems:\n  - " + "\n  - ".join(problems),
                         "correct the file(s) and load again (every problem is listed)")


class CommissioningError(VrhubError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the commissioning register has problems:\n  - " + "\n  - ".join(problems),
                         "correct the file and load again (every problem is listed)")


class AccessError(VrhubError):
    pass


class NotFound(AccessError):
    http_status = 404


class Conflict(AccessError):
    http_status = 409


class AgreementMissing(AccessError):
    http_status = 403

    def __init__(self, organisation: str, kinds: list[str], message: str, hint: str) -> None:
        self.organisation = organisation
        self.kinds = kinds
        super().__init__(message, hint)


class NotOwner(AgreementMissing):
    pass


class Unreadable(AccessError):
    pass
