"""The demo workspace: the shipped real Kent and Medway data and a synthetic partnership, built in one call.

``vrhub demo`` (and ``Partnership.demo()``) load the 2021 geography as published (ONS LSOA 2021, MSOA 2021 and
May 2025 ward boundaries, IoD 2025, Census 2021 and the LSOA 2011 → 2021 best-fit lookup) and every month of 2025
of police.uk street crime for Kent (real, 2021 LSOAs), then the synthetic partners for 2025 (ED returns,
ambulance call-outs, an engagement survey, a pseudonymised
cohort, partners linked without a shared identifier, a force crime extract; every one marked synthetic), the demo
place gazetteer and the demo services' returns. The command line prints what came of it; this module prints
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from vrhub.data import kent

DEMO_SEED = 20181001
DEMO_COHORT = 6_000
DEMO_LINKAGE_PEOPLE = 2_000
#: the demo's year: every month of 2025 of real Kent police.uk data, on 2021 LSOAs
DEMO_START, DEMO_MONTHS = "2025-01", 12
STREET_2025 = "kent-street-2025-01_2025-12.zip"


@dataclass
class Demo:
    """What the demo loaded: each step's report, in the order it ran."""

    geography: list[Any]
    police: Any  # the police.uk IngestReport
    known_lsoas: Any
    counts: Any  # violence by district (analysis.crime_by_area)
    ed: tuple[Any, Any]
    ambulance: tuple[Any, Any]
    cohort: Any
    education: Any
    youth_justice: Any
    partners: Any
    linkage: Any
    force_crime: tuple[Any, Any]
    gazetteer: Any
    register: Any
    survey: tuple[Any, Any] | None = None  # the synthetic engagement survey (made, IngestReport)


def build_demo(ws: Any, *, progress: Any = None) -> Demo:
    """Load everything the demo shows into workspace ``ws`` (``progress``: the loader's progress display)."""
    from vrhub.analysis.crime_by_area import crime_by_area
    from vrhub.analysis.linkage import link_partners
    from vrhub.governance.commissioning import register_in_force
    from vrhub.governance.returns import read_returns, save_returns
    from vrhub.ingest import registry
    from vrhub.ingest.geography import load_geography
    from vrhub.ingest.linkage_files import read_partner_files, source_files
    from vrhub.ingest.loader import ingest
    from vrhub.report.linkage import write_linkage
    from vrhub.store.geography import Geography
    from vrhub.synth.ambulance import ingest_synthetic_ambulance
    from vrhub.synth.cohort import ingest_synthetic_cohort
    from vrhub.synth.ed import ingest_synthetic_ed
    from vrhub.synth.force_crime import ingest_synthetic_force_crime
    from vrhub.synth.linkage import SOURCES as LINKAGE_SOURCES
    from vrhub.synth.linkage import generate_linkage_partners
    from vrhub.synth.survey import ingest_synthetic_survey

    data = kent()
    geo_results = load_geography(ws, [data / "geography2021"])
    known = Geography(ws.engine()).known_lsoa_codes()
    report = ingest(ws, [data / "police-uk" / STREET_2025],
                    registry.module_sources("vrhub.ingest.police_uk"), partner="Kent Police", progress=progress,
                    known_lsoas=known)
    counts = crime_by_area(ws.engine(), crime_types=["Violence and sexual offences"])
    # Synthetic emergency-department returns (NHS ISB 1594) for the same months, marked synthetic in provenance
    # and in every output: no real ED data is public. Loaded through the same source a hospital's files use.
    ed = ingest_synthetic_ed(ws, ws.home / "synthetic" / "ed", seed=DEMO_SEED, start=DEMO_START, months=DEMO_MONTHS,
                             lsoa_vintage=2021)
    # Synthetic ambulance call-outs and a pseudonymised cohort (education, youth justice), through the same sources
    # a partner's files use; the cohort's key sits outside the synthetic data folder.
    ambulance = ingest_synthetic_ambulance(ws, ws.home / "synthetic" / "ambulance", seed=DEMO_SEED,
                                           start=DEMO_START, months=DEMO_MONTHS, lsoa_vintage=2021)
    cohort, edu_report, yj_report = ingest_synthetic_cohort(
        ws, ws.home / "synthetic" / "cohort", ws.home / "synthetic-key" / "synthetic-partnership.key",
        seed=DEMO_SEED, start=DEMO_START, months=DEMO_MONTHS, people=DEMO_COHORT)
    # Synthetic partners without a shared identifier (education, youth justice, ED), encoded at source with
    # `vrhub pseudonymise --linkage`, linked probabilistically ('vrhub link'; 'vrhub cohort --linked').
    linkage_inputs = ws.home / "linkage" / "inputs"
    partners = generate_linkage_partners(linkage_inputs, ws.home / "synthetic-key" / "synthetic-partnership.key",
                                         seed=DEMO_SEED, people=DEMO_LINKAGE_PEOPLE)
    partner_files = read_partner_files(source_files(list(LINKAGE_SOURCES), linkage_inputs))
    linkage = link_partners(partner_files.frames, truth=partners.truth)
    write_linkage(linkage, ws.home / "linkage" / "latest", inputs=partner_files.files)
    # A synthetic force crime extract (SYN-Kent Police) on the real police.uk crimes just loaded (whatever months
    # they are): offence codes, times, victims, suspects and flags invented, so the SNA's who / when / why and the
    # Home Office success measures can be shown; marked synthetic everywhere (docs/sources/synthetic-force-crime.md).
    force = ingest_synthetic_force_crime(ws, ws.home / "synthetic" / "force-crime", seed=DEMO_SEED)
    # The demo place gazetteer (real public places of Kent and Medway → LSOA): ED free-text locations are geocoded
    # against it in the Cardiff Model view; what does not match is counted, never guessed.
    gaz_report = ingest(ws, [data / "gazetteer" / "kent-places-lsoa2021.csv"],
                        registry.module_sources("vrhub.ingest.gazetteer"),
                        partner="Demo place gazetteer", kind="gazetteer", known_lsoas=known)
    # A SYNTHETIC engagement survey (perceived safety by place, places named as unsafe, comments) for the SNA's
    # "voice of young people and communities" section (docs/sources/engagement-survey.md).
    survey = ingest_synthetic_survey(ws, ws.home / "synthetic" / "survey", seed=DEMO_SEED)
    register = register_in_force(ws)
    returns_file = Path(str(files("vrhub.governance") / "data" / "kent_returns_demo.csv"))
    save_returns(ws, read_returns(returns_file, register), register.sha256)
    make_demo_accounts(ws)  # one hub account of each role, to try the web application ('vrhub serve')
    return Demo(geo_results, report, known, counts, ed, ambulance, cohort, edu_report, yj_report, partners, linkage,
                force, gaz_report, register, survey=survey)


# --- the demo's hub accounts ------------------------------------------------------------------------------------
#: one account of each role for trying the web application on the demo (user name, role, password). These are
#: DEMO CREDENTIALS, printed by 'vrhub demo' and 'vrhub serve': never make them on a hub holding real data.
DEMO_ACCOUNTS = (("demo-partner", "partner_uploader", "demo-partner-password"),
                 ("demo-analyst", "analyst", "demo-analyst-password"),
                 ("demo-board", "board_viewer", "demo-board-password"),
                 ("demo-admin", "admin", "demo-admin-password"))
DEMO_ORGANISATION = "Kent Police"


def make_demo_accounts(ws: Any) -> list[tuple[str, str, str]]:
    """Make the demo's accounts (``DEMO_ACCOUNTS``; those already there are left as they are, so running the demo
    again is safe), and an agreement under which the demo partner shares police.uk street crime with the demo
    analyst. Returns the accounts."""
    import datetime as dt
    from contextlib import suppress

    from vrhub.domain.errors import Conflict, NotFound
    from vrhub.governance.access import accounts, agreements

    cat = ws.catalogue
    try:
        accounts.organisation(cat, DEMO_ORGANISATION)
    except NotFound:
        accounts.create_organisation(cat, DEMO_ORGANISATION, "police")
    for username, role, password in DEMO_ACCOUNTS:
        with suppress(Conflict):  # made by an earlier run
            accounts.create_user(cat, username, role, password=password, display_name=f"Demo {role.replace('_', ' ')}",
                                 organisation_name=DEMO_ORGANISATION if role == "partner_uploader" else None)
    if not any(a.name == "Demo: Kent Police street crime" for a in agreements.agreements(cat)):
        agreements.create_agreement(
            cat, "Demo: Kent Police street crime", organisation_name=DEMO_ORGANISATION, kinds=["police_uk_street"],
            purpose="serious violence profile and SNA (demo)", retention_days=365,
            lawful_basis="UK GDPR Art. 6(1)(e); Police, Crime, Sentencing and Courts Act 2022 s.13",
            start=dt.date(2020, 1, 1), analysts=["demo-analyst"])
    return list(DEMO_ACCOUNTS)


def demo_accounts_present(ws: Any) -> list[tuple[str, str, str]]:
    """The demo accounts this workspace's hub has (what 'vrhub serve' prints), none if it is not the demo's."""
    from vrhub.governance.access import accounts

    names = {u.username for u in accounts.users(ws.catalogue) if u.active}
    return [a for a in DEMO_ACCOUNTS if a[0] in names]
