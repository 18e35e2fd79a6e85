"""vrhub: the open data and evaluation platform for Violence Reduction Units.

Layers (dependencies point inward): ``cli``/``server``/``report`` → ``analysis``/``governance``
→ ``ingest``/``store`` → ``domain``. See docs/architecture.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vrhub.version import __version__

if TYPE_CHECKING:
    from vrhub.library import Partnership, Result

__all__ = ["Partnership", "Result", "__version__"]


def __getattr__(name: str) -> Any:
    """``vrhub.Partnership`` and ``vrhub.Result``, imported on first use (PEP 562): ``vrhub --version`` and
    ``--help`` import ``vrhub`` and need neither (the library's imports were half of their start-up)."""
    if name in ("Partnership", "Result"):
        import vrhub.library

        return getattr(vrhub.library, name)
    raise AttributeError(f"module 'vrhub' has no attribute {name!r}")
