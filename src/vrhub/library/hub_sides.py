"""The hub's sides of :class:`~vrhub.library.Partnership`: what each signed-in user of the data-sharing hub reaches,
one object per side, each auditing what it reads and changes (docs/hub.md).

A mixin, so that ``partnership.py`` stays one readable page; it needs only the partnership's workspace (``ws``).
The JSON API, the web pages and ``vrhub hub ...`` call these, never ``vrhub.governance.access`` directly. Each
side is imported when first asked for (SQLAlchemy, DuckDB and Arrow are not loaded by ``import vrhub.library``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vrhub.library.administration import Actor, Administration
    from vrhub.library.registers import Registers
    from vrhub.library.sharing import Sharing
    from vrhub.library.viewer import Viewer
    from vrhub.store.catalogue.models import User
    from vrhub.store.workspace import Workspace


class HubSides:
    """A partner's sharing, any user's reading, the administrator's side, the registers' editor."""

    ws: Workspace

    def sharing(self, user: User, **options: Any) -> Sharing:
        """A partner uploader's side of the hub: upload under an agreement, load reports, quarantine, withdraw,
        the audit trail of the organisation's data (``library.sharing``)."""
        from vrhub.library.sharing import Sharing

        return Sharing(self.ws, user, **options)

    def viewer(self, user: User, **options: Any) -> Viewer:
        """Any signed-in user's reading of the hub's data, as the JSON API serves it: visible dataset versions,
        quarantines, the organisation's uploads, the audit log (``library.viewer``)."""
        from vrhub.library.viewer import Viewer

        return Viewer(self.ws, user, **options)

    def administration(self, user: Actor, **options: Any) -> Administration:
        """The administrator's side: organisations, users, agreements, tokens, audit, purge preview
        (``library.administration``)."""
        from vrhub.library.administration import Administration

        return Administration(self.ws, user, **options)

    def registers(self, user: User, **options: Any) -> Registers:
        """The action plans and the services register, edited an entry at a time (``library.registers``)."""
        from vrhub.library.registers import Registers

        return Registers(self.ws, user, **options)

