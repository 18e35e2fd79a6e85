"""The police.uk feeds: street-level crime, outcomes, and stop and search (data.police.uk)."""

from vrhub.ingest.police_uk.outcomes import Outcomes
from vrhub.ingest.police_uk.stop_search import StopSearch
from vrhub.ingest.police_uk.street import StreetCrime
from vrhub.ingest.police_uk.street_grid import StreetCrimeGrid

#: Every police.uk layout vrhub reads; the current layouts first (they win ties).
SOURCES = (StreetCrime(), Outcomes(), StopSearch(), StreetCrimeGrid())

__all__ = ["SOURCES", "Outcomes", "StopSearch", "StreetCrime", "StreetCrimeGrid"]
