"""The web application: server-rendered GOV.UK-style pages for the hub's four roles, in the hub's own FastAPI app.

``install(app)`` (:mod:`vrhub.server.web.app`) mounts the static files and the page routers; every page route
takes exactly one ``page_require(Permission.X)`` (:mod:`vrhub.server.web.auth`), the same permission as its API
operation. See docs/web.md.
"""
