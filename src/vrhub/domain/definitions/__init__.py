"""The partnership's shared definition of serious violence, as a versioned data file.

The Serious Violence Duty (Police, Crime, Sentencing and Courts Act 2022) makes each partnership agree its
own definition. vrhub holds it in a TOML (or YAML) file that maps each source's categories, offence codes and
flags to serious-violence categories, to the strategy's strands and to the Home Office VRU success measures.
A partnership edits the file, never code. Every output records the definition's name, version and SHA-256
content hash (see :mod:`.canonical`). See docs/methods/serious-violence-definition.md.

Shipped: ``kent_and_medway`` (the default) and ``london_example``.
"""

from .canonical import canonical_json, content_hash
from .capability import Capability, CapabilityReport, SourceCapability, assess_capability
from .errors import DefinitionError, Problem
from .loader import (
    DEFAULT_DEFINITION,
    load_definition,
    load_definition_text,
    shipped_definition_text,
    shipped_definitions,
)
from .model import (
    ANY_CATEGORY,
    SERIOUS_VIOLENCE,
    AgeBand,
    Category,
    Definition,
    Field,
    Measure,
    Membership,
    Predicate,
    Recipe,
    Role,
    Rule,
    Source,
    Strand,
    normalise_category,
    normalise_code,
)

__all__ = [
    "ANY_CATEGORY",
    "DEFAULT_DEFINITION",
    "SERIOUS_VIOLENCE",
    "AgeBand",
    "Capability",
    "CapabilityReport",
    "Category",
    "Definition",
    "DefinitionError",
    "Field",
    "Measure",
    "Membership",
    "Predicate",
    "Problem",
    "Recipe",
    "Role",
    "Rule",
    "Source",
    "SourceCapability",
    "Strand",
    "assess_capability",
    "canonical_json",
    "content_hash",
    "load_definition",
    "load_definition_text",
    "normalise_category",
    "normalise_code",
    "shipped_definition_text",
    "shipped_definitions",
]
