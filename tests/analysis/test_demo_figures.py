"""The demo's headline figures (2025, 2021 LSOAs, Census 2021), computed independently with pandas from the shipped
published files, so that the figures `vrhub demo`, the README and the tutorial print can be checked without vrhub's
readers: violence and sexual offences in 2025, Medway's count, its Census 2021 residents and its rate per 1,000."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from vrhub_testkit import KENT

STREET_2025 = KENT / "police-uk" / "kent-street-2025-01_2025-12.zip"
CENSUS = KENT / "geography2021" / "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip"


def read_zip_csvs(path, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as zf:
        return pd.concat([pd.read_csv(io.BytesIO(zf.read(n)), **kw) for n in sorted(zf.namelist())
                          if n.endswith(".csv")], ignore_index=True)


def test_demo_figures_from_the_published_files() -> None:
    crimes = read_zip_csvs(STREET_2025, dtype=str)
    assert len(crimes) == 180_022  # data README
    violence = crimes[crimes["Crime type"] == "Violence and sexual offences"]
    assert len(violence) == 67_035
    census = read_zip_csvs(CENSUS, skiprows=4).dropna(subset=["mnemonic"])
    medway_lsoas = census[census["2021 super output area - lower layer"].str.startswith("Medway ")]
    residents = int(medway_lsoas["Total"].sum())
    assert residents == 279_747  # data README: Medway, Census 2021
    medway = int(violence["LSOA code"].isin(medway_lsoas["mnemonic"]).sum())
    assert medway == 11_634
    assert round(medway * 1000 / residents, 2) == 41.59
