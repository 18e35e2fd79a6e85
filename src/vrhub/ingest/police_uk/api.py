"""A polite client of the police.uk API (https://data.police.uk/docs/): rate-limited, retried with back-off.

police.uk allows 15 requests a second (a burst of 30) and answers 429 when a client goes faster; this client
keeps under the limit (pyrate-limiter) and retries 429 and 5xx answers with exponential back-off, honouring
``Retry-After`` (urllib3's ``Retry``). One answer is not an error but a signal: a crimes-by-area request whose area
holds more than 10,000 crimes gets 503, raised here as ``TooManyCrimes`` so the caller can split the area.

The seam to the outside world is ``PoliceUkApi.get``; tests point ``base_url`` at a local fake
(``vrhub.ingest.police_uk.fake_api``), never at the internet.
"""

from __future__ import annotations

import json
from typing import Any

import urllib3
from pyrate_limiter import Duration, Limiter, Rate
from urllib3.util.retry import Retry

from vrhub.domain.errors import FetchError as FetchError  # re-exported: the tree is in domain.errors

BASE_URL = "https://data.police.uk/api"
USER_AGENT = "vrhub (https://github.com/vrhub; Violence Reduction Unit data platform)"
RATE_PER_SECOND = 15  # data.police.uk/docs/api-call-limits/


class TooManyCrimes(Exception):
    """police.uk refused an area with more than 10,000 crimes (HTTP 503): split the area and ask again."""


class PoliceUkApi:
    """``get(path, **params)`` → decoded JSON; ``post`` for long polygons. Counts its requests."""

    def __init__(self, base_url: str = BASE_URL, *, rate: float = RATE_PER_SECOND, retries: int = 6,
                 backoff: float = 1.0, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.requests = 0
        self.retried = 0
        self._limiter = Limiter(Rate(max(int(rate), 1), Duration.SECOND))
        self._retry = Retry(total=retries, backoff_factor=backoff, backoff_max=60,
                            status_forcelist=(429, 500, 502, 504), allowed_methods=None,
                            respect_retry_after_header=True, raise_on_status=False)
        self._http = urllib3.PoolManager(headers={"User-Agent": USER_AGENT}, timeout=timeout)

    def get(self, path: str, *, area_query: bool = False, **params: str) -> Any:
        return self._call("GET", path, params, area_query)

    def post(self, path: str, *, area_query: bool = False, **params: str) -> Any:
        return self._call("POST", path, params, area_query)

    def _call(self, method: str, path: str, params: dict[str, str], area_query: bool) -> Any:
        url = f"{self.base_url}/{path.lstrip('/')}"
        retry = self._retry if area_query else self._retry.new(status_forcelist=(429, 500, 502, 503, 504))
        self._limiter.try_acquire("police.uk")
        self.requests += 1
        try:
            if method == "GET":
                r = self._http.request("GET", url, fields=params, retries=retry)
            else:
                r = self._http.request_encode_body("POST", url, fields=params, encode_multipart=False,
                                                   retries=retry)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"police.uk could not be reached at {url} ({exc})",
                             "check the internet connection (or --base-url), then run the same command again: "
                             "months already fetched are kept") from exc
        history = getattr(r, "retries", None)
        self.retried += len(history.history) if history is not None else 0
        if r.status == 503 and area_query:
            raise TooManyCrimes(path)
        if r.status != 200:
            raise FetchError(f"police.uk answered {r.status} to {method} {url} after retries",
                             "wait a while and run the same command again: months already fetched are kept")
        try:
            return json.loads(r.data or b"null")
        except json.JSONDecodeError as exc:
            raise FetchError(f"police.uk's answer to {url} is not JSON ({exc})", "run the command again later") from exc
