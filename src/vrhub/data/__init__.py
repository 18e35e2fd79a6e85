"""Data shipped with vrhub: the Kent and Medway demo set (see kent/README.md for sources and licences)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def kent() -> Path:
    """The folder of the shipped Kent and Medway data."""
    return Path(str(files("vrhub.data") / "kent"))
