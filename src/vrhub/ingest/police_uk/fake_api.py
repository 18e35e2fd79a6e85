"""A local stand-in for the police.uk API that answers like it, for tests and offline trials (never the internet).

``FakePoliceUk(crimes, stops, ...)`` serves, on 127.0.0.1 and a free port:
``/crime-last-updated``, ``/crimes-street-dates``, ``/forces/<id>``, ``/crimes-street/all-crime`` and
``/outcomes-at-location`` (GET or POST, ``poly`` and ``date``; 503 when the area holds more than ``limit``
crimes, as police.uk does above 10,000), ``/crimes-no-location`` and ``/stops-force``. ``throttle`` answers the
first N requests with 429 and ``Retry-After: 0``. Change ``crimes``, ``months`` or ``updated`` between calls to
play a new release (a republished month). ``requests`` logs every request (path, query).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import shapely
from shapely.geometry import Polygon


class FakePoliceUk:
    def __init__(self, crimes: list[dict], *, stops: list[dict] | None = None, outcomes: list[dict] | None = None,
                 months: list[str] | None = None, force: str = "kent", force_name: str = "Kent Police",
                 limit: int = 10_000, throttle: int = 0, updated: str = "2026-01-29") -> None:
        self.crimes, self.stops, self.outcomes = crimes, stops or [], outcomes or []
        self.months = months or sorted({c["month"] for c in crimes})
        self.force, self.force_name, self.limit = force, force_name, limit
        self.throttle, self.updated = throttle, updated
        self.requests: list[tuple[str, dict]] = []
        self.status = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api"

    def __enter__(self) -> FakePoliceUk:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        with self._lock:
            self.requests.append((path, q))
            if self.throttle > 0:
                self.throttle -= 1
                return 429, {"error": "rate limited"}
        if path == "crime-last-updated":
            return 200, {"date": self.updated}
        if path == "crimes-street-dates":
            return 200, [{"date": m, "stop-and-search": [self.force] if any(
                s["datetime"][:7] == m for s in self.stops) else []} for m in sorted(self.months, reverse=True)]
        if path == f"forces/{self.force}":
            return 200, {"id": self.force, "name": self.force_name}
        month = q.get("date", "")
        if path in ("crimes-street/all-crime", "outcomes-at-location"):
            area = _polygon(q.get("poly", ""))
            pool = self.crimes if path.startswith("crimes") else self.outcomes
            located = [x for x in pool if _month(x, path) == month and _in(x, area, path)]
            if len(located) > self.limit:
                return 503, None
            return 200, located
        if path == "crimes-no-location":
            return 200, [c for c in self.crimes if c["month"] == month and c.get("location") is None]
        if path == "stops-force":
            return 200, [s for s in self.stops if s["datetime"][:7] == month]
        return 404, {"error": "not found"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, query: str) -> None:
                url = urlparse(self.path)
                q = {k: v[-1] for k, v in parse_qs(query or url.query).items()}
                status, body = fake.answer(url.path.removeprefix("/api/"), q)
                fake.status[status] += 1
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._reply("")

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                self._reply(self.rfile.read(n).decode())

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _polygon(poly: str) -> Polygon:
    pts = [tuple(map(float, p.split(","))) for p in poly.split(":") if p]
    return Polygon([(lng, lat) for lat, lng in pts])


def _month(item: dict, path: str) -> str:
    return item["month"] if path.startswith("crimes") else item["date"]


def _in(item: dict, area: Polygon, path: str) -> bool:
    loc = item.get("location") if path.startswith("crimes") else (item.get("crime") or {}).get("location")
    if not loc:
        return False
    return bool(shapely.intersects_xy(area, float(loc["longitude"]), float(loc["latitude"])))


def crime_json(row: dict[str, str], crime_id: int) -> dict:
    """A police.uk CSV street row as the API gives it (the reverse of ``api_rows.street_row``), for the fake."""
    from vrhub.ingest.police_uk.api_rows import CATEGORY_NAMES

    slugs = {v: k for k, v in CATEGORY_NAMES.items()}
    location = None if not row["Longitude"] else {
        "latitude": row["Latitude"], "longitude": row["Longitude"],
        "street": {"id": 1_000_000 + crime_id, "name": row["Location"]}}
    outcome = {"category": row["Last outcome category"], "date": row["Month"]} if row["Last outcome category"] else None
    return {"category": slugs[row["Crime type"]], "location_type": "Force", "location": location,
            "context": row["Context"], "outcome_status": outcome, "persistent_id": row["Crime ID"], "id": crime_id,
            "location_subtype": "", "month": row["Month"]}
