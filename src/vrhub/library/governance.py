"""The governance verbs of :class:`~vrhub.library.Partnership`: the strategy register, the commissioned services
register, providers' returns and the statements drawn from them (``vrhub.governance``; docs/governance.md,
docs/commissioning.md).

A mixin, so that ``partnership.py`` stays one readable page; it needs only the partnership's workspace (``ws``).
Each verb returns the register objects the governance layer defines; the ``demo`` and ``synthetic`` flags on them
say how every output must be labelled (``vrhub.domain.labels``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vrhub.domain.errors import VrhubError

if TYPE_CHECKING:
    from vrhub.store.workspace import Workspace


class GovernanceVerbs:
    """Strategy, services register, returns and service statements."""

    ws: Workspace

    # --- the strategy ------------------------------------------------------------------------------------------------
    def strategy(self) -> Any:
        """The governance register in force: partnership, board, strands and action plans (the shipped Kent demo
        register, marked ``demo``, until one is loaded)."""
        from vrhub.governance.store import in_force

        return in_force(self.ws)

    def load_strategy(self, partnership: Path, actions: Path | None = None) -> tuple[Any, str, bool]:
        """Check and load a governance register (partnership.yaml, actions.csv): (register, sha256, whether it is
        new)."""
        from vrhub.governance.registers import load_governance
        from vrhub.governance.store import save_to_catalogue

        gov = load_governance(partnership, actions)
        sha, created = save_to_catalogue(self.ws, gov)
        return gov, sha, created

    # --- commissioned services ---------------------------------------------------------------------------------------
    def services(self) -> Any:
        """The services register in force (the shipped demo register, marked ``demo``, until one is imported)."""
        from vrhub.governance.commissioning import register_in_force

        return register_in_force(self.ws)

    def import_services(self, path: Path) -> tuple[Any, str, bool]:
        """Check a services register YAML against the strategy's strands and make it the register in force:
        (register, sha256, whether it is new)."""
        from vrhub.governance.commissioning import load_register, save_register_version

        reg = load_register(path, {s.key for s in self.strategy().strands})
        sha, created = save_register_version(self.ws, reg)
        return reg, sha, created

    def add_service(self, item: dict[str, Any]) -> tuple[Any, str]:
        """Add one service (a register entry as JSON: key, name, providers, funding, ...) to the register in force,
        saved as a new version: (register, sha256)."""
        from vrhub.governance.commissioning import add_service, register_from_json, save_register_version

        new = register_from_json({"services": [item]}, "vrhub services add", {s.key for s in self.strategy().strands})
        reg = add_service(self.services(), new.services[0])
        reg.origin = f"{reg.origin} + vrhub services add {item['key']}"
        sha, _ = save_register_version(self.ws, reg)
        return reg, sha

    def load_returns(self, path: Path) -> tuple[Any, str, bool]:
        """Read providers' returns against the register in force (every row accepted or set aside with reasons)
        and save them; the same file twice changes nothing: (the load, sha256, whether it is new)."""
        from vrhub.governance.returns import read_returns, save_returns

        reg = self.services()
        load = read_returns(path, reg)
        sha, created = save_returns(self.ws, load, reg.sha256)
        return load, sha, created

    def service_report(self, service: str, window: tuple[dt.date, dt.date] | None = None
                       ) -> tuple[Any, Any, dict[str, Any]]:
        """Plain statements of what ``service`` (key or name) delivered in ``window``, each with the returns rows
        it came from (``governance.statements.service_report``): (the service, the report, its labels: ``demo``
        when the register is the shipped one, ``synthetic`` when any row behind a statement is)."""
        from vrhub.governance.returns import returns_in_force
        from vrhub.governance.statements import service_report

        reg = self.services()
        svc = reg.service(service)
        if svc is None:
            raise VrhubError(f"no service {service!r} in the register", "see the keys with: vrhub services list")
        returns = returns_in_force(self.ws, svc.key)
        rep = service_report(returns, svc.key, window)
        used = {(Path(f).name, r) for s in rep.statements for f, r in s.sources}
        synthetic = any(r.synthetic for r in returns if (Path(r.source_file).name, r.row) in used)
        return svc, rep, {"demo": reg.demo, "synthetic": synthetic, "what": "services register"}

    def service_outcomes(self, service: str, *, release: bool = False, value_options: dict[str, Any] | None = None,
                         on_step: Any = None) -> Any:
        """One service's outputs (its returns' statements), the evaluation of each loaded outcome in its districts
        from its contract start (``evaluate("did")``) and its value-for-money sheet (``value``), exact or released
        (``library.service_outcomes.service_outcomes``)."""
        from vrhub.library.service_outcomes import service_outcomes

        return service_outcomes(self, service, release=release, value_options=value_options,  # type: ignore[arg-type]
                                on_step=on_step)
