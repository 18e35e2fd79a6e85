"""Fixtures for the problem-profile tests: the real Kent data loaded once, and an independent SQL view of it.

``kent_sql`` reads the shipped files *directly* (the police.uk CSVs extracted from the zip, the IMD 2019 File_2
and File_6 CSVs) with DuckDB, without any vrhub code, so that the profile's numbers can be checked against a
computation that shares nothing with it but the raw files.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from vrhub.analysis.profile import Profile, build_profile
from vrhub.data import kent
from vrhub.domain.definitions import load_definition
from vrhub.ingest.geography import load_geography
from vrhub.ingest.loader import ingest
from vrhub.ingest.police_uk import SOURCES
from vrhub.store.workspace import Settings, Workspace

KENT = kent()
KENT_ZIP = KENT / "police-uk" / "kent-street-2018-10_2019-02.zip"
KENT_ROWS = 75_735  # src/vrhub/data/kent/README.md


@dataclass
class KentSQL:
    """DuckDB over the raw files: views ``crimes`` (every CSV row), ``imd`` (File_2) and ``pop`` (File_6)."""

    con: duckdb.DuckDBPyConnection

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None) -> int:
        return self.con.execute(sql, params or []).fetchone()[0]


def open_kent_sql(folder: Path) -> KentSQL:
    with zipfile.ZipFile(KENT_ZIP) as zf:
        zf.extractall(folder)
    imd = next((KENT / "imd2019").glob("File_2_*.csv"))
    pop = next((KENT / "imd2019").glob("File_6_*.csv"))
    con = duckdb.connect()
    con.execute(f"create view crimes as select * from read_csv('{folder}/*/*-kent-street.csv', header=true, "
                "all_varchar=true)")
    con.execute(f"create view imd as select * from read_csv('{imd}', header=true, all_varchar=true)")
    con.execute(f"create view pop as select * from read_csv('{pop}', header=true, all_varchar=true)")
    # File_6 writes populations with thousands separators ("1,296"): strip them before casting.
    con.execute("""
        create view lsoa as
        select i."LSOA code (2011)" as lsoa, i."Local Authority District code (2019)" as district_code,
               i."Local Authority District name (2019)" as district_name,
               cast(i."Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)" as int)
                   as imd_decile,
               cast(replace(p."Total population: mid 2015 (excluding prisoners)", ',', '') as int) as population
        from imd i join pop p on p."LSOA code (2011)" = i."LSOA code (2011)"
    """)
    return KentSQL(con)


def open_kent_workspace(home: Path) -> Workspace:
    ws = Workspace.open(Settings(home=home, db_url=f"sqlite:///{home}/c.sqlite"))
    geo = load_geography(ws, [KENT / "boundaries", KENT / "imd2019"])
    assert all(r.ok for r in geo), [r.error for r in geo if not r.ok]
    report = ingest(ws, [KENT_ZIP], SOURCES)
    assert report.ok, [r.error for r in report.results]
    # every row accepted: the independent counts over the raw CSVs then count the same rows
    assert sum(r.rows_accepted for r in report.results) == KENT_ROWS
    return ws


@pytest.fixture(scope="session")
def kent_sql(tmp_path_factory: pytest.TempPathFactory) -> KentSQL:
    return open_kent_sql(tmp_path_factory.mktemp("kent-raw"))


@pytest.fixture(scope="session")
def profile_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with the Kent boundaries, IMD 2019 and five months of street crime. Read only."""
    return open_kent_workspace(tmp_path_factory.mktemp("profile-ws"))


@pytest.fixture(scope="session")
def kent_profile(profile_ws: Workspace) -> Profile:
    """The default profile: Kent and Medway definition, every loaded month, by district."""
    return build_profile(profile_ws.engine(), load_definition("kent_and_medway"))
