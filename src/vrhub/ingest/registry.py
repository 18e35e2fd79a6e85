"""The one registry of sources, by kind: what the command line, hub uploads, mapped files and the demo all read.

A source module keeps its own ``SOURCES`` tuple (what it can read); this module lists the modules once, in
:data:`MODULES`, so that a new feed is added in one place. (A plugin-like registry in the spirit of datasette's;
the modules are imported when the registry is first read, not when ``vrhub --help`` runs.)
"""

from __future__ import annotations

import importlib
from functools import cache

from vrhub.domain.errors import UsageError
from vrhub.ingest.source import Source

#: module → whether a mapping file may target its kinds (``vrhub ingest mapped``) and whether hub uploads read it
MODULES: dict[str, tuple[bool, bool]] = {
    "vrhub.ingest.police_uk": (True, True),
    "vrhub.ingest.istv": (True, True),
    "vrhub.ingest.ambulance": (False, True),
    "vrhub.ingest.youth_justice": (False, True),
    "vrhub.ingest.education": (False, True),
    "vrhub.ingest.force_crime": (True, True),
    "vrhub.ingest.gazetteer": (True, False),
}

#: the short names the command line and the hub accept beside the kinds' own names
SHORT_NAMES = {"street": "police_uk_street", "outcomes": "police_uk_outcomes", "stop-search": "police_uk_stop_search",
               "istv": "ed_istv", "youth-justice": "youth_justice", "force-crime": "force_crime"}


@cache
def _of_module(name: str) -> tuple[Source, ...]:
    return tuple(importlib.import_module(name).SOURCES)


def _by_module() -> dict[str, tuple[Source, ...]]:
    return {name: _of_module(name) for name in MODULES}


def sources(*, uploads: bool = False, mapped: bool = False) -> tuple[Source, ...]:
    """Every registered source (only those hub uploads read with ``uploads``; mapping targets with ``mapped``)."""
    return tuple(s for name, found in _by_module().items() for s in found
                 if (not uploads or MODULES[name][1]) and (not mapped or MODULES[name][0]))


def module_sources(module: str) -> tuple[Source, ...]:
    """The sources of one registered module (e.g. ``vrhub.ingest.istv``), importing that module alone (a police.uk
    load does not import the force-crime source's offence codes)."""
    if module not in MODULES:
        raise KeyError(module)
    return _of_module(module)


def kind_names(*, uploads: bool = True) -> dict[str, str]:
    """Accepted kind names → kinds: the police.uk short names and every kind by its own name."""
    return {**SHORT_NAMES, **{s.kind: s.kind for s in sources(uploads=uploads)}}


def kind_name(text: str | None, *, uploads: bool = True, option: str = "--kind") -> str | None:
    """The kind ``text`` names (``None`` for none given); an unknown name is a :class:`UsageError` listing them."""
    if not text:
        return None
    names = kind_names(uploads=uploads)
    if names.get(text, text) not in names.values():
        raise UsageError(f"unknown kind {text!r}: use one of {', '.join(sorted(names))}", option=option)
    return names.get(text, text)
