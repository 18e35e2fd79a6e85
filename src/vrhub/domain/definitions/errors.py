"""Errors raised when a definition file cannot be used.

    VrhubError
    └── DefinitionError          a definition cannot be read, or breaks the rules; lists EVERY problem

A :class:`Problem` names the file, the key path inside it (``sources.ed_istv.rules[2].match``) and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.domain.errors import VrhubError


@dataclass(frozen=True)
class Problem:
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
