"""Fixtures for the profile-output tests: the real Kent data loaded once, profiles, and their written files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from vrhub.analysis.profile import Profile, build_profile
from vrhub.data import kent
from vrhub.domain.definitions import load_definition
from vrhub.ingest.geography import load_geography
from vrhub.ingest.loader import ingest
from vrhub.ingest.police_uk import SOURCES
from vrhub.report.profile_files import ProfileFiles, write_profile
from vrhub.store.workspace import Settings, Workspace

KENT = kent()


@dataclass
class Written:
    profile: Profile  # the profile given to write_profile (unprotected)
    files: ProfileFiles

    @property
    def folder(self) -> Path:
        return self.files.folder


@pytest.fixture(scope="session")
def report_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Kent boundaries, IMD 2019 and five months of street crime, loaded once. Read only."""
    home = tmp_path_factory.mktemp("report-ws")
    ws = Workspace.open(Settings(home=home, db_url=f"sqlite:///{home}/c.sqlite"))
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    assert ingest(ws, [KENT / "police-uk" / "kent-street-2018-10_2019-02.zip"], SOURCES).ok
    return ws


@pytest.fixture(scope="session")
def district_profile(report_ws: Workspace) -> Profile:
    return build_profile(report_ws.engine(), load_definition())


@pytest.fixture(scope="session")
def analyst_files(district_profile: Profile, tmp_path_factory: pytest.TempPathFactory) -> Written:
    return Written(district_profile, write_profile(district_profile, tmp_path_factory.mktemp("analyst")))


@pytest.fixture(scope="session")
def release_files(district_profile: Profile, tmp_path_factory: pytest.TempPathFactory) -> Written:
    return Written(district_profile, write_profile(district_profile, tmp_path_factory.mktemp("release"),
                                                   release=True))


@pytest.fixture(scope="session")
def ward_release_files(report_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """Ward level, one month: many small counts, so suppression has work to do. (LSOA level would do too,
    but its secondary suppression solves hundreds of linear programmes: ~25 s.)"""
    import datetime as dt

    jan = dt.date(2019, 1, 1)
    p = build_profile(report_ws.engine(), load_definition(), start=jan, end=jan, level="ward")
    return Written(p, write_profile(p, tmp_path_factory.mktemp("release-ward"), release=True))


@pytest.fixture(scope="session")
def sna_words(kent_ws):  # type: ignore[no-untyped-def]
    """The partnership's words in ``kent_ws``: one narrative section written and one recommendation reworded (the
    only files the SNA tests add to the shared workspace; both SNA fixtures build after them)."""
    from vrhub_testkit import SNA_PROBLEM_WORDS, SNA_WHERE_WORDS

    from vrhub.report.sna.narrative import save_narrative
    from vrhub.report.sna.recommendations import save_edit

    save_narrative(kent_ws.ws.home, "problem", "<!-- guidance: not shown -->\n" + SNA_PROBLEM_WORDS)
    save_edit(kent_ws.ws.home, "where", SNA_WHERE_WORDS)
    return kent_ws


@pytest.fixture(scope="session")
def sna_draft(sna_words, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The SNA of ``kent_ws`` (police.uk only), draft, with its PDF: built once, shared by the SNA test modules."""
    from vrhub_testkit import SNA_BUILT_AT, SNA_TODAY

    from vrhub.report.sna import build_sna

    kent_ws = sna_words
    return build_sna(kent_ws.ws, out=tmp_path_factory.mktemp("sna-draft"), pdf=True, built_at=SNA_BUILT_AT,
                     today=SNA_TODAY)


@pytest.fixture(scope="session")
def sna_release(sna_words, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The same SNA released (disclosure control throughout), with its PDF."""
    from vrhub_testkit import SNA_BUILT_AT, SNA_TODAY

    from vrhub.report.sna import build_sna

    kent_ws = sna_words

    return build_sna(kent_ws.ws, out=tmp_path_factory.mktemp("sna-release"), pdf=True, release=True,
                     built_at=SNA_BUILT_AT, today=SNA_TODAY)
