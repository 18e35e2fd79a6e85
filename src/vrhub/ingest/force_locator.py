"""Which police force a stop-and-search file is for, when neither ``--force`` nor its name says.

police.uk's stop-and-search files have no force column; the force is normally in the file name. Failing that,
vrhub looks in turn at (docs/sources/police-uk-stop-and-search.md):

1. **The folder or archive name**: exactly one police.uk force id (``vrhub.domain.police_forces``) among the
   archive's name, the member's folders, or the file's own folder (``kent/searches.csv``).
2. **Where the searches are**: each located search is matched to the nearest point of the force areas vrhub already
   holds (the coordinates of the loaded street-level crimes and searches, on a 100 m grid, by force). If at least
   ``MIN_SHARE`` (90%) of at least ``MIN_LOCATED`` (10) located searches lie within ``MAX_DISTANCE_M`` (2 km) of
   one force's points, that force is used and the load notes say so.

Otherwise the file is refused, asking for ``--force``: a stop-and-search file is never loaded under "unknown".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.police_forces import force_id, force_ids_in
from vrhub.ingest.files import SourceFile

MAX_DISTANCE_M = 2_000.0
MIN_LOCATED = 10
MIN_SHARE = 0.9
GRID_DECIMALS = 3  # about 100 m of latitude
_M_PER_DEGREE_LAT = 110_574.0
_M_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


def force_from_path(file: SourceFile) -> str | None:
    """The one police.uk force id named by the archive, the member's folders or the file's own folder, if exactly
    one is."""
    names = [file.path.name, *Path(file.member).parent.parts] if file.member else [file.path.parent.name]
    found = set().union(*(force_ids_in(n) for n in names))
    return found.pop() if len(found) == 1 else None


class ForceLocator:
    """The force areas known to a workspace, as points; ``locate`` names the force a set of searches lies in."""

    def __init__(self, points: dict[str, np.ndarray]) -> None:
        self.forces = sorted(points)
        xy = [points[f] for f in self.forces]
        self.owner = np.concatenate([np.full(len(p), i) for i, p in enumerate(xy)]) if xy else np.empty(0, int)
        self.tree = None
        if xy and len(self.owner):
            from scipy.spatial import cKDTree

            self.tree = cKDTree(np.concatenate(xy))

    @classmethod
    def from_workspace(cls, ws: Any) -> ForceLocator:
        """The located street crimes and searches of ``ws``, by force id, on a 100 m grid."""
        engine = ws.engine()
        frames = []
        for kind, force_field in (("police_uk_street", "falls_within"), ("police_uk_stop_search", "force")):
            if not engine.has(kind):
                continue
            t = engine.table(kind)
            t = t.filter(t.has_location)
            frames.append(t.select(force=t[force_field], lon=t.longitude.round(GRID_DECIMALS),
                                   lat=t.latitude.round(GRID_DECIMALS)).distinct().to_pyarrow())
        points: dict[str, list[np.ndarray]] = {}
        for frame in frames:
            for name in pc.unique(frame.column("force")).to_pylist():
                fid = force_id(name or "")
                if fid is None:
                    continue
                part = frame.filter(pc.equal(frame.column("force"), name))
                xy = _metres(part.column("lon").to_numpy(), part.column("lat").to_numpy())
                points.setdefault(fid, []).append(xy)
        return cls({f: np.concatenate(v) for f, v in points.items()})

    def locate(self, lon: pa.Array, lat: pa.Array) -> tuple[str | None, str]:
        """(force id or None, what was found) for searches at ``lon``/``lat`` (nulls are ignored)."""
        both = pc.and_(pc.is_valid(lon), pc.is_valid(lat))
        x = pc.filter(lon, both).to_numpy(zero_copy_only=False)
        y = pc.filter(lat, both).to_numpy(zero_copy_only=False)
        if len(x) < MIN_LOCATED:
            return None, f"only {len(x)} of its searches have a location (at least {MIN_LOCATED} are needed)"
        if self.tree is None:
            return None, "no street-level crimes or searches with a known force are loaded to compare locations with"
        distance, index = self.tree.query(_metres(x, y), distance_upper_bound=MAX_DISTANCE_M)
        near = np.isfinite(distance)
        counts = np.bincount(self.owner[index[near]], minlength=len(self.forces)) if near.any() else \
            np.zeros(len(self.forces), int)
        best = int(np.argmax(counts))
        share = counts[best] / len(x)
        if share >= MIN_SHARE:
            return self.forces[best], (f"{share:.0%} of its {len(x):,} located searches lie within "
                                       f"{MAX_DISTANCE_M / 1000:g} km of the loaded data of '{self.forces[best]}'")
        return None, (f"its locations do not match one loaded force area ({share:.0%} of {len(x):,} located searches "
                      f"are within {MAX_DISTANCE_M / 1000:g} km of the nearest one, '{self.forces[best]}'; "
                      f"{MIN_SHARE:.0%} are needed)")


def _metres(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Longitude and latitude as metres on the sinusoidal projection (x = longitude × cos latitude): distances of a
    few kilometres are kept to well under 1%, enough to judge 2 km."""
    lat = np.asarray(lat, float)
    return np.column_stack([np.asarray(lon, float) * _M_PER_DEGREE_LON_AT_EQUATOR * np.cos(np.radians(lat)),
                            lat * _M_PER_DEGREE_LAT])
