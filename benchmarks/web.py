"""Benchmark the web pages on the demo workspace: 20 concurrent browsers reading the board dashboard and the
analyst's profile explorer (its page and its map's GeoJSON), embedded and PostgreSQL, in one run.

For each catalogue backend (embedded: SQLite + DuckDB/Parquet; PostgreSQL: the catalogue in a schema of ``--pg``)
this script:

1. uses the demo workspace given (``--home``, ``--pg-home``), or builds one (``vrhub demo``: about 90 s each);
2. adds a board viewer and an analyst (named on no agreement: the released figures) if they are not there;
3. starts ``vrhub serve`` in a child process on 127.0.0.1 (a free port) and signs both in through the form;
4. asks once for each page (the explorer's profile is built as a job: waited for) so that what follows reads the
   cache, as every visitor after the first does;
5. then 20 concurrent clients (httpx, a semaphore of 20) each fetch every page 10 times (200 requests per page);
6. prints p50 and p95 per page and p95's ratio to the 500 ms goal for cached pages, and stops the server.

Traffic goes to 127.0.0.1 only; every loop is bounded.

Run:  .venv/bin/python benchmarks/web.py [--home DEMO] [--pg-home DEMO_PG] [--pg URL] [--no-pg]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

from vrhub.domain.errors import Conflict
from vrhub.governance.access import accounts
from vrhub.store.workspace import Settings, Workspace

CLIENTS = 20
ROUNDS = 10
GOAL_MS = 500.0
VRHUB = str(Path(sys.executable).with_name("vrhub"))
PASSWORD = "benchmark password 2026"
PAGES = {"board dashboard": ("board", "/board"),
         "analyst explorer": ("analyst", "/analyst/explorer?level=district"),
         "explorer map (GeoJSON)": ("analyst", "/analyst/explorer/map.geojson?level=district")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo(home: Path, db: str | None) -> None:
    cmd = [VRHUB, "--home", str(home), *(["--db", db] if db else []), "demo"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def add_users(home: Path, db: str | None) -> None:
    ws = Workspace.open(Settings.resolve(home, db))
    for name, role in (("bench-board", "board_viewer"), ("bench-analyst", "analyst")):
        with contextlib.suppress(Conflict):
            accounts.create_user(ws.catalogue, name, role, password=PASSWORD)


def sign_in(client: httpx.Client, username: str) -> None:
    form = client.get("/sign-in").text
    token = re.search(r'name="sign_in_token" value="([^"]*)"', form)
    r = client.post("/sign-in", data={"username": username, "password": PASSWORD, "next": "",
                                      "sign_in_token": token.group(1) if token else ""})
    if r.status_code != 303:
        raise RuntimeError(f"{username} could not sign in: {r.status_code} {r.text[:300]}")


def warm(client: httpx.Client, path: str) -> float:
    """Ask until the page is the result (the explorer answers with its job's progress until the profile is built);
    the seconds the first visitor waited."""
    t0 = time.perf_counter()
    for _ in range(600):
        r = client.get(path)
        r.raise_for_status()
        if 'class="app-job"' not in r.text and r.status_code == 200:
            return time.perf_counter() - t0
        time.sleep(0.5)
    raise RuntimeError(f"{path} was not ready after 300 s")


async def measure(base: str, cookies: dict[str, httpx.Cookies]) -> dict[str, list[float]]:
    sem = asyncio.Semaphore(CLIENTS)
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    clients = {user: httpx.AsyncClient(base_url=base, cookies=c, timeout=120) for user, c in cookies.items()}

    async def browser() -> None:
        for _ in range(ROUNDS):
            for name, (user, path) in PAGES.items():
                async with sem:
                    t0 = time.perf_counter()
                    r = await clients[user].get(path)
                    times[name].append(time.perf_counter() - t0)
                    r.raise_for_status()

    await asyncio.gather(*(browser() for _ in range(CLIENTS)))
    for c in clients.values():
        await c.aclose()
    return times


def run(label: str, home: Path, db: str | None) -> list[str]:
    add_users(home, db)
    port = free_port()
    cmd = [VRHUB, "--home", str(home), *(["--db", db] if db else []), "serve",
           "--host", "127.0.0.1", "--port", str(port), "--insecure-cookies"]  # plain HTTP on loopback
    with tempfile.TemporaryDirectory(prefix="vrhub-web-bench-") as tmp:
        log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):  # up to 60 s for the server to start
                try:
                    if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("the server did not start: " + (Path(tmp) / "server.log").read_text())
            cookies, first = {}, {}
            for user in ("board", "analyst"):
                with httpx.Client(base_url=base, follow_redirects=False, timeout=300) as c:
                    sign_in(c, f"bench-{user}")
                    for name, (who, path) in PAGES.items():
                        if who == user:
                            first[name] = warm(c, path)
                    cookies[user] = c.cookies
            times = asyncio.run(measure(base, cookies))
        finally:
            server.terminate()
            server.wait(30)
    lines = []
    for name, ts in times.items():
        ms = sorted(1000 * t for t in ts)
        p50, p95 = statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]
        lines.append(f"{label:<11} {name:<24} first {first[name]:6.1f} s   p50 {p50:6.0f} ms   p95 {p95:6.0f} ms   "
                     f"p95 / {GOAL_MS:.0f} ms goal = {p95 / GOAL_MS:.2f}   ({len(ms)} requests, {CLIENTS} clients)")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, help="a demo workspace (embedded catalogue); built when not given")
    ap.add_argument("--pg-home", type=Path, help="a demo workspace whose catalogue is in --pg; built when not given")
    ap.add_argument("--pg", default=os.environ.get("VRHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--no-pg", action="store_true", help="embedded only")
    args = ap.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Web pages on the demo workspace, {os.cpu_count()} cores, load average at the start {load}", flush=True)
    with tempfile.TemporaryDirectory(prefix="vrhub-web-demo-") as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "demo"
            demo(home, None)
        for line in run("embedded", home, None):
            print(line, flush=True)
        if not args.no_pg:
            with fresh_schema(args.pg, args.pg_home is None) as pg:
                pg_home = args.pg_home
                if pg_home is None:
                    pg_home = Path(tmp) / "demo-pg"
                    demo(pg_home, pg)
                for line in run("PostgreSQL", pg_home, pg):
                    print(line, flush=True)
    print(f"load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


@contextlib.contextmanager
def fresh_schema(url: str, fresh: bool) -> Iterator[str]:
    """``url`` with a new schema of its own as the search path (dropped afterwards), so that a demo built by an
    earlier run, whose lake is gone, is never met again in the catalogue; ``url`` itself when not ``fresh``."""
    if not fresh:
        yield url
        return
    import secrets

    import psycopg

    schema = f"vrhub_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    try:
        yield url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    sys.exit(main())
