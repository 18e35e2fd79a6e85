"""Geography: area boundaries (LSOA, MSOA, ward, district) and area attributes (population, IMD)."""

from vrhub.ingest.geography.area_attributes import load_area_attributes
from vrhub.ingest.geography.boundaries import load_boundaries
from vrhub.ingest.geography.load import load_geography

__all__ = ["load_area_attributes", "load_boundaries", "load_geography"]
