"""Benchmark the data-sharing hub over loopback HTTP: concurrent partner uploads and concurrent profile readers.

For each catalogue backend (embedded: SQLite + DuckDB/Parquet in the workspace; PostgreSQL: the same lake, the
catalogue in a fresh schema of ``--pg``) this script:

1. makes a workspace with the shipped Kent boundaries and IMD 2019, an organisation, an agreement, a partner
   uploader and a board viewer (API tokens);
2. starts ``vrhub serve`` in a child process on 127.0.0.1 (a free port);
3. sends 20 uploads at once, each one month of real police.uk street crime for Kent (the five shipped months,
   each made distinct by its force name: about 15,000 rows and 3 MB per upload);
4. then 50 concurrent readers each fetch the district profile 4 times (200 requests; the first builds it, the
   rest read the cached build of the same data versions), as a board viewer (released version);
5. then 20 more uploads (other force names) at once while 20 readers each fetch the district profile again and again
   until the uploads are done (every upload changes the data versions, so a profile is rebuilt after each);
6. prints throughput and p50/p99 latency of the phases (p95 of the reads under upload load), and stops the server.

Traffic goes to 127.0.0.1 only, and every loop is bounded (20 uploads, 200 reads, 10-minute client timeout).

Run:  .venv/bin/python benchmarks/hub.py [--pg postgresql://postgres@127.0.0.1:5432/test] [--no-pg]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import httpx2

from vrhub.data import kent
from vrhub.governance.access import accounts, agreements
from vrhub.ingest.geography import load_geography
from vrhub.store.workspace import Settings, Workspace

UPLOADS = 20
READERS = 50
READS_EACH = 4
KENT = kent()


MIXED_READERS = 20


def month_files(first: int = 0) -> list[tuple[str, bytes]]:
    """20 distinct one-month street files: the five Kent months, each with four force names (from ``first``)."""
    with zipfile.ZipFile(KENT / "police-uk" / "kent-street-2018-10_2019-02.zip") as zf:
        months = [(Path(n).name, zf.read(n)) for n in sorted(zf.namelist()) if n.endswith(".csv")]
    out = []
    for i in range(first, first + UPLOADS):
        name, data = months[i % len(months)]
        force = f"Kent Police {i // len(months) + 1}".encode()
        out.append((name.replace("kent", f"kent{i}"), data.replace(b"Kent Police", force)))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def prepare(home: Path, db: str | None) -> dict[str, str]:
    ws = Workspace.open(Settings.resolve(home, db, environ={}))
    geo = load_geography(ws, [KENT / "boundaries", KENT / "imd2019"])
    assert all(r.ok for r in geo), [r.error for r in geo if r.error]
    cat = ws.catalogue
    accounts.create_organisation(cat, "Kent Police", "police")
    accounts.create_user(cat, "kp-robot", "partner_uploader", organisation_name="Kent Police")
    accounts.create_user(cat, "board", "board_viewer")
    agreements.create_agreement(cat, "Kent Police street crime", organisation_name="Kent Police",
                                kinds=["police_uk_street"], purpose="benchmark", lawful_basis="Art. 6(1)(e)",
                                retention_days=365, start=dt.date(2018, 1, 1),
                                # the renamed forces of month_files(): an upload may hold only rows it supplies
                                supplies_for=[f"Kent Police {i}" for i in range(1, 2 * UPLOADS // 5 + 1)])
    tokens = {u: accounts.create_token(cat, u, "benchmark").secret for u in ("kp-robot", "board")}
    cat.engine.dispose()
    return tokens


async def run_phases(base: str, tokens: dict[str, str], files: list[tuple[str, bytes]],
                     more: list[tuple[str, bytes]]) -> dict[str, object]:
    timeout = httpx2.Timeout(600.0)
    limits = httpx2.Limits(max_connections=READERS + 5)
    async with httpx2.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        async def upload(name: str, data: bytes) -> tuple[float, int]:
            t0 = time.perf_counter()
            r = await client.post("/api/uploads", params={"filename": name}, content=data,
                                  headers={"Authorization": f"Bearer {tokens['kp-robot']}",
                                           "Content-Type": "application/octet-stream"})
            return time.perf_counter() - t0, r.status_code

        t0 = time.perf_counter()
        up = await asyncio.gather(*(upload(n, d) for n, d in files))
        up_wall = time.perf_counter() - t0

        failures: list[str] = []

        async def read() -> tuple[float, int]:
            t = time.perf_counter()
            r = await client.get("/api/profile", params={"level": "district"},
                                 headers={"Authorization": f"Bearer {tokens['board']}"})
            if r.status_code != 200 and len(failures) < 3:
                failures.append(f"{r.status_code}: {r.text[:300]}")
            return time.perf_counter() - t, r.status_code

        async def reader() -> list[tuple[float, int]]:
            return [await read() for _ in range(READS_EACH)]

        t0 = time.perf_counter()
        reads = [x for xs in await asyncio.gather(*(reader() for _ in range(READERS))) for x in xs]
        read_wall = time.perf_counter() - t0

        uploading = asyncio.Event()
        uploading.set()

        async def reader_under_load() -> list[tuple[float, int]]:
            got: list[tuple[float, int]] = []
            while uploading.is_set() and len(got) < 1000:  # bounded
                got.append(await read())
            return got

        async def uploads_then_stop() -> list[tuple[float, int]]:
            try:
                return list(await asyncio.gather(*(upload(n, d) for n, d in more)))
            finally:
                uploading.clear()

        t0 = time.perf_counter()
        up2, *mixed_lists = await asyncio.gather(uploads_then_stop(), *(reader_under_load()
                                                                         for _ in range(MIXED_READERS)))
        mixed_wall = time.perf_counter() - t0
        mixed = [x for xs in mixed_lists for x in xs]
    return {"up": up, "up_wall": up_wall, "reads": reads, "read_wall": read_wall, "up2": up2, "mixed": mixed,
            "mixed_wall": mixed_wall, "failures": failures}


def bench(label: str, db: str | None, files: list[tuple[str, bytes]], more: list[tuple[str, bytes]]
          ) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="vrhub-bench-hub-") as tmp:
        home = Path(tmp) / "home"
        tokens = prepare(home, db)
        port = free_port()
        cmd = [sys.executable, "-c", "from vrhub.cli.main import main; main()", "--home", str(home),
               *(["--db", db] if db else []), "serve", "--host", "127.0.0.1", "--port", str(port)]
        log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):  # up to 30 s for the server to start
                try:
                    if httpx2.get(base + "/api/health", timeout=1).status_code == 200:
                        break
                except httpx2.TransportError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("the server did not start: " + (Path(tmp) / "server.log").read_text())
            result = asyncio.run(run_phases(base, tokens, files, more))
        finally:
            server.terminate()
            server.wait(30)
            log.close()
    up_lat = [t for t, _ in result["up"]]  # type: ignore[union-attr]
    rd_lat = [t for t, _ in result["reads"]]  # type: ignore[union-attr]
    mixed_lat = [t for t, _ in result["mixed"]]  # type: ignore[union-attr]
    mb = sum(len(d) for _, d in files) / 1e6
    return {
        "backend": label,
        "uploads_ok": sum(1 for _, s in result["up"] if s == 201),  # type: ignore[union-attr]
        "upload_wall_s": result["up_wall"], "upload_per_s": UPLOADS / result["up_wall"],  # type: ignore[operator]
        "upload_mb_per_s": mb / result["up_wall"],  # type: ignore[operator]
        "upload_p50_s": percentile(up_lat, 50), "upload_p99_s": percentile(up_lat, 99),
        "reads_ok": sum(1 for _, s in result["reads"] if s == 200),  # type: ignore[union-attr]
        "read_per_s": len(rd_lat) / result["read_wall"],  # type: ignore[operator]
        "read_p50_s": percentile(rd_lat, 50), "read_p99_s": percentile(rd_lat, 99),
        "mixed_uploads_ok": sum(1 for _, s in result["up2"] if s == 201),  # type: ignore[union-attr]
        "mixed_wall_s": result["mixed_wall"],
        "mixed_reads_ok": sum(1 for _, s in result["mixed"] if s == 200),  # type: ignore[union-attr]
        "mixed_reads": len(mixed_lat),
        "mixed_p50_s": percentile(mixed_lat, 50), "mixed_p95_s": percentile(mixed_lat, 95),
        "mixed_p99_s": percentile(mixed_lat, 99), "mixed_max_s": max(mixed_lat),
        "failures": result["failures"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("VRHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-pg", action="store_true", help="Only the embedded backend.")
    args = parser.parse_args()
    files, more = month_files(), month_files(UPLOADS)
    rows = sum(d.count(b"\n") - 1 for _, d in files)
    print(f"{UPLOADS} concurrent uploads ({rows:,} rows, {sum(len(d) for _, d in files) / 1e6:.0f} MB in all); "
          f"{READERS} concurrent readers x {READS_EACH} district profiles; loopback HTTP, one uvicorn worker")
    results = [bench("embedded (SQLite)", None, files, more)]
    if not args.no_pg:
        import psycopg

        schema = f"vrhub_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.pg, autocommit=True) as con:
            con.execute(f'create schema "{schema}"')
        try:
            url = args.pg + ("&" if "?" in args.pg else "?") + f"options=-csearch_path%3D{schema}"
            results.append(bench("PostgreSQL", url, files, more))
        finally:
            with psycopg.connect(args.pg, autocommit=True) as con:
                con.execute(f'drop schema if exists "{schema}" cascade')
    out = io.StringIO()
    out.write(f"{'backend':20} {'uploads ok':>10} {'wall s':>7} {'upl/s':>6} {'MB/s':>6} {'p50 s':>6} {'p99 s':>6}"
              f" | {'reads ok':>8} {'req/s':>7} {'p50 s':>6} {'p99 s':>6}\n")
    for r in results:
        out.write(f"{r['backend']:20} {r['uploads_ok']:>7}/{UPLOADS} {r['upload_wall_s']:7.1f} "
                  f"{r['upload_per_s']:6.2f} {r['upload_mb_per_s']:6.1f} {r['upload_p50_s']:6.1f} "
                  f"{r['upload_p99_s']:6.1f} | {r['reads_ok']:>4}/{READERS * READS_EACH} {r['read_per_s']:7.1f} "
                  f"{r['read_p50_s']:6.2f} {r['read_p99_s']:6.2f}\n")
    out.write(f"\nreads under load: {UPLOADS} more uploads at once, {MIXED_READERS} readers reading the district "
              "profile until they are done\n")
    for r in results:
        out.write(f"{r['backend']:20} uploads ok {r['mixed_uploads_ok']}/{UPLOADS} in {r['mixed_wall_s']:.1f} s; "
                  f"reads ok {r['mixed_reads_ok']}/{r['mixed_reads']}; p50 {r['mixed_p50_s']:.2f} s, "
                  f"p95 {r['mixed_p95_s']:.2f} s, p99 {r['mixed_p99_s']:.2f} s, max {r['mixed_max_s']:.2f} s "
                  "(goal p95 < 0.5 s)\n")
        out.writelines(f"  failed read: {f}\n" for f in r["failures"])  # type: ignore[attr-defined]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
