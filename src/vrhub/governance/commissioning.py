"""The commissioning register: the services a VRU and Police and Crime Commissioner (PCC) commission, who
delivers them, for whom, where, with which money, until when, and on what evidence.

Kept as a plain YAML file that commissioners edit (``services: [...]``, see ``data/kent_services.yaml``) and
copied into the catalogue as versions when loaded (``vrhub services import``); the newest version is in force.
Loading checks everything and reports every problem at once, naming the file, the service and the field.

A figure the source does not give is written as the literal text ``not stated in the source``: it loads as
``None`` and the field is listed in :attr:`Service.not_stated`, so nothing is guessed silently.

Evidence follows the two UK toolkits commissioners use: the Youth Endowment Fund Toolkit (approach and impact
band: high ≥ 30% less violence, moderate 10–30%, low 2–9%, or insufficient evidence;
youthendowmentfund.org.uk/toolkit) and the College of Policing Crime Reduction Toolkit (EMMIE summaries;
college.police.uk/research/crime-reduction-toolkit).

Alerts (:func:`alerts`) follow the commissioning cycle: a contract ending within the horizon (default
180 days, time to re-procure or extend), one already ended, and an extension decision due (its date within
the horizon, or not recorded for a contract that can be extended and ends within the horizon).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from vrhub.domain.errors import CommissioningError as CommissioningError  # re-exported: the tree is in domain.errors
from vrhub.domain.errors import ValueInputError
from vrhub.domain.labels import is_demo_origin
from vrhub.domain.periods import financial_year
from vrhub.store.catalogue.models import CommissioningVersion
from vrhub.store.workspace import Workspace

NOT_STATED = "not stated in the source"
FUNDING_SOURCES = ("VRU grant", "PCC commissioning budget", "co-commissioning", NOT_STATED)
DELIVERY_MODELS = ("prevention", "protective")
YEF_BANDS = ("high", "moderate", "low", "insufficient evidence")
DEFAULT_HORIZON_DAYS = 180
YEF_TOOLKIT = "Youth Endowment Fund Toolkit (youthendowmentfund.org.uk/toolkit)"
CRT_TOOLKIT = "College of Policing Crime Reduction Toolkit (college.police.uk/research/crime-reduction-toolkit)"


@dataclass(frozen=True)
class Provider:
    name: str
    topics: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class FundingLine:
    """Money for a service: its source, amount (£, cash) and financial year; ``None`` where not stated."""

    source: str
    amount: float | None
    financial_year: str | None
    note: str = ""


@dataclass(frozen=True)
class Evidence:
    """Where the service's approach sits in the evidence: a YEF Toolkit approach and band and/or a College of
    Policing Crime Reduction Toolkit entry. ``fit`` says who judged that the approach matches the service."""

    yef_approach: str | None = None
    yef_band: str | None = None
    crime_reduction_toolkit: str | None = None
    fit: str = ""
    note: str = ""

    def planning_prior_key(self) -> str | None:
        """The key of the :func:`vrhub.analysis.value.yef_prior` that matches (approach first, then band)."""
        if self.yef_approach and self.yef_approach.lower() == "mentoring":
            return "mentoring"
        return self.yef_band if self.yef_band in ("high", "moderate", "low") else None


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    providers: tuple[Provider, ...]
    description: str = ""
    target_age_min: int | None = None
    target_age_max: int | None = None
    districts: tuple[str, ...] = ()
    district_count: int | None = None
    strand: str | None = None
    delivery_models: tuple[str, ...] = ()
    funding: tuple[FundingLine, ...] = ()
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    extension_options: str | None = None
    extension_decision_due: dt.date | None = None
    evidence: tuple[Evidence, ...] = ()
    source: str = ""
    notes: tuple[str, ...] = ()
    not_stated: tuple[str, ...] = ()

    @property
    def total_funding(self) -> float | None:
        """Sum of the stated amounts (cash, as in the source; not rebased to one price year)."""
        amounts = [f.amount for f in self.funding if f.amount is not None]
        return sum(amounts) if amounts else None

    def provider_names(self) -> list[str]:
        return [p.name for p in self.providers]

    def ages(self) -> str:
        if self.target_age_min is None and self.target_age_max is None:
            return NOT_STATED
        if self.target_age_min is None:
            return f"up to {self.target_age_max}"
        if self.target_age_max is None:
            return f"{self.target_age_min} and over"
        return f"{self.target_age_min}–{self.target_age_max}"


@dataclass
class Register:
    services: list[Service]
    origin: str = ""
    name: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True, default=str).encode()).hexdigest()

    @property
    def demo(self) -> bool:
        """Whether this is (or was built on) the shipped Kent and Medway example register."""
        return is_demo_origin(self.origin, str(default_file()))

    def service(self, key_or_name: str) -> Service | None:
        want = key_or_name.strip().lower()
        return next((s for s in self.services if want in (s.key.lower(), s.name.lower())), None)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "services": [service_to_json(s) for s in self.services]}


@dataclass(frozen=True)
class Alert:
    kind: str  # contract_ending | contract_ended | extension_decision_due
    service: str
    service_name: str
    date: dt.date | None
    days: int | None
    message: str


def default_file() -> Path:
    return Path(str(files("vrhub.governance") / "data" / "kent_services.yaml"))


def load_register(path: Path | None = None, strand_keys: set[str] | None = None) -> Register:
    """Load (and check) a services register YAML; default: the shipped Kent and Medway demo register.
    With ``strand_keys`` (the strategy's strands), each service's strand must be one of them."""
    path = path or default_file()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CommissioningError([f"{path}: cannot be read as YAML ({exc})"]) from exc
    return register_from_json(doc, str(path), strand_keys)


def register_from_json(doc: dict[str, Any], origin: str, strand_keys: set[str] | None = None) -> Register:
    """Build a register from its JSON/YAML form, checking every field; raises with every problem found."""
    problems: list[str] = []
    items = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise CommissioningError([f"{origin}: no services: write services: followed by a list of services"])
    services = [s for i, item in enumerate(items) if (s := _parse_service(item, f"{origin}: services[{i}]",
                                                                        problems, strand_keys))]
    keys = [str(i.get("key") or "").strip() for i in items if isinstance(i, dict) and i.get("key")]
    for k in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"{origin}: service key '{k}' appears more than once")
    if problems:
        raise CommissioningError(problems)
    return Register(services, origin, str(doc.get("name") or ""))


def _parse_service(item: Any, where: str, problems: list[str], strand_keys: set[str] | None) -> Service | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: is not a mapping of field: value")
        return None
    before = len(problems)
    key, name = str(item.get("key") or "").strip(), str(item.get("name") or "").strip()
    where = f"{where} ({key or name or '?'})"
    for f, v in (("key", key), ("name", name)):
        if not v:
            problems.append(f"{where}, {f}: missing")
    not_stated: list[str] = []

    def stated(f: str) -> Any:
        v = item.get(f)
        if isinstance(v, str) and v.strip().lower() == NOT_STATED:
            not_stated.append(f)
            return None
        return v

    providers = []
    for i, p in enumerate(item.get("providers") or []):
        p = {"name": p} if isinstance(p, str) else p
        if not isinstance(p, dict) or not str(p.get("name") or "").strip():
            problems.append(f"{where}, providers[{i}].name: missing")
            continue
        providers.append(Provider(str(p["name"]).strip(), tuple(str(t) for t in p.get("topics") or ()),
                                  str(p.get("note") or "")))
    if not providers:
        problems.append(f"{where}, providers: none listed (write providers: [{{name: ..., topics: [...]}}])")
    ages = [_int(stated(f), f"{where}, {f}", problems) for f in ("target_age_min", "target_age_max")]
    if None not in ages and ages[0] > ages[1]:  # type: ignore[operator]
        problems.append(f"{where}, target ages: min {ages[0]} is above max {ages[1]}")
    districts = stated("districts")
    if districts is not None and not isinstance(districts, list):
        problems.append(f"{where}, districts: write a list, e.g. [Medway, Swale]")
        districts = []
    strand = stated("strand")
    if strand is not None and strand_keys is not None and strand not in strand_keys:
        problems.append(f"{where}, strand: '{strand}' is not a strand key ({', '.join(sorted(strand_keys))})")
    models = stated("delivery_models") or []
    for m in models if isinstance(models, list) else [models]:
        if m not in DELIVERY_MODELS:
            problems.append(f"{where}, delivery_models: '{m}' is not one of {', '.join(DELIVERY_MODELS)}")
    funding = [fl for i, f in enumerate(item.get("funding") or [])
               if (fl := _funding(f, f"{where}, funding[{i}]", problems))]
    start = _date(stated("contract_start"), f"{where}, contract_start", problems)
    end = _date(stated("contract_end"), f"{where}, contract_end", problems)
    if start and end and end < start:
        problems.append(f"{where}, contract_end: {end} is before contract_start {start}")
    decision = _date(stated("extension_decision_due"), f"{where}, extension_decision_due", problems)
    evidence = [ev for i, e in enumerate(item.get("evidence") or [])
                if (ev := _evidence(e, f"{where}, evidence[{i}]", problems))]
    known = set(Service.__dataclass_fields__)
    for k in sorted(set(item) - known):
        problems.append(f"{where}: unknown field '{k}' (known: {', '.join(sorted(known))})")
    if len(problems) > before:
        return None
    ext = stated("extension_options")
    return Service(
        key=key, name=name, providers=tuple(providers), description=str(item.get("description") or "").strip(),
        target_age_min=ages[0], target_age_max=ages[1], districts=tuple(str(d) for d in districts or ()),
        district_count=_int(stated("district_count"), f"{where}, district_count", problems),
        strand=strand, delivery_models=tuple(models if isinstance(models, list) else [models]),
        funding=tuple(funding), contract_start=start, contract_end=end,
        extension_options=str(ext) if ext else None, extension_decision_due=decision, evidence=tuple(evidence),
        source=str(item.get("source") or ""), notes=tuple(str(n) for n in item.get("notes") or ()),
        not_stated=tuple(not_stated) + tuple(item.get("not_stated") or ()),
    )


def _funding(f: Any, where: str, problems: list[str]) -> FundingLine | None:
    if not isinstance(f, dict):
        problems.append(f"{where}: write {{source: ..., amount: ..., financial_year: ...}}")
        return None
    source = str(f.get("source") or "")
    if source not in FUNDING_SOURCES:
        problems.append(f"{where}.source: '{source}' is not one of {', '.join(FUNDING_SOURCES)}")
    amount = f.get("amount")
    if isinstance(amount, str) and amount.strip().lower() == NOT_STATED:
        amount = None
    elif not isinstance(amount, int | float) or isinstance(amount, bool) or amount < 0:
        problems.append(f"{where}.amount: '{amount}' is not an amount in pounds (write 75000 or "
                        f"'{NOT_STATED}')")
        amount = None
    fy = f.get("financial_year")
    if isinstance(fy, str) and fy.strip().lower() == NOT_STATED:
        fy = None
    elif fy is not None:
        try:
            fy = financial_year(str(fy))
        except ValueInputError as exc:
            problems.append(f"{where}.financial_year: {exc.message} ({exc.hint})")
            fy = None
    return FundingLine(source, float(amount) if amount is not None else None, fy, str(f.get("note") or ""))


def _evidence(e: Any, where: str, problems: list[str]) -> Evidence | None:
    if not isinstance(e, dict):
        problems.append(f"{where}: write {{yef_approach: ..., yef_band: ..., crime_reduction_toolkit: ...}}")
        return None
    band = e.get("yef_band")
    if band is not None and band not in YEF_BANDS:
        problems.append(f"{where}.yef_band: '{band}' is not one of {', '.join(YEF_BANDS)}")
    if not (e.get("yef_approach") or e.get("crime_reduction_toolkit")):
        problems.append(f"{where}: name a yef_approach or a crime_reduction_toolkit entry")
    return Evidence(e.get("yef_approach"), band, e.get("crime_reduction_toolkit"), str(e.get("fit") or ""),
                    str(e.get("note") or ""))


def _int(v: Any, where: str, problems: list[str]) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        problems.append(f"{where}: '{v}' is not a whole number (or write '{NOT_STATED}')")
        return None
    return v


def _date(v: Any, where: str, problems: list[str]) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        problems.append(f"{where}: '{v}' is not a date (write YYYY-MM-DD or '{NOT_STATED}')")
        return None


def service_to_json(s: Service) -> dict[str, Any]:
    """The YAML/JSON form of a service (dates as ISO text, unstated figures as ``not stated in the source``)."""
    d = asdict(s)
    for k in ("contract_start", "contract_end", "extension_decision_due"):
        d[k] = d[k].isoformat() if d[k] else None
    for k in s.not_stated:
        if k in d and d[k] in (None, [], ()):
            d[k] = NOT_STATED
    d["not_stated"] = [k for k in s.not_stated if k not in d or d[k] != NOT_STATED]
    for f in d["funding"]:
        f["amount"] = NOT_STATED if f["amount"] is None else f["amount"]
        f["financial_year"] = f["financial_year"] or NOT_STATED
    return {k: _plain(v) for k, v in d.items() if v not in (None, "", [], ()) or k in ("key", "name")}


def _plain(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items() if x not in (None, "", [], ())}
    return int(v) if isinstance(v, float) and v.is_integer() else v


def save_register(register: Register, path: Path) -> Path:
    """Write the register as YAML (the same form :func:`load_register` reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(register.to_json(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def alerts(register: Register, today: dt.date, horizon_days: int = DEFAULT_HORIZON_DAYS) -> list[Alert]:
    """Contracts ending within ``horizon_days`` of ``today`` (or already ended) and extension decisions due,
    soonest first."""
    out: list[Alert] = []
    for s in register.services:
        end = s.contract_end
        if end is not None:
            days = (end - today).days
            if 0 <= days <= horizon_days:
                ext = f" ({s.extension_options})" if s.extension_options else " (no extension option recorded)"
                out.append(Alert("contract_ending", s.key, s.name, end, days,
                                 f"{s.name}: contract ends {end:%d %B %Y}, in {days} days{ext}"))
            elif days < 0 and days >= -horizon_days:
                out.append(Alert("contract_ended", s.key, s.name, end, days,
                                 f"{s.name}: contract ended {end:%d %B %Y} ({-days} days ago): record the "
                                 "extension or the new contract"))
        if s.extension_options:
            due = s.extension_decision_due
            if due is not None and (due - today).days <= horizon_days and (end is None or end >= today):
                d = (due - today).days
                when = f"due {due:%d %B %Y} ({d} days)" if d >= 0 else f"was due {due:%d %B %Y} ({-d} days ago)"
                out.append(Alert("extension_decision_due", s.key, s.name, due, d,
                                 f"{s.name}: extension decision {when}"))
            elif due is None and end is not None and 0 <= (end - today).days <= horizon_days:
                out.append(Alert("extension_decision_due", s.key, s.name, None, None,
                                 f"{s.name}: decide whether to extend before {end:%d %B %Y} "
                                 "(no decision date recorded)"))
    return sorted(out, key=lambda a: (a.date or dt.date.max, a.kind, a.service))


def save_register_version(ws: Workspace, register: Register) -> tuple[str, bool]:
    """Record ``register`` in the catalogue; returns (sha256, created). The same content again creates nothing."""
    sha = register.sha256
    with ws.catalogue.session() as s:
        if s.scalar(select(CommissioningVersion).where(CommissioningVersion.sha256 == sha)) is not None:
            return sha, False
        s.add(CommissioningVersion(sha256=sha, origin=register.origin, content=register.to_json()))
    return sha, True


def register_in_force(ws: Workspace) -> Register:
    """The newest register loaded into the workspace, or the shipped Kent and Medway demo register."""
    with ws.catalogue.session() as s:
        row = s.scalar(select(CommissioningVersion).order_by(CommissioningVersion.loaded_at.desc(),
                                                             CommissioningVersion.id.desc()))
        if row is None:
            return load_register()
        content, origin = dict(row.content), row.origin
    return register_from_json(content, origin)


def add_service(register: Register, service: Service) -> Register:
    """A new register with ``service`` added (its key must be new)."""
    if register.service(service.key) is not None:
        raise CommissioningError([f"service key '{service.key}' is already in the register"])
    return Register([*register.services, service], register.origin, register.name)


__all__ = [
    "CRT_TOOLKIT",
    "DEFAULT_HORIZON_DAYS",
    "NOT_STATED",
    "YEF_TOOLKIT",
    "Alert",
    "CommissioningError",
    "Evidence",
    "FundingLine",
    "Provider",
    "Register",
    "Service",
    "add_service",
    "alerts",
    "default_file",
    "load_register",
    "register_from_json",
    "register_in_force",
    "save_register",
    "save_register_version",
    "service_to_json",
]

