"""Shared fixtures: the real Kent data, a loaded Kent workspace, police.uk file builders, PostgreSQL schemas.

PostgreSQL tests use ``VRHUB_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``); each test gets
its own schema (``vrhub_test_<random>``, reached through ``?options=-csearch_path%3D<schema>``), dropped after.
When the server is unreachable they are skipped, except on CI (``CI=true``) where they fail.

The plain helpers and constants defined here are also importable by test modules as ``vrhub_testkit``
(``from vrhub_testkit import KENT_ZIP``): the tests folder is not a package under ``--import-mode=importlib``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
import types
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from vrhub.data import kent
from vrhub.ingest.loader import IngestReport, LoadResult, ingest
from vrhub.store.workspace import Settings, Workspace

FIXTURES = Path(__file__).parent / "fixtures"
KENT = kent()
KENT_ZIP = KENT / "police-uk" / "kent-street-2018-10_2019-02.zip"
MET_STOP_SEARCH_ZIP = FIXTURES / "police-uk" / "metropolitan-stop-and-search-2018-10_2018-12.zip"
KENT_MONTHS = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
KENT_ROWS = 75_735  # src/vrhub/data/kent/README.md

#: the police.uk crime types in the Kent definition's scope
KENT_SCOPE = frozenset({"Violence and sexual offences", "Robbery", "Possession of weapons"})


def raw_count(months: set[str]) -> int:
    """In-scope (``KENT_SCOPE``) street records of ``KENT_ZIP``'s months ``months``, counted with the csv module."""
    n = 0
    with zipfile.ZipFile(KENT_ZIP) as zf:
        for name in zf.namelist():
            if name.split("/")[0] in months:
                with zf.open(name) as f:
                    n += sum(r["Crime type"] in KENT_SCOPE for r in csv.DictReader(io.TextIOWrapper(f, "utf-8-sig")))
    return n


DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                 "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
OUTCOMES_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                   "LSOA code", "LSOA name", "Outcome type"]


def street_row(**overrides: str) -> dict[str, str]:
    """One valid police.uk street-level crime row (a synthetic Maidstone burglary), with fields overridden."""
    row = {
        "Crime ID": "c0ffee", "Month": "2018-10", "Reported by": "Kent Police", "Falls within": "Kent Police",
        "Longitude": "0.522", "Latitude": "51.272", "Location": "On or near High Street",
        "LSOA code": "E01024000", "LSOA name": "Maidstone 001A", "Crime type": "Burglary",
        "Last outcome category": "Under investigation", "Context": "",
    }
    for key, value in overrides.items():
        row[key.replace("_", " ")] = value
    return row


ISTV_HEADER = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time",
               "Assault date time", "Assault method", "Assault method other", "Assault location type",
               "Assault location description", "Age band", "Sex", "Home LSOA", "Home postcode district"]


def istv_row(**overrides: str) -> dict[str, str]:
    """One valid synthetic ED assault attendance (ISTV, ISB 1594) of January 2023 at site SYN-TEST."""
    row = {"Reporting period start": "01/01/2023", "Reporting period end": "31/01/2023", "ED site code": "SYN-TEST",
           "Arrival date time": "06/01/2023 23:40", "Assault date time": "06/01/2023 23:05",
           "Assault method": "Knife", "Assault method other": "", "Assault location type": "Pub",
           "Assault location description": "outside the Crown", "Age band": "18-24", "Sex": "M",
           "Home LSOA": "E01016016", "Home postcode district": "ME7"}
    row.update({k.replace("_", " "): v for k, v in overrides.items()})
    return row


#: the bad rows of ``istv_return``: the line each is on in the file, and a word its quarantine reason contains
ISTV_BAD = {3: "arrival", 5: "method", 7: "assault"}


def istv_return(good: int = 4, site: str = "SYN-TEST") -> bytes:
    """A synthetic ED return of ``good`` valid rows with the three bad rows of ``ISTV_BAD`` among them (an impossible
    arrival date on line 3, an unknown assault method on line 5, an assault after the arrival on line 7)."""
    bad = {3: {"Arrival date time": "31/02/2023 01:10"}, 5: {"Assault method": "laser"},
           7: {"Assault date time": "07/01/2023 02:00"}}
    rows, line, made = [], 2, 0
    while made < good or line in bad:
        if line in bad:
            rows.append(istv_row(**{"ED site code": site, **bad[line]}))
        else:
            rows.append(istv_row(**{"ED site code": site, "Arrival date time": f"{6 + made % 20:02d}/01/2023 23:40",
                                    "Assault date time": f"{6 + made % 20:02d}/01/2023 23:05"}))
            made += 1
        line += 1
    return csv_bytes(ISTV_HEADER, rows)


def csv_bytes(header: list[str], rows: list[dict[str, str]], *, newline: str = "\n", bom: bool = False,
              encoding: str = "utf-8") -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.fixture
def write_street() -> Callable[..., Path]:
    """``write_street(path, rows, **csv_bytes options)`` writes a street-level CSV and returns its path."""

    def write(path: Path, rows: list[dict[str, str]], header: list[str] = STREET_HEADER, **kw: object) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(header, rows, **kw))  # type: ignore[arg-type]
        return path

    return write


def open_workspace(home: Path, db: str | None = None) -> Workspace:
    return Workspace.open(Settings.resolve(home, db, environ={}))


def kent_files(folder: Path) -> list[Path]:
    """The five Kent CSVs in an extracted folder, in month order."""
    return sorted(folder.rglob("*-kent-street.csv"))


def lake_folders(ws: Workspace) -> set[str]:
    """Every folder in the lake (published versions and staging), relative to the lake."""
    root = ws.lake.root
    return {str(p.relative_to(root)) for p in root.glob("*/*") if p.is_dir()}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A fresh, empty workspace (SQLite catalogue) in a temporary folder."""
    return open_workspace(tmp_path / "home")


def police_uk_ingest(ws: Workspace, paths: list[Path | str], **kw: object) -> IngestReport:
    from vrhub.ingest.police_uk import SOURCES

    return ingest(ws, paths, SOURCES, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def kent_csv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Kent zip's five CSVs extracted, byte for byte, into a folder (``YYYY-MM/YYYY-MM-kent-street.csv``)."""
    out = tmp_path_factory.mktemp("kent-csv")
    with zipfile.ZipFile(KENT_ZIP) as zf:
        zf.extractall(out)
    return out


@dataclass
class KentWorkspace:
    ws: Workspace
    geography: list[LoadResult]
    report: IngestReport


@pytest.fixture(scope="session")
def kent_ws(tmp_path_factory: pytest.TempPathFactory) -> KentWorkspace:
    """A workspace with the shipped Kent boundaries, IMD 2019 files and five months of street crime.

    Shared by every test that only reads: do not load anything into it.
    """
    from vrhub.ingest.geography import load_geography
    from vrhub.store.geography import Geography

    w = open_workspace(tmp_path_factory.mktemp("kent-ws") / "home")
    geo = load_geography(w, [KENT / "boundaries", KENT / "imd2019"])
    assert all(r.ok for r in geo), [r.error for r in geo if r.error]
    known = Geography(w.engine()).known_lsoa_codes()
    report = police_uk_ingest(w, [KENT_ZIP], partner="Kent Police", known_lsoas=known)
    assert report.ok, [r.error for r in report.results]
    return KentWorkspace(w, geo, report)


# The SNA of kent_ws is built once per session (tests/report/conftest.py) at this build time and date.
SNA_BUILT_AT = dt.datetime(2025, 2, 1, 9, 0, tzinfo=dt.UTC)
SNA_TODAY = dt.date(2025, 2, 1)
#: the partnership's words written into kent_ws before its SNA is built (tests/report/test_sna_words.py reads them)
SNA_PROBLEM_WORDS = ("## Seen by partners\n\nThe night-time economy in **Maidstone** worries the partners.\n\n"
                     "- street pastors report more fights\n- <script>alert('x')</script>\n")
SNA_WHERE_WORDS = "Where: the partnership will start with Thanet and Medway, where partners already work together."


# --- PostgreSQL ----------------------------------------------------------------------------------------------
def _pg_base_url() -> str:
    return os.environ.get("VRHUB_TEST_PG") or DEFAULT_PG


def with_search_path(url: str, schema: str) -> str:
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server URL, or skip (fail on CI) when it cannot be reached."""
    url = _pg_base_url()
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as con:
            con.execute("select 1")
    except Exception as exc:  # psycopg missing or server down
        msg = (f"PostgreSQL is not reachable at {url} ({type(exc).__name__}: {exc}). To run these tests start a "
               "server (e.g. docker run -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test -p 5432:5432 "
               "postgres:16) or set VRHUB_TEST_PG=postgresql://user@host:port/db")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return url


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    import psycopg

    schema = f"vrhub_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f'create schema "{schema}"')
    try:
        yield with_search_path(pg_server, schema)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as con:
            con.execute("set lock_timeout = '20s'")  # a test that left a transaction open fails, not hangs
            con.execute(f'drop schema if exists "{schema}" cascade')


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A catalogue URL on each database: an SQLite file and a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """vrhub's stderr console as a terminal (Rich draws its progress bars there), captured; ``--quiet`` reset
    after the test."""
    from vrhub.cli import console

    buf = io.StringIO()
    monkeypatch.setattr(console, "err", console.VrhubConsole(file=buf, force_terminal=True, width=100,
                                                             color_system=None))
    monkeypatch.setattr(console.display, "quiet", False)
    return buf


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    """Run ``vrhub ARGS`` in-process (Typer's CliRunner); re-raise an unexpected exception, so a crash is a failure."""
    from typer.testing import CliRunner

    from vrhub.cli.main import app

    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# Expose the helpers above as an importable module (see the module docstring).
_kit = types.ModuleType("vrhub_testkit", "Helpers and constants of tests/conftest.py.")
_kit.__dict__.update({k: v for k, v in list(globals().items()) if not k.startswith("_") and k not in ("pytest",)})
sys.modules["vrhub_testkit"] = _kit
