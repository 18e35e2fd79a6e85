"""`vrhub geography load`: sort paths into boundary files and area-attribute files and load each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from vrhub.ingest.geography.area_attributes import load_area_attributes
from vrhub.ingest.geography.boundaries import BOUNDARY_SUFFIXES, load_boundaries
from vrhub.ingest.loader import LoadResult
from vrhub.store.workspace import Workspace

ATTRIBUTE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(c for c in p.rglob("*") if c.is_file() and c.suffix.lower() in
                          BOUNDARY_SUFFIXES + ATTRIBUTE_SUFFIXES and not c.name.startswith("."))
        else:
            out.append(p)
    return out


def load_geography(
    ws: Workspace, paths: Iterable[str | Path], *, level: str | None = None, vintage: int | None = None,
    code_field: str | None = None, name_field: str | None = None,
) -> list[LoadResult]:
    results = []
    for path in expand(paths):
        if not path.exists():
            error = f"{path}: no such file\n  What to do: check the path"
            results.append(LoadResult(source_file=str(path), error=error))
        elif path.suffix.lower() in ATTRIBUTE_SUFFIXES:
            results.append(load_area_attributes(ws, path))
        else:
            results.append(load_boundaries(ws, path, level=level, vintage=vintage, code_field=code_field,
                                           name_field=name_field))
    return results
