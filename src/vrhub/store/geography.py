"""The workspace's geography: boundary layers, area attributes and the LSOA lookup, as Ibis tables.

The LSOA → MSOA / ward / district lookup is built from the data, never from code: a district comes from
the area-attribute files that carry it (the IMD files list each LSOA's district) and otherwise from the
district boundary that contains the LSOA's representative point; MSOAs and wards likewise by point in
polygon ("best fit", as ONS builds its best-fit lookups, but from a representative point rather than a
population-weighted centroid, which these files do not carry). ``district_source`` says which was used.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine


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

    def layers(self) -> list[dict]:
        """Loaded boundary layers: level, vintage, number of areas, datasets."""
        layers: dict[tuple[str, int], dict] = {}
        for d in self._datasets("boundaries"):
            key = (d.attributes["level"], d.attributes["vintage"])
            entry = layers.setdefault(key, {"level": key[0], "vintage": key[1], "areas": 0, "datasets": []})
            entry["areas"] += d.rows_accepted
            entry["datasets"].append(d.id)
        return sorted(layers.values(), key=lambda e: (["lsoa", "msoa", "ward", "district"].index(e["level"]),
                                                      e["vintage"]))

    def vintage(self, level: str, vintage: int | None = None) -> int | None:
        vintages = [e["vintage"] for e in self.layers() if e["level"] == level]
        if vintage is not None:
            return vintage if vintage in vintages else None
        return max(vintages) if vintages else None

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
            raise NoDataError(f"no {level} boundaries are loaded",
                              "load them with 'vrhub geography load PATH' (or 'vrhub demo' for Kent and Medway)")
        t = self._boundary_table(level, v)
        if not geometry:
            t = t.drop(["geometry"])
        return ibis.memtable(t)

    def geodataframe(self, level: str, vintage: int | None = None) -> gpd.GeoDataFrame:
        v = self.vintage(level, vintage)
        if v is None:
            raise NoDataError(f"no {level} boundaries are loaded", "load them with 'vrhub geography load PATH'")
        t = self._boundary_table(level, v).to_pandas()
        geom = shapely.from_wkb(t.pop("geometry").to_numpy())
        return gpd.GeoDataFrame(t, geometry=geom, crs=4326)

    def attributes(self, table: str) -> ir.Table:
        """The newest loaded version of each LSOA's row of an attribute table ('population', 'deprivation')."""
        datasets = self._datasets("area_attributes", table=table)
        if not datasets:
            raise NoDataError(f"no {table} table is loaded",
                              "load the IMD 2019 files with 'vrhub geography load PATH' (or run 'vrhub demo')")
        frames = [pq.read_table(p).to_pandas() for p in self.engine.data_files(datasets)]
        # Several files may describe the same LSOAs (IMD file 1 has ranks, file 2 the domains too): per column,
        # the newest loaded non-empty value wins, so a later file never blanks columns it does not have.
        df = pd.concat(frames, ignore_index=True).groupby("lsoa_code", sort=False, as_index=False).last()
        return ibis.memtable(pa.Table.from_pandas(df, preserve_index=False))

    def attribute_datasets(self, table: str) -> list[str]:
        """The dataset ids of the loaded versions of an attribute table ('population', 'deprivation')."""
        return sorted(d.id for d in self._datasets("area_attributes", table=table))

    def known_lsoa_codes(self) -> pa.Array | None:
        if self.vintage("lsoa") is None:
            return None
        codes = {c for e in self.layers() if e["level"] == "lsoa"
                 for c in self._boundary_table("lsoa", e["vintage"]).column("code").to_pylist()}
        return pa.array(sorted(codes), pa.string())

    @functools.cache  # noqa: B019
    def _lookup(self) -> pa.Table:
        lsoa = self._boundary_table("lsoa", self.vintage("lsoa")).to_pandas()
        out = pd.DataFrame({"lsoa_code": lsoa["code"], "lsoa_name": lsoa["name"]})
        points = gpd.GeoDataFrame(out[["lsoa_code"]],
                                  geometry=gpd.points_from_xy(lsoa["point_lon"], lsoa["point_lat"]), crs=4326)
        for level in ("msoa", "ward", "district"):
            if self.vintage(level) is None:
                out[f"{level}_code"] = None
                out[f"{level}_name"] = None
                continue
            polys = self.geodataframe(level)[["code", "name", "geometry"]]
            joined = gpd.sjoin(points, polys, how="left", predicate="within").drop_duplicates("lsoa_code")
            joined = joined.set_index("lsoa_code").reindex(out["lsoa_code"])
            out[f"{level}_code"] = joined["code"].to_numpy()
            out[f"{level}_name"] = joined["name"].to_numpy()
        out["district_source"] = pd.Series(["boundaries" if c else None for c in out["district_code"]],
                                           dtype="object")
        for table in ("deprivation", "population"):
            try:
                attrs = self.attributes(table).to_pyarrow().to_pandas()
            except NoDataError:
                continue
            if "district_code" not in attrs:
                continue
            m = attrs.set_index("lsoa_code")
            codes = out["lsoa_code"].map(m["district_code"])
            names = out["lsoa_code"].map(m["district_name"]) if "district_name" in m else None
            has = codes.notna()
            out.loc[has, "district_code"] = codes[has]
            if names is not None:
                out.loc[has, "district_name"] = names[has]
            out.loc[has, "district_source"] = f"{table} file"
            break
        return pa.Table.from_pandas(out.astype(object).where(out.notna(), None), preserve_index=False)

    def lsoa_lookup(self) -> ir.Table:
        """One row per LSOA: its MSOA, ward and district (codes and names) and where the district came from."""
        if self.vintage("lsoa") is None:
            raise NoDataError("no LSOA boundaries are loaded", "load them with 'vrhub geography load PATH'")
        return ibis.memtable(self._lookup())
