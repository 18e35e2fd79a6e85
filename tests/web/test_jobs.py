"""The job runner: a job runs on a worker, reports its stages and units, is cached by data version and
parameters, a changed data version runs it afresh, a failure is shown and retried, and only the owner's role sees
it. The data version is the workspace's own (a police.uk file loaded, then withdrawn)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from vrhub_testkit import police_uk_ingest, street_row

from vrhub.domain.errors import NoDataError
from vrhub.governance.access import Permission
from vrhub.library import Partnership
from vrhub.server.web.jobs import DONE, FAILED, JobProgress, JobRunner
from vrhub.store.workspace import Workspace

ANALYST = {"owner": "ana", "role": "analyst", "permission": Permission.PROFILE_READ}


@pytest.fixture
def runner() -> JobRunner:
    r = JobRunner(workers=2)
    yield r
    r.shutdown()


def test_a_job_reports_its_stages_then_its_result(runner: JobRunner) -> None:
    gate, seen = threading.Event(), []

    def work(progress: JobProgress) -> int:
        progress("reading incidents")
        gate.wait(5)
        progress("computing gistar")
        progress.start("bytes", 200)
        progress.advance(50)
        seen.append((job.stage, job.stages_done, job.percent))
        return 42

    job = runner.submit("hotspots", work, parameters={"method": "gistar"}, data_version="v1", title="Hot spots",
                        stages=3, **ANALYST)
    for _ in range(200):  # the worker has started the first stage
        if job.stage:
            break
        threading.Event().wait(0.01)
    assert (job.status, job.stage, job.stages_done, job.percent) == ("running", "reading incidents", 0, 0)
    gate.set()
    runner.wait(job, timeout=10)
    # third stage started (two done) and a quarter of its units: (2 + 0.25) / 3 = 75 %
    assert seen == [("bytes", 2, 75)]
    assert (job.status, job.result, job.percent, job.stages_done) == (DONE, 42, 100, 3)
    assert job.to_json()["status"] == "done" and job.seconds >= 0


def test_same_parameters_and_data_version_give_the_same_job(runner: JobRunner) -> None:
    calls = []

    def work(progress: JobProgress) -> int:
        calls.append(1)
        return len(calls)

    first = runner.wait(runner.submit("sna", work, parameters={"period": "2025"}, data_version="v1", title="SNA",
                                      **ANALYST))
    again = runner.submit("sna", work, parameters={"period": "2025"}, data_version="v1", title="SNA", **ANALYST)
    assert again is first and calls == [1]  # nothing ran again: the second visitor waits for nothing
    assert runner.cached("sna", {"period": "2025"}, "v1", "exact") is first
    other = runner.wait(runner.submit("sna", work, parameters={"period": "2024"}, data_version="v1", title="SNA",
                                      **ANALYST))
    released = runner.wait(runner.submit("sna", work, parameters={"period": "2025"}, data_version="v1",
                                         title="SNA", audience="released", **ANALYST))
    assert len({first.id, other.id, released.id}) == 3 and calls == [1, 1, 1]


def test_a_failed_job_says_why_and_is_run_again(runner: JobRunner) -> None:
    attempts = []

    def work(progress: JobProgress) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise NoDataError("no ED returns are loaded", "load them with 'vrhub ingest istv PATH'")
        return "ok"

    job = runner.wait(runner.submit("hotspots", work, parameters={}, data_version="v1", title="x", **ANALYST))
    assert (job.status, job.error, job.what_to_do) == (FAILED, "no ED returns are loaded",
                                                        "load them with 'vrhub ingest istv PATH'")
    retry = runner.wait(runner.submit("hotspots", work, parameters={}, data_version="v1", title="x", **ANALYST))
    assert retry is not job and retry.result == "ok"


def test_an_unexpected_error_ends_the_job_as_failed(runner: JobRunner) -> None:
    def work(progress: JobProgress) -> None:
        raise RuntimeError("boom")

    job = runner.wait(runner.submit("x", work, parameters={}, data_version="v", title="x", **ANALYST))
    assert job.status == FAILED and "RuntimeError: boom" in job.error and job.what_to_do


def test_only_the_owners_role_with_the_permission_sees_a_job(runner: JobRunner) -> None:
    job = runner.wait(runner.submit("x", lambda p: 1, parameters={}, data_version="v", title="x", **ANALYST))
    assert runner.get(job.id, "analyst") is job
    assert runner.get(job.id, "board_viewer") is None  # a board viewer holds PROFILE_READ, but is not the role
    assert runner.get(job.id, "admin") is None
    assert runner.get("no-such-job", "analyst") is None
    assert runner.jobs("analyst") == [job] and runner.jobs("board_viewer") == []


def test_workers_are_at_most_one_per_core() -> None:
    import os

    r = JobRunner(workers=10_000)
    assert r.workers == (os.cpu_count() or 1)
    r.shutdown()


def test_finished_jobs_beyond_keep_are_forgotten() -> None:
    r = JobRunner(workers=1, keep=2)
    jobs = [r.wait(r.submit("x", lambda p: 1, parameters={"n": n}, data_version="v", title="x", **ANALYST))
            for n in range(4)]
    r.submit("x", lambda p: 1, parameters={"n": 9}, data_version="v", title="x", **ANALYST)
    assert r.get(jobs[0].id) is None and r.get(jobs[3].id) is jobs[3]
    r.shutdown()


def test_a_changed_data_version_runs_the_job_afresh(ws: Workspace, tmp_path: Path, write_street, runner) -> None:
    """Keyed on the workspace's own data version: loading a file changes it, withdrawing it changes it back."""
    library = Partnership(ws)
    empty = library.data_version()
    counted = []

    def count(progress: JobProgress) -> int:
        progress("counting")
        n = sum(d.rows_accepted for d in library.datasets())
        counted.append(n)
        return n

    def ask():  # what a page does: the job for these parameters on the data as they are now
        return runner.wait(runner.submit("count", count, parameters={}, data_version=library.data_version(),
                                         title="count", **ANALYST))

    assert ask().result == 0
    f = write_street(tmp_path / "2018-10-kent-street.csv", [street_row(Crime_ID=f"c{i}") for i in range(3)])
    report = police_uk_ingest(ws, [f], partner="Kent Police")
    loaded = library.data_version()
    assert loaded != empty
    assert ask().result == 3 and ask().result == 3 and counted == [0, 3]
    ws.catalogue.withdraw(report.results[0].dataset_id, "test")
    assert library.data_version() == empty
    assert ask().result == 0 and counted == [0, 3]  # the result for the earlier data version is still cached
