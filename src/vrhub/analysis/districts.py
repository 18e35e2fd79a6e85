"""LSOA → district, as the analyses that place records in districts (Cardiff view, geocoding) need it.

Its own module so that ``analysis.cardiff`` and ``analysis.geocode`` both import it, and not each other.
"""

from __future__ import annotations

import contextlib

import pandas as pd

from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine
from vrhub.store.geography import Geography


def district_map(engine: Engine) -> pd.DataFrame:
    """LSOA → district (code, name): the workspace lookup, completed from the deprivation file's district columns."""
    geo = Geography(engine)
    frames = []
    with contextlib.suppress(NoDataError):
        frames.append(geo.lsoa_lookup().select("lsoa_code", "district_code", "district_name").to_pandas())
    try:
        attrs = geo.attributes("deprivation").to_pandas()
        if {"district_code", "district_name"} <= set(attrs.columns):
            frames.append(attrs[["lsoa_code", "district_code", "district_name"]])
    except NoDataError:
        pass
    if not frames:
        raise NoDataError("no LSOA → district lookup: no boundaries or IMD files are loaded",
                          "load them with 'vrhub geography load PATH' (or 'vrhub demo' for Kent and Medway)")
    out = pd.concat(frames, ignore_index=True).dropna(subset=["district_name"])
    return out.drop_duplicates("lsoa_code", keep="last").set_index("lsoa_code")
