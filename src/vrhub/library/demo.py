"""The demo workspace: the shipped real Kent and Medway data and a synthetic partnership, built in one call.

``vrhub demo`` (and ``Partnership.demo()``) load the 2021 geography as published (ONS LSOA 2021, MSOA 2021 and
May 2025 ward boundaries, IoD 2025, Census 2021 and the LSOA 2011 → 2021 best-fit lookup) and every month of 2025
of police.uk street crime for Kent (real, 2021 LSOAs), then the synthetic partners for 2025 (ED returns,
ambulance call-outs, a pseudonymised
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
    register = register_in_force(ws)
    returns_file = Path(str(files("vrhub.governance") / "data" / "kent_returns_demo.csv"))
    save_returns(ws, read_returns(returns_file, register), register.sha256)
    return Demo(geo_results, report, known, counts, ed, ambulance, cohort, edu_report, yj_report, partners, linkage,
                force, gaz_report, register)
