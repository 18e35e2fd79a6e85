"""Where a command writes its files by default: released and unreleased outputs never share a folder.

A released output (``--release``, disclosure-controlled, to share) goes to ``<name>_released``; the unsuppressed
analyst copy of the same run to ``<name>``. So ``profile --release`` never writes over the analyst profile, and a
folder sent to a partner never holds an unsuppressed file beside the released one.
"""

from __future__ import annotations

from pathlib import Path

RELEASED_SUFFIX = "_released"


def output_folder(base: Path, name: str, *, release: bool) -> Path:
    """``base/name`` for an analyst output, ``base/name_released`` for a released one."""
    return base / (f"{name}{RELEASED_SUFFIX}" if release else name)
