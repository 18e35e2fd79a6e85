"""Errors raised when a definition file cannot be used (re-exported from :mod:`vrhub.domain.errors`).

    VrhubError
    └── DefinitionError          a definition cannot be read, or breaks the rules; lists EVERY problem

A :class:`Problem` names the file, the key path inside it (``sources.ed_istv.rules[2].match``) and what to do.
"""

from __future__ import annotations

from vrhub.domain.errors import DefinitionError as DefinitionError
from vrhub.domain.errors import Problem as Problem
