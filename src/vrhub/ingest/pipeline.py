"""How a load uses more than one core: files are read, checked and staged on a small pool of threads, and
registered one at a time, in the order they were given, on the caller's thread.

Threads are enough because the work of a file is Arrow's and DuckDB's (CSV parsing, the compute kernels, Parquet
encoding, the duplicate count, SHA-256), which run without Python's global interpreter lock; the catalogue, whose
writes must be serial and in order, stays on one thread. ``concurrent.futures.ThreadPoolExecutor`` (the standard
library) runs the pool; at most ``workers`` files are staged ahead of the one being registered, which bounds the
memory and the staging folders in flight.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from vrhub.ingest.progress import Progress

T = TypeVar("T")
R = TypeVar("R")

#: files staged at once: both cores of the machine vrhub is measured on (memory grows with each: at most ~150 MB
#: a file, since files are streamed in blocks)
MAX_WORKERS = 2


def workers(n_items: int) -> int:
    """How many threads to stage ``n_items`` files with: one for a single file, else the cores, at most
    :data:`MAX_WORKERS`."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1, n_items))


def in_order(items: Iterable[T], stage: Callable[[T], R], n_workers: int) -> Iterator[tuple[T, R]]:
    """``(item, stage(item))`` for every item, in the items' order, with up to ``n_workers`` stages running on a
    thread pool ahead of the caller. An exception raised by ``stage`` is raised here, at its item. With one worker
    nothing runs on another thread."""
    if n_workers <= 1:
        for item in items:
            yield item, stage(item)
        return
    source = iter(items)
    with ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="vrhub-load") as pool:
        pending: deque[tuple[T, Future[R]]] = deque()

        def submit() -> None:
            for item in source:
                pending.append((item, pool.submit(stage, item)))
                return

        for _ in range(n_workers):
            submit()
        while pending:
            item, future = pending.popleft()
            submit()
            yield item, future.result()


class OneBar:
    """A :class:`~vrhub.ingest.progress.Progress` shared by threads that stage files at once: the file that starts
    while no other is shown has the bar until it finishes; the others run without one (a terminal shows one bar)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._owner: int | None = None
        self._lock = threading.Lock()

    def start(self, description: str, total: int | None) -> None:
        with self._lock:
            if self._owner is not None:
                return
            self._owner = threading.get_ident()
        self._progress.start(description, total)

    def advance(self, amount: int) -> None:
        if self._owner == threading.get_ident():
            self._progress.advance(amount)

    def finish(self) -> None:
        if self._owner != threading.get_ident():
            return
        self._progress.finish()
        with self._lock:
            self._owner = None
