"""The workspace's geography: boundary layers, area attributes and the LSOA lookup, as Ibis tables, by vintage.

Both LSOA vintages (2011 and 2021) can be loaded side by side, each with its MSOAs, wards and districts; every
method takes the LSOA ``vintage`` to work on and defaults to the newest loaded (``newest_vintage``).

The LSOA → MSOA / ward / district lookup is built from the data, never from code: a district comes from the
area-attribute files of the same LSOA vintage that carry it (IMD files list each LSOA's district), else from an
ONS lookup file that names it (LAD22 in the LSOA 2011 → 2021 lookup), else from the district boundary that
contains the LSOA's representative point; MSOAs and wards likewise by point in polygon ("best fit", as ONS builds
its best-fit lookups, but from a representative point rather than a population-weighted centroid, which these
files do not carry), using the layers of the LSOAs' own era (``layer_vintage``). ``district_source`` says which
was used. District and ward names therefore follow the vintage: Folkestone and Hythe in 2021, where the 2013
district boundaries still say Shepway.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from vrhub.domain.errors import NoDataError
from vrhub.store.area_attributes import AttributeDataset, describe
from vrhub.store.engine import Engine

LEVEL_ORDER = ["lsoa", "msoa", "ward", "district"]


class Geography:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.ws = engine.ws

    def _datasets(self, kind: str, **attrs: object) -> list:
        out = []
        for d in self.ws.catalogue.datasets(kind):
            if all(d.attributes.get(k) == v for k, v in attrs.items() if v is not None):
                out.append(d)
        return out

    # --- boundary layers and vintages ------------------------------------------------------------------------
    def layers(self) -> list[dict]:
        """Loaded boundary layers: level, vintage, number of areas, datasets."""
        layers: dict[tuple[str, int], dict] = {}
        for d in self._datasets("boundaries"):
            key = (d.attributes["level"], d.attributes["vintage"])
            entry = layers.setdefault(key, {"level": key[0], "vintage": key[1], "areas": 0, "datasets": []})
            entry["areas"] += d.rows_accepted
            entry["datasets"].append(d.id)
        return sorted(layers.values(), key=lambda e: (LEVEL_ORDER.index(e["level"]), e["vintage"]))

    def vintages(self, level: str = "lsoa") -> list[int]:
        """The vintages of ``level`` loaded, oldest first."""
        return sorted({e["vintage"] for e in self.layers() if e["level"] == level})

    def newest_vintage(self, level: str = "lsoa") -> int | None:
        """The newest vintage of ``level`` loaded (what analyses use unless told otherwise), or None."""
        v = self.vintages(level)
        return v[-1] if v else None

    def vintage(self, level: str, vintage: int | None = None) -> int | None:
        vintages = self.vintages(level)
        if vintage is not None:
            return vintage if vintage in vintages else None
        return max(vintages) if vintages else None

    def layer_vintage(self, level: str, lsoa_vintage: int) -> int | None:
        """The vintage of ``level`` that goes with LSOAs of ``lsoa_vintage``: the newest layer of the LSOAs' era
        (from that LSOA vintage up to the next one loaded), else the nearest loaded."""
        have = self.vintages(level)
        if not have:
            return None
        later = [v for v in self.vintages("lsoa") if v > lsoa_vintage]
        era = [v for v in have if lsoa_vintage <= v < (later[0] if later else 10_000)]
        if era:
            return max(era)
        return min(have, key=lambda v: (abs(v - lsoa_vintage), -v))

    @functools.cache  # noqa: B019 - one Geography per engine; cheap to rebuild
    def _boundary_table(self, level: str, vintage: int) -> pa.Table:
        datasets = self._datasets("boundaries", level=level, vintage=vintage)
        tables = [pq.read_table(p) for p in self.engine.data_files(datasets)]
        t = pa.concat_tables(tables)
        # a code loaded twice (an updated file): the newest dataset wins
        df = t.to_pandas().drop_duplicates("code", keep="last")
        return pa.Table.from_pandas(df, preserve_index=False)

    def areas(self, level: str, vintage: int | None = None, *, geometry: bool = False) -> ir.Table:
        v = self.vintage(level, vintage)
        if v is None:
            raise NoDataError(f"no {level} boundaries{f' of {vintage}' if vintage else ''} are loaded",
                              "load them with 'vrhub geography load PATH' (or 'vrhub demo' for Kent and Medway)")
        t = self._boundary_table(level, v)
        if not geometry:
            t = t.drop(["geometry"])
        return ibis.memtable(t)

    def geodataframe(self, level: str, vintage: int | None = None) -> gpd.GeoDataFrame:
        v = self.vintage(level, vintage)
        if v is None:
            raise NoDataError(f"no {level} boundaries{f' of {vintage}' if vintage else ''} are loaded",
                              "load them with 'vrhub geography load PATH'")
        t = self._boundary_table(level, v).to_pandas()
        geom = shapely.from_wkb(t.pop("geometry").to_numpy())
        return gpd.GeoDataFrame(t, geometry=geom, crs=4326)

    def derived(self, name: str, level: str, vintage: int | None, parameters: dict[str, Any],
                build: Callable[[], pa.Table]) -> pa.Table:
        """A table derived from one boundary layer (e.g. a square grid clipped to the LSOAs), built once per
        workspace geography and kept as Parquet under ``<home>/cache/geography``.

        The file is named by ``name`` and a hash of the layer's dataset versions (content-hashed ids) and
        ``parameters``, so loading other boundaries, or asking with other parameters, builds a new table; the old
        file is never read again. Written to a temporary file and renamed, so a killed build leaves no half table.
        A cache that cannot be written (read-only workspace) only costs the build.
        """
        v = self.vintage(level, vintage)
        versions = sorted(d.id for d in self._datasets("boundaries", level=level, vintage=v))
        key = json.dumps({"level": level, "vintage": v, "datasets": versions, **parameters}, sort_keys=True,
                         default=str)
        folder = self.ws.home / "cache" / "geography"
        path = folder / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.parquet"
        if path.exists():
            try:
                return pq.read_table(path)
            except (OSError, pa.ArrowInvalid):
                pass  # a damaged cache file: build again
        table = build()
        tmp = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
            os.close(fd)
            pq.write_table(table, tmp)
            os.replace(tmp, path)
        except OSError:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
        return table

    # --- area attributes ---------------------------------------------------------------------------------------
    def attribute_sets(self, table: str) -> list[AttributeDataset]:
        """The loaded datasets of an attribute table ('population', 'deprivation'), with what each describes."""
        return [a for a in map(describe, self.ws.catalogue.datasets("area_attributes")) if table in a.tables]

    def choose_attributes(self, table: str, *, vintage: int | None = None, edition: int | None = None,
                          year: int | None = None) -> list[AttributeDataset]:
        """The datasets of one LSOA vintage and one edition (deprivation) or year (population), newest first by
        default: of the LSOA vintage asked for, else the newest LSOA boundaries loaded, else the newest there is."""
        sets = self.attribute_sets(table)
        if not sets:
            raise NoDataError(f"no {table} table is loaded",
                              "load the IMD or population files with 'vrhub geography load PATH' (or run 'vrhub demo')")
        vintages = {a.lsoa_vintage for a in sets}
        want = vintage or (self.newest_vintage() if self.newest_vintage() in vintages else None)
        if want is None:
            want = max((v for v in vintages if v is not None), default=None)
        chosen = [a for a in sets if a.lsoa_vintage == want or (want is None and a.lsoa_vintage is None)]
        if not chosen:
            raise NoDataError(f"no {table} table on {vintage} LSOAs is loaded (loaded: "
                              f"{', '.join(str(v) for v in sorted(x for x in vintages if x))})",
                              f"load a {table} file for LSOA {vintage}, or ask for another vintage")
        if table == "population":
            years = sorted({y for a in chosen for y in a.years}, reverse=True)
            pick = year if year is not None else (years[0] if years else None)
            if year is not None and year not in years:
                raise NoDataError(f"no population for {year} on {want} LSOAs is loaded (loaded: "
                                  f"{', '.join(map(str, years))})", "load that year's file or ask for a loaded year")
            return [a for a in chosen if pick in a.years or (pick is None and not a.years)]
        editions = sorted({a.edition or 0 for a in chosen}, reverse=True)
        pick = edition if edition is not None else editions[0]
        found = [a for a in chosen if (a.edition or 0) == pick]
        if not found:
            raise NoDataError(f"no IoD {edition} {table} table is loaded (loaded: "
                              f"{', '.join(str(e) for e in editions if e)})", "load that edition's files")
        return found

    def attributes(self, table: str, *, vintage: int | None = None, edition: int | None = None,
                   year: int | None = None) -> ir.Table:
        """One row per LSOA of an attribute table ('population', 'deprivation') of one vintage, edition or year.

        Several files may describe the same LSOAs (IMD file 1 has ranks, the domains file the domains too): per
        column, the newest loaded non-empty value wins, so a later file never blanks columns it does not have.
        """
        chosen = self.choose_attributes(table, vintage=vintage, edition=edition, year=year)
        return ibis.memtable(self._attribute_frame(tuple(a.id for a in chosen), year if table == "population"
                                                   else None, table))

    @functools.cache  # noqa: B019
    def _attribute_frame(self, ids: tuple[str, ...], year: int | None, table: str) -> pa.Table:
        sets = {a.id: a for a in self.attribute_sets(table)}
        frames = []
        pick = year
        if table == "population" and pick is None:
            pick = max((y for i in ids for y in sets[i].years), default=None)
        for i in ids:
            a = sets[i]
            df = pq.read_table(self.engine.data_files([a.dataset])[0]).to_pandas()
            if table == "population":
                if "year" not in df:
                    df["year"] = a.years[0] if a.years else None
                if pick is not None:
                    df = df[df["year"] == pick]
            frames.append(df)
        df = pd.concat(frames, ignore_index=True).groupby("lsoa_code", sort=False, as_index=False).last()
        return pa.Table.from_pandas(df, preserve_index=False)

    def attribute_datasets(self, table: str, **choice: int | None) -> list[str]:
        """The dataset ids of the chosen versions of an attribute table ('population', 'deprivation')."""
        try:
            return sorted(a.id for a in self.choose_attributes(table, **choice))
        except NoDataError:
            return []

    # --- LSOA codes and the lookup -----------------------------------------------------------------------------
    def known_lsoa_codes(self) -> pa.Array | None:
        """Every LSOA code of every loaded vintage (None when no LSOA boundaries are loaded)."""
        return self.engine.known_lsoa_codes()

    def lsoa_codes(self, vintage: int) -> set[str]:
        """The LSOA codes of one loaded vintage."""
        if vintage not in self.vintages("lsoa"):
            return set()
        return set(self._boundary_table("lsoa", vintage).column("code").to_pylist())

    @functools.cache  # noqa: B019
    def _lookup(self, vintage: int) -> pa.Table:
        lsoa = self._boundary_table("lsoa", vintage).to_pandas()
        out = pd.DataFrame({"lsoa_code": lsoa["code"], "lsoa_name": lsoa["name"]})
        points = gpd.GeoDataFrame(out[["lsoa_code"]],
                                  geometry=gpd.points_from_xy(lsoa["point_lon"], lsoa["point_lat"]), crs=4326)
        for level in ("msoa", "ward", "district"):
            layer = self.layer_vintage(level, vintage)
            if layer is None:
                out[f"{level}_code"] = None
                out[f"{level}_name"] = None
                continue
            polys = self.geodataframe(level, layer)[["code", "name", "geometry"]]
            joined = gpd.sjoin(points, polys, how="left", predicate="within").drop_duplicates("lsoa_code")
            joined = joined.set_index("lsoa_code").reindex(out["lsoa_code"])
            out[f"{level}_code"] = joined["code"].to_numpy()
            out[f"{level}_name"] = joined["name"].to_numpy()
        out["district_source"] = pd.Series(["boundaries" if c else None for c in out["district_code"]],
                                           dtype="object")
        for source, districts in self._district_sources(vintage):
            codes = out["lsoa_code"].map(districts["district_code"])
            names = out["lsoa_code"].map(districts["district_name"]) if "district_name" in districts else None
            has = codes.notna()
            if not has.any():
                continue
            out.loc[has, "district_code"] = codes[has]
            if names is not None:
                out.loc[has, "district_name"] = names[has]
            out.loc[has, "district_source"] = source
            break
        _district_by_msoa(out)
        return pa.Table.from_pandas(out.astype(object).where(out.notna(), None), preserve_index=False)

    def _district_sources(self, vintage: int):  # type: ignore[no-untyped-def]
        """(label, frame indexed by LSOA code with district_code/name) of the files that name LSOAs' districts."""
        for table in ("deprivation", "population"):
            try:
                attrs = self.attributes(table, vintage=vintage).to_pyarrow().to_pandas()
            except NoDataError:
                continue
            if "district_code" in attrs:
                yield f"{table} file", attrs.set_index("lsoa_code")
        from vrhub.store.vintages import lookup_frame

        lk = lookup_frame(self, to_vintage=vintage)
        if lk is not None and lk["district_code"].notna().any():
            yield "lsoa lookup file", (lk.dropna(subset=["district_code"]).drop_duplicates("to_code")
                                       .set_index("to_code")[["district_code", "district_name"]])

    def lsoa_lookup(self, vintage: int | None = None) -> ir.Table:
        """One row per LSOA of ``vintage`` (default: the newest loaded): its MSOA, ward and district (codes and
        names, of the same era) and where the district came from."""
        v = self.vintage("lsoa", vintage)
        if v is None:
            raise NoDataError(f"no LSOA boundaries{f' of {vintage}' if vintage else ''} are loaded",
                              "load them with 'vrhub geography load PATH'")
        return ibis.memtable(self._lookup(v))

    # --- population, deprivation and vintages (see store/population.py and store/vintages.py) ---------------
    def population(self, ages: tuple[int, int | None] | None = None, **kw):  # type: ignore[no-untyped-def]
        """Residents per area, of an age range if asked: see ``vrhub.store.population.population``."""
        from vrhub.store.population import population

        return population(self, ages, **kw)

    def to_vintage(self, table: ir.Table, vintage: int | None = None):  # type: ignore[no-untyped-def]
        """Bring rows coded to older LSOAs onto ``vintage``: see ``vrhub.store.vintages.to_vintage``."""
        from vrhub.store.vintages import to_vintage

        return to_vintage(self, table, vintage)


def _district_by_msoa(out: pd.DataFrame) -> None:
    """Give an LSOA without a district the district of the other LSOAs of its MSOA (LSOAs nest in MSOAs and MSOAs
    in local authority districts: ONS, *Census 2021 geographies*), in place; ``district_source`` says "msoa
    nesting". A best-fit lookup never names a 2021 LSOA made only by a split, so these are the ones it fills."""
    if "msoa_code" not in out or out["district_code"].notna().all():
        return
    known = out[out["district_code"].notna() & out["msoa_code"].notna()]
    by_msoa = known.groupby("msoa_code")[["district_code", "district_name"]].agg(
        lambda s: s.mode().iloc[0] if not s.mode().empty else None)
    fill = out["district_code"].isna() & out["msoa_code"].isin(by_msoa.index)
    if not fill.any():
        return
    out.loc[fill, "district_code"] = out.loc[fill, "msoa_code"].map(by_msoa["district_code"])
    out.loc[fill, "district_name"] = out.loc[fill, "msoa_code"].map(by_msoa["district_name"])
    out.loc[fill, "district_source"] = "msoa nesting"
