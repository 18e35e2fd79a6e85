"""The page routers, one per role plus sign-in and the role homes (``install`` includes each of them)."""

from __future__ import annotations

from vrhub.server.web.pages import admin, analyst, board, home, partner, services

#: every page router, in the order they are included
PAGE_ROUTERS = (home.router, board.router, partner.router, analyst.router, services.router, admin.router)
