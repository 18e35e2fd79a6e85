"""A workspace: the folder where vrhub keeps everything it writes.

    <home>/
      catalogue.sqlite      the catalogue (unless --db / VRHUB_DB names a PostgreSQL database)
      lake/                 immutable dataset versions (Parquet), one folder each
      exports/              files written for people (quarantine exports, tables)

The home is ``--home`` or ``VRHUB_HOME`` or ``./vrhub-home``; the catalogue is ``--db`` or ``VRHUB_DB`` or the
SQLite file in the home. Settings are resolved by the caller (the CLI) and passed in: nothing reads the
environment at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vrhub.store.catalogue import Catalogue
from vrhub.store.lake import Lake
from vrhub.store.lake_reader import LakeReader

if TYPE_CHECKING:
    from vrhub.store.engine import Engine

DEFAULT_HOME = "vrhub-home"


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str

    @classmethod
    def resolve(
        cls, home: str | os.PathLike[str] | None = None, db: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        home_path = Path(home or env.get("VRHUB_HOME") or DEFAULT_HOME).expanduser().resolve()
        url = db or env.get("VRHUB_DB") or f"sqlite:///{home_path / 'catalogue.sqlite'}"
        return cls(home=home_path, db_url=url)


class Workspace:
    """The workspace: catalogue + lake. ``Workspace.open(settings)`` creates it if needed."""

    def __init__(self, settings: Settings, catalogue: Catalogue, lake: Lake) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.lake = lake

    @property
    def home(self) -> Path:
        return self.settings.home

    @classmethod
    def open(cls, settings: Settings | None = None, *, sweep: bool = True) -> Workspace:
        settings = settings or Settings.resolve()
        settings.home.mkdir(parents=True, exist_ok=True)
        catalogue = Catalogue.open(settings.db_url)
        lake = Lake(settings.home / "lake")
        ws = cls(settings, catalogue, lake)
        if sweep:
            ws.sweep()
        return ws

    def sweep(self) -> list[str]:
        """Remove the staging folders killed loads left behind (never a published version)."""
        return self.lake.sweep()

    def publish(self, staged, kind: str, dataset_id: str) -> str:  # type: ignore[no-untyped-def]
        """Publish a staged version; an uncatalogued folder in its place (a load killed after its rename) is set
        aside in ``lake/_orphans`` first, never deleted. Call inside ``Catalogue.register``."""
        try:
            return self.lake.publish(staged, kind, dataset_id)
        except FileExistsError:
            if self.catalogue.get(dataset_id) is not None:
                raise
            self.lake.set_aside(self.lake.relative_path(kind, dataset_id))
            return self.lake.publish(staged, kind, dataset_id)

    def orphans(self) -> list[str]:
        """Published version folders this catalogue does not list (never read; see ``Lake.orphans``)."""
        return self.lake.orphans({d.lake_path for d in self.catalogue.datasets(include_withdrawn=True)})

    @property
    def exports(self) -> Path:
        path = self.home / "exports"
        path.mkdir(exist_ok=True)
        return path

    def engine(self) -> Engine:
        """The analytical engine (Ibis on DuckDB) over this workspace."""
        # Imported here, not at the top: Ibis costs 0.35 s, and a load, which reads the workspace only through
        # ``reader()``, must not pay it (benchmarks/scale.py's fixed cost of an ingest).
        from vrhub.store.engine import Engine

        return Engine(self)

    def reader(self) -> LakeReader:
        """Catalogue and lake look-ups, and the supply check's counts, without Ibis (what a load reads back)."""
        return LakeReader(self)
