"""Area boundaries from GeoJSON, TopoJSON, Shapefile or GeoPackage, of any vintage.

The level and vintage are read from the ONS attribute names (``LSOA11CD`` → LSOA 2011, ``WD13CD`` → ward
2013, ``LAD19CD`` → district 2019, ...) unless given. Geometries are stored in WGS84 (EPSG:4326) as
GeoParquet; analyses project to British National Grid (EPSG:27700) themselves. Features with no geometry,
a code that is not a GSS code of the level, or a repeated code are quarantined with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from vrhub.domain.errors import GeographyError, SourceError, VrhubError
from vrhub.domain.geography_codes import level_of
from vrhub.ingest.files import SourceFile
from vrhub.ingest.geography.common import publish_table
from vrhub.ingest.loader import LoadResult, _duplicate
from vrhub.store.workspace import Workspace

CODE_FIELD = re.compile(r"^(?P<prefix>LSOA|MSOA|WD|WARD|LAD|LA|LTLA|CTYUA)(?P<yy>\d{2})CD$", re.I)
PREFIX_LEVEL = {"lsoa": "lsoa", "msoa": "msoa", "wd": "ward", "ward": "ward", "lad": "district", "la": "district",
                "ltla": "district", "ctyua": "district"}
BOUNDARY_SUFFIXES = (".json", ".geojson", ".topojson", ".shp", ".gpkg")


def detect_fields(columns: list[str]) -> tuple[str, str | None, str, int] | None:
    """Find (code field, name field, level, vintage) from ONS-style attribute names."""
    for col in columns:
        m = CODE_FIELD.match(col)
        if m:
            level = PREFIX_LEVEL[m.group("prefix").lower()]
            vintage = 2000 + int(m.group("yy"))
            name_col = col[:-2] + ("NM" if col[-2:].isupper() else "nm")
            return col, name_col if name_col in columns else None, level, vintage
    return None


def read_boundaries(file: SourceFile | Path) -> gpd.GeoDataFrame:
    """Read a boundary file, on disk or inside a zip archive (through GDAL's /vsizip/, so a zipped Shapefile's
    .dbf, .shx and .prj beside it are found)."""
    file = file if isinstance(file, SourceFile) else SourceFile(Path(file))
    where = f"/vsizip/{file.path}/{file.member}" if file.member else file.path
    try:
        gdf = gpd.read_file(where)
    except Exception as exc:  # pyogrio raises several types for unreadable data
        raise SourceError(file.display, f"cannot be read as boundaries ({exc})",
                          "give a GeoJSON, TopoJSON, Shapefile (.shp with its .dbf/.shx/.prj) or GeoPackage") from exc
    return gdf


def load_boundaries(
    ws: Workspace, path: str | Path | SourceFile, *, level: str | None = None, vintage: int | None = None,
    code_field: str | None = None, name_field: str | None = None,
) -> LoadResult:
    file = path if isinstance(path, SourceFile) else SourceFile(Path(path).absolute())
    result = LoadResult(source_file=file.display)
    try:
        sha = result.sha256 = file.sha256()
        existing = ws.catalogue.by_sha256(sha)
        if existing is not None:
            return _duplicate(result, existing)
        gdf = read_boundaries(file)
        columns = [c for c in gdf.columns if c != "geometry"]
        found = detect_fields(columns)
        if code_field:
            if code_field not in columns:
                raise GeographyError(f"{file.display}: no attribute {code_field!r}",
                                     f"choose --code-field from: {', '.join(columns)}")
            found = (code_field, name_field, level or (found[2] if found else ""),
                     vintage or (found[3] if found else 0))
        if not found:
            raise GeographyError(
                f"{file.display}: cannot tell which attribute holds the area codes (attributes: {', '.join(columns)})",
                "name it with --code-field (and --level, --vintage), e.g. --code-field LSOA21CD --level lsoa "
                "--vintage 2021",
            )
        cfield, nfield, lvl, vin = found
        if not (vintage or vin):
            raise GeographyError(f"{file.display}: the boundaries' vintage (year) cannot be read from {cfield!r}",
                                 "give it with --vintage, e.g. --vintage 2021")
        lvl, vin, nfield = level or lvl, vintage or vin, name_field or nfield
        if lvl not in ("lsoa", "msoa", "ward", "district"):
            raise GeographyError(f"{file.display}: unknown level {lvl!r}", "use --level lsoa|msoa|ward|district")
        if gdf.crs is None:
            minx, miny, maxx, maxy = gdf.total_bounds
            if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
                gdf = gdf.set_crs(4326)
                result.warnings.append("the file declares no coordinate system; its coordinates are longitude/"
                                       "latitude, so WGS84 (EPSG:4326) was assumed")
            else:
                raise GeographyError(f"{file.display}: the file declares no coordinate system",
                                     "add a .prj file (Shapefile) or convert the file to GeoJSON in WGS84")
        src_crs = gdf.crs.to_string()
        gdf = gdf.to_crs(4326)
        codes = gdf[cfield].astype("string").str.strip()
        names = gdf[nfield].astype("string") if nfield else codes
        problems: list[str | None] = []
        seen: set[str] = set()
        geoms = gdf.geometry.values
        fixed = 0
        for i, code in enumerate(codes):
            g = geoms[i]
            if code is None or pd.isna(code) or not str(code):
                problems.append(f"{cfield}: is missing")
            elif level_of(str(code)) != lvl:
                problems.append(f"{cfield}: '{code}' is not a {lvl} code")
            elif code in seen:
                problems.append(f"{cfield}: '{code}' appears more than once (the first is kept)")
            elif g is None or g.is_empty:
                problems.append("geometry: is empty")
            else:
                seen.add(str(code))
                problems.append(None)
                if not g.is_valid:
                    fixed += 1
        if fixed:
            result.warnings.append(f"{fixed} invalid geometries were repaired with shapely.make_valid")
        ok = [p is None for p in problems]
        good = gdf[ok]
        geometry = shapely.make_valid(good.geometry.values)
        projected = gpd.GeoSeries(geometry, crs=4326).to_crs(27700)
        rep = projected.representative_point().to_crs(4326)
        data = pa.table({
            "code": pa.array(codes[ok].tolist(), pa.string()),
            "name": pa.array(names[ok].tolist(), pa.string()),
            "level": pa.array([lvl] * len(good), pa.string()),
            "vintage": pa.array([vin] * len(good), pa.int16()),
            "area_ha": pa.array((projected.area / 10_000).round(2).tolist(), pa.float64()),
            "point_lon": pa.array(rep.x.tolist(), pa.float64()),
            "point_lat": pa.array(rep.y.tolist(), pa.float64()),
            "geometry": pa.array(shapely.to_wkb(geometry).tolist(), pa.binary()),
        })
        bad = [i for i, p in enumerate(problems) if p is not None]
        quarantine = pa.table({
            "_source_row": pa.array([i + 1 for i in bad], pa.int64()),
            "_problems": pa.array([problems[i] for i in bad], pa.string()),
            "code": pa.array([None if codes.iloc[i] is None else str(codes.iloc[i]) for i in bad], pa.string()),
        })
        geo = json.dumps({"version": "1.0.0", "primary_column": "geometry",
                          "columns": {"geometry": {"encoding": "WKB", "crs": "OGC:CRS84"}}}).encode()
        attributes = {"level": lvl, "vintage": vin, "code_field": cfield, "name_field": nfield, "source_crs": src_crs}
        return publish_table(ws, file, sha, "boundaries", result, data, quarantine, attributes, geo)
    except VrhubError as exc:
        result.error = str(exc)
    return result
