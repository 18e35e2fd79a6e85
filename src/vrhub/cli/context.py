"""What every command shares: the ``--home``/``--db`` state, the table helper and the path check.

Command modules import these from here (never from :mod:`vrhub.cli.main`, which imports the command modules:
that was an import cycle). The workspace is imported when a command opens it, not when ``vrhub --help`` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from vrhub.domain.errors import VrhubError

if TYPE_CHECKING:
    from vrhub.library import Partnership
    from vrhub.store.workspace import Settings, Workspace


class State:
    """The root options, set by the ``vrhub`` callback before a command runs."""

    home: str | None = None
    db: str | None = None

    def settings(self) -> Settings:
        from vrhub.store.workspace import Settings  # SQLAlchemy, Alembic, DuckDB: not for ``--help``

        return Settings.resolve(self.home, self.db)

    def workspace(self) -> Workspace:
        from vrhub.store.workspace import Workspace

        return Workspace.open(self.settings())

    def partnership(self) -> Partnership:
        """The library object on this workspace: what every command calls."""
        from vrhub.library import Partnership

        return Partnership(self.workspace())


state = State()


def table(title: str | None, columns: list[str], rows: list[list[object]], *, right: set[str] | None = None) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    for c in columns:
        t.add_column(c, justify="right" if right and c in right else "left", overflow="fold")  # wrap, never cut
    for r in rows:
        t.add_row(*["" if v is None else f"{v:,}" if isinstance(v, int) and not c.endswith("year") else str(v)
                    for c, v in zip(columns, r, strict=False)])  # a year is not a count: 2021, not 2,021
    return t


def existing_paths(paths: list[Path]) -> list[Path]:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise VrhubError("no such file or folder: " + ", ".join(map(str, missing)),
                         "check the path (put it in quotes if it has spaces)")
    return paths
