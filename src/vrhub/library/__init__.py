"""The vrhub library: ``Partnership.open(home)`` and the :class:`Result` its verbs return (docs/library.md)."""

from vrhub.library.partnership import Partnership, months
from vrhub.library.result import Result

__all__ = ["Partnership", "Result", "months"]
