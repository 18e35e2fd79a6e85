"""The first line of every output that holds demo or synthetic content.

Two kinds of content must never be taken for a partnership's own evidence:

- **demo**: the shipped Kent and Medway registers (the strategy's strands and action plans, the commissioned
  services), built from the published annual report, that a workspace falls back on until its own are loaded;
- **synthetic**: invented records (``vrhub synth``, the demo's ED, ambulance and cohort files) and anything
  computed from them, such as participants counted from synthetic providers' returns.

Every output that contains either says so in its first line (console), its first comment line (CSV), its first
paragraph (HTML, PDF) and in ``demo``/``synthetic``/``notice`` fields (JSON). :func:`notice` gives that line.
"""

from __future__ import annotations

import re

SYNTHETIC = "SYNTHETIC data (invented for testing and training): not evidence"
DEMO = ("DEMO: the shipped Kent and Medway example {what} (from the published annual report), not your "
        "partnership's own")
#: where each demo register is replaced by the partnership's own
DEMO_REPLACE = {
    "strategy": "load yours with 'vrhub strategy load FILE'",
    "services register": "load yours with 'vrhub services import FILE'",
}


def notice(*, demo: bool = False, synthetic: bool = False, what: str = "register") -> str | None:
    """The first line for an output with demo and/or synthetic content; ``None`` when it has neither."""
    parts = []
    if synthetic:
        parts.append(SYNTHETIC)
    if demo:
        text = DEMO.format(what=what)
        parts.append(f"{text} ({DEMO_REPLACE[what]})" if what in DEMO_REPLACE else text)
    return " | ".join(parts) or None


def is_demo_origin(origin: str, shipped_file: str) -> bool:
    """Whether a register came from the shipped file (``origin`` records the path it was read from, on whichever
    machine loaded it, so the package-relative tail is compared)."""
    tail = "/".join(shipped_file.replace("\\", "/").split("/")[-3:])
    return tail in origin.replace("\\", "/")


#: a file named as vrhub's own generators name theirs (``istv-synthetic-SYN-DVH-2025-01.csv``,
#: ``youth-justice-synthetic-Kent-…``): "synthetic" as a whole word of the name
SYNTHETIC_NAME = re.compile(r"(?:^|[-_. ])synthetic(?:[-_. ]|$)", re.IGNORECASE)


def synthetic_by_name(name: str) -> bool:
    """Whether a file's name says it is synthetic. The loader marks such a file's dataset synthetic even when it is
    loaded by the ordinary ``vrhub ingest`` (the files of ``vrhub synth`` and ``vrhub examples``), so nothing
    computed from it can be shown unlabelled."""
    return SYNTHETIC_NAME.search(name) is not None
