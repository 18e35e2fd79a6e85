"""Read a definition file (TOML preferred, YAML accepted) or one shipped with vrhub."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .build import build_definition
from .errors import DefinitionError, Problem
from .model import Definition

#: The definition used when none is named: Kent and Medway's (the shipped default; never assumed in code).
DEFAULT_DEFINITION = "kent_and_medway"
_PACKAGE = "vrhub.domain.definitions"


def shipped_definitions() -> list[str]:
    """Names of the definition files shipped with vrhub (load them with :func:`load_definition`)."""
    return sorted(
        p.name.removesuffix(".toml")
        for p in resources.files(_PACKAGE).iterdir()
        if p.name.endswith(".toml")
    )


def parse_text(text: str, origin: str, fmt: str = "toml") -> dict[str, Any]:
    """Parse definition text; a syntax error becomes a :class:`DefinitionError` naming the file and line."""
    try:
        if fmt == "toml":
            return tomllib.loads(text)
        data = yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise DefinitionError(
            f"the definition {origin} cannot be read",
            hint="correct the syntax at the place shown (a missing quote, bracket or = is the usual cause)",
            problems=[Problem(origin, "", f"{fmt.upper()} syntax error: {exc}")],
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError(
            f"the definition {origin} is not a table of keys",
            hint="start the file with schema = 1 and a [definition] table",
        )
    return data


def load_definition_text(text: str, origin: str = "<text>", fmt: str = "toml") -> Definition:
    """Validate and build a definition from its text (``fmt`` is ``toml`` or ``yaml``)."""
    return build_definition(parse_text(text, origin, fmt), origin)


def load_definition(name_or_path: str | Path = DEFAULT_DEFINITION) -> Definition:
    """Load a shipped definition by name (e.g. ``"kent_and_medway"``, ``"london_example"``) or a file by path.

    Raises :class:`DefinitionError` listing every problem found, each with the file, the key path and what to do.
    """
    path = Path(name_or_path)
    if isinstance(name_or_path, Path) or path.suffix.lower() in (".toml", ".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise DefinitionError(
                f"the definition file {path} does not exist",
                hint="check the path, or name a shipped definition: " + ", ".join(shipped_definitions()),
            )
        fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "toml"
        return load_definition_text(path.read_text(encoding="utf-8"), str(path), fmt)
    name = str(name_or_path).replace("-", "_")
    if name not in shipped_definitions():
        raise DefinitionError(
            f"there is no shipped definition called '{name_or_path}'",
            hint="use one of: " + ", ".join(shipped_definitions()) + "; or give the path of your own .toml file",
        )
    text = resources.files(_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return load_definition_text(text, f"vrhub:{name}.toml", "toml")


def shipped_definition_text(name: str = DEFAULT_DEFINITION) -> str:
    """The text of a shipped definition: copy it to start a partnership's own file."""
    return resources.files(_PACKAGE).joinpath(f"{name.replace('-', '_')}.toml").read_text(encoding="utf-8")
