"""Keep governance register versions in the catalogue; the newest loaded is the one in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from sqlalchemy import select

from vrhub.governance.registers import Action, Governance, Strand, load_governance
from vrhub.store.catalogue.models import GovernanceVersion
from vrhub.store.workspace import Workspace


def save_to_catalogue(ws: Workspace, gov: Governance) -> tuple[str, bool]:
    """Record ``gov``; returns (sha256, created). Loading the same content again creates nothing."""
    sha = gov.sha256
    with ws.catalogue.session() as s:
        if s.scalar(select(GovernanceVersion).where(GovernanceVersion.sha256 == sha)) is not None:
            return sha, False
        s.add(GovernanceVersion(sha256=sha, origin=gov.origin, content=_jsonable(gov.to_json())))
    return sha, True


def in_force(ws: Workspace) -> Governance:
    """The newest register loaded into the workspace, or the shipped Kent and Medway default."""
    with ws.catalogue.session() as s:
        row = s.scalar(select(GovernanceVersion).order_by(GovernanceVersion.loaded_at.desc(),
                                                          GovernanceVersion.id.desc()))
        if row is None:
            return load_governance()
        content, origin = dict(row.content), row.origin
    names = {f.name for f in fields(Action)}
    actions = [Action(**{k: v for k, v in a.items() if k in names} | {
        "due": dt.date.fromisoformat(a["due"]),
        "updated": dt.date.fromisoformat(a["updated"]) if a.get("updated") else None}) for a in content["actions"]]
    return Governance(content["partnership"], content["members"], content["board"],
                      [Strand(**s) for s in content["strands"]], actions, origin)


def _jsonable(obj):  # type: ignore[no-untyped-def]
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj
