"""The catalogue: a SQL database (SQLite file by default, PostgreSQL by URL) of what the lake holds."""

from vrhub.store.catalogue.catalogue import Catalogue
from vrhub.store.catalogue.models import Dataset, DatasetCoverage, DatasetKind, Partner

__all__ = ["Catalogue", "Dataset", "DatasetCoverage", "DatasetKind", "Partner"]
