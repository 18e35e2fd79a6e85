"""A hub process killed (SIGKILL) in the middle of an upload loses nothing it had acknowledged, leaves no half
dataset, and the workspace and audit chain are consistent when it starts again."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx2
from vrhub_hubkit import build_world, street_csv
from vrhub_testkit import lake_folders, open_workspace

from vrhub.server.app import sweep_incoming
from vrhub.store import audit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(home, port: int) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    proc = subprocess.Popen([sys.executable, "-c", "from vrhub.cli.main import main; main()", "--home", str(home),
                             "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):  # up to 60 s to start (bounded)
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx2.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the hub did not start")


def test_a_server_killed_mid_upload_loses_nothing_acknowledged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = build_world(tmp_path / "home", None)
    token = world.tokens["uploader_a"]
    world.client.close()
    world.ws.catalogue.engine.dispose()
    home = world.ws.home
    port = free_port()
    server = start(home, port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"}
    base = f"http://127.0.0.1:{port}"
    try:
        acked = httpx2.post(f"{base}/api/uploads", params={"filename": "2018-12-kent-street.csv"}, headers=headers,
                            content=street_csv("2018-12", 4, crime_id="acked"), timeout=60)
        assert acked.status_code == 201, acked.text
        acked_id = acked.json()["dataset_ids"][0]

        body = street_csv("2019-01", 2000, crime_id="lost")
        sent_half = threading.Event()

        def chunks():  # type: ignore[no-untyped-def]
            yield body[: len(body) // 2]
            sent_half.set()
            time.sleep(2)  # the server is killed meanwhile
            yield body[len(body) // 2:]

        errors: list[BaseException] = []

        def send() -> None:
            try:
                httpx2.post(f"{base}/api/uploads", params={"filename": "2019-01-kent-street.csv"}, headers=headers,
                            content=chunks(), timeout=30)
            except BaseException as exc:  # the connection drops: that is the point
                errors.append(exc)

        t = threading.Thread(target=send)
        t.start()
        assert sent_half.wait(30)
        for _ in range(100):  # until the server is receiving into its temporary file (bounded)
            if any(p.is_file() for p in (home / "incoming").rglob("*")):
                break
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(30)
        t.join(60)
        assert errors and isinstance(errors[0], httpx2.TransportError)  # never acknowledged
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(30)

    ws = open_workspace(home)  # as the next start does: sweeps staging folders
    ids = {d.id for d in ws.catalogue.datasets(include_withdrawn=True)}
    assert acked_id in ids and len(ids) == 3  # the two uploads of the fixture and the acknowledged one
    assert ws.catalogue.get(acked_id).rows_accepted == 4
    assert lake_folders(ws) == {d.lake_path for d in ws.catalogue.datasets(include_withdrawn=True)}
    assert audit.verify(ws.catalogue).ok
    left = list((home / "incoming").iterdir())
    assert left  # the killed upload's temporary folder, never catalogued ...
    assert sweep_incoming(ws, older_than=dt.timedelta(0)) == [p.name for p in left]
    assert not any((home / "incoming").iterdir())  # ... is removed when stale

