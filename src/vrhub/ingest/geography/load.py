"""`vrhub geography load`: sort paths (files, folders, zip archives) into boundary files, lookups between
vintages and area-attribute files, and load each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from vrhub.domain.errors import VrhubError
from vrhub.ingest.files import SourceFile, discover
from vrhub.ingest.geography.area_attributes import load_area_attributes
from vrhub.ingest.geography.boundaries import BOUNDARY_SUFFIXES, load_boundaries
from vrhub.ingest.geography.lookups import is_lookup, load_lookup, read_header
from vrhub.ingest.loader import LoadResult
from vrhub.store.workspace import Workspace

ATTRIBUTE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: the parts of a Shapefile other than the .shp, found beside it in folders and archives (not loaded on their own)
SHAPEFILE_PARTS = (".dbf", ".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qix", ".xml")


def expand(paths: Iterable[str | Path]) -> tuple[list[SourceFile], list[str]]:
    """The geography files under ``paths`` (files, folders, zip archives) and what was passed over, with why."""
    files, skipped = discover(paths, BOUNDARY_SUFFIXES + ATTRIBUTE_SUFFIXES)
    notes = [f"{s.display}: {s.reason}" for s in skipped if not s.display.lower().endswith(SHAPEFILE_PARTS)]
    return files, notes


def load_geography(
    ws: Workspace, paths: Iterable[str | Path], *, level: str | None = None, vintage: int | None = None,
    code_field: str | None = None, name_field: str | None = None, year: int | None = None,
) -> list[LoadResult]:
    """Load every boundary, lookup and area-attribute file under ``paths``; one result per file, errors included."""
    results = []
    paths = list(paths)
    for p in map(Path, paths):
        if not p.exists():
            results.append(LoadResult(source_file=str(p), error=f"{p}: no such file\n  What to do: check the path"))
    try:
        files, _ = expand(p for p in paths if Path(p).exists())
    except VrhubError as exc:
        return [*results, LoadResult(source_file=", ".join(map(str, paths)), error=str(exc))]
    for file in files:
        suffix = Path(file.name).suffix.lower()
        if suffix in ATTRIBUTE_SUFFIXES:
            if suffix == ".csv" and _is_lookup(file):
                results.append(load_lookup(ws, file))
            else:
                results.append(load_area_attributes(ws, file, vintage=vintage, year=year))
        else:
            results.append(load_boundaries(ws, file, level=level, vintage=vintage, code_field=code_field,
                                           name_field=name_field))
    return results


def _is_lookup(file: SourceFile) -> bool:
    try:
        return is_lookup(read_header(file))
    except OSError:
        return False
