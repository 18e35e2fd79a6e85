"""A hub with two organisations, one user of each role, agreements and one upload per organisation.

``hub_world(url)`` builds it over a catalogue URL (an SQLite file or a PostgreSQL schema from the root
conftest's ``catalogue_url``); clients sign in with API tokens (``bearer``) or with the session cookie.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from vrhub_testkit import STREET_HEADER, csv_bytes, open_workspace, street_row

from vrhub.governance.access import accounts, agreements
from vrhub.server import HubSettings, create_app
from vrhub.store.workspace import Workspace

PASSWORD = "correct horse battery staple"
ROLES = {"uploader_a": ("partner_uploader", "Kent Police"), "uploader_b": ("partner_uploader", "Medway Council"),
         "analyst": ("analyst", None), "board": ("board_viewer", None), "admin": ("admin", None)}


def street_csv(month: str, n: int = 3, *, crime_id: str = "c", **overrides: str) -> bytes:
    """``n`` valid street rows of ``month`` (ids distinct, so each call with a new ``crime_id`` is a new file)."""
    rows = [street_row(Month=month, **{"Crime ID": f"{crime_id}{i}", "Crime type": "Violence and sexual offences"},
                       **overrides) for i in range(n)]
    return csv_bytes(STREET_HEADER, rows)


@dataclass
class HubWorld:
    ws: Workspace
    client: TestClient
    app: FastAPI
    tokens: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, str] = field(default_factory=dict)  # organisation letter → upload id
    datasets: dict[str, str] = field(default_factory=dict)  # organisation letter → dataset id
    spare_token_id: int = 0  # a token of the board viewer's that a test may revoke

    def as_(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def upload(self, who: str, data: bytes, filename: str = "2018-10-kent-street.csv", **params: str):  # type: ignore[no-untyped-def]
        return self.client.post("/api/uploads", params={"filename": filename, **params}, content=data,
                                headers={**self.as_(who), "Content-Type": "application/octet-stream"})


def build_world(home: Path, db: str | None, **settings: object) -> HubWorld:
    ws = open_workspace(home, db)
    cat = ws.catalogue
    accounts.create_organisation(cat, "Kent Police", "police")
    accounts.create_organisation(cat, "Medway Council", "local authority")
    for name, (role, org) in ROLES.items():
        accounts.create_user(cat, name, role, password=PASSWORD, organisation_name=org)
    common = {"kinds": ["police_uk_street"], "purpose": "serious violence profile", "retention_days": 365,
              "lawful_basis": "UK GDPR Art. 6(1)(e); Police, Crime, Sentencing and Courts Act 2022 s.13",
              "start": dt.date(2020, 1, 1)}
    agreements.create_agreement(cat, "Kent Police street crime", organisation_name="Kent Police",
                                analysts=["analyst"], **common)  # type: ignore[arg-type]
    agreements.create_agreement(cat, "Medway street crime", organisation_name="Medway Council",
                                **common)  # type: ignore[arg-type]
    app = create_app(HubSettings(workspace=ws.settings, **settings), workspace=ws)  # type: ignore[arg-type]
    world = HubWorld(ws, TestClient(app, base_url="https://testserver", raise_server_exceptions=False), app)
    for name in ROLES:
        world.tokens[name] = accounts.create_token(cat, name, "tests").secret
    world.spare_token_id = accounts.create_token(cat, "board", "spare").token.id
    # each organisation uploads its own rows (an upload of another organisation's rows is refused)
    for letter, who, month, force in (("a", "uploader_a", "2018-10", "Kent Police"),
                                      ("b", "uploader_b", "2018-11", "Medway Council")):
        r = world.upload(who, street_csv(month, crime_id=letter, Falls_within=force),
                         filename=f"{month}-kent-street.csv")
        assert r.status_code == 201, r.text
        world.uploads[letter] = r.json()["upload_id"]
        world.datasets[letter] = r.json()["dataset_ids"][0]
    return world


def clone_world(template: HubWorld, home: Path) -> HubWorld:
    """A copy of an SQLite world in ``home`` (the catalogue file and the lake), with a fresh app over it."""
    shutil.copytree(template.ws.home, home)
    ws = open_workspace(home)
    app = create_app(HubSettings(workspace=ws.settings), workspace=ws)
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    return HubWorld(ws, client, app, dict(template.tokens), dict(template.uploads), dict(template.datasets),
                    template.spare_token_id)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubWorld]:
    """One SQLite world built once (password hashing and uploads take a second or two), copied for each test."""
    w = build_world(tmp_path_factory.mktemp("hub-template") / "home", None)
    w.client.close()
    w.ws.catalogue.engine.dispose()
    yield w


@pytest.fixture
def sqlite_world(sqlite_template: HubWorld, tmp_path: Path) -> Iterator[HubWorld]:
    """The hub on SQLite only (for checks that do not depend on the database): a fresh copy for each test."""
    w = clone_world(sqlite_template, tmp_path / "home")
    yield w
    w.client.close()
    w.ws.catalogue.engine.dispose()



@pytest.fixture
def world(catalogue_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[HubWorld]:
    """The hub on each database (SQLite: a copy of the template; PostgreSQL: built in a fresh schema)."""
    if catalogue_url.startswith("sqlite"):
        w = clone_world(request.getfixturevalue("sqlite_template"), tmp_path / "home")
    else:
        w = build_world(tmp_path / "home", catalogue_url)
    yield w
    w.client.close()
    w.ws.catalogue.engine.dispose()

# The helpers above, importable by the server's test modules as ``vrhub_hubkit`` (as the root conftest's are as
# ``vrhub_testkit``: the tests folder is not a package under --import-mode=importlib).
_kit = types.ModuleType("vrhub_hubkit", "Helpers of tests/server/conftest.py.")
_kit.__dict__.update({k: v for k, v in list(globals().items()) if not k.startswith("_") and k != "pytest"})
sys.modules["vrhub_hubkit"] = _kit
