"""Geography: area boundaries (LSOA, MSOA, ward, district), area attributes (population, IMD) and lookups between
LSOA vintages."""

from vrhub.ingest.geography.area_attributes import load_area_attributes
from vrhub.ingest.geography.boundaries import load_boundaries
from vrhub.ingest.geography.load import load_geography
from vrhub.ingest.geography.lookups import load_lookup

__all__ = ["load_area_attributes", "load_boundaries", "load_geography", "load_lookup"]
