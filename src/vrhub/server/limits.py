"""Every request body is limited before it is parsed (the upload route has its own, larger limit).

A declared ``Content-Length`` over the limit is answered 413 at once, without reading the body; a body sent
without one (chunked) is cut off with 413 as soon as it passes the limit, so at most ``limit`` bytes of it are ever
held. Starlette's ``RequestBodyLimitMiddleware`` (FastAPI's ``max_body_size``) does the same but answers a declared
oversize body in plain text, past the app's error handler; the hub's errors are all JSON
(``vrhub.server.errors``), so this small ASGI middleware is the hub's own. OWASP's REST Security Cheat Sheet
("Input validation": reject request bodies over a size limit with 413) is the rule it follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from vrhub.server.errors import error_body

Scope = dict[str, Any]

TOO_LARGE = "the request body is larger than the hub accepts ({limit:,} bytes)"
WHAT_TO_DO = "send a smaller body (a file to load goes as the body of POST /api/uploads, which has its own limit)"


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit`` bytes, unless ``exempt(scope)``."""

    def __init__(self, app: Any, limit: int, exempt: Callable[[Scope], bool]) -> None:
        self.app, self.limit, self.exempt = app, limit, exempt

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.exempt(scope):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            body = error_body(413, TOO_LARGE.format(limit=self.limit), WHAT_TO_DO)
            await JSONResponse(body, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:  # raised inside the route's body reading: the error handler answers JSON
                    raise HTTPException(413, {"message": TOO_LARGE.format(limit=self.limit), "what_to_do": WHAT_TO_DO})
            return message

        await self.app(scope, limited, send)


#: the routes that take a file (the API's, and the partner's upload page): limited by ``max_upload_bytes`` instead
UPLOAD_PATHS = ("/api/uploads", "/partner/upload")


def is_upload(scope: Scope) -> bool:
    """An upload route, which streams its body to disk under ``max_upload_bytes``."""
    return scope.get("method") == "POST" and scope.get("path") in UPLOAD_PATHS
