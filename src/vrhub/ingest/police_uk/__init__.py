"""The police.uk feeds: street-level crime, outcomes, and stop and search (data.police.uk)."""

from vrhub.ingest.police_uk.outcomes import Outcomes
from vrhub.ingest.police_uk.stop_search import StopSearch
from vrhub.ingest.police_uk.street import StreetCrime

SOURCES = (StreetCrime(), Outcomes(), StopSearch())

__all__ = ["SOURCES", "Outcomes", "StopSearch", "StreetCrime"]
