"""The exceptions vrhub raises on purpose.

    VrhubError                  every error vrhub raises on purpose; the message ends with what to do next
    ├── WorkspaceError          the workspace or catalogue cannot be opened or is inconsistent
    │   └── DiskFullError       the disk (or the database) is full: the load stops, its staging folder removed
    ├── SourceError             a whole input file cannot be read (not CSV, empty, missing columns, ...)
    │   └── ColumnsError        the header lacks required columns (names them and the nearest match)
    ├── GeographyError          a boundary or area-attribute file cannot be used
    └── NoDataError             an analysis needs data that is not loaded

Row-level problems are never exceptions: they go to the quarantine with a reason.
"""

from __future__ import annotations


class VrhubError(Exception):
    """Base class. ``hint`` says what the user can do next."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}\n  What to do: {hint}" if hint else message)


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


class GeographyError(VrhubError):
    pass


class NoDataError(VrhubError):
    pass
