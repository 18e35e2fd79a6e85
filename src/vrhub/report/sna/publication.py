"""How an SNA publishes: the analyst's draft or the released page (the one release step, asked by every part)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Publication:
    """How this SNA publishes, asked by every part of the builder instead of a ``release`` flag: exact (the analyst
    draft) or released, where each result passes the one release step (``vrhub.report.release.release``) on its
    way into the page."""

    released: bool

    def result(self, result: Any) -> Any:
        """``result`` as it may be shown: released through the release step, or as it is in a draft."""
        if not self.released:
            return result
        from vrhub.report.release import release

        return release(result).result

    def value_sheet(self, sheet: Any) -> Any:
        """A value-for-money sheet as it may be shown (released under the default rules)."""
        if not self.released:
            return sheet
        from vrhub.domain.disclosure import NHS_OPENSAFELY
        from vrhub.report.release.value import release_value_sheet

        return release_value_sheet(sheet, NHS_OPENSAFELY)

    def count(self, n: int) -> str:
        """A row count for the sources table; in a release it passes the same rule as every other count."""
        if not self.released:
            return f"{n:,}"
        from vrhub.domain.disclosure import NHS_OPENSAFELY
        from vrhub.report.release import protect_count

        protected = protect_count(n, NHS_OPENSAFELY)
        return "[c]" if protected is None else f"{protected:,}"

    @property
    def blank(self) -> str:
        """What an empty cell of a column with values shows: ``[c]`` (suppressed) in a release."""
        return "[c]" if self.released else ""
