"""Governance registers: the partnership, its board, the strategy's strands with board leads, and the action
plans per strand with status and RAG.

Kept as plain files (``partnership.yaml`` and ``actions.csv``) that a partnership edits, and copied into the
catalogue when loaded (``vrhub strategy load``), so every SNA records which version it was built from.
Loading checks everything and reports every problem at once, naming the file, the row or key and what to do.

RAG is derived, never typed by hand (so it cannot drift from the dates): complete → green (done); past its due
date and not complete → red (overdue); status "off track" → red; status "at risk", or due within 30 days and
not started → amber; otherwise green.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from vrhub.domain.errors import RegisterError as RegisterError  # re-exported: the tree is in domain.errors
from vrhub.domain.labels import is_demo_origin

MEMBER_TYPES = ("specified authority", "cooperating body", "convenor", "relevant authority")
STATUSES = ("not started", "on track", "at risk", "off track", "complete")
DUE_SOON_DAYS = 30
ACTION_COLUMNS = ("id", "strand", "action", "owner", "due", "status", "evidence", "updated")


@dataclass(frozen=True)
class Strand:
    key: str
    label: str
    board_lead: str


@dataclass(frozen=True)
class Action:
    id: str
    strand: str
    action: str
    owner: str
    due: dt.date
    status: str
    evidence: str = ""
    updated: dt.date | None = None

    def rag(self, today: dt.date) -> str:
        if self.status == "complete":
            return "green"
        if self.due < today or self.status == "off track":
            return "red"
        if self.status == "at risk" or (self.status == "not started" and (self.due - today).days <= DUE_SOON_DAYS):
            return "amber"
        return "green"

    def overdue(self, today: dt.date) -> bool:
        return self.status != "complete" and self.due < today


@dataclass
class Governance:
    partnership: dict[str, Any]
    members: list[dict[str, str]]
    board: list[dict[str, str]]
    strands: list[Strand]
    actions: list[Action] = field(default_factory=list)
    origin: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True, default=str).encode()).hexdigest()

    def strand(self, key: str) -> Strand | None:
        return next((s for s in self.strands if s.key == key), None)

    @property
    def demo(self) -> bool:
        """Whether this is the shipped Kent and Medway example (the fallback until a partnership loads its own)."""
        return is_demo_origin(self.origin, str(default_files()[0]))

    def to_json(self) -> dict[str, Any]:
        return {"partnership": self.partnership, "members": self.members, "board": self.board,
                "strands": [asdict(s) for s in self.strands], "actions": [asdict(a) for a in self.actions]}

    def status(self, today: dt.date) -> list[dict[str, Any]]:
        """Every action with its RAG and whether it is overdue, worst first."""
        order = {"red": 0, "amber": 1, "green": 2}
        rows = [asdict(a) | {"rag": a.rag(today), "overdue": a.overdue(today),
                              "strand_label": (self.strand(a.strand).label if self.strand(a.strand) else a.strand),
                              "board_lead": (self.strand(a.strand).board_lead if self.strand(a.strand) else "")}
                for a in self.actions]
        return sorted(rows, key=lambda r: (order[r["rag"]], r["due"], r["id"]))


def default_files() -> tuple[Path, Path]:
    base = Path(str(files("vrhub.governance") / "data"))
    return base / "kent_and_medway.yaml", base / "kent_and_medway_actions.csv"


def load_governance(partnership_file: Path | None = None, actions_file: Path | None = None) -> Governance:
    """Load (and check) a partnership YAML and an actions CSV; default: the shipped Kent and Medway register."""
    d_yaml, d_csv = default_files()
    pfile, afile = partnership_file or d_yaml, actions_file or (d_csv if partnership_file is None else None)
    problems: list[str] = []
    try:
        doc = yaml.safe_load(pfile.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RegisterError([f"{pfile}: cannot be read as YAML ({exc})"]) from exc
    gov = _parse_partnership(doc, str(pfile), problems)
    if afile is not None:
        gov.actions = _parse_actions(afile, gov, problems)
    if problems:
        raise RegisterError(problems)
    gov.origin = f"{pfile}" + (f" + {afile}" if afile else "")
    return gov


def _parse_partnership(doc: dict[str, Any], name: str, problems: list[str]) -> Governance:
    p = doc.get("partnership")
    if not isinstance(p, dict) or not p.get("name"):
        problems.append(f"{name}: partnership.name is missing (write partnership: {{name: ...}})")
        p = p if isinstance(p, dict) else {}
    members = doc.get("members") or []
    for i, m in enumerate(members):
        if not isinstance(m, dict) or not m.get("organisation"):
            problems.append(f"{name}: members[{i}].organisation is missing")
        elif m.get("type") not in MEMBER_TYPES:
            problems.append(f"{name}: members[{i}].type '{m.get('type')}' is not one of {', '.join(MEMBER_TYPES)}")
    strands = []
    for i, s in enumerate(doc.get("strands") or []):
        missing = [k for k in ("key", "label", "board_lead") if not (isinstance(s, dict) and s.get(k))]
        if missing:
            problems.append(f"{name}: strands[{i}] lacks {', '.join(missing)}")
        else:
            strands.append(Strand(str(s["key"]), str(s["label"]), str(s["board_lead"])))
    if not strands:
        problems.append(f"{name}: no strands: list the strategy's strands with key, label and board_lead")
    keys = [s.key for s in strands]
    for k in {k for k in keys if keys.count(k) > 1}:
        problems.append(f"{name}: strand key '{k}' appears more than once")
    board = [b for b in (doc.get("board") or []) if isinstance(b, dict)]
    for part, items in (("members", members), ("board", board)):
        for i, item in enumerate(items):
            for k in [k for k, v in item.items() if v is None] if isinstance(item, dict) else []:
                problems.append(f"{name}: {part}[{i}] has '{k}' with no value: in {{...}} quote a value that "
                                f"contains a comma, e.g. office: \"Strand lead, Youth\"")
    return Governance(p, members, board, strands)


def _parse_actions(path: Path, gov: Governance, problems: list[str]) -> list[Action]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        problems.append(f"{path}: cannot be read ({exc})")
        return []
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ACTION_COLUMNS if c not in (reader.fieldnames or []) and c not in ("evidence", "updated")]
    if missing:
        problems.append(f"{path}: missing column(s) {', '.join(missing)}")
        return []
    strand_keys = {s.key for s in gov.strands}
    out, seen = [], set()
    for line, row in enumerate(reader, start=2):
        where = f"{path}, row {line}"
        before = len(problems)
        aid = (row.get("id") or "").strip()
        if not aid:
            problems.append(f"{where}, id: missing")
        elif aid in seen:
            problems.append(f"{where}, id: '{aid}' appears more than once")
        seen.add(aid)
        if row.get("strand") not in strand_keys:
            known = ", ".join(sorted(strand_keys))
            problems.append(f"{where}, strand: '{row.get('strand')}' is not a strand key ({known})")
        status = (row.get("status") or "").strip().lower()
        if status not in STATUSES:
            problems.append(f"{where}, status: '{row.get('status')}' is not one of {', '.join(STATUSES)}")
        due = _date(row.get("due"), f"{where}, due", problems)
        updated = _date(row.get("updated"), f"{where}, updated", problems, required=False)
        for col in ("action", "owner"):
            if not (row.get(col) or "").strip():
                problems.append(f"{where}, {col}: missing")
        if len(problems) == before and due is not None:
            out.append(Action(aid, row["strand"], row["action"].strip(), row["owner"].strip(), due, status,
                              (row.get("evidence") or "").strip(), updated))
    return out


def _date(value: str | None, where: str, problems: list[str], required: bool = True) -> dt.date | None:
    if not value or not value.strip():
        if required:
            problems.append(f"{where}: missing (write YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"{where}: '{value}' is not a date (write YYYY-MM-DD)")
        return None


def save_governance(gov: Governance, folder: Path) -> tuple[Path, Path]:
    """Write the register back to plain files (partnership.yaml, actions.csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    pfile, afile = folder / "partnership.yaml", folder / "actions.csv"
    doc = {"partnership": gov.partnership, "members": gov.members, "board": gov.board,
           "strands": [asdict(s) for s in gov.strands]}
    pfile.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with open(afile, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ACTION_COLUMNS)
        for a in gov.actions:
            w.writerow([a.id, a.strand, a.action, a.owner, a.due.isoformat(), a.status, a.evidence,
                        a.updated.isoformat() if a.updated else ""])
    return pfile, afile
