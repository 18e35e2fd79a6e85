"""The one registry of sources (``vrhub.ingest.registry``): what uploads, mapped files and the CLI read."""

from __future__ import annotations

import pytest

from vrhub.domain.errors import UsageError
from vrhub.governance.access import uploads
from vrhub.ingest import registry
from vrhub.ingest.mapped import targets


def test_uploads_and_mapping_targets_are_read_from_the_registry():
    kinds = {s.kind for s in registry.sources()}
    assert {"police_uk_street", "ed_istv", "ambulance", "youth_justice", "education", "force_crime",
            "gazetteer"} <= kinds
    assert registry.sources(uploads=True) == uploads.SOURCES
    assert "gazetteer" not in {s.kind for s in uploads.SOURCES}  # reference data: not a partner upload
    assert set(targets()) == {s.kind for s in registry.sources(mapped=True)}
    assert {"ambulance", "education"}.isdisjoint(targets())


def test_kind_names_accept_short_names_and_refuse_the_rest_listing_them():
    assert registry.kind_name("stop-search") == "police_uk_stop_search"
    assert registry.kind_name("ed_istv") == "ed_istv" and registry.kind_name(None) is None
    with pytest.raises(UsageError, match="use one of") as e:
        registry.kind_name("burglary")
    assert e.value.option == "--kind" and "street" in e.value.message
