"""Problems with what a person typed into a form, each tied to the field it is about.

A form's library function checks every field before it changes anything and raises :class:`FieldErrors` with all
the problems at once (the GOV.UK Design System's error summary lists them, each linking to its field, and each
field shows its own message: design-system.service.gov.uk/components/error-summary). The messages say what to do,
in the Design System's style ("Enter ...", "Choose ...", "Select ..."). The web pages show them; the CLI and the
JSON API keep their own messages.
"""

from __future__ import annotations

import datetime as dt

from vrhub.domain.errors import UsageError


class FieldErrors(UsageError):
    """Every problem of a form: ``fields`` maps a field's name to what to do about it (in the form's order)."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(self.fields.values()), "correct the fields named and send the form again")


class Problems:
    """Collects field problems while a form is read; :meth:`check` raises them all at once."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def text(self, name: str, value: str | None, message: str, *, max_length: int = 200) -> str:
        """``value`` stripped; a problem when it is empty or longer than ``max_length``."""
        value = (value or "").strip()
        if not value:
            self.add(name, message)
        elif len(value) > max_length:
            self.add(name, f"Enter at most {max_length} characters")
        return value

    def integer(self, name: str, value: str | None, message: str, *, low: int, high: int) -> int | None:
        """``value`` as a whole number from ``low`` to ``high``; a problem (naming the range) otherwise."""
        text = (value or "").strip().replace(",", "")
        if not text.isdigit() or not low <= int(text) <= high:
            self.add(name, f"{message}, a whole number from {low:,} to {high:,}")
            return None
        return int(text)

    def date(self, name: str, value: str | None, message: str, *, required: bool = True) -> dt.date | None:
        """``value`` as a date written YYYY-MM-DD (what an ``<input type=date>`` sends); a problem otherwise."""
        text = (value or "").strip()
        if not text:
            if required:
                self.add(name, message)
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.add(name, f"{message} as a real date, for example 2026-04-01")
            return None

    def check(self) -> None:
        if self.fields:
            raise FieldErrors(self.fields)


def lines(value: str | None) -> list[str]:
    """A textarea's or a comma-separated field's items, stripped, blanks dropped, in order, without repeats."""
    items = (value or "").replace(",", "\n").splitlines()
    return list(dict.fromkeys(x.strip() for x in items if x.strip()))
