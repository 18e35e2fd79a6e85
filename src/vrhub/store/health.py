"""Whether a workspace can work right now: its catalogue database answers and its lake folder is usable.

Used by the hub's ``/api/health`` (a load balancer or a monitoring check calls it): a hub whose database is down
must not say it is fine. The answers name the part that is down, never a path, a URL or a password.
"""

from __future__ import annotations

import logging
import os

from sqlalchemy import text

from vrhub.store.workspace import Workspace

log = logging.getLogger("vrhub.store.health")


def problems(ws: Workspace) -> list[str]:
    """What stops ``ws`` working now (empty when nothing does); details go to the log, not the answer."""
    found = []
    try:
        with ws.catalogue.engine.connect() as con:
            con.execute(text("SELECT 1"))
    except Exception:
        log.exception("health: the catalogue database does not answer")
        found.append("the catalogue database does not answer")
    lake = ws.lake.root
    if not (lake.is_dir() and os.access(lake, os.R_OK | os.W_OK | os.X_OK)):
        log.error("health: the lake folder %s is missing or not writable", lake)
        found.append("the lake folder is missing or not writable")
    return found
