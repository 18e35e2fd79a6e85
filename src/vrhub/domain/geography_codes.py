"""ONS GSS geography codes: what level a code belongs to.

A GSS code is a three-character entity prefix and six digits (ONS, *Code History Database user guide*;
ONS Geography "GSS coding and naming policy"). The prefix says the entity: E01/W01 LSOA, E02/W02 MSOA,
E05/W05 electoral ward, E06 unitary authority, E07 non-metropolitan district, E08 metropolitan district,
E09 London borough, W06 Welsh unitary authority. The code alone cannot tell a 2011 LSOA from a 2021 one
(most codes are unchanged across the vintages): vintage is a property of the data set, recorded on load.
"""

from __future__ import annotations

import re

LEVELS = ("lsoa", "msoa", "ward", "district")

_PREFIXES: dict[str, tuple[str, ...]] = {
    "lsoa": ("E01", "W01"),
    "msoa": ("E02", "W02"),
    "ward": ("E05", "W05"),
    "district": ("E06", "E07", "E08", "E09", "W06"),
}

GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
LSOA_CODE_PATTERN = r"^[EW]01\d{6}$"


def level_of(code: str) -> str | None:
    """Return the geography level ('lsoa', 'msoa', 'ward', 'district') of a GSS code, or None."""
    if not code or not GSS_CODE.match(code):
        return None
    prefix = code[:3]
    for level, prefixes in _PREFIXES.items():
        if prefix in prefixes:
            return level
    return None


def police_uk_lsoa_vintage(month: str) -> int:
    """The LSOA vintage police.uk used for a month ('YYYY-MM').

    police.uk moved from 2011 to 2021 LSOAs for data from January 2022 onwards (data.police.uk changelog);
    earlier months carry 2011 codes.
    """
    return 2021 if month >= "2022-01" else 2011

# A box around the United Kingdom, the Isle of Man and the Channel Islands in WGS84 (lon_min, lat_min,
# lon_max, lat_max): Rockall and foreign waters aside, a police.uk point outside it is an error. Its south edge is
# below the Bailiwick of Jersey (St Helier 49.19 N; Les Minquiers, its southernmost rocks, 48.97 N), not at the
# Isles of Scilly (49.9 N).
UK_BOUNDS = (-8.75, 48.95, 1.95, 60.95)
