"""Long work as jobs: the SNA build, hot spots, near repeats and large uploads run on a worker, not in the request.

A page submits work to the app's :class:`JobRunner` and answers at once with the job's page (``/jobs/{id}``),
which shows the status, the stage now running and a progress bar, and refreshes itself (an htmx poll; with
JavaScript off, a plain "refresh" link). The work is a function of one argument, a :class:`JobProgress`, that it
hands to the library as its progress display: it is both an ``on_step`` callback (``Partnership.hotspots``,
``near_repeat``, ``sna_page``: each call names the stage starting) and an :class:`vrhub.ingest.progress.Progress`
(``Partnership.ingest``: units of a known total), the same two hooks the command line fills with Rich bars.

**Cached by data version.** A job's key is its kind, its parameters, who may read its result (``audience``:
exact or released) and the workspace's data version (``Partnership.data_version``: every current dataset version
and register). Asking again for the same key while the data are unchanged gives the same job, running or done, so
a second visitor waits for nothing; a new upload, a withdrawal or a new register changes the data version, and
the next request runs afresh. A failed job is not cached: asking again retries.

**In memory only.** Jobs live in the server process that ran them: a restart forgets them (and a second server
process behind a load balancer has its own). Their results are recomputed on the next request. Finished jobs
beyond ``keep`` are forgotten oldest first.

**Who sees a job.** Only users of the owner's role whose role holds the permission the job was started under
(the page's own permission): an analyst's exact hot-spot map never reaches a board viewer through a job id. A
private job (a partner's upload) is seen by its owner only.

Workers are threads (the analyses spend their time in DuckDB, NumPy and GEOS, which release the GIL), at most
one per core: ``concurrent.futures.ThreadPoolExecutor`` from the standard library.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from vrhub.domain.errors import VrhubError
from vrhub.governance.access import Permission, allowed

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(eq=False)
class Job:
    """One piece of long work: its status, the stage now running, how far it is, and its result or error."""

    id: str
    kind: str
    title: str
    key: Hashable
    owner: str
    role: str
    permission: Permission
    parameters: dict[str, Any]
    #: how many stages the work is expected to have (``None``: not known; the bar then counts stages only)
    stages: int | None = None
    #: seen by its owner only (a partner's upload: another organisation's uploader of the same role must not)
    private: bool = False
    status: str = QUEUED
    stage: str = ""
    stages_done: int = 0
    #: units done of ``units_total`` within the current stage (an ingest's bytes), when the work reports them
    units_done: int = 0
    units_total: int | None = None
    result: Any = None
    error: str = ""
    what_to_do: str = ""
    created_at: dt.datetime = field(default_factory=_now)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def fraction(self) -> float | None:
        """How far the job is, 0 to 1: stages done (and the current stage's units) of the stages expected; 1 when
        done; ``None`` when nothing tells (no stage count and no units)."""
        if self.status == DONE:
            return 1.0
        within = self.units_done / self.units_total if self.units_total else 0.0
        if self.stages:
            return min(1.0, (self.stages_done + min(within, 1.0)) / self.stages)
        return min(within, 1.0) if self.units_total else None

    @property
    def percent(self) -> int | None:
        f = self.fraction
        return None if f is None else round(100 * f)

    @property
    def seconds(self) -> float:
        """Seconds it has run (or ran)."""
        if self.started_at is None:
            return 0.0
        return ((self.finished_at or _now()) - self.started_at).total_seconds()

    def visible_to(self, role: str, user: str | None = None) -> bool:
        """Whether ``user`` of ``role`` may see this job: the owner's role, holding the job's permission (and, for a
        private job, the owner only)."""
        return role == self.role and allowed(role, self.permission) and (not self.private or user == self.owner)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "status": self.status, "stage": self.stage,
                "stages_done": self.stages_done, "stages": self.stages, "percent": self.percent,
                "error": self.error or None, "what_to_do": self.what_to_do or None,
                "seconds": round(self.seconds, 1), "parameters": self.parameters}


class JobProgress:
    """The progress display a job hands to the library: call it with a stage's name as it starts (``on_step``), or
    use it as an :class:`vrhub.ingest.progress.Progress` (``start``/``advance``/``finish``) for units of a total."""

    def __init__(self, job: Job, lock: threading.Lock) -> None:
        self.job, self._lock = job, lock
        self._started = False

    def __call__(self, label: str) -> None:
        """A new stage starts: the previous one is done."""
        with self._lock:
            if self._started:
                self.job.stages_done += 1
            self._started = True
            self.job.stage = label
            self.job.units_done, self.job.units_total = 0, None

    def start(self, description: str, total: int | None) -> None:
        self(description)
        with self._lock:
            self.job.units_total = total

    def advance(self, amount: int) -> None:
        with self._lock:
            self.job.units_done += amount

    def finish(self) -> None:
        with self._lock:
            if self.job.units_total:
                self.job.units_done = self.job.units_total


def job_key(kind: str, parameters: Mapping[str, Any], data_version: str, audience: str) -> Hashable:
    """The cache key of a job: its kind, parameters, audience and the data version it reads."""
    return kind, data_version, audience, tuple(sorted((k, repr(v)) for k, v in parameters.items()))


class JobRunner:
    """Runs jobs on at most one worker thread per core and remembers them, by id and by cache key."""

    def __init__(self, workers: int | None = None, *, keep: int = 64) -> None:
        cores = os.cpu_count() or 1
        self.workers = max(1, min(workers or cores, cores))
        self.keep = keep
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="vrhub-job")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._by_key: dict[Hashable, str] = {}

    def submit(self, kind: str, work: Callable[[JobProgress], Any], *, parameters: Mapping[str, Any],
               data_version: str, owner: str, role: str, permission: Permission, title: str,
               audience: str = "exact", stages: int | None = None, private: bool = False) -> Job:
        """The job for ``kind`` with ``parameters`` on ``data_version`` for ``audience``: the one already running
        or done for the same key, or a new one that runs ``work`` on a worker."""
        key = job_key(kind, parameters, data_version, audience)
        with self._lock:
            found = self._jobs.get(self._by_key.get(key, ""))
            if found is not None and found.status != FAILED:
                return found
            job = Job(secrets.token_urlsafe(12), kind, title, key, owner, role, permission, dict(parameters), stages,
                      private)
            self._jobs[job.id] = job
            self._by_key[key] = job.id
            self._forget_old()
        self._pool.submit(self._run, job, work)
        return job

    def cached(self, kind: str, parameters: Mapping[str, Any], data_version: str, audience: str) -> Job | None:
        """The job already asked for with this key (running or done), if any: nothing is started."""
        key = job_key(kind, parameters, data_version, audience)
        with self._lock:
            found = self._jobs.get(self._by_key.get(key, ""))
        return found if found is not None and found.status != FAILED else None

    def get(self, job_id: str, role: str | None = None, user: str | None = None) -> Job | None:
        """The job ``job_id``; with ``role``, only if ``user`` of that role may see it (else ``None``, as unknown)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (role is not None and not job.visible_to(role, user)):
            return None
        return job

    def jobs(self, role: str, user: str | None = None) -> list[Job]:
        """The jobs ``user`` of ``role`` may see, newest first."""
        with self._lock:
            found = list(self._jobs.values())
        return sorted((j for j in found if j.visible_to(role, user)), key=lambda j: j.created_at, reverse=True)

    def wait(self, job: Job, timeout: float | None = None) -> Job:
        """Block until ``job`` has finished (for tests and scripts; pages poll instead)."""
        deadline = None if timeout is None else _now() + dt.timedelta(seconds=timeout)
        event = threading.Event()
        while not job.finished:
            if deadline is not None and _now() > deadline:
                raise TimeoutError(f"job {job.id} ({job.title}) still {job.status} after {timeout} s")
            event.wait(0.02)
        return job

    def shutdown(self) -> None:
        """Stop taking work; running jobs finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, work: Callable[[JobProgress], Any]) -> None:
        progress = JobProgress(job, self._lock)
        with self._lock:
            job.status, job.started_at = RUNNING, _now()
        try:
            result = work(progress)
        except VrhubError as exc:
            self._fail(job, exc.message, exc.hint)
        except Exception as exc:  # a job must end with a status the page can show, whatever went wrong
            log.exception("job %s (%s) failed", job.id, job.title)
            self._fail(job, f"unexpected error: {type(exc).__name__}: {exc}",
                       "try again; if it fails again, tell the hub administrator (the server log has the details)")
        else:
            with self._lock:
                job.result, job.status, job.finished_at = result, DONE, _now()
                if job.stages:
                    job.stages_done = job.stages

    def _fail(self, job: Job, message: str, what_to_do: str) -> None:
        with self._lock:
            job.error, job.what_to_do, job.status, job.finished_at = message, what_to_do, FAILED, _now()

    def _forget_old(self) -> None:
        """Forget the oldest finished jobs beyond ``keep`` (call with the lock held)."""
        finished = sorted((j for j in self._jobs.values() if j.finished), key=lambda j: j.created_at)
        for job in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[job.id]
            if self._by_key.get(job.key) == job.id:
                del self._by_key[job.key]
