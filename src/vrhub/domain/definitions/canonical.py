"""The content hash of a definition.

The hash is SHA-256 of the *canonical form of the parsed content*: the parsed TOML/YAML document serialised
as JSON with keys sorted, no insignificant whitespace, UTF-8, and dates/times written in ISO 8601. So:

- comments, blank lines, indentation, key order, quoting style and TOML-versus-YAML do **not** change it;
- any change of a value (a code added to a rule, a version bumped, a label reworded) **does**.

Two files with the same hash classify every record the same way.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any


def _default(value: Any) -> str:
    if isinstance(value, _dt.date | _dt.time | _dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot put a {type(value).__name__} into a definition's canonical form")


def canonical_json(content: Mapping[str, Any]) -> str:
    """The canonical JSON text of parsed definition content."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
